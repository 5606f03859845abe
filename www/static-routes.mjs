// The built package, the demo's static files and React's UMD builds: served without touching
// the session (no store hit, no Set-Cookie, no Server-Timing on cacheable assets).

import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import express from "express";

import { HERE } from "./http.mjs";

/** Security headers on every response, then the static files. Returns whether React is installed. */
export function mountStatic(app, { distDir }) {
  app.use((req, res, next) => {
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "same-origin");
    res.set("X-Frame-Options", "DENY");
    next();
  });

  app.use(
    "/session-guard",
    express.static(distDir, {
      fallthrough: true,
      setHeaders(res, filePath) {
        // Explicit, whatever the mime table says: instantiateStreaming needs it.
        if (filePath.endsWith(".wasm")) res.set("Content-Type", "application/wasm");
      },
    }),
  );
  app.use("/session-guard", (req, res) => {
    res.status(404).type("text/plain").send(
      fs.existsSync(distDir)
        ? "Not found in dist/.\n"
        : "dist/ is missing: run `npm run build` first.\n",
    );
  });
  app.use(express.static(path.join(HERE, "public"), { index: false }));
  // React 18 for the /react-form page: the production UMD builds, straight from node_modules
  // (devDependencies). Only those two files; nothing else of node_modules is reachable.
  const reactFiles = reactUmdFiles();
  for (const [name, file] of Object.entries(reactFiles)) {
    app.get(`/vendor/${name}`, (req, res, next) => {
      res.sendFile(file, { maxAge: "1d", headers: { "Content-Type": "text/javascript; charset=utf-8" } }, (err) => {
        if (err) next(err);
      });
    });
  }
  const reactAvailable = Object.keys(reactFiles).length === 2;
  return { reactAvailable };
}

/** `{"react.production.min.js": <abs path>, "react-dom.production.min.js": …}` for what is installed. */
function reactUmdFiles() {
  const require = createRequire(import.meta.url);
  const out = {};
  for (const pkg of ["react", "react-dom"]) {
    try {
      const file = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "umd", `${pkg}.production.min.js`);
      if (fs.existsSync(file)) out[`${pkg}.production.min.js`] = file;
    } catch {
      // not installed: /react-form explains
    }
  }
  return out;
}
