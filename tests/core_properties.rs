//! Invariants of the state machine over random timelines.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use session_guard::core::machine::{Input, Machine, Output, Phase, UserChoice, Visibility, Ui, ToServer, ToPage};
use session_guard::core::server::{Observed, PingOutcome};

mod common;
use common::{any_config, next_wake, Windows, T0};

#[derive(Clone, Debug)]
enum Step {
    /// Let time pass, waking the machine whenever it asked (a punctual timer).
    Wait(u64),
    /// A wake at an arbitrary moment (focus, pageshow, a late timer).
    Wake,
    Activity,
    Visibility(bool),
    Request,
    Report(u64),
    PingAnswer(u8),
    Continue,
}

fn step(with_activity: bool) -> impl Strategy<Value = Step> {
    let common = prop_oneof![
        (1u64..400_000).prop_map(Step::Wait),
        Just(Step::Wake),
        any::<bool>().prop_map(Step::Visibility),
        Just(Step::Request),
        (20_000u64..4_000_000).prop_map(Step::Report),
        (0u8..3).prop_map(Step::PingAnswer),
    ];
    if with_activity {
        prop_oneof![4 => common, 2 => Just(Step::Activity), 1 => Just(Step::Continue)].boxed()
    } else {
        common.boxed()
    }
}

struct Harness {
    m: Machine,
    now: u64,
    ping_out: bool,
}

impl Harness {
    fn apply(&mut self, step: &Step, mut check: impl FnMut(&Machine, &Step, Option<u64>, Vec<Output>)) {
        let before = self.m.deadline();
        match *step {
            Step::Wait(ms) => {
                let until = self.now + ms;
                while next_wake(&self.m, &mut self.now, until).is_some() {
                    self.feed(Input::Wake, step, before, &mut check);
                }
            }
            Step::Wake => self.feed(Input::Wake, step, before, &mut check),
            Step::Activity => self.feed(Input::Activity, step, before, &mut check),
            Step::Visibility(v) => self.feed(Input::Visibility { visible: v }, step, before, &mut check),
            Step::Request => self.feed(Input::Observed(Observed::Request { at: self.now }), step, before, &mut check),
            Step::Report(ms) => self.feed(Input::Observed(Observed::Report { at: self.now, remaining_ms: ms }), step, before, &mut check),
            Step::PingAnswer(kind) if self.ping_out => {
                self.ping_out = false;
                let outcome = match kind {
                    0 => PingOutcome::Extended { expires_in_ms: None },
                    1 => PingOutcome::Retry,
                    _ => PingOutcome::Expired,
                };
                self.feed(Input::PingResult(outcome), step, before, &mut check)
            }
            Step::PingAnswer(_) => {}
            Step::Continue => self.feed(Input::Choice(UserChoice::Continue), step, before, &mut check),
        }
    }

    fn feed(&mut self, input: Input, step: &Step, before: Option<u64>, check: &mut impl FnMut(&Machine, &Step, Option<u64>, Vec<Output>)) {
        self.m.handle(input, self.now);
        let mut outs = Vec::new();
        while let Some(o) = self.m.poll_output() {
            if o == Output::Server(ToServer::Ping) {
                self.ping_out = true;
            }
            outs.push(o);
        }
        check(&self.m, step, before, outs);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// With no user activity and no click, the guard never sends a keep-alive.
    #[test]
    fn an_idle_user_is_never_pinged(config in any_config(Windows::Both), steps in prop::collection::vec(step(false), 1..60)) {
        let mut h = Harness { m: Machine::new(&config, T0, Visibility::Visible, T0), now: T0, ping_out: false };
        for s in &steps {
            h.apply(s, |_, _, _, outs| assert!(!outs.contains(&Output::Server(ToServer::Ping)), "pinged an idle user: {outs:?}"));
        }
    }

    /// With a punctual timer and server reports that leave room for a warning, the
    /// dialog opens at least 20 s before expiry and the session never expires unwarned.
    #[test]
    fn the_warning_always_comes_at_least_20_s_ahead(config in any_config(Windows::Both), steps in prop::collection::vec(step(true), 1..60)) {
        let warn = config.warn_before_ms;
        let mut h = Harness { m: Machine::new(&config, T0, Visibility::Visible, T0), now: T0, ping_out: false };
        let mut warned = false;
        for s in &steps {
            // Reports always leave at least the warning lead, as a real session does after renewal.
            let s = match s { Step::Report(ms) => Step::Report((*ms).max(warn + 1)), Step::Wake => Step::Wait(1), other => other.clone() };
            h.apply(&s, |m, _, _, outs| {
                for o in &outs {
                    if let Output::Ui(Ui::ShowWarning { remaining_ms, .. }) = o {
                        assert!(*remaining_ms >= 20_000, "warning with {remaining_ms} ms left");
                        warned = true;
                    }
                    if let Output::Ui(Ui::ShowExpired { reason, .. }) = o {
                        if *reason != session_guard::core::machine::ExpiryReason::Server {
                            assert!(warned, "expired without a warning");
                        }
                    }
                    if matches!(o, Output::Ui(Ui::CloseDialog)) && m.phase() == Phase::Active {
                        warned = false;
                    }
                }
            });
        }
    }

    /// Only server signals move the deadline: activity, visibility, clicks and timers never do.
    #[test]
    fn the_deadline_moves_only_on_a_server_signal(config in any_config(Windows::Both), steps in prop::collection::vec(step(true), 1..60)) {
        let mut h = Harness { m: Machine::new(&config, T0, Visibility::Visible, T0), now: T0, ping_out: false };
        for s in &steps {
            h.apply(s, |m, step, before, _| {
                let server_signal = matches!(step, Step::Request | Step::Report(_) | Step::PingAnswer(_));
                if !server_signal {
                    assert_eq!(m.deadline(), before, "deadline moved on {step:?}");
                }
            });
        }
    }

    /// next_wakeup is never in the past and the machine is never left without one while a deadline is pending.
    #[test]
    fn a_pending_deadline_always_has_a_wakeup(config in any_config(Windows::Both), steps in prop::collection::vec(step(true), 1..60)) {
        let mut h = Harness { m: Machine::new(&config, T0, Visibility::Visible, T0), now: T0, ping_out: false };
        for s in &steps {
            h.apply(s, |_, _, _, _| {});
            let live = matches!(h.m.phase(), Phase::Active | Phase::Warning);
            let wake = h.m.next_wakeup(h.now);
            if live { prop_assert!(wake.is_some()); }
            if let Some(w) = wake { prop_assert!(w >= h.now, "wake-up {} before now {}", w, h.now); }
        }
    }

    /// The shell listens for input only while the machine asks (`ListenForActivity`). Dropping
    /// every input that arrives meanwhile changes no decision: the same keep-alives, warnings
    /// and expiries at the same moments, and the same deadline after every step. Unless a later
    /// server signal moves the renewal point back, before an input already dropped: then the
    /// next input counts instead (the comparison stops there). That listening starts and stops
    /// when it should is `input_is_listened_for_only_while_it_can_matter` in core_machine.rs.
    #[test]
    fn input_outside_the_listening_spans_changes_nothing(config in any_config(Windows::Both), steps in prop::collection::vec(step(true), 1..80)) {
        let new = || Harness { m: Machine::new(&config, T0, Visibility::Visible, T0), now: T0, ping_out: false };
        let (mut every, mut gated) = (new(), new());
        let (mut decisions_every, mut decisions_gated) = (Vec::new(), Vec::new());
        let mut listening = false;
        let mut dropped: Option<u64> = None;
        for s in &steps {
            let now = every.now;
            every.apply(s, |m, _, _, outs| decisions_every.extend(decisions(m, now, outs)));
            if matches!(s, Step::Activity) && !listening {
                dropped = Some(gated.now);
                continue;
            }
            let now = gated.now;
            gated.apply(s, |m, _, _, outs| {
                for o in &outs {
                    if let Output::Page(ToPage::ListenForActivity(on)) = o {
                        listening = *on;
                    }
                }
                decisions_gated.extend(decisions(m, now, outs));
            });
            // A dropped input that would count now, where the machine has none: the renewal
            // point moved back past it (a server signal). Only the next input counts.
            if let (Some(at), Some(from), Some(view)) = (dropped, gated.m.input_counts_from(), gated.m.tab_view()) {
                let counted = view.activity_at > view.renewed_at && view.activity_at >= from;
                if at >= from && at > view.renewed_at && !counted {
                    break;
                }
            }
            prop_assert_eq!(every.m.deadline(), gated.m.deadline());
            prop_assert_eq!(every.m.phase(), gated.m.phase());
            prop_assert_eq!(&decisions_every, &decisions_gated);
        }
    }
}

/// What the user and the server see of a step's outputs, with the machine's phase after it.
fn decisions(m: &Machine, now: u64, outs: Vec<Output>) -> Vec<(u64, Output, Phase)> {
    outs.into_iter()
        .filter(|o| matches!(o, Output::Server(ToServer::Ping) | Output::Ui(Ui::ShowWarning { .. }) | Output::Ui(Ui::ShowExpired { .. }) | Output::Ui(Ui::CloseDialog)))
        .map(|o| (now, o, m.phase()))
        .collect()
}
