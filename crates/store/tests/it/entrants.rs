//! Import progress, division membership editing and division removal.

use crate::common;

use common::{competition, draft, fixture};
use scoretable_core::model::{Division, DivisionKind, Entrant, Gender, Id, Team, TeamMember};
use scoretable_store::competitors::{ImportProgress, IMPORT_PROGRESS_EVERY_ROWS};
use scoretable_store::{CompetitionFile, ScoreInput, StoreError};

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

fn custom_division(name: &str) -> Division {
    Division {
        id: 0,
        name: name.into(),
        kind: DivisionKind::Custom,
        gender: None,
        min_age: None,
        max_age: None,
    }
}

#[test]
fn a_competitor_moves_between_divisions_and_keeps_their_scores() {
    let mut fixture = fixture();
    let file = &mut fixture.file;
    let scaled = file.add_division(&custom_division("Scaled")).unwrap();
    let ann = file.competitor_by_bib("1").unwrap().unwrap();
    assert_eq!(ann.division_ids, vec![fixture.women]);
    file.enter_score_by_bib(fixture.fran, "1", ScoreInput::text("3:10"), "table")
        .unwrap();

    // In two divisions at once, given in any order and with a repeat.
    file.set_competitor_divisions(ann.id, &[scaled, fixture.women, scaled])
        .unwrap();
    let moved = file.competitor(ann.id).unwrap().unwrap();
    assert_eq!(moved.division_ids, vec![fixture.women, scaled]);
    assert_eq!(
        file.competitors_in_division(scaled).unwrap()[0].bib,
        "1".to_string()
    );
    // Then only in Scaled; the rest of the competitor is unchanged.
    file.set_competitor_divisions(ann.id, &[scaled]).unwrap();
    let moved = file.competitor(ann.id).unwrap().unwrap();
    assert_eq!(moved.division_ids, vec![scaled]);
    assert_eq!(
        (
            moved.bib.as_str(),
            moved.first_name.as_str(),
            &moved.chip_ids
        ),
        ("1", "Ann", &ann.chip_ids)
    );
    assert!(file
        .result(fixture.fran, Entrant::Competitor(ann.id))
        .unwrap()
        .is_some());
    // And in none.
    file.set_competitor_divisions(ann.id, &[]).unwrap();
    assert!(file
        .competitor(ann.id)
        .unwrap()
        .unwrap()
        .division_ids
        .is_empty());
}

#[test]
fn an_unknown_division_or_competitor_changes_nothing() {
    let mut fixture = fixture();
    let file = &mut fixture.file;
    let ann = file.competitor_by_bib("1").unwrap().unwrap();
    let error = file
        .set_competitor_divisions(ann.id, &[fixture.men, 9_999])
        .unwrap_err();
    assert!(
        matches!(&error, StoreError::NotFound { what: "division", key } if key == "9999"),
        "{error}"
    );
    assert_eq!(
        file.competitor(ann.id).unwrap().unwrap().division_ids,
        vec![fixture.women]
    );
    let error = file
        .set_competitor_divisions(9_999, &[fixture.men])
        .unwrap_err();
    assert!(
        matches!(
            &error,
            StoreError::NotFound {
                what: "competitor",
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn only_an_empty_division_can_be_removed() {
    let mut fixture = fixture();
    let file = &mut fixture.file;
    let error = file.remove_empty_division(fixture.women).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Division Women still has 3 competitor(s) and 0 team(s); move them to another division first"
    );
    assert_eq!(file.divisions().unwrap().len(), 2);

    // A team in a division keeps it too.
    let relay = file.add_division(&custom_division("Relay")).unwrap();
    let dan = file.competitor_by_bib("10").unwrap().unwrap();
    let team = file
        .add_team(&Team {
            id: 0,
            name: "Harbour A".into(),
            bib: Some("T1".into()),
            country: None,
            division_ids: vec![relay],
            members: vec![TeamMember {
                competitor_id: dan.id,
                order: 1,
            }],
            external_ids: Default::default(),
        })
        .unwrap();
    assert!(matches!(
        file.remove_empty_division(relay),
        Err(StoreError::Conflict(message)) if message.contains("1 team(s)")
    ));
    file.remove_team(team).unwrap();
    file.remove_empty_division(relay).unwrap();
    assert!(file.division_by_name("Relay").unwrap().is_none());

    // Emptied by moving its members out, Women can go as well.
    for bib in ["1", "2", "3"] {
        let competitor = file.competitor_by_bib(bib).unwrap().unwrap();
        file.set_competitor_divisions(competitor.id, &[fixture.men])
            .unwrap();
    }
    file.remove_empty_division(fixture.women).unwrap();
    assert!(matches!(
        file.remove_empty_division(fixture.women),
        Err(StoreError::NotFound {
            what: "division",
            ..
        })
    ));
}

#[test]
fn a_team_bib_may_not_be_a_competitors_bib() {
    let mut fixture = fixture();
    let file = &mut fixture.file;
    let dan = file.competitor_by_bib("10").unwrap().unwrap();
    let mut team = Team {
        id: 0,
        name: "Harbour A".into(),
        bib: Some("11".into()),
        country: None,
        division_ids: vec![],
        members: vec![TeamMember {
            competitor_id: dan.id,
            order: 1,
        }],
        external_ids: Default::default(),
    };
    let error = file.add_team(&team).unwrap_err();
    assert_eq!(
        error.to_string(),
        StoreError::Conflict("bib 11 is already used by competitor Eli Fox".into()).to_string()
    );
    assert!(file.teams().unwrap().is_empty());
    team.bib = Some("T1".into());
    team.id = file.add_team(&team).unwrap();
    // Changing it to a competitor's bib is refused too, and changes nothing.
    team.bib = Some("1".into());
    assert!(matches!(
        file.update_team(&team),
        Err(StoreError::Conflict(message)) if message.contains("competitor Ann Lee")
    ));
    assert_eq!(
        file.team(team.id).unwrap().unwrap().bib.as_deref(),
        Some("T1")
    );
}

#[test]
fn a_competitor_may_not_take_a_teams_bib() {
    let mut fixture = fixture();
    let file = &mut fixture.file;
    let dan = file.competitor_by_bib("10").unwrap().unwrap();
    file.add_team(&Team {
        id: 0,
        name: "Harbour A".into(),
        bib: Some("T1".into()),
        country: None,
        division_ids: vec![],
        members: vec![TeamMember {
            competitor_id: dan.id,
            order: 1,
        }],
        external_ids: Default::default(),
    })
    .unwrap();
    // On import, the row and field are named and nothing is stored.
    let drafts = vec![
        draft(2, "40", "Gus", "Hale", Gender::Male),
        draft(3, "T1", "Ida", "Moe", Gender::Female),
    ];
    let error = file
        .import_competitors_from("late.csv", &drafts)
        .unwrap_err();
    assert!(
        matches!(&error, StoreError::ImportRow { row: 3, field, message, .. }
            if field == "bib" && message == "bib T1 is already used by team Harbour A"),
        "{error}"
    );
    assert!(file.competitor_by_bib("40").unwrap().is_none());
    // Changing a competitor's bib to it is refused too.
    let mut ann = file.competitor_by_bib("1").unwrap().unwrap();
    ann.bib = "T1".into();
    assert!(matches!(
        file.update_competitor(&ann),
        Err(StoreError::Conflict(message)) if message.contains("team Harbour A")
    ));
    assert!(file.competitor_by_bib("1").unwrap().is_some());
}

/// A few entrants' infos, competitors and incident notes are read by key;
/// they are the same as the ones in a full load, in the order asked for.
#[test]
fn entrants_read_by_key_match_the_full_load() {
    let (_directory, mut file) = new_file();
    let women = file
        .add_division(&common::gender_division("Women", Gender::Female))
        .unwrap();
    file.import_competitors(&many_drafts(40)).unwrap();
    let everyone = file.competitors().unwrap();
    let picked = [everyone[30].id, everyone[3].id, everyone[17].id];
    let asked: Vec<Entrant> = picked.iter().map(|id| Entrant::Competitor(*id)).collect();
    let all_infos = file.entrant_infos().unwrap();
    let expected: Vec<_> = asked
        .iter()
        .map(|entrant| {
            all_infos
                .iter()
                .find(|info| info.entrant == *entrant)
                .unwrap()
                .clone()
        })
        .collect();
    let by_key = file.entrant_infos_of(&asked).unwrap();
    assert_eq!(by_key, expected);
    assert!(by_key.iter().all(|info| info.division_ids == vec![women]));
    let mut sorted = picked.to_vec();
    sorted.sort_unstable();
    let by_ids = file
        .competitors_by_ids(&[picked[0], picked[1], picked[2], 999_999])
        .unwrap();
    assert_eq!(
        by_ids,
        sorted
            .iter()
            .map(|id| everyone.iter().find(|c| c.id == *id).unwrap().clone())
            .collect::<Vec<_>>()
    );
    assert!(file.competitors_by_ids(&[]).unwrap().is_empty());
}

/// `with_page_cache` holds the cache to its size for the reads inside it
/// (a read snapshot too) and gives the usual 64 MiB back after; the reads
/// see the same data.
#[test]
fn a_page_cache_limit_holds_for_its_reads_and_is_given_back() {
    let fixture = common::fixture();
    let file = &fixture.file;
    let usual = file.page_cache_kib().unwrap();
    assert_eq!(usual, 65_536);
    let (inside, board) = file
        .with_page_cache(1_024, |file| {
            file.read_snapshot(|file| -> Result<_, scoretable_store::StoreError> {
                Ok((
                    file.page_cache_kib()?,
                    file.workout_leaderboard(fixture.fran, None)?,
                ))
            })
        })
        .unwrap()
        .unwrap();
    assert_eq!(inside, 1_024);
    assert_eq!(board, file.workout_leaderboard(fixture.fran, None).unwrap());
    assert_eq!(file.page_cache_kib().unwrap(), usual);
}

/// A women's and a men's division.
fn women_and_men(file: &mut CompetitionFile) -> [Id; 2] {
    ["Women", "Men"].map(|name| {
        let gender = if name == "Women" {
            Gender::Female
        } else {
            Gender::Male
        };
        file.add_division(&common::gender_division(name, gender))
            .unwrap()
    })
}

/// By `index`: neither division, the first, the second, both.
fn none_one_or_both(index: usize, [first, second]: [Id; 2]) -> Vec<Id> {
    match index % 4 {
        0 => Vec::new(),
        1 => vec![first],
        2 => vec![second],
        _ => vec![first, second],
    }
}

/// `for_each_competitor` hands over the same competitors as the full load,
/// in id order, each with its own chips and divisions (none, one, several;
/// a removed competitor's neighbours keep theirs), and stops at the first
/// error its callback returns.
#[test]
fn competitors_one_at_a_time_match_the_full_load() {
    let (_directory, mut file) = new_file();
    let divisions = women_and_men(&mut file);
    let mut ids = Vec::new();
    for index in 0..12 {
        let competitor = scoretable_core::model::Competitor {
            chip_ids: (0..index % 3)
                .map(|chip| format!("C{index}-{chip}"))
                .collect(),
            division_ids: none_one_or_both(index, divisions),
            club: (index % 2 == 0).then(|| format!("Club {index}")),
            ..scoretable_testkit::fixtures::competitor(
                format!("{}", 100 + index),
                format!("First{index}"),
                format!("Last{index}"),
            )
        };
        ids.push(file.add_competitor(&competitor).unwrap());
    }
    file.remove_competitor(ids[5]).unwrap();
    let everyone = file.competitors().unwrap();
    assert_eq!(everyone.len(), 11);
    let walked = walks_the_full_load(everyone, |each| file.for_each_competitor(each));
    assert!(walked
        .iter()
        .any(|competitor| competitor.chip_ids.len() == 2));
    assert!(walked
        .iter()
        .any(|competitor| competitor.division_ids.len() == 2));
}

/// A cursor (`walk`) hands over what the full load gives (`everyone`), in
/// its order, and given a callback that fails on the third item stops
/// there and returns that error. Gives what it walked.
fn walks_the_full_load<T: PartialEq + std::fmt::Debug>(
    everyone: Vec<T>,
    walk: impl Fn(&mut dyn FnMut(T) -> Result<(), StoreError>) -> Result<(), StoreError>,
) -> Vec<T> {
    let mut walked = Vec::new();
    walk(&mut |item| {
        walked.push(item);
        Ok(())
    })
    .unwrap();
    assert_eq!(walked, everyone);
    let mut seen = 0;
    let stopped = walk(&mut |_| {
        seen += 1;
        if seen == 3 {
            Err(StoreError::Conflict("stop here".into()))
        } else {
            Ok(())
        }
    });
    assert!(matches!(stopped, Err(StoreError::Conflict(message)) if message == "stop here"));
    assert_eq!(seen, 3);
    walked
}

/// `for_each_team` hands over the same teams as the full load, in id
/// order, each with its own members (none, one, several, in member order)
/// and divisions (a removed team's neighbours keep theirs), and stops at
/// the first error its callback returns; `for_each_team_members` hands
/// over the same members (the teams with any) in the same order.
#[test]
fn teams_one_at_a_time_match_the_full_load() {
    let (_directory, mut file) = new_file();
    let divisions = women_and_men(&mut file);
    let mut people = Vec::new();
    for index in 0..8 {
        let competitor = scoretable_testkit::fixtures::competitor(
            format!("{}", 100 + index),
            format!("First{index}"),
            format!("Last{index}"),
        );
        people.push(file.add_competitor(&competitor).unwrap());
    }
    let mut teams = Vec::new();
    for index in 0..7usize {
        let team = scoretable_core::model::Team {
            name: format!("Team {index}"),
            bib: (index % 2 == 0).then(|| format!("T{index}")),
            division_ids: none_one_or_both(index, divisions),
            // Members in an order that is not their ids', some in two teams.
            members: (0..index % 4)
                .map(|at| scoretable_core::model::TeamMember {
                    competitor_id: people[(index + 3 * at) % people.len()],
                    order: at as u32 + 1,
                })
                .rev()
                .collect(),
            ..Default::default()
        };
        teams.push(file.add_team(&team).unwrap());
    }
    file.remove_team(teams[4]).unwrap();
    let everyone = file.teams().unwrap();
    assert_eq!(everyone.len(), 6);
    // The members alone: the teams with members, in the same order.
    let memberships: Vec<(i64, Vec<i64>)> = everyone
        .iter()
        .filter(|team| !team.members.is_empty())
        .map(|team| {
            let members = team.members.iter().map(|member| member.competitor_id);
            (team.id, members.collect())
        })
        .collect();
    let walked = walks_the_full_load(everyone, |each| file.for_each_team(each));
    assert!(walked.iter().any(|team| team.members.len() == 3));
    assert!(walked.iter().any(|team| team.division_ids.len() == 2));
    let members_walked = walks_the_full_load(memberships, |each| {
        file.for_each_team_members(&mut |team, members| each((team, members.to_vec())))
    });
    assert!(members_walked.len() < walked.len());
}

#[test]
fn entrants_bibs_and_divisions_read_side_by_side_equal_the_entrant_infos() {
    let mut fixture = fixture();
    let file = &mut fixture.file;
    let scaled = file.add_division(&custom_division("Scaled")).unwrap();
    let ann = file.competitor_by_bib("1").unwrap().unwrap();
    let second = file.competitor_by_bib("2").unwrap().unwrap();
    // Two divisions, given out of order; one competitor in none.
    file.set_competitor_divisions(ann.id, &[scaled, fixture.women])
        .unwrap();
    file.set_competitor_divisions(second.id, &[]).unwrap();
    let team = |name: &str, bib: Option<&str>, division_ids: Vec<i64>, member: i64| Team {
        id: 0,
        name: name.into(),
        bib: bib.map(str::to_string),
        country: None,
        division_ids,
        members: vec![TeamMember {
            competitor_id: member,
            order: 1,
        }],
        external_ids: Default::default(),
    };
    file.add_team(&team(
        "Relay A",
        Some("T1"),
        vec![fixture.men, fixture.women],
        ann.id,
    ))
    .unwrap();
    file.add_team(&team("Relay B", None, Vec::new(), second.id))
        .unwrap();

    let mut read: Vec<(Entrant, String, Vec<i64>)> = Vec::new();
    file.for_each_entrant_bib_and_divisions(&mut |entrant, bib, divisions| {
        read.push((entrant, bib.to_string(), divisions.to_vec()))
    })
    .unwrap();
    let expected: Vec<(Entrant, String, Vec<i64>)> = file
        .entrant_infos()
        .unwrap()
        .into_iter()
        .map(|info| (info.entrant, info.bib, info.division_ids))
        .collect();
    assert_eq!(read, expected);
    assert!(
        read.contains(&(Entrant::Competitor(ann.id), "1".to_string(), {
            let mut both = vec![fixture.women, scaled];
            both.sort_unstable();
            both
        }))
    );
    assert!(read.contains(&(Entrant::Competitor(second.id), "2".to_string(), Vec::new())));
    assert_eq!(
        read.iter()
            .filter(|(entrant, ..)| matches!(entrant, Entrant::Team(_)))
            .count(),
        2
    );
}
