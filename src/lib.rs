//! session-guard: keeps users' typed work safe from server session timeouts.
//!
//! [`core`] holds every decision as pure, natively tested code; the browser
//! shell (wasm only) feeds it events and carries out its outputs.

pub mod core;

#[cfg(target_arch = "wasm32")]
mod browser;
