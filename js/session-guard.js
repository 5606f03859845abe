/*! session-guard classic loader: <script src=".../session-guard.js" data-timeout="1800" ...> */
(function () {
  "use strict";
  var script = document.currentScript;
  function fail(error) {
    var message = String((error && error.message) || error);
    console.error("session-guard:", error);
    document.dispatchEvent(
      new CustomEvent("sessionguard:error", { detail: { code: "config", message: message } })
    );
  }
  if (!script || !script.src) {
    fail(new Error("session-guard.js must be loaded by a <script src> element (not as a module)"));
    return;
  }
  var attrs = {};
  for (var i = 0; i < script.attributes.length; i++) {
    var name = script.attributes[i].name;
    if (name.lastIndexOf("data-", 0) === 0) attrs[name.slice(5)] = script.attributes[i].value;
  }
  var base = script.src;
  import(new URL("session_guard.js", base).href)
    .then(function (mod) {
      return mod
        .default({ module_or_path: new URL("session_guard_bg.wasm", base) })
        .then(function () {
          window.sessionGuard = mod.startGuardFromAttributes(attrs);
          document.dispatchEvent(new CustomEvent("sessionguard:ready", { detail: { guard: window.sessionGuard } }));
        });
    })
    .catch(fail);
})();
