// Reads and writes form controls for src/browser/drafts.rs. Each crossing into
// or out of wasm costs about a microsecond, and a 500-field form took thousands
// of them per save; here a whole form is read in one call and comes back as one
// JSON string. What the readings mean (which fields are saved, their keys) is
// decided in Rust (src/core/drafts.rs).

const attribute = (element, name) => element.getAttribute(name) || "";
const OPT_OUT = "[data-session-draft=off]";

// [tag, type, name, autocomplete, optedOut, value] for every element of `form.elements`;
// the value only for checkboxes and radios, which it keys (never a password's).
export function formFacts(form) {
  const facts = [];
  // `closest()` for each of hundreds of elements is slow, and most pages have no opt-out at
  // all. The whole tree is searched, not the form: a control can sit outside its form (`form=`).
  const optOuts = form.closest(OPT_OUT) !== null || form.getRootNode().querySelector(OPT_OUT) !== null;
  for (const element of form.elements) {
    const type = attribute(element, "type");
    const checkable = /^(checkbox|radio)$/i.test(type);
    facts.push([
      element.localName,
      type,
      attribute(element, "name"),
      attribute(element, "autocomplete"),
      optOuts && element.closest(OPT_OUT) !== null,
      checkable ? element.value : "",
    ]);
  }
  return JSON.stringify(facts);
}

// The state of the elements at `indexes` (saveable controls only): [value, defaultValue,
// checked, defaultChecked], or for a select [multiple, [[value, selected, defaultSelected], …]].
export function formValues(form, indexes) {
  const elements = form.elements;
  const values = [];
  for (const index of indexes) {
    const element = elements[index];
    if (!element) values.push([]);
    else if (element.localName === "select") {
      const options = [];
      for (const option of element.options) options.push([option.value, option.selected, option.defaultSelected]);
      values.push([element.multiple, options]);
    } else values.push([element.value, element.defaultValue, element.checked, element.defaultChecked]);
  }
  return JSON.stringify(values);
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

export function writeSelected(select, values) {
  for (const option of select.options) option.selected = values.includes(option.value);
  announce(select);
}

function announce(element) {
  element.dispatchEvent(new Event("input", { bubbles: true }));
  element.dispatchEvent(new Event("change", { bubbles: true }));
}
