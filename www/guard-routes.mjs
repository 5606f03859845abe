// The guard's side of the server contract (README): the status URL, which reads the time
// left without renewing, and the keep-alive, which renews it.

import { sessionStatus } from "../examples/express/session-guard-express.js";
import { badCsrf, COOKIE_NAME, csrfOk, KEEPALIVE_PATH, remainingMs, STATUS_PATH } from "./http.mjs";

/**
 * Status (the guard's statusUrl): the time left WITHOUT renewing. Mount it before session(), so
 * express-session never sees the request: no rolling renewal, no touch of the stored session.
 */
export function mountStatus(app, { store, secret }) {
  app.get(STATUS_PATH, sessionStatus({ store, secret, name: COOKIE_NAME, rolling: true, csrfToken: (s) => s.csrf }));
}

/** Keep-alive: the server contract of the README. Mount it after session(). */
export function mountKeepAlive(app) {
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
}
