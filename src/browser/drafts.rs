//! Form drafts in the page: reads guarded forms, writes records to storage,
//! and writes saved values back so frameworks notice. The rules (what is
//! saved, keys, merge, sweep) are the core's; this module only moves values.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, JsString};
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event, Window};

use super::cell::Lend;
use super::events;
use super::listener::{Callback, Mutations};

use super::page::{prop, prop_string};
use super::storage::{Entries, Sealer, Store, StoreError};
use crate::core::config::{Config, Drafts as DraftsOption};
use crate::core::drafts::{
    changed_fields, controls, AFTER_SAVED_AT, current_fields, decode, decode_resume, draft_key, encode, encode_resume,
    eviction_order, form_identity, held_texts, is_draft_key, is_text_key, position_of,
    resume_key, restore_plan, restore_mode, signature, submit_outcome, sweep, text_key, user_prefix, Control, CurrentField,
    DraftInput, DraftOutput, DraftRecord, FieldKind, FieldValue, RestoreMode, Sweep, Written,
};
use crate::core::i18n::{MessageKey, Messages};
use crate::core::json;
use crate::core::options::Value;

#[wasm_bindgen(module = "/src/browser/dom.js")]
extern "C" {
    /// The drafts notice, fixed at the bottom of the viewport and read out politely: `text`,
    /// then a button per `[action, label, …]`; a click on one calls `on_action` with its
    /// action. `None` on a page without a body.
    #[wasm_bindgen(js_name = noticeNew)]
    fn notice_new(document: &Document, lang: &str, nonce: Option<&str>, text: &str, actions: &Array, on_action: &JsValue) -> Option<Element>;
}

#[wasm_bindgen(module = "/src/browser/form_io.js")]
extern "C" {
    #[wasm_bindgen(js_name = formFacts)]
    fn form_facts(form: &Element, known: f64, generation: u32) -> Option<Vec<u8>>;
    #[wasm_bindgen(js_name = formValues)]
    fn form_values(form: &Element, indexes: &[u32], baseline: bool) -> Vec<u8>;
    #[wasm_bindgen(js_name = sameText)]
    fn same_text(form: &Element, a: u32, b: u32) -> bool;
    #[wasm_bindgen(js_name = heldText)]
    fn held_text(form: &Element, number: u32) -> JsString;
    #[wasm_bindgen(js_name = sameButTime)]
    fn same_but_time(a: &JsString, b: &JsString, after_time: &str) -> bool;
    #[wasm_bindgen(js_name = formElement)]
    fn form_element(form: &Element, index: u32) -> JsValue;
    #[wasm_bindgen(js_name = writeValue)]
    fn write_value(form: &Element, index: u32, value: &str) -> bool;
    #[wasm_bindgen(js_name = writeChecked)]
    fn write_checked(form: &Element, index: u32, checked: bool);
    #[wasm_bindgen(js_name = writeSelected)]
    fn write_selected(form: &Element, index: u32, values: &Array) -> bool;
    #[wasm_bindgen(js_name = richPolicy)]
    fn rich_policy(policy: &str);
    #[wasm_bindgen(js_name = formOf)]
    fn form_of(target: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = draftRoots)]
    fn draft_roots(document: &Document) -> Array;
    #[wasm_bindgen(js_name = relayEdits)]
    fn relay_edits(document: &Document, relay: &js_sys::Function) -> js_sys::Function;
    #[wasm_bindgen(js_name = registerField)]
    fn register_field(element: &JsValue, handlers: &JsValue) -> JsValue;
}

/// `guard.registerField(element, {read, write})`: a field the guard reads and writes through
/// code. Returns the function that unregisters it.
pub(super) fn register(element: &JsValue, handlers: &JsValue) -> JsValue {
    register_field(element, handlers)
}

fn attribute(element: &Element, name: &str) -> String {
    element.get_attribute(name).unwrap_or_default()
}

/// What the shell gave [`Drafts::listen`] to feed the drafts machine.
type Feed = Rc<dyn Fn(DraftInput)>;

/// A form, the `fact_changes` count its controls were read at, and the controls.
type FormControls = (Element, u32, Rc<Vec<Control>>);

/// A form, its controls, and their values when the guard first saw it.
type Baseline = (Element, Rc<Vec<Control>>, Vec<CurrentField>);

pub struct Drafts {
    window: Window,
    document: Document,
    store: Store,
    /// Seals records and texts with the user's `draftKey` (as they are without one).
    sealer: Sealer,
    messages: Messages,
    user: String,
    selector: Option<String>,
    ttl_ms: u64,
    restore: crate::core::config::Restore,
    dialog: bool,
    login_path: Option<String>,
    /// The forms the drafts machine knows, by their number there.
    forms: RefCell<Vec<Element>>,
    /// Each form's values when the guard first saw it: what the server rendered. Frameworks
    /// such as React keep `defaultValue` equal to the current value, so it cannot tell.
    baselines: RefCell<Vec<Baseline>>,
    /// What each key last held, to skip writes that change nothing.
    written: RefCell<Entries<JsString>>,
    /// Fields being restored that are not on the page yet, by form identity.
    waiting: RefCell<Vec<(String, DraftRecord)>>,
    /// Watches for fields that appear later, while some are waiting.
    late_fields: RefCell<Option<Mutations>>,
    /// Each form's saveable controls, and the `fact_changes` count they were read at.
    controls: RefCell<Vec<FormControls>>,
    /// Changes of the attributes that controls depend on, anywhere in the document.
    fact_changes: Rc<Cell<u32>>,
    fact_watch: RefCell<Option<Mutations>>,
    notice: RefCell<Option<(Element, Callback)>>,
    /// Feeds the drafts machine (through the shell, which also debounces the save).
    feed: RefCell<Option<Feed>>,
    nonce: Option<String>,
    /// Set once drafts were restored on this page: forms of iframes loaded later are restored too.
    restored: Cell<bool>,
    /// The forms restored on this page.
    filled: RefCell<Vec<Element>>,
    /// The relay of the page's and its same-origin iframes' edits, focuses, submits, resets and
    /// iframe loads, and the function that stops it.
    relay: RefCell<Option<(Callback, js_sys::Function)>>,
}

impl Drafts {
    pub fn new(window: &Window, document: &Document, config: &Config, messages: &Messages) -> Option<Rc<Drafts>> {
        let selector = match &config.drafts {
            DraftsOption::Off => return None,
            DraftsOption::AllForms => None,
            DraftsOption::Selector(s) => Some(s.clone()),
        };
        let login_path = config
            .login_url
            .as_deref()
            .and_then(|u| super::page::path_of(window, u));
        rich_policy(crate::core::drafts::RICH_POLICY);
        Some(Rc::new(Drafts {
            window: window.clone(),
            document: document.clone(),
            store: Store::open(window),
            sealer: Sealer::new(&config.draft_keys),
            messages: messages.clone(),
            user: config.user.clone(),
            selector,
            ttl_ms: config.draft_ttl_ms,
            restore: config.restore,
            dialog: config.dialog,
            login_path,
            forms: RefCell::new(Vec::new()),
            baselines: RefCell::new(Vec::new()),
            written: RefCell::default(),
            waiting: RefCell::new(Vec::new()),
            late_fields: RefCell::new(None),
            controls: RefCell::new(Vec::new()),
            fact_changes: Rc::new(Cell::new(0)),
            fact_watch: RefCell::new(None),
            notice: RefCell::new(None),
            feed: RefCell::new(None),
            nonce: config.csp_nonce.clone(),
            restored: Cell::new(false),
            filled: RefCell::new(Vec::new()),
            relay: RefCell::new(None),
        }))
    }

    /// Listens for edits, submits and resets: `feed` tells the drafts machine.
    pub fn listen(self: &Rc<Self>, feed: impl Fn(DraftInput) + 'static) {
        self.feed.with_mut(|slot| *slot = Some(Rc::new(feed)));
        // Focus comes before the first edit: the last moment a form added later shows its
        // server-rendered values. The events a restore dispatches for the page's frameworks
        // are not relayed (form_io.js).
        let weak = Rc::downgrade(self);
        let relay = Callback::wrap(Box::new(move |event: JsValue| {
            if let Some(drafts) = weak.upgrade() {
                drafts.on_event(event.unchecked_ref());
            }
        }));
        let stop = relay_edits(&self.document, relay.as_ref().unchecked_ref());
        self.relay.with_mut(|slot| *slot = Some((relay, stop)));
        // The facts `controls()` reads change with these attributes, or with the elements of a
        // form (form_io.js compares those itself).
        let filter: Array = ["type", "name", "autocomplete", "value", "data-session-draft"].iter().map(|a| JsValue::from_str(a)).collect();
        let init = super::page::object(&[("subtree", JsValue::TRUE), ("attributeFilter", filter.into())]);
        let changes = self.fact_changes.clone();
        let watch = Mutations::watch(&self.document, &init, move || changes.set(changes.get().wrapping_add(1)));
        self.fact_watch.with_mut(|slot| *slot = watch);
    }

    /// An edit, a focus, a submit or a reset in the page or one of its same-origin iframes, or
    /// the load of such an iframe (its forms are restored as the page's were).
    fn on_event(self: &Rc<Self>, event: &Event) {
        let kind = event.type_();
        match kind.as_str() {
            "input" | "change" => {
                if let Some(form) = self.guarded_form_of(event) {
                    self.edited(form);
                }
            }
            "focusin" => {
                if let Some(form) = self.guarded_form_of(event) {
                    self.baseline(&form);
                }
            }
            "submit" | "reset" => {
                let Some(form) = event.target() else { return };
                let form: Element = form.unchecked_into();
                if self.is_guarded(&form) {
                    let n = self.number(&form);
                    self.feed(if kind == "submit" { DraftInput::Submitted(n) } else { DraftInput::Discarded(n) });
                }
            }
            "load" if self.restored.get() => {
                for form in self.guarded_forms() {
                    self.baseline(&form);
                }
                self.restore_forms(WhichForms::NotFilledYet);
            }
            _ => {}
        }
    }

    fn feed(&self, input: DraftInput) {
        let feed = self.feed.with_ref(Option::clone).flatten();
        if let Some(feed) = feed {
            feed(input);
        }
    }

    /// The form's number in the drafts machine.
    fn number(&self, form: &Element) -> u32 {
        // Busy (re-entered): a number no form has, so the machine's outputs for it find no form.
        let Ok(mut forms) = self.forms.try_borrow_mut() else { return u32::MAX };
        let at = forms.iter().position(|f| f == form).unwrap_or_else(|| {
            forms.push(form.clone());
            forms.len() - 1
        });
        at as u32
    }

    fn edited(&self, form: Element) {
        self.feed(DraftInput::Edited(self.number(&form)));
    }

    /// Carries out one output of the drafts machine; what came of it goes back in.
    pub fn carry(&self, output: DraftOutput) -> Option<DraftInput> {
        let form = |n: u32| self.forms.with_ref(|forms| forms.get(n as usize).cloned()).flatten();
        match output {
            DraftOutput::Save { form: n, pending } => Some(DraftInput::Outcome(n, self.save_form(&form(n)?, pending))),
            DraftOutput::Remove { form: n } => {
                self.remove_draft(&self.key_of(&form(n)?));
                None
            }
            DraftOutput::Saved { form: n } => {
                events::emit(&self.document, "draftsaved", &[("form", form(n)?.into())]);
                None
            }
            DraftOutput::Error { quota, message } => {
                events::error(&self.document, if quota { "quota" } else { "storage" }, message);
                None
            }
        }
    }

    /// `guard.discardDrafts(form)`: the app says the form's submission went through (or
    /// every guarded form's, without one).
    pub fn discard(&self, only: &JsValue) {
        for form in self.guarded_forms() {
            if !only.is_object() || only == AsRef::<JsValue>::as_ref(&form) {
                self.feed(DraftInput::Discarded(self.number(&form)));
            }
        }
    }

    fn guarded_form_of(&self, event: &Event) -> Option<Element> {
        // Not `dyn_into`: an iframe's elements are not instances of this window's `Element`.
        let form = form_of(&event.composed_path().get(0));
        let form: Element = form.is_object().then(|| form.unchecked_into())?;
        self.is_guarded(&form).then_some(form)
    }

    /// A form, or an element marked `data-session-draft` (its fields are its contenteditable
    /// regions and registered fields), not opted out and matching the `drafts` selector.
    fn is_guarded(&self, form: &Element) -> bool {
        (prop_string(form, "tagName").eq_ignore_ascii_case("form") || form.has_attribute("data-session-draft"))
            && form.get_attribute("data-session-draft").as_deref() != Some("off")
            && self.selector.as_deref().is_none_or(|s| form.matches(s).unwrap_or(false))
    }

    fn guarded_forms(&self) -> Vec<Element> {
        let mut forms = Vec::new();
        for form in draft_roots(&self.document).iter() {
            if let Ok(form) = form.dyn_into::<Element>().or_else(|f| if f.is_object() { Ok(f.unchecked_into()) } else { Err(f) }) {
                if self.is_guarded(&form) {
                    forms.push(form);
                }
            }
        }
        forms
    }

    fn path(&self) -> String {
        super::page::path(&self.window)
    }

    /// The form's identity in its key, as the core decides from every form's id and name.
    fn form_id(&self, form: &Element) -> String {
        let mut all: Vec<JsValue> = draft_roots(&self.document).iter().collect();
        // A form no longer in the page (an SPA removed it) is known as if it were last.
        let at = all.iter().position(|f| f == AsRef::<JsValue>::as_ref(form)).unwrap_or_else(|| {
            all.push(form.into());
            all.len() - 1
        });
        let mut ids = Vec::with_capacity(all.len());
        for f in &all {
            let f: &Element = f.unchecked_ref();
            ids.push((attribute(f, "id"), attribute(f, "name")));
        }
        form_identity(&ids, at)
    }

    fn key_of(&self, form: &Element) -> String {
        draft_key(&self.user, &self.path(), &self.form_id(form))
    }

    /// The form's saveable controls, as the core decides from one reading of all its elements;
    /// the last ones while nothing they depend on changed. Reading 500 elements' attributes
    /// is most of what a save of a 500-field form costs otherwise.
    fn controls(&self, form: &Element) -> Rc<Vec<Control>> {
        // Without the watch nothing is known. A change made just now, in the same task, is
        // still in the observer's queue.
        let known = self.fact_watch.with_ref(|watch| watch.as_ref().and_then(|watch| {
            if watch.take_pending() {
                self.fact_changes.set(self.fact_changes.get().wrapping_add(1));
            }
            self.controls.with_ref(|cache| cache.iter().find(|(f, ..)| f == form).map(|(_, at, list)| (*at, list.clone()))).flatten()
        })).flatten();
        let now = self.fact_changes.get();
        let known_at = known.as_ref().map_or(-1.0, |(at, _)| *at as f64);
        match (form_facts(form, known_at, now), known) {
            (None, Some((_, list))) => list,
            (facts, _) => {
                let list = Rc::new(controls(&facts.and_then(json::parse_utf8).unwrap_or(Value::Null)));
                let Ok(mut cache) = self.controls.try_borrow_mut() else { return list };
                cache.retain(|(f, ..)| f != form && prop(f, "isConnected").as_bool().unwrap_or(false));
                cache.push((form.clone(), now, list.clone()));
                list
            }
        }
    }

    /// Current and server-default values of every saveable field (radio groups merged).
    /// Long texts stay in JS (form_io.js) as [`FieldValue::Held`]; a `baseline` reading's
    /// for as long as the form lives, another's until the next reading of the form.
    fn read(&self, form: &Element, controls: &[Control], reading: Reading) -> Vec<CurrentField> {
        let mut indexes = Vec::with_capacity(controls.len());
        for control in controls {
            indexes.push(control.index as u32);
        }
        current_fields(controls, json::parse_utf8(form_values(form, &indexes, reading == Reading::Baseline)).unwrap_or(Value::Null))
    }

    /// Records `form`'s values as its server-rendered state, the first time it is seen; a field
    /// that appeared since (an editor started, a field registered) is added as it is now.
    fn baseline(&self, form: &Element) {
        let controls = self.controls(form);
        let Ok(mut baselines) = self.baselines.try_borrow_mut() else { return };
        if let Some((_, seen_with, fields)) = baselines.iter_mut().find(|(f, ..)| f == form) {
            if !Rc::ptr_eq(seen_with, &controls) {
                for field in self.read(form, &controls, Reading::Baseline) {
                    if position_of(fields, &field.key, 0).is_none() {
                        fields.push(field);
                    }
                }
                *seen_with = controls;
            }
            return;
        }
        baselines.retain(|(f, ..)| prop(f, "isConnected").as_bool().unwrap_or(false));
        let fields = self.read(form, &controls, Reading::Baseline);
        baselines.push((form.clone(), controls, fields));
    }

    /// The form's fields now, with the server-rendered values as their defaults.
    fn current(&self, form: &Element, controls: &[Control]) -> Vec<CurrentField> {
        let mut fields = self.read(form, controls, Reading::Current);
        if let Some((.., baseline)) = self.baselines.try_borrow().ok().as_deref().and_then(|all| all.iter().find(|(f, ..)| f == form)) {
            let mut hint = 0;
            for field in &mut fields {
                if let Some(at) = position_of(baseline, &field.key, hint) {
                    hint = at + 1;
                    if let Some(seen) = baseline.get(at) {
                        field.default = seen.value.clone();
                    }
                }
            }
        }
        fields
    }

    /// [`Drafts::current`] with every text in the core, to compare with saved ones.
    fn current_texts(&self, form: &Element, controls: &[Control]) -> Vec<CurrentField> {
        let mut fields = self.current(form, controls);
        for field in &mut fields {
            for value in [&mut field.value, &mut field.default] {
                if let FieldValue::Held(number) = *value {
                    *value = FieldValue::Text(held_text(form, number).into());
                }
            }
        }
        fields
    }

    /// Saves every guarded form on the page (`guard.saveDrafts()`).
    pub fn save_all(&self) {
        for form in self.guarded_forms() {
            self.edited(form);
        }
        self.feed(DraftInput::Flush);
    }

    /// Stores the form's changed fields, as the core picks them, and says how that went.
    fn save_form(&self, form: &Element, pending: bool) -> Written {
        let controls = self.controls(form);
        let (fields, left_out) =
            changed_fields(self.current(form, &controls), |a, b| same_text(form, a, b), |n| held_text(form, n).length() as usize);
        let key = self.key_of(form);
        if fields.is_empty() {
            if self.written.with_ref(|written| written.get(&key).is_some()) == Some(true) {
                self.remove_draft(&key);
            }
            return Written::Cleared;
        }
        let record = DraftRecord {
            saved_at: super::page::now(),
            url: super::page::href(&self.window),
            signature: signature(controls.iter().map(|c| c.key.as_str())),
            pending,
            fields,
        };
        let mut parts = Vec::new();
        for (index, number) in held_texts(&record).into_iter().enumerate() {
            parts.push((text_key(&key, index as u32), held_text(form, number)));
        }
        let texts = parts.len();
        // The record last: it names the texts.
        parts.push((key.clone(), JsString::from(encode(&record))));
        let mut failed = None;
        for (at, (key, text)) in parts.iter().enumerate() {
            // Unchanged (a record: but for the time): nothing to write.
            let unchanged = self.written.with_ref(|written| written.get(key).is_some_and(|old| {
                if at < texts {
                    old == text
                } else {
                    same_but_time(old, text, AFTER_SAVED_AT)
                }
            })) == Some(true);
            if !unchanged {
                failed = self.write(key, text, &parts[texts].0).err().or(failed);
            }
        }
        // Busy (re-entered): what was written is not known here, so no success is claimed.
        let Ok(mut written) = self.written.try_borrow_mut() else { return Written::Unavailable };
        // Texts of this draft the record no longer names (fewer long texts than before). Those an
        // earlier page wrote go at the next start's sweep.
        for index in texts as u32.. {
            let old = text_key(&key, index);
            if written.get(&old).is_none() {
                break;
            }
            self.store.remove(&old);
            written.remove(&old);
        }
        for (key, text) in parts {
            // A write that failed is tried again at the next save.
            match failed {
                None => written.set(&key, text),
                Some(_) => written.remove(&key),
            }
        }
        match failed {
            Some(StoreError::Quota) => Written::Full,
            Some(StoreError::Unavailable) => Written::Unavailable,
            None if left_out > 0 => Written::Partial,
            None => Written::Stored,
        }
    }

    /// Removes a stored draft and its texts.
    fn remove_draft(&self, key: &str) {
        if let Some(Ok(record)) = self.load(key) {
            for index in held_texts(&record) {
                let text = text_key(key, index);
                self.store.remove(&text);
                self.written.with_mut(|written| written.remove(&text));
            }
        }
        self.store.remove(key);
        self.written.with_mut(|written| written.remove(key));
    }

    /// Writes a record or text of `draft`, evicting our own oldest other drafts when storage is
    /// full. On failure the store keeps it in memory.
    fn write(&self, key: &str, text: &JsString, draft: &str) -> Result<(), StoreError> {
        let text = &self.sealer.seal(key, text)?;
        let mut result = self.store.set_text(key, text);
        if result == Err(StoreError::Quota) {
            let mut ours = Vec::new();
            for k in self.store.keys() {
                if let (true, Some(Ok(record))) = (is_draft_key(&k), self.load(&k)) {
                    ours.push((k, record.saved_at));
                }
            }
            for victim in eviction_order(ours, draft) {
                self.remove_draft(&victim);
                result = self.store.set_text(key, text);
                if result != Err(StoreError::Quota) {
                    break;
                }
            }
        }
        result
    }

    fn load(&self, key: &str) -> Option<Result<DraftRecord, &'static str>> {
        Some(self.sealer.open(key, self.store.get(key)?).and_then(|text| parse_record(&text)))
    }

    /// A stored draft with its texts read back in place of their numbers (a field whose text
    /// is gone is left out). What storage holds counts as written: the restored values are
    /// the draft now, and an unchanged form must not write them again.
    fn load_with_texts(&self, key: &str) -> Option<DraftRecord> {
        let stored = self.sealer.open(key, self.store.get(key)?).ok()?;
        let record = parse_record(&stored).ok()?;
        let Ok(mut written) = self.written.try_borrow_mut() else { return None };
        written.set(key, JsString::from(stored));
        let mut fields = Vec::with_capacity(record.fields.len());
        'fields: for mut field in record.fields {
            for value in [&mut field.value, &mut field.default] {
                if let FieldValue::Held(index) = *value {
                    let key = text_key(key, index);
                    let Some(Ok(text)) = self.store.get(&key).map(|text| self.sealer.open(&key, text)) else { continue 'fields };
                    written.set(&key, JsString::from(text.as_str()));
                    *value = FieldValue::Text(text);
                }
            }
            fields.push(field);
        }
        Some(DraftRecord { fields, ..record })
    }

    /// At start: drops expired, foreign-user, corrupt and successfully submitted drafts,
    /// then restores or offers what is left for this page.
    pub fn start(self: &Rc<Self>, now: u64) {
        for form in self.guarded_forms() {
            self.baseline(&form);
        }
        if !self.store.is_available() {
            events::error(&self.document, "storage", "localStorage is unavailable; drafts are kept in memory");
        }
        let referrer_path = super::page::path_of(&self.window, &prop_string(&self.document, "referrer"));
        let from_login = match (&self.login_path, &referrer_path) {
            (Some(login), Some(referrer)) => crate::core::server::is_login_path(referrer, login),
            _ => false,
        };
        let on_login_page =
            self.login_path.as_deref().is_some_and(|login| crate::core::server::is_login_path(&self.path(), login));
        let navigation = super::observer::navigation_entry(&self.window);
        let submit = submit_outcome(
            from_login || on_login_page,
            &navigation.as_ref().map(|(_, entry)| prop_string(entry, "type")).unwrap_or_default(),
            navigation.as_ref().and_then(|(_, entry)| prop(entry, "responseStatus").as_f64()).unwrap_or(0.0),
        );
        let mine = user_prefix(&self.user);
        let mut bounced_submit = false;
        // This user's texts stay while a draft that stays names them.
        let (mut texts, mut named) = (Vec::new(), Vec::new());
        // One report for all the unreadable drafts of a page (a wrong key makes them all so).
        let mut unreadable = false;
        for key in self.store.keys() {
            // An anonymous page (no `user`) must not purge a signed-in user's drafts.
            if !key.starts_with(&mine) && self.user.is_empty() {
                continue;
            }
            if key.starts_with(&mine) && is_text_key(&key) {
                texts.push(key);
                continue;
            }
            let record = self.load(&key).unwrap_or(Err("missing"));
            if let Ok(r) = &record {
                bounced_submit |= r.pending && from_login && key.starts_with(&mine);
            }
            match (sweep(&key, &record, &self.user, now, self.ttl_ms, submit), record) {
                (Sweep::Keep | Sweep::Reopen, Err(_)) => {}
                (kept @ (Sweep::Keep | Sweep::Reopen), Ok(mut record)) => {
                    for index in held_texts(&record) {
                        named.push(text_key(&key, index));
                    }
                    if kept == Sweep::Reopen {
                        record.pending = false;
                        let _ = self.sealer.seal(&key, &JsString::from(encode(&record))).and_then(|text| self.store.set_text(&key, &text));
                    }
                }
                (Sweep::Delete, _) => self.store.remove(&key),
                (Sweep::Corrupt, _) => {
                    self.store.remove(&key);
                    unreadable = true;
                }
            }
        }
        if unreadable {
            events::error(&self.document, "storage", "unreadable drafts (corrupt, or under another draft key) were discarded");
        }
        for key in texts {
            if !named.contains(&key) {
                self.store.remove(&key);
            }
        }
        let marker = resume_key(&self.user);
        let path = self.path();
        let resumed = match self.store.get(&marker).as_deref().and_then(decode_resume) {
            Some((at, marked)) if now.saturating_sub(at) <= self.ttl_ms => {
                let here = marked == path;
                if here {
                    self.store.remove(&marker);
                }
                here
            }
            Some(_) => {
                self.store.remove(&marker);
                false
            }
            None => false,
        };
        let mode = restore_mode(self.restore, resumed || bounced_submit, self.dialog);
        if let RestoreMode::Ask | RestoreMode::Announce = mode {
            let mut any = false;
            for form in self.guarded_forms() {
                if matches!(self.load(&self.key_of(&form)), Some(Ok(_))) {
                    any = true;
                    events::emit(&self.document, "draftsavailable", &[("form", form.into())]);
                }
            }
            if any && mode == RestoreMode::Ask {
                self.show_notice(
                    self.messages.get(MessageKey::RestorePrompt),
                    &[("restore", MessageKey::Restore), ("discard", MessageKey::Discard)],
                );
            }
        } else if mode == RestoreMode::Now {
            self.restore_all();
        }
    }

    /// Remembers the expiry so the page load after re-login restores without asking.
    pub fn mark_resume(&self) {
        let _ = self.store.set(&resume_key(&self.user), &encode_resume(super::page::now(), &self.path()));
    }

    /// Deletes every draft of this user (explicit logout).
    pub fn purge(&self) {
        let mine = user_prefix(&self.user);
        for key in self.store.keys() {
            if key.starts_with(&mine) {
                self.store.remove(&key);
            }
        }
        self.written.with_mut(Entries::clear);
        self.close_notice();
    }

    /// Writes stored drafts back into every guarded form on the page.
    pub fn restore_all(self: &Rc<Self>) {
        self.close_notice();
        self.waiting.with_mut(Vec::clear);
        self.restored.set(true);
        self.restore_forms(WhichForms::All);
        self.watch_for_late_fields();
    }

    /// Fills each guarded form from its stored draft: every one, or only those not restored
    /// yet on this page (the forms of an iframe that loaded since).
    fn restore_forms(self: &Rc<Self>, which: WhichForms) {
        for form in self.guarded_forms() {
            if which == WhichForms::NotFilledYet && self.filled.with_ref(|filled| filled.contains(&form)) != Some(false) {
                continue;
            }
            self.filled.with_mut(|filled| filled.push(form.clone()));
            let form_id = self.form_id(&form);
            let Some(record) = self.load_with_texts(&draft_key(&self.user, &self.path(), &form_id)) else { continue };
            let written = self.fill(&form, form_id, record, SignatureCheck::AgainstThePage);
            events::emit(&self.document, "draftrestored", &[("form", form.into()), ("fields", (written as f64).into())]);
        }
    }

    /// Writes `record`'s values into `form` where the core allows it; fields not on the page
    /// yet wait for it, checked against the form's signature now (a waiting record's fields
    /// passed that check already). Returns how many were written.
    fn fill(self: &Rc<Self>, form: &Element, form_id: String, record: DraftRecord, signature_check: SignatureCheck) -> usize {
        self.baseline(form);
        let controls = self.controls(form);
        let now = match signature_check {
            SignatureCheck::AgainstThePage => signature(controls.iter().map(|c| c.key.as_str())),
            SignatureCheck::Passed => record.signature,
        };
        let (apply, later) = restore_plan(&record, &self.current_texts(form, &controls), now);
        // Files cannot be written back: the user is told which to attach again.
        let mut files = Vec::new();
        let written = apply
            .iter()
            .filter(|(key, value)| match value {
                FieldValue::Text(names) if controls.iter().any(|c| c.key == *key && c.kind == FieldKind::Files) => {
                    files.push(names.as_str());
                    false
                }
                _ => write_field(form, &controls, key, value),
            })
            .count();
        if !files.is_empty() {
            let mut names = String::new();
            for name in files {
                if !names.is_empty() {
                    names.push_str(", ");
                }
                names.push_str(name);
            }
            let text = crate::core::text::fill(self.messages.get(MessageKey::AttachAgain), "{files}", &names);
            self.show_notice(&text, &[("ok", MessageKey::Ok)]);
        }
        if written > 0 {
            self.edited(form.clone());
        }
        if !later.is_empty() {
            self.waiting.with_mut(|waiting| waiting.push((form_id, DraftRecord { fields: later, ..record })));
        }
        written
    }

    /// Applies held values to fields that appeared since (SPA rendering).
    pub fn apply_waiting(self: &Rc<Self>) {
        let mut waiting = self.waiting.with_mut(std::mem::take).unwrap_or_default();
        for form in self.guarded_forms() {
            let form_id = self.form_id(&form);
            let Some(at) = waiting.iter().position(|(id, _)| *id == form_id) else { continue };
            let (form_id, record) = waiting.swap_remove(at);
            let written = self.fill(&form, form_id, record, SignatureCheck::Passed);
            if written > 0 {
                events::emit(&self.document, "draftrestored", &[("form", form.into()), ("fields", (written as f64).into())]);
            }
        }
        // Fields of forms not on the page yet keep waiting too.
        let Ok(mut still) = self.waiting.try_borrow_mut() else { return };
        still.append(&mut waiting);
        if still.is_empty() {
            self.late_fields.with_mut(Option::take);
        }
    }

    fn watch_for_late_fields(self: &Rc<Self>) {
        if self.waiting.with_ref(Vec::is_empty) != Some(false) || self.late_fields.with_ref(Option::is_some) != Some(false) {
            return;
        }
        let weak = Rc::downgrade(self);
        let init = super::page::object(&[("childList", JsValue::TRUE), ("subtree", JsValue::TRUE)]);
        let watch = Mutations::watch(&self.document, &init, move || {
            if let Some(drafts) = weak.upgrade() {
                drafts.apply_waiting();
            }
        });
        self.late_fields.with_mut(|slot| *slot = watch);
    }

    /// The notice at the bottom of the viewport, once: `text` and a button per action (each a
    /// `data-action` and its label: `restore`, `discard`; any other closes it). Its DOM is
    /// dom.js's `noticeNew`; what a click does is decided here.
    fn show_notice(self: &Rc<Self>, text: &str, actions: &[(&str, MessageKey)]) {
        if self.notice.with_ref(Option::is_some) != Some(false) {
            return;
        }
        let labels: Array = actions.iter().flat_map(|(action, label)| [*action, self.messages.get(*label)]).map(JsValue::from_str).collect();
        let weak = Rc::downgrade(self);
        let on_action = Callback::wrap(Box::new(move |action: JsValue| {
            let Some(drafts) = weak.upgrade() else { return };
            match action.as_string().as_deref() {
                Some("restore") => drafts.restore_all(),
                Some("discard") => drafts.discard_here(),
                _ => drafts.close_notice(),
            }
        }));
        let Some(notice) = notice_new(&self.document, self.messages.lang_tag(), self.nonce.as_deref(), text, &labels, on_action.as_ref()) else { return };
        self.notice.with_mut(|slot| *slot = Some((notice, on_action)));
    }

    fn discard_here(&self) {
        for form in self.guarded_forms() {
            self.remove_draft(&self.key_of(&form));
        }
        self.close_notice();
    }

    fn close_notice(&self) {
        if let Some((notice, _)) = self.notice.with_mut(Option::take).flatten() {
            notice.remove();
        }
    }

    /// Stops listening and observing; the notice goes away. Stored drafts stay.
    pub fn destroy(&self) {
        if let Some((_, stop)) = self.relay.with_mut(Option::take).flatten() {
            let _ = stop.call0(&JsValue::NULL);
        }
        self.late_fields.with_mut(Option::take);
        self.fact_watch.with_mut(Option::take);
        self.controls.with_mut(Vec::clear);
        self.close_notice();
    }
}

/// Which reading of a form: the one that stands for its server-rendered state, or its values now.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    Baseline,
    Current,
}

/// Whether a record's fields are checked against the form's signature on the page now, or
/// passed that check already (a record that waited for its fields).
#[derive(Clone, Copy, PartialEq, Eq)]
enum SignatureCheck {
    AgainstThePage,
    Passed,
}

/// Which guarded forms a restore fills.
#[derive(Clone, Copy, PartialEq, Eq)]
enum WhichForms {
    All,
    /// Only those not filled yet on this page (the forms of an iframe that loaded since).
    NotFilledYet,
}

fn parse_record(text: &str) -> Result<DraftRecord, &'static str> {
    json::parse(text).ok_or("corrupt JSON").and_then(|value| decode(&value))
}

/// Writes one saved value the way a user would, so React, Vue and Angular see it (form_io.js:
/// `writeValue`, `writeChecked` and `writeSelected`). The caller marks the form edited once,
/// as if the user had typed the values.
fn write_field(form: &Element, controls: &[Control], key: &str, value: &FieldValue) -> bool {
    let index = |control: &Control| control.index as u32;
    let Some(control) = controls.iter().find(|c| c.key == key) else { return false };
    match value {
        // Not written when the field is gone or its editor refused the value: `draftrestored`
        // counts only fields really written.
        FieldValue::Text(text) => return write_value(form, index(control), text),
        // Saved values come from storage, where no text is held.
        FieldValue::Held(_) => return false,
        FieldValue::Checked(checked) => write_checked(form, index(control), *checked),
        FieldValue::Choice(choice) => {
            let Some(radio) = controls
                .iter()
                .find(|c| c.key == key && c.kind == FieldKind::Radio && prop_string(&form_element(form, index(c)), "value") == *choice)
            else {
                return false;
            };
            write_checked(form, index(radio), true);
        }
        FieldValue::Selected(values) => {
            let values: Array = values.iter().map(|v| JsValue::from_str(v)).collect();
            return write_selected(form, index(control), &values);
        }
    }
    true
}
