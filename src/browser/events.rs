//! `sessionguard:*` CustomEvents on `document`.

use wasm_bindgen::prelude::*;
use web_sys::Document;

use super::page::object;
use crate::core::machine::Event;

#[wasm_bindgen(module = "/src/browser/dom.js")]
extern "C" {
    #[wasm_bindgen(js_name = emit)]
    fn dispatch(document: &Document, name: &str, detail: &JsValue);
}

/// Dispatches `sessionguard:<name>` with `detail`. Listeners run synchronously
/// and may call back into the guard, so callers hold no borrows while emitting.
pub fn emit(document: &Document, name: &str, detail: &[(&str, JsValue)]) {
    dispatch(document, name, &object(detail));
}

/// The core's events, translated.
pub fn emit_core(document: &Document, event: Event) {
    match event {
        Event::Warning { remaining_s } => emit(document, "warning", &[("remaining", (remaining_s as f64).into())]),
        Event::Countdown { remaining_s } => emit(document, "countdown", &[("remaining", (remaining_s as f64).into())]),
        Event::Extended { expires_at } => emit(document, "extended", &[("expiresAt", (expires_at as f64).into())]),
        Event::Expired { reason, input_saved } => {
            emit(document, "expired", &[("reason", reason.name().into()), ("saved", input_saved.into())])
        }
        Event::LoggedOut => emit(document, "loggedout", &[]),
        Event::LoggedIn => emit(document, "login", &[]),
        Event::Error { code, message } => error(document, code.name(), message),
    }
}

pub fn error(document: &Document, code: &str, message: &str) {
    emit(document, "error", &[("code", code.into()), ("message", message.into())]);
}
