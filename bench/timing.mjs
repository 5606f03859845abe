// Timing helpers shared by the bench sections (scripts/bench.mjs, bench/editors.mjs).

/** Two frames, then an idle period of the page (or 1 s at most). */
export async function pageIdle(page) {
  await page.evaluate(
    () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => requestIdleCallback(done, { timeout: 1000 })))),
  );
}

/**
 * Runs `run` (a page.evaluate that brackets calls with `performance.mark(name + "<")` and
 * `(name + ">")`) under a trace, and returns its result with `threadMs(name)`: the main thread's
 * CPU time between the two marks, from the thread clock (`tts`) of their trace events. Wall time
 * on this 2-core machine also counts the moments the OS runs another thread or process (the
 * browser's, the compositor's, V8's background compiler and GC threads, this script) instead of
 * the page's main thread; thread time does not. NaN where the platform has no thread clock.
 */
export async function withThreadTimes(browser, page, run) {
  await browser.startTracing(page, { categories: ["blink.user_timing"] });
  let result, trace;
  try {
    result = await run();
  } finally {
    trace = await browser.stopTracing();
  }
  const marks = JSON.parse(trace.toString()).traceEvents.filter((e) => e.cat === "blink.user_timing" && e.tts !== undefined);
  const threadMs = (name) => {
    const start = marks.find((e) => e.name === `${name}<`);
    const end = marks.find((e) => e.name === `${name}>`);
    return start && end ? (end.tts - start.tts) / 1000 : NaN;
  };
  return [result, threadMs];
}
