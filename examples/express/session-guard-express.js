// The server side of session-guard for express-session: copy this file into your app.
//
//   import { sessionGuard } from "./session-guard-express.js";
//   const rolling = false;                              // the same value you give express-session
//   app.use(session({ rolling, resave: false, saveUninitialized: false, cookie: { maxAge: 1800_000 }, … }));
//   const guard = sessionGuard({ rolling });
//   app.use(guard);                                     // after session(): adds Server-Timing
//   app.post("/session/keepalive", checkCsrf, guard.keepAlive);
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
