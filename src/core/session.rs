//! The session's vocabulary, shared by every part of the core: time, the phase a page's
//! guard is in, why a session ended, and a tab's view of the session as the other tabs get
//! it. A leaf: it imports nothing of the crate, so the machine, the tab messages and the
//! shell all build on it without importing each other.

/// Milliseconds since the Unix epoch (`Date.now()`).
pub type Millis = u64;

/// Where this page's guard is in the session's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The session is live and the warning closed.
    Active,
    /// The warning is open: the session ends within `warnBefore`.
    Warning,
    /// The session ended here or in another tab.
    Expired(ExpiryReason),
    /// The user logged out, here or in another tab.
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

    /// Whether the session may still be extended or renewed (active or warning).
    pub fn is_live(self) -> bool {
        matches!(self, Phase::Active | Phase::Warning)
    }
}

/// Whether the page is seen (`document.hidden`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// On screen.
    Visible,
    /// In a background tab, minimised, or the screen locked.
    Hidden,
}

/// Why a session ended.
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
    /// The `reason` of the `sessionguard:expired` event.
    pub fn name(self) -> &'static str {
        match self {
            ExpiryReason::Idle => "idle",
            ExpiryReason::Server => "server",
            ExpiryReason::Absolute => "absolute",
        }
    }
}

/// The session's phase as the other tabs see it: the warning is one tab's own affair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TabPhase {
    /// Active or warning.
    Live,
    /// Ended, for this reason.
    Expired(ExpiryReason),
    /// The user logged out.
    LoggedOut,
}

/// One tab's view of the browser's session: what it publishes to the other tabs of its
/// origin and user, and stores for tabs opened later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TabView {
    /// Whether the session lives, and how it ended.
    pub phase: TabPhase,
    /// When the server will end the idle session (epoch ms).
    pub deadline: Millis,
    /// When the server last renewed it; the newer view wins.
    pub renewed_at: Millis,
    /// The latest user activity in any tab (0: none).
    pub activity_at: Millis,
    /// When the session ended, for `Expired`/`LoggedOut` (0 while live).
    pub ended_at: Millis,
}

/// A wall clock that moved this much more or less than the monotonic one was set (or the
/// system slept); smaller differences are clock drift and timer noise.
const CLOCK_JUMP_MS: f64 = 2000.0;

/// Watches the wall clock against the monotonic one between inputs, to tell the machine
/// when the wall clock was set (the machine's `Input::ClockJump`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClockWatch {
    wall: f64,
    monotonic: f64,
}

impl ClockWatch {
    /// Both clocks as the guard starts.
    pub fn new(wall: f64, monotonic: f64) -> ClockWatch {
        ClockWatch { wall, monotonic }
    }

    /// How far the wall clock was set since the last reading, measured against the
    /// monotonic clock; `None` for drift and noise.
    #[must_use]
    pub fn jump(&mut self, wall: f64, monotonic: f64) -> Option<i64> {
        let by = wall - self.wall - (monotonic - self.monotonic);
        *self = ClockWatch { wall, monotonic };
        (by.abs() > CLOCK_JUMP_MS).then_some(by as i64)
    }
}

/// DOM events that mean the user is there. `scroll` is left out: pages scroll themselves.
pub const ACTIVITY_EVENTS: [&str; 5] = ["mousemove", "mousedown", "keydown", "wheel", "touchstart"];

/// DOM events after which time may have jumped (sleep, the back/forward cache, throttling,
/// a network back): the machine is woken to recompute.
pub const WAKE_EVENTS: [&str; 3] = ["pageshow", "focus", "online"];
