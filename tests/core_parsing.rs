//! Options, server signals and texts: untrusted input in, clear answers out.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use session_guard::core::config::{CsrfSource, Drafts, Lang, RenewOn, Restore, SlidingWindow};
use session_guard::core::i18n::{announcement_step, countdown, resolve_lang, MessageKey, Messages};
use session_guard::core::options::{attributes_to_options, parse_options, Value};
use session_guard::core::server::{
    logout_start, read_answer, Answer, AnswerRead, LogoutStart,
    classify, fresh_csrf_token, is_login_path, looks_like_login_page, parse_expires_in_header, parse_server_timing, PingOutcome,
    PingResponse,
};

fn s(v: &str) -> Value {
    Value::Str(v.into())
}

fn opts(entries: &[(&str, Value)]) -> Vec<(String, Value)> {
    let mut all = vec![("keepAliveUrl".to_string(), s("/k"))];
    all.extend(entries.iter().map(|(k, v)| (k.to_string(), v.clone())));
    all
}

fn error_of(entries: &[(&str, Value)]) -> String {
    parse_options(&opts(entries)).unwrap_err().message()
}

#[test]
fn every_option_parses() {
    let c = parse_options(&opts(&[
        ("timeout", Value::Number(1800.0)),
        ("warnBefore", Value::Number(90.0)),
        ("loginUrl", s("/login")),
        ("logoutUrl", s("/logout")),
        ("renewOn", s("keepalive")),
        ("slidingWindow", s("half")),
        ("absoluteTimeout", Value::Number(28800.0)),
        ("autoExtend", Value::Bool(false)),
        ("user", Value::Number(42.0)),
        ("drafts", s("form.guarded")),
        ("restore", s("prompt")),
        ("draftTtl", Value::Number(3600.0)),
        ("lang", s("ja")),
        ("messages", Value::Map(vec![("continue".into(), s("Stay"))])),
        ("csrf", Value::Map(vec![("header".into(), s("X-CSRFToken")), ("cookie".into(), s("csrftoken"))])),
        ("cspNonce", s("abc")),
        ("escapeExtends", Value::Bool(false)),
    ]))
    .unwrap();
    assert_eq!(c.timeout_ms, Some(1_800_000));
    assert_eq!(c.warn_before_ms, 90_000);
    assert_eq!(c.keep_alive_url, "/k");
    assert_eq!(c.login_url.as_deref(), Some("/login"));
    assert_eq!(c.renew_on, RenewOn::KeepAlive);
    assert_eq!(c.sliding_window, SlidingWindow::Half);
    assert_eq!(c.absolute_timeout_ms, Some(28_800_000));
    assert!(!c.auto_extend);
    assert_eq!(c.user, "42");
    assert_eq!(c.drafts, Drafts::Selector("form.guarded".into()));
    assert_eq!(c.restore, Restore::Prompt);
    assert_eq!(c.draft_ttl_ms, 3_600_000);
    assert_eq!(c.lang, Lang::Ja);
    assert_eq!(c.csrf.header, "X-CSRFToken");
    assert_eq!(c.csrf.source, CsrfSource::Cookie("csrftoken".into()));
    assert_eq!(c.csp_nonce.as_deref(), Some("abc"));
    assert!(!c.escape_extends);
}

#[test]
fn defaults_match_the_readme() {
    let c = parse_options(&opts(&[("timeout", Value::Number(1800.0))])).unwrap();
    assert_eq!(c.warn_before_ms, 120_000);
    assert_eq!(c.renew_on, RenewOn::Request);
    assert_eq!(c.sliding_window, SlidingWindow::Full);
    assert!(c.auto_extend && c.escape_extends);
    assert_eq!(c.drafts, Drafts::AllForms);
    assert_eq!(c.restore, Restore::Auto);
    assert_eq!(c.draft_ttl_ms, 86_400_000);
    assert_eq!(c.csrf.source, CsrfSource::Meta("csrf-token".into()));
}

#[test]
fn errors_name_the_option_and_the_reason() {
    assert_eq!(error_of(&[("timout", Value::Number(1.0))]), "session-guard: option `timout`: is not a session-guard option");
    assert_eq!(error_of(&[("timeout", s("30m"))]), "session-guard: option `timeout`: must be a positive number of seconds");
    assert_eq!(error_of(&[("timeout", Value::Number(-5.0))]), "session-guard: option `timeout`: must be a positive number of seconds");
    assert!(error_of(&[("timeout", Value::Number(1_800_000.0 * 1000.0))]).contains("not milliseconds"));
    assert!(error_of(&[("warnBefore", Value::Number(10.0))]).starts_with("session-guard: option `warnBefore`: must be at least 20 seconds"));
    assert_eq!(
        error_of(&[("timeout", Value::Number(60.0)), ("warnBefore", Value::Number(60.0))]),
        "session-guard: option `warnBefore`: must be shorter than timeout"
    );
    assert!(error_of(&[("renewOn", s("always"))]).contains("`renewOn`: must be \"request\" or \"keepalive\""));
    assert!(error_of(&[("autoExtend", s("yes"))]).contains("`autoExtend`: must be true or false"));
    assert!(error_of(&[("messages", Value::Map(vec![("bogus".into(), s("x"))]))]).contains("`messages.bogus`"));
    assert!(error_of(&[("csrf", Value::Map(vec![("meta".into(), s("csrf-token"))]))]).contains("`csrf.header`: is required"));
    assert!(error_of(&[("drafts", Value::Number(1.0))]).contains("`drafts`"));
    assert!(error_of(&[("lang", Value::Other)]).contains("`lang`"));
    assert_eq!(parse_options(&[]).unwrap_err().message(), "session-guard: option `keepAliveUrl`: is required");
}

#[test]
fn data_attributes_map_to_options() {
    let attrs: Vec<(String, String)> = [
        ("timeout", "1800"),
        ("warn-before", "60"),
        ("keepalive-url", "/session/keepalive"),
        ("login-url", "/login"),
        ("user", "42"),
        ("auto-extend", "false"),
        ("drafts", "#main form"),
        ("csrf-header", "X-CSRF-Token"),
        ("csrf-meta", "csrf-token"),
        ("messages-continue", "Stay signed in"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let c = parse_options(&attributes_to_options(&attrs).unwrap()).unwrap();
    assert_eq!(c.timeout_ms, Some(1_800_000));
    assert_eq!(c.warn_before_ms, 60_000);
    assert_eq!(c.keep_alive_url, "/session/keepalive");
    assert!(!c.auto_extend);
    assert_eq!(c.user, "42");
    assert_eq!(c.drafts, Drafts::Selector("#main form".into()));
    assert_eq!(c.messages, vec![("continue".to_string(), "Stay signed in".to_string())]);
    let bad = attributes_to_options(&[("time-out".into(), "5".into())]).unwrap_err();
    assert_eq!(bad.message(), "session-guard: option `data-time-out`: is not a session-guard option");
    let bad = attributes_to_options(&[("timeout".into(), "soon".into())]).unwrap_err();
    assert!(bad.message().contains("`timeout`"));
}

#[test]
fn server_timing_and_headers() {
    assert_eq!(parse_server_timing("session;dur=1799000"), Some(1_799_000));
    assert_eq!(parse_server_timing("db;dur=53, session;desc=\"idle\";dur=1200"), Some(1200));
    assert_eq!(parse_server_timing("Session;DUR=\"5\""), Some(5));
    assert_eq!(parse_server_timing("db;dur=53"), None);
    assert_eq!(parse_server_timing("session"), None);
    assert_eq!(parse_server_timing("session;dur=-1"), None);
    assert_eq!(parse_expires_in_header(" 1800 "), Some(1_800_000));
    assert_eq!(parse_expires_in_header("soon"), None);
    assert_eq!(parse_expires_in_header("NaN"), None);
}

#[test]
fn keepalive_outcomes() {
    let r = |status| PingResponse { status, ..PingResponse::default() };
    assert_eq!(classify(Some(&r(200))), PingOutcome::Extended { expires_in_ms: None });
    assert_eq!(classify(Some(&PingResponse { expires_in_ms: Some(5), ..r(204) })), PingOutcome::Extended { expires_in_ms: Some(5) });
    for status in [401, 403, 419, 440] {
        assert_eq!(classify(Some(&r(status))), PingOutcome::Expired, "{status}");
    }
    for status in [0, 404, 408, 429, 500, 502, 503, 504] {
        assert_eq!(classify(Some(&r(status))), PingOutcome::Retry, "{status}");
    }
    assert_eq!(classify(None), PingOutcome::Retry);
    assert_eq!(classify(Some(&PingResponse { redirected_to_login: true, ..r(200) })), PingOutcome::Expired);
    assert_eq!(classify(Some(&PingResponse { login_page: true, ..r(200) })), PingOutcome::Expired);
    assert!(looks_like_login_page("text/html; charset=utf-8", "<form><input TYPE=\"password\" name=p></form>"));
    assert!(!looks_like_login_page("application/json", "{\"type=\\\"password\\\"\":1}"));
    assert!(!looks_like_login_page("text/html", "<p>ok</p>"));
    assert!(is_login_path("/login/", "/login"));
    assert!(!is_login_path("/form", "/login"));
    assert!(!is_login_path("/", ""));
}

#[test]
fn csrf_fields_and_fresh_tokens() {
    use session_guard::core::config::CSRF_FIELDS;
    let c = parse_options(&opts(&[])).unwrap();
    assert_eq!(c.csrf.fields, None, "default: the usual framework names");
    assert!(CSRF_FIELDS.contains(&"csrfmiddlewaretoken") && CSRF_FIELDS.contains(&"_csrf") && CSRF_FIELDS.len() == 6);
    let csrf = |field: Value| Value::Map(vec![("header".into(), s("X-CSRF-Token")), ("meta".into(), s("csrf-token")), ("field".into(), field)]);
    let c = parse_options(&opts(&[("csrf", csrf(s("_csrf, my_token")))])).unwrap();
    assert_eq!(c.csrf.fields, Some(vec!["_csrf".to_string(), "my_token".to_string()]));
    let c = parse_options(&opts(&[("csrf", csrf(Value::List(vec![s("a")])))])).unwrap();
    assert_eq!(c.csrf.fields, Some(vec!["a".to_string()]));
    assert!(error_of(&[("csrf", csrf(s(" ")))]).contains("`csrf.field`"));
    let attrs = [("keepalive-url", "/k"), ("csrf-header", "X"), ("csrf-meta", "m"), ("csrf-field", "_csrf x")];
    let attrs: Vec<(String, String)> = attrs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let c = parse_options(&attributes_to_options(&attrs).unwrap()).unwrap();
    assert_eq!(c.csrf.fields, Some(vec!["_csrf".to_string(), "x".to_string()]));

    let alive = PingOutcome::Extended { expires_in_ms: None };
    assert!(fresh_csrf_token(alive, "aB3-_~.+/="));
    assert!(!fresh_csrf_token(PingOutcome::Expired, "abc"), "only from a live session's answer");
    assert!(!fresh_csrf_token(PingOutcome::Retry, "abc"));
    for bad in ["", "a b", "<script>", "a\nb", "\"x", &"a".repeat(513)] {
        assert!(!fresh_csrf_token(alive, bad), "{bad:?}");
    }
}

/// The whole answer, as the shell hands it over, read the way README's server contract says.
#[test]
fn answers_are_read_as_the_server_contract_says() {
    let json = |body| Answer { status: 200, content_type: "application/json; charset=utf-8", body, ..Answer::default() };
    let extended = |ms| PingOutcome::Extended { expires_in_ms: ms };
    // The body's expiresIn first, then Session-Expires-In, then Server-Timing.
    let all = Answer { expires_in_header: "60", server_timing: "session;dur=30000", ..json(r#"{"expiresIn": 90}"#) };
    assert_eq!(read_answer(&all).outcome, extended(Some(90_000)));
    assert_eq!(read_answer(&Answer { body: "{}", ..all }).outcome, extended(Some(60_000)));
    assert_eq!(read_answer(&Answer { body: "{}", expires_in_header: "", ..all }).outcome, extended(Some(30_000)));
    assert_eq!(read_answer(&json(r#"{"expiresIn": "90"}"#)).outcome, extended(None), "a string is not seconds");
    // A number written with an exponent elsewhere does not hide the rest of the answer.
    let python = read_answer(&json(r#"{"load": 1e-05, "expiresIn": 1799.5, "csrfToken": "t0k3n"}"#));
    assert_eq!(python, AnswerRead { outcome: extended(Some(1_799_500)), fresh_token: Some("t0k3n".into()) });
    // The token is taken only from a live session's JSON, and only a plausible one.
    assert_eq!(read_answer(&Answer { status: 401, ..json(r#"{"csrfToken": "t0k3n"}"#) }).fresh_token, None);
    assert_eq!(read_answer(&json(r#"{"csrfToken": "<b>"}"#)).fresh_token, None);
    assert_eq!(read_answer(&json(r#"{"csrfToken": 5}"#)).fresh_token, None);
    let text = Answer { status: 200, content_type: "text/plain", body: r#"{"csrfToken": "t0k3n", "expiresIn": 9}"#, ..Answer::default() };
    assert_eq!(read_answer(&text), AnswerRead { outcome: extended(None), fresh_token: None }, "only a JSON answer is read as JSON");
    // An HTML login page with a 200, or a redirect that ended at the login page: expired.
    let login_page = Answer { status: 200, content_type: "text/html", body: "<input type=password>", ..Answer::default() };
    assert_eq!(read_answer(&login_page).outcome, PingOutcome::Expired);
    let to_login = Answer { redirected: true, final_path: "/login/", login_path: Some("/login"), ..json("{}") };
    assert_eq!(read_answer(&to_login).outcome, PingOutcome::Expired);
    assert_eq!(read_answer(&Answer { login_path: None, ..to_login }).outcome, extended(None), "a JSON answer after a redirect elsewhere");
    assert_eq!(read_answer(&Answer { status: 503, ..json("{}") }).outcome, PingOutcome::Retry);
}

#[test]
fn logging_out_starts_at_the_logout_url_else_the_login_page() {
    assert_eq!(logout_start(Some("/logout"), Some("/login")), LogoutStart::Request("/logout"));
    assert_eq!(logout_start(None, Some("/login")), LogoutStart::GoTo("/login"));
    assert_eq!(logout_start(None, None), LogoutStart::Nothing);
}

#[test]
fn texts_in_both_languages() {
    let en = Messages::new(Lang::En, &[]);
    assert_eq!(en.with_time(MessageKey::Warning, 120), "Your session will expire in 2 minutes. Do you want to continue?");
    assert_eq!(en.duration_phrase(60), "1 minute");
    assert_eq!(en.duration_phrase(40), "40 seconds");
    assert_eq!(en.duration_phrase(1), "1 second");
    assert_eq!(en.get(MessageKey::Continue), "Continue");
    let ja = Messages::new(Lang::Ja, &[]);
    assert_eq!(ja.with_time(MessageKey::Warning, 120), "セッションが2分後に切れます。継続しますか?");
    assert_eq!(ja.get(MessageKey::Continue), "続ける");
    assert_eq!(ja.get(MessageKey::LogOut), "ログアウト");
    assert_eq!(ja.get(MessageKey::LogInAgain), "再ログイン");
    let custom = Messages::new(Lang::En, &[("continue".into(), "<b>Stay</b>".into())]);
    assert_eq!(custom.get(MessageKey::Continue), "<b>Stay</b>");
    assert_eq!(resolve_lang(Lang::Auto, "ja-JP"), Lang::Ja);
    assert_eq!(resolve_lang(Lang::Auto, "en-GB"), Lang::En);
    assert_eq!(resolve_lang(Lang::En, "ja"), Lang::En);
}

#[test]
fn countdown_and_announcement_steps() {
    assert_eq!(countdown(119_001), "2:00");
    assert_eq!(countdown(119_000), "1:59");
    assert_eq!(countdown(7_000), "0:07");
    assert_eq!(countdown(1), "0:01");
    assert_eq!(countdown(0), "0:00");
    // Rounded down from the visible countdown: never more than it shows.
    assert_eq!(announcement_step(120_000), 120);
    assert_eq!(announcement_step(119_000), 60);
    assert_eq!(announcement_step(61_000), 60);
    assert_eq!(announcement_step(60_000), 60);
    assert_eq!(announcement_step(41_000), 40);
    assert_eq!(announcement_step(39_000), 20);
    assert_eq!(announcement_step(29_500), 20);
    assert_eq!(announcement_step(19_000), 15);
    assert_eq!(announcement_step(4_200), 5);
    assert_eq!(announcement_step(3_200), 1);
    assert_eq!(announcement_step(1), 1);
    for ms in (1..200_000).step_by(137) {
        let shown = countdown(ms);
        let shown_s = shown.split(':').map(|p| p.parse::<u64>().unwrap()).fold(0, |a, p| a * 60 + p);
        assert!(announcement_step(ms) <= shown_s, "{ms} ms: announced {} next to {shown}", announcement_step(ms));
    }
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_map(Value::Number),
        ".{0,12}".prop_map(Value::Str),
        Just(Value::Other),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| prop::collection::vec(("[a-zA-Z]{1,12}", inner), 0..4).prop_map(Value::Map))
}

const NAMES: [&str; 21] = [
    "timeout", "warnBefore", "keepAliveUrl", "loginUrl", "logoutUrl", "renewOn", "slidingWindow", "absoluteTimeout",
    "autoExtend", "user", "drafts", "restore", "draftTtl", "lang", "messages", "csrf", "cspNonce", "escapeExtends", "bogus",
    "draftKey", "draftKeys",
];

proptest! {
    /// Hostile options never panic; an error always names an option and gives a reason.
    #[test]
    fn options_parser_never_panics(entries in prop::collection::vec((prop::sample::select(NAMES.to_vec()), value()), 0..8)) {
        let entries: Vec<(String, Value)> = entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        match parse_options(&entries) {
            Ok(c) => prop_assert!(c.timeout_ms.is_none_or(|t| c.warn_before_ms < t)),
            Err(e) => { prop_assert!(!e.option.is_empty()); prop_assert!(e.message().starts_with("session-guard: option `")); }
        }
    }

    #[test]
    fn attribute_parser_never_panics(attrs in prop::collection::vec(("[a-z-]{0,20}", ".{0,20}"), 0..8)) {
        if let Ok(entries) = attributes_to_options(&attrs) {
            let _ = parse_options(&entries);
        }
    }

    #[test]
    fn server_parsers_never_panic(text in ".{0,80}", ct in ".{0,20}") {
        let _ = parse_server_timing(&text);
        let _ = parse_expires_in_header(&text);
        let _ = looks_like_login_page(&ct, &text);
    }

    #[test]
    fn countdown_is_always_m_ss(ms in 0u64..100_000_000) {
        let text = countdown(ms);
        let (m, s) = text.split_once(':').unwrap();
        prop_assert_eq!(s.len(), 2);
        prop_assert_eq!(m.parse::<u64>().unwrap() * 60 + s.parse::<u64>().unwrap(), ms.div_ceil(1000));
    }
}

#[test]
fn decimals_parse_without_the_float_parser() {
    use session_guard::core::decimal::parse_decimal;
    assert_eq!(parse_decimal("1800"), Some(1800.0));
    assert_eq!(parse_decimal("1799.5"), Some(1799.5));
    assert_eq!(parse_decimal(".5"), Some(0.5));
    assert_eq!(parse_decimal("-1"), Some(-1.0));
    for bad in ["", ".", "-", "1e3", "1.2.3", "12a", " 1", "NaN", "inf"] {
        assert_eq!(parse_decimal(bad), None, "{bad:?}");
    }
}

proptest! {
    #[test]
    fn decimals_agree_with_the_standard_parser(n in 0u64..10_000_000_000, frac in 0u32..1000) {
        let text = format!("{n}.{frac:03}");
        let ours = session_guard::core::decimal::parse_decimal(&text).unwrap();
        let std: f64 = text.parse().unwrap();
        prop_assert!((ours - std).abs() <= std.abs() * 1e-12 + 1e-9, "{} vs {}", ours, std);
    }
}

#[test]
fn text_search_helpers() {
    use session_guard::core::text::{contains_ignore_case, fill_time, find};
    assert_eq!(find("abcabc", "ca", false), Some(2));
    assert_eq!(find("abc", "", false), Some(0));
    assert_eq!(find("ab", "abc", false), None);
    assert!(contains_ignore_case("Text/HTML; charset=utf-8", "html"));
    assert_eq!(fill_time("in {time}.", "2 minutes"), "in 2 minutes.");
    assert_eq!(fill_time("no slot", "x"), "no slot");
    assert_eq!(fill_time("「{time}」", "2分"), "「2分」");
}
