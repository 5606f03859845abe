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
    /// The leader asks `statusUrl` how long the session has left.
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
}

impl Timer {
    /// Every timer, in the order the update acts on those that are due.
    pub const ALL: [Timer; 9] = [
        Timer::DraftSave,
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
    /// When `timer` is due, if it is armed at all, as of `now`.
    pub fn timer(&self, timer: Timer, now: Millis) -> Option<Millis> {
        let live_end = || self.end().filter(|_| self.is_live());
        match timer {
            Timer::PingRetry => match self.ping {
                Ping::Backoff { retry_at, .. } if self.is_live() => Some(retry_at),
                _ => None,
            },
            Timer::AutoPing => self.auto_ping_at(),
            Timer::DraftSave => self.drafts_dirty.map(|(_, due)| due),
            Timer::StatusCheck => self.status_check().map(|(at, _)| at),
            Timer::Warning => match (self.phase, self.end()) {
                (Phase::Active, Some(end)) if now < end => self.warn_at(end),
                _ => None,
            },
            Timer::Countdown => match (self.phase, self.end()) {
                (Phase::Warning, Some(end)) if now < end => {
                    let remaining = end - now;
                    Some(end - next_multiple_below(remaining, countdown_step(remaining, self.visible)))
                }
                _ => None,
            },
            // While a status check is out, expiry waits for its answer, which wakes the machine.
            Timer::Expiry => live_end().filter(|_| !self.status_in_flight).map(|end| self.expire_at(end)),
            // Listening starts at a moment of its own: the machine wakes for it.
            Timer::ListenForActivity => self.activity_wanted_from(),
            Timer::DeferredView => self.deferred_plausible_at(),
        }
    }

    /// Whether `timer` is due at `now`.
    pub(super) fn due(&self, timer: Timer, now: Millis) -> bool {
        self.timer(timer, now).is_some_and(|at| now >= at)
    }

    /// The next time the machine must be woken with [`super::Input::Wake`]; `None` while
    /// nothing is pending. Due timers were acted on by the input just handled, except those
    /// that wait for something else (listening, a deferred view): only later moments count.
    #[must_use]
    pub fn next_wakeup(&self, now: Millis) -> Option<Millis> {
        Timer::ALL
            .into_iter()
            .filter_map(|timer| {
                let at = self.timer(timer, now)?;
                let waits = matches!(timer, Timer::ListenForActivity | Timer::DeferredView);
                (!waits || at > now).then_some(at)
            })
            .min()
    }
}
