//! Amended and imported scores can never be overwritten, not even by raw SQL.

use crate::common;

use common::fixture;
use scoretable_core::model::{Entrant, Score, Source, Split};
use scoretable_store::{ImportedResult, ScoreInput, StoreError};

fn imported(row: u64, entrant: Entrant, value: &str) -> ImportedResult {
    ImportedResult {
        row,
        entrant,
        value: ScoreInput::text(value),
        penalty_ms: 0,
        splits: Vec::new(),
        incidents: Vec::new(),
        record_id: Some(format!("R{row}")),
        received_at: None,
    }
}

fn raw(fixture: &common::Fixture) -> rusqlite::Connection {
    rusqlite::Connection::open(fixture.file.path()).unwrap()
}

#[test]
fn a_raw_update_from_an_import_cannot_overwrite_an_amended_score() {
    let mut fixture = fixture();
    let ann = fixture.file.entrant_by_bib(fixture.fran, "1").unwrap();
    fixture
        .file
        .enter_score(fixture.fran, ann, ScoreInput::text("3:00"), "table")
        .unwrap();
    fixture
        .file
        .amend_score(fixture.fran, ann, "2:50", "judge", "miscounted rep", None)
        .unwrap();
    let connection = raw(&fixture);
    let error = connection
        .execute(
            "UPDATE results SET source = 'feed', source_text = '4:00', source_a = 240000
             WHERE workout_id = ?1 AND competitor_id IS NOT NULL",
            [fixture.fran],
        )
        .unwrap_err();
    assert!(error.to_string().contains("protected result"), "{error}");
    let error = connection
        .execute("UPDATE results SET amended = 0, amended_text = NULL, amended_kind = NULL, amended_a = NULL", [])
        .unwrap_err();
    assert!(error.to_string().contains("protected result"), "{error}");
    let error = connection.execute("DELETE FROM results", []).unwrap_err();
    assert!(error.to_string().contains("protected result"), "{error}");
    let result = fixture.file.result(fixture.fran, ann).unwrap().unwrap();
    assert_eq!(result.source_value.unwrap().text, "3:00");
    assert_eq!(result.amended_value.unwrap().text, "2:50");
}

#[test]
fn a_raw_update_cannot_change_an_imported_record() {
    let mut fixture = fixture();
    let ann = fixture.file.entrant_by_bib(fixture.fran, "1").unwrap();
    fixture
        .file
        .import_results(
            fixture.fran,
            Source::Feed,
            "chip feed",
            &[imported(1, ann, "00:03:01.200")],
        )
        .unwrap();
    let connection = raw(&fixture);
    let error = connection
        .execute(
            "UPDATE results SET source_a = 1 WHERE workout_id = ?1",
            [fixture.fran],
        )
        .unwrap_err();
    assert!(error.to_string().contains("protected result"), "{error}");
    // Unrelated columns (e.g. incidents) may still change.
    connection
        .execute(
            "UPDATE results SET incidents = '[\"10 second penalty\"]'",
            [],
        )
        .unwrap();
}

#[test]
fn history_rows_cannot_be_updated_or_deleted() {
    let mut fixture = fixture();
    fixture
        .file
        .enter_score_by_bib(fixture.fran, "1", ScoreInput::text("3:00"), "table")
        .unwrap();
    let connection = raw(&fixture);
    let error = connection
        .execute("UPDATE score_events SET who = 'nobody'", [])
        .unwrap_err();
    assert!(error.to_string().contains("append-only"), "{error}");
    let error = connection
        .execute("DELETE FROM score_events", [])
        .unwrap_err();
    assert!(error.to_string().contains("append-only"), "{error}");
}

#[test]
fn later_syncs_skip_existing_results_and_never_touch_amendments() {
    let mut fixture = fixture();
    let fran = fixture.fran;
    let ann = fixture.file.entrant_by_bib(fran, "1").unwrap();
    let bea = fixture.file.entrant_by_bib(fran, "2").unwrap();
    let cara = fixture.file.entrant_by_bib(fran, "3").unwrap();
    let first = fixture
        .file
        .import_results(
            fran,
            Source::Feed,
            "chip feed",
            &[
                imported(1, ann, "00:03:01.2"),
                imported(2, bea, "00:03:05.0"),
            ],
        )
        .unwrap();
    assert_eq!(first.inserted, 2);
    fixture
        .file
        .amend_score(fran, ann, "2:59", "judge", "appeal upheld", Some("A-1"))
        .unwrap();
    fixture
        .file
        .enter_score(fran, cara, ScoreInput::text("3:30"), "table")
        .unwrap();
    let second = fixture
        .file
        .import_results(
            fran,
            Source::Feed,
            "chip feed",
            &[
                imported(1, ann, "00:04:00.0"),
                imported(2, bea, "00:04:00.0"),
                imported(3, cara, "00:04:00.0"),
            ],
        )
        .unwrap();
    assert_eq!(
        (
            second.inserted,
            second.skipped_existing,
            second.skipped_amended
        ),
        (0, 3, 1)
    );
    assert_ne!(first.batch_id, second.batch_id);
    let ann_result = fixture.file.result(fran, ann).unwrap().unwrap();
    assert_eq!(
        ann_result.effective_value().unwrap().score,
        Some(Score::Time { ms: 179_000 })
    );
    assert_eq!(
        ann_result.provenance.source_name.as_deref(),
        Some("chip feed")
    );
    assert_eq!(ann_result.provenance.record_id.as_deref(), Some("R1"));
    assert_eq!(
        ann_result.provenance.import_batch.as_deref(),
        Some(first.batch_id.as_str())
    );
    let bea_result = fixture.file.result(fran, bea).unwrap().unwrap();
    assert_eq!(
        bea_result.effective_value().unwrap().score,
        Some(Score::Time { ms: 185_000 })
    );
    let batches = fixture.file.import_batches().unwrap();
    let result_batches: Vec<(u64, u64)> = batches
        .iter()
        .filter(|batch| batch.kind == "results")
        .map(|batch| (batch.inserted, batch.skipped))
        .collect();
    assert_eq!(result_batches, vec![(2, 0), (0, 3)]);
}

#[test]
fn a_bad_record_rolls_back_the_whole_batch_and_names_the_row() {
    let mut fixture = fixture();
    let fran = fixture.fran;
    let ann = fixture.file.entrant_by_bib(fran, "1").unwrap();
    let bea = fixture.file.entrant_by_bib(fran, "2").unwrap();
    let error = fixture
        .file
        .import_results(
            fran,
            Source::File,
            "results.csv",
            &[imported(2, ann, "3:01"), imported(3, bea, "fast")],
        )
        .unwrap_err();
    assert!(
        matches!(error, StoreError::ImportRow { row: 3, .. }),
        "{error}"
    );
    let message = error.to_string();
    assert!(
        message.starts_with("results.csv, row 3, field value:"),
        "{message}"
    );
    assert!(fixture.file.results(fran).unwrap().is_empty());
    assert!(fixture.file.score_events(None).unwrap().is_empty());
    let mut with_bad_split = imported(2, ann, "3:01");
    with_bad_split.splits = vec![Split {
        timing_point_id: 999,
        total_ms: 1,
    }];
    let error = fixture
        .file
        .import_results(fran, Source::File, "results.csv", &[with_bad_split])
        .unwrap_err();
    assert!(error.to_string().contains("field split"), "{error}");
    assert!(fixture.file.results(fran).unwrap().is_empty());
}

#[test]
fn amendments_and_undo_follow_the_rules() {
    let mut fixture = fixture();
    let fran = fixture.fran;
    let ann = fixture.file.entrant_by_bib(fran, "1").unwrap();
    // An amendment can create a result that was never entered.
    let receipt = fixture
        .file
        .amend_score(fran, ann, "DNS", "judge", "did not start", None)
        .unwrap();
    assert!(receipt.old.is_none());
    let result = fixture.file.result(fran, ann).unwrap().unwrap();
    assert_eq!(result.source, Source::Amendment);
    assert!(result.source_value.is_none());
    // A later entry cannot replace it.
    let error = fixture
        .file
        .enter_score(fran, ann, ScoreInput::text("3:00"), "table")
        .unwrap_err();
    assert!(matches!(error, StoreError::AlreadyScored { .. }), "{error}");
    // An entry that was later amended cannot be undone.
    let bea = fixture.file.entrant_by_bib(fran, "2").unwrap();
    let entry = fixture
        .file
        .enter_score(fran, bea, ScoreInput::text("3:00"), "table")
        .unwrap();
    fixture
        .file
        .amend_score(fran, bea, "3:10", "judge", "no rep", None)
        .unwrap();
    let error = fixture
        .file
        .undo_entry(entry.entry_id, "table")
        .unwrap_err();
    assert!(matches!(error, StoreError::CannotUndo { .. }), "{error}");
    // An amendment id is not an entry.
    let error = fixture
        .file
        .undo_entry(receipt.event_id, "table")
        .unwrap_err();
    assert!(matches!(error, StoreError::CannotUndo { .. }), "{error}");
    // Bad amendment values change nothing.
    let before = fixture.file.score_events(None).unwrap().len();
    let error = fixture
        .file
        .amend_score(fran, bea, "soon", "judge", "typo", None)
        .unwrap_err();
    assert!(matches!(error, StoreError::InvalidScore { .. }), "{error}");
    assert_eq!(fixture.file.score_events(None).unwrap().len(), before);
}

#[test]
fn no_source_value_can_be_rewritten_even_of_a_typed_score() {
    let mut fixture = fixture();
    fixture
        .file
        .enter_score_by_bib(fixture.fran, "1", ScoreInput::text("3:00"), "table")
        .unwrap();
    let connection = raw(&fixture);
    let error = connection
        .execute(
            "UPDATE results SET source = 'feed', source_text = '2:00', source_a = 120000",
            [],
        )
        .unwrap_err();
    assert!(error.to_string().contains("written once"), "{error}");
    // A typed score that was not amended can still be undone through the store.
    let history = fixture.file.score_events(Some(fixture.fran)).unwrap();
    fixture.file.undo_entry(history[0].id, "table").unwrap();
}

#[test]
fn a_second_entry_says_what_to_do_instead() {
    let mut fixture = fixture();
    let fran = fixture.fran;
    let ann = fixture.file.entrant_by_bib(fran, "1").unwrap();
    let bea = fixture.file.entrant_by_bib(fran, "2").unwrap();
    let cara = fixture.file.entrant_by_bib(fran, "3").unwrap();
    let typed = fixture
        .file
        .enter_score(fran, ann, ScoreInput::text("3:00"), "table")
        .unwrap();
    fixture
        .file
        .import_results(
            fran,
            Source::Feed,
            "chip feed",
            &[imported(2, bea, "00:03:05.0")],
        )
        .unwrap();
    fixture
        .file
        .amend_score(fran, cara, "DNS", "judge", "absent", None)
        .unwrap();
    let again = |file: &mut scoretable_store::CompetitionFile, entrant| {
        file.enter_score(fran, entrant, ScoreInput::text("3:30"), "table")
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        again(&mut fixture.file, ann),
        format!("bib 1 (Ann Lee) already has a score (3:00.0) in workout Fran; undo entry {} or amend it", typed.entry_id)
    );
    assert!(again(&mut fixture.file, bea).ends_with("it was imported from chip feed; amend it"));
    assert!(
        again(&mut fixture.file, cara).ends_with("it has an official amendment; amend it again")
    );
}
