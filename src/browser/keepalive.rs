//! The keep-alive and logout requests (server contract in README).

use wasm_bindgen::{JsCast, UnwrapThrowExt};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Document, Headers, RequestInit, Response, Window};

use super::page;
use crate::core::config::Config;
use crate::core::server::{self, PingOutcome, PingResponse};
use crate::core::text;

/// A keep-alive that hangs this long counts as a network failure (and is retried).
const PING_TIMEOUT_MS: u32 = 10_000;

fn post_init(document: &Document, config: &Config) -> RequestInit {
    let headers = Headers::new().unwrap_throw();
    let _ = headers.set("X-Requested-With", "XMLHttpRequest");
    let _ = headers.set("Accept", "application/json");
    if let Some(token) = page::csrf_token(document, &config.csrf) {
        let _ = headers.set(&config.csrf.header, &token);
    }
    page::object(&[
        ("method", "POST".into()),
        ("credentials", "same-origin".into()),
        ("headers", headers.into()),
    ])
    .unchecked_into()
}

async fn fetch(window: &Window, url: &str, init: &RequestInit) -> Option<Response> {
    // fetch() resolves to a Response or rejects.
    Some(JsFuture::from(window.fetch_with_str_and_init(url, init)).await.ok()?.unchecked_into())
}

// Response fields by name (see `page::prop`).

/// Where the response ended, after any redirects.
fn final_url(response: &Response) -> String {
    page::prop_string(response, "url")
}

fn redirected(response: &Response) -> bool {
    page::prop(response, "redirected").as_bool().unwrap_or(false)
}

async fn body_text(response: &Response) -> String {
    match response.text() {
        Ok(promise) => JsFuture::from(promise).await.ok().and_then(|t| t.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Sends one keep-alive and classifies the answer. Never fails: a network error is `Retry`.
pub async fn ping(window: Window, document: Document, config: &Config) -> PingOutcome {
    let init = post_init(&document, config);
    page::set_prop(&init, "signal", &AbortSignal::timeout_with_u32(PING_TIMEOUT_MS));
    let Some(response) = fetch(&window, &config.keep_alive_url, &init).await else {
        return server::classify(None);
    };
    let headers: Headers = page::prop(&response, "headers").unchecked_into();
    let header = |name: &str| headers.get(name).ok().flatten().unwrap_or_default();
    let content_type = header("content-type");
    let login_path = config.login_url.as_deref().and_then(|u| page::path_of(&window, u));
    let final_path = page::path_of(&window, &final_url(&response)).unwrap_or_default();
    let mut facts = PingResponse {
        status: page::prop(&response, "status").as_f64().unwrap_or(0.0) as u16,
        redirected_to_login: redirected(&response)
            && login_path.is_some_and(|login| server::is_login_path(&final_path, &login)),
        login_page: false,
        expires_in_ms: server::parse_expires_in_header(&header("session-expires-in"))
            .or_else(|| server::parse_server_timing(&header("server-timing"))),
    };
    let text = body_text(&response).await;
    if text::contains_ignore_case(&content_type, "json") {
        let expires_in = js_sys::JSON::parse(&text)
            .ok()
            .and_then(|json| page::prop(&json, "expiresIn").as_f64())
            .and_then(server::seconds_to_ms);
        facts.expires_in_ms = expires_in.or(facts.expires_in_ms);
    } else {
        facts.login_page = server::looks_like_login_page(&content_type, &text);
    }
    server::classify(Some(&facts))
}

/// Ends the server session, then leaves the page: for the login page when
/// configured, else wherever the logout response ended (its redirect).
pub async fn logout(window: Window, document: Document, config: &Config) {
    let Some(logout_url) = config.logout_url.as_deref() else {
        if let Some(login) = config.login_url.as_deref() {
            page::navigate(&window, login);
        }
        return;
    };
    let init = post_init(&document, config);
    match fetch(&window, logout_url, &init).await {
        Some(response) => {
            let target = match &config.login_url {
                Some(login) if !redirected(&response) => login.clone(),
                _ => final_url(&response),
            };
            page::navigate(&window, &target);
        }
        // The server could not be told: let the browser try a plain navigation to the logout URL.
        None => page::navigate(&window, logout_url),
    }
}
