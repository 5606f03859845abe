// Accessibility of the dialog on the demo's /form page: axe-core (WCAG 2.x A/AA and best
// practices) with the warning and with the expired dialog open, in English and Japanese and
// in the dark colour scheme; a keyboard-only journey; and the screenshots in docs/screenshots/.
//
// The screenshots (1000×700, the demo page behind the modal dialog) are rewritten on every run;
// the fake clock is driven to fixed countdown values so that an unchanged dialog gives the same
// PNG bytes. Without a Japanese font (`fc-list :lang=ja`, e.g. Debian's fonts-noto-cjk) the
// Japanese ones would show empty boxes, so they then go to test-results/ instead.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import { e2eSuite, REPO_ROOT, waitFor } from "./harness.mjs";

// A session long enough for the warning to read "2 minutes", as in the README.
const SESSION_TIMEOUT = 300;
const WARN_BEFORE = 120;
const suite = e2eSuite({ server: { sessionTimeout: SESSION_TIMEOUT, warnBefore: WARN_BEFORE } });

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
const VIEWPORT = { width: 1000, height: 700 };
const SCREENSHOTS = path.join(REPO_ROOT, "docs", "screenshots");
const SCREENSHOTS_FALLBACK = path.join(REPO_ROOT, "test-results", "e2e", "screenshots");

function hasFontFor(lang) {
  try {
    return execFileSync("fc-list", [`:lang=${lang}`, "family"], { encoding: "utf8" }).trim() !== "";
  } catch {
    return false; // no fontconfig: do not overwrite the committed screenshots
  }
}

/**
 * Runs axe on the whole page; returns the violations in a readable form. axe schedules its work
 * with setTimeout, which is the paused fake clock here: the clock is moved on in small steps
 * until axe is done (it needs about 20 fake ms).
 */
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ content: AXE_SOURCE });
  await page.evaluate((tags) => {
    const target = (n) => n.target.join(" ");
    window.__axeResult = null;
    window.axe
      .run(document, { runOnly: { type: "tag", values: tags }, elementRef: true })
      .then(
        (r) =>
          (window.__axeResult = {
            violations: r.violations.map((v) => ({
              id: v.id,
              impact: v.impact,
              help: v.help,
              helpUrl: v.helpUrl,
              nodes: v.nodes.map((n) => ({ target: target(n), html: n.html.slice(0, 300), summary: n.failureSummary })),
            })),
            // the rules that checked something inside the dialog and passed
            passed: r.passes.filter((x) => x.nodes.some((n) => n.element?.closest("dialog.session-guard"))).map((x) => x.id),
            // what axe could not decide (reported, not failed)
            incomplete: r.incomplete.map((x) => ({
              id: x.id,
              targets: x.nodes.map(target),
              why: x.nodes.map((n) => n.failureSummary),
            })),
          }),
        (e) => (window.__axeResult = { error: String(e && e.stack ? e.stack : e) }),
      );
  }, AXE_TAGS);
  const result = await waitFor(
    async () => {
      const r = await page.evaluate(() => window.__axeResult);
      if (!r) await page.clock.runFor(20);
      return r;
    },
    { timeout: 30000, interval: 0, message: "axe.run" },
  );
  if (result.error) throw new Error(`axe.run failed: ${result.error}`);
  return result;
}

/** Rules that must have checked (and passed on) the dialog, so that "no violation" means something. */
const DIALOG_RULES = ["aria-dialog-name", "button-name", "color-contrast", "aria-valid-attr-value", "target-size"];

function assertNoViolations({ violations, passed, incomplete }, where, t) {
  for (const x of incomplete) t.diagnostic(`axe could not decide ${x.id} ${where}: ${x.targets.join(", ")} — ${x.why.join(" / ")}`);
  if (violations.length > 0) {
    const text = violations
      .map(
        (v) =>
          `- ${v.id} (${v.impact}): ${v.help} <${v.helpUrl}>\n` +
          v.nodes.map((n) => `    ${n.target}\n      ${n.html}\n      ${n.summary.replace(/\n/g, "\n      ")}`).join("\n"),
      )
      .join("\n");
    assert.fail(`axe found ${violations.length} violation(s) ${where}:\n${text}`);
  }
  const unchecked = DIALOG_RULES.filter((id) => !passed.includes(id));
  assert.deepEqual(unchecked, [], `axe checked the dialog ${where} with these rules (passed on it: ${passed.join(", ")})`);
}

/** Lets fake time pass until the visible countdown reads `text` (it changes once a second). */
async function countdownAt(s, text) {
  await s.advanceUntil(async () => (await s.dialog())?.countdown === text, {
    step: 250,
    max: 10000,
    message: `the countdown to read ${text}`,
  });
}

async function screenshot(s, t, name, lang) {
  const dir = hasFontFor(lang) ? SCREENSHOTS : SCREENSHOTS_FALLBACK;
  if (dir !== SCREENSHOTS) t.diagnostic(`no font for :lang=${lang}: ${name} written to ${path.relative(REPO_ROOT, dir)}/`);
  fs.mkdirSync(dir, { recursive: true });
  await s.page.evaluate(() => document.fonts.ready);
  await s.page.mouse.move(0, 0); // no hover state on a button
  await s.page.screenshot({ path: path.join(dir, name), animations: "disabled", caret: "hide" });
}

/** The element that has focus, relative to the dialog. */
function focusInfo(page) {
  return page.evaluate(() => {
    const a = document.activeElement;
    if (!a || a === document.body || a === document.documentElement) return { where: "document" };
    const inside = a.closest("dialog.session-guard");
    return {
      where: inside ? "dialog" : "outside",
      action: a.getAttribute("data-action"),
      describe: a.localName + (a.id ? "#" + a.id : "") + (a.getAttribute("name") ? `[name=${a.getAttribute("name")}]` : ""),
      focusVisible: a.matches(":focus-visible"),
    };
  });
}

/** Both dialogs in one language: axe on each, a screenshot of each. */
async function auditDialogs(s, t, lang, expected) {
  await s.page.setViewportSize(VIEWPORT);
  await s.loginToForm();
  const warning = await s.advanceToWarning();
  assert.equal(warning.continue?.text, expected.continue);
  assert.match(warning.message, expected.warning);
  assertNoViolations(await axe(s.page), `with the warning dialog open (${lang})`, t);
  await countdownAt(s, "1:55");
  await screenshot(s, t, `warning-${lang}.png`, lang);

  await s.advanceUntil(async () => (await s.dialog())?.state === "expired", {
    step: 5000,
    max: (WARN_BEFORE + 5) * 1000,
    message: "the expired state",
  });
  const expired = await s.waitForDialog("expired");
  assert.equal(expired.login?.text, expected.login);
  assert.ok(expired.text.includes(expected.expired), `expired text: ${expired.text}`);
  assertNoViolations(await axe(s.page), `with the expired dialog open (${lang})`, t);
  await screenshot(s, t, `expired-${lang}.png`, lang);
}

suite.test("axe: no violations with the warning and with the expired dialog open (English)", async (s, t) => {
  await auditDialogs(s, t, "en", {
    continue: "Continue",
    login: "Log in again",
    warning: /^Your session will expire in 2 minutes\. Do you want to continue\?$/,
    expired: "For your security you were signed out after a period of inactivity. Please log in again.",
  });
});

suite.test("axe: no violations with the warning and with the expired dialog open (Japanese)", { locale: "ja-JP" }, async (s, t) => {
  await auditDialogs(s, t, "ja", {
    continue: "続ける",
    login: "再ログイン",
    warning: /^セッションが2分後に切れます。継続しますか[?？]$/,
    expired: "長時間操作がなかったため、セキュリティのためセッションを終了しました。",
  });
});

suite.test("axe: no violations in the dark colour scheme (warning and expired)", async (s, t) => {
  await s.page.emulateMedia({ colorScheme: "dark" });
  await s.loginToForm();
  await s.advanceToWarning();
  assertNoViolations(await axe(s.page), "with the warning dialog open (dark)", t);
  await s.advanceUntil(async () => (await s.dialog())?.state === "expired", {
    step: 5000,
    max: (WARN_BEFORE + 5) * 1000,
    message: "the expired state",
  });
  assertNoViolations(await axe(s.page), "with the expired dialog open (dark)", t);
});

suite.test("keyboard only: focus stays in the warning; Enter on Continue extends once; Escape extends", async (s, t) => {
  await s.loginToForm();
  await s.page.evaluate(() => document.getElementById("message").focus()); // where the user was typing
  await s.advanceToWarning();
  let f = await focusInfo(s.page);
  assert.deepEqual([f.where, f.action], ["dialog", "continue"], "focus starts on Continue");

  // Tab and Shift+Tab: focus never reaches the page behind the modal dialog. At the ends of
  // the dialog Chromium may hand focus to the browser's own UI (document.activeElement is then
  // the body), as native modal dialogs do; the next Tab brings it back into the dialog.
  const visit = async (key, presses) => {
    const seen = [];
    for (let i = 0; i < presses; i++) {
      await s.page.keyboard.press(key);
      const x = await focusInfo(s.page);
      assert.notEqual(x.where, "outside", `${key} #${i + 1} moved focus behind the dialog, to ${x.describe}`);
      seen.push(x.where === "dialog" ? x.action : "(browser UI)");
    }
    return seen;
  };
  const forward = await visit("Tab", 6);
  const backward = await visit("Shift+Tab", 6);
  t.diagnostic(`Tab: continue → ${forward.join(" → ")}; Shift+Tab: → ${backward.join(" → ")}`);
  for (const seen of [forward, backward]) {
    assert.ok(seen.includes("continue") && seen.includes("logout"), `both buttons are reached: ${seen.join(", ")}`);
    const ui = seen.filter((x) => x === "(browser UI)").length;
    assert.ok(ui <= 2, `focus comes straight back from the browser UI: ${seen.join(", ")}`);
  }
  assert.equal((await s.dialog()).state, "warning", "Tab does not close or extend");
  assert.equal((await s.stats()).mine, 0, "Tab sends no keep-alive");

  // Back to Continue with the keyboard, then Enter.
  for (let i = 0; i < 4 && (await focusInfo(s.page)).action !== "continue"; i++) await s.page.keyboard.press("Tab");
  f = await focusInfo(s.page);
  assert.equal(f.action, "continue");
  assert.ok(f.focusVisible, "the focused button shows a focus ring (:focus-visible)");
  await s.page.keyboard.press("Enter");
  await s.waitForEvent("extended");
  await waitFor(async () => !(await s.dialogOpen()), { message: "the dialog to close" });
  await s.settle();
  assert.equal((await s.stats()).mine, 1, "Enter on Continue: one keep-alive");
  assert.equal((await s.guard()).state, "active");
  assert.equal(await s.page.evaluate(() => document.activeElement?.id), "message", "focus back in the textarea");

  // The next warning: Escape extends too.
  await s.advanceToWarning();
  await s.page.keyboard.press("Escape");
  await s.waitForEvent("extended", { count: 2 });
  await waitFor(async () => !(await s.dialogOpen()), { message: "the dialog to close" });
  await s.settle();
  assert.equal((await s.stats()).mine, 2, "Escape: one more keep-alive");
  assert.equal((await s.guard()).state, "active");
  assert.equal(await s.page.evaluate(() => document.activeElement?.id), "message", "focus back in the textarea");
});
