//! Round-trip, shape and safety tests of every export format.

use crate::common;

use std::collections::HashMap;

use common::*;
use scoretable_core::import::read_scores_csv;
use scoretable_core::model::{Entrant, Status};
use scoretable_export::csv_safety::{is_plain_number, needs_neutralizing};
use scoretable_export::runsignup::runsignup_time;
use scoretable_export::{
    parse_results_json, AwardBasis, AwardCategory, AwardRules, ExportError, Exporter,
    RunSignupOptions, RunSignupStatusPolicy,
};

fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[test]
fn workout_csv_reimports_through_the_core_score_reader() {
    let data = sample_data();
    let exporter = Exporter::new(&data);
    for workout in &data.workouts {
        for division_id in [None, Some(WOMEN), Some(MEN)] {
            let bytes = exporter
                .workout_results_csv(workout.id, division_id)
                .unwrap();
            let drafts = read_scores_csv(bytes.as_slice(), "export.csv", workout)
                .unwrap_or_else(|error| panic!("{} {division_id:?}: {error}", workout.name));
            let board = data.workout_leaderboard(workout.id, division_id).unwrap();
            assert_eq!(drafts.len(), board.rows.len());
            let bib_of: HashMap<Entrant, String> = data
                .competitors
                .iter()
                .map(|competitor| {
                    (
                        Entrant::Competitor(competitor.id()),
                        competitor.bib().to_string(),
                    )
                })
                .collect();
            for (draft, row) in drafts.iter().zip(&board.rows) {
                assert_eq!(draft.bib, bib_of[&row.entrant]);
                assert_eq!(draft.status, row.status, "bib {}", draft.bib);
                if row.status.is_none() {
                    assert_eq!(
                        draft.score, row.score,
                        "bib {} in {}",
                        draft.bib, workout.name
                    );
                }
                assert_eq!(draft.tie_break_ms, row.tie_break_ms, "bib {}", draft.bib);
                let exported: Vec<(i64, i64)> = draft
                    .splits
                    .iter()
                    .map(|split| (split.timing_point_id, split.total_ms))
                    .collect();
                let source: Vec<(i64, i64)> = row
                    .splits
                    .iter()
                    .map(|split| (split.timing_point_id, split.total_ms))
                    .collect();
                assert_eq!(exported, source, "splits of bib {}", draft.bib);
            }
        }
    }
}

#[test]
fn workout_csv_has_the_documented_columns_places_and_flags() {
    let data = sample_data();
    let exporter = Exporter::new(&data);
    let (header, rows) = read_csv(&exporter.workout_results_csv(RUN, None).unwrap());
    assert_eq!(
        header,
        [
            "rank",
            "bib",
            "name",
            "gender",
            "division",
            "score",
            "status",
            "tie_break",
            "split:2.5 km",
            "split:4 km",
            "amended"
        ]
    );
    // Tom Brennan (107) won in 16:30.0; bibs 102 and 104 tie on 17:42.4.
    assert_eq!(
        rows[0][..6],
        ["1", "107", "Tom Brennan", "Male", "Men", "16:30.0"]
    );
    assert_eq!(rows[0][8..], ["8:15.0", "13:12.0", "no"]);
    let tied: Vec<&Vec<String>> = rows.iter().filter(|row| row[5] == "17:42.4").collect();
    assert_eq!(tied.len(), 2);
    assert!(tied.iter().all(|row| row[0] == tied[0][0]));
    let amended = rows.iter().find(|row| row[1] == "103").unwrap();
    assert_eq!(amended[10], "yes");
    let disqualified = rows.iter().find(|row| row[1] == "105").unwrap();
    assert_eq!(
        (disqualified[0].as_str(), disqualified[6].as_str()),
        ("", "DSQ")
    );
    let did_not_finish = rows.iter().find(|row| row[1] == "110").unwrap();
    assert_eq!(did_not_finish[6], "DNF");
    assert_eq!(did_not_finish[8..10], ["11:40.0", ""]);

    // A division file shows division places.
    let (_, women) = read_csv(&exporter.workout_results_csv(RUN, Some(WOMEN)).unwrap());
    assert_eq!(women[0][0..2], ["1", "101"]);
    assert!(women.iter().all(|row| row[4] == "Women"));
    assert_eq!(women.len(), 6);
}

#[test]
fn every_csv_cell_is_neutralised_and_numbers_stay_numeric() {
    let data = sample_data();
    let exporter = Exporter::new(&data);
    let mut files = vec![exporter.overall_results_csv(None).unwrap()];
    for workout in &data.workouts {
        files.push(exporter.workout_results_csv(workout.id, None).unwrap());
    }
    files.push(
        exporter
            .runsignup_csv(RUN, &RunSignupOptions::default())
            .unwrap(),
    );
    files.push(exporter.awards_csv(&AwardRules::default()).unwrap());
    let mut saw_prefixed = 0;
    for bytes in &files {
        let (header, rows) = read_csv(bytes);
        for cell in header.iter().chain(rows.iter().flatten()) {
            assert!(!needs_neutralizing(cell), "unsafe cell {cell:?}");
            if cell.starts_with('\'') {
                saw_prefixed += 1;
            }
        }
    }
    assert!(
        saw_prefixed >= 5,
        "the hostile names should have been prefixed, saw {saw_prefixed}"
    );
    let (_, rows) = read_csv(&exporter.workout_results_csv(RUN, None).unwrap());
    let names: Vec<&str> = rows.iter().map(|row| row[2].as_str()).collect();
    assert!(names.contains(&"'-Mary O'Brien & <Sons>"));
    assert!(names.contains(&"Ann =HYPERLINK(\"http://evil.example\",\"x\")"));
    // Overall totals, places and points stay plain numbers.
    let (_, overall) = read_csv(&exporter.overall_results_csv(None).unwrap());
    for row in &overall {
        assert!(
            is_plain_number(&row[0]) && is_plain_number(&row[5]),
            "{row:?}"
        );
    }
}

#[test]
fn formula_names_at_the_start_of_a_cell_are_prefixed() {
    let mut data = sample_data();
    let mut competitors = data.competitors.to_competitors();
    competitors[1].first_name = "=cmd|' /C calc'!A0".to_string();
    competitors[1].last_name = String::new();
    data.competitors = competitors.into();
    let exporter = Exporter::new(&data);
    let (_, rows) = read_csv(&exporter.workout_results_csv(RUN, None).unwrap());
    let row = rows.iter().find(|row| row[1] == "102").unwrap();
    assert_eq!(row[2], "'=cmd|' /C calc'!A0");
}

#[test]
fn streamed_results_json_is_the_document_serialised() {
    let data = sample_data();
    let exporter = Exporter::new(&data);
    let mut expected = serde_json::to_vec(&exporter.results_document().unwrap()).unwrap();
    expected.push(b'\n');
    assert_eq!(exporter.results_json().unwrap(), expected);
}

#[test]
fn results_json_reads_back_to_the_source_leaderboards() {
    let data = sample_data();
    let exporter = Exporter::new(&data);
    let bytes = exporter.results_json().unwrap();
    let document = parse_results_json(&bytes).unwrap();
    assert_eq!(document.format, "scoretable-results");
    assert_eq!(document.version, 1);
    assert_eq!(document.generated_at, "2026-05-02T17:30:00Z");
    assert_eq!(document.competition, data.competition);
    assert_eq!(document.workouts.len(), 3);
    for workout in &document.workouts {
        assert_eq!(&workout.workout, data.workout(workout.workout.id).unwrap());
        for board in &workout.leaderboards {
            let source = data
                .workout_leaderboard(workout.workout.id, board.division_id)
                .unwrap();
            assert_eq!(
                document
                    .workout_rows(workout.workout.id, board.division_id)
                    .unwrap(),
                source.rows
            );
            // Division boards are written as entrant lists, not repeated rows.
            assert_eq!(board.rows.is_some(), board.division_id.is_none());
        }
        assert_eq!(workout.leaderboards.len(), 3);
    }
    for board in &document.overall {
        assert_eq!(
            board.rows,
            data.overall_leaderboard(board.division_id).unwrap().rows
        );
    }
    assert_eq!(document.amendments, data.amendments);
    assert_eq!(document.entrants.len(), 12);
    // Display data only: no date of birth, chip ids or registration ids.
    let text = String::from_utf8(bytes).unwrap();
    assert!(!text.contains("1990-07-21"));
    assert!(!text.contains("CHIP-SECRET"));
    assert!(!text.contains("\"3201\"") && !text.contains("registration"));

    let mut wrong_version = serde_json::from_str::<serde_json::Value>(&text).unwrap();
    wrong_version["version"] = serde_json::json!(2);
    let error = parse_results_json(wrong_version.to_string().as_bytes()).unwrap_err();
    assert!(error.to_string().contains("version 2"), "{error}");
}

#[test]
fn runsignup_csv_matches_the_documented_shape() {
    let data = sample_data();
    let exporter = Exporter::new(&data);
    let (header, rows) = read_csv(
        &exporter
            .runsignup_csv(RUN, &RunSignupOptions::default())
            .unwrap(),
    );
    assert_eq!(
        header,
        [
            "place",
            "bib",
            "registration_id",
            "first_name",
            "last_name",
            "clock_time",
            "chip_time",
            "split-101",
            "split-102"
        ]
    );
    assert_eq!(
        rows[0],
        ["1", "107", "", "Tom", "Brennan", "16:30.0", "16:30.0", "8:15.0", "13:12.0"]
    );
    // 16:40.999 is rounded up to the tenth: 16:41.0.
    let bib_112 = rows.iter().find(|row| row[1] == "112").unwrap();
    assert_eq!(bib_112[5], "16:41.0");
    // Over an hour: h:mm:ss.s; 1:02:05.35 rounds up to 1:02:05.4.
    let bib_109 = rows.iter().find(|row| row[1] == "109").unwrap();
    assert_eq!(bib_109[5], "1:02:05.4");
    let bib_101 = rows.iter().find(|row| row[1] == "101").unwrap();
    assert_eq!(bib_101[2], "3201");
    assert_eq!(bib_101[5], "17:30.2");
    // DSQ is written DQ, without a place; DNS and DNF as they are.
    let bib_105 = rows.iter().find(|row| row[1] == "105").unwrap();
    assert_eq!(
        (
            bib_105[0].as_str(),
            bib_105[5].as_str(),
            bib_105[6].as_str()
        ),
        ("", "DQ", "DQ")
    );
    let bib_106 = rows.iter().find(|row| row[1] == "106").unwrap();
    assert_eq!((bib_106[5].as_str(), bib_106[7].as_str()), ("DNS", ""));
    let bib_110 = rows.iter().find(|row| row[1] == "110").unwrap();
    assert_eq!(bib_110[5], "DNF");
    assert_eq!(runsignup_time(1_020_050), "17:00.1");
}

#[test]
fn runsignup_json_and_xml_follow_the_request_formats() {
    let data = sample_data();
    let exporter = Exporter::new(&data);
    let options = RunSignupOptions {
        split_ids: Some([(101, "9001".to_string())].into_iter().collect()),
        division_ids: [(WOMEN, "555".to_string())].into_iter().collect(),
        ..RunSignupOptions::default()
    };
    let json: serde_json::Value =
        serde_json::from_slice(&exporter.runsignup_json(RUN, &options).unwrap()).unwrap();
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), 12);
    assert_eq!(results[0]["bib"], serde_json::json!(107));
    assert_eq!(results[0]["place"], serde_json::json!(1));
    assert_eq!(results[0]["clock_time"], serde_json::json!("16:30.0"));
    assert_eq!(results[0]["split-9001"], serde_json::json!("8:15.0"));
    assert!(
        results[0].get("split-102").is_none(),
        "unmapped splits are left out"
    );
    assert!(
        results[0].get("division-555-place").is_none(),
        "men have no women's place"
    );
    let zoe = results
        .iter()
        .find(|result| result["bib"] == serde_json::json!(101))
        .unwrap();
    assert_eq!(zoe["division-555-place"], serde_json::json!(1));
    assert_eq!(zoe["registration_id"], serde_json::json!(3201));
    let dns = results
        .iter()
        .find(|result| result["bib"] == serde_json::json!(106))
        .unwrap();
    assert!(dns.get("place").is_none());
    assert_eq!(dns["chip_time"], serde_json::json!("DNS"));

    let xml = String::from_utf8(exporter.runsignup_xml(RUN, &options).unwrap()).unwrap();
    assert!(xml.contains("<value>O&apos;Brien &amp; &lt;Sons&gt;</value>"));
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut path: Vec<String> = Vec::new();
    let mut results_seen = 0;
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut current_name = String::new();
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(start) => {
                let name = start.name().as_ref().to_string();
                if name == "result" {
                    results_seen += 1;
                }
                path.push(name);
            }
            quick_xml::events::Event::End(_) => {
                path.pop();
            }
            quick_xml::events::Event::Text(text) => {
                let value = text.xml10_content().into_owned();
                if path == ["request", "result", "field", "name"] {
                    current_name = value;
                } else if path == ["request", "result", "field", "value"] && results_seen == 1 {
                    fields.push((current_name.clone(), value));
                }
            }
            quick_xml::events::Event::GeneralRef(reference) => {
                // quick-xml reports entity references apart from the text around them.
                let _ = reference;
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(results_seen, 12);
    assert_eq!(
        fields
            .iter()
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>(),
        [
            "place",
            "bib",
            "first_name",
            "last_name",
            "clock_time",
            "chip_time",
            "split-9001"
        ]
    );
    assert_eq!(fields[4].1, "16:30.0");
}

#[test]
fn runsignup_rejects_or_maps_statuses_it_does_not_accept() {
    let data = sample_data();
    let exporter = Exporter::new(&data);
    let error = exporter
        .runsignup_csv(FRAN, &RunSignupOptions::default())
        .unwrap_err();
    match &error {
        ExportError::RunSignupStatus { bib, status, .. } => {
            assert_eq!((bib.as_str(), *status), ("105", Status::Wd));
        }
        other => panic!("unexpected {other}"),
    }
    assert!(error.to_string().contains("MapToNearest"), "{error}");

    let options = RunSignupOptions {
        status_policy: RunSignupStatusPolicy::MapToNearest,
        ..RunSignupOptions::default()
    };
    let (_, rows) = read_csv(&exporter.runsignup_csv(FRAN, &options).unwrap());
    let withdrawn = rows.iter().find(|row| row[1] == "105").unwrap();
    assert_eq!(withdrawn[5], "DNS");
    // Capped athletes keep their place and are DNF for RunSignup.
    let capped = rows.iter().find(|row| row[1] == "111").unwrap();
    assert!(!capped[0].is_empty());
    assert_eq!(capped[5], "DNF");

    let error = exporter
        .runsignup_xml(DEADLIFT, &RunSignupOptions::default())
        .unwrap_err();
    assert!(
        matches!(error, ExportError::RunSignupScoreType { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("Max Deadlift"));
}

#[test]
fn overall_csv_lists_every_workout() {
    let data = sample_data();
    let exporter = Exporter::new(&data);
    let (header, rows) = read_csv(&exporter.overall_results_csv(Some(MEN)).unwrap());
    assert_eq!(
        header[..6],
        ["rank", "bib", "name", "gender", "division", "total"]
    );
    assert_eq!(
        header[6..9],
        [
            "Harbour 5K: rank",
            "Harbour 5K: score",
            "Harbour 5K: points"
        ]
    );
    assert_eq!(header.len(), 6 + 9 + 1);
    assert_eq!(rows.len(), 6);
    let source = &data.overall_leaderboard(Some(MEN)).unwrap().rows;
    for (row, source) in rows.iter().zip(source) {
        assert_eq!(row[0], source.rank.to_string());
        assert_eq!(row[5], source.total.to_string());
    }
    let amended = rows.iter().find(|row| row[1] == "108").unwrap();
    assert_eq!(amended.last().unwrap(), "yes");
}

#[test]
fn awards_respect_the_overall_winner_rule() {
    let data = sample_data();
    let exporter = Exporter::new(&data);
    let overall = &data.overall_leaderboard(None).unwrap().rows;
    let winner = overall[0].entrant;
    let winner_division = data
        .competitors
        .iter()
        .find(|competitor| Entrant::Competitor(competitor.id()) == winner)
        .unwrap()
        .division_ids()[0];
    let division_board = &data
        .overall_leaderboard(Some(winner_division))
        .unwrap()
        .rows;

    let keep = AwardRules {
        basis: AwardBasis::Overall,
        overall_awards: 1,
        gender_overall_awards: 0,
        awards_per_division: 3,
        overall_winners_also_take_division_awards: true,
    };
    let list = exporter.award_list(&keep).unwrap();
    assert_eq!(list.categories[0].category, AwardCategory::Overall);
    assert_eq!(list.categories[0].awards[0].entrant, winner);
    let division = list
        .categories
        .iter()
        .find(|category| category.category == AwardCategory::Division(winner_division))
        .unwrap();
    assert_eq!(division.awards[0].entrant, winner);
    assert_eq!(division.awards[0].also_overall_award_place, Some(1));
    // Everyone placed third or better gets an award, so a tie for third gives four.
    assert_eq!(
        division
            .awards
            .iter()
            .map(|award| award.entrant)
            .collect::<Vec<_>>(),
        division_board
            .iter()
            .filter(|row| row.rank <= 3)
            .map(|row| row.entrant)
            .collect::<Vec<_>>()
    );

    let move_up = AwardRules {
        overall_winners_also_take_division_awards: false,
        ..keep
    };
    let list = exporter.award_list(&move_up).unwrap();
    let division = list
        .categories
        .iter()
        .find(|category| category.category == AwardCategory::Division(winner_division))
        .unwrap();
    assert!(division.awards.iter().all(|award| award.entrant != winner));
    // Without the winner, the next athletes move up one award place each.
    let expected: Vec<(u32, Entrant)> = division_board
        .iter()
        .skip(1)
        .filter(|row| row.rank <= 4)
        .map(|row| (row.rank - 1, row.entrant))
        .collect();
    assert_eq!(
        division
            .awards
            .iter()
            .map(|award| (award.award_place, award.entrant))
            .collect::<Vec<_>>(),
        expected
    );
    let (header, rows) = read_csv(&exporter.awards_csv(&move_up).unwrap());
    assert_eq!(
        header,
        [
            "category",
            "award_place",
            "leaderboard_place",
            "bib",
            "name",
            "gender",
            "club",
            "country",
            "result",
            "note"
        ]
    );
    let awards_listed: usize = list
        .categories
        .iter()
        .map(|category| category.awards.len())
        .sum();
    assert_eq!(rows.len(), awards_listed);
    assert_eq!(rows[0][0], "Overall");

    // Awards from one workout never go to a status.
    let fran = AwardRules {
        basis: AwardBasis::Workout(FRAN),
        awards_per_division: 6,
        ..AwardRules::default()
    };
    let list = exporter.award_list(&fran).unwrap();
    let women = list
        .categories
        .iter()
        .find(|category| category.category == AwardCategory::Division(WOMEN))
        .unwrap();
    assert_eq!(women.awards.len(), 5, "the withdrawn athlete gets no award");
    // 101 and 104 tie on time; 104's faster tie-break puts her first.
    assert_eq!(women.awards[0].bib, "104");
    assert_eq!(women.awards[1].bib, "101");
}

/// The seed's "Post Event Results" fields beyond times: `split-<id>-place`
/// and `custom-field-<id>`, in the CSV header, the `{"results": [...]}`
/// JSON objects and the `<request><result><field>` XML.
#[test]
fn runsignup_split_places_and_custom_fields_follow_the_request_formats() {
    use scoretable_export::RunSignupCustomField;
    let data = sample_data();
    let exporter = Exporter::new(&data);
    let options = RunSignupOptions {
        split_ids: Some([(101, "9001".to_string())].into_iter().collect()),
        split_places: true,
        custom_fields: [
            ("77".to_string(), RunSignupCustomField::Club),
            ("78".to_string(), RunSignupCustomField::Country),
            ("79".to_string(), RunSignupCustomField::Gender),
        ]
        .into_iter()
        .collect(),
        ..RunSignupOptions::default()
    };

    let (header, rows) = read_csv(&exporter.runsignup_csv(RUN, &options).unwrap());
    assert_eq!(
        header,
        [
            "place",
            "bib",
            "registration_id",
            "first_name",
            "last_name",
            "clock_time",
            "chip_time",
            "split-9001",
            "split-9001-place",
            "custom-field-77",
            "custom-field-78",
            "custom-field-79"
        ]
    );
    // Split places are the engine's positions at the timing point.
    let board = data.workout_leaderboard(RUN, None).unwrap();
    let directory = scoretable_export::data::EntrantDirectory::new(&data);
    for row in &board.rows {
        let bib = &directory.get(row.entrant).unwrap().bib;
        let csv_row = rows.iter().find(|csv_row| &csv_row[1] == bib).unwrap();
        let expected = row
            .splits
            .iter()
            .find(|split| split.timing_point_id == 101)
            .map(|split| split.position.to_string())
            .unwrap_or_default();
        assert_eq!(csv_row[8], expected, "bib {bib}");
    }
    assert!(rows.iter().any(|row| row[8] == "1"));
    // A DNS reached no timing point: its split place is blank.
    let dns = rows.iter().find(|row| row[1] == "106").unwrap();
    assert_eq!((dns[7].as_str(), dns[8].as_str()), ("", ""));

    let json: serde_json::Value =
        serde_json::from_slice(&exporter.runsignup_json(RUN, &options).unwrap()).unwrap();
    let results = json["results"].as_array().unwrap();
    let mary = results
        .iter()
        .find(|result| result["bib"] == serde_json::json!(103))
        .unwrap();
    assert_eq!(
        mary["custom-field-77"],
        serde_json::json!("Harbour Striders")
    );
    assert_eq!(mary["custom-field-78"], serde_json::json!("IRL"));
    assert_eq!(mary["custom-field-79"], serde_json::json!("Female"));
    assert!(mary["split-9001-place"].is_number());
    let tom = results
        .iter()
        .find(|result| result["bib"] == serde_json::json!(107))
        .unwrap();
    assert!(tom.get("custom-field-77").is_none(), "no club: left out");
    assert_eq!(tom["custom-field-79"], serde_json::json!("Male"));

    let xml = String::from_utf8(exporter.runsignup_xml(RUN, &options).unwrap()).unwrap();
    assert!(
        xml.contains("<name>custom-field-77</name>\n\t\t\t<value>Harbour Striders</value>"),
        "{xml}"
    );
    assert!(xml.contains("<name>split-9001-place</name>"));
    // Nothing personal beyond the seed's fields: no chip ids, no birth dates.
    assert!(!xml.contains("CHIP-SECRET") && !xml.contains("1990-07-21"));
}

/// The compact competitor table gives back every field an export prints
/// (empty and missing ones apart), and the directory finds entrants by id
/// whether the ids are dense (a table) or sparse (a map).
#[test]
fn the_competitor_table_keeps_every_printed_field() {
    use scoretable_export::{CompetitorTable, EntrantDirectory, ExportData};
    let data = sample_data();
    let competitors = data.competitors.to_competitors();
    let mut sparse = competitors.clone();
    sparse[0].id = 9_000_000_000;
    sparse[1].country = None;
    sparse[1].club = Some(String::new());
    sparse[2].first_name = String::new();
    sparse[2].division_ids = vec![WOMEN, MEN];
    for list in [competitors, sparse] {
        let table: CompetitorTable = list.iter().collect();
        assert_eq!(table.to_competitors(), list);
        let snapshot = ExportData {
            competitors: table,
            ..data.clone()
        };
        let directory = EntrantDirectory::new(&snapshot);
        for competitor in &list {
            let display = directory.get(Entrant::Competitor(competitor.id)).unwrap();
            assert_eq!(display.bib, competitor.bib);
            assert_eq!(display.first_name, competitor.first_name);
            assert_eq!(display.last_name, competitor.last_name);
            assert_eq!(display.country, competitor.country);
            assert_eq!(display.club, competitor.club);
            assert_eq!(display.division_ids, competitor.division_ids);
            assert_eq!(
                display.runsignup_registration_id,
                competitor.external_ids.runsignup_registration_id
            );
        }
        assert!(directory.get(Entrant::Competitor(4_242)).is_err());
    }
}
