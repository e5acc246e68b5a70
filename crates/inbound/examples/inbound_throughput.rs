//! Import throughput on a generated 60,000-athlete race (12 divisions, 10
//! splits), through the full inbound path: read (decode + parse), map
//! (field mapping, score and split parsing) and apply (identifier lookup,
//! ledger, the store's audited import, all in SQLite with WAL and
//! synchronous=FULL). Also measures a second pass of the same records (all
//! skipped by the ledger), which is what every later poll of a finished
//! race costs.
//!
//! Run: `cargo run --release -p scoretable-inbound --example inbound_throughput [athletes]`

#[path = "../tests/it/support/xlsx.rs"]
mod xlsx;

use std::time::{Duration, Instant};

use scoretable_core::generate::large_individual_event;
use scoretable_core::import::read_competitors_csv;
use scoretable_core::model::{Score, Source};
use scoretable_core::time::{format_time, TimeStyle};
use scoretable_inbound::{
    map_document, read_document, FieldMapping, IdentifierField, RecordFormat, SplitField,
    ValueField, ValueTransform,
};
use scoretable_store::{CompetitionFile, IdentifierKind, InboundSource};

fn rate(rows: usize, elapsed: Duration) -> String {
    format!(
        "{:>8.0} rows/s ({:>7.1} ms)",
        rows as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0
    )
}

fn main() {
    let athletes: usize = std::env::args()
        .nth(1)
        .and_then(|text| text.parse().ok())
        .unwrap_or(60_000);
    let event = large_individual_event(athletes, 12, 10, 2026);
    let directory = tempfile::tempdir().unwrap();
    let base = directory.path().join("base.scoretable");
    let race_id;
    {
        let mut store = CompetitionFile::create(&base, &event.competition).unwrap();
        for division in &event.divisions {
            store.add_division(division).unwrap();
        }
        let drafts = read_competitors_csv(event.competitors_csv().as_bytes(), "start-list.csv")
            .expect("the generated start list reads");
        store
            .import_competitors_from("start-list.csv", &drafts)
            .unwrap();
        race_id = store.add_workout(&event.workouts[0]).unwrap();
        store.close().unwrap();
    }
    let race = event.workouts[0].clone();
    // Payloads from the generated results: bib, participant id, time, splits.
    let mut rows: Vec<(String, String, String, Vec<String>)> = Vec::new();
    for result in &event.results[0] {
        let scoretable_core::model::Entrant::Competitor(id) = result.entrant else {
            continue;
        };
        let competitor = &event.competitors[(id - 1) as usize];
        let time = match (result.status, result.score) {
            (Some(status), _) => status.code().to_string(),
            (None, Some(Score::Time { ms })) => format_time(ms, TimeStyle::Iso),
            _ => continue,
        };
        let splits = result
            .splits
            .iter()
            .map(|split| format_time(split.total_ms, TimeStyle::Iso))
            .collect();
        rows.push((
            competitor.bib.clone(),
            competitor.external_ids.feed_participant_id.clone().unwrap(),
            time,
            splits,
        ));
    }
    let split_count = race.timing_points.len();
    let mut csv = String::from("Bib;Time");
    for point in &race.timing_points {
        csv.push_str(&format!(";{}", point.name));
    }
    csv.push('\n');
    for (bib, _, time, splits) in &rows {
        csv.push_str(&format!("{bib};{time}"));
        for position in 0..split_count {
            csv.push(';');
            csv.push_str(splits.get(position).map_or("", String::as_str));
        }
        csv.push('\n');
    }
    let json = serde_json::to_string(
        &rows
            .iter()
            .map(|(_, participant, time, _)| {
                serde_json::json!({"First Name": "A", "Last Name": "B", "Gender": "Female",
                    "Team Name": "", "CompCornerID": participant, "CGID": "1236", "Time": time})
            })
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let sheet: Vec<Vec<xlsx::Cell>> = std::iter::once(vec![
        xlsx::Cell::Text("Bib".into()),
        xlsx::Cell::Text("Time".into()),
    ])
    .chain(rows.iter().map(|(bib, _, time, _)| {
        vec![
            xlsx::Cell::Number(bib.parse().unwrap()),
            xlsx::Cell::Text(time.clone()),
        ]
    }))
    .collect();
    let workbook = xlsx::workbook(&sheet);

    let bib_mapping = |with_splits: bool| FieldMapping {
        identifier: IdentifierField {
            field: "Bib".into(),
            kind: IdentifierKind::Bib,
        },
        team: None,
        teammate: None,
        value: Some(ValueField {
            field: "Time".into(),
            transform: ValueTransform::AsIs,
        }),
        status: None,
        tie_break: None,
        penalty: None,
        incidents: None,
        splits: if with_splits {
            race.timing_points
                .iter()
                .map(|point| SplitField {
                    field: point.name.clone(),
                    timing_point: point.name.clone(),
                    transform: ValueTransform::AsIs,
                })
                .collect()
        } else {
            Vec::new()
        },
        record_key: None,
    };
    let feed_mapping = FieldMapping::timing_feed(&race);
    println!(
        "inbound throughput: {} records ({} athletes, {} splits), release build",
        rows.len(),
        athletes,
        split_count
    );
    let cases: [(&str, RecordFormat, &[u8], FieldMapping); 4] = [
        (
            "CSV, bib + time + 10 splits",
            RecordFormat::Csv,
            csv.as_bytes(),
            bib_mapping(true),
        ),
        (
            "CSV, bib + time",
            RecordFormat::Csv,
            b"",
            bib_mapping(false),
        ),
        (
            "JSON seed feed (CompCornerID)",
            RecordFormat::Json,
            json.as_bytes(),
            feed_mapping,
        ),
        (
            "xlsx, bib + time",
            RecordFormat::Xlsx,
            &workbook,
            bib_mapping(false),
        ),
    ];
    let plain_csv: String = {
        let mut text = String::from("Bib;Time\n");
        for (bib, _, time, _) in &rows {
            text.push_str(&format!("{bib};{time}\n"));
        }
        text
    };
    for (index, (label, format, bytes, mapping)) in cases.iter().enumerate() {
        let bytes: &[u8] = if bytes.is_empty() {
            plain_csv.as_bytes()
        } else {
            bytes
        };
        let copy = directory.path().join(format!("case-{index}.scoretable"));
        std::fs::copy(&base, &copy).unwrap();
        let mut store = CompetitionFile::open(&copy).unwrap();
        let workout = store.workout(race_id).unwrap();
        let started = Instant::now();
        let document = read_document(bytes, "bench", Some(*format)).unwrap();
        let read = started.elapsed();
        let started = Instant::now();
        let mapped = map_document(mapping, &workout, &document);
        let map = started.elapsed();
        assert_eq!(mapped.invalid, 0, "{:?}", mapped.problems.first());
        let source = InboundSource {
            name: format!("bench {index}"),
            kind: Source::Feed,
        };
        let started = Instant::now();
        let report = store
            .apply_inbound(&source, race_id, &mapped.records)
            .unwrap();
        let apply = started.elapsed();
        assert_eq!(report.imported, mapped.records.len());
        let started = Instant::now();
        let again = store
            .apply_inbound(&source, race_id, &mapped.records)
            .unwrap();
        let repoll = started.elapsed();
        assert_eq!(again.unchanged, mapped.records.len());
        let total = read + map + apply;
        println!("\n{label} ({} bytes)", bytes.len());
        println!("  read   {}", rate(mapped.records.len(), read));
        println!("  map    {}", rate(mapped.records.len(), map));
        println!("  apply  {}", rate(mapped.records.len(), apply));
        println!("  total  {}", rate(mapped.records.len(), total));
        println!(
            "  re-poll (all skipped) {}",
            rate(mapped.records.len(), repoll)
        );
        if index == 1 {
            // The store's own audited import of the same records, without
            // the ledger, on a fresh copy: the floor the ledger adds to.
            let copy = directory.path().join("baseline.scoretable");
            std::fs::copy(&base, &copy).unwrap();
            let mut baseline = CompetitionFile::open(&copy).unwrap();
            let entrants: std::collections::HashMap<String, i64> = baseline
                .competitors()
                .unwrap()
                .into_iter()
                .map(|competitor| (competitor.bib, competitor.id))
                .collect();
            let imported: Vec<scoretable_store::ImportedResult> = mapped
                .records
                .iter()
                .map(|record| scoretable_store::ImportedResult {
                    row: record.index,
                    entrant: scoretable_core::model::Entrant::Competitor(
                        entrants[&record.identifier.value],
                    ),
                    value: scoretable_store::ScoreInput::Parsed {
                        score: record.value.score,
                        status: record.value.status,
                        tie_break_ms: None,
                    },
                    penalty_ms: 0,
                    splits: Vec::new(),
                    incidents: Vec::new(),
                    record_id: Some(record.record_key.clone()),
                    received_at: None,
                })
                .collect();
            let started = Instant::now();
            baseline
                .import_results(race_id, Source::Feed, "baseline", &imported)
                .unwrap();
            println!(
                "  (store import_results alone, no ledger: {})",
                rate(imported.len(), started.elapsed())
            );
            baseline.close().unwrap();
        }
        store.close().unwrap();
    }
}
