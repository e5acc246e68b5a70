//! Turning a file's bytes into text: the one decoder every reader uses (the
//! competitor and score CSV imports here, and every format of the inbound
//! crate's mapped imports and polls).
//!
//! Files from timing systems and spreadsheets arrive in whatever encoding the
//! machine that wrote them used. The rules, in order:
//!
//! 1. A byte order mark decides: UTF-8, UTF-16 little-endian or UTF-16
//!    big-endian (the mark itself is dropped).
//! 2. Without a mark, text that is valid UTF-8 is UTF-8.
//! 3. Without a mark, text whose every other byte is mostly zero is UTF-16
//!    without a mark (what some Windows exports write); the zero bytes'
//!    side decides the byte order.
//! 4. Anything else is Windows-1252, which is what spreadsheet programs on
//!    Windows write; every byte sequence decodes, so reading never fails.
//!
//! Unpaired UTF-16 surrogates and an odd trailing byte become U+FFFD.

use serde::{Deserialize, Serialize};

/// The encoding a text was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    Utf8,
    Utf8WithBom,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8WithBom => "UTF-8 with byte order mark",
            TextEncoding::Utf16Le => "UTF-16 little-endian",
            TextEncoding::Utf16Be => "UTF-16 big-endian",
            TextEncoding::Windows1252 => "Windows-1252",
        }
    }
}

fn decode_utf16(bytes: &[u8], little_endian: bool) -> String {
    let units = bytes.chunks(2).map(|pair| match pair {
        [a, b] if little_endian => u16::from_le_bytes([*a, *b]),
        [a, b] => u16::from_be_bytes([*a, *b]),
        // An odd trailing byte cannot be a whole code unit.
        _ => 0xFFFD,
    });
    char::decode_utf16(units)
        .map(|unit| unit.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Without a byte order mark: does this look like UTF-16, and which order?
fn sniff_utf16(bytes: &[u8]) -> Option<bool> {
    let sample = &bytes[..bytes.len().min(4096)];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_zero = sample.chunks(2).filter(|pair| pair[0] == 0).count();
    let odd_zero = sample
        .chunks(2)
        .filter(|pair| pair.len() == 2 && pair[1] == 0)
        .count();
    if odd_zero * 10 >= pairs * 9 && even_zero * 10 <= pairs {
        Some(true)
    } else if even_zero * 10 >= pairs * 9 && odd_zero * 10 <= pairs {
        Some(false)
    } else {
        None
    }
}

fn windows_1252_char(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH[(byte - 0x80) as usize],
        _ => byte as char,
    }
}

/// Whether [`decode_text`] returns valid UTF-8 `bytes` unchanged (no byte
/// order mark, not taken for UTF-16).
pub(crate) fn is_plain_utf8(bytes: &[u8]) -> bool {
    !bytes.starts_with(&[0xEF, 0xBB, 0xBF])
        && !bytes.starts_with(&[0xFF, 0xFE])
        && !bytes.starts_with(&[0xFE, 0xFF])
        && sniff_utf16(bytes).is_none()
}

/// Decodes `bytes` following the module's rules.
pub fn decode_text(bytes: &[u8]) -> (String, TextEncoding) {
    if let Some(body) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return (
            String::from_utf8_lossy(body).into_owned(),
            TextEncoding::Utf8WithBom,
        );
    }
    if let Some(body) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return (decode_utf16(body, true), TextEncoding::Utf16Le);
    }
    if let Some(body) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return (decode_utf16(body, false), TextEncoding::Utf16Be);
    }
    if let Some(little_endian) = sniff_utf16(bytes) {
        let encoding = if little_endian {
            TextEncoding::Utf16Le
        } else {
            TextEncoding::Utf16Be
        };
        return (decode_utf16(bytes, little_endian), encoding);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), TextEncoding::Utf8),
        Err(_) => (
            bytes.iter().map(|byte| windows_1252_char(*byte)).collect(),
            TextEncoding::Windows1252,
        ),
    }
}

/// The delimiter (comma, semicolon or tab) occurring most often outside
/// quotes in a header line; comma on a tie or when none occurs. The one rule
/// every CSV reader (competitor imports, mapped imports and feeds) uses.
pub fn sniff_delimiter(header_line: &str) -> u8 {
    let mut counts = [(b',', 0_usize), (b';', 0), (b'\t', 0)];
    let mut in_quotes = false;
    for byte in header_line.bytes() {
        if byte == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes {
            for (delimiter, count) in counts.iter_mut() {
                if byte == *delimiter {
                    *count += 1;
                }
            }
        }
    }
    // Ties keep the earlier entry, so comma wins when nothing is found.
    counts
        .iter()
        .fold((b',', 0), |best, candidate| {
            if candidate.1 > best.1 {
                *candidate
            } else {
                best
            }
        })
        .0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, mark: bool, little_endian: bool) -> Vec<u8> {
        let mut bytes = Vec::new();
        if mark {
            bytes.extend(if little_endian {
                [0xFF, 0xFE]
            } else {
                [0xFE, 0xFF]
            });
        }
        for unit in text.encode_utf16() {
            bytes.extend(if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        bytes
    }

    #[test]
    fn byte_order_marks_and_fallbacks_are_recognised() {
        assert_eq!(
            decode_text(b"bib,time"),
            ("bib,time".into(), TextEncoding::Utf8)
        );
        assert_eq!(
            decode_text(b"\xEF\xBB\xBFbib"),
            ("bib".into(), TextEncoding::Utf8WithBom)
        );
        assert_eq!(
            decode_text(&utf16("Chloé", true, true)),
            ("Chloé".into(), TextEncoding::Utf16Le)
        );
        assert_eq!(
            decode_text(&utf16("Tomás", true, false)),
            ("Tomás".into(), TextEncoding::Utf16Be)
        );
        assert_eq!(
            decode_text(&utf16("bib,name\n1,Zoë\n", false, true)),
            ("bib,name\n1,Zoë\n".into(), TextEncoding::Utf16Le)
        );
        assert_eq!(
            decode_text(b"Chlo\xE9 \x80"),
            ("Chloé €".into(), TextEncoding::Windows1252)
        );
        // Nothing panics on odd lengths or lone surrogates.
        let (text, _) = decode_text(&[0xFF, 0xFE, 0x00, 0xD8, 0x41]);
        assert_eq!(text, "\u{FFFD}\u{FFFD}");
    }
}
