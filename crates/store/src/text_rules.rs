//! Rules for the names and codes people type or import: no control
//! characters, and sensible lengths.
//!
//! Names reach terminals, PDFs, file names and result platforms. A NUL, an
//! escape sequence (`ESC ] 0; ... BEL` retitles a terminal) or a bidi
//! override (which reorders what a printed list shows) has no place in a
//! bib or a name, so the store refuses them, naming the field (and, in
//! imports, the row). Tabs and line breaks are control characters too.
//!
//! Length limits (in characters, after trimming):
//!
//! | field                                           | limit |
//! |-------------------------------------------------|-------|
//! | bib (competitor, team), chip id                 | 32    |
//! | first name, last name                           | 100   |
//! | team, division, workout name; club; para class  | 200   |
//! | competition name, venue, organiser              | 200   |
//! | country                                         | 64    |

/// Bibs and chip ids.
pub const MAX_BIB_CHARS: usize = 32;
/// First and last names of competitors.
pub const MAX_PERSON_NAME_CHARS: usize = 100;
/// Team, division, workout and competition names, clubs, venues.
pub const MAX_NAME_CHARS: usize = 200;
/// Country names or codes.
pub const MAX_COUNTRY_CHARS: usize = 64;

/// Whether `character` is refused in names: C0/C1 controls and DEL, and the
/// invisible bidi embedding, override and isolate marks.
pub fn is_refused_character(character: char) -> bool {
    character.is_control() || matches!(character, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks one value; the error says what is wrong (the caller names the
/// field and row).
pub fn check_text(value: &str, max_chars: usize) -> Result<(), String> {
    if let Some((index, character)) = value
        .chars()
        .enumerate()
        .find(|(_, character)| is_refused_character(*character))
    {
        return Err(format!(
            "contains the control character U+{:04X} at position {}; names and bibs may not contain control characters (tabs, line breaks, escape codes, NUL)",
            character as u32,
            index + 1
        ));
    }
    let length = value.chars().count();
    if length > max_chars {
        return Err(format!(
            "is {length} characters long; the limit is {max_chars}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_overlong_values_are_refused() {
        assert!(check_text("Zoë Ärnström", 100).is_ok());
        assert!(check_text("a\u{1b}]0;x\u{7}", 100)
            .unwrap_err()
            .contains("U+001B"));
        assert!(check_text("a\0b", 100).unwrap_err().contains("U+0000"));
        assert!(check_text("a\tb", 100).is_err());
        assert!(check_text("\u{202E}evil", 100).is_err());
        assert!(check_text("\u{9b}31m", 100).is_err());
        assert!(check_text(&"x".repeat(101), 100)
            .unwrap_err()
            .contains("limit is 100"));
        assert!(check_text(&"é".repeat(100), 100).is_ok());
    }
}
