//! Competition setup rules shared by `competition create` and the app's
//! New Competition form.

/// The URL-safe slug of a competition name: lowercase ASCII letters and
/// digits; every other run of characters becomes one hyphen, with none at
/// either end. `"  Spring Throwdown 2026! "` → `spring-throwdown-2026`.
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
