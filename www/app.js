// The session-guard demo application: a real server session (express-session, rolling
// expiry) with a short idle timeout, a long form worth protecting, the keep-alive
// endpoint of the server contract, and (only when asked for) hooks for the e2e tests.
//
// `createApp(opts)` builds the app without listening, so tests can run it in-process on
// port 0; www/server.js reads the environment and listens.

import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

import express from "express";
import session from "express-session";

import { sessionStatus } from "../examples/express/session-guard-express.js";
import { editorFiles, editorsFramePage, editorsPage, tinymceDir, tiptapScript } from "./editors.js";
import { formPage, loginPage, messagePage, reactFormPage, savedPage } from "./views.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, "..");
export const DEFAULT_DIST = path.join(REPO_ROOT, "dist");

export const COOKIE_NAME = "sg.sid";
const KEEPALIVE_PATH = "/session/keepalive";
const STATUS_PATH = "/session/status";
const CSRF_HEADER = "x-csrf-token";

/**
 * @param {object} [opts]
 * @param {number} [opts.sessionTimeout=60]  idle timeout in seconds (cookie maxAge, rolling)
 * @param {number} [opts.warnBefore=30]      seconds before expiry the guard warns (passed to the script tag)
 * @param {boolean} [opts.statusUrl=false]   pages hand the guard `data-status-url="/session/status"`, so it asks
 *                                           the server before it warns or signs out (off for the fake-clock
 *                                           tests: the server's real clock would answer for a page clock far ahead)
 * @param {boolean} [opts.testHooks=false]   mount the /__test routes (never in a real deployment)
 * @param {boolean} [opts.recorder=false]    with testHooks: every HTML page loads /__test/recorder.js first, which
 *                                           records the guard's events, page errors and CSP violations in the page
 *                                           (for engines whose automation cannot add an init script: WebKitGTK)
 * @param {string} [opts.distDir]            the built package served at /session-guard (default <repo>/dist)
 * @param {string} [opts.secret]             session cookie secret (default: random per process)
 * @param {string} [opts.draftSecret]        the server secret each user's `draftKey` is derived from (default:
 *                                           $DRAFT_KEY_SECRET, else random per process: drafts of an earlier run
 *                                           are then unreadable, and swept)
 * @param {boolean} [opts.draftKeys]         give each signed-in user a draft key, so drafts are stored encrypted
 *                                           (default: on, off with testHooks until /__test/draft-keys turns it on)
 */
export function createApp(opts = {}) {
  const timeout = opts.sessionTimeout ?? 60;
  const warnBefore = opts.warnBefore ?? 30;
  const testHooks = opts.testHooks === true;
  const statusUrl = opts.statusUrl === true ? "/session/status" : undefined;
  const recorder = testHooks && opts.recorder === true;
  const distDir = opts.distDir ?? DEFAULT_DIST;
  const secret = opts.secret ?? crypto.randomBytes(32).toString("hex");
  // Drafts private at rest: each signed-in user gets a key of their own, the HMAC of their id
  // under a server secret. Stable per user (drafts survive a re-login), never stored in the
  // browser, and only ever rendered into that user's own pages.
  const draftSecret = opts.draftSecret ?? process.env.DRAFT_KEY_SECRET ?? crypto.randomBytes(32).toString("hex");
  const draftKeyOf = (userId) => crypto.createHmac("sha256", draftSecret).update(`session-guard draft key\n${userId}`).digest("base64url");

  if (!Number.isInteger(timeout) || timeout <= 0) {
    throw new Error(`sessionTimeout must be a positive whole number of seconds, got ${timeout}`);
  }
  if (!Number.isInteger(warnBefore) || warnBefore <= 0 || warnBefore >= timeout) {
    throw new Error(`warnBefore must be a whole number of seconds below sessionTimeout (${timeout}), got ${warnBefore}`);
  }

  const app = express();
  app.disable("x-powered-by");

  // MemoryStore is fine for a demo: single process, sessions vanish on restart, and it
  // prunes expired sessions lazily. A real deployment uses Redis, a database, etc.
  const store = new session.MemoryStore();

  // Counters and failure injection for the e2e tests (only reachable with testHooks).
  const hooks = {
    total: 0,
    injected: 0,
    bySession: new Map(), // opaque key derived from the raw session cookie → count
    failNext: { status: 0, times: 0 },
    // Draft keys: on or off, and keys to render instead of a user's own (a wrong key).
    draftKeys: { on: opts.draftKeys ?? !testHooks, wrong: {} },
  };
  const draftKeyFor = (userId) => (hooks.draftKeys.on ? (hooks.draftKeys.wrong[userId] ?? draftKeyOf(userId)) : undefined);

  app.use((req, res, next) => {
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "same-origin");
    res.set("X-Frame-Options", "DENY");
    next();
  });

  // --- The built package and the demo's static files: served without touching the
  // session (no store hit, no Set-Cookie, no Server-Timing on cacheable assets).
  app.use(
    "/session-guard",
    express.static(distDir, {
      fallthrough: true,
      setHeaders(res, filePath) {
        // Explicit, whatever the mime table says: instantiateStreaming needs it.
        if (filePath.endsWith(".wasm")) res.set("Content-Type", "application/wasm");
      },
    }),
  );
  app.use("/session-guard", (req, res) => {
    res.status(404).type("text/plain").send(
      fs.existsSync(distDir)
        ? "Not found in dist/.\n"
        : "dist/ is missing: run `npm run build` first.\n",
    );
  });
  app.use(express.static(path.join(HERE, "public"), { index: false }));
  // React 18 for the /react-form page: the production UMD builds, straight from node_modules
  // (devDependencies). Only those two files; nothing else of node_modules is reachable.
  const reactFiles = reactUmdFiles();
  for (const [name, file] of Object.entries(reactFiles)) {
    app.get(`/vendor/${name}`, (req, res, next) => {
      res.sendFile(file, { maxAge: "1d", headers: { "Content-Type": "text/javascript; charset=utf-8" } }, (err) => {
        if (err) next(err);
      });
    });
  }
  const reactAvailable = Object.keys(reactFiles).length === 2;

  // --- Test hooks, mounted before the session middleware so that calling them never
  // renews anybody's session, and so that an injected keep-alive failure behaves like a
  // gateway error that never reached the app (no rolling touch, no Server-Timing).
  if (testHooks) {
    const json = express.json({ limit: "10kb" });

    if (recorder) {
      app.get("/__test/recorder.js", (req, res) => {
        res.set("Cache-Control", "no-store").sendFile(path.join(HERE, "..", "tests", "e2e", "recorder.js"));
      });
      // A classic script, before anything else in <head>: it sees the guard's first event.
      app.use((req, res, next) => {
        const send = res.send.bind(res);
        res.send = (body) =>
          send(typeof body === "string" && /html/.test(res.get("Content-Type") ?? "")
            ? body.replace("<head>", '<head><script src="/__test/recorder.js"></script>')
            : body);
        next();
      });
    }

    app.use((req, res, next) => {
      if (req.method !== "POST" || req.path !== KEEPALIVE_PATH) return next();
      hooks.total += 1;
      const key = sessionKey(req);
      if (key) hooks.bySession.set(key, (hooks.bySession.get(key) ?? 0) + 1);
      if (hooks.failNext.times > 0) {
        hooks.failNext.times -= 1;
        hooks.injected += 1;
        res.set("Cache-Control", "no-store");
        return res.status(hooks.failNext.status).json({ error: "injected", status: hooks.failNext.status });
      }
      next();
    });

    app.post("/__test/keepalive-fail", json, (req, res) => {
      const { status, times = 1 } = req.body ?? {};
      if (!Number.isInteger(status) || status < 400 || status > 599) {
        return res.status(400).json({ error: "status must be an integer 400..599" });
      }
      if (!Number.isInteger(times) || times < 0 || times > 1000) {
        return res.status(400).json({ error: "times must be an integer 0..1000" });
      }
      hooks.failNext = { status, times };
      res.json({ ok: true, ...hooks.failNext });
    });

    app.get("/__test/stats", (req, res) => {
      store.length((err, sessions) => {
        const key = sessionKey(req);
        res.set("Cache-Control", "no-store").json({
          total: hooks.total,
          injected: hooks.injected,
          mine: key ? hooks.bySession.get(key) ?? 0 : null,
          bySession: Object.fromEntries(hooks.bySession),
          sessions: err ? null : sessions,
          pendingFailures: hooks.failNext.times,
        });
      });
    });

    // A deploy of /form, for the drafts tests: [from, to] text replacements of its HTML.
    app.post("/__test/form-edits", json, (req, res) => {
      hooks.formEdits = Array.isArray(req.body?.edits) ? req.body.edits : [];
      res.json({ ok: true });
    });

    // Draft keys for the encryption tests: {on} gives every user their key; {wrong: {user: key}}
    // renders another key for that user (reset with the stats).
    app.post("/__test/draft-keys", json, (req, res) => {
      hooks.draftKeys = { on: req.body?.on !== false, wrong: req.body?.wrong ?? {} };
      res.json({ ok: true });
    });

    app.post("/__test/reset-stats", (req, res) => {
      hooks.draftKeys = { on: opts.draftKeys ?? false, wrong: {} };
      hooks.formEdits = [];
      hooks.total = 0;
      hooks.injected = 0;
      hooks.bySession.clear();
      hooks.failNext = { status: 0, times: 0 };
      res.json({ ok: true });
    });

    // The stored session with id ?sid=, read without touching it (store.get does not touch).
    app.get("/__test/session", (req, res, next) => {
      store.get(String(req.query.sid ?? ""), (err, sess) => {
        if (err) return next(err);
        const expiresAt = sess ? new Date(sess.cookie.expires).getTime() : NaN;
        res.set("Cache-Control", "no-store").json(sess ? { exists: expiresAt > Date.now(), expiresAt } : { exists: false });
      });
    });

    app.post("/__test/expire-sessions", (req, res, next) => {
      store.length((err, before) => {
        if (err) return next(err);
        store.clear((err2) => (err2 ? next(err2) : res.json({ ok: true, destroyed: before })));
      });
    });
  }

  // Status (the guard's statusUrl): the time left WITHOUT renewing. Mounted before session(), so
  // express-session never sees the request: no rolling renewal, no touch of the stored session.
  app.get(STATUS_PATH, sessionStatus({ store, secret, name: COOKIE_NAME, rolling: true, csrfToken: (s) => s.csrf }));

  app.use(
    session({
      name: COOKIE_NAME,
      secret,
      store,
      rolling: true, // every request renews the idle timeout (renewOn: "request")
      resave: false,
      saveUninitialized: false, // no session (and no cookie) until someone logs in
      cookie: {
        httpOnly: true,
        sameSite: "lax",
        secure: false, // the demo runs on plain http://localhost; use true (and trust proxy) behind TLS
        maxAge: timeout * 1000,
        path: "/",
      },
    }),
  );

  // Server-Timing: session;dur=<remaining ms> on every response of a signed-in session.
  // express-session only rolls the expiry when the headers are written (after this
  // middleware would have computed anything), so touch it here first: with rolling
  // sessions this request renews it anyway, and the number we report is the renewed one.
  app.use((req, res, next) => {
    if (req.session?.user) {
      req.session.touch();
      res.set("Server-Timing", `session;dur=${remainingMs(req)}`);
    }
    next();
  });

  const urlencoded = express.urlencoded({ extended: false, limit: "100kb", parameterLimit: 200 });

  const pageOpts = (req, extra = {}) => ({
    user: req.session.user.id,
    csrf: req.session.csrf,
    guard: { timeout, warnBefore, user: req.session.user.id, statusUrl, draftKey: draftKeyFor(req.session.user.id), ...extra },
  });

  const html = (res, status, body) => {
    res.status(status).set("Cache-Control", "private, no-cache").type("html").send(body);
  };

  // --- Routes -------------------------------------------------------------------

  app.get("/", (req, res) => {
    res.redirect(302, req.session.user ? "/form" : "/login");
  });

  app.get("/login", (req, res) => {
    const next = typeof req.query.next === "string" ? req.query.next : "";
    html(
      res,
      200,
      loginPage({
        next: safeNext(next, req) ? next : "",
        expired: req.query.expired === "1",
        loggedOut: req.query.loggedout === "1",
        timeout,
      }),
    );
  });

  app.post("/login", urlencoded, (req, res, next) => {
    res.removeHeader("Server-Timing"); // describes the session being replaced
    const body = req.body ?? {};
    const username = typeof body.username === "string" ? body.username.trim() : "";
    const password = typeof body.password === "string" ? body.password : "";
    const rawNext = typeof body.next === "string" ? body.next : "";
    if (!username || !password || username.length > 64) {
      return html(
        res,
        400,
        loginPage({
          next: safeNext(rawNext, req) ? rawNext : "",
          error: !username || !password ? "Please enter a user name and a password." : "That user name is too long.",
          username,
          timeout,
        }),
      );
    }
    // A fresh session id on every login (no session fixation).
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.user = { id: username };
      req.session.csrf = crypto.randomBytes(24).toString("base64url");
      req.session.loginAt = Date.now();
      req.session.save((err2) => {
        if (err2) return next(err2);
        res.redirect(303, safeNext(rawNext, req) ?? "/form");
      });
    });
  });

  const logout = (req, res, next) => {
    res.removeHeader("Server-Timing");
    const done = () => {
      res.clearCookie(COOKIE_NAME, { path: "/", httpOnly: true, sameSite: "lax" });
      res.redirect(303, "/login?loggedout=1");
    };
    if (!req.session.user) return done();
    req.session.destroy((err) => (err ? next(err) : done()));
  };
  // GET /logout is accepted too (a plain link works); a forced logout is a nuisance, not a risk.
  app.get("/logout", logout);
  app.post("/logout", urlencoded, (req, res, next) => {
    if (req.session.user && !csrfOk(req)) return badCsrf(req, res);
    logout(req, res, next);
  });

  // Keep-alive: the server contract of the README.
  app.post(KEEPALIVE_PATH, (req, res) => {
    res.set("Cache-Control", "no-store");
    if (req.get("X-Requested-With") !== "XMLHttpRequest") {
      return res.status(400).json({ error: "bad_request", message: "X-Requested-With: XMLHttpRequest is required" });
    }
    if (!req.session.user) {
      return res.status(401).json({ error: "expired" });
    }
    // 400, not 403: to the guard 403 means "expired", and this session is alive.
    if (!csrfOk(req)) return badCsrf(req, res);
    req.session.touch();
    const expiresIn = Math.floor(remainingMs(req) / 1000);
    // The token too: a page revived by a login in another tab learns the new one (README).
    res.set("Session-Expires-In", String(expiresIn)).json({ expiresIn, csrfToken: req.session.csrf });
  });

  const requireLogin = (req, res, next) => {
    if (req.session.user) return next();
    // A session cookie that no longer maps to a session: it expired on the server.
    const expired = hasSessionCookie(req) ? "&expired=1" : "";
    res.redirect(req.method === "GET" ? 302 : 303, `/login?next=${encodeURIComponent(req.path)}${expired}`);
  };

  app.get("/form", requireLogin, (req, res) => {
    let page = formPage({ ...pageOpts(req), timeout, warnBefore, action: "/form" });
    for (const [from, to] of hooks.formEdits ?? []) page = page.split(from).join(to);
    html(res, 200, page);
  });

  // Test pages of fields beyond form controls (www/editors.js), editors from node_modules.
  if (testHooks) {
    const files = editorFiles();
    for (const [name, file] of Object.entries(files)) {
      app.get(`/vendor/${name}`, (req, res, next) => {
        const type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
        res.sendFile(file, { maxAge: "1d", headers: { "Content-Type": type } }, (err) => err && next(err));
      });
    }
    app.get("/vendor/tiptap.js", async (req, res) => {
      const script = await tiptapScript();
      res.type("text/javascript; charset=utf-8").send(script ?? "/* Tiptap is not installed */");
    });
    const tinymce = tinymceDir();
    if (tinymce) app.use("/vendor/tinymce", express.static(tinymce, { index: false, maxAge: "1d" }));
    app.get("/editors", requireLogin, (req, res) => html(res, 200, editorsPage({ ...pageOpts(req), files, tinymce: Boolean(tinymce) })));
    app.get("/editors/frame", requireLogin, (req, res) => {
      res.set("X-Frame-Options", "SAMEORIGIN");
      html(res, 200, editorsFramePage(pageOpts(req)));
    });
  }

  app.post("/form", requireLogin, urlencoded, (req, res) => {
    if (!csrfOk(req)) return badCsrf(req, res, pageOpts(req));
    html(res, 200, savedPage({ ...pageOpts(req), fields: req.body ?? {}, back: "/form" }));
  });

  // A React 18 controlled form (www/public/react-form.js), guarded by the same script tag.
  app.get("/react-form", requireLogin, (req, res) => {
    html(res, 200, reactFormPage({ ...pageOpts(req), reactAvailable }));
  });

  app.post("/react-form", requireLogin, urlencoded, (req, res) => {
    if (!csrfOk(req)) return badCsrf(req, res, pageOpts(req));
    html(res, 200, savedPage({ ...pageOpts(req), fields: req.body ?? {}, back: "/react-form" }));
  });

  // The same form under a strict Content-Security-Policy (no inline script, no eval; styles
  // only from 'self' or with the per-response nonce the guard is given via data-csp-nonce).
  const withCsp = (req, res, next) => {
    const nonce = crypto.randomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    res.set(
      "Content-Security-Policy",
      `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'nonce-${nonce}'; ` +
        `object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'`,
    );
    next();
  };

  app.get("/csp/form", withCsp, requireLogin, (req, res) => {
    html(
      res,
      200,
      formPage({
        ...pageOpts(req, { nonce: res.locals.cspNonce }),
        timeout,
        warnBefore,
        action: "/csp/form",
        cspNote:
          "This page is served with a strict Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval' and a style nonce.",
      }),
    );
  });

  app.post("/csp/form", withCsp, requireLogin, urlencoded, (req, res) => {
    if (!csrfOk(req)) return badCsrf(req, res);
    html(res, 200, savedPage({ ...pageOpts(req, { nonce: res.locals.cspNonce }), fields: req.body ?? {}, back: "/csp/form" }));
  });

  app.use((req, res) => {
    if (wantsJson(req)) return res.status(404).json({ error: "not_found" });
    html(res, 404, messagePage({ title: "Not found", message: "There is no page here.", status: 404 }));
  });

  // eslint-disable-next-line no-unused-vars
  app.use((err, req, res, next) => {
    const status = err.status ?? err.statusCode ?? 500;
    if (status >= 500) console.error(err);
    if (res.headersSent) return;
    if (wantsJson(req)) return res.status(status).json({ error: status >= 500 ? "server_error" : "bad_request" });
    html(res, status, messagePage({ title: status >= 500 ? "Server error" : "Bad request", message: "Something went wrong.", status }));
  });

  return app;
}

// --- helpers -------------------------------------------------------------------

/** `{"react.production.min.js": <abs path>, "react-dom.production.min.js": …}` for what is installed. */
function reactUmdFiles() {
  const require = createRequire(import.meta.url);
  const out = {};
  for (const pkg of ["react", "react-dom"]) {
    try {
      const file = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "umd", `${pkg}.production.min.js`);
      if (fs.existsSync(file)) out[`${pkg}.production.min.js`] = file;
    } catch {
      // not installed: /react-form explains
    }
  }
  return out;
}

function remainingMs(req) {
  return Math.max(0, Math.floor(req.session.cookie.maxAge ?? 0));
}

function hasSessionCookie(req) {
  return rawSessionCookie(req) !== null;
}

function rawSessionCookie(req) {
  const header = req.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE_NAME) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Opaque per-session key for the test statistics (a hash of the cookie, not the cookie). */
function sessionKey(req) {
  const raw = rawSessionCookie(req);
  return raw ? crypto.createHash("sha256").update(raw).digest("hex").slice(0, 12) : null;
}

function csrfOk(req) {
  const expected = req.session.csrf;
  const given = req.get(CSRF_HEADER) ?? (typeof req.body?._csrf === "string" ? req.body._csrf : undefined);
  if (typeof expected !== "string" || typeof given !== "string") return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/**
 * `page`: the guard's page options when someone is signed in. The error page then carries the
 * guard, as an app's own layout would: it sees the 400 and keeps the submitted form's draft.
 */
function badCsrf(req, res, page = {}) {
  // 400, never 403 (which the guard reads as "session expired").
  if (wantsJson(req)) return res.status(400).json({ error: "csrf", message: "Missing or invalid CSRF token" });
  res
    .status(400)
    .type("html")
    .send(messagePage({ ...page, title: "Bad request", message: "The form was out of date (invalid CSRF token). Reload the page and try again.", status: 400 }));
}

function wantsJson(req) {
  return req.get("X-Requested-With") === "XMLHttpRequest" || req.path.startsWith("/__test/") || req.path === KEEPALIVE_PATH || req.path === STATUS_PATH;
}

/**
 * Where to go after logging in: only a path on this very origin. Accepts "/path?q#h" and
 * absolute URLs of this origin (the guard sends `?next=<location.href>`); returns the
 * path+query+hash, or null for anything else (other hosts, "//host", "/\host", schemes,
 * control characters, the login/logout pages themselves).
 */
export function safeNext(raw, req) {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2048) return null;
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return null;
  const origin = `${req.protocol}://${req.get("host")}`;
  const isPath = raw.startsWith("/") && !raw.startsWith("//");
  const isSameOriginUrl = raw === origin || raw.startsWith(origin + "/");
  if (!isPath && !isSameOriginUrl) return null;
  let url;
  try {
    url = new URL(raw, origin + "/");
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  const target = url.pathname + url.search + url.hash;
  if (!target.startsWith("/") || target.startsWith("//")) return null;
  if (url.pathname === "/login" || url.pathname === "/logout") return null;
  return target;
}
