//! What the native tests of the core share: the clock they inject, a configuration, the
//! "advance and wake" step of a punctual timer, and the proptest strategy for configurations.
//! Each test file includes it with `mod common;` and uses the part it needs.
// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use proptest::prelude::*;
use session_guard::core::config::{Config, RenewOn, SlidingWindow};
use session_guard::core::machine::{Machine, Output};

/// The injected "now" every test starts at (ms since the epoch, a date in 2023).
pub const T0: u64 = 1_700_000_000_000;
/// One second, one minute, one hour, in ms.
pub const S: u64 = 1000;
pub const MIN: u64 = 60 * S;
pub const HOUR: u64 = 3600 * S;

/// A session of `timeout_s` seconds that warns `warn_s` seconds before it ends.
pub fn config(timeout_s: u64, warn_s: u64) -> Config {
    let mut c = Config::new(Some(timeout_s * S), "/keepalive");
    c.warn_before_ms = warn_s * S;
    c
}

/// Every output the machine has queued.
pub fn drain(m: &mut Machine) -> Vec<Output> {
    std::iter::from_fn(|| m.poll_output()).collect()
}

/// One step of a punctual timer: the next wake-up `m` asks for at or before `until` (wall ms),
/// with `now` moved to it, for the caller to feed `Input::Wake`. `None` once there is none
/// before `until`; `now` is then moved on to `until`. A wake-up in the past fails the test.
///
/// `while let Some(at) = next_wake(&m, &mut now, until) { m.handle(Input::Wake, at); … }`
pub fn next_wake(m: &Machine, now: &mut u64, until: u64) -> Option<u64> {
    match m.next_wakeup(*now) {
        Some(at) if at <= until => {
            assert!(at >= *now, "wake-up in the past: {at} < {now}");
            *now = at;
            Some(at)
        }
        _ => {
            *now = (*now).max(until);
            None
        }
    }
}

/// Which sliding windows `any_config` draws from.
#[derive(Clone, Copy, Debug)]
pub enum Windows {
    /// Full and half windows.
    Both,
    /// The default (full) window only.
    FullOnly,
}

/// Valid configurations: timeouts of 1 min to 2 h, a warning 20 s to 10 min before (shorter than
/// the timeout), either renewal, automatic extension or not.
pub fn any_config(windows: Windows) -> impl Strategy<Value = Config> {
    (60u64..7200, 20u64..600, any::<bool>(), any::<bool>(), any::<bool>()).prop_filter_map(
        "warnBefore < timeout",
        move |(timeout, warn, keepalive, half, auto)| {
            (warn < timeout).then(|| {
                let mut c = config(timeout, warn);
                c.renew_on = if keepalive { RenewOn::KeepAlive } else { RenewOn::Request };
                if let (Windows::Both, true) = (windows, half) {
                    c.sliding_window = SlidingWindow::Half;
                }
                c.auto_extend = auto;
                c
            })
        },
    )
}

/// A row as form_io.js builds one: each value at its named position (`core::form_record`).
pub fn form_row(at: &[(usize, session_guard::core::json::Value)]) -> Vec<session_guard::core::json::Value> {
    let mut row = vec![session_guard::core::json::Value::Null; at.iter().map(|(i, _)| i + 1).max().unwrap_or(0)];
    for (i, value) in at {
        row[*i] = value.clone();
    }
    row
}

/// A fact row (form_io.js's `formFacts`) of tag, type, name, autocomplete, opted-out flag and value.
pub fn fact(tag: &str, input_type: &str, name: &str, autocomplete: &str, opted_out: bool, value: &str) -> Vec<session_guard::core::json::Value> {
    use session_guard::core::form_record::*;
    use session_guard::core::json::Value;
    let s = |text: &str| Value::Str(text.into());
    form_row(&[
        (FACT_TAG, s(tag)),
        (FACT_TYPE, s(input_type)),
        (FACT_NAME, s(name)),
        (FACT_AUTOCOMPLETE, s(autocomplete)),
        (FACT_OPTED_OUT, Value::Bool(opted_out)),
        (FACT_VALUE, s(value)),
    ])
}
