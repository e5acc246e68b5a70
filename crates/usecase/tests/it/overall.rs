//! The overall tables a session keeps: updated in place from the changed
//! workout's rows after the session's own score writes, equal to a table
//! built from the file after every write, rebuilt once after another
//! program's write.

use std::sync::Arc;

use scoretable_core::generate::{team_event, SplitMix64};
use scoretable_core::model::{
    Entrant, Id, OverallMode, OverallTieBreak, Score, ScoreType, Status, TeamScoring,
    TeamWorkoutsInOverall, Workout,
};
use scoretable_store::{CompetitionFile, ScoreInput};
use scoretable_usecase::boards::{overall_table, team_overall_table, OverallLine};
use scoretable_usecase::generate::{write_event, ResultEntryMode};
use scoretable_usecase::scores::TypedScore;
use scoretable_usecase::session::{Quiet, Session, SessionSettings};

fn value(random: &mut SplitMix64, workout: &Workout) -> (Option<Score>, Option<Status>) {
    if random.chance(100) {
        return (None, Some(Status::Dnf));
    }
    let step = random.range(0, 12);
    let score = match workout.score_type {
        ScoreType::Time => Score::Time {
            ms: 90_000 + step * 1_000,
        },
        ScoreType::TimeCapped => {
            if step % 3 == 0 {
                Score::Capped { reps: step }
            } else {
                Score::Time {
                    ms: 400_000 + step * 5_000,
                }
            }
        }
        ScoreType::RoundsReps => Score::RoundsReps {
            rounds: 5 + step / 4,
            reps: step % 4,
        },
        ScoreType::Reps => Score::Reps { reps: 40 + step },
        ScoreType::Load => Score::Load {
            grams: 60_000 + step * 2_500,
        },
        ScoreType::Distance => Score::Distance {
            mm: 1_000_000 + step * 1_000,
        },
        ScoreType::Points => Score::Points {
            milli: 50_000 + step * 1_000,
        },
    };
    (Some(score), None)
}

fn lines(file: &CompetitionFile, division_id: Option<Id>) -> Vec<OverallLine> {
    let table = overall_table(file, division_id).unwrap();
    table.lines(0..usize::MAX)
}

/// Every kept table (the individual overall and the team overall, per
/// scope) equals one built from the file, and was not rebuilt.
fn check(session: &mut Session, scopes: &[Option<Id>], what: &str) {
    for (scope, teams) in scopes
        .iter()
        .flat_map(|scope| [(*scope, false), (*scope, true)])
    {
        let read = if teams {
            session.team_overall_table(scope).unwrap()
        } else {
            session.overall_table(scope).unwrap()
        };
        assert!(!read.built, "{what}: the {scope:?} table was rebuilt");
        let kept = read.table.lines(0..usize::MAX);
        let file = session.file().unwrap();
        let fresh = if teams {
            team_overall_table(file, scope)
                .unwrap()
                .lines(0..usize::MAX)
        } else {
            lines(file, scope)
        };
        assert_eq!(kept.len(), fresh.len(), "{what}: {scope:?}");
        for (at, (kept, fresh)) in kept.iter().zip(&fresh).enumerate() {
            assert_eq!(kept, fresh, "{what}: {scope:?}, row {at}");
        }
    }
}

#[test]
fn kept_overall_tables_follow_amendments_entries_and_undos() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("games.scoretable");
    let event = team_event(90, 8, 3, 7);
    let (file, _) = write_event(&path, &event, ResultEntryMode::ImportAll).unwrap();
    file.close().unwrap();

    let mut session = Session::new(SessionSettings::foreground("table 1"), Arc::new(Quiet));
    session.open(&path).unwrap();
    let workouts: Vec<Workout> = session.file().unwrap().workouts().unwrap();
    let competitors: Vec<(Id, String)> = session
        .file()
        .unwrap()
        .competitors()
        .unwrap()
        .into_iter()
        .map(|competitor| (competitor.id, competitor.bib))
        .collect();
    let divisions: Vec<Id> = session
        .file()
        .unwrap()
        .divisions()
        .unwrap()
        .into_iter()
        .map(|division| division.id)
        .collect();
    // Two scopes, so that all four tables (individual and team) stay kept.
    let scopes: Vec<Option<Id>> = [None]
        .into_iter()
        .chain(divisions.iter().take(1).map(|id| Some(*id)))
        .collect();
    let mut random = SplitMix64::new(13);
    let settings_cases = [
        (OverallMode::RankSum, TeamWorkoutsInOverall::TeamPlace),
        (
            OverallMode::PointsTable {
                points: vec![10, 8, 6, 5, 4, 3, 2, 1],
                floor: 0,
            },
            TeamWorkoutsInOverall::Excluded,
        ),
    ];
    let mut steps = 0;
    for (mode, team_workouts) in settings_cases {
        let file = session.file_mut().unwrap();
        let mut settings = file.leaderboard_settings().unwrap();
        settings.mode = mode;
        settings.tie_break = OverallTieBreak::BestFinish;
        settings.team_workouts = team_workouts;
        file.set_leaderboard_settings(&settings).unwrap();
        for scope in &scopes {
            assert!(session.overall_table(*scope).unwrap().built);
            let teams = session.team_overall_table(*scope).unwrap();
            assert!(teams.built);
            if scope.is_none() {
                // The generated games have team workouts: teams are listed,
                // and the individual workouts' headings say they do not count.
                assert!(!teams.table.is_empty());
                assert!(teams
                    .table
                    .columns
                    .iter()
                    .any(|column| column.heading.ends_with("(individual, not counted)")));
            }
        }
        check(&mut session, &scopes, "built");
        for step in 0..40 {
            let workout = &workouts[random.below(workouts.len() as u64) as usize];
            let (id, bib) = &competitors[random.below(competitors.len() as u64) as usize];
            let what = format!("step {step} in {} for bib {bib}", workout.name);
            if step % 6 == 5 {
                // Undo the newest typed score of some workout.
                for workout in &workouts {
                    if session.undo_last_entry(workout.id).unwrap().is_some() {
                        break;
                    }
                }
            } else if step % 3 == 2 && workout.team_scoring == TeamScoring::Individual {
                // A typed score; refused when the athlete has one already.
                let (score, status) = value(&mut random, workout);
                let text = scoretable_core::score::value_text(workout, score, status);
                let typed = TypedScore {
                    workout_id: workout.id,
                    bib,
                    value: &text,
                    tie_break: None,
                };
                if session.enter_score(&typed).is_err() {
                    continue;
                }
            } else {
                let (score, status) = value(&mut random, workout);
                session
                    .amend(
                        workout.id,
                        Entrant::Competitor(*id),
                        ScoreInput::Parsed {
                            score,
                            status,
                            tie_break_ms: None,
                        },
                        "judge",
                        "appeal",
                        None,
                        usize::MAX,
                    )
                    .unwrap();
            }
            steps += 1;
            check(&mut session, &scopes, &what);
        }
    }
    assert!(steps >= 60, "{steps} writes checked");

    // Two teams are explained on the team overall (the individual overall
    // of a mixed event lists no team).
    let team_rows = session.team_overall_table(None).unwrap().table.lines(0..2);
    let explanation = scoretable_usecase::explain::explain(
        session.file().unwrap(),
        scoretable_usecase::explain::Board::Overall { division_id: None },
        &team_rows[0].bib,
        &team_rows[1].bib,
    )
    .unwrap();
    assert_eq!(explanation.a.rank, Some(team_rows[0].rank));
    assert_eq!(explanation.b.total, Some(team_rows[1].total));
    assert!(
        explanation.sentence.contains(&team_rows[0].name),
        "{}",
        explanation.sentence
    );

    // Another program writes: each table is rebuilt once.
    {
        let mut other = CompetitionFile::open(&path).unwrap();
        let workout = &workouts[0];
        other
            .record_amendment(
                workout.id,
                Entrant::Competitor(competitors[0].0),
                ScoreInput::text("DNF"),
                "other table",
                "appeal",
                None,
            )
            .unwrap();
        other.close().unwrap();
    }
    let read = session.overall_table(None).unwrap();
    assert!(read.built, "rebuilt after another program's write");
    assert_eq!(
        read.table.lines(0..usize::MAX),
        lines(session.file().unwrap(), None)
    );
    assert!(!session.overall_table(None).unwrap().built);
}
