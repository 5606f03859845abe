//! Every deadline the machine keeps, named (quinn-proto's `TimerTable` idea): the wake-up
//! ([`Machine::next_wakeup`]) is the earliest of them, and the update asks the same table
//! whether one is due, so no deadline is computed two ways.

use super::warning::{countdown_step, next_multiple_below};
use super::{Machine, Millis, Phase, Ping};

/// A moment the machine must act at, without another input first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// A failed keep-alive is sent again.
    PingRetry,
    /// The keep-alive an active user's input calls for.
    AutoPing,
    /// The pending draft save.
    DraftSave,
    /// This tab asks `statusUrl` how long the session has left (the leader; another tab only
    /// when the leader's answer is late).
    StatusCheck,
    /// The warning opens.
    Warning,
    /// The open warning's countdown steps (each second, or each announcement step in a
    /// hidden tab). The update refreshes the open warning on every input anyway.
    Countdown,
    /// The session is declared over.
    Expiry,
    /// User input starts to matter: the machine starts listening for it.
    ListenForActivity,
    /// Another tab's view, not plausible when it came, becomes so.
    DeferredView,
    /// The login window that led to this page closes ([`super::ToPage::CloseLoginWindow`]).
    CloseLoginWindow,
}

impl Timer {
    /// Every timer, in the order the update acts on those that are due.
    pub const ALL: [Timer; 10] = [
        Timer::DraftSave,
        Timer::CloseLoginWindow,
        Timer::PingRetry,
        Timer::AutoPing,
        Timer::StatusCheck,
        Timer::Expiry,
        Timer::Warning,
        Timer::Countdown,
        Timer::ListenForActivity,
        Timer::DeferredView,
    ];
}

impl Machine {
    /// When `timer` is due, if it is armed at all, as of `now`. One copy for every caller.
    #[inline(never)]
    pub fn timer(&self, timer: Timer, now: Millis) -> Option<Millis> {
        let (phase, end) = (self.phase, self.end());
        match timer {
            Timer::PingRetry => match self.ping {
                Ping::Backoff { retry_at, .. } if phase.is_live() => Some(retry_at),
                _ => None,
            },
            Timer::AutoPing => self.auto_ping_at(),
            Timer::DraftSave => self.drafts_dirty.map(|(_, due)| due),
            Timer::StatusCheck => self.status_check().map(|(at, _)| at),
            Timer::Warning => end.filter(|end| phase == Phase::Active && now < *end).and_then(|end| self.warn_at(end)),
            Timer::Countdown => end.filter(|end| phase == Phase::Warning && now < *end).map(|end| {
                let remaining = end - now;
                end - next_multiple_below(remaining, countdown_step(remaining, self.visible))
            }),
            // While a status check is out, expiry waits for its answer, which wakes the machine.
            Timer::Expiry => end.filter(|_| phase.is_live() && !self.status_in_flight).map(|end| self.expire_at(end)),
            // These wait for a moment of their own, acted on as inputs come: only a later one
            // is a timer (the input just handled saw to an earlier one).
            Timer::ListenForActivity => self.activity_wanted_from().filter(|from| *from > now),
            Timer::DeferredView => self.deferred_plausible_at().filter(|at| *at > now),
            Timer::CloseLoginWindow => self.close_login_window_at,
        }
    }

    /// Whether `timer` is due at `now`.
    pub(super) fn due(&self, timer: Timer, now: Millis) -> bool {
        self.timer(timer, now).is_some_and(|at| now >= at)
    }

    /// The next time the machine must be woken with [`super::Input::Wake`]: the earliest
    /// timer; `None` while nothing is pending.
    #[must_use]
    pub fn next_wakeup(&self, now: Millis) -> Option<Millis> {
        Timer::ALL.into_iter().filter_map(|timer| self.timer(timer, now)).min()
    }
}
