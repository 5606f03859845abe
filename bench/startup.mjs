// Bench section "startup": 2. Start-up. Its measurement (run by scripts/bench.mjs) and its part of the report.

import { RUNS, cell, gotoReady, median, newContext, stat, table, waitReady } from "./common.mjs";

/**
 * Main-thread time (CDP Performance.getMetrics TaskDuration and ScriptDuration, ms) of the
 * document `load` navigates `page` to, until it is ready and its load event has fired. The
 * counters belong to the renderer: they are reset by re-enabling them before the navigation
 * (a reload may keep the process; across processes they start over anyway).
 */
async function mainThreadTime(page, cdp, load) {
  await cdp.send("Performance.disable");
  await cdp.send("Performance.enable");
  await load();
  await page.waitForFunction(() => document.readyState === "complete", null, { timeout: 15000 });
  const { metrics } = await cdp.send("Performance.getMetrics");
  const get = (n) => metrics.find((m) => m.name === n).value * 1e3; // s → ms
  return { task: get("TaskDuration"), script: get("ScriptDuration") };
}

export async function benchStartup(env) {
  const runs = Math.max(RUNS, 7);
  const samples = { tag: { cold: [], warm: [] }, module: { cold: [], warm: [] } };
  // The same page without the guard, opened in the same run: what the guard adds is the paired
  // difference of main-thread time (guard page − this page), run by run.
  const baseline = { cold: [], warm: [] };
  const variants = ["none", "tag", "module"];
  for (let r = 0; r < runs; r++) {
    const order = variants.map((_, i) => variants[(i + r) % variants.length]); // rotate, so drift hits every variant
    const thread = {};
    for (const variant of order) {
      const context = await newContext(env);
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      thread[variant] = {};
      for (const phase of ["cold", "warm"]) {
        thread[variant][phase] = await mainThreadTime(page, cdp, () =>
          phase === "cold" ? gotoReady(env, page, variant, "form=small") : page.reload().then(() => waitReady(page)),
        );
        if (variant === "none") {
          baseline[phase].push(thread.none[phase]);
          continue;
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
          thread: thread[variant][phase],
        });
      }
      await context.close();
    }
    for (const variant of ["tag", "module"]) {
      for (const phase of ["cold", "warm"]) {
        const s = samples[variant][phase].at(-1);
        s.addedTask = s.thread.task - thread.none[phase].task;
        s.addedScript = s.thread.script - thread.none[phase].script;
      }
    }
  }
  const out = { runs, none: {} };
  for (const [phase, list] of Object.entries(baseline)) {
    out.none[phase] = { task: stat(list.map((s) => s.task)), script: stat(list.map((s) => s.script)) };
  }
  for (const [variant, phases] of Object.entries(samples)) {
    out[variant] = {};
    for (const [phase, list] of Object.entries(phases)) {
      out[variant][phase] = {};
      for (const k of ["total", "network", "client", "instantiate", "start", "sinceNavigation", "wasmTransfer", "addedTask", "addedScript"]) {
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
  p("Main-thread time the guard adds to a page, in ms: CDP `Performance.getMetrics` TaskDuration (all main-thread");
  p("tasks) and ScriptDuration (JS and wasm) from navigation until the page is ready and loaded, the guard's page");
  p("minus the same page without the guard (10-field form) opened in the same run (order rotated each run); median");
  p("and min–max of the paired differences. Off-thread wasm compilation is not main-thread time.");
  p();
  const added = [];
  for (const v of ["tag", "module"]) {
    for (const ph of ["cold", "warm"]) {
      const s = startup[v][ph];
      added.push([v === "tag" ? "script tag" : "ES module", ph, `**${cell(s.addedTask)}**`, cell(s.addedScript), cell(startup.none[ph].task), cell(startup.none[ph].script)]);
    }
  }
  p(table(["Loader", "Cache", "main thread added", "script added", "page without guard: main thread", "script"], added));
  p();
}
