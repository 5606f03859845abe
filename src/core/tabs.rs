//! What tabs tell each other: a [`TabView`] as text. The server session is per browser,
//! so every tab of one origin and user shares one view of it: the deadline, when the
//! server last renewed it, the latest user activity and whether it ended. Each tab
//! publishes its view when that changes a decision; the others merge it (the machine's
//! `tab_merge`). The channel is named by [`super::keys::tab_view_key`]. Messages are
//! untrusted text: anything malformed decodes to `None` and is ignored.

use super::decimal::{parse_decimal, push_number};
use super::session::{ExpiryReason, TabPhase, TabView};

/// Bumped when the message layout changes; other versions are ignored.
const PREFIX: &str = "sg1";

fn phase_code(phase: TabPhase) -> &'static str {
    match phase {
        TabPhase::Live => "live",
        TabPhase::Expired(ExpiryReason::Idle) => "idle",
        TabPhase::Expired(ExpiryReason::Server) => "server",
        TabPhase::Expired(ExpiryReason::Absolute) => "absolute",
        TabPhase::LoggedOut => "out",
    }
}

/// `sg1 <phase> <deadline> <renewed> <activity> <ended>`.
pub fn encode(view: &TabView) -> String {
    let mut out = String::from(PREFIX);
    out.push(' ');
    out.push_str(phase_code(view.phase));
    for n in [view.deadline, view.renewed_at, view.activity_at, view.ended_at] {
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

/// A message [`encode`]d by another tab; `None` for anything else.
pub fn decode(text: &str) -> Option<TabView> {
    let mut parts = text.split(' ');
    if parts.next()? != PREFIX {
        return None;
    }
    let phase = match parts.next()? {
        "live" => TabPhase::Live,
        "idle" => TabPhase::Expired(ExpiryReason::Idle),
        "server" => TabPhase::Expired(ExpiryReason::Server),
        "absolute" => TabPhase::Expired(ExpiryReason::Absolute),
        "out" => TabPhase::LoggedOut,
        _ => return None,
    };
    let mut number = || millis(parts.next()?);
    let view =
        TabView { phase, deadline: number()?, renewed_at: number()?, activity_at: number()?, ended_at: number()? };
    if parts.next().is_some() || view.deadline < view.renewed_at {
        return None;
    }
    Some(view)
}
