// The demo server's own contract (no browser, no dist/ needed): sessions, the keep-alive
// endpoint of the README's server contract, CSRF, redirects, headers and the test hooks.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { createApp } from "../../www/app.js";
import { startServer } from "./harness.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A cookie-keeping client for one user agent. */
function client(baseURL) {
  let cookie = null;
  async function request(p, { method = "GET", headers = {}, form, json } = {}) {
    const h = { ...headers };
    if (cookie) h.cookie = cookie;
    let body;
    if (form) {
      h["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(form).toString();
    } else if (json !== undefined) {
      h["content-type"] = "application/json";
      body = JSON.stringify(json);
    }
    const res = await fetch(baseURL + p, { method, headers: h, body, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(";");
      if (!pair.startsWith("sg.sid=")) continue;
      const cleared = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || pair === "sg.sid=";
      cookie = cleared ? null : pair;
    }
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  }
  return {
    request,
    get cookie() {
      return cookie;
    },
    set cookie(v) {
      cookie = v;
    },
    async login(user = "alice", next) {
      const form = { username: user, password: "pw" };
      if (next !== undefined) form.next = next;
      return request("/login", { method: "POST", form });
    },
    async csrf() {
      const page = await request("/form");
      assert.equal(page.status, 200);
      return /<meta name="csrf-token" content="([^"]+)">/.exec(page.text)[1];
    },
    keepalive(headers = {}) {
      return request("/session/keepalive", { method: "POST", headers: { "X-Requested-With": "XMLHttpRequest", ...headers } });
    },
  };
}

describe("demo server", () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  test("anonymous visitors are sent to the login page, with next preserved", async () => {
    const c = client(server.baseURL);
    const root = await c.request("/");
    assert.equal(root.status, 302);
    assert.equal(root.headers.get("location"), "/login");
    const form = await c.request("/form");
    assert.equal(form.status, 302);
    assert.equal(form.headers.get("location"), "/login?next=%2Fform");
    const login = await c.request("/login?next=%2Fform");
    assert.equal(login.status, 200);
    assert.match(login.text, /<input type="hidden" name="next" value="\/form">/);
    assert.doesNotMatch(login.text, /You were signed out/);
    assert.doesNotMatch(login.text, /session-guard\.js/, "no guard on the login page: there is no session to guard");
    assert.equal(c.cookie, null, "no session cookie before login (saveUninitialized: false)");
    for (const q of ["expired=1", "loggedout=1"]) {
      assert.match((await c.request(`/login?${q}`)).text, /You were signed out/);
    }
  });

  test("login: empty fields are refused; success regenerates the session and redirects", async () => {
    const c = client(server.baseURL);
    const bad = await c.request("/login", { method: "POST", form: { username: " ", password: "x", next: "/csp/form" } });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /value="\/csp\/form"/, "next survives a failed attempt");
    assert.equal((await c.request("/login", { method: "POST", form: { username: "bob", password: "" } })).status, 400);

    const ok = await c.login("bob");
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get("location"), "/form");
    const first = c.cookie;
    assert.ok(first);
    await c.login("bob");
    assert.notEqual(c.cookie, first, "a new session id on every login");
  });

  test("next: only same-origin paths; never an open redirect", async () => {
    const origin = server.baseURL;
    const cases = [
      ["/csp/form", "/csp/form"],
      ["/form?tab=2#message", "/form?tab=2#message"],
      [`${origin}/form?x=1`, "/form?x=1"], // what "Log in again" sends: location.href
      ["//evil.example/form", "/form"],
      ["https://evil.example/form", "/form"],
      [`${origin}@evil.example/`, "/form"],
      [`${origin}.evil.example/`, "/form"],
      ["/\\evil.example", "/form"],
      ["\\\\evil.example", "/form"],
      ["javascript:alert(1)", "/form"],
      ["form", "/form"],
      ["/login?next=//evil.example", "/form"],
      ["/fo\r\nrm", "/form"],
      ["", "/form"],
    ];
    for (const [next, expected] of cases) {
      const c = client(server.baseURL);
      const res = await c.login("carol", next);
      assert.equal(res.status, 303, next);
      assert.equal(res.headers.get("location"), expected, `next=${JSON.stringify(next)}`);
    }
  });

  test("pages of a signed-in user: guard script tag, CSRF meta, Server-Timing, no inline script", async () => {
    const c = client(server.baseURL);
    await c.login("dana<&>\"'");
    const res = await c.request("/form");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("server-timing"), /^session;dur=(5[89]\d{3}|60000)$/);
    assert.match(res.headers.get("cache-control"), /no-cache/);
    assert.ok(
      res.text.includes(
        '<script src="/session-guard/session-guard.js" data-timeout="60" data-warn-before="30" ' +
          'data-keepalive-url="/session/keepalive" data-login-url="/login" data-logout-url="/logout" ' +
          'data-user="dana&lt;&amp;&gt;&quot;&#39;" defer></script>',
      ),
      "the README's script tag, user id escaped",
    );
    assert.match(res.text, /<meta name="csrf-token" content="[\w-]{20,}">/);
    assert.match(res.text, /times out after 1 minute of inactivity/);
    for (const tag of res.text.match(/<script\b[^>]*>/g)) assert.match(tag, /\bsrc="\//, `external script only: ${tag}`);
    assert.doesNotMatch(res.text, /\sstyle=|<style/, "no inline style");
    // The form has every kind of field the drafts feature cares about.
    for (const needle of [
      'name="name"', 'type="email"', "<textarea", 'name="topic"', "multiple", 'type="checkbox"', 'type="radio"',
      'type="date"', 'type="number"', 'type="password"', 'type="hidden" name="_csrf"', 'autocomplete="cc-number"',
    ]) {
      assert.ok(res.text.includes(needle), needle);
    }
  });

  test("keep-alive: 400 without X-Requested-With, 401 when signed out, 400 on a bad CSRF token, else renewed", async () => {
    const c = client(server.baseURL);
    const noHeader = await c.request("/session/keepalive", { method: "POST" });
    assert.equal(noHeader.status, 400);
    const anon = await c.keepalive();
    assert.equal(anon.status, 401);
    assert.deepEqual(anon.json(), { error: "expired" });

    await c.login("erin");
    const token = await c.csrf();
    const missing = await c.keepalive();
    assert.equal(missing.status, 400, "a live session with a bad token is not 'expired' (never 401/403)");
    assert.equal(missing.json().error, "csrf");
    assert.equal((await c.keepalive({ "X-CSRF-Token": "nope" })).status, 400);

    const ok = await c.keepalive({ "X-CSRF-Token": token });
    assert.equal(ok.status, 200);
    const { expiresIn } = ok.json();
    assert.ok(expiresIn >= 59 && expiresIn <= 60, `expiresIn ${expiresIn}`);
    assert.equal(ok.headers.get("session-expires-in"), String(expiresIn));
    assert.match(ok.headers.get("server-timing"), /^session;dur=\d+$/);
    assert.equal(ok.headers.get("cache-control"), "no-store");
  });

  test("POST /form saves with a valid token, refuses without, and sends signed-out users to login", async () => {
    const c = client(server.baseURL);
    await c.login("fay");
    const token = await c.csrf();
    const saved = await c.request("/form", {
      method: "POST",
      form: { _csrf: token, name: "Fay <b>", message: "hello", card_number: "4111111111111111", account_password: "pw" },
    });
    assert.equal(saved.status, 200);
    assert.match(saved.text, /<h1 id="saved-title">Saved<\/h1>/);
    assert.match(saved.text, /Fay &lt;b&gt;/);
    assert.doesNotMatch(saved.text, /4111111111111111|account_password/, "secrets are not echoed");
    const refused = await c.request("/form", { method: "POST", form: { name: "x" } });
    assert.equal(refused.status, 400);

    const anon = client(server.baseURL);
    const redirected = await anon.request("/form", { method: "POST", form: { name: "x" } });
    assert.equal(redirected.status, 303);
    assert.equal(redirected.headers.get("location"), "/login?next=%2Fform");
  });

  test("logout destroys the session on the server (POST needs the token; GET works)", async () => {
    const c = client(server.baseURL);
    await c.login("gus");
    const token = await c.csrf();
    const old = c.cookie;
    assert.equal((await c.request("/logout", { method: "POST" })).status, 400, "POST without token");
    const out = await c.request("/logout", { method: "POST", headers: { "X-CSRF-Token": token } });
    assert.equal(out.status, 303);
    assert.equal(out.headers.get("location"), "/login?loggedout=1");
    assert.equal(c.cookie, null, "cookie cleared");
    assert.equal(out.headers.get("server-timing"), null);

    c.cookie = old; // replay the old cookie: the session must be gone server-side
    assert.equal((await c.keepalive({ "X-CSRF-Token": token })).status, 401);
    const form = await c.request("/form");
    assert.equal(form.headers.get("location"), "/login?next=%2Fform&expired=1");

    const d = client(server.baseURL);
    await d.login("gus");
    const old2 = d.cookie;
    const get = await d.request("/logout");
    assert.equal(get.status, 303);
    d.cookie = old2;
    assert.equal((await d.keepalive()).status, 401);
  });

  test("strict-CSP variant: header with a nonce that is also handed to the guard", async () => {
    const c = client(server.baseURL);
    await c.login("hana");
    const res = await c.request("/csp/form");
    assert.equal(res.status, 200);
    const csp = res.headers.get("content-security-policy");
    assert.match(csp, /default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'nonce-([^']+)'/);
    const nonce = /'nonce-([^']+)'/.exec(csp)[1];
    assert.ok(res.text.includes(`data-csp-nonce="${nonce}" defer></script>`));
    assert.match(res.text, /action="\/csp\/form"/);
    const res2 = await c.request("/csp/form");
    assert.notEqual(/'nonce-([^']+)'/.exec(res2.headers.get("content-security-policy"))[1], nonce, "fresh nonce per response");
  });

  test("test hooks: failure injection, statistics, server-side expiry", async () => {
    await server.hook("/__test/reset-stats", {});
    const c = client(server.baseURL);
    await c.login("ivy");
    const token = await c.csrf();
    await server.hook("/__test/keepalive-fail", { status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const r = await c.keepalive({ "X-CSRF-Token": token });
      statuses.push(r.status);
      if (r.status === 503) {
        assert.equal(r.headers.get("server-timing"), null, "an injected failure never reached the app");
        assert.equal(r.headers.getSetCookie().length, 0);
      }
    }
    assert.deepEqual(statuses, [503, 503, 200]);
    const stats = await server.hook("/__test/stats");
    assert.equal(stats.total, 3);
    assert.equal(stats.injected, 2);
    assert.equal(Object.values(stats.bySession).reduce((a, b) => a + b, 0), 3);
    const mine = await c.request("/__test/stats");
    assert.equal(mine.json().mine, 3);
    assert.equal(mine.headers.getSetCookie().length, 0, "hooks never touch the session");

    const { destroyed } = await server.hook("/__test/expire-sessions", {});
    assert.ok(destroyed >= 1);
    assert.equal((await c.keepalive({ "X-CSRF-Token": token })).status, 401);
    assert.equal((await server.hook("/__test/stats")).sessions, 0);
  });

  test("the built package is served from /session-guard with application/wasm", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sg-dist-"));
    try {
      fs.writeFileSync(path.join(dir, "session_guard_bg.wasm"), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
      fs.writeFileSync(path.join(dir, "session-guard.js"), "/* loader */\n");
      const s = await startServer({ distDir: dir });
      try {
        const wasm = await fetch(s.baseURL + "/session-guard/session_guard_bg.wasm");
        assert.equal(wasm.status, 200);
        assert.equal(wasm.headers.get("content-type"), "application/wasm");
        const js = await fetch(s.baseURL + "/session-guard/session-guard.js");
        assert.match(js.headers.get("content-type"), /^(text|application)\/javascript/);
        assert.equal((await fetch(s.baseURL + "/session-guard/nope.js")).status, 404);
        const css = await fetch(s.baseURL + "/demo.css");
        assert.equal(css.status, 200);
        assert.equal(css.headers.getSetCookie().length, 0);
      } finally {
        await s.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test("test hooks are off unless asked for", async () => {
  const app = createApp();
  const srv = app.listen(0, "127.0.0.1");
  await new Promise((r) => srv.once("listening", r));
  try {
    const base = `http://127.0.0.1:${srv.address().port}`;
    assert.equal((await fetch(base + "/__test/stats")).status, 404);
    assert.equal((await fetch(base + "/__test/expire-sessions", { method: "POST" })).status, 404);
  } finally {
    srv.close();
    srv.closeAllConnections();
  }
});

test("createApp rejects nonsense timing", () => {
  assert.throws(() => createApp({ sessionTimeout: 0 }), /sessionTimeout/);
  assert.throws(() => createApp({ sessionTimeout: 60, warnBefore: 60 }), /warnBefore/);
});

test("sessions really expire on the server after the idle timeout, and requests renew them", async () => {
  const s = await startServer({ sessionTimeout: 2, warnBefore: 1 });
  try {
    const c = client(s.baseURL);
    await c.login("jo");
    const token = await c.csrf();
    for (let i = 0; i < 4; i++) {
      await sleep(700); // 2.8 s in all: longer than the timeout, but never 2 s idle
      assert.equal((await c.keepalive({ "X-CSRF-Token": token })).status, 200, `renewal ${i}`);
    }
    await sleep(2300);
    assert.equal((await c.keepalive({ "X-CSRF-Token": token })).status, 401);
    const form = await c.request("/form");
    assert.equal(form.headers.get("location"), "/login?next=%2Fform&expired=1");
  } finally {
    await s.close();
  }
});
