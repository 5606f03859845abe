//! Draft delay: form drafts are written a moment after the last edit, but never later than
//! a bound after the first unsaved one, and at once when the page hides or the session ends.

use super::{Machine, Millis, Output, ToDrafts};

/// Drafts are written this long after the last edit…
const DRAFT_DEBOUNCE_MS: u64 = 1000;
/// …but never later than this after the first unsaved one, so continuous typing is saved too.
const DRAFT_MAX_WAIT_MS: u64 = 5000;

impl Machine {
    /// A guarded form field changed: the save is due a moment after this last edit.
    pub(super) fn on_draft_edited(&mut self, now: Millis) {
        let first = self.drafts_dirty.map_or(now, |(first, _)| first);
        self.drafts_dirty = Some((first, (now + DRAFT_DEBOUNCE_MS).min(first + DRAFT_MAX_WAIT_MS)));
    }

    pub(super) fn save_drafts(&mut self) {
        self.drafts_dirty = None;
        self.outputs.push(Output::Drafts(ToDrafts::Save));
    }
}
