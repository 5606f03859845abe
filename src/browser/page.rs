//! Small facts about the page: the clock, the CSRF token, URLs, navigation.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Url, UrlSearchParams, Window};

use crate::core::config::{Csrf, CsrfSource, CSRF_FIELDS};

// Plain property access. Each typed web-sys getter, setter and dictionary field is a
// wasm import plus a JS glue function of its own; `Reflect.get`/`set` serve them all.

/// `object[name]`; `undefined` when reading it throws.
pub fn prop(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// `object[name]` as a string; empty when it is not one.
pub fn prop_string(object: &JsValue, name: &str) -> String {
    prop(object, name).as_string().unwrap_or_default()
}

/// `object[name] = value`, ignoring a throwing setter.
pub fn set_prop(object: &JsValue, name: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(name), value);
}

/// A plain object `{ name: value, … }`: event details and init dictionaries.
pub fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object: JsValue = Object::new().into();
    for (name, value) in entries {
        set_prop(&object, name, value);
    }
    object
}

/// Wall-clock milliseconds: the only clock the core's deadlines are in.
pub fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// `performance.now()`: monotonic milliseconds, unmoved when the wall clock is set.
pub fn monotonic(window: &Window) -> f64 {
    prop(window, "performance").unchecked_into::<web_sys::Performance>().now()
}

/// The CSRF token to send with our POSTs, from where the options say it lives.
/// Read fresh for each request: frameworks rotate tokens on login.
pub fn csrf_token(document: &Document, csrf: &Csrf) -> Option<String> {
    match &csrf.source {
        CsrfSource::Token(token) => Some(token.clone()),
        CsrfSource::Meta(name) => csrf_from_page(document, false, name),
        CsrfSource::Cookie(name) => csrf_from_page(document, true, name),
    }
}

#[wasm_bindgen(module = "/src/browser/dom.js")]
extern "C" {
    /// The first `<meta name>`'s content, or with `cookie` the decoded cookie `name`.
    #[wasm_bindgen(js_name = csrfToken)]
    fn csrf_from_page(document: &Document, cookie: bool, name: &str) -> Option<String>;

    /// The page's `window`; `None` off a page (a worker). Not `web_sys::window()`, whose
    /// lookup of the global object (four accessors, a lazy cell) costs ~1 KB of wasm and glue.
    #[wasm_bindgen(js_name = pageWindow)]
    pub fn window() -> Option<web_sys::Window>;
}

/// Writes a fresh CSRF token from the server into the page: the configured `<meta>`, and the
/// hidden inputs named by `csrf.field` (default [`CSRF_FIELDS`]), so the page's own forms and
/// scripts send it too.
pub fn write_csrf_token(document: &Document, csrf: &Csrf, token: &str) {
    let value = JsValue::from_str(token);
    if let CsrfSource::Meta(name) = &csrf.source {
        let metas = js_sys::Array::from(&document.get_elements_by_tag_name("meta"));
        for meta in metas.iter().map(|meta| meta.unchecked_into::<web_sys::Element>()) {
            if meta.get_attribute("name").as_deref() == Some(name.as_str()) {
                let _ = meta.set_attribute("content", token);
            }
        }
    }
    let defaults = CSRF_FIELDS.map(String::from);
    let names = csrf.fields.as_deref().unwrap_or(&defaults);
    for input in js_sys::Array::from(&document.get_elements_by_tag_name("input")).iter() {
        let input = input.unchecked_into::<web_sys::Element>();
        let named = input.get_attribute("name").is_some_and(|n| names.contains(&n));
        if named && prop_string(&input, "type") == "hidden" {
            set_prop(&input, "value", &value);
        }
    }
}

/// A part of the page's URL: `location[part]` ("href", "pathname", "origin", …).
fn location(window: &Window, part: &str) -> String {
    prop_string(&window.location(), part)
}

pub fn href(window: &Window) -> String {
    location(window, "href")
}

/// The page's path, without query or fragment.
pub fn path(window: &Window) -> String {
    location(window, "pathname")
}

/// `url` resolved against the page.
fn resolve(window: &Window, url: &str) -> Option<Url> {
    Url::new_with_base(url, &href(window)).ok()
}

/// `url` resolved against the page, as a string.
pub fn resolve_href(window: &Window, url: &str) -> Option<String> {
    let url = resolve(window, url)?;
    Some(prop_string(&url, "href"))
}

/// The path of `url` (resolved against the page), without query or fragment.
pub fn path_of(window: &Window, url: &str) -> Option<String> {
    let url = resolve(window, url)?;
    Some(prop_string(&url, "pathname"))
}

/// `loginUrl?next=<this page's path, query and fragment>`.
pub fn login_url_with_next(window: &Window, login_url: &str) -> Option<String> {
    let url = resolve(window, login_url)?;
    let mut next = path(window);
    next.push_str(&location(window, "search"));
    next.push_str(&location(window, "hash"));
    prop(&url, "searchParams").unchecked_into::<UrlSearchParams>().set("next", &next);
    Some(prop_string(&url, "href"))
}

pub fn navigate(window: &Window, url: &str) {
    let _ = window.location().assign(url);
}

pub fn reload(window: &Window) {
    let _ = window.location().reload();
}

/// Whether a resource URL is on this page's origin (only such requests touch our session).
pub fn is_same_origin(window: &Window, url: &str) -> bool {
    let origin = location(window, "origin");
    url.strip_prefix(origin.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}
