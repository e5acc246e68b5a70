//! Mapped file imports: CSV (delimiters, encodings), JSON, XML and xlsx,
//! previews with per-row errors, and bad files leaving data unchanged.

use crate::support;

use scoretable_core::model::{Entrant, Score, Status};
use scoretable_inbound::{
    import_bytes, import_file, preview, read_document, save_mapping, FieldMapping, IdentifierField,
    InboundError, RecordFormat, RowState, SplitField, StatusField, ValueField, ValueTransform,
};
use scoretable_store::{CompetitionFile, IdentifierKind};
use support::xlsx::{workbook, Cell};
use support::{fixture, timing_point, workout};

fn bib_mapping() -> FieldMapping {
    FieldMapping {
        identifier: IdentifierField {
            field: "Bib".into(),
            kind: IdentifierKind::Bib,
        },
        team: None,
        teammate: None,
        value: Some(ValueField {
            field: "Result".into(),
            transform: ValueTransform::AsIs,
        }),
        status: Some(StatusField {
            field: "Status".into(),
            values: [("Finished".to_string(), String::new())]
                .into_iter()
                .collect(),
        }),
        tie_break: None,
        penalty: None,
        incidents: None,
        splits: Vec::new(),
        record_key: None,
    }
}

fn score_of(file: &CompetitionFile, race: i64, bib: &str) -> (Option<Score>, Option<Status>) {
    let competitor = file.competitor_by_bib(bib).unwrap().unwrap();
    let result = file
        .result(race, Entrant::Competitor(competitor.id))
        .unwrap()
        .unwrap();
    let value = result.effective_value().unwrap();
    (value.score, value.status)
}

fn utf16le(text: &str) -> Vec<u8> {
    [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect()
}

#[test]
fn csv_in_every_encoding_and_delimiter_imports_the_same_scores() {
    let text = "Bib;Name;Result;Status\n1;Chloé Moss;13:37.2;Finished\n2;Zoë;;DNF\n";
    let variants: Vec<(&str, Vec<u8>)> = vec![
        ("utf8.csv", text.as_bytes().to_vec()),
        (
            "bom.csv",
            [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        ),
        ("utf16.csv", utf16le(&text.replace(';', "\t"))),
        (
            "cp1252.csv",
            text.replace(';', ",")
                .chars()
                .map(|c| match c {
                    'é' => 0xE9,
                    'ë' => 0xEB,
                    other => other as u8,
                })
                .collect(),
        ),
    ];
    for (name, bytes) in variants {
        let mut fixture = fixture();
        let report = import_bytes(
            &mut fixture.file,
            fixture.race,
            &bib_mapping(),
            "results file",
            &bytes,
            name,
            None,
        )
        .unwrap();
        assert_eq!(report.format, RecordFormat::Csv, "{name}");
        assert_eq!(report.ledger.imported, 2, "{name}");
        assert_eq!(
            score_of(&fixture.file, fixture.race, "1"),
            (Some(Score::Time { ms: 817_200 }), None),
            "{name}"
        );
        assert_eq!(
            score_of(&fixture.file, fixture.race, "2"),
            (None, Some(Status::Dnf)),
            "{name}"
        );
        let document = read_document(&bytes, name, None).unwrap();
        assert_eq!(
            document.records[0].get("Name"),
            Some("Chloé Moss"),
            "{name}"
        );
    }
}

#[test]
fn a_bad_file_names_row_and_field_and_imports_nothing() {
    let mut fixture = fixture();
    let bytes = b"Bib,Result,Status\n1,13:37.2,\n2,thirteen,\n3,,Injured\n";
    let error = import_bytes(
        &mut fixture.file,
        fixture.race,
        &bib_mapping(),
        "results file",
        bytes,
        "results.csv",
        None,
    )
    .unwrap_err();
    let InboundError::Records {
        count, problems, ..
    } = &error
    else {
        panic!("{error}");
    };
    assert_eq!(*count, 2);
    assert!(
        problems[0]
            .to_string()
            .starts_with("results.csv row 3, field \"Result\": expected a time"),
        "{problems:?}"
    );
    assert!(
        problems[1]
            .to_string()
            .starts_with("results.csv row 4, field \"Status\""),
        "{problems:?}"
    );
    assert!(fixture.file.results(fixture.race).unwrap().is_empty());
    // The preview shows the same per row, before anything is stored.
    let document = read_document(bytes, "results.csv", None).unwrap();
    let workout = fixture.file.workout(fixture.race).unwrap();
    let shown = preview(&bib_mapping(), &workout, &document, 2);
    assert_eq!((shown.ready, shown.invalid, shown.rows.len()), (1, 2, 2));
    assert_eq!(shown.rows[0].display, "13:37.2");
    assert_eq!(shown.rows[1].state, RowState::Invalid);
    assert_eq!(shown.rows[1].problems[0].field, "Result");
    assert!(shown.missing_fields.is_empty());
}

#[test]
fn json_xml_and_xlsx_files_import_through_saved_mappings() {
    let mut fixture = fixture();
    let mut race = workout("Sprint with splits", 2);
    race.timing_points = vec![timing_point(1, "Swim"), timing_point(2, "Bike")];
    let race = fixture.file.add_workout(&race).unwrap();
    let mut mapping = bib_mapping();
    mapping.value = Some(ValueField {
        field: "Result".into(),
        transform: ValueTransform::Seconds,
    });
    mapping.splits = vec![
        SplitField {
            field: "Swim".into(),
            timing_point: "Swim".into(),
            transform: ValueTransform::AsIs,
        },
        SplitField {
            field: "Bike".into(),
            timing_point: "2".into(),
            transform: ValueTransform::AsIs,
        },
    ];
    save_mapping(&mut fixture.file, "splits file", Some(race), &mapping).unwrap();
    let directory = fixture.directory.path();
    std::fs::write(
        directory.join("a.json"),
        r#"{"results": [{"Bib": 1, "Result": 817.2, "Swim": "5:00.0", "Bike": "10:00.0"}]}"#,
    )
    .unwrap();
    std::fs::write(
        directory.join("b.xml"),
        "<results><result><Bib>2</Bib><Result>839.1</Result><Swim>5:10</Swim></result></results>",
    )
    .unwrap();
    std::fs::write(
        directory.join("c.xlsx"),
        workbook(&[
            vec![
                Cell::Text("Bib".into()),
                Cell::Text("Result".into()),
                Cell::Text("Status".into()),
            ],
            vec![
                Cell::Number(3.0),
                Cell::Number(900.5),
                Cell::Text("Finished".into()),
            ],
            vec![
                Cell::Number(4.0),
                Cell::Text(String::new()),
                Cell::Text("DNS".into()),
            ],
        ]),
    )
    .unwrap();
    for (name, format) in [
        ("a.json", RecordFormat::Json),
        ("b.xml", RecordFormat::Xml),
        ("c.xlsx", RecordFormat::Xlsx),
    ] {
        let report = import_file(
            &mut fixture.file,
            race,
            "splits file",
            &directory.join(name),
            None,
        )
        .unwrap();
        assert_eq!(report.format, format);
        assert!(report.ledger.imported >= 1, "{name}: {report:?}");
    }
    assert_eq!(
        score_of(&fixture.file, race, "1"),
        (Some(Score::Time { ms: 817_200 }), None)
    );
    assert_eq!(
        score_of(&fixture.file, race, "2"),
        (Some(Score::Time { ms: 839_100 }), None)
    );
    assert_eq!(
        score_of(&fixture.file, race, "3"),
        (Some(Score::Time { ms: 900_500 }), None)
    );
    assert_eq!(
        score_of(&fixture.file, race, "4"),
        (None, Some(Status::Dns))
    );
    let first = fixture.file.competitor_by_bib("1").unwrap().unwrap();
    let result = fixture
        .file
        .result(race, Entrant::Competitor(first.id))
        .unwrap()
        .unwrap();
    assert_eq!(
        result
            .splits
            .iter()
            .map(|split| split.total_ms)
            .collect::<Vec<_>>(),
        vec![300_000, 600_000]
    );
    // Importing the same file again skips everything through the ledger.
    let again = import_file(
        &mut fixture.file,
        race,
        "splits file",
        &directory.join("a.json"),
        None,
    )
    .unwrap();
    assert_eq!((again.ledger.imported, again.ledger.unchanged), (0, 1));
    // A corrected file raises a conflict instead of overwriting.
    std::fs::write(
        directory.join("a.json"),
        r#"[{"Bib": "1", "Result": "815.0"}]"#,
    )
    .unwrap();
    let corrected = import_file(
        &mut fixture.file,
        race,
        "splits file",
        &directory.join("a.json"),
        None,
    )
    .unwrap();
    assert_eq!(corrected.ledger.new_conflicts, 1);
    assert_eq!(
        score_of(&fixture.file, race, "1"),
        (Some(Score::Time { ms: 817_200 }), None)
    );
}

#[test]
fn the_seed_payload_as_a_file_and_a_damaged_mapping() {
    let mut fixture = fixture();
    let workout = fixture.file.workout(fixture.race).unwrap();
    save_mapping(
        &mut fixture.file,
        "cc",
        Some(fixture.race),
        &FieldMapping::timing_feed(&workout),
    )
    .unwrap();
    let payload = support::seed_payload(&[("524658", "00:13:37.2"), ("527182", "00:13:59.1")]);
    let path = fixture.directory.path().join("payload.json");
    std::fs::write(&path, payload).unwrap();
    let report = import_file(&mut fixture.file, fixture.race, "cc", &path, None).unwrap();
    assert_eq!(report.ledger.imported, 2);
    fixture
        .file
        .save_mapping("broken", None, &serde_json::json!({"identifier": 3}))
        .unwrap();
    let error = import_file(&mut fixture.file, fixture.race, "broken", &path, None).unwrap_err();
    assert!(
        matches!(error, InboundError::DamagedMapping { .. }),
        "{error}"
    );
    let error = import_file(&mut fixture.file, fixture.race, "missing", &path, None).unwrap_err();
    assert_eq!(error.to_string(), "Unknown mapping missing");
}

/// Imports `bytes` as `name` through a `Bib,Time` mapping; returns the error
/// and checks nothing was stored.
fn refused(name: &str, bytes: &[u8]) -> InboundError {
    let mut fixture = fixture();
    let mut mapping = bib_mapping();
    mapping.value.as_mut().unwrap().field = "Time".into();
    mapping.status = None;
    let events_before = fixture.file.score_events(None).unwrap().len();
    let error = import_bytes(
        &mut fixture.file,
        fixture.race,
        &mapping,
        "bib times",
        bytes,
        name,
        None,
    )
    .unwrap_err();
    assert!(fixture.file.results(fixture.race).unwrap().is_empty());
    assert_eq!(
        fixture.file.score_events(None).unwrap().len(),
        events_before
    );
    assert_eq!(
        fixture.file.ledger_size("bib times", fixture.race).unwrap(),
        0
    );
    assert!(fixture.file.review_items(false).unwrap().is_empty());
    error
}

#[test]
fn a_file_without_the_mapped_columns_is_refused_naming_them() {
    let error = refused("wrong.csv", b"Athlete,Result\nAnn,12:00.0\nBo,13:00.0\n");
    let message = error.to_string();
    assert!(
        matches!(&error, InboundError::MissingFields { missing, .. } if missing == &["Bib".to_string(), "Time".to_string()]),
        "{message}"
    );
    assert!(
        message.starts_with("wrong.csv: the mapping reads \"Bib\", \"Time\""),
        "{message}"
    );
    assert!(
        message.contains("it has \"Athlete\", \"Result\""),
        "{message}"
    );
}

#[test]
fn a_header_only_file_is_refused() {
    let error = refused("header.csv", b"Bib,Time\n");
    assert!(matches!(error, InboundError::NoRecords { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        "header.csv: has no rows to import (only a header or an empty list); nothing was imported"
    );
    let error = refused("empty.json", b"[]");
    assert!(matches!(error, InboundError::NoRecords { .. }), "{error}");
}

#[test]
fn a_huge_single_line_header_is_refused_with_a_short_message() {
    // 8 MB of header and no rows (the report saw 50 MB; the size only makes it slower).
    let mut header = "Name".to_string();
    header.push_str(&"x".repeat(8 << 20));
    header.push_str(",Other\n");
    header.push_str("1,2\n");
    let error = refused("huge.csv", header.as_bytes());
    let message = error.to_string();
    assert!(
        matches!(error, InboundError::MissingFields { .. }),
        "{message}"
    );
    assert!(
        message.len() < 600,
        "{} bytes: {}",
        message.len(),
        &message[..200]
    );
    assert!(message.contains("(8388612 bytes)"), "{message}");
}

#[test]
fn a_json_file_that_is_not_json_is_an_error_naming_the_file() {
    for (bytes, expected) in [
        (
            &b"this is not json, at all"[..],
            "garbage.json: is not valid JSON",
        ),
        (&b"\"hello\""[..], "garbage.json: is a single value"),
        (
            &b"Bib,Time\n1,12:00.0\n"[..],
            "garbage.json: is not valid JSON",
        ),
    ] {
        let error = refused("garbage.json", bytes);
        assert!(matches!(error, InboundError::Read(_)), "{error}");
        assert!(error.to_string().starts_with(expected), "{error}");
    }
    // A declared format wins over the extension, and must parse too.
    let mut fixture = fixture();
    let error = import_bytes(
        &mut fixture.file,
        fixture.race,
        &bib_mapping(),
        "bib times",
        b"Bib,Result\n1,12:00.0\n",
        "scores.txt",
        Some(RecordFormat::Json),
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("scores.txt: is not valid JSON"),
        "{error}"
    );
}

#[test]
fn duplicate_ids_in_one_file_are_refused_naming_both_rows() {
    let error = refused(
        "twice.csv",
        b"Bib,Time\n1,12:00.0\n2,12:30.0\n\n1,12:05.0\n",
    );
    assert!(
        matches!(
            error,
            InboundError::DuplicateRecord {
                first: 2,
                second: 5,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "twice.csv: rows 2 and 5 both carry record \"1\"; a file is imported whole, so nothing was imported"
    );
    // The same record with the same value twice is refused too: the file is wrong.
    let error = refused(
        "same.json",
        br#"[{"Bib": "1", "Time": "12:00.0"}, {"Bib": "1", "Time": "12:00.0"}]"#,
    );
    assert!(
        error
            .to_string()
            .starts_with("same.json: records 1 and 2 both carry record \"1\""),
        "{error}"
    );
}

#[test]
fn an_oversized_value_is_quoted_by_a_short_prefix_only() {
    let mut text = String::from("Bib,Time\n1,12:00.0\n2,");
    text.push_str(&"9".repeat(5 << 20));
    text.push('\n');
    let error = refused("big.csv", text.as_bytes());
    let InboundError::Records { problems, .. } = &error else {
        panic!("{error}");
    };
    assert_eq!(problems.len(), 1);
    let shown = problems[0].to_string();
    assert!(shown.len() < 300, "{} bytes", shown.len());
    assert!(
        shown.starts_with("big.csv row 3, field \"Time\": is too long for a value (5242880 bytes, at most 256); it starts \"9999"),
        "{shown}"
    );
    assert!(error.to_string().len() < 300);
    // A long unparseable value under the limit is cut in the message too.
    let long = format!("Bib,Time\n1,{}\n", "z".repeat(250));
    let error = refused("odd.csv", long.as_bytes());
    let InboundError::Records { problems, .. } = &error else {
        panic!("{error}");
    };
    assert!(problems[0].to_string().len() < 420, "{}", problems[0]);
}
