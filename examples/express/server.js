// node examples/express/server.js — PORT (8081), SESSION_TIMEOUT (s, 60), WARN_BEFORE (s, 30),
// ROLLING ("true" | "false", default "false").
import { createApp } from "./app.js";

const port = Number(process.env.PORT ?? 8081);
const timeout = Number(process.env.SESSION_TIMEOUT ?? 60);
const warnBefore = Number(process.env.WARN_BEFORE ?? 30);
const rolling = (process.env.ROLLING ?? "false") === "true";

createApp({ timeout, warnBefore, rolling }).listen(port, "127.0.0.1", () => {
  console.log(`express example (rolling: ${rolling}, ${timeout} s session) at http://localhost:${port}`);
});
