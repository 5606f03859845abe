// The session-guard demo application: a real server session (express-session, rolling
// expiry) with a short idle timeout, a long form worth protecting, the keep-alive
// endpoint of the server contract, and (only when asked for) hooks for the e2e tests.
//
// `createApp(opts)` builds the app without listening, so tests can run it in-process on
// port 0; www/server.js reads the environment and listens.
// `createApp` composes the route groups, in this order (the order matters: static files and
// the test hooks and status route come before the session middleware, so they never renew it):
//   www/static-routes.mjs   the built package, public/, React's UMD builds
//   www/test-hooks.mjs      /__test/* (testHooks only)
//   www/guard-routes.mjs    the status URL (before the session) and the keep-alive (after)
//   www/session-routes.mjs  the session middleware, Server-Timing, login and logout
//   www/form-routes.mjs     /form, /react-form, /csp/form
//   www/editors-routes.mjs  /editors (testHooks only)
//   www/http.mjs            what they share (paths, CSRF, HTML responses, the login gate)

import crypto from "node:crypto";

import express from "express";
import session from "express-session";

import { mountEditors } from "./editors-routes.mjs";
import { mountForms } from "./form-routes.mjs";
import { mountKeepAlive, mountStatus } from "./guard-routes.mjs";
import { DEFAULT_DIST, html, wantsJson } from "./http.mjs";
import { mountLogin, mountSession } from "./session-routes.mjs";
import { mountStatic } from "./static-routes.mjs";
import { mountTestHooks, newHookState } from "./test-hooks.mjs";
import { messagePage } from "./views.js";

export { COOKIE_NAME, DEFAULT_DIST, REPO_ROOT, safeNext } from "./http.mjs";

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
  const hooks = newHookState({ draftKeys: opts.draftKeys ?? !testHooks });
  const draftKeyFor = (userId) => (hooks.draftKeys.on ? (hooks.draftKeys.wrong[userId] ?? draftKeyOf(userId)) : undefined);
  const pageOpts = (req, extra = {}) => ({
    user: req.session.user.id,
    csrf: req.session.csrf,
    guard: { timeout, warnBefore, user: req.session.user.id, statusUrl, draftKey: draftKeyFor(req.session.user.id), ...extra },
  });

  const { reactAvailable } = mountStatic(app, { distDir });
  if (testHooks) mountTestHooks(app, { store, hooks, draftKeys: opts.draftKeys, recorder });
  mountStatus(app, { store, secret });
  mountSession(app, { store, secret, timeout });
  mountLogin(app, { timeout });
  mountKeepAlive(app);
  mountForms(app, { timeout, warnBefore, pageOpts, hooks, reactAvailable });
  if (testHooks) mountEditors(app, { pageOpts });

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
