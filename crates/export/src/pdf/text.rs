//! Text for the standard Helvetica fonts: WinAnsi encoding and widths.
//!
//! The PDFs use the two standard Type 1 fonts Helvetica and Helvetica-Bold
//! with `WinAnsiEncoding`, so nothing is embedded and every viewer has them.
//! [`encode`] turns Rust text into WinAnsi bytes: Latin-1 and the Windows-1252
//! extras map directly, letters of Latin Extended-A (`ł`, `č`, `ő`, ...) lose
//! their accent, and anything else becomes `?`. [`text_width`] measures text
//! with the fonts' published advance widths (in thousandths of the font size)
//! so columns can be fitted and cut with an ellipsis.

/// The two fonts the PDFs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Font {
    Regular,
    Bold,
}

/// Advance widths of Helvetica for bytes 0x20..=0x7E.
const REGULAR_ASCII: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, // space to /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 to ?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ to O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P to _
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` to o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p to ~
];

/// Advance widths of Helvetica-Bold for bytes 0x20..=0x7E.
const BOLD_ASCII: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278,
    278, // space to /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0 to ?
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // @ to O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // P to _
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // ` to o
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, // p to ~
];

/// ASCII stand-ins for U+0100..=U+017F (Latin Extended-A), accents removed.
const LATIN_EXTENDED_A: &[u8; 128] = b"AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiJjJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

/// The WinAnsi byte of one character, if it has one.
fn win_ansi_byte(character: char) -> Option<u8> {
    let code = character as u32;
    match code {
        0x20..=0x7E | 0xA0..=0xFF => Some(code as u8),
        _ => Some(match character {
            '\u{20AC}' => 0x80,
            '\u{201A}' => 0x82,
            '\u{0192}' => 0x83,
            '\u{201E}' => 0x84,
            '\u{2026}' => 0x85,
            '\u{2020}' => 0x86,
            '\u{2021}' => 0x87,
            '\u{02C6}' => 0x88,
            '\u{2030}' => 0x89,
            '\u{0160}' => 0x8A,
            '\u{2039}' => 0x8B,
            '\u{0152}' => 0x8C,
            '\u{017D}' => 0x8E,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201C}' => 0x93,
            '\u{201D}' => 0x94,
            '\u{2022}' => 0x95,
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            '\u{02DC}' => 0x98,
            '\u{2122}' => 0x99,
            '\u{0161}' => 0x9A,
            '\u{203A}' => 0x9B,
            '\u{0153}' => 0x9C,
            '\u{017E}' => 0x9E,
            '\u{0178}' => 0x9F,
            '\u{0100}'..='\u{017F}' => LATIN_EXTENDED_A[(code - 0x100) as usize],
            '\t' | '\n' | '\r' => b' ',
            _ => return None,
        }),
    }
}

/// Encodes text as WinAnsi bytes; characters without a WinAnsi form become `?`.
pub(crate) fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .map(|character| win_ansi_byte(character).unwrap_or(b'?'))
        .collect()
}

/// The advance width of one WinAnsi byte in thousandths of the font size.
fn byte_width(byte: u8, font: Font) -> u16 {
    let table = match font {
        Font::Regular => &REGULAR_ASCII,
        Font::Bold => &BOLD_ASCII,
    };
    match byte {
        0x20..=0x7E => table[(byte - 0x20) as usize],
        // Accented capitals and small letters are as wide as their base
        // letters; the few wide glyphs (Æ, æ, Œ, œ, ‰, —, …) are listed.
        0xC6 | 0x8C | 0x89 | 0x97 | 0x85 => 1000,
        0xE6 | 0x9C => 889,
        0xC0..=0xC5 | 0xC7..=0xDE => 722,
        0xDF..=0xFF => 556,
        _ => 556,
    }
}

/// The width of `text` in points at `size`.
pub(crate) fn text_width(text: &str, font: Font, size: f32) -> f32 {
    let thousandths: u32 = text
        .chars()
        .map(|character| byte_width(win_ansi_byte(character).unwrap_or(b'?'), font) as u32)
        .sum();
    thousandths as f32 * size / 1000.0
}

/// `text` cut to fit `max_width` points, ending in `…` when cut.
pub(crate) fn fit_text(text: &str, font: Font, size: f32, max_width: f32) -> String {
    if text_width(text, font, size) <= max_width {
        return text.to_string();
    }
    let ellipsis_width = text_width("\u{2026}", font, size);
    let mut width = 0.0;
    let mut fitted = String::with_capacity(text.len());
    for character in text.chars() {
        let character_width =
            byte_width(win_ansi_byte(character).unwrap_or(b'?'), font) as f32 * size / 1000.0;
        if width + character_width + ellipsis_width > max_width {
            break;
        }
        width += character_width;
        fitted.push(character);
    }
    fitted.push('\u{2026}');
    fitted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_latin_text_for_win_ansi() {
        assert_eq!(encode("Zoë Müller"), b"Zo\xEB M\xFCller".to_vec());
        assert_eq!(encode("Łukasz Čech"), b"Lukasz Cech".to_vec());
        assert_eq!(encode("€ – …"), vec![0x80, b' ', 0x96, b' ', 0x85]);
        assert_eq!(encode("東京"), b"??".to_vec());
    }

    #[test]
    fn measures_and_fits_text() {
        // "Hello" in Helvetica: 722 + 556 + 222 + 222 + 556 = 2278 thousandths.
        assert!((text_width("Hello", Font::Regular, 10.0) - 22.78).abs() < 0.001);
        assert!(text_width("Hello", Font::Bold, 10.0) > text_width("Hello", Font::Regular, 10.0));
        let fitted = fit_text("Alexandria Ocasio-Smithson", Font::Regular, 10.0, 60.0);
        assert!(fitted.ends_with('\u{2026}'));
        assert!(text_width(&fitted, Font::Regular, 10.0) <= 60.0);
        assert_eq!(fit_text("Ann", Font::Regular, 10.0, 60.0), "Ann");
    }
}
