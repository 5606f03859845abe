// Reads and writes form controls for src/browser/drafts.rs. Each crossing into
// or out of wasm costs about a microsecond, and a 500-field form took thousands
// of them per save; here a whole form is read in one call and comes back as one
// JSON text (as UTF-8 bytes). What the readings mean (which fields are saved, their
// keys) is decided in Rust (src/core/drafts.rs).

const attribute = (element, name) => element.getAttribute(name) || "";
const OPT_OUT = "[data-session-draft=off]";
const CHECKABLE = /^(checkbox|radio)$/i;

// The elements each form's facts were last read from, and when: `generation` counts the
// changes of the attributes facts depend on (src/browser/drafts.rs watches for them).
const factsRead = new WeakMap();

// [tag, type, name, autocomplete, optedOut, value, id, label] for every element of
// `form.elements`; the value only for checkboxes and radios, which it keys (never a
// password's); the label from the first <label> or aria-label (the core looks for secrets there). Nothing
// (undefined) when the caller knows them from a reading at `generation` (`known`) and the
// form still has the same elements: then they cannot have changed.
export function formFacts(form, known, generation) {
  // `closest()` for each of hundreds of elements is slow, and most pages have no opt-out at
  // all. The whole tree is searched, not the form: a control can sit outside its form (`form=`).
  // Where there are opt-outs, moving a control in or out of one changes its facts: read again.
  const optOuts = form.closest(OPT_OUT) !== null || form.getRootNode().querySelector(OPT_OUT) !== null;
  const last = factsRead.get(form);
  if (!optOuts && known === generation && last?.generation === generation && sameItems(last.elements, form.elements)) return;
  const elements = [...form.elements];
  // How formValues reads each element: 0 a text, 1 a checkbox or radio, 2 a select.
  const kinds = [];
  factsRead.set(form, { generation, elements, kinds });
  const facts = [];
  // Label texts by the id they are for, read once: `element.labels` searches the tree per
  // element, which for a 500-field form cost milliseconds.
  const labels = new Map();
  for (const label of form.getRootNode().querySelectorAll?.("label[for]") ?? []) labels.set(label.htmlFor, label.textContent);
  for (const element of elements) {
    const type = attribute(element, "type");
    const checkable = CHECKABLE.test(type);
    kinds.push(element.localName === "select" ? 2 : checkable ? 1 : 0);
    facts.push([
      element.localName,
      type,
      attribute(element, "name"),
      attribute(element, "autocomplete"),
      optOuts && element.closest(OPT_OUT) !== null,
      checkable ? element.value : "",
      element.id,
      ((element.id && labels.get(element.id)) || (element.parentElement?.localName === "label" && element.parentElement.textContent) || attribute(element, "aria-label")).slice(0, 80),
    ]);
  }
  return utf8(facts);
}

function sameItems(list, collection) {
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

// The state of the elements at `indexes` (saveable controls only): [value, defaultValue] of a
// text, [value, "", checked, defaultChecked] of a checkbox or radio, or for a select
// [multiple, [[value, selected, defaultSelected], …]].
export function formValues(form, indexes, baseline) {
  // The elements and kinds as formFacts found them: wasm asks for the facts just before.
  if (!factsRead.has(form)) formFacts(form, NaN, NaN);
  const { elements, kinds } = factsRead.get(form);
  const values = [];
  const parity = baseline ? 0 : 1;
  const texts = (heldOf(form)[parity] = []);
  const hold = (text) => (text.length < LONG_TEXT ? text : texts.push(text) * 2 - 2 + parity);
  for (const index of indexes) {
    const element = elements[index];
    const kind = kinds[index];
    if (!element) values.push([]);
    else if (kind === 2) {
      const options = [];
      for (const option of element.options) options.push([option.value, option.selected, option.defaultSelected]);
      values.push([element.multiple, options]);
    } else if (kind === 1) values.push([element.value, "", element.checked, element.defaultChecked]);
    else values.push([hold(element.value), hold(element.defaultValue)]);
  }
  return utf8(values);
}

// As UTF-8 bytes: copied into wasm memory natively. A string would be copied by
// wasm-bindgen's JS loop, one character at a time, which for a 200 KB textarea in code
// not yet optimized takes milliseconds.
const encoder = new TextEncoder();
const utf8 = (value) => encoder.encode(JSON.stringify(value));

export function sameText(form, a, b) {
  const text = textOf(form, a);
  return text !== undefined && text === textOf(form, b);
}

export function heldText(form, number) {
  return textOf(form, number) ?? "";
}

// Two records of the same form at different times are equal after the timestamp, which
// the record has first: `{"v":…,"at":…,"url":…`.
export function sameButTime(a, b) {
  const afterTime = (record) => {
    const at = record.indexOf(',"url"');
    return at < 0 ? null : record.slice(at);
  };
  const rest = afterTime(a);
  return rest !== null && rest === afterTime(b);
}

export function formElement(form, index) {
  return form.elements[index];
}

// Sets a value the way a user's typing does, so React, Vue and Angular see it: the
// prototype's setter (past the frameworks' own trackers on the element), then bubbling
// `input` and `change`.
export function writeValue(element, value) {
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(element), "value")?.set;
  if (setter) setter.call(element, value);
  else element.value = value;
  announce(element);
}

// Only when every saved option is still offered (a deploy may have dropped one): else the
// select keeps its own, as a radio group without the saved radio does.
export function writeSelected(select, values) {
  const options = [...select.options];
  if (!values.every((value) => options.some((option) => option.value === value))) return false;
  for (const option of options) option.selected = values.includes(option.value);
  announce(select);
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
