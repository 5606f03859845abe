//! JSON, both ways: text to [`Value`]s ([`parse`]) and strings to JSON text
//! ([`push_json_string`]). The shell hands large data across the wasm boundary
//! as one JSON string (a form's fields, a stored draft): one copy instead of a
//! call per property, which for a 500-field form is the difference between
//! milliseconds and tens of them. Small on purpose: no float parser (numbers are
//! plain decimals, see [`parse_decimal`]), no `core::fmt`, no panicking slices.

use super::decimal::parse_decimal;

/// A JS or JSON value, reduced to what options and the shell's documents hold.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null` (and, from JS, `undefined`).
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    Str(String),
    /// An object's entries, in order.
    Map(Vec<(String, Value)>),
    /// An array.
    List(Vec<Value>),
    /// Anything else (functions, symbols, too deep): always a type error.
    Other,
}

impl Value {
    /// The value of `key` when this is an object that has it.
    pub fn field(&self, key: &str) -> Option<&Value> {
        let Value::Map(entries) = self else { return None };
        entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Deeper nesting than this is refused: our documents are three levels deep.
const MAX_DEPTH: u8 = 8;

/// Parses a whole JSON document; `None` for anything malformed, trailing text included.
pub fn parse(text: &str) -> Option<Value> {
    let mut parser = Parser { text, at: 0 };
    let value = parser.value(0)?;
    parser.skip_space();
    (parser.at == text.len()).then_some(value)
}

/// [`parse`] of UTF-8 bytes; `None` when they are not UTF-8.
pub fn parse_utf8(bytes: Vec<u8>) -> Option<Value> {
    parse(&String::from_utf8(bytes).ok()?)
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn literal(&mut self, word: &str, value: Value) -> Option<Value> {
        let rest = self.text.get(self.at..)?;
        rest.starts_with(word).then(|| {
            self.at += word.len();
            value
        })
    }

    fn value(&mut self, depth: u8) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_space();
        match self.peek()? {
            b'"' => self.string().map(Value::Str),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Value::List(items))
            }
            b'{' => {
                self.at += 1;
                let mut entries = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        self.skip_space();
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return None;
                        }
                        entries.push((key, self.value(depth + 1)?));
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Value::Map(entries))
            }
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Null),
            _ => self.number(),
        }
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.at;
        while matches!(self.peek(), Some(b'-' | b'+' | b'.' | b'0'..=b'9' | b'e' | b'E')) {
            self.at += 1;
        }
        let text = self.text.get(start..self.at)?;
        match parse_decimal(text) {
            Some(number) => Some(Value::Number(number)),
            // An exponent (`1e-05`, as Python writes small floats) in a server's answer: the
            // rest of the document still counts; the number itself reads as no number.
            None if text.bytes().any(|b| b == b'e' || b == b'E') && text.bytes().any(|b| b.is_ascii_digit()) => Some(Value::Other),
            None => None,
        }
    }

    /// A string at `"`: runs without escapes are copied whole, so a 200 KB value costs one
    /// scan and one copy.
    fn string(&mut self) -> Option<String> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            let rest = self.text.as_bytes().get(start..)?;
            self.at += rest.iter().position(|b| matches!(b, b'"' | b'\\'))?;
            out.push_str(self.text.get(start..self.at)?);
            let quote = self.peek()? == b'"';
            self.at += 1;
            if quote {
                return Some(out);
            }
            let escaped = self.peek()?;
            self.at += 1;
            out.push(match escaped {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => self.escaped_char()?,
                _ => return None,
            });
        }
    }

    /// After `\u`: one code unit, or a surrogate pair. A lone surrogate (which
    /// `JSON.stringify` writes as `\udXXX`) becomes U+FFFD.
    fn escaped_char(&mut self) -> Option<char> {
        let unit = self.hex4()?;
        if (0xd800..0xdc00).contains(&unit) && self.text.get(self.at..)?.starts_with("\\u") {
            let saved = self.at;
            self.at += 2;
            let low = self.hex4()?;
            if (0xdc00..0xe000).contains(&low) {
                return char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00));
            }
            self.at = saved;
        }
        Some(char::from_u32(unit).unwrap_or('\u{fffd}'))
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        self.at += 4;
        let mut unit = 0;
        for byte in digits.bytes() {
            unit = unit * 16 + (byte as char).to_digit(16)?;
        }
        Some(unit)
    }
}

/// Appends `text` as a JSON string, quoted and escaped.
pub fn push_json_string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    // Runs of plain text are copied whole: a 200 KB textarea is one copy, not 200 K pushes.
    // Every byte escaped is ASCII, so each run ends on a character boundary.
    let mut run_start = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(text.get(run_start..at).unwrap_or_default());
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from_digit((byte >> 4) as u32, 16).unwrap_or('0'));
            out.push(char::from_digit((byte & 0xf) as u32, 16).unwrap_or('0'));
        } else {
            out.push_str(escape);
        }
        run_start = at + 1;
    }
    out.push_str(text.get(run_start..).unwrap_or_default());
    out.push('"');
}
