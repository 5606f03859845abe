// What the bench sections share: the command line, statistics and formatting, the browser
// helpers (contexts, pages, the guard ready, memory and heap), and markdown tables.

import path from "node:path";
import { INSTRUMENT } from "./instrument.mjs";
import { ROOT } from "../scripts/setup.mjs";

export const SECTIONS = ["size", "startup", "activity", "idle", "keepalive", "drafts", "editors", "leaks"];
export const OUT_DIR = path.join(ROOT, "target", "bench");
export const VIEWPORT = { width: 1024, height: 800 };

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- arguments ---------------------------------------------------------------------

export function parseArgs(argv) {
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

export const OPTS = parseArgs(process.argv.slice(2));
export const RUNS = OPTS.runs;
export const want = (section) => !OPTS.only || OPTS.only.includes(section);

export function log(message) {
  console.log(`[bench] ${message}`);
}

// --- statistics --------------------------------------------------------------------

export function median(xs) {
  const s = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** { median, min, max, n, samples } of the finite numbers in xs. */
export function stat(xs) {
  const s = xs.filter((x) => typeof x === "number" && Number.isFinite(x));
  return { median: median(s), min: Math.min(...s), max: Math.max(...s), n: s.length, samples: s };
}

export function fmt(x, digits = 1) {
  if (typeof x !== "number" || !Number.isFinite(x)) return "–";
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "12.3 (11.9–13.0)" */
export function cell(st, digits = 1) {
  if (!st || !st.n) return "–";
  if (st.min === st.max) return `${fmt(st.median, digits)}`;
  return `${fmt(st.median, digits)} (${fmt(st.min, digits)}–${fmt(st.max, digits)})`;
}

export const kb = (bytes) => `${fmt(bytes / 1024, 1)} KB`;

// --- browser helpers ---------------------------------------------------------------

export async function newContext(env, { clock = false, instrument = false } = {}) {
  const context = await env.browser.newContext({ viewport: VIEWPORT, locale: "en-US" });
  if (clock) await context.clock.install(); // before the instrumentation, which wraps the fake timers
  if (instrument) await context.addInitScript(INSTRUMENT);
  context.on("page", (page) => {
    page.on("pageerror", (err) => env.pageErrors.push(`${page.url()}: ${err.message}`));
  });
  return context;
}

export async function openPage(env, context, page_, query = "") {
  const page = await context.newPage();
  await gotoReady(env, page, page_, query);
  return page;
}

export async function gotoReady(env, page, name, query = "") {
  await page.goto(`${env.baseURL}/bench/p/${name}${query ? "?" + query : ""}`);
  await waitReady(page);
}

export async function waitReady(page) {
  await page.waitForFunction(() => window.__bench && window.__bench.marks.ready && (window.wasm || window.guard || window.peer || !document.querySelector("script[type=module]")), null, {
    timeout: 15000,
  });
}

/** Pauses the fake clock 1 s ahead of the page's time: timers then fire only when we advance. */
export async function pauseClock(context, page) {
  await context.clock.pauseAt((await page.evaluate(() => Date.now())) + 1000);
}

export async function wasmMemory(page) {
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
export async function heapByKind(cdp) {
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

export async function jsHeap(cdp) {
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  return usedSize;
}

// --- report ------------------------------------------------------------------------

export function table(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
