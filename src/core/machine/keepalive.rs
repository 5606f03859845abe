//! Keep-alive policy: when the session is renewed (a request the server counts, a
//! report, a keep-alive), when an active user's input calls for a keep-alive, the
//! retries, and when the server is asked how long the session has left (`statusUrl`).

use super::super::config::{RenewOn, SlidingWindow};
use super::super::server::PingOutcome;
use super::{ErrorCode, Event, ExpiryReason, Machine, Millis, Output, Phase, SECOND, Ui, ToServer};

/// A half-sliding server renews only past half its window; pinging this much
/// later absorbs rounding on the server's side.
const HALF_WINDOW_MARGIN_MS: u64 = 1000;
/// With `statusUrl`, the server is asked this long before the warning would open and before
/// the session would be declared expired, so its answer is in when the moment comes.
pub(super) const STATUS_LEAD_MS: u64 = 3000;
/// Auto-extension pings go out early enough that the warning never opens for an active user.
const AUTO_EXTEND_LEAD_MS: u64 = 5000;
const MAX_BACKOFF_MS: u64 = 30_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ping {
    Idle,
    /// A keep-alive is out; `failures` attempts before it failed.
    InFlight { failures: u32 },
    /// The last attempt failed; the next goes out at `retry_at`.
    Backoff { failures: u32, retry_at: Millis },
}

impl Machine {
    /// From when new user input would change a decision, if at all without another input
    /// first. The first input after [`Self::input_counts_from`] is enough: later ones change
    /// nothing until the session is renewed. Without auto-extension, input never matters.
    pub(super) fn activity_wanted_from(&self) -> Option<Millis> {
        if !self.auto_extend || self.phase != Phase::Active || self.absolute_binds() {
            return None;
        }
        let from = self.input_counts_from()?;
        let seen = self.last_activity.is_some_and(|at| at > self.last_renewal && at >= from);
        (!seen).then_some(from)
    }

    /// Only input at most `warnBefore` before the renewal point triggers a keep-alive
    /// (see `auto_ping_at`); `None` while the renewal window is unknown.
    pub fn input_counts_from(&self) -> Option<Millis> {
        Some((self.last_renewal + self.renew_after(self.window()?)).saturating_sub(self.warn_before_ms))
    }

    /// When a session ending at `end` is declared expired here, unless news comes first: at
    /// `end`, or, in a tab that does not lead, once the leader's answer to its check before
    /// expiry could have arrived (then it asks the server itself first: see `status_check`).
    pub(super) fn expire_at(&self, end: Millis) -> Millis {
        if self.has_status && !self.leader {
            end + STATUS_LEAD_MS
        } else {
            end
        }
    }

    /// When this tab asks `statusUrl` next, if it will, and which check of the cycle that is
    /// (0: before the warning, 1: before expiry). The leader asks `STATUS_LEAD_MS` before the
    /// warning would open, and before the session would be declared expired; each once per
    /// session end. Another tab waits for the leader's answer (it moves every tab's deadline);
    /// if none has come by the time it would declare expiry (the leader was closed, frozen or
    /// throttled meanwhile), it asks once itself: "expired" is said only on the server's word
    /// or with no answer at all.
    pub(super) fn status_check(&self) -> Option<(Millis, usize)> {
        if !self.has_status || self.status_in_flight || !self.is_live() {
            return None;
        }
        let end = self.end()?;
        // A cycle is a session end: an answer that moves it by less than the lead (the server's
        // own count of the same deadline) or earlier is still the cycle already checked.
        let due = |which: usize| self.status_checked[which].is_none_or(|checked| end > checked + STATUS_LEAD_MS);
        // Bounded: one request per tab per session end, and only when the leader's answer is
        // later than 3 s past the end (its own request may take up to 10 s).
        if !self.leader {
            return due(1).then(|| (self.expire_at(end), 1));
        }
        let before_warning = match (self.phase, self.warn_at(end)) {
            (Phase::Active, Some(warn_at)) if due(0) => Some((warn_at.saturating_sub(STATUS_LEAD_MS), 0)),
            _ => None,
        };
        let before_expiry = due(1).then(|| (end.saturating_sub(STATUS_LEAD_MS), 1));
        before_warning.or(before_expiry)
    }

    /// The server's answer to a status check. More time (renewed where the guard could not
    /// see) moves the deadline; gone ends the session at once; no answer leaves the deadline.
    pub(super) fn on_status(&mut self, outcome: PingOutcome, now: Millis) {
        self.status_in_flight = false;
        match outcome {
            PingOutcome::Extended { expires_in_ms: Some(remaining) } => self.on_report(now, remaining),
            PingOutcome::Expired if self.is_live() => self.expire(ExpiryReason::Server, now),
            _ => {}
        }
    }

    /// The renewal window: the configured timeout, or the longest time the server reported.
    pub(super) fn window(&self) -> Option<u64> {
        self.timeout_ms.or_else(|| self.deadline.map(|d| d.saturating_sub(self.last_renewal)))
    }

    /// How long after a renewal an active user's activity triggers the next keep-alive.
    pub(super) fn renew_after(&self, window: u64) -> u64 {
        match self.sliding_window {
            SlidingWindow::Full => {
                let before_warning = window.saturating_sub(self.warn_before_ms + AUTO_EXTEND_LEAD_MS);
                (window / 2).min(before_warning.max(window / 4))
            }
            SlidingWindow::Half => window / 2 + HALF_WINDOW_MARGIN_MS,
        }
    }

    pub(super) fn on_activity(&mut self, now: Millis) {
        // The open dialog is never dismissed by a mouse move; an expired session stays expired.
        if self.phase == Phase::Active {
            self.last_activity = Some(now);
        }
    }

    /// When auto-extension will ping, if the user's activity calls for one: as soon as the
    /// server would renew (`renew_after`), for activity since the last renewal that is at most
    /// `warnBefore` older than that moment. Older activity does not count: an idle user is
    /// never kept signed in, and a present one is at most `warnBefore` past their last input.
    pub(super) fn auto_ping_at(&self) -> Option<Millis> {
        if !self.auto_extend || !self.leader || self.phase != Phase::Active || self.ping != Ping::Idle || self.absolute_binds() {
            return None;
        }
        let activity = self.last_activity.filter(|a| *a > self.last_renewal)?;
        let due = self.last_renewal + self.renew_after(self.window()?);
        (activity + self.warn_before_ms >= due).then_some(due.max(activity))
    }

    pub(super) fn on_request(&mut self, at: Millis) {
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

    pub(super) fn on_report(&mut self, at: Millis, remaining_ms: u64) {
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

    pub(super) fn renew(&mut self, at: Millis, remaining_ms: u64) {
        self.last_renewal = at;
        self.last_signal = at;
        self.deadline = Some(at + remaining_ms);
    }

    pub(super) fn on_ping_result(&mut self, outcome: PingOutcome, now: Millis) {
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
                self.outputs.push(Output::Ui(Ui::Unreachable));
                self.outputs.push(Output::Emit(Event::Error {
                    code: ErrorCode::Network,
                    message: "keep-alive failed; retrying",
                }));
            }
        }
    }

    pub(super) fn check_status(&mut self) {
        self.status_in_flight = true;
        self.outputs.push(Output::Server(ToServer::CheckStatus));
    }

    pub(super) fn send_ping(&mut self) {
        let failures = match self.ping {
            Ping::Backoff { failures, .. } => failures,
            _ => 0,
        };
        self.ping = Ping::InFlight { failures };
        self.outputs.push(Output::Server(ToServer::Ping));
    }
}

/// 1 s, 2 s, 4 s … capped at 30 s, after `failures` failed attempts before this one.
fn backoff(failures: u32) -> u64 {
    (SECOND << failures.min(5)).min(MAX_BACKOFF_MS)
}
