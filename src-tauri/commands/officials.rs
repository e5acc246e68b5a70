//! The officials' questions: "what would this amendment change?" (the
//! store's `preview_amendment`, which stores nothing) and "why is A above
//! B?" (the engine's explanation through the store). Both answers are
//! computed in the store and core; this module finds the entrants by bib and
//! names them.

use std::collections::HashMap;

use scoretable_core::model::Entrant;
use scoretable_store::{CompetitionFile, PlacementChange, ScoreInput, StoreError};
use tauri::State;

use crate::commands::view::{value_display, EntrantNames};
use crate::dto::PlacementChangeView;
use crate::dto_officials::{AmendPreviewRequest, AmendPreviewView, ExplainRequest};
use crate::error::CommandResult;
use crate::state::AppState;

/// The placement changes as the screens list them, with bibs, names and division names.
pub fn impact_views(
    file: &CompetitionFile,
    names: &EntrantNames,
    moved: &[PlacementChange],
) -> CommandResult<Vec<PlacementChangeView>> {
    let division_names: HashMap<i64, String> = file
        .divisions()?
        .into_iter()
        .map(|division| (division.id, division.name))
        .collect();
    Ok(moved
        .iter()
        .map(|change| PlacementChangeView {
            bib: names.bib(change.entrant),
            name: names.name(change.entrant),
            division: change.division_id.map(|id| {
                division_names
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| id.to_string())
            }),
            old_rank: change.old_rank,
            new_rank: change.new_rank,
        })
        .collect())
}

/// Bibs and names of `entrant` and of everyone in `moved`, each looked up by
/// key: an amendment's screens never load the whole field's names.
pub fn names_for(
    file: &CompetitionFile,
    entrant: scoretable_core::model::Entrant,
    moved: &[PlacementChange],
) -> CommandResult<EntrantNames> {
    let mut shown: Vec<scoretable_core::model::Entrant> = moved
        .iter()
        .map(|change| change.entrant)
        .chain([entrant])
        .collect();
    shown.sort_unstable();
    shown.dedup();
    let mut infos = Vec::with_capacity(shown.len());
    for who in shown {
        infos.extend(file.entrant_info(who)?);
    }
    Ok(EntrantNames::new(infos))
}

/// What amending `request.bib` to `request.value` would change; stores nothing.
pub fn amendment_preview(
    file: &CompetitionFile,
    request: &AmendPreviewRequest,
) -> CommandResult<AmendPreviewView> {
    let workout = file.workout(request.workout_id)?;
    let bib = request.bib.trim();
    let entrant = file.entrant_by_bib(request.workout_id, bib)?;
    let preview = file.preview_amendment(
        request.workout_id,
        entrant,
        &ScoreInput::text(request.value.trim()),
    )?;
    let names = names_for(file, entrant, &preview.moved)?;
    Ok(AmendPreviewView {
        bib: bib.to_string(),
        name: names.name(entrant),
        old_display: preview
            .old
            .as_ref()
            .map(|value| value_display(&workout, value)),
        new_display: preview.display.clone(),
        impact: impact_views(file, &names, &preview.moved)?,
    })
}

#[tauri::command]
pub async fn preview_amendment(
    state: State<'_, AppState>,
    request: AmendPreviewRequest,
) -> CommandResult<AmendPreviewView> {
    state
        .run(move |session| amendment_preview(session.file()?, &request))
        .await
}

/// An athlete on the overall table, by bib.
fn overall_entrant(file: &CompetitionFile, bib: &str) -> CommandResult<Entrant> {
    let competitor = file
        .competitor_by_bib(bib)?
        .ok_or_else(|| StoreError::NotFound {
            what: "competitor with bib",
            key: bib.to_string(),
        })?;
    Ok(Entrant::Competitor(competitor.id))
}

/// The engine's sentence saying why `above_bib` is above `below_bib`.
pub fn explanation(file: &CompetitionFile, request: &ExplainRequest) -> CommandResult<String> {
    let (above, below) = (request.above_bib.trim(), request.below_bib.trim());
    Ok(match request.workout_id {
        Some(workout_id) => file.explain_workout_order(
            workout_id,
            file.entrant_by_bib(workout_id, above)?,
            file.entrant_by_bib(workout_id, below)?,
        )?,
        None => file.explain_overall_order(
            request.division_id,
            overall_entrant(file, above)?,
            overall_entrant(file, below)?,
        )?,
    })
}

#[tauri::command]
pub async fn explain_order(
    state: State<'_, AppState>,
    request: ExplainRequest,
) -> CommandResult<String> {
    state
        .run(move |session| explanation(session.file()?, &request))
        .await
}
