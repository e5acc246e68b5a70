//! Measures the day-end exports on a generated 60,000-athlete race.
//!
//! Run with `cargo run --release --example export_bench -p scoretable-export`
//! (optional arguments: athletes, divisions, splits, e.g. `-- 60000 12 10`).
//!
//! The race comes from `scoretable_core::generate::large_individual_event`
//! and is ranked with `ranking::rank_workout`. The renderers are measured on
//! an in-memory snapshot; then the race is written to a real competition file
//! (imported in batches through the store) and the full path is measured:
//! gathering the snapshot from the file, sealing the archive (online backup,
//! every export, manifest, hash chain) and verifying it. Output files go to
//! `bench-out/export/` (git-ignored).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use chrono::Utc;
use scoretable_core::generate::large_individual_event;
use scoretable_core::import::read_competitors_csv;
use scoretable_core::model::{Entrant, Id, OverallSettings, Source, Split};
use scoretable_export::{
    gather_export_data, seal_competition, verify_archive, AmendmentLogEntry, ArchiveOptions,
    AwardRules, ExportData, Exporter, RunSignupOptions, RunSignupStatusPolicy, SnapshotParts,
};
use scoretable_store::{BackupPolicy, CompetitionFile, ImportedResult, ScoreInput};

struct Measurement {
    name: String,
    milliseconds: f64,
    bytes: usize,
    note: String,
}

fn measure<T>(
    results: &mut Vec<Measurement>,
    name: &str,
    note: &str,
    work: impl FnOnce() -> (T, usize),
) -> T {
    let start = Instant::now();
    let (value, bytes) = work();
    let milliseconds = start.elapsed().as_secs_f64() * 1000.0;
    println!(
        "{name:<46} {milliseconds:>9.1} ms {:>9.2} MB  {note}",
        bytes as f64 / 1_000_000.0
    );
    results.push(Measurement {
        name: name.to_string(),
        milliseconds,
        bytes,
        note: note.to_string(),
    });
    value
}

fn main() {
    let arguments: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|argument| argument.parse().ok())
        .collect();
    let athletes = arguments.first().copied().unwrap_or(60_000);
    let divisions = arguments.get(1).copied().unwrap_or(12);
    let splits = arguments.get(2).copied().unwrap_or(10);
    let output_directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench-out/export");
    std::fs::create_dir_all(&output_directory).expect("creating bench-out/export");
    println!("export bench: {athletes} athletes, {divisions} divisions, {splits} splits (release build expected)");
    let mut results = Vec::new();

    let event = measure(
        &mut results,
        "generate event",
        "large_individual_event",
        || (large_individual_event(athletes, divisions, splits, 2026), 0),
    );
    let ranked = measure(
        &mut results,
        "rank (rank_workout)",
        "whole field + division places",
        || (event.ranked_workouts(), 0),
    );
    let infos = event.entrant_infos();
    let data = measure(
        &mut results,
        "assemble snapshot (ExportData::from_ranked)",
        "division boards + 13 overall boards",
        || {
            // Every 200th finisher was amended, so footnotes and the chain have work to do.
            let mut ranked = ranked.clone();
            let workout_id = ranked[0].0.id;
            let mut amendments = Vec::new();
            for row in ranked[0].1.iter_mut() {
                if row.rank.is_some_and(|rank| rank % 200 == 0) {
                    row.amended = true;
                    amendments.push(AmendmentLogEntry {
                        sequence: amendments.len() as u64 + 1,
                        event_id: amendments.len() as i64 + 1,
                        workout_id,
                        entrant: row.entrant,
                        amended_at: "2026-06-13T16:00:00Z".to_string(),
                        official: "Chief Referee".to_string(),
                        old_value: "2:00:00".to_string(),
                        new_value: row.display.clone(),
                        reason: "Timing mat review".to_string(),
                        appeal_reference: Some(format!("A-{}", amendments.len() + 1)),
                    });
                }
            }
            let parts = SnapshotParts {
                competition: event.competition.clone(),
                divisions: event.divisions.clone(),
                competitors: event.competitors.clone().into(),
                teams: event.teams.clone(),
                amendments,
                generated_at: Utc::now(),
            };
            let data =
                ExportData::from_ranked(parts, ranked, &infos, Some(&OverallSettings::default()));
            (data, 0)
        },
    );
    let exporter = measure(&mut results, "index entrants (Exporter::new)", "", || {
        (Exporter::new(&data), 0)
    });
    let workout_id = data.workouts[0].id;
    let scopes: Vec<Option<Id>> = std::iter::once(None)
        .chain(data.divisions.iter().map(|division| Some(division.id)))
        .collect();

    measure(
        &mut results,
        "CSV: workout, whole field",
        "one file",
        || {
            let bytes = exporter.workout_results_csv(workout_id, None).unwrap();
            std::fs::write(output_directory.join("workout-all.csv"), &bytes).unwrap();
            ((), bytes.len())
        },
    );
    measure(
        &mut results,
        "CSV: every workout and overall file",
        "(1 + divisions) x (workouts + overall)",
        || {
            let mut total = 0;
            for scope in &scopes {
                for workout in &data.workouts {
                    total += exporter
                        .workout_results_csv(workout.id, *scope)
                        .unwrap()
                        .len();
                }
                total += exporter.overall_results_csv(*scope).unwrap().len();
            }
            ((), total)
        },
    );
    measure(
        &mut results,
        "JSON: results document",
        "whole competition, compact",
        || {
            let bytes = exporter.results_json().unwrap();
            std::fs::write(output_directory.join("results.json"), &bytes).unwrap();
            ((), bytes.len())
        },
    );
    let runsignup = RunSignupOptions {
        status_policy: RunSignupStatusPolicy::MapToNearest,
        ..RunSignupOptions::default()
    };
    measure(
        &mut results,
        "RunSignup XML",
        "whole field, LAP mapped to DNF",
        || {
            let bytes = exporter.runsignup_xml(workout_id, &runsignup).unwrap();
            std::fs::write(output_directory.join("runsignup.xml"), &bytes).unwrap();
            ((), bytes.len())
        },
    );
    measure(&mut results, "RunSignup CSV", "", || {
        let bytes = exporter.runsignup_csv(workout_id, &runsignup).unwrap();
        ((), bytes.len())
    });
    measure(&mut results, "RunSignup JSON", "", || {
        let bytes = exporter.runsignup_json(workout_id, &runsignup).unwrap();
        ((), bytes.len())
    });
    measure(
        &mut results,
        "PDF: whole field",
        "workout + overall sections",
        || {
            let bytes = exporter.division_results_pdf(None).unwrap();
            std::fs::write(output_directory.join("all.pdf"), &bytes).unwrap();
            ((), bytes.len())
        },
    );
    measure(
        &mut results,
        "PDF: every division",
        "one file per division",
        || {
            let mut total = 0;
            for division in &data.divisions {
                total += exporter
                    .division_results_pdf(Some(division.id))
                    .unwrap()
                    .len();
            }
            ((), total)
        },
    );
    let rules = AwardRules {
        overall_awards: 3,
        gender_overall_awards: 0,
        ..AwardRules::default()
    };
    measure(
        &mut results,
        "Awards: CSV + PDF",
        "top 3 overall, top 3 per division",
        || {
            let csv = exporter.awards_csv(&rules).unwrap();
            let pdf = exporter.awards_pdf(&rules).unwrap();
            std::fs::write(output_directory.join("awards.pdf"), &pdf).unwrap();
            ((), csv.len() + pdf.len())
        },
    );

    // The full path from a real competition file.
    let file_path = output_directory.join("bench.scoretable");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file_path.display()));
    }
    let mut file = measure(
        &mut results,
        "store: write the race to a file",
        "batch imports (setup, not an export)",
        || {
            let mut file = CompetitionFile::create(&file_path, &event.competition).unwrap();
            let mut policy = BackupPolicy::beside(&file_path);
            policy.automatic = false;
            file.set_backup_policy(policy);
            for division in &event.divisions {
                file.add_division(division).unwrap();
            }
            let drafts =
                read_competitors_csv(event.competitors_csv().as_bytes(), "generated.csv").unwrap();
            file.import_competitors_from("generated.csv", &drafts)
                .unwrap();
            let stored_competitors: HashMap<String, Id> = file
                .competitors()
                .unwrap()
                .into_iter()
                .map(|competitor| (competitor.bib, competitor.id))
                .collect();
            let generated_bib: HashMap<Id, &str> = event
                .competitors
                .iter()
                .map(|competitor| (competitor.id, competitor.bib.as_str()))
                .collect();
            for (workout, entries) in event.workouts.iter().zip(&event.results) {
                let stored_workout_id = file.add_workout(workout).unwrap();
                let stored_workout = file.workout(stored_workout_id).unwrap();
                let point_by_order: HashMap<u32, Id> = stored_workout
                    .timing_points
                    .iter()
                    .map(|point| (point.order, point.id))
                    .collect();
                let order_of: HashMap<Id, u32> = workout
                    .timing_points
                    .iter()
                    .map(|point| (point.id, point.order))
                    .collect();
                let records: Vec<ImportedResult> = entries
                    .iter()
                    .enumerate()
                    .filter_map(|(index, entry)| {
                        let Entrant::Competitor(generated_id) = entry.entrant else {
                            return None;
                        };
                        let stored_id = stored_competitors[generated_bib[&generated_id]];
                        Some(ImportedResult {
                            row: index as u64 + 2,
                            entrant: Entrant::Competitor(stored_id),
                            value: ScoreInput::Parsed {
                                score: entry.score,
                                status: entry.status,
                                tie_break_ms: entry.tie_break_ms,
                            },
                            penalty_ms: entry.penalty_ms,
                            splits: entry
                                .splits
                                .iter()
                                .map(|split| Split {
                                    timing_point_id: point_by_order
                                        [&order_of[&split.timing_point_id]],
                                    total_ms: split.total_ms,
                                })
                                .collect(),
                            incidents: entry.incidents.clone(),
                            record_id: None,
                            received_at: None,
                        })
                    })
                    .collect();
                file.import_results(stored_workout_id, Source::File, "timing.csv", &records)
                    .unwrap();
            }
            let size = std::fs::metadata(&file_path)
                .map(|metadata| metadata.len() as usize)
                .unwrap_or(0);
            (file, size)
        },
    );
    let gathered = measure(
        &mut results,
        "gather snapshot from the file",
        "one store ranking per workout, engine overall",
        || (gather_export_data(&file).unwrap(), 0),
    );
    drop(gathered);
    let archive_path = output_directory.join("sealed.zip");
    let options = ArchiveOptions {
        runsignup: runsignup.clone(),
        award_rules: Some(rules.clone()),
    };
    let summary = measure(
        &mut results,
        "archive: seal (gather + backup + all exports)",
        "deflate, SHA-256 manifest, chain",
        || {
            let summary = seal_competition(&mut file, &options, &archive_path).unwrap();
            let bytes = summary.archive_bytes as usize;
            (summary, bytes)
        },
    );
    println!(
        "  archive holds {} files ({:.2} MB uncompressed), {} amendments, chain head {}",
        summary.files.len() + 1,
        summary
            .files
            .iter()
            .map(|archived| archived.size_bytes)
            .sum::<u64>() as f64
            / 1_000_000.0,
        summary.amendment_entries,
        summary.amendment_chain_head
    );
    measure(
        &mut results,
        "archive: verify",
        "re-hash every file, replay chain",
        || {
            let verification = verify_archive(&archive_path).unwrap();
            assert!(verification.is_intact(), "{:?}", verification.problems);
            ((), verification.files_checked)
        },
    );
    let total: f64 = results
        .iter()
        .map(|measurement| measurement.milliseconds)
        .sum();
    println!(
        "total {total:.0} ms; outputs in {}",
        output_directory.display()
    );
    println!("\n| figure | ms | MB | note |\n|---|---:|---:|---|");
    for measurement in &results {
        println!(
            "| {} | {:.0} | {:.2} | {} |",
            measurement.name,
            measurement.milliseconds,
            measurement.bytes as f64 / 1_000_000.0,
            measurement.note
        );
    }
}
