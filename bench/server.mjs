// The benchmark's web server, in-process on 127.0.0.1:0.
//
//   /bench/p/<page>?…          bench pages (bench/pages.mjs), rendered from the query
//   POST /bench/keepalive?…    a keep-alive endpoint that always answers 200 {"expiresIn": t}
//                              and counts calls per `tab` (GET /bench/stats, POST /bench/reset)
//   /bench/vendor/…            React 18 UMD and react-idle-timer (the peer), from node_modules
//   /bench/shim/…              "react" / "react/jsx-runtime" ES modules over the UMD globals
//   everything else            the demo app (www/app.js): /session-guard/* serves dist/ exactly
//                              as the demo does (ETag revalidation, application/wasm)

import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";

import { createApp } from "../www/app.js";
import { renderPage } from "./pages.mjs";

const require = createRequire(import.meta.url);

function vendorFiles() {
  const dir = (pkg) => path.dirname(require.resolve(`${pkg}/package.json`));
  return {
    "react.js": path.join(dir("react"), "umd", "react.production.min.js"),
    "react-dom.js": path.join(dir("react-dom"), "umd", "react-dom.production.min.js"),
    // Its exports map hides package.json; the CommonJS entry sits beside the ES one.
    "react-idle-timer.mjs": path.join(path.dirname(require.resolve("react-idle-timer")), "index.esm.mjs"),
  };
}

const SHIMS = {
  "react.mjs": `const R = window.React;
export default R;
export const { Component, forwardRef, createContext, useContext, useEffect, useRef, useCallback, useMemo, useState,
  createElement, Fragment } = R;
`,
  "jsx-runtime.mjs": `const R = window.React;
export const Fragment = R.Fragment;
export function jsx(type, props, key) {
  return R.createElement(type, key === undefined ? props : { ...props, key });
}
export const jsxs = jsx;
`,
};

/**
 * @param {{distDir: string}} opts
 * @returns {Promise<{baseURL: string, stats: () => object, reset: () => void, close: () => Promise<void>}>}
 */
export async function startBenchServer({ distDir }) {
  const demo = createApp({ sessionTimeout: 1800, warnBefore: 120, testHooks: false, distDir });
  const vendor = vendorFiles();
  const counts = { total: 0, byTab: {} };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    const send = (status, type, body, headers = {}) => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", ...headers });
      res.end(body);
    };
    if (url.pathname.startsWith("/bench/p/")) {
      const html = renderPage(url.pathname.slice("/bench/p/".length), url.searchParams);
      if (html === null) return send(404, "text/plain", "no such bench page\n");
      return send(200, "text/html; charset=utf-8", html);
    }
    if (url.pathname === "/bench/keepalive" && req.method === "POST") {
      const tab = url.searchParams.get("tab") ?? "0";
      counts.total += 1;
      counts.byTab[tab] = (counts.byTab[tab] ?? 0) + 1;
      const expiresIn = Number(url.searchParams.get("t") ?? 1800);
      req.resume();
      return send(200, "application/json", JSON.stringify({ expiresIn }));
    }
    if (url.pathname === "/bench/stats") return send(200, "application/json", JSON.stringify(counts));
    if (url.pathname === "/bench/reset" && req.method === "POST") {
      counts.total = 0;
      counts.byTab = {};
      return send(200, "application/json", "{}");
    }
    if (url.pathname.startsWith("/bench/vendor/")) {
      const file = vendor[url.pathname.slice("/bench/vendor/".length)];
      if (!file) return send(404, "text/plain", "not found\n");
      return send(200, "text/javascript; charset=utf-8", fs.readFileSync(file), { "Cache-Control": "max-age=3600" });
    }
    if (url.pathname.startsWith("/bench/shim/")) {
      const text = SHIMS[url.pathname.slice("/bench/shim/".length)];
      if (!text) return send(404, "text/plain", "not found\n");
      return send(200, "text/javascript; charset=utf-8", text, { "Cache-Control": "max-age=3600" });
    }
    if (url.pathname === "/favicon.ico") return send(204, "text/plain", "");
    return demo(req, res);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const baseURL = `http://127.0.0.1:${server.address().port}`;
  return {
    baseURL,
    stats: () => JSON.parse(JSON.stringify(counts)),
    reset() {
      counts.total = 0;
      counts.byTab = {};
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
