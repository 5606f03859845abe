//! Drafts that tell the truth: the drafts machine (what is saved, what is stored, what the
//! user is told), field identity across a changed form, secrets by name, id and label.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use proptest::prelude::*;
use session_guard::core::config::Config;
use session_guard::core::drafts::*;
use session_guard::core::machine::{Visibility, Start, ExpiryReason, Input, Machine, Output, Ui, ToDrafts};
use session_guard::core::options::Value;

fn kind(name: &str, id: &str, label: &str, autocomplete: &str) -> Option<FieldKind> {
    field_kind(&FieldFacts { tag: "input", input_type: "text", name, autocomplete, id, label, opted_out: false })
}

#[test]
fn secrets_are_known_by_name_id_and_label_as_whole_words() {
    for name in [
        "ssn", "iban", "pin", "security_answer", "api_key", "token", "otp_code", "verification_code", "secret", "card",
        "userPin", "PINCode", "apiKey", "APIKey", "tax-id", "taxId", "my_number", "myNumber", "social.security.number",
        "cvv", "CVC", "card_cvv2", "client_secret", "access-token", "XSRF-TOKEN", "_token", "authenticity_token",
        "__RequestVerificationToken", "csrfmiddlewaretoken", "nonce", "password_confirm", "cardNumber", "ccnum", "totp",
    ] {
        assert_eq!(kind(name, "", "", ""), None, "name {name}");
        assert_eq!(kind("field1", name, "", ""), None, "id {name}");
    }
    for label in ["PIN", "Social security number", "IBAN", "Tax ID", "API key", "OTP / verification code",
        "Security answer", "Card", "CVV/CVC", "暗証番号", "マイナンバー", "カード番号", "セキュリティコード", "認証コード"] {
        assert_eq!(kind("field1", "", label, ""), None, "label {label}");
    }
    for ac in ["cc-number", "one-time-code", "current-password", "new-password"] {
        assert_eq!(kind("x", "", "", ac), None, "{ac}");
    }
    for name in ["pinned", "spinach", "discard", "cardigan", "opinion", "tokenizer_lang", "secretary", "topic", "message",
        "shipping", "pinyin", "discardReason", "keyboard"] {
        assert_eq!(kind(name, name, "Discard reason", ""), Some(FieldKind::Text), "{name}");
    }
}

fn facts(fields: &[(&str, &str)]) -> Value {
    Value::List(
        fields
            .iter()
            .map(|(name, t)| {
                let tag = if *t == "textarea" { "textarea" } else { "input" };
                Value::List(common::fact(tag, if tag == "input" { t } else { "" }, name, "", false, ""))
            })
            .collect(),
    )
}

fn keys(fields: &[(&str, &str)]) -> Vec<String> {
    controls(&facts(fields)).into_iter().map(|c| c.key).collect()
}

#[test]
fn a_field_is_known_by_name_type_and_place_among_its_namesakes() {
    assert_eq!(keys(&[("a", "text"), ("b", "email"), ("a", "text")]), ["a#0/2", "b:email", "a#1/2"]);
    // A same-name field inserted ahead: none of the old keys is reused for another field.
    let before = keys(&[("item", "text"), ("item", "text")]);
    let after = keys(&[("item", "text"), ("item", "text"), ("item", "text")]);
    assert!(before.iter().all(|k| !after.contains(k)), "{before:?} {after:?}");
    // A type change makes it another field.
    assert_ne!(keys(&[("when", "text")]), keys(&[("when", "date")]));
}

fn text(t: &str) -> FieldValue {
    FieldValue::Text(t.into())
}

fn field(key: &str, value: FieldValue, default: FieldValue) -> SavedField {
    SavedField { key: key.into(), value, default }
}

fn record(fields: Vec<SavedField>, signature: u32) -> DraftRecord {
    DraftRecord { saved_at: 1, url: "/form".into(), signature, pending: false, fields }
}

#[test]
fn a_changed_form_gets_no_value_by_place() {
    let saved = record(vec![field("item#0/2", text("A"), text("")), field("note", text("N"), text(""))], 1);
    let page = vec![field("item#0/2", text(""), text("")), field("note", text(""), text(""))];
    assert_eq!(restore_plan(&saved, &page, 1).0.len(), 2);
    let (apply, later) = restore_plan(&saved, &page, 2);
    assert_eq!(apply, vec![("note".to_string(), text("N"))]);
    assert!(later.is_empty());
}

#[test]
fn forms_sharing_an_id_have_their_own_keys() {
    let forms = vec![("f".to_string(), String::new()), ("f".to_string(), String::new()), (String::new(), "n".to_string()), (String::new(), String::new())];
    let ids: Vec<String> = (0..4).map(|i| form_identity(&forms, i)).collect();
    assert_eq!(ids, ["#f", "#f~1", "@n", "form3"]);
}

#[test]
fn an_oversized_field_is_left_out_and_the_rest_kept() {
    let fields = vec![field("big", FieldValue::Held(0), text("")), field("small", text("hi"), text("")), field("same", text("x"), text("x"))];
    let (kept, left_out) = changed_fields(fields.clone(), |_, _| false, |_| MAX_FIELD_BYTES / 2 + 1);
    assert_eq!(left_out, 1);
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].key, "small");
    assert_eq!(changed_fields(fields, |_, _| false, |_| MAX_FIELD_BYTES / 2).0.len(), 2, "at the cap it fits");
}

/// Runs the drafts machine, carrying out each save with `outcome`.
fn run(d: &mut Drafts, inputs: &[DraftInput], outcome: Written) -> Vec<DraftOutput> {
    let mut all = Vec::new();
    let mut queue: Vec<DraftInput> = inputs.to_vec();
    while !queue.is_empty() {
        d.handle(queue.remove(0));
        while let Some(o) = d.poll_output() {
            if let DraftOutput::Save { form, .. } = o {
                queue.push(DraftInput::Outcome(form, outcome));
            }
            all.push(o);
        }
    }
    all
}

#[test]
fn a_submitted_form_stays_pending_whatever_the_order_of_events() {
    use DraftInput::*;
    // Typing, the blur's change, the click's submit, the guard's own pagehide flush.
    for order in [
        vec![Edited(0), Edited(0), Submitted(0), Flush],
        vec![Edited(0), Submitted(0), Edited(0), Flush],
        vec![Edited(0), Flush, Submitted(0), Edited(0), Flush, Flush],
    ] {
        let mut d = Drafts::new(true);
        let outs = run(&mut d, &order, Written::Stored);
        let after_submit: Vec<_> = outs.iter().skip_while(|o| **o != DraftOutput::Save { form: 0, pending: true }).collect();
        assert!(!after_submit.is_empty(), "{order:?}");
        assert!(after_submit.iter().all(|o| !matches!(o, DraftOutput::Save { pending: false, .. })), "{order:?}: {outs:?}");
    }
    let mut d = Drafts::new(true);
    let outs = run(&mut d, &[Edited(1), Discarded(1), Flush], Written::Stored);
    assert_eq!(outs, vec![DraftOutput::Remove { form: 1 }]);
}

#[test]
fn the_claim_follows_what_storage_took() {
    use DraftInput::*;
    let mut d = Drafts::new(true);
    assert_eq!(d.saved(), Some(true));
    run(&mut d, &[Edited(0), Edited(1), Flush], Written::Stored);
    assert_eq!(d.saved(), Some(true));
    let outs = run(&mut d, &[Edited(1), Flush], Written::Full);
    assert_eq!(d.saved(), Some(false));
    assert!(outs.contains(&DraftOutput::Error { quota: true, message: "storage refused the draft; kept in memory" }));
    assert!(!outs.iter().any(|o| matches!(o, DraftOutput::Saved { .. })), "no draftsaved for a draft storage refused");
    let outs = run(&mut d, &[Edited(1), Flush], Written::Partial);
    assert_eq!(d.saved(), Some(false));
    assert!(outs.iter().any(|o| matches!(o, DraftOutput::Error { quota: true, .. })));
    run(&mut d, &[Edited(0)], Written::Stored);
    run(&mut d, &[Edited(1), Flush], Written::Stored);
    assert_eq!(d.saved(), Some(true));
    assert_eq!(Drafts::new(false).saved(), None);
}

#[test]
fn the_session_machine_composes_the_drafts_machine() {
    let config = Config::new(Some(60_000), "/k");
    let mut m = Machine::new(&config, 0, Visibility::Visible, 0);
    m.handle(Input::Start(Start { stored: None, ..Start::default() }), 0);
    m.handle(Input::Leader(true), 0);
    m.drafts().handle(DraftInput::Edited(0));
    m.handle(Input::Wake, 61_000);
    let mut outs = Vec::new();
    while let Some(o) = m.poll_output() {
        outs.push(o);
    }
    let save = outs.iter().position(|o| *o == Output::Drafts(ToDrafts::Save)).unwrap();
    let shown = outs.iter().position(|o| matches!(o, Output::Ui(Ui::ShowExpired { reason: ExpiryReason::Idle, .. }))).unwrap();
    assert!(save < shown, "the flush comes before the dialog that reports it");
    // The shell carries out the flush before the dialog: storage refused the draft.
    run(m.drafts(), &[DraftInput::Flush], Written::Full);
    assert_eq!(m.drafts_saved(), Some(false));
}

#[derive(Clone, Debug)]
enum Step {
    Edited(u32),
    Submitted(u32),
    Discarded(u32),
    Flush,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u32..3).prop_map(Step::Edited),
        (0u32..3).prop_map(Step::Submitted),
        (0u32..3).prop_map(Step::Discarded),
        Just(Step::Flush),
    ]
}

fn outcome() -> impl Strategy<Value = Written> {
    prop_oneof![Just(Written::Stored), Just(Written::Partial), Just(Written::Full), Just(Written::Unavailable)]
}

proptest! {
    /// A claim "saved" implies storage holds every edited form as it is now; a form
    /// submitted (and not discarded since) is only ever saved pending.
    #[test]
    fn saved_means_stored(steps in prop::collection::vec((step(), outcome()), 0..40)) {
        let mut d = Drafts::new(true);
        // Per form: its version (edits), the version storage holds, submitted.
        let mut version = [0u32; 3];
        let mut stored = [0u32; 3];
        let mut submitted = [false; 3];
        for (step, result) in steps {
            let input = match step {
                Step::Edited(f) => { version[f as usize] += 1; DraftInput::Edited(f) }
                Step::Submitted(f) => { version[f as usize] += 1; submitted[f as usize] = true; DraftInput::Submitted(f) }
                Step::Discarded(f) => { version[f as usize] = 0; stored[f as usize] = 0; submitted[f as usize] = false; DraftInput::Discarded(f) }
                Step::Flush => DraftInput::Flush,
            };
            let mut queue = vec![input];
            while !queue.is_empty() {
                d.handle(queue.remove(0));
                while let Some(o) = d.poll_output() {
                    if let DraftOutput::Save { form, pending } = o {
                        let f = form as usize;
                        prop_assert!(pending || !submitted[f], "a submitted form saved as not pending");
                        if result == Written::Stored {
                            stored[f] = version[f];
                        }
                        queue.push(DraftInput::Outcome(form, result));
                    }
                }
            }
            if d.saved() == Some(true) {
                for f in 0..3 {
                    prop_assert_eq!(stored[f], version[f], "claimed saved, form {} not stored", f);
                }
            }
        }
    }

    /// No form change restores a value into a different field: a form of fields named from a
    /// small set is saved, then changed (fields inserted, removed, retyped), then restored.
    #[test]
    fn no_value_lands_in_another_field(
        form in prop::collection::vec((0usize..3, 0usize..2), 1..8),
        edits in prop::collection::vec((0usize..3, 0usize..10, 0usize..3, 0usize..2), 0..4),
    ) {
        const NAMES: [&str; 3] = ["a", "b", "c"];
        const TYPES: [&str; 2] = ["text", "email"];
        // Each field with where it came from (None: inserted by the "deploy").
        let mut changed: Vec<(Option<usize>, usize, usize)> = form.iter().enumerate().map(|(i, (n, t))| (Some(i), *n, *t)).collect();
        for (op, at, n, t) in edits {
            let at = at % (changed.len() + 1);
            match op {
                0 => changed.insert(at, (None, n, t)),
                1 if at < changed.len() => { changed.remove(at); }
                _ if at < changed.len() => changed[at].2 = t,
                _ => {}
            }
        }
        let spec = |fields: &[(usize, usize)]| -> Vec<(&str, &str)> { fields.iter().map(|(n, t)| (NAMES[*n], TYPES[*t])).collect() };
        let before = controls(&facts(&spec(&form)));
        let after_spec: Vec<(usize, usize)> = changed.iter().map(|(_, n, t)| (*n, *t)).collect();
        let after = controls(&facts(&spec(&after_spec)));
        let saved = record(
            before.iter().enumerate().map(|(i, c)| field(&c.key, text(&format!("v{i}")), text(""))).collect(),
            signature(before.iter().map(|c| c.key.as_str())),
        );
        let page: Vec<CurrentField> = after.iter().map(|c| field(&c.key, text(""), text(""))).collect();
        let (apply, _) = restore_plan(&saved, &page, signature(after.iter().map(|c| c.key.as_str())));
        for (key, value) in apply {
            let at = after.iter().position(|c| c.key == key).unwrap();
            let FieldValue::Text(v) = value else { unreachable!() };
            let origin: usize = v[1..].parse().unwrap();
            // The same field; or one nothing on the page tells from it: the only one of its name
            // and type in both forms, or the one in its place in a form of the very same fields.
            let only = |list: &[(usize, usize)]| list.iter().filter(|f| **f == form[origin]).count() == 1;
            let same = changed[at].0 == Some(origin) || (only(&form) && only(&after_spec)) || (after_spec == form && at == origin);
            prop_assert!(same, "value of field {} went into {:?}", origin, changed[at]);
            prop_assert_eq!((changed[at].1, changed[at].2), form[origin]);
        }
    }
}
