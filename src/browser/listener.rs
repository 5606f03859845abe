//! An event listener that unregisters itself when dropped (as gloo-events does),
//! so `destroy()` leaves nothing behind and no closure is ever leaked with `forget`.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Event, EventTarget};

use super::page::object;

/// The one closure type of the crate's callbacks: each distinct `Closure<dyn FnMut(T)>`
/// type costs its own wasm export and JS glue.
pub type Callback = Closure<dyn FnMut(JsValue)>;

pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    capture: bool,
    callback: Callback,
}

impl Listener {
    /// Listens for `kind` on `target`. `passive` listeners cannot cancel the event,
    /// which lets the browser scroll without waiting for us.
    pub fn new(
        target: &EventTarget,
        kind: &'static str,
        capture: bool,
        passive: bool,
        mut handler: impl FnMut(Event) + 'static,
    ) -> Listener {
        // Only the boxing is generic: the rest is shared by every listener, not copied per handler.
        Listener::listen(target, kind, capture, passive, Box::new(move |event: JsValue| handler(event.unchecked_into())))
    }

    fn listen(
        target: &EventTarget,
        kind: &'static str,
        capture: bool,
        passive: bool,
        handler: Box<dyn FnMut(JsValue)>,
    ) -> Listener {
        let callback = Callback::wrap(handler);
        let options = object(&[("capture", capture.into()), ("passive", passive.into())]);
        // Only fails for a non-callable callback, which a Closure never is.
        let _ = target.add_event_listener_with_callback_and_add_event_listener_options(
            kind,
            callback.as_ref().unchecked_ref(),
            options.unchecked_ref(),
        );
        Listener { target: target.clone(), kind, capture, callback }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback_and_bool(
            self.kind,
            self.callback.as_ref().unchecked_ref(),
            self.capture,
        );
    }
}

/// A MutationObserver that disconnects when dropped, like [`Listener`].
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
