// A minimal express + express-session app guarded by session-guard (script tag).
// `createApp(opts)` builds it without listening (the end-to-end tests run it on port 0);
// server.js reads the environment and listens. The part to copy is session-guard-express.js.

import crypto from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

import express from "express";
import session from "express-session";

import { sessionGuard, sessionStatus } from "./session-guard-express.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_DIST = path.resolve(HERE, "..", "..", "dist");

const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * @param {object} [opts]
 * @param {number} [opts.timeout=1800]     idle timeout in seconds (cookie.maxAge)
 * @param {boolean} [opts.rolling=false]   express-session's `rolling`
 * @param {number} [opts.warnBefore=120]   seconds before expiry the guard warns
 * @param {string} [opts.distDir]          the built package, served at /session-guard/
 * @param {boolean} [opts.testHooks=false] mounts /__test/ routes (end-to-end tests only)
 */
export function createApp({ timeout = 1800, rolling = false, warnBefore = 120, distDir = DEFAULT_DIST, testHooks = false } = {}) {
  const app = express();
  app.disable("x-powered-by");
  const store = new session.MemoryStore(); // use a real store (Redis, a database…) in production
  const secret = crypto.randomBytes(32).toString("hex");

  // The package, served before session(): loading it touches no session.
  app.use("/session-guard", express.static(distDir));

  // The guard's statusUrl, before session(): asking never renews the session.
  app.get("/session/status", sessionStatus({ store, secret, name: "sid", rolling, csrfToken: (s) => s.csrf }));

  if (testHooks) {
    // The stored session with id ?sid=, read without touching it (mounted before session()).
    app.get("/__test/session", (req, res) => {
      store.get(String(req.query.sid ?? ""), (err, sess) => {
        if (err) return res.status(500).json({ error: String(err) });
        if (!sess) return res.json({ exists: false });
        const expiresAt = new Date(sess.cookie.expires).getTime();
        res.json({ exists: expiresAt > Date.now(), expiresAt, remaining: (expiresAt - Date.now()) / 1000 });
      });
    });
  }

  app.use(
    session({
      name: "sid",
      secret,
      store,
      rolling,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: "lax", maxAge: timeout * 1000 },
    }),
  );
  const guard = sessionGuard({ rolling });
  app.use(guard);

  if (testHooks) {
    // `X-Test-No-Server-Timing: 1`: the response goes out without Server-Timing, as if the
    // middleware above were not installed (the tests check that renewOn alone mirrors the server).
    app.use((req, res, next) => {
      if (req.get("x-test-no-server-timing") !== "1") return next();
      const writeHead = res.writeHead;
      res.writeHead = function (...args) {
        res.removeHeader("Server-Timing");
        return writeHead.apply(this, args);
      };
      next();
    });
  }

  const form = express.urlencoded({ extended: false, limit: "100kb" });
  const signedIn = (req, res, next) => {
    if (req.session.user) return next();
    res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
  };
  // The token of this session, from the guard's header or a form field. A mismatch answers 400:
  // a 403 would read as "session expired" to the guard.
  const csrf = (req, res, next) => {
    const sent = req.get("x-csrf-token") ?? req.body?._csrf;
    if (req.session.csrf && sent === req.session.csrf) return next();
    if (!req.session.user) return res.status(401).json({ error: "signed out" });
    res.status(400).json({ error: "bad CSRF token" });
  };
  const safeNext = (next) => (typeof next === "string" && /^\/(?![/\\])/.test(next) ? next : "/form");

  app.get("/", (req, res) => res.redirect(req.session.user ? "/form" : "/login"));

  app.get("/login", (req, res) => res.set("Cache-Control", "no-store").send(loginPage(safeNext(req.query.next))));
  app.post("/login", form, (req, res, next) => {
    const { username = "", password = "" } = req.body ?? {};
    if (!username.trim() || !password) return res.status(400).send(loginPage(safeNext(req.body?.next), true));
    req.session.regenerate((err) => {
      // Demo only: any name and any non-empty password signs in.
      if (err) return next(err);
      req.session.user = username.trim().slice(0, 64);
      req.session.csrf = crypto.randomBytes(24).toString("base64url");
      res.redirect(303, safeNext(req.body.next));
    });
  });

  // Drafts encrypted at rest: each user's draftKey is the HMAC of their id under a server secret
  // (DRAFT_KEY_SECRET; keep it like the session secret). Stable for the user, so drafts survive a
  // re-login; never stored in the browser; rendered only into the signed-in user's own pages.
  // To rotate the secret without losing drafts younger than a day, render
  // data-draft-keys="<new> <old>" for 24 h.
  const draftSecret = process.env.DRAFT_KEY_SECRET || crypto.randomBytes(32).toString("hex");
  const draftKey = (user) => crypto.createHmac("sha256", draftSecret).update(`session-guard draft key\n${user}`).digest("base64url");

  app.get("/form", signedIn, (req, res) => {
    const tag =
      `<script src="/session-guard/session-guard.js" data-timeout="${timeout}" data-warn-before="${warnBefore}" ` +
      `data-renew-on="${rolling ? "request" : "keepalive"}" data-keepalive-url="/session/keepalive" data-status-url="/session/status" ` +
      `data-login-url="/login" data-logout-url="/logout" data-user="${esc(req.session.user)}" ` +
      `data-draft-key="${draftKey(req.session.user)}" defer></script>`;
    res.set("Cache-Control", "no-store").send(
      page(
        "Request",
        `<header>Signed in as <strong id="user">${esc(req.session.user)}</strong>
  <form method="post" action="/logout"><input type="hidden" name="_csrf" value="${esc(req.session.csrf)}"><button>Log out</button></form></header>
<h1>Send us a request</h1>
<form method="post" action="/form" id="request-form">
  <input type="hidden" name="_csrf" value="${esc(req.session.csrf)}">
  <label for="subject">Subject</label> <input id="subject" name="subject">
  <label for="message">Message</label> <textarea id="message" name="message" rows="8" cols="60"></textarea>
  <button type="submit" id="submit">Send</button>
</form>`,
        `<meta name="csrf-token" content="${esc(req.session.csrf)}">\n${tag}`,
      ),
    );
  });
  app.post("/form", signedIn, form, csrf, (req, res) => {
    res.send(page("Saved", `<h1 id="saved-title">Saved</h1><pre id="saved-message">${esc(req.body.message)}</pre>`));
  });

  app.get("/api/me", (req, res) => {
    res.set("Cache-Control", "no-store");
    if (!req.session.user) return res.status(401).json({ error: "signed out" });
    res.json({ user: req.session.user });
  });

  app.post("/session/keepalive", csrf, guard.keepAlive);

  app.post("/logout", form, csrf, (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie("sid").redirect(303, "/login");
    });
  });

  return app;
}

function page(title, body, head = "") {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)} · session-guard express example</title>
${head}
</head>
<body>
${body}
</body>
</html>
`;
}

function loginPage(next, error = false) {
  return page(
    "Log in",
    `<h1>Log in</h1>
${error ? `<p id="login-error">Please enter a user name and a password.</p>` : ""}
<p>Example only: any user name and any non-empty password will do.</p>
<form method="post" action="/login" id="login-form">
  <input type="hidden" name="next" value="${esc(next)}">
  <label for="username">User name</label> <input id="username" name="username" autocomplete="username" required>
  <label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Log in</button>
</form>`,
  );
}
