//! The session state machine, sans-IO: feed it [`Input`]s with the current
//! wall-clock time, drain [`Output`]s with [`Machine::poll_output`], and wake it
//! at [`Machine::next_wakeup`]. It never reads a clock; every deadline is an
//! absolute `Date.now()`-style millisecond count, so a tab that slept or a timer
//! that fired late is handled by simply recomputing from `now`.

use super::config::{Config, RenewOn, SlidingWindow};
use super::i18n::announcement_step;
use super::server::PingOutcome;
use super::tabs::{Shared, SharedPhase};

/// Milliseconds since the Unix epoch.
pub type Millis = u64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Active,
    Warning,
    Expired(ExpiryReason),
    LoggedOut,
}

impl Phase {
    /// The name `guard.state()` returns.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Active => "active",
            Phase::Warning => "warning",
            Phase::Expired(_) => "expired",
            Phase::LoggedOut => "loggedOut",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpiryReason {
    /// The idle deadline passed.
    Idle,
    /// The server said the session is gone (401/403/419, login page).
    Server,
    /// `absoluteTimeout` since login passed; no extension was possible.
    Absolute,
}

impl ExpiryReason {
    pub fn name(self) -> &'static str {
        match self {
            ExpiryReason::Idle => "idle",
            ExpiryReason::Server => "server",
            ExpiryReason::Absolute => "absolute",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserChoice {
    /// "Continue", Escape in the dialog, or `guard.extend()`.
    Continue,
    /// "Log out" or `guard.logout()`.
    Logout,
    /// "Log in again" in the expired dialog.
    LogInAgain,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// Trusted user input. The shell listens only while [`Output::ListenForActivity`] says so.
    Activity,
    /// A same-origin request completed at `at`; whether it renewed the session depends on `renewOn`.
    RequestObserved { at: Millis },
    /// The server reported how long the session has left, as of `at`.
    ServerReport { at: Millis, remaining_ms: u64 },
    /// The keep-alive request sent for [`Output::SendPing`] finished.
    PingResult(PingOutcome),
    /// The status request sent for [`Output::CheckStatus`] finished, classified as a keep-alive
    /// answer is: `Extended` with a number is "alive with that much left", `Expired` is "gone",
    /// anything else says nothing (the client deadline stands).
    StatusResult(PingOutcome),
    /// The page became visible or hidden.
    Visibility { visible: bool },
    /// The timer fired, or the page came back (`pageshow`, `focus`, `online`): recompute.
    Wake,
    /// The user changed a guarded form field.
    DraftEdited,
    /// The page is being left (`pagehide`): save what is typed now.
    PageHide,
    Choice(UserChoice),
    /// The page started; `stored` is the browser's shared view as other tabs left it.
    Start { stored: Option<Shared> },
    /// Another tab's view of the session.
    Tab(Shared),
    /// Whether this tab sends the automatic keep-alives for the browser.
    Leader(bool),
    /// The browser refused the login window of [`Output::OpenLoginWindow`] (a popup blocker).
    LoginWindowBlocked,
    /// The wall clock moved `by` ms more than the monotonic clock (negative: it was set back).
    /// The machine decides what that means (see `on_clock_jump`).
    ClockJump { by: i64 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    Quota,
    Storage,
    Network,
    Config,
}

impl ErrorCode {
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::Quota => "quota",
            ErrorCode::Storage => "storage",
            ErrorCode::Network => "network",
            ErrorCode::Config => "config",
        }
    }
}

/// The `sessionguard:*` events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Warning { remaining_s: u64 },
    /// Each second while the warning lasts in a visible tab (a hidden one wakes far less often).
    Countdown { remaining_s: u64 },
    Extended { expires_at: Millis },
    Expired { reason: ExpiryReason },
    LoggedOut,
    Login,
    Error { code: ErrorCode, message: &'static str },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// Open the warning dialog. `extendable` is false when the absolute limit ends the session.
    ShowWarning { remaining_ms: u64, extendable: bool },
    /// Refresh the open warning: the countdown, and the spoken text when `announce` is set
    /// (the remaining seconds, rounded to the announcement step).
    Countdown { remaining_ms: u64, announce: Option<u64> },
    CloseDialog,
    ShowExpired { reason: ExpiryReason },
    /// The document title shows the countdown (hidden tab during the warning), or is restored.
    TitleCountdown(Option<u64>),
    SendPing,
    /// Ask `statusUrl` how long the session has left (a request that does not renew it).
    CheckStatus,
    /// Write form drafts to storage now.
    SaveDrafts,
    /// Remember that this user's session expired on this page, so the page load after
    /// re-login restores drafts without asking.
    MarkResume,
    /// Delete this user's drafts (explicit logout).
    PurgeDrafts,
    /// End the server session at `logoutUrl` and leave the page.
    Logout,
    /// Go to `loginUrl?next=<this page>`.
    GoToLogin,
    /// `relogin: "popup"`: open the login in a new window (in the click's user gesture); this
    /// page stays and resumes once the new login is seen. Blocked: [`Input::LoginWindowBlocked`].
    OpenLoginWindow,
    /// The user logged out in another tab: say so, offer "Log in again".
    ShowSignedOut,
    /// Tell the other tabs (and store for tabs opened later) this view of the session.
    Publish(Shared),
    /// Start or stop listening for user input. Input only matters from `warnBefore` ahead of
    /// the renewal point until the first one after it; the rest of the time a mousemove storm
    /// runs no guard code at all.
    ListenForActivity(bool),
    /// Say in the open warning that the server cannot be reached and the guard retries
    /// (until it closes: a new warning starts without it).
    Unreachable,
    Emit(Event),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ping {
    Idle,
    /// A keep-alive is out; `failures` attempts before it failed.
    InFlight { failures: u32 },
    /// The last attempt failed; the next goes out at `retry_at`.
    Backoff { failures: u32, retry_at: Millis },
}

/// How long a hidden tab's title countdown waits between updates, and the visible
/// countdown's step: both come from the remaining time, never from a tick count.
const SECOND: u64 = 1000;
/// A half-sliding server renews only past half its window; pinging this much
/// later absorbs rounding on the server's side.
const HALF_WINDOW_MARGIN_MS: u64 = 1000;
/// With `statusUrl`, the server is asked this long before the warning would open and before
/// the session would be declared expired, so its answer is in when the moment comes.
const STATUS_LEAD_MS: u64 = 3000;
/// Auto-extension pings go out early enough that the warning never opens for an active user.
const AUTO_EXTEND_LEAD_MS: u64 = 5000;
const MAX_BACKOFF_MS: u64 = 30_000;
/// Drafts are written this long after the last edit…
const DRAFT_DEBOUNCE_MS: u64 = 1000;
/// …but never later than this after the first unsaved one, so continuous typing is saved too.
const DRAFT_MAX_WAIT_MS: u64 = 5000;

pub struct Machine {
    timeout_ms: Option<u64>,
    warn_before_ms: u64,
    renew_on: RenewOn,
    sliding_window: SlidingWindow,
    auto_extend: bool,
    phase: Phase,
    /// When the server will end the idle session; `None` until known.
    deadline: Option<Millis>,
    absolute_deadline: Option<Millis>,
    /// When the server last renewed the session.
    last_renewal: Millis,
    /// The time of the newest server signal applied, to ignore stale ones.
    last_signal: Millis,
    last_activity: Option<Millis>,
    ping: Ping,
    visible: bool,
    /// The last announcement step spoken while the warning is open.
    announced: Option<u64>,
    /// The absolute-limit warning the user acknowledged (its deadline), so it stays closed.
    acknowledged_end: Option<Millis>,
    /// The first unsaved draft edit, and when the pending save is due.
    drafts_dirty: Option<(Millis, Millis)>,
    /// Only the leader tab sends automatic keep-alives.
    leader: bool,
    /// When the session ended here (expiry or logout).
    ended_at: Option<Millis>,
    /// The view last published to (or received from) the other tabs.
    published: Option<Shared>,
    /// Nothing is published before [`Input::Start`] has merged the stored view.
    started: bool,
    /// What the last [`Output::ListenForActivity`] said.
    listening: bool,
    outputs: Vec<Output>,
    /// The drafts machine: what is saved and stored, what the expired dialog may claim.
    drafts: super::drafts::Drafts,
    /// The server can be asked without renewing (`statusUrl`).
    has_status: bool,
    /// A status request is out.
    status_in_flight: bool,
    /// The session end each of the two checks of a cycle was last made for: before the
    /// warning, and before declaring expiry. Never more, and never while idle otherwise.
    status_checked: [Option<Millis>; 2],
    /// The built-in dialog, notice and title countdown are on (`dialog`).
    dialog: bool,
    /// The second the last `sessionguard:countdown` said.
    counted: Option<u64>,
    relogin_popup: bool,
    /// The newest live view of another tab that was not plausible yet (its deadline further than
    /// the window from now: the other tab's clock reads ahead, as the pages of a fake clock do).
    /// Believed once it is, never before.
    deferred: Option<Shared>,
}

impl Machine {
    /// A guard starting at `now` on a page that was just served: the page load counts as
    /// the last renewal until the server says otherwise. `session_started` is when the
    /// user logged in, for `absoluteTimeout`.
    pub fn new(config: &Config, now: Millis, visible: bool, session_started: Millis) -> Machine {
        Machine {
            timeout_ms: config.timeout_ms,
            warn_before_ms: config.warn_before_ms,
            renew_on: config.renew_on,
            sliding_window: config.sliding_window,
            auto_extend: config.auto_extend,
            phase: Phase::Active,
            deadline: config.timeout_ms.map(|t| now + t),
            absolute_deadline: config.absolute_timeout_ms.map(|t| session_started.min(now) + t),
            last_renewal: now,
            // No server signal yet: the page load's renewal is only a guess.
            last_signal: 0,
            last_activity: None,
            ping: Ping::Idle,
            visible,
            announced: None,
            acknowledged_end: None,
            drafts_dirty: None,
            leader: true,
            ended_at: None,
            published: None,
            started: false,
            listening: false,
            outputs: Vec::new(),
            drafts: super::drafts::Drafts::new(config.drafts != super::config::Drafts::Off),
            has_status: config.status_url.is_some(),
            status_in_flight: false,
            status_checked: [None; 2],
            deferred: None,
            dialog: config.dialog,
            counted: None,
            relogin_popup: config.relogin_popup,
        }
    }

    /// The drafts machine. The shell feeds it the page's draft events and write outcomes
    /// directly, between the session's outputs: [`Output::SaveDrafts`] is carried out by
    /// feeding it [`super::drafts::DraftInput::Flush`].
    pub fn drafts(&mut self) -> &mut super::drafts::Drafts {
        &mut self.drafts
    }

    /// Whether the user's input is stored, for the expired dialog and event (see
    /// [`super::drafts::Drafts::saved`]).
    pub fn drafts_saved(&self) -> Option<bool> {
        self.drafts.saved()
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The idle deadline the server will enforce, if known.
    pub fn deadline(&self) -> Option<Millis> {
        self.deadline
    }

    /// Milliseconds until the session ends (idle or absolute, whichever is first); 0 once over.
    pub fn remaining(&self, now: Millis) -> Option<u64> {
        match self.phase {
            Phase::Expired(_) | Phase::LoggedOut => Some(0),
            _ => self.end().map(|end| end.saturating_sub(now)),
        }
    }

    /// Headless (`dialog: false`), the built-in UI's outputs are never given: the events say it all.
    pub fn poll_output(&mut self) -> Option<Output> {
        while !self.outputs.is_empty() {
            let output = self.outputs.remove(0);
            let ui = matches!(
                output,
                Output::ShowWarning { .. }
                    | Output::Countdown { .. }
                    | Output::CloseDialog
                    | Output::ShowExpired { .. }
                    | Output::ShowSignedOut
                    | Output::TitleCountdown(_)
                    | Output::Unreachable
            );
            if self.dialog || !ui {
                return Some(output);
            }
        }
        None
    }

    pub fn handle(&mut self, input: Input, now: Millis) {
        // Logged out, only another tab's fresh login brings the page back.
        if self.phase == Phase::LoggedOut
            && !matches!(input, Input::Tab(_) | Input::Choice(UserChoice::LogInAgain) | Input::LoginWindowBlocked)
        {
            return;
        }
        let mut received = None;
        match input {
            Input::Activity => self.on_activity(now),
            Input::RequestObserved { at } => self.on_request(at.min(now)),
            Input::ServerReport { at, remaining_ms } => self.on_report(at.min(now), remaining_ms),
            Input::PingResult(outcome) => self.on_ping_result(outcome, now),
            Input::StatusResult(outcome) => self.on_status(outcome, now),
            Input::Visibility { visible } => {
                self.visible = visible;
                if !visible {
                    self.save_drafts();
                }
                if self.phase == Phase::Warning {
                    let title = if visible { None } else { self.remaining(now) };
                    self.outputs.push(Output::TitleCountdown(title));
                }
            }
            Input::Wake => {}
            Input::DraftEdited => {
                let first = self.drafts_dirty.map_or(now, |(first, _)| first);
                self.drafts_dirty = Some((first, (now + DRAFT_DEBOUNCE_MS).min(first + DRAFT_MAX_WAIT_MS)));
            }
            Input::PageHide => self.save_drafts(),
            Input::Start { stored } => {
                self.started = true;
                self.on_start(stored, now);
            }
            Input::Tab(shared) => {
                self.on_tab(shared, now);
                received = Some(shared);
            }
            Input::Leader(leader) => self.leader = leader,
            Input::ClockJump { by } => self.on_clock_jump(by),
            // Then the page itself goes (its drafts were saved when the window was asked for).
            Input::LoginWindowBlocked => self.outputs.push(Output::GoToLogin),
            Input::Choice(choice) => self.on_choice(choice, now),
        }
        if let Some(view) = self.deferred.filter(|v| self.plausible(v, now)) {
            self.deferred = None;
            self.on_tab(view, now);
            received = received.or(Some(view));
        }
        self.update(now);
        self.publish(received);
        let listen = self.activity_wanted_from().is_some_and(|from| from <= now);
        if listen != self.listening {
            self.listening = listen;
            self.outputs.push(Output::ListenForActivity(listen));
        }
    }

    /// From when new user input would change a decision, if at all without another input
    /// first. The first input after [`Self::input_counts_from`] is enough: later ones change
    /// nothing until the session is renewed. Without auto-extension, input never matters.
    fn activity_wanted_from(&self) -> Option<Millis> {
        if !self.auto_extend || self.phase != Phase::Active || self.absolute_binds() {
            return None;
        }
        let from = self.input_counts_from()?;
        let seen = self.last_activity.is_some_and(|at| at > self.last_renewal && at >= from);
        (!seen).then_some(from)
    }

    /// Only input at most `warnBefore` before the renewal point triggers a keep-alive
    /// (see [`Self::auto_ping_at`]); `None` while the renewal window is unknown.
    pub fn input_counts_from(&self) -> Option<Millis> {
        Some((self.last_renewal + self.renew_after(self.window()?)).saturating_sub(self.warn_before_ms))
    }

    /// This tab's view of the session, as the other tabs get it.
    pub fn shared(&self) -> Option<Shared> {
        Some(Shared {
            phase: match self.phase {
                Phase::Active | Phase::Warning => SharedPhase::Live,
                Phase::Expired(reason) => SharedPhase::Expired(reason),
                Phase::LoggedOut => SharedPhase::LoggedOut,
            },
            deadline: self.deadline?,
            renewed_at: self.last_renewal,
            activity_at: self.last_activity.unwrap_or(0),
            ended_at: self.ended_at.unwrap_or(0),
        })
    }

    /// Publishes this tab's view when it differs in something that changes another tab's
    /// decision: the deadline, the phase, or activity the leader needs for auto-extension
    /// (the first in a renewal window, and the first within `warnBefore` of the renewal point).
    fn publish(&mut self, received: Option<Shared>) {
        if !self.started {
            return;
        }
        let Some(mut view) = self.shared() else { return };
        let last = received.or(self.published);
        if let Some(last) = last {
            if !self.activity_is_news(last.activity_at) {
                view.activity_at = last.activity_at;
            }
        }
        // Another tab's view we merged is not echoed back, unless ours is newer.
        let newer = match received {
            Some(r) => view.renewed_at > r.renewed_at || (view.phase != r.phase && self.ended_at > Some(r.renewed_at)),
            None => true,
        };
        if Some(view) != last && newer {
            self.outputs.push(Output::Publish(view));
        }
        self.published = Some(view);
    }

    fn activity_is_news(&self, shared_activity: Millis) -> bool {
        let Some(activity) = self.last_activity else { return false };
        if activity <= shared_activity || activity <= self.last_renewal {
            return false;
        }
        if shared_activity <= self.last_renewal {
            return true;
        }
        let Some(window) = self.window() else { return false };
        let relevant_from = (self.last_renewal + self.renew_after(window)).saturating_sub(self.warn_before_ms);
        activity >= relevant_from && shared_activity < relevant_from
    }

    /// The page just loaded with a live server session (the server rendered it).
    fn on_start(&mut self, stored: Option<Shared>, now: Millis) {
        match stored {
            // Only the keep-alive renews: this page load did not, so the shared deadline stands.
            // Unless this page's own Server-Timing already said more recently.
            Some(s)
                if s.phase == SharedPhase::Live
                    && self.renew_on == RenewOn::KeepAlive
                    && s.deadline > now
                    && s.renewed_at >= self.last_signal
                    && self.plausible(&s, now) =>
            {
                self.deadline = Some(s.deadline);
                self.last_renewal = s.renewed_at;
                self.last_signal = s.renewed_at;
                self.last_activity = (s.activity_at > 0).then_some(s.activity_at);
            }
            Some(s) if s.phase == SharedPhase::Live && s.activity_at > 0 => {
                self.last_activity = Some(s.activity_at.min(now));
            }
            // Ended elsewhere, yet this page was served signed in: a fresh login. Publishing
            // this page's renewal (newer than the end) brings the other tabs back.
            _ => {}
        }
    }

    fn on_tab(&mut self, shared: Shared, now: Millis) {
        if shared.activity_at > self.last_activity.unwrap_or(0) && shared.activity_at <= now && self.phase == Phase::Active {
            self.last_activity = Some(shared.activity_at);
        }
        match shared.phase {
            SharedPhase::Live => {
                if let Some(ended) = self.ended_at {
                    if shared.renewed_at <= ended {
                        return;
                    }
                    // A session newer than our end: the user logged in again, here or in another tab.
                    self.resume();
                    // This page still holds the old session's CSRF token, which the other tab cannot
                    // hand over (tokens never go through storage or the channel): the status answer
                    // brings the new one. A keep-alive could not: it needs the token to be accepted.
                    if self.has_status && !self.status_in_flight {
                        self.check_status();
                    }
                }
                let newer = shared.renewed_at > self.last_renewal
                    || (shared.renewed_at == self.last_renewal && Some(shared.deadline) > self.deadline);
                if newer && shared.deadline > shared.renewed_at {
                    if self.plausible(&shared, now) {
                        self.last_renewal = shared.renewed_at;
                        self.last_signal = self.last_signal.max(shared.renewed_at);
                        self.deadline = Some(shared.deadline);
                    } else {
                        self.deferred = Some(shared);
                    }
                }
            }
            SharedPhase::Expired(reason) if self.is_live() && shared.renewed_at >= self.last_renewal => {
                self.expire(reason, now)
            }
            SharedPhase::LoggedOut if self.is_live() && shared.renewed_at >= self.last_renewal => {
                self.phase = Phase::LoggedOut;
                self.ended_at = Some(now);
                self.ping = Ping::Idle;
                self.drafts_dirty = None;
                self.outputs.push(Output::TitleCountdown(None));
                self.outputs.push(Output::PurgeDrafts);
                self.outputs.push(Output::ShowSignedOut);
                self.outputs.push(Output::Emit(Event::LoggedOut));
            }
            _ => {}
        }
    }

    /// Whether another tab's live view could be true: a deadline no further from now than
    /// `timeout` or what the server reported (the current renewal window: a report longer
    /// than `timeout` makes it that long). A renewal claimed in the future cannot move the
    /// deadline beyond that either.
    fn plausible(&self, shared: &Shared, now: Millis) -> bool {
        let window = self.timeout_ms.unwrap_or(0).max(self.deadline.unwrap_or(0).saturating_sub(self.last_renewal));
        // The other tab set its deadline at most `window` from a moment before now (one clock;
        // a jump is shifted out before the view is merged); 2 s for a server's rounding.
        window == 0 || shared.deadline <= now + window + 2000
    }

    /// The wall clock jumped. Set back, it is a clock being set: every wall-clock time held is
    /// shifted with it, so the session keeps the real time it has left and the warning is never
    /// hidden (the other tabs see the same jump and shift theirs). Forward, it is most often a
    /// sleep (where the monotonic clock stops while the computer sleeps: Chromium on Linux and
    /// macOS), indistinguishable from a clock set forward: the time is taken as passed, the safe
    /// reading (an early end, with the drafts saved, never time claimed that may be gone).
    fn on_clock_jump(&mut self, by: i64) {
        if by > 0 {
            return;
        }
        // 0 stays 0: "no signal yet".
        let shift = |t: Millis| if t == 0 { 0 } else { t.saturating_add_signed(by) };
        self.last_renewal = shift(self.last_renewal);
        self.last_signal = shift(self.last_signal);
        // (An acknowledged unextendable warning may open once more: its end moved.)
        for t in [&mut self.deadline, &mut self.absolute_deadline, &mut self.last_activity, &mut self.ended_at] {
            *t = t.map(shift);
        }
        // A pending retry or draft save keeps its time: a clock set back delays it until the
        // next click or edit (or `pagehide`, a hidden tab).
    }

    /// The next time the machine must be woken with [`Input::Wake`]; `None` while nothing is pending.
    pub fn next_wakeup(&self, now: Millis) -> Option<Millis> {
        let retry = match self.ping {
            Ping::Backoff { retry_at, .. } if self.is_live() => Some(retry_at),
            _ => None,
        };
        // Listening starts at a moment of its own: the machine wakes for it.
        let listen_at = self.activity_wanted_from().filter(|from| *from > now);
        // While a status check is out, expiry waits for its answer, which wakes the machine.
        let expiry = |end| (!self.status_in_flight).then(|| self.expire_at(end));
        let timing = match (self.phase, self.end()) {
            (Phase::Active, Some(end)) if now < end => self.warn_at(end).into_iter().chain(expiry(end)).min(),
            (Phase::Warning, Some(end)) if now < end => {
                let remaining = end - now;
                let step = if self.visible { SECOND } else { step_below(remaining) };
                Some(end - next_multiple_below(remaining, step))
            }
            (Phase::Active | Phase::Warning, Some(end)) => expiry(end),
            _ => None,
        };
        let window = self.timeout_ms.unwrap_or(0).max(self.deadline.unwrap_or(0).saturating_sub(self.last_renewal));
        let deferred = self.deferred.map(|v| v.deadline.saturating_sub(window + 2000)).filter(|at| *at > now);
        [retry, self.auto_ping_at(), self.drafts_dirty.map(|(_, due)| due), listen_at, self.status_check_at(), timing, deferred]
            .into_iter()
            .flatten()
            .min()
    }

    /// When a session ending at `end` is declared expired here, unless news comes first: at
    /// `end`, or, in a tab that does not ask the server itself, once the leader's answer to its
    /// check before expiry could have arrived.
    fn expire_at(&self, end: Millis) -> Millis {
        if self.has_status && !self.leader {
            end + STATUS_LEAD_MS
        } else {
            end
        }
    }

    /// When the leader asks `statusUrl` next, if it will, and which check of the cycle that is
    /// (0: before the warning, 1: before expiry): `STATUS_LEAD_MS` before the warning would
    /// open, and before the session would be declared expired; each once per session end.
    fn status_check(&self) -> Option<(Millis, usize)> {
        if !self.has_status || !self.leader || self.status_in_flight || !self.is_live() {
            return None;
        }
        let end = self.end()?;
        // A cycle is a session end: an answer that moves it by less than the lead (the server's
        // own count of the same deadline) or earlier is still the cycle already checked.
        let due = |which: usize| self.status_checked[which].is_none_or(|checked| end > checked + STATUS_LEAD_MS);
        let before_warning = match (self.phase, self.warn_at(end)) {
            (Phase::Active, Some(warn_at)) if due(0) => Some((warn_at.saturating_sub(STATUS_LEAD_MS), 0)),
            _ => None,
        };
        let before_expiry = due(1).then(|| (end.saturating_sub(STATUS_LEAD_MS), 1));
        before_warning.or(before_expiry)
    }

    fn status_check_at(&self) -> Option<Millis> {
        self.status_check().map(|(at, _)| at)
    }

    /// The server's answer to a status check. More time (renewed where the guard could not
    /// see) moves the deadline; gone ends the session at once; no answer leaves the deadline.
    fn on_status(&mut self, outcome: PingOutcome, now: Millis) {
        self.status_in_flight = false;
        match outcome {
            PingOutcome::Extended { expires_in_ms: Some(remaining) } => self.on_report(now, remaining),
            PingOutcome::Expired if self.is_live() => self.expire(ExpiryReason::Server, now),
            _ => {}
        }
    }

    fn is_live(&self) -> bool {
        matches!(self.phase, Phase::Active | Phase::Warning)
    }

    /// The end of the session: the idle deadline or the absolute one, whichever comes first.
    fn end(&self) -> Option<Millis> {
        match (self.deadline, self.absolute_deadline) {
            (Some(idle), Some(absolute)) => Some(idle.min(absolute)),
            (idle, absolute) => idle.or(absolute),
        }
    }

    fn absolute_binds(&self) -> bool {
        match (self.deadline, self.absolute_deadline) {
            (Some(idle), Some(absolute)) => absolute <= idle,
            (None, Some(_)) => true,
            _ => false,
        }
    }

    /// When the warning opens for a session ending at `end`; `None` once the user
    /// acknowledged the unextendable warning for this very end.
    fn warn_at(&self, end: Millis) -> Option<Millis> {
        (self.acknowledged_end != Some(end)).then(|| end.saturating_sub(self.warn_before_ms))
    }

    /// The renewal window: the configured timeout, or the longest time the server reported.
    fn window(&self) -> Option<u64> {
        self.timeout_ms.or_else(|| self.deadline.map(|d| d.saturating_sub(self.last_renewal)))
    }

    /// How long after a renewal an active user's activity triggers the next keep-alive.
    fn renew_after(&self, window: u64) -> u64 {
        match self.sliding_window {
            SlidingWindow::Full => {
                let before_warning = window.saturating_sub(self.warn_before_ms + AUTO_EXTEND_LEAD_MS);
                (window / 2).min(before_warning.max(window / 4))
            }
            SlidingWindow::Half => window / 2 + HALF_WINDOW_MARGIN_MS,
        }
    }

    fn on_activity(&mut self, now: Millis) {
        // The open dialog is never dismissed by a mouse move; an expired session stays expired.
        if self.phase == Phase::Active {
            self.last_activity = Some(now);
        }
    }

    /// When auto-extension will ping, if the user's activity calls for one: as soon as the
    /// server would renew (`renew_after`), for activity since the last renewal that is at most
    /// `warnBefore` older than that moment. Older activity does not count: an idle user is
    /// never kept signed in, and a present one is at most `warnBefore` past their last input.
    fn auto_ping_at(&self) -> Option<Millis> {
        if !self.auto_extend || !self.leader || self.phase != Phase::Active || self.ping != Ping::Idle || self.absolute_binds() {
            return None;
        }
        let activity = self.last_activity.filter(|a| *a > self.last_renewal)?;
        let due = self.last_renewal + self.renew_after(self.window()?);
        (activity + self.warn_before_ms >= due).then_some(due.max(activity))
    }

    fn on_request(&mut self, at: Millis) {
        if self.renew_on != RenewOn::Request || !self.is_live() || at < self.last_renewal {
            return;
        }
        let Some(window) = self.timeout_ms else { return };
        let renews = match self.sliding_window {
            SlidingWindow::Full => true,
            SlidingWindow::Half => at - self.last_renewal > window / 2,
        };
        if renews {
            self.renew(at, window);
        }
    }

    fn on_report(&mut self, at: Millis, remaining_ms: u64) {
        if at < self.last_signal {
            return;
        }
        if let Phase::Expired(_) = self.phase {
            if remaining_ms == 0 {
                return;
            }
            // A live session after expiry means the user logged in again (here or in another tab).
            self.resume();
        }
        let renewal = match self.timeout_ms {
            // Before any real signal the renewal time is a guess that the report may move back.
            Some(window) => {
                let floor = if self.last_signal == 0 { 0 } else { self.last_renewal };
                (at + remaining_ms).saturating_sub(window).max(floor).min(at)
            }
            None => at,
        };
        self.last_signal = at;
        self.last_renewal = renewal;
        self.deadline = Some(at + remaining_ms);
    }

    fn renew(&mut self, at: Millis, remaining_ms: u64) {
        self.last_renewal = at;
        self.last_signal = at;
        self.deadline = Some(at + remaining_ms);
    }

    fn on_ping_result(&mut self, outcome: PingOutcome, now: Millis) {
        let Ping::InFlight { failures } = self.ping else { return };
        if !self.is_live() {
            return;
        }
        match outcome {
            PingOutcome::Extended { expires_in_ms } => {
                self.ping = Ping::Idle;
                let Some(remaining) = expires_in_ms.or(self.window()) else { return };
                self.renew(now, remaining);
                if let Some(end) = self.end() {
                    self.outputs.push(Output::Emit(Event::Extended { expires_at: end }));
                }
            }
            PingOutcome::Expired => self.expire(ExpiryReason::Server, now),
            PingOutcome::Retry => {
                self.ping = Ping::Backoff { failures: failures + 1, retry_at: now + backoff(failures) };
                // Only an open warning shows it; a new one starts without it.
                self.outputs.push(Output::Unreachable);
                self.outputs.push(Output::Emit(Event::Error {
                    code: ErrorCode::Network,
                    message: "keep-alive failed; retrying",
                }));
            }
        }
    }

    fn on_choice(&mut self, choice: UserChoice, now: Millis) {
        match choice {
            UserChoice::Continue if self.is_live() => {
                if self.absolute_binds() {
                    // Nothing can extend the session: "OK" only closes the warning.
                    if self.phase == Phase::Warning {
                        self.acknowledged_end = self.end();
                        self.leave_warning();
                    }
                } else if !matches!(self.ping, Ping::InFlight { .. }) {
                    self.send_ping();
                }
            }
            UserChoice::Continue => {}
            UserChoice::Logout => {
                self.phase = Phase::LoggedOut;
                self.ended_at = Some(now);
                self.ping = Ping::Idle;
                self.drafts_dirty = None;
                self.outputs.push(Output::CloseDialog);
                self.outputs.push(Output::TitleCountdown(None));
                self.outputs.push(Output::PurgeDrafts);
                self.outputs.push(Output::Emit(Event::LoggedOut));
                self.outputs.push(Output::Logout);
            }
            UserChoice::LogInAgain => {
                // After a logout the drafts are gone on purpose; nothing is saved again.
                if self.phase != Phase::LoggedOut {
                    self.save_drafts();
                    self.outputs.push(Output::MarkResume);
                }
                self.outputs.push(if self.relogin_popup { Output::OpenLoginWindow } else { Output::GoToLogin });
            }
        }
    }

    fn save_drafts(&mut self) {
        self.drafts_dirty = None;
        self.outputs.push(Output::SaveDrafts);
    }

    /// Back to active after the session ended: a fresh login was seen. The page stays as it is.
    fn resume(&mut self) {
        self.phase = Phase::Active;
        self.ended_at = None;
        self.ping = Ping::Idle;
        self.announced = None;
        self.outputs.push(Output::CloseDialog);
        self.outputs.push(Output::Emit(Event::Login));
    }

    fn check_status(&mut self) {
        self.status_in_flight = true;
        self.outputs.push(Output::CheckStatus);
    }

    fn send_ping(&mut self) {
        let failures = match self.ping {
            Ping::Backoff { failures, .. } => failures,
            _ => 0,
        };
        self.ping = Ping::InFlight { failures };
        self.outputs.push(Output::SendPing);
    }

    fn expire(&mut self, reason: ExpiryReason, now: Millis) {
        self.phase = Phase::Expired(reason);
        self.ended_at = Some(now);
        self.ping = Ping::Idle;
        self.announced = None;
        // Drafts first: nothing typed may be lost to the navigation the dialog offers.
        self.save_drafts();
        self.outputs.push(Output::MarkResume);
        self.outputs.push(Output::TitleCountdown(None));
        self.outputs.push(Output::ShowExpired { reason });
        self.outputs.push(Output::Emit(Event::Expired { reason }));
    }

    fn leave_warning(&mut self) {
        self.phase = Phase::Active;
        self.announced = None;
        self.outputs.push(Output::CloseDialog);
        self.outputs.push(Output::TitleCountdown(None));
    }

    /// Recomputes the phase from `now`: the single place time moves the machine.
    fn update(&mut self, now: Millis) {
        if self.drafts_dirty.is_some_and(|(_, due)| now >= due) {
            self.save_drafts();
        }
        if !self.is_live() {
            return;
        }
        if let Ping::Backoff { retry_at, .. } = self.ping {
            if now >= retry_at {
                self.send_ping();
            }
        }
        if self.auto_ping_at().is_some_and(|at| now >= at) {
            self.send_ping();
        }
        if let Some((at, which)) = self.status_check() {
            if now >= at {
                self.status_checked[which] = self.end();
                self.check_status();
            }
        }
        let Some(end) = self.end() else { return };
        // With a status check out, expiry waits for the server's answer (the shell's request
        // has a timeout, so one comes).
        if now >= self.expire_at(end) && !self.status_in_flight {
            let reason = if self.absolute_binds() { ExpiryReason::Absolute } else { ExpiryReason::Idle };
            self.expire(reason, now);
            return;
        }
        if now >= end {
            return;
        }
        let remaining = end - now;
        let warning_due = self.warn_at(end).is_some_and(|warn_at| now >= warn_at);
        match (self.phase, warning_due) {
            (Phase::Active, true) => {
                self.phase = Phase::Warning;
                let step = announcement_step(remaining);
                self.announced = Some(step);
                self.outputs.push(Output::ShowWarning { remaining_ms: remaining, extendable: !self.absolute_binds() });
                if !self.visible {
                    self.outputs.push(Output::TitleCountdown(Some(remaining)));
                }
                self.outputs.push(Output::Emit(Event::Warning { remaining_s: remaining / SECOND }));
                self.counted = Some(remaining / SECOND);
            }
            (Phase::Warning, true) => {
                let step = announcement_step(remaining);
                let announce = (self.announced != Some(step)).then_some(step);
                self.announced = Some(step);
                self.outputs.push(Output::Countdown { remaining_ms: remaining, announce });
                // Once a second at most: other inputs recompute the warning in between.
                let remaining_s = remaining / SECOND;
                if self.counted != Some(remaining_s) {
                    self.counted = Some(remaining_s);
                    self.outputs.push(Output::Emit(Event::Countdown { remaining_s }));
                }
                if !self.visible {
                    self.outputs.push(Output::TitleCountdown(Some(remaining)));
                }
            }
            (Phase::Warning, false) => self.leave_warning(),
            _ => {}
        }
    }
}

/// 1 s, 2 s, 4 s … capped at 30 s, after `failures` failed attempts before this one.
fn backoff(failures: u32) -> u64 {
    (SECOND << failures.min(5)).min(MAX_BACKOFF_MS)
}

/// A hidden tab updates its title countdown only where the spoken text would
/// change: every minute above 60 s, every 20 s below.
fn step_below(remaining: u64) -> u64 {
    if remaining > 60 * SECOND {
        60 * SECOND
    } else {
        20 * SECOND
    }
}

/// The largest multiple of `step` strictly below `remaining` (0 at the least).
fn next_multiple_below(remaining: u64, step: u64) -> u64 {
    remaining.saturating_sub(1) / step * step
}
