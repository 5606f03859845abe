// Makes sure every tool the build and the tests need is present, installing only what is
// missing. Idempotent, offline and fast (a few hundred ms) when everything is there.
//
//   import { setup, run, ROOT } from "./setup.mjs";
//   await setup({ browser: true });     // tests: also the browsers (apt), wasm-pack, geckodriver
//
// Run directly (`node scripts/setup.mjs [--browser]`) it just sets the machine up.
//
// Nothing here downloads a prebuilt binary: Rust tools come from crates.io (`cargo install`),
// wasm-opt from the npm package `binaryen`, the browser from Debian's apt.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, utimesSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const CHROMIUM = "/usr/bin/chromium";
export const CHROMEDRIVER = "/usr/bin/chromedriver";
export const FIREFOX = "/usr/bin/firefox-esr";
export const WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver";
export const XVFB_RUN = "/usr/bin/xvfb-run";
/** geckodriver drives firefox-esr for `wasm-pack test --firefox`; built from crates.io when missing. */
export const GECKODRIVER_VERSION = "0.37.1";
export const WASM_TARGET = "wasm32-unknown-unknown";
/** wasm-pack version installed when it is missing (the one whose flags the scripts use). */
export const WASM_PACK_VERSION = "0.15.1";

const CARGO_BIN = join(process.env.CARGO_HOME || join(homedir(), ".cargo"), "bin");
const NODE_BIN = join(ROOT, "node_modules", ".bin");

// Children (cargo, wasm-pack, wasm-bindgen, wasm-opt, npm) find our tools first:
// npm's binaryen wasm-opt, never Debian's; cargo-installed wasm-bindgen and wasm-pack.
{
  const rest = (process.env.PATH || "").split(delimiter).filter((p) => p && p !== NODE_BIN && p !== CARGO_BIN);
  process.env.PATH = [NODE_BIN, CARGO_BIN, ...rest].join(delimiter);
}

export function log(message) {
  console.log(`[session-guard] ${message}`);
}

/** Runs a command with inherited stdio; throws when it fails. */
export function run(cmd, args = [], options = {}) {
  const result = spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit", ...options });
  if (result.error) throw new Error(`${cmd}: ${result.error.message}`);
  if (result.status !== 0) {
    const how = result.signal ? `signal ${result.signal}` : `exit code ${result.status}`;
    throw new Error(`\`${[cmd, ...args].join(" ")}\` failed (${how})`);
  }
}

/** Runs a command and returns its stdout, or null when it is missing or fails. */
export function capture(cmd, args = [], options = {}) {
  const result = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], ...options });
  return result.status === 0 ? result.stdout.trim() : null;
}

/** Full path of an executable on PATH, or null. */
export function which(name) {
  for (const dir of process.env.PATH.split(delimiter)) {
    const candidate = join(dir, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {}
  }
  return null;
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

function timed(what, fn) {
  const t0 = performance.now();
  fn();
  log(`installed ${what} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

/** `cargo install`, trying `--locked` first (a locked dependency may be missing from the registry mirror). */
function cargoInstall(crate, version) {
  const args = ["install", crate, "--version", `=${version}`];
  try {
    run("cargo", [...args, "--locked"]);
  } catch (error) {
    log(`${error.message}; retrying without --locked`);
    run("cargo", args);
  }
}

/**
 * The wasm-bindgen version the crate links against, from Cargo.lock (generated when missing);
 * falls back to an exact `wasm-bindgen = "=x.y.z"` pin in Cargo.toml while no lock can be made.
 */
export function wasmBindgenVersion() {
  const lockPath = join(ROOT, "Cargo.lock");
  if (!existsSync(lockPath)) capture("cargo", ["generate-lockfile", "--quiet"]);
  if (existsSync(lockPath)) {
    const lock = readFileSync(lockPath, "utf8");
    const match = /\[\[package\]\]\s*\nname = "wasm-bindgen"\s*\nversion = "([^"]+)"/.exec(lock);
    if (match) return match[1];
    throw new Error("Cargo.lock has no `wasm-bindgen` package");
  }
  const manifest = readFileSync(join(ROOT, "Cargo.toml"), "utf8");
  const pin = /^wasm-bindgen\s*=\s*(?:\{[^}\n]*version\s*=\s*)?"=([0-9][^"]*)"/m.exec(manifest);
  if (pin) return pin[1];
  throw new Error("no Cargo.lock (and `cargo generate-lockfile` failed): cannot tell which wasm-bindgen-cli to use");
}

function ensureRustTarget(wasm) {
  if (!which("cargo") || !which("rustc")) {
    throw new Error("cargo/rustc not found: install Rust with rustup (https://rustup.rs) and put ~/.cargo/bin on PATH");
  }
  if (!wasm) return;
  const sysroot = capture("rustc", ["--print", "sysroot"]);
  if (sysroot && existsSync(join(sysroot, "lib", "rustlib", WASM_TARGET, "lib"))) return;
  timed(`rustup target ${WASM_TARGET}`, () => run("rustup", ["target", "add", WASM_TARGET]));
}

function ensureNodeModules() {
  const stamp = join(ROOT, "node_modules", ".package-lock.json");
  const stampTime = mtime(stamp);
  const wanted = Math.max(mtime(join(ROOT, "package-lock.json")), mtime(join(ROOT, "package.json")));
  if (stampTime >= wanted && existsSync(join(NODE_BIN, "wasm-opt"))) return;
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  // A clean CI checkout installs exactly the lock file; a developer's edit of package.json updates it.
  const ci = process.env.CI && stampTime < 0 && existsSync(join(ROOT, "package-lock.json"));
  timed(`npm packages (npm ${ci ? "ci" : "install"})`, () =>
    run(npm, [ci ? "ci" : "install", "--no-audit", "--no-fund"]),
  );
  const now = new Date();
  if (existsSync(stamp)) utimesSync(stamp, now, now); // npm may leave it untouched when nothing changed
}

function asRoot(script) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot) return spawnSync("sh", ["-c", script], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (!which("sudo")) return { status: 1 };
  return spawnSync("sudo", ["-n", "env", "DEBIAN_FRONTEND=noninteractive", "sh", "-c", script], { stdio: "inherit" });
}

/** Debian packages, installed together in one apt run when any of their files is missing. */
const APT_PACKAGES = [
  // The test browsers: Chromium (+ ChromeDriver for wasm-pack), Firefox ESR, WebKitGTK's
  // WebDriver with its MiniBrowser, and Xvfb for MiniBrowser, which has no headless mode.
  { name: "chromium", file: CHROMIUM },
  { name: "chromium-driver", file: CHROMEDRIVER },
  { name: "firefox-esr", file: FIREFOX },
  { name: "webkit2gtk-driver", file: WEBKIT_DRIVER },
  { name: "xvfb", file: XVFB_RUN },
  // PHP's CLI (php -S) for the PHP example's journeys (tests/e2e/frameworks.test.mjs).
  { name: "php-cli", file: "/usr/bin/php" },
  // Python's venv module (with ensurepip) for the Django and Flask journeys' .venv/ (same test file).
  // Debian splits it out of python3; without it the journeys fail with this package's name.
  { name: "python3-venv", file: "python3 -m venv", present: () => pythonHasVenv() },
];

/** Whether `python3 -m venv` can make a venv with pip (Debian ships ensurepip in python3-venv). */
function pythonHasVenv() {
  return spawnSync("python3", ["-c", "import ensurepip, venv"], { stdio: "ignore" }).status === 0;
}

const isInstalled = (p) => (p.present ? p.present() : existsSync(p.file));

function ensureBrowsers() {
  const missing = APT_PACKAGES.filter((p) => !isInstalled(p)).map((p) => p.name);
  if (missing.length === 0) return;
  timed(`${missing.join(" ")} (apt)`, () => {
    const result = asRoot(`apt-get update -q && apt-get install -y -q ${missing.join(" ")}`);
    const still = APT_PACKAGES.filter((p) => !isInstalled(p));
    if (result.status !== 0 || still.length) {
      throw new Error(
        `The browser and end-to-end tests run in Chromium, Firefox and WebKit, but ${still.map((p) => p.file).join(", ")} ` +
          "is missing and could not be installed (this needs root or password-less sudo). Install them with:\n" +
          `    sudo apt-get update && sudo apt-get install -y ${APT_PACKAGES.map((p) => p.name).join(" ")}`,
      );
    }
  });
}

function ensureGeckodriver() {
  if (which("geckodriver")) return;
  timed(`geckodriver ${GECKODRIVER_VERSION} (cargo install)`, () => cargoInstall("geckodriver", GECKODRIVER_VERSION));
}

function ensureWasmPack() {
  if (which("wasm-pack")) return;
  timed(`wasm-pack ${WASM_PACK_VERSION} (cargo install)`, () => cargoInstall("wasm-pack", WASM_PACK_VERSION));
}

function ensureWasmBindgen() {
  const version = wasmBindgenVersion();
  const have = which("wasm-bindgen") && capture("wasm-bindgen", ["--version"]);
  if (have === `wasm-bindgen ${version}` && which("wasm-bindgen-test-runner")) return;
  timed(`wasm-bindgen-cli ${version} (cargo install; was: ${have || "missing"})`, () =>
    cargoInstall("wasm-bindgen-cli", version),
  );
}

/**
 * Installs whatever is missing.
 * - `browser`: the browsers (apt), wasm-pack and geckodriver, for the browser tests (implies both below);
 * - `browsers`: Chromium, Firefox ESR, WebKitGTK and Xvfb only (end-to-end tests);
 * - `wasm` (default true): the wasm32 target and wasm-bindgen-cli, for building dist/.
 */
export function setup({ browser = false, browsers = false, wasm = true } = {}) {
  const t0 = performance.now();
  ensureRustTarget(wasm || browser);
  ensureNodeModules();
  if (browsers || browser) ensureBrowsers();
  if (browser) {
    ensureWasmPack();
    ensureGeckodriver();
  }
  if (wasm || browser) ensureWasmBindgen();
  const ms = performance.now() - t0;
  if (process.env.SESSION_GUARD_VERBOSE) log(`setup done in ${ms.toFixed(0)} ms`);
  return ms;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const ms = setup({ browser: process.argv.includes("--browser") });
    log(`setup ok (${ms.toFixed(0)} ms)`);
  } catch (error) {
    console.error(`[session-guard] setup failed: ${error.message}`);
    process.exit(1);
  }
}
