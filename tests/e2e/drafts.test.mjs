// Form drafts, end to end: what a user types survives an expired session and a re-login,
// never leaks secrets into storage, never reaches another user, and is cleaned up after a
// successful submit or an explicit logout. Demo server + the real guard (dist/) in headless
// Chromium, through the shared harness (fresh context per test, Playwright's fake clock).
//
// Storage format relied upon (DESIGN.md "Drafts", notes/CONTRACT.md, the team's brief):
//   session-guard:1:<user hash>:<path>|<form identity>   one form's draft
//   session-guard:1:<user hash>:~                        the resume marker written at expiry
// The tests only lean on the prefix `session-guard:<version>:<user hash>:` and on a draft key
// naming its path followed by `|`; other `session-guard:` keys (tab coordination, …) are allowed.
//
// Saving is debounced on the guard's own timer (~1 s after the last input): with the fake
// clock paused, every test advances it until `sessionguard:draftsaved` fires.

import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";

import { clearField, e2eSuite, TIMEOUT, typeInto, waitFor } from "./harness.mjs";
import { eventsSince, idleUntilExpired, spyOnStorageWrites, storageEntries, waitForDraftSaved } from "./drafts_helpers.mjs";

const suite = e2eSuite();

const NS = "session-guard:";
const NOTICE = "aside.session-guard-notice";
const NOTICE_EN = "Restore your unsent input?";
const NOTICE_JA = /未送信の入力内容を復元しますか[?？]/;

/** What the user types into the demo's /form (everything that may be saved). */
const TYPED = {
  name: "Aiko Tanaka",
  message: "Please call me back.\nTuesday works – 火曜日でも大丈夫です。",
  topic: "support",
  interests: ["accessibility", "i18n"],
  urgent: true,
  contact: "phone",
};
/** …and what must never reach storage. */
const CARD_NUMBER = "4111111111111111";
const ACCOUNT_PASSWORD = "hunter2-Zq9!secret";
const LOGIN_PASSWORD = "pw-Login-7731";

/** /form as the server renders it. */
const BLANK = {
  name: "",
  message: "",
  topic: "",
  interests: [],
  urgent: false,
  newsletter: false,
  contact: "email",
  quantity: "1",
  preferredDate: "",
  card: "",
  password: "",
};

// --- storage -------------------------------------------------------------------------

/** The guard's localStorage keys (sorted). */
async function guardKeys(page) {
  return (await storageEntries(page))
    .filter(([area, key]) => area === "local" && key.startsWith(NS))
    .map(([, key]) => key)
    .sort();
}

/** `session-guard:1:<user hash>:` of a key of ours, or null. */
function userPrefixOf(key) {
  return /^(session-guard:\d+:[^:|]*:)/.exec(key)?.[1] ?? null;
}

/** Draft keys (not the resume marker, not coordination keys) for forms at `path`. */
function draftKeysAt(keys, path) {
  return keys.filter((k) => {
    const prefix = userPrefixOf(k);
    return prefix !== null && k.slice(prefix.length).startsWith(`${path}|`);
  });
}

/** Draft keys and resume markers: everything that holds or points at a user's input. */
function draftLikeKeys(keys) {
  return keys.filter((k) => {
    const prefix = userPrefixOf(k);
    if (prefix === null) return false;
    const rest = k.slice(prefix.length);
    return rest === "~" || (rest.startsWith("/") && rest.includes("|"));
  });
}

/**
 * Fails if any secret occurs in any key or value of localStorage or sessionStorage, in a
 * recorded write, or in a cookie other than the session cookie.
 */
async function assertNoSecrets(s, secrets, when, writes = []) {
  const entries = await storageEntries(s.page);
  for (const secret of secrets.filter(Boolean)) {
    for (const [area, key, value] of entries) {
      assert.ok(!key.includes(secret), `${when}: a ${area}Storage key contains a secret (${JSON.stringify(key)})`);
      assert.ok(!String(value).includes(secret), `${when}: ${area}Storage[${JSON.stringify(key)}] contains a secret`);
    }
    for (const w of writes) {
      assert.ok(
        !w.key.includes(secret) && !w.value.includes(secret),
        `${when}: a secret was written to ${w.area}Storage[${JSON.stringify(w.key)}] on ${w.url}`,
      );
    }
    for (const c of await s.context.cookies(s.baseURL)) {
      assert.ok(!c.value.includes(secret), `${when}: cookie ${c.name} contains a secret`);
    }
  }
}

// --- the demo's /form ----------------------------------------------------------------

async function fillRequestForm(page, { secrets = true } = {}) {
  await typeInto(page, "#name", TYPED.name);
  await page.locator("#message").click();
  await page.keyboard.type(TYPED.message);
  await page.selectOption("#topic", TYPED.topic);
  await page.selectOption("#interests", TYPED.interests);
  await page.check("#urgent");
  await page.check(`#contact-${TYPED.contact}`);
  if (secrets) {
    await typeInto(page, "#card_number", CARD_NUMBER);
    await typeInto(page, "#account_password", ACCOUNT_PASSWORD);
  }
}

function readRequestForm(page) {
  return page.evaluate(() => {
    const $ = (id) => document.getElementById(id);
    return {
      name: $("name").value,
      message: $("message").value,
      topic: $("topic").value,
      interests: [...$("interests").selectedOptions].map((o) => o.value),
      urgent: $("urgent").checked,
      newsletter: $("newsletter").checked,
      contact: document.querySelector('input[name="contact"]:checked')?.value ?? "",
      quantity: $("quantity").value,
      preferredDate: $("preferred_date").value,
      card: $("card_number").value,
      password: $("account_password").value,
    };
  });
}

/** What /form should show once the draft is back: typed values, secrets still empty. */
const RESTORED = { ...BLANK, ...TYPED };

function csrfField(page) {
  return page.evaluate(() => document.querySelector('#request-form input[name="_csrf"]')?.value ?? null);
}

// --- guard helpers -------------------------------------------------------------------

/** Expired dialog → "Log in again" → the login page (real time from here on). */
async function clickLogInAgain(s) {
  await s.page.clock.resume();
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/login"), s.button("login").click()]);
}

/** Fills the login page the browser is on and submits; returns the event mark of the landing page. */
async function submitLogin(s, user, expectedPath) {
  await typeInto(s.page, "#username", user);
  await typeInto(s.page, "#password", LOGIN_PASSWORD);
  const mark = s.events.length;
  await Promise.all([
    s.page.waitForURL((u) => u.pathname === expectedPath),
    s.page.click("#login-form button[type=submit]"),
  ]);
  await s.guardReady();
  return mark;
}

/** Navigates (a new navigation, not a history reload: no browser form-state restoration). */
async function openPage(s, path) {
  const mark = s.events.length;
  await s.page.goto(s.url(path));
  assert.equal(new URL(s.page.url()).pathname, path);
  await s.guardReady();
  return mark;
}

async function notice(page) {
  return page.evaluate((sel) => {
    const n = document.querySelector(sel);
    if (!n) return null;
    const r = n.getBoundingClientRect();
    const style = getComputedStyle(n);
    const visible = !n.hidden && r.width > 0 && r.height > 0 && style.visibility !== "hidden" && style.display !== "none";
    const button = (action) => {
      const b = n.querySelector(`button[data-action="${action}"]`);
      if (!b) return null;
      const br = b.getBoundingClientRect();
      return { text: b.textContent.trim(), visible: !b.hidden && br.width > 0 && br.height > 0 };
    };
    return {
      visible,
      text: n.textContent.replace(/\s+/g, " ").trim(),
      restore: button("restore"),
      discard: button("discard"),
      modalOpen: document.querySelector(":modal") !== null,
    };
  }, NOTICE);
}

async function waitForNotice(s) {
  return waitFor(
    async () => {
      const n = await notice(s.page);
      return n?.visible ? n : null;
    },
    { timeout: 5000, message: `${NOTICE} to appear` },
  );
}

async function assertNoNotice(s, when) {
  const n = await notice(s.page);
  assert.ok(!n || !n.visible, `no restore notice ${when} (found: ${JSON.stringify(n)})`);
}

/** Logs in and waits until alice's first draft of /form is saved; returns the secrets to scan for. */
async function aliceWithDraft(s, { secrets = true } = {}) {
  await s.loginToForm({ user: "alice", password: LOGIN_PASSWORD });
  const csrf = await csrfField(s.page);
  assert.ok(csrf, "the form carries a _csrf field");
  const mark = s.events.length;
  await fillRequestForm(s.page, { secrets });
  const saved = await waitForDraftSaved(s, mark);
  assert.equal(saved.detail?.form, "form#request-form", "draftsaved names the form");
  const keys = await guardKeys(s.page);
  const drafts = draftKeysAt(keys, "/form");
  assert.equal(drafts.length, 1, `one draft key for /form after draftsaved (keys: ${JSON.stringify(keys)})`);
  return { csrf, draftKey: drafts[0], prefix: userPrefixOf(drafts[0]) };
}

// --- tests ---------------------------------------------------------------------------

suite.test("0. the demo's React page: a controlled form whose state is shown as JSON, posting to a Saved page", async (s) => {
  await s.loginToForm({ next: "/react-form" });
  await s.page.clock.resume();
  const initial = JSON.parse(await s.page.locator("#react-state").textContent());
  assert.deepEqual(initial, { title: "", body: "", category: "", urgent: false, priority: "low" });
  await typeInto(s.page, "#title", "Printer on fire");
  await typeInto(s.page, "#body", "Smoke.\nLots of it.");
  await s.page.selectOption("#category", "bug");
  await s.page.check("#urgent");
  await s.page.check("#priority-high");
  assert.deepEqual(JSON.parse(await s.page.locator("#react-state").textContent()), {
    title: "Printer on fire",
    body: "Smoke.\nLots of it.",
    category: "bug",
    urgent: true,
    priority: "high",
  });
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/react-form"), s.page.click("#submit")]);
  assert.equal(await s.page.locator("#saved-title").textContent(), "Saved");
  assert.equal(await s.page.locator('dd[data-field="title"]').textContent(), "Printer on fire");
  assert.equal(await s.page.locator('dd[data-field="priority"]').textContent(), "high");
  assert.equal(await s.page.locator('dd[data-field="_csrf"]').count(), 0, "the token is not echoed");
});

suite.test(
  "a. typed input survives expiry and a re-login, restored automatically; secrets never reach storage",
  { timeout: 90000 },
  async (s) => {
    const writes = await spyOnStorageWrites(s);
    const { csrf, draftKey } = await aliceWithDraft(s);
    const secrets = [CARD_NUMBER, ACCOUNT_PASSWORD, csrf, LOGIN_PASSWORD];
    await assertNoSecrets(s, secrets, "after typing", writes);
    assert.ok(writes.some((w) => w.key === draftKey), "the spy saw the draft being written");

    const d = await idleUntilExpired(s);
    assert.match(d.text, /Your input has been saved/, "the expired dialog says the input is safe");
    assert.ok(draftKeysAt(await guardKeys(s.page), "/form").length === 1, "the draft is still stored at expiry");
    await assertNoSecrets(s, secrets, "after expiry", writes);

    await clickLogInAgain(s);
    await assertNoSecrets(s, secrets, "on the login page", writes);
    const mark = await submitLogin(s, "alice", "/form");
    const newCsrf = await csrfField(s.page);
    secrets.push(newCsrf);

    const restored = await waitFor(() => eventsSince(s, mark, "draftrestored")[0], {
      timeout: 10000,
      message: "sessionguard:draftrestored after the re-login (restore: auto)",
    });
    assert.equal(restored.detail?.form, "form#request-form");
    assert.deepEqual(await readRequestForm(s.page), RESTORED, "every typed value is back; secrets stay empty");
    const fields = restored.detail?.fields;
    assert.ok(typeof fields === "number" && fields >= 6, `draftrestored.detail.fields = ${fields} (6 fields were changed)`);
    await assertNoNotice(s, "after an automatic restore");
    assert.equal(eventsSince(s, mark, "draftrestored").length, 1, "restored once");

    await s.settle();
    await assertNoSecrets(s, secrets, "after the restore", writes);
    assert.deepEqual(s.eventsOf("error").map((e) => e.detail), [], "no sessionguard:error");
  },
);

suite.test(
  "b. another user on the same browser sees nothing restored, and the first user's drafts are purged",
  { timeout: 90000 },
  async (s) => {
    const { prefix } = await aliceWithDraft(s);
    await idleUntilExpired(s);
    const aliceKeys = (await guardKeys(s.page)).filter((k) => k.startsWith(prefix));
    assert.ok(aliceKeys.length >= 1, "alice has stored keys before bob comes");

    await clickLogInAgain(s);
    const mark = await submitLogin(s, "bob", "/form");
    await waitFor(async () => (await guardKeys(s.page)).every((k) => !k.startsWith(prefix)), {
      message: `alice's ${prefix}* keys to be purged when bob's guard starts`,
    });
    await s.settle();
    assert.equal(eventsSince(s, mark, "draftrestored").length, 0, "no sessionguard:draftrestored for bob");
    await assertNoNotice(s, "for bob");
    assert.deepEqual(await readRequestForm(s.page), BLANK, "bob's form is as the server rendered it");
    for (const key of await guardKeys(s.page)) {
      assert.notEqual(userPrefixOf(key), prefix, `alice's key ${key} survived`);
    }
  },
);

suite.test("c. guard.logout() deletes every draft of the user", { timeout: 60000 }, async (s) => {
  const { prefix } = await aliceWithDraft(s, { secrets: false });
  await s.page.clock.resume();
  await Promise.all([
    s.page.waitForURL((u) => u.pathname === "/login"),
    s.page.evaluate(() => window.sessionGuard.logout()),
  ]);
  await waitFor(() => s.eventsOf("loggedout").length === 1, { message: "sessionguard:loggedout" });
  const left = draftLikeKeys(await guardKeys(s.page)).filter((k) => k.startsWith(prefix));
  assert.deepEqual(left, [], "no draft key (nor resume marker) of alice after logout");

  // Back in: nothing to restore or offer.
  const mark = await submitLogin(s, "alice", "/form");
  await s.settle();
  assert.equal(eventsSince(s, mark, "draftrestored").length, 0);
  await assertNoNotice(s, "after logging back in");
  assert.deepEqual(await readRequestForm(s.page), BLANK);
});

suite.test("c2. 'Log out' in the dialog deletes every draft of the user", { timeout: 90000 }, async (s) => {
  const { prefix } = await aliceWithDraft(s, { secrets: false });
  await s.advanceUntil(
    async () => {
      const d = await s.dialog();
      return d?.open && d.state === "warning";
    },
    { step: 1000, max: 3 * TIMEOUT * 1000, message: "the warning dialog" },
  );
  await s.page.clock.resume();
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/login"), s.button("logout").click()]);
  await waitFor(() => s.eventsOf("loggedout").length === 1, { message: "sessionguard:loggedout" });
  const left = draftLikeKeys(await guardKeys(s.page)).filter((k) => k.startsWith(prefix));
  assert.deepEqual(left, [], "no draft key (nor resume marker) of alice after logout");
});

suite.test("d. React controlled form: restored values reach React's state", { timeout: 90000 }, async (s) => {
  await s.loginToForm({ next: "/react-form", password: LOGIN_PASSWORD });
  const typed = { title: "Printer on fire", body: "Smoke.\nLots of it — 煙がたくさん。", category: "bug", urgent: true, priority: "high" };
  const mark0 = s.events.length;
  await typeInto(s.page, "#title", typed.title);
  await s.page.locator("#body").click();
  await s.page.keyboard.type(typed.body);
  await s.page.selectOption("#category", typed.category);
  await s.page.check("#urgent");
  await s.page.check("#priority-high");
  const reactState = async () => JSON.parse(await s.page.locator("#react-state").textContent());
  assert.deepEqual(await reactState(), typed, "React's state follows the typing");
  const saved = await waitForDraftSaved(s, mark0);
  assert.equal(saved.detail?.form, "form#react-form");
  assert.equal(draftKeysAt(await guardKeys(s.page), "/react-form").length, 1, "one draft key for /react-form");

  await idleUntilExpired(s);
  await clickLogInAgain(s);
  const mark = await submitLogin(s, "alice", "/react-form");
  const restored = await waitFor(() => eventsSince(s, mark, "draftrestored")[0], {
    timeout: 10000,
    message: "sessionguard:draftrestored on the React page",
  });
  assert.equal(restored.detail?.form, "form#react-form");
  await waitFor(async () => isDeepStrictEqual(await reactState(), typed), {
    message: `#react-state to show the restored values ${JSON.stringify(typed)}`,
  });
  const dom = await s.page.evaluate(() => ({
    title: document.getElementById("title").value,
    body: document.getElementById("body").value,
    category: document.getElementById("category").value,
    urgent: document.getElementById("urgent").checked,
    priority: document.querySelector('input[name="priority"]:checked')?.value ?? "",
  }));
  assert.deepEqual(dom, typed, "the DOM agrees with React's state");

  // React really owns the values: submitting posts them.
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/react-form"), s.page.click("#submit")]);
  assert.equal(await s.page.locator('dd[data-field="title"]').textContent(), typed.title);
  assert.equal(await s.page.locator('dd[data-field="priority"]').textContent(), typed.priority);
});

/** Fills localStorage with foreign keys until even one more character is refused. */
function fillStorage(page) {
  return page.evaluate(() => {
    localStorage.setItem("app:settings", JSON.stringify({ theme: "dark" }));
    let chunk = "x".repeat(1 << 20);
    let i = 0;
    let quotaErrors = 0;
    while (chunk.length > 0) {
      try {
        localStorage.setItem(`app:fill:${i}`, chunk);
        i += 1;
      } catch (err) {
        if (err?.name !== "QuotaExceededError") throw err;
        quotaErrors += 1;
        chunk = chunk.slice(0, Math.floor(chunk.length / 2));
      }
    }
    const foreign = {};
    for (let k = 0; k < localStorage.length; k++) {
      const key = localStorage.key(k);
      if (!key.startsWith("session-guard:")) foreign[key] = localStorage.getItem(key).length;
    }
    return { foreign, quotaErrors };
  });
}

function foreignKeys(page) {
  return page.evaluate(() => {
    const foreign = {};
    for (let k = 0; k < localStorage.length; k++) {
      const key = localStorage.key(k);
      if (!key.startsWith("session-guard:")) foreign[key] = localStorage.getItem(key).length;
    }
    return foreign;
  });
}

suite.test("e. storage quota exceeded: sessionguard:error {code: quota}, no exception, foreign keys untouched", async (s) => {
  await s.loginToForm();
  const { foreign, quotaErrors } = await fillStorage(s.page);
  assert.ok(quotaErrors > 0 && Object.keys(foreign).length > 2, "localStorage is full");

  const mark = s.events.length;
  await typeInto(s.page, "#name", TYPED.name);
  await s.page.locator("#message").click();
  await s.page.keyboard.type("Typed while the storage is full.");
  await s.advanceUntil(() => eventsSince(s, mark, "error").some((e) => e.detail?.code === "quota"), {
    step: 250,
    max: 5000,
    message: 'sessionguard:error {code: "quota"} after the debounced save',
  });
  const err = eventsSince(s, mark, "error").find((e) => e.detail?.code === "quota");
  assert.equal(typeof err.detail.message, "string", "the error has a message");
  assert.deepEqual(s.pageErrors.map(String), [], "no exception reached the page");
  assert.deepEqual(await foreignKeys(s.page), foreign, "the page's own keys are all still there, unchanged");
  assert.equal((await s.guard()).state, "active", "the guard keeps running");

  // Still usable afterwards: more typing and an explicit save throw nothing into the page.
  await s.page.keyboard.type(" More.");
  await s.page.evaluate(() => window.sessionGuard.saveDrafts());
  await s.runFor(2000);
  assert.deepEqual(s.pageErrors.map(String), []);
  assert.deepEqual(await foreignKeys(s.page), foreign, "still never cleared");
});

suite.test("e2. storage quota exceeded: the draft is kept in memory, guard.restoreDrafts() brings it back", async (s) => {
  await s.loginToForm();
  await fillStorage(s.page);
  const mark = s.events.length;
  await typeInto(s.page, "#name", TYPED.name);
  await s.advanceUntil(() => eventsSince(s, mark, "error").some((e) => e.detail?.code === "quota"), {
    step: 250,
    max: 5000,
    message: 'sessionguard:error {code: "quota"}',
  });
  // The field is emptied behind the guard's back (no input event, so no new save)…
  await s.page.evaluate(() => {
    document.getElementById("name").value = "";
  });
  // …and the in-memory draft fills it again.
  const before = s.events.length;
  await s.page.evaluate(() => window.sessionGuard.restoreDrafts());
  await s.settle();
  await waitFor(async () => (await s.page.inputValue("#name")) === TYPED.name, {
    message: "the name restored from the in-memory draft",
  });
  assert.ok(eventsSince(s, before, "draftrestored").length >= 1, "sessionguard:draftrestored");
});

suite.test("e3. storage disabled (localStorage throws): sessionguard:error {code: storage}, the guard keeps working", async (s) => {
  // As in a browser that blocks site data: merely reading window.localStorage throws.
  await s.context.addInitScript(() => {
    for (const name of ["localStorage", "sessionStorage"]) {
      Object.defineProperty(window, name, {
        configurable: true,
        get() {
          throw new DOMException(`Failed to read the '${name}' property from 'Window': Access is denied for this document.`, "SecurityError");
        },
      });
    }
  });
  await s.loginToForm();
  const mark = s.events.length;
  await typeInto(s.page, "#name", TYPED.name);
  await s.advanceUntil(() => s.eventsOf("error").some((e) => e.detail?.code === "storage"), {
    step: 250,
    max: 5000,
    message: 'sessionguard:error {code: "storage"} (at start or at the first save)',
  });
  await s.runFor(2000); // the debounced save (to memory) runs, whenever the error came
  assert.deepEqual(
    s.eventsOf("error").map((e) => e.detail?.code).filter((c) => c !== "storage"),
    [],
    "no other kind of error (in particular not config: the guard started)",
  );
  assert.deepEqual(s.pageErrors.map(String), [], "no exception reached the page");
  const g = await s.guard();
  assert.equal(g.state, "active", "the guard keeps running");
  assert.ok(g.remaining > 0);

  // Drafts live on in memory.
  await s.page.evaluate(() => {
    document.getElementById("name").value = "";
  });
  await s.page.evaluate(() => window.sessionGuard.restoreDrafts());
  await waitFor(async () => (await s.page.inputValue("#name")) === TYPED.name, {
    message: "the name restored from the in-memory draft",
  });
  assert.ok(eventsSince(s, mark, "draftrestored").length >= 1, "sessionguard:draftrestored");
});

suite.test("f. a reload without expiry offers the draft in a non-modal notice: Restore fills, Discard deletes", { timeout: 90000 }, async (s) => {
  await aliceWithDraft(s, { secrets: false });
  await s.page.clock.resume();

  // Reload: a draft but no expiry → offered, not applied.
  let mark = await openPage(s, "/form");
  const n = await waitForNotice(s);
  assert.ok(n.text.includes(NOTICE_EN), `notice text: ${n.text}`);
  assert.equal(n.restore?.text, "Restore");
  assert.ok(n.restore.visible);
  assert.equal(n.discard?.text, "Discard");
  assert.ok(n.discard.visible);
  assert.equal(n.modalOpen, false, "the notice is not modal");
  assert.deepEqual(await readRequestForm(s.page), BLANK, "nothing is applied before the user chooses");
  assert.equal(eventsSince(s, mark, "draftrestored").length, 0);
  // Non-modal: the page stays usable while it is shown.
  await typeInto(s.page, "#phone", "+81 3 1234 5678");
  assert.equal(await s.page.inputValue("#phone"), "+81 3 1234 5678");
  await clearField(s.page, "#phone");

  await s.page.click(`${NOTICE} button[data-action="restore"]`);
  await waitFor(async () => isDeepStrictEqual(await readRequestForm(s.page), RESTORED), {
    message: "the form to be filled from the draft",
  });
  const restored = await waitFor(() => eventsSince(s, mark, "draftrestored")[0], { message: "sessionguard:draftrestored" });
  assert.equal(restored.detail?.form, "form#request-form");
  await waitFor(async () => !(await notice(s.page))?.visible, { message: "the notice to go away after Restore" });

  // Reload again: still a draft (nothing was sent) → offered again; Discard this time.
  mark = await openPage(s, "/form");
  await waitForNotice(s);
  await s.page.click(`${NOTICE} button[data-action="discard"]`);
  await waitFor(async () => !(await notice(s.page))?.visible, { message: "the notice to go away after Discard" });
  await waitFor(async () => draftKeysAt(await guardKeys(s.page), "/form").length === 0, {
    message: "the /form draft to be deleted by Discard",
  });
  assert.deepEqual(await readRequestForm(s.page), BLANK, "Discard leaves the form as it was");
  assert.equal(eventsSince(s, mark, "draftrestored").length, 0);

  // And it stays gone.
  mark = await openPage(s, "/form");
  await s.settle();
  await assertNoNotice(s, "after Discard and a reload");
  assert.equal(eventsSince(s, mark, "draftrestored").length, 0);
  assert.equal(draftKeysAt(await guardKeys(s.page), "/form").length, 0);
});

suite.test("f2. the notice in Japanese", { locale: "ja-JP" }, async (s) => {
  await aliceWithDraft(s, { secrets: false });
  await s.page.clock.resume();
  await openPage(s, "/form");
  const n = await waitForNotice(s);
  assert.match(n.text, NOTICE_JA);
  assert.ok(n.restore?.visible && n.discard?.visible, "both buttons are shown");
});

suite.test("f3. restore: \"manual\" — neither restored nor offered, even after a re-login; guard.restoreDrafts() restores", { timeout: 90000 }, async (s) => {
  // The demo's script tag has no data-restore: add it while the page is parsed, before the
  // deferred loader reads its attributes.
  await s.context.addInitScript(() => {
    const mo = new MutationObserver(() => {
      const tag = document.querySelector('script[src$="/session-guard.js"]');
      if (tag) {
        tag.setAttribute("data-restore", "manual");
        mo.disconnect();
      }
    });
    mo.observe(document, { childList: true, subtree: true });
  });
  await aliceWithDraft(s, { secrets: false });
  assert.equal(
    await s.page.evaluate(() => document.querySelector('script[src$="/session-guard.js"]').dataset.restore),
    "manual",
  );
  await idleUntilExpired(s);
  await clickLogInAgain(s);
  const mark = await submitLogin(s, "alice", "/form");
  await s.settle();
  assert.equal(eventsSince(s, mark, "draftrestored").length, 0, "nothing restored by itself");
  await assertNoNotice(s, "with restore: manual");
  assert.deepEqual(await readRequestForm(s.page), BLANK);

  await s.page.evaluate(() => window.sessionGuard.restoreDrafts());
  await waitFor(async () => (await readRequestForm(s.page)).name === TYPED.name, { message: "restoreDrafts() to fill the form" });
  assert.deepEqual(await readRequestForm(s.page), RESTORED);
  const restored = await waitFor(() => eventsSince(s, mark, "draftrestored")[0], { message: "sessionguard:draftrestored" });
  assert.equal(restored.detail?.form, "form#request-form");
});

suite.test("g. a successful submit deletes the draft once the next page loads", { timeout: 60000 }, async (s) => {
  await aliceWithDraft(s, { secrets: false });
  await s.page.clock.resume();
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/form"), s.page.click("#submit")]);
  assert.equal(await s.page.locator("#saved-title").textContent(), "Saved");
  assert.equal(await s.page.locator('dd[data-field="name"]').textContent(), TYPED.name);
  await s.guardReady();
  await waitFor(async () => draftKeysAt(await guardKeys(s.page), "/form").length === 0, {
    message: "the /form draft to be deleted after the Saved page loaded",
  });

  const mark = await openPage(s, "/form");
  await s.settle();
  await assertNoNotice(s, "after a successful submit");
  assert.equal(eventsSince(s, mark, "draftrestored").length, 0);
  assert.deepEqual(await readRequestForm(s.page), BLANK);
});

suite.test("g2. a submit that ends at the login page (server session gone) keeps the draft; it is restored after login", { timeout: 60000 }, async (s) => {
  const { draftKey } = await aliceWithDraft(s, { secrets: false });
  await s.server.hook("/__test/expire-sessions", {});
  await s.page.clock.resume();
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/login"), s.page.click("#submit")]);
  assert.match(await s.page.locator("#signed-out-note").textContent(), /signed out after a period of inactivity/);
  const keys = await guardKeys(s.page);
  assert.ok(keys.includes(draftKey), `the draft survives the failed submit (keys: ${JSON.stringify(keys)})`);

  const mark = await submitLogin(s, "alice", "/form");
  // Restored after the login: automatically, or through the notice's Restore. Either way the
  // draft must not have been taken for a successful submission and deleted.
  await waitFor(
    async () => eventsSince(s, mark, "draftrestored").length > 0 || (await notice(s.page))?.visible,
    { timeout: 10000, message: "the draft to be restored or offered after the login" },
  );
  if (eventsSince(s, mark, "draftrestored").length === 0) {
    await s.page.click(`${NOTICE} button[data-action="restore"]`);
    await waitFor(() => eventsSince(s, mark, "draftrestored").length > 0, { message: "sessionguard:draftrestored" });
  }
  await waitFor(async () => (await readRequestForm(s.page)).name === TYPED.name, { message: "the name restored" });
  assert.deepEqual(await readRequestForm(s.page), RESTORED);
});

// Real time: Playwright's fake clock also fakes `performance`, whose navigation entry (type,
// status) is what tells the guard that an error page answered the submit.
suite.test("g3. a submit answered by an error page (stale CSRF token, 400) keeps the draft; the form offers it again", { timeout: 60000, clock: false }, async (s) => {
  await s.login({ user: "alice", password: LOGIN_PASSWORD });
  await s.guardReady();
  const saved = s.events.length;
  await fillRequestForm(s.page, { secrets: false });
  await waitFor(() => eventsSince(s, saved, "draftsaved").length > 0, { timeout: 5000, message: "sessionguard:draftsaved" });
  const [draftKey, ...more] = draftKeysAt(await guardKeys(s.page), "/form");
  assert.ok(draftKey && more.length === 0);
  // As in a tab revived by a login in another tab: the form still carries the old token.
  await s.page.evaluate(() => (document.querySelector("#request-form input[name=_csrf]").value = "stale-token"));
  let mark = s.events.length;
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/form"), s.page.click("#submit")]);
  assert.match(await s.page.locator("[data-status]").textContent(), /invalid CSRF token/);
  assert.equal(await s.page.evaluate(() => performance.getEntriesByType("navigation")[0].responseStatus), 400);
  await s.guardReady();
  // The error page's guard saw the 400: the draft stays, no longer waiting for its submission.
  const record = await waitFor(
    async () => {
      const value = await s.page.evaluate((key) => localStorage.getItem(key), draftKey);
      return value && JSON.parse(value).pending === false ? JSON.parse(value) : null;
    },
    { message: `the draft ${draftKey} kept, not pending` },
  );
  assert.ok(record.f.length > 0);

  // A signed-in page loads next, as after a successful submit: the draft is not taken for one.
  mark = await openPage(s, "/form");
  await waitForNotice(s);
  await s.page.click(`${NOTICE} button[data-action="restore"]`);
  await waitFor(async () => isDeepStrictEqual(await readRequestForm(s.page), RESTORED), {
    message: "the form to be filled from the draft",
  });
  assert.equal(eventsSince(s, mark, "draftrestored").length, 1);
});

suite.test("h. drafts older than the TTL (24 h) are swept at start", { timeout: 60000 }, async (s) => {
  await aliceWithDraft(s, { secrets: false });
  // Leave for a page without the guard (its pagehide flush happens now), then let a day pass.
  await s.page.goto(s.url("/favicon.svg"));
  const now = await s.now();
  await s.page.clock.setSystemTime(now + 25 * 3600 * 1000);
  await s.page.clock.resume();
  const mark = await openPage(s, "/form");
  await waitFor(async () => draftKeysAt(await guardKeys(s.page), "/form").length === 0, {
    message: "the day-old /form draft to be swept at start",
  });
  await s.settle();
  await assertNoNotice(s, "for an expired draft");
  assert.equal(eventsSince(s, mark, "draftrestored").length, 0);
  assert.deepEqual(await readRequestForm(s.page), BLANK);
});
