// The server side of session-guard for express-session: copy this file into your app.
//
//   import { sessionGuard } from "./session-guard-express.js";
//   const rolling = false;                              // the same value you give express-session
//   app.use(session({ rolling, resave: false, saveUninitialized: false, cookie: { maxAge: 1800_000 }, … }));
//   const guard = sessionGuard({ rolling });
//   app.use(guard);                                     // after session(): adds Server-Timing
//   app.post("/session/keepalive", checkCsrf, guard.keepAlive);
//   // BEFORE app.use(session(…)), so that express-session never sees it (no rolling renewal, no touch):
//   app.get("/session/status", sessionStatus({ store, secret, name: "connect.sid", rolling }));
//
// - The middleware adds `Server-Timing: session;dur=<ms left>` to every response of a signed-in
//   user, so the guard learns the real remaining time on each page load and API call.
// - `keepAlive` modifies the session (so that express-session saves it and, with rolling: false,
//   sends a cookie with a new expiry) and answers `{"expiresIn": <seconds>}`; 401 when signed out.
//
// Which expiry is real? express-session re-sends the cookie, with a new Expires, only when the
// session data changed or with `rolling: true`. The browser drops the cookie at that time, even
// though the stored session is touched on every request. So with `rolling: false` the session ends
// `maxAge` after the last change, and the page must say `data-renew-on="keepalive"`; with
// `rolling: true` it ends `maxAge` after the last request: `data-renew-on="request"`.

import crypto from "node:crypto";

/** The session's data without its cookie, as express-session compares it to decide on a save. */
function snapshot(session) {
  return JSON.stringify(session, function (key, value) {
    return this === session && key === "cookie" ? undefined : value;
  });
}

// When the cookie was last (re)issued, kept in the session: express-session does not record it.
const ISSUED_AT = "sessionGuardIssuedAt";

/**
 * @param {object} [opts]
 * @param {boolean} [opts.rolling=false]  the `rolling` option given to express-session
 * @param {(req) => boolean} [opts.signedIn]  whether the request's session belongs to a signed-in user
 */
export function sessionGuard({ rolling = false, signedIn = (req) => Boolean(req.session?.user) } = {}) {
  function middleware(req, res, next) {
    if (!req.session) return next();
    const id = req.sessionID;
    const before = rolling ? null : snapshot(req.session);
    const end = res.end;
    // Wraps express-session's own res.end (which saves the session and sets the cookie), so this
    // runs first: the header can still be set and a change to the session is still saved.
    res.end = function (...args) {
      res.end = end;
      const maxAge = req.session?.cookie?.originalMaxAge;
      if (!res.headersSent && typeof maxAge === "number" && signedIn(req)) {
        const now = Date.now();
        let issuedAt = now; // rolling: this response sends the cookie again
        if (!rolling) {
          const changed = req.sessionID !== id || snapshot(req.session) !== before;
          if (changed || typeof req.session[ISSUED_AT] !== "number") req.session[ISSUED_AT] = now;
          issuedAt = req.session[ISSUED_AT];
        }
        res.set("Server-Timing", `session;dur=${Math.max(0, issuedAt + maxAge - now)}`);
      }
      return end.apply(this, args);
    };
    next();
  }

  middleware.keepAlive = function keepAlive(req, res) {
    res.set("Cache-Control", "no-store");
    if (!req.session || !signedIn(req)) return res.status(401).json({ error: "signed out" });
    req.session.keepAliveAt = Date.now(); // a change: saved, and a new cookie expiry is sent
    res.json({ expiresIn: req.session.cookie.originalMaxAge / 1000 });
  };

  return middleware;
}

/**
 * `GET statusUrl`: how long the session has left, WITHOUT renewing it. Mount it BEFORE
 * `session()`: express-session then never sees the request, so neither `rolling` nor the
 * store's `touch` moves the expiry. It reads the cookie, checks its signature and reads the
 * stored session (`store.get`, which touches nothing).
 *
 * 200 `{"expiresIn": s, "csrfToken"?}` + `Server-Timing` while alive; 401 when gone; 400 without
 * `X-Requested-With: XMLHttpRequest`.
 *
 * @param {object} opts
 * @param {object} opts.store      the store given to express-session
 * @param {string|string[]} opts.secret  its secret(s)
 * @param {string} [opts.name="connect.sid"]  its cookie name
 * @param {boolean} [opts.rolling=false]
 * @param {(sess) => boolean} [opts.signedIn]   on the stored session object
 * @param {(sess) => string|undefined} [opts.csrfToken]  a token to hand to the page
 */
export function sessionStatus({ store, secret, name = "connect.sid", rolling = false, signedIn = (s) => Boolean(s?.user), csrfToken = () => undefined }) {
  const secrets = Array.isArray(secret) ? secret : [secret];
  return function status(req, res) {
    res.set("Cache-Control", "no-store");
    if (req.get("X-Requested-With") !== "XMLHttpRequest") {
      return res.status(400).json({ error: "X-Requested-With: XMLHttpRequest is required" });
    }
    const sid = unsign(readCookie(req, name), secrets);
    if (!sid) return res.status(401).json({ error: "signed out" });
    store.get(sid, (err, sess) => {
      if (err) return res.status(500).json({ error: "store" });
      if (!sess || !signedIn(sess)) return res.status(401).json({ error: "signed out" });
      // The stored expiry moves on every request (rolling, or the store's touch); the browser's
      // cookie moves only when it is sent again: with rolling: false, when the session changed.
      let end = new Date(sess.cookie?.expires).getTime();
      const maxAge = sess.cookie?.originalMaxAge;
      if (!rolling && typeof sess[ISSUED_AT] === "number" && typeof maxAge === "number") {
        end = Math.min(end, sess[ISSUED_AT] + maxAge);
      }
      const left = end - Date.now();
      if (!(left > 0)) return res.status(401).json({ error: "signed out" });
      res.set("Server-Timing", `session;dur=${Math.round(left)}`);
      const body = { expiresIn: Math.round(left) / 1000 };
      const token = csrfToken(sess);
      if (token) body.csrfToken = token;
      res.json(body);
    });
  };
}

function readCookie(req, name) {
  for (const part of (req.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** express-session's signed cookie "s:<id>.<HMAC-SHA256, base64 without padding>" → id, or null. */
function unsign(value, secrets) {
  if (typeof value !== "string" || !value.startsWith("s:")) return null;
  const signed = value.slice(2);
  const dot = signed.lastIndexOf(".");
  if (dot <= 0) return null;
  const id = signed.slice(0, dot);
  const given = Buffer.from(signed.slice(dot + 1));
  for (const s of secrets) {
    const expected = Buffer.from(crypto.createHmac("sha256", s).update(id).digest("base64").replace(/=+$/, ""));
    if (expected.length === given.length && crypto.timingSafeEqual(expected, given)) return id;
  }
  return null;
}
