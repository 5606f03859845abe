//! What goes into the session machine ([`Input`]) and what comes out of it ([`Output`],
//! with the page events it asks for, [`Event`]).

use super::super::server::{Observed, PingOutcome};
use super::super::session::{ExpiryReason, Millis, TabView};

/// What the user chose in the dialog, or through the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserChoice {
    /// "Continue", or `guard.extend()`.
    Continue,
    /// Escape, or the dialog's own close request: "Continue" during the warning when
    /// `escapeExtends` says so, else nothing.
    Dismiss,
    /// "Log out" or `guard.logout()`.
    LogOut,
    /// "Log in again" in the expired dialog.
    LogInAgain,
}

/// What a page knows as its guard starts, handled in this order: its own response, then
/// the other tabs' stored view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Start {
    /// What this page's own navigation response said of the session, if anything.
    pub served: Option<Observed>,
    /// The browser's shared view as other tabs left it.
    pub stored: Option<TabView>,
    /// This page is where a login in the guard's own login window (`relogin: "popup"`) led:
    /// once the new session is out to the other tabs, the window closes
    /// ([`ToPage::CloseLoginWindow`]).
    pub in_login_window: bool,
}

/// What the shell tells the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// Trusted user input. The shell listens only while [`ToPage::ListenForActivity`] says so.
    Activity,
    /// A request the page made completed: it may have renewed the session (per `renewOn`),
    /// or the server said how long the session has left.
    Observed(Observed),
    /// The keep-alive request sent for [`ToServer::Ping`] finished.
    PingResult(PingOutcome),
    /// The status request sent for [`ToServer::CheckStatus`] finished, classified as a keep-alive
    /// answer is: `Extended` with a number is "alive with that much left", `Expired` is "gone",
    /// anything else says nothing (the client deadline stands).
    StatusResult(PingOutcome),
    /// The page became visible or hidden.
    Visibility {
        /// Visible now.
        visible: bool,
    },
    /// The timer fired, or the page came back (`pageshow`, `focus`, `online`): recompute.
    Wake,
    /// The user changed a guarded form field.
    DraftEdited,
    /// The page is being left (`pagehide`): save what is typed now. The shell leaves the
    /// other tabs too (channel and lock keep a page out of the back/forward cache).
    PageHide,
    /// What the user chose.
    Choice(UserChoice),
    /// The page started.
    Start(Start),
    /// Back from the back/forward cache, the shell joined the other tabs again.
    Rejoin {
        /// The view the other tabs stored meanwhile.
        stored: Option<TabView>,
    },
    /// Another tab's view of the session.
    Tab(TabView),
    /// The leader lock ([`ToTabs::QueueForLeader`]): `true` once this tab holds it, or at once
    /// where the browser has no Web Locks (every tab leads); `false` when another tab took it
    /// (the machine queues again). Only the leader sends the automatic keep-alives.
    Leader(bool),
    /// The browser refused the login window of [`ToPage::OpenLoginWindow`] (a popup blocker).
    LoginWindowBlocked,
    /// The wall clock moved `by` ms more than the monotonic clock (negative: it was set back).
    /// The machine decides what that means (see `on_clock_jump`); [`super::super::session::ClockWatch`]
    /// tells the shell when to say so.
    ClockJump {
        /// How far, in ms.
        by: i64,
    },
}

/// The `code` of a `sessionguard:error` event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// Storage is full.
    Quota,
    /// Storage refused otherwise (disabled, private mode).
    Storage,
    /// The server could not be reached.
    Network,
    /// An option is wrong.
    Config,
}

impl ErrorCode {
    /// The event's `code`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::Quota => "quota",
            ErrorCode::Storage => "storage",
            ErrorCode::Network => "network",
            ErrorCode::Config => "config",
        }
    }
}

/// The `sessionguard:*` events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// `warning`: the warning opened.
    Warning {
        /// Whole seconds left.
        remaining_s: u64,
    },
    /// Each second while the warning lasts in a visible tab (a hidden one wakes far less often).
    Countdown {
        /// Whole seconds left.
        remaining_s: u64,
    },
    /// `extended`: a keep-alive renewed the session.
    Extended {
        /// When the session now ends.
        expires_at: Millis,
    },
    /// `expired`: the session ended.
    Expired {
        /// Why.
        reason: ExpiryReason,
        /// Every edited guarded form is stored, as the expired dialog said (the drafts
        /// machine's word, filled in by [`super::Machine::poll_output`]).
        input_saved: bool,
    },
    /// `loggedout`: the user logged out, here or in another tab.
    LoggedOut,
    /// `login`: a new login was seen after the session ended; the page resumed.
    LoggedIn,
    /// `error`.
    Error {
        /// What failed.
        code: ErrorCode,
        /// For developers.
        message: &'static str,
    },
}

/// What the machine asks the shell to do, grouped by who carries it out: the built-in UI,
/// the server requests, the drafts, the other tabs, the page; and the events for the page's code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// Show or change the built-in UI.
    Ui(Ui),
    /// Send a request to the server.
    Server(ToServer),
    /// Save, mark or delete the drafts.
    Drafts(ToDrafts),
    /// Tell the other tabs, or queue for the leader lock.
    Tabs(ToTabs),
    /// Navigate, open the login window, or start or stop listening for activity.
    Page(ToPage),
    /// Dispatch a `sessionguard:*` event.
    Emit(Event),
}

/// What the built-in UI shows: the dialog, its countdown, the title. Withheld with `dialog: false`
/// (the page draws its own from the events).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ui {
    /// Open the warning dialog.
    ShowWarning {
        /// Until the session ends.
        remaining_ms: u64,
        /// The seconds the text says (the announcement step).
        announce: u64,
        /// False when the absolute limit ends the session: "OK" instead of "Continue".
        extendable: bool,
        /// Offer "Log out" (`logoutUrl` is set).
        can_log_out: bool,
    },
    /// Refresh the open warning: the countdown, and the spoken text when `announce` is set
    /// (the remaining seconds, rounded to the announcement step).
    Countdown {
        /// Until the session ends.
        remaining_ms: u64,
        /// The new spoken value, when it changed.
        announce: Option<u64>,
    },
    /// Close the dialog.
    CloseDialog,
    /// Show the expired dialog.
    ShowExpired {
        /// Why the session ended.
        reason: ExpiryReason,
        /// What the dialog may say of the user's input: the drafts machine's word, filled in
        /// by [`super::Machine::poll_output`] once the save before it was carried out (`None`:
        /// drafts are off, nothing to say).
        input_saved: Option<bool>,
    },
    /// The user logged out in another tab: say so, offer "Log in again".
    ShowLoggedOutElsewhere,
    /// The document title shows the countdown (hidden tab during the warning), or is restored.
    TitleCountdown(Option<u64>),
    /// Say in the open warning that the server cannot be reached and the guard retries
    /// (until it closes: a new warning starts without it).
    Unreachable,
}

/// Requests to the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToServer {
    /// Send a keep-alive; answer with [`Input::PingResult`].
    Ping,
    /// Ask `statusUrl` how long the session has left (a request that does not renew it).
    CheckStatus,
    /// End the server session at `logoutUrl` and leave the page.
    EndSession,
}

/// Work for the form drafts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToDrafts {
    /// Write form drafts to storage now.
    Save,
    /// Remember that this user's session expired on this page, so the page load after
    /// re-login restores drafts without asking.
    MarkResume,
    /// Delete this user's drafts (explicit logout).
    Purge,
}

/// The other tabs: this tab's view of the session, and the leader lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToTabs {
    /// Tell the other tabs (and store for tabs opened later) this view of the session.
    Publish(TabView),
    /// Request the leader lock, giving up any held or requested first; `steal`: take it from
    /// its holder (this page belongs to a new login, whose CSRF token the keep-alives need).
    /// Answered with [`Input::Leader`].
    QueueForLeader {
        /// Take the lock from the tab holding it.
        steal: bool,
    },
}

/// The page itself: where it goes, what it listens to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToPage {
    /// Go to `loginUrl?next=<this page>`.
    GoToLogin,
    /// `relogin: "popup"`: open the login in a new window (in the click's user gesture); this
    /// page stays and resumes once the new login is seen. Blocked: [`Input::LoginWindowBlocked`].
    OpenLoginWindow,
    /// Start or stop listening for user input. Input only matters from `warnBefore` ahead of
    /// the renewal point until the first one after it; the rest of the time a mousemove storm
    /// runs no guard code at all.
    ListenForActivity(bool),
    /// Close this page's window: the guard's login window, whose new session the other tabs
    /// (the page that opened it among them) have been told of. A script may close a window a
    /// script opened.
    CloseLoginWindow,
}
