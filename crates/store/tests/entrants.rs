//! Import progress, division membership editing and division removal.

mod common;

use common::{competition, draft};
use scoretable_core::model::Gender;
use scoretable_store::competitors::{ImportProgress, IMPORT_PROGRESS_EVERY_ROWS};
use scoretable_store::{CompetitionFile, StoreError};

fn new_file() -> (tempfile::TempDir, CompetitionFile) {
    let directory = tempfile::tempdir().unwrap();
    let file =
        CompetitionFile::create(directory.path().join("c.scoretable"), &competition()).unwrap();
    (directory, file)
}

fn many_drafts(count: usize) -> Vec<scoretable_core::import::CompetitorDraft> {
    (0..count)
        .map(|index| {
            draft(
                index + 2,
                &(1000 + index).to_string(),
                "Athlete",
                &format!("Number{index}"),
                Gender::Female,
            )
        })
        .collect()
}

#[test]
fn an_import_reports_progress_every_thousand_rows_and_once_stored() {
    let (_directory, mut file) = new_file();
    let drafts = many_drafts(2_500);
    let mut reports = Vec::new();
    let summary = file
        .import_competitors_with_progress("big.csv", &drafts, &mut |progress| {
            reports.push(progress)
        })
        .unwrap();
    assert_eq!(summary.new, 2_500);
    let done: Vec<usize> = reports.iter().map(|progress| progress.done).collect();
    assert_eq!(done, vec![0, 1_000, 2_000, 2_500]);
    assert!(reports.iter().all(|progress| progress.total == 2_500));
    assert_eq!(IMPORT_PROGRESS_EVERY_ROWS, 1_000);
    // The last report came after the commit: every row is readable.
    assert_eq!(file.competitors().unwrap().len(), 2_500);

    // Re-importing the same rows reports the same way (unchanged rows count).
    reports.clear();
    file.import_competitors_with_progress("big.csv", &drafts, &mut |progress| {
        reports.push(progress)
    })
    .unwrap();
    assert_eq!(
        reports.last(),
        Some(&ImportProgress {
            done: 2_500,
            total: 2_500
        })
    );
}

#[test]
fn a_failed_import_never_reports_completion_and_stores_nothing() {
    let (_directory, mut file) = new_file();
    let mut drafts = many_drafts(1_500);
    drafts[1_200].bib = "1000".into();
    let mut reports = Vec::new();
    let error = file
        .import_competitors_with_progress("dup.csv", &drafts, &mut |progress| {
            reports.push(progress)
        })
        .unwrap_err();
    assert!(
        matches!(&error, StoreError::ImportRow { row, field, .. } if *row == 1_202 && field == "bib"),
        "{error}"
    );
    let done: Vec<usize> = reports.iter().map(|progress| progress.done).collect();
    assert_eq!(done, vec![0, 1_000]);
    assert!(file.competitors().unwrap().is_empty());
}
