// `npm start`: installs what is missing (no browser needed), builds dist/ when stale, then runs
// the demo server (www/server.js, which serves dist/ at /session-guard/). PORT defaults to 8080.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { build } from "./build.mjs";
import { log, ROOT, setup } from "./setup.mjs";

try {
  setup();
  build();
} catch (error) {
  console.error(`[session-guard] ${error.message}`);
  process.exit(1);
}

const server = join(ROOT, "www", "server.js");
if (!existsSync(server)) {
  console.error("[session-guard] www/server.js does not exist yet: nothing to start (dist/ is built)");
  process.exit(1);
}

const port = process.env.PORT || "8080";
log(`demo: http://localhost:${port}/  (library at http://localhost:${port}/session-guard/)`);
const child = spawn(process.execPath, [server], { cwd: ROOT, stdio: "inherit", env: { ...process.env, PORT: port } });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
