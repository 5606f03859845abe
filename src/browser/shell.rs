//! The running guard in a page: owns the core [`Machine`], the one timer, the
//! listeners, the observer and the dialog, and carries out the core's outputs.
//!
//! Re-entrancy: carrying out an output can run page code synchronously — a
//! `sessionguard:*` listener calling `guard.extend()`, or `showModal()` moving
//! focus and so firing `change` on the field the user was typing in. Inputs that
//! arrive meanwhile are queued and handled once the current ones are done.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use web_sys::{Document, Window};

use super::activity::ActivityListener;
use super::cell::Lend;
use super::dialog::{Action, Dialog, WarningOffer};
use super::drafts::Drafts;
use super::storage::Store;
use super::tabs::Tabs;
use super::events;
use super::keepalive;
use super::listener::{Listen, Listener};
use super::observer::{self, Observer};
use super::page;
use crate::core::config::Config;
use crate::core::drafts::DraftInput;
use crate::core::i18n::{self, MessageKey, Messages};
use crate::core::machine::{Event as GuardEvent, Input, Machine, Output, Phase, Start, UserChoice, Ui, ToServer, ToDrafts, ToTabs, ToPage};
use crate::core::session::{ClockWatch, TabView, Visibility, ACTIVITY_EVENTS, WAKE_EVENTS};
use crate::core::session_start::{self, StartRecord};

/// The name of the window `relogin: "popup"` opens. The guarded page the login leads to in it
/// publishes the new session to the other tabs (the page that opened it resumes in place), then
/// closes its window.
const LOGIN_WINDOW: &str = "session-guard-login";

/// setTimeout's longest delay (about 24.8 days); longer waits re-arm on wake.
const MAX_TIMER_MS: u64 = i32::MAX as u64;

/// The running guard: the core machine and everything that carries out its outputs.
pub struct Shell {
    window: Window,
    document: Document,
    config: Rc<Config>,
    /// The keep-alive, status and logout requests.
    server: keepalive::Link,
    messages: Messages,
    machine: RefCell<Machine>,
    dialog: RefCell<Option<Dialog>>,
    /// The one timer, and the wake-up time it is armed for.
    timer: RefCell<Option<(u64, Timeout)>>,
    listeners: RefCell<Vec<Listener>>,
    activity: RefCell<Option<ActivityListener>>,
    observer: RefCell<Option<Observer>>,
    drafts: Option<Rc<Drafts>>,
    tabs: RefCell<Option<Tabs>>,
    /// Where the session's start is remembered across page loads, with `absoluteTimeout` only.
    login_store: Option<Store>,
    /// The page's own title while ours shows the countdown.
    saved_title: RefCell<Option<String>>,
    /// Inputs that arrived while others were being handled.
    queue: RefCell<Vec<Input>>,
    handling: Cell<bool>,
    destroyed: Cell<bool>,
    /// The phase the core last reported, for `guard.state()` asked while the core is busy.
    phase: Cell<Phase>,
    /// The wall and monotonic clocks at the last input, to see the wall clock jump.
    clock: Cell<ClockWatch>,
}

impl Shell {
    /// Starts guarding this page; `None` outside a browser page (no window or document).
    pub fn start(config: Config) -> Option<Rc<Shell>> {
        let window = page::window()?;
        let document = window.document()?;
        let monotonic = page::monotonic(&window);
        let lang = i18n::resolve_lang(config.lang, &page::prop_string(&page::prop(&window, "navigator"), "language"));
        let messages = Messages::new(lang, &config.messages);
        let now = page::now();
        let login_store = config.absolute_timeout_ms.map(|_| Store::open(&window));
        let started = login_store.as_ref().map_or(now, |store| {
            let key = session_start::key(&config.user);
            let stored = store.get(&key).as_deref().and_then(session_start::decode);
            let started = session_start::session_started(stored, now, config.timeout_ms);
            let _ = store.set(&key, &session_start::encode(started, now));
            started
        });
        let visibility = if page::prop(&document, "hidden").is_truthy() { Visibility::Hidden } else { Visibility::Visible };
        let machine = Machine::new(&config, now, visibility, started);
        let phase = Cell::new(machine.phase());
        let drafts = Drafts::new(&window, &document, &config, &messages);
        let config = Rc::new(config);
        let server = keepalive::Link::new(window.clone(), document.clone(), Rc::clone(&config));
        let shell = Rc::new(Shell {
            window,
            document,
            config,
            server,
            messages,
            machine: RefCell::new(machine),
            dialog: RefCell::new(None),
            timer: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
            activity: RefCell::new(None),
            observer: RefCell::new(None),
            drafts,
            tabs: RefCell::new(None),
            login_store,
            saved_title: RefCell::new(None),
            queue: RefCell::new(Vec::new()),
            handling: Cell::new(false),
            destroyed: Cell::new(false),
            phase,
            clock: Cell::new(ClockWatch::new(now as f64, monotonic)),
        });
        shell.listen();
        let stored = shell.connect_tabs();
        let served = observer::navigation(&shell.window, now);
        // The window the guard opened for a login (its name, and a page that opened it).
        let in_login_window = page::prop_string(&shell.window, "name") == LOGIN_WINDOW && page::prop(&shell.window, "opener").is_truthy();
        shell.handle(Input::Start(Start { served, stored, in_login_window }));
        if let Some(drafts) = &shell.drafts {
            let weak = Rc::downgrade(&shell);
            drafts.listen(move |input| with(&weak, |shell| shell.draft_input(input)));
            drafts.start(now);
        }
        Some(shell)
    }

    /// Joins the other tabs' channel (the core then asks to queue for the leader lock). Returns
    /// the view they stored. Left on `pagehide`, joined again on `pageshow` (back/forward cache).
    fn connect_tabs(self: &Rc<Self>) -> Option<TabView> {
        let (on_message, on_leader) = (Rc::downgrade(self), Rc::downgrade(self));
        let tabs = Tabs::new(
            &self.window,
            &self.config.user,
            move |view| with(&on_message, |shell| shell.handle(Input::Tab(view))),
            move |leader| with(&on_leader, |shell| shell.handle(Input::Leader(leader))),
        );
        let stored = tabs.stored();
        self.tabs.with_mut(|slot| *slot = Some(tabs));
        stored
    }

    /// Closes the channel and releases (or withdraws) the leader lock. One copy of the drop
    /// for `pagehide` and `destroy`.
    #[inline(never)]
    fn leave_tabs(&self) {
        self.tabs.with_mut(Option::take);
    }

    fn listen(self: &Rc<Self>) {
        let mut listeners = Vec::new();
        let window_target: &web_sys::EventTarget = self.window.as_ref();
        for kind in WAKE_EVENTS {
            let weak = Rc::downgrade(self);
            listeners.push(Listener::new(window_target, kind, Listen::PASSIVE, move |_| {
                with(&weak, |shell| {
                    // Back from the back/forward cache: the other tabs again, and what they did meanwhile.
                    if shell.tabs.with_ref(Option::is_none) == Some(true) {
                        let stored = shell.connect_tabs();
                        shell.handle(Input::Rejoin { stored });
                    }
                    shell.handle(Input::Wake)
                });
            }));
        }
        let weak = Rc::downgrade(self);
        listeners.push(Listener::new(window_target, "pagehide", Listen::PASSIVE, move |_| {
            with(&weak, |shell| {
                shell.handle(Input::PageHide);
                // An open channel or a held (or requested) lock keeps the page out of the
                // back/forward cache: closed and released here, back on `pageshow`.
                shell.leave_tabs();
            });
        }));
        let weak = Rc::downgrade(self);
        listeners.push(Listener::new(self.document.as_ref(), "visibilitychange", Listen::PASSIVE, move |_| {
            with(&weak, |shell| shell.handle(Input::Visibility { visible: !page::prop(&shell.document, "hidden").is_truthy() }));
        }));
        self.listeners.with_mut(|slot| *slot = listeners);
        let weak = Rc::downgrade(self);
        let activity = ActivityListener::new(window_target, &ACTIVITY_EVENTS, move || with(&weak, |shell| shell.handle(Input::Activity)));
        self.activity.with_mut(|slot| *slot = Some(activity));

        let weak = Rc::downgrade(self);
        // The guard's own requests are judged by their responses alone, never as page traffic.
        let own = [Some(&self.config.keep_alive_url), self.config.status_url.as_ref()]
            .map(|url| url.and_then(|url| page::resolve_href(&self.window, url)));
        let observer = Observer::new(move |entry| {
            with(&weak, |shell| {
                if let Some(observed) = observer::observed(&shell.window, &entry, page::now(), &own) {
                    shell.handle(Input::Observed(observed));
                }
            })
        });
        self.observer.with_mut(|slot| *slot = observer);
    }

    /// Feeds one input to the core, carries out what it asks, re-arms the timer.
    pub fn handle(self: &Rc<Self>, input: Input) {
        if self.destroyed.get() {
            return;
        }
        self.queue.with_mut(|queue| queue.push(input));
        if self.handling.replace(true) {
            return;
        }
        loop {
            let next = self.queue.with_mut(|queue| (!queue.is_empty()).then(|| queue.remove(0)));
            let Some(input) = next.flatten() else { break };
            self.machine.with_mut(|machine| {
                let now = page::now();
                if let Some(by) = self.clock_jump(now) {
                    machine.handle(Input::ClockJump { by }, now);
                }
                machine.handle(input, now);
                self.phase.set(machine.phase());
            });
            // One output at a time, no borrow held while it is carried out (it may run page
            // code, and the drafts machine reports into the core meanwhile).
            loop {
                let output = self.machine.with_mut(Machine::poll_output);
                let Some(output) = output.flatten() else { break };
                if !self.destroyed.get() {
                    self.execute(output);
                }
            }
        }
        self.handling.set(false);
        if !self.destroyed.get() {
            self.arm_timer();
        }
    }

    /// How far the wall clock was set since the last input, measured against the monotonic clock.
    fn clock_jump(&self, now: u64) -> Option<i64> {
        let mut clock = self.clock.get();
        let by = clock.jump(now as f64, page::monotonic(&self.window));
        self.clock.set(clock);
        by
    }

    fn execute(self: &Rc<Self>, output: Output) {
        match output {
            Output::Ui(ui) => self.show(ui),
            Output::Server(request) => self.ask_server(request),
            Output::Drafts(work) => self.drafts_work(work),
            Output::Tabs(message) => self.tell_tabs(message),
            Output::Page(action) => self.page_action(action),
            Output::Emit(event) => {
                self.remember_session(event);
                events::emit_core(&self.document, event);
            }
        }
    }

    /// Shows or changes the built-in UI.
    fn show(self: &Rc<Self>, ui: Ui) {
        match ui {
            Ui::ShowWarning { remaining_ms, announce, extendable, can_log_out } => {
                let offer = WarningOffer { extendable, can_log_out };
                self.with_dialog(|dialog, messages| dialog.show_warning(messages, remaining_ms, announce, offer));
            }
            Ui::Countdown { remaining_ms, announce } => {
                self.dialog.with_ref(|dialog| dialog.iter().for_each(|dialog| dialog.update_countdown(&self.messages, remaining_ms, announce)));
            }
            Ui::CloseDialog => {
                self.dialog.with_mut(|dialog| dialog.iter_mut().for_each(Dialog::close));
            }
            Ui::ShowExpired { reason, input_saved } => {
                let text = self.messages.ended_text(Some(reason), input_saved);
                self.with_dialog(|dialog, messages| dialog.show_ended(messages, &text));
            }
            Ui::ShowLoggedOutElsewhere => {
                let text = self.messages.ended_text(None, None);
                self.with_dialog(|dialog, messages| dialog.show_ended(messages, &text));
            }
            Ui::TitleCountdown(remaining) => self.title_countdown(remaining),
            Ui::Unreachable => {
                self.dialog.with_ref(|dialog| dialog.iter().for_each(|dialog| dialog.unreachable(&self.messages)));
            }
        }
    }

    /// Sends a request to the server; its answer comes back as an input.
    fn ask_server(self: &Rc<Self>, request: ToServer) {
        match request {
            ToServer::Ping => {
                let weak = Rc::downgrade(self);
                self.server.ping(move |outcome| with(&weak, |shell| shell.handle(Input::PingResult(outcome))));
            }
            ToServer::CheckStatus => {
                let weak = Rc::downgrade(self);
                self.server.status(move |outcome| with(&weak, |shell| shell.handle(Input::StatusResult(outcome))));
            }
            ToServer::EndSession => self.server.logout(),
        }
    }

    /// Saves, marks or deletes the drafts.
    fn drafts_work(self: &Rc<Self>, work: ToDrafts) {
        match work {
            ToDrafts::Save => self.drafts_step(DraftInput::Flush),
            ToDrafts::Purge => self.drafts.iter().for_each(|d| d.purge()),
            ToDrafts::MarkResume => self.drafts.iter().for_each(|d| d.mark_resume()),
        }
    }

    /// Tells the other tabs, or queues for the leader lock.
    fn tell_tabs(self: &Rc<Self>, message: ToTabs) {
        match message {
            ToTabs::QueueForLeader { steal } => {
                let queued = self.tabs.with_mut(|tabs| tabs.as_mut().map(|tabs| tabs.queue_for_leader(steal))).flatten();
                // Without Web Locks every tab leads.
                if queued == Some(false) {
                    self.handle(Input::Leader(true));
                }
            }
            ToTabs::Publish(view) => {
                self.tabs.with_ref(|tabs| tabs.iter().for_each(|tabs| tabs.publish(&view)));
            }
        }
    }

    /// Navigates, opens the login window, or starts or stops listening for activity.
    fn page_action(self: &Rc<Self>, action: ToPage) {
        match action {
            ToPage::ListenForActivity(on) => _ = self.activity.with_ref(|activity| activity.iter().for_each(|a| a.listen(on))),
            ToPage::GoToLogin => match self.config.login_url.as_deref().and_then(|url| page::login_url_with_next(&self.window, url)) {
                Some(url) => page::navigate(&self.window, &url),
                // Without a login URL the server's own redirect of this page leads there.
                None => page::reload(&self.window),
            },
            ToPage::OpenLoginWindow => {
                let url = self.config.login_url.as_deref().and_then(|url| page::login_url_with_next(&self.window, url));
                let opened = url.and_then(|url| self.window.open_with_url_and_target(&url, LOGIN_WINDOW).ok().flatten());
                if opened.is_none() {
                    self.handle(Input::LoginWindowBlocked);
                }
            }
            ToPage::CloseLoginWindow => _ = self.window.close(),
        }
    }

    /// Keeps the session's start alive across page loads while the server extends it;
    /// forgets it when the session ends, so the next login starts a new one.
    fn remember_session(&self, event: GuardEvent) {
        let Some(store) = &self.login_store else { return };
        let key = session_start::key(&self.config.user);
        match session_start::record_after(event) {
            Some(StartRecord::SeenAlive) => {
                if let Some((started, _)) = store.get(&key).as_deref().and_then(session_start::decode) {
                    let _ = store.set(&key, &session_start::encode(started, page::now()));
                }
            }
            Some(StartRecord::Forget) => store.remove(&key),
            None => {}
        }
    }

    fn with_dialog(self: &Rc<Self>, show: impl FnOnce(&mut Dialog, &Messages)) {
        self.dialog.with_mut(|slot| {
            self.ensure_dialog(slot);
            if let Some(dialog) = slot.as_mut() {
                show(dialog, &self.messages);
            }
        });
    }

    /// The part of `with_dialog` that does not depend on `show`, so it is not copied per caller.
    fn ensure_dialog(self: &Rc<Self>, slot: &mut Option<Dialog>) {
        if slot.is_none() {
            let weak = Rc::downgrade(self);
            let on_action = Rc::new(move |action: Action| with(&weak, |shell| shell.on_dialog_action(action)));
            *slot = Dialog::new(&self.document, self.messages.lang_tag(), self.config.csp_nonce.as_deref(), on_action);
        }
    }

    fn on_dialog_action(self: &Rc<Self>, action: Action) {
        let choice = match action {
            Action::Continue => UserChoice::Continue,
            Action::Cancel => UserChoice::Dismiss,
            Action::LogOut => UserChoice::LogOut,
            Action::LogInAgain => UserChoice::LogInAgain,
        };
        self.handle(Input::Choice(choice));
    }

    fn title_countdown(&self, remaining: Option<u64>) {
        let Ok(mut saved) = self.saved_title.try_borrow_mut() else { return };
        match remaining {
            Some(ms) => {
                if saved.is_none() {
                    *saved = Some(page::prop_string(&self.document, "title"));
                }
                let text = self.messages.with_value(MessageKey::TitleCountdown, &i18n::countdown(ms));
                page::set_prop(&self.document, "title", &text.into());
            }
            None => {
                if let Some(title) = saved.take() {
                    page::set_prop(&self.document, "title", &title.into());
                }
            }
        }
    }

    /// Keeps exactly one timer, armed for the core's next wake-up.
    fn arm_timer(self: &Rc<Self>) {
        let now = page::now();
        let wake = self.machine.with_ref(|machine| machine.next_wakeup(now)).flatten();
        let Ok(mut timer) = self.timer.try_borrow_mut() else { return };
        match wake {
            None => *timer = None,
            Some(at) if timer.as_ref().is_some_and(|(armed, _)| *armed == at) => {}
            Some(at) => {
                let weak = Rc::downgrade(self);
                let delay = at.saturating_sub(now).min(MAX_TIMER_MS) as u32;
                *timer = Some((at, Timeout::new(delay, move || with(&weak, |shell| shell.on_timer()))));
            }
        }
    }

    fn on_timer(self: &Rc<Self>) {
        // The fired timer is spent: forget it so arm_timer sets a new one even for the same time.
        self.timer.with_mut(Option::take);
        self.handle(Input::Wake);
    }

    /// What the page's forms did: the session machine debounces the save of an edit.
    fn draft_input(self: &Rc<Self>, input: DraftInput) {
        if matches!(input, DraftInput::Edited(_)) {
            self.handle(Input::DraftEdited);
        }
        self.drafts_step(input);
    }

    /// Feeds the drafts machine and carries out its outputs, until what they report is in:
    /// synchronously, so the expired dialog that follows a flush knows what is stored.
    pub fn drafts_step(&self, input: DraftInput) {
        let Some(drafts) = &self.drafts else { return };
        self.machine.with_mut(|machine| machine.drafts().handle(input));
        loop {
            // No borrow is held while an output is carried out: it may run page code.
            let output = self.machine.with_mut(|machine| machine.drafts().poll_output());
            let Some(output) = output.flatten() else { break };
            if let Some(next) = drafts.carry(output) {
                self.machine.with_mut(|machine| machine.drafts().handle(next));
            }
        }
    }

    /// `guard.discardDrafts(form)`.
    pub fn discard_drafts(&self, form: &wasm_bindgen::JsValue) {
        self.drafts.iter().for_each(|d| d.discard(form));
    }

    /// `guard.saveDrafts()`: every guarded form, now.
    pub fn save_drafts(&self) {
        self.drafts.iter().for_each(|d| d.save_all());
    }

    /// `guard.restoreDrafts()`: writes stored drafts back into this page's forms.
    pub fn restore_drafts(&self) {
        self.drafts.iter().for_each(|d| d.restore_all());
    }

    /// `guard.registerField`: a saved value waiting for the field goes into it now.
    pub fn register_field(&self, element: &wasm_bindgen::JsValue, handlers: &wasm_bindgen::JsValue) -> wasm_bindgen::JsValue {
        let unregister = super::drafts::register(element, handlers);
        self.drafts.iter().for_each(|d| d.apply_waiting());
        unregister
    }

    /// Where the session is (`guard.state()`).
    pub fn phase(&self) -> Phase {
        self.machine.with_ref(Machine::phase).unwrap_or(self.phase.get())
    }

    /// Recomputed first: the wall clock may have been set since the last input.
    pub fn remaining_ms(self: &Rc<Self>) -> Option<u64> {
        self.handle(Input::Wake);
        self.machine.with_ref(|machine| machine.remaining(page::now())).flatten()
    }

    pub fn is_running(&self) -> bool {
        !self.destroyed.get()
    }

    /// Unregisters everything, closes and removes the dialog, restores the title.
    pub fn destroy(&self) {
        if self.destroyed.replace(true) {
            return;
        }
        self.listeners.with_mut(Vec::clear);
        self.activity.with_mut(Option::take);
        self.observer.with_mut(Option::take);
        self.timer.with_mut(Option::take);
        self.dialog.with_mut(Option::take);
        self.drafts.iter().for_each(|d| d.destroy());
        self.leave_tabs();
        self.title_countdown(None);
    }
}

fn with(weak: &Weak<Shell>, f: impl FnOnce(&Rc<Shell>)) {
    if let Some(shell) = weak.upgrade() {
        f(&shell);
    }
}
