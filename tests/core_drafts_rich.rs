//! Fields beyond form controls (issue #18): the allow-list the shell's sanitizer applies to
//! contenteditable HTML, and how regions and custom fields are keyed.

use session_guard::core::drafts::{controls, field_kind, rich_attribute, rich_drops, rich_keeps, FieldFacts, FieldKind, RICH_POLICY};
use session_guard::core::json;

#[test]
fn formatting_is_kept() {
    for tag in ["b", "i", "em", "strong", "u", "s", "code", "pre", "blockquote", "p", "br", "div", "span", "h1", "h6", "ul", "ol", "li", "a"] {
        assert!(rich_keeps(tag), "{tag} kept");
    }
}

#[test]
fn what_runs_or_loads_is_never_kept() {
    for tag in ["script", "style", "iframe", "object", "embed", "img", "svg", "math", "link", "meta", "base", "form", "input", "video", "audio", "template"] {
        assert!(!rich_keeps(tag), "{tag} not kept");
    }
    // Dropped with what they hold (their text is code, not the user's words).
    for tag in ["script", "style", "iframe", "template", "svg", "math", "noscript", "object"] {
        assert!(rich_drops(tag), "{tag} dropped whole");
    }
    // Replaced by their children: the words stay.
    for tag in ["font", "img", "center", "table"] {
        assert!(!rich_drops(tag), "{tag} unwrapped");
    }
}

#[test]
fn attributes_never_carry_handlers_styles_or_other_schemes() {
    for name in ["onerror", "onclick", "onload", "style", "src", "srcdoc", "class", "id", "formaction", "xlink:href"] {
        assert!(!rich_attribute("a", name, "x"), "{name} dropped");
        assert!(!rich_attribute("p", name, "x"), "{name} dropped");
    }
    assert!(rich_attribute("p", "title", "hello"));
    assert!(rich_attribute("a", "href", "https://example.com/a"));
    assert!(rich_attribute("a", "href", "http://example.com/a"));
    assert!(rich_attribute("a", "href", "mailto:someone@example.com"));
    assert!(rich_attribute("a", "href", "HTTPS://EXAMPLE.COM/"));
    for url in ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>", "vbscript:x", "file:///etc/passwd", "blob:x", "//example.com"] {
        assert!(!rich_attribute("a", "href", url), "{url} refused");
    }
    // href only on links.
    assert!(!rich_attribute("div", "href", "https://example.com/"));
}

#[test]
fn the_policy_is_four_lists() {
    assert_eq!(RICH_POLICY.split('|').count(), 4);
    assert!(RICH_POLICY.split('|').all(|list| !list.trim().is_empty()));
}

#[test]
fn regions_and_custom_fields_have_keys_of_their_own() {
    let facts = json::parse(
        r##"[["input","","notes","",false,"","",""],["#editable","","notes","",false,"","",""],["#custom","","","",false,"","widget",""],
             ["x-rating","","","",false,"","stars",""],["#editable","","","",false,"","",""],["#editable","","","",false,"","",""]]"##,
    )
    .unwrap();
    let keys: Vec<(FieldKind, String)> = controls(&facts).into_iter().map(|c| (c.kind, c.key)).collect();
    assert_eq!(
        keys,
        vec![
            (FieldKind::Text, "notes".into()),
            (FieldKind::Rich, "notes:rich".into()),
            (FieldKind::Custom, "widget:custom".into()),
            (FieldKind::Custom, "stars:custom".into()),
            (FieldKind::Rich, "editable:rich#0/2".into()),
            (FieldKind::Rich, "editable:rich#1/2".into()),
        ]
    );
}

#[test]
fn secrets_stay_out_of_regions_and_custom_fields_too() {
    for (tag, name, label) in [("#editable", "api_key", ""), ("#custom", "notes", "Card number"), ("#editable", "x", "暗証番号"), ("x-otp", "otp", "")] {
        let facts = FieldFacts { tag, name, label, ..FieldFacts::default() };
        assert_eq!(field_kind(&facts), None, "{tag} {name} {label}");
    }
    let off = FieldFacts { tag: "#editable", name: "notes", opted_out: true, ..FieldFacts::default() };
    assert_eq!(field_kind(&off), None);
}

#[test]
fn file_inputs_keep_only_their_files_names() {
    use session_guard::core::drafts::names_files;
    let file = FieldFacts { tag: "input", input_type: "file", name: "attachment", ..FieldFacts::default() };
    assert_eq!(field_kind(&file), None, "never the files");
    assert!(names_files(&file));
    assert!(names_files(&FieldFacts { input_type: "FILE", ..file }));
    assert!(!names_files(&FieldFacts { name: "id_card_scan", ..file }), "a secret by its name");
    assert!(!names_files(&FieldFacts { opted_out: true, ..file }));
    assert!(!names_files(&FieldFacts { input_type: "text", ..file }));
    let facts = json::parse(r##"[["input","file","attachment","",false,"","",""],["input","file","photos","",false,"","",""]]"##).unwrap();
    let keys: Vec<(FieldKind, String)> = controls(&facts).into_iter().map(|c| (c.kind, c.key)).collect();
    assert_eq!(keys, vec![(FieldKind::Files, "attachment:file".into()), (FieldKind::Files, "photos:file".into())]);
}

#[test]
fn the_files_notice_in_both_languages() {
    use session_guard::core::config::Lang;
    use session_guard::core::i18n::{MessageKey, Messages};
    let en = Messages::new(Lang::En, &[]);
    assert_eq!(en.get(MessageKey::AttachAgain), "Files cannot be saved. Please attach them again: {files}");
    let ja = Messages::new(Lang::Ja, &[]);
    assert!(ja.get(MessageKey::AttachAgain).contains("もう一度添付してください"));
    assert_eq!(MessageKey::from_name("attachAgain"), Some(MessageKey::AttachAgain));
}
