// User journeys through the demo site with the real guard (dist/) in headless Chromium.
// Each test: a fresh browser context (its own server session), Playwright's fake clock
// installed before the first navigation and paused once the guard runs. See harness.mjs.

import assert from "node:assert/strict";

import { e2eSuite, parseCountdown, TIMEOUT, typeInto, WARN_BEFORE, waitFor } from "./harness.mjs";

const suite = e2eSuite();

const EXPIRED_EN = "For your security you were signed out after a period of inactivity. Please log in again.";

/** Fails if the guard declared the session expired or the dialog shows the expired state. */
async function assertNotExpired(s, when = "", expiredBefore = 0) {
  assert.equal(s.eventsOf("expired").length, expiredBefore, `no (new) sessionguard:expired ${when}`);
  const g = await s.guard();
  assert.notEqual(g?.state, "expired", `guard state ${when}`);
  const d = await s.dialog();
  assert.notEqual(d?.state, "expired", `dialog state ${when}`);
}

async function csrfToken(page) {
  return page.evaluate(() => document.querySelector('meta[name="csrf-token"]').content);
}

async function waitForDialogClosed(s) {
  await waitFor(async () => !(await s.dialogOpen()), { message: "the dialog to close" });
}

suite.test("1. the warning opens on time, as an accessible alertdialog with a live countdown", async (s) => {
  await s.loginToForm();
  const g = await s.guard();
  assert.equal(g.state, "active");
  assert.ok(g.remaining >= TIMEOUT - 5 && g.remaining <= TIMEOUT, `remaining() right after login: ${g.remaining}`);

  const d = await s.advanceToWarning(); // asserts no dialog 2 s before, then waits for it
  assert.equal(d.open, true);
  assert.equal(d.state, "warning");
  assert.equal(d.role, "alertdialog");
  assert.equal(d.modal, true, "opened with showModal()");
  assert.ok(d.labelledby && d.describedby, "aria-labelledby and aria-describedby are set");
  const labels = await s.page.evaluate(
    ([a, b]) => [document.getElementById(a)?.textContent.trim(), document.getElementById(b)?.textContent.trim()],
    [d.labelledby, d.describedby],
  );
  assert.ok(labels[0], `the aria-labelledby element #${d.labelledby} exists and has text`);
  assert.ok(labels[1], `the aria-describedby element #${d.describedby} exists and has text`);
  assert.match(d.message, /Your session will expire in .+\. Do you want to continue\?/);
  assert.equal(d.continue?.text, "Continue");
  assert.ok(d.continue.visible);
  assert.equal(d.logout?.text, "Log out");
  assert.ok(d.logout.visible);
  assert.ok(!d.login || !d.login.visible, "no 'Log in again' while the session can be extended");
  assert.equal(d.focused, "continue", "focus is on Continue");

  // The countdown is visible and goes down as (fake) time passes.
  assert.ok(await s.page.locator("dialog.session-guard .session-guard__countdown").isVisible(), "countdown visible");
  const c1 = parseCountdown(d.countdown);
  assert.ok(c1 > WARN_BEFORE - 5 && c1 <= WARN_BEFORE, `countdown at the warning: ${d.countdown}`);
  await s.runFor(2000);
  const c2 = parseCountdown((await s.dialog()).countdown);
  assert.ok(c2 < c1 && c2 >= c1 - 3, `countdown went from ${c1} to ${c2} in 2 s`);

  await s.runFor(3000);
  const warnings = s.eventsOf("warning");
  assert.equal(warnings.length, 1, "sessionguard:warning fired once");
  const r = warnings[0].detail?.remaining;
  assert.ok(typeof r === "number" && r > WARN_BEFORE - 5 && r <= WARN_BEFORE, `warning detail.remaining = ${r}`);
  assert.equal((await s.guard()).state, "warning");
  assert.equal(await s.page.locator("#sg-state").textContent(), "warning", "the demo's status bar follows");
});

suite.test("2. Continue extends through exactly one keep-alive and gives focus back", async (s) => {
  await s.loginToForm();
  await s.page.evaluate(() => document.getElementById("message").focus()); // programmatic: not user activity
  const before = (await s.stats()).mine;
  assert.equal(before, 0);

  await s.advanceToWarning();
  const extendedBefore = s.eventsOf("extended").length;
  await s.button("continue").click();
  const extended = await s.waitForEvent("extended", { count: extendedBefore + 1 });
  await waitForDialogClosed(s);
  await s.settle();

  assert.equal((await s.stats()).mine - before, 1, "one keep-alive");
  const now = await s.now();
  const expiresAt = extended.detail?.expiresAt;
  assert.ok(typeof expiresAt === "number", `extended.detail.expiresAt = ${expiresAt}`);
  assert.ok(
    expiresAt - now > (TIMEOUT - 5) * 1000 && expiresAt - now <= (TIMEOUT + 1) * 1000,
    `expiresAt is ${(expiresAt - now) / 1000} s ahead`,
  );
  const g = await s.guard();
  assert.equal(g.state, "active");
  assert.ok(g.remaining >= TIMEOUT - 5, `remaining() after Continue: ${g.remaining}`);
  assert.equal(await s.page.evaluate(() => document.activeElement?.id), "message", "focus returned to the textarea");
  assert.equal(s.eventsOf("extended").length, extendedBefore + 1, "sessionguard:extended once");
  assert.equal(s.eventsOf("expired").length, 0);
});

suite.test("3. Escape in the dialog extends as well", async (s) => {
  await s.loginToForm();
  await s.advanceToWarning();
  const extendedBefore = s.eventsOf("extended").length;
  await s.page.keyboard.press("Escape");
  await s.waitForEvent("extended", { count: extendedBefore + 1 });
  await waitForDialogClosed(s);
  await s.settle();
  assert.equal((await s.stats()).mine, 1, "one keep-alive");
  const g = await s.guard();
  assert.equal(g.state, "active");
  assert.ok(g.remaining >= TIMEOUT - 5, `remaining() after Escape: ${g.remaining}`);
});

suite.test("4. an ignored warning ends in the expired state; 'Log in again' returns to the form", async (s) => {
  await s.loginToForm();
  const extendedAtStart = s.eventsOf("extended").length;
  await s.advanceToWarning();
  const d = await s.advanceUntil(
    async () => {
      const x = await s.dialog();
      return x?.state === "expired" ? x : null;
    },
    { step: 1000, max: (WARN_BEFORE + 5) * 1000, message: "the expired state" },
  );
  assert.equal(d.open, true, "the dialog stays open to explain");
  assert.ok(d.text.includes(EXPIRED_EN), `expired text: ${d.text}`);
  assert.doesNotMatch(d.text, /\b401\b|error/i, "never a bare error");
  assert.equal(d.login?.text, "Log in again");
  assert.ok(d.login.visible);
  assert.ok(!d.continue || !d.continue.visible, "Continue is gone once expired");
  assert.ok(d.focused, "focus stays inside the modal dialog, on a button");
  assert.equal((await s.guard()).state, "expired");
  const expired = s.eventsOf("expired");
  assert.equal(expired.length, 1);
  assert.equal(expired[0].detail?.reason, "idle");
  assert.equal(s.eventsOf("extended").length, extendedAtStart, "an idle user is never extended");
  assert.equal((await s.stats()).mine, 0, "no keep-alive for an idle user");

  await s.page.clock.resume(); // the next pages run with time flowing normally
  const formUrl = s.url("/form");
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/login"), s.button("login").click()]);
  // CONTRACT.md says ?next=<encoded location.href>; a same-origin path is as good (the
  // server accepts both and validates either): accept the full URL or its path.
  const loginAgain = new URL(s.page.url());
  assert.deepEqual([...loginAgain.searchParams.keys()], ["next"], `login URL ${loginAgain}`);
  assert.ok(
    [formUrl, "/form"].includes(loginAgain.searchParams.get("next")),
    `next=${loginAgain.searchParams.get("next")} names the form page`,
  );

  await typeInto(s.page, "#username", "alice");
  await typeInto(s.page, "#password", "secret");
  await Promise.all([s.page.waitForURL((u) => u.pathname !== "/login"), s.page.click("#login-form button[type=submit]")]);
  assert.equal(s.page.url(), formUrl);
  await s.guardReady();
  assert.equal((await s.guard()).state, "active");
});

suite.test("5. a keep-alive answered 401 means the server session is gone: expired (server)", async (s) => {
  await s.loginToForm();
  await s.advanceToWarning();
  const extendedBefore = s.eventsOf("extended").length;
  await s.server.hook("/__test/expire-sessions", {});
  await s.button("continue").click();
  const d = await s.waitForDialog("expired");
  // The user just clicked Continue: the server ended the session, not their inactivity.
  assert.ok(d.text.includes("You were signed out. Please log in again."), `expired text: ${d.text}`);
  assert.doesNotMatch(d.text, /inactivity/, "never 'after a period of inactivity' for a session the server ended");
  assert.equal(d.login?.text, "Log in again");
  assert.ok(d.login.visible);
  const expired = await s.waitForEvent("expired");
  assert.equal(expired.detail?.reason, "server");
  assert.equal(s.eventsOf("expired").length, 1);
  assert.equal(s.eventsOf("extended").length, extendedBefore, "not extended");
  assert.equal((await s.guard()).state, "expired");
});

suite.test("6. a 503 keep-alive is retried with backoff, never taken for expiry", async (s) => {
  await s.loginToForm();
  await s.server.hook("/__test/keepalive-fail", { status: 503, times: 2 });
  await s.advanceToWarning();
  const extendedBefore = s.eventsOf("extended").length;
  await s.button("continue").click();
  await s.settle();

  await s.advanceUntil(() => s.eventsOf("extended").length > extendedBefore, {
    step: 500,
    max: (WARN_BEFORE - 5) * 1000, // the retries must succeed before the session would run out
    message: "sessionguard:extended after the retries",
    invariant: () => assertNotExpired(s, "while retrying"),
  });
  await s.settle();
  await assertNotExpired(s, "after the retries");
  const stats = await s.stats();
  assert.equal(stats.mine, 3, "two failed keep-alives and the successful retry");
  assert.equal(stats.pendingFailures, 0);
  await waitForDialogClosed(s);
  const g = await s.guard();
  assert.equal(g.state, "active");
  assert.ok(g.remaining >= TIMEOUT - 5, `remaining() after the retries: ${g.remaining}`);
});

suite.test("7. a tab that slept past expiry goes straight to expired, without a stale warning", async (s) => {
  await s.loginToForm();
  // Asleep: both clocks move on (a wall clock that jumps while performance.now() stands still
  // is a clock being set, see faults.test.mjs), and the guard's timer fires once, late.
  await s.page.clock.fastForward(2 * TIMEOUT * 1000);
  await s.page.evaluate(() => {
    document.dispatchEvent(new Event("visibilitychange"));
    window.dispatchEvent(new Event("focus"));
  });
  await s.settle();
  const d = await s.waitForDialog("expired");
  assert.ok(d.text.includes(EXPIRED_EN));
  assert.equal(s.eventsOf("warning").length, 0, "sessionguard:warning never fired");
  const expired = s.eventsOf("expired");
  assert.equal(expired.length, 1);
  assert.equal(expired[0].detail?.reason, "idle");
  assert.equal((await s.guard()).state, "expired");
});

suite.test("8. an active user never sees the dialog and causes few keep-alives", { timeout: 120000 }, async (s) => {
  await s.loginToForm();
  await s.page.locator("#message").click();
  const MINUTES = 10;
  const STEP = 4000; // ms of simulated time between two inputs
  const steps = (MINUTES * 60 * 1000) / STEP;
  for (let i = 0; i < steps; i++) {
    if (i % 2 === 0) await s.page.keyboard.type(i % 10 === 0 ? " " : "a");
    else await s.page.mouse.move(150 + ((i * 37) % 500), 250 + ((i * 53) % 300), { steps: 2 });
    await s.runFor(STEP);
    // The event catches a dialog that opened and closed again within one step.
    if (s.eventsOf("warning").length > 0 || (await s.dialogOpen())) {
      assert.fail(`the warning opened for an active user ${((i + 1) * STEP) / 1000} s into the session`);
    }
  }
  const pings = (await s.stats()).mine;
  const budget = Math.ceil((MINUTES * 60) / (TIMEOUT / 2)) + 1;
  assert.ok(pings <= budget, `${pings} keep-alives in ${MINUTES} min (at most ${budget})`);
  assert.ok(pings >= 1, "the active user was kept signed in by keep-alives");
  assert.equal(s.eventsOf("warning").length, 0);
  assert.equal(s.eventsOf("expired").length, 0);
  const g = await s.guard();
  assert.equal(g.state, "active");
  assert.ok(g.remaining > WARN_BEFORE, `remaining() at the end: ${g.remaining}`);
});

suite.test("9. 'Log out' in the dialog ends the server session and lands on the login page", async (s) => {
  await s.loginToForm();
  const cookie = await s.sessionCookie();
  assert.ok(cookie, "a session cookie after login");
  const token = await csrfToken(s.page);
  await s.advanceToWarning();
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/login"), s.button("logout").click()]);
  // Where the server's logout redirected (the page that says "You were signed out").
  // Note: CONTRACT.md's `location.assign(loginUrl || response.url)` would give plain /login.
  assert.equal(s.page.url(), s.url("/login?loggedout=1"));
  assert.match(await s.page.locator("#signed-out-note").textContent(), /You were signed out/);
  await waitFor(() => s.eventsOf("loggedout").length === 1, { message: "sessionguard:loggedout" });
  assert.equal(s.eventsOf("expired").length, 0, "a logout is not an expiry");

  // The old session is gone on the server: replaying its cookie is refused.
  const replay = await fetch(s.url("/session/keepalive"), {
    method: "POST",
    headers: { cookie: `${cookie.name}=${cookie.value}`, "X-Requested-With": "XMLHttpRequest", "X-CSRF-Token": token },
  });
  assert.equal(replay.status, 401);
  assert.equal(await s.sessionCookie(), null, "the browser's cookie was cleared");
  await s.page.goto(s.url("/form"));
  assert.equal(new URL(s.page.url()).pathname, "/login");
});

suite.test("10. Japanese: labels and messages follow navigator.language", { locale: "ja-JP" }, async (s) => {
  await s.loginToForm();
  const d = await s.advanceToWarning();
  assert.equal(d.continue?.text, "続ける");
  assert.equal(d.logout?.text, "ログアウト");
  assert.match(d.message, /セッションが.+後に切れます。継続しますか/);
  const x = await s.advanceUntil(
    async () => {
      const y = await s.dialog();
      return y?.state === "expired" ? y : null;
    },
    { step: 1000, max: (WARN_BEFORE + 5) * 1000, message: "the expired state" },
  );
  assert.ok(x.text.includes("長時間操作がなかったため、セキュリティのためセッションを終了しました。"), x.text);
  assert.equal(x.login?.text, "再ログイン");
});

suite.test("11. a whole journey without uncaught errors or console errors", async (s) => {
  await s.loginToForm();
  await typeInto(s.page, "#name", "Aiko Tanaka");
  await s.page.locator("#message").click();
  await s.page.keyboard.type("Please call me back.");

  const openWarning = (expiredBefore = s.eventsOf("expired").length) =>
    s.advanceUntil(
      async () => {
        const d = await s.dialog();
        return d?.open && d.state === "warning" ? d : null;
      },
      { step: 1000, max: 3 * TIMEOUT * 1000, message: "the warning", invariant: () => assertNotExpired(s, "before the warning", expiredBefore) },
    );

  await openWarning();
  const extendedBefore = s.eventsOf("extended").length;
  await s.button("continue").click();
  await s.waitForEvent("extended", { count: extendedBefore + 1 });
  await waitForDialogClosed(s);
  await s.settle();

  await openWarning();
  await s.advanceUntil(async () => (await s.dialog())?.state === "expired", {
    step: 1000,
    max: (WARN_BEFORE + 5) * 1000,
    message: "the expired state",
  });
  await s.page.clock.resume();
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/login"), s.button("login").click()]);
  await typeInto(s.page, "#username", "aiko");
  await typeInto(s.page, "#password", "pw");
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/form"), s.page.click("#login-form button[type=submit]")]);
  await s.guardReady();
  await s.pauseClock();

  await openWarning();
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/login"), s.button("logout").click()]);
  await s.settle();

  assert.deepEqual(s.pageErrors.map(String), [], "uncaught page errors");
  assert.deepEqual(s.consoleErrors, [], "console errors");
  assert.deepEqual(s.eventsOf("error").map((e) => e.detail), [], "sessionguard:error events");
  assert.deepEqual(s.eventsOf("securitypolicyviolation").map((e) => e.detail), []);
});

suite.test("12. strict CSP page: the guard runs and styles its dialog without violations", async (s) => {
  await s.loginToForm({ next: "/csp/form" });
  const d = await s.advanceToWarning();
  assert.equal(d.role, "alertdialog");
  assert.equal(d.continue?.text, "Continue");
  // The guard's own style (injected with the page's nonce) is applied: the live region
  // is visually hidden while the countdown is visible.
  const live = await s.page.evaluate(() => {
    const el = document.querySelector("dialog.session-guard .session-guard__live");
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return { w: r.width, h: r.height };
  });
  assert.ok(live, "live region present");
  assert.ok(live.w <= 1 && live.h <= 1, `live region visually hidden (${live.w}×${live.h})`);
  assert.ok(await s.page.locator("dialog.session-guard .session-guard__countdown").isVisible());
  assert.deepEqual(s.eventsOf("securitypolicyviolation").map((e) => e.detail), [], "CSP violations");
  assert.deepEqual(s.consoleErrors, [], "console errors");
});
