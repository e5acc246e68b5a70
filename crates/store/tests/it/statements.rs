//! The store's cached statements are parsed and planned once per handle:
//! binding one again (another workout, entrant or bib) never makes SQLite
//! plan it again, in a fresh file, in a file another program analysed
//! (`sqlite_stat1` / `sqlite_stat4` rows), read-only or read-write.

use crate::common;

use common::{fixture, timing_point, workout, Fixture};
use rusqlite::Connection;
use scoretable_core::model::{
    Entrant, ExternalIds, Id, Score, ScoreType, Source, Split, Team, TeamMember,
};
use scoretable_store::{CompetitionFile, ImportedResult, ScoreInput};

/// The event every test here reads: the fixture's six competitors in two
/// divisions and its time workout, two timed waves with a timing point and
/// splits, and a team of two.
struct Event {
    _directory: tempfile::TempDir,
    path: std::path::PathBuf,
    women: Id,
    men: Id,
    fran: Id,
    waves: [Id; 2],
    team: Id,
}

fn event() -> (Event, CompetitionFile) {
    let Fixture {
        directory,
        mut file,
        women,
        men,
        fran,
    } = fixture();
    let mut waves = [0; 2];
    for (index, wave) in waves.iter_mut().enumerate() {
        let mut definition = workout(
            &format!("Wave {}", index + 1),
            2 + index as u32,
            ScoreType::Time,
        );
        definition.timing_points = vec![timing_point(1, "Swim"), timing_point(2, "Bike")];
        *wave = file.add_workout(&definition).unwrap();
    }
    let ids: Vec<Id> = ["1", "2", "3", "10", "11", "12"]
        .iter()
        .map(|bib| file.competitor_by_bib(bib).unwrap().unwrap().id)
        .collect();
    let team = file
        .add_team(&Team {
            id: 0,
            name: "Harbour A".into(),
            bib: Some("T1".into()),
            country: None,
            division_ids: Vec::new(),
            members: vec![
                TeamMember {
                    competitor_id: ids[0],
                    order: 1,
                },
                TeamMember {
                    competitor_id: ids[3],
                    order: 2,
                },
            ],
            external_ids: ExternalIds::default(),
        })
        .unwrap();
    for (wave_index, wave) in waves.iter().enumerate() {
        let points: Vec<Id> = file
            .workout(*wave)
            .unwrap()
            .timing_points
            .iter()
            .map(|point| point.id)
            .collect();
        let results: Vec<ImportedResult> = ids
            .iter()
            .enumerate()
            .skip(wave_index)
            .map(|(row, id)| {
                let finish = 3_600_000 + 60_000 * ((row * 7 + wave_index) % 5) as i64;
                ImportedResult {
                    row: row as u64 + 1,
                    entrant: Entrant::Competitor(*id),
                    value: ScoreInput::score(Score::Time { ms: finish }),
                    penalty_ms: 0,
                    splits: vec![
                        Split {
                            timing_point_id: points[0],
                            total_ms: finish / 3,
                        },
                        Split {
                            timing_point_id: points[1],
                            total_ms: finish * 2 / 3,
                        },
                    ],
                    incidents: Vec::new(),
                    record_id: None,
                    received_at: None,
                }
            })
            .collect();
        file.import_results(*wave, Source::Feed, "feed", &results)
            .unwrap();
    }
    let event = Event {
        _directory: directory,
        path: file.path().to_path_buf(),
        women,
        men,
        fran,
        waves,
        team,
    };
    (event, file)
}

/// One round of the hot reads (what the CLI read commands, the live-timing
/// message, the app's kept boards and its overall tables read), bound to
/// the round's workout, division, bibs and entrant.
fn hot_reads(file: &CompetitionFile, event: &Event, round: usize) {
    let bib = ["2", "11"][round];
    let wave = event.waves[round];
    let division = [event.women, event.men][round];
    let competitor = file.competitor_by_bib(bib).unwrap().unwrap();
    let entrant = Entrant::Competitor(competitor.id);
    file.competition().unwrap();
    file.leaderboard_settings().unwrap();
    file.workouts().unwrap();
    file.workout(wave).unwrap();
    file.workout(event.fran).unwrap();
    file.workout_by_name(["Wave 1", "Fran"][round]).unwrap();
    file.divisions().unwrap();
    file.result_counts().unwrap();
    file.entrant_counts().unwrap();
    file.division_member_counts().unwrap();
    file.standing(wave, entrant).unwrap();
    file.standing(event.fran, entrant).unwrap();
    file.competitor(competitor.id).unwrap();
    file.teams_with_member(competitor.id).unwrap();
    file.team(event.team).unwrap();
    file.team_by_bib(["T1", "T2"][round]).unwrap();
    file.entrant_by_bib(wave, bib).unwrap();
    file.entrant_info(entrant).unwrap();
    file.entrant_infos_of(&[entrant, Entrant::Team(event.team)])
        .unwrap();
    file.result(wave, entrant).unwrap();
    file.score_history(wave, entrant).unwrap();
    file.live_timing_wave(wave).unwrap();
    file.live_board(wave).unwrap();
    file.live_board(event.fran).unwrap();
    file.ranked_inputs_of(wave, entrant).unwrap();
    file.change_stamp().unwrap();
    file.workout_leaderboard(wave, Some(division)).unwrap();
    file.live_overall(Some(division)).unwrap();
    file.live_overall(None).unwrap();
    file.live_team_overall(None).unwrap();
}

/// One round of the hot writes: score entry (by bib, as the CLI and the
/// app's entry screen do, and by entrant), an amendment with who moved
/// (the app's and the CLI's paths), bound to the round's values.
fn hot_writes(file: &mut CompetitionFile, event: &Event, round: usize) {
    let [enter_by_bib, enter_direct] = [["1", "10"], ["3", "12"]][round];
    file.enter_score_by_bib(
        event.fran,
        enter_by_bib,
        ScoreInput::text(["4:10", "5:20"][round]),
        "table",
    )
    .unwrap();
    let direct = file.competitor_by_bib(enter_direct).unwrap().unwrap().id;
    file.enter_score(
        event.fran,
        Entrant::Competitor(direct),
        ScoreInput::text(["3:55", "6:01"][round]),
        "table",
    )
    .unwrap();
    let wave = event.waves[round];
    let amended = Entrant::Competitor(
        file.competitor_by_bib(["2", "11"][round])
            .unwrap()
            .unwrap()
            .id,
    );
    let receipt = file
        .record_amendment(
            wave,
            amended,
            ScoreInput::text(["59:00", "DNF"][round]),
            "judge",
            "timing error",
            Some(["A-1", "A-2"][round]),
        )
        .unwrap();
    file.placement_changes_since(wave, amended, receipt.old.as_ref())
        .unwrap();
    file.placement_changes_listed(wave, amended, receipt.old.as_ref(), 10)
        .unwrap();
    file.ranked_inputs_of(wave, amended).unwrap();
    file.amend_score(
        event.fran,
        Entrant::Competitor(direct),
        ["4:00", "6:30"][round],
        "judge",
        "video review",
        None,
    )
    .unwrap();
}

fn assert_nothing_replanned(file: &CompetitionFile, when: &str) {
    let replanned = file.replanned_statements();
    assert!(
        replanned.is_empty(),
        "{when}: {} cached statements were parsed and planned again:\n{}",
        replanned.len(),
        replanned
            .iter()
            .map(|(sql, times)| format!("{times}x {sql}"))
            .collect::<Vec<_>>()
            .join("\n---\n")
    );
}

/// Every hot read and write of the store (amend, score entry, the
/// live-timing message, the CLI's read commands, the kept boards and
/// overall tables), run twice with different bindings: no cached statement
/// is parsed and planned again. Without the connection's planner stability
/// guarantee every cached statement with a `column = ?N` term in a join or
/// an ordered query was, on each reuse.
#[test]
fn no_cached_statement_is_planned_again_when_it_is_bound_again() {
    let (event, file) = event();
    file.close().unwrap();
    // A fresh handle, so that only the rounds' statements are in its cache.
    let mut file = CompetitionFile::open(&event.path).unwrap();
    for round in 0..2 {
        hot_writes(&mut file, &event, round);
        hot_reads(&file, &event, round);
    }
    assert_nothing_replanned(&file, "read-write handle");
    file.close().unwrap();

    let reader = CompetitionFile::open_read_only(&event.path).unwrap();
    for round in 0..2 {
        hot_reads(&reader, &event, round);
    }
    assert_nothing_replanned(&reader, "read-only handle");
}

fn statistics_tables(path: &std::path::Path) -> Vec<String> {
    let connection = Connection::open(path).unwrap();
    let mut statement = connection
        .prepare("SELECT name FROM sqlite_schema WHERE name GLOB 'sqlite_stat*' ORDER BY name")
        .unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// A file another program analysed (`ANALYZE` writes `sqlite_stat1` and,
/// in this SQLite build, `sqlite_stat4` samples, which let the planner
/// look at bound values of any indexed `column = ?N`): read-only, its
/// statements are still planned once; a read-write open, also one that
/// upgrades an older file, drops the statistics, and the reads give the
/// same answers as before.
#[test]
fn an_analysed_file_keeps_its_statements_prepared_and_loses_the_statistics() {
    let (event, mut file) = event();
    for round in 0..2 {
        hot_writes(&mut file, &event, round);
    }
    let board_before = file.workout_leaderboard(event.fran, None).unwrap();
    let counts_before = file.result_counts().unwrap();
    file.close().unwrap();
    let path = &event.path;
    let analyse = |user_version: Option<u32>| {
        let connection = Connection::open(path).unwrap();
        if let Some(version) = user_version {
            // Back to version 12 (before the amended-results index).
            connection
                .execute_batch(&format!(
                    "DROP INDEX results_amended_by_workout; PRAGMA user_version = {version};"
                ))
                .unwrap();
        }
        connection.execute_batch("ANALYZE").unwrap();
        let samples: i64 = connection
            .query_row("SELECT count(*) FROM sqlite_stat4", [], |row| row.get(0))
            .unwrap();
        assert!(samples > 0);
    };
    analyse(None);
    assert_eq!(statistics_tables(path), ["sqlite_stat1", "sqlite_stat4"]);

    let reader = CompetitionFile::open_read_only(path).unwrap();
    for round in 0..2 {
        hot_reads(&reader, &event, round);
    }
    assert_nothing_replanned(&reader, "read-only handle on an analysed file");
    drop(reader);
    assert_eq!(statistics_tables(path), ["sqlite_stat1", "sqlite_stat4"]);

    let file = CompetitionFile::open(path).unwrap();
    assert!(statistics_tables(path).is_empty());
    assert_eq!(
        file.workout_leaderboard(event.fran, None).unwrap(),
        board_before
    );
    assert_eq!(file.result_counts().unwrap(), counts_before);
    file.close().unwrap();

    // An analysed file of an older schema version upgrades and loses them.
    analyse(Some(12));
    let file = CompetitionFile::open(path).unwrap();
    assert_eq!(file.open_report().schema_version_found, 12);
    assert!(statistics_tables(path).is_empty());
    assert_eq!(file.result_counts().unwrap(), counts_before);
    assert_eq!(
        file.workout_leaderboard(event.fran, None).unwrap(),
        board_before
    );
    for round in 0..2 {
        hot_reads(&file, &event, round);
    }
    assert_nothing_replanned(&file, "read-write handle after the upgrade");
}
