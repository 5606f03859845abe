// Bench pages, rendered from the query string (no CSP: inline marks are allowed here).
//
//   none    the same page without any idle detector (the baseline)
//   tag     the classic loader: <script src="/session-guard/session-guard.js" data-…>
//   module  the ES module entry: import { start } from "/session-guard/index.js"; also exposes
//           the wasm exports (window.wasm, from session_guard.js's default init) for memory
//   peer    react-idle-timer (npm), useIdleTimer with the same timeout/prompt, React 18 UMD
//
// Query: timeout (s, 1800), warn (s, 120), tab (keep-alive counter key), form (none|small|big),
// fields (big form: 500), restore (auto|prompt|manual), drafts (true|false), start (auto|manual:
// module page only; window.benchStart(extra) then starts a guard).
//
// Every page keeps window.__bench = { marks: {…}, moves, keys } and dispatches
// `bench:ready` on document once its detector runs (window.guard / window.peer set).

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function params(q) {
  const num = (name, dflt) => {
    const v = Number(q.get(name));
    return q.has(name) && Number.isFinite(v) ? v : dflt;
  };
  return {
    timeout: num("timeout", 1800),
    warn: num("warn", 120),
    tab: q.get("tab") ?? "0",
    form: q.get("form") ?? "small",
    fields: num("fields", 500),
    restore: q.get("restore") ?? "manual",
    drafts: q.get("drafts") ?? "true",
    start: q.get("start") ?? "auto",
    // A draftKey (drafts encrypted at rest), or none.
    key: q.get("key") ?? "",
  };
}

const HEAD_MARKS = `<script>
window.__bench = { marks: { head: performance.now() }, moves: 0, keys: 0 };
addEventListener("mousemove", function () { __bench.moves++; }, { capture: true, passive: true });
addEventListener("keydown", function () { __bench.keys++; }, { capture: true, passive: true });
(function () {
  var IS = WebAssembly.instantiateStreaming;
  if (IS) WebAssembly.instantiateStreaming = function (source, imports) {
    __bench.marks.instantiateStart = performance.now();
    return IS.call(WebAssembly, source, imports).then(function (r) {
      __bench.marks.instantiateEnd = performance.now();
      return r;
    });
  };
})();
</script>`;

const SMALL_FORM = `<form id="contact" method="post" action="/nowhere">
  <label>Name <input name="name" autocomplete="name"></label>
  <label>Email <input name="email" type="email"></label>
  <label>Subject <input name="subject"></label>
  <label>Topic <select name="topic"><option value="">Choose…</option><option>billing</option><option>support</option></select></label>
  <label><input type="checkbox" name="urgent"> urgent</label>
  <label><input type="radio" name="reply" value="mail"> mail</label>
  <label><input type="radio" name="reply" value="phone"> phone</label>
  <label>Phone <input name="phone" type="tel"></label>
  <label>Order <input name="order" type="number"></label>
  <textarea id="message" name="message" rows="8" cols="80"></textarea>
  <button type="submit">Send</button>
</form>`;

/** 500 fields (90 % text inputs, 5 % checkboxes, 5 % selects) plus one textarea, built before the guard starts. */
function bigForm(fields) {
  return `<form id="big" method="post" action="/nowhere"></form>
<script>
(function () {
  var form = document.getElementById("big"), n = ${Number(fields)}, html = [];
  for (var i = 0; i < n; i++) {
    if (i % 20 === 7) html.push('<label><input type="checkbox" name="c' + i + '"> c' + i + '</label>');
    else if (i % 20 === 13) html.push('<select name="s' + i + '"><option value="">-</option><option>a</option><option>b</option><option>c</option><option>d</option></select>');
    else html.push('<input name="f' + i + '">');
  }
  html.push('<textarea id="notes" name="notes" rows="10" cols="80"></textarea><button type="submit">Send</button>');
  form.innerHTML = html.join("");
})();
</script>`;
}

function formHtml(p) {
  if (p.form === "big") return bigForm(p.fields);
  if (p.form === "small") return SMALL_FORM;
  return "";
}

function layout({ title, head = "", body }) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
${HEAD_MARKS}
<style>body { font: 16px system-ui, sans-serif; margin: 0; min-height: 100vh; } main { padding: 16px; } input, select { margin: 2px; }</style>
${head}
</head>
<body>
<main>
<h1>${esc(title)}</h1>
<p>A page guarded for the benchmark. Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>
${body}
</main>
</body>
</html>
`;
}

function guardOptions(p) {
  return {
    timeout: p.timeout,
    warnBefore: p.warn,
    keepAliveUrl: `/bench/keepalive?t=${p.timeout}&tab=${p.tab}`,
    loginUrl: "/login",
    user: "bench",
    restore: p.restore,
    drafts: p.drafts === "false" ? false : true,
    ...(p.key ? { draftKey: p.key } : {}),
  };
}

const READY = `document.dispatchEvent(new Event("bench:ready"));`;

const PAGES = {
  none(p) {
    return layout({
      title: "no idle detector",
      body: `${formHtml(p)}
<script>__bench.marks.ready = performance.now(); window.addEventListener("load", function () { ${READY} });</script>`,
    });
  },

  tag(p) {
    const o = guardOptions(p);
    const attrs =
      `data-timeout="${o.timeout}" data-warn-before="${o.warnBefore}" data-keepalive-url="${esc(o.keepAliveUrl)}" ` +
      `data-login-url="/login" data-user="bench" data-restore="${esc(o.restore)}" data-drafts="${o.drafts}"`;
    return layout({
      title: "session-guard (script tag)",
      body: `${formHtml(p)}
<script>
document.addEventListener("sessionguard:ready", function (e) {
  __bench.marks.ready = performance.now();
  window.guard = e.detail.guard;
  ${READY}
});
__bench.marks.loaderStart = performance.now();
</script>
<script src="/session-guard/session-guard.js" ${attrs}></script>`,
    });
  },

  module(p) {
    const manual = p.start === "manual";
    return layout({
      title: "session-guard (ES module)",
      body: `${formHtml(p)}
<script type="module">
__bench.marks.moduleStart = performance.now();
const entry = await import("/session-guard/index.js");
window.benchOptions = ${JSON.stringify(guardOptions(p))};
window.benchStart = (extra) => entry.start({ ...window.benchOptions, ...extra });
${manual ? "await entry.ready();" : "window.guard = await entry.start(window.benchOptions);"}
__bench.marks.ready = performance.now();
// The same module instance index.js initialised: init() returns its wasm exports (memory, tables).
const glue = await import("/session-guard/session_guard.js");
window.wasm = await glue.default();
${READY}
</script>`,
    });
  },

  peer(p) {
    return layout({
      title: "react-idle-timer (peer)",
      head: `<script src="/bench/vendor/react.js"></script>
<script src="/bench/vendor/react-dom.js"></script>
<script type="importmap">{"imports": {"react": "/bench/shim/react.mjs", "react/jsx-runtime": "/bench/shim/jsx-runtime.mjs",
  "react-idle-timer": "/bench/vendor/react-idle-timer.mjs"}}</script>`,
      body: `${formHtml(p)}
<script type="module">
import { useIdleTimer } from "react-idle-timer";
function Watcher() {
  const timer = useIdleTimer({
    timeout: ${p.timeout * 1000},
    promptBeforeIdle: ${p.warn * 1000},
    onPrompt() { document.dispatchEvent(new Event("peer:prompt")); },
    onIdle() { document.dispatchEvent(new Event("peer:idle")); },
  });
  window.peer = timer;
  React.useEffect(() => { __bench.marks.ready = performance.now(); ${READY} }, []);
  return null;
}
// A detached container: React's own root listeners never see the page's input, so only
// react-idle-timer's listeners (on document) are measured.
ReactDOM.createRoot(document.createElement("div")).render(React.createElement(Watcher));
</script>`,
    });
  },
};

/** HTML of bench page `name`, or null. */
export function renderPage(name, query) {
  const page = PAGES[name];
  return page ? page(params(query)) : null;
}
