//! Watches the page's own requests through PerformanceObserver: their
//! `Server-Timing: session;dur=<ms>` and, for servers that renew on any request,
//! the requests themselves. Nothing is patched: `fetch` and XHR stay the page's.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{PerformanceObserver, PerformanceObserverEntryList, PerformanceResourceTiming, PerformanceServerTiming, Window};

use super::listener::Callback;
use super::page;
use crate::core::machine::Input;
use crate::core::server;

/// A page's navigation entry older than this is clamped: its age is an estimate
/// and must never move a deadline by more.
const MAX_NAVIGATION_AGE_MS: f64 = 10_000.0;

/// Initiators that reach the application's session handling; images, styles and
/// scripts are usually served without touching the session.
const RENEWING_INITIATORS: [&str; 4] = ["navigation", "fetch", "xmlhttprequest", "beacon"];

/// What one completed request tells the core, if anything.
pub fn input_for(window: &Window, entry: &PerformanceResourceTiming, at: u64) -> Option<Input> {
    if !page::is_same_origin(window, &entry.name()) && entry.initiator_type() != "navigation" {
        return None;
    }
    let timings = entry.server_timing();
    let reported = timings.iter().find_map(|t| {
        let t: PerformanceServerTiming = t.unchecked_into();
        server::server_timing_metric(&t.name(), t.duration())
    });
    if let Some(remaining_ms) = reported {
        return Some(Input::ServerReport { at, remaining_ms });
    }
    // Chrome exposes the status of same-origin responses; an error page may not have renewed anything.
    let status = Reflect::get(entry, &JsValue::from_str("responseStatus")).ok().and_then(|s| s.as_f64()).unwrap_or(0.0);
    let renews = RENEWING_INITIATORS.contains(&entry.initiator_type().as_str()) && status < 400.0;
    renews.then_some(Input::RequestObserved { at })
}

/// The navigation that served this page, dated by when its response ended.
pub fn navigation_input(window: &Window, now: u64) -> Option<Input> {
    let performance = window.performance()?;
    let entry: PerformanceResourceTiming =
        performance.get_entries_by_type("navigation").get(0).dyn_into().ok()?;
    let age = (performance.now() - entry.response_end()).clamp(0.0, MAX_NAVIGATION_AGE_MS);
    input_for(window, &entry, now.saturating_sub(age as u64))
}

/// Disconnects on drop.
pub struct Observer {
    observer: PerformanceObserver,
    _callback: Callback,
}

impl Observer {
    /// Calls `on_entry` for each request completed from now on.
    pub fn new(mut on_entry: impl FnMut(PerformanceResourceTiming) + 'static) -> Option<Observer> {
        let callback = Callback::new(move |list: JsValue| {
            for entry in list.unchecked_into::<PerformanceObserverEntryList>().get_entries().iter() {
                if let Ok(entry) = entry.dyn_into::<PerformanceResourceTiming>() {
                    on_entry(entry);
                }
            }
        });
        let observer = PerformanceObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        let options = Object::new();
        let _ = Reflect::set(&options, &JsValue::from_str("type"), &JsValue::from_str("resource"));
        observer.observe(options.unchecked_ref());
        Some(Observer { observer, _callback: callback })
    }
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}
