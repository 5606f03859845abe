// Headless (`data-dialog="false"`): no dialog, notice or title countdown of ours; the page draws
// its own UI from the events and drives the guard with its methods. Demo server, the real guard
// (dist/) in headless Chromium, fake clock (harness). The demo's /form is served with
// data-dialog="false" added to its script tag (a route in the test), and a small UI of the
// page's own is installed before any script runs.

import assert from "node:assert/strict";

import { e2eSuite, guardsOwnUi, TIMEOUT, WARN_BEFORE, waitFor } from "./harness.mjs";

const suite = e2eSuite();

/** The page's own session UI, built only from sessionguard:* events. */
const OWN_UI = `(() => {
  const log = (window.__ownUi = []);
  const ui = () => {
    let el = document.getElementById("own-ui");
    if (!el) {
      el = document.createElement("div");
      el.id = "own-ui";
      el.innerHTML = '<p id="own-text"></p><button id="own-continue" type="button">Stay</button><button id="own-login" type="button" hidden>Sign in</button>';
      document.body.append(el);
      el.querySelector("#own-continue").addEventListener("click", () => window.sessionGuard.extend());
      el.querySelector("#own-login").addEventListener("click", () => window.sessionGuard.relogin());
    }
    el.hidden = false;
    return el;
  };
  const on = (type, f) => document.addEventListener("sessionguard:" + type, (e) => { log.push([type, e.detail]); f(e.detail); });
  on("warning", (d) => { ui().querySelector("#own-text").textContent = "Ends in " + d.remaining + " s"; });
  on("countdown", (d) => { ui().querySelector("#own-text").textContent = "Ends in " + d.remaining + " s"; });
  on("extended", () => { const el = document.getElementById("own-ui"); if (el) el.hidden = true; });
  on("expired", (d) => {
    const el = ui();
    el.querySelector("#own-text").textContent = "Signed out (" + d.reason + ", saved: " + d.saved + ")";
    el.querySelector("#own-continue").hidden = true;
    el.querySelector("#own-login").hidden = false;
  });
  on("draftsavailable", (d) => log.push(["form", d.form.id]));
})();`;

async function headlessForm(s) {
  await s.context.addInitScript(OWN_UI);
  await s.context.route(
    (u) => u.pathname === "/form",
    async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace("data-user=", 'data-dialog="false" data-user=');
      await route.fulfill({ response, body });
    },
  );
  await s.login();
  // (A route sees no redirected request: the form is loaded again, through the route.)
  await s.page.goto(s.url("/form"));
  await s.guardReady();
  await s.pauseClock();
  const tag = await s.page.evaluate(() => document.querySelector("script[data-user]")?.outerHTML);
  assert.ok(/data-dialog="false"/.test(tag), tag);
}

const ours = (s) => s.page.evaluate(guardsOwnUi);

suite.test("headless: the page's own UI from events and methods, no dialog, notice or title countdown of ours", async (s, t) => {
  await headlessForm(s);
  const title = (await ours(s)).title;
  await s.page.locator("#message").click();
  await s.page.keyboard.type("Headless draft");

  // The warning: the page's own UI shows it, with a countdown each second.
  await s.advanceUntil(() => s.eventsOf("warning").length === 1, { step: 1000, max: TIMEOUT * 1000, message: "sessionguard:warning" });
  await s.runFor(3000);
  const countdown = s.eventsOf("countdown").map((e) => e.detail.remaining);
  assert.ok(countdown.length >= 3, `sessionguard:countdown each second: ${countdown}`);
  assert.ok(countdown.every((r, i) => i === 0 || r === countdown[i - 1] - 1), `one a second, down: ${countdown}`);
  assert.ok(countdown.at(-1) < WARN_BEFORE);
  await waitFor(async () => /Ends in \d+ s/.test(await s.page.locator("#own-text").textContent()), { message: "own countdown" });
  assert.deepEqual(await ours(s), { dialogs: 0, notice: 0, style: 0, title }, "nothing of ours in the DOM, title untouched");
  assert.equal((await s.guard()).state, "warning");

  // The user clicks the page's own button: guard.extend().
  const extensions = s.eventsOf("extended").length;
  await s.page.locator("#own-continue").click();
  await s.waitForEvent("extended", { count: extensions + 1 });
  assert.equal((await s.guard()).state, "active");

  // Then ignores the next warning: expired, the page's own "Sign in" (guard.relogin()).
  await s.advanceUntil(async () => (await s.guard()).state === "expired", { step: 1000, max: (TIMEOUT + 5) * 1000, message: "expired" });
  const expired = s.eventsOf("expired")[0].detail;
  assert.equal(expired.saved, true, "sessionguard:expired says the input is saved");
  assert.deepEqual(await ours(s), { dialogs: 0, notice: 0, style: 0, title }, "still nothing of ours after expiry");
  await s.page.locator("#own-login").focus();
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/login", { timeout: 5000 }), s.page.keyboard.press("Enter")]);
  const next = new URL(s.page.url()).searchParams.get("next");
  assert.equal(next, "/form", "relogin() goes to loginUrl?next=<this page>");
  t.diagnostic(`countdown events: ${countdown.join(", ")}; expired ${expired.reason}`);
});

suite.test("headless: a stored draft is announced by sessionguard:draftsavailable, never a notice; restoreDrafts() brings it back", async (s) => {
  await headlessForm(s);
  await s.page.locator("#message").click();
  await s.page.keyboard.type("Kept for later");
  await s.runFor(2000); // the debounced save
  await s.waitForEvent("draftsaved");
  const mark = s.events.length;
  await s.page.reload();
  await s.guardReady();
  await waitFor(() => s.events.slice(mark).some((e) => e.type === "draftsavailable"), { timeout: 5000, message: "sessionguard:draftsavailable" });
  const log = await s.page.evaluate(() => window.__ownUi.filter((e) => e[0] === "form"));
  assert.deepEqual(log, [["form", "request-form"]], "detail.form is the form with the draft");
  assert.equal(await s.page.locator("#message").inputValue(), "", "not restored without asking");
  assert.equal((await ours(s)).notice, 0, "no notice of ours");
  await s.page.evaluate(() => window.sessionGuard.restoreDrafts());
  assert.equal(await s.page.locator("#message").inputValue(), "Kept for later");
});
