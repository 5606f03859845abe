//! localStorage that never throws into the page. gloo-storage is not used: its
//! get/set go through serde_json (~22 KB of wasm) and its `raw()` throws when
//! storage is blocked. Writes that fail stay in memory, so nothing typed is lost
//! for the life of the page, and the caller learns why.

use std::cell::RefCell;

use js_sys::JsString;
use wasm_bindgen::prelude::*;
use web_sys::{Storage, Window};

use crate::core::drafts::is_our_key;
use crate::core::seal::{is_sealed, push_base64url, DraftCipher, NONCE_LEN, OTHER_KEY};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The quota is exhausted (QuotaExceededError).
    Quota,
    /// Storage is disabled, blocked or failing.
    Unavailable,
}

/// Keys and their values (texts in wasm memory, or JS strings), few enough for a linear
/// search. One type for every such table of the crate: each `Vec<T>` instantiation costs
/// its own wasm code.
pub struct Entries<V = String>(Vec<(String, V)>);

impl<V> Default for Entries<V> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<V> Entries<V> {
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, value)| value)
    }

    pub fn set(&mut self, key: &str, value: V) {
        self.remove(key);
        self.0.push((key.to_string(), value));
    }

    pub fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

pub struct Store {
    local: Option<Storage>,
    /// Entries that could not be written to localStorage.
    memory: RefCell<Entries>,
}

impl Store {
    /// `window.localStorage` itself throws in some privacy modes: then memory only.
    pub fn open(window: &Window) -> Store {
        Store { local: window.local_storage().ok().flatten(), memory: RefCell::default() }
    }

    pub fn is_available(&self) -> bool {
        self.local.is_some()
    }

    /// Every key of ours, in storage or in memory.
    pub fn keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        for (key, _) in self.memory.try_borrow().iter().flat_map(|memory| &memory.0) {
            keys.push(key.clone());
        }
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
        if let Some(value) = self.memory.try_borrow().ok().as_deref().and_then(|memory| memory.get(key)) {
            return Some(value.to_string());
        }
        self.local.as_ref()?.get_item(key).ok().flatten()
    }

    /// Writes to localStorage; on failure keeps the value in memory and says why.
    pub fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.set_text(key, &JsString::from(value))
    }

    /// [`Store::set`] of a text that is already a JS string: a draft record of a 200 KB
    /// textarea goes from JS to storage without a copy through wasm memory.
    pub fn set_text(&self, key: &str, value: &JsString) -> Result<(), StoreError> {
        let result = match &self.local {
            Some(local) => local.unchecked_ref::<TextStorage>().set_item(key, value).map_err(|e| classify(&e)),
            None => Err(StoreError::Unavailable),
        };
        let Ok(mut memory) = self.memory.try_borrow_mut() else { return result };
        match result {
            Ok(()) => memory.remove(key),
            Err(_) => memory.set(key, String::from(value)),
        }
        result
    }

    pub fn remove(&self, key: &str) {
        if let Ok(mut memory) = self.memory.try_borrow_mut() { memory.remove(key) }
        if let Some(local) = &self.local {
            let _ = local.remove_item(key);
        }
    }
}

#[wasm_bindgen]
extern "C" {
    /// A `Storage` whose `setItem` takes a JS string value (web-sys's takes `&str`).
    type TextStorage;
    #[wasm_bindgen(method, catch, js_name = setItem)]
    fn set_item(this: &TextStorage, key: &str, value: &JsString) -> Result<(), JsValue>;
}

fn classify(error: &JsValue) -> StoreError {
    let name = super::page::prop_string(error, "name");
    if name == "QuotaExceededError" || name == "NS_ERROR_DOM_QUOTA_REACHED" {
        StoreError::Quota
    } else {
        StoreError::Unavailable
    }
}

/// Drafts' records and texts on their way to and from storage: sealed with the user's
/// `draftKey` (the core's [`DraftCipher`]), or as they are without one.
pub struct Sealer(Option<(DraftCipher, Utf8Encoder)>);

impl Sealer {
    pub fn new(keys: &[[u8; 32]]) -> Sealer {
        Sealer(DraftCipher::new(keys).map(|cipher| (cipher, Utf8Encoder::new())))
    }

    /// What to store for `text` under `key`: sealed with a fresh nonce from
    /// `crypto.getRandomValues`; without a source of random bytes, nothing (not in clear).
    pub fn seal(&self, key: &str, text: &JsString) -> Result<JsString, StoreError> {
        let Some((cipher, encoder)) = &self.0 else { return Ok(text.clone()) };
        // `nonce ‖ text` as UTF-8 (at most 3 bytes a UTF-16 unit), written by the browser's
        // encoder straight into wasm memory, and sealed there where it lies.
        let mut buffer = vec![0u8; NONCE_LEN + text.length() as usize * 3];
        let (nonce, room) = buffer.split_at_mut(NONCE_LEN);
        get_random_values(nonce).map_err(|_| StoreError::Unavailable)?;
        let written = encoder.encode_into(text, room).written() as usize;
        buffer.truncate(NONCE_LEN + written);
        let head = cipher.seal_buffer(key, &mut buffer).ok_or(StoreError::Unavailable)?;
        Ok(JsString::from(head).concat(&base64url(&buffer)))
    }

    /// The text stored under `key`: opened, or as it is without a key. A sealed value on a page
    /// without a key, or a plain one on a page with one, is [`OTHER_KEY`]'s: never shown.
    pub fn open(&self, key: &str, stored: String) -> Result<String, &'static str> {
        match &self.0 {
            None if is_sealed(&stored) => Err(OTHER_KEY),
            None => Ok(stored),
            Some((cipher, _)) => String::from_utf8(cipher.open(key, &stored)?).map_err(|_| "not UTF-8"),
        }
    }
}

/// Base64url without padding: the browser's own (`Uint8Array.prototype.toBase64`, read from
/// wasm memory in place), else the core's.
fn base64url(bytes: &[u8]) -> JsString {
    native_base64url(bytes).unwrap_or_else(|| {
        let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
        push_base64url(&mut text, bytes);
        JsString::from(text)
    })
}

#[wasm_bindgen(module = "/src/browser/form_io.js")]
extern "C" {
    #[wasm_bindgen(js_name = base64url)]
    fn native_base64url(bytes: &[u8]) -> Option<JsString>;
}

#[wasm_bindgen]
extern "C" {
    type EncodeResult;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeResult) -> u32;
    #[wasm_bindgen(js_name = TextEncoder)]
    type Utf8Encoder;
    #[wasm_bindgen(method, js_class = "TextEncoder", js_name = encodeInto)]
    fn encode_into(this: &Utf8Encoder, text: &JsString, into: &mut [u8]) -> EncodeResult;
    #[wasm_bindgen(constructor, js_class = "TextEncoder")]
    fn new() -> Utf8Encoder;
    #[wasm_bindgen(catch, js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buffer: &mut [u8]) -> Result<(), JsValue>;
}
