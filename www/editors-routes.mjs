// Test pages of fields beyond form controls (www/editors.js), editors from node_modules
// (only with testHooks).

import express from "express";

import { editorFiles, editorsFramePage, editorsPage, tinymceDir, tiptapScript } from "./editors.js";
import { html, requireLogin } from "./http.mjs";

/** `pageOpts(req)`: the signed-in page's user, CSRF token and guard options. */
export function mountEditors(app, { pageOpts }) {
  const files = editorFiles();
  for (const [name, file] of Object.entries(files)) {
    app.get(`/vendor/${name}`, (req, res, next) => {
      const type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
      res.sendFile(file, { maxAge: "1d", headers: { "Content-Type": type } }, (err) => err && next(err));
    });
  }
  app.get("/vendor/tiptap.js", async (req, res) => {
    const script = await tiptapScript();
    res.type("text/javascript; charset=utf-8").send(script ?? "/* Tiptap is not installed */");
  });
  const tinymce = tinymceDir();
  if (tinymce) app.use("/vendor/tinymce", express.static(tinymce, { index: false, maxAge: "1d" }));
  app.get("/editors", requireLogin, (req, res) => html(res, 200, editorsPage({ ...pageOpts(req), files, tinymce: Boolean(tinymce) })));
  app.get("/editors/frame", requireLogin, (req, res) => {
    res.set("X-Frame-Options", "SAMEORIGIN");
    html(res, 200, editorsFramePage(pageOpts(req)));
  });
}
