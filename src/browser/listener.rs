//! An event listener that unregisters itself when dropped (as gloo-events does),
//! so `destroy()` leaves nothing behind and no closure is ever leaked with `forget`.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{AddEventListenerOptions, Event, EventTarget};

pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    capture: bool,
    callback: Closure<dyn FnMut(Event)>,
}

impl Listener {
    /// Listens for `kind` on `target`. `passive` listeners cannot cancel the event,
    /// which lets the browser scroll without waiting for us.
    pub fn new(
        target: &EventTarget,
        kind: &'static str,
        capture: bool,
        passive: bool,
        handler: impl FnMut(Event) + 'static,
    ) -> Listener {
        let callback = Closure::<dyn FnMut(Event)>::new(handler);
        let options = AddEventListenerOptions::new();
        options.set_capture(capture);
        options.set_passive(passive);
        // Only fails for a non-callable callback, which a Closure never is.
        let _ = target.add_event_listener_with_callback_and_add_event_listener_options(
            kind,
            callback.as_ref().unchecked_ref(),
            &options,
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
