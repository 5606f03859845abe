// Bench section "activity": 3. Activity cost. Its measurement (run by scripts/bench.mjs) and its part of the report.

import { RUNS, cell, newContext, openPage, stat, table } from "./common.mjs";

const MOUSE_EVENTS = 200; // mouseMoved, one per frame (~60 Hz, as real mice are delivered)
const KEY_PRESSES = 500; // keyDown + keyUp

export async function benchActivity(env) {
  // guard: timeout 1800 s, where input only counts from 13 min in (warnBefore ahead of the
  // renewal point), so the guard is not listening. guardListening: a 60 s session with a 30 s
  // warning, where input counts from the start: the guard listens until the first input after
  // each renewal (the worst case per event).
  const variants = { none: "none", guard: "module", guardListening: "module", peer: "peer" };
  const queries = { guardListening: "form=small&timeout=60&warn=30" };
  const samples = { none: [], guard: [], guardListening: [], peer: [] };
  const names = Object.keys(variants);
  for (let r = 0; r < RUNS; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]); // rotate, so drift hits every variant
    for (const v of order) {
      const context = await newContext(env);
      const page = await openPage(env, context, variants[v], queries[v] ?? "form=small");
      const cdp = await context.newCDPSession(page);
      await cdp.send("Performance.enable");
      const metrics = async () => {
        const { metrics: list } = await cdp.send("Performance.getMetrics");
        const get = (n) => list.find((m) => m.name === n).value * 1e6; // s → µs
        return { script: get("ScriptDuration"), task: get("TaskDuration"), wall: performance.now() * 1000 };
      };
      const move = (i) => cdp.send("Input.dispatchMouseEvent", { type: "mouseMoved", x: 50 + ((i * 37) % 900), y: 120 + ((i * 53) % 600) });
      const key = async () => {
        await cdp.send("Input.dispatchKeyEvent", { type: "keyDown", key: "a", code: "KeyA", text: "a", windowsVirtualKeyCode: 65 });
        await cdp.send("Input.dispatchKeyEvent", { type: "keyUp", key: "a", code: "KeyA", windowsVirtualKeyCode: 65 });
      };
      for (let i = 0; i < 20; i++) await move(i); // warm-up: JIT, tier-up, first-activity work
      for (let i = 0; i < 20; i++) await key();
      const c0 = await page.evaluate(() => [__bench.moves, __bench.keys]);
      const m0 = await metrics();
      for (let i = 0; i < MOUSE_EVENTS; i++) await move(i);
      const m1 = await metrics();
      for (let i = 0; i < KEY_PRESSES; i++) await key();
      const m2 = await metrics();
      const c1 = await page.evaluate(() => [__bench.moves, __bench.keys]);
      const moves = c1[0] - c0[0];
      const keys = c1[1] - c0[1];
      samples[v].push({
        mouse: { script: (m1.script - m0.script) / moves, task: (m1.task - m0.task) / moves, wall: (m1.wall - m0.wall) / moves, events: moves },
        key: { script: (m2.script - m1.script) / keys, task: (m2.task - m1.task) / keys, wall: (m2.wall - m1.wall) / keys, events: keys },
      });
      await context.close();
    }
  }
  const out = { runs: RUNS, mouseEvents: MOUSE_EVENTS, keyPresses: KEY_PRESSES, variants: {}, diff: {} };
  for (const v of names) {
    out.variants[v] = {};
    for (const kind of ["mouse", "key"]) {
      out.variants[v][kind] = {};
      for (const k of ["script", "task", "wall", "events"]) out.variants[v][kind][k] = stat(samples[v].map((s) => s[kind][k]));
    }
  }
  // Paired differences (same run, adjacent in time) against the page without a detector.
  for (const v of ["guard", "guardListening", "peer"]) {
    out.diff[v] = {};
    for (const kind of ["mouse", "key"]) {
      out.diff[v][kind] = {};
      for (const k of ["script", "task"]) out.diff[v][kind][k] = stat(samples[v].map((s, i) => s[kind][k] - samples.none[i][kind][k]));
    }
  }
  return out;
}

/** The "3. Activity cost" section of BENCHMARKS.md, from what benchActivity measured. */
export function reportActivity(p, activity) {
  const a = activity;
  p("## 3. Activity cost");
  p();
  p(`Main-thread time per trusted input event, in µs. Per run and page: ${a.mouseEvents} CDP \`Input.dispatchMouseEvent\``);
  p(`(mouseMoved, each awaited, so one per frame as a real mouse delivers them) then ${a.keyPresses} key presses`);
  p("(`Input.dispatchKeyEvent` keyDown + keyUp of \"a\", no field focused), after a 20-event warm-up. *Script* and *task*");
  p("are the deltas of CDP `Performance.getMetrics` ScriptDuration and TaskDuration divided by the events the page");
  p("saw (a counting listener on every page). TaskDuration includes the frames Chromium renders for each mouse move,");
  p("so it is mostly the same for every page; *script* is what a detector adds. The pages are identical but for");
  p(`the detector, opened one after the other in fresh contexts, order rotated each run; ${a.runs} runs.`);
  p("session-guard listens for input only while it can matter: from `warnBefore` ahead of the renewal point until the");
  p("first input after it. With timeout 1800 s that is from minute 13 on, so during this run it is not listening;");
  p("the *60 s session* page (warnBefore 30 s) is listening from the start: it takes the first input of each renewal");
  p("window, then stops.");
  p();
  const rows = [];
  const label = {
    none: "no detector",
    guard: "**session-guard**, timeout 1800 s",
    guardListening: "**session-guard**, 60 s session",
    peer: "react-idle-timer",
  };
  for (const v of ["none", "guard", "guardListening", "peer"]) {
    if (!a.variants[v]) continue;
    const x = a.variants[v];
    rows.push([label[v], cell(x.mouse.script), cell(x.mouse.task, 0), cell(x.key.script), cell(x.key.task, 0)]);
  }
  for (const v of ["guard", "guardListening", "peer"]) {
    const d = a.diff[v];
    if (!d) continue;
    rows.push([`${label[v]} − no detector (paired)`, cell(d.mouse.script), cell(d.mouse.task, 0), cell(d.key.script), cell(d.key.task, 0)]);
  }
  p(table(["Page", "mousemove: script µs", "mousemove: task µs", "key press: script µs", "key press: task µs"], rows));
  p();
}
