//! Watches the page's own requests through PerformanceObserver: their
//! `Server-Timing: session;dur=<ms>` and, for servers that renew on any request,
//! the requests themselves. Nothing is patched: `fetch` and XHR stay the page's.

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Performance, PerformanceResourceTiming, Window};

use super::listener::Callback;
use super::page::{self, prop, prop_string};
use crate::core::server::{self, Observed};

/// A page's navigation entry older than this is clamped: its age is an estimate
/// and must never move a deadline by more.
const MAX_NAVIGATION_AGE_MS: f64 = 10_000.0;

/// What one completed request tells the core, if anything ([`server::observe`] decides). The
/// guard's own requests are those to the resolved URLs `own` (keep-alive, status).
pub fn observed(window: &Window, entry: &PerformanceResourceTiming, at: u64, own: &[Option<String>]) -> Option<Observed> {
    // Properties are read by name: typed getters cost an import and glue each (see `page::prop`).
    let initiator = prop_string(entry, "initiatorType");
    let name = prop_string(entry, "name");
    let facts = server::RequestFacts {
        initiator: &initiator,
        same_origin: page::is_same_origin(window, &name),
        own: own.iter().any(|url| url.as_deref() == Some(name.as_str())),
        reported_ms: || {
            let timings = js_sys::Array::from(&prop(entry, "serverTiming"));
            timings.iter().find_map(|timing| {
                server::server_timing_metric(&prop_string(&timing, "name"), prop(&timing, "duration").as_f64()?)
            })
        },
        status: || prop(entry, "responseStatus").as_f64(),
    };
    server::observe(facts, at)
}

/// The page's own navigation entry (Navigation Timing), where the browser has one.
pub fn navigation_entry(window: &Window) -> Option<(Performance, PerformanceResourceTiming)> {
    let performance = prop(window, "performance");
    if !performance.is_object() {
        return None;
    }
    let performance: Performance = performance.unchecked_into();
    let entry = performance.get_entries_by_type("navigation").iter().next().filter(JsValue::is_object)?;
    Some((performance, entry.unchecked_into()))
}

/// What the navigation that served this page says, dated by when its response ended.
pub fn navigation(window: &Window, now: u64) -> Option<Observed> {
    let (performance, entry) = navigation_entry(window)?;
    let response_end = prop(&entry, "responseEnd").as_f64().unwrap_or(0.0);
    let age = (performance.now() - response_end).clamp(0.0, MAX_NAVIGATION_AGE_MS);
    observed(window, &entry, now.saturating_sub(age as u64), &[])
}

#[wasm_bindgen(module = "/src/browser/dom.js")]
extern "C" {
    /// Calls `on_entry` with each resource entry completed from now on; returns the function
    /// that stops it (undefined without PerformanceObserver).
    #[wasm_bindgen(js_name = observeResources)]
    fn observe_resources(on_entry: &JsValue) -> JsValue;
}

/// Disconnects on drop.
#[must_use = "the observer stops when dropped"]
pub struct Observer {
    stop: Function,
    _callback: Callback,
}

impl Observer {
    /// Calls `on_entry` for each request completed from now on.
    pub fn new(mut on_entry: impl FnMut(PerformanceResourceTiming) + 'static) -> Option<Observer> {
        // Observing "resource" entries: each is a PerformanceResourceTiming.
        let callback = Callback::wrap(Box::new(move |entry: JsValue| on_entry(entry.unchecked_into())));
        let stop = observe_resources(callback.as_ref()).dyn_into::<Function>().ok()?;
        Some(Observer { stop, _callback: callback })
    }
}

impl Drop for Observer {
    fn drop(&mut self) {
        let _ = self.stop.call0(&JsValue::UNDEFINED);
    }
}
