// The server stays the authority (statusUrl), in every engine, in real time: the demo with a
// 30 s session, the warning 20 s before the end, and `data-status-url="/session/status"`.
// The leader asks the status 3 s before the warning would open and 3 s before expiry.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { guardOf, launchEngine, login, recordsOf, selectedEngines, untilPageTime } from "./engines.mjs";
import { startServer, waitFor } from "./harness.mjs";

const TIMEOUT = 30;
const WARN_BEFORE = 20;

/** The status requests this page sent, by the page's clock (Resource Timing). */
const statusRequests = (tab) =>
  tab.eval(() =>
    performance
      .getEntriesByType("resource")
      .filter((e) => new URL(e.name).pathname === "/session/status")
      .map((e) => Math.round(e.startTime)),
  );

for (const name of selectedEngines()) {
  describe(`${name}: the server stays the authority (statusUrl)`, () => {
    let engine;
    let server;

    before(async () => {
      server = await startServer({ sessionTimeout: TIMEOUT, warnBefore: WARN_BEFORE, recorder: true, statusUrl: true });
      engine = await launchEngine(name);
    });
    after(async () => {
      await engine?.close();
      await server?.close();
    });

    const journey = (title, fn) =>
      test(title, { timeout: 90000 }, async () => {
        const browsing = await engine.open();
        try {
          await fn(browsing.tab, server.baseURL);
          const bad = ((await browsing.tab.records()) ?? []).filter((r) => ["pageerror", "consoleerror"].includes(r.type));
          assert.deepEqual(bad, [], "page errors");
        } finally {
          await browsing.close();
        }
      });

    journey("a session renewed where the guard cannot see gets no warning; ≤ 2 checks a cycle, none while idle before", async (tab, base) => {
      const g = await login(tab, base);
      const warnAt = g.at + (g.remaining - WARN_BEFORE) * 1000;
      // 4 s in, a worker's request renews the server session (rolling): the page's Resource
      // Timing, and so the guard, never sees it, as with a service worker or a WebSocket.
      await untilPageTime(tab, g.at + 4000);
      const renewed = await tab.eval(
        () =>
          new Promise((resolve) => {
            // A blob worker's base URL is the blob: URL, so the request names the page's origin.
            const url = JSON.stringify(`${location.origin}/form`);
            const source = `fetch(${url}, { credentials: "same-origin" }).then((r) => postMessage(r.status), () => postMessage(0));`;
            const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
            worker.onmessage = (e) => resolve(e.data);
          }),
      );
      assert.equal(renewed, 200, "the worker's request reached the server");
      assert.deepEqual(await statusRequests(tab), [], "no status request while idle before the check");
      await untilPageTime(tab, warnAt + 1500);
      assert.equal((await recordsOf(tab, "warning")).length, 0, "no warning at the client's old deadline");
      const asked = await statusRequests(tab);
      assert.equal(asked.length, 1, `one check before the warning: ${asked}`);
      assert.ok(asked[0] >= warnAt - 3500 && asked[0] <= warnAt, `asked ${Math.round(warnAt - asked[0])} ms before the warning was due`);
      const moved = await guardOf(tab);
      assert.equal(moved.state, "active");
      // The warning comes on the server's deadline instead (4 s later), after the next cycle's check.
      await waitFor(async () => (await recordsOf(tab, "warning")).length === 1, { timeout: 8000, interval: 100, message: "the warning on the server's deadline" });
      const checks = await statusRequests(tab);
      assert.ok(checks.length <= 2, `at most one check per cycle before its warning: ${checks.length}`);
    });

    journey("a session destroyed on the server is expired at the next check, without a warning first", async (tab, base) => {
      const g = await login(tab, base);
      const warnAt = g.at + (g.remaining - WARN_BEFORE) * 1000;
      await untilPageTime(tab, g.at + 2000);
      await server.hook("/__test/expire-sessions", {});
      await waitFor(async () => (await recordsOf(tab, "expired")).length === 1, { timeout: 15000, interval: 100, message: "sessionguard:expired" });
      const [expired] = await recordsOf(tab, "expired");
      assert.equal(expired.detail?.reason, "server");
      assert.ok(expired.at < warnAt, `expired ${Math.round(warnAt - expired.at)} ms before the warning would have opened`);
      assert.equal((await recordsOf(tab, "warning")).length, 0, "never '20 seconds left' for a session already gone");
      assert.equal((await statusRequests(tab)).length, 1);
    });
  });
}
