//! Turning a file's bytes into text.
//!
//! Files from timing systems and spreadsheets arrive in whatever encoding the
//! machine that wrote them used. The rules, in order:
//!
//! 1. A byte order mark decides: UTF-8, UTF-16 little-endian or UTF-16
//!    big-endian (the mark itself is dropped).
//! 2. Without a mark, text that is valid UTF-8 is UTF-8.
//! 3. Anything else is Windows-1252, which is what spreadsheet programs on
//!    Windows write; every byte sequence decodes, so reading never fails.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
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

/// Decodes `bytes` following the module's rules.
pub fn decode_text(bytes: &[u8]) -> (String, TextEncoding) {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_length..];
        let (text, _) = encoding.decode_without_bom_handling(body);
        let which = if encoding == UTF_16LE {
            TextEncoding::Utf16Le
        } else if encoding == UTF_16BE {
            TextEncoding::Utf16Be
        } else {
            debug_assert_eq!(encoding, UTF_8);
            TextEncoding::Utf8WithBom
        };
        return (text.into_owned(), which);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), TextEncoding::Utf8),
        Err(_) => {
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), TextEncoding::Windows1252)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let utf16le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Chloé".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(
            decode_text(&utf16le),
            ("Chloé".into(), TextEncoding::Utf16Le)
        );
        let utf16be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Tomás".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(
            decode_text(&utf16be),
            ("Tomás".into(), TextEncoding::Utf16Be)
        );
        // "Chloé" and a euro sign in Windows-1252.
        assert_eq!(
            decode_text(b"Chlo\xE9 \x80"),
            ("Chloé €".into(), TextEncoding::Windows1252)
        );
    }
}
