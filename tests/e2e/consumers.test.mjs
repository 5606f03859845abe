// The package as its users get it: `npm pack` of this repository, then
//   - examples/vite-app: the tarball installed with npm into a copy of the example, `vite build`,
//     and the built site in Chromium (`import { start } from "session-guard"`);
//   - examples/react-headless and examples/vue-headless: the same, plus the framework and its
//     Vite plugin; the app's own session dialog (`dialog: false`) driven as a person: warning,
//     Continue, expiry ("saved" only when the guard said so), Log in again, the note back;
//   - examples/static: the tarball's package/dist/ copied to /session-guard/ of a static folder,
//     loaded by the README's `<script src>` tag.
// Each site is served by a small express app with `POST /session/keepalive` → {"expiresIn": 60}
// and a Content-Security-Policy whose script-src is only 'self' 'wasm-unsafe-eval'.
//
// Cache: everything lives under target/consumers/. The tarball is named by its hash, and each
// Vite example's npm install is kept in a folder keyed by that hash and the example's package.json,
// so a re-run with the same dist/ skips npm (only `vite build` runs again). npm runs with
// --prefer-offline, so a re-install after a rebuild is served from npm's cache.

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import express from "express";

import { DIST, launchBrowser, REPO_ROOT, waitFor } from "./harness.mjs";

const WORK = path.join(REPO_ROOT, "target", "consumers");
const EXAMPLES = path.join(REPO_ROOT, "examples");
const TIMEOUT = 60; // s, the examples' data-timeout / timeout
const WARN_BEFORE = 30; // s
const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const sha256 = (data) => crypto.createHash("sha256").update(data).digest("hex");

/** npm without the variables of an enclosing `npm test` (they would point npm at this repo). */
function npm(args, cwd) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_(lifecycle_|package_|config_local_prefix$)/i.test(key)) delete env[key];
  }
  try {
    return execFileSync(process.platform === "win32" ? "npm.cmd" : "npm", args, {
      cwd,
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    throw new Error(`npm ${args.join(" ")} (in ${cwd}) failed:\n${err.stderr || err.message}`);
  }
}

/** Removes the entries of `dir` that start with `prefix` except `keep`. */
function prune(dir, prefix, keep) {
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(prefix) && name !== keep) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

/** Copies an example's own files (not node_modules/, dist/, lock file). */
function copyExample(name, to, { skip = [] } = {}) {
  const from = path.join(EXAMPLES, name);
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from)) {
    if (["node_modules", "dist", "package-lock.json", ...skip].includes(entry)) continue;
    fs.cpSync(path.join(from, entry), path.join(to, entry), { recursive: true });
  }
}

/** `npm pack` of the repository (dist/ as it is: `npm test` builds it first) → target/consumers/session-guard-<hash>.tgz */
function pack() {
  for (const f of ["index.js", "session-guard.js", "session_guard.js", "session_guard_bg.wasm"]) {
    assert.ok(fs.existsSync(path.join(DIST, f)), `dist/${f} is missing: run \`npm run build\` first`);
  }
  fs.mkdirSync(WORK, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(WORK, "pack-"));
  try {
    // --ignore-scripts: `prepack` would run the build, which `npm test` has just done.
    const [info] = JSON.parse(npm(["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], REPO_ROOT));
    const data = fs.readFileSync(path.join(tmp, info.filename));
    const hash = sha256(data).slice(0, 16);
    const tgz = path.join(WORK, `session-guard-${hash}.tgz`);
    if (!fs.existsSync(tgz)) fs.writeFileSync(tgz, data);
    prune(WORK, "session-guard-", path.basename(tgz));
    return { tgz, hash, files: info.files.map((f) => f.path) };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Installs the tarball (and the example's own dependencies: vite, a framework and its plugin)
 * into a copy of examples/<name>, kept while neither changes; runs `vite build`.
 */
function buildViteExample(name, tarball) {
  const pkgJson = fs.readFileSync(path.join(EXAMPLES, name, "package.json"));
  const key = sha256(tarball.hash + "\0" + pkgJson).slice(0, 16);
  const dir = path.join(WORK, `${name}-${key}`);
  const marker = path.join(dir, "node_modules", ".session-guard-installed");
  prune(WORK, `${name}-`, path.basename(dir));
  let installed = false;
  if (!fs.existsSync(marker)) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), pkgJson);
    // The example depends on "session-guard": "^0.1.0"; the local tarball replaces it.
    npm(["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", tarball.tgz], dir);
    fs.writeFileSync(marker, tarball.tgz + "\n");
    installed = true;
  }
  copyExample(name, dir, { skip: ["package.json"] });
  const vite = path.join(dir, "node_modules", "vite", "bin", "vite.js");
  // --logLevel warn: anything printed is a warning or an error about the build.
  const run = spawnSync(process.execPath, [vite, "build", "--emptyOutDir", "--logLevel", "warn"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const log = `${run.stdout ?? ""}${run.stderr ?? ""}`.trim();
  if (run.status !== 0) throw new Error(`vite build of examples/${name} failed (status ${run.status}):\n${log || run.error}`);
  const version = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", "vite", "package.json"), "utf8")).version;
  return { dir, out: path.join(dir, "dist"), installed, viteVersion: version, log };
}

/** The one .wasm asset of a Vite build, checked to be the packed dist/session_guard_bg.wasm. */
function wasmAssetOf(built) {
  const assets = fs.readdirSync(path.join(built.out, "assets"));
  const wasmAssets = assets.filter((f) => f.endsWith(".wasm"));
  assert.equal(wasmAssets.length, 1, `vite emitted the wasm as one asset (assets: ${assets.join(", ")})`);
  assert.ok(
    fs.readFileSync(path.join(built.out, "assets", wasmAssets[0])).equals(fs.readFileSync(path.join(DIST, "session_guard_bg.wasm"))),
    "the emitted wasm is the packed dist/session_guard_bg.wasm",
  );
  assert.doesNotMatch(fs.readFileSync(path.join(built.out, "index.html"), "utf8"), /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script");
  return wasmAssets[0];
}

/** Unpacks the tarball and lays out examples/static with package/dist/ at /session-guard/. */
function buildStatic(tarball) {
  const dir = path.join(WORK, `static-${tarball.hash}`);
  prune(WORK, "static-", path.basename(dir));
  fs.rmSync(dir, { recursive: true, force: true });
  const unpacked = path.join(dir, "tarball");
  const site = path.join(dir, "site");
  fs.mkdirSync(unpacked, { recursive: true });
  execFileSync("tar", ["-xzf", tarball.tgz, "-C", unpacked]);
  copyExample("static", site);
  fs.cpSync(path.join(unpacked, "package", "dist"), path.join(site, "session-guard"), { recursive: true });
  return { dir, out: site, unpacked };
}

/** The built files plus the server contract's keep-alive, under a strict CSP. */
async function serve(root) {
  const app = express();
  app.disable("x-powered-by");
  const stats = { keepalives: 0, logins: 0, wasm: [] };
  app.use((req, res, next) => {
    res.set("Content-Security-Policy", CSP);
    next();
  });
  app.post("/session/keepalive", (req, res) => {
    stats.keepalives += 1;
    res.set("Cache-Control", "no-store").json({ expiresIn: TIMEOUT });
  });
  // A login page for "Log in again": any name signs in, then back to `next` (a path of this site).
  app.get("/login", (req, res) => {
    const next = typeof req.query.next === "string" && req.query.next.startsWith("/") ? req.query.next : "/";
    res.type("html").send(
      `<!doctype html><html lang="en"><title>Log in</title><form method="post" action="/login?next=${encodeURIComponent(next)}">` +
        `<label for="username">Name</label> <input id="username" name="username" autocomplete="username" required> ` +
        `<button type="submit">Log in</button></form></html>`,
    );
  });
  app.post("/login", express.urlencoded({ extended: false }), (req, res) => {
    stats.logins += 1;
    const next = typeof req.query.next === "string" && req.query.next.startsWith("/") ? req.query.next : "/";
    res.redirect(303, next);
  });
  app.get("/favicon.ico", (req, res) => res.status(204).end()); // the browser asks; the examples have none
  app.use(
    express.static(root, {
      setHeaders: (res, file) => {
        if (file.endsWith(".wasm")) stats.wasm.push(path.relative(root, file));
      },
    }),
  );
  const server = http.createServer(app);
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    baseURL: `http://127.0.0.1:${server.address().port}`,
    stats,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A page with Playwright's fake clock, recording console errors/warnings, page errors and CSP violations. */
async function openPage(browser) {
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  const problems = [];
  const responses = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") {
      problems.push(`console.${msg.type()}: ${msg.text()} @ ${msg.location()?.url ?? "?"}`);
    }
  });
  page.on("response", (r) => responses.push({ url: r.url(), status: r.status(), type: r.headers()["content-type"] ?? "" }));
  await context.exposeBinding("__cspViolation", (_source, v) => problems.push(`CSP violation: ${JSON.stringify(v)}`));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__cspViolation({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample }),
    );
  });
  await page.clock.install();
  return { context, page, problems, responses };
}

/** The guard's own warning dialog is open. */
const ownDialogOpen = (page) => page.evaluate(() => document.querySelector("dialog.session-guard")?.open === true);

/**
 * Advances the fake clock to just past the warning (from the guard's own remaining()); `shown`
 * tells whether the page shows the warning (default: the guard's own dialog is open).
 */
async function advanceToWarning(page, guardExpr, { shown = ownDialogOpen } = {}) {
  const remaining = await page.evaluate(`${guardExpr}.remaining()`);
  assert.ok(remaining > WARN_BEFORE + 2 && remaining <= TIMEOUT, `remaining() at start: ${remaining}`);
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 500);
  await page.clock.fastForward((remaining - WARN_BEFORE - 2) * 1000);
  assert.equal(await page.evaluate(`${guardExpr}.state()`), "active", "still active 2 s before the warning");
  assert.equal(await shown(page), false, "no warning shown 2 s before the warning");
  await page.clock.fastForward(3000);
  await waitFor(() => shown(page), { message: "the warning to show" });
}

const NOTE = "Kept through a re-login.";

/** Records every sessionguard:* event's type and detail (elements by their id) in window.__events. */
const RECORD_EVENTS = `(() => {
  window.__events = [];
  for (const type of ["warning", "countdown", "extended", "expired", "login", "draftsavailable", "draftrestored", "error"]) {
    document.addEventListener("sessionguard:" + type, (e) => {
      const detail = {};
      for (const [k, v] of Object.entries(e.detail || {})) detail[k] = v instanceof Element ? "#" + v.id : v;
      window.__events.push({ type, detail });
    });
  }
})();`;

/** localStorage refusing every write (a full or disabled storage). */
const STORAGE_REFUSES = `(() => {
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (key, value) {
    if (this === window.localStorage) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    return setItem.call(this, key, value);
  };
})();`;

/** What the page shows of the app's own session UI, and whether anything of the guard's own UI is in the DOM. */
const shownUi = (page) =>
  page.evaluate(() => {
    const own = document.querySelector(".session-dialog");
    return {
      view: own?.dataset.view ?? null,
      role: own?.getAttribute("role") ?? null,
      text: own?.innerText.replace(/\s+/g, " ").trim() ?? null,
      remaining: Number(own?.querySelector("[data-remaining]")?.dataset.remaining ?? NaN),
      saved: own?.querySelector("[data-saved]")?.dataset.saved ?? null,
      focused: document.activeElement?.textContent ?? null,
      guardsOwn: document.querySelectorAll("dialog, .session-guard-notice, #session-guard-style, .session-guard").length,
    };
  });

/**
 * A headless example (examples/react-headless, examples/vue-headless) driven as a person: types a
 * note; the warning comes (fake clock) as the app's own dialog, counting down, with no dialog of
 * the guard's; Continue sends one keep-alive; the next warning is left to expire, and the app's
 * expired view claims "saved" exactly when sessionguard:expired said so; "Log in again" →
 * the login page → back, with the note restored. With `storage: "refuses"` (every localStorage
 * write throws) the journey stops at the expired view, which must then not claim "saved".
 * Returns the `saved` of sessionguard:expired.
 */
async function headlessJourney(browser, server, { storage }) {
  const { context, page, problems } = await openPage(browser);
  await context.addInitScript(RECORD_EVENTS);
  if (storage === "refuses") await context.addInitScript(STORAGE_REFUSES);
  const keepalives = server.stats.keepalives;
  const logins = server.stats.logins;
  const events = (type) => page.evaluate((t) => window.__events.filter((e) => e.type === t).map((e) => e.detail), type);
  try {
    await page.goto(server.baseURL + "/");
    await waitFor(() => page.evaluate(() => typeof window.guard?.state === "function"), { timeout: 10000, message: "window.guard from main" });
    await page.locator("#note").click();
    await page.keyboard.type(NOTE);

    // The typing earns one automatic keep-alive at the renewal point, which moves the warning:
    // the fake clock goes on a second at a time until the app shows it.
    await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 500);
    for (let s = 0; (await shownUi(page)).view !== "warning"; s++) {
      assert.ok(s < 2 * TIMEOUT, "the app's dialog shows the warning");
      assert.equal((await shownUi(page)).view, null, "nothing shown before the warning");
      await page.clock.fastForward(1000);
    }
    const autoKeepalives = server.stats.keepalives - keepalives;
    assert.ok(autoKeepalives <= 1, `at most one automatic keep-alive for the typing (${autoKeepalives})`);
    const warning = await shownUi(page);
    assert.equal(warning.guardsOwn, 0, "no <dialog>, notice or style of the guard's own in the DOM");
    assert.equal(warning.role, "alertdialog");
    assert.match(warning.text, /Still there\? Your session ends in 0:\d\d\. Continue Log out/);
    assert.equal(warning.focused, "Continue", "the app's dialog moved the focus to Continue");
    const [{ remaining }] = await events("warning");
    assert.ok(warning.remaining <= remaining && remaining <= WARN_BEFORE && remaining >= WARN_BEFORE - 2, `shown ${warning.remaining} s, event said ${remaining} s`);
    await page.clock.fastForward(2000);
    await waitFor(async () => (await shownUi(page)).remaining <= warning.remaining - 2, { message: "the app's dialog counting down" });
    assert.equal(server.stats.keepalives, keepalives + autoKeepalives, "no keep-alive during the warning");

    await page.getByRole("button", { name: "Continue" }).click();
    await waitFor(async () => (await shownUi(page)).view === null, { message: "the app's dialog closed after Continue" });
    assert.equal(await page.evaluate(() => window.guard.state()), "active");
    assert.equal(server.stats.keepalives, keepalives + autoKeepalives + 1, "Continue sent one keep-alive");

    // The next warning is left alone until the session ends.
    const left = await page.evaluate(() => window.guard.remaining());
    await page.clock.fastForward((left + 2) * 1000);
    await waitFor(async () => (await shownUi(page)).view === "expired", { message: "the app's expired view" });
    const expired = await shownUi(page);
    const [detail] = await events("expired");
    assert.equal(detail.reason, "idle");
    assert.equal(expired.saved, String(detail.saved), "the expired view says what sessionguard:expired said");
    if (detail.saved) assert.match(expired.text, /Your input is saved/);
    else assert.match(expired.text, /could not be saved/);
    assert.doesNotMatch(expired.text, detail.saved ? /could not be saved/ : /input is saved/);
    assert.equal(expired.guardsOwn, 0, "still nothing of the guard's own UI");
    assert.equal(expired.focused, "Log in again");
    assert.equal(server.stats.keepalives, keepalives + autoKeepalives + 1, "no keep-alive while idle");
    if (storage === "refuses") {
      assert.equal(detail.saved, false, "nothing could be stored: not saved");
      return detail.saved;
    }
    assert.equal(detail.saved, true, "the note was stored");

    await Promise.all([page.waitForURL((u) => u.pathname === "/login", { timeout: 5000 }), page.keyboard.press("Enter")]);
    assert.equal(new URL(page.url()).searchParams.get("next"), "/");
    await page.locator("#username").click();
    await page.keyboard.type("alice");
    await Promise.all([page.waitForURL((u) => u.pathname === "/", { timeout: 5000 }), page.keyboard.press("Enter")]);
    assert.equal(server.stats.logins, logins + 1);
    await waitFor(async () => (await page.locator("#note").inputValue()) === NOTE, { timeout: 10000, message: "the note restored after the login" });
    assert.equal(await page.evaluate(() => window.guard.state()), "active");
    assert.equal((await shownUi(page)).view, null, "no session dialog after the login");
    assert.deepEqual(problems, [], "no console errors or warnings, page errors or CSP violations");
    return detail.saved;
  } finally {
    await context.close();
  }
}

describe("packed tarball consumers", () => {
  const state = {};

  before(
    async () => {
      state.tarball = pack();
      state.browser = await launchBrowser();
    },
    { timeout: 60000 },
  );

  after(async () => {
    await state.browser?.close();
  });

  test("npm pack ships dist/ with the ES entry, its wasm and types, and the classic loader", () => {
    const files = state.tarball.files;
    for (const f of [
      "package.json",
      "dist/index.js",
      "dist/index.d.ts",
      "dist/session_guard.js",
      "dist/session_guard_bg.wasm",
      "dist/session-guard.js",
    ]) {
      assert.ok(files.includes(f), `the tarball has ${f} (it has ${files.join(", ")})`);
    }
    const stray = files.filter((f) => !f.startsWith("dist/") && !/^(package\.json|README(\.md)?|LICENSE.*)$/i.test(f));
    assert.deepEqual(stray, [], "nothing but dist/, package.json, README and LICENSE");
  });

  test("examples/vite-app: `vite build` of `import { start } from \"session-guard\"` runs, warns, extends", { timeout: 240000 }, async (t) => {
    const started = Date.now();
    const built = buildViteExample("vite-app", state.tarball);
    t.diagnostic(
      `vite ${built.viteVersion}; npm install ${built.installed ? "ran" : "cached"}; prepared in ${Date.now() - started} ms (${path.relative(REPO_ROOT, built.dir)})`,
    );
    assert.equal(built.log, "", "vite build printed no warning");
    const wasmAsset = wasmAssetOf(built);

    const server = await serve(built.out);
    const { context, page, problems, responses } = await openPage(state.browser);
    try {
      await page.goto(server.baseURL + "/");
      await waitFor(() => page.evaluate(() => typeof window.guard?.state === "function"), {
        timeout: 10000,
        message: "window.guard from main.js",
      });
      assert.equal(await page.evaluate(() => window.guard.state()), "active");
      assert.equal(await page.textContent("#state"), "active");
      const wasm = responses.find((r) => r.url.endsWith(".wasm"));
      assert.ok(wasm, "the page fetched the wasm");
      assert.equal(wasm.status, 200);
      assert.match(wasm.type, /^application\/wasm/);
      assert.equal(new URL(wasm.url).pathname, `/assets/${wasmAsset}`);

      await advanceToWarning(page, "window.guard");
      assert.equal(await page.evaluate(() => window.guard.state()), "warning");
      assert.equal(await page.getAttribute("dialog.session-guard", "data-state"), "warning");
      assert.match(await page.textContent("#session-guard-message"), /Your session will expire in .+\. Do you want to continue\?/);
      assert.equal(await page.textContent("#state"), "warning");
      assert.equal(server.stats.keepalives, 0, "no keep-alive for an idle user");

      await page.click('dialog.session-guard button[data-action="continue"]');
      await waitFor(() => page.evaluate(() => window.guard.state() === "active"), { message: "active after Continue" });
      assert.equal(server.stats.keepalives, 1, "Continue sent one keep-alive");
      assert.equal(await page.evaluate(() => document.querySelector("dialog.session-guard").open), false);
      const remaining = await page.evaluate(() => window.guard.remaining());
      assert.ok(remaining >= TIMEOUT - 2, `remaining() after Continue: ${remaining}`);
      assert.deepEqual(problems, [], "no console errors or warnings, page errors or CSP violations");
    } finally {
      await context.close();
      await server.close();
    }
  });

  for (const name of ["react-headless", "vue-headless"]) {
    test(`examples/${name}: \`vite build\`, the app's own dialog from the events; Continue, expiry, Log in again brings the text back`, { timeout: 300000 }, async (t) => {
      const started = Date.now();
      const built = buildViteExample(name, state.tarball);
      t.diagnostic(
        `vite ${built.viteVersion}; npm install ${built.installed ? "ran" : "cached"}; prepared in ${Date.now() - started} ms (${path.relative(REPO_ROOT, built.dir)})`,
      );
      assert.equal(built.log, "", "vite build printed no warning");
      wasmAssetOf(built);
      const server = await serve(built.out);
      try {
        const saved = await headlessJourney(state.browser, server, { storage: "works" });
        const refused = await headlessJourney(state.browser, server, { storage: "refuses" });
        t.diagnostic(`expired {saved: ${saved}} with working storage, {saved: ${refused}} when storage refuses`);
      } finally {
        await server.close();
      }
    });
  }

  test("examples/static: package/dist/ copied to /session-guard/, one script tag", { timeout: 60000 }, async () => {
    const built = buildStatic(state.tarball);
    const server = await serve(built.out);
    const { context, page, problems } = await openPage(state.browser);
    try {
      await page.goto(server.baseURL + "/");
      await waitFor(() => page.evaluate(() => typeof window.sessionGuard?.state === "function"), {
        timeout: 10000,
        message: "window.sessionGuard from the script tag",
      });
      assert.equal(await page.evaluate(() => window.sessionGuard.state()), "active");
      await waitFor(async () => (await page.textContent("#state")) === "active", { message: "status.js saw sessionguard:ready" });
      assert.deepEqual(server.stats.wasm, ["session-guard/session_guard_bg.wasm"], "the wasm came from beside the script");

      await advanceToWarning(page, "window.sessionGuard");
      assert.equal(await page.evaluate(() => window.sessionGuard.state()), "warning");
      await page.keyboard.press("Escape");
      await waitFor(() => page.evaluate(() => window.sessionGuard.state() === "active"), { message: "active after Escape" });
      assert.equal(server.stats.keepalives, 1, "Escape sent one keep-alive");
      assert.deepEqual(problems, [], "no console errors or warnings, page errors or CSP violations");
    } finally {
      await context.close();
      await server.close();
    }
  });
});
