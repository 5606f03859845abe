// Bench section "drafts": 6. Drafts. Its measurement (run by scripts/bench.mjs) and its part of the report.

import { pageIdle, withThreadTimes } from "./timing.mjs";
import { OPTS, RUNS, cell, fmt, median, newContext, openPage, sleep, stat, table, waitReady } from "./common.mjs";

const BIG_FORM_FIELDS = 500;
const BIG_TEXT_BYTES = 200 * 1024;
const BURST_KEYS = 50;

async function typingBurst(page, selector, { settleFirst = false } = {}) {
  await page.focus(selector);
  if (settleFirst) await sleep(1500); // let a save already scheduled (after a restore) happen first
  const before = await page.evaluate(() => {
    __inst.storage.calls.length = 0;
    return __inst.events.filter((e) => e.type === "sessionguard:draftsaved").length;
  });
  await page.keyboard.type("The quick brown fox jumps over the lazy dog 123456".slice(0, BURST_KEYS));
  // The debounce: 1 s after the last edit. Wait for the save, then a little longer.
  await page.waitForFunction((n) => __inst.events.filter((e) => e.type === "sessionguard:draftsaved").length > n, before, { timeout: 5000, polling: 50 }).catch(() => {});
  await sleep(500); // anything written after the save (none expected)
  return page.evaluate(() => {
    const calls = __inst.storage.calls;
    const drafts = calls.filter((c) => c.key.includes("|"));
    return {
      writes: calls.length,
      bytes: calls.reduce((a, c) => a + c.bytes, 0),
      draftWrites: drafts.length,
      draftBytes: drafts.reduce((a, c) => a + c.bytes, 0),
      otherKeys: [...new Set(calls.filter((c) => !c.key.includes("|")).map((c) => (c.key.endsWith("$") ? "shared view (tabs)" : c.key)))],
    };
  });
}

// --draft-key: the drafts encrypted at rest (a fixed test key; never a real one).
export const DRAFT_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

export async function benchDrafts(env) {
  const samples = [];
  // --draft-key: the drafts encrypted at rest (a fixed test key; never a real one).
  const key = OPTS.draftKey ? `&key=${DRAFT_KEY}` : "";
  const query = `form=big&fields=${BIG_FORM_FIELDS}&restore=manual${key}`;
  for (let r = 0; r < RUNS; r++) {
    const context = await newContext(env, { instrument: true });
    const page = await openPage(env, context, "module", query);
    const startEmpty = await page.evaluate(() => __bench.marks.ready - __bench.marks.instantiateEnd);
    const filled = await page.evaluate((textBytes) => {
      const form = document.getElementById("big");
      let n = 0;
      for (const el of form.elements) {
        if (el.type === "checkbox") el.checked = true;
        else if (el.tagName === "SELECT") el.value = "b";
        else if (el.tagName === "TEXTAREA") el.value = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(Math.ceil(textBytes / 57)).slice(0, textBytes);
        else if (el.tagName === "INPUT") el.value = `value of ${el.name} typed by the user`;
        else continue;
        n++;
      }
      return n;
    }, BIG_TEXT_BYTES);
    // Let the page lay out the 200 KB it was just given and collect the filling's garbage first:
    // that work belongs to the filling (a user types over minutes), not to the save.
    await pageIdle(page);
    const [save, saveThreadMs] = await withThreadTimes(env.browser, page, () =>
      page.evaluate(() => {
        __inst.storage.calls.length = 0;
        performance.mark("first<");
        const t0 = performance.now();
        guard.saveDrafts();
        const first = performance.now() - t0;
        performance.mark("first>");
        const bytes = __inst.storage.calls.reduce((a, c) => a + c.bytes, 0);
        const writes = __inst.storage.calls.length;
        performance.mark("again<");
        const t1 = performance.now();
        guard.saveDrafts();
        const again = performance.now() - t1;
        performance.mark("again>");
        // Reference: one plain setItem of the largest value written (what storage alone costs).
        const largest = __inst.storage.calls.reduce((a, c) => (c.bytes > (a?.bytes ?? 0) ? c : a), null)?.key;
        const value = largest ? localStorage.getItem(largest) : "";
        const t2 = performance.now();
        localStorage.setItem("bench:reference", value);
        const plainSetItem = performance.now() - t2;
        localStorage.removeItem("bench:reference");
        return { first, again, bytes, writes, plainSetItem, largestChars: value.length };
      }),
    );
    save.firstThread = saveThreadMs("first");
    save.againThread = saveThreadMs("again");
    // A new page load, as after a re-login; restore: "manual" leaves it to restoreDrafts().
    await page.reload();
    await waitReady(page);
    const startWithDraft = await page.evaluate(() => __bench.marks.ready - __bench.marks.instantiateEnd);
    const [restore, restoreThreadMs] = await withThreadTimes(env.browser, page, () =>
      page.evaluate(() => {
        let fields = 0;
        const on = (e) => (fields += e.detail.fields);
        document.addEventListener("sessionguard:draftrestored", on);
        performance.mark("restore<");
        const t0 = performance.now();
        guard.restoreDrafts();
        const ms = performance.now() - t0;
        performance.mark("restore>");
        document.removeEventListener("sessionguard:draftrestored", on);
        return { ms, fields, textarea: document.getElementById("notes").value.length };
      }),
    );
    restore.thread = restoreThreadMs("restore");
    const burstBig = await typingBurst(page, "input[name=f0]", { settleFirst: true });
    await page.goto(`${env.baseURL}/bench/p/module?form=small&restore=manual${key}`);
    await waitReady(page);
    const smallSave = await page.evaluate(() => {
      for (const el of document.getElementById("contact").elements) if (el.tagName === "INPUT" && el.type !== "checkbox" && el.type !== "radio") el.value = "12345";
      document.getElementById("message").value = "A short message of a few words.";
      const t0 = performance.now();
      guard.saveDrafts();
      return performance.now() - t0;
    });
    await page.reload();
    await waitReady(page);
    const burstSmall = await typingBurst(page, "input[name=subject]");
    await context.close();
    samples.push({ startEmpty, filled, save, startWithDraft, restore, burstBig, burstSmall, smallSave });
  }
  const s = (f) => stat(samples.map(f));
  return {
    runs: RUNS,
    fields: samples[0].filled,
    saveMs: s((x) => x.save.first),
    saveThreadMs: s((x) => x.save.firstThread),
    saveAgainMs: s((x) => x.save.again),
    saveAgainThreadMs: s((x) => x.save.againThread),
    smallSaveMs: s((x) => x.smallSave),
    saveBytes: s((x) => x.save.bytes),
    plainSetItemMs: s((x) => x.save.plainSetItem),
    largestChars: s((x) => x.save.largestChars),
    writes: s((x) => x.save.writes),
    restoreMs: s((x) => x.restore.ms),
    restoreThreadMs: s((x) => x.restore.thread),
    restoredFields: s((x) => x.restore.fields),
    restoredText: s((x) => x.restore.textarea),
    startEmptyMs: s((x) => x.startEmpty),
    startWithDraftMs: s((x) => x.startWithDraft),
    burst: Object.fromEntries(
      ["burstBig", "burstSmall"].map((k) => [
        k,
        {
          writes: s((x) => x[k].writes),
          bytes: s((x) => x[k].bytes),
          draftWrites: s((x) => x[k].draftWrites),
          draftBytes: s((x) => x[k].draftBytes),
          otherKeys: samples[0][k].otherKeys,
        },
      ]),
    ),
  };
}

/** The "6. Drafts" section of BENCHMARKS.md, from what benchDrafts measured. */
export function reportDrafts(p, drafts) {
  const d = drafts;
  p("## 6. Drafts");
  p();
  p(`A form of ${BIG_FORM_FIELDS} fields (90 % text inputs, 5 % checkboxes, 5 % selects) plus a textarea holding`);
  p(`${fmt(BIG_TEXT_BYTES, 0)} characters (200 KB) of text, all changed from their defaults (${d.fields} fields filled), then two`);
  p("frames and an idle period. Each call is timed two ways: *wall*, `performance.now()` around it in `page.evaluate`;");
  p("*main-thread CPU*, the thread clock (`tts`) of `performance.mark` trace events around it (category");
  p("`blink.user_timing`). On this 2-core machine the OS often runs another thread (the browser process, the");
  p("compositor, V8's background compiler and GC, the bench script) while the page's main thread waits, and wall time");
  p("counts that; the thread clock counts only the main thread's own work. Restore: after a reload of the page");
  p("(`restore: \"manual\"`), `guard.restoreDrafts()` writes every field back (native setter + `input`/`change`).");
  p("Bytes: `Storage.prototype.setItem` wrapped, 2 × (key + value) characters (UTF-16).");
  p();
  p(
    table(["Figure", "wall, ms", "main-thread CPU, ms"], [
      ["`saveDrafts()`, first save", cell(d.saveMs), cell(d.saveThreadMs)],
      ["`saveDrafts()`, nothing changed since", cell(d.saveAgainMs), cell(d.saveAgainThreadMs)],
      ["`restoreDrafts()`", cell(d.restoreMs), cell(d.restoreThreadMs)],
      ["for comparison: `saveDrafts()` of the 10-field form", cell(d.smallSaveMs, 2), "–"],
      ["reference: one plain `localStorage.setItem` of the largest value written", cell(d.plainSetItemMs), "–"],
      ["guard start with this form, no draft / with a draft (instantiated → ready, as *start* in section 2)", `${cell(d.startEmptyMs)} / ${cell(d.startWithDraftMs)}`, "–"],
    ]),
  );
  p();
  p(
    table(["Figure", "Median (min–max)"], [
      ["bytes written by the first save", `${cell({ ...d.saveBytes, median: d.saveBytes.median / 1024, min: d.saveBytes.min / 1024, max: d.saveBytes.max / 1024 })} KB`],
      ["`setItem` calls of the first save (the long text under its own key, then the record)", cell(d.writes, 0)],
      ["fields restored", cell(d.restoredFields, 0)],
    ]),
  );
  p();
  p(`A burst of ${BURST_KEYS} keystrokes (\`page.keyboard.type\`) into one text field, then the 1 s debounce:`);
  p();
  const b = (x) => [
    cell(x.draftWrites, 0),
    `${cell({ ...x.draftBytes, median: x.draftBytes.median / 1024, min: x.draftBytes.min / 1024, max: x.draftBytes.max / 1024 })} KB`,
    `${fmt(x.draftBytes.median / BURST_KEYS, 0)} B`,
    `${cell(x.writes, 0)} / ${cell({ ...x.bytes, median: x.bytes.median / 1024, min: x.bytes.min / 1024, max: x.bytes.max / 1024 })} KB`,
  ];
  p(
    table(["Form", "draft writes", "draft bytes", "per keystroke", "all setItem (writes / bytes)"], [
      ["500 fields + 200 KB textarea", ...b(d.burst.burstBig)],
      ["10-field form", ...b(d.burst.burstSmall)],
    ]),
  );
  p();
}
