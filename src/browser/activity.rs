//! Trusted user input, listened for only while the core asks
//! ([`ToPage::ListenForActivity`](crate::core::machine::Output::ListenForActivity)).
//! Even a trivial JS listener costs several µs per mousemove, so the cheapest
//! handler is none: the listeners are attached while input matters and removed
//! by the first one. The toggle is a few lines of JS in form_io.js (no eval,
//! CSP-safe; one snippet file rather than two), so adding and removing five
//! listeners is one call.

use js_sys::{Array, Function};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use web_sys::EventTarget;

#[wasm_bindgen(module = "/src/browser/form_io.js")]
extern "C" {
    #[wasm_bindgen(js_name = activityToggle)]
    fn activity_toggle(target: &EventTarget, types: &Array, callback: &Function) -> Function;
}

/// Listeners for user input, off until [`ActivityListener::listen`]; dropping it removes them.
#[must_use = "the listeners are removed when dropped"]
pub struct ActivityListener {
    toggle: Function,
    _callback: Closure<dyn FnMut()>,
}

impl ActivityListener {
    pub fn new(target: &EventTarget, types: &[&str], on_activity: impl FnMut() + 'static) -> ActivityListener {
        let callback = Closure::<dyn FnMut()>::new(on_activity);
        let types: Array = types.iter().map(|t| JsValue::from_str(t)).collect();
        let toggle = activity_toggle(target, &types, callback.as_ref().unchecked_ref());
        ActivityListener { toggle, _callback: callback }
    }

    pub fn listen(&self, on: bool) {
        let _ = self.toggle.call1(&JsValue::UNDEFINED, &JsValue::from_bool(on));
    }
}

impl Drop for ActivityListener {
    fn drop(&mut self) {
        self.listen(false);
    }
}
