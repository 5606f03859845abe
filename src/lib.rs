//! session-guard: keeps users' typed work safe from server session timeouts.
//!
//! [`core`] holds every decision as pure, natively tested code; the browser
//! shell (wasm only) feeds it events and carries out its outputs.

#![deny(missing_docs)]
#![deny(unsafe_code)]

pub mod core;

// SAFETY: wasm32-unknown-unknown without the atomics feature runs on one thread.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(target_arch = "wasm32")]
mod browser;

#[cfg(target_arch = "wasm32")]
pub use api::{start_guard, start_guard_from_attributes, SessionGuard};

#[cfg(target_arch = "wasm32")]
mod api {
    use std::rc::Rc;

    use js_sys::Reflect;
    use wasm_bindgen::prelude::*;

    use crate::browser::options::{attribute_entries, option_entries};
    use crate::browser::shell::Shell;
    use crate::core::config::Config;
    use crate::core::machine::{Input, UserChoice};
    use crate::core::options::{attributes_to_options, parse_options, ConfigError};
    use crate::core::server::{seconds_to_ms, Observed};

    fn config_error(error: ConfigError) -> JsError {
        JsError::new(&error.message())
    }

    /// The page's running guard: a second `start` (or a second script tag) returns it. Held
    /// here too, so a guard runs until `destroy()` even if the page drops every handle to it.
    /// A plain static, not `thread_local!` (whose access checks pull in formatting code).
    struct Running(std::cell::Cell<Option<Rc<Shell>>>);
    // SAFETY: wasm32-unknown-unknown without the atomics feature runs on one thread.
    // The crate's one unsafe item (the lint is denied everywhere else, forbidden in `core`).
    #[allow(unsafe_code)]
    unsafe impl Sync for Running {}
    static RUNNING: Running = Running(std::cell::Cell::new(None));

    fn start(config: Config) -> Result<SessionGuard, JsError> {
        let shell = match RUNNING.0.take().filter(|shell| shell.is_running()) {
            Some(shell) => shell,
            None => Shell::start(config).ok_or_else(|| JsError::new("session-guard: needs a browser page (window and document)"))?,
        };
        RUNNING.0.set(Some(shell.clone()));
        Ok(SessionGuard { shell })
    }

    /// Starts guarding the session with `options` (see the README). Throws an
    /// `Error` naming the option when one is unknown or invalid.
    #[wasm_bindgen(js_name = startGuard)]
    pub fn start_guard(options: JsValue) -> Result<SessionGuard, JsError> {
        let entries = option_entries(&options).ok_or_else(|| JsError::new("session-guard: options must be an object"))?;
        start(parse_options(&entries).map_err(config_error)?)
    }

    /// Starts from a script tag's `data-` attributes, given without the `data-` prefix.
    #[wasm_bindgen(js_name = startGuardFromAttributes)]
    pub fn start_guard_from_attributes(attributes: JsValue) -> Result<SessionGuard, JsError> {
        let entries = attributes_to_options(&attribute_entries(&attributes)).map_err(config_error)?;
        start(parse_options(&entries).map_err(config_error)?)
    }

    /// A running guard.
    #[wasm_bindgen]
    pub struct SessionGuard {
        shell: Rc<Shell>,
    }

    #[wasm_bindgen]
    impl SessionGuard {
        /// Sends a keep-alive now (as "Continue" does).
        pub fn extend(&self) {
            self.shell.handle(Input::Choice(UserChoice::Continue));
        }

        /// Ends the session at `logoutUrl`, purges this user's drafts and leaves the page.
        pub fn logout(&self) {
            self.shell.handle(Input::Choice(UserChoice::LogOut));
        }

        /// What "Log in again" does, for headless pages: saves the drafts, marks the resume, goes
        /// to the login (`relogin: "popup"`: in a new window).
        pub fn relogin(&self) {
            self.shell.handle(Input::Choice(UserChoice::LogInAgain));
        }

        /// Seconds until the session ends (rounded down); `NaN` while the timeout is unknown.
        pub fn remaining(&self) -> f64 {
            self.shell.remaining_ms().map_or(f64::NAN, |ms| (ms / 1000) as f64)
        }

        /// "active" | "warning" | "expired" | "loggedOut".
        pub fn state(&self) -> String {
            self.shell.phase().name().into()
        }

        /// Tells the guard the app saw a server response: `{ expiresIn }` (seconds) when the
        /// server said how long the session has left, else a plain request (renews per `renewOn`).
        pub fn touch(&self, report: JsValue) -> Result<(), JsError> {
            let now = crate::browser::page::now();
            let expires_in = if report.is_object() {
                Reflect::get(&report, &JsValue::from_str("expiresIn")).unwrap_or(JsValue::UNDEFINED)
            } else {
                JsValue::UNDEFINED
            };
            let input = if expires_in.is_undefined() {
                Input::Observed(Observed::Request { at: now })
            } else {
                let remaining_ms = expires_in
                    .as_f64()
                    .and_then(seconds_to_ms)
                    .ok_or_else(|| JsError::new("session-guard: touch: `expiresIn` must be a number of seconds"))?;
                Input::Observed(Observed::Report { at: now, remaining_ms })
            };
            self.shell.handle(input);
            Ok(())
        }

        /// Saves every guarded form's draft now.
        #[wasm_bindgen(js_name = saveDrafts)]
        pub fn save_drafts(&self) {
            self.shell.save_drafts();
        }

        /// Writes the stored drafts back into this page's forms (for `restore: "manual"`).
        #[wasm_bindgen(js_name = restoreDrafts)]
        pub fn restore_drafts(&self) {
            self.shell.restore_drafts();
        }

        /// Deletes the draft of `form` (every guarded form's without one): for apps that submit
        /// with `fetch`, once the server accepted it.
        #[wasm_bindgen(js_name = discardDrafts)]
        pub fn discard_drafts(&self, form: JsValue) {
            self.shell.discard_drafts(&form);
        }

        /// Saves and restores a field the guard cannot see (an editor of its own): `read()` gives
        /// its value as a string, `write(value)` puts a saved one back. The element belongs to
        /// the form around it. Returns the function that unregisters it.
        #[wasm_bindgen(js_name = registerField)]
        pub fn register_field(&self, element: JsValue, handlers: JsValue) -> JsValue {
            self.shell.register_field(&element, &handlers)
        }

        /// Stops everything: listeners, timer, observer; removes the dialog.
        pub fn destroy(&self) {
            self.shell.destroy();
        }
    }
}
