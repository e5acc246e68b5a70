//! Small builders for the model values the tests of every crate write:
//! a competition, a workout with the defaults the tests assume, a timing
//! point, a start-list row. Each test keeps its own scenario (who is
//! registered, which scores); only the literal boilerplate lives here.

use scoretable_core::import::CompetitorDraft;
use scoretable_core::model::{
    Competition, Competitor, ExternalIds, Gender, LoadUnit, PublicationState, Rounding, ScoreType,
    TeamScoring, TieBreak, TimingPoint, Workout,
};

/// A one-day competition on 2026-06-01 in UTC.
pub fn competition(name: &str, slug: &str) -> Competition {
    Competition {
        name: name.to_string(),
        slug: slug.to_string(),
        start_date: "2026-06-01".to_string(),
        end_date: "2026-06-01".to_string(),
        venue: String::new(),
        country: String::new(),
        organiser: String::new(),
        time_zone: "UTC".to_string(),
    }
}

/// A provisional individual workout: no cap, no tie-break, exact
/// rounding, loads in kilograms, no timing points or heats.
pub fn workout(name: &str, sequence: u32, score_type: ScoreType) -> Workout {
    Workout {
        id: 0,
        name: name.to_string(),
        sequence,
        score_type,
        time_cap_ms: None,
        reps_per_round: None,
        load_unit: LoadUnit::Kg,
        tie_break: TieBreak::None,
        rounding: Rounding::Exact,
        team_scoring: TeamScoring::Individual,
        timing_points: Vec::new(),
        heats: Vec::new(),
        state: PublicationState::Provisional,
    }
}

/// A timing point (split) at position `order`.
pub fn timing_point(order: u32, name: &str) -> TimingPoint {
    TimingPoint {
        id: 0,
        order,
        name: name.to_string(),
    }
}

/// A start-list row (`row` as the CSV line number) with a gender.
pub fn draft(row: usize, bib: &str, first: &str, last: &str, gender: Gender) -> CompetitorDraft {
    CompetitorDraft {
        row,
        bib: bib.to_string(),
        first_name: first.to_string(),
        last_name: last.to_string(),
        gender: Some(gender),
        ..CompetitorDraft::default()
    }
}

/// A start-list row of an athlete the timing feed knows: female, with the
/// feed's participant id (`CompCornerID`) and chip `CHIP<bib>`.
pub fn feed_athlete(
    row: usize,
    bib: &str,
    first: &str,
    last: &str,
    feed_id: &str,
) -> CompetitorDraft {
    CompetitorDraft {
        chip_ids: vec![format!("CHIP{bib}")],
        external_ids: ExternalIds {
            feed_participant_id: Some(feed_id.to_string()),
            ..ExternalIds::default()
        },
        ..draft(row, bib, first, last, Gender::Female)
    }
}

/// A competitor with only a bib and a name (no chips, gender, club,
/// divisions or external ids); tests add what they need with `..`.
pub fn competitor(
    bib: impl Into<String>,
    first: impl Into<String>,
    last: impl Into<String>,
) -> Competitor {
    Competitor {
        id: 0,
        bib: bib.into(),
        chip_ids: Vec::new(),
        first_name: first.into(),
        last_name: last.into(),
        gender: None,
        date_of_birth: None,
        country: None,
        club: None,
        external_ids: ExternalIds::default(),
        division_ids: Vec::new(),
        para_class: None,
    }
}
