// Test pages for fields beyond form controls (tests/e2e/editors.test.mjs): a contenteditable
// region, an input in an open shadow root, a field given to guard.registerField, Quill
// (served from node_modules, a devDependency), a file input, and a form in a same-origin iframe.
// Mounted only with the test hooks.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

import { esc, layout } from "./views.js";

/** `/vendor/<name>` → file, for the editors that are installed. */
export function editorFiles() {
  const require = createRequire(import.meta.url);
  const out = {};
  for (const [name, pkg, file] of [
    ["quill.js", "quill", "dist/quill.js"],
    ["trix.umd.min.js", "trix", "dist/trix.umd.min.js"],
    ["ckeditor5.umd.js", "ckeditor5", "dist/browser/ckeditor5.umd.js"],
  ]) {
    try {
      const full = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
      if (fs.existsSync(full)) out[name] = full;
    } catch {
      // not installed: the page goes without that editor
    }
  }
  return out;
}

/** The self-hosted TinyMCE folder (its skins, themes, models and icons load from beside it). */
export function tinymceDir() {
  try {
    return path.dirname(createRequire(import.meta.url).resolve("tinymce/package.json"));
  } catch {
    return null;
  }
}

/**
 * Tiptap (ProseMirror) as one classic script, bundled from node_modules by esbuild (a
 * devDependency) on first use: its packages ship only ES modules with bare imports.
 */
let tiptapBundle;
export async function tiptapScript() {
  tiptapBundle ??= (async () => {
    try {
      const esbuild = await import("esbuild");
      const out = await esbuild.build({
        stdin: {
          contents: 'import { Editor } from "@tiptap/core"; import StarterKit from "@tiptap/starter-kit"; window.Tiptap = { Editor, StarterKit };',
          resolveDir: path.dirname(new URL(import.meta.url).pathname),
        },
        bundle: true,
        format: "iife",
        minify: true,
        write: false,
        logLevel: "silent",
      });
      return out.outputFiles[0].text;
    } catch {
      return null; // not installed: the page goes without Tiptap
    }
  })();
  return tiptapBundle;
}

export function editorsPage({ user, csrf, guard, files, tinymce = false }) {
  const scripts = ["/vendor/tiptap.js", "/editors-page.js"];
  if (tinymce) scripts.unshift("/vendor/tinymce/tinymce.min.js");
  if (files["quill.js"]) scripts.unshift("/vendor/quill.js");
  if (files["trix.umd.min.js"]) scripts.unshift("/vendor/trix.umd.min.js");
  if (files["ckeditor5.umd.js"]) scripts.unshift("/vendor/ckeditor5.umd.js");
  return layout({
    title: "Editors",
    user,
    csrf,
    guard,
    scripts,
    body: `
<section class="card">
  <h1>Editors</h1>
  <form method="post" action="/editors" id="editors-form">
    <input type="hidden" name="_csrf" value="${esc(csrf)}">
    <label>Title <input name="title" id="title"></label>
    <div id="notes" contenteditable="true" data-session-draft="notes" aria-label="Notes"></div>
    <shadow-field id="shadowed"></shadow-field>
    <div id="widget" tabindex="0" aria-label="Widget"></div>
    <div id="quill-box"></div>
    <textarea id="tiny" name="tiny_body" aria-label="Body"></textarea>
    <div id="ck" data-session-draft="ck_body"></div>
    <div id="tiptap" data-session-draft="tiptap_body"></div>
    <input type="hidden" id="trix-input" name="trix_body">
    <trix-editor input="trix-input" id="trix"></trix-editor>
    <label>Attachment <input type="file" name="attachment" id="attachment"></label>
    <button type="submit">Send</button>
  </form>
  <iframe src="/editors/frame" id="frame" title="Inner form"></iframe>
</section>`,
  });
}

export function editorsFramePage({ csrf }) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Inner form</title></head><body>
<form method="post" action="/editors" id="frame-form">
  <input type="hidden" name="_csrf" value="${esc(csrf)}">
  <textarea name="frame_note" id="frame-note" aria-label="Note"></textarea>
</form></body></html>`;
}
