//! Every export on the core's generated events: a team competition with every
//! score type, and the demo competition. Checks that nothing fails on real
//! shapes (teams, partial teams, rounds+reps, loads in pounds, capped
//! athletes) and that the CSVs still read back through the core importer.

use chrono::{TimeZone, Utc};
use scoretable_core::generate::{demo_event, team_event, GeneratedEvent};
use scoretable_core::import::read_scores_csv;
use scoretable_core::model::{OverallMode, OverallSettings, OverallTieBreak, ScoreType};
use scoretable_export::{
    verify_archive, write_sealed_archive, ArchiveOptions, AwardRules, ExportData, Exporter,
    RunSignupOptions, RunSignupStatusPolicy, SnapshotParts,
};

fn snapshot(event: &GeneratedEvent) -> ExportData {
    let parts = SnapshotParts {
        competition: event.competition.clone(),
        divisions: event.divisions.clone(),
        competitors: event.competitors.clone().into(),
        teams: event.teams.clone(),
        amendments: Vec::new(),
        generated_at: Utc.with_ymd_and_hms(2026, 6, 14, 18, 0, 0).unwrap(),
    };
    let points = scoretable_core::overall::default_points_mode();
    ExportData::from_ranked(
        parts,
        event.ranked_workouts(),
        &event.entrant_infos(),
        Some(&OverallSettings {
            mode: points,
            ..OverallSettings::default()
        }),
    )
}

fn exercise(event: &GeneratedEvent, name: &str) {
    let data = snapshot(event);
    let exporter = Exporter::new(&data);
    let scopes: Vec<Option<i64>> = std::iter::once(None)
        .chain(data.divisions.iter().map(|division| Some(division.id)))
        .collect();
    for workout in &data.workouts {
        for scope in &scopes {
            let csv = exporter.workout_results_csv(workout.id, *scope).unwrap();
            let drafts = read_scores_csv(csv.as_slice(), "generated.csv", workout)
                .unwrap_or_else(|error| panic!("{name} {}: {error}", workout.name));
            let rows = &data.workout_leaderboard(workout.id, *scope).unwrap().rows;
            assert_eq!(drafts.len(), rows.len());
            for (draft, row) in drafts.iter().zip(rows) {
                assert_eq!(
                    draft.status, row.status,
                    "{name} {} bib {}",
                    workout.name, draft.bib
                );
                if row.status.is_none() && row.score.is_some() {
                    assert_eq!(
                        draft.score, row.score,
                        "{name} {} bib {}",
                        workout.name, draft.bib
                    );
                }
            }
        }
        let options = RunSignupOptions {
            status_policy: RunSignupStatusPolicy::MapToNearest,
            ..RunSignupOptions::default()
        };
        let runsignup = exporter.runsignup_files(workout.id, &options);
        assert_eq!(
            runsignup.is_ok(),
            matches!(workout.score_type, ScoreType::Time | ScoreType::TimeCapped),
            "{name} {}",
            workout.name
        );
    }
    for scope in &scopes {
        exporter.overall_results_csv(*scope).unwrap();
        assert!(exporter
            .division_results_pdf(*scope)
            .unwrap()
            .starts_with(b"%PDF"));
    }
    let streamed = exporter.results_json().unwrap();
    let mut expected = serde_json::to_vec(&exporter.results_document().unwrap()).unwrap();
    expected.push(b'\n');
    assert!(
        streamed == expected,
        "the streamed results JSON differs from the document"
    );
    let document = scoretable_export::parse_results_json(&streamed).unwrap();
    for workout in &data.workouts {
        for scope in &scopes {
            assert_eq!(
                document.workout_rows(workout.id, *scope).unwrap(),
                data.workout_leaderboard(workout.id, *scope).unwrap().rows
            );
        }
    }
    let rules = AwardRules {
        overall_awards: 3,
        gender_overall_awards: 0,
        overall_winners_also_take_division_awards: false,
        ..AwardRules::default()
    };
    exporter.awards_pdf(&rules).unwrap();
    exporter.awards_csv(&rules).unwrap();

    let directory = tempfile::tempdir().unwrap();
    let backup = directory.path().join(format!("{name}.scoretable"));
    std::fs::write(&backup, b"backup").unwrap();
    let output = directory.path().join(format!("{name}.zip"));
    write_sealed_archive(
        &data,
        &backup,
        &ArchiveOptions {
            award_rules: Some(rules),
            ..ArchiveOptions::default()
        },
        &output,
    )
    .unwrap();
    assert!(verify_archive(&output).unwrap().is_intact());
}

#[test]
fn team_event_exports_every_format() {
    exercise(&team_event(150, 8, 3, 11), "teams");
}

#[test]
fn demo_event_exports_every_format() {
    exercise(&demo_event(), "demo");
}

#[test]
fn rank_sum_overall_exports() {
    let event = team_event(60, 4, 3, 5);
    let parts = SnapshotParts {
        competition: event.competition.clone(),
        divisions: event.divisions.clone(),
        competitors: event.competitors.clone().into(),
        teams: event.teams.clone(),
        amendments: Vec::new(),
        generated_at: Utc::now(),
    };
    let data = ExportData::from_ranked(
        parts,
        event.ranked_workouts(),
        &event.entrant_infos(),
        Some(&OverallSettings {
            mode: OverallMode::RankSum,
            tie_break: OverallTieBreak::Equal,
            ..OverallSettings::default()
        }),
    );
    let exporter = Exporter::new(&data);
    let csv = String::from_utf8(exporter.overall_results_csv(None).unwrap()).unwrap();
    assert!(csv.lines().count() > 1);
}
