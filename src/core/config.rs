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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restore {
    Auto,
    Prompt,
    Manual,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Auto,
    En,
    Ja,
}

/// Which forms are guarded for drafts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Drafts {
    Off,
    AllForms,
    Selector(String),
}

/// Where the CSRF token for the keep-alive and logout requests comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CsrfSource {
    Meta(String),
    Token(String),
    Cookie(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Csrf {
    pub header: String,
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

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The server's idle timeout; `None` until the server reports one.
    pub timeout_ms: Option<u64>,
    pub warn_before_ms: u64,
    pub keep_alive_url: String,
    /// `GET` that reports the remaining time without renewing the session (`statusUrl`).
    pub status_url: Option<String>,
    pub login_url: Option<String>,
    pub logout_url: Option<String>,
    pub renew_on: RenewOn,
    pub sliding_window: SlidingWindow,
    pub absolute_timeout_ms: Option<u64>,
    pub auto_extend: bool,
    pub user: String,
    pub drafts: Drafts,
    pub restore: Restore,
    pub draft_ttl_ms: u64,
    pub lang: Lang,
    pub messages: Vec<(String, String)>,
    pub csrf: Csrf,
    pub csp_nonce: Option<String>,
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
pub const DEFAULT_WARN_BEFORE_MS: u64 = 120_000;
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
