//! What the server tells us, in the shapes it arrives in: headers, JSON fields,
//! status codes. Each parser accepts untrusted text and never panics.

use super::decimal::parse_decimal;
use super::json::{self, Value};
use super::text::contains_ignore_case;

/// Remaining session time from `Session-Expires-In: <seconds>`.
pub fn parse_expires_in_header(value: &str) -> Option<u64> {
    seconds_to_ms(parse_decimal(value.trim())?)
}

/// Remaining session time from a JSON `expiresIn` (seconds).
// Clippy's forms (`contains`, `then_some`) measured +26 bytes of wasm gzip.
#[allow(clippy::manual_range_contains, clippy::unnecessary_lazy_evaluations)]
pub fn seconds_to_ms(seconds: f64) -> Option<u64> {
    (seconds.is_finite() && seconds >= 0.0 && seconds <= 31_536_000.0).then(|| (seconds * 1000.0) as u64)
}

/// Remaining session time from one Server-Timing metric (`session;dur=<ms>`), as
/// `PerformanceServerTiming` hands it over: a name and a duration in ms.
// Clippy's forms (`contains`, `then_some`) measured +26 bytes of wasm gzip.
#[allow(clippy::manual_range_contains, clippy::unnecessary_lazy_evaluations)]
pub fn server_timing_metric(name: &str, duration_ms: f64) -> Option<u64> {
    if !name.eq_ignore_ascii_case("session") {
        return None;
    }
    (duration_ms.is_finite() && duration_ms >= 0.0 && duration_ms <= 31_536_000_000.0).then(|| duration_ms as u64)
}

/// Remaining session time from a raw `Server-Timing` header value, e.g.
/// `db;dur=53, session;dur=1799000;desc="idle"`.
pub fn parse_server_timing(header: &str) -> Option<u64> {
    header.split(',').find_map(|metric| {
        let mut parts = metric.split(';');
        let name = parts.next()?.trim();
        let duration = parts.find_map(|param| {
            let (key, value) = param.split_once('=')?;
            key.trim().eq_ignore_ascii_case("dur").then(|| parse_decimal(value.trim().trim_matches('"')))?
        })?;
        server_timing_metric(name, duration)
    })
}

/// What a keep-alive response means for the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PingOutcome {
    /// The server renewed the session; `expires_in_ms` when it said for how long.
    Extended {
        /// How long the session has left, when the server said.
        expires_in_ms: Option<u64>,
    },
    /// The server no longer knows the session: show the expired dialog.
    Expired,
    /// No answer about the session (network error, 5xx, timeout): retry, never expire.
    Retry,
}

/// The facts of one keep-alive response, gathered by the shell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PingResponse {
    /// The HTTP status.
    pub status: u16,
    /// The request was redirected and ended at the login URL.
    pub redirected_to_login: bool,
    /// The request was redirected and ended somewhere other than the keep-alive URL.
    pub redirected_away: bool,
    /// The body is HTML (`Content-Type`), not the JSON asked for.
    pub html: bool,
    /// The body is an HTML page with a password field (see [`looks_like_login_page`]).
    pub login_page: bool,
    /// `expiresIn` of the JSON body, in ms, when it had one.
    pub expires_in_ms: Option<u64>,
}

/// Classifies a keep-alive response per the server contract in README.
/// `None` is a network error or a timeout.
pub fn classify(response: Option<&PingResponse>) -> PingOutcome {
    let Some(response) = response else { return PingOutcome::Retry };
    // Redirected to an HTML page (an SSO login or chooser): the session is not there.
    if response.redirected_to_login || response.login_page || (response.redirected_away && response.html) {
        return PingOutcome::Expired;
    }
    match response.status {
        200..=299 => PingOutcome::Extended { expires_in_ms: response.expires_in_ms },
        // 419: Laravel's "page expired"; 440: IIS "login time-out".
        401 | 403 | 419 | 440 => PingOutcome::Expired,
        _ => PingOutcome::Retry,
    }
}

/// A keep-alive or status response as the shell received it: what `fetch` said and the body
/// text, nothing read into them yet.
#[derive(Clone, Copy, Debug, Default)]
pub struct Answer<'a> {
    /// The HTTP status.
    pub status: u16,
    /// `Response.redirected`: the response came from another URL than the one asked.
    pub redirected: bool,
    /// The path (no origin, query or fragment) of the URL the response came from.
    pub final_path: &'a str,
    /// The path of the configured login page, when there is one.
    pub login_path: Option<&'a str>,
    /// The `Content-Type` header ("" when absent).
    pub content_type: &'a str,
    /// The `Session-Expires-In` header ("" when absent).
    pub expires_in_header: &'a str,
    /// The `Server-Timing` header ("" when absent).
    pub server_timing: &'a str,
    /// The body text.
    pub body: &'a str,
}

/// What an [`Answer`] says: the outcome for the session and, when the server handed one over
/// with a live session, the page's fresh CSRF token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerRead {
    /// What the answer means for the session.
    pub outcome: PingOutcome,
    /// A fresh CSRF token to write into the page and send from now on (see [`fresh_csrf_token`]).
    pub fresh_token: Option<String>,
}

/// Reads a keep-alive or status answer per the server contract in README. How long the
/// session has left comes from the JSON body's `expiresIn`, else the `Session-Expires-In`
/// header, else `Server-Timing: session;dur=`; a body that is not JSON is looked at only to
/// see whether it is a login page.
pub fn read_answer(answer: &Answer) -> AnswerRead {
    let is_json = contains_ignore_case(answer.content_type, "json");
    let json = if is_json { json::parse(answer.body) } else { None };
    let from_body = match json.as_ref().and_then(|j| j.field("expiresIn")) {
        Some(Value::Number(seconds)) => seconds_to_ms(*seconds),
        _ => None,
    };
    let facts = PingResponse {
        status: answer.status,
        redirected_to_login: answer.redirected && answer.login_path.is_some_and(|login| is_login_path(answer.final_path, login)),
        redirected_away: answer.redirected,
        html: contains_ignore_case(answer.content_type, "html"),
        login_page: !is_json && looks_like_login_page(answer.content_type, answer.body),
        expires_in_ms: from_body
            .or_else(|| parse_expires_in_header(answer.expires_in_header))
            .or_else(|| parse_server_timing(answer.server_timing)),
    };
    let outcome = classify(Some(&facts));
    let fresh_token = match json.as_ref().and_then(|j| j.field("csrfToken")) {
        Some(Value::Str(token)) if fresh_csrf_token(outcome, token) => Some(token.clone()),
        _ => None,
    };
    AnswerRead { outcome, fresh_token }
}

/// Where logging out starts, from the configured URLs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogoutStart<'a> {
    /// Ask the server to end the session at `logoutUrl`; then go where [`after_logout`] says.
    Request(&'a str),
    /// No `logoutUrl`: go to the login page, whose server ends the session or asks to sign in.
    GoTo(&'a str),
    /// Neither URL is configured: nothing to do.
    Nothing,
}

/// How logging out starts: the logout URL when configured, else the login page.
pub fn logout_start<'a>(logout_url: Option<&'a str>, login_url: Option<&'a str>) -> LogoutStart<'a> {
    match (logout_url, login_url) {
        (Some(logout), _) => LogoutStart::Request(logout),
        (None, Some(login)) => LogoutStart::GoTo(login),
        (None, None) => LogoutStart::Nothing,
    }
}

/// Whether `token`, the `csrfToken` of a keep-alive or status JSON that had `outcome`, is taken
/// as the page's fresh CSRF token: only from an answer that says the session is alive, and only
/// a plausible token (1 to 512 visible ASCII characters: no markup, spaces or control codes).
pub fn fresh_csrf_token(outcome: PingOutcome, token: &str) -> bool {
    matches!(outcome, PingOutcome::Extended { .. })
        && (1..=512).contains(&token.len())
        && token.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b'"' | b'\''))
}

/// Whether an observed request's response status (Resource Timing's `responseStatus`)
/// shows the server answered well enough to have renewed the session. Unknown (`None`:
/// the engine has no `responseStatus`) or 0 (failed, offline, aborted, CORS-blocked) never does.
pub fn request_status_renews(status: Option<f64>) -> bool {
    status.is_some_and(|s| (200.0..400.0).contains(&s))
}

/// Whether a keep-alive answer is an HTML login page rather than the JSON we asked for:
/// frameworks that redirect unauthenticated requests end there with a 200.
pub fn looks_like_login_page(content_type: &str, body: &str) -> bool {
    contains_ignore_case(content_type, "html")
        && ["type=\"password\"", "type='password'", "type=password"].iter().any(|needle| contains_ignore_case(body, needle))
}

/// Whether `path` (of the URL a request ended at) is the login page at `login_path`,
/// both without origin, query or fragment.
pub fn is_login_path(path: &str, login_path: &str) -> bool {
    let trim = |p: &str| p.trim_end_matches('/').to_string();
    !login_path.is_empty() && trim(path) == trim(login_path)
}

/// What one completed request the page made says of the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observed {
    /// A request the server may have renewed the session for (see `renewOn`), ended at `at`.
    Request {
        /// When its response ended.
        at: u64,
    },
    /// The server said how long the session has left (`Server-Timing: session;dur=…`).
    Report {
        /// When its response ended.
        at: u64,
        /// How long the session had left then.
        remaining_ms: u64,
    },
}

/// The facts of one completed request (a Resource or Navigation Timing entry), gathered by
/// the shell. What is read only when needed comes as a function: most entries are images,
/// scripts or other origins, and say nothing.
pub struct RequestFacts<'a, R, S> {
    /// `initiatorType`: `navigation`, `fetch`, `xmlhttprequest`, `img`, …
    pub initiator: &'a str,
    /// Same origin as the page.
    pub same_origin: bool,
    /// One of the guard's own requests (keep-alive, status): its response alone judges it.
    pub own: bool,
    /// The `session` Server-Timing metric ([`server_timing_metric`]), if it had one.
    pub reported_ms: R,
    /// `responseStatus`, where the engine tells it.
    pub status: S,
}

/// Initiators that reach the application's session handling; images, styles and
/// scripts are usually served without touching the session.
const RENEWING_INITIATORS: [&str; 4] = ["navigation", "fetch", "xmlhttprequest", "beacon"];

/// What a completed request, ended at `at`, tells the machine, if anything: a report when
/// the server said how long the session has left; else, for a request that reaches the
/// session handling and was answered well, that it may have renewed it. Other origins
/// (but the page's own navigation) and the guard's own requests say nothing.
pub fn observe<R, S>(request: RequestFacts<R, S>, at: u64) -> Option<Observed>
where
    R: FnOnce() -> Option<u64>,
    S: FnOnce() -> Option<f64>,
{
    if !request.same_origin && request.initiator != "navigation" || request.own {
        return None;
    }
    if let Some(remaining_ms) = (request.reported_ms)() {
        return Some(Observed::Report { at, remaining_ms });
    }
    // Chromium and Firefox expose the status of same-origin responses (0: failed, offline,
    // aborted, CORS-blocked); WebKit has none. Only a known good status renews.
    let renews = RENEWING_INITIATORS.contains(&request.initiator) && request_status_renews((request.status)());
    renews.then_some(Observed::Request { at })
}

/// How the request to `logoutUrl` went, as far as where to go next depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogoutAnswer<'a> {
    /// The server answered: redirected or not, and the URL the response came from.
    Answered {
        /// The request was redirected.
        redirected: bool,
        /// Where the response came from.
        final_url: &'a str,
    },
    /// No answer (offline, blocked): the logout URL itself, navigated to, ends the session.
    Failed,
}

/// Where the page goes once the user logged out: the login page, unless the server's own
/// redirect said where (followed to its end); without an answer, to `logout_url` itself.
pub fn after_logout<'a>(logout_url: &'a str, login_url: Option<&'a str>, answer: LogoutAnswer<'a>) -> &'a str {
    match (answer, login_url) {
        (LogoutAnswer::Answered { redirected: false, .. }, Some(login)) => login,
        (LogoutAnswer::Answered { final_url, .. }, _) => final_url,
        (LogoutAnswer::Failed, _) => logout_url,
    }
}
