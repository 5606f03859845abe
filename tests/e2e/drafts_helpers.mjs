// Helpers the drafts tests share (drafts, drafts_truth, drafts_encrypted): the guard's events
// since a mark, the fake clock run to a draft save or to expiry, typing, and the page's storage.

import { TIMEOUT, typeInto } from "./harness.mjs";

/** The password the drafts suites sign in with (the demo accepts any; this one must never be stored). */
export const LOGIN_PASSWORD = "pw-Login-7731";

/**
 * "Log in again" on the expired dialog → the login page → signed in again with the keyboard
 * (Enter in the password field), back on `path`. Returns the event mark of the landing page.
 */
export async function logInAgain(s, path = "/form") {
  await s.page.clock.resume();
  await Promise.all([s.page.waitForURL((u) => u.pathname === "/login"), s.button("login").click()]);
  await typeInto(s.page, "#username", "alice");
  await typeInto(s.page, "#password", LOGIN_PASSWORD);
  const mark = s.events.length;
  await Promise.all([s.page.waitForURL((u) => u.pathname === path), s.page.press("#password", "Enter")]);
  await s.guardReady();
  return mark;
}

/** The guard's `type` events recorded since `mark` (an index into `s.events`). */
export function eventsSince(s, mark, type) {
  return s.events.slice(mark).filter((e) => e.type === type);
}

/** Advances the fake clock until a new `sessionguard:draftsaved` (the ~1 s debounce). */
export async function waitForDraftSaved(s, mark, { max = 6000 } = {}) {
  await s.advanceUntil(() => eventsSince(s, mark, "draftsaved").length > 0, {
    step: 250,
    max,
    message: "sessionguard:draftsaved (debounced ~1 s after the last input)",
  });
  return eventsSince(s, mark, "draftsaved").at(-1);
}

/** Leaves the user idle until the dialog shows the expired state (auto-extend pings on the way are fine). */
export async function idleUntilExpired(s) {
  return s.advanceUntil(
    async () => {
      const d = await s.dialog();
      return d?.open && d.state === "expired" ? d : null;
    },
    { step: 1000, max: 4 * TIMEOUT * 1000, message: "the expired dialog" },
  );
}

export { typeInto } from "./harness.mjs";

/** Every localStorage and sessionStorage entry of the page's origin: [[area, key, value], …]. */
export function storageEntries(page) {
  return page.evaluate(() => {
    const out = [];
    for (const [area, store] of [
      ["local", window.localStorage],
      ["session", window.sessionStorage],
    ]) {
      for (let i = 0; i < store.length; i++) {
        const key = store.key(i);
        out.push([area, key, store.getItem(key)]);
      }
    }
    return out;
  });
}

/**
 * Records every Storage#setItem call of every document of the context (before it runs,
 * so that a write that throws is recorded too). Install before the first navigation.
 */
export async function spyOnStorageWrites(s) {
  const writes = [];
  await s.context.exposeBinding("__sgStorageWrite", (source, area, key, value) => {
    writes.push({ area, key, value, url: source.page?.url() ?? null });
  });
  await s.context.addInitScript(() => {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      try {
        const area = this === window.sessionStorage ? "session" : "local";
        window.__sgStorageWrite(area, String(key), String(value));
      } catch {
        // recording must never change what the page sees
      }
      return setItem.call(this, key, value);
    };
  });
  return writes;
}
