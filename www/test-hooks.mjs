// Test hooks (only with `testHooks`, never in a real deployment): keep-alive counters and
// failure injection, the page event recorder, draft keys, form "deploys" and session expiry.
// Mounted before the session middleware so that calling them never renews anybody's session,
// and so that an injected keep-alive failure behaves like a gateway error that never reached
// the app (no rolling touch, no Server-Timing).

import path from "node:path";

import express from "express";

import { HERE, KEEPALIVE_PATH, sessionKey } from "./http.mjs";

/** Counters and failure injection for the e2e tests (only reachable with testHooks). */
export function newHookState({ draftKeys }) {
  return {
    total: 0,
    injected: 0,
    bySession: new Map(), // opaque key derived from the raw session cookie → count
    // The next `times` keep-alives fail: with `status`, dropped (`drop`: the connection closed
    // without an answer) or redirected to `redirect`.
    failNext: { status: 0, drop: false, redirect: "", times: 0 },
    // Draft keys: on or off, and keys to render instead of a user's own (a wrong key).
    draftKeys: { on: draftKeys, wrong: {} },
  };
}

/**
 * `hooks`: the state of newHookState, shared with the pages; `draftKeys`: the draftKeys option
 * (what a stats reset returns to); `recorder`: every HTML page loads /__test/recorder.js first.
 */
export function mountTestHooks(app, { store, hooks, draftKeys, recorder }) {
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
      if (hooks.failNext.drop) return req.socket.destroy();
      if (hooks.failNext.redirect) return res.redirect(302, hooks.failNext.redirect);
      return res.status(hooks.failNext.status).json({ error: "injected", status: hooks.failNext.status });
    }
    next();
  });

  app.post("/__test/keepalive-fail", json, (req, res) => {
    const { status = 503, drop = false, redirect = "", times = 1 } = req.body ?? {};
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      return res.status(400).json({ error: "status must be an integer 400..599" });
    }
    if (typeof drop !== "boolean" || typeof redirect !== "string") {
      return res.status(400).json({ error: "drop must be a boolean, redirect a URL" });
    }
    if (!Number.isInteger(times) || times < 0 || times > 1000) {
      return res.status(400).json({ error: "times must be an integer 0..1000" });
    }
    hooks.failNext = { status, drop, redirect, times };
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
    hooks.draftKeys = { on: draftKeys ?? false, wrong: {} };
    hooks.formEdits = [];
    hooks.total = 0;
    hooks.injected = 0;
    hooks.bySession.clear();
    hooks.failNext = { status: 0, drop: false, redirect: "", times: 0 };
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
