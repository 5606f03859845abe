//! The rows form_io.js sends the core, read in a real page and decoded by the core: every
//! named position of src/browser/form_io.js must mean what the same name means in
//! src/core/form_record.rs. A form with one field of each kind is read through the real
//! `formFacts` and `formValues`, and each fact and value must land in its own field: a
//! position swapped in either table puts some value in another's place here.
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Object, Reflect};
use session_guard::core::drafts::{
    controls, current_fields, encode, fact_row, CurrentField, DraftRecord, FactRow, FieldFacts, FieldKind, FieldValue,
    AFTER_SAVED_AT, RICH_POLICY,
};
use session_guard::core::json;
use session_guard::core::options::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::Element;

mod browser_common;
use browser_common::document;

wasm_bindgen_test_configure!(run_in_browser);

// The library imports the same module: each signature here differs from its own (`&JsValue`
// for an element, `String` for a text), or the two imports would be one symbol twice.
#[wasm_bindgen(module = "/src/browser/form_io.js")]
extern "C" {
    #[wasm_bindgen(js_name = formFacts)]
    fn form_facts(form: &JsValue, known: f64, generation: u32) -> Option<Vec<u8>>;
    #[wasm_bindgen(js_name = formValues)]
    fn form_values(form: &JsValue, indexes: &[u32], baseline: bool) -> Vec<u8>;
    #[wasm_bindgen(js_name = heldText)]
    fn held_text(form: &JsValue, number: u32) -> String;
    #[wasm_bindgen(js_name = sameButTime)]
    fn same_but_time(a: &str, b: &str, after_time: &str) -> bool;
    #[wasm_bindgen(js_name = richPolicy)]
    fn rich_policy(policy: String);
    #[wasm_bindgen(js_name = registerField)]
    fn register_field(element: &Element, handlers: &Object) -> JsValue;
}

/// One element of each kind, each fact of the checkbox different from the others (a swap of
/// any two fact positions shows there), values that differ from their defaults.
const FORM: &str = r#"
<form id="record-form">
  <input name="subject" id="subject-id" autocomplete="nickname" aria-label="Subject line" value="server subject">
  <textarea name="message" id="message-id">server text</textarea>
  <label for="news-box">Newsletter</label>
  <input type="checkbox" name="news" value="yes" id="news-box" autocomplete="off" checked>
  <input type="radio" name="size" value="s" checked><input type="radio" name="size" value="m">
  <select name="pick"><option value="a">A</option><option value="b" selected>B</option></select>
  <select name="tags" multiple><option value="x">X</option><option value="y">Y</option></select>
  <input type="file" name="attachment">
  <label>Skip me <input name="skip" data-session-draft="off" value="z"></label>
  <div contenteditable="true" data-session-draft="notes">Hello <b>there</b></div>
  <span id="rating-el" data-session-draft="rating"></span>
</form>"#;

fn field(selector: &str) -> Element {
    document().query_selector(selector).unwrap().unwrap_or_else(|| panic!("{selector}"))
}

fn set(selector: &str, property: &str, value: JsValue) {
    Reflect::set(&field(selector), &property.into(), &value).unwrap();
}

/// The form as a user left it: every field changed from what the server rendered.
fn mount_and_fill() -> Element {
    let holder = document().create_element("div").unwrap();
    holder.set_inner_html(FORM);
    document().body().unwrap().append_child(&holder).unwrap();
    rich_policy(RICH_POLICY.into());
    let handlers = Object::new();
    Reflect::set(&handlers, &"read".into(), &Function::new_no_args("return '5 stars'")).unwrap();
    Reflect::set(&handlers, &"write".into(), &Function::new_with_args("value", "")).unwrap();
    register_field(&field("#rating-el"), &handlers);

    set("[name=subject]", "value", "typed subject".into());
    // Long enough to stay in JS: the row holds its number.
    set("[name=message]", "value", "m".repeat(300).into());
    set("[name=news]", "checked", false.into());
    set("[name=size][value=m]", "checked", true.into());
    set("[name=pick] [value=a]", "selected", true.into());
    set("[name=tags] [value=y]", "selected", true.into());
    let attach = Function::new_with_args(
        "input",
        "const files = new DataTransfer(); files.items.add(new File(['x'], 'a.txt')); files.items.add(new File(['y'], 'b.pdf')); input.files = files.files;",
    );
    attach.call1(&JsValue::NULL, &field("[name=attachment]")).unwrap();
    field("#record-form")
}

fn facts(tag: &'static str, input_type: &'static str, name: &'static str) -> FieldFacts<'static> {
    FieldFacts { tag, input_type, name, ..FieldFacts::default() }
}

#[wasm_bindgen_test]
fn every_position_of_a_fact_row_lands_in_its_field() {
    let form = mount_and_fill();
    let read = json::parse_utf8(form_facts(&form, f64::NAN, 0).expect("a first reading")).expect("JSON");
    let Value::List(rows) = &read else { panic!("a list of rows: {read:?}") };
    let got: Vec<FactRow> = rows
        .iter()
        .map(|row| match row {
            Value::List(row) => fact_row(row),
            other => panic!("a row: {other:?}"),
        })
        .collect();
    let row = |facts, value| FactRow { facts, value };
    let expected = vec![
        row(FieldFacts { id: "subject-id", autocomplete: "nickname", label: "Subject line", ..facts("input", "", "subject") }, ""),
        row(FieldFacts { id: "message-id", ..facts("textarea", "", "message") }, ""),
        // Every fact of its own: a swap of any two positions changes one of them.
        row(FieldFacts { id: "news-box", autocomplete: "off", label: "Newsletter", ..facts("input", "checkbox", "news") }, "yes"),
        row(facts("input", "radio", "size"), "s"),
        row(facts("input", "radio", "size"), "m"),
        row(facts("select", "", "pick"), ""),
        row(facts("select", "", "tags"), ""),
        row(facts("input", "file", "attachment"), ""),
        row(FieldFacts { opted_out: true, label: "Skip me ", ..facts("input", "", "skip") }, ""),
        row(facts("#editable", "", "notes"), ""),
        row(FieldFacts { id: "rating-el", ..facts("#custom", "", "rating") }, ""),
    ];
    assert_eq!(got, expected);

    let found: Vec<(FieldKind, String)> = controls(&read).into_iter().map(|c| (c.kind, c.key)).collect();
    let kinds = [
        (FieldKind::Text, "subject"),
        (FieldKind::Text, "message"),
        (FieldKind::Checkbox, "news=yes"),
        (FieldKind::Radio, "size"),
        (FieldKind::Radio, "size"),
        (FieldKind::Select, "pick"),
        (FieldKind::Select, "tags"),
        (FieldKind::Files, "attachment:file"),
        (FieldKind::Rich, "notes:rich"),
        (FieldKind::Custom, "rating:custom"),
    ];
    assert_eq!(found, kinds.map(|(kind, key)| (kind, key.to_string())).to_vec(), "the opted-out field is left out");
    form.parent_element().unwrap().remove();
}

#[wasm_bindgen_test]
fn every_position_of_a_value_row_lands_in_its_field() {
    let form = mount_and_fill();
    let read = json::parse_utf8(form_facts(&form, f64::NAN, 0).expect("a first reading")).expect("JSON");
    let controls = controls(&read);
    let indexes: Vec<u32> = controls.iter().map(|c| c.index as u32).collect();
    let values = json::parse_utf8(form_values(&form, &indexes, false)).expect("JSON");
    let fields = current_fields(&controls, values);

    let text = |s: &str| FieldValue::Text(s.into());
    let selected = |values: &[&str]| FieldValue::Selected(values.iter().map(|v| v.to_string()).collect());
    let field = |key: &str, value, default| CurrentField { key: key.into(), value, default };
    // A reading other than the baseline: its held texts have odd numbers, and a field without a
    // default of its own (a region, a field read through code, a file input) has none.
    let expected = vec![
        field("subject", text("typed subject"), text("server subject")),
        field("message", FieldValue::Held(1), text("server text")),
        field("news=yes", FieldValue::Checked(false), FieldValue::Checked(true)),
        field("size", FieldValue::Choice("m".into()), FieldValue::Choice("s".into())),
        field("pick", selected(&["a"]), selected(&["b"])),
        // Multiple: none selected by the server is none, not the first option.
        field("tags", selected(&["y"]), selected(&[])),
        field("attachment:file", text("a.txt, b.pdf"), text("")),
        field("notes:rich", text("Hello <b>there</b>"), text("")),
        field("rating:custom", text("5 stars"), text("")),
    ];
    assert_eq!(fields, expected);
    assert_eq!(held_text(&form, 1), "m".repeat(300), "the held number names the long text");
    form.parent_element().unwrap().remove();
}

/// The core says where a record's time ends; form_io.js compares what follows.
#[wasm_bindgen_test]
fn records_differing_only_in_time_are_the_same_to_form_io() {
    let record = DraftRecord { saved_at: 1_700_000_000_000, url: r#"/form?q=,"url":x"#.into(), signature: 7, pending: false, fields: Vec::new() };
    let later = encode(&DraftRecord { saved_at: record.saved_at + 1_000, ..record.clone() });
    assert!(same_but_time(&encode(&record), &later, AFTER_SAVED_AT));
    for other in [DraftRecord { pending: true, ..record.clone() }, DraftRecord { url: "/form".into(), ..record.clone() }] {
        assert!(!same_but_time(&encode(&other), &later, AFTER_SAVED_AT));
    }
}
