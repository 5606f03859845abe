//! The session state machine, sans-IO: feed it [`Input`]s with the current
//! wall-clock time, drain [`Output`]s with [`Machine::poll_output`], and wake it
//! at [`Machine::next_wakeup`]. It never reads a clock; every deadline is an
//! absolute `Date.now()`-style millisecond count, so a tab that slept or a timer
//! that fired late is handled by simply recomputing from `now`.
//!
//! One concern per file: [`io`] (the inputs and outputs), `tab_merge` (what other
//! tabs say), `keepalive` (when the session is renewed or asked about), `draft_delay`
//! (when drafts are written), `warning` (when the warning opens and counts down) and
//! `timers` (every deadline, named, read by both [`Machine::next_wakeup`] and the update).

mod draft_delay;
pub mod io;
mod keepalive;
mod tab_merge;
mod timers;
mod warning;

use super::config::{Config, RenewOn, SlidingWindow};
use super::server::Observed;
use super::session::{TabPhase, TabView};
pub use super::session::{ExpiryReason, Millis, Phase, Visibility};
pub use io::{ErrorCode, Event, Input, Output, Start, ToDrafts, ToPage, ToServer, ToTabs, Ui, UserChoice};
use keepalive::Ping;
pub use timers::Timer;

/// Where the user logged out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LoggedOutIn {
    /// Here: the server session is ended from this page, which leaves.
    ThisTab,
    /// In another tab: this page says so and offers "Log in again".
    OtherTab,
}

/// Whole seconds: the countdowns' unit.
const SECOND: u64 = 1000;

/// How long the guard's login window stays on the page a login led it to: the new session,
/// published to the other tabs at start, is a `BroadcastChannel` message and a storage write
/// that a window closed at once may never send.
pub const LOGIN_WINDOW_STAYS_MS: u64 = 300;

/// One page's guard of the session: every decision, no IO (see the module's docs).
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
    published: Option<TabView>,
    /// Nothing is published before [`Input::Start`] has merged the stored view.
    started: bool,
    /// When this page's window closes: it is the guard's login window ([`Start::in_login_window`]).
    close_login_window_at: Option<Millis>,
    /// What the last [`ToPage::ListenForActivity`] said.
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
    /// Escape in the warning extends the session (`escapeExtends`).
    escape_extends: bool,
    /// The warning offers "Log out" (`logoutUrl`).
    can_log_out: bool,
    /// Connected to the other tabs (left on `pagehide`, joined again on `pageshow`).
    joined: bool,
    /// What the expired dialog said of the user's input, for the event that follows it.
    input_claim: Option<Option<bool>>,
    /// The newest live view of another tab that was not plausible yet (its deadline further than
    /// the window from now: the other tab's clock reads ahead, as the pages of a fake clock do).
    /// Believed once it is, never before.
    deferred: Option<TabView>,
}

impl Machine {
    /// A guard starting at `now` on a page that was just served: the page load counts as
    /// the last renewal until the server says otherwise. `session_started` is when the
    /// user logged in, for `absoluteTimeout`.
    pub fn new(config: &Config, now: Millis, page: Visibility, session_started: Millis) -> Machine {
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
            visible: page == Visibility::Visible,
            announced: None,
            acknowledged_end: None,
            drafts_dirty: None,
            leader: true,
            ended_at: None,
            published: None,
            started: false,
            close_login_window_at: None,
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
            escape_extends: config.escape_extends,
            can_log_out: config.logout_url.is_some(),
            joined: true,
            input_claim: None,
        }
    }

    /// The drafts machine. The shell feeds it the page's draft events and write outcomes
    /// directly, between the session's outputs: [`ToDrafts::Save`] is carried out by
    /// feeding it [`super::drafts::DraftInput::Flush`].
    pub fn drafts(&mut self) -> &mut super::drafts::Drafts {
        &mut self.drafts
    }

    /// Whether the user's input is stored, for the expired dialog and event (see
    /// [`super::drafts::Drafts::saved`]).
    pub fn drafts_saved(&self) -> Option<bool> {
        self.drafts.saved()
    }

    /// Where the session is (`guard.state()`).
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

    /// The next thing for the shell to do; call until `None` after each [`Machine::handle`],
    /// carrying out each before taking the next: what the expired dialog and event say of the
    /// user's input is read from the drafts machine as they are taken, after the save before
    /// them was carried out. Headless (`dialog: false`), the built-in UI's outputs are never
    /// given: the events say it all.
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output> {
        while !self.outputs.is_empty() {
            let output = match self.outputs.remove(0) {
                Output::Ui(Ui::ShowExpired { reason, .. }) => {
                    let input_saved = self.drafts.saved();
                    self.input_claim = Some(input_saved);
                    Output::Ui(Ui::ShowExpired { reason, input_saved })
                }
                Output::Emit(Event::Expired { reason, .. }) => {
                    // What the dialog said; headless, what is stored now (flushed just before).
                    let saved = self.input_claim.take().unwrap_or_else(|| self.drafts.saved());
                    Output::Emit(Event::Expired { reason, input_saved: saved == Some(true) })
                }
                output => output,
            };
            if self.dialog || !matches!(output, Output::Ui(_)) {
                return Some(output);
            }
        }
        None
    }

    /// Takes one input at `now` (wall-clock ms): what it changes, then what time changed
    /// since the last one. The outputs wait in [`Machine::poll_output`].
    pub fn handle(&mut self, input: Input, now: Millis) {
        // Logged out, only another tab's fresh login brings the page back.
        if input == Input::PageHide {
            // The shell leaves the other tabs with it.
            self.joined = false;
        }
        // (Our login window still closes: its timer wakes it.)
        if self.phase == Phase::LoggedOut
            && !matches!(
                input,
                Input::Tab(_)
                    | Input::Rejoin { .. }
                    | Input::Leader(_)
                    | Input::Choice(UserChoice::LogInAgain)
                    | Input::LoginWindowBlocked
            )
            && !(matches!(input, Input::Wake) && self.close_login_window_at.is_some())
        {
            return;
        }
        let mut received = None;
        match input {
            Input::Activity => self.on_activity(now),
            Input::Observed(observed) => self.on_observed(observed, now),
            Input::PingResult(outcome) => self.on_ping_result(outcome, now),
            Input::StatusResult(outcome) => self.on_status(outcome, now),
            Input::Visibility { visible } => {
                self.visible = visible;
                if !visible {
                    self.save_drafts();
                }
                if self.phase == Phase::Warning {
                    let title = if visible { None } else { self.remaining(now) };
                    self.outputs.push(Output::Ui(Ui::TitleCountdown(title)));
                }
            }
            Input::Wake => {}
            Input::DraftEdited => self.on_draft_edited(now),
            Input::PageHide => self.save_drafts(),
            Input::Start(start) => {
                // This page's own response first: its Server-Timing is fresher than any stored view.
                self.join(start.stored);
                if let Some(served) = start.served {
                    self.on_observed(served, now);
                }
                self.started = true;
                self.on_start(start.stored, now);
                if start.in_login_window {
                    self.close_login_window_at = Some(now + LOGIN_WINDOW_STAYS_MS);
                }
            }
            Input::Rejoin { stored } => {
                self.join(stored);
                if let Some(view) = stored {
                    self.on_tab(view, now);
                    received = Some(view);
                }
            }
            Input::Tab(shared) => {
                self.on_tab(shared, now);
                received = Some(shared);
            }
            Input::Leader(leader) => {
                self.leader = leader;
                // Taken by another tab: queue again behind it.
                if !leader {
                    self.outputs.push(Output::Tabs(ToTabs::QueueForLeader { steal: false }));
                }
            }
            Input::ClockJump { by } => self.on_clock_jump(by),
            // Then the page itself goes (its drafts were saved when the window was asked for).
            Input::LoginWindowBlocked => self.outputs.push(Output::Page(ToPage::GoToLogin)),
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
            self.outputs.push(Output::Page(ToPage::ListenForActivity(listen)));
        }
    }

    /// This tab's view of the session, as the other tabs get it.
    pub fn tab_view(&self) -> Option<TabView> {
        Some(TabView {
            phase: match self.phase {
                Phase::Active | Phase::Warning => TabPhase::Live,
                Phase::Expired(reason) => TabPhase::Expired(reason),
                Phase::LoggedOut => TabPhase::LoggedOut,
            },
            deadline: self.deadline?,
            renewed_at: self.last_renewal,
            activity_at: self.last_activity.unwrap_or(0),
            ended_at: self.ended_at.unwrap_or(0),
        })
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
        for t in [&mut self.deadline, &mut self.absolute_deadline, &mut self.last_activity, &mut self.ended_at, &mut self.close_login_window_at] {
            *t = t.map(shift);
        }
        // A pending retry or draft save keeps its time: a clock set back delays it until the
        // next click or edit (or `pagehide`, a hidden tab).
    }

    fn is_live(&self) -> bool {
        self.phase.is_live()
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

    /// A request the page made completed (its own navigation included).
    fn on_observed(&mut self, observed: Observed, now: Millis) {
        match observed {
            Observed::Request { at } => self.on_request(at.min(now)),
            Observed::Report { at, remaining_ms } => self.on_report(at.min(now), remaining_ms),
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
            UserChoice::Dismiss if self.escape_extends && self.phase == Phase::Warning => {
                self.on_choice(UserChoice::Continue, now)
            }
            UserChoice::Dismiss => {}
            UserChoice::LogOut => self.log_out(LoggedOutIn::ThisTab, now),
            UserChoice::LogInAgain => {
                // After a logout the drafts are gone on purpose; nothing is saved again.
                if self.phase != Phase::LoggedOut {
                    self.save_drafts();
                    self.outputs.push(Output::Drafts(ToDrafts::MarkResume));
                }
                self.outputs.push(if self.relogin_popup { Output::Page(ToPage::OpenLoginWindow) } else { Output::Page(ToPage::GoToLogin) });
            }
        }
    }

    /// Back to active after the session ended: a fresh login was seen. The page stays as it is.
    fn resume(&mut self) {
        self.phase = Phase::Active;
        self.ended_at = None;
        self.ping = Ping::Idle;
        self.announced = None;
        self.outputs.push(Output::Ui(Ui::CloseDialog));
        self.outputs.push(Output::Emit(Event::LoggedIn));
        // This page still carries the old session's CSRF token: the page of the new login
        // should send the keep-alives while it exists, so this one queues behind it.
        if self.joined {
            self.leader = false;
            self.outputs.push(Output::Tabs(ToTabs::QueueForLeader { steal: false }));
        }
    }

    /// The session ends by the user's logout, in this tab or another: the one transition.
    fn log_out(&mut self, tab: LoggedOutIn, now: Millis) {
        self.phase = Phase::LoggedOut;
        self.ended_at = Some(now);
        self.ping = Ping::Idle;
        self.drafts_dirty = None;
        if tab == LoggedOutIn::ThisTab {
            self.outputs.push(Output::Ui(Ui::CloseDialog));
        }
        self.outputs.push(Output::Ui(Ui::TitleCountdown(None)));
        self.outputs.push(Output::Drafts(ToDrafts::Purge));
        if tab == LoggedOutIn::OtherTab {
            self.outputs.push(Output::Ui(Ui::ShowLoggedOutElsewhere));
        }
        self.outputs.push(Output::Emit(Event::LoggedOut));
        if tab == LoggedOutIn::ThisTab {
            self.outputs.push(Output::Server(ToServer::EndSession));
        }
    }

    fn expire(&mut self, reason: ExpiryReason, now: Millis) {
        self.phase = Phase::Expired(reason);
        self.ended_at = Some(now);
        self.ping = Ping::Idle;
        self.announced = None;
        // Drafts first: nothing typed may be lost to the navigation the dialog offers.
        self.save_drafts();
        self.outputs.push(Output::Drafts(ToDrafts::MarkResume));
        self.outputs.push(Output::Ui(Ui::TitleCountdown(None)));
        // What they say of the user's input is filled in as they are polled (after the save).
        self.outputs.push(Output::Ui(Ui::ShowExpired { reason, input_saved: None }));
        self.outputs.push(Output::Emit(Event::Expired { reason, input_saved: false }));
    }

    /// Recomputes the phase from `now`: the single place time moves the machine. Each step
    /// asks the timer table whether its moment has come.
    fn update(&mut self, now: Millis) {
        if self.due(Timer::DraftSave, now) {
            self.save_drafts();
        }
        if self.due(Timer::CloseLoginWindow, now) {
            self.close_login_window_at = None;
            self.outputs.push(Output::Page(ToPage::CloseLoginWindow));
        }
        if !self.is_live() {
            return;
        }
        if self.due(Timer::PingRetry, now) || self.due(Timer::AutoPing, now) {
            self.send_ping();
        }
        if let Some((at, which)) = self.status_check() {
            if now >= at {
                // The cycle is the end asked about, or the moment of asking when that is later
                // (a tab that does not lead asks after the end): an answer of no more time then
                // ends the cycle instead of starting another.
                self.status_checked[which] = self.end().map(|end| end.max(now));
                self.check_status();
            }
        }
        let Some(end) = self.end() else { return };
        // With a status check out, expiry waits for the server's answer (the shell's request
        // has a timeout, so one comes).
        if self.due(Timer::Expiry, now) {
            let reason = if self.absolute_binds() { ExpiryReason::Absolute } else { ExpiryReason::Idle };
            self.expire(reason, now);
            return;
        }
        if now >= end {
            return;
        }
        match self.phase {
            Phase::Active if self.due(Timer::Warning, now) => self.open_warning(end, now),
            Phase::Warning if self.warning_holds(end, now) => self.count_down(end, now),
            Phase::Warning => self.leave_warning(),
            _ => {}
        }
    }
}
