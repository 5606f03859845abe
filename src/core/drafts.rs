//! Form drafts as data: which fields may be saved, how records are keyed,
//! encoded, decoded, expired and merged back into a form. The shell reads and
//! writes the DOM and storage; every rule lives here.

use super::decimal::push_number;
use super::form_record::{
    CHECKABLE_CHECKED, CHECKABLE_DEFAULT_CHECKED, CHECKABLE_VALUE, FACT_AUTOCOMPLETE, FACT_ID, FACT_LABEL, FACT_NAME,
    FACT_OPTED_OUT, FACT_TAG, FACT_TYPE, FACT_VALUE, OPTION_DEFAULT_SELECTED, OPTION_SELECTED, OPTION_VALUE,
    SELECT_MULTIPLE, SELECT_OPTIONS, TEXT_DEFAULT, TEXT_VALUE,
};
use super::json::{push_json_string, Value};
// The keys were defined here first; the drafts shell still names them through this module.
pub use super::keys::{
    draft_key, fnv1a, is_draft_key, is_our_key, is_text_key, resume_key, text_key, user_prefix, SCHEMA_VERSION,
};
use super::text::find;

/// How a form control's value is read, saved and written back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A text input or textarea.
    Text,
    /// A checkbox (keyed by name and value).
    Checkbox,
    /// A radio group.
    Radio,
    /// A select.
    Select,
    /// A contenteditable region: its HTML, through the allow-list ([`RICH_POLICY`]) both ways.
    Rich,
    /// A field the guard reads and writes through code: an editor's own API, a field given to
    /// `guard.registerField`, a form-associated custom element's `value`.
    Custom,
    /// A file input: never its files, only their names, so that the restore can name them.
    Files,
}

/// Pseudo tags the shell gives elements that are not form controls: a contenteditable region
/// (not inside another), an element given to `guard.registerField` or owned by a known editor.
pub const TAG_EDITABLE: &str = "#editable";
/// See [`TAG_EDITABLE`].
pub const TAG_CUSTOM: &str = "#custom";

/// What contenteditable HTML may hold once saved or restored, as data the shell's sanitizer
/// applies (form_io.js: parsed inert in a `<template>`, then rebuilt node by node).
/// Four lists separated by `|`: elements kept with their allowed attributes; elements dropped
/// with all they hold; attributes kept (`href` only on `a`, and only with a URL scheme of the
/// last list, after resolving it against the page). Every other element is replaced by its
/// children; every other attribute (event handlers, `style`, `src`, …) is dropped.
pub const RICH_POLICY: &str = "b i em strong u s code pre blockquote p br div span h1 h2 h3 h4 h5 h6 ul ol li a\
|script style template iframe frame frameset object embed noscript noembed xmp svg math title head link meta base form textarea select option input button\
|href title dir lang\
|http: https: mailto:";

/// Whether the sanitizer keeps element `tag` (lower case), per [`RICH_POLICY`].
pub fn rich_keeps(tag: &str) -> bool {
    policy_list(0).any(|t| t == tag)
}

/// Whether the sanitizer drops element `tag` and everything inside it.
pub fn rich_drops(tag: &str) -> bool {
    policy_list(1).any(|t| t == tag)
}

/// Whether attribute `name` on element `tag` may stay with `value` (an `href` resolved to an
/// absolute URL by the shell).
pub fn rich_attribute(tag: &str, name: &str, value: &str) -> bool {
    if !policy_list(2).any(|a| a == name) {
        return false;
    }
    if name != "href" {
        return true;
    }
    let value = value.trim_start().to_ascii_lowercase();
    tag == "a" && policy_list(3).any(|scheme| value.starts_with(scheme))
}

fn policy_list(n: usize) -> impl Iterator<Item = &'static str> {
    RICH_POLICY.split('|').nth(n).unwrap_or_default().split_ascii_whitespace()
}

/// What the shell knows about one form control.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FieldFacts<'a> {
    /// Lower-case tag name: input, textarea, select.
    pub tag: &'a str,
    /// The input's `type` attribute (any case; empty means text).
    pub input_type: &'a str,
    /// The `name` attribute.
    pub name: &'a str,
    /// The `autocomplete` attribute.
    pub autocomplete: &'a str,
    /// `data-session-draft="off"` on the field or its form.
    pub opted_out: bool,
    /// The `id` attribute.
    pub id: &'a str,
    /// The field's label: its first `<label>`'s text, or `aria-label`.
    pub label: &'a str,
}

const NEVER_TYPES: [&str; 8] = ["password", "hidden", "file", "submit", "button", "reset", "image", "search-token"];
const NEVER_AUTOCOMPLETE: [&str; 3] = ["one-time-code", "current-password", "new-password"];
/// Words of a name, id or label that mean a secret, as ` word ` (or words) in its spaced
/// form ([`says_secret`]): whole words only, so "pinned", "spinach", "discard" stay.
const SECRET_WORDS: [&str; 28] = [
    " pin ", " ssn ", " iban ", " secret ", " token ", " otp ", " totp ", " cvv", " cvc ", " card ", " nonce ", " pwd ",
    " passcode ", " api key ", " apikey ", " security answer ", " verification code ", " social security ", " my number ",
    " mynumber ", " tax id ", " taxid ", "csrf", "xsrf", "password", "passwd", "cardnumber", "ccnum",
];
/// Labels in Japanese that say the same (PIN, My Number, card, security code, secret
/// question, verification code, one-time, password).
const SECRET_LABEL_PARTS: [&str; 10] =
    ["暗証", "マイナンバー", "個人番号", "カード", "セキュリティコード", "秘密の質問", "認証コード", "確認コード", "ワンタイム", "パスワード"];

/// Whether a name, id or label says the field holds a secret. The text is first spaced into
/// lower-case ASCII words, split on anything but letters and digits and where camelCase starts
/// a word: `api_key`, `apiKey`, `API key` all read ` api key `.
pub fn says_secret(text: &str) -> bool {
    if text.is_empty() {
        return false;
    }
    let bytes = text.as_bytes();
    let mut spaced = String::from(" ");
    for (i, &b) in bytes.iter().enumerate() {
        let prev = if i > 0 { bytes[i - 1] } else { b' ' };
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        if !b.is_ascii_alphanumeric() {
            spaced.push(' ');
            continue;
        }
        if b.is_ascii_uppercase() && (prev.is_ascii_lowercase() || (prev.is_ascii_uppercase() && next.is_ascii_lowercase())) {
            spaced.push(' ');
        }
        spaced.push(b.to_ascii_lowercase() as char);
    }
    spaced.push(' ');
    SECRET_WORDS.iter().any(|word| find(&spaced, word, false).is_some())
        || SECRET_LABEL_PARTS.iter().any(|part| find(text, part, false).is_some())
}

/// Whether and how a control is saved. `None`: never, and no option can change that.
pub fn field_kind(f: &FieldFacts) -> Option<FieldKind> {
    if f.opted_out || f.name.is_empty() || [f.name, f.id, f.label].iter().any(|text| says_secret(text)) {
        return None;
    }
    let secret_autocomplete = f.autocomplete.split_ascii_whitespace().any(|token| {
        let token = token.to_ascii_lowercase();
        token.starts_with("cc-") || NEVER_AUTOCOMPLETE.contains(&token.as_str())
    });
    if secret_autocomplete {
        return None;
    }
    match f.tag {
        TAG_EDITABLE => Some(FieldKind::Rich),
        TAG_CUSTOM => Some(FieldKind::Custom),
        // A form-associated custom element that exposes `value`: what it says is its value.
        tag if tag.contains('-') => Some(FieldKind::Custom),
        "textarea" => Some(FieldKind::Text),
        "select" => Some(FieldKind::Select),
        "input" => {
            let input_type = f.input_type.to_ascii_lowercase();
            match input_type.as_str() {
                "checkbox" => Some(FieldKind::Checkbox),
                "radio" => Some(FieldKind::Radio),
                t if NEVER_TYPES.contains(&t) => None,
                _ => Some(FieldKind::Text),
            }
        }
        _ => None,
    }
}

/// Whether a control is a file input whose files' names (never the files: [`field_kind`] says
/// `None`) are kept, for the restore to say which files to attach again. The same secrets rules.
pub fn names_files(f: &FieldFacts) -> bool {
    f.tag == "input"
        && f.input_type.eq_ignore_ascii_case("file")
        && field_kind(&FieldFacts { input_type: "text", ..*f }).is_some()
}

/// A saveable control: its position in `form.elements`, what it is, and its key in the draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Control {
    /// Its position in `form.elements`.
    pub index: usize,
    /// How it is saved.
    pub kind: FieldKind,
    /// Its key in the draft ([`field_key`]).
    pub key: String,
}

fn text_at(list: &[Value], i: usize) -> &str {
    match list.get(i) {
        Some(Value::Str(s)) => s,
        _ => "",
    }
}

/// A text field's value or default in a reading: the text, or the number of a long
/// text the shell holds ([`FieldValue::Held`]).
fn take_text(list: &mut [Value], i: usize) -> FieldValue {
    match list.get_mut(i) {
        Some(Value::Str(s)) => FieldValue::Text(std::mem::take(s)),
        Some(Value::Number(n)) if *n >= 0.0 && *n <= u32::MAX as f64 => FieldValue::Held(*n as u32),
        _ => FieldValue::Text(String::new()),
    }
}

fn flag_at(list: &[Value], i: usize) -> bool {
    matches!(list.get(i), Some(Value::Bool(true)))
}

/// One element as the shell read it: a fact row ([`super::form_record`]), decoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FactRow<'a> {
    /// What the rules read ([`field_kind`]). `name` is the element's own, before
    /// [`controls`] names a region or custom field without one by its id.
    pub facts: FieldFacts<'a>,
    /// A checkbox's or radio's `value` ("" for any other element).
    pub value: &'a str,
}

/// Decodes one fact row; a missing or mistyped position reads as "" (or `false`).
pub fn fact_row(row: &[Value]) -> FactRow<'_> {
    FactRow {
        facts: FieldFacts {
            tag: text_at(row, FACT_TAG),
            input_type: text_at(row, FACT_TYPE),
            name: text_at(row, FACT_NAME),
            autocomplete: text_at(row, FACT_AUTOCOMPLETE),
            opted_out: flag_at(row, FACT_OPTED_OUT),
            id: text_at(row, FACT_ID),
            label: text_at(row, FACT_LABEL),
        },
        value: text_at(row, FACT_VALUE),
    }
}

/// The saveable controls of a form, from the shell's facts about every element of
/// `form.elements`, in order: one fact row each ([`fact_row`], positions in
/// [`super::form_record`]; the value only for checkboxes and radios: it keys them).
/// A text field or select is known by its name and type and, where several share both, its
/// place among them and their number: a field a deploy inserts ahead of others of the same
/// name changes the keys of all of them, so none gets a neighbour's value.
pub fn controls(facts: &Value) -> Vec<Control> {
    let Value::List(elements) = facts else { return Vec::new() };
    // Names with types (and their hashes, compared first: forms have hundreds of fields) of the
    // text fields and selects, to number those sharing them: (hash, name, count so far).
    let mut seen: Vec<(u32, usize)> = Vec::new();
    let mut controls = Vec::new();
    // Each text field's or select's name hash, and its place in `controls`.
    let mut numbered: Vec<(u32, usize)> = Vec::new();
    for (index, element) in elements.iter().enumerate() {
        let Value::List(f) = element else { continue };
        let FactRow { mut facts, value } = fact_row(f);
        let tag = facts.tag;
        // A region or custom field without a name is known by its id, else by its kind and place.
        if facts.name.is_empty() && (tag.starts_with('#') || tag.contains('-')) {
            // Without `#`: a key with one is known by its place, which a changed form forgets.
            facts.name = if facts.id.is_empty() { tag.trim_start_matches('#') } else { facts.id };
        }
        let name = facts.name;
        let Some(kind) = field_kind(&facts).or_else(|| names_files(&facts).then_some(FieldKind::Files)) else { continue };
        let key = match kind {
            FieldKind::Text | FieldKind::Select | FieldKind::Rich | FieldKind::Custom | FieldKind::Files => {
                let mut key = String::from(name);
                let input_type = facts.input_type;
                if facts.tag == "input" && !input_type.is_empty() && !input_type.eq_ignore_ascii_case("text") {
                    key.push(':');
                    key.push_str(input_type);
                }
                // Never the key of a plain field of the same name: its value is not one for them.
                if matches!(kind, FieldKind::Rich | FieldKind::Custom) {
                    key.push_str(if kind == FieldKind::Rich { ":rich" } else { ":custom" });
                }
                // By hash alone: two names sharing one are numbered together, their keys still apart.
                let hash = fnv1a(&key);
                let occurrence = match seen.iter_mut().find(|(h, _)| *h == hash) {
                    Some((_, count)) => {
                        *count += 1;
                        *count - 1
                    }
                    None => {
                        seen.push((hash, 1));
                        0
                    }
                };
                // Numbered once all are counted, below.
                numbered.push((hash, controls.len()));
                key.push('#');
                push_number(&mut key, occurrence as u64);
                key
            }
            _ => field_key(kind, name, value, 0),
        };
        controls.push(Control { index, kind, key });
    }
    // `name#i` → `name` when it is the only one, else `name#i/n`.
    for (hash, at) in numbered {
        let count = seen.iter().find(|(h, _)| *h == hash).map_or(1, |(_, c)| *c);
        let Some(control) = controls.get_mut(at) else { continue };
        if count == 1 {
            // The only one: `name#0` → `name`.
            control.key.truncate(control.key.len() - 2);
        } else {
            control.key.push('/');
            push_number(&mut control.key, count as u64);
        }
    }
    controls
}

/// The fields of a form now, from the shell's reading of each control (in the order of
/// `controls`): a value row each, of a text, a checkable or a select by the control's kind
/// (positions in [`super::form_record`]). Radio groups become one field.
pub fn current_fields(controls: &[Control], values: Value) -> Vec<CurrentField> {
    let Value::List(mut values) = values else { return Vec::new() };
    let mut fields: Vec<CurrentField> = Vec::with_capacity(controls.len());
    for (control, read) in controls.iter().zip(values.iter_mut()) {
        let Value::List(v) = read else { continue };
        let key = control.key.clone();
        match control.kind {
            FieldKind::Text | FieldKind::Rich | FieldKind::Custom | FieldKind::Files => fields.push(CurrentField {
                key,
                value: take_text(v, TEXT_VALUE),
                default: take_text(v, TEXT_DEFAULT)
            }),
            FieldKind::Checkbox => fields.push(CurrentField {
                key,
                value: FieldValue::Checked(flag_at(v, CHECKABLE_CHECKED)),
                default: FieldValue::Checked(flag_at(v, CHECKABLE_DEFAULT_CHECKED))
            }),
            FieldKind::Select => {
                let (mut value, mut default) = (Vec::new(), Vec::new());
                let options = match v.get(SELECT_OPTIONS) {
                    Some(Value::List(options)) => options.as_slice(),
                    _ => &[],
                };
                for option in options {
                    let Value::List(o) = option else { continue };
                    if flag_at(o, OPTION_SELECTED) {
                        value.push(text_at(o, OPTION_VALUE).into());
                    }
                    if flag_at(o, OPTION_DEFAULT_SELECTED) {
                        default.push(text_at(o, OPTION_VALUE).into());
                    }
                }
                // A single select with no `selected` option shows its first option,
                // which is what the server rendered (and what `form.reset()` gives).
                if default.is_empty() && !flag_at(v, SELECT_MULTIPLE) {
                    if let Some(Value::List(first)) = options.first() {
                        default.push(text_at(first, OPTION_VALUE).into());
                    }
                }
                fields.push(CurrentField { key, value: FieldValue::Selected(value), default: FieldValue::Selected(default) });
            }
            FieldKind::Radio => {
                // One field per group: the first radio of a name adds it.
                let group = match fields.iter().position(|f| f.key == key) {
                    Some(at) => at,
                    None => {
                        let none = FieldValue::Choice(String::new());
                        fields.push(CurrentField { key, value: none.clone(), default: none });
                        fields.len() - 1
                    }
                };
                let Some(group) = fields.get_mut(group) else { continue };
                if flag_at(v, CHECKABLE_CHECKED) {
                    group.value = FieldValue::Choice(text_at(v, CHECKABLE_VALUE).into());
                }
                if flag_at(v, CHECKABLE_DEFAULT_CHECKED) {
                    group.default = FieldValue::Choice(text_at(v, CHECKABLE_VALUE).into());
                }
            }
        }
    }
    fields
}

/// A field's value, or a checkbox/radio group's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue {
    /// A text field's value.
    Text(String),
    /// A long text that stays with the shell, by its number: a 200 KB textarea is never
    /// copied into the core, scanned or escaped. The shell says whether two are equal
    /// ([`changed_fields`]) and stores each under its own key ([`text_key`]).
    /// In a record read back from storage: the number of a text stored beside it ([`text_key`]).
    Held(u32),
    /// A checkbox's state.
    Checked(bool),
    /// The checked radio's value in a group ("" when none).
    Choice(String),
    /// The selected options' values.
    Selected(Vec<String>),
}

/// The key of a field inside its form: its name, with the checkbox value for
/// checkbox groups and an occurrence index when several text fields share a name.
pub fn field_key(kind: FieldKind, name: &str, value: &str, occurrence: usize) -> String {
    let mut key = String::from(name);
    match kind {
        FieldKind::Checkbox => {
            key.push('=');
            key.push_str(value);
        }
        FieldKind::Radio => {}
        FieldKind::Text | FieldKind::Select | FieldKind::Rich | FieldKind::Custom | FieldKind::Files if occurrence > 0 => {
            key.push('#');
            push_number(&mut key, occurrence as u64);
        }
        _ => {}
    }
    key
}

/// A field's value and what the server rendered: as saved in a draft, or as the page
/// has it now ([`CurrentField`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedField {
    /// The field's key in its form ([`field_key`]).
    pub key: String,
    /// What the user left in it.
    pub value: FieldValue,
    /// What the server rendered (when the draft was saved, for a saved one).
    pub default: FieldValue,
}

/// One form's draft as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftRecord {
    /// When it was saved (epoch ms).
    pub saved_at: u64,
    /// The page it was saved on.
    pub url: String,
    /// Hash of the form's field keys, to notice a form that changed shape.
    pub signature: u32,
    /// The form was submitted; deleted once the next page proves the submission succeeded.
    pub pending: bool,
    /// The changed fields.
    pub fields: Vec<SavedField>,
}

/// The held texts of a record in the order [`encode`] numbers them: for a record of the
/// page, the shell's numbers (what to write under `text_key(key, 0)`, `1`, …); for one
/// read back from storage, its text numbers, `0, 1, …`.
pub fn held_texts(record: &DraftRecord) -> Vec<u32> {
    let mut held = Vec::new();
    for field in &record.fields {
        for value in [&field.value, &field.default] {
            if let FieldValue::Held(number) = value {
                held.push(*number);
            }
        }
    }
    held
}

/// A form's shape: the hash of its controls' keys, in order.
pub fn signature<'a>(keys: impl IntoIterator<Item = &'a str>) -> u32 {
    let mut all = String::new();
    for key in keys {
        all.push_str(key);
        all.push('\n');
    }
    fnv1a(&all)
}

/// `held`: the held texts written so far, each stored as the next text number.
fn push_json_value(out: &mut String, value: &FieldValue, held: &mut u64) {
    match value {
        FieldValue::Text(text) | FieldValue::Choice(text) => push_json_string(out, text),
        FieldValue::Held(_) => {
            push_number(out, *held);
            *held += 1;
        }
        FieldValue::Checked(checked) => out.push_str(if *checked { "true" } else { "false" }),
        FieldValue::Selected(values) => {
            out.push('[');
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json_string(out, v);
            }
            out.push(']');
        }
    }
}

fn kind_tag(value: &FieldValue) -> &'static str {
    match value {
        FieldValue::Text(_) | FieldValue::Held(_) => "t",
        FieldValue::Checked(_) => "c",
        FieldValue::Choice(_) => "r",
        FieldValue::Selected(_) => "s",
    }
}

/// What [`encode`] writes right after a record's time: the text from here on is the same in
/// two records of the same form that differ only in when they were saved. form_io.js
/// `sameButTime` compares from its first occurrence (a URL's quotes are escaped: never one
/// inside the URL), and is given it by src/browser/drafts.rs.
pub const AFTER_SAVED_AT: &str = ",\"url\":";

/// The record as stored, JSON: `{"v":1,"at":…,"url":"…","sig":…,"pending":false,"f":[["key","t","value","default"],…]}`.
/// A held text is stored under its own key ([`text_key`]); the record has its number
/// there, in the order of [`held_texts`].
pub fn encode(record: &DraftRecord) -> String {
    let mut out = String::from("{\"v\":");
    push_number(&mut out, SCHEMA_VERSION);
    out.push_str(",\"at\":");
    push_number(&mut out, record.saved_at);
    // Everything the record says but its time follows ([`AFTER_SAVED_AT`]).
    out.push_str(AFTER_SAVED_AT);
    push_json_string(&mut out, &record.url);
    out.push_str(",\"sig\":");
    push_number(&mut out, record.signature as u64);
    out.push_str(",\"pending\":");
    out.push_str(if record.pending { "true" } else { "false" });
    out.push_str(",\"f\":[");
    let mut held = 0;
    for (i, field) in record.fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        push_json_string(&mut out, &field.key);
        out.push_str(",\"");
        out.push_str(kind_tag(&field.value));
        out.push_str("\",");
        push_json_value(&mut out, &field.value, &mut held);
        out.push(',');
        push_json_value(&mut out, &field.default, &mut held);
        out.push(']');
    }
    out.push_str("]}");
    out
}

fn decode_value(tag: &str, value: &Value) -> Option<FieldValue> {
    Some(match (tag, value) {
        ("t", Value::Str(s)) => FieldValue::Text(s.clone()),
        ("t", Value::Number(_)) => FieldValue::Held(whole_number(Some(value), u32::MAX as f64)? as u32),
        ("r", Value::Str(s)) => FieldValue::Choice(s.clone()),
        ("c", Value::Bool(b)) => FieldValue::Checked(*b),
        ("s", Value::List(items)) => {
            let mut selected = Vec::with_capacity(items.len());
            for item in items {
                let Value::Str(s) = item else { return None };
                selected.push(s.clone());
            }
            FieldValue::Selected(selected)
        }
        _ => return None,
    })
}

fn whole_number(value: Option<&Value>, max: f64) -> Option<u64> {
    match value? {
        Value::Number(n) if n.is_finite() && *n >= 0.0 && *n <= max && n.fract() == 0.0 => Some(*n as u64),
        _ => None,
    }
}

/// Decodes a stored record (parsed by the shell with `JSON.parse`). Anything
/// foreign, corrupt or from another schema version is an error, never a panic.
pub fn decode(value: &Value) -> Result<DraftRecord, &'static str> {
    if !matches!(value, Value::Map(_)) {
        return Err("not a draft record");
    }
    let get = |key| value.field(key);
    if whole_number(get("v"), 1e6) != Some(SCHEMA_VERSION) {
        return Err("unknown draft schema version");
    }
    let saved_at = whole_number(get("at"), 1e16).ok_or("bad savedAt")?;
    let Some(Value::Str(url)) = get("url") else { return Err("bad url") };
    let signature = whole_number(get("sig"), u32::MAX as f64).ok_or("bad signature")? as u32;
    let pending = matches!(get("pending"), Some(Value::Bool(true)));
    let Some(Value::List(items)) = get("f") else { return Err("bad fields") };
    let mut fields = Vec::with_capacity(items.len());
    for item in items {
        let Value::List(parts) = item else { return Err("bad field") };
        let [Value::Str(key), Value::Str(tag), value, default] = parts.as_slice() else { return Err("bad field") };
        let value = decode_value(tag, value).ok_or("bad field value")?;
        let default = decode_value(tag, default).ok_or("bad field value")?;
        fields.push(SavedField { key: key.clone(), value, default });
    }
    Ok(DraftRecord { saved_at, url: url.clone(), signature, pending, fields })
}

/// A record is kept while younger than the TTL.
pub fn is_expired(record: &DraftRecord, now: u64, ttl_ms: u64) -> bool {
    now.saturating_sub(record.saved_at) > ttl_ms
}

/// What this page load says of a form submitted just before it (a draft saved `pending`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// A signed-in page, reached by a navigation, served without an error status.
    Succeeded,
    /// An error page (status 400 or more): the submission did not go through, e.g. a
    /// stale CSRF token, and the user will want the draft back.
    Failed,
    /// The login page or the page after it (the session was gone), or a page reached by
    /// going back or reloading, which is not the submission's answer.
    Unknown,
}

/// `navigation_type` and `status` are the page's navigation entry's `type` and
/// `responseStatus`: `""` and `0` where the browser does not tell.
pub fn submit_outcome(after_login: bool, navigation_type: &str, status: f64) -> SubmitOutcome {
    if after_login {
        SubmitOutcome::Unknown
    } else if status >= 400.0 {
        SubmitOutcome::Failed
    } else if navigation_type == "navigate" || navigation_type.is_empty() {
        SubmitOutcome::Succeeded
    } else {
        SubmitOutcome::Unknown
    }
}

/// What happens to one stored key at start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sweep {
    /// Keep it as it is.
    Keep,
    /// Keep, as an ordinary draft: its submission failed.
    Reopen,
    /// Older than the TTL, another user's, or a submission that went through.
    Delete,
    /// Ours but unreadable: delete and report.
    Corrupt,
}

/// The start-up sweep for one key of ours. `record` is `Err` when it failed to decode.
pub fn sweep(
    key: &str,
    record: &Result<DraftRecord, &'static str>,
    user: &str,
    now: u64,
    ttl_ms: u64,
    submit: SubmitOutcome,
) -> Sweep {
    if !key.starts_with(&user_prefix(user)) {
        // Another user's drafts and markers (or an older schema's): never shown to this user.
        return Sweep::Delete;
    }
    if !is_draft_key(key) {
        // This user's resume marker, login time, tabs' shared view: not drafts.
        return Sweep::Keep;
    }
    match record {
        Err(_) => Sweep::Corrupt,
        Ok(r) if is_expired(r, now, ttl_ms) => Sweep::Delete,
        Ok(r) if r.pending && submit == SubmitOutcome::Succeeded => Sweep::Delete,
        Ok(r) if r.pending && submit == SubmitOutcome::Failed => Sweep::Reopen,
        Ok(_) => Sweep::Keep,
    }
}

/// A field as the page has it now. The same type as a saved one: every `Vec<T>` type
/// costs its own wasm code.
pub type CurrentField = SavedField;

/// Which saved values to write into the form: those whose field is untouched
/// (value still the server's default) and whose server default has not changed
/// since the save — a field the server filled differently wins. Saved fields
/// not on the page yet are returned separately, to apply when they appear.
/// `signature`: the form's now ([`signature`] of its controls' keys). When it is not the one
/// saved, the form changed: a field known by its place among others of its name (`name#i/n`)
/// may be another one now, and keeps its own value.
pub fn restore_plan(saved: &DraftRecord, current: &[CurrentField], signature: u32) -> (Vec<(String, FieldValue)>, Vec<SavedField>) {
    let mut apply = Vec::new();
    let mut later = Vec::new();
    let mut hint = 0;
    for field in &saved.fields {
        if signature != saved.signature && field.key.bytes().any(|b| b == b'#') {
            continue;
        }
        let found = position_of(current, &field.key, hint);
        hint = found.map_or(hint, |at| at + 1);
        match found.and_then(|at| current.get(at)) {
            Some(now) if may_restore(field, now) => apply.push((field.key.clone(), field.value.clone())),
            Some(_) => {}
            None => later.push(field.clone()),
        }
    }
    (apply, later)
}

/// Whether a saved value goes back into the field now there under its key: the same kind
/// of field, untouched (still the server's default), rendered as when the draft was saved.
/// A select takes it only with every saved option still offered, and a radio group only
/// with the saved radio still there (the write looks for them); else they keep their own.
pub fn may_restore(saved: &SavedField, now: &CurrentField) -> bool {
    kind_tag(&saved.value) == kind_tag(&now.value)
        && now.value == now.default
        && now.default == saved.default
        && now.value != saved.value
}

/// Where the field with `key` is. A form's fields come in the same order each time it is
/// read, so the one at `hint` (just after the last one found) is tried first: a form of
/// hundreds of fields is matched in one pass instead of a search per field.
pub fn position_of(fields: &[SavedField], key: &str, hint: usize) -> Option<usize> {
    if fields.get(hint).is_some_and(|f| f.key == key) {
        return Some(hint);
    }
    fields.iter().position(|f| f.key == key)
}

/// Fields worth saving: those the user changed from the server's default, and with their
/// default at most [`MAX_FIELD_BYTES`] (the number of those left out comes second).
/// `same_held` says whether two held texts are equal, `held_units` a held text's length in
/// UTF-16 units. A held text never equals one that is not: the shell holds every text from a
/// length up, and only those.
pub fn changed_fields(
    mut current: Vec<CurrentField>,
    same_held: impl Fn(u32, u32) -> bool,
    held_units: impl Fn(u32) -> usize,
) -> (Vec<SavedField>, usize) {
    let mut left_out = 0;
    current.retain(|f| {
        let changed = match (&f.value, &f.default) {
            (FieldValue::Held(a), FieldValue::Held(b)) => a != b && !same_held(*a, *b),
            (value, default) => value != default,
        };
        let units = |value: &FieldValue| match value {
            FieldValue::Held(number) => held_units(*number),
            // UTF-8 bytes: at least the UTF-16 units.
            FieldValue::Text(text) => text.len(),
            _ => 0,
        };
        let fits = (units(&f.value) + units(&f.default)) * 2 <= MAX_FIELD_BYTES;
        left_out += (changed && !fits) as usize;
        changed && fits
    });
    (current, left_out)
}

/// The order to evict our own drafts when storage is full: oldest first, never `keep`.
pub fn eviction_order(mut records: Vec<(String, u64)>, keep: &str) -> Vec<String> {
    records.retain(|(key, _)| key != keep);
    // An insertion sort: a page holds a handful of drafts, and `sort_unstable` costs about
    // 3 KB of wasm.
    for i in 1..records.len() {
        let mut j = i;
        while j > 0 && records[j - 1].1 > records[j].1 {
            records.swap(j - 1, j);
            j -= 1;
        }
    }
    let mut order = Vec::with_capacity(records.len());
    for (key, _) in records {
        order.push(key);
    }
    order
}

/// The resume marker's value: when the session expired and on which path.
pub fn encode_resume(at: u64, path: &str) -> String {
    let mut out = String::new();
    push_number(&mut out, at);
    out.push('\n');
    out.push_str(path);
    out
}

/// The resume marker's `(at, path)`; `None` for anything else.
pub fn decode_resume(text: &str) -> Option<(u64, &str)> {
    let (at, path) = text.split_once('\n')?;
    let at = super::decimal::parse_decimal(at)?;
    (at >= 0.0 && at.fract() == 0.0).then_some((at as u64, path))
}

/// How a page load treats the drafts stored for its forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestoreMode {
    /// Write them back now: this load follows our own expiry (or a submit that hit the login page).
    Now,
    /// Offer them in the notice (and `sessionguard:draftsavailable`).
    Ask,
    /// Headless (`dialog: false`): only `sessionguard:draftsavailable`; the page offers them.
    Announce,
    /// Leave them to `guard.restoreDrafts()`.
    Wait,
}

/// `resumed`: the page follows this user's expiry on this path, or a submission bounced
/// to the login page. `restore` is the configured mode.
/// `notice`: the built-in UI is on (`dialog`).
pub fn restore_mode(restore: super::config::Restore, resumed: bool, notice: bool) -> RestoreMode {
    use super::config::Restore;
    match restore {
        Restore::Manual => RestoreMode::Wait,
        Restore::Auto if resumed => RestoreMode::Now,
        Restore::Auto | Restore::Prompt if notice => RestoreMode::Ask,
        Restore::Auto | Restore::Prompt => RestoreMode::Announce,
    }
}

/// A form's identity in its draft key: `#id`, `@name`, or `form<position>`; a form sharing
/// its id (or name) with earlier ones on the page gets its place among them too (`#id~1`), so
/// two forms never write each other's draft. `forms`: every form's `(id, name)`, in page order.
pub fn form_identity(forms: &[(String, String)], at: usize) -> String {
    let mut out = String::new();
    let Some(form @ (id, name)) = forms.get(at) else { return out };
    if id.is_empty() && name.is_empty() {
        out.push_str("form");
        push_number(&mut out, at as u64);
        return out;
    }
    out.push(if id.is_empty() { '@' } else { '#' });
    out.push_str(if id.is_empty() { name } else { id });
    let earlier = forms.iter().take(at).filter(|f| *f == form).count();
    if earlier > 0 {
        out.push('~');
        push_number(&mut out, earlier as u64);
    }
    out
}

/// One field larger than this (UTF-16 bytes, as localStorage counts, value and default
/// together) is left out of its draft and reported ([`changed_fields`]); the rest is saved.
pub const MAX_FIELD_BYTES: usize = 1024 * 1024;

/// What became of a save the shell carried out ([`DraftOutput::Save`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// Every changed field is in storage.
    Stored,
    /// In storage without the fields over [`MAX_FIELD_BYTES`].
    Partial,
    /// Nothing to keep: the form is as the server rendered it, its draft removed.
    Cleared,
    /// Not in storage (kept in memory for this page only): storage is full (`quota`)…
    Full,
    /// …or disabled.
    Unavailable,
}

/// What the shell tells the drafts machine. Forms are numbered by the shell, once each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftInput {
    /// The user (or a restore) changed form `n`.
    Edited(u32),
    /// Form `n` was submitted.
    Submitted(u32),
    /// Form `n` was reset to its defaults, or the app says its submission went through
    /// (`guard.discardDrafts(form)`): its draft goes.
    Discarded(u32),
    /// Save every form edited since its last save (debounce, hidden page, `pagehide`, expiry).
    Flush,
    /// How the save of form `n` went.
    Outcome(u32, Written),
}

/// What the drafts machine asks the shell to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftOutput {
    /// Read form `n` and store its changed fields; `pending`: it was submitted, and the draft
    /// goes once the next page shows the submission succeeded.
    Save {
        /// The form's number.
        form: u32,
        /// It was submitted.
        pending: bool,
    },
    /// Delete form `n`'s draft.
    Remove {
        /// The form's number.
        form: u32,
    },
    /// `sessionguard:draftsaved` for form `n`.
    Saved {
        /// The form's number.
        form: u32,
    },
    /// `sessionguard:error`: `quota` when true, else `storage`.
    Error {
        /// Storage is full (else refused).
        quota: bool,
        /// For developers.
        message: &'static str,
    },
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct FormState {
    form: u32,
    /// Changed since its last save.
    dirty: bool,
    /// Changed on this page: what the user would lose.
    edited: bool,
    /// Submitted on this page: every later save keeps it pending, whatever order `change`,
    /// `submit` and `pagehide` come in.
    submitted: bool,
    /// The last save's outcome (`None`: none yet).
    written: Option<Written>,
}

/// The drafts machine, sans-IO: what to save and when, what is really stored (the shell
/// reports each write), and what the user may be told. Composed by the session machine.
#[derive(Debug, Default)]
pub struct Drafts {
    enabled: bool,
    forms: Vec<FormState>,
    outputs: Vec<DraftOutput>,
}

impl Drafts {
    /// A drafts machine; `enabled`: the `drafts` option is on (off, it does nothing).
    pub fn new(enabled: bool) -> Drafts {
        Drafts { enabled, ..Drafts::default() }
    }

    /// Form `n`'s state: the shell numbers forms from 0 as it meets them.
    fn state(&mut self, form: u32) -> &mut FormState {
        while self.forms.len() <= form as usize {
            let next = self.forms.len() as u32;
            self.forms.push(FormState { form: next, ..FormState::default() });
        }
        &mut self.forms[form as usize]
    }

    /// Takes one draft input; the outputs wait in [`Drafts::poll_output`].
    pub fn handle(&mut self, input: DraftInput) {
        if !self.enabled {
            return;
        }
        match input {
            DraftInput::Edited(form) => {
                let state = self.state(form);
                state.dirty = true;
                state.edited = true;
            }
            DraftInput::Submitted(form) => {
                let state = self.state(form);
                state.submitted = true;
                state.edited = true;
                state.dirty = false;
                self.outputs.push(DraftOutput::Save { form, pending: true });
            }
            DraftInput::Discarded(form) => {
                *self.state(form) = FormState { form, ..FormState::default() };
                self.outputs.push(DraftOutput::Remove { form });
            }
            DraftInput::Flush => {
                for state in &mut self.forms {
                    if state.dirty {
                        state.dirty = false;
                        self.outputs.push(DraftOutput::Save { form: state.form, pending: state.submitted });
                    }
                }
            }
            DraftInput::Outcome(form, written) => {
                self.state(form).written = Some(written);
                if matches!(written, Written::Stored | Written::Partial) {
                    self.outputs.push(DraftOutput::Saved { form });
                }
                let message = match written {
                    Written::Partial => "a field over the size cap was left out",
                    Written::Full | Written::Unavailable => "storage refused the draft; kept in memory",
                    _ => return,
                };
                self.outputs.push(DraftOutput::Error { quota: written != Written::Unavailable, message });
            }
        }
    }

    /// The next output; their order does not matter (each concerns one form, or reports).
    pub fn poll_output(&mut self) -> Option<DraftOutput> {
        self.outputs.pop()
    }

    /// What the expired dialog may say of the user's input: `None` without drafts, else whether
    /// every form edited on this page is stored as it is now (nothing waits to be written).
    pub fn saved(&self) -> Option<bool> {
        self.enabled.then(|| {
            self.forms.iter().all(|f| {
                !f.edited || (!f.dirty && matches!(f.written, Some(Written::Stored | Written::Cleared)))
            })
        })
    }
}
