//! Score imports from a CSV file: the rows matched to entrants by the
//! store's bib rule (the one typed entry uses), all or nothing.

use std::io::Read;

use scoretable_core::import::{read_scores_csv, ScoreDraft};
use scoretable_core::model::{Source, Workout};
use scoretable_store::{CompetitionFile, ImportedResult, ResultImportSummary, ScoreInput};

use crate::error::{ErrorClass, Problem, UseCaseError, UseCaseResult};

/// Matches each CSV row's bib to an entrant with the store's rule
/// ([`CompetitionFile::entrants_by_bibs`]: competitor bibs first, a
/// team-chip workout's team first); every unknown bib is reported with its
/// file, row and field, and nothing is returned if any is unknown.
pub fn match_score_rows(
    file: &CompetitionFile,
    workout: &Workout,
    file_name: &str,
    drafts: Vec<ScoreDraft>,
) -> UseCaseResult<Vec<ImportedResult>> {
    let bibs: Vec<&str> = drafts.iter().map(|draft| draft.bib.as_str()).collect();
    let entrants = file.entrants_by_bibs(workout.id, &bibs)?;
    let mut problems = Vec::new();
    let mut records = Vec::with_capacity(drafts.len());
    for (draft, entrant) in drafts.into_iter().zip(entrants) {
        let Some(entrant) = entrant else {
            problems.push(Problem {
                file: Some(file_name.to_string()),
                row: Some(draft.row as u64),
                field: Some("bib".into()),
                message: format!(
                    "unknown bib {} in workout {}",
                    draft.bib.trim(),
                    workout.name
                ),
            });
            continue;
        };
        records.push(ImportedResult {
            row: draft.row as u64,
            entrant,
            value: ScoreInput::Parsed {
                score: draft.score,
                status: draft.status,
                tie_break_ms: draft.tie_break_ms,
            },
            penalty_ms: draft.penalty_ms,
            splits: draft.splits,
            incidents: Vec::new(),
            record_id: None,
            received_at: None,
        });
    }
    if !problems.is_empty() {
        let count = problems.len();
        return Err(UseCaseError {
            class: ErrorClass::Invalid,
            message: format!(
                "{file_name} has {count} unknown bib{}; nothing was imported",
                if count == 1 { "" } else { "s" }
            ),
            field: None,
            problems,
        });
    }
    Ok(records)
}

/// What a scores import did.
#[derive(Debug, Clone)]
pub struct ScoresImport {
    /// Rows read from the file.
    pub rows: usize,
    pub summary: ResultImportSummary,
}

/// Reads a scores CSV for `workout`, matches its bibs and imports it in one
/// transaction (all or nothing; rows whose entrant already has a score are
/// skipped and counted).
pub fn import_scores_csv(
    file: &mut CompetitionFile,
    workout: &Workout,
    file_name: &str,
    reader: impl Read,
) -> UseCaseResult<ScoresImport> {
    let drafts = read_scores_csv(reader, file_name, workout)?;
    let records = match_score_rows(file, workout, file_name, drafts)?;
    let summary = file.import_results(workout.id, Source::File, file_name, &records)?;
    Ok(ScoresImport {
        rows: records.len(),
        summary,
    })
}

/// What a competitor import did.
#[derive(Debug, Clone)]
pub struct CompetitorsImport {
    /// Rows read from the file.
    pub rows: usize,
    pub summary: scoretable_store::competitors::ImportSummary,
}

/// Reads a competitor list (CSV) and imports it in one transaction: new
/// bibs added, existing ones updated; a file with bad rows changes nothing
/// and every bad row is listed. `on_progress` hears before the first row,
/// every thousand rows and after the commit.
pub fn import_competitors_csv(
    file: &mut CompetitionFile,
    file_name: &str,
    reader: impl Read,
    on_progress: &mut dyn FnMut(scoretable_store::competitors::ImportProgress),
) -> UseCaseResult<CompetitorsImport> {
    let drafts = scoretable_core::import::read_competitors_csv(reader, file_name)?;
    let rows = drafts.len();
    let summary = file.import_owned_competitors_with_progress(file_name, drafts, on_progress)?;
    Ok(CompetitorsImport { rows, summary })
}
