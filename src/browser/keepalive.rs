//! The keep-alive, status and logout requests (server contract in README).

use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, Document, Headers, RequestInit, Response, Window};

use super::cell::Lend;
use super::page;
use crate::core::config::Config;
use crate::core::server::{self, LogoutAnswer, PingOutcome, PingResponse};
use crate::core::text;

/// A keep-alive or status request that hangs this long counts as a network failure.
const PING_TIMEOUT_MS: u32 = 10_000;

thread_local! {
    /// The CSRF token the server last handed over in a keep-alive or status answer: sent
    /// instead of the configured source's (the page may hold the previous session's). In
    /// memory only: never stored, never told to the other tabs.
    static FRESH_TOKEN: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

#[wasm_bindgen(module = "/src/browser/dom.js")]
extern "C" {
    /// `{ method, credentials: "same-origin", headers }` with our headers and, when there is a
    /// token, the CSRF header.
    #[wasm_bindgen(js_name = requestInit)]
    fn request_init_js(method: &str, header: &str, token: Option<String>) -> RequestInit;
}

fn request_init(document: &Document, config: &Config, method: &str) -> RequestInit {
    // `try_with`, not `with`: no access panic (and its formatting) in the wasm.
    let fresh = FRESH_TOKEN.try_with(|fresh| fresh.with_ref(Option::clone)).ok().flatten().flatten();
    let token = fresh.or_else(|| page::csrf_token(document, &config.csrf));
    request_init_js(method, &config.csrf.header, token)
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

/// Sends one keep-alive (`POST keepAliveUrl`) and calls `done` with its classification.
/// Never fails: a network error is `Retry`.
pub fn ping(window: Window, document: Document, config: Rc<Config>, done: impl FnOnce(PingOutcome) + 'static) {
    let url = config.keep_alive_url.clone();
    ask(window, document, config, &url, "POST", Box::new(done));
}

/// Asks `GET statusUrl` how long the session has left; its answer is classified as a
/// keep-alive's is (the core reads it as a status: see `Input::StatusResult`).
pub fn status(window: Window, document: Document, config: Rc<Config>, done: impl FnOnce(PingOutcome) + 'static) {
    let url = config.status_url.clone().unwrap_or_default();
    ask(window, document, config, &url, "GET", Box::new(done));
}

fn ask(window: Window, document: Document, config: Rc<Config>, url: &str, method: &str, done: Box<dyn FnOnce(PingOutcome)>) {
    let init = request_init(&document, &config, method);
    page::set_prop(&init, "signal", &AbortSignal::timeout_with_u32(PING_TIMEOUT_MS));
    let request = window.fetch_with_str_and_init(url, &init);
    when_settled(&request, move |response| {
        // fetch() resolves to a Response or rejects.
        let Some(response) = response.map(JsCast::unchecked_into::<Response>) else {
            return done(server::classify(None));
        };
        let headers: Headers = page::prop(&response, "headers").unchecked_into();
        let header = |name: &str| headers.get(name).ok().flatten().unwrap_or_default();
        let content_type = header("content-type");
        let login_path = config.login_url.as_deref().and_then(|u| page::path_of(&window, u));
        let final_path = page::path_of(&window, &final_url(&response)).unwrap_or_default();
        let redirected = redirected(&response);
        let mut facts = PingResponse {
            status: page::prop(&response, "status").as_f64().unwrap_or(0.0) as u16,
            redirected_to_login: redirected && login_path.is_some_and(|login| server::is_login_path(&final_path, &login)),
            // `redirected`: the response came from another URL than the keep-alive's.
            redirected_away: redirected,
            html: text::contains_ignore_case(&content_type, "html"),
            login_page: false,
            expires_in_ms: server::parse_expires_in_header(&header("session-expires-in"))
                .or_else(|| server::parse_server_timing(&header("server-timing"))),
        };
        let body = response.text().unwrap_or_else(|_| Promise::resolve(&JsValue::from_str("")));
        when_settled(&body, move |text| {
            let text = text.and_then(|t| t.as_string()).unwrap_or_default();
            let mut token = String::new();
            if text::contains_ignore_case(&content_type, "json") {
                let json = js_sys::JSON::parse(&text).unwrap_or_default();
                let expires_in = page::prop(&json, "expiresIn").as_f64().and_then(server::seconds_to_ms);
                facts.expires_in_ms = expires_in.or(facts.expires_in_ms);
                token = page::prop_string(&json, "csrfToken");
            } else {
                facts.login_page = server::looks_like_login_page(&content_type, &text);
            }
            let outcome = server::classify(Some(&facts));
            if server::fresh_csrf_token(outcome, &token) {
                page::write_csrf_token(&document, &config.csrf, &token);
                _ = FRESH_TOKEN.try_with(|fresh| fresh.with_mut(|fresh| *fresh = Some(token)));
            }
            done(outcome)
        });
    });
}

/// Ends the server session, then leaves the page: for the login page when
/// configured, else wherever the logout response ended (its redirect).
pub fn logout(window: Window, document: Document, config: Rc<Config>) {
    let Some(logout_url) = config.logout_url.clone() else {
        if let Some(login) = config.login_url.as_deref() {
            page::navigate(&window, login);
        }
        return;
    };
    let init = request_init(&document, &config, "POST");
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
