// Drafts that tell the truth (issue #16), end to end with real keystrokes and clicks: the
// expired dialog claims "saved" only when storage took the draft; a submitted draft is gone
// whatever order typing and clicking produce; values go back only into the same field of the
// same form; same-id forms keep their own drafts; secrets are never stored; fetch apps and
// resets discard; the restore notice is seen. Demo server + dist/ in headless Chromium.
//
// Variants of the demo's /form (a deploy that changed it, extra fields) are the real page with
// text replacements the demo server applies when a test asks (/__test/form-edits), so the
// guard, the CSRF token, the session and the login redirects are the real ones.

import assert from "node:assert/strict";

import { e2eSuite, fillStorageWithOtherKeys, waitFor } from "./harness.mjs";
import { eventsSince, idleUntilExpired, LOGIN_PASSWORD, logInAgain, typeInto, waitForDraftSaved } from "./drafts_helpers.mjs";

const suite = e2eSuite();
const NS = "session-guard:";

// --- helpers --------------------------------------------------------------------------

/** The guard's draft keys for /form (`session-guard:<v>:<user hash>:/form|…`). */
async function formDraftKeys(page) {
  const keys = await page.evaluate(() => Object.keys(localStorage));
  return keys.filter((k) => k.startsWith(NS) && /:\/form\|/.test(k)).sort();
}

async function draftRecords(page) {
  return page.evaluate(() =>
    Object.keys(localStorage)
      .filter((k) => k.startsWith("session-guard:") && /:\/form\|/.test(k))
      .map((k) => localStorage.getItem(k)),
  );
}


/** Serves /form with `edits` ([from, to] replacements of its HTML): a deploy, or fields the demo lacks. */
function serveForm(s, edits) {
  return s.server.hook("/__test/form-edits", { edits });
}

const NAME_INPUT = '<input id="name" name="name" autocomplete="name">';
const FORM_END = "  </form>\n</section>";
const afterName = (extra) => [NAME_INPUT, NAME_INPUT + extra];
const afterForm = (extra) => [FORM_END, `  </form>\n${extra}\n</section>`];
/** Our own topic options; the demo's go into a hidden select no one touches. */
const withTopic = (options) => ['<select id="topic" name="topic">', `<select id="topic" name="topic">${options}</select><select name="topic_old" hidden>`];

// --- 1. truthful claims ------------------------------------------------------------------

suite.test("1. storage full of other keys: no 'saved' claim, no draftsaved, a quota error, expired.saved false", { timeout: 90000 }, async (s) => {
  await s.loginToForm({ user: "alice", password: LOGIN_PASSWORD });
  await s.page.evaluate(fillStorageWithOtherKeys);
  const mark = s.events.length;
  await typeInto(s.page, "#name", "Aiko Tanaka");
  await s.page.keyboard.press("Tab");
  await s.page.keyboard.type("aiko@example.com");
  await s.runFor(3000);
  const d = await idleUntilExpired(s);
  assert.doesNotMatch(d.text, /Your input has been saved/, "nothing was stored: the dialog must not say so");
  assert.match(d.text, /could not be saved/);
  assert.equal(eventsSince(s, mark, "draftsaved").length, 0, "no draftsaved for a draft storage refused");
  assert.ok(eventsSince(s, mark, "error").some((e) => e.detail?.code === "quota"), "a quota error is reported");
  const expired = eventsSince(s, mark, "expired");
  assert.equal(expired.length, 1);
  assert.equal(expired[0].detail?.saved, false, "sessionguard:expired says saved: false");
  assert.equal(await s.page.evaluate(() => localStorage.getItem("other-app:0")?.length), 1 << 20, "other keys untouched");
});

suite.test("2. a field over the size cap is left out and reported; the rest is stored and restored after re-login", { timeout: 90000 }, async (s) => {
  await s.loginToForm({ user: "alice", password: LOGIN_PASSWORD });
  const mark = s.events.length;
  await typeInto(s.page, "#name", "Aiko Tanaka");
  // 1.1 M characters (2.2 MB as localStorage counts): a paste no one types.
  await s.page.evaluate(() => {
    const m = document.getElementById("message");
    m.value = "長".repeat(1_100_000);
    m.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await waitForDraftSaved(s, mark);
  const records = await draftRecords(s.page);
  assert.equal(records.length, 1, "the draft is stored");
  assert.match(records[0], /Aiko Tanaka/, "with the short field");
  assert.doesNotMatch(records[0], /"message"/, "without the oversized one");
  assert.ok(eventsSince(s, mark, "error").some((e) => e.detail?.code === "quota"), "the left-out field is reported");
  const d = await idleUntilExpired(s);
  assert.doesNotMatch(d.text, /Your input has been saved/, "not everything is stored");
  assert.equal(eventsSince(s, mark, "expired")[0]?.detail?.saved, false);
  const back = await logInAgain(s);
  await waitFor(() => eventsSince(s, back, "draftrestored").length > 0, { message: "draftrestored" });
  assert.equal(await s.page.inputValue("#name"), "Aiko Tanaka", "the stored part is back");
});

suite.test("3. everything stored: the dialog says saved and expired.saved is true", { timeout: 90000 }, async (s) => {
  await s.loginToForm({ user: "alice", password: LOGIN_PASSWORD });
  const mark = s.events.length;
  await typeInto(s.page, "#message", "Please call me back.");
  const d = await idleUntilExpired(s);
  assert.match(d.text, /Your input has been saved/);
  assert.equal(eventsSince(s, mark, "expired")[0]?.detail?.saved, true);
});

// --- 2. a submitted draft is deleted ----------------------------------------------------

for (const how of ["click", "enter", "requestSubmit"]) {
  suite.test(`4. a submit by ${how} after real typing deletes the draft; the form is not offered again`, { timeout: 60000 }, async (s) => {
    await s.loginToForm({ user: "alice", password: LOGIN_PASSWORD });
    await s.page.clock.resume();
    await typeInto(s.page, "#message", "Printer on fire.");
    await typeInto(s.page, "#name", "Aiko Tanaka");
    const saved = (u) => u.pathname === "/form";
    if (how === "click") await Promise.all([s.page.waitForURL(saved), s.page.click("#submit")]);
    if (how === "enter") await Promise.all([s.page.waitForURL(saved), s.page.keyboard.press("Enter")]);
    if (how === "requestSubmit")
      await Promise.all([s.page.waitForURL(saved), s.page.evaluate(() => document.getElementById("request-form").requestSubmit())]);
    assert.equal(await s.page.locator("#saved-title").textContent(), "Saved");
    await s.guardReady();
    await waitFor(async () => (await formDraftKeys(s.page)).length === 0, { message: "the submitted draft to be deleted" });
    await s.page.goto(s.url("/form"));
    await s.guardReady();
    await s.settle();
    assert.equal(await s.page.locator("aside.session-guard-notice").count(), 0, "no 'Restore your unsent input?'");
    assert.deepEqual(await formDraftKeys(s.page), []);
  });
}

suite.test("5. guard.discardDrafts(form) and a reset to the defaults delete the form's draft", { timeout: 60000 }, async (s) => {
  await serveForm(s, [['<button type="submit" class="primary" id="submit">', '<button type="reset" id="reset">Clear</button><button type="submit" class="primary" id="submit">']]);
  await s.loginToForm({ user: "alice", password: LOGIN_PASSWORD });
  let mark = s.events.length;
  await typeInto(s.page, "#name", "Aiko Tanaka");
  await waitForDraftSaved(s, mark);
  assert.equal((await formDraftKeys(s.page)).length, 1);
  await s.page.evaluate(() => window.sessionGuard.discardDrafts(document.getElementById("request-form")));
  assert.deepEqual(await formDraftKeys(s.page), [], "discardDrafts(form) deletes it");

  mark = s.events.length;
  await typeInto(s.page, "#name", " Jr.");
  await waitForDraftSaved(s, mark);
  assert.equal((await formDraftKeys(s.page)).length, 1);
  await s.page.click("#reset");
  await s.runFor(3000);
  assert.deepEqual(await formDraftKeys(s.page), [], "a reset deletes it");
  assert.equal(await s.page.inputValue("#name"), "");
});

// --- 3. the same field of the same form -------------------------------------------------

suite.test("6. after a deploy inserts a same-name field and drops a select option, no value lands in another field", { timeout: 90000 }, async (s) => {
  const topics = '<option value="">Choose</option><option value="support" selected>Support</option><option value="sales">Sales</option>';
  await serveForm(s, [afterName('<input name="line" id="line-a"><input name="line" id="line-b">'), withTopic(topics + '<option value="legacy">Legacy</option>')]);
  await s.loginToForm({ user: "alice", password: LOGIN_PASSWORD });
  const mark = s.events.length;
  await typeInto(s.page, "#line-a", "first line");
  await typeInto(s.page, "#line-b", "second line");
  await typeInto(s.page, "#name", "Aiko Tanaka");
  await s.page.selectOption("#topic", "legacy");
  await waitForDraftSaved(s, mark);
  await idleUntilExpired(s);
  await serveForm(s, [afterName('<input name="line" id="line-new"><input name="line" id="line-a"><input name="line" id="line-b">'), withTopic(topics)]);
  const back = await logInAgain(s);
  await waitFor(() => eventsSince(s, back, "draftrestored").length > 0, { message: "draftrestored" });
  assert.equal(await s.page.inputValue("#name"), "Aiko Tanaka", "a field the deploy left alone is restored");
  assert.equal(await s.page.inputValue("#line-new"), "", "the inserted field gets no one's value");
  assert.notEqual(await s.page.inputValue("#line-a"), "second line", "no value shifted by one");
  assert.equal(await s.page.inputValue("#topic"), "support", "a select whose saved option is gone keeps its own");
});

suite.test("7. two forms with the same id keep their own drafts", { timeout: 60000 }, async (s) => {
  await serveForm(s, [afterForm('<form id="request-form" method="post" action="/form"><textarea id="note2" name="name"></textarea></form>')]);
  await s.loginToForm({ user: "alice", password: LOGIN_PASSWORD });
  const mark = s.events.length;
  await typeInto(s.page, "#name", "first form");
  await typeInto(s.page, "#note2", "second form");
  await waitForDraftSaved(s, mark);
  await s.runFor(2000);
  const keys = await formDraftKeys(s.page);
  assert.equal(keys.length, 2, `one draft per form (${JSON.stringify(keys)})`);
  await s.page.clock.resume();
  await s.page.goto(s.url("/form"));
  await s.guardReady();
  await s.page.locator('aside.session-guard-notice button[data-action="restore"]').click();
  assert.equal(await s.page.inputValue("#name"), "first form");
  assert.equal(await s.page.inputValue("#note2"), "second form");
});

// --- 4. secrets ---------------------------------------------------------------------------

suite.test("8. fields named like secrets are never stored; look-alike names are", { timeout: 60000 }, async (s) => {
  const secrets = ["ssn", "iban", "pin", "security_answer", "api_key", "token", "otp_code", "verification_code", "secret", "card"];
  const kept = ["pinned", "discard_reason"];
  await serveForm(s, [afterName([...secrets, ...kept].map((n) => `<input name="${n}" id="f-${n}">`).join(""))]);
  await s.loginToForm({ user: "alice", password: LOGIN_PASSWORD });
  const mark = s.events.length;
  for (const n of [...secrets, ...kept]) await typeInto(s.page, `#f-${n}`, `value-of-${n}-42`);
  await waitForDraftSaved(s, mark);
  const stored = (await draftRecords(s.page)).join("\n");
  for (const n of secrets) assert.ok(!stored.includes(`value-of-${n}-42`), `${n} must never be stored`);
  for (const n of kept) assert.ok(stored.includes(`value-of-${n}-42`), `${n} is no secret and is stored`);
});

// --- 5. the notice --------------------------------------------------------------------------

async function noticeFacts(page) {
  return page.evaluate(() => {
    const n = document.querySelector("aside.session-guard-notice");
    if (!n) return null;
    const r = n.getBoundingClientRect();
    const f = document.getElementById("name").getBoundingClientRect();
    const style = getComputedStyle(n);
    return {
      top: r.top,
      bottom: r.bottom,
      height: r.height,
      innerHeight: window.innerHeight,
      position: style.position,
      background: style.backgroundColor,
      padding: style.paddingTop,
      role: n.getAttribute("role"),
      live: n.getAttribute("aria-live"),
      text: n.textContent,
      coversFirstField: !(r.bottom <= f.top || r.top >= f.bottom || r.right <= f.left || r.left >= f.right),
    };
  });
}

for (const [locale, prompt] of [
  ["en-US", /Restore your unsent input\?/],
  ["ja-JP", /未送信の入力内容を復元しますか/],
]) {
  suite.test(`9. the restore notice is seen on load of a long form (${locale}), styled, polite, reachable by keyboard`, { timeout: 60000, locale }, async (s) => {
    await serveForm(s, [afterForm('<div id="long-page" style="height:2400px">long page</div>')]);
    await s.loginToForm({ user: "alice", password: LOGIN_PASSWORD });
    const mark = s.events.length;
    await typeInto(s.page, "#message", "Please call me back.");
    await waitForDraftSaved(s, mark);
    await s.page.clock.resume();
    await s.page.goto(s.url("/form"));
    await s.guardReady();
    assert.equal(await s.page.locator("#long-page").count(), 1, "a long page");
    const n = await waitFor(() => noticeFacts(s.page), { message: "the notice" });
    assert.match(n.text, prompt);
    assert.ok(n.height > 0 && n.top >= 0 && n.bottom <= n.innerHeight, `in the viewport on load (${JSON.stringify(n)})`);
    assert.equal(n.position, "fixed");
    assert.notEqual(n.background, "rgba(0, 0, 0, 0)", "styled like the dialog");
    assert.notEqual(n.padding, "0px");
    assert.equal(n.role, "status");
    assert.equal(n.live, "polite");
    assert.ok(!n.coversFirstField, "the form's first field stays visible");
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await s.page.keyboard.press("Tab");
      reached = await s.page.evaluate(() => document.activeElement?.closest("aside.session-guard-notice")?.contains(document.activeElement) ?? false);
    }
    assert.ok(reached, "Tab reaches the notice's buttons");
    for (let i = 0; i < 3 && (await s.page.evaluate(() => document.activeElement?.dataset.action)) !== "restore"; i++) {
      await s.page.keyboard.press("Shift+Tab");
    }
    await s.page.keyboard.press("Enter");
    await waitFor(async () => (await s.page.inputValue("#message")) === "Please call me back.", { message: "restored by keyboard" });
  });
}
