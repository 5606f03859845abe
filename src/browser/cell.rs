//! The shell's shared state without borrow panics.
//!
//! `RefCell::borrow_mut` panics when the value is already borrowed, and its panic message
//! keeps `core::fmt` in the wasm. In the shell a clash can only come from re-entry (page
//! code run while a borrow is held calls back into the guard); the safe thing then is to
//! skip the step, never to trap the page. Every shared value goes through these two.

use std::cell::RefCell;

/// Borrows that skip instead of panicking.
pub(crate) trait Lend<T> {
    /// Runs `read` on the value; `None` (without running it) while it is mutably borrowed.
    fn with_ref<R>(&self, read: impl FnOnce(&T) -> R) -> Option<R>;
    /// Runs `change` on the value; `None` (without running it) while it is borrowed.
    fn with_mut<R>(&self, change: impl FnOnce(&mut T) -> R) -> Option<R>;
}

// Inlined: each call has its own closure, and an out-of-line copy per closure costs more
// wasm than the borrow check it wraps.
impl<T> Lend<T> for RefCell<T> {
    #[inline(always)]
    fn with_ref<R>(&self, read: impl FnOnce(&T) -> R) -> Option<R> {
        self.try_borrow().ok().map(|value| read(&value))
    }

    #[inline(always)]
    fn with_mut<R>(&self, change: impl FnOnce(&mut T) -> R) -> Option<R> {
        self.try_borrow_mut().ok().map(|mut value| change(&mut value))
    }
}
