// One small driver for the three engines, so that a journey is written once and run in
// Chromium (puppeteer-core over CDP), Firefox (puppeteer-core over WebDriver BiDi) and WebKit
// (selenium-webdriver talking to WebKitGTK's WebKitWebDriver and MiniBrowser).
//
//   const engine = await launchEngine("firefox");
//   const browsing = await engine.open();          // its own cookies and storage
//   const tab = browsing.tab;                      // the first tab; browsing.newTab() for more
//   await tab.goto(url); await tab.click("#name"); await tab.type("Ada"); await tab.press("Enter");
//   await tab.eval((sel) => document.querySelector(sel).value, "#name");
//   await browsing.close(); await engine.close();
//
// Everything a journey does goes through real input: clicks and key presses are trusted
// events dispatched by the engine's automation, never `fill()` or synthetic events.
// There is no fake clock: these journeys run in real time against short sessions.
//
// Why not one library for all three: Playwright's own Firefox and WebKit builds cannot be
// downloaded here and Debian's firefox-esr and WebKitGTK do not speak Playwright's
// protocol; puppeteer-core speaks BiDi to firefox-esr, and WebKitGTK only speaks WebDriver.

import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";

import { freePort, waitFor } from "./harness.mjs";

export const ENGINE_NAMES = ["chromium", "firefox", "webkit"];

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";
export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH ?? "/usr/bin/WebKitWebDriver";

/** Where Debian puts MiniBrowser (multiarch libdir), or null. */
export function miniBrowserPath() {
  const candidates = [process.env.MINIBROWSER_PATH];
  try {
    for (const dir of fs.readdirSync("/usr/lib")) candidates.push(`/usr/lib/${dir}/webkit2gtk-4.1/MiniBrowser`);
  } catch {}
  return candidates.find((p) => p && fs.existsSync(p)) ?? null;
}

/** The engines `npm test` runs: SESSION_GUARD_ENGINES=chromium,firefox narrows it. */
export function selectedEngines() {
  const wanted = (process.env.SESSION_GUARD_ENGINES ?? ENGINE_NAMES.join(",")).split(",").map((s) => s.trim());
  for (const name of wanted) if (!ENGINE_NAMES.includes(name)) throw new Error(`unknown engine ${name} in SESSION_GUARD_ENGINES`);
  return wanted;
}

const LAUNCHERS = { chromium: () => launchPuppeteer("chromium"), firefox: () => launchPuppeteer("firefox"), webkit: launchWebKit };

/**
 * Starts one browser of `name`. Returns `{ name, version, open(), close() }`; `open()` gives
 * a fresh browsing session (cookies and storage of its own) with its first tab.
 */
export function launchEngine(name) {
  const launch = LAUNCHERS[name];
  if (!launch) throw new Error(`unknown engine ${name}`);
  return launch();
}

// --- Chromium and Firefox: puppeteer-core (CDP for Chromium, WebDriver BiDi for Firefox) ----

// Playwright keeps every page of its Chromium "visible" (each page its own window), so a tab
// could never be hidden behind another; puppeteer opens tabs in one window, as a person does.
const PUPPETEER_OPTIONS = {
  chromium: () => ({
    browser: "chrome",
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  }),
  firefox: () => ({
    browser: "firefox",
    executablePath: FIREFOX_PATH,
    protocol: "webDriverBiDi",
    headless: true,
    // No update checks, telemetry or remote settings: this machine has no outside network.
    extraPrefsFirefox: {
      "app.update.enabled": false,
      "browser.shell.checkDefaultBrowser": false,
      "datareporting.policy.dataSubmissionEnabled": false,
      "network.captive-portal-service.enabled": false,
      "services.settings.server": "",
    },
  }),
};

async function launchPuppeteer(name) {
  const { default: puppeteer } = await import("puppeteer-core");
  const browser = await puppeteer.launch(PUPPETEER_OPTIONS[name]());
  const version = (await browser.version()).replace(/^(firefox|HeadlessChrome|Chrome)\//i, "");
  return {
    name,
    version: `${name === "firefox" ? "Firefox" : "Chromium"} ${version}`,
    async open() {
      const context = await browser.createBrowserContext();
      const wrap = (page) =>
        tab({
          goto: (url) => page.goto(url),
          url: async () => page.url(),
          eval: (fn, arg) => page.evaluate(fn, arg),
          // As in WebKit below: a person scrolls what they click to the middle of the window, not
          // to an edge under the demo's fixed status bar.
          click: async (selector) => {
            await page.$eval(selector, (element) => element.scrollIntoView({ block: "center" }));
            await page.click(selector);
          },
          type: (text) => page.keyboard.type(text),
          press: (key) => page.keyboard.press(key),
          front: () => page.bringToFront(),
          // A person switches to another tab of the same window.
          hide: async () => (await context.newPage()).bringToFront(),
          close: () => page.close(),
          chooseFile: async (selector, file) => (await page.$(selector)).uploadFile(file),
          expectPopup: (timeout) =>
            new Promise((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error(`no window opened by ${page.url()} within ${timeout} ms`)), timeout);
              page.once("popup", (popup) => {
                clearTimeout(timer);
                if (!popup) return reject(new Error("the opened window is not reachable"));
                resolve(wrap(popup));
              });
            }),
          isOpen: async () => !page.isClosed(),
        });
      const newPage = async () => {
        const page = await context.newPage();
        await page.setViewport({ width: 1024, height: 768 });
        return wrap(page);
      };
      return browsing(await newPage(), newPage, () => context.close());
    },
    close: () => browser.close(),
  };
}

// --- WebKit: selenium-webdriver → WebKitWebDriver → MiniBrowser -------------------------

async function waitForPort(port, timeout = 10000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`WebKitWebDriver did not listen on port ${port} within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const WINDOW_RECT = { x: 0, y: 0, width: 1024, height: 768 };

/** How long a WebKit command waits for a page load it started (WebDriver's default is 300 s). */
const NAVIGATION_WAIT_MS = 15000;
/** Past this, a WebDriver command that has not answered fails, naming itself. */
const COMMAND_ANSWER_MS = 45000;
/** Starting a MiniBrowser session has hung under load (a journey timed out in CI with no step named): bounded, tried twice. */
const SESSION_START_MS = 30000;
/** Ending a session: past this the journey goes on (the next one starts its own browser). */
const SESSION_QUIT_MS = 15000;

/** Runs the WebDriver command `fn`, failing with its name if it gets no answer in time. */
async function answered(what, fn, ms = COMMAND_ANSWER_MS) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`webkit: ${what} got no answer from WebKitWebDriver in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([fn(), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function launchWebKit() {
  if (!process.env.DISPLAY) throw new Error("WebKit (MiniBrowser) needs a display: run the tests under `xvfb-run -a`");
  const binary = miniBrowserPath();
  if (!binary) throw new Error("MiniBrowser not found (Debian package webkit2gtk-driver / libwebkit2gtk-4.1-0)");
  const { Builder, By, Key } = await import("selenium-webdriver");
  const port = await freePort();
  const driverProcess = spawn(WEBKIT_DRIVER_PATH, [`--port=${port}`], { stdio: "ignore" });
  await waitForPort(port);
  const server = `http://127.0.0.1:${port}`;
  const keys = { Enter: Key.ENTER, Escape: Key.ESCAPE, Tab: Key.TAB, Space: Key.SPACE, ArrowDown: Key.ARROW_DOWN, Backspace: Key.BACK_SPACE };
  let version = "WebKitGTK";

  // One WebDriver session per browsing session: MiniBrowser's automation session has one
  // cookie jar, so separate browsing needs a separate browser.
  async function open({ locale = "en-US" } = {}) {
    const args = ["--automation"];
    let driver;
    for (let attempt = 1; !driver; attempt++) {
      try {
        driver = await answered(
          "starting a MiniBrowser session",
          async () => await new Builder().usingServer(server).withCapabilities({ browserName: "MiniBrowser", "webkitgtk:browserOptions": { binary, args } }).build(),
          SESSION_START_MS,
        );
      } catch (error) {
        if (attempt >= 2) throw error;
        console.log(`# ${error.message}; starting another`);
      }
    }
    // WebDriver's default page-load wait is 300 s: a click, key or `get` that starts a navigation
    // whose load event is late would hold the journey past its own timeout with no word of which
    // command hung. A navigating command waits 15 s; the journey's own bounded waits then check
    // where the page is.
    await answered("setTimeouts", () => driver.manage().setTimeouts({ pageLoad: NAVIGATION_WAIT_MS, script: NAVIGATION_WAIT_MS }));
    const caps = await answered("getCapabilities", () => driver.getCapabilities());
    version = `WebKitGTK ${caps.get("browserVersion") ?? "?"}`;
    // The window sits at the top left; xvfb-run's screen is made large enough that the
    // resting pointer (its centre) is outside the window, so no window opening or closing
    // above it sends the page a trusted zero-movement mousemove.
    await answered("setRect", () => driver.manage().window().setRect(WINDOW_RECT));
    let current = await answered("getWindowHandle", () => driver.getWindowHandle());
    // WebDriver commands act on the current window: every call first makes its tab current.
    let queue = Promise.resolve();
    const serial = (fn) => {
      const run = queue.then(fn, fn);
      queue = run.catch(() => {});
      return run;
    };
    const handleTab = (handle) => {
      const use = async () => {
        if (current !== handle) {
          await driver.switchTo().window(handle);
          current = handle;
        }
      };
      const act = (what, fn) => serial(() => answered(what, async () => (await use(), fn())));
      // A command that may start a navigation: its page-load wait running out is not a failure
      // (the command was carried out); what the page shows next is checked by the journey.
      const navigating = (what, fn) =>
        act(what, () =>
          fn().catch((error) => {
            if (error?.name !== "TimeoutError") throw error;
            console.log(`# webkit: ${what}: the page load it started took over ${NAVIGATION_WAIT_MS} ms`);
          }),
        );
      return tab({
        goto: (url) => navigating(`get ${url}`, () => driver.get(url)),
        url: () => act("getCurrentUrl", () => driver.getCurrentUrl()),
        eval: (fn, arg) => act("executeScript", () => driver.executeScript(`return (${fn}).apply(null, arguments)`, arg)),
        // A person scrolls what they click to the middle of the window; WebDriver alone scrolls
        // it to the bottom edge, under the demo's fixed status bar, and refuses the click.
        click: (selector) =>
          navigating(`click ${selector}`, async () => {
            const element = await driver.findElement(By.css(selector));
            await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", element);
            await element.click();
          }),
        type: (text) => navigating("type", () => driver.actions().sendKeys(text).perform()),
        press: (key) => navigating(`press ${key}`, () => driver.actions().sendKeys(keys[key] ?? key).perform()),
        // Setting the window's rect restores a minimised window (WebDriver: Set Window Rect).
        front: () => act("setRect", () => driver.manage().window().setRect(WINDOW_RECT)),
        hide: () => act("minimize", () => driver.manage().window().minimize()),
        // WebDriver's way to choose a file: the file input takes the path as its keys.
        chooseFile: (selector, file) => act(`choose a file in ${selector}`, async () => (await driver.findElement(By.css(selector))).sendKeys(file)),
        // A window this one opens is a new window handle.
        expectPopup: (timeout) => {
          const known = serial(() => driver.getAllWindowHandles());
          return known.then((before) =>
            waitFor(
              async () => {
                const now = await serial(() => driver.getAllWindowHandles());
                const opened = now.find((h) => !before.includes(h));
                return opened ? handleTab(opened) : null;
              },
              { timeout, interval: 100, message: "a window opened by the page" },
            ),
          );
        },
        isOpen: () => serial(async () => (await driver.getAllWindowHandles()).includes(handle)),
        close: () =>
          act("close", async () => {
            await driver.close();
            const rest = await driver.getAllWindowHandles();
            if (rest.length) {
              await driver.switchTo().window(rest[0]);
              current = rest[0];
            }
          }),
      });
    };
    const newTab = () =>
      serial(async () => {
        await driver.switchTo().newWindow("tab");
        current = await driver.getWindowHandle();
        return handleTab(current);
      });
    return browsing(handleTab(current), newTab, () => answered("quit", () => driver.quit(), SESSION_QUIT_MS));
  }

  // Launch once to learn the version (and fail early when MiniBrowser cannot start).
  const probe = await open();
  await probe.close();
  return {
    name: "webkit",
    get version() {
      return version;
    },
    open,
    close: async () => {
      driverProcess.kill();
    },
  };
}

// --- the common surface ------------------------------------------------------------------

/** A tab: the engine's primitives plus what journeys build from them. */
function tab(ops) {
  /** Waits (bounded) until `selector` is rendered: a page may still be loading. */
  const visible = (selector) =>
    waitFor(
      () =>
        ops
          .eval((sel) => {
            const r = document.querySelector(sel)?.getBoundingClientRect();
            return Boolean(r && r.width > 0 && r.height > 0);
          }, selector)
          .catch(() => false), // the document is being replaced
      { timeout: 10000, interval: 50, message: `${selector} shown` },
    );
  return {
    ...ops,
    /** Clicks `selector` once a person could see it. */
    async click(selector) {
      await visible(selector);
      await ops.click(selector);
    },
    /** Clicks `selector`, then types `text` with real key presses. */
    async typeInto(selector, text) {
      await this.click(selector);
      await ops.type(text);
    },
    /**
     * Sets up the wait for a window this tab opens (call before the click that opens it);
     * resolves to that window as a tab.
     */
    expectPopup(timeout = 10000) {
      return ops.expectPopup(timeout);
    },
    /** Events, errors and CSP violations the demo's test recorder saw in this document. */
    records() {
      return ops.eval(() => window.__sgTest?.records ?? null);
    },
  };
}

function browsing(first, newTab, close) {
  const tabs = [first];
  return {
    tab: first,
    tabs,
    async newTab() {
      const t = await newTab();
      tabs.push(t);
      return t;
    },
    close: () => close().catch(() => {}),
  };
}

// --- what a journey does and reads, in any engine -----------------------------------------

/** The guard's own view, with the page's monotonic time. */
export const guardOf = (tab) =>
  tab.eval(() => {
    const g = window.sessionGuard;
    return g && typeof g.state === "function" ? { state: g.state(), remaining: g.remaining(), at: performance.now() } : null;
  });

/** The records of one type (see `records()`). */
export const recordsOf = async (tab, type) => ((await tab.records()) ?? []).filter((r) => r.type === type);

/** Signs in with the keyboard, as a person does, and waits for the guard on `next`. */
export async function login(tab, baseURL, { user = "alice", next = "/form" } = {}) {
  if (!new URL(await tab.url()).pathname.startsWith("/login")) await tab.goto(`${baseURL}/login?next=${encodeURIComponent(next)}`);
  await tab.typeInto("#username", user);
  await tab.press("Tab");
  await tab.type("secret");
  await tab.press("Enter");
  await waitFor(async () => new URL(await tab.url()).pathname === next, { timeout: 10000, message: `landing on ${next}` });
  return waitFor(() => guardOf(tab), { timeout: 10000, message: "window.sessionGuard" });
}

/** Waits, without sleeping blind, until the page's clock reaches `at` (performance.now ms). */
export async function untilPageTime(tab, at) {
  await waitFor(async () => (await tab.eval(() => performance.now())) >= at, {
    timeout: Math.max(2000, at - (await tab.eval(() => performance.now())) + 3000),
    interval: 100,
    message: `page time ${at}`,
  });
}
