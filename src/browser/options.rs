//! JS values into the core's option [`Value`]s. Validation is the core's.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::options::Value;

/// Nested option objects (`csrf`, `messages`) are one level deep; deeper is a type error.
const MAX_DEPTH: u8 = 4;

/// Converts any JS value; `depth` counts nesting so hostile cycles end.
pub fn to_value(value: &JsValue, depth: u8) -> Value {
    if value.is_null() || value.is_undefined() {
        Value::Null
    } else if let Some(b) = value.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = value.as_f64() {
        Value::Number(n)
    } else if let Some(s) = value.as_string() {
        Value::Str(s)
    } else if depth >= MAX_DEPTH {
        Value::Other
    } else if js_sys::Array::is_array(value) {
        let mut list = Vec::new();
        for item in js_sys::Array::from(value).iter() {
            list.push(to_value(&item, depth + 1));
        }
        Value::List(list)
    } else if is_plain_object(value) {
        Value::Map(entries(value, depth + 1))
    } else {
        Value::Other
    }
}

fn is_plain_object(value: &JsValue) -> bool {
    value.is_object() && !js_sys::Array::is_array(value) && !value.is_function()
}

/// Own enumerable properties; `undefined` ones are skipped, as if absent.
fn entries(object: &JsValue, depth: u8) -> Vec<(String, Value)> {
    let mut entries = Vec::new();
    if !object.is_object() {
        return entries;
    }
    for key in Object::keys(object.unchecked_ref::<Object>()).iter() {
        let value = Reflect::get(object, &key).unwrap_or(JsValue::UNDEFINED);
        if !value.is_undefined() {
            entries.push((key.as_string().unwrap_or_default(), to_value(&value, depth)));
        }
    }
    entries
}

/// The options object given to `start`; `None` when it is not an object at all.
pub fn option_entries(options: &JsValue) -> Option<Vec<(String, Value)>> {
    if options.is_undefined() || options.is_null() {
        return Some(Vec::new());
    }
    is_plain_object(options).then(|| entries(options, 1))
}

/// A script tag's `data-` attributes, given as `{ "warn-before": "30", … }`.
pub fn attribute_entries(attributes: &JsValue) -> Vec<(String, String)> {
    let mut texts = Vec::new();
    for (name, value) in entries(attributes, MAX_DEPTH) {
        if let Value::Str(text) = value {
            texts.push((name, text));
        }
    }
    texts
}
