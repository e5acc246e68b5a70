//! Measuring text for layout: widths and cutting to fit.
//!
//! Widths come from the advance widths of the glyphs the text prints with
//! (see `fonts.rs`: bundled DejaVu Sans, a system fallback for characters it
//! lacks), in thousandths of the font size, so columns can be fitted and cut
//! with an ellipsis. There is no kerning and no shaping: one character, one
//! glyph.

use super::fonts::glyph_for;

/// The two styles the PDFs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Font {
    Regular,
    Bold,
}

fn character_width(character: char, font: Font, size: f32) -> f32 {
    f32::from(glyph_for(character, font).advance) * size / 1000.0
}

/// The width of `text` in points at `size`.
pub(crate) fn text_width(text: &str, font: Font, size: f32) -> f32 {
    let thousandths: u32 = text
        .chars()
        .map(|character| u32::from(glyph_for(character, font).advance))
        .sum();
    thousandths as f32 * size / 1000.0
}

/// `text` cut to fit `max_width` points, ending in `…` when cut.
pub(crate) fn fit_text(text: &str, font: Font, size: f32, max_width: f32) -> String {
    if text_width(text, font, size) <= max_width {
        return text.to_string();
    }
    let ellipsis_width = character_width('\u{2026}', font, size);
    let mut width = 0.0;
    let mut fitted = String::with_capacity(text.len());
    for character in text.chars() {
        let character_width = character_width(character, font, size);
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
    fn measures_and_fits_text() {
        // "Hello" in DejaVu Sans: 752 + 615 + 278 + 278 + 612 = 2535 thousandths.
        assert!((text_width("Hello", Font::Regular, 10.0) - 25.35).abs() < 0.02);
        assert!(text_width("Hello", Font::Bold, 10.0) > text_width("Hello", Font::Regular, 10.0));
        let fitted = fit_text("Alexandria Ocasio-Smithson", Font::Regular, 10.0, 60.0);
        assert!(fitted.ends_with('\u{2026}'));
        assert!(text_width(&fitted, Font::Regular, 10.0) <= 60.0);
        assert_eq!(fit_text("Ann", Font::Regular, 10.0, 60.0), "Ann");
    }
}
