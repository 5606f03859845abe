//! Small facts about the page: the clock, the CSRF token, URLs, navigation.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, HtmlMetaElement, Url, Window};

use crate::core::config::{Csrf, CsrfSource};

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

/// The CSRF token to send with our POSTs, from where the options say it lives.
/// Read fresh for each request: frameworks rotate tokens on login.
pub fn csrf_token(document: &Document, csrf: &Csrf) -> Option<String> {
    match &csrf.source {
        CsrfSource::Token(token) => Some(token.clone()),
        CsrfSource::Meta(name) => {
            let metas = document.get_elements_by_tag_name("meta");
            (0..metas.length())
                .filter_map(|i| metas.item(i)?.dyn_into::<HtmlMetaElement>().ok())
                .find(|meta| meta.name() == *name)
                .map(|meta| meta.content())
        }
        CsrfSource::Cookie(name) => {
            let cookies = Reflect::get(document, &JsValue::from_str("cookie")).ok()?.as_string()?;
            let raw = cookies.split(';').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                (key.trim() == name).then(|| value.trim().to_string())
            })?;
            js_sys::decode_uri_component(&raw).ok()?.as_string()
        }
    }
}

pub fn href(window: &Window) -> String {
    window.location().href().unwrap_or_default()
}

/// `url` resolved against the page.
pub fn resolve(window: &Window, url: &str) -> Option<Url> {
    Url::new_with_base(url, &href(window)).ok()
}

/// `loginUrl?next=<this page's path, query and fragment>`.
pub fn login_url_with_next(window: &Window, login_url: &str) -> Option<String> {
    let url = resolve(window, login_url)?;
    let location = window.location();
    let mut next = location.pathname().unwrap_or_default();
    next.push_str(&location.search().unwrap_or_default());
    next.push_str(&location.hash().unwrap_or_default());
    url.search_params().set("next", &next);
    Some(url.href())
}

pub fn navigate(window: &Window, url: &str) {
    let _ = window.location().assign(url);
}

pub fn reload(window: &Window) {
    let _ = window.location().reload();
}

/// Whether a resource URL is on this page's origin (only such requests touch our session).
pub fn is_same_origin(window: &Window, url: &str) -> bool {
    let origin = window.location().origin().unwrap_or_default();
    url.strip_prefix(origin.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}
