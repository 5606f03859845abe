// The pages worth guarding: the long form, the React form, and the same form under a strict
// Content-Security-Policy; each posts to a page that shows what was saved.

import crypto from "node:crypto";

import { badCsrf, csrfOk, html, requireLogin, urlencoded } from "./http.mjs";
import { formPage, reactFormPage, savedPage } from "./views.js";

/**
 * `pageOpts(req, extra)`: the signed-in page's user, CSRF token and guard options; `hooks`: the
 * test hooks' state (its formEdits change /form's HTML, a deploy).
 */
export function mountForms(app, { timeout, warnBefore, pageOpts, hooks, reactAvailable }) {
  app.get("/form", requireLogin, (req, res) => {
    let page = formPage({ ...pageOpts(req), timeout, warnBefore, action: "/form" });
    for (const [from, to] of hooks.formEdits ?? []) page = page.split(from).join(to);
    html(res, 200, page);
  });

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
}
