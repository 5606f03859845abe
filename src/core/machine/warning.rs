//! Warning timing: when the warning opens, what it says as it counts down, and when a
//! hidden tab's countdown steps.

use super::super::i18n::{announcement_interval, announcement_step};
use super::{Event, Machine, Millis, Output, Phase, SECOND, Ui};

impl Machine {
    /// When the warning opens for a session ending at `end`; `None` once the user
    /// acknowledged the unextendable warning for this very end.
    pub(super) fn warn_at(&self, end: Millis) -> Option<Millis> {
        (self.acknowledged_end != Some(end)).then(|| end.saturating_sub(self.warn_before_ms))
    }

    /// Whether the open warning still applies to a session ending at `end` (a renewal seen
    /// elsewhere moves the end past it).
    pub(super) fn warning_holds(&self, end: Millis, now: Millis) -> bool {
        self.warn_at(end).is_some_and(|warn_at| now >= warn_at)
    }

    /// The warning opens, `end - now` before the session ends.
    pub(super) fn open_warning(&mut self, end: Millis, now: Millis) {
        let remaining = end - now;
        self.phase = Phase::Warning;
        let announce = announcement_step(remaining);
        self.announced = Some(announce);
        self.outputs.push(Output::Ui(Ui::ShowWarning {
            remaining_ms: remaining,
            announce,
            extendable: !self.absolute_binds(),
            can_log_out: self.can_log_out,
        }));
        if !self.visible {
            self.outputs.push(Output::Ui(Ui::TitleCountdown(Some(remaining))));
        }
        self.outputs.push(Output::Emit(Event::Warning { remaining_s: remaining / SECOND }));
        self.counted = Some(remaining / SECOND);
    }

    /// Refreshes the open warning: the countdown, the spoken text when its step changed,
    /// `sessionguard:countdown` once a second at most (other inputs recompute in between).
    pub(super) fn count_down(&mut self, end: Millis, now: Millis) {
        let remaining = end - now;
        let step = announcement_step(remaining);
        let announce = (self.announced != Some(step)).then_some(step);
        self.announced = Some(step);
        self.outputs.push(Output::Ui(Ui::Countdown { remaining_ms: remaining, announce }));
        let remaining_s = remaining / SECOND;
        if self.counted != Some(remaining_s) {
            self.counted = Some(remaining_s);
            self.outputs.push(Output::Emit(Event::Countdown { remaining_s }));
        }
        if !self.visible {
            self.outputs.push(Output::Ui(Ui::TitleCountdown(Some(remaining))));
        }
    }

    pub(super) fn leave_warning(&mut self) {
        self.phase = Phase::Active;
        self.announced = None;
        self.outputs.push(Output::Ui(Ui::CloseDialog));
        self.outputs.push(Output::Ui(Ui::TitleCountdown(None)));
    }
}

/// How far apart the open warning's countdown steps: each second in a visible tab; in a
/// hidden one, only where the spoken text changes ([`announcement_interval`]), and never
/// finer than 20 s (a hidden tab's timers are throttled anyway; its title shows the rest).
pub(super) fn countdown_step(remaining: u64, visible: bool) -> u64 {
    if visible {
        SECOND
    } else {
        // Whole seconds strictly below `remaining`: a step boundary is crossed, not reached.
        announcement_interval(remaining.saturating_sub(1) / SECOND).max(20) * SECOND
    }
}

/// The largest multiple of `step` strictly below `remaining` (0 at the least).
pub(super) fn next_multiple_below(remaining: u64, step: u64) -> u64 {
    remaining.saturating_sub(1) / step * step
}
