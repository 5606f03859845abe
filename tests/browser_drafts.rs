//! Drafts in a real Chromium page: real forms, real localStorage, real events.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use session_guard::SessionGuard;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, Event, EventInit};

mod browser_common;
use browser_common::{clear_ours, document, storage, wait_for, Recorder};

wasm_bindgen_test_configure!(run_in_browser);

fn our_entries() -> Vec<(String, String)> {
    let s = storage();
    (0..s.length().unwrap())
        .filter_map(|i| s.key(i).unwrap())
        .filter(|k| session_guard::core::drafts::is_draft_key(k))
        .map(|k| {
            let v = s.get_item(&k).unwrap().unwrap();
            (k, v)
        })
        .collect()
}

fn guard(user: &str, restore: &str) -> SessionGuard {
    let o = Object::new();
    for (k, v) in [("keepAliveUrl", JsValue::from("/k")), ("timeout", 1800.into()), ("user", user.into()), ("restore", restore.into())] {
        Reflect::set(&o, &k.into(), &v).unwrap();
    }
    session_guard::start_guard(o.into()).map_err(JsValue::from).unwrap()
}

const FORM: &str = r#"
<form id="contact">
  <input name="subject" value="">
  <textarea name="message"></textarea>
  <select name="tags" multiple><option value="a">A</option><option value="b">B</option><option value="c">C</option></select>
  <input type="checkbox" name="news" value="yes">
  <input type="radio" name="size" value="s" checked><input type="radio" name="size" value="m">
  <input name="city" value="Osaka">
  <input type="password" name="pw">
  <input name="card" autocomplete="cc-number">
  <input type="hidden" name="_csrf" value="secret-token">
  <input name="skip" data-session-draft="off">
</form>"#;

fn mount(html: &str) -> Element {
    let holder = document().create_element("div").unwrap();
    holder.set_inner_html(html);
    document().body().unwrap().append_child(&holder).unwrap();
    holder
}

fn field(selector: &str) -> Element {
    document().query_selector(selector).unwrap().unwrap_or_else(|| panic!("{selector}"))
}

fn set(selector: &str, property: &str, value: JsValue) {
    Reflect::set(&field(selector), &property.into(), &value).unwrap();
}

fn get(selector: &str, property: &str) -> JsValue {
    Reflect::get(&field(selector), &property.into()).unwrap()
}

fn fire_input(selector: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    field(selector).dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap()).unwrap();
}

/// Mounts the form, types in it as alice and saves the draft; the guard is gone after.
fn save_a_draft_of_alice() -> Element {
    let holder = mount(FORM);
    let g = guard("alice", "manual");
    type_everything();
    g.save_drafts();
    g.destroy();
    holder
}

fn type_everything() {
    set("[name=subject]", "value", "Refund".into());
    set("[name=message]", "value", "Line one\nline \"two\" 日本語".into());
    set("[name=tags] option[value=a]", "selected", true.into());
    set("[name=tags] option[value=c]", "selected", true.into());
    set("[name=news]", "checked", true.into());
    set("[name=size][value=m]", "checked", true.into());
    set("[name=pw]", "value", "hunter2-password".into());
    set("[name=card]", "value", "4111111111111111".into());
    set("[name=skip]", "value", "not-for-storage".into());
    fire_input("[name=subject]");
}


#[wasm_bindgen_test]
fn saves_what_was_typed_and_never_secrets() {
    clear_ours();
    let holder = mount(FORM);
    let saved = Recorder::new("draftsaved");
    let g = guard("alice", "manual");
    type_everything();
    g.save_drafts();
    assert_eq!(saved.count(), 1);
    let entries = our_entries();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let (key, json) = &entries[0];
    assert!(key.starts_with("session-guard:1:") && key.ends_with("|#contact"), "{key}");
    assert!(!key.contains("alice"));
    for typed in ["Refund", "日本語", "\"news=yes\"", "\"m\""] {
        assert!(json.contains(typed), "{typed} missing from {json}");
    }
    for secret in ["hunter2", "4111", "secret-token", "not-for-storage", "Osaka"] {
        assert!(!json.contains(secret), "{secret} stored in {json}");
    }
    g.destroy();
    holder.remove();
    clear_ours();
}

/// Long texts stay in JS while a save compares and encodes them (form_io.js): the server's
/// long text unedited is no draft, an edit of it is saved whole, and a restore writes it back.
#[wasm_bindgen_test]
fn long_texts_are_compared_saved_and_restored_whole() {
    clear_ours();
    let server_text = "Chapter \"1\"\n\t日本語 \u{1F600} \\ ".repeat(300);
    let edited = format!("{server_text}and one more line");
    let mount_document = || {
        let holder = mount(r#"<form id="doc"><input name="title" value="Draft"><textarea name="body"></textarea></form>"#);
        set("[name=body]", "defaultValue", server_text.as_str().into());
        holder
    };
    // The body's value and default as stored: each long text under its own key.
    let stored_body = || {
        use session_guard::core::drafts::{decode, text_key, FieldValue};
        let entries = our_entries();
        assert_eq!(entries.len(), 1, "{entries:?}");
        let (key, json) = &entries[0];
        let record = decode(&session_guard::core::json::parse(json).expect("the record is JSON")).expect("the record decodes");
        let body = record.fields.iter().find(|f| f.key == "body").expect("body saved").clone();
        let stored = |value: FieldValue| match value {
            FieldValue::Held(index) => FieldValue::Text(storage().get_item(&text_key(key, index)).unwrap().expect("the text is stored")),
            other => other,
        };
        (stored(body.value), stored(body.default))
    };
    let text = |s: &str| session_guard::core::drafts::FieldValue::Text(s.into());

    let holder = mount_document();
    let g = guard("alice", "manual");
    g.save_drafts();
    assert!(our_entries().is_empty(), "the server's own long text is not a draft");
    set("[name=body]", "value", edited.as_str().into());
    g.save_drafts();
    assert_eq!(stored_body(), (text(&edited), text(&server_text)));
    set("[name=title]", "value", "Final".into());
    g.save_drafts();
    assert_eq!(stored_body(), (text(&edited), text(&server_text)), "an edit elsewhere keeps the long text");
    g.destroy();
    holder.remove();

    let holder = mount_document();
    let g = guard("alice", "manual");
    g.restore_drafts();
    assert_eq!(get("[name=body]", "value").as_string().unwrap(), edited);
    assert_eq!(get("[name=title]", "value").as_string().unwrap(), "Final");
    g.destroy();
    holder.remove();
    clear_ours();
}

/// A field over `MAX_FIELD_BYTES` (UTF-16 bytes, as localStorage counts them) is left out of
/// its draft with a quota error, and the rest of the form is stored; one just under it is stored.
#[wasm_bindgen_test]
fn an_oversized_field_is_left_out_and_the_rest_stored() {
    use session_guard::core::drafts::{text_key, MAX_FIELD_BYTES};
    clear_ours();
    let holder = mount(FORM);
    let errors = Recorder::new("error");
    let g = guard("alice", "manual");
    set("[name=subject]", "value", "Refund".into());
    // "日" is 2 UTF-16 bytes but 3 UTF-8 bytes: only the UTF-16 count decides.
    let fits = "日".repeat(MAX_FIELD_BYTES / 2 - 1024);
    set("[name=message]", "value", fits.as_str().into());
    g.save_drafts();
    let entries = our_entries();
    assert_eq!(entries.len(), 1, "{} UTF-16 bytes fit", fits.len() / 3 * 2);
    let text = text_key(&entries[0].0, 0);
    assert_eq!(storage().get_item(&text).unwrap().as_deref(), Some(fits.as_str()));
    assert_eq!(errors.count(), 0);
    let too_large = "日".repeat(MAX_FIELD_BYTES / 2 + 1);
    set("[name=message]", "value", too_large.as_str().into());
    g.save_drafts();
    let codes: Vec<String> = (0..errors.count()).filter_map(|i| errors.field(i, "code").as_string()).collect();
    assert_eq!(codes, ["quota"]);
    let entries = our_entries();
    assert_eq!(entries.len(), 1);
    assert!(entries[0].1.contains("Refund") && !entries[0].1.contains("message"), "{}", entries[0].1);
    assert_eq!(storage().get_item(&text).unwrap(), None, "the text left out is not stored");
    g.destroy();
    holder.remove();
    clear_ours();
}

/// Counts `localStorage.setItem` calls by key while alive.
struct StorageWrites {
    original: JsValue,
    keys: js_sys::Array,
}

impl StorageWrites {
    fn new() -> StorageWrites {
        let keys = js_sys::Array::new();
        let prototype: JsValue = Reflect::get(&js_sys::global(), &"Storage".into()).unwrap();
        let prototype = Reflect::get(&prototype, &"prototype".into()).unwrap();
        let original = Reflect::get(&prototype, &"setItem".into()).unwrap();
        let wrap = js_sys::Function::new_with_args(
            "original, keys",
            "return function (key, value) { keys.push(key); return original.call(this, key, value); }",
        );
        let wrapped = wrap.call2(&JsValue::NULL, &original, &keys).unwrap();
        Reflect::set(&prototype, &"setItem".into(), &wrapped).unwrap();
        StorageWrites { original, keys }
    }

    fn take(&self) -> Vec<String> {
        let keys = self.keys.iter().filter_map(|k| k.as_string()).collect();
        self.keys.set_length(0);
        keys
    }
}

impl Drop for StorageWrites {
    fn drop(&mut self) {
        let prototype = Reflect::get(&Reflect::get(&js_sys::global(), &"Storage".into()).unwrap(), &"prototype".into()).unwrap();
        Reflect::set(&prototype, &"setItem".into(), &self.original).unwrap();
    }
}

/// A long text goes to storage under its own key: written when it changes, not when another
/// field does; removed when the record stops naming it; swept at start when its draft is gone.
#[wasm_bindgen_test]
fn long_texts_are_stored_beside_the_record() {
    use session_guard::core::drafts::{draft_key, text_key};
    clear_ours();
    let long = "Lorem ipsum dolor sit amet. ".repeat(40);
    let holder = mount(FORM);
    let g = guard("alice", "manual");
    let writes = StorageWrites::new();
    set("[name=message]", "value", long.as_str().into());
    g.save_drafts();
    let entries = our_entries();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let key = entries[0].0.clone();
    let text = text_key(&key, 0);
    assert_eq!(writes.take(), [text.clone(), key.clone()], "the text, then the record that names it");
    assert_eq!(storage().get_item(&text).unwrap().as_deref(), Some(long.as_str()), "stored as it is, not as JSON");
    assert!(!entries[0].1.contains("Lorem"), "{}", entries[0].1);

    set("[name=subject]", "value", "Refund".into());
    g.save_drafts();
    assert_eq!(writes.take(), vec![key.clone()], "an edit elsewhere writes the record only");
    g.save_drafts();
    assert_eq!(writes.take(), Vec::<String>::new(), "nothing changed: nothing written");

    set("[name=message]", "value", "short now".into());
    g.save_drafts();
    assert_eq!(writes.take(), vec![key.clone()]);
    assert_eq!(storage().get_item(&text).unwrap(), None, "the record no longer names it");
    assert!(our_entries()[0].1.contains("short now"));

    set("[name=message]", "value", long.as_str().into());
    g.save_drafts();
    g.destroy();
    drop(writes);
    holder.remove();

    // The text lost (another tab, a cleared key): the rest of the draft still restores.
    storage().remove_item(&text).unwrap();
    // A text no record names, and one of a draft that is gone, are swept at start.
    let orphans = [text_key(&key, 7), text_key(&draft_key("alice", "/elsewhere", "#gone"), 0)];
    for orphan in &orphans {
        storage().set_item(orphan, "left over").unwrap();
    }
    let holder = mount(FORM);
    let g = guard("alice", "manual");
    for orphan in &orphans {
        assert_eq!(storage().get_item(orphan).unwrap(), None, "{orphan}");
    }
    g.restore_drafts();
    assert_eq!(get("[name=subject]", "value").as_string().unwrap(), "Refund");
    assert_eq!(get("[name=message]", "value").as_string().unwrap(), "", "its text is gone");
    g.destroy();
    holder.remove();
    clear_ours();
}

/// `data-session-draft="off"` counts wherever it is: also around a control that belongs to the
/// form through `form=` but sits outside it, when nothing inside the form opts out.
#[wasm_bindgen_test]
fn opted_out_fields_are_never_saved_wherever_they_sit() {
    clear_ours();
    let holder = mount(
        r#"<form id="opt"><input name="kept"></form>
        <div data-session-draft="off"><input name="outer" form="opt"></div>"#,
    );
    let g = guard("alice", "manual");
    set("[name=kept]", "value", "keep-me".into());
    set("[name=outer]", "value", "outer-secret".into());
    g.save_drafts();
    let entries = our_entries();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let json = &entries[0].1;
    assert!(json.contains("keep-me"), "{json}");
    assert!(!json.contains("outer-secret"), "stored in {json}");
    g.destroy();
    holder.remove();
    clear_ours();
}

#[wasm_bindgen_test]
async fn edits_are_saved_by_the_guard_timer_after_a_pause() {
    clear_ours();
    let holder = mount(FORM);
    let saved = Recorder::new("draftsaved");
    let g = guard("alice", "manual");
    type_everything();
    assert_eq!(saved.count(), 0, "debounced, not per keystroke");
    wait_for("the debounced save", 3000, || saved.count() == 1).await;
    assert_eq!(our_entries().len(), 1);
    g.destroy();
    holder.remove();
    clear_ours();
}

#[wasm_bindgen_test]
fn restores_values_where_the_page_still_has_its_defaults() {
    clear_ours();
    let holder = save_a_draft_of_alice();
    holder.remove();

    let holder = mount(FORM);
    // The server now renders a different subject: its value wins.
    set("[name=subject]", "defaultValue", "Server subject".into());
    let restored = Recorder::new("draftrestored");
    let g = guard("alice", "manual");
    assert_eq!(get("[name=message]", "value").as_string().unwrap(), "", "manual: nothing until asked");
    g.restore_drafts();
    assert_eq!(restored.count(), 1);
    assert_eq!(restored.field(0, "fields").as_f64(), Some(4.0));
    assert_eq!(get("[name=message]", "value").as_string().unwrap(), "Line one\nline \"two\" 日本語");
    assert_eq!(get("[name=subject]", "value").as_string().unwrap(), "Server subject");
    assert_eq!(get("[name=news]", "checked").as_bool(), Some(true));
    assert_eq!(get("[name=size][value=m]", "checked").as_bool(), Some(true));
    assert_eq!(get("[name=tags] option[value=a]", "selected").as_bool(), Some(true));
    assert_eq!(get("[name=tags] option[value=b]", "selected").as_bool(), Some(false));
    assert_eq!(get("[name=tags] option[value=c]", "selected").as_bool(), Some(true));
    assert_eq!(get("[name=pw]", "value").as_string().unwrap(), "");
    g.destroy();
    holder.remove();
    clear_ours();
}

#[wasm_bindgen_test]
async fn a_restore_is_seen_by_the_page_and_saved_like_typing() {
    clear_ours();
    let holder = save_a_draft_of_alice();
    holder.remove();

    let holder = mount(FORM);
    let g = guard("alice", "manual");
    // The page's own listener, as a framework's: one `input` per restored field.
    let inputs = Rc::new(RefCell::new(Vec::new()));
    let sink = inputs.clone();
    let on_input = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
        sink.borrow_mut().push(e.target().unwrap().unchecked_into::<Element>().get_attribute("name").unwrap())
    });
    field("#contact").add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref()).unwrap();
    let saved = Recorder::new("draftsaved");
    g.restore_drafts();
    let mut seen = inputs.borrow().clone();
    seen.sort();
    assert_eq!(seen, ["message", "news", "size", "subject", "tags"]);
    // The guard does not handle its own events one by one, yet the form counts as edited:
    // saved after the debounce, as if the user had typed the values.
    assert_eq!(saved.count(), 0);
    wait_for("the restored form to be saved", 3000, || saved.count() == 1).await;
    let entries = our_entries();
    assert_eq!(entries.len(), 1);
    assert!(entries[0].1.contains("Refund"), "{}", entries[0].1);
    g.destroy();
    holder.remove();
    clear_ours();
}

#[wasm_bindgen_test]
async fn fields_that_appear_later_are_filled_when_they_do() {
    clear_ours();
    let holder = save_a_draft_of_alice();
    holder.remove();

    let holder = mount(r#"<form id="contact"><input name="subject"></form>"#);
    let g = guard("alice", "manual");
    g.restore_drafts();
    assert_eq!(get("[name=subject]", "value").as_string().unwrap(), "Refund");
    // The framework renders the textarea a moment later.
    let textarea = document().create_element("textarea").unwrap();
    textarea.set_attribute("name", "message").unwrap();
    field("#contact").append_child(&textarea).unwrap();
    wait_for("the late field to be filled", 2000, || {
        get("[name=message]", "value").as_string().unwrap().starts_with("Line one")
    })
    .await;
    g.destroy();
    holder.remove();
    clear_ours();
}

#[wasm_bindgen_test]
fn another_user_never_sees_the_drafts() {
    clear_ours();
    let holder = save_a_draft_of_alice();
    assert_eq!(our_entries().len(), 1);
    let g = guard("bob", "manual");
    assert_eq!(our_entries().len(), 0, "alice's drafts are purged when bob's page starts");
    g.destroy();
    holder.remove();
}

#[wasm_bindgen_test]
fn corrupt_records_are_dropped_with_an_error_event() {
    clear_ours();
    let errors = Recorder::new("error");
    let key = "session-guard:1:00000000:/x|#f";
    storage().set_item(key, "{not json").unwrap();
    storage().set_item("unrelated-app-key", "keep me").unwrap();
    let g = guard("", "manual");
    // user "" hashes to FNV's offset basis, not 00000000: another user's record stays for an anonymous page.
    g.destroy();
    let g = guard("alice", "manual");
    assert!(storage().get_item(key).unwrap().is_none());
    assert_eq!(storage().get_item("unrelated-app-key").unwrap().as_deref(), Some("keep me"));
    g.destroy();
    // A corrupt record of this very user is reported.
    let alice_key = format!("{}/x|#f", our_prefix_of_alice());
    storage().set_item(&alice_key, "[1,2").unwrap();
    let before = errors.count();
    let g = guard("alice", "manual");
    assert!(errors.count() > before);
    assert_eq!(errors.field(errors.count() - 1, "code").as_string().as_deref(), Some("storage"));
    assert!(storage().get_item(&alice_key).unwrap().is_none());
    g.destroy();
    storage().remove_item("unrelated-app-key").unwrap();
}

fn our_prefix_of_alice() -> String {
    session_guard::core::drafts::user_prefix("alice")
}

#[wasm_bindgen_test]
fn a_full_quota_is_an_error_event_never_an_exception() {
    clear_ours();
    let holder = mount(FORM);
    let errors = Recorder::new("error");
    // Fill storage with another app's data until it refuses.
    let chunk = "x".repeat(512 * 1024);
    let mut filled = Vec::new();
    for i in 0..64 {
        let key = format!("filler-{i}");
        if storage().set_item(&key, &chunk).is_err() {
            break;
        }
        filled.push(key);
    }
    let small = "y".repeat(4 * 1024);
    for i in 0..256 {
        let key = format!("filler-small-{i}");
        if storage().set_item(&key, &small).is_err() {
            break;
        }
        filled.push(key);
    }
    let g = guard("alice", "manual");
    type_everything();
    set("[name=message]", "value", "z".repeat(64 * 1024).into());
    g.save_drafts();
    let codes: Vec<String> = (0..errors.count()).filter_map(|i| errors.field(i, "code").as_string()).collect();
    assert!(codes.iter().any(|c| c == "quota"), "{codes:?}");
    assert!(storage().get_item("filler-0").unwrap().is_some(), "other data is never cleared");
    // Kept in memory: still restorable in this page.
    set("[name=message]", "value", "".into());
    g.restore_drafts();
    assert_eq!(get("[name=message]", "value").as_string().unwrap().len(), 64 * 1024);
    g.destroy();
    for key in filled {
        storage().remove_item(&key).unwrap();
    }
    holder.remove();
    clear_ours();
}
