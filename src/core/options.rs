//! Parsing untrusted options into a [`Config`]. The browser shell converts a JS
//! object (or a script tag's `data-` attributes) into [`Value`]s; everything
//! else, including every error message, is decided here so it can be tested and
//! fuzzed natively.

use super::config::{
    Config, Csrf, CsrfSource, Drafts, Lang, RenewOn, Restore, SlidingWindow, MIN_WARNING_MS,
};
use super::decimal::parse_decimal;
use super::i18n::MessageKey;

// `Value` was defined here first; the shell still names it through this module.
pub use super::json::Value;

/// A rejected option: which one and why. Shown to developers as
/// "session-guard: option `warnBefore`: must be at least 20 seconds".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The option's name.
    pub option: String,
    /// Why it was rejected.
    pub reason: &'static str,
}

impl ConfigError {
    fn new(option: &str, reason: &'static str) -> ConfigError {
        ConfigError { option: option.into(), reason }
    }

    /// The developer-facing error text.
    pub fn message(&self) -> String {
        let mut text = String::from("session-guard: option `");
        text.push_str(&self.option);
        text.push_str("`: ");
        text.push_str(self.reason);
        text
    }
}

/// Longest accepted duration: a year. Larger values are almost surely a unit mix-up (ms for s).
const MAX_SECONDS: f64 = 31_536_000.0;

const SECONDS: &str = "must be a positive number of seconds";

// The value parsers return only the reason; `parse_options` adds the option's name in
// one place (each error built at each call site costs wasm size).

fn seconds(value: &Value) -> Result<u64, &'static str> {
    match value {
        Value::Number(s) if s.is_finite() && *s > 0.0 && *s <= MAX_SECONDS => Ok((s * 1000.0) as u64),
        Value::Number(s) if *s > MAX_SECONDS => Err("must be seconds, not milliseconds (at most one year)"),
        _ => Err(SECONDS),
    }
}

fn optional_seconds(value: &Value) -> Result<Option<u64>, &'static str> {
    match value {
        Value::Null => Ok(None),
        other => seconds(other).map(Some),
    }
}

fn boolean(value: &Value) -> Result<bool, &'static str> {
    match value {
        Value::Bool(b) => Ok(*b),
        _ => Err("must be true or false"),
    }
}

fn text(value: &Value) -> Result<String, &'static str> {
    match value {
        Value::Str(s) if !s.trim().is_empty() => Ok(s.clone()),
        _ => Err("must be a non-empty string"),
    }
}

fn optional_text(value: &Value) -> Result<Option<String>, &'static str> {
    match value {
        Value::Null => Ok(None),
        other => text(other).map(Some),
    }
}

fn one_of<T: Copy>(value: &Value, choices: &[(&str, T)], reason: &'static str) -> Result<T, &'static str> {
    if let Value::Str(s) = value {
        if let Some((_, choice)) = choices.iter().find(|(name, _)| name == s) {
            return Ok(*choice);
        }
    }
    Err(reason)
}

/// Parses options given as a JS object. Unknown and ill-typed options are errors.
pub fn parse_options(entries: &[(String, Value)]) -> Result<Config, ConfigError> {
    let mut config = Config::new(None, "");
    let mut keep_alive_url = None;
    for (name, value) in entries {
        match name.as_str() {
            // These two name their nested fields in their errors.
            "messages" => config.messages = messages(value)?,
            "csrf" => config.csrf = csrf(value)?,
            "keepAliveUrl" => keep_alive_url = Some(text(value).map_err(|reason| ConfigError::new(name, reason))?),
            _ => set_option(&mut config, name, value).map_err(|reason| ConfigError::new(name, reason))?,
        }
    }
    config.keep_alive_url = keep_alive_url.ok_or_else(|| ConfigError::new("keepAliveUrl", "is required"))?;
    if let Some(timeout) = config.timeout_ms {
        if config.warn_before_ms >= timeout {
            return Err(ConfigError::new("warnBefore", "must be shorter than timeout"));
        }
    }
    Ok(config)
}

/// The options [`set_option`] sets, each a name to look up.
#[derive(Clone, Copy)]
enum Setting {
    Timeout,
    WarnBefore,
    LoginUrl,
    StatusUrl,
    LogoutUrl,
    Relogin,
    RenewOn,
    SlidingWindow,
    AbsoluteTimeout,
    AutoExtend,
    User,
    Drafts,
    Restore,
    DraftTtl,
    Lang,
    CspNonce,
    EscapeExtends,
    Dialog,
    DraftKeys,
}

/// Looked up in one loop: a `match` on the names compiles to a comparison per name (wasm size).
const SETTINGS: [(&str, Setting); 20] = [
    ("timeout", Setting::Timeout),
    ("warnBefore", Setting::WarnBefore),
    ("loginUrl", Setting::LoginUrl),
    ("statusUrl", Setting::StatusUrl),
    ("logoutUrl", Setting::LogoutUrl),
    ("relogin", Setting::Relogin),
    ("renewOn", Setting::RenewOn),
    ("slidingWindow", Setting::SlidingWindow),
    ("absoluteTimeout", Setting::AbsoluteTimeout),
    ("autoExtend", Setting::AutoExtend),
    ("user", Setting::User),
    ("drafts", Setting::Drafts),
    ("restore", Setting::Restore),
    ("draftTtl", Setting::DraftTtl),
    ("lang", Setting::Lang),
    ("cspNonce", Setting::CspNonce),
    ("escapeExtends", Setting::EscapeExtends),
    ("dialog", Setting::Dialog),
    ("draftKey", Setting::DraftKeys),
    ("draftKeys", Setting::DraftKeys),
];

/// Sets the option `name` of `config` from `value`; the error is the reason.
fn set_option(config: &mut Config, name: &str, value: &Value) -> Result<(), &'static str> {
    let Some((_, setting)) = SETTINGS.iter().find(|(known, _)| *known == name) else {
        return Err("is not a session-guard option");
    };
    match setting {
        Setting::Timeout => config.timeout_ms = optional_seconds(value)?,
        Setting::WarnBefore => {
            let ms = seconds(value)?;
            if ms < MIN_WARNING_MS {
                return Err("must be at least 20 seconds, so users have time to respond (WCAG 2.2.1)");
            }
            config.warn_before_ms = ms;
        }
        Setting::LoginUrl => config.login_url = optional_text(value)?,
        Setting::StatusUrl => config.status_url = optional_text(value)?,
        Setting::LogoutUrl => config.logout_url = optional_text(value)?,
        Setting::Relogin => config.relogin_popup = one_of(value, &[("page", false), ("popup", true)], "must be \"page\" or \"popup\"")?,
        Setting::RenewOn => {
            config.renew_on = one_of(
                value,
                &[("request", RenewOn::Request), ("keepalive", RenewOn::KeepAlive)],
                "must be \"request\" or \"keepalive\"",
            )?
        }
        Setting::SlidingWindow => {
            config.sliding_window = one_of(
                value,
                &[("full", SlidingWindow::Full), ("half", SlidingWindow::Half)],
                "must be \"full\" or \"half\"",
            )?
        }
        Setting::AbsoluteTimeout => config.absolute_timeout_ms = optional_seconds(value)?,
        Setting::AutoExtend => config.auto_extend = boolean(value)?,
        Setting::User => {
            config.user = match value {
                Value::Str(s) => s.clone(),
                Value::Number(n) if n.is_finite() && n.fract() == 0.0 && *n >= 0.0 => {
                    let mut id = String::new();
                    super::decimal::push_number(&mut id, *n as u64);
                    id
                }
                Value::Null => String::new(),
                _ => return Err("must be a string or a non-negative integer id"),
            }
        }
        Setting::Drafts => {
            config.drafts = match value {
                Value::Bool(true) => Drafts::AllForms,
                Value::Bool(false) => Drafts::Off,
                Value::Str(s) if !s.trim().is_empty() => Drafts::Selector(s.clone()),
                _ => return Err("must be true, false or a CSS selector"),
            }
        }
        Setting::Restore => {
            config.restore = one_of(
                value,
                &[("auto", Restore::Auto), ("prompt", Restore::Prompt), ("manual", Restore::Manual)],
                "must be \"auto\", \"prompt\" or \"manual\"",
            )?
        }
        Setting::DraftTtl => config.draft_ttl_ms = seconds(value)?,
        Setting::Lang => {
            config.lang = one_of(
                value,
                &[("auto", Lang::Auto), ("en", Lang::En), ("ja", Lang::Ja)],
                "must be \"auto\", \"en\" or \"ja\"",
            )?
        }
        Setting::CspNonce => config.csp_nonce = optional_text(value)?,
        Setting::EscapeExtends => config.escape_extends = boolean(value)?,
        Setting::Dialog => config.dialog = boolean(value)?,
        Setting::DraftKeys => {
            if !config.draft_keys.is_empty() {
                return Err("give draftKey or draftKeys, not both");
            }
            config.draft_keys = draft_keys(name, value)?;
        }
    }
    Ok(())
}

const DRAFT_KEY: &str = "must be the base64url of 32 random bytes (43 characters), issued by the server";

/// `draftKey`: one key or `null`; `draftKeys`: `[current, previous…]`, one to four.
fn draft_keys(name: &str, value: &Value) -> Result<Vec<[u8; 32]>, &'static str> {
    let one = |value: &Value| match value {
        Value::Str(s) => super::seal::decode_key(s).ok_or(DRAFT_KEY),
        _ => Err(DRAFT_KEY),
    };
    match value {
        Value::Null => Ok(Vec::new()),
        Value::List(keys) if name == "draftKeys" => {
            if keys.is_empty() || keys.len() > 4 {
                return Err("must list one to four keys: [current, previous…]");
            }
            let mut out = Vec::with_capacity(keys.len());
            for key in keys {
                out.push(one(key)?);
            }
            Ok(out)
        }
        Value::List(_) => Err(DRAFT_KEY),
        key if name == "draftKey" => Ok(vec![one(key)?]),
        _ => Err("must be a list of keys: [current, previous…]"),
    }
}

fn messages(value: &Value) -> Result<Vec<(String, String)>, ConfigError> {
    let Value::Map(fields) = value else {
        return Err(ConfigError::new("messages", "must be an object of texts"));
    };
    let mut out = Vec::with_capacity(fields.len());
    for (key, text) in fields {
        let mut option = String::from("messages.");
        option.push_str(key);
        if MessageKey::from_name(key).is_none() {
            return Err(ConfigError { option, reason: "is not a message name" });
        }
        match text {
            Value::Str(s) => out.push((key.clone(), s.clone())),
            _ => return Err(ConfigError { option, reason: "must be a string" }),
        }
    }
    Ok(out)
}

fn csrf(value: &Value) -> Result<Csrf, ConfigError> {
    let Value::Map(fields) = value else {
        return Err(ConfigError::new("csrf", "must be { header, meta | token | cookie }"));
    };
    let mut header = None;
    let mut source = None;
    let mut names = None;
    for (key, value) in fields {
        let mut option = String::from("csrf.");
        option.push_str(key);
        if key == "field" {
            // One name, several separated by spaces or commas (`data-csrf-field`), or a list.
            let list = match value {
                Value::Str(s) => s.split([' ', ',']).filter(|n| !n.is_empty()).map(String::from).collect(),
                Value::List(items) => items.iter().filter_map(|v| if let Value::Str(s) = v { Some(s.clone()) } else { None }).collect(),
                _ => Vec::new(),
            };
            if list.is_empty() {
                return Err(ConfigError { option, reason: "must be input names" });
            }
            names = Some(list);
            continue;
        }
        let value = match value {
            Value::Str(s) if !s.is_empty() => s.clone(),
            _ => return Err(ConfigError { option, reason: "must be a non-empty string" }),
        };
        let found = match key.as_str() {
            "header" => {
                header = Some(value);
                continue;
            }
            "meta" => CsrfSource::Meta(value),
            "token" => CsrfSource::Token(value),
            "cookie" => CsrfSource::Cookie(value),
            _ => return Err(ConfigError { option, reason: "is not one of header, meta, token, cookie, field" }),
        };
        if source.replace(found).is_some() {
            return Err(ConfigError::new("csrf", "takes only one of meta, token, cookie"));
        }
    }
    Ok(Csrf {
        header: header.ok_or_else(|| ConfigError::new("csrf.header", "is required"))?,
        source: source.ok_or_else(|| ConfigError::new("csrf", "needs one of meta, token, cookie"))?,
        fields: names,
    })
}

/// The type each option takes, for converting `data-` attribute strings.
#[derive(Clone, Copy)]
enum Kind {
    Seconds,
    Flag,
    Text,
    /// `drafts`: a flag or a selector.
    FlagOrText,
    /// `draftKeys`: words, split on spaces and commas.
    Words,
}

/// The options a `data-` attribute can set (`csrf` and `messages` come from prefixed ones).
const ATTRIBUTE_OPTIONS: [(&str, Kind); 21] = [
    ("timeout", Kind::Seconds),
    ("warnBefore", Kind::Seconds),
    ("absoluteTimeout", Kind::Seconds),
    ("draftTtl", Kind::Seconds),
    ("autoExtend", Kind::Flag),
    ("escapeExtends", Kind::Flag),
    ("dialog", Kind::Flag),
    ("relogin", Kind::Text),
    ("drafts", Kind::FlagOrText),
    ("keepAliveUrl", Kind::Text),
    ("loginUrl", Kind::Text),
    ("logoutUrl", Kind::Text),
    ("statusUrl", Kind::Text),
    ("renewOn", Kind::Text),
    ("slidingWindow", Kind::Text),
    ("user", Kind::Text),
    ("restore", Kind::Text),
    ("lang", Kind::Text),
    ("cspNonce", Kind::Text),
    ("draftKey", Kind::Text),
    ("draftKeys", Kind::Words),
];

/// `warn-before` → `warnBefore`.
fn camel_case(kebab: &str) -> String {
    let mut out = String::with_capacity(kebab.len());
    let mut upper = false;
    for c in kebab.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn attribute_value(kind: Kind, raw: &str) -> Result<Value, &'static str> {
    let trimmed = raw.trim();
    let flag = match trimmed {
        "" | "true" => Some(true),
        "false" => Some(false),
        _ => None,
    };
    Ok(match kind {
        Kind::Seconds if trimmed.is_empty() || trimmed == "null" => Value::Null,
        Kind::Seconds => Value::Number(parse_decimal(trimmed).ok_or(SECONDS)?),
        Kind::Flag => Value::Bool(flag.ok_or("must be true or false")?),
        Kind::FlagOrText => flag.map(Value::Bool).unwrap_or_else(|| Value::Str(raw.into())),
        Kind::Text => Value::Str(raw.into()),
        Kind::Words => {
            let mut words = Vec::new();
            for word in raw.split([' ', ',', '\n', '\t']).filter(|w| !w.is_empty()) {
                words.push(Value::Str(word.into()));
            }
            Value::List(words)
        }
    })
}

/// Converts a script tag's `data-` attributes (names without `data-`, any case)
/// into option entries: `data-warn-before="30"`, `data-csrf-header="X-CSRF-Token"`,
/// `data-messages-continue="Stay signed in"`. `data-keepalive-url` is accepted
/// for `keepAliveUrl` as DESIGN.md spells it.
pub fn attributes_to_options(attributes: &[(String, String)]) -> Result<Vec<(String, Value)>, ConfigError> {
    let mut entries: Vec<(String, Value)> = Vec::new();
    let mut csrf = Vec::new();
    let mut messages = Vec::new();
    for (name, raw) in attributes {
        let name = name.to_ascii_lowercase();
        if let Some(field) = name.strip_prefix("csrf-") {
            csrf.push((field.to_string(), Value::Str(raw.clone())));
            continue;
        }
        if let Some(key) = name.strip_prefix("messages-") {
            messages.push((camel_case(key), Value::Str(raw.clone())));
            continue;
        }
        let option = if name == "keepalive-url" { "keepAliveUrl".to_string() } else { camel_case(&name) };
        let Some((_, kind)) = ATTRIBUTE_OPTIONS.iter().find(|(known, _)| *known == option) else {
            let mut attribute = String::from("data-");
            attribute.push_str(&name);
            return Err(ConfigError { option: attribute, reason: "is not a session-guard option" });
        };
        let value = attribute_value(*kind, raw).map_err(|reason| ConfigError::new(&option, reason))?;
        entries.push((option, value));
    }
    if !csrf.is_empty() {
        entries.push(("csrf".into(), Value::Map(csrf)));
    }
    if !messages.is_empty() {
        entries.push(("messages".into(), Value::Map(messages)));
    }
    Ok(entries)
}
