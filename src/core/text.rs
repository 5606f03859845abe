//! Substring search over bytes. `str::contains`/`replace` with a `&str` pattern
//! pull the two-way searcher into the wasm (several KB); our haystacks are short.

/// Byte offset of the first `needle` in `haystack`, ASCII case-insensitively when `fold` is set.
pub fn find(haystack: &str, needle: &str, fold: bool) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return Some(0);
    }
    h.windows(n.len()).position(|w| if fold { w.eq_ignore_ascii_case(n) } else { w == n })
}

/// Whether `haystack` contains `needle`, ignoring ASCII case.
pub fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    find(haystack, needle, true).is_some()
}

/// The text before and after the first `needle` in `haystack`.
///
/// `str::get` instead of indexing: a slice that could panic pulls `core::fmt` and the
/// Unicode tables of `char`'s `Debug` into the wasm (several KB).
pub fn split_around<'a>(haystack: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let at = find(haystack, needle, false)?;
    Some((haystack.get(..at)?, haystack.get(at + needle.len()..)?))
}

/// `template` with its first `{time}` replaced by `value`.
pub fn fill_time(template: &str, value: &str) -> String {
    fill(template, "{time}", value)
}

/// `template` with its first `placeholder` replaced by `value`.
pub fn fill(template: &str, placeholder: &str, value: &str) -> String {
    let mut out = String::with_capacity(template.len() + value.len());
    match split_around(template, placeholder) {
        Some((before, after)) => {
            out.push_str(before);
            out.push_str(value);
            out.push_str(after);
        }
        None => out.push_str(template),
    }
    out
}
