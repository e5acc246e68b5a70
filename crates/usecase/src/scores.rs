//! Keyboard score entry by bib: one workflow for `score enter` and the
//! app's score table; an official's amendment by a one-shot process
//! ([`amend_score`], the CLI's `score amend`; a long-running one amends
//! through its kept boards, [`crate::boards::KeptBoards::amend`]).

use scoretable_core::model::{Entrant, Id};
use scoretable_core::score::format_workout_time;
use scoretable_core::time::parse_time;
use scoretable_store::{CompetitionFile, ScoreInput, ScoreValue};

use crate::boards::Amended;
use crate::error::{UseCaseError, UseCaseResult};

/// What a scorekeeper typed for one entrant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedScore<'a> {
    pub workout_id: Id,
    pub bib: &'a str,
    pub value: &'a str,
    /// The tie-break time, when the workout has one; blank counts as none.
    pub tie_break: Option<&'a str>,
}

/// What the scorekeeper sees after a score is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreReceipt {
    /// The history event id; undo takes it back.
    pub entry_id: Id,
    pub result_id: Id,
    pub workout_id: Id,
    pub workout_name: String,
    pub entrant: Entrant,
    pub bib: String,
    /// `First Last` for a competitor, the team's name for a team.
    pub name: String,
    /// The stored value as shown, with its tie-break: `12:03.4 (tie-break 4:01)`.
    pub display: String,
    pub value: ScoreValue,
    /// The entrant's place in the workout now; `None` for statuses (DNF, …).
    pub place: Option<u32>,
}

/// The name shown for an entrant.
pub fn entrant_name(file: &CompetitionFile, entrant: Entrant) -> UseCaseResult<String> {
    Ok(match entrant {
        Entrant::Competitor(id) => file
            .competitor(id)?
            .map(|competitor| format!("{} {}", competitor.first_name, competitor.last_name)),
        Entrant::Team(id) => file.team(id)?.map(|team| team.name),
    }
    .unwrap_or_else(|| "(removed entrant)".to_string()))
}

/// Stores a typed score for the entrant with `typed.bib`, as `who`, and
/// returns the receipt. The score is committed before this returns. A bad
/// tie-break is reported on the `tie_break` field before anything is stored.
pub fn enter_score_by_bib(
    file: &mut CompetitionFile,
    typed: &TypedScore<'_>,
    who: &str,
) -> UseCaseResult<ScoreReceipt> {
    let bib = typed.bib.trim();
    let value = typed.value.trim();
    let tie_break = typed
        .tie_break
        .map(str::trim)
        .filter(|text| !text.is_empty());
    let input = match tie_break {
        None => ScoreInput::text(value),
        Some(text) => {
            // Checked here so a shell can tell a bad tie-break from a bad
            // score; the store parses it again with the same parser.
            parse_time(text).map_err(|error| {
                UseCaseError::invalid(
                    "tie_break",
                    format!("Invalid tie-break {text:?} for bib {bib}: {error}"),
                )
            })?;
            ScoreInput::text_with_tie_break(value, text)
        }
    };
    let receipt = file.enter_score_by_bib(typed.workout_id, bib, input, who)?;
    let workout = file.workout(receipt.workout_id)?;
    let display = match receipt.value.tie_break_ms {
        Some(tie_break_ms) => format!(
            "{} (tie-break {})",
            receipt.display,
            format_workout_time(workout.rounding, tie_break_ms)
        ),
        None => receipt.display.clone(),
    };
    let place = file
        .workout_leaderboard(receipt.workout_id, None)?
        .into_iter()
        .find(|row| row.entrant == receipt.entrant)
        .and_then(|row| row.rank);
    Ok(ScoreReceipt {
        entry_id: receipt.entry_id,
        result_id: receipt.result_id,
        workout_id: receipt.workout_id,
        workout_name: workout.name,
        entrant: receipt.entrant,
        bib: bib.to_string(),
        name: entrant_name(file, receipt.entrant)?,
        display,
        value: receipt.value,
        place,
    })
}

/// An official amendment by a process that keeps no boards (the CLI's
/// `score amend`): the short write (update, history, commit; see
/// [`CompetitionFile::record_amendment`]), then who moved read after it as
/// an index range between the old and the new value
/// ([`CompetitionFile::placement_changes_listed`]): counted in full, listed
/// up to `listed` changes, never a ranking.
#[allow(clippy::too_many_arguments)]
pub fn amend_score(
    file: &mut CompetitionFile,
    workout_id: Id,
    entrant: Entrant,
    input: ScoreInput,
    who: &str,
    reason: &str,
    appeal_ref: Option<&str>,
    listed: usize,
) -> UseCaseResult<Amended> {
    let mut receipt = file.record_amendment(workout_id, entrant, input, who, reason, appeal_ref)?;
    let moved = file.placement_changes_listed(workout_id, entrant, receipt.old.as_ref(), listed)?;
    receipt.moved = moved.listed;
    Ok(Amended {
        receipt,
        changes: moved.changes,
        entrants: moved.entrants,
    })
}
