//! The browser shell: web-sys glue that feeds the core and carries out its outputs.

mod activity;
pub(crate) mod cell;
mod dialog;
mod drafts;
pub mod events;
mod keepalive;
mod listener;
mod observer;
pub mod options;
pub mod page;
pub mod shell;
mod storage;
mod tabs;
