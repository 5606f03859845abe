// Bench section "leaks": 7. Leaks. Its measurement (run by scripts/bench.mjs) and its part of the report.

import { RUNS, cell, kb, median, newContext, openPage, pauseClock, sleep, stat, table, wasmMemory } from "./common.mjs";

const CYCLES = 50;

export async function benchLeaks(env) {
  const samples = [];
  for (let r = 0; r < RUNS; r++) {
    const context = await newContext(env, { clock: true, instrument: true });
    const page = await openPage(env, context, "module", "form=small&timeout=1800&warn=120&start=manual");
    await pauseClock(context, page);
    const snap = (details = false) => page.evaluate((d) => window.__instSnapshot(d), details);
    const locks = () => page.evaluate(async () => {
      const q = await navigator.locks.query();
      return { held: q.held.map((l) => l.name), pending: q.pending.map((l) => l.name) };
    });
    const s0 = await snap();
    const mem0 = await wasmMemory(page);
    await page.evaluate(async () => {
      window.guard = await window.benchStart();
    });
    await context.clock.runFor(100);
    const s1 = await snap(true);
    const locks1 = await locks();
    // Exercise every part: drafts (typing, debounced save), the warning dialog and its countdown.
    await page.focus("#message");
    await page.keyboard.type("hello");
    await context.clock.runFor(2000);
    await context.clock.runFor((1800 - 120 - 2) * 1000);
    const state2 = await page.evaluate(() => guard.state());
    const s2 = await snap(true);
    const firedBefore = await page.evaluate(() => __inst.timers.fired.filter((f) => f.src === "guard").length);
    await page.evaluate(() => guard.destroy());
    await sleep(50);
    const s3 = await snap(true);
    const locks3 = await locks();
    await context.clock.runFor(300_000);
    const firedAfter = (await page.evaluate(() => __inst.timers.fired.filter((f) => f.src === "guard").length)) - firedBefore;
    const dom = await page.evaluate(() => ({
      dialogs: document.querySelectorAll("dialog.session-guard").length,
      title: document.title,
    }));
    await page.evaluate(() => guard.free());
    // Many lives: start, destroy, free.
    const memA = await wasmMemory(page);
    await page.evaluate(async (n) => {
      for (let i = 0; i < n; i++) {
        const g = await window.benchStart();
        g.destroy();
        g.free();
      }
    }, CYCLES);
    await sleep(50);
    const memB = await wasmMemory(page);
    const s5 = await snap(true);
    const locks5 = await locks();
    await context.close();
    samples.push({ s0, s1, s2, s3, s5, state2, locks1, locks3, locks5, firedAfter, dom, mem0, memA, memB });
  }
  const kinds = ["listeners", "timers", "observers", "channels"];
  const per = (key) => Object.fromEntries(kinds.map((k) => [k, stat(samples.map((s) => s[key][k].guard - s.s0[k].guard))]));
  const last = samples[samples.length - 1];
  const guardLock = (l) => [...l.held, ...l.pending].filter((n) => /session|guard|sg/i.test(n)).length;
  return {
    runs: RUNS,
    cycles: CYCLES,
    running: per("s1"),
    warningOpen: per("s2"),
    afterDestroy: per("s3"),
    afterCycles: per("s5"),
    stateBeforeDestroy: last.state2,
    detail: { running: last.s1.detail, warningOpen: last.s2.detail, afterDestroy: last.s3.detail, afterCycles: last.s5.detail },
    locks: { running: last.locks1, afterDestroy: last.locks3, afterCycles: last.locks5 },
    guardLocksAfterDestroy: stat(samples.map((s) => guardLock(s.locks3))),
    guardLocksAfterCycles: stat(samples.map((s) => guardLock(s.locks5))),
    timersFiredAfterDestroy: stat(samples.map((s) => s.firedAfter)),
    dialogsLeft: stat(samples.map((s) => s.dom.dialogs)),
    memory: {
      loaded: stat(samples.map((s) => s.mem0.memory)),
      beforeCycles: stat(samples.map((s) => s.memA.memory)),
      afterCycles: stat(samples.map((s) => s.memB.memory)),
      externrefsBefore: stat(samples.map((s) => s.memA.tables.__wbindgen_externrefs ?? NaN)),
      externrefsAfter: stat(samples.map((s) => s.memB.tables.__wbindgen_externrefs ?? NaN)),
      tablesAfter: last.memB.tables,
    },
  };
}

/** The "7. Leaks" section of BENCHMARKS.md, from what benchLeaks measured. */
export function reportLeaks(p, leaks) {
  const l = leaks;
  p("## 7. Leaks");
  p();
  p("Live registrations attributed to the guard (call stack through `/session-guard/`), counted by wrapping");
  p("`EventTarget.prototype.add/removeEventListener`, `setTimeout`/`clearTimeout` (and intervals, rAF, and timers");
  p("that fired), `PerformanceObserver`/`MutationObserver` `observe`/`disconnect` and the `BroadcastChannel`");
  p("constructor/`close`, in an init script. The guard is started on a page with a form, a field is typed into, and the");
  p(`clock is advanced until the warning dialog is open with its countdown (state before destroy: ${l.stateBeforeDestroy});`);
  p(`then \`guard.destroy()\`. Then ${l.cycles} cycles of \`start → destroy() → free()\` on the same page.`);
  p();
  const kinds = ["listeners", "timers", "observers", "channels"];
  p(
    table(
      ["Moment", ...kinds],
      [
        ["running", ...kinds.map((k) => cell(l.running[k], 0))],
        ["warning dialog open", ...kinds.map((k) => cell(l.warningOpen[k], 0))],
        ["**after `destroy()`**", ...kinds.map((k) => `**${cell(l.afterDestroy[k], 0)}**`)],
        [`after ${l.cycles} more start/destroy/free cycles`, ...kinds.map((k) => cell(l.afterCycles[k], 0))],
      ],
    ),
  );
  p();
  p(`- Registered while running (last run): ${[...l.detail.running.listeners, ...l.detail.running.observers, ...l.detail.running.channels].join(", ") || "–"}`);
  p(`- Left after destroy (last run): ${[...l.detail.afterDestroy.listeners, ...l.detail.afterDestroy.timers, ...l.detail.afterDestroy.observers, ...l.detail.afterDestroy.channels].join(", ") || "nothing"}`);
  p(`- Guard timers that fired in the 5 simulated minutes after destroy: ${cell(l.timersFiredAfterDestroy, 0)}; \`dialog.session-guard\` left in the DOM: ${cell(l.dialogsLeft, 0)}`);
  p(`- Web Locks (\`navigator.locks.query()\`, last run): running held ${JSON.stringify(l.locks.running.held)} pending ${JSON.stringify(l.locks.running.pending)}; after destroy held ${JSON.stringify(l.locks.afterDestroy.held)} pending ${JSON.stringify(l.locks.afterDestroy.pending)}; after the cycles held ${JSON.stringify(l.locks.afterCycles.held)} pending ${JSON.stringify(l.locks.afterCycles.pending)}`);
  p(`- wasm memory: ${kb(l.memory.loaded.median)} after load, ${kb(l.memory.beforeCycles.median)} before the cycles, ${cell({ ...l.memory.afterCycles, median: l.memory.afterCycles.median / 1024, min: l.memory.afterCycles.min / 1024, max: l.memory.afterCycles.max / 1024 })} KB after ${l.cycles} cycles; externref table ${cell(l.memory.externrefsBefore, 0)} → ${cell(l.memory.externrefsAfter, 0)}`);
  p();
  p("Memory over a simulated active hour: see section 5.");
  p();
}
