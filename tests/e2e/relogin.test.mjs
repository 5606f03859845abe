// Re-login without leaving the page: a tab revived by a login elsewhere gets the new session's
// CSRF token (from the status answer), so its own form submits are accepted. Demo server with
// `statusUrl`, the real guard (dist/) in headless Chromium, fake clock (harness).

import assert from "node:assert/strict";

import { e2eSuite, TIMEOUT, waitFor } from "./harness.mjs";

const suite = e2eSuite({ server: { statusUrl: true } });

const TYPED = "Typed before the session ended.";

/** Hidden `_csrf` of the request form, and the `<meta name="csrf-token">`. */
const tokens = (tab) =>
  tab.page.evaluate(() => ({
    field: document.querySelector("#request-form input[name=_csrf]").value,
    logoutField: document.querySelector("form[action='/logout'] input[name=_csrf]")?.value ?? null,
    meta: document.querySelector("meta[name=csrf-token]").content,
  }));

/** Tab A types, its session ends on the server, A shows "expired"; the user logs in in tab B. */
async function expireThenLogInElsewhere(s) {
  s.name = "A";
  await s.login({ next: "/form" });
  await s.guardReady();
  await s.pauseClock();
  const a = s;
  await a.page.locator("#message").click();
  await a.page.keyboard.type(TYPED);
  const before = await tokens(a);
  await s.server.hook("/__test/expire-sessions", {});
  await a.advanceUntil(async () => (await a.guard()).state === "expired", {
    step: 1000,
    max: (TIMEOUT + 5) * 1000,
    message: "tab A expired",
  });
  await s.runFor(5000); // the user reads the dialog, then opens a new tab
  const b = await s.openTab({ name: "B", path: null });
  await b.login();
  await b.guardReady();
  const fresh = await tokens(b);
  assert.notEqual(fresh.meta, before.meta, "the new login has a new CSRF token");
  await waitFor(async () => (await a.guard()).state === "active", { timeout: 5000, message: "tab A revived" });
  return { a, b, before, fresh };
}

suite.test("a revived tab gets the new CSRF token from the status answer; its form submit is accepted", async (s, t) => {
  const { a, fresh } = await expireThenLogInElsewhere(s);
  await waitFor(async () => (await tokens(a)).field === fresh.field, {
    timeout: 5000,
    message: "tab A's hidden _csrf input holds the new session's token",
  });
  const now = await tokens(a);
  assert.deepEqual(now, { field: fresh.field, logoutField: fresh.field, meta: fresh.meta }, "meta and every hidden _csrf input");
  assert.equal(await a.page.locator("#message").inputValue(), TYPED, "typed text untouched");
  // Never stored: not in localStorage (the channel carries only the session view).
  const stored = await a.page.evaluate(() => JSON.stringify({ ...localStorage }));
  assert.ok(!stored.includes(fresh.field), "the token is not in localStorage");

  // The user submits the form of the revived page: accepted (not "invalid CSRF token").
  await a.page.bringToFront();
  await a.page.locator("#submit").click();
  await a.page.waitForURL((u) => u.pathname === "/form", { timeout: 5000 });
  await waitFor(async () => (await a.page.locator("dd[data-field=message]").count()) === 1, {
    timeout: 5000,
    message: "the saved page",
  });
  assert.equal(await a.page.locator("dd[data-field=message]").textContent(), TYPED);
  t.diagnostic(`token ${fresh.field.slice(0, 6)}… written into tab A`);
});

suite.test('relogin: "popup": the login in a new window, the expired page resumes in place (file, text, scroll untouched)', async (s, t) => {
  s.name = "A";
  await s.context.route(
    (u) => u.pathname === "/form",
    async (route) => {
      const response = await route.fetch();
      const body = (await response.text())
        .replace("data-user=", 'data-relogin="popup" data-user=')
        .replace('<div class="actions">', '<input type="file" id="attach" name="attach"><div class="actions">');
      await route.fulfill({ response, body });
    },
  );
  await s.login();
  await s.page.goto(s.url("/form")); // through the route (a redirect is not routed)
  await s.guardReady();
  await s.pauseClock();
  const a = s;
  const nav = { count: 0 };
  a.page.on("framenavigated", (f) => {
    if (f === a.page.mainFrame()) nav.count += 1;
  });
  await a.page.locator("#message").click();
  await a.page.keyboard.type(TYPED);
  await a.page.locator("#attach").setInputFiles({ name: "report.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4") });
  await a.page.evaluate(() => window.scrollTo(0, 200));
  const scroll = await a.page.evaluate(() => window.scrollY);

  await s.server.hook("/__test/expire-sessions", {});
  await a.advanceUntil(async () => (await a.dialog())?.state === "expired", { step: 1000, max: (TIMEOUT + 5) * 1000, message: "expired dialog" });
  await s.runFor(5000);

  // Keyboard only: "Log in again" has the focus (or gets it by Tab); Enter opens the login window.
  await a.button("login").focus();
  const popupOpened = s.context.waitForEvent("page", { timeout: 5000 });
  await a.page.keyboard.press("Enter");
  const popup = await popupOpened;
  await popup.waitForURL((u) => u.pathname === "/login", { timeout: 5000 });
  assert.equal(nav.count, 0, "the expired page did not navigate");
  assert.equal((await a.guard()).state, "expired", "still expired until the login is seen");
  await popup.locator("#username").click();
  await popup.keyboard.type("alice");
  await popup.locator("#password").click();
  await popup.keyboard.type("secret");
  const closed = popup.waitForEvent("close", { timeout: 10000 });
  await popup.keyboard.press("Enter");
  await waitFor(async () => (await a.guard()).state === "active" && !(await a.dialogOpen()), { timeout: 5000, message: "tab A resumed in place" });
  await s.runFor(1000); // the login window's own timer closes it
  await closed;

  const kept = await a.page.evaluate(() => ({
    text: document.getElementById("message").value,
    files: [...document.getElementById("attach").files].map((f) => f.name),
    scroll: window.scrollY,
  }));
  assert.deepEqual(kept, { text: TYPED, files: ["report.pdf"], scroll }, "text, chosen file and scroll untouched");
  assert.equal(nav.count, 0, "no navigation in tab A");
  // The fresh token came with the status answer: the form of the resumed page submits.
  await waitFor(async () => {
    const tk = await tokens(a);
    return tk.field === tk.meta && tk.field.length > 0;
  }, { timeout: 5000, message: "the token" });
  t.diagnostic(`resumed in place after the popup login; file ${kept.files[0]} still chosen`);
});

suite.test('relogin: "popup" blocked (window.open returns null) falls back to navigation', async (s) => {
  await s.context.route(
    (u) => u.pathname === "/form",
    async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: (await response.text()).replace("data-user=", 'data-relogin="popup" data-user=') });
    },
  );
  await s.context.addInitScript(() => {
    window.open = () => null; // a popup blocker
  });
  await s.login();
  await s.page.goto(s.url("/form"));
  await s.guardReady();
  await s.pauseClock();
  await s.server.hook("/__test/expire-sessions", {});
  await s.advanceUntil(async () => (await s.dialog())?.state === "expired", { step: 1000, max: (TIMEOUT + 5) * 1000, message: "expired dialog" });
  await s.button("login").focus();
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/login", { timeout: 5000 }), s.page.keyboard.press("Enter")]);
  assert.equal(new URL(s.page.url()).searchParams.get("next"), "/form");
});
