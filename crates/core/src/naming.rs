//! Names derived from what people type.

/// The URL-safe slug of a competition name: lowercase ASCII letters and
/// digits; every other run of characters becomes one hyphen, with none at
/// either end. `"  Spring Throwdown 2026! "` → `spring-throwdown-2026`.
/// The one slug rule: the CLI's `competition create`, the app's New
/// Competition form and its suggested file name all use it (the UI mock's
/// copy is checked against `ui/src/api/slug.fixture.json`).
pub fn slug_from_name(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    let mut pending_hyphen = false;
    for character in name.chars() {
        if character.is_ascii_alphanumeric() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.push(character.to_ascii_lowercase());
        } else {
            pending_hyphen = true;
        }
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::slug_from_name;

    #[test]
    fn slugs_keep_ascii_letters_and_digits_joined_by_single_hyphens() {
        assert_eq!(
            slug_from_name("  Spring Throwdown 2026! "),
            "spring-throwdown-2026"
        );
        assert_eq!(slug_from_name("Zürich -- Open"), "z-rich-open");
        assert_eq!(slug_from_name("!!!"), "");
        assert_eq!(slug_from_name("A"), "a");
    }
}
