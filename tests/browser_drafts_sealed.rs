//! Drafts encrypted at rest (`draftKey`) in a real page: real forms, real localStorage,
//! `crypto.getRandomValues` nonces, one error event for a page of unreadable drafts.
#![cfg(target_arch = "wasm32")]


use js_sys::{Object, Reflect};
use session_guard::SessionGuard;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::{Element, Event, EventInit};

mod browser_common;
use browser_common::{clear_ours, document, ours, Recorder};

wasm_bindgen_test_configure!(run_in_browser);

const KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc";
const OTHER_KEY: &str = "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk";

fn drafts() -> Vec<(String, String)> {
    let prefix = session_guard::core::drafts::user_prefix("alice");
    ours().into_iter().filter(|(k, _)| k.strip_prefix(&prefix).is_some_and(|rest| rest.starts_with('/') || rest.starts_with('^'))).collect()
}

fn start(user: &str, key: Option<&str>) -> Result<SessionGuard, JsValue> {
    let o = Object::new();
    for (k, v) in [("keepAliveUrl", JsValue::from("/k")), ("timeout", 1800.into()), ("user", user.into()), ("restore", "manual".into())] {
        Reflect::set(&o, &k.into(), &v).unwrap();
    }
    if let Some(key) = key {
        Reflect::set(&o, &"draftKey".into(), &key.into()).unwrap();
    }
    session_guard::start_guard(o.into()).map_err(JsValue::from)
}

const SECRET_TEXT: &str = "Meet at the harbour, gate 7";

fn mount() -> Element {
    let holder = document().create_element("div").unwrap();
    holder.set_inner_html(r#"<form id="sealed"><input name="subject"><textarea name="message"></textarea></form>"#);
    document().body().unwrap().append_child(&holder).unwrap();
    holder
}

fn field(name: &str) -> Element {
    document().query_selector(&format!("#sealed [name={name}]")).unwrap().unwrap()
}

fn type_in(name: &str, value: &str) {
    Reflect::set(&field(name), &"value".into(), &value.into()).unwrap();
    let init = EventInit::new();
    init.set_bubbles(true);
    field(name).dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap()).unwrap();
}

fn value(name: &str) -> String {
    Reflect::get(&field(name), &"value".into()).unwrap().as_string().unwrap()
}


#[wasm_bindgen_test]
fn sealed_in_storage_and_back_with_the_same_key() {
    clear_ours();
    let holder = mount();
    let g = start("alice", Some(KEY)).unwrap();
    let long = SECRET_TEXT.repeat(20);
    type_in("subject", SECRET_TEXT);
    type_in("message", &long);
    g.save_drafts();
    let first = drafts();
    assert_eq!(first.len(), 2, "a record and the long text: {first:?}");
    for (key, stored) in &first {
        assert!(stored.starts_with("sg1."), "{key} sealed");
        assert!(!stored.contains("harbour") && !stored.contains("gate 7"), "{key} in clear");
    }
    // Another save of a changed form: a fresh nonce, a new ciphertext.
    type_in("subject", "Meet at the harbour, gate 8");
    g.save_drafts();
    let second = drafts();
    let record = |all: &[(String, String)]| all.iter().find(|(k, _)| !k.contains('^')).unwrap().1.clone();
    assert_ne!(record(&first), record(&second));
    let nonce = |sealed: &str| session_guard::core::seal::decode_base64url(sealed.rsplit('.').next().unwrap()).unwrap()[..12].to_vec();
    assert_ne!(nonce(&record(&first)), nonce(&record(&second)));
    g.destroy();
    holder.remove();

    // The next page of the same user, with the same key: everything back.
    let holder = mount();
    let g = start("alice", Some(KEY)).unwrap();
    g.restore_drafts();
    assert_eq!(value("subject"), "Meet at the harbour, gate 8");
    assert_eq!(value("message"), long);
    g.destroy();
    holder.remove();
    clear_ours();
}

/// Sealed by the browser's base64url encoder (`Uint8Array.prototype.toBase64`) where it has one
/// and by the core's where it has not (browsers before 2025), of text of 1- to 4-byte UTF-8
/// characters (written into wasm memory by `TextEncoder.encodeInto`): the same text back.
#[wasm_bindgen_test]
fn sealed_by_either_base64url_encoder_and_any_characters() {
    let proto: Object = Reflect::get(&js_sys::Uint8Array::new_with_length(0), &"__proto__".into()).unwrap().unchecked_into();
    let native = Reflect::get(&proto, &"toBase64".into()).unwrap();
    let text = "Grüße aus Zürich, 東京 — 🙂 ".repeat(40);
    for without_native in [false, true] {
        clear_ours();
        if without_native {
            Reflect::delete_property(&proto, &"toBase64".into()).unwrap();
        }
        let holder = mount();
        let g = start("alice", Some(KEY)).unwrap();
        type_in("subject", "ß🙂");
        type_in("message", &text);
        g.save_drafts();
        g.destroy();
        holder.remove();
        if without_native && !native.is_undefined() {
            Reflect::set(&proto, &"toBase64".into(), &native).unwrap();
        }
        let stored = drafts();
        assert_eq!(stored.len(), 2, "{stored:?}");
        assert!(stored.iter().all(|(_, v)| v.starts_with("sg1.") && !v.contains("Zürich")));

        let holder = mount();
        let g = start("alice", Some(KEY)).unwrap();
        g.restore_drafts();
        assert_eq!(value("subject"), "ß🙂", "without the native encoder: {without_native}");
        assert_eq!(value("message"), text, "without the native encoder: {without_native}");
        g.destroy();
        holder.remove();
    }
    clear_ours();
}

#[wasm_bindgen_test]
fn a_wrong_or_missing_key_restores_nothing_and_reports_once() {
    for key in [Some(OTHER_KEY), None] {
        clear_ours();
        let holder = mount();
        let g = start("alice", Some(KEY)).unwrap();
        type_in("subject", SECRET_TEXT);
        type_in("message", &SECRET_TEXT.repeat(20));
        g.save_drafts();
        g.destroy();
        holder.remove();
        // A second form's draft too: still one report for the page.
        let holder = mount();
        holder.first_element_child().unwrap().set_id("sealed2");
        let g = start("alice", Some(KEY)).unwrap();
        let subject = document().query_selector("#sealed2 [name=subject]").unwrap().unwrap();
        Reflect::set(&subject, &"value".into(), &"second".into()).unwrap();
        g.save_drafts();
        g.destroy();
        holder.remove();
        assert!(drafts().len() >= 3);

        let errors = Recorder::new("error");
        let holder = mount();
        let g = start("alice", key).unwrap();
        g.restore_drafts();
        assert_eq!(value("subject"), "", "{key:?}");
        assert_eq!(value("message"), "");
        assert_eq!(errors.texts("code"), vec!["storage".to_string()], "{key:?}: one error for the page");
        assert!(drafts().is_empty(), "{key:?}: swept, {:?}", drafts());
        g.destroy();
        holder.remove();
    }
    clear_ours();
}

#[wasm_bindgen_test]
fn a_bad_key_rejects_start_naming_the_option() {
    let error = start("alice", Some("not a key")).err().unwrap();
    let message = Reflect::get(&error, &"message".into()).unwrap().as_string().unwrap();
    assert!(message.contains("draftKey"), "{message}");
}
