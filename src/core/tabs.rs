//! What tabs tell each other. The server session is per browser, so every tab of
//! one origin and user shares one view of it: the deadline, when the server last
//! renewed it, the latest user activity and whether it ended. Each tab publishes
//! its view when that changes a decision; the others merge it (see
//! [`crate::core::machine::Machine`]). Messages are untrusted text: anything
//! malformed decodes to `None` and is ignored.

use super::decimal::{parse_decimal, push_number};
use super::drafts::user_prefix;
use super::machine::ExpiryReason;

/// Bumped when the message layout changes; other versions are ignored.
const PREFIX: &str = "sg1";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SharedPhase {
    Live,
    Expired(ExpiryReason),
    LoggedOut,
}

/// One tab's view of the browser's session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shared {
    pub phase: SharedPhase,
    /// When the server will end the idle session (epoch ms).
    pub deadline: u64,
    /// When the server last renewed it; the newer view wins.
    pub renewed_at: u64,
    /// The latest user activity in any tab (0: none).
    pub activity_at: u64,
    /// When the session ended, for `Expired`/`LoggedOut` (0 while live).
    pub ended_at: u64,
}

/// The BroadcastChannel name and the storage key of the shared view: per origin
/// (both are origin-scoped by the browser) and per user.
pub fn channel_name(user: &str) -> String {
    let mut name = user_prefix(user);
    name.push('$');
    name
}

/// The Web Locks name held by the tab that sends the keep-alives.
pub fn leader_lock_name(user: &str) -> String {
    let mut name = user_prefix(user);
    name.push_str("leader");
    name
}

fn phase_code(phase: SharedPhase) -> &'static str {
    match phase {
        SharedPhase::Live => "live",
        SharedPhase::Expired(ExpiryReason::Idle) => "idle",
        SharedPhase::Expired(ExpiryReason::Server) => "server",
        SharedPhase::Expired(ExpiryReason::Absolute) => "absolute",
        SharedPhase::LoggedOut => "out",
    }
}

/// `sg1 <phase> <deadline> <renewed> <activity> <ended>`.
pub fn encode(shared: &Shared) -> String {
    let mut out = String::from(PREFIX);
    out.push(' ');
    out.push_str(phase_code(shared.phase));
    for n in [shared.deadline, shared.renewed_at, shared.activity_at, shared.ended_at] {
        out.push(' ');
        push_number(&mut out, n);
    }
    out
}

/// Epoch milliseconds up to the year 2286; anything else is malformed.
fn millis(text: &str) -> Option<u64> {
    let n = parse_decimal(text)?;
    (n >= 0.0 && n.fract() == 0.0 && n < 1e13).then_some(n as u64)
}

pub fn decode(text: &str) -> Option<Shared> {
    let mut parts = text.split(' ');
    if parts.next()? != PREFIX {
        return None;
    }
    let phase = match parts.next()? {
        "live" => SharedPhase::Live,
        "idle" => SharedPhase::Expired(ExpiryReason::Idle),
        "server" => SharedPhase::Expired(ExpiryReason::Server),
        "absolute" => SharedPhase::Expired(ExpiryReason::Absolute),
        "out" => SharedPhase::LoggedOut,
        _ => return None,
    };
    let mut number = || millis(parts.next()?);
    let shared =
        Shared { phase, deadline: number()?, renewed_at: number()?, activity_at: number()?, ended_at: number()? };
    if parts.next().is_some() || shared.deadline < shared.renewed_at {
        return None;
    }
    Some(shared)
}
