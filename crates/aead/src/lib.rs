//! ChaCha20-Poly1305 (RFC 8439 §2.8) from RustCrypto's `chacha20` stream cipher and `poly1305`
//! MAC, composed exactly as their `chacha20poly1305` crate composes them (session-guard's
//! tests/core_drafts_sealed.rs checks every output against it), behind two non-generic
//! functions.
//!
//! A crate of its own for one reason: speed in wasm. The stream cipher's generic code is
//! compiled in the crate that names its type, and session-guard is compiled for size
//! (`opt-level = "z"`), where its inner round function stays a call per quarter round, with
//! bounds checks. Named here, it is compiled with the dependencies (`opt-level = 3`).
#![no_std]
#![forbid(unsafe_code)]

use chacha20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};
use chacha20::ChaCha20;
use poly1305::universal_hash::{KeyInit, UniversalHash};
use poly1305::Poly1305;

/// Bytes of a nonce.
pub const NONCE_LEN: usize = 12;
/// Bytes of a tag.
pub const TAG_LEN: usize = 16;

/// The text did not open: altered, cut, or under another key, nonce or associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unopened;

/// Encrypts `text` where it lies under `key` and `nonce` (never used twice with one key),
/// binding `associated_data`; returns the tag.
#[must_use]
pub fn encrypt(key: &[u8; 32], nonce: &[u8; NONCE_LEN], associated_data: &[u8], text: &mut [u8]) -> [u8; TAG_LEN] {
    let (mut stream, mut mac) = begin(key, nonce, associated_data);
    stream.apply_keystream(text);
    mac.update_padded(text);
    finish(mac, associated_data.len(), text.len()).into()
}

/// Decrypts `text` where it lies if `tag` is its tag (compared in constant time); else
/// leaves it as it is.
pub fn decrypt(key: &[u8; 32], nonce: &[u8; NONCE_LEN], associated_data: &[u8], text: &mut [u8], tag: &[u8; TAG_LEN]) -> Result<(), Unopened> {
    let (mut stream, mut mac) = begin(key, nonce, associated_data);
    mac.update_padded(text);
    let last = finish_mac(mac, associated_data.len(), text.len());
    last.verify(tag.into()).map_err(|_| Unopened)?;
    stream.apply_keystream(text);
    Ok(())
}

/// The stream at block 1 and the MAC keyed with block 0, the associated data in it.
fn begin(key: &[u8; 32], nonce: &[u8; NONCE_LEN], associated_data: &[u8]) -> (ChaCha20, Poly1305) {
    let mut stream = ChaCha20::new(key.into(), nonce.into());
    let mut mac_key = [0u8; 32];
    stream.apply_keystream(&mut mac_key);
    let mut mac = Poly1305::new(&mac_key.into());
    stream.seek(64u64);
    mac.update_padded(associated_data);
    (stream, mac)
}

/// The MAC with the lengths block in, the last one.
fn finish_mac(mut mac: Poly1305, associated_data: usize, text: usize) -> Poly1305 {
    let mut block = poly1305::Block::default();
    block[..8].copy_from_slice(&(associated_data as u64).to_le_bytes());
    block[8..].copy_from_slice(&(text as u64).to_le_bytes());
    mac.update(&[block]);
    mac
}

fn finish(mac: Poly1305, associated_data: usize, text: usize) -> poly1305::Block {
    finish_mac(mac, associated_data, text).finalize()
}
