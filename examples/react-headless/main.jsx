// Import the component first: it listens to session-guard's events from then on, so none sent
// while start() runs (a draft waiting to be restored, say) is missed.
import { SessionDialog } from "./SessionDialog.jsx";

import { createRoot } from "react-dom/client";
import { start } from "session-guard";

try {
  const guard = await start({
    dialog: false, // headless: no dialog, notice or title countdown of the guard's own
    timeout: 60, // s: the server's idle timeout (short, for the example)
    warnBefore: 30, // s before the end the warning comes
    keepAliveUrl: "/session/keepalive",
    loginUrl: "/login",
  });
  window.guard = guard; // for the console (and the end-to-end test)
  createRoot(document.getElementById("session-ui")).render(<SessionDialog guard={guard} />);
} catch (error) {
  console.error(error); // a bad option names itself: "session-guard: option `…`: …"
}
