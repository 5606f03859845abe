// Issue #14, "tell the truth about the session": faults injected into the real guard (dist/)
// on the demo site in headless Chromium. Only a good server response may move the deadline:
// failed requests, an unreachable server, an SSO redirect, forged tab views, phantom mouse
// moves and wall-clock jumps must not. See harness.mjs for the session helpers.

import assert from "node:assert/strict";

import { chromium } from "playwright-core";

import { CHROMIUM_ARGS, CHROMIUM_PATH, e2eSuite, parseCountdown, TIMEOUT, WARN_BEFORE, waitFor } from "./harness.mjs";

const suite = e2eSuite();

const UNREACHABLE_EN = "The server cannot be reached. Retrying…";
const UNREACHABLE_JA = "サーバーに接続できません。再試行しています…";
const KEEPALIVE = "**/session/keepalive";

// --- helpers of this file ------------------------------------------------------------

/** Records every resource entry the page's own PerformanceObserver sees (as the guard's does). */
async function watchEntries(page) {
  await page.evaluate(() => {
    window.__entries = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__entries.push({ path: new URL(e.name).pathname, status: e.responseStatus });
    }).observe({ type: "resource" });
  });
}

/**
 * Waits until the page has seen a resource entry for `path`. Observers are called in the order
 * they were registered, in one task: once ours (registered after the guard's) has it, the guard has it.
 */
async function entrySeen(page, path, count = 1) {
  return waitFor(() => page.evaluate(([p, n]) => window.__entries.filter((e) => e.path === p).length >= n && window.__entries.filter((e) => e.path === p), [path, count]), {
    message: `a resource entry for ${path}`,
  });
}

/** Lets `ms` of simulated time pass in 1 s steps, each waiting for the requests it started. */
async function pass(s, ms) {
  for (let t = 0; t < ms; t += 1000) await s.runFor(Math.min(1000, ms - t));
}

async function remaining(s) {
  return (await s.guard()).remaining;
}

/** Logs in with the keyboard only (the mouse stays where the test put it). */
async function loginByKeyboard(s) {
  const { page } = s;
  await page.goto(s.url("/login?next=%2Fform"));
  await page.focus("#username");
  await page.keyboard.type("alice");
  await page.keyboard.press("Tab");
  await page.keyboard.type("secret");
  await Promise.all([page.waitForURL((u) => u.pathname === "/form"), page.keyboard.press("Enter")]);
  await s.guardReady();
  await s.pauseClock();
}

/** Lets the clock run until the warning is open; returns the dialog. */
async function runToWarning(s, max = 40000) {
  await s.advanceUntil(async () => (await s.dialogOpen()) && (await s.dialog()).state === "warning", { max, message: "the warning" });
  return s.dialog();
}

/** Continue was clicked with the server unreachable: the warning stays, says so, retries; the session ends at its deadline. */
async function assertUnreachableJourney(s, { text = UNREACHABLE_EN } = {}) {
  await waitFor(() => s.eventsOf("error").some((e) => e.detail?.code === "network"), { message: "sessionguard:error {code: network}" });
  const d = await s.waitForDialog("warning");
  await waitFor(async () => (await s.dialog()).text.includes(text), { message: `the dialog to say "${text}"` });
  assert.equal((await s.guard()).state, "warning");
  assert.ok((await remaining(s)) <= WARN_BEFORE, `the deadline did not move: ${await remaining(s)} s left`);
  const errors = s.eventsOf("error").length;
  const c1 = parseCountdown(d.countdown);
  await pass(s, 8000); // retries after 1, 2, 4 s
  assert.ok(s.eventsOf("error").length > errors, "retried with backoff");
  assert.equal(s.eventsOf("expired").length, 0, "a network error never declares expiry");
  const d2 = await s.dialog();
  assert.equal(d2.state, "warning");
  assert.ok(parseCountdown(d2.countdown) <= c1 - 7, `the countdown goes on: ${d.countdown} → ${d2.countdown}`);
  await s.advanceUntil(async () => (await s.guard()).state === "expired", { max: 30000, message: "the expiry at the deadline" });
  assert.equal(s.eventsOf("expired")[0].detail.reason, "idle");
}

// --- failed requests ------------------------------------------------------------------

suite.test("a failed same-origin request (status 0) does not renew the session", async (s) => {
  await s.loginToForm();
  await watchEntries(s.page);
  await pass(s, 20000);
  const before = await remaining(s);
  assert.ok(before <= TIMEOUT - 19, `remaining after 20 s: ${before}`);
  await s.page.route("**/api/fails", (route) => route.abort("connectionrefused"));
  await s.page.evaluate(() => fetch("/api/fails").catch(() => {}));
  const entries = await entrySeen(s.page, "/api/fails");
  assert.equal(entries[0].status, 0, "Chromium reports the failed request with responseStatus 0");
  await s.settle();
  assert.ok((await remaining(s)) <= before, `the deadline moved: ${before} → ${await remaining(s)} s`);
  // A good request still renews (renewOn: "request").
  await s.page.evaluate(() => fetch("/form").then((r) => r.text()));
  await entrySeen(s.page, "/form");
  await waitFor(async () => (await remaining(s)) >= TIMEOUT - 2, { message: "a good request to renew" });
});

suite.test("offline: Continue keeps the warning open, says the server cannot be reached, retries, and the session still ends", async (s) => {
  await s.loginToForm();
  await watchEntries(s.page);
  await s.advanceToWarning();
  await s.context.setOffline(true);
  await s.button("continue").click();
  await assertUnreachableJourney(s);
});

suite.test("an aborted keep-alive is retried, never counted as extended (Japanese dialog)", { locale: "ja-JP" }, async (s) => {
  await s.loginToForm();
  await watchEntries(s.page);
  await s.page.route(KEEPALIVE, (route) => route.abort("failed"));
  await s.advanceToWarning();
  await s.page.keyboard.press("Enter"); // focus is on 続ける
  await entrySeen(s.page, "/session/keepalive");
  await assertUnreachableJourney(s, { text: UNREACHABLE_JA });
});

suite.test("a 503 from the keep-alive keeps the warning and says so", async (s) => {
  await s.loginToForm();
  await s.server.hook("/__test/keepalive-fail", { status: 503, times: 1000 });
  await s.advanceToWarning();
  await s.button("continue").click();
  await assertUnreachableJourney(s);
});

suite.test("a keep-alive redirected cross-origin to an SSO page (CORS-blocked) never extends; the session expires", async (s) => {
  await s.loginToForm();
  await watchEntries(s.page);
  const sso = s.baseURL.replace("127.0.0.1", "localhost") + "/login?sso=1"; // another origin, no CORS headers
  await s.page.route(KEEPALIVE, (route) => route.fulfill({ status: 302, headers: { location: sso } }));
  await s.advanceToWarning();
  await s.button("continue").click();
  await entrySeen(s.page, "/session/keepalive");
  await assertUnreachableJourney(s);
});

// --- keep-alive answers -------------------------------------------------------------------

suite.test("the keep-alive's expiresIn wins over timeout, also after its own resource entry", async (s) => {
  await s.loginToForm();
  await watchEntries(s.page);
  await s.page.route(KEEPALIVE, (route) =>
    route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ expiresIn: 40 }) }),
  );
  await s.advanceToWarning();
  await s.button("continue").click();
  await s.waitForEvent("extended");
  await entrySeen(s.page, "/session/keepalive");
  await s.settle();
  const r = await remaining(s);
  assert.ok(r <= 40 && r >= 38, `remaining after {expiresIn: 40}: ${r}`);
});

suite.test("a keep-alive redirected to a same-origin HTML page (an SSO chooser) means expired", async (s) => {
  await s.loginToForm();
  // Playwright does not route a redirect's next hop: the demo's React form page (HTML, no
  // password field, not loginUrl) stands in for the chooser.
  await s.page.route(KEEPALIVE, (route) => route.fulfill({ status: 302, headers: { location: "/react-form?sso=choose" } }));
  await s.advanceToWarning();
  await s.button("continue").click();
  const d = await s.waitForDialog("expired");
  assert.equal(s.eventsOf("extended").length, 0, "not extended");
  assert.equal(s.eventsOf("expired")[0].detail.reason, "server");
  assert.equal(d.login?.text, "Log in again");
});

// --- the warning's words ------------------------------------------------------------------

suite.test("the announced time never exceeds the countdown beside it", async (s) => {
  await s.loginToForm();
  await runToWarning(s);
  for (let i = 0; i < WARN_BEFORE - 1; i++) {
    const d = await s.dialog();
    const said = Number(/expire in (\d+) second/.exec(d.message)?.[1]);
    assert.ok(said <= parseCountdown(d.countdown), `"${d.message}" next to ${d.countdown}`);
    await s.runFor(1000);
  }
});

// --- other tabs -------------------------------------------------------------------------------

suite.test("a forged tab view with a deadline billions of seconds away does not silence the warning", async (s) => {
  await s.loginToForm();
  const posted = await s.page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith("session-guard:") && k.endsWith("$"));
    const now = Date.now();
    const forged = `sg1 live ${now + 3e12} ${now} 0 0`;
    new BroadcastChannel(key).postMessage(forged);
    localStorage.setItem(key, forged);
    return forged;
  });
  assert.ok(posted);
  await s.settle();
  assert.ok((await remaining(s)) <= TIMEOUT, `believed the forged view: ${await remaining(s)} s left`);
  const d = await runToWarning(s, 40000);
  assert.equal(d.state, "warning");
});

suite.test("a second start() or a second script tag returns the running guard: one dialog", async (s) => {
  await s.loginToForm();
  const same = await s.page.evaluate(async () => {
    const m = await import("/session-guard/index.js");
    const g = await m.start({ timeout: 60, warnBefore: 30, keepAliveUrl: "/session/keepalive", loginUrl: "/login" });
    const script = document.createElement("script");
    script.src = "/session-guard/session-guard.js";
    Object.assign(script.dataset, { timeout: "60", warnBefore: "30", keepaliveUrl: "/session/keepalive" });
    document.head.append(script);
    return g.state();
  });
  assert.equal(same, "active");
  await s.waitForEvent("ready", { count: 2 });
  assert.equal(s.eventsOf("error").length, 0, JSON.stringify(s.eventsOf("error")));
  await runToWarning(s);
  const dialogs = await s.page.evaluate(() => [...document.querySelectorAll("dialog.session-guard")].filter((d) => d.open).length);
  assert.equal(dialogs, 1, "one open dialog");
  assert.equal(s.eventsOf("warning").length, 1, "one sessionguard:warning");
  await s.button("continue").click();
  await s.waitForEvent("extended");
  await waitFor(async () => !(await s.dialogOpen()), { message: "the dialog to close" });
  assert.equal(s.keepAlives.length, 1, "one keep-alive");
});

// --- activity ---------------------------------------------------------------------------------

suite.test("a trusted mousemove without movement does not keep an idle user signed in", async (s) => {
  await s.page.goto(s.url("/login"));
  await s.page.mouse.move(300, 300);
  await loginByKeyboard(s);
  await s.page.evaluate(() => {
    window.__moves = [];
    addEventListener("mousemove", (e) => window.__moves.push({ trusted: e.isTrusted, dx: e.movementX, dy: e.movementY }), true);
  });
  const cdp = await s.context.newCDPSession(s.page);
  for (let i = 0; i < 3; i++) {
    await s.runFor(8000);
    // What WebKit does when a window above the page opens or closes: a mousemove where the mouse is.
    await cdp.send("Input.dispatchMouseEvent", { type: "mouseMoved", x: 300, y: 300 });
  }
  const moves = await s.page.evaluate(() => window.__moves);
  assert.ok(moves.length >= 1 && moves.every((m) => m.trusted && m.dx === 0 && m.dy === 0), JSON.stringify(moves));
  await runToWarning(s, 20000);
  assert.equal(s.keepAlives.length, 0, "no keep-alive for an idle user");
});

async function typeInFrame(s, frame) {
  await s.page.evaluate(() => document.querySelector("iframe").contentDocument.getElementById("t").focus()); // not activity
  await pass(s, 15000); // into the renewal window, where input counts
  await s.page.keyboard.type("typed inside the frame");
  assert.equal(await frame.evaluate(() => document.getElementById("t").value), "typed inside the frame");
  await pass(s, 20000);
  assert.equal(s.eventsOf("warning").length, 0, "an active user saw no warning");
  assert.ok(s.keepAlives.length >= 1, "typing in the frame kept the session alive");
}

suite.test("typing only inside a same-origin iframe added later counts as activity", async (s) => {
  await s.loginToForm();
  await s.page.evaluate(() => {
    const f = document.createElement("iframe");
    f.srcdoc = "<textarea id=t></textarea>";
    document.body.append(f);
    return new Promise((r) => f.addEventListener("load", r));
  });
  await typeInFrame(s, s.page.frames()[1]);
});

suite.test("typing only inside a same-origin iframe present at start counts as activity", async (s) => {
  await s.context.addInitScript(() => {
    if (location.pathname !== "/form") return;
    document.addEventListener("DOMContentLoaded", () => {
      const f = document.createElement("iframe");
      f.srcdoc = "<textarea id=t></textarea>";
      document.body.append(f);
    });
  });
  await s.loginToForm();
  await waitFor(() => s.page.frames().length > 1 && s.page.frames()[1].evaluate(() => !!document.getElementById("t")), { message: "the frame" });
  await typeInFrame(s, s.page.frames()[1]);
});

// --- wall-clock jumps ---------------------------------------------------------------------------

suite.test("the system clock set back 1 h: the real time left, the warning on time, server reports still count", async (s) => {
  await s.loginToForm();
  await s.runFor(10000);
  const before = await remaining(s);
  // The wall clock only: performance.now() goes on (Playwright's setSystemTime).
  const mono = await s.page.evaluate(() => performance.now());
  await s.page.clock.setSystemTime((await s.now()) - 3600_000);
  assert.ok((await s.page.evaluate(() => performance.now())) - mono < 1000, "performance.now() unmoved");
  const after = await remaining(s);
  assert.ok(after <= before && after >= before - 2, `remaining ${before} → ${after} s`);
  const d = await runToWarning(s, 25000);
  assert.ok(parseCountdown(d.countdown) <= WARN_BEFORE);
  // touch({expiresIn}) after the jump is believed.
  await s.page.evaluate(() => window.sessionGuard.touch({ expiresIn: 50 }));
  await s.settle();
  const r = await remaining(s);
  assert.ok(r >= 48 && r <= 50, `touch after the jump: ${r}`);
  assert.equal((await s.guard()).state, "active");
});

suite.test("a wall clock 2 h ahead of performance.now() (a sleep, or a clock set forward) is time that passed: expired, no stale warning", async (s) => {
  // On Linux and macOS the monotonic clock stands still while the computer sleeps, so a sleep
  // and a clock set forward look the same; the guard never claims time it cannot know is left.
  await s.loginToForm();
  await s.runFor(10000);
  await s.page.clock.setSystemTime((await s.now()) + 2 * 3600_000);
  await s.runFor(1000);
  const d = await s.waitForDialog("expired");
  assert.ok(d.login?.visible, "'Log in again' offered");
  assert.equal(s.eventsOf("warning").length, 0, "no stale warning first");
  assert.equal(s.eventsOf("expired")[0]?.detail?.reason, "idle");
  assert.equal((await s.guard()).state, "expired");
});

// --- back/forward cache -------------------------------------------------------------------------

suite.test("a guarded page enters the back/forward cache and rejoins the other tabs", async (s) => {
  // Playwright turns the back/forward cache off by default: a browser of our own with it on.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, ignoreDefaultArgs: ["--disable-back-forward-cache"] });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await context.addInitScript(() => {
      addEventListener("pageshow", (e) => e.persisted && (window.__restored = (window.__restored ?? 0) + 1));
    });
    await page.goto(s.url("/login?next=%2Fform"));
    await page.focus("#username");
    await page.keyboard.type("bob");
    await page.keyboard.press("Tab");
    await page.keyboard.type("pw");
    await Promise.all([page.waitForURL((u) => u.pathname === "/form"), page.keyboard.press("Enter")]);
    await waitFor(() => page.evaluate(() => typeof window.sessionGuard?.state === "function"), { message: "the guard" });
    // Another tab keeps talking on the channel while the first page is cached.
    const other = await context.newPage();
    await other.goto(s.url("/form?tab=2"));
    await waitFor(() => other.evaluate(() => typeof window.sessionGuard?.state === "function"), { message: "the other tab's guard" });
    await page.goto(s.url("/form?next=1"));
    await waitFor(() => page.evaluate(() => typeof window.sessionGuard?.state === "function"), { message: "the next page's guard" });
    await other.evaluate(() => window.sessionGuard.touch({ expiresIn: 55 })); // publishes to every tab
    await page.goBack({ waitUntil: "commit" }); // a page restored from the cache fires no "load"
    await waitFor(() => page.evaluate(() => typeof window.sessionGuard?.state === "function"), { message: "the guard after Back" });
    const nav = await page.evaluate(() => {
      const e = performance.getEntriesByType("navigation")[0];
      return { restored: window.__restored ?? 0, reasons: JSON.stringify(e?.notRestoredReasons ?? null) };
    });
    assert.equal(nav.restored, 1, `restored from the back/forward cache; notRestoredReasons: ${nav.reasons}`);
    // Back from the cache, the page hears the other tabs again: a logout there reaches it.
    await other.evaluate(() => window.sessionGuard.logout());
    await waitFor(() => page.evaluate(() => window.sessionGuard.state() === "loggedOut"), { message: "the restored page to hear the logout" });
  } finally {
    await browser.close();
  }
});
