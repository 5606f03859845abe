//! localStorage that never throws into the page. gloo-storage is not used: its
//! get/set go through serde_json (~22 KB of wasm) and its `raw()` throws when
//! storage is blocked. Writes that fail stay in memory, so nothing typed is lost
//! for the life of the page, and the caller learns why.

use std::cell::RefCell;

use js_sys::Reflect;
use wasm_bindgen::JsValue;
use web_sys::{Storage, Window};

use crate::core::drafts::is_our_key;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The quota is exhausted (QuotaExceededError).
    Quota,
    /// Storage is disabled, blocked or failing.
    Unavailable,
}

pub struct Store {
    local: Option<Storage>,
    /// Entries that could not be written to localStorage.
    memory: RefCell<Vec<(String, String)>>,
}

impl Store {
    /// `window.localStorage` itself throws in some privacy modes: then memory only.
    pub fn open(window: &Window) -> Store {
        Store { local: window.local_storage().ok().flatten(), memory: RefCell::new(Vec::new()) }
    }

    pub fn is_available(&self) -> bool {
        self.local.is_some()
    }

    /// Every key of ours, in storage or in memory.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.memory.borrow().iter().map(|(k, _)| k.clone()).collect();
        if let Some(local) = &self.local {
            let length = local.length().unwrap_or(0);
            for i in 0..length {
                if let Ok(Some(key)) = local.key(i) {
                    if is_our_key(&key) && !keys.contains(&key) {
                        keys.push(key);
                    }
                }
            }
        }
        keys
    }

    pub fn get(&self, key: &str) -> Option<String> {
        if let Some((_, value)) = self.memory.borrow().iter().find(|(k, _)| k == key) {
            return Some(value.clone());
        }
        self.local.as_ref()?.get_item(key).ok().flatten()
    }

    /// Writes to localStorage; on failure keeps the value in memory and says why.
    pub fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let result = match &self.local {
            Some(local) => local.set_item(key, value).map_err(|e| classify(&e)),
            None => Err(StoreError::Unavailable),
        };
        let mut memory = self.memory.borrow_mut();
        memory.retain(|(k, _)| k != key);
        if result.is_err() {
            memory.push((key.to_string(), value.to_string()));
        }
        result
    }

    /// Keeps a value in memory only (too large for storage).
    pub fn keep_in_memory(&self, key: &str, value: &str) {
        let mut memory = self.memory.borrow_mut();
        memory.retain(|(k, _)| k != key);
        memory.push((key.to_string(), value.to_string()));
    }

    pub fn remove(&self, key: &str) {
        self.memory.borrow_mut().retain(|(k, _)| k != key);
        if let Some(local) = &self.local {
            let _ = local.remove_item(key);
        }
    }
}

fn classify(error: &JsValue) -> StoreError {
    let name = Reflect::get(error, &JsValue::from_str("name")).ok().and_then(|n| n.as_string()).unwrap_or_default();
    if name == "QuotaExceededError" || name == "NS_ERROR_DOM_QUOTA_REACHED" {
        StoreError::Quota
    } else {
        StoreError::Unavailable
    }
}
