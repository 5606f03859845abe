// A session dialog of the app's own, for session-guard started with `dialog: false`.
// Copy this file: it needs React 18+ and nothing else. Everything it shows comes from the
// guard's events; every button calls one of the guard's methods.
import { useEffect, useRef, useSyncExternalStore } from "react";

// The events are collected from the moment this module is imported (before `start()` runs),
// into one snapshot that React reads with useSyncExternalStore.
let snapshot = { session: { view: "none" }, draftsFor: null };
const subscribers = new Set();
const update = (change) => {
  snapshot = { ...snapshot, ...change };
  for (const notify of subscribers) notify();
};
const on = {
  warning: (d) => update({ session: { view: "warning", remaining: d.remaining } }),
  countdown: (d) => update({ session: { view: "warning", remaining: d.remaining } }),
  extended: () => update({ session: { view: "none" } }),
  login: () => update({ session: { view: "none" } }),
  loggedout: () => update({ session: { view: "none" } }),
  // `saved` is what the guard saw: every edited form is stored. Claim nothing more.
  expired: (d) => update({ session: { view: "expired", reason: d.reason, saved: d.saved } }),
  draftsavailable: (d) => update({ draftsFor: d.form }),
  draftrestored: () => update({ draftsFor: null }),
};
for (const [type, handle] of Object.entries(on)) {
  document.addEventListener(`sessionguard:${type}`, (event) => handle(event.detail));
}
const subscribe = (notify) => {
  subscribers.add(notify);
  return () => subscribers.delete(notify);
};
const read = () => snapshot;

const clock = (s) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;

const EXPIRED_TEXT = {
  idle: "You were signed out after a period of inactivity.",
  server: "The server ended your session.",
  absolute: "Your session reached its time limit.",
};

/** The app's session dialog and drafts notice. `guard` is what `start({ dialog: false, … })` resolved to. */
export function SessionDialog({ guard }) {
  const { session, draftsFor } = useSyncExternalStore(subscribe, read);
  const firstButton = useRef(null);
  // Focus the dialog's first button when it opens or changes (warning → expired).
  useEffect(() => {
    if (session.view !== "none") firstButton.current?.focus();
  }, [session.view]);

  return (
    <>
      {session.view === "warning" && (
        <div className="session-dialog" role="alertdialog" aria-modal="true" aria-labelledby="session-dialog-title" data-view="warning">
          <h2 id="session-dialog-title">Still there?</h2>
          <p aria-live="off">
            Your session ends in <span data-remaining={session.remaining}>{clock(session.remaining)}</span>.
          </p>
          <button type="button" ref={firstButton} onClick={() => guard.extend()}>
            Continue
          </button>{" "}
          <button type="button" onClick={() => guard.logout()}>
            Log out
          </button>
        </div>
      )}
      {session.view === "expired" && (
        <div className="session-dialog" role="alertdialog" aria-modal="true" aria-labelledby="session-dialog-title" data-view="expired">
          <h2 id="session-dialog-title">Your session has ended</h2>
          <p>{EXPIRED_TEXT[session.reason] ?? EXPIRED_TEXT.idle}</p>
          <p data-saved={String(session.saved)}>
            {session.saved
              ? "Your input is saved: it comes back after you log in."
              : "Your input could not be saved. Copy what you need before you log in again."}
          </p>
          <button type="button" ref={firstButton} onClick={() => guard.relogin()}>
            Log in again
          </button>
        </div>
      )}
      {draftsFor && session.view === "none" && (
        <div className="session-drafts" role="status">
          A draft of this form was kept.{" "}
          <button type="button" onClick={() => guard.restoreDrafts()}>
            Restore
          </button>{" "}
          <button
            type="button"
            onClick={() => {
              guard.discardDrafts(draftsFor);
              update({ draftsFor: null });
            }}
          >
            Discard
          </button>
        </div>
      )}
    </>
  );
}
