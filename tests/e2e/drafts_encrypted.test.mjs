// Drafts private at rest (issue #20): with `draftKey` (the demo derives one per user from a
// server secret and renders it only into that user's pages), nothing the user typed is ever in
// localStorage or sessionStorage in clear; the same user gets it all back after a re-login;
// another user, or the right user with a wrong key, gets nothing, and the page raises nothing.
// Real key presses and clicks; the fake clock drives the debounce and the expiry.

import assert from "node:assert/strict";
import crypto from "node:crypto";

import { e2eSuite, TIMEOUT, typeInto, waitFor } from "./harness.mjs";
import { spyOnStorageWrites, storageEntries } from "./drafts_helpers.mjs";

const suite = e2eSuite();
const NS = "session-guard:";
const LOGIN_PASSWORD = "pw-Login-7731";

/** What the user types (a long message: ≥ 256 characters go under a key of their own). */
const NAME = "Aiko Tanaka-Quinn";
const MESSAGE = `Please call me back about invoice 88341. ${"Tuesday works, or Thursday after lunch. ".repeat(7)}Thanks!`;
const TYPED = [NAME, MESSAGE, "invoice 88341", "Tuesday works", "Aiko"];

const keyText = () => crypto.randomBytes(32).toString("base64url");

async function drafKeysOn(wrong = {}) {
  await suite.server.hook("/__test/draft-keys", { on: true, wrong });
}

async function assertNothingTypedInStorage(s, writes, when) {
  const entries = await storageEntries(s.page);
  for (const typed of TYPED) {
    for (const [area, key, value] of entries) {
      assert.ok(!key.includes(typed) && !String(value).includes(typed), `${when}: ${area}Storage[${key}] holds ${JSON.stringify(typed)} in clear`);
    }
    for (const w of writes) assert.ok(!w.value.includes(typed), `${when}: ${JSON.stringify(typed)} was written to storage in clear (${w.key})`);
  }
}

/** Our draft records and texts (`<prefix><path>|<form>`, `<prefix>^<n><path>|<form>`). */
async function draftEntries(page) {
  return (await storageEntries(page)).filter(([area, key]) => area === "local" && key.startsWith(NS) && /^session-guard:\d+:[^:]*:[/^]/.test(key));
}

const since = (s, mark, type) => s.events.slice(mark).filter((e) => e.type === type);

async function typeIntoForm(s) {
  const mark = s.events.length;
  await s.page.click("#name");
  await s.page.keyboard.type(NAME);
  await s.page.click("#message");
  await s.page.keyboard.type(MESSAGE);
  await s.page.click("#urgent");
  await s.advanceUntil(() => since(s, mark, "draftsaved").length > 0, { step: 250, max: 5000, message: "sessionguard:draftsaved" });
}

function readForm(page) {
  return page.evaluate(() => ({
    name: document.getElementById("name").value,
    message: document.getElementById("message").value,
    urgent: document.getElementById("urgent").checked,
  }));
}

/** Idle until expired, "Log in again", log in as `user`; returns the event mark of /form. */
async function expireAndLogInAs(s, user) {
  await s.advanceUntil(
    async () => {
      const d = await s.dialog();
      return d?.open && d.state === "expired" ? d : null;
    },
    { step: 1000, max: 4 * TIMEOUT * 1000, message: "the expired dialog" },
  );
  await s.page.clock.resume();
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/login"), s.button("login").click()]);
  await typeInto(s.page, "#username", user);
  await typeInto(s.page, "#password", LOGIN_PASSWORD);
  const mark = s.events.length;
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/form"), s.page.click("#login-form button[type=submit]")]);
  await s.guardReady();
  return mark;
}

async function assertNothingRestored(s, mark, when) {
  await s.settle();
  await s.roundTrip();
  assert.deepEqual(await readForm(s.page), { name: "", message: "", urgent: false }, `${when}: the form stays as the server rendered it`);
  assert.equal(since(s, mark, "draftrestored").length, 0, `${when}: nothing restored`);
  assert.equal(await s.page.locator("aside.session-guard-notice").count(), 0, `${when}: no restore notice`);
  const errors = since(s, mark, "error");
  assert.ok(errors.length <= 1, `${when}: at most one error event, got ${JSON.stringify(errors.map((e) => e.detail))}`);
  for (const e of errors) assert.equal(e.detail.code, "storage");
  assert.deepEqual(s.pageErrors.map(String), [], `${when}: no page errors`);
}

suite.test("a. with draftKey nothing typed is stored in clear; the same user after re-login gets it all back", { timeout: 90000 }, async (s) => {
  await drafKeysOn();
  const writes = await spyOnStorageWrites(s);
  await s.loginToForm({ user: "alice", password: LOGIN_PASSWORD });
  assert.match(await s.page.locator("script[data-draft-key]").getAttribute("data-draft-key"), /^[A-Za-z0-9_-]{43}$/);
  await typeIntoForm(s);
  await assertNothingTypedInStorage(s, writes, "after the save");
  const drafts = await draftEntries(s.page);
  assert.ok(drafts.length >= 2, `a record and the long message's text, got ${drafts.map(([, k]) => k)}`);
  for (const [, key, value] of drafts) assert.match(value, /^sg1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+$/, `${key} is sealed`);
  // The key itself is never stored.
  const key = await s.page.locator("script[data-draft-key]").getAttribute("data-draft-key");
  for (const [area, k, value] of await storageEntries(s.page)) assert.ok(!value.includes(key) && !k.includes(key), `${area}Storage[${k}] holds the key`);

  const mark = await expireAndLogInAs(s, "alice");
  await assertNothingTypedInStorage(s, writes, "after the expiry and the login page");
  await waitFor(() => since(s, mark, "draftrestored").length > 0, { message: "sessionguard:draftrestored" });
  assert.deepEqual(await readForm(s.page), { name: NAME, message: MESSAGE, urgent: true });
  assert.equal(since(s, mark, "error").length, 0);
});

suite.test("b. another user at the same browser gets nothing, and alice's drafts are swept", { timeout: 90000 }, async (s) => {
  await drafKeysOn();
  await s.loginToForm({ user: "alice", password: LOGIN_PASSWORD });
  await typeIntoForm(s);
  const alices = (await draftEntries(s.page)).map(([, k]) => k);
  assert.ok(alices.length > 0);
  const mark = await expireAndLogInAs(s, "bob");
  await assertNothingRestored(s, mark, "bob");
  await waitFor(async () => (await draftEntries(s.page)).every(([, k]) => !alices.includes(k)), { message: "alice's drafts swept" });
  assert.equal(since(s, mark, "error").length, 0, "another user's drafts go quietly");
});

suite.test("c. the right user with a wrong key gets nothing; the page raises nothing but one storage error", { timeout: 90000 }, async (s) => {
  await drafKeysOn();
  await s.loginToForm({ user: "alice", password: LOGIN_PASSWORD });
  await typeIntoForm(s);
  await drafKeysOn({ alice: keyText() });
  const mark = await expireAndLogInAs(s, "alice");
  await assertNothingRestored(s, mark, "alice with a wrong key");
  await waitFor(async () => (await draftEntries(s.page)).length === 0, { message: "the unreadable drafts swept" });
  // The next page of the same user raises nothing more.
  const again = s.events.length;
  await s.page.goto(s.url("/form"));
  await s.guardReady();
  await assertNothingRestored(s, again, "the next page");
  assert.equal(since(s, again, "error").length, 0);
});

suite.test("d. rotation: [current, previous] still opens drafts written under the previous key", { timeout: 90000 }, async (s) => {
  const previous = keyText();
  await drafKeysOn({ alice: previous });
  const writes = await spyOnStorageWrites(s);
  await s.loginToForm({ user: "alice", password: LOGIN_PASSWORD });
  await typeIntoForm(s);
  await drafKeysOn({ alice: [keyText(), previous] });
  const mark = await expireAndLogInAs(s, "alice");
  await waitFor(() => since(s, mark, "draftrestored").length > 0, { message: "sessionguard:draftrestored" });
  assert.deepEqual(await readForm(s.page), { name: NAME, message: MESSAGE, urgent: true });
  await assertNothingTypedInStorage(s, writes, "after the rotation");
  assert.equal(since(s, mark, "error").length, 0);
});

suite.test("e. a bad draftKey rejects start with an error naming the option", async (s) => {
  await s.loginToForm({ user: "alice", password: LOGIN_PASSWORD });
  const message = await s.page.evaluate(async () => {
    const { start } = await import("/session-guard/index.js");
    window.sessionGuard.destroy();
    try {
      await start({ keepAliveUrl: "/session/keepalive", timeout: 60, warnBefore: 30, user: "alice", draftKey: "not-a-key" });
      return "started";
    } catch (e) {
      return String(e.message ?? e);
    }
  });
  assert.match(message, /draftKey/);
});

suite.test("f. the pagehide flush still writes, encrypted: typed and left at once, offered again on return", { timeout: 90000 }, async (s) => {
  await drafKeysOn();
  const writes = await spyOnStorageWrites(s);
  await s.loginToForm({ user: "alice", password: LOGIN_PASSWORD });
  const mark = s.events.length;
  await s.page.click("#name");
  await s.page.keyboard.type(NAME);
  // Left before the debounce's save: only the pagehide flush can have written it.
  assert.equal(since(s, mark, "draftsaved").length, 0);
  await s.page.goto(s.url("/favicon.svg"));
  const drafts = await draftEntries(s.page);
  assert.ok(drafts.length > 0 && drafts.every(([, , value]) => value.startsWith("sg1.")), `an encrypted draft written at pagehide: ${JSON.stringify(drafts)}`);
  await assertNothingTypedInStorage(s, writes, "after pagehide");
  const back = s.events.length;
  await s.page.goto(s.url("/form"));
  await s.guardReady();
  await waitFor(() => s.page.locator("aside.session-guard-notice").count().then((n) => n === 1), { message: "the restore notice" });
  await s.page.click('aside.session-guard-notice button[data-action="restore"]');
  await waitFor(async () => (await readForm(s.page)).name === NAME, { message: "the name restored" });
  assert.equal(since(s, back, "error").length, 0);
});
