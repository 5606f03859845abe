// Bench section "idle": 4. Idle wake-ups. Its measurement (run by scripts/bench.mjs) and its part of the report.

import { RUNS, cell, newContext, openPage, pauseClock, stat, table } from "./common.mjs";

const IDLE_MINUTES = 40; // 30 to expiry, then 10 expired

export async function benchIdle(env) {
  const variants = { guard: "module", peer: "peer" };
  const samples = { guard: [], peer: [] };
  for (let r = 0; r < RUNS; r++) {
    for (const [v, pageName] of Object.entries(variants)) {
      const context = await newContext(env, { clock: true, instrument: true });
      const page = await openPage(env, context, pageName, "form=small&timeout=1800&warn=120");
      await pauseClock(context, page);
      const startedAt = await page.evaluate(() => Date.now());
      for (let m = 0; m < IDLE_MINUTES; m++) await context.clock.runFor(60_000);
      const data = await page.evaluate(() => ({ fired: __inst.timers.fired, events: __inst.events, scheduled: __inst.timers.scheduled }));
      const first = (type) => data.events.find((e) => e.type === type)?.at;
      const warnAt = v === "guard" ? first("sessionguard:warning") : first("peer:prompt");
      const endAt = v === "guard" ? first("sessionguard:expired") : first("peer:idle");
      const mine = data.fired.filter((f) => f.src === v);
      // The callback that opens the dialog fires at warnAt (it counts before); the one that
      // expires the session fires at endAt (it counts while open).
      const before = mine.filter((f) => f.at <= warnAt).length;
      const during = mine.filter((f) => f.at > warnAt && f.at <= endAt).length;
      const afterList = mine.filter((f) => f.at > endAt);
      const after = afterList.length;
      if (r === 0) env.notes[`idle.${v}.afterExpiry`] = afterList.map((f) => `${f.kind} ${f.delay} ms at +${((f.at - endAt) / 1000).toFixed(1)} s`);
      if (r === 0) env.notes[`idle.${v}.beforeDialog`] = mine.filter((f) => f.at <= warnAt).map((f) => `${f.kind} ${f.delay} ms at ${((f.at - startedAt) / 1000).toFixed(1)} s`);
      const openS = (endAt - warnAt) / 1000;
      samples[v].push({
        warnAfterS: (warnAt - startedAt) / 1000,
        openS,
        before,
        during,
        perSecondOpen: during / openS,
        afterExpiry10min: after,
        scheduled: data.scheduled[v],
        pageFired: data.fired.filter((f) => f.src === "page").length,
      });
      await context.close();
    }
  }
  const out = { runs: RUNS, variants: {} };
  for (const [v, list] of Object.entries(samples)) {
    out.variants[v] = {};
    for (const k of Object.keys(list[0])) out.variants[v][k] = stat(list.map((s) => s[k]));
  }
  return out;
}

/** The "4. Idle wake-ups" section of BENCHMARKS.md, from what benchIdle measured (and its notes). */
export function reportIdle(p, idle, notes) {
  p("## 4. Idle wake-ups");
  p();
  p("Timer callbacks that fire while the user does nothing, counted by wrapping `setTimeout`/`setInterval`/");
  p("`requestAnimationFrame` (over Playwright's fake clock) and attributing each to its scheduler by call stack.");
  p(`Options: timeout 1800 s, warnBefore 120 s. The clock runs ${IDLE_MINUTES} simulated minutes with \`clock.runFor\``);
  p("(every timer fires when due, as in a real idle tab; `fastForward` would skip repeats). The peer is");
  p("react-idle-timer with `timeout: 1800 s, promptBeforeIdle: 120 s` (its prompt stands for the dialog).");
  p();
  const rows = [];
  for (const [v, name] of [["guard", "**session-guard**"], ["peer", "react-idle-timer"]]) {
    const x = idle.variants[v];
    rows.push([name, cell(x.before, 0), cell(x.warnAfterS, 0), cell(x.perSecondOpen, 2), cell(x.during, 0), cell(x.afterExpiry10min, 0)]);
  }
  p(table(["Detector", "callbacks until the dialog opens", "dialog opens at (s)", "callbacks / s while open", "callbacks while open", "callbacks in 10 min after expiry"], rows));
  p();
  const n = notes;
  p(`- session-guard, callbacks until the dialog (first run): ${(n["idle.guard.beforeDialog"] ?? []).join("; ") || "none"}`);
  p(`- session-guard, after expiry: ${(n["idle.guard.afterExpiry"] ?? []).join("; ") || "none"}`);
  p(`- react-idle-timer, until its prompt: ${(n["idle.peer.beforeDialog"] ?? []).join("; ") || "none"}; after idle: ${(n["idle.peer.afterExpiry"] ?? []).join("; ") || "none"}`);
  p();
}
