//! Several tabs, one session: each tab's machine, connected by a message bus as
//! BroadcastChannel connects them, with injected time.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use session_guard::core::config::{Config, RenewOn};
use session_guard::core::machine::{Visibility, Start, Event, ExpiryReason, Input, Machine, Output, Phase, UserChoice, Ui, ToServer, ToDrafts, ToTabs, ToPage};
use session_guard::core::server::{Observed, PingOutcome};
use session_guard::core::session::{TabPhase, TabView};
use session_guard::core::tabs::{decode, encode};

mod common;
use common::{config, MIN, S, T0};

/// Tabs of one browser. Messages are delivered to every other open tab at once.
struct Browser {
    tabs: Vec<Option<Machine>>,
    out: Vec<Vec<Output>>,
    messages: usize,
    stored: Option<TabView>,
    now: u64,
    config: Config,
}

impl Browser {
    fn new(config: Config) -> Browser {
        Browser { tabs: Vec::new(), out: Vec::new(), messages: 0, stored: None, now: T0, config }
    }

    fn open(&mut self, leader: bool) -> usize {
        let m = Machine::new(&self.config, self.now, Visibility::Visible, self.now);
        self.tabs.push(Some(m));
        self.out.push(Vec::new());
        let i = self.tabs.len() - 1;
        // With Web Locks: every tab queues for the lock; the browser grants it to one.
        self.input(i, Input::Start(Start { stored: self.stored, ..Start::default() }));
        if leader {
            self.input(i, Input::Leader(true));
        }
        i
    }

    fn close(&mut self, i: usize) {
        self.tabs[i] = None;
    }

    fn input(&mut self, i: usize, input: Input) {
        let mut queue = vec![(i, input)];
        while let Some((i, input)) = queue.pop() {
            let Some(m) = self.tabs[i].as_mut() else { continue };
            m.handle(input, self.now);
            let mut outputs = Vec::new();
            while let Some(o) = m.poll_output() {
                outputs.push(o);
            }
            for o in outputs {
                if let Output::Tabs(ToTabs::Publish(shared)) = o {
                    self.messages += 1;
                    self.stored = Some(shared);
                    // Through text, as the real channel carries it.
                    let shared = decode(&encode(&shared)).expect("own messages decode");
                    for j in 0..self.tabs.len() {
                        if j != i && self.tabs[j].is_some() {
                            queue.push((j, Input::Tab(shared)));
                        }
                    }
                } else {
                    self.out[i].push(o);
                }
            }
        }
    }

    /// Every tab's timer fires on time up to `until` (offset from T0); pings are answered
    /// by the server after 100 ms unless `answer` is None.
    fn run_until(&mut self, until: u64, answer: Option<PingOutcome>) {
        loop {
            let next = (0..self.tabs.len())
                .filter_map(|i| Some((self.tabs[i].as_ref()?.next_wakeup(self.now)?, i)))
                .min();
            match next {
                Some((at, i)) if at <= T0 + until => {
                    self.now = at.max(self.now);
                    let pings = self.pings(i);
                    self.input(i, Input::Wake);
                    if self.pings(i) > pings {
                        if let Some(outcome) = answer {
                            self.now += 100;
                            self.input(i, Input::PingResult(outcome));
                        }
                    }
                }
                _ => break,
            }
        }
        self.now = self.now.max(T0 + until);
    }

    fn pings(&self, i: usize) -> usize {
        self.out[i].iter().filter(|o| **o == Output::Server(ToServer::Ping)).count()
    }

    fn all_pings(&self) -> usize {
        (0..self.tabs.len()).map(|i| self.pings(i)).sum()
    }

    fn phase(&self, i: usize) -> Phase {
        self.tabs[i].as_ref().unwrap().phase()
    }

    fn saw(&self, i: usize, output: Output) -> bool {
        self.out[i].contains(&output)
    }
}

const EXTENDED: Option<PingOutcome> = Some(PingOutcome::Extended { expires_in_ms: None });

#[test]
fn every_tab_warns_at_the_same_deadline() {
    let mut b = Browser::new(config(60, 30));
    let a = b.open(true);
    b.now = T0 + 10 * S;
    let c = b.open(false);
    // The later tab's page load renewed the session for everyone.
    assert_eq!(b.tabs[a].as_ref().unwrap().deadline(), Some(T0 + 70 * S));
    b.run_until(40 * S, EXTENDED);
    assert_eq!(b.phase(a), Phase::Warning);
    assert_eq!(b.phase(c), Phase::Warning);
}

#[test]
fn continue_in_one_tab_closes_the_dialog_in_all_with_one_keepalive() {
    let mut b = Browser::new(config(60, 30));
    let a = b.open(true);
    let c = b.open(false);
    b.run_until(31 * S, None);
    assert_eq!((b.phase(a), b.phase(c)), (Phase::Warning, Phase::Warning));
    b.input(c, Input::Choice(UserChoice::Continue));
    assert_eq!(b.all_pings(), 1);
    b.now += 100;
    b.input(c, Input::PingResult(PingOutcome::Extended { expires_in_ms: Some(60 * S) }));
    assert_eq!((b.phase(a), b.phase(c)), (Phase::Active, Phase::Active));
    assert!(b.saw(a, Output::Ui(Ui::CloseDialog)));
    assert_eq!(b.all_pings(), 1);
}

#[test]
fn logout_in_one_tab_signs_out_all() {
    let mut b = Browser::new(config(1800, 120));
    let a = b.open(true);
    let c = b.open(false);
    b.now += MIN;
    b.input(a, Input::Choice(UserChoice::LogOut));
    assert_eq!(b.phase(c), Phase::LoggedOut);
    assert!(b.saw(c, Output::Ui(Ui::ShowLoggedOutElsewhere)));
    assert!(b.saw(c, Output::Emit(Event::LoggedOut)));
    assert!(!b.saw(c, Output::Server(ToServer::EndSession)), "only the tab that logged out calls the server");
}

#[test]
fn a_server_rejection_in_one_tab_expires_all() {
    let mut b = Browser::new(config(60, 30));
    let a = b.open(true);
    let c = b.open(false);
    b.run_until(31 * S, None);
    b.input(a, Input::Choice(UserChoice::Continue));
    b.input(a, Input::PingResult(PingOutcome::Expired));
    assert_eq!(b.phase(c), Phase::Expired(ExpiryReason::Server));
    assert!(b.saw(c, Output::Drafts(ToDrafts::Save)), "the other tab saves its typing too");
}

#[test]
fn a_fresh_login_in_a_new_tab_revives_expired_tabs_in_place() {
    let mut b = Browser::new(config(60, 30));
    let a = b.open(true);
    let c = b.open(false);
    b.run_until(61 * S, None);
    assert!(matches!(b.phase(a), Phase::Expired(_)) && matches!(b.phase(c), Phase::Expired(_)));
    b.now = T0 + 5 * MIN;
    let fresh = b.open(false);
    assert_eq!(b.phase(fresh), Phase::Active);
    for tab in [a, c] {
        assert_eq!(b.phase(tab), Phase::Active);
        assert!(b.saw(tab, Output::Emit(Event::LoggedIn)));
        assert!(b.saw(tab, Output::Ui(Ui::CloseDialog)));
        assert_eq!(b.tabs[tab].as_ref().unwrap().deadline(), Some(T0 + 6 * MIN));
    }
}

#[test]
fn a_revived_tab_asks_the_status_once_for_the_new_sessions_csrf_token() {
    let mut cfg = config(60, 30);
    cfg.status_url = Some("/status".into());
    let mut b = Browser::new(cfg);
    let a = b.open(true);
    // The check before the warning: the server says the session is gone.
    b.run_until(28 * S, None);
    assert!(b.saw(a, Output::Server(ToServer::CheckStatus)));
    b.input(a, Input::StatusResult(PingOutcome::Expired));
    assert!(matches!(b.phase(a), Phase::Expired(_)));
    b.out[a].clear();
    b.now = T0 + 5 * MIN;
    let fresh = b.open(false);
    assert_eq!(b.phase(a), Phase::Active);
    let checks = |b: &Browser, i: usize| b.out[i].iter().filter(|o| **o == Output::Server(ToServer::CheckStatus)).count();
    assert_eq!(checks(&b, a), 1, "the revived tab asks the server once (a GET: needs no token)");
    assert!(!b.saw(a, Output::Server(ToServer::Ping)), "never a keep-alive with the old session's token");
    assert_eq!(checks(&b, fresh), 0, "the new login's page has the new token already");
    b.input(a, Input::StatusResult(PingOutcome::Extended { expires_in_ms: Some(60 * S) }));
    assert_eq!(checks(&b, a), 1, "once");
    assert_eq!(b.phase(a), Phase::Active);
}

#[test]
fn without_status_url_a_revived_tab_sends_nothing() {
    let mut b = Browser::new(config(60, 30));
    let a = b.open(true);
    b.run_until(61 * S, None);
    b.out[a].clear();
    b.now = T0 + 5 * MIN;
    b.open(false);
    assert_eq!(b.phase(a), Phase::Active);
    assert!(!b.saw(a, Output::Server(ToServer::CheckStatus)) && !b.saw(a, Output::Server(ToServer::Ping)));
}

#[test]
fn a_stale_message_cannot_end_a_renewed_session() {
    let mut b = Browser::new(config(60, 30));
    let a = b.open(true);
    b.now += 10 * S;
    b.input(a, Input::Observed(Observed::Request { at: b.now }));
    let stale = TabView { phase: TabPhase::Expired(ExpiryReason::Idle), deadline: T0 + 60 * S, renewed_at: T0, activity_at: 0, ended_at: T0 + 60 * S };
    b.input(a, Input::Tab(stale));
    assert_eq!(b.phase(a), Phase::Active);
}

#[test]
fn four_active_tabs_ping_no_more_than_one_tab_would() {
    let run = |tabs: usize| {
        let mut b = Browser::new(config(60, 30));
        for t in 0..tabs {
            b.open(t == 0);
        }
        let mut t = 0;
        while t < 10 * MIN {
            b.run_until(t, EXTENDED);
            // The user works in one tab after another, never in the leader only.
            let tab = ((t / (7 * S)) as usize) % tabs;
            b.input(tab, Input::Activity);
            t += 2 * S;
        }
        b.run_until(10 * MIN, EXTENDED);
        let warned = (0..tabs).any(|i| b.out[i].iter().any(|o| matches!(o, Output::Ui(Ui::ShowWarning { .. }))));
        (b.all_pings(), warned, b.messages)
    };
    let (one, warned_one, _) = run(1);
    let (four, warned_four, messages) = run(4);
    assert!(!warned_one && !warned_four, "active users never see the dialog");
    assert!(four <= one, "{four} pings with 4 tabs vs {one} with 1");
    // Messages: a deadline per renewal and a little activity, not one per input.
    assert!(messages < 120, "{messages} messages for 300 inputs");
}

#[test]
fn closing_the_leader_hands_pinging_over_without_double_pings() {
    let mut b = Browser::new(config(60, 30));
    let leader = b.open(true);
    let other = b.open(false);
    b.now = T0 + 20 * S;
    b.input(other, Input::Activity);
    b.run_until(26 * S, EXTENDED);
    assert_eq!((b.pings(leader), b.pings(other)), (1, 0), "the leader pinged for the other tab's user");
    b.close(leader);
    b.input(other, Input::Leader(true));
    b.now = T0 + 40 * S;
    b.input(other, Input::Activity);
    b.run_until(60 * S, EXTENDED);
    assert_eq!(b.pings(other), 1);
    assert!(!b.out[other].iter().any(|o| matches!(o, Output::Ui(Ui::ShowWarning { .. }))));
}

#[test]
fn keepalive_only_servers_keep_the_shared_deadline_on_a_new_page() {
    let mut c = config(1800, 120);
    c.renew_on = RenewOn::KeepAlive;
    let mut b = Browser::new(c);
    let a = b.open(true);
    b.now = T0 + 25 * MIN;
    let late = b.open(false);
    // A Django page load does not renew the session: the deadline stays.
    assert_eq!(b.tabs[late].as_ref().unwrap().deadline(), Some(T0 + 30 * MIN));
    assert_eq!(b.tabs[a].as_ref().unwrap().deadline(), Some(T0 + 30 * MIN));
}

#[test]
fn messages_round_trip_and_reject_malformed_text() {
    let s = TabView { phase: TabPhase::Expired(ExpiryReason::Server), deadline: 20, renewed_at: 10, activity_at: 15, ended_at: 19 };
    assert_eq!(decode(&encode(&s)), Some(s));
    for bad in ["", "sg1", "sg2 live 2 1 0 0", "sg1 live 1 2 0 0", "sg1 gone 2 1 0 0", "sg1 live 2 1 0", "sg1 live 2 1 0 0 9", "sg1 live -2 1 0 0", "sg1 live 2.5 1 0 0", "sg1 live 99999999999999 1 0 0"] {
        assert_eq!(decode(bad), None, "{bad:?}");
    }
}

proptest! {
    #[test]
    fn hostile_messages_never_panic(text in "\\PC{0,60}") {
        let _ = decode(&text);
    }

    #[test]
    fn a_tab_survives_any_message(phase in 0u8..5, d in 0u64..4_000_000, r in 0u64..4_000_000, a in 0u64..4_000_000) {
        let mut m = Machine::new(&config(60, 30), T0, Visibility::Visible, T0);
        let phase = [TabPhase::Live, TabPhase::LoggedOut, TabPhase::Expired(ExpiryReason::Idle), TabPhase::Expired(ExpiryReason::Server), TabPhase::Expired(ExpiryReason::Absolute)][phase as usize];
        let shared = TabView { phase, deadline: T0 + d.max(r), renewed_at: T0 + r, activity_at: T0 + a, ended_at: 0 };
        m.handle(Input::Tab(shared), T0 + 1000);
        while m.poll_output().is_some() {}
        prop_assert!(m.next_wakeup(T0 + 1000).is_none_or(|w| w >= T0 + 1000));
    }
}

#[test]
fn a_tab_signed_out_elsewhere_offers_log_in_again_and_saves_nothing() {
    let mut b = Browser::new(config(1800, 120));
    let a = b.open(true);
    let c = b.open(false);
    b.input(c, Input::DraftEdited);
    b.input(a, Input::Choice(UserChoice::LogOut));
    assert!(b.saw(c, Output::Drafts(ToDrafts::Purge)));
    let saves = b.out[c].iter().filter(|o| **o == Output::Drafts(ToDrafts::Save)).count();
    b.run_until(10 * S, None);
    b.input(c, Input::Choice(UserChoice::LogInAgain));
    assert!(b.saw(c, Output::Page(ToPage::GoToLogin)));
    assert_eq!(b.out[c].iter().filter(|o| **o == Output::Drafts(ToDrafts::Save)).count(), saves);
}

#[test]
fn a_page_s_own_server_timing_beats_the_stored_view_and_the_page_load_guess() {
    let mut c = config(30, 20);
    c.renew_on = RenewOn::KeepAlive;
    // Stored by an earlier tab: renewed at T0, deadline T0 + 30 s.
    let stored = TabView { phase: TabPhase::Live, deadline: T0 + 30 * S, renewed_at: T0, activity_at: 0, ended_at: 0 };
    let now = T0 + 7 * S;
    let mut m = Machine::new(&c, now, Visibility::Visible, now);
    // The page's navigation entry, a moment before start: 23 s left.
    m.handle(Input::Observed(Observed::Report { at: now - 500, remaining_ms: 23_000 }), now);
    m.handle(Input::Start(Start { stored: Some(stored), ..Start::default() }), now);
    m.handle(Input::Leader(true), now);
    let mut warned = false;
    while let Some(o) = m.poll_output() {
        warned |= matches!(o, Output::Ui(Ui::ShowWarning { .. }));
    }
    assert_eq!(m.deadline(), Some(now - 500 + 23_000));
    assert!(!warned, "no warning from a stale view at start");
    // Without a stored view the report still wins over the page-load guess.
    let mut m = Machine::new(&c, now, Visibility::Visible, now);
    m.handle(Input::Observed(Observed::Report { at: now - 500, remaining_ms: 23_000 }), now);
    m.handle(Input::Start(Start { stored: None, ..Start::default() }), now);
    m.handle(Input::Leader(true), now);
    assert_eq!(m.deadline(), Some(now - 500 + 23_000));
}
