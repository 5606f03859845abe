//! Issue #14: the guard never claims what it has not seen. Only a good server response
//! moves the deadline; wall-clock jumps and other tabs' claims do not fool it.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use session_guard::core::config::{Config, RenewOn};
use session_guard::core::i18n::{MessageKey, Messages};
use session_guard::core::machine::{Visibility, Start, ErrorCode, Event, ExpiryReason, Input, Machine, Output, Phase, UserChoice, Ui, ToServer, ToTabs};
use session_guard::core::server::{Observed, classify, request_status_renews, PingOutcome, PingResponse};
use session_guard::core::session::{TabPhase, TabView};

mod common;
use common::{any_config, config, drain, next_wake, Windows, HOUR, S, T0};

fn started(config: &Config) -> Machine {
    let mut m = Machine::new(config, T0, Visibility::Visible, T0);
    m.handle(Input::Start(Start { stored: None, ..Start::default() }), T0);
    m.handle(Input::Leader(true), T0);
    drain(&mut m);
    m
}

/// Wakes `m` at each wake-up it asks for up to `until` (wall ms); returns every output.
fn run_until(m: &mut Machine, now: &mut u64, until: u64) -> Vec<Output> {
    let mut out = Vec::new();
    while let Some(at) = next_wake(m, now, until) {
        m.handle(Input::Wake, at);
        out.extend(drain(m));
    }
    out
}

fn live(deadline: u64, renewed_at: u64) -> TabView {
    TabView { phase: TabPhase::Live, deadline, renewed_at, activity_at: 0, ended_at: 0 }
}

// --- Failed requests ---------------------------------------------------------------

#[test]
fn only_a_known_good_status_renews() {
    // WebKit has no responseStatus; a failed, aborted, offline or CORS-blocked request has 0.
    assert!(!request_status_renews(None));
    assert!(!request_status_renews(Some(0.0)));
    assert!(!request_status_renews(Some(f64::NAN)));
    assert!(request_status_renews(Some(200.0)));
    assert!(request_status_renews(Some(204.0)));
    assert!(request_status_renews(Some(302.0)));
    assert!(!request_status_renews(Some(400.0)));
    assert!(!request_status_renews(Some(503.0)));
}

// --- Keep-alive answers --------------------------------------------------------------

#[test]
fn a_keep_alive_redirected_to_an_html_page_means_expired() {
    let sso = PingResponse { status: 200, redirected_away: true, html: true, ..PingResponse::default() };
    assert_eq!(classify(Some(&sso)), PingOutcome::Expired);
    // Redirected, but to JSON (a moved endpoint): the answer itself counts.
    let moved = PingResponse { status: 200, redirected_away: true, expires_in_ms: Some(40 * S), ..PingResponse::default() };
    assert_eq!(classify(Some(&moved)), PingOutcome::Extended { expires_in_ms: Some(40 * S) });
    // HTML without a redirect and without a password field: still the server's 2xx.
    let html = PingResponse { status: 200, html: true, ..PingResponse::default() };
    assert_eq!(classify(Some(&html)), PingOutcome::Extended { expires_in_ms: None });
}

#[test]
fn the_servers_number_wins_over_timeout() {
    let mut m = started(&config(60, 30));
    m.handle(Input::Choice(UserChoice::Continue), T0 + 5 * S);
    assert!(drain(&mut m).contains(&Output::Server(ToServer::Ping)));
    m.handle(Input::PingResult(PingOutcome::Extended { expires_in_ms: Some(40 * S) }), T0 + 6 * S);
    drain(&mut m);
    assert_eq!(m.deadline(), Some(T0 + 46 * S));
}

#[test]
fn continue_while_unreachable_keeps_the_warning_retries_and_still_ends_at_the_deadline() {
    let mut m = started(&config(60, 30));
    let mut now = T0;
    run_until(&mut m, &mut now, T0 + 31 * S);
    assert_eq!(m.phase(), Phase::Warning);
    m.handle(Input::Choice(UserChoice::Continue), now);
    assert!(drain(&mut m).contains(&Output::Server(ToServer::Ping)));
    m.handle(Input::PingResult(PingOutcome::Retry), now + 100);
    let out = drain(&mut m);
    assert!(out.contains(&Output::Ui(Ui::Unreachable)), "{out:?}");
    assert!(out.iter().any(|o| matches!(o, Output::Emit(Event::Error { code: ErrorCode::Network, .. }))));
    assert!(!out.contains(&Output::Ui(Ui::CloseDialog)));
    assert_eq!(m.phase(), Phase::Warning);
    assert_eq!(m.deadline(), Some(T0 + 60 * S));
    // Retried with backoff while the countdown goes on; every retry fails.
    let mut pings = 0;
    while let Some(at) = next_wake(&m, &mut now, T0 + 60 * S) {
        m.handle(Input::Wake, at);
        for o in drain(&mut m) {
            if o == Output::Server(ToServer::Ping) {
                pings += 1;
                m.handle(Input::PingResult(PingOutcome::Retry), now + 10);
                drain(&mut m);
            }
        }
    }
    assert!(pings >= 3, "retried {pings} times");
    // Never expired by the network errors: by the deadline.
    assert_eq!(m.phase(), Phase::Expired(ExpiryReason::Idle));
    assert_eq!(now, T0 + 60 * S);
}

#[test]
fn a_good_answer_after_failures_clears_the_unreachable_note() {
    let mut m = started(&config(60, 30));
    let mut now = T0;
    run_until(&mut m, &mut now, T0 + 31 * S);
    m.handle(Input::Choice(UserChoice::Continue), now);
    m.handle(Input::PingResult(PingOutcome::Retry), now);
    drain(&mut m);
    let until = now + 1000;
    let out = run_until(&mut m, &mut now, until);
    assert!(out.contains(&Output::Server(ToServer::Ping)));
    m.handle(Input::PingResult(PingOutcome::Extended { expires_in_ms: Some(60 * S) }), now);
    let out = drain(&mut m);
    assert!(out.contains(&Output::Ui(Ui::CloseDialog)));
    assert_eq!(m.phase(), Phase::Active);
}

#[test]
fn the_unreachable_note_is_in_english_and_japanese() {
    let en = Messages::new(session_guard::core::config::Lang::En, &[]);
    let ja = Messages::new(session_guard::core::config::Lang::Ja, &[]);
    assert_eq!(en.get(MessageKey::Unreachable), "The server cannot be reached. Retrying…");
    assert_eq!(ja.get(MessageKey::Unreachable), "サーバーに接続できません。再試行しています…");
    assert_eq!(MessageKey::from_name("unreachable"), Some(MessageKey::Unreachable));
}

// --- Other tabs ----------------------------------------------------------------------

#[test]
fn a_tab_view_beyond_what_the_server_allows_is_not_believed() {
    let mut m = started(&config(60, 30));
    m.handle(Input::Tab(live(T0 + 5_000_000_000 * S, T0 + S)), T0 + S);
    drain(&mut m);
    assert_eq!(m.deadline(), Some(T0 + 60 * S));
    // A renewal "in the future" would make every true view look stale: not believed either.
    m.handle(Input::Tab(live(T0 + 70 * S, T0 + HOUR)), T0 + 10 * S);
    drain(&mut m);
    assert_eq!(m.deadline(), Some(T0 + 60 * S));
    // The warning still opens on time.
    let mut now = T0 + 10 * S;
    let out = run_until(&mut m, &mut now, T0 + 30 * S);
    assert!(out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowWarning { .. }))));
    // A plausible view is merged as before.
    m.handle(Input::Tab(live(T0 + 91 * S, T0 + 31 * S)), T0 + 31 * S);
    drain(&mut m);
    assert_eq!(m.deadline(), Some(T0 + 91 * S));
}

#[test]
fn a_tab_view_from_a_clock_that_reads_ahead_is_believed_once_it_is_plausible() {
    let mut m = started(&config(60, 30));
    // Renewed 3 s "ahead" of this tab's clock: more than the window from now, not believed yet…
    m.handle(Input::Tab(live(T0 + 73 * S, T0 + 13 * S)), T0 + 10 * S);
    drain(&mut m);
    assert_eq!(m.deadline(), Some(T0 + 60 * S));
    // …but once this tab's time has come (the machine wakes for it), it is.
    assert_eq!(m.next_wakeup(T0 + 10 * S).map(|w| w <= T0 + 11 * S), Some(true));
    m.handle(Input::Wake, T0 + 11 * S);
    drain(&mut m);
    assert_eq!(m.deadline(), Some(T0 + 73 * S));
}

#[test]
fn a_tab_view_may_go_as_far_as_the_server_ever_reported() {
    let mut m = started(&config(60, 30));
    m.handle(Input::Observed(Observed::Report { at: T0 + S, remaining_ms: 600 * S }), T0 + S);
    m.handle(Input::Tab(live(T0 + 602 * S, T0 + 2 * S)), T0 + 2 * S);
    drain(&mut m);
    assert_eq!(m.deadline(), Some(T0 + 602 * S));
    m.handle(Input::Tab(live(T0 + 2 * HOUR, T0 + 3 * S)), T0 + 3 * S);
    drain(&mut m);
    assert_eq!(m.deadline(), Some(T0 + 602 * S));
}

#[test]
fn a_stored_view_beyond_the_bound_is_not_adopted_at_start() {
    let mut c = config(60, 30);
    c.renew_on = RenewOn::KeepAlive;
    let mut m = Machine::new(&c, T0, Visibility::Visible, T0);
    m.handle(Input::Start(Start { stored: Some(live(T0 + 1_000_000 * S, T0 - S)), ..Start::default() }), T0);
    m.handle(Input::Leader(true), T0);
    drain(&mut m);
    assert_eq!(m.deadline(), Some(T0 + 60 * S));
}

// --- Wall-clock jumps ----------------------------------------------------------------

#[test]
fn a_clock_set_back_keeps_the_real_remaining_time_and_accepts_server_reports() {
    let mut m = started(&config(60, 30));
    let real = T0 + 10 * S;
    let wall = real - HOUR;
    m.handle(Input::ClockJump { by: -(HOUR as i64) }, wall);
    drain(&mut m);
    assert_eq!(m.remaining(wall), Some(50 * S), "not 3,650 s");
    let mut now = wall;
    let out = run_until(&mut m, &mut now, wall + 20 * S);
    assert!(out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowWarning { .. }))), "the warning opens 30 s before the real end");
    // Server-Timing and touch({expiresIn}) still count after the jump.
    m.handle(Input::Observed(Observed::Report { at: now, remaining_ms: 60 * S }), now);
    drain(&mut m);
    assert_eq!(m.deadline(), Some(now + 60 * S));
    assert_eq!(m.phase(), Phase::Active);
}

#[test]
fn a_wall_clock_ahead_of_the_monotonic_one_is_time_that_passed() {
    // A laptop asleep for 2 h (the monotonic clock stood still) looks exactly like a clock set
    // forward 2 h: the guard never claims the time it cannot know is left.
    let mut m = started(&config(60, 30));
    let wall = T0 + 10 * S + 2 * HOUR;
    m.handle(Input::ClockJump { by: 2 * HOUR as i64 }, wall);
    m.handle(Input::Wake, wall);
    let out = drain(&mut m);
    assert!(out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowExpired { .. }))), "{out:?}");
    assert!(!out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowWarning { .. }))), "no stale warning: {out:?}");
    assert!(matches!(m.phase(), Phase::Expired(_)));
}

#[test]
fn after_a_jump_the_shared_view_is_republished_in_the_new_clock() {
    let mut m = started(&config(60, 30));
    m.handle(Input::ClockJump { by: -(HOUR as i64) }, T0 + S - HOUR);
    let published: Vec<TabView> =
        drain(&mut m).into_iter().filter_map(|o| if let Output::Tabs(ToTabs::Publish(s)) = o { Some(s) } else { None }).collect();
    assert_eq!(published.last().map(|s| s.deadline), Some(T0 + 60 * S - HOUR));
    // Another tab that saw the same jump sends the same view: nothing changes, nothing echoes.
    m.handle(Input::Tab(live(T0 + 60 * S - HOUR, T0 - HOUR)), T0 + 2 * S - HOUR);
    assert!(drain(&mut m).iter().all(|o| !matches!(o, Output::Tabs(ToTabs::Publish(_)))));
    assert_eq!(m.deadline(), Some(T0 + 60 * S - HOUR));
}

// --- Properties ----------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Step {
    Wait(u64),
    Wake,
    Activity,
    Visibility(bool),
    Continue,
    /// The keep-alive failed (network, 5xx) or said expired: no good response.
    PingFailed(bool),
    /// Another tab claims a live session with this deadline and renewal (offsets from now, may be huge).
    Tab(u64, u64),
}

fn no_good_response() -> impl Strategy<Value = Step> {
    prop_oneof![
        (1u64..200_000).prop_map(Step::Wait),
        Just(Step::Wake),
        Just(Step::Activity),
        any::<bool>().prop_map(Step::Visibility),
        Just(Step::Continue),
        any::<bool>().prop_map(Step::PingFailed),
        (0u64..u64::MAX / 4, 0u64..10_000_000).prop_map(|(d, r)| Step::Tab(d, r)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Without a good server response nothing moves the deadline later: not activity, clicks,
    /// failed keep-alives, timers, nor another tab's claims beyond what the server allowed.
    #[test]
    fn without_a_good_server_response_the_deadline_never_moves_later(
        config in any_config(Windows::FullOnly),
        steps in prop::collection::vec(no_good_response(), 1..60),
    ) {
        let timeout = config.timeout_ms.unwrap();
        let mut m = started(&config);
        let mut now = T0;
        let mut ping_out = false;
        for step in &steps {
            let before = m.deadline();
            let input = match *step {
                Step::Wait(ms) => { let until = now + ms; run_until(&mut m, &mut now, until); None }
                Step::Wake => Some(Input::Wake),
                Step::Activity => Some(Input::Activity),
                Step::Visibility(v) => Some(Input::Visibility { visible: v }),
                Step::Continue => Some(Input::Choice(UserChoice::Continue)),
                Step::PingFailed(expired) if ping_out => {
                    ping_out = false;
                    Some(Input::PingResult(if expired { PingOutcome::Expired } else { PingOutcome::Retry }))
                }
                Step::PingFailed(_) => None,
                Step::Tab(deadline, renewed) => {
                    // Only claims beyond the bound: a plausible view from a tab that saw the server is a good response.
                    let deadline = now.saturating_add(timeout + 2001).saturating_add(deadline);
                    Some(Input::Tab(live(deadline, now.saturating_sub(renewed))))
                }
            };
            if let Some(input) = input {
                m.handle(input, now);
                ping_out |= drain(&mut m).contains(&Output::Server(ToServer::Ping));
            }
            prop_assert!(m.deadline() <= before, "{step:?} moved the deadline from {before:?} to {:?}", m.deadline());
        }
    }

    /// The wall clock jumps back and forth; the shell reports each jump. The warning never comes
    /// later than `warnBefore` ahead of the real end, and the session never ends after the real
    /// end; exactly at it when the clock was only ever set back (a jump forward may be a sleep).
    #[test]
    fn a_wall_clock_jump_never_delays_the_warning_past_the_real_deadline(
        config in any_config(Windows::FullOnly),
        jumps in prop::collection::vec((1u64..200_000, -(10 * HOUR as i64)..(10 * HOUR as i64)), 0..12),
    ) {
        let timeout = config.timeout_ms.unwrap();
        let warn = config.warn_before_ms;
        let mut m = started(&config);
        // Real time and the wall clock's offset from it; the machine sees only the wall clock.
        let mut real = T0;
        let mut offset: i64 = 0;
        let mut warned_at = None;
        let mut expired_at = None;
        let mut observe = |m: &Machine, real: u64, outs: &[Output]| {
            for o in outs {
                if matches!(o, Output::Ui(Ui::ShowWarning { .. })) && warned_at.is_none() { warned_at = Some(real); }
                if matches!(o, Output::Ui(Ui::ShowExpired { .. })) && expired_at.is_none() { expired_at = Some(real); }
            }
            if real >= T0 + timeout { assert!(matches!(m.phase(), Phase::Expired(_)), "live at real {}", real - T0); }
        };
        let wall = |real: u64, offset: i64| real.saturating_add_signed(offset);
        let run = |m: &mut Machine, real: &mut u64, offset: i64, until: u64, observe: &mut dyn FnMut(&Machine, u64, &[Output])| {
            // A punctual timer: armed for the wake-up in wall terms, it fires after that delay in real time.
            while let Some(w) = m.next_wakeup(wall(*real, offset)) {
                let at = *real + w.saturating_sub(wall(*real, offset));
                if at > until { break; }
                *real = at;
                m.handle(Input::Wake, wall(*real, offset));
                let outs = drain(m);
                observe(m, *real, &outs);
            }
            *real = until;
        };
        for &(wait, by) in &jumps {
            let until = real + wait;
            run(&mut m, &mut real, offset, until, &mut observe);
            offset += by;
            m.handle(Input::ClockJump { by }, wall(real, offset));
            let outs = drain(&mut m);
            observe(&m, real, &outs);
        }
        run(&mut m, &mut real, offset, T0 + timeout + 1, &mut observe);
        if jumps.iter().all(|(_, by)| *by <= 0) {
            prop_assert!(warned_at.is_some_and(|w| w <= T0 + timeout - warn), "warned at {warned_at:?}");
            prop_assert_eq!(expired_at, Some(T0 + timeout));
        } else {
            prop_assert!(warned_at.is_none_or(|w| w <= T0 + timeout - warn), "warned at {warned_at:?}");
            prop_assert!(expired_at.is_some_and(|e| e <= T0 + timeout), "expired at {expired_at:?}");
        }
    }
}

// --- The server stays the authority: statusUrl (issue #15) ----------------------------

fn with_status(timeout_s: u64, warn_s: u64) -> Config {
    let mut c = config(timeout_s, warn_s);
    c.status_url = Some("/status".into());
    c
}

fn checks(out: &[Output]) -> usize {
    out.iter().filter(|o| **o == Output::Server(ToServer::CheckStatus)).count()
}

#[test]
fn the_status_is_asked_just_before_the_warning_and_never_while_idle_before() {
    let mut m = started(&with_status(60, 30));
    let mut now = T0;
    // Idle for the first 26 s: no request at all.
    let out = run_until(&mut m, &mut now, T0 + 26 * S);
    assert_eq!(checks(&out), 0, "{out:?}");
    let out = run_until(&mut m, &mut now, T0 + 27 * S);
    assert_eq!(checks(&out), 1, "asked 3 s before the warning: {out:?}");
    // Renewed out of band: the server has 50 s left. No warning; the deadline moves.
    m.handle(Input::StatusResult(PingOutcome::Extended { expires_in_ms: Some(50 * S) }), now);
    let out = drain(&mut m);
    assert!(!out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowWarning { .. }))), "{out:?}");
    assert_eq!(m.deadline(), Some(now + 50 * S));
    assert!(out.iter().any(|o| matches!(o, Output::Tabs(ToTabs::Publish(_)))), "the answer is shared with the other tabs: {out:?}");
}

#[test]
fn a_session_ended_on_the_server_is_expired_at_once() {
    let mut m = started(&with_status(60, 30));
    let mut now = T0;
    run_until(&mut m, &mut now, T0 + 27 * S);
    m.handle(Input::StatusResult(PingOutcome::Expired), now);
    let out = drain(&mut m);
    assert!(out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowExpired { reason: ExpiryReason::Server, .. }))), "{out:?}");
    assert!(!out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowWarning { .. }))), "no '30 s left' for a session already gone");
}

#[test]
fn no_answer_leaves_the_client_deadline_and_at_most_two_checks_per_cycle() {
    let mut m = started(&with_status(60, 30));
    let mut now = T0;
    let mut out = run_until(&mut m, &mut now, T0 + 27 * S);
    m.handle(Input::StatusResult(PingOutcome::Retry), now);
    out.extend(drain(&mut m));
    out.extend(run_until(&mut m, &mut now, T0 + 57 * S));
    assert!(out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowWarning { .. }))), "the warning opens on the client deadline");
    assert_eq!(checks(&out), 2, "the second check, 3 s before expiry: {out:?}");
    m.handle(Input::StatusResult(PingOutcome::Retry), now);
    out.extend(drain(&mut m));
    out.extend(run_until(&mut m, &mut now, T0 + 61 * S));
    assert!(out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowExpired { reason: ExpiryReason::Idle, .. }))), "{out:?}");
    assert_eq!(checks(&out), 2, "never more than two per cycle");
}

#[test]
fn expiry_waits_for_the_answer_of_a_check_still_out() {
    let mut m = started(&with_status(60, 30));
    let mut now = T0;
    let mut out = run_until(&mut m, &mut now, T0 + 27 * S);
    m.handle(Input::StatusResult(PingOutcome::Retry), now);
    out.extend(run_until(&mut m, &mut now, T0 + 70 * S));
    assert_eq!(checks(&out), 2);
    assert!(!out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowExpired { .. }))), "held while the server is asked");
    assert_eq!(m.next_wakeup(now), None, "nothing to do but wait for the answer");
    m.handle(Input::StatusResult(PingOutcome::Extended { expires_in_ms: Some(40 * S) }), now);
    drain(&mut m);
    assert_eq!(m.phase(), Phase::Active, "the server had renewed it");
}

#[test]
fn a_wall_clock_jump_forward_asks_the_server_before_signing_out() {
    // The same jump as a sleep: with statusUrl the server tells which it was.
    let mut m = started(&with_status(60, 30));
    let wall = T0 + 10 * S + 2 * HOUR;
    m.handle(Input::ClockJump { by: 2 * HOUR as i64 }, wall);
    let out = drain(&mut m);
    assert!(checks(&out) >= 1, "{out:?}");
    assert!(!out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowExpired { .. }))), "{out:?}");
    m.handle(Input::StatusResult(PingOutcome::Extended { expires_in_ms: Some(50 * S) }), wall);
    drain(&mut m);
    assert_eq!(m.phase(), Phase::Active);
    assert_eq!(m.remaining(wall), Some(50 * S));
}

/// A tab that does not lead waits for the leader's answer; if none comes (the leader was
/// closed or frozen), it asks the server once itself before it says "expired", and says it only
/// on the server's word or with no answer at all.
#[test]
fn the_others_wait_for_the_leaders_answer_then_ask_once_themselves() {
    let follower = || {
        let mut m = started(&with_status(60, 30));
        m.handle(Input::Leader(false), T0);
        drain(&mut m);
        m
    };
    let expired = |out: &[Output]| out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowExpired { .. })));
    let mut m = follower();
    let mut now = T0;
    let out = run_until(&mut m, &mut now, T0 + 61 * S);
    assert_eq!(checks(&out), 0, "the leader asks before the warning and before expiry");
    assert!(!expired(&out), "the leader's answer may still come");
    let out = run_until(&mut m, &mut now, T0 + 64 * S);
    assert_eq!(checks(&out), 1, "no answer by the time it would expire: it asks itself, once: {out:?}");
    assert!(!expired(&out), "not before the server's answer: {out:?}");
    assert_eq!(m.next_wakeup(now), None, "nothing to do but wait for the answer");

    // The server renewed the session where no tab saw (a worker's request): no false "expired".
    m.handle(Input::StatusResult(PingOutcome::Extended { expires_in_ms: Some(40 * S) }), now);
    drain(&mut m);
    assert_eq!(m.phase(), Phase::Active);
    assert_eq!(m.remaining(now), Some(40 * S));

    // Gone on the server: expired at once.
    let mut m = follower();
    let mut now = T0;
    run_until(&mut m, &mut now, T0 + 64 * S);
    m.handle(Input::StatusResult(PingOutcome::Expired), now);
    assert!(expired(&drain(&mut m)));

    // No answer at all (the request failed or timed out): the client's deadline stands, and
    // it is past.
    let mut m = follower();
    let mut now = T0;
    run_until(&mut m, &mut now, T0 + 64 * S);
    m.handle(Input::StatusResult(PingOutcome::Retry), now);
    let mut out = drain(&mut m);
    out.extend(run_until(&mut m, &mut now, T0 + 70 * S));
    assert!(expired(&out), "{out:?}");
    assert_eq!(checks(&out), 0, "once per session end");

    // The leader's answer arrives in time through the other tabs: no request of its own.
    let mut m = follower();
    let mut now = T0;
    run_until(&mut m, &mut now, T0 + 58 * S);
    let view = TabView { phase: TabPhase::Live, deadline: T0 + 100 * S, renewed_at: T0 + 40 * S, activity_at: 0, ended_at: 0 };
    m.handle(Input::Tab(view), now);
    drain(&mut m);
    let out = run_until(&mut m, &mut now, T0 + 70 * S);
    assert_eq!(checks(&out), 0, "{out:?}");
    assert!(!expired(&out));
}

#[test]
fn the_server_confirming_its_deadline_ends_the_check_not_a_loop_of_checks() {
    // The server counts the same deadline a few ms differently: no second check for that cycle.
    let mut m = started(&with_status(60, 30));
    let mut now = T0;
    let mut out = run_until(&mut m, &mut now, T0 + 27 * S);
    m.handle(Input::StatusResult(PingOutcome::Extended { expires_in_ms: Some(33 * S + 17) }), now);
    out.extend(drain(&mut m));
    out.extend(run_until(&mut m, &mut now, T0 + 30 * S + 500));
    assert_eq!(checks(&out), 1, "{out:?}");
    assert!(out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowWarning { .. }))));
}

/// A tab that does not lead asks after the end; an answer of no time left (`expiresIn: 0`)
/// ends that cycle: expired, not a check every 3 s with the countdown stuck at 0.
#[test]
fn a_followers_check_answered_with_no_time_left_ends_in_expiry_not_more_checks() {
    let mut m = started(&with_status(60, 30));
    m.handle(Input::Leader(false), T0);
    drain(&mut m);
    let mut now = T0;
    let out = run_until(&mut m, &mut now, T0 + 64 * S);
    assert_eq!(checks(&out), 1);
    m.handle(Input::StatusResult(PingOutcome::Extended { expires_in_ms: Some(0) }), now);
    let mut out = drain(&mut m);
    out.extend(run_until(&mut m, &mut now, T0 + 120 * S));
    assert_eq!(checks(&out), 0, "{out:?}");
    assert!(matches!(m.phase(), Phase::Expired(_)), "{:?}", m.phase());
}
