//! Reading then mapping arbitrary payloads with the seed and World Triathlon
//! mappings for a workout with splits: no panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scoretable_core::model::{
    LoadUnit, PublicationState, Rounding, ScoreType, TeamScoring, TieBreak, TimingPoint, Workout,
};
use scoretable_inbound::{map_document, preview, read_document, FieldMapping, RecordFormat};

fuzz_target!(|data: &[u8]| {
    let workout = Workout {
        id: 1,
        name: "Fuzz".into(),
        sequence: 1,
        score_type: ScoreType::Time,
        time_cap_ms: None,
        reps_per_round: None,
        load_unit: LoadUnit::Kg,
        tie_break: TieBreak::None,
        rounding: Rounding::Up { unit_ms: 1000 },
        team_scoring: TeamScoring::Individual,
        timing_points: vec![
            TimingPoint { id: 1, order: 1, name: "Swim".into() },
            TimingPoint { id: 2, order: 2, name: "Finish".into() },
        ],
        heats: Vec::new(),
        state: PublicationState::Provisional,
    };
    let mappings = [FieldMapping::timing_feed(&workout), FieldMapping::world_triathlon(&workout)];
    for format in [RecordFormat::Json, RecordFormat::WorldTriathlon, RecordFormat::Csv, RecordFormat::Xml] {
        if let Ok(document) = read_document(data, "fuzz", Some(format)) {
            for mapping in &mappings {
                let _ = map_document(mapping, &workout, &document);
                let _ = preview(mapping, &workout, &document, 5);
            }
        }
    }
});
