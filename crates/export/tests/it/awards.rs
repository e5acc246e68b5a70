//! Award lists with gender-overall categories: top N Female and Male
//! overall, then divisions without those already awarded unless double
//! awards are allowed, with ties at the cut.

use crate::common;

use common::*;
use scoretable_core::model::{
    Division, DivisionKind, Entrant, Gender, OverallMode, ResultEntry, Score, ScoreType,
};
use scoretable_export::{AwardBasis, AwardCategory, AwardRules, ExportData, Exporter};

const WOMEN_OPEN: i64 = 101;
const WOMEN_MASTERS: i64 = 102;
const MEN_OPEN: i64 = 103;
const MEN_MASTERS: i64 = 104;

fn division(id: i64, name: &str, gender: Gender) -> Division {
    Division {
        id,
        name: name.to_string(),
        kind: DivisionKind::Gender,
        gender: Some(gender),
        min_age: None,
        max_age: None,
    }
}

/// Women F1..F6 and men M1..M5 in one 5K; F3 and F4 tie for the third
/// women's place. The men are faster, so whole-field places interleave
/// nothing: M1..M5 are 1..5, the women 6..11.
fn field() -> ExportData {
    // (id, bib, name, gender, division, seconds)
    let athletes = [
        (1, "F1", Gender::Female, WOMEN_OPEN, 600),
        (2, "F2", Gender::Female, WOMEN_MASTERS, 610),
        (3, "F3", Gender::Female, WOMEN_OPEN, 620),
        (4, "F4", Gender::Female, WOMEN_MASTERS, 620),
        (5, "F5", Gender::Female, WOMEN_OPEN, 630),
        (6, "F6", Gender::Female, WOMEN_MASTERS, 640),
        (7, "M1", Gender::Male, MEN_OPEN, 540),
        (8, "M2", Gender::Male, MEN_OPEN, 550),
        (9, "M3", Gender::Male, MEN_MASTERS, 560),
        (10, "M4", Gender::Male, MEN_OPEN, 570),
        (11, "M5", Gender::Male, MEN_MASTERS, 580),
    ];
    let competitors = athletes
        .iter()
        .map(|(id, bib, gender, division_id, _)| {
            let mut entry = competitor(*id, bib, "Runner", bib, *gender);
            entry.division_ids = vec![*division_id];
            entry
        })
        .collect();
    let results: Vec<ResultEntry> = athletes
        .iter()
        .map(|(id, _, _, _, seconds)| result(*id, Some(Score::Time { ms: seconds * 1000 }), None))
        .collect();
    assemble(
        sample_competition(),
        vec![
            division(WOMEN_OPEN, "Women Open", Gender::Female),
            division(WOMEN_MASTERS, "Women Masters", Gender::Female),
            division(MEN_OPEN, "Men Open", Gender::Male),
            division(MEN_MASTERS, "Men Masters", Gender::Male),
        ],
        competitors,
        vec![(workout(RUN, "Harbour 5K", 1, ScoreType::Time), results)],
        Vec::new(),
        OverallMode::RankSum,
    )
}

fn bib_of(entrant: Entrant) -> String {
    match entrant {
        Entrant::Competitor(id) if id <= 6 => format!("F{id}"),
        Entrant::Competitor(id) => format!("M{}", id - 6),
        Entrant::Team(id) => format!("team {id}"),
    }
}

/// `(award place, bib)` of each award in `category`.
fn awards_in(list: &scoretable_export::AwardList, category: AwardCategory) -> Vec<(u32, String)> {
    list.categories
        .iter()
        .find(|candidate| candidate.category == category)
        .unwrap_or_else(|| panic!("no {category:?} category"))
        .awards
        .iter()
        .map(|award| (award.award_place, bib_of(award.entrant)))
        .collect()
}

fn pairs(expected: &[(u32, &str)]) -> Vec<(u32, String)> {
    expected
        .iter()
        .map(|(place, bib)| (*place, bib.to_string()))
        .collect()
}

#[test]
fn gender_overall_awards_come_first_and_ties_at_the_cut_share_the_place() {
    let data = field();
    let exporter = Exporter::new(&data);
    let rules = AwardRules {
        basis: AwardBasis::Overall,
        overall_awards: 0,
        gender_overall_awards: 3,
        awards_per_division: 2,
        overall_winners_also_take_division_awards: false,
    };
    let list = exporter.award_list(&rules).unwrap();
    let names: Vec<&str> = list.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Female overall",
            "Male overall",
            "Women Open",
            "Women Masters",
            "Men Open",
            "Men Masters"
        ]
    );
    // F3 and F4 tie for third: both get the third award.
    assert_eq!(
        awards_in(&list, AwardCategory::GenderOverall(Gender::Female)),
        pairs(&[(1, "F1"), (2, "F2"), (3, "F3"), (3, "F4")])
    );
    let female = &list.categories[0].awards;
    assert!(!female[0].tied && female[2].tied && female[3].tied);
    // The award list keeps the whole-field places: the women are 6th to 11th.
    assert_eq!(
        female
            .iter()
            .map(|award| award.leaderboard_place)
            .collect::<Vec<_>>(),
        [6, 7, 8, 8]
    );
    assert_eq!(
        awards_in(&list, AwardCategory::GenderOverall(Gender::Male)),
        pairs(&[(1, "M1"), (2, "M2"), (3, "M3")])
    );
    // No double awards: the divisions skip everyone awarded overall.
    assert_eq!(
        awards_in(&list, AwardCategory::Division(WOMEN_OPEN)),
        pairs(&[(1, "F5")])
    );
    assert_eq!(
        awards_in(&list, AwardCategory::Division(WOMEN_MASTERS)),
        pairs(&[(1, "F6")])
    );
    assert_eq!(
        awards_in(&list, AwardCategory::Division(MEN_OPEN)),
        pairs(&[(1, "M4")])
    );
    assert_eq!(
        awards_in(&list, AwardCategory::Division(MEN_MASTERS)),
        pairs(&[(1, "M5")])
    );
}

#[test]
fn double_awards_keep_gender_overall_winners_in_their_divisions() {
    let data = field();
    let exporter = Exporter::new(&data);
    let rules = AwardRules {
        basis: AwardBasis::Overall,
        overall_awards: 0,
        gender_overall_awards: 3,
        awards_per_division: 2,
        overall_winners_also_take_division_awards: true,
    };
    let list = exporter.award_list(&rules).unwrap();
    assert_eq!(
        awards_in(&list, AwardCategory::Division(WOMEN_OPEN)),
        pairs(&[(1, "F1"), (2, "F3")])
    );
    let women_open = list
        .categories
        .iter()
        .find(|category| category.category == AwardCategory::Division(WOMEN_OPEN))
        .unwrap();
    assert_eq!(
        women_open.awards[0].also_gender_overall_award_place,
        Some(1)
    );
    assert_eq!(
        women_open.awards[1].also_gender_overall_award_place,
        Some(3)
    );
    let bytes = exporter.awards_csv(&rules).unwrap();
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect();
    let f3_in_division = rows
        .iter()
        .find(|row| row[0] == "Women Open" && row[3] == "F3")
        .unwrap();
    assert_eq!(f3_in_division[9], "also Female overall 3rd");
    let f3_overall = rows
        .iter()
        .find(|row| row[0] == "Female overall" && row[3] == "F3")
        .unwrap();
    assert_eq!(f3_overall[9], "tied");
}

#[test]
fn overall_winners_skip_gender_overall_and_divisions_without_double_awards() {
    let data = field();
    let exporter = Exporter::new(&data);
    let rules = AwardRules {
        basis: AwardBasis::Workout(RUN),
        overall_awards: 1,
        gender_overall_awards: 2,
        awards_per_division: 1,
        overall_winners_also_take_division_awards: false,
    };
    let list = exporter.award_list(&rules).unwrap();
    assert_eq!(
        awards_in(&list, AwardCategory::Overall),
        pairs(&[(1, "M1")])
    );
    // M1 won overall, so the male top two are M2 and M3.
    assert_eq!(
        awards_in(&list, AwardCategory::GenderOverall(Gender::Male)),
        pairs(&[(1, "M2"), (2, "M3")])
    );
    assert_eq!(
        awards_in(&list, AwardCategory::GenderOverall(Gender::Female)),
        pairs(&[(1, "F1"), (2, "F2")])
    );
    assert_eq!(
        awards_in(&list, AwardCategory::Division(MEN_OPEN)),
        pairs(&[(1, "M4")])
    );
    assert_eq!(
        awards_in(&list, AwardCategory::Division(MEN_MASTERS)),
        pairs(&[(1, "M5")])
    );
    // The tie for third among the women falls in Women Open (F3) and
    // Women Masters (F4), each now first of what is left.
    assert_eq!(
        awards_in(&list, AwardCategory::Division(WOMEN_OPEN)),
        pairs(&[(1, "F3")])
    );
    assert_eq!(
        awards_in(&list, AwardCategory::Division(WOMEN_MASTERS)),
        pairs(&[(1, "F4")])
    );
    let pdf = exporter.awards_pdf(&rules).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}
