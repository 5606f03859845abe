//! What the browser tests share: the page's document and storage, bounded waits, and a
//! recorder of the guard's `sessionguard:*` events. Each test file includes it with
//! `mod browser_common;`.
// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CustomEvent, Document, Event, Storage};

pub fn document() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

pub fn storage() -> Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// Every localStorage entry of the guard's (`session-guard:…`), key and value.
pub fn ours() -> Vec<(String, String)> {
    let s = storage();
    (0..s.length().unwrap())
        .filter_map(|i| s.key(i).unwrap())
        .filter(|k| k.starts_with("session-guard:"))
        .map(|k| {
            let v = s.get_item(&k).unwrap().unwrap();
            (k, v)
        })
        .collect()
}

/// Removes every localStorage entry of the guard's, so a test starts from none.
pub fn clear_ours() {
    for (k, _) in ours() {
        storage().remove_item(&k).unwrap();
    }
}

/// Polls `condition` every 20 ms until it holds, failing after `timeout_ms`.
pub async fn wait_for(what: &str, timeout_ms: u32, condition: impl Fn() -> bool) {
    let mut waited = 0;
    while !condition() {
        assert!(waited < timeout_ms, "timed out after {timeout_ms} ms waiting for {what}");
        TimeoutFuture::new(20).await;
        waited += 20;
    }
}

/// Records `sessionguard:<name>` events' details, for as long as it lives.
pub struct Recorder {
    seen: Rc<RefCell<Vec<JsValue>>>,
    closure: Closure<dyn FnMut(Event)>,
    name: String,
}

impl Recorder {
    pub fn new(name: &str) -> Recorder {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let sink = seen.clone();
        let closure = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
            sink.borrow_mut().push(e.unchecked_into::<CustomEvent>().detail());
        });
        let name = format!("sessionguard:{name}");
        document().add_event_listener_with_callback(&name, closure.as_ref().unchecked_ref()).unwrap();
        Recorder { seen, closure, name }
    }

    /// How many events it has seen.
    pub fn count(&self) -> usize {
        self.seen.borrow().len()
    }

    /// The `index`th event's detail's `key`.
    pub fn field(&self, index: usize, key: &str) -> JsValue {
        Reflect::get(&self.seen.borrow()[index], &key.into()).unwrap()
    }

    /// Every event's detail's `key`, as text ("" where it is not a string).
    pub fn texts(&self, key: &str) -> Vec<String> {
        self.seen.borrow().iter().map(|d| Reflect::get(d, &key.into()).unwrap().as_string().unwrap_or_default()).collect()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let _ = document().remove_event_listener_with_callback(&self.name, self.closure.as_ref().unchecked_ref());
    }
}
