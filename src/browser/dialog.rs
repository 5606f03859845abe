//! The warning / expired dialog: a native `<dialog>` opened with `showModal()`
//! (focus trap, inert background, Escape handling for free), `role="alertdialog"`,
//! labelled and described. Every text goes in through `textContent`.

use std::rc::Rc;

use wasm_bindgen::{JsCast, UnwrapThrowExt};
use web_sys::{Document, Element, Event, HtmlDialogElement, HtmlElement};

use super::listener::Listener;
use super::page::prop;
use crate::core::i18n::{countdown, MessageKey, Messages};
use crate::core::machine::ExpiryReason;

/// What the user asked for in the dialog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Continue,
    Logout,
    Login,
    /// Escape or the dialog's own close request.
    Cancel,
}

const STYLE_ID: &str = "session-guard-style";

/// Themeable through the custom properties on `dialog.session-guard`.
const STYLE: &str = ".session-guard{--sg-bg:#fff;--sg-fg:#1f2328;--sg-muted:#59636e;--sg-accent:#0b57d0;--sg-accent-fg:#fff;--sg-radius:12px;--sg-font:system-ui,-apple-system,\"Segoe UI\",sans-serif;box-sizing:border-box;width:min(30rem,calc(100vw - 2rem));padding:1.5rem 1.75rem;border:1px solid transparent;word-break:auto-phrase;border-radius:var(--sg-radius);background:var(--sg-bg);color:var(--sg-fg);font:1rem/1.5 var(--sg-font);box-shadow:0 12px 48px rgba(0,0,0,.3)}\
dialog.session-guard::backdrop{background:rgba(15,23,42,.6)}\
.session-guard-notice{position:fixed;z-index:2147483647;right:1rem;bottom:1rem;width:min(24rem,calc(100vw - 2rem));margin:0}\
.session-guard h2{margin:0 0 .5rem;font-size:1.25rem;line-height:1.3}\
.session-guard p{margin:0 0 1rem}\
.session-guard__countdown{font-size:2.25rem;font-weight:700;font-variant-numeric:tabular-nums;color:var(--sg-accent)}\
.session-guard__live{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}\
.session-guard__actions{display:flex;flex-wrap:wrap;gap:.75rem;justify-content:flex-end}\
.session-guard button{font:inherit;min-height:2.75rem;padding:.5rem 1.25rem;border:1px solid var(--sg-muted);border-radius:calc(var(--sg-radius)/2);background:transparent;color:var(--sg-fg);cursor:pointer}\
.session-guard button[data-action=continue],.session-guard button[data-action=login]{background:var(--sg-accent);border-color:var(--sg-accent);color:var(--sg-accent-fg);font-weight:600}\
.session-guard button:focus-visible{outline:3px solid var(--sg-accent);outline-offset:2px}\
.session-guard [hidden]{display:none}\
@media (prefers-color-scheme:dark){.session-guard{--sg-bg:#1f2328;--sg-fg:#e6edf3;--sg-muted:#9198a1;--sg-accent:#7cacf8;--sg-accent-fg:#0d1117}}";

pub struct Dialog {
    element: HtmlDialogElement,
    title: Element,
    message: Element,
    countdown: Element,
    live: Element,
    continue_button: HtmlElement,
    logout_button: HtmlElement,
    login_button: HtmlElement,
    /// Where focus was before the dialog opened, to return it on close.
    return_focus: Option<HtmlElement>,
    /// Whether the open warning can be extended (else the absolute limit ends the session).
    extendable: bool,
    _listeners: [Listener; 2],
}

/// A new `<tag>` with `attributes`, appended to `parent`. Also builds the drafts notice.
pub(super) fn child(document: &Document, parent: &Element, tag: &str, attributes: &[(&str, &str)]) -> Element {
    // createElement only fails for invalid tag names; ours are literals.
    let element = document.create_element(tag).unwrap_throw();
    for (name, value) in attributes {
        let _ = element.set_attribute(name, value);
    }
    let _ = parent.append_child(&element);
    element
}

pub(super) fn button(document: &Document, parent: &Element, action: &str) -> HtmlElement {
    child(document, parent, "button", &[("type", "button"), ("data-action", action)]).unchecked_into()
}

/// The `hidden` attribute, set through the element's attributes: the typed `hidden`
/// and `open` properties would each cost a wasm import and JS glue.
/// The `data-action` of the button a click landed in (the dialog's and the drafts notice's).
pub(super) fn clicked_action(event: &Event) -> Option<String> {
    event.target()?.dyn_into::<Element>().ok()?.closest("[data-action]").ok()??.get_attribute("data-action")
}

fn set_hidden(element: &Element, hidden: bool) {
    let _ = if hidden { element.set_attribute("hidden", "") } else { element.remove_attribute("hidden") };
}

/// The dialog's style sheet, once per page; the drafts notice uses it too.
pub(super) fn install_style(document: &Document, nonce: Option<&str>) {
    if document.get_element_by_id(STYLE_ID).is_some() {
        return;
    }
    let Ok(style) = document.create_element("style") else { return };
    let _ = style.set_attribute("id", STYLE_ID);
    if let Some(nonce) = nonce {
        let _ = style.set_attribute("nonce", nonce);
    }
    style.set_text_content(Some(STYLE));
    if let Ok(head) = prop(document, "head").dyn_into::<Element>() {
        let _ = head.append_child(&style);
    }
}

impl Dialog {
    /// `lang` is the language of the texts, for screen readers' voice (WCAG 3.1.2).
    pub fn new(document: &Document, lang: &str, nonce: Option<&str>, on_action: Rc<dyn Fn(Action)>) -> Option<Dialog> {
        install_style(document, nonce);
        let body = prop(document, "body").dyn_into::<Element>().ok()?;
        let element: HtmlDialogElement = document.create_element("dialog").ok()?.unchecked_into();
        for (name, value) in [
            ("class", "session-guard"),
            ("role", "alertdialog"),
            ("lang", lang),
            ("aria-modal", "true"),
            ("aria-labelledby", "session-guard-title"),
            ("aria-describedby", "session-guard-message"),
        ] {
            let _ = element.set_attribute(name, value);
        }
        let title = child(document, &element, "h2", &[("id", "session-guard-title")]);
        let message = child(document, &element, "p", &[("id", "session-guard-message")]);
        let countdown = child(document, &element, "p", &[("class", "session-guard__countdown"), ("aria-hidden", "true")]);
        let live = child(
            document,
            &element,
            "p",
            &[("class", "session-guard__live"), ("role", "status"), ("aria-live", "polite")],
        );
        let actions = child(document, &element, "div", &[("class", "session-guard__actions")]);
        let continue_button = button(document, &actions, "continue");
        let logout_button = button(document, &actions, "logout");
        let login_button = button(document, &actions, "login");

        let on_click = on_action.clone();
        let click = Listener::new(&element, "click", false, false, move |event: Event| {
            match clicked_action(&event).as_deref() {
                Some("continue") => on_click(Action::Continue),
                Some("logout") => on_click(Action::Logout),
                Some("login") => on_click(Action::Login),
                _ => {}
            }
        });
        // Escape: the shell decides (extend, or stay open); the browser must not close it by itself.
        let cancel = Listener::new(&element, "cancel", false, false, move |event: Event| {
            event.prevent_default();
            on_action(Action::Cancel);
        });
        let _ = body.append_child(&element);
        Some(Dialog {
            element,
            title,
            message,
            countdown,
            live,
            continue_button,
            logout_button,
            login_button,
            return_focus: None,
            extendable: true,
            _listeners: [click, cancel],
        })
    }

    fn open(&mut self, document: &Document, focus: &HtmlElement) {
        if !self.is_open() {
            // HTML, SVG and MathML elements all have `focus()`, and its call may fail.
            let active = prop(document, "activeElement");
            self.return_focus = active.is_object().then(|| active.unchecked_into());
            // Fails only when the dialog is detached or already open non-modally.
            if self.element.show_modal().is_err() {
                let _ = self.element.set_attribute("open", "");
            }
        }
        let _ = focus.focus();
    }

    pub fn show_warning(
        &mut self,
        document: &Document,
        messages: &Messages,
        remaining_ms: u64,
        announce_s: u64,
        extendable: bool,
        can_log_out: bool,
    ) {
        let _ = self.element.set_attribute("data-state", "warning");
        self.extendable = extendable;
        self.title.set_text_content(Some(messages.get(MessageKey::WarningTitle)));
        let key = if extendable { MessageKey::Warning } else { MessageKey::AbsoluteWarning };
        self.message.set_text_content(Some(&messages.with_time(key, announce_s)));
        self.countdown.set_text_content(Some(&countdown(remaining_ms)));
        set_hidden(&self.countdown, false);
        self.live.set_text_content(None);
        let label = if extendable { MessageKey::Continue } else { MessageKey::Ok };
        self.continue_button.set_text_content(Some(messages.get(label)));
        set_hidden(&self.continue_button, false);
        self.logout_button.set_text_content(Some(messages.get(MessageKey::Logout)));
        set_hidden(&self.logout_button, !can_log_out);
        set_hidden(&self.login_button, true);
        let focus = self.continue_button.clone();
        self.open(document, &focus);
    }

    /// The visible countdown every second; the description and the live region only
    /// when the announced time changes, so screen readers are not flooded.
    pub fn update_countdown(&self, messages: &Messages, remaining_ms: u64, announce_s: Option<u64>) {
        self.countdown.set_text_content(Some(&countdown(remaining_ms)));
        if let Some(seconds) = announce_s {
            let key = if self.extendable { MessageKey::Warning } else { MessageKey::AbsoluteWarning };
            let text = messages.with_time(key, seconds);
            self.message.set_text_content(Some(&text));
            self.live.set_text_content(Some(&text));
        }
    }

    /// Says in the open warning's heading that the server cannot be reached and the guard
    /// retries (the heading labels the dialog); the next warning has its own heading again.
    pub fn unreachable(&self, messages: &Messages) {
        self.title.set_text_content(Some(messages.get(MessageKey::Unreachable)));
    }

    /// The session ended (`reason`), or, with `None`, the user logged out in another tab.
    /// `drafts_saved`: what the drafts machine may claim (`None`: nothing to say).
    pub fn show_expired(&mut self, document: &Document, messages: &Messages, reason: Option<ExpiryReason>, drafts_saved: Option<bool>) {
        let _ = self.element.set_attribute("data-state", "expired");
        self.title.set_text_content(Some(messages.get(MessageKey::ExpiredTitle)));
        let mut text = String::from(messages.get(match reason {
            Some(ExpiryReason::Absolute) => MessageKey::ExpiredAbsolute,
            Some(_) => MessageKey::Expired,
            None => MessageKey::SignedOut,
        }));
        if let Some(saved) = drafts_saved {
            // Japanese sentences join without a space.
            if !text.ends_with('。') {
                text.push(' ');
            }
            text.push_str(messages.get(if saved { MessageKey::InputSaved } else { MessageKey::InputNotSaved }));
        }
        self.message.set_text_content(Some(&text));
        set_hidden(&self.countdown, true);
        self.live.set_text_content(None);
        set_hidden(&self.continue_button, true);
        set_hidden(&self.logout_button, true);
        self.login_button.set_text_content(Some(messages.get(MessageKey::Login)));
        set_hidden(&self.login_button, false);
        let focus = self.login_button.clone();
        self.open(document, &focus);
    }

    fn is_open(&self) -> bool {
        self.element.get_attribute("open").is_some()
    }

    pub fn close(&mut self) {
        if self.is_open() {
            self.element.close();
            if let Some(target) = self.return_focus.take() {
                let _ = target.focus();
            }
        }
    }
}

impl Drop for Dialog {
    fn drop(&mut self) {
        self.close();
        self.element.remove();
    }
}
