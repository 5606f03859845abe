// session-guard ES module entry: instantiates the wasm once, then starts a guard.
import init, { startGuard, SessionGuard } from "./session_guard.js";

let loading;

/** Loads and instantiates the wasm beside this file (once). */
export function ready() {
  return (loading ??= init().catch((error) => {
    loading = undefined; // allow a retry after, e.g., a network failure
    throw error;
  }));
}

/** Starts a guard; rejects with an Error naming the bad option. */
export async function start(options) {
  await ready();
  return startGuard(options ?? {});
}

export { SessionGuard };
