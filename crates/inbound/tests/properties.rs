//! Property tests: no interleaving of polls, amendments and conflict
//! resolutions ever overwrites an amended or already-imported score; and
//! no reader panics on arbitrary bytes.

mod support;

use std::collections::HashMap;

use proptest::prelude::*;
use scoretable_core::model::{Entrant, Score, Workout};
use scoretable_inbound::{map_document, read_document, FieldMapping, RecordFormat};
use scoretable_store::{InboundSource, RecordOutcome, ScoreInput};

const PARTICIPANTS: [&str; 4] = ["524658", "527182", "530001", "530002"];
const TIMES: [&str; 4] = ["00:13:37.2", "00:13:59.1", "00:14:10.0", "00:12:00.5"];

#[derive(Debug, Clone)]
enum Step {
    /// A poll carrying a value (index into TIMES) or nothing for each participant.
    Poll([Option<usize>; 4]),
    /// An official amends one participant's score to one of TIMES.
    Amend(usize, usize),
    /// An official accepts (true) or dismisses (false) the oldest open conflict.
    Resolve(bool),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => proptest::array::uniform4(proptest::option::of(0..TIMES.len())).prop_map(Step::Poll),
        2 => (0..PARTICIPANTS.len(), 0..TIMES.len()).prop_map(|(who, time)| Step::Amend(who, time)),
        1 => any::<bool>().prop_map(Step::Resolve),
    ]
}

fn ms(text: &str) -> i64 {
    scoretable_core::time::parse_time(text).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn polls_never_overwrite_amended_or_imported_scores(steps in proptest::collection::vec(step(), 1..10)) {
        let mut fixture = support::fixture();
        let race = fixture.race;
        let workout: Workout = fixture.file.workout(race).unwrap();
        let mapping = FieldMapping::timing_feed(&workout);
        let source = InboundSource { name: "timing".into(), kind: scoretable_core::model::Source::Feed };
        let entrants: Vec<Entrant> = support::ATHLETES
            .iter()
            .map(|athlete| Entrant::Competitor(fixture.file.competitor_by_bib(athlete.0).unwrap().unwrap().id))
            .collect();
        // The model: what each entrant's effective and source values must be.
        let mut expected: HashMap<Entrant, i64> = HashMap::new();
        let mut first_source: HashMap<Entrant, i64> = HashMap::new();
        for step in steps {
            match step {
                Step::Poll(values) => {
                    let records: Vec<(&str, &str)> = values
                        .iter()
                        .enumerate()
                        .filter_map(|(who, time)| time.map(|time| (PARTICIPANTS[who], TIMES[time])))
                        .collect();
                    let payload = support::seed_payload(&records);
                    let document = read_document(payload.as_bytes(), "timing", Some(RecordFormat::Json)).unwrap();
                    let mapped = map_document(&mapping, &workout, &document);
                    let report = fixture.file.apply_inbound(&source, race, &mapped.records).unwrap();
                    for record in &report.records {
                        if let RecordOutcome::Imported { entrant } = record.outcome {
                            prop_assert!(!expected.contains_key(&entrant), "imported over an existing score");
                            let who = PARTICIPANTS.iter().position(|id| *id == record.record_key).unwrap();
                            let value = ms(TIMES[values[who].unwrap()]);
                            expected.insert(entrant, value);
                            first_source.insert(entrant, value);
                        }
                    }
                }
                Step::Amend(who, time) => {
                    fixture.file.amend_score_with(race, entrants[who], ScoreInput::text(TIMES[time]), "judge", "appeal", None).unwrap();
                    expected.insert(entrants[who], ms(TIMES[time]));
                }
                Step::Resolve(accept) => {
                    let open = fixture.file.inbound_conflicts(true).unwrap();
                    if let Some(conflict) = open.first() {
                        if accept {
                            fixture.file.accept_conflict(conflict.id, "judge", "source corrected", None).unwrap();
                            let Some(Score::Time { ms }) = conflict.incoming_value.score else { unreachable!() };
                            expected.insert(conflict.entrant, ms);
                        } else {
                            fixture.file.dismiss_conflict(conflict.id, "judge", "").unwrap();
                        }
                    }
                }
            }
            // The invariant, after every step.
            for entrant in &entrants {
                let stored = fixture.file.result(race, *entrant).unwrap();
                match (expected.get(entrant), stored) {
                    (None, None) => {}
                    (Some(want), Some(result)) => {
                        prop_assert_eq!(result.effective_value().unwrap().score, Some(Score::Time { ms: *want }));
                        if let Some(first) = first_source.get(entrant) {
                            prop_assert_eq!(result.source_value.as_ref().unwrap().score, Some(Score::Time { ms: *first }));
                        }
                    }
                    (want, got) => prop_assert!(false, "expected {:?}, stored {:?}", want, got),
                }
            }
        }
    }

    #[test]
    fn no_reader_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for format in RecordFormat::ALL {
            let _ = read_document(&bytes, "fuzz", Some(format));
        }
        let _ = read_document(&bytes, "fuzz", None);
    }

    #[test]
    fn no_reader_panics_on_near_valid_text(
        text in "[\\[\\]{}<>/\",;:\\t\\n a-c0-9.=-]{0,200}",
        prefix in prop_oneof![Just(""), Just("\u{FEFF}"), Just("[{\"a\":"), Just("<r><x>"), Just("bib,time\n")],
    ) {
        let input = format!("{prefix}{text}");
        let workout = support::workout("W", 1);
        let mapping = FieldMapping::timing_feed(&workout);
        for format in RecordFormat::ALL {
            if let Ok(document) = read_document(input.as_bytes(), "fuzz", Some(format)) {
                let _ = map_document(&mapping, &workout, &document);
            }
        }
    }
}
