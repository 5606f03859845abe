// Browser work of the shell, done here where each call costs no wasm import and glue of its
// own: the warning / expired dialog of src/browser/dialog.rs (built, filled, opened), the CSRF
// token's lookup of src/browser/page.rs and the leader lock of src/browser/tabs.rs. What the
// dialog says, which buttons it offers and what a click or a lock means are decided in Rust;
// texts come in as strings and go in through textContent only.

/** Themeable through the custom properties on `dialog.session-guard`; the drafts notice uses it too. */
const STYLE = '.session-guard{--sg-bg:#fff;--sg-fg:#1f2328;--sg-muted:#59636e;--sg-accent:#0b57d0;--sg-accent-fg:#fff;--sg-radius:12px;--sg-font:system-ui,-apple-system,"Segoe UI",sans-serif;box-sizing:border-box;width:min(30rem,calc(100vw - 2rem));padding:1.5rem 1.75rem;border:1px solid transparent;word-break:auto-phrase;border-radius:var(--sg-radius);background:var(--sg-bg);color:var(--sg-fg);font:1rem/1.5 var(--sg-font);box-shadow:0 12px 48px rgba(0,0,0,.3)}dialog.session-guard::backdrop{background:rgba(15,23,42,.6)}.session-guard-notice{position:fixed;z-index:2147483647;right:1rem;bottom:1rem;width:min(24rem,calc(100vw - 2rem));margin:0}.session-guard h2{margin:0 0 .5rem;font-size:1.25rem;line-height:1.3}.session-guard p{margin:0 0 1rem}.session-guard__countdown{font-size:2.25rem;font-weight:700;font-variant-numeric:tabular-nums;color:var(--sg-accent)}.session-guard__live{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}.session-guard__actions{display:flex;flex-wrap:wrap;gap:.75rem;justify-content:flex-end}.session-guard button{font:inherit;min-height:2.75rem;padding:.5rem 1.25rem;border:1px solid var(--sg-muted);border-radius:calc(var(--sg-radius)/2);background:transparent;color:var(--sg-fg);cursor:pointer}.session-guard button[data-action=continue],.session-guard button[data-action=login]{background:var(--sg-accent);border-color:var(--sg-accent);color:var(--sg-accent-fg);font-weight:600}.session-guard button:focus-visible{outline:3px solid var(--sg-accent);outline-offset:2px}.session-guard [hidden]{display:none}@media (prefers-color-scheme:dark){.session-guard{--sg-bg:#1f2328;--sg-fg:#e6edf3;--sg-muted:#9198a1;--sg-accent:#7cacf8;--sg-accent-fg:#0d1117}}';

/** The page's window; undefined in a worker (page.rs `window`). */
export function pageWindow() {
  return typeof window === "undefined" ? undefined : window;
}

/** The style sheet, once per page. */
export function installStyle(document, nonce) {
  if (document.getElementById("session-guard-style")) return;
  const style = document.createElement("style");
  style.id = "session-guard-style";
  if (nonce != null) style.setAttribute("nonce", nonce);
  style.textContent = STYLE;
  document.head?.appendChild(style);
}

const ACTIONS = ["continue", "logout", "login"];

/** The `data-action` of the button a click landed in (the dialog's and the drafts notice's). */
const clickedAction = (event) => event.target.closest?.("[data-action]")?.getAttribute("data-action");

function attributes(element, list) {
  for (const name in list) element.setAttribute(name, list[name]);
  return element;
}

// A native <dialog> opened with showModal() (focus trap, inert background, Escape),
// role="alertdialog", labelled and described, with `lang` for screen readers' voice.
// `onAction` gets 0 continue, 1 logout, 2 login, 3 Escape (the browser does not close it
// by itself). Nothing (undefined) on a page without a body.
export function dialogNew(document, lang, nonce, onAction) {
  installStyle(document, nonce);
  const body = document.body;
  if (!body) return;
  const add = (parent, tag, list) => parent.appendChild(attributes(document.createElement(tag), list));
  const dialog = attributes(document.createElement("dialog"), {
    class: "session-guard",
    role: "alertdialog",
    lang,
    "aria-modal": "true",
    "aria-labelledby": "session-guard-title",
    "aria-describedby": "session-guard-message",
  });
  // title, message, countdown, live region, then the buttons: continue, logout, login
  const parts = [
    add(dialog, "h2", { id: "session-guard-title" }),
    add(dialog, "p", { id: "session-guard-message" }),
    add(dialog, "p", { class: "session-guard__countdown", "aria-hidden": "true" }),
    add(dialog, "p", { class: "session-guard__live", role: "status", "aria-live": "polite" }),
  ];
  const actions = add(dialog, "div", { class: "session-guard__actions" });
  for (const action of ACTIONS) parts.push(add(actions, "button", { type: "button", "data-action": action }));
  dialog.addEventListener("click", (event) => {
    const action = ACTIONS.indexOf(clickedAction(event));
    if (action >= 0) onAction(action);
  });
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    onAction(3);
  });
  body.appendChild(dialog);
  return { dialog, parts, focus: null };
}

// The drafts notice of src/browser/drafts.rs: an <aside> fixed at the bottom of the viewport
// (the style sheet), read out politely, with `text` and a button per `[action, label, …]`.
// `onAction` gets the action of the button a click lands in. Nothing (undefined) on a page
// without a body.
export function noticeNew(document, lang, nonce, text, actions, onAction) {
  installStyle(document, nonce);
  const body = document.body;
  if (!body) return;
  const notice = attributes(document.createElement("aside"), {
    class: "session-guard session-guard-notice",
    role: "status",
    "aria-live": "polite",
    lang,
    "aria-label": text,
  });
  notice.appendChild(document.createElement("p")).textContent = text;
  for (let i = 0; i < actions.length; i += 2) {
    notice.appendChild(attributes(document.createElement("button"), { type: "button", "data-action": actions[i] })).textContent = actions[i + 1];
  }
  notice.addEventListener("click", (event) => {
    const action = clickedAction(event);
    if (action) onAction(action);
  });
  body.appendChild(notice);
  return notice;
}

const isOpen = (ui) => ui.dialog.hasAttribute("open");

// Shows the dialog in `state` with these texts; a part given none (undefined) is hidden, and
// the live region is emptied. Opens it (remembering where focus was) and focuses the login
// button when it has a label, else continue.
export function dialogShow(ui, state, title, message, countdown, continueLabel, logoutLabel, loginLabel) {
  const { dialog, parts } = ui;
  dialog.setAttribute("data-state", state);
  [title, message, countdown, "", continueLabel, logoutLabel, loginLabel].forEach((text, i) => {
    if (text != null) parts[i].textContent = text;
    if (i == 2 || i > 3) parts[i].hidden = text == null;
  });
  if (!isOpen(ui)) {
    const active = dialog.ownerDocument.activeElement;
    ui.focus = typeof active == "object" ? active : null;
    try {
      dialog.showModal();
    } catch {
      // Only when the dialog is detached or already open non-modally.
      dialog.setAttribute("open", "");
    }
  }
  parts[loginLabel == null ? 4 : 6].focus();
}

/** The text of one part (0 title, 1 message, 2 countdown, 3 live region). */
export function dialogText(ui, part, text) {
  ui.parts[part].textContent = text;
}

/** Closes it and gives focus back; with `remove`, takes it out of the page too. */
/** Closes the dialog and gives the focus back to where it was. */
export function dialogClose(ui) {
  if (isOpen(ui)) {
    ui.dialog.close();
    try {
      ui.focus?.focus();
    } catch {}
    ui.focus = null;
  }
}

/** Closes the dialog and takes it out of the document (the guard is destroyed). */
export function dialogRemove(ui) {
  dialogClose(ui);
  ui.dialog.remove();
}

/**
 * The CSRF token the page holds: the `content` of the first `<meta name>` (with `cookie`
 * false), else the decoded value of the cookie `name`. undefined when there is none.
 */
export function csrfToken(document, cookie, name) {
  if (!cookie) {
    for (const meta of document.getElementsByTagName("meta")) if (meta.getAttribute("name") === name) return meta.getAttribute("content") || "";
    return;
  }
  const cookies = document.cookie;
  if (typeof cookies != "string") return;
  for (const pair of cookies.split(";")) {
    const at = pair.indexOf("=");
    if (at >= 0 && pair.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(pair.slice(at + 1).trim());
      } catch {
        return;
      }
    }
  }
}

/**
 * Requests the Web Lock `name` (taking it from its holder with `steal`) and holds it until the
 * returned function is called, which also withdraws a request still waiting. `onGrant` is
 * called once the lock is held. undefined without Web Locks.
 */
export function leaderLock(navigator, name, steal, onGrant) {
  const locks = navigator.locks;
  if (typeof locks != "object" || !locks) return;
  try {
    const abort = new AbortController();
    let release;
    // Held until `release` is called: the lock lives as long as this promise is pending.
    const held = new Promise((resolve) => (release = resolve));
    // The API refuses a signal together with `steal`; a stolen lock is granted at once anyway.
    let granted = false;
    let done = false;
    const pending = locks.request(name, steal ? { steal } : { signal: abort.signal }, () => {
      granted = true;
      if (!done) onGrant(true);
      return held;
    });
    // The request settles once: fulfilled when we release the lock; rejected when we withdraw a
    // waiting request (expected, not an error) or when another tab stole the held lock.
    pending?.catch?.(() => {
      if (granted && !done) onGrant(false);
    });
    return () => {
      done = true;
      abort.abort();
      release();
    };
  } catch {}
}

/** Listens for `type` on `target`; returns the function that stops it (src/browser/listener.rs). */
export function listen(target, type, capture, passive, callback) {
  target.addEventListener(type, callback, { capture, passive });
  return () => target.removeEventListener(type, callback, capture);
}

/** Dispatches `sessionguard:<name>` with `detail` on `document` (src/browser/events.rs). */
export function emit(document, name, detail) {
  document.dispatchEvent(new CustomEvent("sessionguard:" + name, { detail }));
}

/**
 * Calls `onEntry` with each resource entry completed from now on (src/browser/observer.rs);
 * returns the function that stops it, or undefined without PerformanceObserver.
 */
export function observeResources(onEntry) {
  try {
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) onEntry(entry);
    });
    observer.observe({ type: "resource" });
    return () => observer.disconnect();
  } catch {}
}

/** The init of the keep-alive's and the logout's POST (src/browser/keepalive.rs). */
export function requestInit(method, header, token) {
  const headers = new Headers({ "X-Requested-With": "XMLHttpRequest", Accept: "application/json" });
  try {
    if (token != null) headers.set(header, token);
  } catch {} // a header name or value fetch refuses: sent without it
  return { method, credentials: "same-origin", headers };
}
