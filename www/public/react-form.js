// The demo's React 18 page (/react-form): a controlled form, every field held in React
// state. Plain JavaScript with React.createElement (no JSX, no build step, no inline
// script: works under a strict CSP). React and ReactDOM are the production UMD builds
// the demo serves at /vendor/ (loaded, deferred, before this file).
//
// <pre id="react-state"> shows the component's state as JSON, so the e2e tests can check
// that a restored draft reached React's state, not only the DOM.
"use strict";

(function () {
  var root = document.getElementById("react-root");
  if (!root || !window.React || !window.ReactDOM) return;
  var h = React.createElement;

  var CATEGORIES = [
    ["", "Choose a category…"],
    ["bug", "Bug report"],
    ["feature", "Feature request"],
    ["question", "Question"],
  ];
  var PRIORITIES = [
    ["low", "Low"],
    ["high", "High"],
  ];
  var INITIAL = { title: "", body: "", category: "", urgent: false, priority: "low" };

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function TicketForm(props) {
    var pair = React.useState(INITIAL);
    var state = pair[0];
    var setState = pair[1];

    function set(name, value) {
      setState(function (prev) {
        var next = Object.assign({}, prev);
        next[name] = value;
        return next;
      });
    }
    function onText(e) {
      set(e.target.name, e.target.value);
    }
    function onCheck(e) {
      set(e.target.name, e.target.checked);
    }
    function onRadio(e) {
      if (e.target.checked) set(e.target.name, e.target.value);
    }

    return h(
      "form",
      { method: "post", action: props.action, id: "react-form", className: "grid" },
      h("input", { type: "hidden", name: "_csrf", value: props.csrf, readOnly: true }),
      h(
        "fieldset",
        null,
        h("legend", null, "Ticket"),
        h("label", { htmlFor: "title" }, "Title"),
        h("input", { id: "title", name: "title", value: state.title, onChange: onText, autoComplete: "off" }),
        h("label", { htmlFor: "body" }, "Description"),
        h("textarea", { id: "body", name: "body", rows: 6, value: state.body, onChange: onText }),
        h("label", { htmlFor: "category" }, "Category"),
        h(
          "select",
          { id: "category", name: "category", value: state.category, onChange: onText },
          CATEGORIES.map(function (c) {
            return h("option", { key: c[0], value: c[0] }, c[1]);
          })
        )
      ),
      h(
        "fieldset",
        null,
        h("legend", null, "Triage"),
        h(
          "div",
          { className: "choice" },
          h("input", { type: "checkbox", id: "urgent", name: "urgent", value: "yes", checked: state.urgent, onChange: onCheck }),
          h("label", { htmlFor: "urgent" }, "This is urgent")
        ),
        h("p", { className: "label" }, "Priority"),
        PRIORITIES.map(function (p) {
          var id = "priority-" + p[0];
          return h(
            "div",
            { className: "choice", key: p[0] },
            h("input", {
              type: "radio",
              id: id,
              name: "priority",
              value: p[0],
              checked: state.priority === p[0],
              onChange: onRadio,
            }),
            h("label", { htmlFor: id }, p[1])
          );
        })
      ),
      h("div", { className: "actions" }, h("button", { type: "submit", className: "primary", id: "submit" }, "Create ticket")),
      h("p", { className: "label" }, "React state"),
      h("pre", { id: "react-state", className: "state" }, JSON.stringify(state))
    );
  }

  var app = h(TicketForm, { action: root.getAttribute("data-action") || "/react-form", csrf: csrfToken() });
  var reactRoot = ReactDOM.createRoot(root);
  // Rendered synchronously: the form is in the document before the (deferred, later) guard starts.
  ReactDOM.flushSync(function () {
    reactRoot.render(app);
  });
})();
