// Shared machinery for the end-to-end tests: the demo server in-process on a free port
// (with the test hooks), one headless Chromium per test file, a fresh browser context per
// test, a fake page clock, and bounded polling instead of sleeps.
//
//   import { e2eSuite } from "./harness.mjs";
//   const suite = e2eSuite();                       // registers before/after for the file
//   suite.test("name", async (s) => { ... });       // s: session (context, page, events, …)
//
// Tabs: `s.openTab({name})` opens another page in the same context and returns a view of
// the session bound to it (same helpers, events tagged with `tab`, shared stats and clock).
//
// Time: the browser's clock is Playwright's fake clock (installed before the first
// navigation, paused once the guard is running), so a 60 s timeout takes milliseconds.
// It is the context's clock: all pages of a session share it.
// The server's clock is real; the keep-alive reports remaining *seconds*, which the guard
// turns into deadlines with the (fake) Date.now() of the page.

import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { after, before, test as nodeTest } from "node:test";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import { createApp } from "../../www/app.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, "..", "..");
export const DIST = process.env.SESSION_GUARD_DIST ?? path.join(REPO_ROOT, "dist");
const ARTIFACTS = path.join(REPO_ROOT, "test-results", "e2e");

export const TIMEOUT = 60; // s, the demo's session timeout in these tests
export const WARN_BEFORE = 30; // s

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

export const GUARD_EVENTS = ["ready", "warning", "extended", "expired", "loggedout", "login", "draftsaved", "draftrestored", "draftsavailable", "countdown", "error"];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- polling -----------------------------------------------------------------------

/**
 * Polls `condition` (sync or async) until it returns a truthy value, which is returned.
 * Fails after `timeout` ms of real time with `message` and the last value/error seen.
 */
/** Clicks a field and types into it with the keyboard, as a person does (never `fill()`). */
export async function typeInto(page, selector, text) {
  await page.click(selector);
  await page.keyboard.type(text);
}

/** Empties a field as a person does: click into it, select all, delete. */
export async function clearField(page, selector) {
  await page.click(selector);
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Backspace");
}

export async function waitFor(condition, { timeout = 5000, interval = 20, message = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  let lastError;
  for (;;) {
    try {
      last = await condition();
      lastError = undefined;
      if (last) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastError ? `last error: ${lastError.message}` : `last value: ${JSON.stringify(last)}`;
      throw new Error(`timed out after ${timeout} ms waiting for ${message} (${detail})`);
    }
    await sleep(interval);
  }
}

// --- server ------------------------------------------------------------------------

/** A loopback port nothing listens on (for a server or driver this test starts). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function startServer({ sessionTimeout = TIMEOUT, warnBefore = WARN_BEFORE, distDir = DIST, recorder = false, statusUrl = false } = {}) {
  const app = createApp({ sessionTimeout, warnBefore, testHooks: true, distDir, recorder, statusUrl });
  const server = http.createServer(app);
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const baseURL = `http://127.0.0.1:${server.address().port}`;

  /** Calls a /__test hook from Node (no browser cookies, so no session is touched). */
  async function hook(route, body) {
    const res = await fetch(baseURL + route, {
      method: body === undefined && route.endsWith("/stats") ? "GET" : "POST",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.equal(res.status, 200, `${route} answered ${res.status}`);
    return res.json();
  }

  return {
    baseURL,
    sessionTimeout,
    warnBefore,
    hook,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// --- browser -----------------------------------------------------------------------

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

function distReady() {
  return fs.existsSync(path.join(DIST, "session-guard.js")) && fs.existsSync(path.join(DIST, "session_guard_bg.wasm"));
}

/** Serialises an event detail for the Node side (elements become "form#id"). */
const RECORDER = `(() => {
  const plain = (v, depth) => {
    if (v === null || v === undefined) return v ?? null;
    if (typeof v !== "object") return v;
    if (typeof Element !== "undefined" && v instanceof Element) {
      return v.localName + (v.id ? "#" + v.id : "") + (v.getAttribute("name") ? "[name=" + v.getAttribute("name") + "]" : "");
    }
    if (depth > 3) return "[…]";
    if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1));
    const out = {};
    for (const k of Object.keys(v)) out[k] = plain(v[k], depth + 1);
    return out;
  };
  for (const type of ${JSON.stringify(GUARD_EVENTS)}) {
    document.addEventListener("sessionguard:" + type, (e) => {
      let detail = null;
      try { detail = plain(e.detail, 0); } catch (err) { detail = { unserialisable: String(err) }; }
      window.__sgRecord(type, detail, Date.now());
    }, true);
  }
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__sgRecord("securitypolicyviolation", {
      directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, sample: e.sample,
    }, Date.now());
  }, true);
})();`;

/**
 * Records every sessionguard:* event (and CSP violation) of every document of `context`, in
 * order, as `{type, detail, at, url}` (`at`: the page's Date.now()). Call before the first
 * navigation. For tests that drive their own servers and contexts (frameworks.test.mjs).
 */
export async function recordGuardEvents(context) {
  const events = [];
  await context.exposeBinding("__sgRecord", (source, type, detail, at) => {
    events.push({ type, detail, at, url: source.page?.url() ?? null });
  });
  await context.addInitScript(RECORDER);
  return events;
}

class Session {
  constructor(server, context, page) {
    this.server = server;
    this.baseURL = server.baseURL;
    this.context = context;
    this.page = page;
    /** Every sessionguard:* event of every document of this context, in order. */
    this.events = [];
    this.pageErrors = [];
    this.consoleErrors = [];
    /** This page's name in `events[].tab` and `keepAlives[].tab` (see openTab). */
    this.name = "main";
    /** Every keep-alive POST any page of this session sent: `{tab, at, status}` (`at`: real ms; status once answered). */
    this.keepAlives = [];
    /** page → its view (this session for the first page, a tab view for the others). */
    this.views = new Map();
    this.pending = new Map(); // page → requests in flight
  }

  url(p) {
    return this.baseURL + p;
  }

  /** Requests sent by any page of the session and not answered yet. */
  get inflight() {
    let n = 0;
    for (const set of this.pending.values()) n += set.size;
    return n;
  }

  /** Wires a page's errors, console errors, requests and keep-alives to the session. */
  track(page, view) {
    this.views.set(page, view);
    const pending = new Set();
    this.pending.set(page, pending);
    page.on("pageerror", (err) => this.pageErrors.push(err));
    page.on("console", (msg) => {
      if (msg.type() === "error") this.consoleErrors.push(`${msg.text()} @ ${msg.location()?.url ?? "?"}`);
    });
    // In flight = sent and not yet answered. A response counts as the end: a body the page
    // never reads (say, of a 503 it does not parse) may never produce "requestfinished".
    const keepAlives = new Map(); // request → its keepAlives entry
    page.on("request", (r) => {
      pending.add(r);
      if (r.method() === "POST" && new URL(r.url()).pathname === "/session/keepalive") {
        const entry = { tab: view.name, at: Date.now(), status: null };
        keepAlives.set(r, entry);
        this.keepAlives.push(entry);
      }
    });
    page.on("response", (res) => {
      const entry = keepAlives.get(res.request());
      if (entry) entry.status = res.status();
    });
    for (const ev of ["response", "requestfinished", "requestfailed"]) {
      page.on(ev, (x) => pending.delete(typeof x.request === "function" ? x.request() : x));
    }
    page.on("close", () => {
      this.views.delete(page);
      this.pending.delete(page);
    });
    return view;
  }

  /**
   * Opens another page (tab) in this session's browser context, navigates it to `path`
   * (none if null) and, with `ready`, waits for its guard. Returns a view of the session
   * bound to that page: the same helpers (guard(), dialog(), button(), login(), …), the
   * same events, stats, clock and cookies. `closeTab()` closes just that page.
   */
  async openTab({ name, path = "/form", ready = true } = {}) {
    const page = await this.context.newPage();
    const view = Object.create(this.root ?? this);
    Object.defineProperties(view, {
      page: { value: page, enumerable: true },
      name: { value: name ?? `tab${this.views.size + 1}`, enumerable: true },
      root: { value: this.root ?? this },
    });
    (this.root ?? this).track(page, view);
    if (path !== null) {
      await page.goto(this.url(path));
      if (ready) await view.guardReady();
    }
    return view;
  }

  /** Views of the open pages, the first page's (the session itself) first. */
  tabs() {
    return [...(this.root ?? this).views.values()];
  }

  /** Closes this view's page only (the tab, not the browser context). */
  closeTab() {
    return this.page.close();
  }

  /** Events recorded in this view's page. */
  eventsIn(type) {
    return this.events.filter((e) => e.type === type && e.tab === this.name);
  }

  eventsOf(type) {
    return this.events.filter((e) => e.type === type);
  }

  /** Waits for the n-th (1-based) event of a type recorded since the session began. */
  async waitForEvent(type, { count = 1, timeout = 5000 } = {}) {
    await waitFor(() => this.eventsOf(type).length >= count, { timeout, message: `sessionguard:${type} #${count}` });
    return this.eventsOf(type)[count - 1];
  }

  // --- navigation and login ---

  async login({ user = "alice", password = "secret", next = "/form" } = {}) {
    const { page } = this;
    await page.goto(this.url(`/login?next=${encodeURIComponent(next)}`));
    await typeInto(page, "#username", user);
    await typeInto(page, "#password", password);
    await Promise.all([page.waitForURL((u) => u.pathname !== "/login"), page.click("#login-form button[type=submit]")]);
  }

  /** Logs in, lands on /form and waits until the guard runs; then pauses the fake clock. */
  async loginToForm(opts = {}) {
    await this.login(opts);
    assert.equal(new URL(this.page.url()).pathname, opts.next ?? "/form");
    await this.guardReady();
    await this.pauseClock();
  }

  async guardReady({ timeout = 10000 } = {}) {
    await waitFor(
      () => this.page.evaluate(() => typeof window.sessionGuard?.state === "function"),
      { timeout, message: "window.sessionGuard (is dist/ built?)" },
    );
  }

  // --- clock ---

  /** The page's (fake) Date.now(). */
  now() {
    return this.page.evaluate(() => Date.now());
  }

  /** Stops the fake clock (1 s ahead of the page's current time); timers then fire only when we advance. */
  async pauseClock() {
    await this.page.clock.pauseAt((await this.now()) + 1000);
  }

  /** Jumps ahead like a laptop lid closed and opened: due timers fire at most once. */
  async fastForward(ms) {
    await this.page.clock.fastForward(ms);
    await this.settle();
  }

  /** Lets simulated time pass, firing every timer on the way. */
  async runFor(ms) {
    await this.page.clock.runFor(ms);
    await this.settle();
  }

  /**
   * Lets in-flight work finish after the fake clock moved: waits until the page has no
   * request in flight, then gives its event loop a couple of turns (promise callbacks of
   * a fetch that just completed). Bounded; never advances the fake clock.
   */
  async settle({ timeout = 5000 } = {}) {
    // A round trip to every page first: the "request" event of a fetch that a timer started
    // was sent by the page before the answer to this evaluate, so it has reached us after it.
    await this.roundTrip();
    await waitFor(() => this.inflight === 0, { timeout, message: "no request in flight" });
    await this.roundTrip();
  }

  /** One evaluate in every open page of the session (one, unless the test opened tabs). */
  async roundTrip() {
    await Promise.all(
      [...(this.root ?? this).views.keys()].map(async (page) => {
        try {
          await page.evaluate(() => new Promise((r) => queueMicrotask(r)));
          await page.evaluate(() => 0);
        } catch (err) {
          if (!page.isClosed()) throw err;
        }
      }),
    );
  }

  /**
   * Advances the fake clock in `step` ms increments (firing timers) until `condition`
   * holds, at most `max` ms of simulated time. `invariant` is checked before every step.
   */
  async advanceUntil(condition, { step = 1000, max = 120000, message = "condition", invariant } = {}) {
    let elapsed = 0;
    for (;;) {
      if (invariant) await invariant();
      const v = await condition();
      if (v) return v;
      if (elapsed >= max) throw new Error(`${message} did not happen within ${max} ms of simulated time`);
      await this.runFor(step);
      elapsed += step;
    }
  }

  // --- guard and dialog ---

  guard() {
    return this.page.evaluate(() => {
      const g = window.sessionGuard;
      return g ? { state: g.state(), remaining: g.remaining() } : null;
    });
  }

  dialog() {
    return this.page.evaluate(() => {
      const d = document.querySelector("dialog.session-guard");
      if (!d) return null;
      const text = (sel) => d.querySelector(sel)?.textContent.trim() ?? null;
      const button = (action) => {
        const b = d.querySelector(`button[data-action="${action}"]`);
        if (!b) return null;
        const r = b.getBoundingClientRect();
        return { text: b.textContent.trim(), hidden: b.hidden, visible: !b.hidden && r.width > 0 && r.height > 0 };
      };
      return {
        open: d.open,
        state: d.dataset.state ?? null,
        role: d.getAttribute("role"),
        modal: d.matches(":modal"),
        labelledby: d.getAttribute("aria-labelledby"),
        describedby: d.getAttribute("aria-describedby"),
        title: text("#" + CSS.escape(d.getAttribute("aria-labelledby") || "session-guard-title")),
        message: text("#" + CSS.escape(d.getAttribute("aria-describedby") || "session-guard-message")),
        countdown: text(".session-guard__countdown"),
        text: d.textContent.replace(/\s+/g, " ").trim(),
        continue: button("continue"),
        logout: button("logout"),
        login: button("login"),
        focused: document.activeElement?.closest("dialog.session-guard")
          ? document.activeElement.getAttribute("data-action")
          : null,
      };
    });
  }

  async dialogOpen() {
    const d = await this.dialog();
    return Boolean(d && d.open);
  }

  async waitForDialog(state, { timeout = 5000 } = {}) {
    return waitFor(
      async () => {
        const d = await this.dialog();
        return d && d.open && d.state === state ? d : null;
      },
      { timeout, message: `dialog.session-guard[data-state=${state}] open` },
    );
  }

  button(action) {
    return this.page.locator(`dialog.session-guard button[data-action="${action}"]`);
  }

  /**
   * Moves the fake clock to just past the moment the warning is due, relying on the
   * guard's own remaining() so that the real time spent logging in does not matter.
   * Returns the opened dialog.
   */
  async advanceToWarning() {
    const g = await this.guard();
    assert.ok(g && g.state === "active", `guard should be active, is ${JSON.stringify(g)}`);
    const warnIn = g.remaining - this.server.warnBefore; // s; the true value is within [warnIn, warnIn + 1)
    assert.ok(warnIn > 2, `the warning should still be ${warnIn} s away`);
    await this.fastForward((warnIn - 2) * 1000);
    assert.equal(await this.dialogOpen(), false, "no dialog 2 s before the warning is due");
    await this.fastForward(3000);
    return this.waitForDialog("warning");
  }

  // --- server side ---

  /** Keep-alive statistics of this browser's session (the stats call sends its cookie). */
  async stats() {
    const res = await this.context.request.get(this.url("/__test/stats"));
    assert.equal(res.status(), 200);
    return res.json();
  }

  async sessionCookie() {
    return (await this.context.cookies(this.baseURL)).find((c) => c.name === "sg.sid") ?? null;
  }

  async close() {
    await this.context.close().catch(() => {});
  }
}

/**
 * Registers the per-file setup (server + one browser) and returns `{ test, server }`.
 * `suite.test(name, [options,] fn)` runs fn(session, t) in a fresh context with the fake
 * clock installed; it fails on any uncaught page error and keeps a screenshot on failure.
 */
export function e2eSuite({ server: serverOpts } = {}) {
  const state = { server: null, browser: null };

  before(async () => {
    state.server = await startServer(serverOpts);
    if (!distReady()) return; // each test fails with a clear message below
    state.browser = await launchBrowser();
  });

  after(async () => {
    await state.browser?.close();
    await state.server?.close();
  });

  async function openSession({ locale = "en-US", clock = true } = {}) {
    const context = await state.browser.newContext({ locale, viewport: { width: 1024, height: 800 } });
    const page = await context.newPage();
    const s = new Session(state.server, context, page);
    await context.exposeBinding("__sgRecord", (source, type, detail, at) => {
      const tab = source.page ? s.views.get(source.page)?.name ?? null : null;
      // received: real time (Node's Date.now()) when the event reached the test.
      s.events.push({ type, detail, at, url: source.page?.url() ?? null, tab, received: Date.now() });
    });
    await context.addInitScript(RECORDER);
    s.track(page, s);
    // One fake clock for the whole context (page.clock is context.clock): every page,
    // including tabs opened later, shares its time; runFor/fastForward drive them all.
    if (clock) await context.clock.install(); // before any navigation
    return s;
  }

  function test(name, optsOrFn, maybeFn) {
    const opts = typeof optsOrFn === "function" ? {} : optsOrFn;
    const fn = typeof optsOrFn === "function" ? optsOrFn : maybeFn;
    nodeTest(name, { timeout: opts.timeout ?? 60000 }, async (t) => {
      assert.ok(
        distReady(),
        `${path.relative(REPO_ROOT, DIST)}/session-guard.js and session_guard_bg.wasm are missing: run \`npm run build\` first`,
      );
      await state.server.hook("/__test/reset-stats", {}); // also clears pending failure injections
      const s = await openSession(opts);
      try {
        await fn(s, t);
        assert.deepEqual(
          s.pageErrors.map((e) => String(e)),
          [],
          "uncaught errors in the page",
        );
      } catch (err) {
        await saveArtifacts(s, name).catch(() => {});
        const t0 = s.events[0]?.at ?? 0;
        const r0 = s.events[0]?.received ?? 0;
        const tabbed = s.events.some((e) => e.tab !== "main"); // several tabs: name them, show real time
        const lines = [
          s.events.length &&
            `guard events (fake ms since the first${tabbed ? "; real ms in []" : ""}): ${s.events.map((e) => `${tabbed ? `${e.tab}:` : ""}${e.type}@${e.at - t0}${tabbed ? `[${e.received - r0}]` : ""} ${JSON.stringify(e.detail)}`).join(", ")}`,
          s.keepAlives.length && `keep-alives (tab→status): ${s.keepAlives.map((k) => `${k.tab}→${k.status ?? "?"}`).join(", ")}`,
          s.pageErrors.length && `page errors: ${s.pageErrors.map(String).join(" | ")}`,
          s.consoleErrors.length && `console errors: ${s.consoleErrors.join(" | ")}`,
        ].filter(Boolean);
        for (const line of lines) t.diagnostic(line);
        throw err;
      } finally {
        await s.close();
      }
    });
  }

  return {
    test,
    /** Another fresh session (its own context, cookies and clock) inside a test; close it yourself. */
    openSession,
    get server() {
      return state.server;
    },
  };
}

async function saveArtifacts(s, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const base = path.join(ARTIFACTS, name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "").slice(0, 80));
  const page = s.page.isClosed() ? s.tabs()[0]?.page : s.page;
  if (!page) return;
  await page.screenshot({ path: `${base}.png`, fullPage: false, timeout: 3000 });
  fs.writeFileSync(`${base}.html`, await page.content());
}

/**
 * Run in the page (Playwright's `evaluate`, engines.mjs's `tab.eval`): another app on the origin
 * fills localStorage with keys of its own (`other-app:<n>`) until it takes nothing more.
 * Returns how many writes it took.
 */
export function fillStorageWithOtherKeys() {
  let n = 0;
  for (let size = 1 << 20; size >= 16; size >>= 1) {
    const chunk = "x".repeat(size);
    for (;;) {
      try {
        localStorage.setItem(`other-app:${n}`, chunk);
        n++;
      } catch {
        break;
      }
    }
  }
  return n;
}

/**
 * Run in the page (Playwright's `evaluate`, engines.mjs's `tab.eval`): anything the guard itself
 * would draw — its dialog or any `<dialog>`, its notice, its style sheet — and the page's title
 * (which a countdown of ours would change). A headless page must show none of them.
 */
export function guardsOwnUi() {
  return {
    dialogs: document.querySelectorAll("dialog, .session-guard").length,
    notice: document.querySelectorAll(".session-guard-notice").length,
    style: document.querySelectorAll("#session-guard-style").length,
    title: document.title,
  };
}

export function parseCountdown(text) {
  const m = /(\d+):(\d{2})/.exec(text ?? "");
  if (m) return Number(m[1]) * 60 + Number(m[2]);
  const s = /(\d+)/.exec(text ?? "");
  return s ? Number(s[1]) : NaN;
}
