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
