//! When the current server session began, for `absoluteTimeout` ("seconds since
//! login"). Every page load of a multi-page app starts a new guard, so the start
//! is remembered in storage with the last time the session was seen alive.

use super::decimal::{parse_decimal, push_number};
use super::machine::Event;

/// The storage key of a user's session start.
pub use super::keys::session_start_key as key;

/// `"<started> <seen alive>"`, both epoch ms.
pub fn encode(started: u64, seen: u64) -> String {
    let mut out = String::new();
    push_number(&mut out, started);
    out.push(' ');
    push_number(&mut out, seen);
    out
}

/// `(started, seen alive)` from [`encode`]'s text; `None` for anything else.
pub fn decode(text: &str) -> Option<(u64, u64)> {
    let (started, seen) = text.split_once(' ')?;
    let whole = |t: &str| parse_decimal(t).filter(|n| *n >= 0.0 && n.fract() == 0.0).map(|n| n as u64);
    Some((whole(started)?, whole(seen)?))
}

/// The stored start still holds if the session was seen alive within its idle window
/// (it cannot have expired meanwhile); otherwise this page follows a new login.
pub fn session_started(stored: Option<(u64, u64)>, now: u64, idle_window_ms: Option<u64>) -> u64 {
    match (stored, idle_window_ms) {
        (Some((started, seen)), Some(window)) if started <= now && seen <= now && now - seen < window => started,
        _ => now,
    }
}

/// What a session event means for the stored start ([`record_after`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartRecord {
    /// The server extended the session: it was seen alive now (the start stays).
    SeenAlive,
    /// The session ended: the next login starts a new one.
    Forget,
}

/// Keeps the session's start alive across page loads while the server extends it, and
/// forgets it when the session ends.
pub fn record_after(event: Event) -> Option<StartRecord> {
    match event {
        Event::Extended { .. } => Some(StartRecord::SeenAlive),
        Event::Expired { .. } | Event::LoggedOut => Some(StartRecord::Forget),
        _ => None,
    }
}
