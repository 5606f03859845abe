// Bench section "startup": 2. Start-up. Its measurement (run by scripts/bench.mjs) and its part of the report.

import { RUNS, cell, gotoReady, median, newContext, stat, table, waitReady } from "./common.mjs";

export async function benchStartup(env) {
  const runs = Math.max(RUNS, 7);
  const samples = { tag: { cold: [], warm: [] }, module: { cold: [], warm: [] } };
  for (let r = 0; r < runs; r++) {
    for (const variant of r % 2 ? ["tag", "module"] : ["module", "tag"]) {
      const context = await newContext(env);
      const page = await context.newPage();
      for (const phase of ["cold", "warm"]) {
        if (phase === "cold") await gotoReady(env, page, variant, "form=small");
        else {
          await page.reload();
          await waitReady(page);
        }
        const m = await page.evaluate(() => {
          const marks = window.__bench.marks;
          const res = {};
          for (const e of performance.getEntriesByType("resource")) {
            const name = e.name.split("/").pop();
            res[name] = { start: e.startTime, end: e.responseEnd, transfer: e.transferSize };
          }
          return { marks, res };
        });
        const t0 = variant === "tag" ? m.marks.loaderStart : m.marks.moduleStart;
        // The chain is sequential (loader → glue → wasm): the time spent waiting for these
        // responses is the server's and the network's, the rest is the page's own work.
        const chain = variant === "tag" ? ["session-guard.js", "session_guard.js"] : ["index.js", "session_guard.js"];
        let network = 0;
        for (const name of [...chain, "session_guard_bg.wasm"]) {
          const e = m.res[name];
          if (e) network += Math.max(0, e.end - Math.max(e.start, t0));
        }
        const total = m.marks.ready - t0;
        samples[variant][phase].push({
          total,
          network,
          client: total - network,
          instantiate: m.marks.instantiateEnd - m.marks.instantiateStart,
          start: m.marks.ready - m.marks.instantiateEnd,
          sinceNavigation: m.marks.ready,
          wasmTransfer: m.res["session_guard_bg.wasm"]?.transfer ?? null,
        });
      }
      await context.close();
    }
  }
  const out = { runs };
  for (const [variant, phases] of Object.entries(samples)) {
    out[variant] = {};
    for (const [phase, list] of Object.entries(phases)) {
      out[variant][phase] = {};
      for (const k of ["total", "network", "client", "instantiate", "start", "sinceNavigation", "wasmTransfer"]) {
        out[variant][phase][k] = stat(list.map((s) => s[k]));
      }
    }
  }
  return out;
}

/** The "2. Start-up" section of BENCHMARKS.md, from what benchStartup measured. */
export function reportStartup(p, startup) {
  p("## 2. Start-up");
  p();
  p(`From script evaluation to a started guard, in ms (median of ${startup.runs} runs, each in a fresh browser context).`);
  p("Script tag: `performance.now()` in an inline script just before `<script src=session-guard.js data-…>` until");
  p("`sessionguard:ready`. ES module: `performance.now()` at the top of an inline module until `await start({…})`");
  p("resolves (`import()` of index.js included). *Waiting for responses*: the sequential requests of the chain");
  p("(loader or index.js → session_guard.js → wasm), from Resource Timing; the server is the demo app's");
  p("`/session-guard/` route on 127.0.0.1, in the bench's own Node process, so this part mostly measures how busy");
  p("the machine is. *Page's own work* = total − waiting: parsing the glue, compiling, instantiating, starting.");
  p("*Compile* = `WebAssembly.instantiateStreaming` call → resolved (body download on localhost + streaming");
  p("compile + instantiate); *start* = its end → ready (`__wbindgen_start`, `startGuard`, the event). *Cold*:");
  p("empty HTTP cache; *warm*: reload in the same context (ETag revalidation, V8 caches). Page with a 10-field form.");
  p();
  const rows = [];
  for (const v of ["tag", "module"]) {
    for (const ph of ["cold", "warm"]) {
      const s = startup[v][ph];
      rows.push([v === "tag" ? "script tag" : "ES module", ph, `**${cell(s.total)}**`, cell(s.network), `**${cell(s.client)}**`, cell(s.instantiate), cell(s.start), cell(s.sinceNavigation)]);
    }
  }
  p(table(["Loader", "Cache", "Total ms", "waiting for responses", "page's own work", "compile", "start", "navigation → ready"], rows));
  p();
}
