// Bench section "size": 1. Size of what ships. Its measurement (run by scripts/bench.mjs) and its part of the report.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { DIST, measure, stubPanicPath, WASM_OPT_FEATURES, WASM_OPT_PASSES } from "../scripts/build.mjs";
import { ROOT, WASM_TARGET } from "../scripts/setup.mjs";
import { OUT_DIR, fmt, kb, log, table } from "./common.mjs";

export function buildDist() {
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

export function benchSize() {
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
  // The shipped code: the build's panic-path stubs and wasm-opt passes, with the names kept.
  fs.copyFileSync(named, namedOpt);
  stubPanicPath(namedOpt);
  const wo = spawnSync("wasm-opt", [...WASM_OPT_PASSES, "--debuginfo", ...WASM_OPT_FEATURES, namedOpt, "-o", namedOpt], { encoding: "utf8" });
  const shown = cmd.map((a) => (a === tmp ? "<tmp>" : a.startsWith(ROOT + path.sep) ? path.relative(ROOT, a) : a));
  const twiggy = {
    command: `wasm-bindgen ${shown.join(" ")} && twiggy top -n 14 <tmp>/session_guard_bg.wasm`,
    bindgen: { bytes: fs.statSync(named).size, ...twiggyTop(named) },
    optimised: wo.status === 0 ? { bytes: fs.statSync(namedOpt).size, ...twiggyTop(namedOpt) } : null,
  };
  return { rows, budget: sizes.budget.gzip, twiggy, wasmMtime: fs.statSync(path.join(DIST, "session_guard_bg.wasm")).mtime.toISOString() };
}

/** The "1. Size of what ships" section of BENCHMARKS.md, from what benchSize measured. */
export function reportSize(p, size) {
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
    p(`The same with the build's panic-path stubs and wasm-opt passes and features (\`--debuginfo\`), i.e. the shipped code with names kept`);
    p(`(${kb(size.twiggy.optimised.bytes)}; not listed: ${skipped(size.twiggy.optimised)}):`);
    p();
    p(tw(size.twiggy.optimised));
    p();
  }
}
