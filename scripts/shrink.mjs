// Post-processing that makes what a page downloads smaller, used by scripts/build.mjs.
//
// minifyNames(): binaryen's minifier for the wasm's import, export and import-module names, and
// the same names in wasm-bindgen's glue (≈ −3.9 KB gzip: wasm-bindgen's names carry hashes, and
// each is stored in both the wasm and the glue).
//
// stubFunctions(): a function body replaced with `unreachable` (the panic path), by binaryen's
// module API.
//
// minifyJs(): esbuild's minifier (whitespace, comments, local names, a module's unused top-level
// declarations; exported names and `import.meta.url` stay) for the glue, the snippets and our
// own js/*.js.

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

// Loaded on first use, not at import: `npm test` and `npm start` import the build before
// setup() has run `npm install` on a fresh clone.
const require = createRequire(import.meta.url);

/**
 * `core::panicking::panic_fmt` as wasm-bindgen's name section spells it: demangled, with the
 * crate's hash (`core[c5930c85a12de822]::panicking::panic_fmt`), or mangled (v0 or legacy).
 */
export const PANIC_FMT = /^core(\[[0-9a-f]+\])?::panicking::panic_fmt$|4core9panicking9panic_fmt(17h[0-9a-f]{16}E)?$/;

/**
 * Replaces, in the wasm file at `path`, the body of every function whose name matches `pattern`
 * with `unreachable`, through binaryen's module API. The module must carry its name section
 * (wasm-bindgen without `--remove-name-section`); the result keeps it, for wasm-opt to strip.
 * Returns the names found and stubbed. (binaryen's JS is an ES module with top-level await,
 * which the synchronous build cannot load: this runs it in a child node process.)
 *
 * Used for the panic path: with `panic = "abort"` a panic ends in a trap, but on its way
 * std's panic handler formats the message for the panic hook, which on
 * wasm32-unknown-unknown writes nowhere. Its formatting code (`core::fmt`, the payload
 * types, the integer printing) is ~0.6 KB gzip. A stubbed `core::panicking::panic_fmt` traps
 * at once: the same trap, without the formatting nobody can read. Stable Rust has no way to
 * say so itself: `#[panic_handler]` needs `no_std`, `panic_immediate_abort` a nightly
 * `-Zbuild-std`, and binaryen has no pass for it.
 */
export function stubFunctions(path, pattern) {
  const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "stub", path, pattern.source, pattern.flags], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (result.error) throw new Error(`stubFunctions: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`stubFunctions failed (exit code ${result.status})`);
  return JSON.parse(result.stdout);
}

async function stubFunctionsInPlace(path, pattern) {
  const { default: binaryen } = await import("binaryen");
  const module = binaryen.readBinary(readFileSync(path));
  try {
    const stubbed = [];
    for (let i = 0; i < module.getNumFunctions(); i++) {
      const func = module.getFunctionByIndex(i);
      const { name, base } = binaryen.getFunctionInfo(func);
      if (base || !pattern.test(name)) continue; // an import has no body
      binaryen.Function.setBody(func, module.unreachable());
      stubbed.push(name);
    }
    if (!module.validate()) throw new Error("shrink: the module with stubbed functions does not validate");
    binaryen.setDebugInfo(true); // keep the name section
    writeFileSync(path, module.emitBinary());
    return stubbed;
  } finally {
    module.dispose();
  }
}

if (process.argv[2] === "stub" && process.argv[1] === fileURLToPath(import.meta.url)) {
  const [, , , path, source, flags] = process.argv;
  process.stdout.write(JSON.stringify(await stubFunctionsInPlace(path, new RegExp(source, flags))));
}

/**
 * What only a panic message needs, as wasm-bindgen's name section spells it: `core::fmt`
 * (`fmt::write`, `Formatter`), every `Display`/`Debug`/`fmt::Write` impl, std's panic payloads
 * and its panic handler (`rust_begin_unwind`, which only the stubbed `panic_fmt` calls).
 */
export const FORMATTING = new RegExp(
  [
    String.raw`^<?core(\[[0-9a-f]+\])?::fmt::`,
    String.raw` as core(\[[0-9a-f]+\])?::(fmt::(Display|Debug|Write)|panic::PanicPayload)>::`,
    String.raw`^std(\[[0-9a-f]+\])?::(sys::backtrace::__rust_end_short_backtrace::<std(\[[0-9a-f]+\])?::)?panicking::panic_handler::`,
    String.raw`panic_handler::FormatStringPayload>$`,
    String.raw`^__rustc(\[[0-9a-f]+\])?::rust_begin_unwind$`,
  ].join("|"),
);

/**
 * The functions of the wasm at `path` that match `FORMATTING`, once `panic_fmt` is stubbed,
 * when no other function calls them directly; throws naming the caller otherwise.
 *
 * Why: with `panic_fmt` stubbed nothing formats, yet `core::fmt` stays in the wasm. A panic
 * site builds its message's `fmt::Arguments` (`BorrowMutError`'s, a bounds check's `usize`s)
 * with pointers to `Display` impls, and std's panic handler holds payload vtables: those
 * functions sit in the function table, which wasm-opt keeps whole. They are only ever called
 * from `fmt::write` and the panic handler, so stubbing them all (see stubFunctions) is the same
 * trap, ~3.5 KB of wasm smaller. Any direct call from elsewhere (a `format!`, a `to_string()` of
 * a number, a `write!`) would mean formatting is live: then nothing is stubbed and the build says
 * which function formats.
 */
export function panicOnlyFormatting(path) {
  const result = spawnSync("wasm-opt", [path, "--print-call-graph", "--all-features", "-o", process.platform === "win32" ? "NUL" : "/dev/null"], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error || result.status !== 0) throw new Error(`wasm-opt --print-call-graph failed: ${result.error?.message ?? result.stderr}`);
  const found = new Set();
  for (const [, name] of result.stdout.matchAll(/^\s*"(.*)" \[style="filled", fillcolor="white"\];$/gm)) {
    if (FORMATTING.test(name)) found.add(name);
  }
  for (const [, caller, callee] of result.stdout.matchAll(/^\s*"(.*)" -> "(.*)"; \/\/ call$/gm)) {
    if (found.has(callee) && !found.has(caller)) {
      throw new Error(`formatting is live: ${caller} calls ${callee}. core::fmt would ship (~3.5 KB of wasm): build the text with push_str (core/decimal.rs for numbers)`);
    }
  }
  return [...found];
}

/**
 * Source file names in panic `Location`s: std's (`/rustc/<commit>/library/…`), a dependency's
 * (`…/registry/src/…`) and ours (`src/…`), as the data segment holds them.
 */
const PANIC_LOCATION_FILES = /\/rustc\/[0-9a-f]{40}\/library\/[\w/.-]+?\.rs|\/[\w/.-]+?\/registry\/src\/[\w/.-]+?\.rs|(?<![\w/.-])src\/[\w/]+\.rs/g;

/**
 * Zeroes, in place, the source file names of the panic `Location`s in the wasm at `path` (same
 * length, so every pointer stays right); wasm-opt's memory packing then drops the zeros.
 * Returns how many bytes. Only formatting a panic message reads a `Location`'s file (std's
 * panic handler, wasm-bindgen's debug-only `unwrap_throw` message), and with the formatting
 * stubbed (see panicOnlyFormatting) nothing formats: the paths are dead weight.
 */
export function blankPanicLocations(path) {
  const bytes = readFileSync(path);
  // latin1: one character per byte, so string offsets are byte offsets.
  const text = bytes.toString("latin1");
  let blanked = 0;
  for (const match of text.matchAll(PANIC_LOCATION_FILES)) {
    bytes.fill(0, match.index, match.index + match[0].length);
    blanked += match[0].length;
  }
  writeFileSync(path, bytes);
  return blanked;
}

/** binaryen prints its name map as JSON, with a comma after the last element of a list. */
function parseNameMap(text) {
  const start = text.indexOf("{");
  if (start < 0) throw new Error("shrink: wasm-opt printed no name map");
  const map = JSON.parse(text.slice(start).replace(/,(\s*[\]}])/g, "$1"));
  if (!Array.isArray(map.imports) || !Array.isArray(map.exports)) throw new Error("shrink: wasm-opt's name map has no imports or exports");
  return map;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Replaces the one match of `pattern` in `text` (`replacement` gets the match); throws unless
 * there is exactly one and, with `keyOnly`, unless it is followed by `:` (an object key).
 */
function replaceOnce(text, pattern, replacement, what, keyOnly = false) {
  const matches = [...text.matchAll(new RegExp(pattern.source, pattern.flags.replace("g", "") + "g"))];
  if (matches.length !== 1) {
    throw new Error(`shrink: expected ${what} exactly once, found it ${matches.length} times`);
  }
  const { index, 0: found } = matches[0];
  const after = index + found.length;
  if (keyOnly && !/^\s*:/.test(text.slice(after, after + 20))) throw new Error(`shrink: ${what} is not an object key`);
  return text.slice(0, index) + replacement(matches[0]) + text.slice(after);
}

/** Replaces `pattern`'s matches in `text`; throws when there are more than `most`. */
function replaceAtMost(text, pattern, replacement, most, what) {
  const count = (text.match(pattern) ?? []).length;
  if (count > most) throw new Error(`shrink: expected ${what} at most ${most} times, found it ${count} times`);
  return text.replace(pattern, replacement);
}

/**
 * Minifies the names of the wasm's imports, exports and import modules with binaryen
 * (`wasm-opt --minify-imports-and-exports-and-modules`, which writes the module at `wasmPath`
 * in place and prints the old → new names), and applies the same names to the glue that
 * wasm-bindgen `--target web` wrote (`glue`) and its .d.ts files (`dts`: session_guard.d.ts,
 * `wasmDts`: session_guard_bg.wasm.d.ts).
 *
 * wasm-bindgen names every import after the JS it calls plus a hash that does not compress
 * (`__wbg_addEventListener_3f1a…`), from a module named after a file that does not exist
 * (`./session_guard_bg.js`) or after a snippet; and its exports likewise
 * (`wasm_bindgen__convert__closures_____invoke__h71bd…`). Each name is stored twice, in the
 * wasm and in the glue. binaryen puts every import in one module, `a`; the glue's
 * `__wbg_get_imports()`, which returned
 *
 *   { __proto__: null, "./session_guard_bg.js": import0, "./snippets/…/dom.js": import3, … }
 *
 * (import0 an object literal, `const import0 = { __proto__: null, __wbg_Error_2084…: function…`;
 * import3 a snippet's module namespace, `import * as import3 from "./snippets/…/dom.js"`),
 * then returns `{ __proto__: null, a: import0 }` with import0's keys renamed and the snippets'
 * functions added to it (`e: import3.observeResources`). The exports, which the glue keeps in
 * `wasm = instance.exports;` and calls as `wasm.<name>`, are renamed where it does so.
 * Anything else — a name not found exactly where expected, an export the glue reaches another
 * way, an import the new glue does not provide — fails the build.
 * Returns { glue, dts, wasmDts, renamed }.
 */
export function minifyNames(wasmPath, glue, dts, wasmDts, { wasmOpt = "wasm-opt", features = [] } = {}) {
  const before = new WebAssembly.Module(readFileSync(wasmPath));
  const result = spawnSync(wasmOpt, ["--minify-imports-and-exports-and-modules", ...features, wasmPath, "-o", wasmPath], {
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${wasmOpt}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`wasm-opt --minify-imports-and-exports-and-modules failed: ${result.stderr}`);
  const map = parseNameMap(result.stdout);
  const after = new WebAssembly.Module(readFileSync(wasmPath));
  const modules = new Set(WebAssembly.Module.imports(after).map((i) => i.module));
  if (modules.size !== 1) throw new Error(`shrink: binaryen left ${modules.size} import modules`);
  const [moduleName] = modules;
  if (map.imports.length !== WebAssembly.Module.imports(before).length || map.exports.length !== WebAssembly.Module.exports(before).length) {
    throw new Error("shrink: binaryen's name map does not list every import and export");
  }

  // The modules the glue provides: the object literal and the snippets' namespaces.
  const returned = /return \{\s*__proto__: null,\s*((?:"[^"\n]+"\s*:\s*import\d+,?\s*)+)\};/g;
  const found = [...glue.matchAll(returned)];
  if (found.length !== 1) throw new Error(`shrink: expected the glue's import object once, found it ${found.length} times`);
  const providers = new Map(); // module name → { variable, literal }
  let literal;
  for (const [, key, variable] of found[0][1].matchAll(/("[^"\n]+")\s*:\s*(import\d+)/g)) {
    const module = JSON.parse(key);
    if (new RegExp(`\\bconst ${variable} = \\{\\s*__proto__: null,`).test(glue)) {
      if (literal) throw new Error(`shrink: the glue builds two import objects (${literal.variable}, ${variable})`);
      literal = { module, variable };
      providers.set(module, { variable, literal: true });
    } else if (new RegExp(`^import \\* as ${variable} from ${escapeRegExp(key)};?$`, "m").test(glue)) {
      if (!providers.has(module)) providers.set(module, { variable, literal: false });
    } else {
      throw new Error(`shrink: the glue neither builds ${variable} (imports from ${module}) as an object nor imports it as a module`);
    }
  }
  if (!literal) throw new Error("shrink: the glue builds no import object");

  let renamed = 0;
  const added = [];
  for (const [module, field, short] of map.imports) {
    const provider = providers.get(module);
    if (!provider) throw new Error(`shrink: the glue does not provide the import module ${module}`);
    if (provider.literal) {
      // The old name must appear once in the glue, as a key (`name: function…`).
      glue = replaceOnce(glue, new RegExp(`(?<![\\w$.])${escapeRegExp(field)}(?![\\w$])`), () => short, `the import name ${field} in the glue`, true);
    } else {
      if (!/^[A-Za-z_$][\w$]*$/.test(field)) throw new Error(`shrink: the snippet import ${field} is not an identifier`);
      added.push(`${short}: ${provider.variable}.${field},`);
    }
    renamed++;
  }
  glue = replaceOnce(
    glue,
    new RegExp(`\\bconst ${literal.variable} = \\{\\s*__proto__: null,`),
    (m) => `${m[0]}\n${added.join("\n")}`,
    `the import object ${literal.variable}`,
  );
  glue = glue.replace(returned, () => `return { __proto__: null, ${JSON.stringify(moduleName)}: ${literal.variable} };`);
  // Namespaces of a snippet imported more than once (wasm-bindgen 0.2.130 does, once per import
  // taken from it) and no longer used.
  for (const m of [...glue.matchAll(/^import \* as (import\d+) from "[^"\n]+";?[ \t]*\n/gm)]) {
    if (!new RegExp(`\\b${m[1]}\\.`).test(glue)) glue = glue.replace(m[0], "");
  }

  if ((glue.match(/\binstance\.exports\b/g) ?? []).length !== 1 || !/\bwasm = instance\.exports;/.test(glue)) {
    throw new Error("shrink: the glue does not keep the wasm's exports in `wasm = instance.exports;` alone");
  }
  if (/(?<![\w$])wasm\s*\[/.test(glue)) throw new Error("shrink: the glue indexes `wasm[…]`: cannot rename its exports");
  const exportNames = new Map(map.exports);
  glue = glue.replace(/(?<![\w$.])wasm\.([\w$]+)/g, (whole, name) => {
    const short = exportNames.get(name);
    if (short === undefined) throw new Error(`shrink: the glue calls wasm.${name}, which the wasm does not export`);
    return `wasm.${short}`;
  });
  for (const [name, short] of map.exports) {
    dts = replaceAtMost(dts, new RegExp(`(?<=^\\s*readonly )${escapeRegExp(name)}(?=: )`, "m"), short, 1, `${name} in session_guard.d.ts`);
    wasmDts = replaceAtMost(wasmDts, new RegExp(`(?<=^export const )${escapeRegExp(name)}(?=: )`, "m"), short, 1, `${name} in the wasm's .d.ts`);
    renamed++;
  }
  return { glue, dts, wasmDts, renamed };
}

/**
 * Minifies a script: an ES module, or with `classic` a classic script (kept an IIFE-style
 * script, no module syntax). `/*!` comments stay, as does wasm-bindgen's `@ts-self-types`
 * header (Deno finds the glue's types by it). ES2020 output: never newer syntax than browsers
 * with the wasm features we need understand.
 */
export function minifyJs(code, { classic = false } = {}) {
  const { code: out } = require("esbuild").transformSync(code, {
    loader: "js",
    format: classic ? undefined : "esm",
    target: "es2020",
    minify: true,
    // A module's top-level declarations nothing uses go: what esbuild inlined (form_io.js's
    // named row positions) leaves no declaration behind. Never in a classic script, whose
    // top-level names are the page's globals.
    treeShaking: !classic,
    charset: "utf8",
  });
  const selfTypes = /^\/\* @ts-self-types="[^"]*" \*\/\n/.exec(code);
  return (selfTypes ? selfTypes[0] : "") + out;
}
