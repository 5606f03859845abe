// `npm test`: installs what is missing, then runs every test phase, stopping at the first failure.
//
//   core     cargo test                 pure Rust core, natively
//   browser  wasm-pack test --headless  tests/browser*.rs in Chromium, Firefox and WebKit, one after another
//   build    npm run build              dist/, with the size budget enforced
//   e2e      node --test tests/e2e/     demo server + Chromium (playwright-core: the full suite) and the
//                                       journeys of engines.test.mjs in Chromium, Firefox and WebKit
//
// WebKit's MiniBrowser has no headless mode: the WebKit runs (and, simplest, the whole e2e phase)
// run under `xvfb-run -a` with a screen large enough that the resting pointer, at its centre, is
// never under a browser window (a window opening there would send the page a mousemove).
//
// One phase only: `npm test -- --only=core|browser|build|e2e` (e2e builds dist/ first, the size
// budget then only warns).

import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "./build.mjs";
import { CHROMEDRIVER, CHROMIUM, FIREFOX, log, ROOT, run, setup, WEBKIT_DRIVER, which, XVFB_RUN } from "./setup.mjs";

const PHASES = ["core", "browser", "build", "e2e"];
const XVFB = [XVFB_RUN, "-a", "-s", "-screen 0 2560x1600x24"];
let onlyE2e = false;

function parseArgs(argv) {
  let only = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith("--only=")) only = arg.slice("--only=".length);
    else if (arg === "--only") only = argv[++i];
    else if (arg === "-h" || arg === "--help") {
      console.log(`usage: npm test [-- --only=${PHASES.join("|")}]`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (usage: npm test [-- --only=${PHASES.join("|")}])`);
  }
  if (only !== null && !PHASES.includes(only)) throw new Error(`--only must be one of ${PHASES.join(", ")}`);
  return { only };
}

function browserTests() {
  const dir = join(ROOT, "tests");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => /^browser.*\.rs$/.test(name));
}

const phases = {
  core() {
    run("cargo", ["test"]);
  },

  browser() {
    const files = browserTests();
    if (files.length === 0) {
      log("no tests/browser*.rs yet: browser phase skipped");
      return;
    }
    // --mode no-install: wasm-pack uses the wasm-bindgen(-test-runner) on PATH and downloads nothing.
    // webdriver.json gives each driver its browser binary and headless flags (Debian's paths).
    // Always --headless: without it wasm-pack serves the tests and waits for a person.
    const args = ["--headless", "--mode", "no-install", ".", "--test", "browser*"];
    const env = {
      ...process.env,
      WASM_BINDGEN_TEST_WEBDRIVER_JSON: join(ROOT, "webdriver.json"),
      WASM_BINDGEN_TEST_TIMEOUT: process.env.WASM_BINDGEN_TEST_TIMEOUT || "60",
    };
    for (const [engine, cmd, cmdArgs] of [
      ["Chromium", "wasm-pack", ["test", "--chrome", "--chromedriver", CHROMEDRIVER, ...args]],
      ["Firefox", "wasm-pack", ["test", "--firefox", "--geckodriver", which("geckodriver"), ...args]],
      ["WebKit", XVFB[0], [...XVFB.slice(1), "wasm-pack", "test", "--safari", "--safaridriver", WEBKIT_DRIVER, ...args]],
    ]) {
      log(`browser tests in ${engine}`);
      run(cmd, cmdArgs, { env });
    }
  },

  build() {
    // `--only=e2e` is for working on the end-to-end tests: the size budget is reported, not enforced.
    build({ enforceBudget: !onlyE2e });
  },

  e2e() {
    const dir = join(ROOT, "tests", "e2e");
    const files = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(".test.mjs")).sort() : [];
    if (files.length === 0) {
      log("no tests/e2e/*.test.mjs yet: end-to-end phase skipped");
      return;
    }
    run(XVFB[0], [...XVFB.slice(1), process.execPath, "--test", "--test-concurrency=1", ...files.map((name) => join("tests", "e2e", name))], {
      env: { ...process.env, CHROMIUM_PATH: process.env.CHROMIUM_PATH || CHROMIUM, FIREFOX_PATH: FIREFOX },
    });
  },
};

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

function main() {
  const { only } = parseArgs(process.argv.slice(2));
  onlyE2e = only === "e2e";
  const selected = only === null ? PHASES : onlyE2e ? ["build", "e2e"] : [only];
  const needs = (...phases) => phases.some((phase) => selected.includes(phase));
  const results = [];
  const t0 = performance.now();
  const step = (name, fn) => {
    log(`── ${name} ──`);
    const start = performance.now();
    try {
      fn();
    } catch (error) {
      results.push([name, performance.now() - start, "FAILED"]);
      summary();
      console.error(`[session-guard] ${name} FAILED: ${error.message}`);
      process.exit(1);
    }
    results.push([name, performance.now() - start, "ok"]);
  };
  const summary = () => {
    log(`phases (${seconds(performance.now() - t0)} in all):`);
    for (const [name, ms, status] of results) console.log(`  ${name.padEnd(8)} ${seconds(ms).padStart(9)}  ${status}`);
  };

  step("setup", () => setup({ browser: needs("browser"), browsers: needs("e2e"), wasm: needs("browser", "build", "e2e") }));
  for (const name of selected) step(name, phases[name]);
  summary();
}

try {
  main();
} catch (error) {
  console.error(`[session-guard] ${error.message}`);
  process.exit(1);
}
