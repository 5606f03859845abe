// Demo status bar: shows what the guard is doing, for humans trying the demo.
// A plain file (no inline script) so the pages work under a strict CSP. It only listens
// to the guard's public events and calls its public methods; it never affects the guard.
"use strict";

(function () {
  var EVENTS = ["ready", "warning", "extended", "expired", "loggedout", "login", "draftsaved", "draftrestored", "error"];
  var last = "none yet";
  var failed = false;
  var timer = null;

  function el(id) {
    return document.getElementById(id);
  }

  function formatSeconds(s) {
    if (typeof s !== "number" || !isFinite(s)) return "–";
    s = Math.max(0, Math.floor(s));
    var m = Math.floor(s / 60);
    var r = s % 60;
    return (m > 0 ? m + " min " : "") + r + " s";
  }

  function describe(type, detail) {
    if (!detail || typeof detail !== "object") return type;
    if (type === "warning" && "remaining" in detail) return "warning (" + detail.remaining + " s left)";
    if (type === "expired" && detail.reason) return "expired (" + detail.reason + ")";
    if (type === "error") return "error: " + (detail.code || "?") + (detail.message ? " — " + detail.message : "");
    if (type === "draftrestored" && "fields" in detail) return "draft restored (" + detail.fields + " fields)";
    return type;
  }

  function render() {
    var bar = el("sg-status");
    if (!bar) return;
    var guard = window.sessionGuard;
    var state = failed ? "error" : "loading";
    var remaining = null;
    if (guard && typeof guard.state === "function") {
      try {
        state = guard.state();
        remaining = guard.remaining();
      } catch (e) {
        state = "destroyed";
      }
    }
    bar.setAttribute("data-state", state);
    el("sg-state").textContent = state;
    el("sg-remaining").textContent = state === "expired" || state === "loggedOut" ? "–" : formatSeconds(remaining);
    el("sg-last").textContent = last;
  }

  function schedule() {
    // Refresh once a second while the page is visible; nothing runs in a hidden tab.
    if (document.visibilityState === "visible") {
      if (timer === null) timer = setInterval(render, 1000);
    } else if (timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  }

  EVENTS.forEach(function (type) {
    document.addEventListener("sessionguard:" + type, function (event) {
      if (type === "error" && event.detail && event.detail.code === "config") failed = true;
      last = describe(type, event.detail);
      render();
    });
  });
  document.addEventListener("visibilitychange", function () {
    schedule();
    render();
  });

  // The header's "Log out" goes through the guard when it runs, so the other tabs learn of
  // it at once and this user's drafts are purged; without the guard the form posts as usual.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.getAttribute("action") === "/logout" && window.sessionGuard) {
      event.preventDefault();
      window.sessionGuard.logout();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      render();
      schedule();
    });
  } else {
    render();
    schedule();
  }
})();
