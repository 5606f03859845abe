//! What the other tabs say: this tab's view of the session as they get it, when it is
//! worth publishing, and how a view another tab published (or stored) is merged.

use super::{LoggedOutIn, Machine, Millis, Output, Phase, RenewOn, TabPhase, TabView, ToTabs};

/// A server's rounding, on top of the window ([`Machine::plausible`]).
const PLAUSIBLE_SLACK_MS: u64 = 2000;

impl Machine {
    /// Joined the other tabs (at start, or back from the back/forward cache), with `stored`
    /// their view: this tab queues for the leader lock, and takes it at once when the session
    /// had ended elsewhere: this page belongs to a new login, and keep-alives must carry its
    /// CSRF token (the old pages it revives queue again, see `resume`).
    pub(super) fn join(&mut self, stored: Option<TabView>) {
        self.joined = true;
        self.leader = false;
        let fresh_login = stored.is_some_and(|view| view.phase != TabPhase::Live);
        self.outputs.push(Output::Tabs(ToTabs::QueueForLeader { steal: fresh_login }));
    }

    /// When the deferred view of another tab becomes plausible ([`Self::plausible`]).
    pub(super) fn deferred_plausible_at(&self) -> Option<Millis> {
        self.deferred.map(|view| view.deadline.saturating_sub(self.plausible_window() + PLAUSIBLE_SLACK_MS))
    }

    /// How far from now another tab's deadline may be: `timeout`, or the longest the server reported.
    fn plausible_window(&self) -> u64 {
        self.timeout_ms.unwrap_or(0).max(self.deadline.unwrap_or(0).saturating_sub(self.last_renewal))
    }

    /// Publishes this tab's view when it differs in something that changes another tab's
    /// decision: the deadline, the phase, or activity the leader needs for auto-extension
    /// (the first in a renewal window, and the first within `warnBefore` of the renewal point).
    pub(super) fn publish(&mut self, received: Option<TabView>) {
        if !self.started {
            return;
        }
        let Some(mut view) = self.tab_view() else { return };
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
            self.outputs.push(Output::Tabs(ToTabs::Publish(view)));
        }
        self.published = Some(view);
    }

    pub(super) fn activity_is_news(&self, shared_activity: Millis) -> bool {
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
    pub(super) fn on_start(&mut self, stored: Option<TabView>, now: Millis) {
        match stored {
            // Only the keep-alive renews: this page load did not, so the shared deadline stands.
            // Unless this page's own Server-Timing already said more recently.
            Some(s)
                if s.phase == TabPhase::Live
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
            Some(s) if s.phase == TabPhase::Live && s.activity_at > 0 => {
                self.last_activity = Some(s.activity_at.min(now));
            }
            // Ended elsewhere, yet this page was served signed in: a fresh login. Publishing
            // this page's renewal (newer than the end) brings the other tabs back.
            _ => {}
        }
    }

    pub(super) fn on_tab(&mut self, shared: TabView, now: Millis) {
        if shared.activity_at > self.last_activity.unwrap_or(0) && shared.activity_at <= now && self.phase == Phase::Active {
            self.last_activity = Some(shared.activity_at);
        }
        match shared.phase {
            TabPhase::Live => {
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
            TabPhase::Expired(reason) if self.is_live() && shared.renewed_at >= self.last_renewal => {
                self.expire(reason, now)
            }
            TabPhase::LoggedOut if self.is_live() && shared.renewed_at >= self.last_renewal => {
                self.log_out(LoggedOutIn::OtherTab, now)
            }
            _ => {}
        }
    }

    /// Whether another tab's live view could be true: a deadline no further from now than
    /// `timeout` or what the server reported (the current renewal window: a report longer
    /// than `timeout` makes it that long). A renewal claimed in the future cannot move the
    /// deadline beyond that either.
    pub(super) fn plausible(&self, shared: &TabView, now: Millis) -> bool {
        let window = self.plausible_window();
        // The other tab set its deadline at most `window` from a moment before now (one clock;
        // a jump is shifted out before the view is merged); 2 s for a server's rounding.
        window == 0 || shared.deadline <= now + window + PLAUSIBLE_SLACK_MS
    }
}
