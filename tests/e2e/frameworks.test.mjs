// The guard against real server frameworks, on loopback, in real time.
//
//   Django 5 (from PyPI, in the repo's .venv/)  SESSION_SAVE_EVERY_REQUEST = False and True
//   express-session                               rolling: false and rolling: true
//   Flask 3.1 (from PyPI, in .venv/)              SESSION_REFRESH_EACH_REQUEST = True and False
//   PHP native sessions (Debian's php-cli)        a last-activity check, `php -S … router.php`
//
// Each server runs the example of examples/<framework>/ with a 45 s session; the page carries
// the script tag with the options README's "Mirroring your server framework" table gives for
// that configuration. No fake clock: the servers' sessions really expire.
//
// For each configuration:
//   - a journey: login → a page load → typing (a draft, an automatic keep-alive) → warning →
//     Continue → API calls (with and without Server-Timing) → ignored warning → the server
//     really expires the session → "Log in again" → the draft is restored;
//   - page loads the guard did not see coming (landing from a page without the guard, a
//     re-login while signed in): the deadline must come from the page's Server-Timing;
//   - Django and express (`csrfField`): a tab revived by a login in another tab takes the new
//     CSRF token from the status answer, and its form submit is accepted.
// At every step the guard's deadline (guard.remaining(), timed to the tick) must match the
// server's real expiry within 1 s for Flask and PHP, 2 s for Django and express (see TOLERANCE).
// Each journey also asks the example's status route (`GET /session/status`, the guard's
// statusUrl): it reports the time left without moving the real expiry, and 401 once the session
// is gone. The demo server (www/) gets the same status check. All tests run side by side:
// about 145 s in all on two busy cores.
//
// The server's real expiry is probed without renewing it: the browser's session cookie (its
// expiry, read from the cookie jar) and the stored session (a test-only route of the example,
// called without cookies, that reads the store and touches nothing). The session ends at the
// earlier of the two: with express-session `rolling: false` that is the cookie (the store record
// is touched on every request, the cookie only re-sent when the session changes).
//
// Django and Flask come from PyPI into .venv/ (created here when missing; `python3 -m venv` is
// needed; fast when present). When python3 or its venv module is missing, or pip cannot install
// them, their tests fail with the reason and the command that fixes it. Debian's python3-venv and
// php-cli come with the browsers (`node scripts/setup.mjs --browser`, which `npm test` runs); when
// `php` is missing its tests fail. A missing tool never skips a journey.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { DIST, freePort, launchBrowser, recordGuardEvents, REPO_ROOT, startServer, waitFor } from "./harness.mjs";

const TIMEOUT = 45; // s: the servers' idle timeout; 25 s of slack before the warning, for loaded CI machines
const WARN_BEFORE = 20; // s: the guard's minimum
// s: guard deadline vs the server's real expiry. Flask and PHP meet 1 s (the `tolerance` of their
// cases); Django and express keep 2 s.
const TOLERANCE = 2;
const DRAFT = "Ship the blue one, please.\nInvoice to the Osaka office — 大阪オフィス宛て。";

const VENV = path.join(REPO_ROOT, ".venv");
const VENV_PYTHON = path.join(VENV, "bin", "python");
const DJANGO_DIR = path.join(REPO_ROOT, "examples", "django");
const FLASK_DIR = path.join(REPO_ROOT, "examples", "flask");
const PHP_DIR = path.join(REPO_ROOT, "examples", "php");
const PHP = process.env.PHP ?? "php";
// What the Python examples need, and how to tell that .venv/ has it.
const PY_REQUIREMENTS = ["django>=5,<6", "flask>=3.1,<4"];
const PY_CHECK = "import django, flask, sys; v = tuple(int(x) for x in flask.__version__.split('.')[:2]); sys.exit(0 if django.VERSION[0] == 5 and (3, 1) <= v < (4, 0) else 1)";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- Django and Flask in .venv/ -----------------------------------------------------------

/**
 * Makes sure .venv/ has Django 5 and Flask 3.1+. Fast when it does (one `python -c`). Returns
 * `{ ok: true }` or `{ error: message }` (no python3, no venv module, or pip failed): a missing
 * tool fails the run, it never skips the journeys.
 */
function ensurePython() {
  const ready = () => fs.existsSync(VENV_PYTHON) && spawnSync(VENV_PYTHON, ["-c", PY_CHECK], { stdio: "ignore" }).status === 0;
  if (ready()) return { ok: true };

  if (!fs.existsSync(VENV_PYTHON)) {
    const python = process.env.PYTHON ?? "python3";
    const made = spawnSync(python, ["-m", "venv", VENV], { encoding: "utf8", timeout: 120000 });
    if (made.error || made.status !== 0) {
      fs.rmSync(VENV, { recursive: true, force: true }); // ours, half made
      const why = made.error ? made.error.message : (made.stderr || made.stdout).trim().split("\n").slice(-3).join(" ") || `exit status ${made.status}`;
      return {
        error: `\`${python} -m venv .venv\` failed (${why}). Install Python 3 with its venv module (Debian/Ubuntu: sudo apt-get install -y python3-venv; \`node scripts/setup.mjs --browser\` does it) to run the Django and Flask journeys.`,
      };
    }
  }
  const pip = spawnSync(VENV_PYTHON, ["-m", "pip", "install", "--disable-pip-version-check", "-q", ...PY_REQUIREMENTS], {
    encoding: "utf8",
    timeout: 300000,
  });
  if (pip.error || pip.status !== 0 || !ready()) {
    const why = pip.error ? pip.error.message : (pip.stderr || pip.stdout).trim().split("\n").slice(-5).join(" | ");
    return { error: `could not install ${PY_REQUIREMENTS.map((r) => `'${r}'`).join(" ")} into .venv/ with pip: ${why}` };
  }
  return { ok: true };
}

/** `{ ok: true }` or `{ error }` with the install hint when PHP's CLI is missing. */
function ensurePhp() {
  const v = spawnSync(PHP, ["-r", "echo PHP_VERSION;"], { encoding: "utf8" });
  if (v.error || v.status !== 0) {
    return {
      error: `\`${PHP}\` is not available (${v.error?.message ?? v.stderr.trim()}). Install Debian's PHP CLI (sudo apt-get install -y php-cli; \`node scripts/setup.mjs --browser\` does it) to run the PHP journeys.`,
    };
  }
  return { ok: true, version: v.stdout.trim() };
}

function runToEnd(cmd, args, opts) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", (err) => resolve({ status: -1, out: String(err) }));
    child.on("close", (status) => resolve({ status, out }));
  });
}

/** examples/django under `manage.py runserver` on a free loopback port. */
async function startDjango({ saveEveryRequest }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sg-django-"));
  const env = {
    ...process.env,
    DJANGO_SETTINGS_MODULE: "guarddemo.settings",
    DJANGO_SECRET_KEY: crypto.randomBytes(32).toString("hex"),
    SG_DB_PATH: path.join(dir, "db.sqlite3"),
    SESSION_COOKIE_AGE: String(TIMEOUT),
    SESSION_SAVE_EVERY_REQUEST: saveEveryRequest ? "True" : "False",
    SG_WARN_BEFORE: String(WARN_BEFORE),
    SG_TEST_HOOKS: "1",
    SESSION_GUARD_DIST: DIST,
    PYTHONDONTWRITEBYTECODE: "1", // no __pycache__ in examples/
    PYTHONUNBUFFERED: "1",
  };
  const migrated = await runToEnd(VENV_PYTHON, ["manage.py", "migrate", "--noinput"], { cwd: DJANGO_DIR, env });
  if (migrated.status !== 0) throw new Error(`manage.py migrate failed:\n${migrated.out}`);

  const child = await startChild(
    "Django runserver",
    (port) =>
      spawn(VENV_PYTHON, ["manage.py", "runserver", `127.0.0.1:${port}`, "--noreload"], { cwd: DJANGO_DIR, env, stdio: ["ignore", "pipe", "pipe"], detached: true }),
    "/login/",
  );
  const { baseURL } = child;
  return {
    name: `Django SESSION_SAVE_EVERY_REQUEST=${saveEveryRequest ? "True" : "False"}`,
    baseURL,
    paths: { login: "/login/", form: "/form/", api: "/api/me/", status: "/session/status/" },
    cookieName: "sessionid",
    keyOf: (cookieValue) => cookieValue,
    async storeExpiry(key) {
      const res = await fetch(`${baseURL}/__test/session/?key=${encodeURIComponent(key)}`); // no cookies
      assert.equal(res.status, 200, "the Django test hook answers");
      return res.json();
    },
    output: child.output,
    async close() {
      await child.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** examples/express in-process on a free loopback port. */
async function startExpress({ rolling }) {
  const { createApp } = await import("../../examples/express/app.js");
  const app = createApp({ timeout: TIMEOUT, warnBefore: WARN_BEFORE, rolling, distDir: DIST, testHooks: true });
  const server = http.createServer(app);
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const baseURL = `http://127.0.0.1:${server.address().port}`;
  return {
    name: `express-session rolling: ${rolling}`,
    baseURL,
    paths: { login: "/login", form: "/form", api: "/api/me", status: "/session/status" },
    cookieName: "sid",
    // "s:<id>.<signature>", URI-encoded
    keyOf: (cookieValue) => /^s:(.+)\.[^.]+$/.exec(decodeURIComponent(cookieValue))?.[1] ?? "",
    async storeExpiry(key) {
      const res = await fetch(`${baseURL}/__test/session?sid=${encodeURIComponent(key)}`); // before session(): touches nothing
      assert.equal(res.status, 200, "the express test hook answers");
      return res.json();
    },
    output: () => "",
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A child process serving on a free loopback port: `spawnAt(port)` starts it (in its own process
 * group: `detached: true`); ready once `probe` answers 200. Retries on a port taken meanwhile.
 * Stopped by signalling the whole group: `php -S` with PHP_CLI_SERVER_WORKERS forks workers that
 * outlive their parent otherwise, and keep this test process alive through the inherited pipes.
 */
async function startChild(what, spawnAt, probePath) {
  const killGroup = (child, signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      child.kill(signal);
    }
  };
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawnAt(port);
    let output = "";
    const keep = (d) => (output = (output + d).slice(-20000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let exited = false;
    child.on("exit", () => (exited = true));
    child.on("error", (err) => {
      exited = true;
      keep(String(err));
    });
    const baseURL = `http://127.0.0.1:${port}`;
    try {
      await waitFor(
        async () => {
          if (exited) throw Object.assign(new Error(`${what} exited`), { fatal: true });
          const res = await fetch(baseURL + probePath);
          return res.status === 200;
        },
        { timeout: 30000, interval: 200, message: `${what} on ${baseURL}` },
      );
    } catch (err) {
      killGroup(child, "SIGKILL");
      if (exited && /already in use|address in use/i.test(output) && attempt < 3) continue;
      throw new Error(`${err.message}\n${output}`);
    }
    return {
      baseURL,
      output: () => output,
      async stop() {
        const running = !exited;
        killGroup(child, "SIGTERM"); // the workers too, even when the parent is gone
        if (running) await waitFor(() => exited, { timeout: 5000, message: `${what} to exit` }).catch(() => killGroup(child, "SIGKILL"));
      },
    };
  }
}

/** examples/flask (Flask's own server) on a free loopback port. */
async function startFlask({ refreshEachRequest }) {
  const env = {
    ...process.env,
    FLASK_SECRET_KEY: crypto.randomBytes(32).toString("hex"),
    SESSION_LIFETIME: String(TIMEOUT),
    SESSION_REFRESH_EACH_REQUEST: refreshEachRequest ? "True" : "False",
    SG_WARN_BEFORE: String(WARN_BEFORE),
    SG_TEST_HOOKS: "1",
    SESSION_GUARD_DIST: DIST,
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONUNBUFFERED: "1",
  };
  const child = await startChild(
    "Flask",
    (port) => spawn(VENV_PYTHON, ["app.py"], { cwd: FLASK_DIR, env: { ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"], detached: true }),
    "/login",
  );
  const { baseURL } = child;
  return {
    name: `Flask SESSION_REFRESH_EACH_REQUEST=${refreshEachRequest ? "True" : "False"}`,
    baseURL,
    paths: { login: "/login", form: "/form", api: "/api/me", status: "/session/status" },
    cookieName: "session",
    keyOf: (cookieValue) => cookieValue, // the signed cookie is the session
    async storeExpiry(key) {
      const res = await fetch(`${baseURL}/__test/session?cookie=${encodeURIComponent(key)}`); // no cookies
      assert.equal(res.status, 200, "the Flask test hook answers");
      return res.json();
    },
    output: child.output,
    close: child.stop,
  };
}

/** examples/php under `php -S 127.0.0.1:<port> router.php`, sessions in a temporary folder. */
async function startPhp() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sg-php-"));
  const env = {
    ...process.env,
    SESSION_IDLE_TIMEOUT: String(TIMEOUT),
    SG_WARN_BEFORE: String(WARN_BEFORE),
    SG_SESSION_DIR: dir,
    SG_TEST_HOOKS: "1",
    SESSION_GUARD_DIST: DIST,
    PHP_CLI_SERVER_WORKERS: "4", // the page's requests do not queue behind one another
  };
  const child = await startChild(
    "php -S",
    (port) => spawn(PHP, ["-S", `127.0.0.1:${port}`, "router.php"], { cwd: PHP_DIR, env, stdio: ["ignore", "pipe", "pipe"], detached: true }),
    "/login",
  );
  const { baseURL } = child;
  return {
    name: "PHP native sessions (last-activity check)",
    baseURL,
    paths: { login: "/login", form: "/form", api: "/api/me", status: "/session/status" },
    cookieName: "PHPSESSID",
    keyOf: (cookieValue) => cookieValue,
    async storeExpiry(key) {
      const res = await fetch(`${baseURL}/__test/session?id=${encodeURIComponent(key)}`); // reads the file, no session_start
      assert.equal(res.status, 200, "the PHP test hook answers");
      return res.json();
    },
    output: () => child.output().split("\n").filter((l) => !/ (Accepted|Closing)$/.test(l)).join("\n"),
    async close() {
      await child.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// --- the cases -----------------------------------------------------------------------------

const CASES = [
  // csrfField: the hidden CSRF input of the example's form (the revived-tab submit runs on it).
  { id: "django-false", framework: "django", renewOn: "keepalive", csrfField: "csrfmiddlewaretoken", start: () => startDjango({ saveEveryRequest: false }) },
  { id: "django-true", framework: "django", renewOn: "request", start: () => startDjango({ saveEveryRequest: true }) },
  // cookieBound: the session ends when the browser drops the cookie (see step 6).
  { id: "express-false", framework: "express", renewOn: "keepalive", cookieBound: true, csrfField: "_csrf", start: () => startExpress({ rolling: false }) },
  { id: "express-true", framework: "express", renewOn: "request", start: () => startExpress({ rolling: true }) },
  { id: "flask-true", framework: "flask", renewOn: "request", tolerance: 1, start: () => startFlask({ refreshEachRequest: true }) },
  { id: "flask-false", framework: "flask", renewOn: "keepalive", tolerance: 1, start: () => startFlask({ refreshEachRequest: false }) },
  // serverBound: the cookie is a browser-session cookie; the server's last-activity check ends it.
  { id: "php", framework: "php", renewOn: "request", tolerance: 1, serverBound: true, start: () => startPhp() },
];
const PYTHON_FRAMEWORKS = new Set(["django", "flask"]);

const state = { browser: null, servers: new Map(), python: null, php: null, errors: new Map() };

before(async () => {
  assert.ok(
    fs.existsSync(path.join(DIST, "session-guard.js")) && fs.existsSync(path.join(DIST, "session_guard_bg.wasm")),
    `${path.relative(REPO_ROOT, DIST)}/ is not built: run \`npm run build\` first`,
  );
  state.python = ensurePython();
  state.php = ensurePhp();
  state.browser = await launchBrowser();
  await Promise.all(
    CASES.map(async (c) => {
      if (PYTHON_FRAMEWORKS.has(c.framework) && !state.python.ok) return;
      if (c.framework === "php" && !state.php.ok) return;
      try {
        state.servers.set(c.id, await c.start());
      } catch (err) {
        state.errors.set(c.id, err);
      }
    }),
  );
});

after(async () => {
  await state.browser?.close();
  await Promise.all([...state.servers.values()].map((s) => s.close()));
});

// --- one journey ---------------------------------------------------------------------------

class Journey {
  constructor(server, context, page, events, t, tolerance = TOLERANCE) {
    Object.assign(this, { server, context, page, events, t, tolerance });
    this.cookieValue = null; // the session cookie and its store key, remembered after it is gone
    this.key = null;
    this.pageErrors = [];
    this.notes = [];
    page.on("pageerror", (err) => this.pageErrors.push(err));
  }

  url(p) {
    return this.server.baseURL + p;
  }

  note(line) {
    this.notes.push(line);
    this.t.diagnostic(line);
  }

  eventsOf(type) {
    return this.events.filter((e) => e.type === type);
  }

  async waitForEvent(type, { count = 1, timeout = 5000 } = {}) {
    await waitFor(() => this.eventsOf(type).length >= count, { timeout, interval: 100, message: `sessionguard:${type} #${count}` });
    return this.eventsOf(type)[count - 1];
  }

  /**
   * The server's real expiry, probed without renewing anything: the session cookie in the
   * browser's jar and the stored session (test route, called without cookies).
   * `at` (ms since epoch) is the earlier of the two; `alive` is false once either is gone.
   */
  async serverExpiry() {
    const cookie = (await this.context.cookies(this.server.baseURL)).find((c) => c.name === this.server.cookieName);
    if (cookie) {
      this.cookieValue = cookie.value;
      this.key = this.server.keyOf(cookie.value);
    }
    const cookieAt = cookie ? (cookie.expires > 0 ? cookie.expires * 1000 : Infinity) : null;
    const stored = this.key ? await this.server.storeExpiry(this.key) : { exists: false };
    const storeAt = stored.exists ? stored.expiresAt : null;
    const alive = cookieAt !== null && storeAt !== null && Math.min(cookieAt, storeAt) > Date.now();
    return { alive, at: alive ? Math.min(cookieAt, storeAt) : null, cookieAt, storeAt };
  }

  guard() {
    return this.page.evaluate(() => {
      const g = window.sessionGuard;
      return g ? { state: g.state(), remaining: g.remaining(), now: Date.now() } : null;
    });
  }

  async guardReady() {
    await waitFor(() => this.page.evaluate(() => typeof window.sessionGuard?.state === "function"), {
      timeout: 10000,
      interval: 100,
      message: "window.sessionGuard",
    });
  }

  dialog() {
    return this.page.evaluate(() => {
      const d = document.querySelector("dialog.session-guard");
      return d ? { open: d.open, state: d.dataset.state ?? null, text: d.textContent.replace(/\s+/g, " ").trim() } : null;
    });
  }

  /**
   * The guard's deadline (ms since epoch) read through guard.remaining(), to a few ms: it is
   * rounded down to whole seconds, so watch it tick (at most ~1 s) and take the moment it does.
   */
  guardDeadline() {
    return this.page.evaluate(async () => {
      const g = window.sessionGuard;
      const first = g.remaining();
      const start = Date.now();
      while (Date.now() - start < 1500) {
        await new Promise((r) => setTimeout(r, 4));
        const r = g.remaining();
        if (r !== first) return { deadline: Date.now() + (r + 1) * 1000, remaining: r, state: g.state(), now: Date.now() };
      }
      return { deadline: null, remaining: first, state: g.state(), now: Date.now() };
    });
  }

  /** Compares the guard's deadline with the server's real expiry; returns the server's remaining seconds. */
  async mirrors(label) {
    const g = await this.guardDeadline();
    const server = await this.serverExpiry();
    assert.ok(server.alive, `${label}: the server session should be alive (${JSON.stringify(server)})`);
    assert.ok(g.state === "active" || g.state === "warning", `${label}: guard state ${JSON.stringify(g)}`);
    assert.ok(g.deadline !== null, `${label}: guard.remaining() did not tick within 1.5 s (${g.remaining})`);
    const serverRemaining = (server.at - g.now) / 1000;
    const diff = (g.deadline - server.at) / 1000;
    const where = `cookie ${fmt((server.cookieAt - g.now) / 1000)} s, store ${fmt((server.storeAt - g.now) / 1000)} s`;
    this.note(`${label}: guard.remaining() = ${g.remaining} s, server ${fmt(serverRemaining)} s (${where}), deadline Δ ${fmt(diff)} s`);
    assert.ok(
      Math.abs(diff) <= this.tolerance,
      `${label}: the guard's deadline is ${fmt(diff)} s off the server's (guard.remaining() = ${g.remaining} s, server: ${fmt(serverRemaining)} s; ${where})`,
    );
    return serverRemaining;
  }

  /** Like mirrors(), but first gives the guard up to `timeout` ms to take in what it has just observed. */
  async mirrorsSoon(label, timeout = 3000) {
    await waitFor(
      async () => {
        const server = await this.serverExpiry();
        const g = await this.guard();
        return server.alive && g && Math.abs(g.remaining - (server.at - g.now) / 1000) <= 1;
      },
      { timeout, interval: 200, message: label },
    ).catch(() => {}); // mirrors() reports the numbers
    return this.mirrors(label);
  }

  /** Types the credentials as a user does (click, keystrokes) and submits with Enter. */
  async typeCredentials(user, landing) {
    const { page } = this;
    await page.click("#username");
    await page.keyboard.type(user);
    await page.click("#password");
    await page.keyboard.type(`pw-${user}-1`);
    await Promise.all([page.waitForURL((u) => u.pathname === landing, { timeout: 10000 }), page.keyboard.press("Enter")]);
  }

  async logIn(user) {
    await this.typeCredentials(user, this.server.paths.form);
    await this.guardReady();
  }

  /**
   * The example's status route, asked from Node with the browser's session cookie (what a
   * same-origin `fetch(statusUrl, {credentials: "same-origin"})` sends), so that the guard on
   * the page does not see the call. `cookie`: replay a given value instead of the jar's.
   */
  async status({ cookie, xhr = true } = {}) {
    const value = cookie ?? (await this.context.cookies(this.server.baseURL)).find((c) => c.name === this.server.cookieName)?.value;
    const headers = { Accept: "application/json" };
    if (xhr) headers["X-Requested-With"] = "XMLHttpRequest";
    if (value) headers.Cookie = `${this.server.cookieName}=${value}`;
    const res = await fetch(this.url(this.server.paths.status), { headers });
    return {
      status: res.status,
      setCookie: res.headers.getSetCookie().filter((c) => c.startsWith(`${this.server.cookieName}=`)),
      serverTiming: res.headers.get("server-timing"),
      body: await res.json().catch(() => null),
      at: Date.now(),
    };
  }

  /**
   * Asks the status route and checks that it did not renew the session: the real expiry is the
   * same before and after, no session cookie is sent back, and `expiresIn` is what is left.
   */
  async statusDoesNotRenew(label) {
    const before = await this.serverExpiry();
    const st = await this.status();
    const after = await this.serverExpiry();
    assert.equal(st.status, 200, `${label}: GET ${this.server.paths.status} answers 200 while signed in (${JSON.stringify(st.body)})`);
    assert.deepEqual(st.setCookie, [], `${label}: the status response sends no session cookie`);
    const moved = (after.at - before.at) / 1000;
    const off = (st.at + st.body.expiresIn * 1000 - after.at) / 1000;
    this.note(`${label}: status expiresIn ${st.body.expiresIn} s (${fmt(off)} s off the server's expiry); the expiry moved ${fmt(moved)} s`);
    assert.ok(Math.abs(moved) < 0.5, `${label}: asking the status moved the server's expiry by ${fmt(moved)} s`);
    assert.ok(Math.abs(off) <= this.tolerance, `${label}: status expiresIn is ${fmt(off)} s off the server's expiry`);
    const dur = Number(/session;dur=(\d+)/.exec(st.serverTiming ?? "")?.[1]);
    assert.ok(Math.abs(dur / 1000 - st.body.expiresIn) < 0.1, `${label}: the status response's Server-Timing (${st.serverTiming}) says the same`);
    const plain = await this.status({ xhr: false });
    assert.equal(plain.status, 400, `${label}: without X-Requested-With the status route refuses (400)`);
    return st;
  }

  /** A same-origin API call from the page, as the application would make. */
  /**
   * A same-origin API call from the page, as the application would make. `serverTiming: false`
   * asks the example (test hook) to leave out Server-Timing, as if its middleware were not
   * installed: then only renewOn tells the guard whether the call renewed the session.
   */
  apiStatus({ serverTiming = true } = {}) {
    return this.page.evaluate(
      async ([api, plain]) => {
        const headers = { Accept: "application/json" };
        if (plain) headers["X-Test-No-Server-Timing"] = "1";
        const res = await fetch(api, { headers, credentials: "same-origin", cache: "no-store" });
        return { status: res.status, serverTiming: res.headers.get("server-timing"), body: await res.json().catch(() => null) };
      },
      [this.server.paths.api, !serverTiming],
    );
  }
}

function fmt(n) {
  return Number.isFinite(n) ? n.toFixed(2) : String(n);
}

async function withJourney(c, t, fn) {
  if (PYTHON_FRAMEWORKS.has(c.framework) && state.python?.error) assert.fail(state.python.error);
  if (c.framework === "php" && state.php?.error) assert.fail(state.php.error);
  if (state.errors.has(c.id)) throw state.errors.get(c.id);
  const server = state.servers.get(c.id);
  assert.ok(server, `${c.id}: the server did not start`);

  const context = await state.browser.newContext({ locale: "en-US", viewport: { width: 1000, height: 760 } });
  const events = await recordGuardEvents(context);
  const page = await context.newPage();
  const j = new Journey(server, context, page, events, t, c.tolerance ?? TOLERANCE);
  try {
    await fn(j, c);
    assert.deepEqual(j.pageErrors.map(String), [], "uncaught errors in the page");
  } catch (err) {
    const t0 = events[0]?.at ?? 0;
    t.diagnostic(`guard events (ms since the first): ${events.map((e) => `${e.type}@${e.at - t0} ${JSON.stringify(e.detail)}`).join(", ")}`);
    if (j.pageErrors.length) t.diagnostic(`page errors: ${j.pageErrors.map(String).join(" | ")}`);
    const out = server
      .output()
      .split("\n")
      .filter((line) => line.trim() && !line.includes("/__test/"))
      .slice(-12);
    for (const line of out) t.diagnostic(`server: ${line}`);
    throw err;
  } finally {
    await context.close().catch(() => {});
  }
}

/** The server itself behaves as README's table says: `renewOn: "request"` ⇔ a request renews. */
function assertRenewal(c, server, before, after, what) {
  const moved = (after.at - before.at) / 1000;
  if (c.renewOn === "request") {
    assert.ok(moved > 3, `${server.name}: ${what} renews the session (its expiry moved ${fmt(moved)} s)`);
  } else {
    assert.ok(Math.abs(moved) < 1, `${server.name}: ${what} does not renew the session (its expiry moved ${fmt(moved)} s)`);
  }
}

async function run(j, c) {
  const { page, server } = j;
  const T = TIMEOUT;

  // 1. Log in; the guard on the form mirrors the fresh session.
  await page.goto(j.url(`${server.paths.login}?next=${encodeURIComponent(server.paths.form)}`));
  await j.logIn("alice");
  assert.equal(await page.evaluate(() => document.visibilityState), "visible", "the page is visible (timers not throttled)");
  const tag = await page.locator('script[src$="/session-guard.js"]').evaluate((s) => ({ ...s.dataset }));
  assert.equal(tag.renewOn, c.renewOn, `README's table maps ${server.name} to renewOn: "${c.renewOn}"`);
  assert.equal(tag.timeout, String(T));
  assert.equal(tag.warnBefore, String(WARN_BEFORE));
  await j.mirrors("after login");

  // 2. A page load 5 s later: it renews the server session only with renewOn "request"; the
  //    guard follows the server either way (Server-Timing on the page). Halfway, the status
  //    route is asked: it reports the time left and does not renew (with a renewal, the
  //    expiry would move by the 2.5 s that passed — the sleeps let session time pass on purpose).
  const beforeReload = await j.serverExpiry();
  await sleep(2500);
  await j.statusDoesNotRenew("status, 2.5 s after login");
  await sleep(2500);
  await page.reload();
  await j.guardReady();
  assertRenewal(c, server, beforeReload, await j.serverExpiry(), "a page load");
  await j.mirrorsSoon("after a page load 5 s later");

  // 3. The user types: a draft is saved, and the activity earns one automatic keep-alive.
  const savedBefore = j.eventsOf("draftsaved").length;
  await page.locator("#message").pressSequentially(DRAFT, { delay: 10 });
  await j.waitForEvent("draftsaved", { count: savedBefore + 1, timeout: 8000 });
  const auto = await j.waitForEvent("extended", { count: 1, timeout: (T - WARN_BEFORE + 10) * 1000 });
  await j.mirrorsSoon("after the automatic keep-alive (the user typed)");
  const autoServer = await j.serverExpiry();
  assert.ok(
    Math.abs(auto.detail.expiresAt - autoServer.at) <= j.tolerance * 1000,
    `sessionguard:extended expiresAt is ${fmt((auto.detail.expiresAt - autoServer.at) / 1000)} s off the server's expiry`,
  );

  // 4. Idle from here on: the warning opens warnBefore seconds before the server's real expiry.
  //    When the typing went on past that keep-alive (a loaded machine types slowly), the
  //    keystrokes after it earn one more keep-alive at the next renewal point (at most T/2
  //    later), as they should: the wait allows for it.
  await waitFor(async () => (await j.dialog())?.state === "warning", {
    timeout: (T / 2 + T - WARN_BEFORE + 5) * 1000,
    interval: 100,
    message: "the warning dialog",
  });
  assert.equal(j.eventsOf("warning").length, 1);
  const warned = j.eventsOf("warning")[0];
  const atWarning = ((await j.serverExpiry()).at - warned.at) / 1000;
  j.note(`the warning opened ${fmt(atWarning)} s before the server's expiry (detail.remaining = ${warned.detail?.remaining})`);
  assert.ok(
    Math.abs(atWarning - WARN_BEFORE) <= j.tolerance,
    `the warning opened ${fmt(atWarning)} s before the server's session ends (warnBefore ${WARN_BEFORE})`,
  );
  await j.mirrors("during the warning");

  // 5. Continue: one keep-alive; the server session is still there and renewed.
  const extendedBefore = j.eventsOf("extended").length;
  await page.click('dialog.session-guard button[data-action="continue"]');
  await j.waitForEvent("extended", { count: extendedBefore + 1, timeout: 10000 });
  await waitFor(async () => !(await j.dialog())?.open, { timeout: 5000, interval: 100, message: "the dialog to close" });
  const afterContinue = await j.mirrors("after Continue");
  assert.ok(afterContinue > T - 3, `Continue renewed the server session (${fmt(afterContinue)} s left)`);
  const me = await j.apiStatus();
  assert.equal(me.status, 200, "an authenticated request succeeds after Continue");
  assert.deepEqual(me.body, { user: "alice" });
  assert.match(me.serverTiming ?? "", /^session;dur=\d+$/, "the example's middleware adds Server-Timing");
  await j.mirrorsSoon("after an API call");

  //    4 s later, a call answered without Server-Timing: renewOn alone must tell the guard
  //    whether the server renewed the session (a wrong renewOn would be 4 s off).
  await sleep(4000);
  const beforePlain = await j.serverExpiry();
  const plain = await j.apiStatus({ serverTiming: false });
  assert.equal(plain.status, 200);
  assert.equal(plain.serverTiming, null, "answered without Server-Timing");
  assertRenewal(c, server, beforePlain, await j.serverExpiry(), "an API call");
  // PerformanceObserver delivers the entry asynchronously: mirrorsSoon waits for it, bounded.
  await j.mirrorsSoon("after an API call without Server-Timing, 4 s later (renewOn alone)");
  const lastServer = await j.serverExpiry();

  // 6. Ignore the next warning: the guard expires when the server session really ends.
  const expired = await j.waitForEvent("expired", { count: 1, timeout: (T + 5) * 1000 });
  assert.equal(expired.detail?.reason, "idle");
  assert.equal(j.eventsOf("warning").length, 2, "a second warning before the end");
  const late = (expired.at - lastServer.at) / 1000;
  j.note(`expired (idle) ${fmt(late)} s after the server's probed expiry`);
  assert.ok(Math.abs(late) <= j.tolerance, `the guard expired ${fmt(late)} s away from the server's real expiry`);
  const d = await j.dialog();
  assert.equal(d?.state, "expired");
  assert.match(d.text, /signed out after a period of inactivity/);
  assert.match(d.text, /Your input has been saved/);

  //    The server really ended it. Django, and express-session with rolling: true, end the
  //    stored session at that moment (the cookie goes too): the page's API call is refused,
  //    and so is the old session cookie replayed by hand. express-session with rolling: false
  //    touches the stored session on every request but re-sends the cookie only when the
  //    session changes: the session ends when the browser drops the cookie, while the stored
  //    record lives on until maxAge after the last request. Flask's cookie is the session: the
  //    browser drops it at its Expires, the server refuses it within the next second. PHP's
  //    cookie lasts until the browser closes: the server's last-activity check ends the session.
  const gone = (x) =>
    c.cookieBound ? x.cookieAt === null : c.serverBound ? x.storeAt === null : x.cookieAt === null && x.storeAt === null;
  const ended = await waitFor(
    async () => {
      const x = await j.serverExpiry();
      return gone(x) ? x : null;
    },
    {
      timeout: (j.tolerance + 3) * 1000,
      interval: 200,
      message: `${server.name} to drop the session (${c.cookieBound ? "cookie" : c.serverBound ? "stored session" : "cookie and stored session"})`,
    },
  );
  assert.equal((await j.apiStatus()).status, 401, "the page's API call is refused once the session expired");
  const replay = await fetch(j.url(server.paths.api), { headers: { Cookie: `${server.cookieName}=${j.cookieValue}` } });
  if (c.cookieBound) {
    j.note(
      `the browser dropped the cookie; the stored record ${ended.storeAt === null ? "is gone too" : `lives ${fmt((ended.storeAt - Date.now()) / 1000)} s more`}; ` +
        `the old cookie replayed by hand: ${replay.status}`,
    );
  } else {
    assert.equal(replay.status, 401, "the old session cookie, replayed, is refused by the server");
  }
  //    The status route says so too, for the old cookie replayed (the browser has none left,
  //    except PHP's browser-session cookie).
  const goneStatus = await j.status({ cookie: j.cookieValue });
  assert.equal(goneStatus.status, 401, `the status route answers 401 once the session is gone (${JSON.stringify(goneStatus.body)})`);
  j.note(`status once the session is gone: ${goneStatus.status}`);

  // 7. Log in again → back on the form, with what was typed restored.
  const restoredBefore = j.eventsOf("draftrestored").length;
  await Promise.all([
    page.waitForURL((u) => u.pathname === server.paths.login, { timeout: 10000 }),
    page.click('dialog.session-guard button[data-action="login"]'),
  ]);
  assert.equal(new URL(page.url()).searchParams.get("next"), server.paths.form, "Log in again carries ?next=");
  await j.logIn("alice");
  const restored = await j.waitForEvent("draftrestored", { count: restoredBefore + 1, timeout: 10000 });
  assert.equal(restored.detail?.form, "form#request-form");
  assert.equal(await page.inputValue("#message"), DRAFT, "the typed text is back");
  await j.mirrors("after logging in again");
}

/**
 * Page loads the guard did not see coming: its deadline must come from the page's own
 * Server-Timing. (a) The guard is only on some pages: the user logs in, lands on a page
 * without it, and opens the form 6 s later. (b) The same user logs in again while still
 * signed in (re-authentication): the server starts a fresh session, while the tab state stored
 * by the previous page still holds the old deadline.
 */
async function pageLoads(j, c) {
  const { page, server } = j;
  await page.goto(j.url(`${server.paths.login}?next=${encodeURIComponent(server.paths.api)}`));
  await j.typeCredentials("carol", server.paths.api);
  assert.ok((await j.serverExpiry()).alive, "signed in, on a page without the guard");
  const failures = []; // both checks run, so a failure reports the whole picture
  const check = (label) => j.mirrorsSoon(label).catch((err) => failures.push(err.message));
  await sleep(6000);
  await page.goto(j.url(server.paths.form));
  await j.guardReady();
  await check("(a) the form opened 6 s after logging in, from a page without the guard");

  await sleep(6000);
  await page.goto(j.url(`${server.paths.login}?next=${encodeURIComponent(server.paths.form)}`));
  const mark = j.events.length;
  await j.logIn("carol");
  await check("(b) logged in again 6 s later, while still signed in");
  const warnings = j.events.slice(mark).filter((e) => e.type === "warning");
  if (warnings.length > 0) {
    failures.push(`(b) the fresh page raised sessionguard:warning ${JSON.stringify(warnings.map((e) => e.detail))} for a session just renewed`);
  }
  if ((await j.dialog())?.open) failures.push("(b) a dialog is open on the fresh page");
  assert.deepEqual(failures, [], "the guard's deadline follows the page's Server-Timing");
}

/**
 * After a login in another tab, a form submit from the revived page is accepted. Tab A logs in
 * and types; nobody touches the session until the server really ends it (tab A: "expired"); the
 * user logs in in tab B, which starts a new session with a new CSRF token. Tab A revives and
 * takes the new token from the keep-alive or status answer (`csrfToken`) into its hidden CSRF
 * input; its Send (a real click) is accepted (not 403), and the typed text arrives.
 */
async function revivedSubmit(j, c) {
  const { page: a, server } = j;
  const TEXT = "Written before the session ended, sent after a login in another tab.";
  const field = `#request-form input[name="${c.csrfField}"]`;
  await a.goto(j.url(`${server.paths.login}?next=${encodeURIComponent(server.paths.form)}`));
  await j.logIn("erin");
  await a.locator("#message").click();
  await a.keyboard.type(TEXT);
  const before = await a.locator(field).inputValue();
  await waitFor(async () => (await j.guard())?.state === "expired", {
    timeout: (TIMEOUT * 2 + 10) * 1000,
    interval: 250,
    message: "tab A expired (the server ended the session)",
  });
  await waitFor(async () => !(await j.serverExpiry()).alive, { timeout: 5000, interval: 200, message: "the session gone on the server" });
  const revivedAt = j.events.length;
  // What tab A asks the server from here on (the revived tab's status or keep-alive answer).
  const asked = [];
  a.on("response", (r) => {
    const p = new URL(r.url()).pathname;
    if (p === server.paths.status || p === "/session/keepalive/" || p === "/session/keepalive") asked.push(`${r.request().method()} ${p} ${r.status()}`);
  });

  const b = await j.context.newPage();
  await b.goto(j.url(`${server.paths.login}?next=${encodeURIComponent(server.paths.form)}`));
  await b.click("#username");
  await b.keyboard.type("erin");
  await b.click("#password");
  await b.keyboard.type("pw-erin-1");
  await Promise.all([b.waitForURL((u) => u.pathname === server.paths.form, { timeout: 10000 }), b.keyboard.press("Enter")]);
  const fresh = await b.locator(field).inputValue();
  assert.notEqual(fresh, before, "the new login has a new CSRF token");

  await waitFor(async () => (await j.guard())?.state === "active" && !(await j.dialog())?.open, {
    timeout: 10000,
    interval: 100,
    message: "tab A revived by the login in tab B",
  });
  await waitFor(() => asked.some((x) => x.endsWith(" 200")), { timeout: 10000, interval: 100, message: "tab A asked the server (status or keep-alive)" });
  await waitFor(async () => (await a.locator(field).inputValue()) !== before, {
    timeout: 5000,
    interval: 100,
    message: "tab A's hidden CSRF input holds the new session's token",
  });
  assert.equal(await a.inputValue("#message"), TEXT, "the typed text is untouched");
  j.note(`tokens: tab A before ${before.slice(0, 6)}…, tab B ${fresh.slice(0, 6)}…, tab A now ${(await a.locator(field).inputValue()).slice(0, 6)}…`);
  j.note(`tab A revived: ${j.events.slice(revivedAt).map((e) => e.type).join(", ")}; tab A asked: ${asked.join(", ")}`);

  await a.bringToFront();
  const answer = a.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === server.paths.form, { timeout: 10000 });
  await a.click("#submit");
  const res = await answer;
  assert.equal(res.status(), 200, `the revived page's submit is accepted (${res.status()} ${res.statusText()})`);
  await a.waitForSelector("#saved-title", { timeout: 10000 });
  assert.equal(await a.textContent("#saved-message"), TEXT, "the typed text arrived");
}

// The tests wait on real time (a minute for a journey); they all run side by side.
describe("session-guard against real servers (45 s sessions, real time)", { concurrency: true }, () => {
  for (const c of CASES) {
    it(
      `${c.id}: renewOn "${c.renewOn}" — deadline matches the server; Continue keeps it; ignored, the server expires it; drafts survive the re-login`,
      { timeout: 180000 },
      (t) => withJourney(c, t, run),
    );
  }
  it("demo server (www/): GET /session/status reports the time left without renewing, from the page too; 401 once the session is gone", { timeout: 60000 }, async (t) => {
    const demo = await startServer({ sessionTimeout: 25, warnBefore: 20 }); // rolling: true, like express-true
    const context = await state.browser.newContext({ locale: "en-US" });
    try {
      const server = {
        name: "demo (www/)",
        baseURL: demo.baseURL,
        paths: { login: "/login", form: "/form", status: "/session/status" },
        cookieName: "sg.sid",
        keyOf: (v) => /^s:(.+)\.[^.]+$/.exec(decodeURIComponent(v))?.[1] ?? "",
        async storeExpiry(key) {
          const res = await fetch(`${demo.baseURL}/__test/session?sid=${encodeURIComponent(key)}`); // before session(): touches nothing
          assert.equal(res.status, 200, "the demo's test hook answers");
          return res.json();
        },
      };
      const page = await context.newPage();
      const j = new Journey(server, context, page, [], t, 1);
      await page.goto(j.url("/login?next=/form"));
      await j.typeCredentials("dora", "/form");
      await sleep(2000); // session time passes on purpose: a renewal would move the expiry by 2 s
      await j.statusDoesNotRenew("demo status from Node");

      // From the page: same-origin credentials, as the guard will ask it.
      const before = await j.serverExpiry();
      const fromPage = await page.evaluate(async () => {
        const res = await fetch("/session/status", { headers: { "X-Requested-With": "XMLHttpRequest" }, credentials: "same-origin", cache: "no-store" });
        return { status: res.status, body: await res.json(), csrf: document.querySelector('meta[name="csrf-token"]')?.content, now: Date.now() };
      });
      const after = await j.serverExpiry();
      assert.equal(fromPage.status, 200);
      assert.equal(fromPage.body.csrfToken, fromPage.csrf, "the status carries the page's CSRF token");
      assert.ok(Math.abs(after.at - before.at) < 500, `asked from the page, the status moved the expiry by ${after.at - before.at} ms`);
      assert.ok(Math.abs(fromPage.now + fromPage.body.expiresIn * 1000 - after.at) <= 1000, "expiresIn is what is left");

      // Nobody touches the session from here: it ends, and the status says so.
      await waitFor(async () => !(await j.serverExpiry()).alive, { timeout: 30000, interval: 250, message: "the demo session to expire" });
      const gone = await j.status({ cookie: j.cookieValue });
      assert.equal(gone.status, 401, "the status answers 401 once the session is gone");
      j.note(`demo: status once the session is gone: ${gone.status}`);
    } finally {
      await context.close().catch(() => {});
      await demo.close();
    }
  });
  for (const c of CASES) {
    it(`${c.id}: a page load the guard did not see coming takes its deadline from Server-Timing`, { timeout: 60000 }, (t) =>
      withJourney(c, t, pageLoads),
    );
  }
  for (const c of CASES.filter((x) => x.csrfField)) {
    it(`${c.id}: after a login in another tab, the revived page's form submit is accepted (fresh CSRF token)`, { timeout: 180000 }, (t) =>
      withJourney(c, t, revivedSubmit),
    );
  }
});
