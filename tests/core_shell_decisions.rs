//! Decisions the browser shell used to make itself, now inputs → outputs of the core:
//! Escape in the warning, the leader lock (queue, steal, requeue), the start's order,
//! what the expired dialog and event say of the user's input, the warning's spoken step,
//! the ended text, which observed requests renew, and when the wall clock jumped.
#![cfg(not(target_arch = "wasm32"))]

use session_guard::core::config::{Config, Lang};
use session_guard::core::drafts::{DraftInput, Written};
use session_guard::core::i18n::{announcement_step, MessageKey, Messages};
use session_guard::core::machine::{Visibility, Event, Input, Machine, Output, Start, UserChoice, Ui, ToServer, ToDrafts, ToTabs};
use session_guard::core::server::{observe, Observed, RequestFacts};
use session_guard::core::session::{ClockWatch, ExpiryReason, TabPhase, TabView};

const T0: u64 = 1_700_000_000_000;
const S: u64 = 1000;
const MIN: u64 = 60 * S;

fn config() -> Config {
    Config::new(Some(30 * MIN), "/k")
}

fn drain(m: &mut Machine) -> Vec<Output> {
    let mut out = Vec::new();
    while let Some(o) = m.poll_output() {
        out.push(o);
    }
    out
}

/// A started leader tab.
fn started(config: &Config) -> Machine {
    let mut m = Machine::new(config, T0, Visibility::Visible, T0);
    m.handle(Input::Start(Start::default()), T0);
    m.handle(Input::Leader(true), T0);
    drain(&mut m);
    m
}

fn view(phase: TabPhase, deadline: u64, renewed_at: u64, ended_at: u64) -> TabView {
    TabView { phase, deadline, renewed_at, activity_at: 0, ended_at }
}

#[test]
fn escape_extends_only_in_the_warning_and_only_when_configured() {
    let warning_at = T0 + 28 * MIN;
    let mut m = started(&config());
    m.handle(Input::Choice(UserChoice::Dismiss), T0 + MIN);
    assert!(!drain(&mut m).contains(&Output::Server(ToServer::Ping)), "no warning open: Escape does nothing");
    m.handle(Input::Wake, warning_at);
    assert!(drain(&mut m).iter().any(|o| matches!(o, Output::Ui(Ui::ShowWarning { .. }))));
    m.handle(Input::Choice(UserChoice::Dismiss), warning_at + S);
    assert!(drain(&mut m).contains(&Output::Server(ToServer::Ping)), "escapeExtends (the default): Escape is Continue");

    let mut off = config();
    off.escape_extends = false;
    let mut m = started(&off);
    m.handle(Input::Wake, warning_at);
    drain(&mut m);
    m.handle(Input::Choice(UserChoice::Dismiss), warning_at + S);
    assert!(!drain(&mut m).contains(&Output::Server(ToServer::Ping)), "escapeExtends: false: Escape does not extend");
}

#[test]
fn a_tab_queues_for_the_leader_lock_and_steals_it_for_a_new_login() {
    let mut m = Machine::new(&config(), T0, Visibility::Visible, T0);
    m.handle(Input::Start(Start::default()), T0);
    assert!(drain(&mut m).contains(&Output::Tabs(ToTabs::QueueForLeader { steal: false })));

    // The session ended in another tab, yet this page was served signed in: a new login.
    let ended = view(TabPhase::Expired(ExpiryReason::Idle), T0 - MIN, T0 - 31 * MIN, T0 - MIN);
    let mut m = Machine::new(&config(), T0, Visibility::Visible, T0);
    m.handle(Input::Start(Start { stored: Some(ended), ..Start::default() }), T0);
    assert!(drain(&mut m).contains(&Output::Tabs(ToTabs::QueueForLeader { steal: true })));

    // Stolen: queue again behind the tab that took it.
    m.handle(Input::Leader(true), T0);
    drain(&mut m);
    m.handle(Input::Leader(false), T0 + S);
    assert!(drain(&mut m).contains(&Output::Tabs(ToTabs::QueueForLeader { steal: false })));
}

#[test]
fn a_page_revived_by_a_login_elsewhere_lets_the_new_login_lead() {
    let mut m = started(&config());
    m.handle(Input::Wake, T0 + 30 * MIN);
    assert!(drain(&mut m).iter().any(|o| matches!(o, Output::Ui(Ui::ShowExpired { .. }))));
    let relogin = T0 + 40 * MIN;
    m.handle(Input::Tab(view(TabPhase::Live, relogin + 30 * MIN, relogin, 0)), relogin);
    let out = drain(&mut m);
    let login = out.iter().position(|o| *o == Output::Emit(Event::LoggedIn)).expect("resumed");
    let queue = out.iter().position(|o| *o == Output::Tabs(ToTabs::QueueForLeader { steal: false })).expect("queues again");
    assert!(login < queue, "{out:?}");
    // Not the leader until the lock says so: no keep-alive from this page's old token.
    m.handle(Input::Activity, relogin + 20 * MIN);
    m.handle(Input::Wake, relogin + 25 * MIN);
    assert!(!drain(&mut m).contains(&Output::Server(ToServer::Ping)));
}

#[test]
fn a_page_that_left_the_tabs_does_not_queue_on_resume() {
    let mut m = started(&config());
    m.handle(Input::Wake, T0 + 30 * MIN);
    m.handle(Input::PageHide, T0 + 31 * MIN);
    drain(&mut m);
    let relogin = T0 + 40 * MIN;
    m.handle(Input::Tab(view(TabPhase::Live, relogin + 30 * MIN, relogin, 0)), relogin);
    let out = drain(&mut m);
    assert!(out.contains(&Output::Emit(Event::LoggedIn)));
    assert!(!out.iter().any(|o| matches!(o, Output::Tabs(ToTabs::QueueForLeader { .. }))), "no lock to give up: {out:?}");
    // Back from the cache it joins again.
    m.handle(Input::Rejoin { stored: None }, relogin + S);
    assert!(drain(&mut m).contains(&Output::Tabs(ToTabs::QueueForLeader { steal: false })));
}

#[test]
fn the_start_applies_the_pages_own_response_before_the_stored_view() {
    let mut c = config();
    c.renew_on = session_guard::core::config::RenewOn::KeepAlive;
    // The page's Server-Timing says 10 minutes left; an older stored view said 20.
    let stored = view(TabPhase::Live, T0 + 20 * MIN, T0 - 10 * MIN, 0);
    let served = Observed::Report { at: T0, remaining_ms: 10 * MIN };
    let mut m = Machine::new(&c, T0, Visibility::Visible, T0);
    m.handle(Input::Start(Start { served: Some(served), stored: Some(stored), ..Start::default() }), T0);
    assert_eq!(m.deadline(), Some(T0 + 10 * MIN), "the fresher server word stands");
}

/// Drafts on, one form edited and saved as the shell reports.
fn expire_with_drafts(dialog: bool, written: Written) -> (Vec<Output>, Machine) {
    let mut c = config();
    c.dialog = dialog;
    let mut m = started(&c);
    m.drafts().handle(DraftInput::Edited(0));
    m.handle(Input::Wake, T0 + 30 * MIN);
    let mut out = Vec::new();
    // The shell's loop: one output at a time, the flush carried out before the next is taken.
    while let Some(o) = m.poll_output() {
        if o == Output::Drafts(ToDrafts::Save) {
            m.drafts().handle(DraftInput::Flush);
            while let Some(d) = m.drafts().poll_output() {
                if let session_guard::core::drafts::DraftOutput::Save { form, .. } = d {
                    m.drafts().handle(DraftInput::Outcome(form, written));
                }
            }
        }
        if matches!(o, Output::Ui(Ui::ShowExpired { .. })) {
            // Showing the dialog moves focus: a `change` fires on the field being typed in.
            m.drafts().handle(DraftInput::Edited(0));
        }
        out.push(o);
    }
    (out, m)
}

#[test]
fn the_expired_dialog_and_event_say_what_the_drafts_machine_saw() {
    let (out, _) = expire_with_drafts(true, Written::Stored);
    assert!(out.contains(&Output::Ui(Ui::ShowExpired { reason: ExpiryReason::Idle, input_saved: Some(true) })), "{out:?}");
    assert!(
        out.contains(&Output::Emit(Event::Expired { reason: ExpiryReason::Idle, input_saved: true })),
        "the event says what the dialog said, though an edit came in between: {out:?}"
    );
    let (out, _) = expire_with_drafts(true, Written::Full);
    assert!(out.contains(&Output::Ui(Ui::ShowExpired { reason: ExpiryReason::Idle, input_saved: Some(false) })), "{out:?}");
    assert!(out.contains(&Output::Emit(Event::Expired { reason: ExpiryReason::Idle, input_saved: false })));
    // Headless: no dialog; the event says what is stored after the flush.
    let (out, _) = expire_with_drafts(false, Written::Stored);
    assert!(!out.iter().any(|o| matches!(o, Output::Ui(Ui::ShowExpired { .. }))));
    assert!(out.contains(&Output::Emit(Event::Expired { reason: ExpiryReason::Idle, input_saved: true })), "{out:?}");
    // Drafts off: nothing to claim.
    let mut c = config();
    c.drafts = session_guard::core::config::Drafts::Off;
    let mut m = started(&c);
    m.handle(Input::Wake, T0 + 30 * MIN);
    let out = drain(&mut m);
    assert!(out.contains(&Output::Ui(Ui::ShowExpired { reason: ExpiryReason::Idle, input_saved: None })), "{out:?}");
}

#[test]
fn the_warning_carries_its_spoken_step_and_whether_log_out_is_offered() {
    let mut m = started(&config());
    m.handle(Input::Wake, T0 + 28 * MIN + 500);
    let out = drain(&mut m);
    let remaining = 2 * MIN - 500;
    assert!(out.contains(&Output::Ui(Ui::ShowWarning {
        remaining_ms: remaining,
        announce: announcement_step(remaining),
        extendable: true,
        can_log_out: false,
    })));
    let mut c = config();
    c.logout_url = Some("/logout".into());
    let mut m = started(&c);
    m.handle(Input::Wake, T0 + 28 * MIN);
    assert!(drain(&mut m).iter().any(|o| matches!(o, Output::Ui(Ui::ShowWarning { can_log_out: true, .. }))));
}

#[test]
fn the_ended_text_joins_its_sentences_per_language() {
    let en = Messages::new(Lang::En, &[]);
    let text = en.ended_text(Some(ExpiryReason::Idle), Some(true));
    assert!(text.starts_with(en.ended_text(Some(ExpiryReason::Idle), None).as_str()));
    assert!(text.contains(". "), "English sentences join with a space: {text}");
    let ja = Messages::new(Lang::Ja, &[]);
    let text = ja.ended_text(Some(ExpiryReason::Idle), Some(false));
    assert!(!text.contains("。 "), "Japanese sentences join without one: {text}");
    assert_ne!(en.ended_text(None, None), en.ended_text(Some(ExpiryReason::Idle), None), "logged out elsewhere says so");
}

#[test]
fn a_session_the_server_ended_is_never_said_to_have_ended_for_inactivity() {
    // The guard saw the server say "gone" (a 401, the login page), not why: the user may have
    // just clicked Continue. Only an idle deadline the guard watched pass is inactivity.
    for lang in [Lang::En, Lang::Ja] {
        let messages = Messages::new(lang, &[]);
        let idle = messages.ended_text(Some(ExpiryReason::Idle), None);
        let server = messages.ended_text(Some(ExpiryReason::Server), None);
        assert_ne!(server, idle);
        assert_eq!(server, messages.get(MessageKey::ExpiredServer));
        assert!(!server.contains("inactivity") && !server.contains("操作がなかった"), "{server}");
    }
    // Overridable by its own name, as every text is.
    let custom = Messages::new(Lang::En, &[("expiredServer".into(), "Signed out by the bank.".into())]);
    assert_eq!(custom.ended_text(Some(ExpiryReason::Server), Some(true)), "Signed out by the bank. Your input has been saved.");
}

fn facts(initiator: &str, same_origin: bool, own: bool, reported: Option<u64>, status: Option<f64>) -> Option<Observed> {
    observe(RequestFacts { initiator, same_origin, own, reported_ms: || reported, status: || status }, T0)
}

#[test]
fn which_observed_requests_renew_is_decided_in_the_core() {
    assert_eq!(facts("fetch", true, false, None, Some(200.0)), Some(Observed::Request { at: T0 }));
    assert_eq!(facts("xmlhttprequest", true, false, None, Some(302.0)), Some(Observed::Request { at: T0 }));
    assert_eq!(facts("fetch", true, false, None, Some(0.0)), None, "failed, offline, aborted");
    assert_eq!(facts("fetch", true, false, None, None), None, "WebKit tells no status: nothing known renews");
    assert_eq!(facts("img", true, false, None, Some(200.0)), None, "images rarely touch the session");
    assert_eq!(facts("fetch", false, false, Some(5), Some(200.0)), None, "another origin's word is not the session's");
    assert_eq!(facts("navigation", false, false, Some(5), None), Some(Observed::Report { at: T0, remaining_ms: 5 }));
    assert_eq!(facts("fetch", true, true, Some(5), Some(200.0)), None, "the guard's own requests: their answers judge them");
    assert_eq!(facts("img", true, false, Some(7), None), Some(Observed::Report { at: T0, remaining_ms: 7 }));
    // Most entries say nothing: their server timing and status are never read.
    let unread = observe(
        RequestFacts {
            initiator: "script",
            same_origin: false,
            own: false,
            reported_ms: || -> Option<u64> { panic!("read") },
            status: || -> Option<f64> { panic!("read") },
        },
        T0,
    );
    assert_eq!(unread, None);
}

#[test]
fn a_wall_clock_jump_is_told_from_drift() {
    let mut clock = ClockWatch::new(1_000_000.0, 50.0);
    assert_eq!(clock.jump(1_001_500.0, 1_550.0), None, "both clocks moved alike");
    assert_eq!(clock.jump(1_003_400.0, 3_000.0), None, "450 ms apart: drift and timer noise");
    assert_eq!(clock.jump(900_000.0, 4_000.0), Some(-104_400), "set back");
    assert_eq!(clock.jump(1_000_000.0, 5_000.0), Some(99_000), "set forward (or slept)");
}

#[test]
fn the_wake_up_is_the_earliest_named_timer() {
    use session_guard::core::machine::Timer;
    let mut m = started(&config());
    let now = T0 + MIN;
    m.handle(Input::Wake, now);
    let earliest = Timer::ALL.into_iter().filter_map(|t| m.timer(t, now)).min();
    assert_eq!(m.next_wakeup(now), earliest);
    assert_eq!(m.timer(Timer::Warning, now), Some(T0 + 28 * MIN));
    // Input starts to matter 2 minutes (`warnBefore`) before the renewal point, at half the window.
    assert_eq!(m.timer(Timer::ListenForActivity, now), Some(T0 + 13 * MIN));
    assert_eq!(m.next_wakeup(now), Some(T0 + 13 * MIN));
    m.drafts().handle(DraftInput::Edited(0));
    m.handle(Input::DraftEdited, now);
    assert_eq!(m.timer(Timer::DraftSave, now), Some(now + S));
    assert_eq!(m.next_wakeup(now), Some(now + S), "the draft save comes first");
}

#[test]
fn the_session_start_is_kept_while_extended_and_forgotten_when_it_ends() {
    use session_guard::core::session_start::{record_after, StartRecord};
    assert_eq!(record_after(Event::Extended { expires_at: T0 }), Some(StartRecord::SeenAlive));
    assert_eq!(record_after(Event::Expired { reason: ExpiryReason::Idle, input_saved: true }), Some(StartRecord::Forget));
    assert_eq!(record_after(Event::LoggedOut), Some(StartRecord::Forget));
    assert_eq!(record_after(Event::Warning { remaining_s: 60 }), None);
    assert_eq!(record_after(Event::LoggedIn), None);
}

#[test]
fn after_logging_out_the_page_goes_where_the_server_says() {
    use session_guard::core::server::{after_logout, LogoutAnswer};
    let answered = |redirected, final_url| LogoutAnswer::Answered { redirected, final_url };
    assert_eq!(after_logout("/logout", Some("/login"), answered(false, "https://a.test/logout")), "/login");
    assert_eq!(after_logout("/logout", Some("/login"), answered(true, "https://a.test/bye")), "https://a.test/bye");
    assert_eq!(after_logout("/logout", None, answered(false, "https://a.test/logout")), "https://a.test/logout");
    assert_eq!(after_logout("/logout", Some("/login"), LogoutAnswer::Failed), "/logout", "the browser tries itself");
}

/// The guard's login window (`relogin: "popup"`), once on the guarded page the login led to:
/// the new session goes out to the other tabs at start, and the window closes after
/// `LOGIN_WINDOW_STAYS_MS` through the one timer, not at once (the message would not go out)
/// and never in an ordinary page.
#[test]
fn the_login_window_closes_itself_after_publishing_the_new_session() {
    use session_guard::core::machine::{ToPage, LOGIN_WINDOW_STAYS_MS};
    let mut m = Machine::new(&config(), T0, Visibility::Visible, T0);
    m.handle(Input::Start(Start { in_login_window: true, ..Start::default() }), T0);
    let out = drain(&mut m);
    assert!(out.iter().any(|o| matches!(o, Output::Tabs(ToTabs::Publish(_)))), "the new session is published at start: {out:?}");
    assert!(!out.contains(&Output::Page(ToPage::CloseLoginWindow)), "not closed before the message is out");
    assert_eq!(m.next_wakeup(T0), Some(T0 + LOGIN_WINDOW_STAYS_MS), "the one timer is armed for the close");
    m.handle(Input::Wake, T0 + LOGIN_WINDOW_STAYS_MS);
    assert_eq!(drain(&mut m).iter().filter(|o| **o == Output::Page(ToPage::CloseLoginWindow)).count(), 1);
    m.handle(Input::Wake, T0 + 2 * LOGIN_WINDOW_STAYS_MS);
    assert!(!drain(&mut m).contains(&Output::Page(ToPage::CloseLoginWindow)), "once");

    // An ordinary page never closes itself.
    let mut m = Machine::new(&config(), T0, Visibility::Visible, T0);
    m.handle(Input::Start(Start::default()), T0);
    for at in [T0, T0 + LOGIN_WINDOW_STAYS_MS, T0 + 10 * S] {
        m.handle(Input::Wake, at);
        assert!(!drain(&mut m).contains(&Output::Page(ToPage::CloseLoginWindow)));
    }
}

/// Logged out (in another tab) before our login window's 300 ms are up: it still closes, once,
/// and its timer does not stay due.
#[test]
fn the_login_window_closes_even_when_logged_out_meanwhile() {
    use session_guard::core::machine::{ToPage, LOGIN_WINDOW_STAYS_MS};
    let mut m = Machine::new(&config(), T0, Visibility::Visible, T0);
    m.handle(Input::Start(Start { in_login_window: true, ..Start::default() }), T0);
    drain(&mut m);
    m.handle(Input::Tab(view(TabPhase::LoggedOut, T0, T0, T0 + 100)), T0 + 100);
    drain(&mut m);
    m.handle(Input::Wake, T0 + LOGIN_WINDOW_STAYS_MS);
    assert_eq!(drain(&mut m).iter().filter(|o| **o == Output::Page(ToPage::CloseLoginWindow)).count(), 1);
    assert_eq!(m.next_wakeup(T0 + LOGIN_WINDOW_STAYS_MS), None, "no timer left due");
}
