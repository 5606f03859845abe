// Reads and writes form controls for src/browser/drafts.rs. Each crossing into
// or out of wasm costs about a microsecond, and a 500-field form took thousands
// of them per save; here a whole form is read in one call and comes back as one
// JSON text (as UTF-8 bytes). What the readings mean (which fields are saved, their
// keys) is decided in Rust (src/core/drafts.rs).

// --- the rows sent to the core ----------------------------------------------------------

// Positions in the rows formFacts and formValues send: the same names, with the same
// numbers, as src/core/form_record.rs, which documents each. The two tables must match:
// tests/browser_form_record.rs reads a form of every kind of field through these functions
// and the core's decoding, and fails if a position differs. Rows are built only with them.
// A fact row, one per element:
const FACT_TAG = 0, FACT_TYPE = 1, FACT_NAME = 2, FACT_AUTOCOMPLETE = 3, FACT_OPTED_OUT = 4, FACT_VALUE = 5, FACT_ID = 6, FACT_LABEL = 7;
// A value row, by the element's kind: a text's, a checkbox's or radio's, a select's; an option's.
const TEXT_VALUE = 0, TEXT_DEFAULT = 1;
const CHECKABLE_VALUE = 0, CHECKABLE_CHECKED = 1, CHECKABLE_DEFAULT_CHECKED = 2;
const SELECT_MULTIPLE = 0, SELECT_OPTIONS = 1;
const OPTION_VALUE = 0, OPTION_SELECTED = 1, OPTION_DEFAULT_SELECTED = 2;

// How formValues reads an element (kindOf): a text input or textarea with its defaultValue; a
// checkbox or radio; a select; then those read as one text without a default of their own
// (from KIND_REGION up): a contenteditable region, a field read through code (an editor,
// registerField, a custom element), a file input (its files' names). Never sent to the core,
// which decides from the facts what each is.
const KIND_TEXT = 0, KIND_CHECKABLE = 1, KIND_SELECT = 2, KIND_REGION = 3, KIND_CODE = 4, KIND_FILE = 5;

const attribute = (element, name) => element.getAttribute(name) || "";
const OPT_OUT = "[data-session-draft=off]";
const CHECKABLE = /^(checkbox|radio)$/i;
const FILE = /^file$/i;
// The form controls, in form.elements when inside a form: never a field of their own here.
const CONTROL = /^(input|select|textarea|button|option)$/;

// The elements each form's facts were last read from, and when: `generation` counts the
// changes of the attributes facts depend on (src/browser/drafts.rs watches for them).
const factsRead = new WeakMap();

// A fact row (FACT_*) for every element of `form.elements`; the value only for checkboxes
// and radios, which it keys (never a password's); the label from the first <label> or
// aria-label (the core looks for secrets there). Nothing
// (undefined) when the caller knows them from a reading at `generation` (`known`) and the
// form still has the same elements: then they cannot have changed.
export function formFacts(form, known, generation) {
  // `closest()` for each of hundreds of elements is slow, and most pages have no opt-out at
  // all. The whole tree is searched, not the form: a control can sit outside its form (`form=`).
  // Where there are opt-outs, moving a control in or out of one changes its facts: read again.
  const optOuts = form.closest(OPT_OUT) !== null || form.getRootNode().querySelector(OPT_OUT) !== null;
  const last = factsRead.get(form);
  const elements = fieldsOf(form);
  // How formValues reads each element (KIND_*). An editor that starts after the guard changes a field's kind.
  const kinds = elements.map(kindOf);
  if (!optOuts && known === generation && last?.generation === generation && sameItems(last.elements, elements) && sameItems(last.kinds, kinds)) return;
  factsRead.set(form, { generation, elements, kinds });
  const facts = [];
  // Label texts by the id they are for, read once: `element.labels` searches the tree per
  // element, which for a 500-field form cost milliseconds.
  const labels = new Map();
  for (const label of form.getRootNode().querySelectorAll?.("label[for]") ?? []) labels.set(label.htmlFor, label.textContent);
  for (const element of elements) {
    const type = attribute(element, "type");
    const checkable = CHECKABLE.test(type);
    const kind = kinds[facts.length];
    const named = attribute(element, "data-session-draft");
    const fact = [];
    // A form control an editor took over (TinyMCE's textarea) stays what it is, and keeps its
    // key whether or not the editor has started: only how it is read and written changes.
    fact[FACT_TAG] = kind === KIND_REGION ? "#editable" : kind === KIND_CODE && !element.localName.includes("-") && !("form" in element) ? "#custom" : element.localName;
    fact[FACT_TYPE] = kind === KIND_REGION || (kind === KIND_CODE && !("form" in element)) ? "" : type;
    fact[FACT_NAME] = attribute(element, "name") || (kind >= KIND_REGION && named !== "on" ? named : "") || (kind === KIND_CODE && adapterOf(element).name) || "";
    fact[FACT_AUTOCOMPLETE] = attribute(element, "autocomplete");
    fact[FACT_OPTED_OUT] = optOuts && element.closest(OPT_OUT) !== null;
    fact[FACT_VALUE] = checkable ? element.value : "";
    fact[FACT_ID] = element.id;
    fact[FACT_LABEL] = ((element.id && labels.get(element.id)) || (element.parentElement?.localName === "label" && element.parentElement.textContent) || attribute(element, "aria-label")).slice(0, 80);
    facts.push(fact);
  }
  return utf8(facts);
}

// What formFacts' comment says, for one element. An <input> or <select> is read through code
// only when it was given to registerField (no editor takes one over): asking every known
// editor about each of a form's hundreds of inputs was most of what a save's reading cost.
function kindOf(element) {
  const name = element.localName;
  if ((name === "input" || name === "select") && !registered.has(element)) {
    // A plain control: no editor's, and never a contenteditable region (asking the engine
    // whether it is one cost a style lookup per input).
    if (name === "select") return KIND_SELECT;
    const type = attribute(element, "type");
    return CHECKABLE.test(type) ? KIND_CHECKABLE : FILE.test(type) ? KIND_FILE : KIND_TEXT;
  }
  if (adapterOf(element)) return KIND_CODE;
  return isRegion(element) ? KIND_REGION : KIND_TEXT;
}

// --- fields beyond form.elements -------------------------------------------------------

// Fields given to guard.registerField: element → {read, write}.
const registered = new Map();

export function registerField(element, handlers) {
  // Anything else is left alone: never an error in the page.
  if (element?.nodeType !== 1 || typeof handlers?.read !== "function" || typeof handlers?.write !== "function") return () => {};
  registered.set(element, handlers);
  return () => {
    if (registered.get(element) === handlers) registered.delete(element);
  };
}

// What names an editor's field: the element it was made from (or mounted in).
const nameOf = (element) => (element ? attribute(element, "name") || attribute(element, "data-session-draft") || element.id : "");

const isRegion = (element) => element.isContentEditable === true && element.parentElement?.isContentEditable !== true;

// How a field that is no form control is read and written: what registerField was given, a
// known editor's own API (its model then holds the restored text), or a custom element's `value`.
function adapterOf(element) {
  const handlers = registered.get(element);
  if (handlers) return { read: () => handlers.read(), write: (value) => handlers.write(value) };
  const quill = element.classList.contains("ql-editor") && globalThis.Quill?.find?.(element.parentElement);
  if (quill?.root === element) {
    return { name: nameOf(quill.container), read: () => quill.root.innerHTML, write: (html) => quill.setContents(quill.clipboard.convert({ html: cleanHtml(html) }), "api") };
  }
  if (element.localName === "trix-editor" && element.editor) {
    return { read: () => element.value, write: (html) => element.editor.loadHTML(cleanHtml(html)) };
  }
  const tiny = element.localName === "textarea" && element.id && globalThis.tinymce?.get?.(element.id);
  if (tiny) {
    // Until TinyMCE has initialized, the textarea holds the text and the write waits for it.
    return {
      read: () => (tiny.initialized ? tiny.getContent() : element.value),
      write: (html) => (tiny.initialized ? tiny.setContent(cleanHtml(html)) : tiny.once("init", () => tiny.setContent(cleanHtml(html)))),
    };
  }
  const ck = element.ckeditorInstance;
  if (ck?.getData) return { name: nameOf(ck.sourceElement), read: () => ck.getData(), write: (html) => ck.setData(cleanHtml(html)) };
  const tiptap = element.classList.contains("ProseMirror") && element.editor;
  if (tiptap?.commands) return { name: nameOf(tiptap.options?.element), read: () => tiptap.getHTML(), write: (html) => tiptap.commands.setContent(cleanHtml(html)) };
  if (element.localName.includes("-") && "value" in element && !element.shadowRoot?.querySelector("input,textarea,select")) {
    return { read: () => element.value, write: (value) => setValue(element, value) };
  }
  return null;
}

// A form's fields: its elements, then contenteditable regions, registered fields and known
// editors inside it, and the controls in open shadow roots of elements inside it.
function fieldsOf(form) {
  const fields = [...(form.elements ?? [])];
  const more = (root, shadow) => {
    for (const element of root.querySelectorAll("*")) {
      // A form control in the form's own tree is one of form.elements already (an <option> is
      // its select's), unless registered; none holds a shadow root. Skipping them spares a
      // contenteditable lookup for each of a large form's hundreds of controls.
      if (!shadow && CONTROL.test(element.localName) && !registered.has(element)) continue;
      if (element.localName === "option") continue;
      const owned = element.isContentEditable || registered.has(element) || element.localName === "trix-editor";
      if (shadow && !owned && /^(input|textarea|select)$/.test(element.localName)) fields.push(element);
      else if (owned && (registered.has(element) || adapterOf(element) || isRegion(element)) && !fields.includes(element)
        && !fields.some((field) => field.contains?.(element) && (field.isContentEditable || registered.has(field)))) fields.push(element);
      if (element.shadowRoot) more(element.shadowRoot, true);
    }
  };
  more(form, false);
  if (form.localName !== "form" && (form.isContentEditable || registered.has(form)) && !fields.includes(form)) fields.unshift(form);
  return fields;
}

// The form (or other element marked data-session-draft) a field belongs to: its own `form`,
// the closest form around it, else the form around its shadow root's host or around the
// iframe its document is in (an editor's iframe, as TinyMCE's, inside a form).
export function formOf(target) {
  for (let node = target; node; ) {
    const form = node.form ?? node.closest?.("form") ?? node.closest?.("[data-session-draft]:not([data-session-draft=off])");
    if (form) return form;
    const root = node.getRootNode?.();
    node = root?.host ?? root?.defaultView?.frameElement ?? null;
  }
  return null;
}

// Every guarded root of the page in order: its forms, the elements marked data-session-draft
// outside any form, then the forms of same-origin iframes (one level).
export function draftRoots(doc) {
  const roots = [...doc.forms];
  for (const marked of doc.querySelectorAll("[data-session-draft]:not([data-session-draft=off])")) {
    if (!marked.closest("form") && !marked.parentElement?.closest("[data-session-draft]")) roots.push(marked);
  }
  for (const frame of doc.querySelectorAll("iframe")) {
    try {
      const inner = frame.contentDocument;
      if (inner) roots.push(...inner.forms);
    } catch {
      // Another origin's: not ours to read.
    }
  }
  return roots;
}

const RELAYED = ["input", "change", "focusin", "submit", "reset"];
const CAPTURE = { capture: true, passive: true };

// Set while the guard writes a field (writeValue, writeChecked, writeSelected).
let writing = false;

function quietly(write) {
  writing = true;
  try {
    return write();
  } finally {
    writing = false;
  }
}

// The edits, focuses, submits and resets of the page and of its same-origin iframes go to
// `relay` (src/browser/drafts.rs), and the load of each such iframe (a document of its own, its
// forms to restore); the `input` and `change` a restore dispatches for the page's frameworks do
// not: they are no edit of the user's, and handling each of a 500-field restore's 1,000 in wasm
// was a good part of its time. Returns the function that stops it.
export function relayEdits(doc, relay) {
  const ours = (event) => writing && (event.type === "input" || event.type === "change");
  const relayed = (event) => ours(event) || relay(event);
  const watched = [];
  const listen = (d) => {
    if (!d || watched.includes(d)) return;
    watched.push(d);
    for (const type of RELAYED) d.addEventListener(type, relayed, CAPTURE);
  };
  const attach = (frame) => {
    try {
      listen(frame.contentDocument);
    } catch {
      // Another origin's: not ours.
    }
  };
  const onLoad = (event) => {
    if (event.target.localName !== "iframe") return;
    attach(event.target);
    relay(event);
  };
  doc.addEventListener("load", onLoad, true);
  listen(doc);
  for (const frame of doc.querySelectorAll("iframe")) attach(frame);
  return () => {
    doc.removeEventListener("load", onLoad, true);
    for (const d of watched) for (const type of RELAYED) d.removeEventListener(type, relayed, true);
  };
}

// --- contenteditable HTML through the allow-list ---------------------------------------

// The core's lists (src/core/drafts.rs RICH_POLICY): kept elements, dropped elements, kept
// attributes, URL schemes an href may have.
let keep = new Set(), drop = new Set(), keepAttributes = new Set(), schemes = [];

export function richPolicy(policy) {
  const [k, d, a, u] = policy.split("|").map((list) => list.split(/\s+/).filter(Boolean));
  keep = new Set(k);
  drop = new Set(d);
  keepAttributes = new Set(a);
  schemes = u;
}

const HTML = "http://www.w3.org/1999/xhtml";

// Copies the allowed part of `from`'s children into `to`, as new nodes of this document: text
// as text, kept elements with their kept attributes, the children of other elements in their
// place, and nothing of a dropped element.
function copyAllowed(from, to) {
  for (const node of from.childNodes) {
    if (node.nodeType === 3) to.append(node.data);
    if (node.nodeType !== 1 || drop.has(node.localName)) continue;
    if (!keep.has(node.localName) || node.namespaceURI !== HTML) {
      copyAllowed(node, to);
      continue;
    }
    const element = document.createElement(node.localName);
    for (const { name, value } of node.attributes) {
      if (!keepAttributes.has(name)) continue;
      if (name !== "href") element.setAttribute(name, value);
      else if (node.localName === "a") {
        const url = URL.parse?.(value, document.baseURI) ?? null;
        if (url && schemes.includes(url.protocol)) element.setAttribute(name, url.href);
      }
    }
    copyAllowed(node, element);
    to.append(element);
  }
}

// Stored HTML as a fragment of allowed nodes. Parsed in a <template>, whose content belongs to
// an inert document: nothing in it runs or loads.
function cleanFragment(html) {
  const template = document.createElement("template");
  template.innerHTML = String(html);
  const fragment = document.createDocumentFragment();
  copyAllowed(template.content, fragment);
  return fragment;
}

function cleanHtml(html) {
  const box = document.createElement("div");
  box.append(cleanFragment(html));
  return box.innerHTML;
}

// A region's HTML as saved: its allowed part only.
function regionHtml(element) {
  const box = document.createElement("div");
  copyAllowed(element, box);
  return box.innerHTML;
}

function readCustom(element) {
  try {
    return String(adapterOf(element)?.read() ?? "");
  } catch {
    return null;
  }
}

function sameItems(list, collection) {
  if (!collection) return false;
  if (list.length !== collection.length) return false;
  for (let i = 0; i < list.length; i++) if (list[i] !== collection[i]) return false;
  return true;
}

// Texts from this length up stay here, and wasm gets a number in their place: copying a
// 200 KB textarea into wasm memory, scanning it there and copying the record back out cost
// more than everything else a save does. Saved, each goes to storage as it is, under its own
// key. Numbers are even for a form's baseline reading (kept as long as the form), odd for its
// latest other reading (kept until the next one).
const LONG_TEXT = 256;
const held = new WeakMap();

function heldOf(form) {
  let texts = held.get(form);
  if (!texts) held.set(form, (texts = [[], []]));
  return texts;
}

const textOf = (form, number) => heldOf(form)[number & 1][number >> 1];

// The state of the elements at `indexes` (saveable controls only): a value row each, a text's
// (TEXT_*), a checkbox's or radio's (CHECKABLE_*) or a select's (SELECT_*, with OPTION_* rows);
// an empty one for an element gone or a field whose code failed.
export function formValues(form, indexes, baseline) {
  // The elements and kinds as formFacts found them: wasm asks for the facts just before.
  if (!factsRead.has(form)) formFacts(form, NaN, NaN);
  const { elements, kinds } = factsRead.get(form);
  const values = [];
  const parity = baseline ? 0 : 1;
  // A baseline reading adds to the form's baseline texts (a field that appeared later is added
  // to the baseline): the numbers already given out keep their texts.
  const texts = baseline ? heldOf(form)[0] : (heldOf(form)[1] = []);
  const hold = (text) => (text.length < LONG_TEXT ? text : texts.push(text) * 2 - 2 + parity);
  for (const index of indexes) {
    const element = elements[index];
    const kind = kinds[index];
    const row = [];
    if (!element) {
      // Gone: an empty row.
    } else if (kind >= KIND_REGION) {
      // No defaultValue: what the guard first saw stands for it (src/browser/drafts.rs), and a
      // field it did not see then counts as changed from empty.
      // A file input: its files' names only, for the restore to name them.
      const value = kind === KIND_REGION ? regionHtml(element) : kind === KIND_FILE ? [...(element.files ?? [])].map((file) => file.name).join(", ") : readCustom(element);
      if (value !== null) {
        row[TEXT_VALUE] = hold(value);
        row[TEXT_DEFAULT] = baseline ? hold(value) : "";
      }
    } else if (kind === KIND_SELECT) {
      const options = [];
      for (const option of element.options) {
        const read = [];
        read[OPTION_VALUE] = option.value;
        read[OPTION_SELECTED] = option.selected;
        read[OPTION_DEFAULT_SELECTED] = option.defaultSelected;
        options.push(read);
      }
      row[SELECT_MULTIPLE] = element.multiple;
      row[SELECT_OPTIONS] = options;
    } else if (kind === KIND_CHECKABLE) {
      row[CHECKABLE_VALUE] = element.value;
      row[CHECKABLE_CHECKED] = element.checked;
      row[CHECKABLE_DEFAULT_CHECKED] = element.defaultChecked;
    } else {
      row[TEXT_VALUE] = hold(element.value ?? "");
      row[TEXT_DEFAULT] = hold(element.defaultValue ?? "");
    }
    values.push(row);
  }
  return utf8(values);
}

// As UTF-8 bytes: copied into wasm memory natively. A string would be copied by
// wasm-bindgen's JS loop, one character at a time, which for a 200 KB textarea in code
// not yet optimized takes milliseconds.
const encoder = new TextEncoder();
const utf8 = (value) => encoder.encode(JSON.stringify(value));

// Base64url of bytes in wasm memory by the browser's own encoder, where there is one
// (undefined elsewhere: src/browser/storage.rs encodes them itself). A sealed 200 KB draft
// took milliseconds in wasm code the browser had not optimized yet.
export const base64url = (bytes) => bytes.toBase64?.({ alphabet: "base64url", omitPadding: true });

export function sameText(form, a, b) {
  const text = textOf(form, a);
  return text !== undefined && text === textOf(form, b);
}

export function heldText(form, number) {
  return textOf(form, number) ?? "";
}

// Whether two records of the same form differ only in their time: equal from `afterTime` on,
// which the core's encoder writes right after the time (src/core/drafts.rs AFTER_SAVED_AT).
export function sameButTime(a, b, afterTime) {
  const rest = (record) => {
    const at = record.indexOf(afterTime);
    return at < 0 ? null : record.slice(at);
  };
  const after = rest(a);
  return after !== null && after === rest(b);
}

export function formElement(form, index) {
  return factsRead.get(form)?.elements[index] ?? form.elements?.[index];
}

// Sets the value of `form`'s field at `index` the way a user's typing does, so React, Vue and
// Angular see it: the prototype's setter (past the frameworks' own trackers on the element),
// then bubbling `input` and `change`; an editor's or a registered field's through its code, a
// contenteditable region's through the allow-list. Which of these is decided by the field's kind
// as formFacts found it just before (wasm reads the facts first): asking the engine whether each
// input is a contenteditable region made it bring the page's style up to date after every write.
// False when nothing was written: the field is gone, or its editor refused the value.
export function writeValue(form, index, value) {
  const read = factsRead.get(form);
  const element = read?.elements[index];
  if (!element) return false;
  const kind = read.kinds[index];
  const custom = kind === KIND_CODE && adapterOf(element);
  return quietly(() => {
    if (custom) {
      try {
        custom.write(value);
      } catch {
        // An editor that refused the value keeps its own; never an error in the page.
        return false;
      }
    } else if (kind === KIND_REGION) {
      element.replaceChildren(cleanFragment(value));
      announce(element);
    } else setValue(element, value);
    return true;
  });
}

// Checks or unchecks a checkbox or radio with a click, as a user does: frameworks listen for it.
export function writeChecked(form, index, checked) {
  const element = factsRead.get(form)?.elements[index];
  if (element && element.checked !== checked) quietly(() => element.click());
}

function setValue(element, value) {
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(element), "value")?.set;
  if (setter) setter.call(element, value);
  else element.value = value;
  announce(element);
}

// Only when every saved option is still offered (a deploy may have dropped one): else the
// select keeps its own, as a radio group without the saved radio does.
export function writeSelected(form, index, values) {
  const select = factsRead.get(form)?.elements[index];
  const options = [...(select?.options ?? [])];
  if (!select || !values.every((value) => options.some((option) => option.value === value))) return false;
  quietly(() => {
    for (const option of options) option.selected = values.includes(option.value);
    announce(select);
  });
  return true;
}

function announce(element) {
  element.dispatchEvent(new Event("input", { bubbles: true }));
  element.dispatchEvent(new Event("change", { bubbles: true }));
}

// Trusted user input, for src/browser/activity.rs: returns the on/off toggle of its listeners.
export function activityToggle(target, types, callback) {
  const options = { capture: true, passive: true };
  let on;
  // A mousemove without movement is the engine's own, when a window above the page opens or closes.
  const handler = (e) => e.isTrusted && (e.movementX || e.movementY || e.type != 'mousemove') && callback();
  // On a window, or on a frame's (a cross-origin one throws: skipped).
  const each = (w, listen) => {
    try {
      for (const type of types) w[(listen ? 'add' : 'remove') + 'EventListener'](type, handler, options);
    } catch {}
  };
  // Input in same-origin iframes counts. A frame that loads gets a new window; its load event
  // never reaches ours, so it is caught on the document.
  document.addEventListener('load', (e) => each(e.target.contentWindow, on), options);
  // Adding or removing a listener twice is a no-op: no need to track what is on.
  return (listen) => {
    each(target, (on = listen));
    for (let i = target.length; i--; ) each(target[i], on); // the frames' windows
  };
}
