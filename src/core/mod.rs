//! The pure core: every decision session-guard makes, as functions of inputs and
//! time. No clock, no DOM, no wasm-bindgen: tested natively with `cargo test`.
//!
//! Leaf modules first: [`session`] (the vocabulary), [`keys`] (every storage key),
//! [`json`], [`decimal`], [`text`], [`form_record`] (the rows form_io.js sends); then
//! what builds on them, up to [`machine`]. No module imports one that imports it back.

#![forbid(unsafe_code)]

pub mod config;
pub mod decimal;
pub mod drafts;
pub mod form_record;
pub mod i18n;
pub mod json;
pub mod keys;
pub mod machine;
pub mod options;
pub mod seal;
pub mod server;
pub mod session;
pub mod session_start;
pub mod tabs;
pub mod text;
