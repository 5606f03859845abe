// The journeys that matter, in every engine: Chromium, Firefox and WebKit (see engines.mjs).
// Real time against a 25 s server session with the warning 20 s before the end, so a journey
// takes seconds; real keystrokes and clicks; the page's own recorder (tests/e2e/recorder.js,
// served by the demo in test mode) catches events, errors and CSP violations in every engine.
//
// SESSION_GUARD_ENGINES=webkit node --test tests/e2e/engines.test.mjs   (WebKit needs xvfb-run -a)

import assert from "node:assert/strict";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { after, before, describe, test } from "node:test";

import { guardOf, launchEngine, login, recordsOf, selectedEngines, untilPageTime } from "./engines.mjs";
import { fillStorageWithOtherKeys, guardsOwnUi, startServer, waitFor } from "./harness.mjs";

const TIMEOUT = 25; // s, the server's idle timeout in these journeys
const WARN_BEFORE = 20; // s: the warning opens 5 s after the last renewal
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const POPUP_TYPED = "Typed before the session ended.";
const HEADLESS_TYPED = "Typed on a page that draws its own UI.";
// The file a person chooses in the popup journey's file input.
const POPUP_FILE = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sg-engines-")), "report.pdf");
fs.writeFileSync(POPUP_FILE, "%PDF-1.4\n% a small report\n");
const EXPIRED_EN = "For your security you were signed out after a period of inactivity. Please log in again.";

// --- what a journey reads off a page ------------------------------------------------------

/** The dialog as a person sees it. */
const dialogOf = (tab) =>
  tab.eval(() => {
    const d = document.querySelector("dialog.session-guard");
    if (!d) return null;
    const visible = (action) => {
      const b = d.querySelector(`button[data-action="${action}"]`);
      const r = b?.getBoundingClientRect();
      return Boolean(b && !b.hidden && r.width > 0 && r.height > 0);
    };
    return {
      open: d.open,
      state: d.dataset.state ?? null,
      role: d.getAttribute("role"),
      modal: d.matches(":modal"),
      text: d.textContent.replace(/\s+/g, " ").trim(),
      countdown: d.querySelector(".session-guard__countdown")?.textContent.trim() ?? null,
      focused: document.activeElement?.closest("dialog.session-guard") ? document.activeElement.dataset.action : null,
      continue: visible("continue"),
      login: visible("login"),
      styled: getComputedStyle(d).position === "fixed" || getComputedStyle(d.querySelector("button")).cursor === "pointer",
    };
  });

function parseCountdown(text) {
  const m = /(\d+):(\d{2})/.exec(text ?? "");
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
}

async function waitForDialog(tab, state, timeout) {
  return waitFor(
    async () => {
      const d = await dialogOf(tab);
      return d?.open && d.state === state ? d : null;
    },
    { timeout, interval: 100, message: `the ${state} dialog` },
  );
}

async function waitForClosed(tab, timeout = 3000) {
  await waitFor(async () => !(await dialogOf(tab))?.open, { timeout, interval: 50, message: "the dialog to close" });
}

/** The guard's warning dialog, open, or null. */
const warningDialogOf = async (tab) => {
  const d = await dialogOf(tab);
  return d?.open && d.state === "warning" ? d : null;
};

/**
 * After a fresh renewal (`g` read right after it), the warning must not be shown 1 s before
 * it is due and must be shown within 2 s after. `shown(tab)` reads the warning as the page
 * shows it (the guard's dialog unless the page draws its own), or null.
 */
async function warningOnTime(tab, g, shown = warningDialogOf) {
  const due = g.at + (g.remaining - WARN_BEFORE) * 1000;
  await untilPageTime(tab, due - 1000);
  assert.equal(await shown(tab), null, "no warning 1 s before it is due");
  return waitFor(() => shown(tab), {
    timeout: due + 2000 - (await tab.eval(() => performance.now())) + 500,
    interval: 100,
    message: "the warning",
  });
}

async function axe(tab) {
  if (!(await tab.eval(() => typeof window.axe === "object"))) await tab.eval((src) => (0, eval)(src), AXE_SOURCE);
  await tab.eval(() => {
    window.__axe = null;
    window.axe
      .run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] } })
      .then(
        (r) => (window.__axe = r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)),
        (e) => (window.__axe = [`axe failed: ${e}`]),
      );
  });
  return waitFor(() => tab.eval(() => window.__axe), { timeout: 30000, interval: 100, message: "axe.run" });
}

/** Errors the page recorded (uncaught errors, console errors, CSP violations). */
async function assertClean(tab, where) {
  const bad = ((await tab.records()) ?? []).filter((r) => ["pageerror", "consoleerror", "securitypolicyviolation"].includes(r.type));
  assert.deepEqual(bad, [], `errors or CSP violations ${where}`);
}

// --- a headless page (data-dialog="false") and the UI it draws itself -------------------------

/**
 * Installed in the page by `tab.eval`: the page's own session UI, built only from the guard's
 * events, with its own Continue calling `guard.extend()`. `window.__ownUi` logs what it heard,
 * with the page's time.
 */
function installOwnUi() {
  const log = (window.__ownUi = []);
  const ui = document.createElement("div");
  ui.id = "own-ui";
  ui.hidden = true;
  const text = document.createElement("p");
  text.id = "own-text";
  const stay = document.createElement("button");
  stay.id = "own-continue";
  stay.type = "button";
  stay.textContent = "Stay signed in";
  stay.addEventListener("click", () => window.sessionGuard.extend());
  ui.append(text, stay);
  document.body.prepend(ui);
  const on = (type, show) =>
    document.addEventListener(`sessionguard:${type}`, (e) => {
      log.push({ type, detail: e.detail ?? null, at: performance.now() });
      show(e.detail);
    });
  const ends = (d) => {
    text.textContent = `Ends in ${d.remaining} s`;
    stay.hidden = false;
    ui.hidden = false;
  };
  on("warning", ends);
  on("countdown", ends);
  on("extended", () => (ui.hidden = true));
  on("expired", (d) => {
    text.textContent = `Signed out (${d.reason}); saved: ${d.saved}`;
    stay.hidden = true;
    ui.hidden = false;
  });
}

/** The page's own UI as a person sees it (its text when shown, else null; its Continue shown), and its log. */
const ownUiOf = (tab) =>
  tab.eval(() => {
    const ui = document.getElementById("own-ui");
    const shown = Boolean(ui && !ui.hidden);
    return {
      text: shown ? document.getElementById("own-text").textContent.trim() : null,
      continue: shown && !document.getElementById("own-continue").hidden,
      log: window.__ownUi ?? null,
    };
  });

/** The page's own UI showing a warning ("Ends in N s"), or null. */
const ownWarningOf = async (tab) => {
  const { text } = await ownUiOf(tab);
  return /^Ends in \d+ s/.test(text ?? "") ? text : null;
};

/** Anything the guard itself would draw (harness.mjs's `guardsOwnUi`). */
const oursIn = (tab) => tab.eval(guardsOwnUi);

// --- the journeys, once per engine ---------------------------------------------------------

for (const name of selectedEngines()) {
  describe(`${name}: journeys in real time`, () => {
    let engine;
    let server;
    let browsing;

    before(async () => {
      server = await startServer({ sessionTimeout: TIMEOUT, warnBefore: WARN_BEFORE, recorder: true });
      engine = await launchEngine(name);
      console.log(`# engine: ${engine.version}`);
    });
    after(async () => {
      await engine?.close();
      await server?.close();
    });

    /** One journey: a fresh browsing session (cookies, storage) and clean server counters. */
    const journey = (title, fn, { timeout = 90000 } = {}) =>
      test(title, { timeout }, async () => {
        await server.hook("/__test/reset-stats", {});
        browsing = await engine.open();
        try {
          await fn(browsing.tab, server.baseURL);
          for (const tab of browsing.tabs) await assertClean(tab, "at the end of the journey");
        } finally {
          await browsing.close();
        }
      });

    journey("the warning opens on time as an alertdialog; Continue extends through one keep-alive", async (tab, base) => {
      const g = await login(tab, base);
      assert.equal(g.state, "active");
      assert.ok(g.remaining > WARN_BEFORE && g.remaining <= TIMEOUT, `remaining() after login: ${g.remaining}`);
      await tab.typeInto("#message", "A long story"); // focus in the form, returned after Continue
      const d = await warningOnTime(tab, g);
      assert.equal(d.role, "alertdialog");
      assert.equal(d.modal, true);
      assert.equal(d.focused, "continue", "focus on Continue");
      assert.match(d.text, /Your session will expire in .+\. Do you want to continue\?/);
      const left = parseCountdown(d.countdown);
      assert.ok(left <= WARN_BEFORE && left >= WARN_BEFORE - 3, `countdown at the warning: ${d.countdown}`);
      assert.equal((await recordsOf(tab, "warning")).length, 1);

      await tab.click('dialog.session-guard button[data-action="continue"]');
      await waitFor(async () => (await recordsOf(tab, "extended")).length === 1, { message: "sessionguard:extended" });
      await waitForClosed(tab);
      const after = await guardOf(tab);
      assert.equal(after.state, "active");
      assert.ok(after.remaining >= TIMEOUT - 3, `remaining() after Continue: ${after.remaining}`);
      assert.equal((await server.hook("/__test/stats")).total, 1, "exactly one keep-alive");
      assert.equal(await tab.eval(() => document.activeElement?.id), "message", "focus back in the textarea");
    });

    journey("ignored: expired, 'Your input has been saved', Log in again, the typed form comes back (axe on both dialogs)", async (tab, base) => {
      await login(tab, base);
      await tab.typeInto("#name", "Ada Lovelace");
      await tab.typeInto("#message", "Twenty minutes of typing.");
      await tab.click("#urgent");
      await tab.click("#contact-phone");
      await waitFor(async () => (await recordsOf(tab, "draftsaved")).length > 0, { timeout: 5000, message: "sessionguard:draftsaved" });

      await waitForDialog(tab, "warning", 10000);
      assert.deepEqual(await axe(tab), [], "axe with the warning open");
      const expired = await waitForDialog(tab, "expired", (WARN_BEFORE + 5) * 1000);
      assert.ok(expired.text.includes(EXPIRED_EN), `expired text: ${expired.text}`);
      assert.ok(expired.text.includes("Your input has been saved."), `expired text: ${expired.text}`);
      assert.ok(expired.login, "'Log in again' is visible");
      assert.equal(expired.continue, false, "no Continue once expired");
      assert.deepEqual(await axe(tab), [], "axe with the expired dialog open");
      assert.equal((await server.hook("/__test/stats")).total, 0, "an idle user is never kept signed in");

      await tab.click('dialog.session-guard button[data-action="login"]');
      await waitFor(async () => new URL(await tab.url()).pathname === "/login", { timeout: 10000, message: "the login page" });
      await login(tab, base);
      const values = await waitFor(
        async () => {
          const v = await tab.eval(() => ({
            name: document.getElementById("name").value,
            message: document.getElementById("message").value,
            urgent: document.getElementById("urgent").checked,
            contact: document.querySelector('input[name="contact"]:checked')?.value,
          }));
          return v.name ? v : null;
        },
        { timeout: 5000, message: "the restored form" },
      );
      assert.deepEqual(values, { name: "Ada Lovelace", message: "Twenty minutes of typing.", urgent: true, contact: "phone" });
      assert.equal((await recordsOf(tab, "draftrestored")).length, 1);
    }, { timeout: 120000 });

    journey("a draft left on the page: the next visit offers it in a polite notice; Restore by a click brings it back, Discard by a click drops it", async (tab, base) => {
      await login(tab, base);
      await tab.typeInto("#name", "Grace Hopper");
      await tab.typeInto("#message", "Notes I never sent.");
      await tab.click("#urgent");
      await waitFor(async () => (await recordsOf(tab, "draftsaved")).length > 0, { timeout: 5000, message: "sessionguard:draftsaved" });
      const noticeOf = () =>
        tab.eval(() => {
          const notice = document.querySelector("aside.session-guard-notice");
          return {
            notice: notice && {
              role: notice.getAttribute("role"),
              live: notice.getAttribute("aria-live"),
              text: notice.querySelector("p")?.textContent,
              buttons: [...notice.querySelectorAll("button")].map((b) => b.textContent),
              shown: notice.getBoundingClientRect().height > 0 && getComputedStyle(notice).visibility !== "hidden",
            },
            form: { name: document.getElementById("name").value, message: document.getElementById("message").value, urgent: document.getElementById("urgent").checked },
          };
        });
      const empty = { name: "", message: "", urgent: false };
      const typed = { name: "Grace Hopper", message: "Notes I never sent.", urgent: true };
      const offered = { role: "status", live: "polite", text: "Restore your unsent input?", buttons: ["Restore", "Discard"], shown: true };
      // A new visit, as after closing the tab: no expiry came between, so the guard asks.
      const revisit = async () => {
        await tab.goto(`${base}/form`);
        await waitFor(() => guardOf(tab), { timeout: 10000, message: "window.sessionGuard" });
        return waitFor(async () => ((await noticeOf()).notice ? noticeOf() : null), { timeout: 5000, message: "the drafts notice" });
      };
      assert.deepEqual(await revisit(), { notice: offered, form: empty }, "offered, nothing written yet");
      assert.equal((await recordsOf(tab, "draftsavailable")).length, 1);
      await tab.click('aside.session-guard-notice button[data-action="restore"]');
      const restored = await waitFor(async () => {
        const seen = await noticeOf();
        return seen.form.name && !seen.notice ? seen : null;
      }, { timeout: 5000, message: "the restored form, the notice gone" });
      assert.deepEqual(restored, { notice: null, form: typed });
      assert.equal((await recordsOf(tab, "draftrestored")).length, 1);

      assert.deepEqual(await revisit(), { notice: offered, form: empty }, "offered again: the restored draft is still the user's");
      const draftsOfForm = () => tab.eval(() => Object.keys(localStorage).filter((k) => /^session-guard:\d+:[^:|]*:\/form\|/.test(k)));
      assert.ok((await draftsOfForm()).length > 0, "a draft of /form to discard");
      await tab.click('aside.session-guard-notice button[data-action="discard"]');
      await waitFor(async () => (await noticeOf()).notice === null && (await draftsOfForm()).length === 0, {
        timeout: 5000,
        message: "the notice gone and no draft of /form left",
      });
      assert.deepEqual((await noticeOf()).form, empty, "Discard writes nothing");
      await tab.goto(`${base}/form`);
      await waitFor(() => guardOf(tab), { timeout: 10000, message: "window.sessionGuard" });
      assert.equal((await noticeOf()).notice, null, "nothing offered once discarded");
    });

    journey("editors: typed with the keyboard into a contenteditable region, an input in a shadow root, a form in an iframe, a registered field, Quill, Trix, TinyMCE, CKEditor 5 and Tiptap; expired says saved; after Log in again each editor's own model holds the text", async (tab, base) => {
      await login(tab, base, { next: "/editors" });
      const ready = () =>
        tab.eval(() => Boolean(window.quill && document.querySelector("trix-editor")?.editor && window.tinymce?.get("tiny")?.initialized && window.ckeditor && window.tiptap));
      await waitFor(ready, { timeout: 15000, message: "every editor started" });
      // As a person does: click, see the caret there, type.
      const typeIntoEditor = async (selector, text) => {
        await tab.click(selector);
        await waitFor(
          () => tab.eval((selector) => document.querySelector(selector)?.contains(document.activeElement) === true, selector),
          { timeout: 5000, message: `focus in ${selector}` },
        );
        await tab.type(text);
      };
      await typeIntoEditor("#notes", "Region words");
      await typeIntoEditor("#widget", "model text");
      // The input in the custom element's open shadow root, through its label.
      await typeIntoEditor("#shadowed", "Under the shadow");
      // The same-origin iframe's form: a click into the frame, then Tab to its textarea.
      await tab.click("#frame");
      await tab.press("Tab");
      await waitFor(
        () => tab.eval(() => document.getElementById("frame")?.contentDocument?.activeElement?.id === "frame-note"),
        { timeout: 5000, message: "focus in the iframe's textarea" },
      );
      await tab.type("Typed in the frame");
      await typeIntoEditor("#quill-box .ql-editor", "Quill words");
      await typeIntoEditor("trix-editor", "Trix words");
      // TinyMCE edits in an iframe of its own: a click on it puts the caret in its body.
      await typeIntoEditor("#tiny_ifr", "Tiny words");
      await typeIntoEditor(".ck-editor__editable", "CK words");
      // The save after the last keys comes 1 s after them: counted from before they are typed.
      const saves = (await recordsOf(tab, "draftsaved")).length;
      await typeIntoEditor("#tiptap .ProseMirror", "Tiptap words");
      const models = () =>
        tab.eval(() => ({
          region: document.getElementById("notes").textContent,
          widget: window.widgetModel?.text,
          shadow: document.getElementById("shadowed")?.shadowRoot?.getElementById("subtitle")?.value,
          frame: document.getElementById("frame")?.contentDocument?.getElementById("frame-note")?.value,
          quill: window.quill?.getText(),
          trix: document.querySelector("trix-editor")?.editor?.getDocument().toString(),
          tiny: window.tinymce?.get("tiny")?.initialized ? window.tinymce.get("tiny").getContent({ format: "text" }) : null,
          ck: window.ckeditor?.getData(),
          tiptap: window.tiptap?.getText(),
        }));
      const typed = {
        region: "Region words",
        widget: "model text",
        shadow: "Under the shadow",
        frame: "Typed in the frame",
        quill: "Quill words\n",
        trix: "Trix words\n",
        tiny: "Tiny words",
        ck: "<p>CK words</p>",
        tiptap: "Tiptap words",
      };
      await waitFor(async () => isDeepStrictEqual(await models(), typed), { timeout: 5000, message: "each editor took the keys" }).catch(async (e) => {
        throw new Error(`${e.message}: ${JSON.stringify(await models())}`);
      });
      await waitFor(async () => (await recordsOf(tab, "draftsaved")).length > saves, { timeout: 5000, message: "sessionguard:draftsaved after the typing" });

      const expired = await waitForDialog(tab, "expired", (TIMEOUT + 5) * 1000);
      assert.ok(expired.text.includes("Your input has been saved."), `expired text: ${expired.text}`);
      await tab.click('dialog.session-guard button[data-action="login"]');
      await waitFor(async () => new URL(await tab.url()).pathname === "/login", { timeout: 10000, message: "the login page" });
      await login(tab, base, { next: "/editors" });
      await waitFor(ready, { timeout: 15000, message: "every editor started again" });
      await waitFor(async () => isDeepStrictEqual(await models(), typed), { timeout: 10000, message: "every editor's model holding its text" }).catch(async (e) => {
        throw new Error(`${e.message}: ${JSON.stringify(await models())}`);
      });
    }, { timeout: 120000 });

    journey("storage full of another app's data: the typing is never claimed saved (no draftsaved, a quota error, the expired dialog and event say it could not be saved)", async (tab, base) => {
      await login(tab, base);
      // Another app on the origin filled localStorage to its quota.
      const filled = await tab.eval(fillStorageWithOtherKeys);
      assert.ok(filled > 0, `storage took ${filled} writes before it was full`);
      try {
        await tab.typeInto("#name", "Aiko Tanaka");
        await tab.typeInto("#message", "Nowhere to keep this.");
        const quota = await waitFor(async () => (await recordsOf(tab, "error")).find((r) => r.detail?.code === "quota"), {
          timeout: 5000,
          message: "sessionguard:error with code quota",
        });
        assert.ok(quota.detail.message, "the error says why");
        const expired = await waitForDialog(tab, "expired", (TIMEOUT + 5) * 1000);
        assert.ok(!expired.text.includes("Your input has been saved."), `nothing was stored, the dialog must not say so: ${expired.text}`);
        assert.ok(expired.text.includes("Some of your input could not be saved."), `expired text: ${expired.text}`);
        assert.equal((await recordsOf(tab, "draftsaved")).length, 0, "no draftsaved for a draft storage refused");
        assert.deepEqual((await recordsOf(tab, "expired")).map((r) => r.detail?.saved), [false], "sessionguard:expired says saved: false");
        assert.equal(await tab.eval(() => localStorage.getItem("other-app:0")?.length), 1 << 20, "the other app's data untouched");
      } finally {
        await tab
          .eval(() => {
            for (const key of Object.keys(localStorage)) if (key.startsWith("other-app:")) localStorage.removeItem(key);
          })
          .catch(() => {}); // never hiding the failure that ended the journey
      }
    }, { timeout: 120000 });

    journey("React form: a restored draft reaches React's state after the re-login", async (tab, base) => {
      await login(tab, base, { next: "/react-form" });
      await waitFor(() => tab.eval(() => Boolean(document.getElementById("title"))), { message: "the React form" });
      await tab.typeInto("#title", "Printer on fire");
      await tab.typeInto("#body", "Smoke everywhere.");
      await tab.click("#urgent");
      await tab.click("#priority-high");
      const typed = { title: "Printer on fire", body: "Smoke everywhere.", category: "", urgent: true, priority: "high" };
      const reactState = () => tab.eval(() => JSON.parse(document.getElementById("react-state").textContent));
      assert.deepEqual(await reactState(), typed, "React's state follows the typing");
      await waitFor(async () => (await recordsOf(tab, "draftsaved")).length > 0, { timeout: 5000, message: "sessionguard:draftsaved" });

      await waitForDialog(tab, "expired", (TIMEOUT + 5) * 1000);
      await tab.click('dialog.session-guard button[data-action="login"]');
      await waitFor(async () => new URL(await tab.url()).pathname === "/login", { timeout: 10000, message: "the login page" });
      await login(tab, base, { next: "/react-form" });
      await waitFor(async () => isDeepStrictEqual(await reactState(), typed), {
        timeout: 5000,
        message: "React's state to hold the restored values",
      }).catch(async (e) => {
        const dom = await tab.eval(() => [...document.querySelectorAll("#react-form [name]")].map((el) => [el.name, el.value, el.checked]));
        throw new Error(`${e.message}; React state ${JSON.stringify(await reactState())}; DOM ${JSON.stringify(dom)}; records ${JSON.stringify(await tab.records())}`);
      });
      // React owns the values: a click on Submit posts them.
      await tab.click("#submit");
      await waitFor(() => tab.eval(() => document.querySelector('dd[data-field="title"]')?.textContent), { timeout: 10000, message: "the Saved page" });
      assert.equal(await tab.eval(() => document.querySelector('dd[data-field="title"]').textContent), typed.title);
    }, { timeout: 120000 });

    journey("two tabs: Continue in one closes the warning in the other within 1.5 s, one keep-alive", async (tab, base) => {
      await login(tab, base);
      const other = await browsing.newTab();
      await other.goto(`${base}/form`);
      await waitFor(() => guardOf(other), { timeout: 10000, message: "the second tab's guard" });
      await tab.front();
      await waitForDialog(tab, "warning", 10000);
      await waitForDialog(other, "warning", 3000);
      await server.hook("/__test/reset-stats", {});
      await tab.click('dialog.session-guard button[data-action="continue"]');
      await waitForClosed(tab);
      await waitForClosed(other, 1500);
      const g = await guardOf(other);
      assert.equal(g.state, "active");
      assert.ok(g.remaining >= TIMEOUT - 3, `the other tab's remaining(): ${g.remaining}`);
      assert.equal((await server.hook("/__test/stats")).total, 1, "one keep-alive for both tabs");
    });

    journey("a hidden tab counts down in its title; shown again, its dialog tells the true time", async (tab, base) => {
      await login(tab, base);
      const title = await tab.eval(() => document.title);
      await tab.hide(); // another tab in front (WebKit's automation: the window minimised)
      await waitFor(() => tab.eval(() => document.visibilityState === "hidden"), { timeout: 5000, message: "the first tab hidden" });
      const counting = await waitFor(
        async () => {
          const t = await tab.eval(() => document.title);
          return /\d+:\d{2}/.test(t) && t !== title ? t : null;
        },
        { timeout: 10000, interval: 100, message: "the countdown in the hidden tab's title" },
      );
      assert.ok(parseCountdown(counting) <= WARN_BEFORE, `title: ${counting}`);
      await tab.front();
      await waitFor(() => tab.eval(() => document.visibilityState === "visible"), { timeout: 5000, message: "the first tab visible again" });
      const d = await waitForDialog(tab, "warning", 3000);
      const g = await guardOf(tab);
      assert.ok(Math.abs(parseCountdown(d.countdown) - g.remaining) <= 2, `dialog ${d.countdown} vs remaining() ${g.remaining}`);
      await waitFor(async () => (await tab.eval(() => document.title)) === title, { timeout: 3000, message: "the page's own title back" });
    });

    // Keep-alives that fail, as hostile networks and gateways make them fail. `failure(base)`: the
    // test hook's failure (www/test-hooks.mjs).
    const failures = [
      ["answered 503", () => ({ status: 503 })],
      ["whose connection drops without an answer", () => ({ drop: true })],
      // Another origin's SSO page without CORS headers: the page never sees an answer.
      ["redirected to another origin's login page (CORS-blocked)", (base) => ({ redirect: `${base.replace("127.0.0.1", "localhost")}/login?sso=1` })],
    ];
    for (const [how, failure] of failures) {
      journey(`a keep-alive ${how} never renews: the warning stays, the countdown goes on`, async (tab, base) => {
        await login(tab, base);
        await server.hook("/__test/keepalive-fail", { ...failure(base), times: 1000 });
        await waitForDialog(tab, "warning", 10000);
        const before = await guardOf(tab);
        await tab.click('dialog.session-guard button[data-action="continue"]');
        await waitFor(async () => (await server.hook("/__test/stats")).injected >= 1, { message: "the keep-alive sent and refused" });
        // Watch for 3 s of page time: never extended, never closed, never more time than before.
        const end = before.at + 3000;
        let g = before;
        while (g.at < end) {
          g = await guardOf(tab);
          const d = await dialogOf(tab);
          assert.equal(d?.open && d.state, "warning", "the warning stays open");
          assert.ok(g.remaining <= before.remaining, `remaining() grew from ${before.remaining} to ${g.remaining}`);
          await untilPageTime(tab, g.at + 250);
        }
        assert.equal((await recordsOf(tab, "extended")).length, 0, "no sessionguard:extended");
        assert.ok(g.remaining < before.remaining, "the countdown goes on");
        await server.hook("/__test/reset-stats", {});
      });
    }

    journey("a keep-alive redirected to the login page means the session is gone: expired at once, never extended", async (tab, base) => {
      await login(tab, base);
      await server.hook("/__test/keepalive-fail", { redirect: "/login", times: 1000 });
      await waitForDialog(tab, "warning", 10000);
      await tab.click('dialog.session-guard button[data-action="continue"]');
      const expired = await waitForDialog(tab, "expired", 5000);
      // The user just clicked Continue: the dialog must not say they were inactive.
      assert.ok(expired.text.includes("You were signed out. Please log in again."), `expired text: ${expired.text}`);
      assert.ok(!expired.text.includes("inactivity"), `expired text: ${expired.text}`);
      assert.ok(expired.login, "'Log in again' is visible");
      assert.equal((await recordsOf(tab, "extended")).length, 0, "no sessionguard:extended");
      assert.deepEqual((await recordsOf(tab, "expired")).map((r) => r.detail?.reason), ["server"], "the server ended it");
      await server.hook("/__test/reset-stats", {});
    });

    journey("strict CSP page: the dialog opens styled and nothing is blocked", async (tab, base) => {
      const g = await login(tab, base, { next: "/csp/form" });
      const d = await warningOnTime(tab, g);
      assert.equal(d.role, "alertdialog");
      const live = await tab.eval(() => {
        const r = document.querySelector("dialog.session-guard .session-guard__live").getBoundingClientRect();
        return r.width <= 1 && r.height <= 1;
      });
      assert.ok(live, "the guard's own style applies (live region visually hidden)");
      await assertClean(tab, "on the strict-CSP page");
    });

    journey('relogin "popup": Log in again opens the login in a new window; the expired page resumes in place, file still chosen', async (tab, base) => {
      // This deploy of /form: the guard with data-relogin="popup", and a file input.
      await server.hook("/__test/form-edits", {
        edits: [
          ["data-user=", 'data-relogin="popup" data-user='],
          ['<div class="actions">', '<label for="attach">Attachment</label> <input type="file" id="attach" name="attach"><div class="actions">'],
        ],
      });
      await login(tab, base);
      assert.equal(await tab.eval(() => document.querySelector("script[data-user]")?.dataset.relogin), "popup");
      await tab.typeInto("#message", POPUP_TYPED);
      await tab.chooseFile("#attach", POPUP_FILE);
      const chosen = () => tab.eval(() => [...document.getElementById("attach").files].map((f) => `${f.name} ${f.size}`));
      assert.deepEqual(await chosen(), [`report.pdf ${fs.statSync(POPUP_FILE).size}`], "the file is chosen");
      // A mark of this very document: a navigation (or a reload) would lose it.
      await tab.eval(() => (window.__sameDocument = "yes"));

      await waitForDialog(tab, "expired", (TIMEOUT + 10) * 1000);
      const popupOpened = tab.expectPopup(10000);
      await tab.click('dialog.session-guard button[data-action="login"]'); // a real click: the popup is not blocked
      const popup = await popupOpened;
      await waitFor(async () => new URL(await popup.url()).pathname === "/login", { timeout: 10000, message: "the login page in the new window" });
      assert.equal(new URL(await popup.url()).searchParams.get("next"), "/form");
      assert.equal((await guardOf(tab)).state, "expired", "still expired until the login is seen");

      await popup.typeInto("#username", "alice");
      await popup.press("Tab");
      await popup.type("secret");
      await popup.press("Enter");
      await waitFor(async () => (await guardOf(tab))?.state === "active" && !(await dialogOf(tab))?.open, {
        timeout: 15000,
        interval: 100,
        message: "the expired page resumed in place",
      });
      await waitFor(async () => !(await popup.isOpen()), { timeout: 10000, interval: 100, message: "the login window closed itself" });
      const kept = await tab.eval(() => ({
        text: document.getElementById("message").value,
        sameDocument: window.__sameDocument ?? null,
        path: location.pathname + location.search,
      }));
      assert.deepEqual(kept, { text: POPUP_TYPED, sameDocument: "yes", path: "/form" }, "text untouched, no navigation");
      assert.deepEqual(await chosen(), [`report.pdf ${fs.statSync(POPUP_FILE).size}`], "the file is still chosen");
      assert.equal((await recordsOf(tab, "login")).length, 1, "sessionguard:login once");
    }, { timeout: 120000 });

    journey('headless (data-dialog="false"): the page draws its own warning and countdown from events; its own Continue extends; expired says saved; nothing of ours in the DOM', async (tab, base) => {
      // This deploy of /form: the guard's script tag with data-dialog="false".
      await server.hook("/__test/form-edits", { edits: [["data-user=", 'data-dialog="false" data-user=']] });
      const g = await login(tab, base);
      assert.equal(await tab.eval(() => document.querySelector("script[data-user]")?.dataset.dialog), "false");
      await tab.eval(installOwnUi);
      const nothingOfOurs = { dialogs: 0, notice: 0, style: 0, title: await tab.eval(() => document.title) };
      assert.doesNotMatch(nothingOfOurs.title, /\d+:\d{2}/, "the page's own title");
      await tab.typeInto("#message", HEADLESS_TYPED);
      await waitFor(async () => (await recordsOf(tab, "draftsaved")).length > 0, { timeout: 5000, message: "sessionguard:draftsaved" });

      // The warning, on time, in the page's own UI; then its countdown, once a second.
      await warningOnTime(tab, g, ownWarningOf);
      const countdown = await waitFor(
        async () => {
          const seen = (await ownUiOf(tab)).log.filter((e) => e.type === "countdown");
          return new Set(seen.map((e) => e.detail.remaining)).size >= 2 ? seen : null;
        },
        { timeout: 5000, interval: 100, message: "two sessionguard:countdown values" },
      );
      const values = countdown.map((e) => e.detail.remaining);
      assert.ok(values.every((r, i) => i === 0 || r < values[i - 1]), `countdown goes down, one value per event: ${values}`);
      assert.ok(countdown.every((e, i) => i === 0 || e.at - countdown[i - 1].at >= 500), `about one a second: ${countdown.map((e) => Math.round(e.at))}`);
      assert.ok(values[0] <= WARN_BEFORE && values.at(-1) >= WARN_BEFORE - 5, `countdown values: ${values}`);
      const shown = await ownWarningOf(tab);
      assert.ok(shown && Number(/\d+/.exec(shown)[0]) <= values[0], `the page's own UI counts down: ${shown}`);
      assert.equal((await guardOf(tab)).state, "warning");
      assert.deepEqual(await oursIn(tab), nothingOfOurs, "no dialog, notice, style or title countdown of ours during the warning");
      assert.equal((await recordsOf(tab, "warning")).length, 1);

      // A real click on the page's own Continue: guard.extend(), one keep-alive.
      const keepAlivesBefore = (await server.hook("/__test/stats")).total;
      await tab.click("#own-continue");
      const [extended] = await waitFor(async () => {
        const seen = await recordsOf(tab, "extended");
        return seen.length ? seen : null;
      }, { message: "sessionguard:extended" });
      await waitFor(async () => (await ownUiOf(tab)).text === null, { timeout: 3000, interval: 50, message: "the page's own UI hidden" });
      const renewed = await guardOf(tab);
      assert.equal(renewed.state, "active");
      assert.ok(renewed.remaining >= TIMEOUT - 3, `remaining() after the own Continue: ${renewed.remaining}`);
      assert.equal((await server.hook("/__test/stats")).total, keepAlivesBefore + 1, "exactly one keep-alive");
      // The countdown stops: 2.5 s of page time with no countdown after the extension.
      await untilPageTime(tab, extended.at + 2500);
      const late = (await ownUiOf(tab)).log.filter((e) => e.type === "countdown" && e.at > extended.at + 50);
      assert.deepEqual(late.map((e) => e.detail.remaining), [], "no sessionguard:countdown once extended");
      assert.equal((await recordsOf(tab, "extended")).length, 1, "sessionguard:extended once");

      // The next warning comes and is ignored: expired, the typed draft saved, still nothing of ours.
      await warningOnTime(tab, renewed, ownWarningOf);
      assert.deepEqual(await oursIn(tab), nothingOfOurs, "nothing of ours during the second warning");
      const expired = await waitFor(
        async () => {
          const seen = (await ownUiOf(tab)).log.filter((e) => e.type === "expired");
          return seen.length ? seen[0].detail : null;
        },
        { timeout: (WARN_BEFORE + 5) * 1000, interval: 200, message: "sessionguard:expired" },
      );
      assert.equal(expired.saved, true, `sessionguard:expired says the input is saved: ${JSON.stringify(expired)}`);
      assert.equal((await guardOf(tab)).state, "expired");
      const told = await ownUiOf(tab);
      assert.match(told.text ?? "", /^Signed out \(.+\); saved: true$/, "the page's own UI tells it");
      assert.equal(told.continue, false, "no Continue once expired");
      const draftKeys = await tab.eval(() =>
        Object.keys(localStorage).filter((k) => /^session-guard:\d+:[^:|]*:\/form\|/.test(k)),
      );
      assert.ok(draftKeys.length >= 1, `a draft of /form in localStorage: ${draftKeys}`);
      assert.ok(
        await tab.eval(({ keys, typed }) => keys.some((k) => localStorage.getItem(k).includes(typed)), { keys: draftKeys, typed: HEADLESS_TYPED }),
        "the draft holds the typed text",
      );
      assert.deepEqual(await oursIn(tab), nothingOfOurs, "still nothing of ours after expiry");
      assert.equal((await server.hook("/__test/stats")).total, keepAlivesBefore + 1, "an ignored warning never keeps the session");
      console.log(`# ${name} headless: countdown ${values.join(", ")}; expired ${JSON.stringify(expired)}`);
    }, { timeout: 120000 });
  });
}
