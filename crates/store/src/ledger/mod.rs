//! The inbound side's memory: the import ledger, the conflict inbox, the
//! review queue, saved field mappings and polled connections.
//!
//! Timing systems and files deliver *source records*. The inbound crate reads
//! and maps them into [`InboundRecord`]s; [`CompetitionFile::apply_inbound`]
//! decides what each one means, following the timing-feed seed's rule that
//! an imported record is skipped on every later sync.
//!
//! # Ledger rules
//!
//! A record is identified by its source name (a connection's name, or a
//! file import's mapping name), the workout and its **record key** (usually
//! the participant id, plus the teammate id for per-member chips).
//!
//! 1. **Unknown participant.** When no competitor or team matches the
//!    record's identifier, the record goes to the review queue (one row per
//!    record key, refreshed with the latest value on every poll). An
//!    official assigns it to an entrant, which imports the stored record for
//!    that entrant; a dismissed review item is ignored from then on.
//! 2. **First sight.** A record the ledger has not seen, for an entrant
//!    without a result in the workout, is imported (source `file` or
//!    `feed`, provenance = source name, record key and batch) and a ledger
//!    row remembers the value it brought.
//! 3. **Entrant already scored elsewhere.** A record the ledger has not seen
//!    whose entrant already has a result (typed, another source, an
//!    amendment) is not imported. The ledger row takes the current effective
//!    value as its baseline; an equal value is "matched", a different one
//!    opens a conflict.
//! 4. **Later polls.** A record the ledger has seen is compared with the
//!    ledger's current value (score, status and tie-break; not splits). Equal
//!    means skipped, whatever officials have done to the result since: an
//!    amended score is never touched. A different value opens a conflict for
//!    an official; it is never applied silently. The same different value
//!    seen again only bumps the open conflict's counter; yet another value
//!    supersedes the open conflict with a new one; the source going back to
//!    the ledger value closes the open conflict as superseded. A value an
//!    official dismissed stays dismissed.
//! 5. **Resolution.** Accepting a conflict amends the result with the
//!    official's reason (the normal audited amendment) and moves the ledger's
//!    current value to the accepted one. Dismissing keeps the result.
//!
//! Result rows are written only through the store's import and amendment
//! (`import_results_in`, `amend_score_in`), so the protective triggers and
//! the score history apply unchanged, and inside the same transaction as the
//! ledger: [`CompetitionFile::apply_inbound`],
//! [`CompetitionFile::accept_conflict`] and [`CompetitionFile::assign_review`]
//! each commit their results, ledger rows, conflicts and review items
//! together or not at all. A crash at any moment therefore leaves either the
//! state before the call or the state after it, never a result without the
//! ledger row that remembers its value (which would let a later source
//! change slip through as "imported"). The failpoints ([`failpoint`]) sit
//! between every pair of writes so the kill -9 tests can prove it. Ledger
//! rows cannot be deleted and keep the value they first recorded (schema
//! triggers).
//!
//! Connections keep their health (`ok`, `backing_off`, `error` with a
//! message, consecutive failures, last attempt, last success) so the CLI and
//! the app can show it. Credentials are never stored: a connection names an
//! environment variable holding them, and URLs carrying passwords or tokens
//! are refused.
//!
//! # Files
//!
//! - `records.rs`: what a source delivers ([`InboundRecord`],
//!   [`Identifier`]) and what an apply reports ([`InboundReport`]).
//! - `resolver.rs`: the entrant a record's identifier names.
//! - `apply.rs`: [`CompetitionFile::apply_inbound`], its checks and loads,
//!   and the one transaction; `classify.rs`: each record against the
//!   current results and the ledger (the rules above). An apply reads only
//!   what its records touch, by key through the unique indexes: their
//!   ledger rows, review items and those rows' conflicts, the competitors
//!   their identifiers name and those entrants' results in the workout;
//!   never the workout's whole field or the source's whole ledger, so a
//!   poll's cost does not grow with the event.
//! - `conflicts.rs`: the conflict inbox (accept, dismiss).
//! - `review.rs`: the review queue (assign, dismiss).
//! - `connections.rs`: saved mappings and polled connections.
//! - `failpoints.rs`: the named stops for the kill -9 tests.
//! - This file: the codecs the files share (JSON columns, entrant columns,
//!   value fingerprints).

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use scoretable_core::model::{
    Entrant, Id, Millis, PublicationState, Source, Split, TeamScoring, Workout,
};
use serde::{Deserialize, Serialize};

use crate::competition_file::{now_timestamp, CompetitionFile};
use crate::error::{Result, StoreError};
use crate::results::{
    amend_score_in, describe_entrant, import_results_in, load_result, AmendmentReceipt,
    ImportedResult, ScoreInput, ScoreValue,
};
use crate::workouts::load_workout;

mod apply;
mod classify;
mod conflicts;
mod connections;
mod failpoints;
mod records;
mod resolver;
mod review;

use apply::*;
use classify::*;
pub use conflicts::*;
pub use connections::*;
pub use failpoints::*;
pub use records::*;
use resolver::*;
pub use review::*;

fn bad_word(word: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unknown stored value {word:?}").into(),
    )
}

fn json_column<T: serde::de::DeserializeOwned>(
    row: &Row<'_>,
    column: usize,
) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    serde_json::from_str(&text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            Box::new(error),
        )
    })
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("ledger values serialize")
}

/// The part of a value that decides equality: score, status and tie-break.
/// The source's text is left out, so `00:13:37.2` equals `00:13:37.200`.
pub fn value_fingerprint(value: &ScoreValue) -> String {
    to_json(&(value.score, value.status, value.tie_break_ms))
}

fn entrant_columns(entrant: Entrant) -> (Option<Id>, Option<Id>) {
    match entrant {
        Entrant::Competitor(id) => (Some(id), None),
        Entrant::Team(id) => (None, Some(id)),
    }
}

fn entrant_from(competitor_id: Option<Id>, team_id: Option<Id>) -> Option<Entrant> {
    match (competitor_id, team_id) {
        (Some(id), None) => Some(Entrant::Competitor(id)),
        (None, Some(id)) => Some(Entrant::Team(id)),
        _ => None,
    }
}

fn source_kind_word(kind: Source) -> &'static str {
    match kind {
        Source::Feed => "feed",
        _ => "file",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ledger_rows_cannot_be_deleted_or_re_keyed() {
        let directory = tempfile::tempdir().unwrap();
        let file = CompetitionFile::create(
            directory.path().join("ledger.scoretable"),
            &scoretable_core::model::Competition {
                name: "Ledger".into(),
                slug: "ledger".into(),
                start_date: "2026-06-01".into(),
                end_date: "2026-06-01".into(),
                ..Default::default()
            },
        )
        .unwrap();
        file.connection
            .execute_batch(
                "INSERT INTO workouts (id, name, sequence, score_type, load_unit, tie_break,
                    rounding_mode, rounding_unit_ms, team_scoring, state)
                    VALUES (1, 'Sprint', 1, 'time', 'kg', 'none', 'exact', 0, 'individual', 'provisional');
                 INSERT INTO competitors (id, bib, first_name, last_name) VALUES (1, '1', 'A', 'B');
                 INSERT INTO inbound_ledger (source_name, workout_id, record_key, competitor_id,
                    origin, imported_value, current_fingerprint, current_value, first_imported_at,
                    updated_at) VALUES ('timing', 1, '524658', 1, 'imported', '{}', 'x', '{}',
                    '2026-06-01T10:00:00.000Z', '2026-06-01T10:00:00.000Z');",
            )
            .unwrap();
        let error = StoreError::from(
            file.connection
                .execute("DELETE FROM inbound_ledger", [])
                .unwrap_err(),
        );
        assert!(matches!(error, StoreError::Protected(_)), "{error}");
        let error = StoreError::from(
            file.connection
                .execute("UPDATE inbound_ledger SET imported_value = '[]'", [])
                .unwrap_err(),
        );
        assert!(matches!(error, StoreError::Protected(_)), "{error}");
        // The current value may move (an accepted conflict).
        file.connection
            .execute("UPDATE inbound_ledger SET current_fingerprint = 'y'", [])
            .unwrap();
    }

    /// Counts the SQLite virtual machine instructions run on `file`'s
    /// connection while `body` runs (a progress handler called on every
    /// instruction): the work a call does in the database, whatever
    /// statements it uses.
    fn vm_instructions<T>(
        file: &mut CompetitionFile,
        body: impl FnOnce(&mut CompetitionFile) -> T,
    ) -> (T, u64) {
        use rusqlite::ffi;
        unsafe extern "C" fn count(counter: *mut std::os::raw::c_void) -> std::os::raw::c_int {
            // SAFETY: `counter` is the `u64` below, alive while installed.
            unsafe { *(counter as *mut u64) += 1 };
            0
        }
        let mut counter: u64 = 0;
        let database = unsafe { file.connection.handle() };
        // SAFETY: the handler and its counter are removed before `counter`
        // goes out of scope; the connection is used on this thread only.
        unsafe {
            ffi::sqlite3_progress_handler(
                database,
                1,
                Some(count),
                &mut counter as *mut u64 as *mut std::os::raw::c_void,
            )
        };
        let value = body(file);
        unsafe { ffi::sqlite3_progress_handler(database, 0, None, std::ptr::null_mut()) };
        (value, counter)
    }

    /// A poll of two records (a new score and an athlete the file scored)
    /// on a file whose workout has `athletes` scored athletes: the database
    /// work of the apply, and its outcomes.
    fn poll_work(athletes: usize) -> (u64, Vec<RecordOutcome>) {
        use scoretable_core::model::{Score, ScoreType, TeamScoring};
        use scoretable_testkit::fixtures;
        let directory = tempfile::tempdir().unwrap();
        let mut file = CompetitionFile::create(
            directory.path().join("field.scoretable"),
            &fixtures::competition("Field", "field"),
        )
        .unwrap();
        let drafts: Vec<_> = (0..athletes)
            .map(|at| {
                let bib = (at + 1).to_string();
                fixtures::feed_athlete(at + 2, &bib, "A", "B", &format!("P{bib}"))
            })
            .collect();
        file.import_competitors_from("start-list.csv", &drafts)
            .unwrap();
        let race = file
            .add_workout(&Workout {
                team_scoring: TeamScoring::Individual,
                ..fixtures::workout("Sprint", 1, ScoreType::Time)
            })
            .unwrap();
        let time = |ms: i64| ScoreValue {
            text: format!("{ms}"),
            score: Some(Score::Time { ms }),
            status: None,
            tie_break_ms: None,
            penalty_ms: 0,
        };
        // Everyone but the first athlete scored from a file.
        let scored: Vec<ImportedResult> = (1..athletes)
            .map(|at| ImportedResult {
                row: at as u64 + 1,
                entrant: Entrant::Competitor(
                    file.competitor_by_bib(&(at + 1).to_string())
                        .unwrap()
                        .unwrap()
                        .id,
                ),
                value: ScoreInput::Parsed {
                    score: Some(Score::Time {
                        ms: 60_000 + at as i64,
                    }),
                    status: None,
                    tie_break_ms: None,
                },
                penalty_ms: 0,
                splits: Vec::new(),
                incidents: Vec::new(),
                record_id: None,
                received_at: None,
            })
            .collect();
        file.import_results(race, Source::File, "times.csv", &scored)
            .unwrap();
        let record = |index: u64, participant: &str, ms: i64| InboundRecord {
            index,
            record_key: participant.into(),
            identifier: Identifier {
                kind: IdentifierKind::FeedParticipantId,
                value: participant.into(),
            },
            team: None,
            teammate: None,
            value: time(ms),
            penalty_ms: 0,
            splits: Vec::new(),
            incidents: Vec::new(),
            fields: Vec::new(),
        };
        let records = [record(1, "P1", 59_000), record(2, "P2", 60_001)];
        let source = InboundSource {
            name: "timing".into(),
            kind: Source::Feed,
        };
        let (report, work) = vm_instructions(&mut file, |file| {
            file.apply_inbound(&source, race, &records)
        });
        let report = report.unwrap();
        (
            work,
            report
                .records
                .into_iter()
                .map(|record| record.outcome)
                .collect(),
        )
    }

    #[test]
    fn a_poll_apply_reads_only_what_its_records_touch() {
        let (small, small_outcomes) = poll_work(40);
        let (large, large_outcomes) = poll_work(1_200);
        assert_eq!(small_outcomes, large_outcomes);
        assert!(matches!(small_outcomes[0], RecordOutcome::Imported { .. }));
        assert!(matches!(small_outcomes[1], RecordOutcome::Matched { .. }));
        // 30 times the field: the same work but for deeper index seeks
        // (loading the workout's results or the competitors' ids once
        // costs several instructions per athlete).
        assert!(
            large < small + small / 4,
            "{large} instructions at 1,200 athletes against {small} at 40"
        );
    }

    #[test]
    fn urls_carrying_secrets_are_refused() {
        assert!(check_url_has_no_secret("https://timing.example/feed.json").is_ok());
        assert!(check_url_has_no_secret("http://10.0.0.5:8080/results?race=3").is_ok());
        assert!(check_url_has_no_secret("https://a:b@timing.example/").is_err());
        assert!(check_url_has_no_secret("https://timing.example/?access_token=1").is_err());
        assert!(check_url_has_no_secret("https://timing.example/?API-Key=1").is_err());
        assert!(check_url_has_no_secret("timing.example/feed").is_err());
    }
}
