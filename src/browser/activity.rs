//! Trusted user input, listened for only while the core asks
//! ([`Output::ListenForActivity`](crate::core::machine::Output::ListenForActivity)).
//! Even a trivial JS listener costs several µs per mousemove, so the cheapest
//! handler is none: the listeners are attached while input matters and removed
//! by the first one. The toggle is a few lines of JS shipped beside the glue (no
//! eval, CSP-safe), so adding and removing five listeners is one call.

use js_sys::{Array, Function};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use web_sys::EventTarget;

#[wasm_bindgen(inline_js = "
export function activityToggle(target, types, callback) {
  const options = { capture: true, passive: true };
  let x, y, on = false, windows = [];
  const handler = (event) => {
    if (!event.isTrusted) return;
    if (event.type == 'mousemove') {
      // No movement: the engine's own mousemove when a window above the page opens or closes.
      const still = !event.movementX && !event.movementY && (x === undefined || (event.screenX == x && event.screenY == y));
      x = event.screenX;
      y = event.screenY;
      if (still) return;
    }
    callback();
  };
  const add = (w) => {
    windows.push(w);
    for (const type of types) w.addEventListener(type, handler, options);
  };
  // Same-origin iframes: the user may be typing in one; their loads while listening are caught here.
  const frame = (f) => {
    try {
      // A navigated frame has a new window behind the same contentWindow: add again (a repeat is a no-op).
      if (f.contentWindow.document) add(f.contentWindow);
    } catch {}
  };
  const loaded = (event) => event.target.localName == 'iframe' && frame(event.target);
  return (listen) => {
    if (listen == on) return;
    on = listen;
    if (listen) {
      add(target);
      // A load event never reaches the window: it is caught on the document.
      target.document.addEventListener('load', loaded, options);
      for (const f of target.document.querySelectorAll('iframe')) frame(f);
    } else {
      target.document.removeEventListener('load', loaded, options);
      for (const w of windows) for (const type of types) w.removeEventListener(type, handler, options);
      windows = [];
    }
  };
}
")]
extern "C" {
    #[wasm_bindgen(js_name = activityToggle)]
    fn activity_toggle(target: &EventTarget, types: &Array, callback: &Function) -> Function;
}

/// Listeners for user input, off until [`ActivityListener::listen`]; dropping it removes them.
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
