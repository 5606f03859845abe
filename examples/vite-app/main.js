// The whole integration: import the package and start it. Vite bundles the ES module and
// emits the .wasm beside it as an asset (the package loads it with
// `new URL("session_guard_bg.wasm", import.meta.url)`), so no plugin is needed.
import { start } from "session-guard";

const stateEl = document.getElementById("state");
const show = () => {
  stateEl.textContent = window.guard ? window.guard.state() : "not started";
};

for (const type of ["warning", "extended", "expired", "loggedout", "login"]) {
  document.addEventListener(`sessionguard:${type}`, show);
}

try {
  window.guard = await start({
    timeout: 60, // s: the server's idle timeout (short, for the example)
    warnBefore: 30, // s before the end the dialog opens
    keepAliveUrl: "/session/keepalive",
    loginUrl: "/login",
  });
} catch (error) {
  console.error(error); // a bad option names itself: "session-guard: option `…`: …"
}
show();
