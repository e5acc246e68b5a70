//! Scores: entry, file import, undo, amendments and history.

use std::fs::File;
use std::path::Path;

use scoretable_store::{PlacementChange, ScoreEvent, ScoreEventKind, ScoreInput, ScoreValue};
use serde_json::json;

use crate::args::{ScoreAmendArgs, ScoreEnterArgs};
use crate::context::{
    entrant_json, open_competition, open_for_reading, resolve_workout, EntrantDirectory,
    EntrantLookup,
};
use crate::convert::{store_error, usecase_error};
use crate::error::{CliError, CliResult};
use crate::output::Output;
use crate::table::{Align, Table};
use scoretable_usecase::scores::TypedScore;

/// The name recorded as "who" for entries made from this command line.
pub fn operator_name(operator: Option<&str>) -> String {
    operator
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| "scoretable-cli".to_string())
}

fn score_input(value: &str, tie_break: Option<&str>) -> ScoreInput {
    ScoreInput::Text {
        value: value.to_string(),
        tie_break: tie_break.map(str::to_string),
    }
}

pub fn score_enter(
    file: Option<&Path>,
    operator: Option<&str>,
    arguments: &ScoreEnterArgs,
) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let workout = resolve_workout(&store, &arguments.workout)?;
    let receipt = scoretable_usecase::scores::enter_score_by_bib(
        &mut store,
        &TypedScore {
            workout_id: workout.id,
            bib: &arguments.bib,
            value: &arguments.value,
            tie_break: arguments.tiebreak.as_deref(),
        },
        &operator_name(operator),
    )
    .map_err(usecase_error)?;
    let place = receipt
        .place
        .map(|place| format!(", place {place}"))
        .unwrap_or_default();
    let text = format!(
        "#{} {}: {} saved in {}{place} (entry {}; `score undo {}` takes it back)",
        receipt.bib,
        receipt.name,
        receipt.display,
        receipt.workout_name,
        receipt.entry_id,
        receipt.entry_id
    );
    let json = json!({
        "entry_id": receipt.entry_id,
        "result_id": receipt.result_id,
        "workout_id": receipt.workout_id,
        "workout": receipt.workout_name,
        "entrant": entrant_json(receipt.entrant),
        "bib": receipt.bib,
        "name": receipt.name,
        "value": receipt.value,
        "display": receipt.display,
        "place": receipt.place,
    });
    store.close().map_err(store_error)?;
    Ok(Output::new(text, json))
}

pub fn score_import(
    file: Option<&Path>,
    workout_reference: &str,
    csv_path: &Path,
) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let workout = resolve_workout(&store, workout_reference)?;
    let file_name = csv_path.display().to_string();
    let reader = File::open(csv_path)
        .map_err(|error| CliError::io(format!("cannot read {file_name}: {error}")))?;
    let import =
        scoretable_usecase::imports::import_scores_csv(&mut store, &workout, &file_name, reader)
            .map_err(usecase_error)?;
    let (summary, rows) = (import.summary, import.rows);
    store.close().map_err(store_error)?;
    Ok(Output::new(
        format!(
            "Imported {} of {} rows from {file_name} into {}; {} skipped because they already had a score ({} of them amended)",
            summary.inserted,
            rows,
            workout.name,
            summary.skipped_existing,
            summary.skipped_amended
        ),
        json!({
            "file": file_name,
            "workout_id": workout.id,
            "workout": workout.name,
            "rows": rows,
            "inserted": summary.inserted,
            "skipped_existing": summary.skipped_existing,
            "skipped_amended": summary.skipped_amended,
            "import_batch": summary.batch_id,
        }),
    ))
}

pub fn score_undo(file: Option<&Path>, operator: Option<&str>, entry_id: i64) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let event = store
        .undo_entry(entry_id, &operator_name(operator))
        .map_err(store_error)?;
    let lookup = EntrantLookup::new(&store)?;
    let workout = store.workout(event.workout_id).map_err(store_error)?;
    let old = event
        .old
        .as_ref()
        .map(|value| value.text.clone())
        .unwrap_or_default();
    let text = format!(
        "Undid entry {entry_id}: {} no longer has {old} in {}",
        lookup.label(event.entrant)?,
        workout.name
    );
    let json = json!({
        "undone_entry_id": entry_id,
        "event": event,
        "bib": lookup.bib(event.entrant)?,
        "name": lookup.name(event.entrant)?,
        "workout": workout.name,
    });
    store.close().map_err(store_error)?;
    Ok(Output::new(text, json))
}

/// How many moved entrants `score amend` lists without `--all`.
pub const MOVED_SHOWN: usize = 10;

pub fn score_amend(file: Option<&Path>, arguments: &ScoreAmendArgs) -> CliResult<Output> {
    let mut store = open_competition(file)?;
    let workout = resolve_workout(&store, &arguments.workout)?;
    let entrant = store
        .entrant_by_bib(workout.id, &arguments.bib)
        .map_err(store_error)?;
    // The write alone (update, history, commit); who moved is read after
    // it, counted in full and listed only as far as printed (bibs are read
    // for the listed rows' ties only).
    let amended = scoretable_usecase::scores::amend_score(
        &mut store,
        workout.id,
        entrant,
        score_input(&arguments.value, arguments.tiebreak.as_deref()),
        &arguments.by,
        &arguments.reason,
        arguments.appeal.as_deref(),
        if arguments.all {
            usize::MAX
        } else {
            MOVED_SHOWN
        },
    )
    .map_err(usecase_error)?;
    let receipt = amended.receipt;
    let lookup = EntrantLookup::new(&store)?;
    let old = receipt
        .old
        .as_ref()
        .map(|value| value.text.clone())
        .unwrap_or_else(|| "no score".to_string());
    let mut text = format!(
        "Amended {} in {}: {old} -> {} (event {}, by {}, reason: {}{})\n",
        lookup.label(entrant)?,
        workout.name,
        receipt.display,
        receipt.event_id,
        arguments.by.trim(),
        arguments.reason.trim(),
        arguments
            .appeal
            .as_deref()
            .map(|appeal| format!(", appeal {}", appeal.trim()))
            .unwrap_or_default()
    );
    let count = amended.changes;
    let shown = &receipt.moved[..];
    if count == 0 {
        text.push_str("No placings changed.\n");
    } else {
        let entrants = amended.entrants;
        text.push_str(&format!(
            "Placings changed: {count} place{} of {} entrant{}{}\n",
            if count == 1 { "" } else { "s" },
            entrants,
            if entrants == 1 { "" } else { "s" },
            if shown.len() < count {
                format!(" (the first {}; --all lists every one)", shown.len())
            } else {
                String::new()
            }
        ));
        text.push_str(&moved_table(&lookup, shown)?.render());
    }
    let moved_json = shown
        .iter()
        .map(|change| {
            Ok(json!({
                "entrant": entrant_json(change.entrant),
                "bib": lookup.bib(change.entrant)?,
                "name": lookup.name(change.entrant)?,
                "division_id": change.division_id,
                "division": change.division_id.map(|id| lookup.division_name(id)),
                "old_rank": change.old_rank,
                "new_rank": change.new_rank,
            }))
        })
        .collect::<CliResult<Vec<_>>>()?;
    let json = json!({
        "event_id": receipt.event_id,
        "result_id": receipt.result_id,
        "workout_id": workout.id,
        "workout": workout.name,
        "entrant": entrant_json(entrant),
        "bib": lookup.bib(entrant)?,
        "name": lookup.name(entrant)?,
        "old": receipt.old,
        "new": receipt.new,
        "display": receipt.display,
        "moved_count": count,
        "moved_all_listed": shown.len() == count,
        "moved": moved_json,
    });
    store.close().map_err(store_error)?;
    Ok(Output::new(text, json))
}

fn moved_table(lookup: &EntrantLookup<'_>, moved: &[PlacementChange]) -> CliResult<Table> {
    let mut table = Table::new(&[
        ("Bib", Align::Right),
        ("Name", Align::Left),
        ("Ranking", Align::Left),
        ("Old", Align::Right),
        ("New", Align::Right),
    ]);
    let rank_text = |rank: Option<u32>| rank.map(|rank| rank.to_string()).unwrap_or("-".into());
    for change in moved {
        table.push(vec![
            lookup.bib(change.entrant)?,
            lookup.name(change.entrant)?,
            change
                .division_id
                .map(|id| lookup.division_name(id))
                .unwrap_or_else(|| "workout".to_string()),
            rank_text(change.old_rank),
            rank_text(change.new_rank),
        ]);
    }
    Ok(table)
}

fn value_text(value: Option<&ScoreValue>) -> String {
    value.map(|value| value.text.clone()).unwrap_or_default()
}

fn kind_word(kind: ScoreEventKind) -> &'static str {
    match kind {
        ScoreEventKind::Entry => "entry",
        ScoreEventKind::Import => "import",
        ScoreEventKind::Amend => "amend",
        ScoreEventKind::Undo => "undo",
    }
}

pub fn score_history(file: Option<&Path>, workout_reference: &str, bib: &str) -> CliResult<Output> {
    let store = open_for_reading(file)?;
    let workout = resolve_workout(&store, workout_reference)?;
    let entrant = store.entrant_by_bib(workout.id, bib).map_err(store_error)?;
    let events: Vec<ScoreEvent> = store
        .score_history(workout.id, entrant)
        .map_err(store_error)?;
    let lookup = EntrantLookup::new(&store)?;
    let effective = scoretable_store::replay_history(&events);
    let mut table = Table::new(&[
        ("Event", Align::Right),
        ("When (UTC)", Align::Left),
        ("Kind", Align::Left),
        ("Who", Align::Left),
        ("Old", Align::Left),
        ("New", Align::Left),
        ("Reason", Align::Left),
        ("Appeal", Align::Left),
    ]);
    for event in &events {
        table.push(vec![
            event.id.to_string(),
            event.at.clone(),
            kind_word(event.kind).to_string(),
            event.who.clone(),
            value_text(event.old.as_ref()),
            value_text(event.new.as_ref()),
            event.reason.clone().unwrap_or_default(),
            event.appeal_ref.clone().unwrap_or_default(),
        ]);
    }
    let mut text = format!(
        "{} in {}: {}\n",
        lookup.label(entrant)?,
        workout.name,
        effective
            .as_ref()
            .map(|value| format!("effective value {}", value.text))
            .unwrap_or_else(|| "no score".to_string())
    );
    if events.is_empty() {
        text.push_str("No history.\n");
    } else {
        text.push_str(&table.render());
    }
    let json = json!({
        "workout_id": workout.id,
        "workout": workout.name,
        "entrant": entrant_json(entrant),
        "bib": lookup.bib(entrant)?,
        "name": lookup.name(entrant)?,
        "effective": effective,
        "events": events,
    });
    store.close().map_err(store_error)?;
    Ok(Output::new(text, json))
}

pub fn score_log(file: Option<&Path>, workout_reference: Option<&str>) -> CliResult<Output> {
    let store = open_for_reading(file)?;
    let workout = workout_reference
        .map(|reference| resolve_workout(&store, reference))
        .transpose()?;
    let events = store
        .score_events(workout.as_ref().map(|workout| workout.id))
        .map_err(store_error)?;
    let directory = EntrantDirectory::load(&store)?;
    let workout_names: std::collections::HashMap<i64, String> = store
        .workouts()
        .map_err(store_error)?
        .into_iter()
        .map(|workout| (workout.id, workout.name))
        .collect();
    let mut table = Table::new(&[
        ("Event", Align::Right),
        ("When (UTC)", Align::Left),
        ("Workout", Align::Left),
        ("Bib", Align::Right),
        ("Name", Align::Left),
        ("Kind", Align::Left),
        ("Who", Align::Left),
        ("Old", Align::Left),
        ("New", Align::Left),
        ("Reason", Align::Left),
        ("Appeal", Align::Left),
    ]);
    let mut json_events = Vec::with_capacity(events.len());
    for event in &events {
        let workout_name = workout_names
            .get(&event.workout_id)
            .cloned()
            .unwrap_or_default();
        table.push(vec![
            event.id.to_string(),
            event.at.clone(),
            workout_name.clone(),
            directory.bib(event.entrant).to_string(),
            directory.name(event.entrant),
            kind_word(event.kind).to_string(),
            event.who.clone(),
            value_text(event.old.as_ref()),
            value_text(event.new.as_ref()),
            event.reason.clone().unwrap_or_default(),
            event.appeal_ref.clone().unwrap_or_default(),
        ]);
        json_events.push(json!({
            "event": event,
            "workout": workout_name,
            "bib": directory.bib(event.entrant),
            "name": directory.name(event.entrant),
        }));
    }
    let text = if events.is_empty() {
        "No score events yet.".to_string()
    } else {
        table.render()
    };
    store.close().map_err(store_error)?;
    Ok(Output::new(text, json!({ "events": json_events })))
}
