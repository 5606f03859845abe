//! Decimal text to numbers and back, without `core::fmt` or the float parser:
//! each costs kilobytes of wasm, and we only ever see plain decimals
//! (`1800`, `1799.5`, `-1`) in options, headers and Server-Timing.

/// Parses `[+-]digits[.digits]` (or `.5`); anything else, exponents included, is `None`.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, text.get(1..)?),
        b'+' => (false, text.get(1..)?),
        _ => (false, text),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut value = 0.0f64;
    for byte in whole.bytes() {
        value = value * 10.0 + digit(byte)?;
    }
    let mut scale = 0.1;
    for byte in fraction.bytes() {
        value += digit(byte)? * scale;
        scale /= 10.0;
    }
    Some(if negative { -value } else { value })
}

fn digit(byte: u8) -> Option<f64> {
    byte.is_ascii_digit().then(|| (byte - b'0') as f64)
}

/// Appends `n` in decimal.
pub fn push_number(out: &mut String, n: u64) {
    // Most significant digit first, from the largest power of ten not above `n`
    // (no digit buffer: its indexing would bring a bounds-check panic).
    let mut scale = 1;
    while scale <= n / 10 {
        scale *= 10;
    }
    loop {
        out.push(char::from(b'0' + (n / scale % 10) as u8));
        if scale == 1 {
            break;
        }
        scale /= 10;
    }
}
