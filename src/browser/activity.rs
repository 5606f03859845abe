//! Trusted user input, throttled before it reaches wasm. A mousemove storm fires
//! dozens of events per second; crossing into wasm for each costs ~20 µs, a JS
//! comparison next to nothing. So the listener itself is a few lines of JS
//! (shipped as a file beside the glue: no eval, CSP-safe) that calls into Rust at
//! most once per interval. Throttled on `Date.now()`, the clock every deadline uses.

use js_sys::{Array, Function};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use web_sys::EventTarget;

#[wasm_bindgen(inline_js = "
export function listenActivity(target, types, interval, callback) {
  const options = { capture: true, passive: true };
  let last = -Infinity;
  const handler = (event) => {
    if (!event.isTrusted) return;
    const now = Date.now();
    if (now - last < interval) return;
    last = now;
    callback();
  };
  for (const type of types) target.addEventListener(type, handler, options);
  return () => { for (const type of types) target.removeEventListener(type, handler, options); };
}
")]
extern "C" {
    #[wasm_bindgen(js_name = listenActivity)]
    fn listen_activity(target: &EventTarget, types: &Array, interval: f64, callback: &Function) -> Function;
}

/// Listens while alive; dropping it removes the listeners.
pub struct ActivityListener {
    stop: Function,
    _callback: Closure<dyn FnMut()>,
}

impl ActivityListener {
    pub fn new(target: &EventTarget, types: &[&str], interval_ms: f64, on_activity: impl FnMut() + 'static) -> ActivityListener {
        let callback = Closure::<dyn FnMut()>::new(on_activity);
        let types: Array = types.iter().map(|t| JsValue::from_str(t)).collect();
        let stop = listen_activity(target, &types, interval_ms, callback.as_ref().unchecked_ref());
        ActivityListener { stop, _callback: callback }
    }
}

impl Drop for ActivityListener {
    fn drop(&mut self) {
        let _ = self.stop.call0(&JsValue::UNDEFINED);
    }
}
