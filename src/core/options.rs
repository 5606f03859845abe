//! Parsing untrusted options into a [`Config`]. The browser shell converts a JS
//! object (or a script tag's `data-` attributes) into [`Value`]s; everything
//! else, including every error message, is decided here so it can be tested and
//! fuzzed natively.

use super::config::{
    Config, Csrf, CsrfSource, Drafts, Lang, RenewOn, Restore, SlidingWindow, MIN_WARNING_MS,
};
use super::decimal::parse_decimal;
use super::i18n::MessageKey;

/// A JS value, reduced to what options can hold.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
    Map(Vec<(String, Value)>),
    List(Vec<Value>),
    /// Anything else (functions, symbols, too deep): always a type error.
    Other,
}

/// A rejected option: which one and why. Shown to developers as
/// "session-guard: option `warnBefore`: must be at least 20 seconds".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub option: String,
    pub reason: &'static str,
}

impl ConfigError {
    fn new(option: &str, reason: &'static str) -> ConfigError {
        ConfigError { option: option.into(), reason }
    }

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

fn seconds(option: &str, value: &Value) -> Result<u64, ConfigError> {
    match value {
        Value::Number(s) if s.is_finite() && *s > 0.0 && *s <= MAX_SECONDS => Ok((s * 1000.0) as u64),
        Value::Number(s) if *s > MAX_SECONDS => Err(ConfigError::new(option, "must be seconds, not milliseconds (at most one year)")),
        _ => Err(ConfigError::new(option, SECONDS)),
    }
}

fn optional_seconds(option: &str, value: &Value) -> Result<Option<u64>, ConfigError> {
    match value {
        Value::Null => Ok(None),
        other => seconds(option, other).map(Some),
    }
}

fn boolean(option: &str, value: &Value) -> Result<bool, ConfigError> {
    match value {
        Value::Bool(b) => Ok(*b),
        _ => Err(ConfigError::new(option, "must be true or false")),
    }
}

fn text(option: &str, value: &Value) -> Result<String, ConfigError> {
    match value {
        Value::Str(s) if !s.trim().is_empty() => Ok(s.clone()),
        _ => Err(ConfigError::new(option, "must be a non-empty string")),
    }
}

fn optional_text(option: &str, value: &Value) -> Result<Option<String>, ConfigError> {
    match value {
        Value::Null => Ok(None),
        other => text(option, other).map(Some),
    }
}

fn one_of<T: Copy>(option: &str, value: &Value, choices: &[(&str, T)], reason: &'static str) -> Result<T, ConfigError> {
    if let Value::Str(s) = value {
        if let Some((_, choice)) = choices.iter().find(|(name, _)| name == s) {
            return Ok(*choice);
        }
    }
    Err(ConfigError::new(option, reason))
}

/// Parses options given as a JS object. Unknown and ill-typed options are errors.
pub fn parse_options(entries: &[(String, Value)]) -> Result<Config, ConfigError> {
    let mut config = Config::new(None, "");
    let mut keep_alive_url = None;
    for (name, value) in entries {
        let option = name.as_str();
        match option {
            "timeout" => config.timeout_ms = optional_seconds(option, value)?,
            "warnBefore" => {
                let ms = seconds(option, value)?;
                if ms < MIN_WARNING_MS {
                    return Err(ConfigError::new(option, "must be at least 20 seconds, so users have time to respond (WCAG 2.2.1)"));
                }
                config.warn_before_ms = ms;
            }
            "keepAliveUrl" => keep_alive_url = Some(text(option, value)?),
            "loginUrl" => config.login_url = optional_text(option, value)?,
            "logoutUrl" => config.logout_url = optional_text(option, value)?,
            "renewOn" => {
                config.renew_on = one_of(
                    option,
                    value,
                    &[("request", RenewOn::Request), ("keepalive", RenewOn::KeepAlive)],
                    "must be \"request\" or \"keepalive\"",
                )?
            }
            "slidingWindow" => {
                config.sliding_window = one_of(
                    option,
                    value,
                    &[("full", SlidingWindow::Full), ("half", SlidingWindow::Half)],
                    "must be \"full\" or \"half\"",
                )?
            }
            "absoluteTimeout" => config.absolute_timeout_ms = optional_seconds(option, value)?,
            "autoExtend" => config.auto_extend = boolean(option, value)?,
            "user" => {
                config.user = match value {
                    Value::Str(s) => s.clone(),
                    Value::Number(n) if n.is_finite() && n.fract() == 0.0 && *n >= 0.0 => {
                        let mut id = String::new();
                        super::decimal::push_number(&mut id, *n as u64);
                        id
                    }
                    Value::Null => String::new(),
                    _ => return Err(ConfigError::new(option, "must be a string or a non-negative integer id")),
                }
            }
            "drafts" => {
                config.drafts = match value {
                    Value::Bool(true) => Drafts::AllForms,
                    Value::Bool(false) => Drafts::Off,
                    Value::Str(s) if !s.trim().is_empty() => Drafts::Selector(s.clone()),
                    _ => return Err(ConfigError::new(option, "must be true, false or a CSS selector")),
                }
            }
            "restore" => {
                config.restore = one_of(
                    option,
                    value,
                    &[("auto", Restore::Auto), ("prompt", Restore::Prompt), ("manual", Restore::Manual)],
                    "must be \"auto\", \"prompt\" or \"manual\"",
                )?
            }
            "draftTtl" => config.draft_ttl_ms = seconds(option, value)?,
            "lang" => {
                config.lang = one_of(
                    option,
                    value,
                    &[("auto", Lang::Auto), ("en", Lang::En), ("ja", Lang::Ja)],
                    "must be \"auto\", \"en\" or \"ja\"",
                )?
            }
            "messages" => config.messages = messages(value)?,
            "csrf" => {
                config.csrf = match value {
                    Value::Map(fields) => csrf(fields)?,
                    _ => return Err(ConfigError::new(option, "must be { header, meta | token | cookie }")),
                }
            }
            "cspNonce" => config.csp_nonce = optional_text(option, value)?,
            "escapeExtends" => config.escape_extends = boolean(option, value)?,
            _ => return Err(ConfigError::new(option, "is not a session-guard option")),
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

fn csrf(fields: &[(String, Value)]) -> Result<Csrf, ConfigError> {
    let mut header = None;
    let mut source = None;
    for (key, value) in fields {
        let mut option = String::from("csrf.");
        option.push_str(key);
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
            _ => return Err(ConfigError { option, reason: "is not one of header, meta, token, cookie" }),
        };
        if source.replace(found).is_some() {
            return Err(ConfigError::new("csrf", "takes only one of meta, token, cookie"));
        }
    }
    Ok(Csrf {
        header: header.ok_or_else(|| ConfigError::new("csrf.header", "is required"))?,
        source: source.ok_or_else(|| ConfigError::new("csrf", "needs one of meta, token, cookie"))?,
    })
}

/// The type each option takes, for converting `data-` attribute strings.
enum Kind {
    Seconds,
    Flag,
    Text,
    /// `drafts`: a flag or a selector.
    FlagOrText,
}

fn kind_of(option: &str) -> Option<Kind> {
    Some(match option {
        "timeout" | "warnBefore" | "absoluteTimeout" | "draftTtl" => Kind::Seconds,
        "autoExtend" | "escapeExtends" => Kind::Flag,
        "drafts" => Kind::FlagOrText,
        "keepAliveUrl" | "loginUrl" | "logoutUrl" | "renewOn" | "slidingWindow" | "user" | "restore"
        | "lang" | "cspNonce" => Kind::Text,
        _ => return None,
    })
}

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

fn attribute_value(option: &str, kind: Kind, raw: &str) -> Result<Value, ConfigError> {
    let trimmed = raw.trim();
    let flag = match trimmed {
        "" | "true" => Some(true),
        "false" => Some(false),
        _ => None,
    };
    Ok(match kind {
        Kind::Seconds if trimmed.is_empty() || trimmed == "null" => Value::Null,
        Kind::Seconds => match parse_decimal(trimmed) {
            Some(n) => Value::Number(n),
            None => return Err(ConfigError::new(option, SECONDS)),
        },
        Kind::Flag => Value::Bool(flag.ok_or_else(|| ConfigError::new(option, "must be true or false"))?),
        Kind::FlagOrText => flag.map(Value::Bool).unwrap_or_else(|| Value::Str(raw.into())),
        Kind::Text => Value::Str(raw.into()),
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
        let kind = kind_of(&option).ok_or_else(|| {
            let mut attribute = String::from("data-");
            attribute.push_str(&name);
            ConfigError { option: attribute, reason: "is not a session-guard option" }
        })?;
        let value = attribute_value(&option, kind, raw)?;
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
