//! Drafts at rest with `draftKey`: the sealed record format (ChaCha20-Poly1305, the key id and
//! the storage key as associated data), keys and the options that carry them.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use session_guard::core::drafts::{decode, draft_key, encode, sweep, text_key, DraftRecord, FieldValue, SavedField, Sweep};
use session_guard::core::drafts::SubmitOutcome::Succeeded;
use session_guard::core::json;
use session_guard::core::options::{attributes_to_options, parse_options, Value};
use session_guard::core::seal::*;

const ALICE_KEY: [u8; 32] = [7; 32];
const OTHER: [u8; 32] = [9; 32];

fn key_text(bytes: &[u8; 32]) -> String {
    let mut out = String::new();
    push_base64url(&mut out, bytes);
    out
}

fn record() -> DraftRecord {
    DraftRecord {
        saved_at: 1_700_000_000_000,
        url: "https://example.test/notes?id=3".into(),
        signature: 42,
        pending: false,
        fields: vec![SavedField {
            key: "body".into(),
            value: FieldValue::Text("Dear Bob, the secret plan".into()),
            default: FieldValue::Text(String::new()),
        }],
    }
}

fn nonce(n: u8) -> [u8; NONCE_LEN] {
    [n; NONCE_LEN]
}

#[test]
fn a_sealed_record_opens_under_its_key_and_decodes() {
    let cipher = DraftCipher::new(&[ALICE_KEY]).unwrap();
    let key = draft_key("alice", "/notes", "#note");
    let plain = encode(&record());
    let sealed = cipher.seal(&key, plain.as_bytes(), nonce(1)).expect("sealed");
    assert!(is_sealed(&sealed) && sealed.starts_with("sg1."));
    assert!(!sealed.contains("secret plan") && !sealed.contains("Bob") && !sealed.contains("example.test"));
    let opened = String::from_utf8(cipher.open(&key, &sealed).unwrap()).unwrap();
    assert_eq!(opened, plain);
    assert_eq!(decode(&json::parse(&opened).unwrap()).unwrap(), record());
    // Overhead: prefix, key id, nonce and tag, base64url.
    assert_eq!(sealed.len(), 4 + 8 + 1 + (NONCE_LEN + plain.len() + 16).div_ceil(3) * 4 - [0, 2, 1][(NONCE_LEN + plain.len() + 16) % 3]);
}

#[test]
fn every_write_has_its_own_nonce_and_ciphertext() {
    let cipher = DraftCipher::new(&[ALICE_KEY]).unwrap();
    let key = draft_key("alice", "/notes", "#note");
    let a = cipher.seal(&key, b"same text", nonce(1)).expect("sealed");
    let b = cipher.seal(&key, b"same text", nonce(2)).expect("sealed");
    assert_ne!(a, b);
    let body = |s: &str| decode_base64url(s.rsplit('.').next().unwrap()).unwrap();
    assert_eq!(&body(&a)[..NONCE_LEN], &nonce(1));
    assert_eq!(&body(&b)[..NONCE_LEN], &nonce(2));
    assert_ne!(body(&a)[NONCE_LEN..], body(&b)[NONCE_LEN..]);
    assert_eq!(cipher.open(&key, &a).unwrap(), b"same text");
    assert_eq!(cipher.open(&key, &b).unwrap(), b"same text");
}

#[test]
fn tampering_and_truncation_are_caught() {
    let cipher = DraftCipher::new(&[ALICE_KEY]).unwrap();
    let key = draft_key("alice", "/notes", "#note");
    let sealed = cipher.seal(&key, encode(&record()).as_bytes(), nonce(3)).expect("sealed");
    let (head, body) = sealed.rsplit_once('.').unwrap();
    let bytes = decode_base64url(body).unwrap();
    let rebuild = |bytes: &[u8]| {
        let mut out = format!("{head}.");
        push_base64url(&mut out, bytes);
        out
    };
    // Every byte flipped: nonce, ciphertext, tag.
    for at in 0..bytes.len() {
        let mut altered = bytes.clone();
        altered[at] ^= 0x01;
        assert_eq!(cipher.open(&key, &rebuild(&altered)), Err(TAMPERED), "byte {at}");
    }
    // Cut anywhere, or extended.
    for len in 0..bytes.len() {
        assert_eq!(cipher.open(&key, &rebuild(&bytes[..len])), Err(TAMPERED), "cut to {len}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(cipher.open(&key, &rebuild(&longer)), Err(TAMPERED));
    // Text cut, not base64url, no body, no key id.
    assert_eq!(cipher.open(&key, &sealed[..sealed.len() - 1]), Err(TAMPERED));
    assert_eq!(cipher.open(&key, &format!("{head}.!!!!")), Err(TAMPERED));
    assert_eq!(cipher.open(&key, head), Err(TAMPERED));
    assert_eq!(cipher.open(&key, "sg1."), Err(TAMPERED));
    // Moved under another storage key: another form, path or user (the hash in the key).
    for other in [draft_key("alice", "/notes", "#other"), draft_key("alice", "/other", "#note"), draft_key("bob", "/notes", "#note"), text_key(&key, 0)] {
        assert_eq!(cipher.open(&other, &sealed), Err(TAMPERED), "{other}");
    }
}

#[test]
fn another_key_or_no_key_reads_nothing() {
    let alice = DraftCipher::new(&[ALICE_KEY]).unwrap();
    let wrong = DraftCipher::new(&[OTHER]).unwrap();
    assert_ne!(alice.key_id(), wrong.key_id());
    let key = draft_key("alice", "/notes", "#note");
    let sealed = alice.seal(&key, b"{\"v\":1}", nonce(4)).expect("sealed");
    assert_eq!(wrong.open(&key, &sealed), Err(OTHER_KEY));
    // The right id with a wrong key (a forged id) still does not open.
    let forged = sealed.replacen(alice.key_id(), wrong.key_id(), 1);
    assert_eq!(alice.open(&key, &forged), Err(OTHER_KEY));
    assert_eq!(wrong.open(&key, &forged), Err(TAMPERED));
    // A plain record on a page with a key: not this key's (never restored, never trusted).
    assert_eq!(alice.open(&key, &encode(&record())), Err(OTHER_KEY));
    // The key id says nothing of the key: not a part of it.
    let id = decode_base64url(alice.key_id()).unwrap();
    assert!(!ALICE_KEY.windows(id.len()).any(|w| w == id.as_slice()));
    assert!(DraftCipher::new(&[]).is_none());
}

#[test]
fn a_previous_key_still_opens_and_the_first_seals() {
    let rotated = DraftCipher::new(&[OTHER, ALICE_KEY]).unwrap();
    let before = DraftCipher::new(&[ALICE_KEY]).unwrap();
    let key = draft_key("alice", "/notes", "#note");
    let old = before.seal(&key, b"written before the rotation", nonce(5)).expect("sealed");
    assert_eq!(rotated.open(&key, &old).unwrap(), b"written before the rotation");
    let new = rotated.seal(&key, b"after", nonce(6)).expect("sealed");
    assert!(new.starts_with(&format!("sg1.{}.", DraftCipher::new(&[OTHER]).unwrap().key_id())));
    assert_eq!(before.open(&key, &new), Err(OTHER_KEY));
}

#[test]
fn unreadable_records_of_this_user_are_swept_and_reported_others_quietly() {
    let day = 86_400_000;
    let mine = draft_key("alice", "/notes", "#note");
    let theirs = draft_key("bob", "/notes", "#note");
    assert_eq!(sweep(&mine, &Err(OTHER_KEY), "alice", 0, day, Succeeded), Sweep::Corrupt);
    assert_eq!(sweep(&mine, &Err(TAMPERED), "alice", 0, day, Succeeded), Sweep::Corrupt);
    assert_eq!(sweep(&theirs, &Err(OTHER_KEY), "alice", 0, day, Succeeded), Sweep::Delete);
}

#[test]
fn keys_are_base64url_of_32_bytes() {
    let text = key_text(&ALICE_KEY);
    assert_eq!(text.len(), 43);
    assert_eq!(decode_key(&text), Some(ALICE_KEY));
    assert_eq!(decode_key(&format!("{text}=")), Some(ALICE_KEY), "padding is allowed");
    assert_eq!(decode_key(&format!(" {text} ")), Some(ALICE_KEY));
    for bad in ["", "abc", &text[..42], &format!("{text}AA"), &text.replace('B', "+"), "not a key at all, not a key at all, not a k"] {
        assert_eq!(decode_key(bad), None, "{bad}");
    }
    // Non-canonical last character (bits past the last byte set).
    let mut last = text.clone();
    last.pop();
    last.push('B');
    assert_eq!(decode_key(&last), None);
}

#[test]
fn options_take_one_key_or_a_list_and_name_themselves_when_bad() {
    let key = key_text(&ALICE_KEY);
    let previous = key_text(&OTHER);
    let base = |extra: (&str, Value)| vec![("keepAliveUrl".to_string(), Value::Str("/k".into())), (extra.0.to_string(), extra.1)];
    let config = parse_options(&base(("draftKey", Value::Str(key.clone())))).unwrap();
    assert_eq!(config.draft_keys, vec![ALICE_KEY]);
    assert!(parse_options(&base(("draftKey", Value::Null))).unwrap().draft_keys.is_empty());
    let config = parse_options(&base(("draftKeys", Value::List(vec![Value::Str(key.clone()), Value::Str(previous.clone())])))).unwrap();
    assert_eq!(config.draft_keys, vec![ALICE_KEY, OTHER]);
    for (name, bad) in [
        ("draftKey", Value::Str("secret".into())),
        ("draftKey", Value::Number(1.0)),
        ("draftKey", Value::Str(key[..40].into())),
        ("draftKeys", Value::List(vec![])),
        ("draftKeys", Value::List(vec![Value::Str("x".into())])),
        ("draftKeys", Value::Str(key.clone())),
    ] {
        let error = parse_options(&base((name, bad.clone()))).unwrap_err();
        assert_eq!(error.option, name, "{bad:?}");
        assert!(error.message().contains(name));
    }
    let mut both = base(("draftKey", Value::Str(key.clone())));
    both.push(("draftKeys".into(), Value::List(vec![Value::Str(key.clone())])));
    assert_eq!(parse_options(&both).unwrap_err().option, "draftKeys");
    // data-draft-key and data-draft-keys="current previous".
    let attrs = |name: &str, value: &str| vec![("keepalive-url".to_string(), "/k".to_string()), (name.to_string(), value.to_string())];
    let config = parse_options(&attributes_to_options(&attrs("draft-key", &key)).unwrap()).unwrap();
    assert_eq!(config.draft_keys, vec![ALICE_KEY]);
    let config = parse_options(&attributes_to_options(&attrs("draft-keys", &format!("{key} {previous}"))).unwrap()).unwrap();
    assert_eq!(config.draft_keys, vec![ALICE_KEY, OTHER]);
    let error = parse_options(&attributes_to_options(&attrs("draft-key", "oops")).unwrap()).unwrap_err();
    assert_eq!(error.option, "draftKey");
}

proptest! {
    #[test]
    fn any_text_round_trips_and_any_change_is_caught(text in ".{0,300}", flip in any::<prop::sample::Index>(), n in any::<[u8; 12]>()) {
        let cipher = DraftCipher::new(&[ALICE_KEY]).unwrap();
        let key = draft_key("alice", "/p", "form0");
        let sealed = cipher.seal(&key, text.as_bytes(), n).expect("sealed");
        prop_assert_eq!(cipher.open(&key, &sealed).unwrap(), text.as_bytes());
        let (head, body) = sealed.rsplit_once('.').unwrap();
        let mut bytes = decode_base64url(body).unwrap();
        let at = flip.index(bytes.len());
        bytes[at] ^= 0x80;
        let mut altered = format!("{head}.");
        push_base64url(&mut altered, &bytes);
        prop_assert_eq!(cipher.open(&key, &altered), Err(TAMPERED));
    }

    #[test]
    fn opening_anything_never_panics(text in ".{0,200}") {
        let cipher = DraftCipher::new(&[ALICE_KEY]).unwrap();
        let _ = cipher.open("k", &text);
        let _ = cipher.open("k", &format!("sg1.{}.{text}", cipher.key_id()));
        let _ = decode_base64url(&text);
        let _ = decode_key(&text);
    }

    /// Ours is RFC 8439's AEAD as RustCrypto's `chacha20poly1305` computes it, byte for byte,
    /// across the pieces it is computed in (4 KB) and every length modulo 3 (base64 groups).
    #[test]
    fn sealing_is_chacha20poly1305_byte_for_byte(len in prop_oneof![0usize..100, 4000usize..12400], seed in any::<u8>(), n in any::<[u8; 12]>()) {
        use chacha20poly1305::aead::{AeadInPlace, KeyInit};
        let plain: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect();
        let cipher = DraftCipher::new(&[ALICE_KEY]).unwrap();
        let key = draft_key("alice", "/p", "form0");
        let sealed = cipher.seal(&key, &plain, n).expect("sealed");
        let reference = chacha20poly1305::ChaCha20Poly1305::new(&ALICE_KEY.into());
        let mut expected = plain.clone();
        let ad = format!("{}\n{key}", cipher.key_id());
        let tag = reference.encrypt_in_place_detached(&n.into(), ad.as_bytes(), &mut expected).unwrap();
        let mut body = n.to_vec();
        body.extend_from_slice(&expected);
        body.extend_from_slice(&tag);
        let mut text = format!("sg1.{}.", cipher.key_id());
        push_base64url(&mut text, &body);
        prop_assert_eq!(&sealed, &text);
        prop_assert_eq!(cipher.open(&key, &sealed).unwrap(), plain);
    }

    #[test]
    fn base64url_round_trips(bytes in prop_oneof![prop::collection::vec(any::<u8>(), 0..100), prop::collection::vec(any::<u8>(), 3000..6200)]) {
        let mut text = String::new();
        push_base64url(&mut text, &bytes);
        prop_assert_eq!(decode_base64url(&text).unwrap(), bytes);
    }
}
