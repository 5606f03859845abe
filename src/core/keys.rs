//! Every storage key (and lock and channel name) session-guard uses, in one place. Each
//! starts with a user's prefix, `session-guard:<schema version>:<user hash>:`; what follows
//! says what it holds: a path (`/…`) for a form's draft, or one of the markers below. The
//! start-up sweep tells them apart by that first character ([`is_draft_key`]).

use super::decimal::push_number;

/// Bumped when the record layout changes; older records are ignored and swept.
pub const SCHEMA_VERSION: u64 = 1;
const NAMESPACE: &str = "session-guard:";

/// The marker of the tabs' shared view of the session (also the BroadcastChannel's name).
pub const TAB_VIEW: char = '$';
/// The marker of the session's start, for `absoluteTimeout`.
pub const SESSION_START: char = '@';
/// The marker of "this user's session expired on `<path>`": the next page load restores.
pub const RESUME: char = '~';
/// The marker of a draft's long text, stored beside its record.
pub const LONG_TEXT: char = '^';
/// What follows the user prefix in the Web Locks name of the tab that sends keep-alives.
const LEADER: &str = "leader";

/// FNV-1a: a stable, tiny, non-cryptographic hash for keys and signatures.
pub fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5u32, |hash, byte| (hash ^ byte as u32).wrapping_mul(0x0100_0193))
}

fn push_hex(out: &mut String, value: u32) {
    for shift in (0..8).rev() {
        let nibble = (value >> (shift * 4)) & 0xf;
        out.push(char::from_digit(nibble, 16).unwrap_or('0'));
    }
}

/// `session-guard:1:<user hash>:`: everything of one user starts with this.
pub fn user_prefix(user: &str) -> String {
    let mut key = String::from(NAMESPACE);
    push_number(&mut key, SCHEMA_VERSION);
    key.push(':');
    push_hex(&mut key, fnv1a(user));
    key.push(':');
    key
}

fn user_key(user: &str, marker: char) -> String {
    let mut key = user_prefix(user);
    key.push(marker);
    key
}

/// The BroadcastChannel name and the storage key of the tabs' shared view: per origin
/// (both are origin-scoped by the browser) and per user.
pub fn tab_view_key(user: &str) -> String {
    user_key(user, TAB_VIEW)
}

/// The Web Locks name held by the tab that sends the keep-alives.
pub fn leader_lock_name(user: &str) -> String {
    let mut name = user_prefix(user);
    name.push_str(LEADER);
    name
}

/// The storage key of a user's session start.
pub fn session_start_key(user: &str) -> String {
    user_key(user, SESSION_START)
}

/// The key of the "this user's session expired on `<path>`" marker that makes the
/// next page load after re-login restore automatically.
pub fn resume_key(user: &str) -> String {
    user_key(user, RESUME)
}

/// The storage key of one form's draft: namespace, schema version, user hash, path, form identity.
pub fn draft_key(user: &str, path: &str, form_id: &str) -> String {
    let mut key = user_prefix(user);
    key.push_str(path);
    key.push('|');
    key.push_str(form_id);
    key
}

/// `(user prefix, rest)` of a key of ours: `session-guard:<version>:<user hash>:` and what follows.
fn split_user_prefix(key: &str) -> Option<(&str, &str)> {
    let rest = key.strip_prefix(NAMESPACE)?;
    let (_, after_version) = rest.split_once(':')?;
    let (_, after_user) = after_version.split_once(':')?;
    key.split_at_checked(key.len() - after_user.len())
}

/// Whether a key of ours holds a form draft: after version and user hash comes a
/// path, where the other keys of a user have a marker ([`TAB_VIEW`], [`SESSION_START`],
/// [`RESUME`], [`LONG_TEXT`]).
pub fn is_draft_key(key: &str) -> bool {
    split_user_prefix(key).is_some_and(|(_, rest)| rest.starts_with('/'))
}

/// The key of a draft's long text number `index` (see `drafts::encode`), beside the record
/// rather than in it: a keystroke elsewhere in the form then rewrites a small record, not a
/// 200 KB textarea, and a save never escapes the text as JSON.
/// `<user prefix>^<index><path>|<form id>`.
pub fn text_key(draft_key: &str, index: u32) -> String {
    let (prefix, rest) = split_user_prefix(draft_key).unwrap_or(("", draft_key));
    let mut key = String::from(prefix);
    key.push(LONG_TEXT);
    push_number(&mut key, index as u64);
    key.push_str(rest);
    key
}

/// Whether a key of ours holds a draft's long text ([`text_key`]).
pub fn is_text_key(key: &str) -> bool {
    split_user_prefix(key).is_some_and(|(_, rest)| rest.starts_with(LONG_TEXT))
}

/// Whether a storage key is one of ours (any user, any version).
pub fn is_our_key(key: &str) -> bool {
    key.starts_with(NAMESPACE)
}
