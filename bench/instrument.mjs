// Page instrumentation for the bench, added with context.addInitScript(INSTRUMENT).
//
// Install it AFTER page.clock.install(): Playwright's clock replaces the timer globals in its
// own (earlier) init script, and these wrappers must wrap the fake timers to see them fire.
//
// window.__inst holds:
//   timers     setTimeout/setInterval/requestAnimationFrame: scheduled, fired (with the page's
//              Date.now() of each firing), cleared, and the live ones
//   listeners  live addEventListener registrations (target, type, capture, listener)
//   observers  PerformanceObserver / MutationObserver that observe and were not disconnected
//   channels   BroadcastChannels not closed
//   storage    localStorage.setItem calls and bytes (UTF-16: 2 × (key + value) characters), by key
//   events     sessionguard:* / peer:* events with the page's Date.now()
// Everything else is attributed to its source by the call stack at registration: "guard" (a frame
// of /session-guard/), "peer" (react-idle-timer) or "page".

export const INSTRUMENT = `(() => {
  if (window.__inst) return;
  const source = () => {
    const stack = new Error().stack || "";
    if (stack.includes("/session-guard/")) return "guard";
    if (stack.includes("react-idle-timer")) return "peer";
    return "page";
  };
  const I = (window.__inst = {
    timers: { scheduled: { guard: 0, peer: 0, page: 0 }, fired: [], cleared: { guard: 0, peer: 0, page: 0 }, live: new Map() },
    listeners: new Map(),
    observers: new Map(),
    channels: new Map(),
    storage: { calls: [], removes: 0 },
    events: [],
  });
  Error.stackTraceLimit = 30;

  // --- timers ---
  function wrapTimer(setName, clearName, kind) {
    const set = window[setName], clear = window[clearName];
    if (typeof set !== "function") return;
    window[setName] = function (fn, delay, ...rest) {
      const src = source();
      I.timers.scheduled[src]++;
      let id;
      const callback = typeof fn !== "function" ? fn : function () {
        if (kind !== "interval") I.timers.live.delete(id);
        I.timers.fired.push({ src, kind, at: Date.now(), delay: delay || 0 });
        return fn.apply(this, arguments);
      };
      id = set.call(window, callback, delay, ...rest);
      I.timers.live.set(id, { src, kind, delay: delay || 0 });
      return id;
    };
    window[clearName] = function (id) {
      const t = I.timers.live.get(id);
      if (t) {
        I.timers.cleared[t.src]++;
        I.timers.live.delete(id);
      }
      return clear.call(window, id);
    };
  }
  wrapTimer("setTimeout", "clearTimeout", "timeout");
  wrapTimer("setInterval", "clearInterval", "interval");
  wrapTimer("requestAnimationFrame", "cancelAnimationFrame", "raf");

  // --- listeners ---
  const label = (t) =>
    t === window ? "window" : t === document ? "document" : (t && t.constructor && t.constructor.name) + (t && t.tagName ? "<" + t.tagName.toLowerCase() + ">" : "");
  const captureOf = (o) => (typeof o === "boolean" ? o : !!(o && o.capture));
  const add = EventTarget.prototype.addEventListener, remove = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (listener && !(options && typeof options === "object" && (options.once || options.signal))) {
      const capture = captureOf(options);
      let list = I.listeners.get(this);
      if (!list) I.listeners.set(this, (list = []));
      if (!list.some((l) => l.type === type && l.capture === capture && l.listener === listener)) {
        list.push({ type, capture, listener, src: source(), target: label(this) });
      }
    }
    return add.call(this, type, listener, options);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    const list = I.listeners.get(this);
    if (list) {
      const capture = captureOf(options);
      const i = list.findIndex((l) => l.type === type && l.capture === capture && l.listener === listener);
      if (i >= 0) list.splice(i, 1);
      if (!list.length) I.listeners.delete(this);
    }
    return remove.call(this, type, listener, options);
  };

  // --- observers and channels ---
  for (const name of ["PerformanceObserver", "MutationObserver"]) {
    const C = window[name];
    if (!C) continue;
    const observe = C.prototype.observe, disconnect = C.prototype.disconnect;
    C.prototype.observe = function () {
      if (!I.observers.has(this)) I.observers.set(this, { kind: name, src: source() });
      return observe.apply(this, arguments);
    };
    C.prototype.disconnect = function () {
      I.observers.delete(this);
      return disconnect.apply(this, arguments);
    };
  }
  if (window.BroadcastChannel) {
    const Native = window.BroadcastChannel;
    const close = Native.prototype.close;
    class TrackedBroadcastChannel extends Native {
      constructor(...args) {
        super(...args);
        I.channels.set(this, { name: args[0], src: source() });
      }
    }
    Native.prototype.close = function () {
      I.channels.delete(this);
      return close.call(this);
    };
    window.BroadcastChannel = TrackedBroadcastChannel;
  }

  // --- storage ---
  const setItem = Storage.prototype.setItem, removeItem = Storage.prototype.removeItem;
  Storage.prototype.setItem = function (key, value) {
    key = String(key);
    value = String(value);
    // Not attributed: a formatted stack per write (wasm frames named) would weigh more than
    // the write itself in the drafts timings, which run with this wrapper in place.
    I.storage.calls.push({ key, bytes: 2 * (key.length + value.length) });
    return setItem.call(this, key, value);
  };
  Storage.prototype.removeItem = function (key) {
    I.storage.removes++;
    return removeItem.call(this, key);
  };

  // --- events ---
  for (const type of ["warning", "extended", "expired", "draftsaved", "draftrestored", "error"]) {
    add.call(document, "sessionguard:" + type, (e) => {
      let detail = null;
      try { detail = e.detail && typeof e.detail === "object" ? { ...e.detail, form: undefined } : e.detail; } catch {}
      I.events.push({ type: "sessionguard:" + type, at: Date.now(), detail });
    }, true);
  }
  for (const type of ["peer:prompt", "peer:idle"]) add.call(document, type, () => I.events.push({ type, at: Date.now() }), true);

  /** Counts of what is live now, by source; with details when asked. */
  window.__instSnapshot = (details = false) => {
    const by = () => ({ guard: 0, peer: 0, page: 0 });
    const out = { listeners: by(), timers: by(), observers: by(), channels: by(), detail: details ? { listeners: [], timers: [], observers: [], channels: [] } : undefined };
    for (const list of I.listeners.values()) for (const l of list) {
      out.listeners[l.src]++;
      if (details && l.src === "guard") out.detail.listeners.push(l.target + ":" + l.type + (l.capture ? "(capture)" : ""));
    }
    for (const t of I.timers.live.values()) {
      out.timers[t.src]++;
      if (details && t.src === "guard") out.detail.timers.push(t.kind + ":" + t.delay);
    }
    for (const o of I.observers.values()) {
      out.observers[o.src]++;
      if (details && o.src === "guard") out.detail.observers.push(o.kind);
    }
    for (const c of I.channels.values()) {
      out.channels[c.src]++;
      if (details && c.src === "guard") out.detail.channels.push(c.name);
    }
    return out;
  };
})();`;
