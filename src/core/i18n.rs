//! Dialog texts in English and Japanese, overridable per key, and the time
//! phrases inside them. Pure string work: the shell only inserts the results
//! with `textContent`.

use super::config::Lang;
use super::session::ExpiryReason;
pub use super::decimal::push_number;
use super::text::fill_time;

/// A text of the built-in UI, overridable by name through `messages`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKey {
    /// The warning's heading.
    WarningTitle,
    /// Contains `{time}`.
    Warning,
    /// Contains `{time}`; shown when the absolute limit, not idleness, ends the session.
    AbsoluteWarning,
    /// The ended dialog's heading.
    ExpiredTitle,
    /// The idle deadline passed.
    Expired,
    /// The absolute limit ended the session.
    ExpiredAbsolute,
    /// The server said the session is gone (a keep-alive or status answer): why, the guard
    /// did not see, so the text says no more than that.
    ExpiredServer,
    /// The user logged out in another tab.
    LoggedOutElsewhere,
    /// Every edited form is stored.
    InputSaved,
    /// Instead of [`MessageKey::InputSaved`] when some edited form is not stored.
    InputNotSaved,
    /// The warning's button that extends.
    Continue,
    /// The warning's button when nothing can extend (absolute limit).
    Ok,
    /// The "Log out" button.
    LogOut,
    /// The "Log in again" button.
    LogInAgain,
    /// Contains `{time}`; the document title while the warning runs in a hidden tab.
    TitleCountdown,
    /// The drafts notice's question.
    RestorePrompt,
    /// Its button that restores.
    Restore,
    /// Its button that discards.
    Discard,
    /// Added to the warning while a keep-alive cannot reach the server and is retried.
    Unreachable,
    /// Contains `{files}`: after a restore, the files the user attached before and must attach again.
    AttachAgain,
}

const KEYS: [(&str, MessageKey); 20] = [
    ("warningTitle", MessageKey::WarningTitle),
    ("warning", MessageKey::Warning),
    ("absoluteWarning", MessageKey::AbsoluteWarning),
    ("expiredTitle", MessageKey::ExpiredTitle),
    ("expired", MessageKey::Expired),
    ("expiredAbsolute", MessageKey::ExpiredAbsolute),
    ("expiredServer", MessageKey::ExpiredServer),
    ("signedOut", MessageKey::LoggedOutElsewhere),
    ("inputSaved", MessageKey::InputSaved),
    ("inputNotSaved", MessageKey::InputNotSaved),
    ("continue", MessageKey::Continue),
    ("ok", MessageKey::Ok),
    ("logout", MessageKey::LogOut),
    ("login", MessageKey::LogInAgain),
    ("titleCountdown", MessageKey::TitleCountdown),
    ("restorePrompt", MessageKey::RestorePrompt),
    ("restore", MessageKey::Restore),
    ("discard", MessageKey::Discard),
    ("unreachable", MessageKey::Unreachable),
    ("attachAgain", MessageKey::AttachAgain),
];

impl MessageKey {
    /// The key named `name` in `messages`.
    pub fn from_name(name: &str) -> Option<MessageKey> {
        KEYS.iter().find(|(n, _)| *n == name).map(|(_, key)| *key)
    }

    /// This key's name in `messages`.
    pub fn name(self) -> &'static str {
        KEYS.iter().find(|(_, key)| *key == self).map(|(n, _)| *n).unwrap_or("")
    }
}

fn english(key: MessageKey) -> &'static str {
    use MessageKey::*;
    match key {
        WarningTitle => "Your session is about to expire",
        Warning => "Your session will expire in {time}. Do you want to continue?",
        AbsoluteWarning => "Your session will end in {time} and cannot be extended. Please save your work.",
        ExpiredTitle => "You have been signed out",
        Expired => "For your security you were signed out after a period of inactivity. Please log in again.",
        ExpiredAbsolute => "For your security your session has ended. Please log in again.",
        ExpiredServer => "You were signed out. Please log in again.",
        LoggedOutElsewhere => "You signed out in another window. Please log in again to continue.",
        InputSaved => "Your input has been saved.",
        InputNotSaved => "Some of your input could not be saved. Copy it before you log in again.",
        Continue => "Continue",
        Ok => "OK",
        LogOut => "Log out",
        LogInAgain => "Log in again",
        TitleCountdown => "({time}) Session expiring",
        RestorePrompt => "Restore your unsent input?",
        Restore => "Restore",
        Discard => "Discard",
        Unreachable => "The server cannot be reached. Retrying…",
        AttachAgain => "Files cannot be saved. Please attach them again: {files}",
    }
}

fn japanese(key: MessageKey) -> &'static str {
    use MessageKey::*;
    match key {
        WarningTitle => "まもなくセッションが切れます",
        Warning => "セッションが{time}後に切れます。継続しますか?",
        AbsoluteWarning => "セッションは{time}後に終了し、延長できません。作業内容を保存してください。",
        ExpiredTitle => "セッションが終了しました",
        Expired => "長時間操作がなかったため、セキュリティのためセッションを終了しました。お手数ですが、再度ログインしてください。",
        ExpiredAbsolute => "セキュリティのためセッションを終了しました。お手数ですが、再度ログインしてください。",
        ExpiredServer => "ログアウトされました。お手数ですが、再度ログインしてください。",
        LoggedOutElsewhere => "別のウィンドウでログアウトしました。続けるには再度ログインしてください。",
        InputSaved => "入力内容は保存されています。",
        InputNotSaved => "入力内容を保存できませんでした。再ログインの前にコピーしてください。",
        Continue => "続ける",
        Ok => "OK",
        LogOut => "ログアウト",
        LogInAgain => "再ログイン",
        TitleCountdown => "({time}) セッション終了間近",
        RestorePrompt => "未送信の入力内容を復元しますか?",
        Restore => "復元",
        Discard => "破棄",
        Unreachable => "サーバーに接続できません。再試行しています…",
        AttachAgain => "ファイルは保存できません。もう一度添付してください: {files}",
    }
}

/// The language the dialog speaks: Japanese for any `ja*` browser locale when `lang` is auto.
pub fn resolve_lang(lang: Lang, navigator_language: &str) -> Lang {
    match lang {
        Lang::Auto if navigator_language.to_ascii_lowercase().starts_with("ja") => Lang::Ja,
        Lang::Auto => Lang::En,
        chosen => chosen,
    }
}

/// The texts of one page: built-ins for the language, with the user's overrides.
#[derive(Clone, Debug)]
pub struct Messages {
    lang: Lang,
    overrides: Vec<(MessageKey, String)>,
}

impl Messages {
    /// `lang` must be resolved (see [`resolve_lang`]); unknown override names were rejected by the options parser.
    pub fn new(lang: Lang, overrides: &[(String, String)]) -> Messages {
        let mut known = Vec::with_capacity(overrides.len());
        for (name, text) in overrides {
            if let Some(key) = MessageKey::from_name(name) {
                known.push((key, text.clone()));
            }
        }
        Messages { lang, overrides: known }
    }

    /// The BCP 47 tag of the built-in texts: "ja" or "en".
    pub fn lang_tag(&self) -> &'static str {
        if self.lang == Lang::Ja {
            "ja"
        } else {
            "en"
        }
    }

    /// The ended dialog's text: why the session ended (`None`: the user logged out in another
    /// tab), then what became of the user's input when the drafts machine has something to
    /// say (`input_saved`).
    pub fn ended_text(&self, reason: Option<ExpiryReason>, input_saved: Option<bool>) -> String {
        let mut text = String::from(self.get(match reason {
            Some(ExpiryReason::Idle) => MessageKey::Expired,
            Some(ExpiryReason::Absolute) => MessageKey::ExpiredAbsolute,
            // Gone on the server for a reason the guard did not see: never "after inactivity".
            Some(ExpiryReason::Server) => MessageKey::ExpiredServer,
            None => MessageKey::LoggedOutElsewhere,
        }));
        if let Some(saved) = input_saved {
            // Japanese sentences join without a space.
            if !text.ends_with('。') {
                text.push(' ');
            }
            text.push_str(self.get(if saved { MessageKey::InputSaved } else { MessageKey::InputNotSaved }));
        }
        text
    }

    /// The text of `key`, overridden or built in.
    pub fn get(&self, key: MessageKey) -> &str {
        if let Some((_, text)) = self.overrides.iter().rev().find(|(k, _)| *k == key) {
            return text;
        }
        match self.lang {
            Lang::Ja => japanese(key),
            _ => english(key),
        }
    }

    /// The text for `key` with `{time}` replaced by `value` verbatim.
    pub fn with_value(&self, key: MessageKey, value: &str) -> String {
        fill_time(self.get(key), value)
    }

    /// The text for `key` with `{time}` replaced by a phrase like "2 minutes" / 「2分」.
    pub fn with_time(&self, key: MessageKey, seconds: u64) -> String {
        fill_time(self.get(key), &self.duration_phrase(seconds))
    }

    /// Whole minutes (rounded down) from a minute up, seconds below: "2 minutes", "1 minute",
    /// "40 seconds", 「2分」「40秒」. Never more time than `seconds`.
    pub fn duration_phrase(&self, seconds: u64) -> String {
        let (count, unit_en, unit_ja) =
            if seconds >= 60 { (seconds / 60, "minute", "分") } else { (seconds, "second", "秒") };
        let mut out = String::new();
        push_number(&mut out, count);
        if self.lang == Lang::Ja {
            out.push_str(unit_ja);
        } else {
            out.push(' ');
            out.push_str(unit_en);
            if count != 1 {
                out.push('s');
            }
        }
        out
    }
}

/// The visible countdown, "m:ss" ("1:59", "0:07"), rounded up so it never shows 0:00 while time remains.
pub fn countdown(remaining_ms: u64) -> String {
    let seconds = remaining_ms.div_ceil(1000);
    let mut out = String::new();
    push_number(&mut out, seconds / 60);
    out.push(':');
    if seconds % 60 < 10 {
        out.push('0');
    }
    push_number(&mut out, seconds % 60);
    out
}

/// Screen readers hear the remaining time once a minute from 60 s up and every
/// 20 s below (DESIGN.md "Dialog"): the announced value only changes at these steps.
/// Rounded down from the visible countdown, so it never states more than it shows;
/// below 20 s in 5 s steps, and "1 second" for the last ones.
pub fn announcement_step(remaining_ms: u64) -> u64 {
    let seconds = remaining_ms.div_ceil(1000);
    let step = announcement_interval(seconds);
    (seconds / step * step).max(seconds.min(1))
}

/// How many seconds apart the announced values are with `seconds` left: 60 from a minute
/// up, 20 below, 5 below 20 s.
pub fn announcement_interval(seconds: u64) -> u64 {
    match seconds {
        60.. => 60,
        20.. => 20,
        _ => 5,
    }
}
