//! Competition setup rules shared by `competition create` and the app's
//! New Competition form.

/// The one slug rule, from the core.
pub use scoretable_core::naming::slug_from_name;

/// A new competition as a shell's form or arguments give it.
#[derive(Debug, Clone, Default)]
pub struct CompetitionDetails<'a> {
    pub name: &'a str,
    /// Blank: [`slug_from_name`] of the name.
    pub slug: Option<&'a str>,
    pub start_date: &'a str,
    /// Blank: the start date (a one-day competition).
    pub end_date: Option<&'a str>,
    pub venue: &'a str,
    pub country: &'a str,
    pub organiser: &'a str,
    pub time_zone: &'a str,
}

/// The competition record the details stand for, by one rule for both
/// shells: fields trimmed, the country upper-cased, the slug from the name
/// unless given, the end date the start date unless given. The store then
/// checks every field when the file is created.
pub fn competition_from(details: &CompetitionDetails<'_>) -> scoretable_core::model::Competition {
    let given = |value: Option<&str>| {
        value
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_string)
    };
    let start_date = details.start_date.trim().to_string();
    scoretable_core::model::Competition {
        name: details.name.trim().to_string(),
        slug: given(details.slug).unwrap_or_else(|| slug_from_name(details.name)),
        end_date: given(details.end_date).unwrap_or_else(|| start_date.clone()),
        start_date,
        venue: details.venue.trim().to_string(),
        country: details.country.trim().to_ascii_uppercase(),
        organiser: details.organiser.trim().to_string(),
        time_zone: details.time_zone.trim().to_string(),
    }
}

/// Creates the competition file at `path` (refused when it exists).
pub fn create_competition(
    path: &std::path::Path,
    details: &CompetitionDetails<'_>,
) -> crate::UseCaseResult<scoretable_store::CompetitionFile> {
    Ok(scoretable_store::CompetitionFile::create(
        path,
        &competition_from(details),
    )?)
}
