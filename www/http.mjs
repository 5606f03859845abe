// What every route group of the demo app shares: its paths and cookie name, and small
// request/response helpers (the session's time left, CSRF checks, HTML responses, login gate).

import crypto from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

import express from "express";

import { messagePage } from "./views.js";

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, "..");
export const DEFAULT_DIST = path.join(REPO_ROOT, "dist");

export const COOKIE_NAME = "sg.sid";
export const KEEPALIVE_PATH = "/session/keepalive";
export const STATUS_PATH = "/session/status";
const CSRF_HEADER = "x-csrf-token";

/** Form bodies of the demo's pages: small, flat. */
export const urlencoded = express.urlencoded({ extended: false, limit: "100kb", parameterLimit: 200 });

/** An HTML page, never cached by a shared cache. */
export function html(res, status, body) {
  res.status(status).set("Cache-Control", "private, no-cache").type("html").send(body);
}

/** Lets a signed-in request through; sends anyone else to the login page, back here after. */
export function requireLogin(req, res, next) {
  if (req.session.user) return next();
  // A session cookie that no longer maps to a session: it expired on the server.
  const expired = hasSessionCookie(req) ? "&expired=1" : "";
  res.redirect(req.method === "GET" ? 302 : 303, `/login?next=${encodeURIComponent(req.path)}${expired}`);
}

export function remainingMs(req) {
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
export function sessionKey(req) {
  const raw = rawSessionCookie(req);
  return raw ? crypto.createHash("sha256").update(raw).digest("hex").slice(0, 12) : null;
}

export function csrfOk(req) {
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
export function badCsrf(req, res, page = {}) {
  // 400, never 403 (which the guard reads as "session expired").
  if (wantsJson(req)) return res.status(400).json({ error: "csrf", message: "Missing or invalid CSRF token" });
  res
    .status(400)
    .type("html")
    .send(messagePage({ ...page, title: "Bad request", message: "The form was out of date (invalid CSRF token). Reload the page and try again.", status: 400 }));
}

export function wantsJson(req) {
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
