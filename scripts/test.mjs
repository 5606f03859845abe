// `npm test`: installs what is missing, then runs every test phase, stopping at the first failure.
//
//   core     cargo test                          pure Rust core, natively
//   browser  wasm-pack test --headless --chrome  tests/browser*.rs in headless Chromium
//   build    npm run build                       dist/, with the size budget enforced
//   e2e      node --test tests/e2e/              demo server + Playwright (playwright-core) in Chromium
//
// One phase only: `npm test -- --only=core|browser|build|e2e` (e2e builds dist/ first, the size
// budget then only warns).

import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "./build.mjs";
import { CHROMEDRIVER, CHROMIUM, log, ROOT, run, setup } from "./setup.mjs";

const PHASES = ["core", "browser", "build", "e2e"];
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
    // Debian's chromedriver + chromium; webdriver.json gives the binary and the headless flags.
    // --mode no-install: wasm-pack uses the wasm-bindgen(-test-runner) on PATH and downloads nothing.
    run(
      "wasm-pack",
      ["test", "--headless", "--chrome", "--chromedriver", CHROMEDRIVER, "--mode", "no-install", ".", "--test", "browser*"],
      {
        env: {
          ...process.env,
          CHROMEDRIVER,
          WASM_BINDGEN_TEST_WEBDRIVER_JSON: join(ROOT, "webdriver.json"),
          WASM_BINDGEN_TEST_TIMEOUT: process.env.WASM_BINDGEN_TEST_TIMEOUT || "60",
        },
      },
    );
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
    run(process.execPath, ["--test", "--test-concurrency=1", ...files.map((name) => join("tests", "e2e", name))], {
      env: { ...process.env, CHROMIUM_PATH: process.env.CHROMIUM_PATH || CHROMIUM },
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

  step("setup", () => setup({ browser: needs("browser"), chromium: needs("e2e"), wasm: needs("browser", "build", "e2e") }));
  for (const name of selected) step(name, phases[name]);
  summary();
}

try {
  main();
} catch (error) {
  console.error(`[session-guard] ${error.message}`);
  process.exit(1);
}
