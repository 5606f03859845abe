// The server session (express-session, rolling expiry), its Server-Timing header, and the
// routes that start and end it: login and logout.

import crypto from "node:crypto";

import session from "express-session";

import { badCsrf, COOKIE_NAME, csrfOk, html, remainingMs, safeNext, urlencoded } from "./http.mjs";
import { loginPage } from "./views.js";

/** The session middleware, then Server-Timing on every response of a signed-in session. */
export function mountSession(app, { store, secret, timeout }) {
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
}

/** `/` (to the form or the login page), `/login` and `/logout`. */
export function mountLogin(app, { timeout }) {
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
}
