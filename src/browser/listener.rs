//! An event listener that unregisters itself when dropped (as gloo-events does),
//! so `destroy()` leaves nothing behind and no closure is ever leaked with `forget`.

use js_sys::Function;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget};

/// The one closure type of the crate's callbacks: each distinct `Closure<dyn FnMut(T)>`
/// type costs its own wasm export and JS glue.
pub type Callback = Closure<dyn FnMut(JsValue)>;

/// How a listener is added: `addEventListener`'s `capture` and `passive`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listen {
    /// Runs in the capture phase, before the page's own listeners on the target.
    pub capture: bool,
    /// Cannot cancel the event, which lets the browser scroll without waiting for us.
    pub passive: bool,
}

impl Listen {
    /// Bubble phase, passive: most of the guard's listeners.
    pub const PASSIVE: Listen = Listen { capture: false, passive: true };
}

/// Unregisters its listener when dropped.
#[must_use = "the listener is removed when dropped"]
pub struct Listener {
    /// Removes the listener (from dom.js's `listen`).
    remove: Function,
    _callback: Callback,
}

#[wasm_bindgen(module = "/src/browser/dom.js")]
extern "C" {
    /// `addEventListener` with `{ capture, passive }`; returns the function that removes it.
    fn listen(target: &EventTarget, kind: &str, capture: bool, passive: bool, callback: &JsValue) -> Function;
}

impl Listener {
    /// Listens for `kind` on `target`, as `how` says.
    pub fn new(target: &EventTarget, kind: &'static str, how: Listen, mut handler: impl FnMut(Event) + 'static) -> Listener {
        // Only the boxing is generic: the rest is shared by every listener, not copied per handler.
        Listener::listen(target, kind, how.capture, how.passive, Box::new(move |event: JsValue| handler(event.unchecked_into())))
    }

    fn listen(
        target: &EventTarget,
        kind: &'static str,
        capture: bool,
        passive: bool,
        handler: Box<dyn FnMut(JsValue)>,
    ) -> Listener {
        let callback = Callback::wrap(handler);
        let remove = listen(target, kind, capture, passive, callback.as_ref());
        Listener { remove, _callback: callback }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.remove.call0(&JsValue::UNDEFINED);
    }
}

/// A MutationObserver that disconnects when dropped, like [`Listener`].
#[must_use = "the observer disconnects when dropped"]
pub struct Mutations {
    observer: web_sys::MutationObserver,
    _callback: Callback,
}

impl Mutations {
    /// Calls `on_change` after changes under `target` that `init` (a MutationObserverInit) selects.
    pub fn watch(target: &web_sys::Node, init: &JsValue, mut on_change: impl FnMut() + 'static) -> Option<Mutations> {
        let callback = Callback::wrap(Box::new(move |_: JsValue| on_change()));
        let observer = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe_with_options(target, init.unchecked_ref()).ok()?;
        Some(Mutations { observer, _callback: callback })
    }

    /// Whether changes happened that `on_change` has not been told of yet (it is called
    /// later, in a microtask); they are taken, so it will not be.
    pub fn take_pending(&self) -> bool {
        self.observer.take_records().length() > 0
    }
}

impl Drop for Mutations {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}
