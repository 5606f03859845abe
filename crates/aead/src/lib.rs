//! ChaCha20-Poly1305 (RFC 8439) from RustCrypto's `chacha20poly1305`, behind two non-generic
//! functions that seal and open a text where it lies (no copy of a long text).
//!
//! A crate of its own for one reason: how the cipher is compiled. Its generic code is compiled
//! in the crate that names its type, and session-guard is compiled at `opt-level = "z"`, where
//! ChaCha20's inner round stays a call per quarter round, with bounds checks. Named here, it
//! gets a level of its own (Cargo.toml's profile): "s". Measured in Chromium 156, the 500-field
//! form with a 200 KB text, back to back, three rounds of five: at 3 the page loaded 641 B more
//! (gzip) for the same first save (16.7 vs 17.5 ms main-thread CPU, medians within one
//! round's spread), the same restore, and the same ChaCha20 time in a CPU profile (6–10 ms
//! either way: the one long call runs in the browser's baseline tier, whatever LLVM made of it).
//! The AEAD itself is RustCrypto's, not composed here.
#![no_std]
#![forbid(unsafe_code)]

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::ChaCha20Poly1305;

/// Bytes of a nonce.
pub const NONCE_LEN: usize = 12;
/// Bytes of a tag.
pub const TAG_LEN: usize = 16;

/// The text did not seal (longer than the AEAD allows, 256 GiB) or did not open (altered, cut,
/// or under another key, nonce or associated data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsealed;

/// Encrypts `text` where it lies under `key` and `nonce` (never used twice with one key),
/// binding `associated_data`; returns the tag.
pub fn encrypt(key: &[u8; 32], nonce: &[u8; NONCE_LEN], associated_data: &[u8], text: &mut [u8]) -> Result<[u8; TAG_LEN], Unsealed> {
    let cipher = ChaCha20Poly1305::new(key.into());
    let tag = cipher.encrypt_in_place_detached(nonce.into(), associated_data, text).map_err(|_| Unsealed)?;
    Ok(tag.into())
}

/// Decrypts `text` where it lies if `tag` is its tag (compared in constant time by the crate);
/// else leaves it as it is.
pub fn decrypt(key: &[u8; 32], nonce: &[u8; NONCE_LEN], associated_data: &[u8], text: &mut [u8], tag: &[u8; TAG_LEN]) -> Result<(), Unsealed> {
    let cipher = ChaCha20Poly1305::new(key.into());
    cipher.decrypt_in_place_detached(nonce.into(), associated_data, text, tag.into()).map_err(|_| Unsealed)
}
