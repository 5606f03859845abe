// Test-only: loaded first in every page of the demo server started with `recorder: true`
// (see www/app.js). Records, in this document, every sessionguard:* event, uncaught error,
// unhandled rejection, console.error and CSP violation, so that a journey can read them in
// any engine — WebKitWebDriver has no console or init-script endpoint.
// window.__sgTest.records: [{type, detail, at}] with `at` the page's performance.now().
"use strict";
(function () {
  if (window.__sgTest) return;
  var records = [];
  var test = (window.__sgTest = { records: records });
  function plain(v, depth) {
    if (v === null || v === undefined) return null;
    if (typeof v !== "object") return v;
    if (v instanceof Element) return v.localName + (v.id ? "#" + v.id : "");
    if (depth > 3) return "[…]";
    if (Array.isArray(v)) return v.map(function (x) { return plain(x, depth + 1); });
    var out = {};
    Object.keys(v).forEach(function (k) { out[k] = plain(v[k], depth + 1); });
    return out;
  }
  function record(type, detail) {
    records.push({ type: type, detail: detail, at: Math.round(performance.now()) });
  }
  test.count = function (type) {
    return records.filter(function (r) { return r.type === type; }).length;
  };
  ["ready", "warning", "extended", "expired", "loggedout", "login", "draftsaved", "draftrestored", "draftsavailable", "error"].forEach(
    function (type) {
      document.addEventListener("sessionguard:" + type, function (e) {
        var detail = null;
        try { detail = plain(e.detail, 0); } catch (err) { detail = { unserialisable: String(err) }; }
        record(type, detail);
      }, true);
    },
  );
  window.addEventListener("error", function (e) {
    record("pageerror", { message: String(e.message), source: e.filename || null, line: e.lineno || null });
  });
  window.addEventListener("unhandledrejection", function (e) {
    record("pageerror", { message: "unhandled rejection: " + String(e.reason && (e.reason.stack || e.reason)) });
  });
  var consoleError = console.error;
  console.error = function () {
    record("consoleerror", { message: Array.prototype.map.call(arguments, String).join(" ") });
    return consoleError.apply(console, arguments);
  };
  document.addEventListener("securitypolicyviolation", function (e) {
    record("securitypolicyviolation", { directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile });
  }, true);
})();
