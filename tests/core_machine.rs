//! The session state machine, driven with injected time.
#![cfg(not(target_arch = "wasm32"))]

use session_guard::core::config::{Config, RenewOn, SlidingWindow};
use session_guard::core::machine::{Visibility, Start, 
    ErrorCode, Event, ExpiryReason, Input, Machine, Output, Phase, UserChoice, Ui, ToServer, ToDrafts, ToTabs, ToPage};
use session_guard::core::server::{Observed, PingOutcome};

mod common;
use common::{config, next_wake, MIN, S, T0};

/// A machine with a harness that records outputs and follows its wake-up requests.
struct Run {
    m: Machine,
    now: u64,
    out: Vec<Output>,
    published: Vec<session_guard::core::session::TabView>,
}

impl Run {
    fn new(config: Config) -> Run {
        Run { m: Machine::new(&config, T0, Visibility::Visible, T0), now: T0, out: Vec::new(), published: Vec::new() }
    }

    fn at(&mut self, offset_ms: u64, input: Input) -> Vec<Output> {
        self.now = T0 + offset_ms;
        self.m.handle(input, self.now);
        self.drain()
    }

    /// The outputs for this tab; what it publishes to other tabs goes to `published`.
    fn drain(&mut self) -> Vec<Output> {
        let mut got = Vec::new();
        while let Some(o) = self.m.poll_output() {
            match o {
                Output::Tabs(ToTabs::Publish(shared)) => self.published.push(shared),
                o => got.push(o),
            }
        }
        self.out.extend(got.iter().copied());
        got
    }

    /// Wakes the machine at each time it asks for, up to `until` (offset), as a punctual timer would.
    fn run_until(&mut self, until: u64) {
        while let Some(at) = next_wake(&self.m, &mut self.now, T0 + until) {
            self.m.handle(Input::Wake, at);
            self.drain();
        }
    }

    fn count(&self, pred: impl Fn(&Output) -> bool) -> usize {
        self.out.iter().filter(|o| pred(o)).count()
    }

    fn pings(&self) -> usize {
        self.count(|o| *o == Output::Server(ToServer::Ping))
    }
}

fn is_warning(o: &Output) -> bool {
    matches!(o, Output::Ui(Ui::ShowWarning { .. }))
}

#[test]
fn starts_active_with_deadline_from_timeout() {
    let r = Run::new(config(1800, 120));
    assert_eq!(r.m.phase(), Phase::Active);
    assert_eq!(r.m.deadline(), Some(T0 + 1800 * S));
    assert_eq!(r.m.remaining(T0), Some(1800 * S));
    // No polling: the first wake-up starts listening for input, `warnBefore` ahead of the
    // renewal point (half the timeout); the next one is the warning.
    assert_eq!(r.m.next_wakeup(T0), Some(T0 + (900 - 120) * S));
}

#[test]
fn warning_opens_on_time_then_counts_down_each_second() {
    let mut r = Run::new(config(60, 30));
    r.run_until(29_999);
    assert_eq!(r.count(is_warning), 0);
    r.run_until(30 * S);
    assert_eq!(r.m.phase(), Phase::Warning);
    assert!(r.out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowWarning { remaining_ms, extendable: true, .. }) if *remaining_ms == 30 * S)));
    assert!(r.out.contains(&Output::Emit(Event::Warning { remaining_s: 30 })));
    r.run_until(35 * S);
    let ticks = r.count(|o| matches!(o, Output::Ui(Ui::Countdown { .. })));
    assert_eq!(ticks, 5, "one countdown update per second while visible");
}

#[test]
fn headless_gives_no_dialog_notice_or_title_only_events_and_a_countdown_each_second() {
    let mut c = config(60, 30);
    c.dialog = false;
    let mut r = Run::new(c);
    r.m.handle(Input::Visibility { visible: true }, r.now);
    r.run_until(35 * S);
    assert_eq!(r.m.phase(), Phase::Warning);
    assert!(r.out.contains(&Output::Emit(Event::Warning { remaining_s: 30 })));
    let countdown: Vec<u64> =
        r.out.iter().filter_map(|o| if let Output::Emit(Event::Countdown { remaining_s }) = o { Some(*remaining_s) } else { None }).collect();
    assert_eq!(countdown, vec![29, 28, 27, 26, 25], "sessionguard:countdown each second");
    r.at(35 * S, Input::Visibility { visible: false });
    r.run_until(61 * S);
    assert_eq!(r.m.phase(), Phase::Expired(ExpiryReason::Idle));
    assert!(r.out.iter().any(|o| matches!(o, Output::Emit(Event::Expired { reason: ExpiryReason::Idle, .. }))));
    let ui = r.count(|o| matches!(o, Output::Ui(_)));
    assert_eq!(ui, 0, "no built-in UI at all");
    // guard.relogin(): what "Log in again" does.
    let out = r.at(62 * S, Input::Choice(UserChoice::LogInAgain));
    assert_eq!(out, vec![Output::Drafts(ToDrafts::Save), Output::Drafts(ToDrafts::MarkResume), Output::Page(ToPage::GoToLogin)]);
}

#[test]
fn announcements_change_once_a_minute_then_every_20_seconds() {
    let mut r = Run::new(config(600, 180));
    r.run_until(600 * S - 1);
    let announced: Vec<u64> =
        r.out.iter().filter_map(|o| if let Output::Ui(Ui::Countdown { announce: Some(a), .. }) = o { Some(*a) } else { None }).collect();
    // Rounded down: "2 minutes" only from 2:00 on, never next to 1:59.
    assert_eq!(announced, vec![120, 60, 40, 20, 15, 10, 5, 1]);
}

#[test]
fn ignoring_the_warning_expires_with_reason_idle_and_saves_drafts_first() {
    let mut r = Run::new(config(60, 30));
    r.run_until(60 * S);
    assert_eq!(r.m.phase(), Phase::Expired(ExpiryReason::Idle));
    let save = r.out.iter().position(|o| *o == Output::Drafts(ToDrafts::Save)).unwrap();
    let shown = r.out.iter().position(|o| matches!(o, Output::Ui(Ui::ShowExpired { reason: ExpiryReason::Idle, .. }))).unwrap();
    assert!(save < shown);
    assert!(r.out.iter().any(|o| matches!(o, Output::Emit(Event::Expired { reason: ExpiryReason::Idle, .. }))));
    assert_eq!(r.m.next_wakeup(r.now), None, "nothing to wait for once expired");
}

#[test]
fn continue_sends_one_ping_and_extension_closes_the_dialog() {
    let mut r = Run::new(config(60, 30));
    r.run_until(31 * S);
    let out = r.at(32 * S, Input::Choice(UserChoice::Continue));
    assert_eq!(
        out,
        vec![
            Output::Server(ToServer::Ping),
            Output::Ui(Ui::Countdown { remaining_ms: 28 * S, announce: None }),
            Output::Emit(Event::Countdown { remaining_s: 28 })
        ]
    );
    // A second click while the ping is out sends nothing more.
    let out = r.at(32 * S + 100, Input::Choice(UserChoice::Continue));
    assert!(!out.contains(&Output::Server(ToServer::Ping)));
    let out = r.at(32 * S + 200, Input::PingResult(PingOutcome::Extended { expires_in_ms: Some(60 * S) }));
    assert!(out.contains(&Output::Ui(Ui::CloseDialog)));
    assert!(out.contains(&Output::Emit(Event::Extended { expires_at: T0 + 92 * S + 200 })));
    assert_eq!(r.m.phase(), Phase::Active);
    assert_eq!(r.m.deadline(), Some(T0 + 92 * S + 200));
}

#[test]
fn extension_without_expires_in_uses_the_timeout() {
    let mut r = Run::new(config(60, 30));
    r.at(40 * S, Input::Choice(UserChoice::Continue));
    r.at(41 * S, Input::PingResult(PingOutcome::Extended { expires_in_ms: None }));
    assert_eq!(r.m.deadline(), Some(T0 + 101 * S));
}

#[test]
fn server_rejection_expires_with_reason_server() {
    let mut r = Run::new(config(60, 30));
    r.run_until(31 * S);
    r.at(32 * S, Input::Choice(UserChoice::Continue));
    let out = r.at(33 * S, Input::PingResult(PingOutcome::Expired));
    assert!(out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowExpired { reason: ExpiryReason::Server, .. }))));
    assert_eq!(r.m.phase(), Phase::Expired(ExpiryReason::Server));
}

#[test]
fn network_failure_retries_with_backoff_and_never_expires_early() {
    let mut r = Run::new(config(60, 30));
    r.run_until(31 * S);
    r.at(32 * S, Input::Choice(UserChoice::Continue));
    let out = r.at(32 * S, Input::PingResult(PingOutcome::Retry));
    assert!(out.contains(&Output::Emit(Event::Error { code: ErrorCode::Network, message: "keep-alive failed; retrying" })));
    assert_eq!(r.m.phase(), Phase::Warning);
    let pings_before = r.pings();
    r.run_until(33 * S);
    assert_eq!(r.pings(), pings_before + 1, "first retry after 1 s");
    r.at(33 * S, Input::PingResult(PingOutcome::Retry));
    r.run_until(34 * S + 999);
    assert_eq!(r.pings(), pings_before + 1, "second retry waits 2 s");
    r.run_until(35 * S);
    assert_eq!(r.pings(), pings_before + 2);
    r.at(35 * S, Input::PingResult(PingOutcome::Extended { expires_in_ms: Some(60 * S) }));
    assert_eq!(r.m.phase(), Phase::Active);
}

#[test]
fn retries_stop_at_expiry() {
    let mut r = Run::new(config(60, 30));
    r.run_until(31 * S);
    r.at(31 * S, Input::Choice(UserChoice::Continue));
    let mut t = 31 * S;
    while r.m.phase() == Phase::Warning {
        r.at(t, Input::PingResult(PingOutcome::Retry));
        let next = r.m.next_wakeup(r.now).unwrap();
        t = next - T0;
        r.run_until(t);
    }
    assert_eq!(r.m.phase(), Phase::Expired(ExpiryReason::Idle));
    let pings = r.pings();
    r.run_until(600 * S);
    assert_eq!(r.pings(), pings);
}

#[test]
fn a_tab_that_slept_past_expiry_goes_straight_to_expired() {
    let mut r = Run::new(config(60, 30));
    let out = r.at(10 * MIN, Input::Wake);
    assert!(!out.iter().any(is_warning), "no stale warning: {out:?}");
    assert!(!out.iter().any(|o| matches!(o, Output::Emit(Event::Warning { .. }))));
    assert_eq!(r.m.phase(), Phase::Expired(ExpiryReason::Idle));
}

#[test]
fn a_late_timer_shows_the_right_remaining_time() {
    let mut r = Run::new(config(60, 30));
    let out = r.at(50 * S, Input::Wake);
    assert!(out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowWarning { remaining_ms, extendable: true, .. }) if *remaining_ms == 10 * S)));
}

#[test]
fn activity_never_moves_the_deadline_and_never_dismisses_the_dialog() {
    let mut r = Run::new(config(60, 30));
    r.run_until(31 * S);
    for t in 31..40 {
        r.at(t * S, Input::Activity);
    }
    assert_eq!(r.m.phase(), Phase::Warning);
    assert_eq!(r.m.deadline(), Some(T0 + 60 * S));
    assert_eq!(r.pings(), 0);
}

#[test]
fn active_user_is_extended_once_per_window_without_a_dialog() {
    let mut r = Run::new(config(60, 30));
    // Activity every 2 s for 10 minutes; each ping answers 100 ms later.
    let mut t = 0;
    while t < 10 * MIN {
        let before = r.pings();
        r.run_until(t);
        r.at(t, Input::Activity);
        if r.pings() > before {
            r.at(t + 100, Input::PingResult(PingOutcome::Extended { expires_in_ms: Some(60 * S) }));
        }
        t += 2 * S;
    }
    assert_eq!(r.count(is_warning), 0);
    // Pings once past 25 s of each window: 10 min / ~25 s.
    let pings = r.pings();
    assert!((20..=25).contains(&pings), "{pings} pings");
}

#[test]
fn activity_early_in_the_window_does_not_ping() {
    let mut r = Run::new(config(1800, 120));
    for t in 0..60 {
        r.at(t * 10 * S, Input::Activity);
    }
    assert_eq!(r.pings(), 0, "first 10 minutes of a 30-minute window");
    r.at(15 * MIN, Input::Activity);
    assert_eq!(r.pings(), 1);
}

#[test]
fn idle_after_early_activity_gets_the_dialog() {
    let mut r = Run::new(config(1800, 120));
    r.at(MIN, Input::Activity);
    r.run_until(1800 * S);
    assert_eq!(r.pings(), 0);
    assert_eq!(r.count(is_warning), 1);
    assert_eq!(r.m.phase(), Phase::Expired(ExpiryReason::Idle));
}

#[test]
fn auto_extend_off_never_pings_on_activity() {
    let mut c = config(60, 30);
    c.auto_extend = false;
    let mut r = Run::new(c);
    for t in 0..29 {
        r.at(t * S, Input::Activity);
    }
    assert_eq!(r.pings(), 0);
}

#[test]
fn half_sliding_pings_only_past_half_the_window() {
    let mut c = config(1800, 120);
    c.sliding_window = SlidingWindow::Half;
    let mut r = Run::new(c);
    r.at(15 * MIN, Input::Activity);
    assert_eq!(r.pings(), 0);
    r.at(15 * MIN + S + 1, Input::Activity);
    assert_eq!(r.pings(), 1);
}

#[test]
fn requests_renew_the_session_when_renew_on_is_request() {
    let mut r = Run::new(config(1800, 120));
    r.at(10 * MIN, Input::Observed(Observed::Request { at: T0 + 10 * MIN }));
    assert_eq!(r.m.deadline(), Some(T0 + 40 * MIN));
}

#[test]
fn requests_do_not_renew_when_only_the_keepalive_does() {
    let mut c = config(1800, 120);
    c.renew_on = RenewOn::KeepAlive;
    let mut r = Run::new(c);
    r.at(10 * MIN, Input::Observed(Observed::Request { at: T0 + 10 * MIN }));
    assert_eq!(r.m.deadline(), Some(T0 + 30 * MIN));
}

#[test]
fn half_sliding_request_renews_only_past_half() {
    let mut c = config(1800, 120);
    c.sliding_window = SlidingWindow::Half;
    let mut r = Run::new(c);
    r.at(10 * MIN, Input::Observed(Observed::Request { at: T0 + 10 * MIN }));
    assert_eq!(r.m.deadline(), Some(T0 + 30 * MIN));
    r.at(16 * MIN, Input::Observed(Observed::Request { at: T0 + 16 * MIN }));
    assert_eq!(r.m.deadline(), Some(T0 + 46 * MIN));
}

#[test]
fn a_request_during_the_warning_closes_it() {
    let mut r = Run::new(config(60, 30));
    r.run_until(40 * S);
    let out = r.at(41 * S, Input::Observed(Observed::Request { at: T0 + 41 * S }));
    assert!(out.contains(&Output::Ui(Ui::CloseDialog)));
    assert_eq!(r.m.phase(), Phase::Active);
}

#[test]
fn stale_requests_are_ignored() {
    let mut r = Run::new(config(60, 30));
    r.at(20 * S, Input::Observed(Observed::Request { at: T0 + 20 * S }));
    r.at(21 * S, Input::Observed(Observed::Request { at: T0 + 5 * S }));
    assert_eq!(r.m.deadline(), Some(T0 + 80 * S));
}

#[test]
fn server_reports_set_the_deadline_both_ways() {
    let mut r = Run::new(config(1800, 120));
    r.at(MIN, Input::Observed(Observed::Report { at: T0 + MIN, remaining_ms: 5 * MIN }));
    assert_eq!(r.m.deadline(), Some(T0 + 6 * MIN));
    r.at(2 * MIN, Input::Observed(Observed::Report { at: T0 + 2 * MIN, remaining_ms: 30 * MIN }));
    assert_eq!(r.m.deadline(), Some(T0 + 32 * MIN));
}

#[test]
fn without_a_timeout_the_guard_waits_for_the_server() {
    let mut r = Run::new(Config::new(None, "/k"));
    assert_eq!(r.m.next_wakeup(T0), None);
    r.at(S, Input::Activity);
    assert_eq!(r.pings(), 0);
    r.at(2 * S, Input::Observed(Observed::Report { at: T0 + 2 * S, remaining_ms: 600 * S }));
    // Input matters from `warnBefore` (120 s) ahead of the renewal point (300 s in).
    assert_eq!(r.m.next_wakeup(r.now), Some(T0 + 2 * S + 180 * S));
    r.run_until(300 * S);
    assert_eq!(r.m.next_wakeup(r.now), Some(T0 + 2 * S + 480 * S), "then the warning");
    // The reported window also serves as the extension length.
    r.at(3 * S, Input::Choice(UserChoice::Continue));
    r.at(4 * S, Input::PingResult(PingOutcome::Extended { expires_in_ms: None }));
    assert_eq!(r.m.deadline(), Some(T0 + 604 * S));
}

#[test]
fn a_live_session_seen_after_expiry_resumes_in_place() {
    let mut r = Run::new(config(60, 30));
    r.run_until(61 * S);
    assert!(matches!(r.m.phase(), Phase::Expired(_)));
    let out = r.at(90 * S, Input::Observed(Observed::Report { at: T0 + 90 * S, remaining_ms: 60 * S }));
    assert!(out.contains(&Output::Emit(Event::LoggedIn)));
    assert!(out.contains(&Output::Ui(Ui::CloseDialog)));
    assert_eq!(r.m.phase(), Phase::Active);
}

#[test]
fn absolute_timeout_caps_every_extension() {
    let mut c = config(1800, 120);
    c.absolute_timeout_ms = Some(45 * MIN);
    let mut r = Run::new(c);
    r.at(20 * MIN, Input::Activity);
    r.at(20 * MIN + 100, Input::PingResult(PingOutcome::Extended { expires_in_ms: Some(30 * MIN) }));
    assert_eq!(r.m.remaining(T0 + 20 * MIN + 100), Some(25 * MIN - 100));
    // The idle deadline now lies past the absolute one: activity no longer pings.
    r.at(40 * MIN, Input::Activity);
    assert_eq!(r.pings(), 1);
    r.run_until(43 * MIN);
    assert!(r.out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowWarning { remaining_ms, extendable: false, .. }) if *remaining_ms == 2 * MIN)));
    // "OK" acknowledges: the dialog closes, sends nothing and stays closed.
    let out = r.at(43 * MIN + S, Input::Choice(UserChoice::Continue));
    assert!(out.contains(&Output::Ui(Ui::CloseDialog)));
    assert!(!out.contains(&Output::Server(ToServer::Ping)));
    r.run_until(45 * MIN);
    assert_eq!(r.count(is_warning), 1);
    assert_eq!(r.m.phase(), Phase::Expired(ExpiryReason::Absolute));
}

#[test]
fn logout_purges_drafts_and_ends_everything() {
    let mut r = Run::new(config(60, 30));
    r.run_until(31 * S);
    let out = r.at(32 * S, Input::Choice(UserChoice::LogOut));
    assert_eq!(
        out,
        vec![
            Output::Ui(Ui::CloseDialog),
            Output::Ui(Ui::TitleCountdown(None)),
            Output::Drafts(ToDrafts::Purge),
            Output::Emit(Event::LoggedOut),
            Output::Server(ToServer::EndSession)
        ]
    );
    assert_eq!(r.m.phase(), Phase::LoggedOut);
    assert_eq!(r.m.next_wakeup(r.now), None);
    assert!(r.at(33 * S, Input::Choice(UserChoice::Continue)).is_empty());
}

#[test]
fn relogin_popup_opens_a_window_and_a_blocked_one_falls_back_to_the_page() {
    let mut c = config(60, 30);
    c.relogin_popup = true;
    let mut r = Run::new(c);
    r.run_until(60 * S);
    let out = r.at(70 * S, Input::Choice(UserChoice::LogInAgain));
    assert_eq!(out, vec![Output::Drafts(ToDrafts::Save), Output::Drafts(ToDrafts::MarkResume), Output::Page(ToPage::OpenLoginWindow)]);
    assert!(matches!(r.m.phase(), Phase::Expired(_)), "the page stays, expired, until the login is seen");
    let out = r.at(70 * S, Input::LoginWindowBlocked);
    assert_eq!(out, vec![Output::Page(ToPage::GoToLogin)]);
    let parsed = session_guard::core::options::parse_options(&[
        ("keepAliveUrl".to_string(), session_guard::core::options::Value::Str("/k".into())),
        ("relogin".to_string(), session_guard::core::options::Value::Str("window".into())),
    ]);
    assert!(parsed.unwrap_err().message().contains("`relogin`: must be \"page\" or \"popup\""));
}

#[test]
fn log_in_again_saves_drafts_before_leaving() {
    let mut r = Run::new(config(60, 30));
    r.run_until(60 * S);
    let out = r.at(70 * S, Input::Choice(UserChoice::LogInAgain));
    assert_eq!(out, vec![Output::Drafts(ToDrafts::Save), Output::Drafts(ToDrafts::MarkResume), Output::Page(ToPage::GoToLogin)]);
}

#[test]
fn hidden_tab_shows_title_countdown_at_announcement_steps_only() {
    let mut r = Run::new(config(600, 180));
    r.at(S, Input::Visibility { visible: false });
    r.run_until(600 * S - 1);
    let titles = r.count(|o| matches!(o, Output::Ui(Ui::TitleCountdown(Some(_)))));
    // 180 s warning: opens at 3:00, then 2:00, 1:00, 0:40, 0:20.
    assert_eq!(titles, 5, "{:?}", r.out);
    let countdowns = r.count(|o| matches!(o, Output::Ui(Ui::Countdown { .. })));
    assert_eq!(countdowns, 4, "no per-second work in a hidden tab");
}

#[test]
fn becoming_visible_restores_the_title_and_resumes_the_second_countdown() {
    let mut r = Run::new(config(600, 180));
    r.at(S, Input::Visibility { visible: false });
    r.run_until(500 * S);
    let out = r.at(500 * S + 300, Input::Visibility { visible: true });
    assert!(out.contains(&Output::Ui(Ui::TitleCountdown(None))));
    assert_eq!(r.m.next_wakeup(r.now), Some(T0 + 501 * S));
}

#[test]
fn hiding_the_page_flushes_drafts() {
    let mut r = Run::new(config(600, 180));
    assert!(r.at(S, Input::Visibility { visible: false }).contains(&Output::Drafts(ToDrafts::Save)));
}

#[test]
fn idle_wakeups_before_the_dialog_are_the_listening_point_and_the_warning() {
    let mut r = Run::new(config(1800, 120));
    let mut wakes = 0;
    while let Some(w) = r.m.next_wakeup(r.now) {
        if r.m.phase() != Phase::Active {
            break;
        }
        wakes += 1;
        r.now = w;
        r.m.handle(Input::Wake, w);
        r.drain();
    }
    assert_eq!(wakes, 2);
}

#[test]
fn input_is_listened_for_only_while_it_can_matter() {
    let mut r = Run::new(config(1800, 120));
    let listen = |r: &Run| r.out.iter().filter_map(|o| if let Output::Page(ToPage::ListenForActivity(on)) = o { Some(*on) } else { None }).collect::<Vec<_>>();
    r.at(0, Input::Start(Start { stored: None, ..Start::default() }));
    // The leader lock is granted (or the browser has no Web Locks: every tab leads).
    r.at(0, Input::Leader(true));
    r.run_until(780 * S - 1);
    assert_eq!(listen(&r), Vec::<bool>::new(), "input 2 minutes before the renewal point changes nothing");
    r.run_until(780 * S);
    assert_eq!(listen(&r), [true]);
    r.at(800 * S, Input::Activity);
    assert_eq!(listen(&r), [true, false], "the first input is enough until the session is renewed");
    r.run_until(900 * S);
    assert_eq!(r.pings(), 1);
    r.at(900 * S + 50, Input::PingResult(PingOutcome::Extended { expires_in_ms: None }));
    assert_eq!(r.m.next_wakeup(r.now), Some(T0 + (900 + 780) * S + 50), "listening again in the next window");
    r.run_until(2000 * S);
    assert_eq!(listen(&r), [true, false, true]);
    // The open dialog is not dismissed by input: nothing to listen for.
    r.run_until(3480 * S + 50);
    assert_eq!(r.count(is_warning), 1);
    assert_eq!(listen(&r), [true, false, true, false]);
}

#[test]
fn without_auto_extension_input_is_never_listened_for() {
    let mut c = config(60, 30);
    c.auto_extend = false;
    let mut r = Run::new(c);
    r.run_until(60 * S);
    assert_eq!(r.count(|o| matches!(o, Output::Page(ToPage::ListenForActivity(_)))), 0);
}

#[test]
fn recent_activity_before_the_renewal_point_pings_when_it_comes() {
    // 60 s session, warning at 30 s: typing at 20 s then reading must not bring the dialog.
    let mut r = Run::new(config(60, 30));
    r.at(20 * S, Input::Activity);
    assert_eq!(r.pings(), 0);
    r.run_until(25 * S);
    assert_eq!(r.pings(), 1, "pinged at the renewal point");
    r.at(25 * S + 50, Input::PingResult(PingOutcome::Extended { expires_in_ms: Some(60 * S) }));
    r.run_until(55 * S + 49);
    assert_eq!(r.count(is_warning), 0);
    assert_eq!(r.pings(), 1, "no further activity, no further ping");
    r.run_until(55 * S + 50);
    assert_eq!(r.count(is_warning), 1, "idle since 20 s: the next window warns");
}

#[test]
fn stale_activity_does_not_keep_an_idle_user_signed_in() {
    let mut r = Run::new(config(1800, 120));
    r.at(12 * MIN, Input::Activity);
    r.run_until(30 * MIN);
    assert_eq!(r.pings(), 0, "activity 3 minutes before the renewal point is too old");
    assert_eq!(r.m.phase(), Phase::Expired(ExpiryReason::Idle));
}

#[test]
fn draft_edits_are_saved_after_a_pause_and_during_long_typing() {
    let mut r = Run::new(config(1800, 120));
    r.at(0, Input::DraftEdited);
    r.at(500, Input::DraftEdited);
    r.run_until(1499);
    assert_eq!(r.count(|o| *o == Output::Drafts(ToDrafts::Save)), 0);
    r.run_until(1500);
    assert_eq!(r.count(|o| *o == Output::Drafts(ToDrafts::Save)), 1, "1 s after the last edit");
    // Typing every 300 ms for 12 s: saved at least every 5 s, not on every keystroke.
    for i in 0..40 {
        r.run_until(10 * S + i * 300);
        r.at(10 * S + i * 300, Input::DraftEdited);
    }
    r.run_until(30 * S);
    let saves = r.count(|o| *o == Output::Drafts(ToDrafts::Save)) - 1;
    assert!((3..=4).contains(&saves), "{saves} saves");
    assert_eq!(r.m.next_wakeup(r.now), Some(T0 + 780 * S), "nothing pending but listening for input");
}

#[test]
fn leaving_the_page_saves_at_once() {
    let mut r = Run::new(config(1800, 120));
    r.at(0, Input::DraftEdited);
    assert_eq!(r.at(100, Input::PageHide), vec![Output::Drafts(ToDrafts::Save)]);
    assert_eq!(r.m.next_wakeup(r.now), Some(T0 + 780 * S), "the save is not pending any more");
}

#[test]
fn expiry_saves_drafts_and_marks_the_page_for_restore() {
    let mut r = Run::new(config(60, 30));
    r.run_until(60 * S);
    let save = r.out.iter().position(|o| *o == Output::Drafts(ToDrafts::Save)).unwrap();
    let mark = r.out.iter().position(|o| *o == Output::Drafts(ToDrafts::MarkResume)).unwrap();
    let shown = r.out.iter().position(|o| matches!(o, Output::Ui(Ui::ShowExpired { .. }))).unwrap();
    assert!(save < mark && mark < shown);
}

#[test]
fn absolute_timeout_counts_from_login_not_from_this_page() {
    let mut c = config(1800, 120);
    c.absolute_timeout_ms = Some(60 * MIN);
    // Logged in 50 minutes before this page loaded.
    let m = Machine::new(&c, T0, Visibility::Visible, T0 - 50 * MIN);
    assert_eq!(m.remaining(T0), Some(10 * MIN));
}

#[test]
fn session_start_survives_page_loads_but_not_a_lapsed_session() {
    use session_guard::core::session_start::{decode, encode, session_started};
    assert_eq!(decode(&encode(5, 7)), Some((5, 7)));
    assert_eq!(decode("5"), None);
    assert_eq!(decode("x 7"), None);
    let window = Some(30 * MIN);
    assert_eq!(session_started(Some((T0 - 2 * MIN * 60, T0 - MIN)), T0, window), T0 - 120 * MIN, "seen alive a minute ago");
    assert_eq!(session_started(Some((T0 - 120 * MIN, T0 - 31 * MIN)), T0, window), T0, "idle longer than the window: a new login");
    assert_eq!(session_started(None, T0, window), T0);
    assert_eq!(session_started(Some((T0 + MIN, T0 + MIN)), T0, window), T0, "from the future: ignored");
}
