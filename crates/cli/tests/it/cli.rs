//! End-to-end tests of the `scoretable` binary in temporary directories.
//!
//! Each test runs the real executable, as a scorekeeper's script would, and
//! checks its output, its JSON and its exit codes.

use crate::support;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use support::Session;

const COMPETITORS_CSV: &str = "\
bib,first_name,last_name,gender,dob,country,club
1,Ada,Lovelace,F,1990-01-01,GBR,Analytical CF
2,Bo,Berg,M,1985-05-05,SWE,North Gym
3,Cy,Chan,F,1980-02-02,HKG,Harbour CF
4,Di,Diaz,M,2000-03-03,ESP,North Gym
5,Eve,Ekwueme,F,1995-07-21,NGA,
6,Finn,Fischer,M,1978-11-30,GER,Harbour CF
";

/// Creates the competition, three divisions and six competitors.
fn set_up(session: &Session) {
    session.ok(&[
        "create",
        "--name",
        "Spring Throwdown 2026",
        "--start-date",
        "2026-03-14",
        "--end-date",
        "2026-03-15",
        "--venue",
        "Harbourside Hall",
        "--country",
        "GBR",
        "--organiser",
        "Harbourside AC",
        "--time-zone",
        "Europe/London",
    ]);
    session.ok(&[
        "division", "add", "Women", "--kind", "gender", "--gender", "female",
    ]);
    session.ok(&[
        "division", "add", "Men", "--kind", "gender", "--gender", "male",
    ]);
    session.ok(&[
        "division",
        "add",
        "Masters 40+",
        "--kind",
        "age-group",
        "--min-age",
        "40",
    ]);
    let csv = session.write("competitors.csv", COMPETITORS_CSV);
    let summary = session.json(&["competitors", "import", csv.to_str().unwrap()]);
    assert_eq!(summary["new"], 6);
    assert_eq!(summary["competitors"], 6);
    // Importing the same list again changes nothing.
    let again = session.json(&["competitors", "import", csv.to_str().unwrap()]);
    assert_eq!(again["new"], 0);
    assert_eq!(again["unchanged"], 6);
}

/// Adds a time-capped workout and enters a score for everyone.
fn enter_fran(session: &Session) {
    session.ok(&[
        "workout",
        "add",
        "Fran",
        "--type",
        "time-capped",
        "--cap",
        "10:00",
        "--tie-break",
        "time",
    ]);
    for (bib, value, tie_break) in [
        ("1", "4:03.2", Some("2:10")),
        ("2", "CAP+41", None),
        ("3", "4:03.2", Some("2:00")),
        ("4", "3:55.0", None),
        ("5", "DNF", None),
        ("6", "5:30", None),
    ] {
        let mut arguments = vec!["score", "enter", "Fran", bib, value];
        if let Some(tie_break) = tie_break {
            arguments.extend_from_slice(&["--tiebreak", tie_break]);
        }
        session.ok(&arguments);
    }
}

fn ranks_by_bib(board: &Value) -> Vec<(String, Value)> {
    board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["bib"].as_str().unwrap().to_string(),
                row["rank"].clone(),
            )
        })
        .collect()
}

#[test]
fn full_workflow_from_create_to_amended_leaderboard() {
    let session = Session::new();
    set_up(&session);

    let info = session.json(&["info"]);
    assert_eq!(info["competition"]["slug"], "spring-throwdown-2026");
    assert_eq!(info["competition"]["time_zone"], "Europe/London");
    assert_eq!(info["counts"]["competitors"], 6);
    assert_eq!(info["counts"]["divisions"], 3);

    // Age groups are assigned on import from the date of birth.
    let masters = session.json(&["competitors", "list", "--division", "Masters 40+"]);
    let master_bibs: Vec<&str> = masters["competitors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|competitor| competitor["bib"].as_str().unwrap())
        .collect();
    assert_eq!(master_bibs, ["2", "3", "6"]);

    enter_fran(&session);
    let entered = session.ok(&["workout", "list"]);
    assert!(entered.contains("Fran"), "{entered}");

    // Ranks: finishers by time, tie on 4:03.2 broken by the tie-break time,
    // the capped athlete after finishers, the DNF without a place.
    let board = session.json(&["leaderboard", "Fran"]);
    assert_eq!(
        ranks_by_bib(&board),
        [
            ("4".to_string(), Value::from(1)),
            ("3".to_string(), Value::from(2)),
            ("1".to_string(), Value::from(3)),
            ("6".to_string(), Value::from(4)),
            ("2".to_string(), Value::from(5)),
            ("5".to_string(), Value::Null),
        ]
    );
    assert_eq!(board["rows"][4]["display"], "CAP+41");
    assert_eq!(board["rows"][5]["display"], "DNF");

    // The printed table shows ranks, bibs, names, scores and division places.
    let table = session.ok(&["leaderboard", "Fran"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("Rank"), "{table}");
    assert!(
        lines[2].contains("Di Diaz") && lines[2].contains("3:55"),
        "{table}"
    );
    assert!(lines[2].trim_start().starts_with('1'), "{table}");
    assert!(
        lines[3].contains("Cy Chan") && lines[3].contains("Women 1"),
        "{table}"
    );
    assert!(
        lines[7].contains("DNF") && lines[7].trim_start().starts_with('-'),
        "{table}"
    );

    // An appeal: Bo's capped score becomes 3:50.0, which wins.
    let amended = session.json(&[
        "score",
        "amend",
        "Fran",
        "2",
        "3:50.0",
        "--reason",
        "Judge miscounted the final thrusters",
        "--appeal",
        "APPEAL-7",
        "--by",
        "Head Judge Okafor",
    ]);
    assert_eq!(amended["bib"], "2");
    assert_eq!(amended["old"]["text"], "CAP+41");
    assert!(amended["moved"].as_array().unwrap().len() >= 5);

    let board = session.json(&["leaderboard", "Fran"]);
    assert_eq!(
        ranks_by_bib(&board)
            .iter()
            .map(|(bib, _)| bib.as_str())
            .collect::<Vec<_>>(),
        ["2", "4", "3", "1", "6", "5"]
    );
    assert_eq!(board["rows"][0]["amended"], true);

    // CSV output carries the same order and the amendment note.
    let csv_text = session.ok(&["leaderboard", "Fran", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let bib_column = headers.iter().position(|header| header == "Bib").unwrap();
    let notes_column = headers.iter().position(|header| header == "Notes").unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let bibs: Vec<&str> = records.iter().map(|record| &record[bib_column]).collect();
    assert_eq!(bibs, ["2", "4", "3", "1", "6", "5"]);
    assert_eq!(&records[0][notes_column], "amended");

    // `--format json` prints the same document as `--json`.
    let formatted: Value =
        serde_json::from_str(&session.ok(&["leaderboard", "Fran", "--format", "json"])).unwrap();
    assert_eq!(formatted, board);

    // A division board ranks by division place.
    let women = session.json(&["leaderboard", "Fran", "--division", "Women"]);
    let women_rows: Vec<(String, Value)> = women["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["bib"].as_str().unwrap().to_string(),
                row["division_rank"].clone(),
            )
        })
        .collect();
    assert_eq!(
        women_rows,
        [
            ("3".to_string(), Value::from(1)),
            ("1".to_string(), Value::from(2)),
            ("5".to_string(), Value::Null),
        ]
    );

    // The history keeps both values with who, why and the appeal.
    let history = session.json(&["score", "history", "Fran", "2"]);
    let events = history["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["kind"], "entry");
    assert_eq!(events[1]["kind"], "amend");
    assert_eq!(events[1]["who"], "Head Judge Okafor");
    assert_eq!(events[1]["appeal_ref"], "APPEAL-7");
    assert_eq!(history["effective"]["text"], "3:50.0");

    let explanation = session.ok(&["explain", "Fran", "1", "3"]);
    assert!(
        explanation.contains("Cy Chan ranks above Ada Lovelace"),
        "{explanation}"
    );

    let shown = session.json(&["competitor", "show", "2"]);
    assert_eq!(shown["competitor"]["name"], "Bo Berg");
    assert_eq!(shown["results"][0]["rank"], 1);
}

#[test]
fn bad_competitor_csv_names_file_row_and_field_and_changes_nothing() {
    let session = Session::new();
    set_up(&session);
    let before = session.json(&["competitors", "list"]);

    let bad = session.write(
        "late entries.csv",
        "bib,first_name,last_name,gender,dob\n\
         1,Ada,Lovelace-Byron,F,1990-01-01\n\
         7,Gus,Grant,Q,1991-01-01\n\
         8,Hal,Hart,M,31/02/1990\n",
    );
    let (code, stderr) = session.fail(&["competitors", "import", bad.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("late entries.csv"), "{stderr}");
    assert!(
        stderr.contains("row 3") && stderr.contains("gender"),
        "{stderr}"
    );
    assert!(stderr.contains("row 4"), "{stderr}");

    // The same error as JSON, with the location in separate fields.
    let (code, error) = session.fail_json(&["competitors", "import", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(error["error"]["kind"], "bad_input");
    let problems = error["error"]["problems"].as_array().unwrap();
    let gender_problem = problems
        .iter()
        .find(|problem| problem["row"] == 3)
        .expect("row 3 is reported");
    assert!(gender_problem["file"]
        .as_str()
        .unwrap()
        .ends_with("late entries.csv"));
    assert_eq!(
        gender_problem["field"].as_str().unwrap().to_lowercase(),
        "gender"
    );

    // Nothing changed: not even the valid row 2's new last name.
    let after = session.json(&["competitors", "list"]);
    assert_eq!(before, after);

    // A file the store rejects (a division that does not exist) also stores nothing.
    let unknown_division = session.write(
        "divisions.csv",
        "bib,name,gender,division\n9,Ivy Ives,F,Women\n10,Jo Jones,F,Juniors\n",
    );
    let (code, stderr) =
        session.fail(&["competitors", "import", unknown_division.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("divisions.csv") && stderr.contains("row 3"),
        "{stderr}"
    );
    assert!(stderr.contains("division"), "{stderr}");
    assert_eq!(session.json(&["competitors", "list"]), before);

    // A missing file is an I/O error, not a crash.
    let (code, stderr) = session.fail(&["competitors", "import", "missing.csv"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("missing.csv"), "{stderr}");
}

#[test]
fn score_import_rejects_bad_rows_and_unknown_bibs_atomically() {
    let session = Session::new();
    set_up(&session);
    session.ok(&[
        "workout",
        "add",
        "Row 2K",
        "--type",
        "time",
        "--point",
        "500m",
        "--point",
        "1000m",
        "--heat",
        "Heat 1=1,,3",
        "--heat",
        "Heat 2",
    ]);
    let workouts = session.json(&["workout", "list"]);
    let heats = &workouts["workouts"][0]["heats"];
    assert_eq!(heats[0]["name"], "Heat 1");
    assert_eq!(heats[0]["lanes"].as_array().unwrap().len(), 2);
    assert_eq!(heats[0]["lanes"][1]["lane"], 3);
    assert_eq!(heats[1]["lanes"].as_array().unwrap().len(), 0);
    let (code, stderr) = session.fail(&[
        "workout",
        "add",
        "Row 5K",
        "--type",
        "time",
        "--heat",
        "Heat 1=1,42",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown bib 42 in lane 2"), "{stderr}");
    let good = session.write(
        "row heat 1.csv",
        "bib,time,split:500m,split:1000m\n1,7:05.3,1:45.0,3:31.2\n2,6:40.1,1:38.2,3:18.0\n3,DNS,,\n",
    );
    let summary = session.json(&["score", "import", "Row 2K", good.to_str().unwrap()]);
    assert_eq!(summary["inserted"], 3);
    let before = session.json(&["leaderboard", "Row 2K"]);
    assert_eq!(before["rows"][0]["bib"], "2");
    assert_eq!(before["rows"][0]["splits"][0]["timing_point"], "500m");
    assert_eq!(before["rows"][0]["splits"][0]["position"], 1);

    let bad_value = session.write("row heat 2.csv", "bib,time\n4,7:10.0\n5,seven minutes\n");
    let (code, stderr) = session.fail(&["score", "import", "Row 2K", bad_value.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("row heat 2.csv") && stderr.contains("row 3"),
        "{stderr}"
    );
    assert!(stderr.contains("seven minutes"), "{stderr}");

    let unknown_bib = session.write("row heat 3.csv", "bib,time\n4,7:10.0\n99,7:20.0\n");
    let (code, error) =
        session.fail_json(&["score", "import", "Row 2K", unknown_bib.to_str().unwrap()]);
    assert_eq!(code, 2);
    let problem = &error["error"]["problems"][0];
    assert_eq!(problem["row"], 3);
    assert_eq!(problem["field"], "bib");
    assert!(problem["message"].as_str().unwrap().contains("99"));

    // Bib 4's valid rows were not stored by either failed import.
    assert_eq!(session.json(&["leaderboard", "Row 2K"]), before);

    // An official amendment is never overwritten by a later import of the
    // same file; results already stored are skipped, not replaced.
    session.ok(&[
        "score",
        "amend",
        "Row 2K",
        "1",
        "7:01.3",
        "--reason",
        "Timing mat misread",
        "--by",
        "Chief Timekeeper",
    ]);
    let again = session.json(&["score", "import", "Row 2K", good.to_str().unwrap()]);
    assert_eq!(again["inserted"], 0);
    assert_eq!(again["skipped_existing"], 3);
    assert_eq!(again["skipped_amended"], 1);
    let after = session.json(&["leaderboard", "Row 2K"]);
    let ada = after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["bib"] == "1")
        .unwrap();
    assert!(
        ada["display"].as_str().unwrap().starts_with("7:01.3"),
        "{ada}"
    );
    assert_eq!(ada["amended"], true);
}

#[test]
fn unknown_bibs_and_invalid_values_are_clear_errors() {
    let session = Session::new();
    set_up(&session);
    session.ok(&[
        "workout",
        "add",
        "Deadlift",
        "--type",
        "load",
        "--load-unit",
        "kg",
    ]);

    let (code, stderr) = session.fail(&["score", "enter", "Deadlift", "77", "140"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("Unknown bib 77"), "{stderr}");

    let (code, error) = session.fail_json(&["score", "enter", "Deadlift", "1", "heavy"]);
    assert_eq!(code, 2);
    assert_eq!(error["error"]["kind"], "bad_input");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("heavy") && message.contains("load"),
        "{message}"
    );

    let (code, stderr) = session.fail(&["score", "enter", "Snatch", "1", "80"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown workout") && stderr.contains("Deadlift"),
        "{stderr}"
    );

    // Nothing was stored by the failures; a valid entry works and shows the athlete.
    let entered = session.ok(&["score", "enter", "Deadlift", "1", "102.5kg"]);
    assert!(
        entered.contains("Ada Lovelace") && entered.contains("102.5 kg"),
        "{entered}"
    );
    let board = session.json(&["leaderboard", "Deadlift"]);
    assert_eq!(board["rows"].as_array().unwrap().len(), 1);
    assert_eq!(board["rows"][0]["tied"], false);

    // A second value for the same athlete is refused, not silently replaced.
    let (code, stderr) = session.fail(&["score", "enter", "Deadlift", "1", "110"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("already has a score"), "{stderr}");

    // Equal loads share a place (1, 1, 3), shown as `1=` in the table.
    session.ok(&["score", "enter", "Deadlift", "3", "102.5"]);
    session.ok(&["score", "enter", "Deadlift", "5", "95"]);
    let board = session.json(&["leaderboard", "Deadlift"]);
    let places: Vec<(Value, Value)> = board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["rank"].clone(), row["tied"].clone()))
        .collect();
    assert_eq!(
        places,
        [
            (Value::from(1), Value::from(true)),
            (Value::from(1), Value::from(true)),
            (Value::from(3), Value::from(false)),
        ]
    );
    let table = session.ok(&["leaderboard", "Deadlift"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[2].trim_start().starts_with("1="), "{table}");
    assert!(lines[3].trim_start().starts_with("1="), "{table}");
    assert!(lines[4].trim_start().starts_with("3 "), "{table}");

    // `score enter` takes no splits (it used to parse `--split` and always
    // refuse it); splits come from `score import`. Help does not offer it.
    let help = session.ok(&["score", "enter", "--help"]);
    assert!(!help.contains("--split"), "{help}");
    let output = session.run(&[
        "score", "enter", "Deadlift", "1", "100", "--split", "a=1:00",
    ]);
    assert_eq!(output.status.code(), Some(2));

    // Missing --file is explained.
    let output = Command::new(env!("CARGO_BIN_EXE_scoretable"))
        .env_remove("SCORETABLE_FILE")
        .args(["info"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--file"));
}

#[test]
fn undo_official_state_and_amendments() {
    let session = Session::new();
    set_up(&session);
    session.ok(&["workout", "add", "Max Reps", "--type", "reps"]);
    let receipt = session.json(&["score", "enter", "Max Reps", "1", "150"]);
    let entry_id = receipt["entry_id"].as_i64().unwrap();
    assert_eq!(receipt["name"], "Ada Lovelace");
    assert_eq!(receipt["display"], "150");

    session.ok(&["score", "undo", &entry_id.to_string()]);
    assert!(session.json(&["leaderboard", "Max Reps"])["rows"]
        .as_array()
        .unwrap()
        .is_empty());
    session.ok(&[
        "--operator",
        "Table 2",
        "score",
        "enter",
        "Max Reps",
        "1",
        "151",
    ]);
    let history = session.json(&["score", "history", "Max Reps", "1"]);
    let kinds: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["entry", "undo", "entry"]);
    assert_eq!(history["events"][2]["who"], "Table 2");

    session.ok(&["workout", "state", "Max Reps", "official"]);
    let (code, stderr) = session.fail(&["score", "enter", "Max Reps", "2", "120"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("official"), "{stderr}");
    let (code, stderr) = session.fail(&[
        "score", "amend", "Max Reps", "1", "149", "--reason", " ", "--by", "Judge",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.to_lowercase().contains("reason"), "{stderr}");
    session.ok(&[
        "score",
        "amend",
        "Max Reps",
        "1",
        "149",
        "--reason",
        "No-rep on video",
        "--by",
        "Judge",
    ]);
    let board = session.json(&["leaderboard", "Max Reps"]);
    assert_eq!(board["rows"][0]["display"], "149");
    assert_eq!(board["workout"]["state"], "official");

    // The audit trail lists every change in order, with who and why.
    let log = session.json(&["score", "log", "--workout", "Max Reps"]);
    let kinds: Vec<&str> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["event"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["entry", "undo", "entry", "amend"]);
    assert_eq!(log["events"][3]["event"]["reason"], "No-rep on video");
    let text = session.ok(&["score", "log"]);
    assert!(
        text.contains("No-rep on video") && text.contains("Ada Lovelace"),
        "{text}"
    );
}

#[test]
fn teams_and_overall_leaderboards() {
    let session = Session::new();
    set_up(&session);
    session.ok(&[
        "team", "add", "North", "--bib", "T1", "--member", "2,4", "--member", "6",
    ]);
    session.ok(&["team", "add", "Harbour", "--bib", "T2", "--member", "1,3,5"]);
    let teams = session.json(&["team", "list"]);
    assert_eq!(teams["teams"][0]["member_labels"][0], "#2 Bo Berg");
    assert_eq!(teams["teams"][0]["members"][2]["order"], 3);

    session.ok(&[
        "workout",
        "add",
        "Relay",
        "--type",
        "time",
        "--team-scoring",
        "sum-all",
    ]);
    for (bib, time) in [
        ("1", "1:00"),
        ("2", "1:10"),
        ("3", "1:05"),
        ("4", "1:00"),
        ("5", "1:20"),
        ("6", "1:05"),
    ] {
        session.ok(&["score", "enter", "Relay", bib, time]);
    }
    let relay = session.json(&["leaderboard", "Relay"]);
    let rows: Vec<(&str, &str)> = relay["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["bib"].as_str().unwrap(),
                row["display"].as_str().unwrap(),
            )
        })
        .collect();
    // North: 1:10 + 1:00 + 1:05 = 3:15; Harbour: 1:00 + 1:05 + 1:20 = 3:25.
    assert_eq!(rows.len(), 2, "{relay}");
    assert_eq!(rows[0].0, "T1");
    assert!(rows[0].1.starts_with("3:15"), "{relay}");
    assert_eq!(rows[1].0, "T2");
    assert!(rows[1].1.starts_with("3:25"), "{relay}");

    // Two individual workouts for an overall standing.
    session.ok(&["workout", "add", "Squat", "--type", "load"]);
    session.ok(&["workout", "add", "Burpees", "--type", "reps"]);
    for (bib, squat, burpees) in [("1", "100", "80"), ("2", "140", "70"), ("3", "90", "90")] {
        session.ok(&["score", "enter", "Squat", bib, squat]);
        session.ok(&["score", "enter", "Burpees", bib, burpees]);
    }
    // Rank sum: Ada 2+2=4, Bo 1+3=4, Cy 3+1=4: all equal, best finish separates
    // Bo and Cy (a first place each) from Ada.
    let overall = session.json(&["leaderboard", "overall", "--division", "Women"]);
    let women: Vec<(String, i64)> = overall["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["bib"].as_str().unwrap().to_string(),
                row["total"].as_i64().unwrap(),
            )
        })
        .collect();
    // Women: Ada (Squat 1, Burpees 2) and Cy (Squat 2, Burpees 1) within the division.
    assert_eq!(women.len(), 3);
    assert_eq!(overall["mode"]["mode"], "rank_sum");

    let points_file = session.write("points.csv", "Rank,Points\n1,50\n2,30\n3,10\n");
    let points = session.json(&[
        "leaderboard",
        "overall",
        "--mode",
        "points",
        "--points-table",
        points_file.to_str().unwrap(),
        "--tie-break",
        "workout:Squat",
    ]);
    let top = &points["rows"][0];
    // Bo: Squat 1st (50) + Burpees 3rd (10) = 60; Ada 30 + 30 = 60; Cy 10 + 50 = 60.
    // The Squat tie-break puts Bo first.
    assert_eq!(top["bib"], "2");
    assert_eq!(top["total"], 60);

    let bad_points = session.write("bad points.csv", "Rank,Points\n1,50\n3,10\n");
    let (code, stderr) = session.fail(&[
        "leaderboard",
        "overall",
        "--mode",
        "points",
        "--points-table",
        bad_points.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("bad points.csv"), "{stderr}");

    let table = session.ok(&["leaderboard", "overall"]);
    assert!(table.lines().next().unwrap().contains("Squat"), "{table}");
}

#[test]
fn demo_generate_and_backup() {
    let session = Session::new();
    let demo = session.path("demo.scoretable");
    let output = Command::new(env!("CARGO_BIN_EXE_scoretable"))
        .args(["--json", "demo"])
        .arg(&demo)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["summary"]["competitors"], 60);
    assert!(summary["summary"]["results_entered"].as_u64().unwrap() > 0);

    let demo_session = Session {
        file: demo.clone(),
        directory: tempfile::tempdir().unwrap(),
        operator: None,
    };
    let workouts = demo_session.json(&["workout", "list"]);
    assert_eq!(workouts["workouts"].as_array().unwrap().len(), 4);
    assert_eq!(workouts["workouts"][0]["state"], "official");
    let board = demo_session.json(&["leaderboard", "1"]);
    assert_eq!(board["rows"][0]["rank"], 1);
    let overall = demo_session.json(&["leaderboard", "overall", "--mode", "points"]);
    assert!(!overall["rows"].as_array().unwrap().is_empty());

    // Creating over an existing file is refused (a conflict, the same class
    // as in the app; exit 2, not a storage failure).
    let output = Command::new(env!("CARGO_BIN_EXE_scoretable"))
        .arg("demo")
        .arg(&demo)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));

    let generated = session.path("race.scoretable");
    let output = Command::new(env!("CARGO_BIN_EXE_scoretable"))
        .args(["--json", "generate"])
        .arg(&generated)
        .args(["--athletes", "150", "--divisions", "4", "--splits", "3"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let race = Session {
        file: generated,
        directory: tempfile::tempdir().unwrap(),
        operator: None,
    };
    let info = race.json(&["info"]);
    assert_eq!(info["counts"]["competitors"], 150);
    assert_eq!(info["counts"]["divisions"], 4);
    assert_eq!(info["workouts"][0]["results"], 150);
    let board = race.json(&["leaderboard", "1"]);
    assert_eq!(board["rows"].as_array().unwrap().len(), 150);
    assert_eq!(board["rows"][0]["splits"].as_array().unwrap().len(), 3);

    let teams_file = session.path("teams.scoretable");
    let output = Command::new(env!("CARGO_BIN_EXE_scoretable"))
        .args(["--json", "generate"])
        .arg(&teams_file)
        .args([
            "--kind",
            "teams",
            "--athletes",
            "60",
            "--workouts",
            "8",
            "--team-size",
            "3",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let teams = Session {
        file: teams_file,
        directory: tempfile::tempdir().unwrap(),
        operator: None,
    };
    let info = teams.json(&["info"]);
    assert_eq!(info["counts"]["competitors"], 60);
    assert_eq!(info["counts"]["teams"], 20);
    assert_eq!(info["counts"]["workouts"], 8);
    let overall = teams.json(&["leaderboard", "overall", "--mode", "points"]);
    assert_eq!(overall["workouts"].as_array().unwrap().len(), 8);

    let backups = session.path("backups");
    let backup = race.json(&["backup", "--dir", backups.to_str().unwrap()]);
    let backup_path = Path::new(backup["backup"].as_str().unwrap());
    assert!(backup_path.exists());
    let copy = Session {
        file: backup_path.to_path_buf(),
        directory: tempfile::tempdir().unwrap(),
        operator: None,
    };
    assert_eq!(copy.json(&["leaderboard", "1"]), board);
}

#[test]
fn every_listing_prints_one_json_document() {
    let session = Session::new();
    set_up(&session);
    enter_fran(&session);
    session.ok(&["team", "add", "Harbour", "--bib", "T2", "--member", "1,3,5"]);
    for arguments in [
        vec!["info"],
        vec!["division", "list"],
        vec!["competitors", "list"],
        vec!["competitor", "show", "3"],
        vec!["team", "list"],
        vec!["workout", "list"],
        vec!["score", "history", "Fran", "1"],
        vec!["leaderboard", "Fran", "--division", "Masters 40+"],
        vec!["leaderboard", "overall", "--mode", "cumulative"],
        vec!["explain", "Fran", "4", "5"],
    ] {
        let document = session.json(&arguments);
        assert!(document.is_object(), "{arguments:?}: {document}");
    }
    let divisions = session.json(&["division", "list"]);
    assert_eq!(divisions["divisions"][2]["name"], "Masters 40+");
    assert_eq!(divisions["divisions"][2]["members"], 3);
    let explanation = session.json(&["explain", "Fran", "5", "4"]);
    assert!(explanation["explanation"]
        .as_str()
        .unwrap()
        .starts_with("Di Diaz ranks above Eve Ekwueme"));

    // Usage errors are JSON too when --json is given.
    let (code, error) = session.fail_json(&["leaderboard", "Fran", "--mode", "sideways"]);
    assert_eq!(code, 2);
    assert_eq!(error["error"]["kind"], "usage");
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("sideways"));
}

#[test]
fn a_score_receipt_has_the_bib_name_and_place() {
    let session = Session::new();
    set_up(&session);
    session.ok(&["workout", "add", "Max Reps", "--type", "reps"]);
    let first = session.json(&["score", "enter", "Max Reps", "1", "150"]);
    assert_eq!(
        (first["bib"].as_str(), first["place"].as_i64()),
        (Some("1"), Some(1))
    );
    let second = session.json(&["score", "enter", "Max Reps", "2", "160"]);
    assert_eq!(second["place"], 1);
    assert!(session
        .ok(&["score", "enter", "Max Reps", "3", "100"])
        .contains("place 3"));
}

/// The team overall of a mixed event (`leaderboard overall --teams`): teams
/// ranked on the team relay alone, the individual workouts not counted for
/// teams and their headings saying so; refused where it has no meaning.
#[test]
fn a_mixed_events_team_overall_ranks_teams_on_their_team_workouts() {
    let session = Session::new();
    let demo = session.path("demo.scoretable");
    let output = Command::new(env!("CARGO_BIN_EXE_scoretable"))
        .args(["--json", "demo"])
        .arg(&demo)
        .output()
        .unwrap();
    assert!(output.status.success());
    let demo = Session {
        file: demo,
        directory: tempfile::tempdir().unwrap(),
        operator: None,
    };
    let workouts = demo.json(&["workout", "list"]);
    let relay = workouts["workouts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|workout| workout["team_scoring"]["mode"] != "individual")
        .unwrap_or_else(|| panic!("the demo has a team relay: {workouts}"));
    let relay_id = relay["id"].as_i64().unwrap().to_string();
    let relay_board = demo.json(&["leaderboard", &relay_id]);
    let overall = demo.json(&["leaderboard", "overall", "--teams"]);
    assert_eq!(overall["entrants"], "teams");
    let rows = overall["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|row| row["entrant"]["kind"] == "team"),
        "{overall}"
    );
    // The same teams, the placed ones in the relay board's order, each with
    // its relay place as its rank-sum total (unplaced teams share the last
    // total and are listed by bib, not by status).
    let bibs = |rows: &Value, placed_only: bool| -> Vec<String> {
        rows.as_array()
            .unwrap()
            .iter()
            .filter(|row| !placed_only || row["rank"].is_i64())
            .map(|row| row["bib"].as_str().unwrap().to_string())
            .collect()
    };
    let placed = bibs(&relay_board["rows"], true);
    assert_eq!(bibs(&overall["rows"], false)[..placed.len()], placed[..]);
    let mut all = bibs(&overall["rows"], false);
    let mut relay_all = bibs(&relay_board["rows"], false);
    all.sort();
    relay_all.sort();
    assert_eq!(all, relay_all);
    for (row, relay_row) in rows.iter().zip(relay_board["rows"].as_array().unwrap()) {
        if let Some(place) = relay_row["rank"].as_i64() {
            assert_eq!(row["total"].as_i64(), Some(place), "{row}");
        }
        for cell in row["cells"].as_array().unwrap() {
            if cell["workout_id"].as_i64() != relay["id"].as_i64() {
                assert_eq!(cell["display"], "not counted", "{cell}");
                assert_eq!(cell["points"], 0, "{cell}");
            }
        }
    }
    for heading in overall["workouts"].as_array().unwrap() {
        let text = heading["heading"].as_str().unwrap();
        if heading["id"] == relay["id"] {
            assert_eq!(text, relay["name"].as_str().unwrap());
        } else {
            assert!(text.ends_with("(individual, not counted)"), "{text}");
        }
    }
    assert!(overall["team_workouts_note"]
        .as_str()
        .unwrap()
        .contains("individual workouts are not counted"));
    // The table form names the rule in the column headings too.
    let table = demo.ok(&["leaderboard", "overall", "--teams"]);
    assert!(table.contains("(individual, not counted)"), "{table}");
    // The individual overall still lists athletes only.
    let individual = demo.json(&["leaderboard", "overall"]);
    assert_eq!(individual["entrants"], "competitors");
    assert!(individual["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|row| row["entrant"]["kind"] == "competitor"));

    // --teams with a workout, or in an event without team workouts: refused.
    let (code, message) = demo.fail(&["leaderboard", &relay_id, "--teams"]);
    assert_ne!(code, 0);
    assert!(message.contains("--teams goes with `overall`"), "{message}");
    let race = session.path("race.scoretable");
    let output = Command::new(env!("CARGO_BIN_EXE_scoretable"))
        .args(["--json", "generate"])
        .arg(&race)
        .args(["--athletes", "20", "--divisions", "2", "--splits", "1"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let race = Session {
        file: race,
        directory: tempfile::tempdir().unwrap(),
        operator: None,
    };
    let (code, message) = race.fail(&["leaderboard", "overall", "--teams"]);
    assert_ne!(code, 0);
    assert!(message.contains("no team workouts"), "{message}");
}
