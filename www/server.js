// Runs the session-guard demo: `node www/server.js` (or `npm start`, which builds dist/ first).
//
// Environment:
//   PORT             port to listen on (default 8080; 0 picks a free one, printed on start)
//   HOST             interface to bind (default 127.0.0.1)
//   SESSION_TIMEOUT  idle timeout of the server session in seconds (default 60)
//   WARN_BEFORE      seconds before expiry the guard warns (default 30)
//   DEMO_TEST_HOOKS  "1" mounts the /__test routes used by the e2e tests (never by default)
//   SESSION_SECRET   cookie secret (default: random, so sessions do not survive a restart)

import fs from "node:fs";
import path from "node:path";

import { createApp, DEFAULT_DIST } from "./app.js";

function intFromEnv(name, fallback, { min = 0 } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    console.error(`${name} must be a whole number ≥ ${min}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

const port = intFromEnv("PORT", 8080);
const host = process.env.HOST || "127.0.0.1";
const sessionTimeout = intFromEnv("SESSION_TIMEOUT", 60, { min: 1 });
const warnBefore = intFromEnv("WARN_BEFORE", 30, { min: 1 });
const testHooks = process.env.DEMO_TEST_HOOKS === "1";

let app;
try {
  app = createApp({ sessionTimeout, warnBefore, testHooks, statusUrl: true, secret: process.env.SESSION_SECRET || undefined });
} catch (err) {
  console.error(`session-guard demo: ${err.message}`);
  process.exit(2);
}

if (!fs.existsSync(path.join(DEFAULT_DIST, "session-guard.js"))) {
  console.warn(`warning: ${path.relative(process.cwd(), DEFAULT_DIST) || "dist"}/session-guard.js is missing; run \`npm run build\` first.`);
}

const server = app.listen(port, host, (err) => {
  if (err) {
    console.error(`session-guard demo: cannot listen on ${host}:${port}: ${err.message}`);
    process.exit(1);
  }
  const { port: actual } = server.address();
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  console.log(`session-guard demo listening on http://${shownHost}:${actual}/`);
  console.log(`  session timeout ${sessionTimeout} s, warning ${warnBefore} s before${testHooks ? ", TEST HOOKS ENABLED" : ""}`);
});

function shutdown(signal) {
  console.log(`${signal}: shutting down`);
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
