// HTML views of the demo site. Plain template literals: every interpolated value goes
// through `esc()` (or is a number we produced). No inline script and no inline style
// anywhere, so every page works under `script-src 'self' 'wasm-unsafe-eval'` and a
// `style-src` without 'unsafe-inline'.

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML element content and double- or single-quoted attributes. */
export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function humanDuration(seconds) {
  if (seconds % 60 === 0) {
    const m = seconds / 60;
    return `${m} minute${m === 1 ? "" : "s"}`;
  }
  return `${seconds} seconds`;
}

/**
 * The script tag exactly as the README shows it (values from the server's config).
 * `nonce` adds `data-csp-nonce` for the strict-CSP variant of the form.
 */
export function guardScriptTag({ timeout, warnBefore, user, nonce, statusUrl, draftKey }) {
  const nonceAttr = (nonce ? ` data-csp-nonce="${esc(nonce)}"` : "") + (statusUrl ? ` data-status-url="${esc(statusUrl)}"` : "");
  // The signed-in user's own draft key (drafts encrypted at rest); only on that user's pages.
  // During a key rotation: [current, previous] as data-draft-keys.
  const keyAttr = Array.isArray(draftKey)
    ? ` data-draft-keys="${esc(draftKey.join(" "))}"`
    : draftKey
      ? ` data-draft-key="${esc(draftKey)}"`
      : "";
  return (
    `<script src="/session-guard/session-guard.js" data-timeout="${esc(timeout)}" ` +
    `data-warn-before="${esc(warnBefore)}" data-keepalive-url="/session/keepalive" ` +
    `data-login-url="/login" data-logout-url="/logout" data-user="${esc(user)}"${keyAttr}${nonceAttr} defer></script>`
  );
}

/**
 * The page frame. `guard` is set only on pages of a signed-in user: a login page has no
 * session to guard (a guard there would warn about, and ping for, a session that does not exist).
 */
export function layout({ title, user, csrf, guard, body, bodyClass = "", scripts = [] }) {
  const head = [
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${esc(title)} · session-guard demo</title>`,
    `<link rel="icon" href="/favicon.svg" type="image/svg+xml">`,
    `<link rel="stylesheet" href="/demo.css">`,
  ];
  if (csrf) head.push(`<meta name="csrf-token" content="${esc(csrf)}">`);
  // The page's own deferred scripts run first (in order), so that whatever they render
  // is in the document when the guard starts.
  for (const src of scripts) head.push(`<script src="${esc(src)}" defer></script>`);
  if (guard) {
    // demo.js first: both are deferred and run in order, so the status bar listens
    // before the guard can dispatch its first event.
    head.push(`<script src="/demo.js" defer></script>`);
    head.push(guardScriptTag(guard));
  }

  const account = user
    ? `<div class="account">
        <span>Signed in as <strong>${esc(user)}</strong></span>
        <form method="post" action="/logout" class="inline">
          <input type="hidden" name="_csrf" value="${esc(csrf)}">
          <button type="submit" class="link-button">Log out</button>
        </form>
      </div>`
    : "";

  const status = guard
    ? `<footer class="statusbar" id="sg-status" data-state="loading">
        <span class="statusbar__item"><span class="statusbar__label">Session guard</span>
          <span id="sg-state" class="statusbar__state">loading…</span></span>
        <span class="statusbar__item"><span class="statusbar__label">Expires in</span>
          <span id="sg-remaining">–</span></span>
        <span class="statusbar__item"><span class="statusbar__label">Last event</span>
          <span id="sg-last">none yet</span></span>
      </footer>`
    : "";

  return `<!doctype html>
<html lang="en">
<head>
${head.join("\n")}
</head>
<body class="${esc(bodyClass)}">
<header class="topbar">
  <a class="brand" href="/">session-guard <span class="brand__tag">demo</span></a>
  ${account}
</header>
<main class="content">
${body}
</main>
${status}
</body>
</html>
`;
}

export function loginPage({ next, expired, loggedOut, error, username, timeout }) {
  let note = "";
  if (expired) {
    note = `<p class="note note--info" id="signed-out-note">You were signed out after a period of inactivity. Please log in again.</p>`;
  } else if (loggedOut) {
    note = `<p class="note note--info" id="signed-out-note">You were signed out.</p>`;
  }
  const err = error ? `<p class="note note--error" id="login-error">${esc(error)}</p>` : "";
  const nextField = next ? `<input type="hidden" name="next" value="${esc(next)}">` : "";
  return layout({
    title: "Log in",
    bodyClass: "page-login",
    body: `
<section class="card card--narrow">
  <h1>Log in</h1>
  ${note}${err}
  <p class="muted">This is a demo: any user name and any non-empty password will do.
     Your session ends after ${esc(humanDuration(timeout))} without activity.</p>
  <form method="post" action="/login" class="stack" id="login-form">
    ${nextField}
    <label for="username">User name</label>
    <input id="username" name="username" autocomplete="username" required maxlength="64" value="${esc(username)}">
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit" class="primary">Log in</button>
  </form>
</section>`,
  });
}

const TOPICS = [
  ["", "Choose a topic…"],
  ["billing", "Billing"],
  ["support", "Technical support"],
  ["sales", "Sales"],
  ["feedback", "Feedback"],
];
const INTERESTS = [
  ["security", "Security"],
  ["accessibility", "Accessibility"],
  ["performance", "Performance"],
  ["i18n", "Internationalisation"],
];

export function formPage({ user, csrf, guard, timeout, warnBefore, action, cspNote }) {
  const topicOptions = TOPICS.map(([v, l]) => `<option value="${esc(v)}">${esc(l)}</option>`).join("");
  const interestOptions = INTERESTS.map(([v, l]) => `<option value="${esc(v)}">${esc(l)}</option>`).join("");
  return layout({
    title: "Support request",
    user,
    csrf,
    guard,
    bodyClass: "page-form",
    body: `
<section class="card">
  <h1>Support request</h1>
  <p class="muted" id="timeout-note">Your session times out after ${esc(humanDuration(timeout))} of inactivity.
     A warning appears ${esc(humanDuration(warnBefore))} before that; while you keep working you stay signed in.</p>
  ${cspNote ? `<p class="note note--info" id="csp-note">${esc(cspNote)}</p>` : ""}
  <form method="post" action="${esc(action)}" id="request-form" class="grid">
    <input type="hidden" name="_csrf" value="${esc(csrf)}">

    <fieldset>
      <legend>About you</legend>
      <label for="name">Full name</label>
      <input id="name" name="name" autocomplete="name">
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autocomplete="email">
      <label for="phone">Phone</label>
      <input id="phone" name="phone" type="tel" autocomplete="tel">
    </fieldset>

    <fieldset>
      <legend>Your request</legend>
      <label for="topic">Topic</label>
      <select id="topic" name="topic">${topicOptions}</select>
      <label for="interests">Interests <span class="muted">(Ctrl/⌘-click for several)</span></label>
      <select id="interests" name="interests" multiple size="4">${interestOptions}</select>
      <label for="message">Message</label>
      <textarea id="message" name="message" rows="8" placeholder="Describe your request in detail…"></textarea>
      <label for="preferred_date">Preferred date for a call back</label>
      <input id="preferred_date" name="preferred_date" type="date">
      <label for="quantity">Number of licences</label>
      <input id="quantity" name="quantity" type="number" min="1" max="1000" step="1" value="1">
    </fieldset>

    <fieldset>
      <legend>Preferences</legend>
      <div class="choice"><input type="checkbox" id="newsletter" name="newsletter" value="yes">
        <label for="newsletter">Send me the newsletter</label></div>
      <div class="choice"><input type="checkbox" id="urgent" name="urgent" value="yes">
        <label for="urgent">This is urgent</label></div>
      <p class="label">Contact me by</p>
      <div class="choice"><input type="radio" id="contact-email" name="contact" value="email" checked>
        <label for="contact-email">Email</label></div>
      <div class="choice"><input type="radio" id="contact-phone" name="contact" value="phone">
        <label for="contact-phone">Phone</label></div>
      <div class="choice"><input type="radio" id="contact-none" name="contact" value="none">
        <label for="contact-none">Do not contact me</label></div>
    </fieldset>

    <fieldset>
      <legend>Payment and confirmation</legend>
      <label for="card_number">Card number</label>
      <input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number">
      <label for="account_password">Confirm with your password</label>
      <input id="account_password" name="account_password" type="password" autocomplete="current-password">
    </fieldset>

    <div class="actions">
      <button type="submit" class="primary" id="submit">Send request</button>
    </div>
  </form>
</section>`,
  });
}

/** Where the demo serves React 18's production UMD builds (from node_modules, see app.js). */
export const REACT_SCRIPTS = ["/vendor/react.production.min.js", "/vendor/react-dom.production.min.js"];

/**
 * A React 18 controlled form (www/public/react-form.js, React.createElement, no JSX and
 * no inline script): the guard must restore drafts through React's state, not just the DOM.
 * `reactAvailable: false` (react/react-dom not installed) explains instead of failing.
 */
export function reactFormPage({ user, csrf, guard, reactAvailable = true }) {
  return layout({
    title: "Ticket (React)",
    user,
    csrf,
    guard,
    bodyClass: "page-react-form",
    scripts: reactAvailable ? [...REACT_SCRIPTS, "/react-form.js"] : [],
    body: `
<section class="card">
  <h1>New ticket <span class="muted">(React 18)</span></h1>
  <p class="muted">A controlled form rendered by React: every field is React state. The guard saves
     what you type and, after a re-login, writes it back through React's own event handlers.</p>
  ${
    reactAvailable
      ? `<div id="react-root" data-action="/react-form"></div>
  <noscript><p class="note note--error">This page needs JavaScript.</p></noscript>`
      : `<p class="note note--error" id="react-missing">React is not installed: run <code>npm install</code> (react and react-dom are devDependencies).</p>`
  }
</section>`,
  });
}

const SENSITIVE = new Set(["_csrf", "account_password", "card_number"]);

export function savedPage({ user, csrf, guard, fields, back }) {
  const rows = Object.entries(fields)
    .filter(([k]) => !SENSITIVE.has(k))
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd data-field="${esc(k)}">${esc(Array.isArray(v) ? v.join(", ") : v)}</dd>`)
    .join("\n");
  return layout({
    title: "Saved",
    user,
    csrf,
    guard,
    bodyClass: "page-saved",
    body: `
<section class="card">
  <h1 id="saved-title">Saved</h1>
  <p>Thank you — your request was received.</p>
  <dl class="summary" id="saved-fields">${rows}</dl>
  <p><a href="${esc(back)}">Back to the form</a></p>
</section>`,
  });
}

export function messagePage({ title, message, status, user, csrf, guard }) {
  return layout({
    title,
    user,
    csrf,
    guard,
    body: `
<section class="card card--narrow">
  <h1>${esc(title)}</h1>
  <p data-status="${esc(status)}">${esc(message)}</p>
  <p><a href="/">Home</a></p>
</section>`,
  });
}
