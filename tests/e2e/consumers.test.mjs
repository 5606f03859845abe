// The package as its users get it: `npm pack` of this repository, then
//   - examples/vite-app: the tarball installed with npm into a copy of the example, `vite build`,
//     and the built site in Chromium (`import { start } from "session-guard"`);
//   - examples/static: the tarball's package/dist/ copied to /session-guard/ of a static folder,
//     loaded by the README's `<script src>` tag.
// Each site is served by a small express app with `POST /session/keepalive` → {"expiresIn": 60}
// and a Content-Security-Policy whose script-src is only 'self' 'wasm-unsafe-eval'.
//
// Cache: everything lives under target/consumers/. The tarball is named by its hash, and the
// Vite app's npm install is kept in a folder keyed by that hash and the example's package.json,
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

/** Installs the tarball (and vite) into a copy of examples/vite-app, kept while neither changes; runs `vite build`. */
function buildViteApp(tarball) {
  const pkgJson = fs.readFileSync(path.join(EXAMPLES, "vite-app", "package.json"));
  const key = sha256(tarball.hash + "\0" + pkgJson).slice(0, 16);
  const dir = path.join(WORK, `vite-app-${key}`);
  const marker = path.join(dir, "node_modules", ".session-guard-installed");
  prune(WORK, "vite-app-", path.basename(dir));
  let installed = false;
  if (!fs.existsSync(marker)) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), pkgJson);
    // The example depends on "session-guard": "^0.1.0" and vite; the local tarball replaces the former.
    npm(["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", tarball.tgz], dir);
    fs.writeFileSync(marker, tarball.tgz + "\n");
    installed = true;
  }
  copyExample("vite-app", dir, { skip: ["package.json"] });
  const vite = path.join(dir, "node_modules", "vite", "bin", "vite.js");
  // --logLevel warn: anything printed is a warning or an error about the build.
  const run = spawnSync(process.execPath, [vite, "build", "--emptyOutDir", "--logLevel", "warn"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const log = `${run.stdout ?? ""}${run.stderr ?? ""}`.trim();
  if (run.status !== 0) throw new Error(`vite build failed (status ${run.status}):\n${log || run.error}`);
  const version = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", "vite", "package.json"), "utf8")).version;
  return { dir, out: path.join(dir, "dist"), installed, viteVersion: version, log };
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
  const stats = { keepalives: 0, wasm: [] };
  app.use((req, res, next) => {
    res.set("Content-Security-Policy", CSP);
    next();
  });
  app.post("/session/keepalive", (req, res) => {
    stats.keepalives += 1;
    res.set("Cache-Control", "no-store").json({ expiresIn: TIMEOUT });
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

/** Advances the fake clock to just past the warning (from the guard's own remaining()). */
async function advanceToWarning(page, guardExpr) {
  const remaining = await page.evaluate(`${guardExpr}.remaining()`);
  assert.ok(remaining > WARN_BEFORE + 2 && remaining <= TIMEOUT, `remaining() at start: ${remaining}`);
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 500);
  await page.clock.fastForward((remaining - WARN_BEFORE - 2) * 1000);
  assert.equal(await page.evaluate(`${guardExpr}.state()`), "active", "still active 2 s before the warning");
  assert.equal(await page.locator("dialog.session-guard[open]").count(), 0, "no dialog 2 s before the warning");
  await page.clock.fastForward(3000);
  await waitFor(() => page.evaluate(() => document.querySelector("dialog.session-guard")?.open === true), {
    message: "the warning dialog to open",
  });
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
    const built = buildViteApp(state.tarball);
    t.diagnostic(
      `vite ${built.viteVersion}; npm install ${built.installed ? "ran" : "cached"}; prepared in ${Date.now() - started} ms (${path.relative(REPO_ROOT, built.dir)})`,
    );
    assert.equal(built.log, "", "vite build printed no warning");
    const assets = fs.readdirSync(path.join(built.out, "assets"));
    const wasmAssets = assets.filter((f) => f.endsWith(".wasm"));
    assert.equal(wasmAssets.length, 1, `vite emitted the wasm as one asset (assets: ${assets.join(", ")})`);
    assert.ok(
      fs.readFileSync(path.join(built.out, "assets", wasmAssets[0])).equals(fs.readFileSync(path.join(DIST, "session_guard_bg.wasm"))),
      "the emitted wasm is the packed dist/session_guard_bg.wasm",
    );
    assert.doesNotMatch(fs.readFileSync(path.join(built.out, "index.html"), "utf8"), /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script");

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
      assert.equal(new URL(wasm.url).pathname, `/assets/${wasmAssets[0]}`);

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
