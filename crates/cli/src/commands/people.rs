//! Divisions, competitors and teams.

use std::fs::File;
use std::io::IsTerminal;
use std::path::Path;

use scoretable_core::model::{Competitor, Division, Entrant, ExternalIds, Team, TeamMember};
use scoretable_store::CompetitionFile;
use serde_json::json;

use crate::args::{DivisionAddArgs, TeamAddArgs};
use crate::context::{
    open_competition, open_for_reading, resolve_division, EntrantDirectory, EntrantLookup,
};
use crate::convert::{store_error, usecase_error};
use crate::error::{CliError, CliResult};
use crate::options::{division_kind, gender};
use crate::output::Output;
use crate::table::{Align, Table};

pub fn division_add(file: Option<&Path>, arguments: &DivisionAddArgs) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let division = Division {
        id: 0,
        name: arguments.name.trim().to_string(),
        kind: division_kind(arguments.kind),
        gender: arguments.gender.map(gender),
        min_age: arguments.min_age,
        max_age: arguments.max_age,
    };
    let id = store.add_division(&division).map_err(store_error)?;
    let stored = store
        .divisions()
        .map_err(store_error)?
        .into_iter()
        .find(|division| division.id == id)
        .ok_or_else(|| CliError::store(format!("division {id} vanished after it was added")))?;
    store.close().map_err(store_error)?;
    Ok(Output::new(
        format!(
            "Added division {} ({}) with id {id}",
            stored.name,
            describe_division(&stored)
        ),
        json!({ "division": stored }),
    ))
}

/// `female`, `male 35-39`, `any age 40+`, `custom`.
fn describe_division(division: &Division) -> String {
    let gender = division
        .gender
        .map(|gender| {
            serde_json::to_value(gender)
                .ok()
                .and_then(|value| value.as_str().map(str::to_string))
                .unwrap_or_default()
        })
        .unwrap_or_else(|| "any gender".to_string());
    let ages = match (division.min_age, division.max_age) {
        (Some(min), Some(max)) => format!(" {min}-{max}"),
        (Some(min), None) => format!(" {min}+"),
        (None, Some(max)) => format!(" up to {max}"),
        (None, None) => String::new(),
    };
    match division.kind {
        scoretable_core::model::DivisionKind::Custom => "custom".to_string(),
        scoretable_core::model::DivisionKind::Gender => gender,
        scoretable_core::model::DivisionKind::AgeGroup => format!("{gender}{ages}"),
    }
}

pub fn division_list(file: Option<&Path>) -> CliResult<Output> {
    let store = open_for_reading(file)?;
    let divisions = store.divisions().map_err(store_error)?;
    let mut table = Table::new(&[
        ("Id", Align::Right),
        ("Name", Align::Left),
        ("Kind", Align::Left),
        ("Members", Align::Right),
    ]);
    let mut json_divisions = Vec::new();
    let member_counts = store.division_member_counts().map_err(store_error)?;
    for division in &divisions {
        let members = member_counts.get(&division.id).copied().unwrap_or(0);
        table.push(vec![
            division.id.to_string(),
            division.name.clone(),
            describe_division(division),
            members.to_string(),
        ]);
        let mut value = serde_json::to_value(division).unwrap_or_default();
        value["members"] = json!(members);
        json_divisions.push(value);
    }
    store.close().map_err(store_error)?;
    Ok(Output::new(
        table.render(),
        json!({ "divisions": json_divisions }),
    ))
}

pub fn competitors_import(file: Option<&Path>, csv_path: &Path) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let file_name = csv_path.display().to_string();
    let reader = File::open(csv_path)
        .map_err(|error| CliError::io(format!("cannot read {file_name}: {error}")))?;
    // A long import shows its progress on a terminal's stderr (never on
    // stdout, so `--json` output and pipes stay clean).
    let terminal = std::io::stderr().is_terminal();
    let mut shown = false;
    let mut on_progress = |progress: scoretable_store::competitors::ImportProgress| {
        if terminal && progress.total > scoretable_store::competitors::IMPORT_PROGRESS_EVERY_ROWS {
            shown = true;
            eprint!(
                "\rImporting competitors: {} of {} rows stored",
                progress.done, progress.total
            );
            if progress.done == progress.total {
                eprintln!();
            }
        }
    };
    let import = scoretable_usecase::imports::import_competitors_csv(
        &mut store,
        &file_name,
        reader,
        &mut on_progress,
    );
    let import = import.map_err(|error| {
        if shown {
            // End the progress line before the error is printed.
            eprintln!();
        }
        usecase_error(error)
    })?;
    let (summary, rows) = (import.summary, import.rows);
    // A count, not a load of every competitor (60,000 rows with their chips
    // and divisions read back just to print their number).
    let total = store.entrant_counts().map_err(store_error)?.0;
    store.close().map_err(store_error)?;
    Ok(Output::new(
        format!(
            "Imported {} rows from {file_name}: {} new, {} updated, {} unchanged ({total} competitors in all)",
            rows,
            summary.new,
            summary.updated,
            summary.unchanged
        ),
        json!({
            "file": file_name,
            "rows": rows,
            "new": summary.new,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "competitors": total,
        }),
    ))
}

fn competitor_name(competitor: &Competitor) -> String {
    format!("{} {}", competitor.first_name, competitor.last_name)
        .trim()
        .to_string()
}

fn gender_word(competitor: &Competitor) -> String {
    competitor
        .gender
        .and_then(|gender| serde_json::to_value(gender).ok())
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn competitor_json(competitor: &Competitor, directory: &EntrantDirectory) -> serde_json::Value {
    competitor_json_with(competitor, &|id| directory.division_name(id))
}

fn competitor_json_with(
    competitor: &Competitor,
    division_name: &dyn Fn(i64) -> String,
) -> serde_json::Value {
    let mut value = serde_json::to_value(competitor).unwrap_or_default();
    value["name"] = json!(competitor_name(competitor));
    value["divisions"] = json!(competitor
        .division_ids
        .iter()
        .map(|id| division_name(*id))
        .collect::<Vec<_>>());
    value
}

pub fn competitors_list(file: Option<&Path>, division: Option<&str>) -> CliResult<Output> {
    let store = open_for_reading(file)?;
    let directory = EntrantDirectory::load(&store)?;
    let mut competitors = match division {
        Some(reference) => {
            let division = resolve_division(&store, reference)?;
            store
                .competitors_in_division(division.id)
                .map_err(store_error)?
        }
        None => store.competitors().map_err(store_error)?,
    };
    competitors.sort_by(|a, b| scoretable_core::ranking::compare_bibs(&a.bib, &b.bib));
    let mut table = Table::new(&[
        ("Bib", Align::Right),
        ("Name", Align::Left),
        ("Gender", Align::Left),
        ("Born", Align::Left),
        ("Country", Align::Left),
        ("Club", Align::Left),
        ("Divisions", Align::Left),
    ]);
    for competitor in &competitors {
        table.push(vec![
            competitor.bib.clone(),
            competitor_name(competitor),
            gender_word(competitor),
            competitor.date_of_birth.clone().unwrap_or_default(),
            competitor.country.clone().unwrap_or_default(),
            competitor.club.clone().unwrap_or_default(),
            competitor
                .division_ids
                .iter()
                .map(|id| directory.division_name(*id))
                .collect::<Vec<_>>()
                .join("; "),
        ]);
    }
    let json_competitors: Vec<_> = competitors
        .iter()
        .map(|competitor| competitor_json(competitor, &directory))
        .collect();
    store.close().map_err(store_error)?;
    Ok(Output::new(
        table.render(),
        json!({ "competitors": json_competitors }),
    ))
}

pub fn competitor_show(file: Option<&Path>, bib: &str) -> CliResult<Output> {
    let store = open_for_reading(file)?;
    let lookup = EntrantLookup::new(&store)?;
    let competitor = store
        .competitor_by_bib(bib)
        .map_err(store_error)?
        .ok_or_else(|| CliError::not_found(format!("unknown bib {}", bib.trim())))?;
    let entrant = Entrant::Competitor(competitor.id);
    let mut text = format!(
        "{} (bib {})\n",
        competitor_name(&competitor),
        competitor.bib
    );
    let mut field = |label: &str, value: String| {
        if !value.is_empty() {
            text.push_str(&format!("  {label:<14} {value}\n"));
        }
    };
    field("Gender:", gender_word(&competitor));
    field(
        "Born:",
        competitor.date_of_birth.clone().unwrap_or_default(),
    );
    field("Country:", competitor.country.clone().unwrap_or_default());
    field("Club:", competitor.club.clone().unwrap_or_default());
    field("Chips:", competitor.chip_ids.join(", "));
    field(
        "Para class:",
        competitor.para_class.clone().unwrap_or_default(),
    );
    field(
        "Divisions:",
        competitor
            .division_ids
            .iter()
            .map(|id| lookup.division_name(*id))
            .collect::<Vec<_>>()
            .join("; "),
    );
    let ids = &competitor.external_ids;
    let external = [
        ("RunSignup", &ids.runsignup_registration_id),
        ("OpenTrack", &ids.opentrack_id),
        ("World Triathlon", &ids.triathlon_athlete_id),
        ("Feed", &ids.feed_participant_id),
    ]
    .iter()
    .filter_map(|(system, id)| id.as_ref().map(|id| format!("{system} {id}")))
    .collect::<Vec<_>>()
    .join(", ");
    field("External ids:", external);

    let teams: Vec<Team> = store
        .teams_with_member(competitor.id)
        .map_err(store_error)?;
    if !teams.is_empty() {
        let names: Vec<&str> = teams.iter().map(|team| team.name.as_str()).collect();
        text.push_str(&format!("  {:<14} {}\n", "Teams:", names.join(", ")));
    }

    let mut results_table = Table::new(&[
        ("Workout", Align::Left),
        ("Rank", Align::Right),
        ("Score", Align::Left),
        ("Division ranks", Align::Left),
        ("Notes", Align::Left),
    ]);
    let mut json_results = Vec::new();
    for workout in store.workouts().map_err(store_error)? {
        let Some(stored) = store.result(workout.id, entrant).map_err(store_error)? else {
            continue;
        };
        // This entrant's place by counting, not by ranking the workout.
        let row = store.standing(workout.id, entrant).map_err(store_error)?;
        let display = row
            .as_ref()
            .map(|row| row.display.clone())
            .unwrap_or_else(|| {
                stored
                    .effective_value()
                    .map(|value| value.text.clone())
                    .unwrap_or_default()
            });
        let division_ranks = row
            .as_ref()
            .map(|row| {
                row.division_ranks
                    .iter()
                    .map(|(id, rank)| format!("{} {rank}", lookup.division_name(*id)))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        let rank = row.as_ref().and_then(|row| row.rank);
        results_table.push(vec![
            workout.name.clone(),
            rank.map(|rank| rank.to_string()).unwrap_or_default(),
            display.clone(),
            division_ranks,
            if stored.is_amended() {
                "amended".to_string()
            } else {
                String::new()
            },
        ]);
        json_results.push(json!({
            "workout_id": workout.id,
            "workout": workout.name,
            "rank": rank,
            "display": display,
            "division_ranks": row.as_ref().map(|row| row.division_ranks.iter().map(|(id, rank)| json!({
                "division_id": id,
                "division": lookup.division_name(*id),
                "rank": rank,
            })).collect::<Vec<_>>()).unwrap_or_default(),
            "result": stored,
        }));
    }
    if json_results.is_empty() {
        text.push_str("  No results yet.\n");
    } else {
        text.push('\n');
        text.push_str(&results_table.render());
    }
    let json = json!({
        "competitor": competitor_json_with(&competitor, &|id| lookup.division_name(id)),
        "teams": teams,
        "results": json_results,
    });
    store.close().map_err(store_error)?;
    Ok(Output::new(text, json))
}

pub fn team_add(file: Option<&Path>, arguments: &TeamAddArgs) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let mut members = Vec::new();
    for (index, bib) in arguments
        .members
        .iter()
        .map(|bib| bib.trim())
        .filter(|bib| !bib.is_empty())
        .enumerate()
    {
        let competitor = store
            .competitor_by_bib(bib)
            .map_err(store_error)?
            .ok_or_else(|| CliError::not_found(format!("unknown member bib {bib}")))?;
        members.push(TeamMember {
            competitor_id: competitor.id,
            order: index as u32 + 1,
        });
    }
    let mut division_ids = Vec::new();
    for reference in &arguments.divisions {
        division_ids.push(resolve_division(&store, reference)?.id);
    }
    let team = Team {
        id: 0,
        name: arguments.name.trim().to_string(),
        bib: arguments.bib.as_ref().map(|bib| bib.trim().to_string()),
        country: arguments
            .country
            .as_ref()
            .map(|country| country.trim().to_ascii_uppercase()),
        division_ids,
        members,
        external_ids: ExternalIds::default(),
    };
    let id = store.add_team(&team).map_err(store_error)?;
    let stored = store
        .team(id)
        .map_err(store_error)?
        .ok_or_else(|| CliError::store(format!("team {id} vanished after it was added")))?;
    let text = format!(
        "Added team {} with id {id} and {} members",
        stored.name,
        stored.members.len()
    );
    store.close().map_err(store_error)?;
    Ok(Output::new(text, json!({ "team": stored })))
}

pub fn team_list(file: Option<&Path>) -> CliResult<Output> {
    let store = open_for_reading(file)?;
    let directory = EntrantDirectory::load(&store)?;
    let teams = store.teams().map_err(store_error)?;
    let mut table = Table::new(&[
        ("Id", Align::Right),
        ("Bib", Align::Right),
        ("Name", Align::Left),
        ("Country", Align::Left),
        ("Members (in order)", Align::Left),
        ("Divisions", Align::Left),
    ]);
    let mut json_teams = Vec::new();
    for team in &teams {
        let members = member_labels(&store, team)?;
        table.push(vec![
            team.id.to_string(),
            team.bib.clone().unwrap_or_default(),
            team.name.clone(),
            team.country.clone().unwrap_or_default(),
            members.join(", "),
            team.division_ids
                .iter()
                .map(|id| directory.division_name(*id))
                .collect::<Vec<_>>()
                .join("; "),
        ]);
        let mut value = serde_json::to_value(team).unwrap_or_default();
        value["member_labels"] = json!(members);
        json_teams.push(value);
    }
    store.close().map_err(store_error)?;
    Ok(Output::new(table.render(), json!({ "teams": json_teams })))
}

/// `#12 Ada Lovelace` for each member, in order.
fn member_labels(store: &CompetitionFile, team: &Team) -> CliResult<Vec<String>> {
    let mut members = team.members.clone();
    members.sort_by_key(|member| member.order);
    let mut labels = Vec::new();
    for member in members {
        let label = match store
            .competitor(member.competitor_id)
            .map_err(store_error)?
        {
            Some(competitor) => format!("#{} {}", competitor.bib, competitor_name(&competitor)),
            None => format!("competitor {}", member.competitor_id),
        };
        labels.push(label);
    }
    Ok(labels)
}
