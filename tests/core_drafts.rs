//! Drafts as data: exclusion rules, keys, records, TTL, merge.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use session_guard::core::drafts::*;
use session_guard::core::options::Value;

fn facts<'a>(tag: &'a str, input_type: &'a str, name: &'a str, autocomplete: &'a str) -> FieldFacts<'a> {
    FieldFacts { tag, input_type, name, autocomplete, opted_out: false }
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
fn parse_json(text: &str) -> Value {
    fn value(s: &[u8], i: &mut usize) -> Value {
        while s[*i].is_ascii_whitespace() { *i += 1; }
        match s[*i] {
            b'{' => { *i += 1; let mut m = Vec::new(); loop { if s[*i] == b'}' { *i += 1; break; } if s[*i] == b',' { *i += 1; } let Value::Str(k) = value(s, i) else { panic!() }; *i += 1; m.push((k, value(s, i))); } Value::Map(m) }
            b'[' => { *i += 1; let mut l = Vec::new(); loop { if s[*i] == b']' { *i += 1; break; } if s[*i] == b',' { *i += 1; } l.push(value(s, i)); } Value::List(l) }
            b'"' => { let start = *i; *i += 1; while s[*i] != b'"' { if s[*i] == b'\\' { *i += 1; } *i += 1; } *i += 1; let raw = std::str::from_utf8(&s[start..*i]).unwrap(); Value::Str(unescape(raw)) }
            b't' => { *i += 4; Value::Bool(true) }
            b'f' => { *i += 5; Value::Bool(false) }
            _ => { let start = *i; while *i < s.len() && (s[*i].is_ascii_digit() || s[*i] == b'.' || s[*i] == b'-') { *i += 1; } Value::Number(std::str::from_utf8(&s[start..*i]).unwrap().parse().unwrap()) }
        }
    }
    fn unescape(quoted: &str) -> String {
        let inner = &quoted[1..quoted.len() - 1];
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c != '\\' { out.push(c); continue; }
            match chars.next().unwrap() {
                'n' => out.push('\n'), 'r' => out.push('\r'), 't' => out.push('\t'),
                'u' => { let hex: String = chars.by_ref().take(4).collect(); out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap()); }
                other => out.push(other),
            }
        }
        out
    }
    let mut i = 0;
    value(text.as_bytes(), &mut i)
}

#[test]
fn records_round_trip_through_json() {
    let r = record();
    let json = encode(&r);
    assert!(json.starts_with("{\"v\":1,"));
    assert_eq!(decode(&parse_json(&json)), Ok(r));
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
fn ttl_and_sweep() {
    let r = record();
    let day = 24 * 3600 * 1000;
    assert!(!is_expired(&r, r.saved_at + day, day));
    assert!(is_expired(&r, r.saved_at + day + 1, day));
    let key = draft_key("alice", "/form", "#f");
    let ok: Result<DraftRecord, &str> = Ok(r.clone());
    assert_eq!(sweep(&key, &ok, "alice", r.saved_at, day, true), Sweep::Keep);
    assert_eq!(sweep(&key, &ok, "alice", r.saved_at + 2 * day, day, true), Sweep::Delete);
    assert_eq!(sweep(&key, &ok, "bob", r.saved_at, day, true), Sweep::Delete, "another user's drafts are purged");
    assert_eq!(sweep(&key, &Err("corrupt"), "alice", r.saved_at, day, true), Sweep::Corrupt);
    let pending: Result<DraftRecord, &str> = Ok(DraftRecord { pending: true, ..r.clone() });
    assert_eq!(sweep(&key, &pending, "alice", r.saved_at, day, true), Sweep::Delete, "the submission went through");
    assert_eq!(sweep(&key, &pending, "alice", r.saved_at, day, false), Sweep::Keep, "the submit ended at the login page");
    assert_eq!(sweep(&resume_key("alice"), &Err("not a record"), "alice", 0, day, true), Sweep::Keep);
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
    let (apply, later) = restore_plan(&saved, &page);
    assert_eq!(apply, vec![("a".to_string(), t("typed a"))]);
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].key, "later");
}

#[test]
fn only_changed_fields_are_saved() {
    let t = |s: &str| FieldValue::Text(s.into());
    let saved = changed_fields(vec![current("a", t("x"), t("")), current("b", t("same"), t("same"))]);
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].key, "a");
}

#[test]
fn eviction_goes_oldest_first_and_spares_the_draft_being_saved() {
    let order = eviction_order(vec![("new".into(), 30), ("old".into(), 10), ("mid".into(), 20), ("me".into(), 1)], "me");
    assert_eq!(order, vec!["old", "mid", "new"]);
}

#[test]
fn sizes_count_utf16_bytes() {
    assert_eq!(utf16_bytes("ab"), 4);
    assert_eq!(utf16_bytes("日本"), 4);
    assert_eq!(utf16_bytes("😀"), 4);
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
    fn exclusion_rules_never_panic(tag in "[a-z]{0,8}", t in "\\PC{0,10}", name in "\\PC{0,12}", ac in "\\PC{0,16}") {
        let _ = field_kind(&FieldFacts { tag: &tag, input_type: &t, name: &name, autocomplete: &ac, opted_out: false });
    }
}

#[test]
fn resume_marker_and_restore_modes() {
    use session_guard::core::config::Restore;
    assert_eq!(decode_resume(&encode_resume(123, "/a/b?c")), Some((123, "/a/b?c")));
    assert_eq!(decode_resume("x\n/a"), None);
    assert_eq!(decode_resume("garbage"), None);
    assert_eq!(restore_mode(Restore::Auto, true), RestoreMode::Now);
    assert_eq!(restore_mode(Restore::Auto, false), RestoreMode::Ask);
    assert_eq!(restore_mode(Restore::Prompt, true), RestoreMode::Ask);
    assert_eq!(restore_mode(Restore::Manual, true), RestoreMode::Wait);
}

#[test]
fn only_draft_keys_are_swept() {
    let day = 24 * 3600 * 1000;
    let corrupt: Result<DraftRecord, &str> = Err("not a record");
    assert!(is_draft_key(&draft_key("alice", "/form", "#f")));
    for other in [resume_key("alice"), session_guard::core::login::key("alice"), session_guard::core::tabs::channel_name("alice")] {
        assert!(!is_draft_key(&other), "{other}");
        assert_eq!(sweep(&other, &corrupt, "alice", 0, day, true), Sweep::Keep);
        assert_eq!(sweep(&other, &corrupt, "bob", 0, day, true), Sweep::Delete, "another user's markers go too");
    }
}
