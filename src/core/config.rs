//! The validated configuration the core runs on. Times are milliseconds here;
//! the public options speak seconds, as servers do.

/// When the server renews its session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenewOn {
    /// Any same-origin request renews (ASP.NET, Spring, Rails, Laravel, express-session `rolling`).
    Request,
    /// Only the keep-alive ping renews (Django's default `SESSION_SAVE_EVERY_REQUEST = False`).
    KeepAlive,
}

/// How much a renewing request moves the deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlidingWindow {
    /// Every renewal restarts the whole window.
    Full,
    /// Renewed only once more than half the window has passed (ASP.NET Core cookie auth).
    Half,
}

/// How a page load brings stored drafts back (`restore`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restore {
    /// Written back at once when the page follows a re-login; otherwise asked.
    Auto,
    /// Always asked, in the drafts notice.
    Prompt,
    /// Never by itself: the app calls `guard.restoreDrafts()`.
    Manual,
}

/// The language of the built-in texts (`lang`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// The page's `<html lang>`, then the browser's language.
    Auto,
    /// English.
    En,
    /// Japanese.
    Ja,
}

/// Which forms are guarded for drafts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Drafts {
    /// No drafts.
    Off,
    /// Every form of the page.
    AllForms,
    /// The forms matching this CSS selector.
    Selector(String),
}

/// Where the CSRF token for the keep-alive and logout requests comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CsrfSource {
    /// The `content` of `<meta name=…>`.
    Meta(String),
    /// This token, as given.
    Token(String),
    /// The value of this cookie.
    Cookie(String),
}

/// The CSRF token the guard's own requests carry (`csrf`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Csrf {
    /// The request header it goes in.
    pub header: String,
    /// Where it comes from.
    pub source: CsrfSource,
    /// `csrf.field`: the names of the page's hidden CSRF inputs a fresh token is written into;
    /// `None`: [`CSRF_FIELDS`].
    pub fields: Option<Vec<String>>,
}

/// The hidden-input names frameworks render their CSRF token in: Django, Laravel, Rails,
/// ASP.NET, express (csurf and the demo), Flask-WTF.
pub const CSRF_FIELDS: [&str; 6] =
    ["csrfmiddlewaretoken", "_token", "authenticity_token", "__RequestVerificationToken", "_csrf", "csrf_token"];

impl Csrf {
    /// Without a `csrf` option the guard still sends the token most frameworks render
    /// into `<meta name="csrf-token">` (Rails, Laravel), when the page has one.
    pub fn default_meta() -> Csrf {
        Csrf { header: "X-CSRF-Token".into(), source: CsrfSource::Meta("csrf-token".into()), fields: None }
    }
}

/// The validated options (see README "Options"), in milliseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The server's idle timeout; `None` until the server reports one.
    pub timeout_ms: Option<u64>,
    /// How long before the session ends the warning opens (`warnBefore`).
    pub warn_before_ms: u64,
    /// The keep-alive endpoint (`keepAliveUrl`).
    pub keep_alive_url: String,
    /// `GET` that reports the remaining time without renewing the session (`statusUrl`).
    pub status_url: Option<String>,
    /// Where "Log in again" leads (`loginUrl`); `None`: this page is reloaded.
    pub login_url: Option<String>,
    /// Where "Log out" ends the session (`logoutUrl`); `None`: no "Log out" button.
    pub logout_url: Option<String>,
    /// When the server renews the session (`renewOn`).
    pub renew_on: RenewOn,
    /// How a renewal moves the deadline (`slidingWindow`).
    pub sliding_window: SlidingWindow,
    /// The session's absolute limit since login (`absoluteTimeout`).
    pub absolute_timeout_ms: Option<u64>,
    /// Keep an active user's session alive without asking (`autoExtend`).
    pub auto_extend: bool,
    /// Whose session: keys drafts and tab messages per user (`user`).
    pub user: String,
    /// Which forms keep drafts (`drafts`).
    pub drafts: Drafts,
    /// How drafts are restored (`restore`).
    pub restore: Restore,
    /// How long a draft is kept (`draftTtl`).
    pub draft_ttl_ms: u64,
    /// The texts' language (`lang`).
    pub lang: Lang,
    /// Overridden texts, by message name (`messages`).
    pub messages: Vec<(String, String)>,
    /// The CSRF token of the guard's requests (`csrf`).
    pub csrf: Csrf,
    /// The nonce of the dialog's style sheet, for a strict CSP (`cspNonce`).
    pub csp_nonce: Option<String>,
    /// Escape in the warning extends the session as "Continue" does (`escapeExtends`).
    pub escape_extends: bool,
    /// `dialog: false`: headless, no built-in dialog, notice or title countdown; events only.
    pub dialog: bool,
    /// `relogin: "popup"`: "Log in again" opens the login in a new window; this page resumes in place.
    pub relogin_popup: bool,
    /// `draftKey` / `draftKeys`: the user's keys, the first sealing drafts, every one opening
    /// them; empty = drafts in clear. Never stored by the guard.
    pub draft_keys: Vec<[u8; 32]>,
}

/// WCAG 2.2.1 asks for at least 20 seconds to respond to a timeout warning.
pub const MIN_WARNING_MS: u64 = 20_000;
/// `warnBefore` when not given.
pub const DEFAULT_WARN_BEFORE_MS: u64 = 120_000;
/// `draftTtl` when not given.
pub const DEFAULT_DRAFT_TTL_MS: u64 = 24 * 3600 * 1000;

impl Config {
    /// A configuration with every default and the two required values.
    pub fn new(timeout_ms: Option<u64>, keep_alive_url: &str) -> Config {
        Config {
            timeout_ms,
            warn_before_ms: DEFAULT_WARN_BEFORE_MS,
            keep_alive_url: keep_alive_url.into(),
            status_url: None,
            login_url: None,
            logout_url: None,
            renew_on: RenewOn::Request,
            sliding_window: SlidingWindow::Full,
            absolute_timeout_ms: None,
            auto_extend: true,
            user: String::new(),
            drafts: Drafts::AllForms,
            restore: Restore::Auto,
            draft_ttl_ms: DEFAULT_DRAFT_TTL_MS,
            lang: Lang::Auto,
            messages: Vec::new(),
            csrf: Csrf::default_meta(),
            csp_nonce: None,
            escape_extends: true,
            dialog: true,
            relogin_popup: false,
            draft_keys: Vec::new(),
        }
    }
}
