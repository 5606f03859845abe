// Bench section "keepalive": 5. Keep-alives. Its measurement (run by scripts/bench.mjs) and its part of the report.

import { RUNS, cell, fmt, gotoReady, heapByKind, jsHeap, median, newContext, pauseClock, sleep, stat, table, wasmMemory } from "./common.mjs";

const ACTIVE_STEP_S = 5; // an active user: one trusted input every 5 s
const ACTIVE_HOUR_S = 3600;

/** Tracks the requests a page has in flight (sent, not yet answered), as tests/e2e/harness.mjs does. */
function trackInflight(page) {
  const pending = new Set();
  page.on("request", (r) => pending.add(r));
  for (const ev of ["response", "requestfinished", "requestfailed"]) {
    page.on(ev, (x) => pending.delete(typeof x.request === "function" ? x.request() : x));
  }
  return () => pending.size;
}

/**
 * After the fake clock moved: lets requests that timers started finish before simulated time
 * goes on (a keep-alive answers in milliseconds, not in 5 simulated seconds). Bounded.
 */
async function settle(pages, inflight) {
  await sleep(5); // let "request" events of fetches that timers started reach us
  const busy = pages.filter((_, i) => inflight[i]() > 0);
  if (!busy.length) return;
  const deadline = Date.now() + 5000;
  while (inflight.some((n) => n() > 0) && Date.now() < deadline) await sleep(5);
  // The response's promise callbacks (the guard reading the JSON) run before time goes on.
  // (A MessageChannel round trip is a real task; the page's setTimeout is the paused fake one.)
  const task = () =>
    new Promise((r) => {
      const c = new MessageChannel();
      c.port1.onmessage = () => r(0);
      c.port2.postMessage(0);
    });
  await Promise.all(busy.map((p) => p.evaluate(task).catch(() => 0)));
}

/** Folds the instrumentation's growing arrays into totals (so they do not weigh on the JS heap). */
function foldInstrumentation(page) {
  return page.evaluate(() => {
    const t = (__inst.totals ??= { warnings: 0, writes: 0, bytes: 0, keys: {} });
    t.warnings += __inst.events.filter((e) => e.type === "sessionguard:warning").length;
    for (const c of __inst.storage.calls) {
      t.writes++;
      t.bytes += c.bytes;
      const k = c.key.endsWith("$") ? "shared view (tabs)" : c.key.includes("|") ? "drafts" : c.key;
      t.keys[k] = (t.keys[k] ?? 0) + 1;
    }
    __inst.events.length = 0;
    __inst.storage.calls.length = 0;
    __inst.timers.fired.length = 0;
    return t;
  });
}

/** Keep-alives counted by the server for the tabs whose key starts with `scope`. */
function pingsOf(env, scope) {
  const byTab = {};
  let total = 0;
  for (const [tab, n] of Object.entries(env.server.stats().byTab)) {
    if (!tab.startsWith(`${scope}.`)) continue;
    byTab[tab.slice(scope.length + 1)] = n;
    total += n;
  }
  return { total, byTab };
}

async function activeHour(env, { scope, tabs, timeout, warn, sampleMemory, pageName = "module" }) {
  const context = await newContext(env, { clock: true, instrument: true });
  const pages = [];
  const inflight = [];
  for (let t = 0; t < tabs; t++) {
    const page = await context.newPage();
    inflight.push(trackInflight(page));
    await gotoReady(env, page, pageName, `form=small&timeout=${timeout}&warn=${warn}&tab=${scope}.${t}`);
    pages.push(page);
  }
  await pauseClock(context, pages[0]);
  const atLoad = pingsOf(env, scope).total;
  const cdp = sampleMemory ? await context.newCDPSession(pages[0]) : null;
  const memory = [];
  const sample = async (minute) => {
    if (!sampleMemory) return;
    await foldInstrumentation(pages[0]);
    const wasm = pageName === "module" ? await wasmMemory(pages[0]) : { memory: NaN, tables: {} };
    const kinds = minute === 5 || minute === 60 ? await heapByKind(cdp) : null;
    memory.push({ minute, ...wasm, jsHeap: await jsHeap(cdp), kinds });
  };
  await Promise.all(pages.map((p) => p.evaluate(() => (__inst.storage.calls.length = 0))));
  await sample(0);
  const steps = ACTIVE_HOUR_S / ACTIVE_STEP_S;
  const pingTimes = [];
  let current = -1;
  let last = atLoad;
  for (let i = 0; i < steps; i++) {
    // The user works in one tab at a time and switches every 5 minutes.
    const idx = Math.floor((i * ACTIVE_STEP_S) / 300) % tabs;
    const page = pages[idx];
    if (idx !== current) {
      await page.bringToFront();
      current = idx;
    }
    if (i % 12 === 0) await page.mouse.move(60 + ((i * 37) % 800), 150 + ((i * 53) % 500));
    else if (i % 12 === 6) {
      await page.focus("#message");
      await page.keyboard.type("x");
    } else await page.keyboard.press("Shift");
    await context.clock.runFor(ACTIVE_STEP_S * 1000);
    await settle(pages, inflight);
    const total = pingsOf(env, scope).total;
    if (total !== last) {
      for (let k = last; k < total; k++) pingTimes.push((i + 1) * ACTIVE_STEP_S);
      last = total;
    }
    if (sampleMemory && [11, 59, 359, 719].includes(i)) await sample(((i + 1) * ACTIVE_STEP_S) / 60);
  }
  await sleep(300); // BroadcastChannel deliveries still on their way
  const states = await Promise.all(
    pages.map((p) => p.evaluate(() => (window.guard ? { state: guard.state(), remaining: guard.remaining() } : { state: "none", remaining: 0 }))),
  );
  const totals = await Promise.all(pages.map((p) => foldInstrumentation(p)));
  const stats = pingsOf(env, scope);
  await context.close();
  const keys = {};
  for (const t of totals) for (const [k, n] of Object.entries(t.keys)) keys[k] = (keys[k] ?? 0) + n;
  return {
    pings: stats.total - atLoad,
    pingsAtLoad: atLoad,
    byTab: stats.byTab,
    pingTimes,
    states,
    warnings: totals.reduce((a, t) => a + t.warnings, 0),
    remainingSpread: Math.max(...states.map((s) => s.remaining)) - Math.min(...states.map((s) => s.remaining)),
    storageWrites: totals.reduce((a, t) => a + t.writes, 0),
    storageBytes: totals.reduce((a, t) => a + t.bytes, 0),
    storageKeys: keys,
    memory,
  };
}

export async function benchKeepalive(env) {
  const scenarios = [
    { name: "1 tab, timeout 1800 s", tabs: 1, timeout: 1800, warn: 120, sampleMemory: true },
    { name: "4 tabs, timeout 1800 s", tabs: 4, timeout: 1800, warn: 120 },
    { name: "1 tab, timeout 60 s", tabs: 1, timeout: 60, warn: 30 },
  ];
  const samples = scenarios.map(() => []);
  const control = [];
  for (let r = 0; r < RUNS; r++) {
    // Counts and memory do not depend on speed, so the scenarios of a run go in parallel (separate
    // contexts: their storage, channels and locks are apart; keep-alives are counted per scope).
    // The same hour on the page without a detector is the control: what the driver itself adds
    // to the JS heap.
    const all = [...scenarios, { name: "control", tabs: 1, timeout: 1800, warn: 120, sampleMemory: true, pageName: "none" }];
    const t = performance.now();
    const done = await Promise.all(all.map((sc, i) => activeHour(env, { ...sc, scope: `r${r}s${i}` })));
    env.timings.push([`keepalive run ${r + 1}`, performance.now() - t]);
    done.slice(0, scenarios.length).forEach((d, i) => samples[i].push(d));
    control.push(done[scenarios.length]);
  }
  return {
    runs: RUNS,
    stepS: ACTIVE_STEP_S,
    controlMemory: memoryStats(control.map((c) => c.memory)),
    scenarios: scenarios.map((sc, i) => ({
      ...sc,
      pings: stat(samples[i].map((s) => s.pings)),
      pingsAtLoad: stat(samples[i].map((s) => s.pingsAtLoad)),
      warnings: stat(samples[i].map((s) => s.warnings)),
      remainingSpread: stat(samples[i].map((s) => s.remainingSpread)),
      storageWrites: stat(samples[i].map((s) => s.storageWrites)),
      storageBytes: stat(samples[i].map((s) => s.storageBytes)),
      storageKeys: samples[i][0].storageKeys,
      pingTimes: samples[i].map((s) => s.pingTimes),
      byTab: samples[i].map((s) => s.byTab),
      endStates: samples[i].map((s) => s.states.map((x) => `${x.state} ${x.remaining}s`).join(", ")),
      memory: samples[i][0].memory.length ? memoryStats(samples[i].map((s) => s.memory)) : null,
    })),
  };
}

function memoryStats(runs) {
  return runs[0].map((point, k) => ({
    minute: point.minute,
    code: point.kinds ? stat(runs.map((r) => r[k].kinds.code)) : null,
    other: point.kinds ? stat(runs.map((r) => r[k].kinds.other)) : null,
    memory: stat(runs.map((r) => r[k].memory)),
    externrefs: stat(runs.map((r) => r[k].tables.__wbindgen_externrefs ?? NaN)),
    tables: point.tables,
    jsHeap: stat(runs.map((r) => r[k].jsHeap)),
  }));
}

/** The "5. Keep-alives" section of BENCHMARKS.md, from what benchKeepalive measured. */
export function reportKeepalive(p, keepalive) {
  p("## 5. Keep-alives");
  p();
  p(`Keep-alive requests in one simulated hour of an active user: one trusted input every ${keepalive.stepS} s (a mouse`);
  p("move each minute, a character typed into a textarea each minute, Shift presses between), Playwright clock");
  p("advanced with `runFor`. The keep-alive endpoint answers `200 {\"expiresIn\": timeout}`; counted on the server.");
  p("With 4 tabs (one browser context), the user works in one tab at a time and switches tab every 5 minutes");
  p("(`bringToFront`).");
  p();
  const rows = keepalive.scenarios.map((sc) => [
    sc.name,
    `**${cell(sc.pings, 0)}**`,
    cell(sc.warnings, 0),
    cell(sc.remainingSpread, 0),
    cell(sc.storageWrites, 0),
    `${cell({ ...sc.storageBytes, median: sc.storageBytes.median / 1024, min: sc.storageBytes.min / 1024, max: sc.storageBytes.max / 1024 })} KB`,
  ]);
  p(table(["Scenario", "keep-alives / hour", "warnings shown", "tabs' remaining() spread (s)", "localStorage writes / hour", "written / hour"], rows));
  p();
  p(`localStorage writes by key (first run): ${keepalive.scenarios.map((sc) => `${sc.name}: ${Object.entries(sc.storageKeys).map(([k, n]) => `${k} ${n}`).join(", ")}`).join("; ")}.`);
  p();
  p("Keep-alive times (simulated s since start), per run:");
  p();
  for (const sc of keepalive.scenarios) {
    const times = sc.pingTimes.map((t) => (t.length > 12 ? `${t.slice(0, 6).join(", ")}, … (${t.length})` : t.join(", ")));
    p(`- ${sc.name}: ${times.map((t) => `[${t}]`).join(" ")}; by tab: ${sc.byTab.map((b) => JSON.stringify(b)).join(" ")}`);
  }
  p();
  const mem = keepalive.scenarios.find((sc) => sc.memory)?.memory;
  if (mem) {
    p("### Memory over the active hour (1 tab, timeout 1800 s)");
    p();
    p("wasm linear memory (`memory.buffer.byteLength`, exported by `session_guard.js`'s `init()`), the length of");
    p("wasm-bindgen's externref table, and the page's JS heap after a forced GC (CDP `HeapProfiler.collectGarbage`,");
    p("`Runtime.getHeapUsage`).");
    p();
    p("*Control*: the same hour, same input, on the page without a detector — what the driver (Playwright's");
    p("clock and evaluations) itself leaves on the JS heap.");
    p();
    const k = (st) => `${cell({ ...st, median: st.median / 1024, min: st.min / 1024, max: st.max / 1024 }, 0)} KB`;
    const ctl = keepalive.controlMemory;
    p(
      table(
        ["Simulated minute", "wasm memory", "externref table", "JS heap used", "JS heap used, control"],
        mem.map((m, i) => [m.minute, k(m.memory), cell(m.externrefs, 0), k(m.jsHeap), ctl?.[i] ? k(ctl[i].jsHeap) : "–"]),
      ),
    );
    p();
    const first = mem.find((m) => m.minute === 5) ?? mem[0];
    const lastM = mem[mem.length - 1];
    const cFirst = ctl?.find((m) => m.minute === 5) ?? ctl?.[0];
    const cLast = ctl?.[ctl.length - 1];
    p(`Growth from minute ${first.minute} to ${lastM.minute}: wasm memory ${fmt((lastM.memory.median - first.memory.median) / 1024, 0)} KB, externref table ${fmt(lastM.externrefs.median - first.externrefs.median, 0)}, JS heap ${fmt((lastM.jsHeap.median - first.jsHeap.median) / 1024, 0)} KB (control: ${cLast ? fmt((cLast.jsHeap.median - cFirst.jsHeap.median) / 1024, 0) : "–"} KB).`);
    if (first.code && lastM.code && cFirst?.code) {
      const d = (a, b) => fmt((b.median - a.median) / 1024, 0);
      p(`Heap snapshots at minute ${first.minute} and ${lastM.minute} (V8 and Blink objects, after GC; so not the same total as the`);
      p(`heap usage above) split the growth: compiled code — V8's \`(code)\` and the wasm native module, which grow as`);
      p(`hot functions tier up — ${d(first.code, lastM.code)} KB (control ${d(cFirst.code, cLast.code)} KB); everything else ${d(first.other, lastM.other)} KB (control ${d(cFirst.other, cLast.other)} KB).`);
    }
    p();
  }
}
