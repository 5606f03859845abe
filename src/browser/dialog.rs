//! The warning / expired dialog: a native `<dialog>` opened with `showModal()`
//! (focus trap, inert background, Escape handling for free), `role="alertdialog"`,
//! labelled and described. Its DOM is built and updated in dom.js (each DOM call from
//! wasm costs an import and glue of its own); what it says and offers is decided here.
//! Every text goes in through `textContent`.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::Document;

use super::listener::Callback;
use crate::core::i18n::{countdown, MessageKey, Messages};

#[wasm_bindgen(module = "/src/browser/dom.js")]
extern "C" {
    #[wasm_bindgen(js_name = dialogNew)]
    fn dialog_new(document: &Document, lang: &str, nonce: Option<&str>, on_action: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = dialogShow)]
    #[allow(clippy::too_many_arguments)]
    fn dialog_show(
        ui: &JsValue,
        state: &str,
        title: &str,
        message: &str,
        countdown: Option<&str>,
        continue_label: Option<&str>,
        logout_label: Option<&str>,
        login_label: Option<&str>,
    );
    #[wasm_bindgen(js_name = dialogText)]
    fn dialog_text(ui: &JsValue, part: u32, text: &str);
    #[wasm_bindgen(js_name = dialogClose)]
    fn dialog_close(ui: &JsValue);
    #[wasm_bindgen(js_name = dialogRemove)]
    fn dialog_remove(ui: &JsValue);
}

/// What the open warning offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WarningOffer {
    /// "Continue" extends; false: the absolute limit ends the session, "OK" only closes.
    pub extendable: bool,
    /// "Log out" too.
    pub can_log_out: bool,
}

/// What the user asked for in the dialog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// "Continue" (or "OK").
    Continue,
    /// "Log out".
    LogOut,
    /// "Log in again".
    LogInAgain,
    /// Escape or the dialog's own close request.
    Cancel,
}

// The parts of the dialog `dialogText` sets, numbered as dom.js numbers them.
/// The heading, which labels the dialog.
const TITLE: u32 = 0;
/// The text, which describes it.
const MESSAGE: u32 = 1;
/// The visible "m:ss".
const COUNTDOWN: u32 = 2;
/// The live region screen readers announce.
const LIVE: u32 = 3;

/// The dialog while the page has it; dropping it removes it.
#[must_use = "the dialog is removed when dropped"]
pub struct Dialog {
    /// dom.js's handle: the element and its parts.
    ui: JsValue,
    /// Whether the open warning can be extended (else the absolute limit ends the session).
    extendable: bool,
    _on_action: Callback,
}

impl Dialog {
    /// `lang` is the language of the texts, for screen readers' voice (WCAG 3.1.2).
    pub fn new(document: &Document, lang: &str, nonce: Option<&str>, on_action: Rc<dyn Fn(Action)>) -> Option<Dialog> {
        let callback = Callback::wrap(Box::new(move |action: JsValue| {
            on_action(match action.as_f64().unwrap_or(3.0) as u8 {
                0 => Action::Continue,
                1 => Action::LogOut,
                2 => Action::LogInAgain,
                _ => Action::Cancel,
            })
        }));
        let ui = dialog_new(document, lang, nonce, callback.as_ref());
        ui.is_object().then_some(Dialog { ui, extendable: true, _on_action: callback })
    }

    /// Opens the warning, `remaining_ms` before the end, saying `announce_s` seconds, offering
    /// what `offer` says (the core decided both: [`crate::core::machine::Ui::ShowWarning`]).
    pub fn show_warning(&mut self, messages: &Messages, remaining_ms: u64, announce_s: u64, offer: WarningOffer) {
        let WarningOffer { extendable, can_log_out } = offer;
        self.extendable = extendable;
        let key = if extendable { MessageKey::Warning } else { MessageKey::AbsoluteWarning };
        let label = if extendable { MessageKey::Continue } else { MessageKey::Ok };
        dialog_show(
            &self.ui,
            "warning",
            messages.get(MessageKey::WarningTitle),
            &messages.with_time(key, announce_s),
            Some(&countdown(remaining_ms)),
            Some(messages.get(label)),
            can_log_out.then(|| messages.get(MessageKey::LogOut)),
            None,
        );
    }

    /// The visible countdown every second; the description and the live region only
    /// when the announced time changes, so screen readers are not flooded.
    pub fn update_countdown(&self, messages: &Messages, remaining_ms: u64, announce_s: Option<u64>) {
        dialog_text(&self.ui, COUNTDOWN, &countdown(remaining_ms));
        if let Some(seconds) = announce_s {
            let key = if self.extendable { MessageKey::Warning } else { MessageKey::AbsoluteWarning };
            let text = messages.with_time(key, seconds);
            dialog_text(&self.ui, MESSAGE, &text);
            dialog_text(&self.ui, LIVE, &text);
        }
    }

    /// Says in the open warning's heading that the server cannot be reached and the guard
    /// retries (the heading labels the dialog); the next warning has its own heading again.
    pub fn unreachable(&self, messages: &Messages) {
        dialog_text(&self.ui, TITLE, messages.get(MessageKey::Unreachable));
    }

    /// The session ended, or the user logged out in another tab: `text` says which
    /// ([`Messages::ended_text`]).
    pub fn show_ended(&mut self, messages: &Messages, text: &str) {
        dialog_show(
            &self.ui,
            "expired",
            messages.get(MessageKey::ExpiredTitle),
            text,
            None,
            None,
            None,
            Some(messages.get(MessageKey::LogInAgain)),
        );
    }

    pub fn close(&mut self) {
        dialog_close(&self.ui);
    }
}

impl Drop for Dialog {
    fn drop(&mut self) {
        dialog_remove(&self.ui);
    }
}
