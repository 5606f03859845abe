//! The keep-alive, status and logout requests (server contract in README).

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, Document, Headers, RequestInit, Response, Window};

use super::page;
use crate::core::config::Config;
use crate::core::server::{self, Answer, LogoutAnswer, LogoutStart, PingOutcome};

/// A keep-alive or status request that hangs this long counts as a network failure.
const PING_TIMEOUT_MS: u32 = 10_000;

#[wasm_bindgen(module = "/src/browser/dom.js")]
extern "C" {
    /// `{ method, credentials: "same-origin", headers }` with our headers and, when there is a
    /// token, the CSRF header.
    #[wasm_bindgen(js_name = requestInit)]
    fn request_init_js(method: &str, header: &str, token: Option<String>) -> RequestInit;
}

/// The guard's own requests to the server (keep-alive, status, logout), and the CSRF token the
/// server last handed over in a keep-alive or status answer: sent instead of the configured
/// source's (the page may hold the previous session's). In memory only: never stored, never told
/// to the other tabs. Clones share the token.
#[derive(Clone)]
pub struct Link {
    window: Window,
    document: Document,
    config: Rc<Config>,
    fresh_token: Rc<Cell<Option<String>>>,
}

/// Runs `then` once `promise` settles, with its value, or `None` when it rejected.
/// `Promise.allSettled` never rejects, so the one callback always runs, once, and is
/// freed after (no async executor: it would cost several KB of wasm).
pub fn when_settled(promise: &Promise, then: impl FnOnce(Option<JsValue>) + 'static) {
    settled(promise, Box::new(then));
}

/// The body of [`when_settled`], shared by every callback rather than copied per closure type.
fn settled(promise: &Promise, then: Box<dyn FnOnce(Option<JsValue>)>) {
    let callback = Closure::once_into_js(move |results: JsValue| {
        let result = Reflect::get_u32(&results, 0).unwrap_or_default();
        let fulfilled = page::prop_string(&result, "status") == "fulfilled";
        then(fulfilled.then(|| page::prop(&result, "value")))
    });
    // `then` through `Function.call`: js-sys's typed `then` wants a `Closure` kept alive by
    // its owner, where this one frees itself once called.
    let settled = Promise::all_settled(&Array::of1(promise));
    let then: Function = page::prop(&settled, "then").unchecked_into();
    let _ = then.call1(&settled, &callback);
}

// Response fields by name (see `page::prop`).

/// Where the response ended, after any redirects.
fn final_url(response: &Response) -> String {
    page::prop_string(response, "url")
}

fn redirected(response: &Response) -> bool {
    page::prop(response, "redirected").as_bool().unwrap_or(false)
}

impl Link {
    /// The requests of one guard, with no fresh token yet.
    pub fn new(window: Window, document: Document, config: Rc<Config>) -> Link {
        Link { window, document, config, fresh_token: Rc::default() }
    }

    fn request_init(&self, method: &str) -> RequestInit {
        let fresh = self.fresh_token.take();
        self.fresh_token.set(fresh.clone());
        let token = fresh.or_else(|| page::csrf_token(&self.document, &self.config.csrf));
        request_init_js(method, &self.config.csrf.header, token)
    }

    /// Sends one keep-alive (`POST keepAliveUrl`) and calls `done` with its classification.
    /// Never fails: a network error is `Retry`.
    pub fn ping(&self, done: impl FnOnce(PingOutcome) + 'static) {
        self.ask(&self.config.keep_alive_url, "POST", Box::new(done));
    }

    /// Asks `GET statusUrl` how long the session has left; its answer is classified as a
    /// keep-alive's is (the core reads it as a status: see `Input::StatusResult`).
    pub fn status(&self, done: impl FnOnce(PingOutcome) + 'static) {
        self.ask(self.config.status_url.as_deref().unwrap_or_default(), "GET", Box::new(done));
    }

    fn ask(&self, url: &str, method: &str, done: Box<dyn FnOnce(PingOutcome)>) {
        let Link { window, document, config, fresh_token } = self.clone();
        let init = self.request_init(method);
        page::set_prop(&init, "signal", &AbortSignal::timeout_with_u32(PING_TIMEOUT_MS));
        let request = window.fetch_with_str_and_init(url, &init);
        when_settled(&request, move |response| {
            // fetch() resolves to a Response or rejects.
            let Some(response) = response.map(JsCast::unchecked_into::<Response>) else {
                return done(server::classify(None));
            };
            let headers: Headers = page::prop(&response, "headers").unchecked_into();
            let header = |name: &str| headers.get(name).ok().flatten().unwrap_or_default();
            let (content_type, expires_in_header, server_timing) = (header("content-type"), header("session-expires-in"), header("server-timing"));
            let login_path = config.login_url.as_deref().and_then(|u| page::path_of(&window, u));
            let final_path = page::path_of(&window, &final_url(&response)).unwrap_or_default();
            let (status, redirected) = (page::prop(&response, "status").as_f64().unwrap_or(0.0) as u16, redirected(&response));
            let body = response.text().unwrap_or_else(|_| Promise::resolve(&JsValue::from_str("")));
            when_settled(&body, move |text| {
                let body = text.and_then(|t| t.as_string()).unwrap_or_default();
                let read = server::read_answer(&Answer {
                    status,
                    redirected,
                    final_path: &final_path,
                    login_path: login_path.as_deref(),
                    content_type: &content_type,
                    expires_in_header: &expires_in_header,
                    server_timing: &server_timing,
                    body: &body,
                });
                if let Some(token) = read.fresh_token {
                    page::write_csrf_token(&document, &config.csrf, &token);
                    fresh_token.set(Some(token));
                }
                done(read.outcome)
            });
        });
    }

    /// Ends the server session, then leaves the page: for the login page when
    /// configured, else wherever the logout response ended (its redirect).
    pub fn logout(&self) {
        let Link { window, config, .. } = self.clone();
        let logout_url = match server::logout_start(config.logout_url.as_deref(), config.login_url.as_deref()) {
            LogoutStart::Request(url) => url.to_owned(),
            LogoutStart::GoTo(login) => return page::navigate(&window, login),
            LogoutStart::Nothing => return,
        };
        let init = self.request_init("POST");
        let request = window.fetch_with_str_and_init(&logout_url, &init);
        when_settled(&request, move |response| {
            let response = response.map(JsCast::unchecked_into::<Response>);
            let final_url = response.as_ref().map(final_url).unwrap_or_default();
            let answer = match &response {
                Some(response) => LogoutAnswer::Answered { redirected: redirected(response), final_url: &final_url },
                None => LogoutAnswer::Failed,
            };
            page::navigate(&window, server::after_logout(&logout_url, config.login_url.as_deref(), answer));
        });
    }
}
