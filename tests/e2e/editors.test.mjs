// Fields beyond form controls, end to end (issue #18): a contenteditable region (its HTML through
// the allow-list both ways), an input in an open shadow root, a field given to
// guard.registerField, Quill and Trix through their own APIs. Each is typed with the keyboard,
// the session expires, the user logs in again, and the value is back where it was typed.
// The test page is /editors (www/editors.js, mounted with the test hooks).

import assert from "node:assert/strict";

import { e2eSuite, TIMEOUT, typeInto, waitFor } from "./harness.mjs";
import { logInAgain as logInAgainOn } from "./drafts_helpers.mjs";

const suite = e2eSuite();


/** Advances the fake clock until a draft save after `mark` events. */
async function saved(s, mark) {
  await s.advanceUntil(() => s.events.slice(mark).some((e) => e.type === "draftsaved"), {
    step: 500,
    max: 10000,
    message: "sessionguard:draftsaved",
  });
}

async function expireAndLogInAgain(s) {
  const d = await s.advanceUntil(
    async () => {
      const d = await s.dialog();
      return d?.open && d.state === "expired" ? d : null;
    },
    { step: 1000, max: 4 * TIMEOUT * 1000, message: "the expired dialog" },
  );
  return d;
}

/** Logs in again (drafts_helpers) on /editors and waits for the drafts to come back. */
async function logInAgain(s) {
  const mark = await logInAgainOn(s, "/editors");
  await waitFor(() => s.events.slice(mark).some((e) => e.type === "draftrestored"), {
    timeout: 10000,
    message: "sessionguard:draftrestored after the re-login",
  });
  return mark;
}

suite.test("contenteditable: typed HTML (bold too) survives expiry and a re-login", { timeout: 90000 }, async (s) => {
  await s.loginToForm({ next: "/editors" });
  const mark = s.events.length;
  await typeInto(s.page, "#notes", "Plain then ");
  await s.page.keyboard.press("Control+b");
  await s.page.keyboard.type("bold words");
  assert.match(await s.page.innerHTML("#notes"), /<b>bold words<\/b>/, "the browser made it bold");
  await saved(s, mark);
  const d = await expireAndLogInAgain(s);
  assert.match(d.text, /Your input has been saved/);
  await logInAgain(s);
  await waitFor(async () => /Plain then/.test(await s.page.innerHTML("#notes")), { message: "the region's text back" });
  assert.match(await s.page.innerHTML("#notes"), /Plain then\s*<b>bold words<\/b>/);
});

suite.test("contenteditable: a hostile stored record restores as inert text, nothing runs", { timeout: 90000 }, async (s) => {
  const dialogs = [];
  s.page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });
  await s.loginToForm({ next: "/editors" });
  const mark = s.events.length;
  await typeInto(s.page, "#notes", "MARKER");
  await saved(s, mark);
  await expireAndLogInAgain(s);
  // Someone with access to storage plants markup in the saved record.
  const hostile =
    '<img src=x onerror="window.__pwned=1;alert(1)">safe text<a href="javascript:window.__pwned=2" onclick="window.__pwned=3">link</a>' +
    '<script>window.__pwned=4</script><iframe srcdoc="&lt;script&gt;parent.__pwned=5&lt;/script&gt;"></iframe>' +
    '<p style="color:red" onmouseover="window.__pwned=6">para</p><a href="https://example.com/ok">ok</a><svg onload="window.__pwned=7"></svg>';
  const planted = await s.page.evaluate((hostile) => {
    let n = 0;
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      const value = localStorage.getItem(key);
      if (value.includes("MARKER")) {
        localStorage.setItem(key, value.replace("MARKER", JSON.stringify(hostile).slice(1, -1)));
        n++;
      }
    }
    return n;
  }, hostile);
  assert.equal(planted, 1, "the stored record was found");
  await logInAgain(s);
  await waitFor(async () => /safe text/.test(await s.page.innerHTML("#notes")), { message: "the planted text restored" });
  const html = await s.page.innerHTML("#notes");
  await s.page.hover("#notes p").catch(() => {});
  await s.page.click("#notes a >> nth=0").catch(() => {});
  const found = await s.page.evaluate(() => ({
    pwned: window.__pwned ?? null,
    onAttributes: [...document.querySelectorAll("*")].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
    styles: document.querySelectorAll("#notes [style]").length,
    scripts: document.querySelectorAll("#notes script, #notes iframe, #notes img, #notes svg").length,
    hrefs: [...document.querySelectorAll("#notes a")].map((a) => a.getAttribute("href")),
  }));
  assert.deepEqual(
    found,
    { pwned: null, onAttributes: 0, styles: 0, scripts: 0, hrefs: [null, "https://example.com/ok"] },
    `restored HTML: ${html}`,
  );
  assert.deepEqual(dialogs, [], "no alert");
});

suite.test("shadow DOM input and a registered field survive; registerField returns its unregister function", { timeout: 90000 }, async (s) => {
  await s.loginToForm({ next: "/editors" });
  const mark = s.events.length;
  await typeInto(s.page, "#subtitle", "Under the shadow");
  await typeInto(s.page, "#widget", "model text");
  assert.equal(await s.page.evaluate(() => window.widgetModel.text), "model text");
  await saved(s, mark);
  const d = await expireAndLogInAgain(s);
  assert.match(d.text, /Your input has been saved/);
  await logInAgain(s);
  await waitFor(() => s.page.evaluate(() => window.widgetModel.text === "model text"), { message: "the widget's model restored" });
  assert.equal(await s.page.inputValue("#subtitle"), "Under the shadow");
  assert.equal(await s.page.textContent("#widget"), "model text");
  assert.equal(await s.page.evaluate(() => typeof window.unregisterWidget), "function");
});

suite.test("Quill and Trix: typed text is back in the editors' own models", { timeout: 90000 }, async (s) => {
  await s.loginToForm({ next: "/editors" });
  await waitFor(() => s.page.evaluate(() => Boolean(window.quill && document.querySelector("trix-editor")?.editor)), { message: "editors ready" });
  const mark = s.events.length;
  await typeInto(s.page, "#quill-box .ql-editor", "Quill words");
  await typeInto(s.page, "trix-editor", "Trix words");
  await saved(s, mark);
  const d = await expireAndLogInAgain(s);
  assert.match(d.text, /Your input has been saved/);
  await logInAgain(s);
  await waitFor(() => s.page.evaluate(() => window.quill?.getText().includes("Quill words")), { message: "Quill's model holds the text" });
  assert.deepEqual(await s.page.evaluate(() => window.quill.getContents().ops), [{ insert: "Quill words\n" }]);
  await waitFor(() => s.page.evaluate(() => document.querySelector("trix-editor").editor?.getDocument().toString() === "Trix words\n"), {
    message: "Trix's model holds the text",
  });
});

suite.test("a form in a same-origin iframe is guarded by the page's guard", { timeout: 90000 }, async (s) => {
  await s.loginToForm({ next: "/editors" });
  const frame = s.page.frameLocator("#frame");
  await frame.locator("#frame-note").waitFor();
  const mark = s.events.length;
  await frame.locator("#frame-note").click();
  await s.page.keyboard.type("Typed in the frame");
  await saved(s, mark);
  const d = await expireAndLogInAgain(s);
  assert.match(d.text, /Your input has been saved/);
  await logInAgain(s);
  await waitFor(async () => (await s.page.frameLocator("#frame").locator("#frame-note").inputValue()) === "Typed in the frame", {
    timeout: 10000,
    message: "the iframe's textarea restored",
  });
});

suite.test("files: never stored, and the restore names the files to attach again", { timeout: 90000 }, async (s) => {
  await s.loginToForm({ next: "/editors" });
  const mark = s.events.length;
  const secret = "FILE-CONTENT-7f3a";
  await s.page.setInputFiles("#attachment", [{ name: "report-2026.pdf", mimeType: "application/pdf", buffer: Buffer.from(secret) }]);
  await typeInto(s.page, "#title", "With a file");
  await saved(s, mark);
  const stored = await s.page.evaluate(() => JSON.stringify(Object.entries(localStorage)));
  assert.ok(!stored.includes("FILE-CONTENT"), "the file's content is never stored");
  await expireAndLogInAgain(s);
  await logInAgain(s);
  const notice = await waitFor(() => s.page.locator("aside.session-guard-notice").textContent().catch(() => null), {
    message: "the notice naming the files",
  });
  assert.match(notice, /Please attach them again: report-2026\.pdf/);
  assert.equal(await s.page.inputValue("#title"), "With a file");
  await s.page.click('aside.session-guard-notice button[data-action="ok"]');
  assert.equal(await s.page.locator("aside.session-guard-notice").count(), 0, "OK closes the notice");
});

suite.test("TinyMCE (self-hosted): typed text is back in the editor's own model", { timeout: 90000 }, async (s) => {
  await s.loginToForm({ next: "/editors" });
  await waitFor(() => s.page.evaluate(() => Boolean(window.tinymce?.get("tiny")?.initialized)), { timeout: 10000, message: "TinyMCE ready" });
  const mark = s.events.length;
  await s.page.frameLocator("#tiny_ifr").locator("body").click();
  await s.page.keyboard.type("Tiny words");
  await saved(s, mark);
  const d = await expireAndLogInAgain(s);
  assert.match(d.text, /Your input has been saved/);
  await logInAgain(s);
  await waitFor(() => s.page.evaluate(() => window.tinymce?.get("tiny")?.initialized && window.tinymce.get("tiny").getContent({ format: "text" }) === "Tiny words"), {
    timeout: 10000,
    message: "TinyMCE's model holds the text",
  });
});

suite.test("CKEditor 5: typed text is back in the editor's own model", { timeout: 90000 }, async (s) => {
  await s.loginToForm({ next: "/editors" });
  await waitFor(() => s.page.evaluate(() => Boolean(window.ckeditor)), { timeout: 10000, message: "CKEditor ready" });
  const mark = s.events.length;
  await typeInto(s.page, ".ck-editor__editable", "CK words");
  await saved(s, mark);
  const d = await expireAndLogInAgain(s);
  assert.match(d.text, /Your input has been saved/);
  await logInAgain(s);
  await waitFor(() => s.page.evaluate(() => window.ckeditor?.getData() === "<p>CK words</p>"), {
    timeout: 10000,
    message: "CKEditor's model holds the text",
  });
});

suite.test("Tiptap (ProseMirror): typed text is back in the editor's own model", { timeout: 90000 }, async (s) => {
  await s.loginToForm({ next: "/editors" });
  await waitFor(() => s.page.evaluate(() => Boolean(window.tiptap)), { timeout: 10000, message: "Tiptap ready" });
  const mark = s.events.length;
  await typeInto(s.page, "#tiptap .ProseMirror", "Tiptap words");
  await saved(s, mark);
  const d = await expireAndLogInAgain(s);
  assert.match(d.text, /Your input has been saved/);
  await logInAgain(s);
  await waitFor(() => s.page.evaluate(() => window.tiptap?.getText() === "Tiptap words"), {
    timeout: 10000,
    message: "Tiptap's model holds the text",
  });
  assert.equal(await s.page.evaluate(() => window.tiptap.getHTML()), "<p>Tiptap words</p>");
});

suite.test("an editor created after the guard started is saved and restored through its model", { timeout: 90000 }, async (s) => {
  await s.login({ next: "/editors?late=1" });
  await s.guardReady();
  await s.pauseClock();
  await s.runFor(100);
  await waitFor(() => s.page.evaluate(() => Boolean(window.lateQuill)), { message: "the late editor" });
  const mark = s.events.length;
  await typeInto(s.page, "#late-quill .ql-editor", "Late words");
  await saved(s, mark);
  const d = await expireAndLogInAgain(s);
  assert.match(d.text, /Your input has been saved/);
  await logInAgain(s);
  await waitFor(() => s.page.evaluate(() => window.lateQuill?.getText() === "Late words\n"), {
    timeout: 10000,
    message: "the late editor's model holds the text",
  });
});
