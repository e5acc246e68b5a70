//! Team entrants: list, add, change (details and members) and remove.
//!
//! Members arrive as bibs and are resolved to competitors here; the store
//! checks everything else (unique name and bib, a competitor listed twice,
//! a team with score history that cannot be removed). Team results are
//! aggregated by the core, never here.

use std::collections::HashMap;

use scoretable_core::model::{Id, Team, TeamMember};
use scoretable_store::CompetitionFile;
use tauri::{AppHandle, State};

use crate::commands::notify_scores_changed;
use crate::dto::{CommandError, ErrorKind};
use crate::dto_entrants::{TeamDraft, TeamMemberView, TeamView};
use crate::error::CommandResult;
use crate::state::AppState;

/// A team as the screen shows it, with member bibs and names.
fn team_view(
    file: &CompetitionFile,
    team: Team,
    division_names: &HashMap<Id, String>,
) -> CommandResult<TeamView> {
    let mut members = Vec::with_capacity(team.members.len());
    for member in &team.members {
        let (bib, name) = match file.competitor(member.competitor_id)? {
            Some(competitor) => (
                competitor.bib,
                format!("{} {}", competitor.first_name, competitor.last_name),
            ),
            None => (String::new(), "(removed competitor)".to_string()),
        };
        members.push(TeamMemberView {
            order: member.order,
            competitor_id: member.competitor_id,
            bib,
            name,
        });
    }
    Ok(TeamView {
        id: team.id,
        name: team.name,
        bib: team.bib,
        division_names: team
            .division_ids
            .iter()
            .filter_map(|id| division_names.get(id).cloned())
            .collect(),
        division_ids: team.division_ids,
        members,
    })
}

fn division_names(file: &CompetitionFile) -> CommandResult<HashMap<Id, String>> {
    Ok(file
        .divisions()?
        .into_iter()
        .map(|division| (division.id, division.name))
        .collect())
}

/// Applies a draft's name, bib, divisions and members (bibs resolved to
/// competitors, numbered in the order given) to `team`.
fn apply_draft(file: &CompetitionFile, team: &mut Team, draft: &TeamDraft) -> CommandResult<()> {
    let mut members = Vec::new();
    for bib in draft
        .member_bibs
        .iter()
        .map(|bib| bib.trim())
        .filter(|bib| !bib.is_empty())
    {
        let competitor = file.competitor_by_bib(bib)?.ok_or_else(|| {
            CommandError::new(
                ErrorKind::UnknownBib,
                format!(
                    "No competitor has bib {bib}, so they cannot join team {}.",
                    draft.name.trim()
                ),
            )
        })?;
        members.push(TeamMember {
            competitor_id: competitor.id,
            order: members.len() as u32 + 1,
        });
    }
    team.name = draft.name.trim().to_string();
    let bib = draft.bib.trim();
    team.bib = (!bib.is_empty()).then(|| bib.to_string());
    team.division_ids = draft.division_ids.clone();
    team.members = members;
    Ok(())
}

fn stored_team_view(file: &CompetitionFile, team_id: Id) -> CommandResult<TeamView> {
    let team = file.team(team_id)?.ok_or_else(|| {
        CommandError::new(ErrorKind::NotFound, format!("There is no team {team_id}."))
    })?;
    team_view(file, team, &division_names(file)?)
}

#[tauri::command]
pub async fn list_teams(state: State<'_, AppState>) -> CommandResult<Vec<TeamView>> {
    state
        .run(|session| {
            let file = session.file()?;
            let names = division_names(file)?;
            file.teams()?
                .into_iter()
                .map(|team| team_view(file, team, &names))
                .collect()
        })
        .await
}

#[tauri::command]
pub async fn add_team(
    app: AppHandle,
    state: State<'_, AppState>,
    team: TeamDraft,
) -> CommandResult<TeamView> {
    let added = state
        .run(move |session| {
            let file = session.file_mut()?;
            let mut model = Team::default();
            apply_draft(file, &mut model, &team)?;
            let id = file.add_team(&model)?;
            stored_team_view(file, id)
        })
        .await?;
    // Team leaderboards and division boards may change.
    notify_scores_changed(&app);
    Ok(added)
}

/// Changes a team's name, bib, divisions and members; its country and
/// external ids are kept.
#[tauri::command]
pub async fn update_team(
    app: AppHandle,
    state: State<'_, AppState>,
    team_id: i64,
    team: TeamDraft,
) -> CommandResult<TeamView> {
    let updated = state
        .run(move |session| {
            let file = session.file_mut()?;
            let mut model = file.team(team_id)?.ok_or_else(|| {
                CommandError::new(ErrorKind::NotFound, format!("There is no team {team_id}."))
            })?;
            apply_draft(file, &mut model, &team)?;
            file.update_team(&model)?;
            stored_team_view(file, team_id)
        })
        .await?;
    notify_scores_changed(&app);
    Ok(updated)
}

/// Removes a team without score history (the store refuses otherwise).
#[tauri::command]
pub async fn remove_team(
    app: AppHandle,
    state: State<'_, AppState>,
    team_id: i64,
) -> CommandResult<()> {
    state
        .run(move |session| Ok(session.file_mut()?.remove_team(team_id)?))
        .await?;
    notify_scores_changed(&app);
    Ok(())
}
