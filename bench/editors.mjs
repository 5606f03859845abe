// The editors bench (issue #18's cost): save and restore of a page with three real editors
// from node_modules (Quill, TinyMCE, CKEditor 5, as tests/e2e/editors.test.mjs loads them),
// each holding 20 KB of HTML. Registered from scripts/bench.mjs as the section "editors".
//
// A server of its own (127.0.0.1:0): the page, the editors' files (www/editors.js finds them)
// and dist/ at /session-guard/. The editors are set through their own APIs (the bench measures
// the guard, not typing); the guard starts once all three are up.

import fs from "node:fs";
import http from "node:http";
import path from "node:path";

import { editorFiles, tinymceDir } from "../www/editors.js";
import { pageIdle, withThreadTimes } from "./timing.mjs";

/** Characters of HTML each editor holds. */
export const EDITOR_BYTES = 20 * 1024;

const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".json": "application/json" };

function page({ draftKey }) {
  const options = {
    timeout: 1800,
    warnBefore: 120,
    keepAliveUrl: "/keepalive",
    loginUrl: "/login",
    user: "bench",
    restore: "manual",
    ...(draftKey ? { draftKey } : {}),
  };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>three editors</title>
<script src="/vendor/quill.js"></script>
<script src="/vendor/tinymce/tinymce.min.js"></script>
<script src="/vendor/ckeditor5.umd.js"></script>
</head><body>
<form id="editors" method="post" action="/nowhere">
  <label>Title <input name="title"></label>
  <div id="quill-box"></div>
  <textarea id="tiny" name="tiny_body" aria-label="Body"></textarea>
  <div id="ck" data-session-draft="ck_body"></div>
  <button type="submit">Send</button>
</form>
<script type="module">
window.quill = new Quill("#quill-box");
const { ClassicEditor, Essentials, Paragraph, Bold, Italic } = CKEDITOR;
const [ck] = await Promise.all([
  ClassicEditor.create(document.getElementById("ck"), { licenseKey: "GPL", plugins: [Essentials, Paragraph, Bold, Italic], toolbar: ["bold"] }),
  tinymce.init({ selector: "#tiny", license_key: "gpl", menubar: false, toolbar: false, statusbar: false, promotion: false, branding: false }),
]);
window.ckeditor = ck;
const entry = await import("/session-guard/index.js");
window.guard = await entry.start(${JSON.stringify(options)});
window.benchReady = true;
</script>
</body></html>`;
}

async function startServer({ distDir, draftKey }) {
  const files = editorFiles();
  const tiny = tinymceDir();
  if (!files["quill.js"] || !files["ckeditor5.umd.js"] || !tiny) throw new Error("Quill, CKEditor 5 and TinyMCE must be installed (npm ci)");
  const inside = (root, rest) => {
    const full = path.resolve(root, `.${rest}`);
    return full.startsWith(path.resolve(root) + path.sep) && fs.existsSync(full) && fs.statSync(full).isFile() ? full : null;
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    const send = (status, type, body) => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
      res.end(body);
    };
    let file = null;
    if (url.pathname === "/") return send(200, "text/html; charset=utf-8", page({ draftKey: url.searchParams.get("key") }));
    if (url.pathname === "/keepalive") return send(200, "application/json", JSON.stringify({ expiresIn: 1800 }));
    if (url.pathname.startsWith("/vendor/tinymce/")) file = inside(tiny, url.pathname.slice("/vendor/tinymce".length));
    else if (url.pathname.startsWith("/vendor/")) file = files[url.pathname.slice("/vendor/".length)] ?? null;
    else if (url.pathname.startsWith("/session-guard/")) file = inside(distDir, url.pathname.slice("/session-guard".length));
    if (!file) return send(404, "text/plain", "not found");
    send(200, TYPES[path.extname(file)] ?? "application/octet-stream", fs.readFileSync(file));
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  return { baseURL: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((done) => server.close(done)) };
}

const ready = (page) => page.waitForFunction(() => window.benchReady === true, null, { timeout: 30000 });

/**
 * @param {{browser: import("playwright-core").Browser, distDir: string, runs: number, draftKey?: string, stat: (xs: number[]) => object}} opts
 */
export async function benchEditors({ browser, distDir, runs, draftKey, stat }) {
  const server = await startServer({ distDir, draftKey });
  const samples = [];
  try {
    for (let r = 0; r < runs; r++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
      const page = await context.newPage();
      await page.goto(`${server.baseURL}/${draftKey ? `?key=${draftKey}` : ""}`);
      await ready(page);
      const filled = await page.evaluate((bytes) => {
        const paragraph = (i) => `<p>Paragraph ${i}: the quick brown fox <strong>jumps</strong> over the lazy dog, and <em>again</em>.</p>`;
        let html = "";
        for (let i = 0; html.length < bytes; i++) html += paragraph(i);
        quill.setContents(quill.clipboard.convert({ html }), "api");
        tinymce.get("tiny").setContent(html);
        ckeditor.setData(html);
        return [quill.root.innerHTML.length, tinymce.get("tiny").getContent().length, ckeditor.getData().length];
      }, EDITOR_BYTES);
      await pageIdle(page);
      const [save, saveThreadMs] = await withThreadTimes(browser, page, () =>
        page.evaluate(() => {
          let bytes = 0;
          const setItem = Storage.prototype.setItem;
          Storage.prototype.setItem = function (key, value) {
            bytes += 2 * (String(key).length + String(value).length);
            return setItem.call(this, key, value);
          };
          performance.mark("save<");
          const t0 = performance.now();
          guard.saveDrafts();
          const ms = performance.now() - t0;
          performance.mark("save>");
          Storage.prototype.setItem = setItem;
          // Reference: what the editors' own serializers cost, once each, called by the page.
          const t1 = performance.now();
          quill.root.innerHTML;
          tinymce.get("tiny").getContent();
          ckeditor.getData();
          return { ms, bytes, editorsRead: performance.now() - t1 };
        }),
      );
      save.thread = saveThreadMs("save");
      // A new page load, as after a re-login; restore: "manual" leaves it to restoreDrafts().
      await page.reload();
      await ready(page);
      await pageIdle(page);
      const [restore, restoreThreadMs] = await withThreadTimes(browser, page, () =>
        page.evaluate(() => {
          performance.mark("restore<");
          const t0 = performance.now();
          guard.restoreDrafts();
          const ms = performance.now() - t0;
          performance.mark("restore>");
          const lengths = [quill.root.innerHTML.length, tinymce.get("tiny").getContent().length, ckeditor.getData().length];
          // Reference: the same three writes through the editors' APIs, by the page.
          const html = [quill.root.innerHTML, tinymce.get("tiny").getContent(), ckeditor.getData()];
          const t1 = performance.now();
          quill.setContents(quill.clipboard.convert({ html: html[0] }), "api");
          tinymce.get("tiny").setContent(html[1]);
          ckeditor.setData(html[2]);
          return { ms, lengths, editorsWrite: performance.now() - t1 };
        }),
      );
      restore.thread = restoreThreadMs("restore");
      await context.close();
      samples.push({ filled, save, restore });
    }
  } finally {
    await server.close();
  }
  const s = (f) => stat(samples.map(f));
  return {
    runs,
    draftKey: Boolean(draftKey),
    filled: samples[0].filled,
    restored: samples[0].restore.lengths,
    saveMs: s((x) => x.save.ms),
    saveThreadMs: s((x) => x.save.thread),
    saveBytes: s((x) => x.save.bytes),
    restoreMs: s((x) => x.restore.ms),
    restoreThreadMs: s((x) => x.restore.thread),
    editorsReadMs: s((x) => x.save.editorsRead),
    editorsWriteMs: s((x) => x.restore.editorsWrite),
  };
}

/** The section of BENCHMARKS.md, as lines. */
export function editorsReport(e, { cell, table, fmt }) {
  return [
    "## 6b. Drafts of three rich-text editors",
    "",
    `One form with Quill, TinyMCE and CKEditor 5 (from node_modules, as \`tests/e2e/editors.test.mjs\` loads them), each set`,
    `through its own API to ${fmt(EDITOR_BYTES / 1024, 0)} KB of HTML (read back: ${e.filled.map((n) => fmt(n, 0)).join(" / ")} characters),`,
    `${e.draftKey ? "drafts encrypted (`draftKey`), " : ""}then two frames and an idle period. Timed as section 6 (wall; main-thread CPU from the`,
    "thread clock of trace marks). Restore: after a reload, once the three editors are up, `guard.restoreDrafts()` writes",
    `each back through its editor's API (read back: ${e.restored.map((n) => fmt(n, 0)).join(" / ")} characters). Command: \`node scripts/bench.mjs --only=editors${e.draftKey ? " --draft-key" : ""}\` (\`bench/editors.mjs\`).`,
    "",
    table(["Figure", "wall, ms", "main-thread CPU, ms"], [
      ["`saveDrafts()`, first save", cell(e.saveMs), cell(e.saveThreadMs)],
      ["`restoreDrafts()`", cell(e.restoreMs), cell(e.restoreThreadMs)],
      ["reference: the editors' own reads, once each by the page (Quill `root.innerHTML`, TinyMCE `getContent()`, CKEditor `getData()`), after the save", cell(e.editorsReadMs), "–"],
      ["reference: the same three texts written again through the editors' APIs by the page, after the restore", cell(e.editorsWriteMs), "–"],
      ["bytes written by the save (UTF-16)", cell({ ...e.saveBytes, median: e.saveBytes.median / 1024, min: e.saveBytes.min / 1024, max: e.saveBytes.max / 1024 }) + " KB", "–"],
    ]),
    "",
  ];
}
