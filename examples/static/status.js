// Shows the guard's state on the page. A file, not an inline script, so the page works under
// `Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'`.
"use strict";
(function () {
  function show() {
    var el = document.getElementById("state");
    if (el) el.textContent = window.sessionGuard ? window.sessionGuard.state() : "not started";
  }
  ["ready", "warning", "extended", "expired", "loggedout", "login"].forEach(function (type) {
    document.addEventListener("sessionguard:" + type, show);
  });
  document.addEventListener("sessionguard:error", function (e) {
    var el = document.getElementById("state");
    if (el) el.textContent = "error: " + (e.detail && e.detail.message);
  });
})();
