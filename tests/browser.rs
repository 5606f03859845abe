//! The browser shell in a real Chromium page: real timers, real DOM, real fetch.
//! Short deadlines come from `touch({ expiresIn })`, exactly as a server report would set them.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use js_sys::{Object, Reflect};
use session_guard::core::machine::Phase;
use session_guard::SessionGuard;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, Event, HtmlDialogElement, HtmlElement};

mod browser_common;
use browser_common::{document, wait_for, Recorder};

wasm_bindgen_test_configure!(run_in_browser);

fn start_guard(options: &JsValue) -> Result<SessionGuard, JsValue> {
    session_guard::start_guard(options.clone()).map_err(JsValue::from)
}

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    Reflect::set(&object, &"keepAliveUrl".into(), &"/session-guard-test/keepalive".into()).unwrap();
    for (key, value) in pairs {
        Reflect::set(&object, &(*key).into(), value).unwrap();
    }
    object.into()
}

fn guard(pairs: &[(&str, JsValue)]) -> SessionGuard {
    start_guard(&options(pairs)).unwrap_or_else(|e| panic!("guard starts: {e:?}"))
}

fn cancel_event() -> Event {
    let init = web_sys::EventInit::new();
    init.set_cancelable(true);
    Event::new_with_event_init_dict("cancel", &init).unwrap()
}

fn touch(guard: &SessionGuard, seconds: f64) {
    guard.touch(expires_in(seconds)).map_err(JsValue::from).unwrap();
}

fn expires_in(seconds: f64) -> JsValue {
    let report = Object::new();
    Reflect::set(&report, &"expiresIn".into(), &seconds.into()).unwrap();
    report.into()
}

fn dialog() -> Option<HtmlDialogElement> {
    document().query_selector("dialog.session-guard").unwrap().map(|e| e.unchecked_into())
}

fn by_selector(selector: &str) -> Element {
    document().query_selector(selector).unwrap().unwrap_or_else(|| panic!("{selector} missing"))
}


#[wasm_bindgen_test]
fn bad_options_are_rejected_with_the_option_named() {
    let unknown = start_guard(&options(&[("timout", 60.into())])).err().expect("rejected");
    let message: String = Reflect::get(&unknown, &"message".into()).unwrap().as_string().unwrap();
    assert_eq!(message, "session-guard: option `timout`: is not a session-guard option");
    let bad_type = start_guard(&options(&[("timeout", "30 minutes".into())])).err().expect("rejected");
    assert!(unknown.is_instance_of::<js_sys::Error>());
    let message = Reflect::get(&bad_type, &"message".into()).unwrap().as_string().unwrap();
    assert!(message.contains("`timeout`"), "{message}");
    let not_object = start_guard(&JsValue::from_str("1800")).err().expect("rejected");
    assert!(Reflect::get(&not_object, &"message".into()).unwrap().as_string().unwrap().contains("object"));
    assert!(dialog().is_none());
}

#[wasm_bindgen_test]
fn starts_active_with_the_timeout() {
    let g = guard(&[("timeout", 1800.into())]);
    assert_eq!(g.state(), "active");
    let remaining = g.remaining();
    assert!((1798.0..=1800.0).contains(&remaining), "{remaining}");
    g.destroy();
}

#[wasm_bindgen_test]
async fn the_warning_opens_as_an_accessible_modal_on_a_real_timer() {
    let warnings = Recorder::new("warning");
    let g = guard(&[("timeout", 1800.into()), ("warnBefore", 20.into())]);
    let before = document().create_element("button").unwrap().unchecked_into::<HtmlElement>();
    document().body().unwrap().append_child(&before).unwrap();
    before.focus().unwrap();
    // 20.6 s left with a 20 s warning: the one timer fires in ~0.6 s.
    touch(&g, 20.6);
    assert_eq!(g.state(), "active");
    assert!(dialog().is_none_or(|d| !d.open()));
    wait_for("the warning dialog", 3000, || dialog().is_some_and(|d| d.open())).await;
    assert_eq!(g.state(), "warning");
    assert_eq!(warnings.count(), 1);
    let remaining = warnings.field(0, "remaining").as_f64().unwrap();
    assert!((19.0..=20.0).contains(&remaining), "{remaining}");
    let d = dialog().unwrap();
    assert_eq!(d.get_attribute("role").as_deref(), Some("alertdialog"));
    assert_eq!(d.get_attribute("data-state").as_deref(), Some("warning"));
    let title = by_selector(&format!("#{}", d.get_attribute("aria-labelledby").unwrap()));
    assert_eq!(title.text_content().unwrap(), "Your session is about to expire");
    let message = by_selector(&format!("#{}", d.get_attribute("aria-describedby").unwrap()));
    assert_eq!(message.text_content().unwrap(), "Your session will expire in 20 seconds. Do you want to continue?");
    let countdown = by_selector(".session-guard__countdown");
    assert_eq!(countdown.get_attribute("aria-hidden").as_deref(), Some("true"));
    let focused = document().active_element().unwrap();
    assert_eq!(focused.get_attribute("data-action").as_deref(), Some("continue"));
    assert_eq!(focused.text_content().unwrap(), "Continue");
    // The visible countdown runs on the same single timer.
    let first = countdown.text_content().unwrap();
    wait_for("the countdown to move", 2500, || countdown.text_content().unwrap() != first).await;
    // Mouse and keyboard never dismiss it (synthetic events are not even activity).
    document().dispatch_event(&Event::new("mousemove").unwrap()).unwrap();
    assert!(d.open());
    g.destroy();
    assert!(dialog().is_none(), "destroy removes the dialog");
    assert_eq!(document().active_element().unwrap(), before.clone().unchecked_into::<Element>(), "focus returned");
    before.remove();
}

#[wasm_bindgen_test]
async fn expiry_shows_the_expired_dialog_with_log_in_again() {
    let expired = Recorder::new("expired");
    let g = guard(&[("timeout", 1800.into()), ("warnBefore", 20.into()), ("loginUrl", "/login".into())]);
    touch(&g, 0.5);
    wait_for("expiry", 3000, || expired.count() == 1).await;
    assert_eq!(expired.field(0, "reason").as_string().as_deref(), Some("idle"));
    assert_eq!(g.state(), "expired");
    let d = dialog().unwrap();
    assert!(d.open());
    assert_eq!(d.get_attribute("data-state").as_deref(), Some("expired"));
    let message = by_selector("#session-guard-message").text_content().unwrap();
    assert_eq!(
        message,
        "For your security you were signed out after a period of inactivity. Please log in again. Your input has been saved."
    );
    let login = by_selector("[data-action=login]").unchecked_into::<HtmlElement>();
    assert!(!login.hidden());
    assert_eq!(login.text_content().unwrap(), "Log in again");
    assert!(by_selector("[data-action=continue]").unchecked_into::<HtmlElement>().hidden());
    assert_eq!(document().active_element().unwrap().get_attribute("data-action").as_deref(), Some("login"));
    // Escape does not dismiss the expired dialog.
    d.dispatch_event(&cancel_event()).unwrap();
    assert!(d.open());
    g.destroy();
}

#[wasm_bindgen_test]
async fn a_failing_keepalive_is_retried_and_reported_never_expired() {
    let errors = Recorder::new("error");
    let g = guard(&[("timeout", 1800.into()), ("warnBefore", 20.into())]);
    touch(&g, 25.0);
    g.extend();
    // The test server has no keep-alive endpoint: a 404 is "no answer about the session".
    wait_for("a network error event", 3000, || errors.count() >= 1).await;
    assert_eq!(errors.field(0, "code").as_string().as_deref(), Some("network"));
    assert_eq!(g.state(), "active");
    wait_for("the first retry after 1 s", 3000, || errors.count() >= 2).await;
    assert_eq!(g.state(), "active");
    g.destroy();
}

#[wasm_bindgen_test]
async fn escape_extends_by_default() {
    let errors = Recorder::new("error");
    let g = guard(&[("timeout", 1800.into()), ("warnBefore", 20.into())]);
    touch(&g, 19.0);
    wait_for("the warning", 2000, || dialog().is_some_and(|d| d.open())).await;
    let d = dialog().unwrap();
    d.dispatch_event(&cancel_event()).unwrap();
    assert!(d.open(), "stays open until the server answers");
    wait_for("the keep-alive attempt", 3000, || errors.count() >= 1).await;
    g.destroy();
}

#[wasm_bindgen_test]
async fn japanese_texts_and_html_in_messages_shown_as_text() {
    let g = guard(&[
        ("timeout", 1800.into()),
        ("warnBefore", 20.into()),
        ("lang", "ja".into()),
        ("messages", {
            let m = Object::new();
            Reflect::set(&m, &"logout".into(), &"<img src=x onerror=alert(1)>".into()).unwrap();
            m.into()
        }),
        ("logoutUrl", "/logout".into()),
    ]);
    touch(&g, 19.0);
    wait_for("the warning", 2000, || dialog().is_some_and(|d| d.open())).await;
    assert_eq!(by_selector("[data-action=continue]").text_content().unwrap(), "続ける");
    assert_eq!(dialog().unwrap().get_attribute("lang").as_deref(), Some("ja"), "read with a Japanese voice");
    // 0:19 left: the announced time is rounded down to its 5 s step, never more than shown.
    assert_eq!(by_selector("#session-guard-message").text_content().unwrap(), "セッションが15秒後に切れます。継続しますか?");
    let logout = by_selector("[data-action=logout]");
    assert_eq!(logout.text_content().unwrap(), "<img src=x onerror=alert(1)>");
    assert_eq!(logout.child_element_count(), 0, "no markup was parsed");
    g.destroy();
}

#[wasm_bindgen_test]
async fn destroy_stops_the_timer() {
    let expired = Recorder::new("expired");
    let warnings = Recorder::new("warning");
    let g = guard(&[("timeout", 1800.into()), ("warnBefore", 20.into())]);
    touch(&g, 20.3);
    g.destroy();
    // Long enough for both the warning and the expiry to have fired, had anything survived.
    let probe = guard(&[("timeout", 1800.into()), ("warnBefore", 20.into())]);
    touch(&probe, 0.6);
    wait_for("the probe guard's expiry", 3000, || expired.count() >= 1).await;
    assert_eq!(warnings.count(), 1, "only the probe warned");
    assert_eq!(expired.count(), 1);
    assert_eq!(g.state(), "active");
    probe.destroy();
}

#[wasm_bindgen_test]
fn phase_names_match_the_public_states() {
    assert_eq!(Phase::Active.name(), "active");
    assert_eq!(Phase::LoggedOut.name(), "loggedOut");
}


#[wasm_bindgen_test]
async fn a_listener_calling_back_into_the_guard_is_safe() {
    let errors = Recorder::new("error");
    let g = Rc::new(guard(&[("timeout", 1800.into()), ("warnBefore", 20.into())]));
    let inner = g.clone();
    // Called synchronously from inside the guard's own event dispatch.
    let on_warning = Closure::<dyn FnMut(Event)>::new(move |_: Event| inner.extend());
    document().add_event_listener_with_callback("sessionguard:warning", on_warning.as_ref().unchecked_ref()).unwrap();
    touch(&g, 19.0);
    wait_for("the extend from the listener to reach the network", 3000, || errors.count() >= 1).await;
    assert_eq!(g.state(), "warning");
    document().remove_event_listener_with_callback("sessionguard:warning", on_warning.as_ref().unchecked_ref()).unwrap();
    g.destroy();
}

#[wasm_bindgen_test]
fn absolute_timeout_counts_from_the_remembered_login() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let key = session_guard::core::session_start::key("carol");
    storage.remove_item(&key).unwrap();
    let g = guard(&[("timeout", 1800.into()), ("absoluteTimeout", 3600.into()), ("user", "carol".into())]);
    assert!(g.remaining() >= 1798.0, "idle deadline first");
    g.destroy();
    // Another page load, the user having logged in 3590 s ago and been active a minute ago.
    let now = js_sys::Date::now() as u64;
    storage.set_item(&key, &session_guard::core::session_start::encode(now - 3_590_000, now - 60_000)).unwrap();
    let g = guard(&[("timeout", 1800.into()), ("absoluteTimeout", 3600.into()), ("user", "carol".into())]);
    let remaining = g.remaining();
    assert!((8.0..=10.0).contains(&remaining), "{remaining}");
    g.destroy();
    storage.remove_item(&key).unwrap();
}
