//! End-to-end tests of `scoretable export ...` with the real binary.
//!
//! A small competition is built through the CLI (two divisions, a timed
//! workout with timing points, a reps workout, a status RunSignup does not
//! accept, an amendment after an appeal, and a competitor whose name is a
//! spreadsheet formula), then every export is written and read back: CSV
//! ranks are compared with `leaderboard --format csv`, the results JSON is
//! parsed with the export crate's reader, PDFs are rendered with poppler, the
//! sealed archive is verified and then tampered with.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use support::Session;

/// The formula a hostile registrant typed as their first name.
const FORMULA_NAME: &str = "=HYPERLINK(\"http://evil.example/\",\"prize\")";

const COMPETITORS_CSV: &str = "\
bib,first_name,last_name,gender,dob,country,club
1,Ada,Lovelace,F,1990-01-01,GBR,Analytical CF
2,\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"prize\"\")\",Mallory,M,1985-05-05,SWE,+Gym
3,Cy,Chan,F,1980-02-02,HKG,Harbour CF
4,Di,Diaz,M,2000-03-03,ESP,North Gym
5,Eve,Ekwueme,F,1995-07-21,NGA,
6,Finn,Fischer,M,1978-11-30,GER,Harbour CF
";

/// A timed race with two timing points: a finish tie broken by nothing (so
/// places are shared), a DNF, and a WD, which RunSignup does not accept.
const SPRINT_CSV: &str = "\
bib,time,split:Swim Exit,split:Bike In
1,1:02:03.4,0:20:00.1,0:50:00
2,1:01:00,0:19:00,0:48:10.5
3,1:02:03.4,0:21:30,
4,WD,,
5,DNF,0:25:00,
6,1:05:00,0:22:00,0:55:00
";

/// Builds the test competition through the CLI.
fn set_up(session: &Session) {
    session.ok(&[
        "create",
        "--name",
        "Day End Test 2026",
        "--start-date",
        "2026-05-02",
        "--venue",
        "Harbourside Hall",
    ]);
    session.ok(&[
        "division", "add", "Women", "--kind", "gender", "--gender", "female",
    ]);
    session.ok(&[
        "division", "add", "Men", "--kind", "gender", "--gender", "male",
    ]);
    let competitors = session.write("competitors.csv", COMPETITORS_CSV);
    session.ok(&["competitors", "import", competitors.to_str().unwrap()]);
    session.ok(&[
        "workout",
        "add",
        "Sprint",
        "--type",
        "time",
        "--point",
        "Swim Exit",
        "--point",
        "Bike In",
    ]);
    let sprint = session.write("sprint.csv", SPRINT_CSV);
    session.ok(&["score", "import", "Sprint", sprint.to_str().unwrap()]);
    session.ok(&["workout", "add", "Max Reps", "--type", "reps"]);
    for (bib, reps) in [
        ("1", "50"),
        ("2", "61"),
        ("3", "50"),
        ("4", "40"),
        ("6", "58"),
    ] {
        session.ok(&["score", "enter", "Max Reps", bib, reps]);
    }
    session.ok(&[
        "score",
        "amend",
        "Sprint",
        "6",
        "1:01:30",
        "--reason",
        "Chip misread at the finish",
        "--appeal",
        "APPEAL-1",
        "--by",
        "Chief Referee",
    ]);
}

/// The rows of a CSV file as maps from header to cell.
fn csv_records(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            headers
                .iter()
                .zip(record.iter())
                .map(|(header, cell)| (header.to_string(), cell.to_string()))
                .collect()
        })
        .collect()
}

/// `(bib, place)` in board order from `leaderboard --format csv`: `2=` is a
/// shared place 2, `-` no place.
fn leaderboard_places(session: &Session, arguments: &[&str]) -> Vec<(String, String)> {
    let mut full = vec!["leaderboard"];
    full.extend_from_slice(arguments);
    full.extend_from_slice(&["--format", "csv"]);
    let text = session.ok(&full);
    csv_records(text.as_bytes())
        .into_iter()
        .map(|row| {
            // `Rank` on the whole field, `<Division> rank` on a division board.
            let rank = row
                .iter()
                .find(|(header, _)| *header == "Rank" || header.ends_with(" rank"))
                .map(|(_, cell)| cell.as_str())
                .unwrap_or_else(|| panic!("no rank column in {row:?}"));
            let place = rank.trim_end_matches('=').to_string();
            let place = if place == "-" { String::new() } else { place };
            (row["Bib"].clone(), place)
        })
        .collect()
}

/// `(bib, rank)` in file order from an exported results CSV.
fn exported_places(path: &Path) -> Vec<(String, String)> {
    csv_records(&std::fs::read(path).unwrap())
        .into_iter()
        .map(|row| (row["bib"].clone(), row["rank"].clone()))
        .collect()
}

/// Every file under `directory`, as `/`-separated relative paths.
fn files_under(directory: &Path) -> BTreeSet<String> {
    fn walk(base: &Path, directory: &Path, found: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, found);
            } else {
                let relative = path.strip_prefix(base).unwrap();
                let parts: Vec<String> = relative
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy().into_owned())
                    .collect();
                found.insert(parts.join("/"));
            }
        }
    }
    let mut found = BTreeSet::new();
    walk(directory, directory, &mut found);
    found
}

#[test]
fn csv_ranks_match_the_leaderboard_for_every_workout_division_and_overall() {
    let session = Session::new();
    set_up(&session);

    for workout in ["Sprint", "Max Reps"] {
        for division in [None, Some("Women"), Some("Men")] {
            let output = session.path("board.csv");
            let mut export = vec![
                "export",
                "csv",
                "--workout",
                workout,
                "-o",
                output.to_str().unwrap(),
            ];
            let mut board = vec![workout];
            if let Some(division) = division {
                export.extend_from_slice(&["--division", division]);
                board.extend_from_slice(&["--division", division]);
            }
            let report = session.json(&export);
            assert_eq!(
                report["written"][0]["bytes"].as_u64().unwrap(),
                std::fs::metadata(&output).unwrap().len()
            );
            assert_eq!(
                exported_places(&output),
                leaderboard_places(&session, &board),
                "{workout} {division:?}"
            );
        }
    }
    // The shared place is shown as a plain number in the export.
    let sprint = session.path("sprint-all.csv");
    session.ok(&[
        "export",
        "csv",
        "--workout",
        "sprint",
        "-o",
        sprint.to_str().unwrap(),
    ]);
    let rows = csv_records(&std::fs::read(&sprint).unwrap());
    let places: Vec<&str> = rows.iter().map(|row| row["rank"].as_str()).collect();
    assert_eq!(places, ["1", "2", "3", "3", "", ""], "{rows:?}");
    let statuses: Vec<&str> = rows.iter().map(|row| row["status"].as_str()).collect();
    assert_eq!(statuses, ["", "", "", "", "DNF", "WD"]);
    // Splits and the amendment are in the file.
    assert_eq!(rows[0]["split:Swim Exit"], "19:00.0");
    assert_eq!(rows[0]["split:Bike In"], "48:10.5");
    assert_eq!(rows[1]["bib"], "6");
    assert_eq!(rows[1]["amended"], "yes");

    for division in [None, Some("Women"), Some("Men")] {
        let output = session.path("overall.csv");
        let mut export = vec!["export", "csv", "--overall", "-o", output.to_str().unwrap()];
        let mut board = vec!["overall"];
        if let Some(division) = division {
            export.extend_from_slice(&["--division", division]);
            board.extend_from_slice(&["--division", division]);
        }
        let text = session.ok(&export);
        assert!(text.starts_with("Wrote "), "{text}");
        assert_eq!(
            exported_places(&output),
            leaderboard_places(&session, &board),
            "overall {division:?}"
        );
    }
}

#[test]
fn a_formula_in_a_name_is_neutralized_and_numbers_stay_numeric() {
    let session = Session::new();
    set_up(&session);
    let output = session.path("sprint.csv");
    session.ok(&[
        "export",
        "csv",
        "--workout",
        "Sprint",
        "-o",
        output.to_str().unwrap(),
    ]);
    let rows = csv_records(&std::fs::read(&output).unwrap());
    let mallory = rows.iter().find(|row| row["bib"] == "2").unwrap();
    assert_eq!(mallory["name"], format!("'{FORMULA_NAME} Mallory"));
    assert_eq!(mallory["rank"], "1");
    for row in &rows {
        for cell in row.values() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "unsafe cell {cell:?} in {row:?}"
            );
        }
    }

    // The award list carries the name and the club (`+Gym`) safely too.
    let awards = session.path("awards.csv");
    session.ok(&[
        "export",
        "awards",
        "--format",
        "csv",
        "--overall",
        "1",
        "-o",
        awards.to_str().unwrap(),
    ]);
    let award_rows = csv_records(&std::fs::read(&awards).unwrap());
    let overall = &award_rows[0];
    assert_eq!(overall["category"], "Overall");
    assert_eq!(overall["name"], format!("'{FORMULA_NAME} Mallory"));
    assert_eq!(overall["club"], "'+Gym");
    assert_eq!(overall["award_place"], "1");
}

#[test]
fn json_export_reads_back_with_the_same_ranks() {
    let session = Session::new();
    set_up(&session);
    let output = session.path("results.json");
    let report = session.json(&["export", "json", "-o", output.to_str().unwrap()]);
    assert_eq!(report["written"][0]["path"], output.to_str().unwrap());
    let bytes = std::fs::read(&output).unwrap();
    assert_eq!(
        report["written"][0]["bytes"].as_u64().unwrap(),
        bytes.len() as u64
    );
    assert_eq!(
        report["written"][0]["sha256"],
        scoretable_export::archive::sha256_hex(&bytes)
    );
    let document = scoretable_export::parse_results_json(&bytes).unwrap();
    assert_eq!(document.competition.name, "Day End Test 2026");
    let sprint = session.json(&["workout", "list"])["workouts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|workout| workout["name"] == "Sprint")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let rows = document.workout_rows(sprint, None).unwrap();
    let from_json: Vec<Option<u32>> = rows.iter().map(|row| row.rank).collect();
    assert_eq!(
        from_json,
        [Some(1), Some(2), Some(3), Some(3), None, None],
        "{rows:?}"
    );
}

#[test]
fn runsignup_files_in_every_format_with_split_and_division_ids() {
    let session = Session::new();
    set_up(&session);
    let output = session.path("runsignup.csv");
    let path = output.to_str().unwrap();

    // WD has no RunSignup equivalent: refused, naming the athlete and the flag.
    let (code, stderr) = session.fail(&[
        "export",
        "runsignup",
        "--workout",
        "Sprint",
        "--format",
        "csv",
        "-o",
        path,
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bib 4") && stderr.contains("WD") && stderr.contains("--map-statuses"),
        "{stderr}"
    );
    assert!(!output.exists(), "a refused export must not leave a file");

    session.ok(&[
        "export",
        "runsignup",
        "--workout",
        "Sprint",
        "--format",
        "csv",
        "--map-statuses",
        "--split-id",
        "Swim Exit=1234",
        "--division-id",
        "Women=567",
        "-o",
        path,
    ]);
    let rows = csv_records(&std::fs::read(&output).unwrap());
    let headers: Vec<&String> = rows[0].keys().collect();
    assert!(
        headers.iter().any(|header| *header == "split-1234"),
        "{headers:?}"
    );
    assert!(!headers
        .iter()
        .any(|header| header.starts_with("split-") && *header != "split-1234"));
    assert!(headers.iter().any(|header| *header == "division-567-place"));
    let by_bib: BTreeMap<&str, &BTreeMap<String, String>> =
        rows.iter().map(|row| (row["bib"].as_str(), row)).collect();
    assert_eq!(by_bib["2"]["place"], "1");
    assert_eq!(by_bib["2"]["clock_time"], "1:01:00.0");
    assert_eq!(by_bib["2"]["split-1234"], "19:00.0");
    assert_eq!(by_bib["4"]["clock_time"], "DNS", "WD is mapped to DNS");
    assert_eq!(by_bib["5"]["clock_time"], "DNF");
    assert_eq!(
        by_bib["6"]["division-567-place"], "",
        "bib 6 is not a woman"
    );
    // Bibs 1 and 3 share the women's first place.
    assert_eq!(by_bib["3"]["division-567-place"], "1");
    assert_eq!(by_bib["1"]["division-567-place"], "1");
    assert_eq!(by_bib["2"]["first_name"], format!("'{FORMULA_NAME}"));

    // Split places and custom fields, as the seed names them.
    session.ok(&[
        "export",
        "runsignup",
        "--workout",
        "Sprint",
        "--format",
        "csv",
        "--map-statuses",
        "--split-id",
        "Swim Exit=1234",
        "--split-places",
        "--custom-field",
        "gender=88",
        "-o",
        path,
    ]);
    let rows = csv_records(&std::fs::read(&output).unwrap());
    let by_bib: BTreeMap<&str, &BTreeMap<String, String>> =
        rows.iter().map(|row| (row["bib"].as_str(), row)).collect();
    assert_eq!(by_bib["2"]["split-1234-place"], "1");
    assert_eq!(by_bib["2"]["custom-field-88"], "Male");
    assert_eq!(by_bib["1"]["custom-field-88"], "Female");
    let (code, stderr) = session.fail(&[
        "export",
        "runsignup",
        "--workout",
        "Sprint",
        "--format",
        "csv",
        "--map-statuses",
        "--custom-field",
        "birthday=89",
        "-o",
        path,
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not club, country or gender"), "{stderr}");

    let json_path = session.path("runsignup.json");
    session.ok(&[
        "export",
        "runsignup",
        "--workout",
        "1",
        "--format",
        "json",
        "--map-statuses",
        "--division",
        "Women",
        "-o",
        json_path.to_str().unwrap(),
    ]);
    let json: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let results = json["results"].as_array().unwrap();
    let bibs: Vec<i64> = results
        .iter()
        .map(|result| result["bib"].as_i64().unwrap())
        .collect();
    let mut women = bibs.clone();
    women.sort();
    assert_eq!(women, [1, 3, 5], "women only");
    assert_eq!(bibs[2], 5, "the DNF comes last");
    assert_eq!(results[0]["place"], 1);
    assert_eq!(results[1]["place"], 1, "a shared first place");
    assert!(results[2].get("place").is_none(), "a status has no place");

    let xml_path = session.path("runsignup.xml");
    session.ok(&[
        "export",
        "runsignup",
        "--workout",
        "Sprint",
        "--format",
        "xml",
        "--map-statuses",
        "-o",
        xml_path.to_str().unwrap(),
    ]);
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    assert!(
        xml.contains("<request>") && xml.ends_with("</request>\n"),
        "{xml}"
    );
    assert_eq!(xml.matches("<result>").count(), 6);

    // A reps workout has no times for RunSignup.
    let (code, error) = session.fail_json(&[
        "export",
        "runsignup",
        "--workout",
        "Max Reps",
        "--format",
        "csv",
        "-o",
        path,
    ]);
    assert_eq!(code, 2);
    assert_eq!(error["error"]["kind"], "refused");
    // Bad mappings name the option.
    let (code, error) = session.fail_json(&[
        "export",
        "runsignup",
        "--workout",
        "Sprint",
        "--format",
        "csv",
        "--split-id",
        "Run Out=99",
        "-o",
        path,
    ]);
    assert_eq!(code, 2);
    assert_eq!(error["error"]["problems"][0]["field"], "split-id");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Swim Exit, Bike In"),
        "{error}"
    );
    let (code, _) = session.fail(&[
        "export",
        "runsignup",
        "--workout",
        "Sprint",
        "--format",
        "csv",
        "--split-id",
        "1234=Swim Exit",
        "-o",
        path,
    ]);
    assert_eq!(code, 2);
}

/// Renders page 1 of `pdf` to `test-artifacts/cli-export/<name>.png` with
/// poppler's `pdftoppm` and returns the PNG path, or `None` without poppler.
fn render_first_page(pdf: &Path, name: &str) -> Option<PathBuf> {
    let directory =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-artifacts/cli-export");
    std::fs::create_dir_all(&directory).unwrap();
    let prefix = directory.join(name);
    let status = match Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(&prefix)
        .status()
    {
        Ok(status) => status,
        Err(_) => {
            eprintln!("pdftoppm is not installed; skipping the PNG render of {name}");
            return None;
        }
    };
    assert!(status.success(), "pdftoppm failed on {}", pdf.display());
    let png = prefix.with_extension("png");
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert!(width > 400 && height > 400, "{width}x{height}");
    Some(png)
}

/// The text of page 1 as poppler's `pdftotext` extracts it.
fn first_page_text(pdf: &Path) -> Option<String> {
    let output = Command::new("pdftotext")
        .args(["-f", "1", "-l", "1", "-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .ok()?;
    assert!(output.status.success());
    Some(String::from_utf8(output.stdout).unwrap())
}

#[test]
fn pdf_results_and_awards_render() {
    let session = Session::new();
    set_up(&session);
    let women = session.path("women.pdf");
    let report = session.json(&[
        "export",
        "pdf",
        "--division",
        "women",
        "-o",
        women.to_str().unwrap(),
    ]);
    assert_eq!(report["written"][0]["contents"], "printable results, Women");
    let bytes = std::fs::read(&women).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    assert!(bytes.ends_with(b"%%EOF\n") || bytes.ends_with(b"%%EOF"));
    render_first_page(&women, "results-women-page1");
    if let Some(text) = first_page_text(&women) {
        assert!(text.contains("Day End Test 2026"), "{text}");
        assert!(text.contains("Women"), "{text}");
        assert!(
            text.contains("Cy Chan") && text.contains("Ada Lovelace"),
            "{text}"
        );
        assert!(
            !text.contains("Di Diaz"),
            "men are not in the women's PDF: {text}"
        );
    }

    let everyone = session.path("all.pdf");
    session.ok(&["export", "pdf", "-o", everyone.to_str().unwrap()]);
    assert!(std::fs::read(&everyone).unwrap().starts_with(b"%PDF"));
    render_first_page(&everyone, "results-all-page1");

    let awards = session.path("awards.pdf");
    let report = session.json(&[
        "export",
        "awards",
        "--format",
        "pdf",
        "--overall",
        "1",
        "--per-division",
        "2",
        "--no-double-awards",
        "-o",
        awards.to_str().unwrap(),
    ]);
    assert!(std::fs::read(&awards).unwrap().starts_with(b"%PDF"));
    render_first_page(&awards, "awards-page1");
    // The overall winner (bib 2) takes no Men award; the next two move up.
    let categories = report["awards"]["categories"].as_array().unwrap();
    let bibs = |name: &str| -> Vec<String> {
        categories
            .iter()
            .find(|category| category["name"] == name)
            .unwrap()["awards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|award| award["bib"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(bibs("Overall"), ["2"]);
    assert!(!bibs("Men").contains(&"2".to_string()), "{:?}", bibs("Men"));
    assert_eq!(bibs("Men").len(), 2);

    // Gender-overall awards come after the overall ones; without double
    // awards the overall winner is not in "Male overall" either.
    let gender_awards = session.path("gender-awards.csv");
    let report = session.json(&[
        "export",
        "awards",
        "--format",
        "csv",
        "--overall",
        "1",
        "--gender-overall",
        "1",
        "--per-division",
        "1",
        "--no-double-awards",
        "-o",
        gender_awards.to_str().unwrap(),
    ]);
    let names: Vec<&str> = report["awards"]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|category| category["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Overall", "Female overall", "Male overall", "Women", "Men"]
    );
    assert_eq!(report["awards"]["rules"]["gender_overall_awards"], 1);
    let categories = report["awards"]["categories"].as_array().unwrap();
    let male_overall = &categories[2]["awards"].as_array().unwrap()[0];
    assert_ne!(male_overall["bib"], "2");
    let men = &categories[4]["awards"].as_array().unwrap()[0];
    assert_ne!(men["bib"], "2");
    assert_ne!(men["bib"], male_overall["bib"]);
}

#[test]
fn export_all_writes_the_whole_day_end_file_set() {
    let session = Session::new();
    set_up(&session);
    let directory = session.path("day-end");
    let report = session.json(&["export", "all", "--dir", directory.to_str().unwrap()]);
    let expected: BTreeSet<String> = [
        "results.json",
        "csv/01-sprint/all.csv",
        "csv/01-sprint/women.csv",
        "csv/01-sprint/men.csv",
        "csv/02-max-reps/all.csv",
        "csv/02-max-reps/women.csv",
        "csv/02-max-reps/men.csv",
        "csv/overall/all.csv",
        "csv/overall/women.csv",
        "csv/overall/men.csv",
        "pdf/all.pdf",
        "pdf/women.pdf",
        "pdf/men.pdf",
        "awards/awards.csv",
        "awards/awards.pdf",
    ]
    .iter()
    .map(|path| path.to_string())
    .collect();
    assert_eq!(files_under(&directory), expected);
    assert_eq!(report["files"].as_array().unwrap().len(), expected.len());
    let skipped: Vec<&str> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|reason| reason.as_str().unwrap())
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped[0].contains("Sprint") && skipped[0].contains("--map-statuses"));
    assert!(skipped[1].contains("Max Reps") && skipped[1].contains("Reps"));
    for file in report["files"].as_array().unwrap() {
        let path = Path::new(file["path"].as_str().unwrap());
        assert_eq!(
            std::fs::metadata(path).unwrap().len(),
            file["bytes"].as_u64().unwrap()
        );
    }
    // The files are the single-file exports' bytes, minus the snapshot time
    // (which only the JSON and PDFs carry): the CSVs are identical.
    let single = session.path("women-sprint.csv");
    session.ok(&[
        "export",
        "csv",
        "--workout",
        "Sprint",
        "--division",
        "Women",
        "-o",
        single.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(&single).unwrap(),
        std::fs::read(directory.join("csv/01-sprint/women.csv")).unwrap()
    );

    // With --map-statuses the timed workout also gets its RunSignup files;
    // the text report lists every file with its size.
    let text = session.ok(&[
        "export",
        "all",
        "--map-statuses",
        "--no-awards",
        "--dir",
        session.path("again").to_str().unwrap(),
    ]);
    let files = files_under(&session.path("again"));
    for extension in ["csv", "json", "xml"] {
        assert!(
            files.contains(&format!("runsignup/01-sprint.{extension}")),
            "{files:?}"
        );
    }
    assert!(!files.iter().any(|file| file.starts_with("awards/")));
    assert!(
        text.starts_with(&format!("Wrote {} files", files.len())),
        "{text}"
    );
    assert!(text.contains("runsignup/01-sprint.xml"), "{text}");
    assert!(
        text.contains("skipped: RunSignup files for Max Reps"),
        "{text}"
    );
}

/// Flips one byte inside the stored data of `entry` in a zip.
fn flip_byte_in_entry(zip: &mut [u8], entry: &str) {
    let name_position = zip
        .windows(entry.len())
        .position(|window| window == entry.as_bytes())
        .unwrap_or_else(|| panic!("{entry} is not in the zip"));
    // The first occurrence is the local file header, whose fixed part is 30
    // bytes ending with the name and extra field lengths.
    let header = name_position - 30;
    assert_eq!(&zip[header..header + 4], b"PK\x03\x04");
    let name_length = u16::from_le_bytes([zip[header + 26], zip[header + 27]]) as usize;
    let extra_length = u16::from_le_bytes([zip[header + 28], zip[header + 29]]) as usize;
    let data = header + 30 + name_length + extra_length;
    zip[data + 40] ^= 0x20;
}

#[test]
fn seal_then_verify_and_tampering_is_caught() {
    let session = Session::new();
    set_up(&session);
    let archive = session.path("day-end.zip");
    let summary = session.json(&[
        "export",
        "seal",
        "-o",
        archive.to_str().unwrap(),
        "--map-statuses",
        "--overall",
        "1",
    ]);
    let zip = std::fs::read(&archive).unwrap();
    assert_eq!(
        summary["archive_sha256"],
        scoretable_export::archive::sha256_hex(&zip)
    );
    assert_eq!(summary["archive_bytes"].as_u64().unwrap(), zip.len() as u64);
    assert_eq!(summary["amendment_entries"], 1);
    let head = summary["amendment_chain_head"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(head.len(), 64);
    assert_ne!(head, "0".repeat(64));
    let paths: Vec<&str> = summary["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["path"].as_str().unwrap())
        .collect();
    // The online backup of the competition file, named by the store.
    assert!(
        paths
            .iter()
            .any(|path| path.starts_with("competition/") && path.ends_with(".scoretable")),
        "{paths:?}"
    );
    for expected in [
        "results/results.json",
        "results/runsignup/01-sprint.xml",
        "results/pdf/women.pdf",
        "results/awards/awards.pdf",
        "amendments/amendments.jsonl",
        "EXPORTS.json",
    ] {
        assert!(
            paths.contains(&expected),
            "{expected} missing from {paths:?}"
        );
    }

    // The text form prints the archive's hash and the chain head.
    let text_archive = session.path("day-end-text.zip");
    let text = session.ok(&["export", "seal", "-o", text_archive.to_str().unwrap()]);
    assert!(text.contains("archive sha256: "), "{text}");
    assert!(
        text.contains(&format!("amendment chain head: {head} (1 entries)")),
        "{text}"
    );
    // The seal words its skips as `export all` does (one bundle plan),
    // with the CLI's own advice for a refused status.
    assert!(
        text.contains("skipped: RunSignup files for Sprint") && text.contains("--map-statuses"),
        "{text}"
    );

    let verified = session.json(&["export", "verify", archive.to_str().unwrap()]);
    assert_eq!(verified["intact"], true);
    assert_eq!(verified["amendment_chain_head"], head.as_str());
    assert_eq!(
        verified["files_checked"].as_u64().unwrap(),
        paths.len() as u64
    );
    let text = session.ok(&["export", "verify", archive.to_str().unwrap()]);
    assert!(text.contains("is intact"), "{text}");

    // One flipped byte inside a PDF: exit 1, and the file is named.
    let mut tampered = zip.clone();
    flip_byte_in_entry(&mut tampered, "results/pdf/women.pdf");
    let tampered_path = session.path("tampered.zip");
    std::fs::write(&tampered_path, &tampered).unwrap();
    let (code, stderr) = session.fail(&["export", "verify", tampered_path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("is not intact"), "{stderr}");
    assert!(stderr.contains("results/pdf/women.pdf"), "{stderr}");
    let (code, error) = session.fail_json(&["export", "verify", tampered_path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(error["error"]["kind"], "not_intact");
    assert!(!error["error"]["problems"].as_array().unwrap().is_empty());

    // A flipped byte in deflated data (the amendment log) is caught too.
    let mut tampered = zip.clone();
    flip_byte_in_entry(&mut tampered, "amendments/amendments.jsonl");
    std::fs::write(&tampered_path, &tampered).unwrap();
    let (code, stderr) = session.fail(&["export", "verify", tampered_path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("amendments/amendments.jsonl"), "{stderr}");

    // A truncated file is no zip at all: still exit 1, not a crash.
    std::fs::write(&tampered_path, &zip[..zip.len() / 2]).unwrap();
    let (code, stderr) = session.fail(&["export", "verify", tampered_path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("is not intact"), "{stderr}");
}

#[test]
fn the_demo_competition_seals_and_verifies() {
    let directory = tempfile::tempdir().unwrap();
    let session = Session {
        file: directory.path().join("demo.scoretable"),
        directory,
        operator: None,
    };
    session.ok(&["demo", session.file.to_str().unwrap()]);
    let archive = session.path("demo.zip");
    let summary = session.json(&["export", "seal", "-o", archive.to_str().unwrap()]);
    assert!(summary["files"].as_array().unwrap().len() > 30);
    session.ok(&["export", "verify", archive.to_str().unwrap()]);
    let directory = session.path("all");
    session.ok(&["export", "all", "--dir", directory.to_str().unwrap()]);
    let files = files_under(&directory);
    // Four divisions plus the whole field, four workouts plus overall.
    assert_eq!(
        files.iter().filter(|file| file.ends_with(".pdf")).count(),
        5 + 1
    );
    // The demo has a team relay beside individual workouts, so the team
    // overall comes too: the whole field and each division.
    assert_eq!(
        files.iter().filter(|file| file.starts_with("csv/")).count(),
        5 * 5 + 5
    );
    assert_eq!(
        files
            .iter()
            .filter(|file| file.starts_with("csv/overall-teams/"))
            .count(),
        5
    );
}

#[test]
fn a_mixed_events_team_overall_exports_as_the_leaderboard_shows_it() {
    let directory = tempfile::tempdir().unwrap();
    let session = Session {
        file: directory.path().join("demo.scoretable"),
        directory,
        operator: None,
    };
    session.ok(&["demo", session.file.to_str().unwrap()]);
    let output = session.path("team-overall.csv");
    let text = session.ok(&[
        "export",
        "csv",
        "--overall",
        "--teams",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert!(text.contains("team overall results CSV"), "{text}");
    let board = session.json(&["leaderboard", "overall", "--teams"]);
    let shown: Vec<(String, String)> = board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let rank = row["rank"]
                .as_i64()
                .map(|rank| rank.to_string())
                .unwrap_or_default();
            (row["bib"].as_str().unwrap().to_string(), rank)
        })
        .collect();
    assert!(!shown.is_empty());
    assert_eq!(exported_places(&output), shown);
    // Every row is a team; the individual workouts are named as not counted.
    let bytes = std::fs::read(&output).unwrap();
    let header = String::from_utf8_lossy(&bytes)
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert!(
        header.contains("(individual, not counted): rank"),
        "{header}"
    );
    let team_bibs: BTreeSet<String> = session.json(&["team", "list"])["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|team| team["bib"].as_str().unwrap().to_string())
        .collect();
    for (bib, _) in exported_places(&output) {
        assert!(team_bibs.contains(&bib), "{bib} is not a team");
    }

    // A competition of individual workouts only has no team overall: refused
    // with the reason, exit 2, nothing written.
    let single = Session::new();
    set_up(&single);
    let refused = single.path("teams.csv");
    let (code, stderr) = single.fail(&[
        "export",
        "csv",
        "--overall",
        "--teams",
        "-o",
        refused.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("team workouts"), "{stderr}");
    assert!(!refused.exists());
}

#[test]
fn bad_requests_exit_with_2_and_never_touch_the_competition_file() {
    let session = Session::new();
    set_up(&session);
    let before = session.ok(&["leaderboard", "Sprint", "--format", "csv"]);

    let (code, error) = session.fail_json(&["export", "csv", "--workout", "Nope", "-o", "out.csv"]);
    assert_eq!(code, 2);
    assert_eq!(error["error"]["kind"], "not_found");
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Sprint"));

    let (code, _) = session.fail(&["export", "pdf", "--division", "Juniors", "-o", "out.pdf"]);
    assert_eq!(code, 2);

    // Both --workout and --overall, or neither: a usage error.
    let (code, _) = session.fail(&["export", "csv", "-o", "out.csv"]);
    assert_eq!(code, 2);
    let (code, _) = session.fail(&[
        "export",
        "csv",
        "--workout",
        "Sprint",
        "--overall",
        "-o",
        "out.csv",
    ]);
    assert_eq!(code, 2);

    // An export may never overwrite the competition file.
    let (code, error) = session.fail_json(&[
        "export",
        "csv",
        "--workout",
        "Sprint",
        "-o",
        session.file.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(error["error"]["problems"][0]["field"], "output");
    let (code, _) = session.fail(&["export", "seal", "-o", "competition.scoretable"]);
    assert_eq!(code, 2);
    assert_eq!(
        session.ok(&["leaderboard", "Sprint", "--format", "csv"]),
        before
    );

    // A directory that does not exist: an I/O failure, exit 1, no stray file.
    let missing = session.path("no-such-dir").join("out.csv");
    let (code, stderr) = session.fail(&[
        "export",
        "csv",
        "--workout",
        "Sprint",
        "-o",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no-such-dir"), "{stderr}");

    // No competition file at all.
    let output = Command::new(env!("CARGO_BIN_EXE_scoretable"))
        .env_remove("SCORETABLE_FILE")
        .args(["export", "json", "-o", "x.json"])
        .current_dir(session.directory.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}
