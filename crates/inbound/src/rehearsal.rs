//! Rehearsal: replaying a recorded feed through a mapping into a scratch
//! copy of the competition, to see what would happen without touching the
//! real results. This replaces "duplicate the workout to test".
//!
//! The scratch copy is an SQLite online backup of the competition file (so
//! the rehearsal sees the real competitors, results, ledger, conflicts and
//! review queue as they are now) written to a temporary directory that is
//! removed afterwards. The real file is only read.
//!
//! A recording is a text file of successive payloads separated by lines
//! holding only `---` (what `poll --record` writes); a file without such a
//! line is one payload.

use scoretable_core::model::{Id, Source};
use scoretable_store::{BackupPolicy, CompetitionFile, InboundSource};
use serde::{Deserialize, Serialize};

use crate::error::{io_error, InboundError};
use crate::mapping::{map_document, FieldMapping};
use crate::poll::PollSummary;
use crate::readers::read_document;
use crate::record::RecordFormat;

/// Splits a recording into its payloads.
pub fn split_recording(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut payloads = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    for line in bytes.split_inclusive(|byte| *byte == b'\n') {
        let trimmed: &[u8] = line.trim_ascii();
        if trimmed == b"---" {
            if !current.trim_ascii().is_empty() {
                payloads.push(std::mem::take(&mut current));
            }
            current.clear();
        } else {
            current.extend_from_slice(line);
        }
    }
    if !current.trim_ascii().is_empty() {
        payloads.push(current);
    }
    payloads
}

/// One replayed payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RehearsalStep {
    /// 1-based payload number in the recording.
    pub payload: usize,
    pub summary: Option<PollSummary>,
    /// Why the payload could not be used (it would have been a failed poll).
    pub error: Option<String>,
}

/// What replaying a recording would do.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RehearsalReport {
    pub source_name: String,
    pub workout_id: Id,
    pub payloads: usize,
    pub failed_payloads: usize,
    pub imported: usize,
    pub skipped: usize,
    pub new_conflicts: usize,
    pub unknown: usize,
    pub invalid: usize,
    pub steps: Vec<RehearsalStep>,
    /// Open conflicts and review items in the scratch copy at the end.
    pub open_conflicts_at_end: usize,
    pub open_reviews_at_end: usize,
}

/// Replays `recording` as source `source_name` into a scratch copy of `store`.
pub fn rehearse(
    store: &mut CompetitionFile,
    source_name: &str,
    workout_id: Id,
    mapping: &FieldMapping,
    format: Option<RecordFormat>,
    recording: &[u8],
) -> Result<RehearsalReport, InboundError> {
    let workout = store.workout(workout_id)?;
    mapping.validate(&workout)?;
    let scratch_directory = tempfile::Builder::new()
        .prefix("scoretable-rehearsal-")
        .tempdir()
        .map_err(|error| io_error(&std::env::temp_dir(), error))?;
    let copy_path = store.backup_now(scratch_directory.path())?;
    let mut scratch = CompetitionFile::open(&copy_path)?;
    scratch.set_backup_policy(BackupPolicy {
        automatic: false,
        ..BackupPolicy::beside(&copy_path)
    });
    let source = InboundSource {
        name: source_name.to_string(),
        kind: Source::Feed,
    };
    let mut report = RehearsalReport {
        source_name: source_name.to_string(),
        workout_id,
        ..RehearsalReport::default()
    };
    for (position, payload) in split_recording(recording).iter().enumerate() {
        let number = position + 1;
        report.payloads += 1;
        let document = match read_document(payload, &format!("payload {number}"), format) {
            Ok(document) => document,
            Err(error) => {
                report.failed_payloads += 1;
                report.steps.push(RehearsalStep {
                    payload: number,
                    summary: None,
                    error: Some(error.to_string()),
                });
                continue;
            }
        };
        let mut mapped = map_document(mapping, &workout, &document);
        mapped.withhold_duplicates(&document.source_name, document.format.record_word());
        let ledger = match scratch.apply_inbound(&source, workout_id, &mapped.records) {
            Ok(ledger) => ledger,
            Err(error) => {
                report.failed_payloads += 1;
                report.steps.push(RehearsalStep {
                    payload: number,
                    summary: None,
                    error: Some(error.to_string()),
                });
                continue;
            }
        };
        let summary = PollSummary::new(
            document.records.len(),
            mapped.waiting,
            mapped.invalid,
            &mapped.problems,
            &ledger,
        );
        report.imported += summary.imported;
        report.skipped += summary.unchanged + summary.matched + summary.dismissed + summary.ignored;
        report.new_conflicts += summary.new_conflicts;
        report.unknown += summary.unknown;
        report.invalid += summary.invalid;
        report.steps.push(RehearsalStep {
            payload: number,
            summary: Some(summary),
            error: None,
        });
    }
    report.open_conflicts_at_end = scratch.inbound_conflicts(true)?.len();
    report.open_reviews_at_end = scratch.review_items(true)?.len();
    scratch.close()?;
    drop(scratch_directory);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recordings_split_on_separator_lines() {
        let recording = b"[1]\n---\n[2,\n3]\n---\n\n---\n[4]";
        let payloads = split_recording(recording);
        assert_eq!(payloads.len(), 3);
        assert_eq!(payloads[1], b"[2,\n3]\n");
        assert_eq!(split_recording(b"[1]").len(), 1);
        assert!(split_recording(b"").is_empty());
    }
}
