//! Drafts as data: exclusion rules, keys, records, TTL, merge.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::{fact, form_row as row};
use proptest::prelude::*;
use session_guard::core::drafts::SubmitOutcome::{Failed, Succeeded, Unknown};
use session_guard::core::drafts::*;
use session_guard::core::form_record::*;
use session_guard::core::options::Value;

fn facts<'a>(tag: &'a str, input_type: &'a str, name: &'a str, autocomplete: &'a str) -> FieldFacts<'a> {
    FieldFacts { tag, input_type, name, autocomplete, ..Default::default() }
}

#[test]
fn saves_text_like_fields_choices_and_lists() {
    for t in ["", "text", "email", "search", "tel", "url", "number", "date", "datetime-local", "month", "week", "time", "color", "range", "TEXT"] {
        assert_eq!(field_kind(&facts("input", t, "q", "")), Some(FieldKind::Text), "{t}");
    }
    assert_eq!(field_kind(&facts("textarea", "", "message", "")), Some(FieldKind::Text));
    assert_eq!(field_kind(&facts("select", "", "country", "")), Some(FieldKind::Select));
    assert_eq!(field_kind(&facts("input", "checkbox", "news", "")), Some(FieldKind::Checkbox));
    assert_eq!(field_kind(&facts("input", "radio", "size", "")), Some(FieldKind::Radio));
    assert_eq!(field_kind(&facts("input", "text", "given", "given-name")), Some(FieldKind::Text));
}

#[test]
fn never_saves_secrets() {
    for t in ["password", "PASSWORD", "hidden", "file", "submit", "button", "reset", "image"] {
        assert_eq!(field_kind(&facts("input", t, "x", "")), None, "{t}");
    }
    for ac in ["cc-number", "cc-csc", "billing cc-exp", "one-time-code", "current-password", "new-password", "section-a CC-NAME"] {
        assert_eq!(field_kind(&facts("input", "text", "x", ac)), None, "{ac}");
    }
    for name in [
        "csrf", "_csrf", "csrf_token", "csrfmiddlewaretoken", "_token", "authenticity_token",
        "__RequestVerificationToken", "nonce", "XSRF-TOKEN", "password_confirm", "cardNumber", "card_number", "cvv",
    ] {
        assert_eq!(field_kind(&facts("input", "text", name, "")), None, "{name}");
    }
    let mut opted = facts("textarea", "", "note", "");
    opted.opted_out = true;
    assert_eq!(field_kind(&opted), None);
    assert_eq!(field_kind(&facts("input", "text", "", "")), None, "nameless fields cannot be keyed");
    assert_eq!(field_kind(&facts("button", "", "b", "")), None);
}

#[test]
fn keys_scope_user_path_form_and_version() {
    let a = draft_key("alice", "/form", "#contact");
    let b = draft_key("bob", "/form", "#contact");
    assert!(a.starts_with("session-guard:1:"));
    assert_ne!(a, b);
    assert!(a.starts_with(&user_prefix("alice")) && !b.starts_with(&user_prefix("alice")));
    assert!(a.ends_with("/form|#contact"));
    assert!(!a.contains("alice"), "the user id itself is not stored in keys");
    assert!(is_our_key(&a) && is_our_key(&resume_key("alice")) && !is_our_key("theme"));
    assert_eq!(field_key(FieldKind::Checkbox, "tags", "rust", 0), "tags=rust");
    assert_eq!(field_key(FieldKind::Radio, "size", "m", 3), "size");
    assert_eq!(field_key(FieldKind::Text, "item[]", "", 2), "item[]#2");
    assert_eq!(field_key(FieldKind::Text, "item[]", "", 0), "item[]");
}

fn record() -> DraftRecord {
    DraftRecord {
        saved_at: 1_700_000_000_000,
        url: "https://app.example/form?x=1".into(),
        signature: 42,
        pending: false,
        fields: vec![
            SavedField { key: "msg".into(), value: FieldValue::Text("line \"1\"\nline 2 \\ é 日本\u{1}".into()), default: FieldValue::Text(String::new()) },
            SavedField { key: "news=yes".into(), value: FieldValue::Checked(true), default: FieldValue::Checked(false) },
            SavedField { key: "size".into(), value: FieldValue::Choice("m".into()), default: FieldValue::Choice(String::new()) },
            SavedField { key: "tags".into(), value: FieldValue::Selected(vec!["a".into(), "b".into()]), default: FieldValue::Selected(vec![]) },
        ],
    }
}

/// A tiny JSON reader standing in for the browser's JSON.parse in native tests.
/// Records are read back with the parser the shell uses.
fn parse_json(text: &str) -> Value {
    session_guard::core::json::parse(text).expect("valid JSON")
}

#[test]
fn records_round_trip_through_json() {
    let r = record();
    let json = encode(&r);
    assert!(json.starts_with("{\"v\":1,"));
    assert_eq!(decode(&parse_json(&json)), Ok(r));
}

/// The text from the first [`AFTER_SAVED_AT`] on, as form_io.js `sameButTime` compares it.
fn after_time(encoded: &str) -> &str {
    &encoded[encoded.find(AFTER_SAVED_AT).expect("the marker follows the time")..]
}

/// A record saved again unchanged is not written again (form_io.js `sameButTime`): two
/// encodings that differ only in time differ only before the marker, whatever the URL holds.
#[test]
fn records_differing_only_in_time_differ_only_before_the_marker() {
    for url in ["https://app.example/form?x=1", r#"/a?q=,"url":x"#, r#"/,\"url\":"#, ""] {
        let earlier = DraftRecord { url: url.into(), ..record() };
        let later = DraftRecord { saved_at: earlier.saved_at + 12_345, ..earlier.clone() };
        let (a, b) = (encode(&earlier), encode(&later));
        assert_ne!(a, b);
        assert_eq!(after_time(&a), after_time(&b), "{url}");
        // The marker comes right after the time: everything else the record says follows it.
        let time = a.find(&earlier.saved_at.to_string()).unwrap();
        assert_eq!(time + earlier.saved_at.to_string().len(), a.find(AFTER_SAVED_AT).unwrap(), "{url}");
        // Any other difference shows after it.
        for other in [DraftRecord { url: format!("{url}/"), ..later.clone() }, DraftRecord { pending: true, ..later.clone() }, DraftRecord { signature: 43, ..later.clone() }] {
            assert_ne!(after_time(&a), after_time(&encode(&other)), "{url}");
        }
    }
}

#[test]
fn foreign_and_corrupt_records_are_errors() {
    assert!(decode(&Value::Str("hello".into())).is_err());
    assert!(decode(&parse_json("{\"v\":2,\"at\":1,\"url\":\"/\",\"sig\":1,\"f\":[]}")).is_err());
    assert!(decode(&parse_json("{\"v\":1,\"at\":-1,\"url\":\"/\",\"sig\":1,\"f\":[]}")).is_err());
    assert!(decode(&parse_json("{\"v\":1,\"at\":1,\"url\":\"/\",\"sig\":1,\"f\":[[\"k\",\"t\",true,\"\"]]}")).is_err());
    assert!(decode(&parse_json("{\"v\":1,\"at\":1,\"url\":\"/\",\"sig\":1,\"f\":[[\"k\",\"t\"]]}")).is_err());
    assert!(decode(&parse_json("{\"v\":1,\"at\":1,\"url\":\"/\",\"sig\":1,\"f\":[]}")).is_ok());
}

#[test]
fn a_submission_is_judged_by_the_page_that_answers_it() {
    // The page after the submit: a redirect to a signed-in page, or the page rendered in reply.
    assert_eq!(submit_outcome(false, "navigate", 200.0), Succeeded);
    // Browsers without Navigation Timing's type or responseStatus: as before, a signed-in page.
    assert_eq!(submit_outcome(false, "", 0.0), Succeeded);
    // An error page in reply (a stale CSRF token: 400, 403, 419, 422; a server error).
    for status in [400.0, 403.0, 419.0, 422.0, 500.0] {
        assert_eq!(submit_outcome(false, "navigate", status), Failed, "{status}");
    }
    // Back to the form after an error page the guard did not run on, or a reload: that page
    // does not answer the submission.
    assert_eq!(submit_outcome(false, "back_forward", 200.0), Unknown);
    assert_eq!(submit_outcome(false, "reload", 200.0), Unknown);
    // The session was gone: the login page, and the page it leads to.
    assert_eq!(submit_outcome(true, "navigate", 200.0), Unknown);
    assert_eq!(submit_outcome(true, "navigate", 401.0), Unknown);
}

#[test]
fn ttl_and_sweep() {
    let r = record();
    let day = 24 * 3600 * 1000;
    assert!(!is_expired(&r, r.saved_at + day, day));
    assert!(is_expired(&r, r.saved_at + day + 1, day));
    let key = draft_key("alice", "/form", "#f");
    let ok: Result<DraftRecord, &str> = Ok(r.clone());
    assert_eq!(sweep(&key, &ok, "alice", r.saved_at, day, Succeeded), Sweep::Keep);
    assert_eq!(sweep(&key, &ok, "alice", r.saved_at + 2 * day, day, Succeeded), Sweep::Delete);
    assert_eq!(sweep(&key, &ok, "bob", r.saved_at, day, Succeeded), Sweep::Delete, "another user's drafts are purged");
    assert_eq!(sweep(&key, &Err("corrupt"), "alice", r.saved_at, day, Succeeded), Sweep::Corrupt);
    let pending: Result<DraftRecord, &str> = Ok(DraftRecord { pending: true, ..r.clone() });
    assert_eq!(sweep(&key, &pending, "alice", r.saved_at, day, Succeeded), Sweep::Delete, "the submission went through");
    assert_eq!(sweep(&key, &pending, "alice", r.saved_at, day, Unknown), Sweep::Keep, "the submit ended at the login page");
    assert_eq!(sweep(&key, &pending, "alice", r.saved_at, day, Failed), Sweep::Reopen, "an error page answered the submit");
    for outcome in [Succeeded, Failed, Unknown] {
        assert_eq!(sweep(&key, &ok, "alice", r.saved_at, day, outcome), Sweep::Keep, "a draft never submitted stays");
        assert_eq!(sweep(&key, &pending, "alice", r.saved_at + 2 * day, day, outcome), Sweep::Delete, "expired");
    }
    assert_eq!(sweep(&resume_key("alice"), &Err("not a record"), "alice", 0, day, Succeeded), Sweep::Keep);
}

fn current(key: &str, value: FieldValue, default: FieldValue) -> CurrentField {
    CurrentField { key: key.into(), value, default }
}

#[test]
fn restore_merges_without_overwriting_the_server_or_the_user() {
    let t = |s: &str| FieldValue::Text(s.into());
    let saved = DraftRecord {
        fields: vec![
            SavedField { key: "a".into(), value: t("typed a"), default: t("") },
            SavedField { key: "b".into(), value: t("typed b"), default: t("") },
            SavedField { key: "c".into(), value: t("typed c"), default: t("") },
            SavedField { key: "later".into(), value: t("typed later"), default: t("") },
        ],
        ..record()
    };
    let page = vec![
        current("a", t(""), t("")),
        current("b", t("server says"), t("server says")),
        current("c", t("already typed"), t("")),
    ];
    let (apply, later) = restore_plan(&saved, &page, saved.signature);
    assert_eq!(apply, vec![("a".to_string(), t("typed a"))]);
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].key, "later");
}

#[test]
fn only_changed_fields_are_saved() {
    let t = |s: &str| FieldValue::Text(s.into());
    let (saved, _) = changed_fields(vec![current("a", t("x"), t("")), current("b", t("same"), t("same"))], |_, _| unreachable!(), |_| 0);
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].key, "a");
}

#[test]
fn held_texts_are_compared_by_the_shell() {
    let held = FieldValue::Held;
    // The shell's texts: 0 and 2 are equal, 4 differs.
    let same = |a: u32, b: u32| {
        assert!(a != b, "equal numbers need no question");
        let text = |n| if n == 4 { "other" } else { "long" };
        text(a) == text(b)
    };
    let fields = vec![
        current("unchanged", held(2), held(0)),
        current("edited", held(4), held(0)),
        current("same number", held(2), held(2)),
        current("was empty", held(2), FieldValue::Text(String::new())),
        current("now short", FieldValue::Text("x".into()), held(0)),
    ];
    let saved: Vec<_> = changed_fields(fields, same, |_| 300).0.into_iter().map(|f| f.key).collect();
    assert_eq!(saved, ["edited", "was empty", "now short"]);
}

#[test]
fn held_texts_are_numbered_in_the_record_and_stored_beside_it() {
    let mut r = record();
    let held = FieldValue::Held;
    r.fields = vec![
        SavedField { key: "notes".into(), value: held(7), default: held(2) },
        SavedField { key: "title".into(), value: FieldValue::Text("short".into()), default: FieldValue::Text(String::new()) },
        SavedField { key: "body".into(), value: held(9), default: FieldValue::Text(String::new()) },
    ];
    // The shell writes its texts 7, 2 and 9 under text numbers 0, 1 and 2.
    assert_eq!(held_texts(&r), [7, 2, 9]);
    let encoded = encode(&r);
    assert!(encoded.contains(r#"["notes","t",0,1]"#) && encoded.contains(r#"["body","t",2,""]"#), "{encoded}");
    let stored = decode(&parse_json(&encoded)).unwrap();
    assert_eq!((&stored.fields[0].value, &stored.fields[0].default, &stored.fields[2].value), (&held(0), &held(1), &held(2)));
    assert_eq!(held_texts(&stored), [0, 1, 2]);
    assert!(decode(&parse_json(r#"{"v":1,"at":1,"url":"/","sig":1,"f":[["k","t",1.5,""]]}"#)).is_err());
    assert!(decode(&parse_json(r#"{"v":1,"at":1,"url":"/","sig":1,"f":[["k","c",0,false]]}"#)).is_err(), "only texts are held");
}

#[test]
fn text_keys_belong_to_their_user_and_are_no_drafts() {
    let day = 24 * 3600 * 1000;
    let key = draft_key("alice", "/docs/7", "#^3/odd");
    let text = text_key(&key, 12);
    assert!(text.starts_with(&user_prefix("alice")), "{text}: purged with the user's keys");
    assert!(text.ends_with("/docs/7|#^3/odd") && text != text_key(&key, 1) && text != text_key(&draft_key("alice", "/docs/7", "#other"), 12));
    assert!(is_our_key(&text) && is_text_key(&text) && !is_draft_key(&text), "{text}");
    for other in [key, resume_key("alice"), "theme".into()] {
        assert!(!is_text_key(&other), "{other}");
    }
    let none: Result<DraftRecord, &str> = Err("no record");
    assert_eq!(sweep(&text, &none, "bob", 0, day, Succeeded), Sweep::Delete, "another user's texts go");
}

#[test]
fn eviction_goes_oldest_first_and_spares_the_draft_being_saved() {
    let order = eviction_order(vec![("new".into(), 30), ("old".into(), 10), ("mid".into(), 20), ("me".into(), 1)], "me");
    assert_eq!(order, vec!["old", "mid", "new"]);
}


fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_map(Value::Number),
        "[a-z0-9ts]{0,6}".prop_map(Value::Str),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::List),
            prop::collection::vec((prop::sample::select(vec!["v", "at", "url", "sig", "pending", "f", "x"]).prop_map(String::from), inner), 0..7)
                .prop_map(Value::Map),
        ]
    })
}

proptest! {
    /// Whatever sits under our keys, decoding never panics.
    #[test]
    fn decoding_hostile_records_never_panics(v in any_value()) {
        let _ = decode(&v);
    }

    #[test]
    fn any_text_round_trips(text in "\\PC{0,40}", key in "[a-z\\[\\]#=]{1,10}", at in 0u64..4_000_000_000_000) {
        let r = DraftRecord { saved_at: at, url: text.clone(), signature: 7, pending: true,
            fields: vec![SavedField { key, value: FieldValue::Text(text.clone()), default: FieldValue::Text(String::new()) }] };
        prop_assert_eq!(decode(&parse_json(&encode(&r))), Ok(r));
    }

    #[test]
    fn the_time_ends_at_the_first_marker(url in "\\PC{0,40}", a in 0u64..4_000_000_000_000, b in 0u64..4_000_000_000_000) {
        let r = DraftRecord { saved_at: a, url, signature: 7, pending: false, fields: record().fields };
        let (x, y) = (encode(&r), encode(&DraftRecord { saved_at: b, ..r.clone() }));
        prop_assert_eq!(after_time(&x), after_time(&y));
        // The first marker is right after the time: nothing of the record before it but the
        // version and the time itself.
        prop_assert_eq!(&x[..x.len() - after_time(&x).len()], format!("{{\"v\":1,\"at\":{a}"));
    }

    #[test]
    fn exclusion_rules_never_panic(tag in "[a-z]{0,8}", t in "\\PC{0,10}", name in "\\PC{0,12}", ac in "\\PC{0,16}") {
        let _ = field_kind(&FieldFacts { tag: &tag, input_type: &t, name: &name, autocomplete: &ac, id: &name, label: &ac, opted_out: false });
    }
}

#[test]
fn resume_marker_and_restore_modes() {
    use session_guard::core::config::Restore;
    assert_eq!(decode_resume(&encode_resume(123, "/a/b?c")), Some((123, "/a/b?c")));
    assert_eq!(decode_resume("x\n/a"), None);
    assert_eq!(decode_resume("garbage"), None);
    assert_eq!(restore_mode(Restore::Auto, true, true), RestoreMode::Now);
    assert_eq!(restore_mode(Restore::Auto, false, true), RestoreMode::Ask);
    assert_eq!(restore_mode(Restore::Prompt, true, true), RestoreMode::Ask);
    assert_eq!(restore_mode(Restore::Manual, true, true), RestoreMode::Wait);
    // Headless: no notice, only the event; the page offers the drafts itself.
    assert_eq!(restore_mode(Restore::Auto, false, false), RestoreMode::Announce);
    assert_eq!(restore_mode(Restore::Prompt, true, false), RestoreMode::Announce);
    assert_eq!(restore_mode(Restore::Auto, true, false), RestoreMode::Now);
}

#[test]
fn only_draft_keys_are_swept() {
    let day = 24 * 3600 * 1000;
    let corrupt: Result<DraftRecord, &str> = Err("not a record");
    assert!(is_draft_key(&draft_key("alice", "/form", "#f")));
    for other in [resume_key("alice"), session_guard::core::session_start::key("alice"), session_guard::core::keys::tab_view_key("alice")] {
        assert!(!is_draft_key(&other), "{other}");
        assert_eq!(sweep(&other, &corrupt, "alice", 0, day, Succeeded), Sweep::Keep);
        assert_eq!(sweep(&other, &corrupt, "bob", 0, day, Succeeded), Sweep::Delete, "another user's markers go too");
    }
}

#[test]
fn the_json_reader_takes_what_json_stringify_writes() {
    use session_guard::core::json::parse;
    let parsed = parse(r#" {"a": [1, 2.5, -3, true, false, null], "b": "x\"y\\z\n\t\u00e9\ud83d\ude00\/", "c": {}} "#);
    let Some(Value::Map(map)) = parsed else { panic!("{parsed:?}") };
    assert_eq!(map[0].1, Value::List(vec![Value::Number(1.0), Value::Number(2.5), Value::Number(-3.0), Value::Bool(true), Value::Bool(false), Value::Null]));
    assert_eq!(map[1].1, Value::Str("x\"y\\z\n\té😀/".into()));
    assert_eq!(map[2].1, Value::Map(vec![]));
    // A lone surrogate, as JSON.stringify escapes it, becomes U+FFFD.
    assert_eq!(parse(r#""a\ud800b""#), Some(Value::Str("a\u{fffd}b".into())));
    assert_eq!(parse(r#""\ud800\u0041""#), Some(Value::Str("\u{fffd}A".into())));
    for bad in ["", "[", "[1,]", "{\"a\"}", "{\"a\":1,}", "\"open", "tru", "[1] 2", "\"\\x\"", "\"\\u12\"", "{1:2}"] {
        assert_eq!(parse(bad), None, "{bad}");
    }
    // A number with an exponent (Python writes 1e-05) reads as no number; the rest still counts.
    assert_eq!(parse("[1e5, 2]"), Some(Value::List(vec![Value::Other, Value::Number(2.0)])));
    assert_eq!(parse("e"), None);
    assert!(parse(&"[".repeat(20)).is_none(), "too deep");
    assert!(parse(&format!("{}{}", "[".repeat(8), "]".repeat(8))).is_some());
}

fn reading(items: &[&[Value]]) -> Value {
    Value::List(items.iter().map(|i| Value::List(i.to_vec())).collect())
}

fn s(text: &str) -> Value {
    Value::Str(text.into())
}

#[test]
fn controls_come_from_the_shells_facts_in_form_order() {
    let facts = reading(&[
        &fact("input", "text", "item", "", false, ""),
        &fact("input", "password", "pw", "", false, ""),
        &fact("button", "", "go", "", false, ""),
        &fact("input", "checkbox", "tags", "", false, "rust"),
        &fact("input", "RADIO", "size", "", false, "m"),
        &fact("input", "radio", "size", "", false, "l"),
        &fact("textarea", "", "item", "", false, ""),
        &fact("select", "", "country", "", true, ""),
        &fact("input", "", "card", "cc-number", false, ""),
        &[Value::Null],
    ]);
    let got: Vec<(usize, FieldKind, String)> = controls(&facts).into_iter().map(|c| (c.index, c.kind, c.key)).collect();
    assert_eq!(
        got,
        vec![
            (0, FieldKind::Text, "item#0/2".into()),
            (3, FieldKind::Checkbox, "tags=rust".into()),
            (4, FieldKind::Radio, "size".into()),
            (5, FieldKind::Radio, "size".into()),
            (6, FieldKind::Text, "item#1/2".into()),
        ]
    );
    assert!(controls(&Value::Null).is_empty());
}

#[test]
fn current_fields_merge_radio_groups_and_read_selects() {
    let b = Value::Bool;
    let control = |index, kind, key: &str| Control { index, kind, key: key.into() };
    let list = [
        control(0, FieldKind::Text, "name"),
        control(1, FieldKind::Radio, "size"),
        control(2, FieldKind::Radio, "size"),
        control(3, FieldKind::Checkbox, "ok=1"),
        control(4, FieldKind::Select, "pick"),
        control(5, FieldKind::Select, "many"),
    ];
    let option = |v: &str, sel, def| Value::List(row(&[(OPTION_VALUE, s(v)), (OPTION_SELECTED, b(sel)), (OPTION_DEFAULT_SELECTED, b(def))]));
    let checkable = |v: &str, checked, default| row(&[(CHECKABLE_VALUE, s(v)), (CHECKABLE_CHECKED, b(checked)), (CHECKABLE_DEFAULT_CHECKED, b(default))]);
    let select = |multiple, options| row(&[(SELECT_MULTIPLE, b(multiple)), (SELECT_OPTIONS, Value::List(options))]);
    let values = reading(&[
        &row(&[(TEXT_VALUE, Value::Number(3.0)), (TEXT_DEFAULT, s(""))]),
        &checkable("m", false, true),
        &checkable("l", true, false),
        &checkable("1", true, false),
        &select(false, vec![option("a", false, false), option("b", true, false)]),
        &select(true, vec![option("x", true, false), option("y", true, false)]),
    ]);
    let fields = current_fields(&list, values);
    let f = |key: &str| fields.iter().find(|f| f.key == key).unwrap().clone();
    assert_eq!(fields.len(), 5, "one field per radio group");
    assert_eq!((f("name").value, f("name").default), (FieldValue::Held(3), FieldValue::Text("".into())), "a number is a held text");
    assert_eq!((f("size").value, f("size").default), (FieldValue::Choice("l".into()), FieldValue::Choice("m".into())));
    assert_eq!((f("ok=1").value, f("ok=1").default), (FieldValue::Checked(true), FieldValue::Checked(false)));
    // A single select without a `selected` option shows (and resets to) its first one.
    assert_eq!(f("pick").default, FieldValue::Selected(vec!["a".into()]));
    assert_eq!(f("pick").value, FieldValue::Selected(vec!["b".into()]));
    assert_eq!(f("many").default, FieldValue::Selected(vec![]));
    assert_eq!(f("many").value, FieldValue::Selected(vec!["x".into(), "y".into()]));
}

#[test]
fn fields_are_found_in_order_or_anywhere() {
    let field = |key: &str| SavedField { key: key.into(), value: FieldValue::Checked(true), default: FieldValue::Checked(false) };
    let fields = [field("a"), field("b"), field("c")];
    assert_eq!(position_of(&fields, "b", 1), Some(1));
    assert_eq!(position_of(&fields, "a", 2), Some(0), "a wrong hint still finds it");
    assert_eq!(position_of(&fields, "c", 9), Some(2));
    assert_eq!(position_of(&fields, "d", 0), None);
}

proptest! {
    /// Whatever storage or the page hands over, the reader answers without panicking.
    #[test]
    fn the_json_reader_never_panics(text in "[\\[\\]{}\",:\\\\ntfrue0-9.eu\\-a-z ]{0,40}") {
        let _ = session_guard::core::json::parse(&text);
    }
}
