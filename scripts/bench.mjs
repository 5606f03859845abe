// `npm run bench`: measured speed and size of session-guard, written to BENCHMARKS.md.
//
//   node scripts/bench.mjs [--runs=N] [--only=size,startup,activity,idle,keepalive,drafts,leaks] [--out=FILE]
//
// Builds dist/ (`node scripts/build.mjs`), then serves bench pages (bench/pages.mjs) with the
// demo app's /session-guard/ route (bench/server.mjs) on 127.0.0.1:0 and drives headless
// Chromium with playwright-core, the same binary and flags as the end-to-end tests. Every
// figure is the median of --runs repeated runs (default 5, at least 5 for BENCHMARKS.md); the
// report gives min–max too. Raw samples go to target/bench/results.json.
//
// Sections:
//   size       dist/ raw/gzip/brotli; `twiggy top` of a names-kept build
//   startup    script evaluation → started guard (script tag and ES module; cold and warm cache)
//   activity   main-thread time per trusted input event (CDP Input.*): none / guard / react-idle-timer
//   idle       timer callbacks during 30 idle minutes (Playwright clock), and per second of open dialog
//   keepalive  keep-alive requests in one simulated hour of an active user: 1 tab, 4 tabs, 60 s timeout;
//              wasm memory and JS heap over that hour
//   drafts     saveDrafts()/restoreDrafts() of a 500-field form with a 200 KB textarea; bytes written
//   editors    the same of three real editors of 20 KB each (bench/editors.mjs)
//              to localStorage by a burst of 50 keystrokes
//   leaks      what is left after guard.destroy(); memory after 50 start/destroy/free cycles
//
// With --only or --runs below 5, the report goes to target/bench/BENCHMARKS.md unless --out is given.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { chromium } from "playwright-core";

import { benchEditors, editorsReport } from "../bench/editors.mjs";
import { pageIdle, withThreadTimes } from "../bench/timing.mjs";
import { INSTRUMENT } from "../bench/instrument.mjs";
import { startBenchServer } from "../bench/server.mjs";
import { DIST, measure, WASM_OPT_FEATURES, WASM_OPT_PASSES } from "./build.mjs";
import { PANIC_FMT, stubFunctions } from "./shrink.mjs";
// The end-to-end tests' Chromium and flags.
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../tests/e2e/harness.mjs";
import { capture, ROOT, WASM_TARGET } from "./setup.mjs";

const SECTIONS = ["size", "startup", "activity", "idle", "keepalive", "drafts", "editors", "leaks"];
const OUT_DIR = path.join(ROOT, "target", "bench");
const VIEWPORT = { width: 1024, height: 800 };


// Workload sizes (per run).
const MOUSE_EVENTS = 200; // mouseMoved, one per frame (~60 Hz, as real mice are delivered)
const KEY_PRESSES = 500; // keyDown + keyUp
const ACTIVE_STEP_S = 5; // an active user: one trusted input every 5 s
const ACTIVE_HOUR_S = 3600;
const IDLE_MINUTES = 40; // 30 to expiry, then 10 expired
const BIG_FORM_FIELDS = 500;
const BIG_TEXT_BYTES = 200 * 1024;
const BURST_KEYS = 50;
const CYCLES = 50;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- arguments ---------------------------------------------------------------------

function parseArgs(argv) {
  const opts = { runs: 5, only: null, out: null };
  for (const arg of argv) {
    const [k, v] = arg.includes("=") ? arg.split(/=(.*)/s) : [arg, null];
    if (k === "--runs") opts.runs = Number(v);
    else if (k === "--draft-key") opts.draftKey = true;
    else if (k === "--only") opts.only = v.split(",").map((s) => s.trim()).filter(Boolean);
    else if (k === "--out") opts.out = v;
    else if (k === "-h" || k === "--help") {
      console.log(`usage: node scripts/bench.mjs [--runs=N] [--only=${SECTIONS.join(",")}] [--out=FILE] [--draft-key]`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error("--runs must be a positive integer");
  for (const s of opts.only ?? []) if (!SECTIONS.includes(s)) throw new Error(`--only: unknown section ${s}`);
  return opts;
}

const OPTS = parseArgs(process.argv.slice(2));
const RUNS = OPTS.runs;
const want = (section) => !OPTS.only || OPTS.only.includes(section);

function log(message) {
  console.log(`[bench] ${message}`);
}

// --- statistics --------------------------------------------------------------------

function median(xs) {
  const s = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** { median, min, max, n, samples } of the finite numbers in xs. */
function stat(xs) {
  const s = xs.filter((x) => typeof x === "number" && Number.isFinite(x));
  return { median: median(s), min: Math.min(...s), max: Math.max(...s), n: s.length, samples: s };
}

function fmt(x, digits = 1) {
  if (typeof x !== "number" || !Number.isFinite(x)) return "–";
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "12.3 (11.9–13.0)" */
function cell(st, digits = 1) {
  if (!st || !st.n) return "–";
  if (st.min === st.max) return `${fmt(st.median, digits)}`;
  return `${fmt(st.median, digits)} (${fmt(st.min, digits)}–${fmt(st.max, digits)})`;
}

const kb = (bytes) => `${fmt(bytes / 1024, 1)} KB`;

// --- machine -----------------------------------------------------------------------

function machineInfo() {
  const cpus = os.cpus();
  const git = capture("git", ["rev-parse", "--short", "HEAD"]);
  const dirty = capture("git", ["status", "--porcelain", "--untracked-files=no"]);
  const pw = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "playwright-core", "package.json"), "utf8")).version;
  const rit = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "react-idle-timer", "package.json"), "utf8")).version;
  return {
    date: new Date().toISOString(),
    cores: cpus.length,
    cpu: cpus[0]?.model?.trim() ?? "?",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    playwright: pw,
    reactIdleTimer: rit,
    load: os.loadavg().map((x) => x.toFixed(2)).join(" "),
    commit: git ? `${git}${dirty ? " + uncommitted changes" : ""}` : "?",
  };
}

// --- 1. size -----------------------------------------------------------------------

function buildDist() {
  log("node scripts/build.mjs");
  const result = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs")], { cwd: ROOT, encoding: "utf8" });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) {
    if (!fs.existsSync(path.join(DIST, "session_guard_bg.wasm"))) {
      process.stderr.write(output);
      throw new Error("build failed and dist/ is missing");
    }
    log(`WARNING: build exited ${result.status}; measuring the dist/ that is there:\n${output.trim()}`);
    return { ok: false, output };
  }
  return { ok: true, output };
}

/** The 10 largest items by shallow size, leaving out the name section that --keep-debug keeps on purpose. */
function twiggyTop(file) {
  const r = spawnSync("twiggy", ["top", "-n", "14", "-f", "json", file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`twiggy failed: ${r.stderr}`);
  const items = JSON.parse(r.stdout).map((it) => ({ name: it.name, bytes: it.shallow_size, percent: it.shallow_size_percent }));
  const names = items.filter((it) => /names" subsection|^custom section/.test(it.name));
  return { top: items.filter((it) => !names.includes(it)).slice(0, 10), skipped: names };
}

function benchSize() {
  const sizes = measure(DIST);
  const f = sizes.files;
  const sum = (names) => {
    const t = { raw: 0, gzip: 0, brotli: 0 };
    for (const n of names) for (const k of Object.keys(t)) t[k] += f[n][k];
    return t;
  };
  const rows = {
    wasm: f["session_guard_bg.wasm"],
    glue: sum(["session_guard.js", "index.js"]),
    "session_guard.js": f["session_guard.js"],
    "index.js": f["index.js"],
    loader: f["session-guard.js"],
    pageTag: sum(["session-guard.js", "session_guard.js", "session_guard_bg.wasm"]),
    pageModule: sum(["index.js", "session_guard.js", "session_guard_bg.wasm"]),
    budgetSet: sizes.loaded,
  };

  // twiggy on a names-kept build of the same cargo output.
  const raw = path.join(ROOT, "target", WASM_TARGET, "release", "session_guard.wasm");
  const tmp = path.join(OUT_DIR, "twiggy");
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const cmd = ["--target", "web", "--keep-debug", "--out-dir", tmp, raw];
  const wb = spawnSync("wasm-bindgen", cmd, { encoding: "utf8" });
  if (wb.status !== 0) throw new Error(`wasm-bindgen --keep-debug failed: ${wb.stderr}`);
  const named = path.join(tmp, "session_guard_bg.wasm");
  const namedOpt = path.join(tmp, "session_guard_bg.opt.wasm");
  // The shipped code: the build's stub and wasm-opt passes, with the names kept.
  fs.copyFileSync(named, namedOpt);
  stubFunctions(namedOpt, PANIC_FMT);
  const wo = spawnSync("wasm-opt", [...WASM_OPT_PASSES, "--debuginfo", ...WASM_OPT_FEATURES, namedOpt, "-o", namedOpt], { encoding: "utf8" });
  const shown = cmd.map((a) => (a === tmp ? "<tmp>" : a.startsWith(ROOT + path.sep) ? path.relative(ROOT, a) : a));
  const twiggy = {
    command: `wasm-bindgen ${shown.join(" ")} && twiggy top -n 14 <tmp>/session_guard_bg.wasm`,
    bindgen: { bytes: fs.statSync(named).size, ...twiggyTop(named) },
    optimised: wo.status === 0 ? { bytes: fs.statSync(namedOpt).size, ...twiggyTop(namedOpt) } : null,
  };
  return { rows, budget: sizes.budget.gzip, twiggy, wasmMtime: fs.statSync(path.join(DIST, "session_guard_bg.wasm")).mtime.toISOString() };
}

// --- browser helpers ---------------------------------------------------------------

async function newContext(env, { clock = false, instrument = false } = {}) {
  const context = await env.browser.newContext({ viewport: VIEWPORT, locale: "en-US" });
  if (clock) await context.clock.install(); // before the instrumentation, which wraps the fake timers
  if (instrument) await context.addInitScript(INSTRUMENT);
  context.on("page", (page) => {
    page.on("pageerror", (err) => env.pageErrors.push(`${page.url()}: ${err.message}`));
  });
  return context;
}

async function openPage(env, context, page_, query = "") {
  const page = await context.newPage();
  await gotoReady(env, page, page_, query);
  return page;
}

async function gotoReady(env, page, name, query = "") {
  await page.goto(`${env.baseURL}/bench/p/${name}${query ? "?" + query : ""}`);
  await waitReady(page);
}

async function waitReady(page) {
  await page.waitForFunction(() => window.__bench && window.__bench.marks.ready && (window.wasm || window.guard || window.peer || !document.querySelector("script[type=module]")), null, {
    timeout: 15000,
  });
}

/** Pauses the fake clock 1 s ahead of the page's time: timers then fire only when we advance. */
async function pauseClock(context, page) {
  await context.clock.pauseAt((await page.evaluate(() => Date.now())) + 1000);
}

async function wasmMemory(page) {
  return page.evaluate(() => {
    const out = { memory: window.wasm.memory.buffer.byteLength, tables: {} };
    for (const [name, value] of Object.entries(window.wasm)) if (value instanceof WebAssembly.Table) out.tables[name] = value.length;
    return out;
  });
}

/**
 * A heap snapshot (after GC) summed by kind: V8's compiled code ("(code)" and the wasm native
 * module, which grow as functions tier up), and everything else.
 */
async function heapByKind(cdp) {
  await cdp.send("HeapProfiler.collectGarbage");
  const chunks = [];
  const on = (e) => chunks.push(e.chunk);
  cdp.on("HeapProfiler.addHeapSnapshotChunk", on);
  await cdp.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  cdp.off("HeapProfiler.addHeapSnapshotChunk", on);
  const snap = JSON.parse(chunks.join(""));
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const out = { code: 0, other: 0 };
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + iType]];
    const name = snap.strings[snap.nodes[i + iName]];
    const code = type === "code" || name.includes("WasmNativeModule");
    out[code ? "code" : "other"] += snap.nodes[i + iSize];
  }
  return out;
}

async function jsHeap(cdp) {
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  return usedSize;
}

// --- 2. startup --------------------------------------------------------------------

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

async function benchStartup(env) {
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

// --- 3. activity -------------------------------------------------------------------

async function benchActivity(env) {
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

// --- 4. idle wake-ups --------------------------------------------------------------

async function benchIdle(env) {
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

// --- 5. keep-alives (+ memory over the active hour) --------------------------------

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

async function benchKeepalive(env) {
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

// --- 6. drafts ---------------------------------------------------------------------

async function typingBurst(page, selector, { settleFirst = false } = {}) {
  await page.focus(selector);
  if (settleFirst) await sleep(1500); // let a save already scheduled (after a restore) happen first
  const before = await page.evaluate(() => {
    __inst.storage.calls.length = 0;
    return __inst.events.filter((e) => e.type === "sessionguard:draftsaved").length;
  });
  await page.keyboard.type("The quick brown fox jumps over the lazy dog 123456".slice(0, BURST_KEYS));
  // The debounce: 1 s after the last edit. Wait for the save, then a little longer.
  await page.waitForFunction((n) => __inst.events.filter((e) => e.type === "sessionguard:draftsaved").length > n, before, { timeout: 5000, polling: 50 }).catch(() => {});
  await sleep(500); // anything written after the save (none expected)
  return page.evaluate(() => {
    const calls = __inst.storage.calls;
    const drafts = calls.filter((c) => c.key.includes("|"));
    return {
      writes: calls.length,
      bytes: calls.reduce((a, c) => a + c.bytes, 0),
      draftWrites: drafts.length,
      draftBytes: drafts.reduce((a, c) => a + c.bytes, 0),
      otherKeys: [...new Set(calls.filter((c) => !c.key.includes("|")).map((c) => (c.key.endsWith("$") ? "shared view (tabs)" : c.key)))],
    };
  });
}


// --draft-key: the drafts encrypted at rest (a fixed test key; never a real one).
const DRAFT_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

async function benchDrafts(env) {
  const samples = [];
  // --draft-key: the drafts encrypted at rest (a fixed test key; never a real one).
  const key = OPTS.draftKey ? `&key=${DRAFT_KEY}` : "";
  const query = `form=big&fields=${BIG_FORM_FIELDS}&restore=manual${key}`;
  for (let r = 0; r < RUNS; r++) {
    const context = await newContext(env, { instrument: true });
    const page = await openPage(env, context, "module", query);
    const startEmpty = await page.evaluate(() => __bench.marks.ready - __bench.marks.instantiateEnd);
    const filled = await page.evaluate((textBytes) => {
      const form = document.getElementById("big");
      let n = 0;
      for (const el of form.elements) {
        if (el.type === "checkbox") el.checked = true;
        else if (el.tagName === "SELECT") el.value = "b";
        else if (el.tagName === "TEXTAREA") el.value = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(Math.ceil(textBytes / 57)).slice(0, textBytes);
        else if (el.tagName === "INPUT") el.value = `value of ${el.name} typed by the user`;
        else continue;
        n++;
      }
      return n;
    }, BIG_TEXT_BYTES);
    // Let the page lay out the 200 KB it was just given and collect the filling's garbage first:
    // that work belongs to the filling (a user types over minutes), not to the save.
    await pageIdle(page);
    const [save, saveThreadMs] = await withThreadTimes(env.browser, page, () =>
      page.evaluate(() => {
        __inst.storage.calls.length = 0;
        performance.mark("first<");
        const t0 = performance.now();
        guard.saveDrafts();
        const first = performance.now() - t0;
        performance.mark("first>");
        const bytes = __inst.storage.calls.reduce((a, c) => a + c.bytes, 0);
        const writes = __inst.storage.calls.length;
        performance.mark("again<");
        const t1 = performance.now();
        guard.saveDrafts();
        const again = performance.now() - t1;
        performance.mark("again>");
        // Reference: one plain setItem of the largest value written (what storage alone costs).
        const largest = __inst.storage.calls.reduce((a, c) => (c.bytes > (a?.bytes ?? 0) ? c : a), null)?.key;
        const value = largest ? localStorage.getItem(largest) : "";
        const t2 = performance.now();
        localStorage.setItem("bench:reference", value);
        const plainSetItem = performance.now() - t2;
        localStorage.removeItem("bench:reference");
        return { first, again, bytes, writes, plainSetItem, largestChars: value.length };
      }),
    );
    save.firstThread = saveThreadMs("first");
    save.againThread = saveThreadMs("again");
    // A new page load, as after a re-login; restore: "manual" leaves it to restoreDrafts().
    await page.reload();
    await waitReady(page);
    const startWithDraft = await page.evaluate(() => __bench.marks.ready - __bench.marks.instantiateEnd);
    const [restore, restoreThreadMs] = await withThreadTimes(env.browser, page, () =>
      page.evaluate(() => {
        let fields = 0;
        const on = (e) => (fields += e.detail.fields);
        document.addEventListener("sessionguard:draftrestored", on);
        performance.mark("restore<");
        const t0 = performance.now();
        guard.restoreDrafts();
        const ms = performance.now() - t0;
        performance.mark("restore>");
        document.removeEventListener("sessionguard:draftrestored", on);
        return { ms, fields, textarea: document.getElementById("notes").value.length };
      }),
    );
    restore.thread = restoreThreadMs("restore");
    const burstBig = await typingBurst(page, "input[name=f0]", { settleFirst: true });
    await page.goto(`${env.baseURL}/bench/p/module?form=small&restore=manual${key}`);
    await waitReady(page);
    const smallSave = await page.evaluate(() => {
      for (const el of document.getElementById("contact").elements) if (el.tagName === "INPUT" && el.type !== "checkbox" && el.type !== "radio") el.value = "12345";
      document.getElementById("message").value = "A short message of a few words.";
      const t0 = performance.now();
      guard.saveDrafts();
      return performance.now() - t0;
    });
    await page.reload();
    await waitReady(page);
    const burstSmall = await typingBurst(page, "input[name=subject]");
    await context.close();
    samples.push({ startEmpty, filled, save, startWithDraft, restore, burstBig, burstSmall, smallSave });
  }
  const s = (f) => stat(samples.map(f));
  return {
    runs: RUNS,
    fields: samples[0].filled,
    saveMs: s((x) => x.save.first),
    saveThreadMs: s((x) => x.save.firstThread),
    saveAgainMs: s((x) => x.save.again),
    saveAgainThreadMs: s((x) => x.save.againThread),
    smallSaveMs: s((x) => x.smallSave),
    saveBytes: s((x) => x.save.bytes),
    plainSetItemMs: s((x) => x.save.plainSetItem),
    largestChars: s((x) => x.save.largestChars),
    writes: s((x) => x.save.writes),
    restoreMs: s((x) => x.restore.ms),
    restoreThreadMs: s((x) => x.restore.thread),
    restoredFields: s((x) => x.restore.fields),
    restoredText: s((x) => x.restore.textarea),
    startEmptyMs: s((x) => x.startEmpty),
    startWithDraftMs: s((x) => x.startWithDraft),
    burst: Object.fromEntries(
      ["burstBig", "burstSmall"].map((k) => [
        k,
        {
          writes: s((x) => x[k].writes),
          bytes: s((x) => x[k].bytes),
          draftWrites: s((x) => x[k].draftWrites),
          draftBytes: s((x) => x[k].draftBytes),
          otherKeys: samples[0][k].otherKeys,
        },
      ]),
    ),
  };
}

// --- 7. leaks ----------------------------------------------------------------------

async function benchLeaks(env) {
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

// --- report ------------------------------------------------------------------------

function table(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function report(results, machine, command) {
  const out = [];
  const p = (s = "") => out.push(s);
  p("# Benchmarks");
  p();
  p("Generated by `npm run bench` (`node scripts/bench.mjs`); do not edit by hand. Each figure is the");
  p("**median** of the runs stated, with the minimum–maximum in brackets. Times are wall-clock on a shared");
  p("machine: other jobs may have been running, so read small differences with care.");
  p();
  p(`- Command: \`${command}\``);
  p(`- Date: ${machine.date}; commit ${machine.commit}`);
  p(`- Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.os}; load average at start ${machine.load}`);
  p(`- Browser: Chromium ${machine.chromium} headless (\`${CHROMIUM_ARGS.join(" ")}\`), playwright-core ${machine.playwright}, Node ${machine.node}`);
  p(`- Peer: react-idle-timer ${machine.reactIdleTimer} (\`useIdleTimer\`, default events and 200 ms throttle) with React 18.3.1`);
  p(`- Bench run time: ${fmt(results.seconds, 0)} s`);
  p();

  const { size, startup, activity, idle, keepalive, drafts, editors, leaks } = results;

  if (size) {
    p("## 1. Size of what ships");
    p();
    p(`\`dist/\` after \`node scripts/build.mjs\` (gzip level 9, brotli quality 11; identical in every run). Build budget (GZIP_BUDGET): ${kb(size.budget)} gzip for wasm + session_guard.js + index.js + session-guard.js.`);
    p();
    const r = size.rows;
    const row = (name, s) => [name, kb(s.raw), kb(s.gzip), kb(s.brotli), `${s.gzip}`];
    p(
      table(["File(s)", "raw", "gzip", "brotli", "gzip bytes"], [
        row("`session_guard_bg.wasm`", r.wasm),
        row("ES-module glue: `session_guard.js` + `index.js`", r.glue),
        row("&nbsp;&nbsp;`session_guard.js`", r["session_guard.js"]),
        row("&nbsp;&nbsp;`index.js`", r["index.js"]),
        row("script-tag loader `session-guard.js`", r.loader),
        row("**A script-tag page loads** (loader + glue + wasm)", r.pageTag),
        row("**An ES-module page loads** (index.js + glue + wasm)", r.pageModule),
        row("Budgeted set (all four files)", r.budgetSet),
      ]),
    );
    p();
    const tw = (t) =>
      table(["#", "Item (shallow size)", "Bytes", "%"], t.top.map((it, i) => [i + 1, `\`${it.name.replace(/\|/g, "\\|").slice(0, 90)}\``, it.bytes, fmt(it.percent, 2)]));
    const skipped = (t) => t.skipped.map((it) => `${it.name} ${kb(it.bytes)}`).join(", ");
    p(`\`twiggy top\` of a names-kept build: \`${size.twiggy.command}\` (${kb(size.twiggy.bindgen.bytes)}, before wasm-opt;`);
    p(`not listed: the name section that \`--keep-debug\` keeps, ${skipped(size.twiggy.bindgen)}):`);
    p();
    p(tw(size.twiggy.bindgen));
    p();
    if (size.twiggy.optimised) {
      p(`The same with panic_fmt stubbed and the build's wasm-opt passes and features (\`--debuginfo\`), i.e. the shipped code with names kept`);
      p(`(${kb(size.twiggy.optimised.bytes)}; not listed: ${skipped(size.twiggy.optimised)}):`);
      p();
      p(tw(size.twiggy.optimised));
      p();
    }
  }

  if (startup) {
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

  if (activity) {
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

  if (idle) {
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
    const n = results.notes;
    p(`- session-guard, callbacks until the dialog (first run): ${(n["idle.guard.beforeDialog"] ?? []).join("; ") || "none"}`);
    p(`- session-guard, after expiry: ${(n["idle.guard.afterExpiry"] ?? []).join("; ") || "none"}`);
    p(`- react-idle-timer, until its prompt: ${(n["idle.peer.beforeDialog"] ?? []).join("; ") || "none"}; after idle: ${(n["idle.peer.afterExpiry"] ?? []).join("; ") || "none"}`);
    p();
  }

  if (keepalive) {
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

  if (drafts) {
    const d = drafts;
    p("## 6. Drafts");
    p();
    p(`A form of ${BIG_FORM_FIELDS} fields (90 % text inputs, 5 % checkboxes, 5 % selects) plus a textarea holding`);
    p(`${fmt(BIG_TEXT_BYTES, 0)} characters (200 KB) of text, all changed from their defaults (${d.fields} fields filled), then two`);
    p("frames and an idle period. Each call is timed two ways: *wall*, `performance.now()` around it in `page.evaluate`;");
    p("*main-thread CPU*, the thread clock (`tts`) of `performance.mark` trace events around it (category");
    p("`blink.user_timing`). On this 2-core machine the OS often runs another thread (the browser process, the");
    p("compositor, V8's background compiler and GC, the bench script) while the page's main thread waits, and wall time");
    p("counts that; the thread clock counts only the main thread's own work. Restore: after a reload of the page");
    p("(`restore: \"manual\"`), `guard.restoreDrafts()` writes every field back (native setter + `input`/`change`).");
    p("Bytes: `Storage.prototype.setItem` wrapped, 2 × (key + value) characters (UTF-16).");
    p();
    p(
      table(["Figure", "wall, ms", "main-thread CPU, ms"], [
        ["`saveDrafts()`, first save", cell(d.saveMs), cell(d.saveThreadMs)],
        ["`saveDrafts()`, nothing changed since", cell(d.saveAgainMs), cell(d.saveAgainThreadMs)],
        ["`restoreDrafts()`", cell(d.restoreMs), cell(d.restoreThreadMs)],
        ["for comparison: `saveDrafts()` of the 10-field form", cell(d.smallSaveMs, 2), "–"],
        ["reference: one plain `localStorage.setItem` of the largest value written", cell(d.plainSetItemMs), "–"],
        ["guard start with this form, no draft / with a draft (instantiated → ready, as *start* in section 2)", `${cell(d.startEmptyMs)} / ${cell(d.startWithDraftMs)}`, "–"],
      ]),
    );
    p();
    p(
      table(["Figure", "Median (min–max)"], [
        ["bytes written by the first save", `${cell({ ...d.saveBytes, median: d.saveBytes.median / 1024, min: d.saveBytes.min / 1024, max: d.saveBytes.max / 1024 })} KB`],
        ["`setItem` calls of the first save (the long text under its own key, then the record)", cell(d.writes, 0)],
        ["fields restored", cell(d.restoredFields, 0)],
      ]),
    );
    p();
    p(`A burst of ${BURST_KEYS} keystrokes (\`page.keyboard.type\`) into one text field, then the 1 s debounce:`);
    p();
    const b = (x) => [
      cell(x.draftWrites, 0),
      `${cell({ ...x.draftBytes, median: x.draftBytes.median / 1024, min: x.draftBytes.min / 1024, max: x.draftBytes.max / 1024 })} KB`,
      `${fmt(x.draftBytes.median / BURST_KEYS, 0)} B`,
      `${cell(x.writes, 0)} / ${cell({ ...x.bytes, median: x.bytes.median / 1024, min: x.bytes.min / 1024, max: x.bytes.max / 1024 })} KB`,
    ];
    p(
      table(["Form", "draft writes", "draft bytes", "per keystroke", "all setItem (writes / bytes)"], [
        ["500 fields + 200 KB textarea", ...b(d.burst.burstBig)],
        ["10-field form", ...b(d.burst.burstSmall)],
      ]),
    );
    p();
  }

  if (editors) for (const line of editorsReport(editors, { cell, table, fmt })) p(line);

  if (leaks) {
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

  if (results.errors.length) {
    p("## Errors during this run");
    p();
    for (const e of results.errors) p(`- ${e}`);
    p();
  }
  if (results.pageErrors.length) {
    p("## Uncaught page errors");
    p();
    for (const e of [...new Set(results.pageErrors)].slice(0, 20)) p(`- ${e}`);
    p();
  }
  return out.join("\n");
}

// --- main --------------------------------------------------------------------------

async function main() {
  const t0 = performance.now();
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const command = `node scripts/bench.mjs${process.argv.slice(2).length ? " " + process.argv.slice(2).join(" ") : ""}`;
  const machine = machineInfo();
  const results = { errors: [], pageErrors: [] };
  const build = buildDist();
  results.build = { ok: build.ok };

  const section = async (name, fn) => {
    if (!want(name)) return;
    const start = performance.now();
    log(`${name} …`);
    try {
      results[name] = await fn();
    } catch (error) {
      results.errors.push(`${name}: ${error.stack ?? error.message}`);
      log(`${name} FAILED: ${error.message}`);
    }
    log(`${name} done in ${fmt((performance.now() - start) / 1000, 1)} s`);
  };

  await section("size", async () => benchSize());

  const server = await startBenchServer({ distDir: DIST });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  machine.chromium = browser.version();
  const env = { browser, server, baseURL: server.baseURL, pageErrors: results.pageErrors, notes: {}, timings: [] };
  results.timings = env.timings;
  results.notes = env.notes;
  try {
    await section("startup", () => benchStartup(env));
    await section("activity", () => benchActivity(env));
    await section("idle", () => benchIdle(env));
    await section("keepalive", () => benchKeepalive(env));
    await section("drafts", () => benchDrafts(env));
    await section("editors", () => benchEditors({ browser, distDir: DIST, runs: RUNS, draftKey: OPTS.draftKey && DRAFT_KEY, stat }));
    await section("leaks", () => benchLeaks(env));
  } finally {
    await browser.close().catch(() => {});
    await server.close();
  }
  results.seconds = (performance.now() - t0) / 1000;
  results.machine = machine;

  // BENCHMARKS.md holds only complete runs of at least 5 repetitions; anything less goes to target/bench/.
  const complete = !OPTS.only && RUNS >= 5;
  const outFile = OPTS.out ? path.resolve(OPTS.out) : complete ? path.join(ROOT, "BENCHMARKS.md") : path.join(OUT_DIR, "BENCHMARKS.md");
  fs.writeFileSync(outFile, report(results, machine, command) + "\n");
  fs.writeFileSync(path.join(OUT_DIR, "results.json"), JSON.stringify(results, null, 2) + "\n");
  log(`wrote ${path.relative(ROOT, outFile)} and ${path.relative(ROOT, path.join(OUT_DIR, "results.json"))} (${fmt(results.seconds, 0)} s)`);
  if (results.errors.length) {
    console.error(results.errors.join("\n"));
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`[bench] ${error.stack ?? error.message}`);
  process.exit(1);
});
