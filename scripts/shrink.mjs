// Post-processing that makes what a page downloads smaller, used by scripts/build.mjs.
//
// shortenImports(): wasm-bindgen names every import after the JS it calls plus a 16-hex-digit
// hash (`__wbg_addEventListener_3f1a…`), and the import module after a file that does not exist
// (`./session_guard_bg.js`). Each name is stored twice, once in the wasm's import section and once
// as a key of the glue's import object, and the hashes do not compress: one- or two-letter names
// save ≈ 3.6 KB gzip. The wasm's import section is rewritten in place (every other section stays
// byte-identical); the glue's keys are renamed only where the name occurs exactly once, as an
// object key, so anything unexpected fails the build instead of shipping a glue that does not
// match its wasm.
//
// shortenExports(): likewise for the wasm's function exports (`sessionguard_state`,
// `wasm_bindgen__convert__closures_____invoke__h71bd…`), which the glue calls as `wasm.<name>`
// and the .d.ts files list: ≈ −0.4 KB gzip. The memory, the externref table and globals keep
// their names. Nothing public changes: index.js's ready() resolves to nothing, and
// session_guard.js is not in the package's exports.
//
// minifyJs(): esbuild's minifier (whitespace, comments, local names; exported names and
// `import.meta.url` stay) for the glue, the snippets and our own js/*.js.

import { createRequire } from "node:module";

// Loaded on first use, not at import: `npm test` and `npm start` import the build before
// setup() has run `npm install` on a fresh clone.
const require = createRequire(import.meta.url);

const MAGIC = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const IMPORT_SECTION = 2;
const EXPORT_SECTION = 7;
const FUNCTION_EXPORT = 0x00;

function readU32(bytes, pos) {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= bytes.length) throw new Error("wasm: truncated LEB128");
    const byte = bytes[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) throw new Error("wasm: LEB128 too long for a u32");
  }
  return [result, pos];
}

/** Skips a signed/unsigned LEB128 of any length (u64 limits, s33 heap types). */
function skipLeb(bytes, pos) {
  while (bytes[pos++] & 0x80) if (pos >= bytes.length) throw new Error("wasm: truncated LEB128");
  return pos;
}

function writeU32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function readName(bytes, pos) {
  const [length, start] = readU32(bytes, pos);
  const end = start + length;
  if (end > bytes.length) throw new Error("wasm: truncated name");
  return [new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(start, end)), end];
}

function writeName(name) {
  const utf8 = new TextEncoder().encode(name);
  return [...writeU32(utf8.length), ...utf8];
}

function skipLimits(bytes, pos) {
  const flags = bytes[pos++];
  if (flags & ~0x0f) throw new Error(`wasm: unknown limits flags 0x${flags.toString(16)}`);
  pos = skipLeb(bytes, pos); // min
  if (flags & 0x01) pos = skipLeb(bytes, pos); // max
  if (flags & 0x08) pos = skipLeb(bytes, pos); // custom page size
  return pos;
}

function skipRefType(bytes, pos) {
  const code = bytes[pos++];
  if (code === 0x63 || code === 0x64) return skipLeb(bytes, pos); // (ref null? heaptype)
  return pos; // funcref, externref, … (one byte)
}

/** End of an import's descriptor (kind byte included), which is copied unchanged. */
function skipImportDesc(bytes, pos) {
  const kind = bytes[pos++];
  switch (kind) {
    case 0x00: // function: type index
      return skipLeb(bytes, pos);
    case 0x01: // table: reftype, limits
      return skipLimits(bytes, skipRefType(bytes, pos));
    case 0x02: // memory: limits
      return skipLimits(bytes, pos);
    case 0x03: {
      // global: valtype, mutability
      const type = bytes[pos];
      pos = type === 0x63 || type === 0x64 ? skipRefType(bytes, pos) : pos + 1;
      return pos + 1;
    }
    case 0x04: // tag: attribute, type index
      return skipLeb(bytes, pos + 1);
    default:
      throw new Error(`wasm: unknown import kind 0x${kind.toString(16)}`);
  }
}

/** The module's sections as { id, start, end } byte ranges (start = the id byte). */
function sections(bytes) {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error("wasm: not a wasm 1.0 module");
  const list = [];
  let pos = 8;
  while (pos < bytes.length) {
    const start = pos;
    const id = bytes[pos++];
    const [size, contentStart] = readU32(bytes, pos);
    const end = contentStart + size;
    if (end > bytes.length) throw new Error(`wasm: section ${id} runs past the end`);
    list.push({ id, start, contentStart, end });
    pos = end;
  }
  return list;
}

/**
 * The entries of a section that is a vector (a count, then the entries), each read by
 * `readEntry(bytes, pos)` → [entry, next pos]; [] when the module has no such section.
 */
function readVector(bytes, id, what, readEntry) {
  const section = sections(bytes).find((s) => s.id === id);
  if (!section) return [];
  let [count, pos] = readU32(bytes, section.contentStart);
  const entries = [];
  for (let i = 0; i < count; i++) {
    let entry;
    [entry, pos] = readEntry(bytes, pos);
    entries.push(entry);
  }
  if (pos !== section.end) throw new Error(`wasm: ${what} section has trailing bytes`);
  return entries;
}

/** The import section's entries: { module, field, desc } (desc = the raw descriptor bytes). */
export function readImports(bytes) {
  return readVector(bytes, IMPORT_SECTION, "import", (bytes, pos) => {
    let module, field;
    [module, pos] = readName(bytes, pos);
    [field, pos] = readName(bytes, pos);
    const descEnd = skipImportDesc(bytes, pos);
    return [{ module, field, desc: bytes.subarray(pos, descEnd) }, descEnd];
  });
}

/** The export section's entries: { name, kind, index }. */
export function readExports(bytes) {
  return readVector(bytes, EXPORT_SECTION, "export", (bytes, pos) => {
    let name, index;
    [name, pos] = readName(bytes, pos);
    const kind = bytes[pos++];
    [index, pos] = readU32(bytes, pos);
    return [{ name, kind, index }, pos];
  });
}

/** The module with section `id`'s content replaced by `content`; every other byte unchanged. */
function replaceSection(bytes, id, content) {
  const parts = [];
  let pos = 0;
  for (const s of sections(bytes)) {
    if (s.id !== id) continue;
    parts.push(bytes.subarray(pos, s.start), Uint8Array.from([id, ...writeU32(content.length), ...content]));
    pos = s.end;
  }
  parts.push(bytes.subarray(pos));
  return Buffer.concat(parts);
}

/** The module with vector section `id` holding `entries`, each written by `writeEntry` → bytes. */
function writeVector(bytes, id, entries, writeEntry) {
  const content = [...writeU32(entries.length)];
  for (const entry of entries) content.push(...writeEntry(entry));
  return replaceSection(bytes, id, content);
}

function writeImports(bytes, imports) {
  return writeVector(bytes, IMPORT_SECTION, imports, ({ module, field, desc }) => [...writeName(module), ...writeName(field), ...desc]);
}

function writeExports(bytes, exports) {
  return writeVector(bytes, EXPORT_SECTION, exports, ({ name, kind, index }) => [...writeName(name), kind, ...writeU32(index)]);
}

const CUSTOM_SECTION = 0;
/** `core::panicking::panic_fmt`, mangled the v0 way (`…4core9panicking9panic_fmt`) or the legacy one. */
export const PANIC_FMT = /4core9panicking9panic_fmt(17h[0-9a-f]{16}E)?$/;
const CODE_SECTION = 10;
const FUNCTION_NAMES = 1;

/** Index → name of every function the "name" custom section names (a Map; empty without one). */
function functionNames(bytes) {
  const names = new Map();
  for (const s of sections(bytes)) {
    if (s.id !== CUSTOM_SECTION) continue;
    let [sectionName, pos] = readName(bytes, s.contentStart);
    if (sectionName !== "name") continue;
    while (pos < s.end) {
      const kind = bytes[pos++];
      const [size, start] = readU32(bytes, pos);
      pos = start + size;
      if (kind !== FUNCTION_NAMES) continue;
      let [count, at] = readU32(bytes, start);
      for (let i = 0; i < count; i++) {
        let index, name;
        [index, at] = readU32(bytes, at);
        [name, at] = readName(bytes, at);
        names.set(index, name);
      }
    }
  }
  return names;
}

/**
 * Replaces the bodies of the functions whose names (as the "name" section spells them, i.e.
 * mangled) match `pattern` with `unreachable`; every byte outside the code section stays.
 * Returns { wasm, stubbed: the names found and stubbed }.
 *
 * Used for the panic path: with `panic = "abort"` a panic ends in a trap, but on its way
 * std's panic handler formats the message for the panic hook, which on
 * wasm32-unknown-unknown writes nowhere. Its formatting code (`core::fmt`, the payload
 * types, the integer printing) is ~0.6 KB gzip. A stubbed `core::panicking::panic_fmt` traps
 * at once: the same trap, without the formatting nobody can read.
 */
export function stubFunctions(wasm, pattern) {
  const byIndex = new Map([...functionNames(wasm)].filter(([, name]) => pattern.test(name)));
  // Function indexes count the imported functions (descriptor kind 0) first.
  const importedFunctions = readImports(wasm).filter(({ desc }) => desc[0] === 0x00).length;
  const stub = [0x03, 0x00, 0x00, 0x0b]; // size 3: no locals, unreachable, end
  const stubbed = [];
  const code = sections(wasm).find((s) => s.id === CODE_SECTION);
  if (!code || byIndex.size === 0) return { wasm, stubbed };
  let [count, pos] = readU32(wasm, code.contentStart);
  const parts = [];
  for (let i = 0; i < count; i++) {
    const [size, start] = readU32(wasm, pos);
    const end = start + size;
    const name = byIndex.get(importedFunctions + i);
    if (name !== undefined) {
      parts.push(Uint8Array.from(stub));
      stubbed.push(name);
    } else {
      parts.push(wasm.subarray(pos, end));
    }
    pos = end;
  }
  if (pos !== code.end) throw new Error("wasm: code section has trailing bytes");
  const body = Buffer.concat([Uint8Array.from(writeU32(count)), ...parts]);
  const header = Uint8Array.from([CODE_SECTION, ...writeU32(body.length)]);
  return { wasm: Buffer.concat([wasm.subarray(0, code.start), header, body, wasm.subarray(code.end)]), stubbed };
}

const FIRST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$";
const NEXT = FIRST + "0123456789";

/** a, b, …, $, aa, ba, …, a0, …: short names, valid JS identifiers (object keys may be reserved words). */
function* shortNames() {
  for (let length = 1; ; length++) {
    const total = FIRST.length * NEXT.length ** (length - 1);
    for (let n = 0; n < total; n++) {
      let name = FIRST[n % FIRST.length];
      for (let rest = Math.floor(n / FIRST.length); name.length < length; rest = Math.floor(rest / NEXT.length)) {
        name += NEXT[rest % NEXT.length];
      }
      yield name;
    }
  }
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * wasm-bindgen 0.2.130 imports a snippet once per wasm import taken from it directly
 * (`import * as import2 from "./snippets/…/form_io.js"`, then `import3` from the same file)
 * and lists each under the same key, where the last one wins. They are the same module
 * namespace: one key and one import are kept, so that every module key occurs once.
 */
function dropRepeatedSnippetKeys(glue) {
  const keyLine = /^[ \t]*("[^"\n]+")\s*:\s*(import\d+),?[ \t]*\n/gm;
  const byKey = new Map();
  for (const m of glue.matchAll(keyLine)) byKey.set(m[1], [...(byKey.get(m[1]) ?? []), m]);
  for (const [key, lines] of byKey) {
    if (lines.length < 2) continue;
    for (const { 0: line, 2: variable } of lines.slice(0, -1)) {
      const importLine = new RegExp(`^import \\* as ${variable} from ${escapeRegExp(key)};?[ \\t]*\\n`, "m");
      if (!importLine.test(glue)) throw new Error(`shrink: ${variable}, listed again under ${key}, is not that module`);
      glue = glue.replace(importLine, "").replace(line, "");
    }
  }
  return glue;
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

/**
 * Gives the wasm's imports short names, in the wasm (`wasm`, a Uint8Array) and in the glue
 * wasm-bindgen `--target web` wrote (`glue`, its text), consistently:
 *
 *   function __wbg_get_imports() {
 *       const import0 = { __proto__: null, __wbg_Error_2084…: function(arg0, arg1) {…}, … };
 *       return { __proto__: null, "./session_guard_bg.js": import0, "./snippets/…/inline0.js": import1 };
 *   }
 *
 * Module names become short (or empty) keys of the returned object. Fields are renamed only in
 * modules the glue builds as an object literal (`const importN = {`); a snippet module is an ES
 * module namespace (`import * as importN from`) whose fields are the snippet's own export names,
 * kept.
 * Returns { wasm, glue, renamed } (renamed: how many names changed).
 */
export function shortenImports(wasm, glue) {
  const imports = readImports(wasm);
  const names = shortNames();
  glue = dropRepeatedSnippetKeys(glue);
  const moduleNames = new Map(); // old module name → { name, literal, fields: its short names }
  // The module most imports come from gets the empty name, stored once per import (−36 B gzip).
  const counts = new Map();
  for (const { module } of imports) counts.set(module, (counts.get(module) ?? 0) + 1);
  const byUse = [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a));
  for (const [i, module] of byUse.entries()) {
    const short = i === 0 ? "" : names.next().value;
    let variable;
    glue = replaceOnce(
      glue,
      new RegExp(`${escapeRegExp(JSON.stringify(module))}\\s*:\\s*(import\\d+)\\b`),
      (m) => {
        variable = m[1];
        return `${JSON.stringify(short)}: ${variable}`;
      },
      `the import module key ${JSON.stringify(module)} in the glue`,
    );
    const literal = new RegExp(`\\bconst ${variable} = \\{`).test(glue);
    if (!literal && !new RegExp(`\\bimport \\* as ${variable} from `).test(glue)) {
      throw new Error(`shrink: the glue neither builds ${variable} (imports from ${module}) as an object nor imports it as a module`);
    }
    moduleNames.set(module, { name: short, literal, fields: shortNames() });
  }

  let renamed = moduleNames.size;
  const renamedImports = imports.map(({ module, field, desc }) => {
    const m = moduleNames.get(module);
    if (!m.literal) return { module: m.name, field, desc };
    const short = m.fields.next().value;
    // The old name must appear once in the glue, as a key (`name: function…`).
    glue = replaceOnce(glue, new RegExp(`(?<![\\w$])${escapeRegExp(field)}(?![\\w$])`), () => short, `the import name ${field} in the glue`, true);
    renamed++;
    return { module: m.name, field: short, desc };
  });
  return { wasm: writeImports(wasm, renamedImports), glue, renamed };
}

/**
 * Gives the wasm's function exports short names, in the wasm and in wasm-bindgen's glue and
 * .d.ts files, consistently. The glue keeps the exports in one variable, `wasm`
 * (`wasm = instance.exports;`) and calls them as `wasm.<name>(…)`: exactly those property
 * accesses are renamed (a JS function of the same name beside them is a different thing, left to
 * the minifier). `dts` (session_guard.d.ts, its `InitOutput` interface: `readonly <name>: …`) and
 * `wasmDts` (session_guard_bg.wasm.d.ts: `export const <name>: …`) are updated to match.
 * Returns { wasm, glue, dts, wasmDts, renamed }.
 */
export function shortenExports(wasm, glue, dts, wasmDts) {
  if ((glue.match(/\binstance\.exports\b/g) ?? []).length !== 1 || !/\bwasm = instance\.exports;/.test(glue)) {
    throw new Error("shrink: the glue does not keep the wasm's exports in `wasm = instance.exports;` alone");
  }
  if (/(?<![\w$])wasm\s*\[/.test(glue)) throw new Error("shrink: the glue indexes `wasm[…]`: cannot rename its exports");
  const exports = readExports(wasm);
  const taken = new Set(exports.map((e) => e.name));
  const names = shortNames();
  let renamed = 0;
  const renamedExports = exports.map((entry) => {
    if (entry.kind !== FUNCTION_EXPORT) return entry;
    let short;
    do short = names.next().value;
    while (taken.has(short));
    const old = new RegExp(`(?<![\\w$])wasm\\.${escapeRegExp(entry.name)}(?![\\w$])`, "g");
    glue = glue.replace(old, `wasm.${short}`);
    dts = replaceOnce(dts, new RegExp(`(?<=^\\s*readonly )${escapeRegExp(entry.name)}(?=: )`, "m"), () => short, `${entry.name} in session_guard.d.ts`);
    wasmDts = replaceOnce(wasmDts, new RegExp(`(?<=^export const )${escapeRegExp(entry.name)}(?=: )`, "m"), () => short, `${entry.name} in the wasm's .d.ts`);
    renamed++;
    return { ...entry, name: short };
  });
  return { wasm: writeExports(wasm, renamedExports), glue, dts, wasmDts, renamed };
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
    charset: "utf8",
  });
  const selfTypes = /^\/\* @ts-self-types="[^"]*" \*\/\n/.exec(code);
  return (selfTypes ? selfTypes[0] : "") + out;
}
