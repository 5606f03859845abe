// Type definitions for session-guard (hand-written; keep in step with notes/CONTRACT.md).

/** The guard's state as reported by {@link SessionGuard.state}. */
export type SessionGuardState = "active" | "warning" | "expired" | "loggedOut";

/** Why the session was declared expired. */
export type SessionGuardExpiredReason = "idle" | "server" | "absolute";

/** Codes carried by the `sessionguard:error` event. */
export type SessionGuardErrorCode = "quota" | "storage" | "network" | "config";

/**
 * Where the CSRF token sent with keep-alive and logout requests comes from.
 * Exactly one of `meta`, `token` or `cookie` is given together with `header`.
 */
/**
 * Names of the page's hidden CSRF inputs a fresh token (`"csrfToken"` in a keep-alive or status
 * JSON) is written into; a string may hold several, separated by spaces or commas
 * (`data-csrf-field`). Default: csrfmiddlewaretoken, _token, authenticity_token,
 * __RequestVerificationToken, _csrf, csrf_token. The token is never stored.
 */
export type SessionGuardCsrfField = { field?: string | string[] };

export type SessionGuardCsrf = SessionGuardCsrfField & (
  | {
      /** Request header that carries the token, e.g. `"X-CSRF-Token"`. */
      header: string;
      /** Name of a `<meta name="…" content="token">` element to read the token from (read on every request). */
      meta: string;
      token?: never;
      cookie?: never;
    }
  | {
      /** Request header that carries the token, e.g. `"X-CSRF-Token"`. */
      header: string;
      /** The token itself. */
      token: string;
      meta?: never;
      cookie?: never;
    }
  | {
      /** Request header that carries the token, e.g. `"X-XSRF-TOKEN"`. */
      header: string;
      /** Name of a (non-HttpOnly) cookie to read the token from, e.g. `"XSRF-TOKEN"`. */
      cookie: string;
      meta?: never;
      token?: never;
    });

/**
 * Options accepted by {@link start}. Every option also has a `data-` attribute form
 * (kebab-case, e.g. `data-warn-before="120"`) for the classic `session-guard.js` script.
 * Bad options make `start` reject with an `Error` naming the option and the reason.
 */
export interface SessionGuardOptions {
  /**
   * The server's idle session timeout, in seconds (e.g. `1800`).
   * Required unless the server reports the remaining time with
   * `Server-Timing: session;dur=<ms>` or the keep-alive response.
   */
  timeout?: number;
  /**
   * Seconds before expiry at which the warning dialog opens.
   * Default `120`; at least `20` and less than `timeout`.
   */
  warnBefore?: number;
  /**
   * URL that extends the server session: `POST`, same-origin credentials,
   * `X-Requested-With: XMLHttpRequest`, plus the CSRF header when `csrf` is set.
   * A 2xx answer extends; the remaining time is read from JSON `{"expiresIn": s}`,
   * the `Session-Expires-In` header, or else `timeout`. Required.
   */
  keepAliveUrl: string;
  /**
   * Login page. "Log in again" goes to `loginUrl?next=<current URL>`; a response redirected
   * here counts as "expired". Default: none ("Log in again" reloads the page).
   */
  loginUrl?: string;
  /**
   * Optional `GET` that reports the remaining time WITHOUT renewing the session:
   * `200 {"expiresIn": s}` alive, 401/403/419/440 or a login page gone, anything else unknown.
   * The leader tab asks it 3 s before the warning would open and 3 s before declaring expiry
   * (never while idle otherwise; at most twice per cycle); the answer is shared with every tab.
   */
  statusUrl?: string;
  /** Logout URL used by the dialog's "Log out" button (`POST`). Default: none (no "Log out" button). */
  logoutUrl?: string;
  /**
   * What renews the server session.
   * - `"request"` (default): any same-origin request (ASP.NET, Spring, Rails, Laravel, express-session `rolling`).
   * - `"keepalive"`: only the keep-alive ping (Django's default).
   */
  renewOn?: "request" | "keepalive";
  /**
   * How the server slides its expiry window.
   * - `"full"` (default): every renewing request restarts the full `timeout`.
   * - `"half"`: renewed only once more than half the window has passed (ASP.NET Core cookie auth).
   */
  slidingWindow?: "full" | "half";
  /** Seconds since login after which no extension is possible. Default `null` (no absolute limit). */
  absoluteTimeout?: number | null;
  /**
   * Keep an active user signed in without showing the dialog: activity since the last renewal
   * triggers at most one keep-alive per renewal window, none while idle. Default `true`.
   */
  autoExtend?: boolean;
  /** Opaque user id that scopes the shared deadline and the drafts; another user never sees them. Default `""`. */
  user?: string | number;
  /**
   * Which forms have their drafts saved to localStorage: `true` (default) for all forms,
   * `false` for none, or a CSS selector of the forms to guard.
   */
  drafts?: boolean | string;
  /**
   * How drafts come back after a re-login.
   * - `"auto"` (default): restored automatically after re-login.
   * - `"prompt"`: the user is asked first.
   * - `"manual"`: only by calling {@link SessionGuard.restoreDrafts}.
   */
  restore?: "auto" | "prompt" | "manual";
  /** Seconds a saved draft is kept before it is swept. Default `86400` (24 h). */
  draftTtl?: number;
  /**
   * The signed-in user's draft key, issued by the server: base64url of 32 random bytes (43
   * characters), the same for the user on every page. With it, every draft record and long text
   * is stored encrypted (ChaCha20-Poly1305, a fresh random nonce per write, bound to the user and
   * the storage key); drafts under another key, or in clear, are never restored. The guard never
   * stores the key. `data-draft-key`. Default: none (drafts stored in clear). A bad value rejects
   * `start` with an error naming the option.
   */
  draftKey?: string | null;
  /**
   * Instead of `draftKey` while a key is rotated: `[current, previous…]` (one to four). The first
   * encrypts; every one decrypts. `data-draft-keys="current previous"`.
   */
  draftKeys?: string[];
  /** Dialog language: `"auto"` (default, from `navigator.language`), `"en"` or `"ja"`. */
  lang?: "auto" | "en" | "ja";
  /**
   * Overrides for the built-in dialog texts, by message key.
   * As data attributes: one per key, `data-messages-<key>` (e.g. `data-messages-continue`).
   */
  messages?: Partial<Record<SessionGuardMessageKey, string>>;
  /**
   * Where the CSRF token sent with keep-alive and logout requests comes from.
   * Default: `{ header: "X-CSRF-Token", meta: "csrf-token" }` — sent only when the page has that meta tag.
   */
  csrf?: SessionGuardCsrf;
  /** Nonce put on the injected `<style>` element, for a strict `style-src` CSP. Default: none. */
  cspNonce?: string;
  /** Whether Escape (or closing the dialog) extends the session like "Continue". Default `true`. */
  escapeExtends?: boolean;
  /**
   * `false`: headless. No built-in dialog, notice or title countdown; the page draws its own UI
   * from the events (`warning`, `countdown`, `expired`, `draftsavailable`, …) and calls
   * `extend()`, `logout()`, `relogin()`, `restoreDrafts()`, `discardDrafts()`. Default `true`.
   */
  dialog?: boolean;
  /**
   * `"page"`: "Log in again" (and `relogin()`) navigates to `loginUrl?next=<this page>`.
   * `"popup"`: opens that URL in a new window, in the click's user gesture; when the guarded page
   * the login leads to in it publishes the new session, this page resumes in place (dialog
   * closed; fields, chosen files and scroll untouched) and the window closes itself. A blocked
   * popup (`window.open` returns null) falls back to `"page"`. Default `"page"`.
   */
  relogin?: "page" | "popup";
}

/** Keys of the dialog and notice texts that `messages` can override. `{time}` marks where the time goes. */
export type SessionGuardMessageKey =
  | "warningTitle" | "warning" | "absoluteWarning" | "expiredTitle" | "expired" | "expiredAbsolute" | "expiredServer"
  | "inputSaved" | "inputNotSaved" | "continue" | "ok" | "logout" | "login" | "titleCountdown"
  | "restorePrompt" | "restore" | "discard" | "attachAgain";

/** How {@link SessionGuard.registerField} reads and writes a field. */
export interface SessionGuardField {
  /** The field's value now. */
  read(): string;
  /** Puts a saved value back (after a re-login). */
  write(value: string): void;
}

/** What the application saw in a server response; passed to {@link SessionGuard.touch}. */
export interface SessionGuardTouch {
  /** Seconds until the server session expires, if the response said so. Default: `timeout`. */
  expiresIn?: number;
}

/** A running guard, returned by {@link start} (and `window.sessionGuard` for the script tag). */
export declare class SessionGuard {
  private constructor();
  /** Extends the session now (sends the keep-alive ping); an open warning closes once the server confirms. */
  extend(): void;
  /** Logs out: `POST logoutUrl`, purges this user's drafts, then goes to the login page. */
  logout(): void;
  /** Seconds until the session expires, rounded down; `NaN` while the timeout is not known yet. */
  remaining(): number;
  /** The current state. */
  state(): SessionGuardState;
  /** Tells the guard that the application saw a server response (which renewed the session). */
  touch(report?: SessionGuardTouch): void;
  /** Saves the drafts of the guarded forms now. */
  saveDrafts(): void;
  /** Restores saved drafts into the guarded forms now. */
  restoreDrafts(): void;
  /**
   * Deletes the draft of `form` (of every guarded form without one). For apps that submit
   * with `fetch`: call it once the server accepted the submission. Resetting a form to its
   * defaults (`form.reset()`, a reset button) does the same.
   */
  discardDrafts(form?: HTMLFormElement): void;
  /**
   * Saves and restores a field the guard cannot see by itself (an editor with a model of its
   * own): `read()` returns its value as a string, `write(value)` puts a saved value back through
   * the editor's API. The field belongs to the form (or `data-session-draft` element) around
   * `element`, and is known by its `name`, `data-session-draft` or `id` attribute. Edits are seen
   * from the `input` events that bubble out of `element`. Returns the function that unregisters it.
   */
  registerField(element: Element, field: SessionGuardField): () => void;
  /** What "Log in again" does (for headless UIs): saves the drafts, marks the resume, goes to `loginUrl?next=…`. */
  relogin(): void;
  /** Stops the guard: removes listeners, the timer and the dialog. Drafts stay saved. */
  destroy(): void;
  /** Frees the wasm-side object (wasm-bindgen). Call {@link destroy} first. */
  free(): void;
}

/** Loads and instantiates the wasm beside this module; resolves once (memoised). */
export declare function ready(): Promise<void>;

/**
 * Loads the wasm (once) and starts a guard.
 * Rejects with an `Error` like ``session-guard: option `timeout`: must be a positive number of seconds``.
 */
export declare function start(options: SessionGuardOptions): Promise<SessionGuard>;

/** Detail of the events that carry no data (`sessionguard:loggedout`, `sessionguard:login`): an empty object. */
export type SessionGuardEmptyDetail = Record<string, never>;

/** `sessionguard:warning`: the warning dialog opened. */
export interface SessionGuardWarningDetail {
  /** Seconds left until expiry. */
  remaining: number;
}
/** `sessionguard:countdown`: each second while the warning lasts (in a visible tab). */
export interface SessionGuardCountdownDetail {
  /** Seconds left until expiry. */
  remaining: number;
}
/** `sessionguard:draftsavailable`: a stored draft waits to be restored into `form` (`restoreDrafts()` / `discardDrafts()`). */
export interface SessionGuardDraftsAvailableDetail {
  form: HTMLFormElement;
}
/** `sessionguard:extended`: the session was extended. */
export interface SessionGuardExtendedDetail {
  /** New expiry, in ms since the epoch (`Date.now()` scale). */
  expiresAt: number;
}
/** `sessionguard:expired`: the session is over. */
export interface SessionGuardExpiredDetail {
  reason: SessionGuardExpiredReason;
  /** Every guarded form edited on this page is really stored (what the dialog says too). */
  saved: boolean;
}
/** `sessionguard:draftsaved`: a form's draft was stored (not sent when storage refused it). */
export interface SessionGuardDraftSavedDetail {
  /** The form whose draft was saved. */
  form: HTMLFormElement;
}
/** `sessionguard:draftrestored`: a form's draft was written back. */
export interface SessionGuardDraftRestoredDetail {
  /** The form that was restored. */
  form: HTMLFormElement;
  /** Number of fields whose value was restored. */
  fields: number;
}
/** `sessionguard:error`: something went wrong; the page keeps working. */
export interface SessionGuardErrorDetail {
  code: SessionGuardErrorCode;
  message: string;
}
/** `sessionguard:ready` (classic script only): `window.sessionGuard` is set. */
export interface SessionGuardReadyDetail {
  guard: SessionGuard;
}

/** Every event session-guard dispatches on `document`. */
export interface SessionGuardEventMap {
  "sessionguard:warning": CustomEvent<SessionGuardWarningDetail>;
  "sessionguard:countdown": CustomEvent<SessionGuardCountdownDetail>;
  "sessionguard:draftsavailable": CustomEvent<SessionGuardDraftsAvailableDetail>;
  "sessionguard:extended": CustomEvent<SessionGuardExtendedDetail>;
  "sessionguard:expired": CustomEvent<SessionGuardExpiredDetail>;
  /** The user logged out (in this or another tab). */
  "sessionguard:loggedout": CustomEvent<SessionGuardEmptyDetail>;
  /** A fresh session was seen, in this or another tab. */
  "sessionguard:login": CustomEvent<SessionGuardEmptyDetail>;
  "sessionguard:draftsaved": CustomEvent<SessionGuardDraftSavedDetail>;
  "sessionguard:draftrestored": CustomEvent<SessionGuardDraftRestoredDetail>;
  "sessionguard:error": CustomEvent<SessionGuardErrorDetail>;
  "sessionguard:ready": CustomEvent<SessionGuardReadyDetail>;
}

declare global {
  interface DocumentEventMap extends SessionGuardEventMap {}
  interface Window {
    /** The guard started by the classic `session-guard.js` script tag, once `sessionguard:ready` fired. */
    sessionGuard?: SessionGuard;
  }
}
