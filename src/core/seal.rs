//! Drafts at rest, sealed with the user's `draftKey`: ChaCha20-Poly1305 (RFC 8439; RustCrypto's
//! `chacha20` and `poly1305` behind crates/aead, which says why), a fresh random nonce for
//! every write, and the key's id and the storage key (which holds the user hash, the path and
//! the form) bound as associated data. A record copied under another key, another user's
//! prefix or another draft key does not open. Sans-IO like the rest of the core: the shell
//! brings the nonce's random bytes (`crypto.getRandomValues`) and the texts; nothing here
//! reads a clock or storage.
//!
//! A sealed value is text, as localStorage holds: `sg1.<key id>.<nonce ‖ ciphertext ‖ tag>`,
//! both parts base64url without padding. The key id is 6 bytes of a Poly1305 tag under the
//! key (of an empty message with a fixed nonce): it tells a draft of another key (swept like
//! another user's, quietly) from a tampered one, and says nothing of the key.

use session_guard_aead::{decrypt, encrypt};

/// What every sealed value starts with; no plain record (`{"v":…`) does.
pub const SEALED_PREFIX: &str = "sg1.";
pub use session_guard_aead::NONCE_LEN;
use session_guard_aead::TAG_LEN;
const KEY_ID_LEN: usize = 6;
/// The nonce only the key id is made with; a random one equals it with probability 2⁻⁹⁶.
const KEY_ID_NONCE: [u8; NONCE_LEN] = [0xff; NONCE_LEN];

/// A value sealed under a key this page was not given (or sealed while the page has no
/// key, or plain while it has one): not readable here, swept like another user's.
pub const OTHER_KEY: &str = "a draft under another draft key";
/// Sealed under one of this page's keys, but it does not open: altered or cut.
pub const TAMPERED: &str = "a draft failed its integrity check";

/// One user's draft keys: the first seals, every one opens (the previous key, while drafts
/// written before a rotation are younger than `draftTtl`).
pub struct DraftCipher {
    keys: Vec<(String, [u8; 32])>,
}

impl core::fmt::Debug for DraftCipher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("DraftCipher")
    }
}

impl DraftCipher {
    /// `None` without keys: drafts are stored in clear.
    pub fn new(keys: &[[u8; 32]]) -> Option<DraftCipher> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let mut id = String::new();
            // An empty text always seals; a key that did not is left out (no drafts under it).
            let Ok(tag) = encrypt(key, &KEY_ID_NONCE, b"session-guard key id", &mut []) else { continue };
            push_base64url(&mut id, &tag[..KEY_ID_LEN]);
            out.push((id, *key));
        }
        (!out.is_empty()).then_some(DraftCipher { keys: out })
    }

    /// The id of the key that seals (for tests and diagnostics).
    pub fn key_id(&self) -> &str {
        &self.keys[0].0
    }

    /// Seals `plain`, stored under `storage_key`, with the first key and `nonce` (random,
    /// fresh for this write).
    /// `None` when it did not seal: nothing of `plain` is ever returned unsealed.
    pub fn seal(&self, storage_key: &str, plain: &[u8], nonce: [u8; NONCE_LEN]) -> Option<String> {
        let mut buffer = Vec::with_capacity(NONCE_LEN + plain.len() + TAG_LEN);
        buffer.extend_from_slice(&nonce);
        buffer.extend_from_slice(plain);
        let mut out = self.seal_buffer(storage_key, &mut buffer)?;
        push_base64url(&mut out, &buffer);
        Some(out)
    }

    /// [`DraftCipher::seal`] of a buffer laid out as it is stored, `nonce ‖ text`: sealed where
    /// it lies (no copy of a long text) into `nonce ‖ ciphertext ‖ tag`, whose base64url
    /// follows the returned head (`sg1.<key id>.`) in the stored text. `None` for a buffer
    /// shorter than a nonce, or longer than the AEAD seals (then nothing is claimed saved).
    pub fn seal_buffer(&self, storage_key: &str, buffer: &mut Vec<u8>) -> Option<String> {
        let (id, key) = &self.keys[0];
        let (nonce, text) = buffer.split_first_chunk_mut::<NONCE_LEN>()?;
        let tag = encrypt(key, nonce, &associated_data(id, storage_key), text).ok()?;
        buffer.extend_from_slice(&tag);
        let mut head = String::with_capacity(SEALED_PREFIX.len() + id.len() + 1);
        head.push_str(SEALED_PREFIX);
        head.push_str(id);
        head.push('.');
        Some(head)
    }

    /// The plain text of a value stored under `storage_key`: [`OTHER_KEY`] when no key of
    /// this page sealed it (or it is not sealed at all), [`TAMPERED`] when it does not open.
    pub fn open(&self, storage_key: &str, stored: &str) -> Result<Vec<u8>, &'static str> {
        let rest = stored.strip_prefix(SEALED_PREFIX).ok_or(OTHER_KEY)?;
        let (id, body) = rest.split_once('.').ok_or(TAMPERED)?;
        let (id, key) = self.keys.iter().find(|(known, _)| known == id).ok_or(OTHER_KEY)?;
        let mut bytes = decode_base64url(body).ok_or(TAMPERED)?;
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return Err(TAMPERED);
        }
        let tag_at = bytes.len() - TAG_LEN;
        let (head, tag) = bytes.split_at_mut(tag_at);
        let (nonce, text) = head.split_at_mut(NONCE_LEN);
        let nonce: &[u8; NONCE_LEN] = (&*nonce).try_into().map_err(|_| TAMPERED)?;
        let tag: &[u8; TAG_LEN] = (&*tag).try_into().map_err(|_| TAMPERED)?;
        decrypt(key, nonce, &associated_data(id, storage_key), text, tag).map_err(|_| TAMPERED)?;
        bytes.truncate(tag_at);
        bytes.drain(..NONCE_LEN);
        Ok(bytes)
    }
}

/// The key id and the storage key (`session-guard:1:<user hash>:<path>|<form>`).
fn associated_data(id: &str, storage_key: &str) -> Vec<u8> {
    let mut ad = Vec::with_capacity(id.len() + 1 + storage_key.len());
    ad.extend_from_slice(id.as_bytes());
    ad.push(b'\n');
    ad.extend_from_slice(storage_key.as_bytes());
    ad
}

/// Whether a stored value is sealed ([`SEALED_PREFIX`]).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

/// A `draftKey`: base64url (padding allowed) of exactly 32 bytes.
pub fn decode_key(text: &str) -> Option<[u8; 32]> {
    decode_base64url(text.trim().trim_end_matches('=')).and_then(|bytes| bytes.try_into().ok())
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding.
pub fn push_base64url(out: &mut String, bytes: &[u8]) {
    let whole = bytes.len() / 3;
    let mut buffer = vec![0u8; whole * 4];
    let mut chunks = bytes.chunks_exact(3);
    for (chunk, to) in (&mut chunks).zip(buffer.chunks_exact_mut(4)) {
        let n = (chunk[0] as u32) << 16 | (chunk[1] as u32) << 8 | chunk[2] as u32;
        to[0] = ALPHABET[(n >> 18) as usize & 63];
        to[1] = ALPHABET[(n >> 12) as usize & 63];
        to[2] = ALPHABET[(n >> 6) as usize & 63];
        to[3] = ALPHABET[n as usize & 63];
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let n = rest.iter().enumerate().fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..=rest.len() {
            buffer.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]);
        }
    }
    // Only ASCII went in.
    out.push_str(core::str::from_utf8(&buffer).unwrap_or_default());
}

/// The value of a base64url character, 255 for any other byte.
fn sextet(c: u8) -> u8 {
    match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => 255,
    }
}

/// Base64url without padding; `None` for any other character, an impossible length, or bits set
/// past the last byte (only one text stands for given bytes).
pub fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3 + 2);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = sextet(*c);
            if v > 63 {
                return None;
            }
            n |= (v as u32) << (18 - 6 * i);
        }
        // Canonical only: the bits past the last byte are zero.
        let len = chunk.len() as u32;
        if n & (((1 << (8 - 2 * len)) - 1) << (24 - 6 * len)) != 0 {
            return None;
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}
