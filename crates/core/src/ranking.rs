//! Ranking one workout: places overall and per division, differences to the
//! leader and split standings.
//!
//! # Rules
//!
//! 1. **Effective score.** A time score has the result's `penalty_ms` added and
//!    is then reduced to the workout's ranking precision with
//!    [`round_time`] (World Triathlon: round up to the
//!    next full second). [`RankedRow::score`] and [`RankedRow::display`] show
//!    this effective value. Other scores are ranked as entered.
//! 2. **Direction.** `Time`: lower is better. `TimeCapped`: finishers by time,
//!    then everyone capped below all finishers by reps done, more is better
//!    (shown `CAP+reps`). `RoundsReps`: total reps when the workout knows its
//!    reps per round, else rounds then extra reps. `Reps`, `Load`, `Distance`,
//!    `Points`: higher is better.
//! 3. **Statuses.** A result carrying a status ranks after every valid result,
//!    whether or not it also carries a score (a disqualified athlete's time is
//!    kept but not ranked). Statuses are listed in the order LAP, NC, DNF, DNQ,
//!    WD, DSQ, DNS ([`Status::rank_order`](crate::model::Status::rank_order))
//!    and get `rank: None`.
//! 4. **Partial team results.** A team result still missing members
//!    (`partial`) is placed after every complete result of its kind (after
//!    complete finishers, and after complete capped results), so a sum over
//!    fewer members never leads the board while others are still out (seed
//!    000's warning about interim standings). It keeps its `partial` flag.
//! 5. **Unrankable results.** A result with neither score nor status, or with a
//!    score of a kind the workout does not take (e.g. reps in a time workout),
//!    is listed after all statuses with `rank: None`.
//! 6. **Tie-break.** With [`TieBreak::TieBreakTime`] a recorded tie-break time
//!    separates equal scores, lower is better, and a missing tie-break time
//!    comes after any recorded one. The tie-break never reorders different
//!    scores.
//! 7. **Ties.** Remaining equal results share a place with standard
//!    competition ranking: 1, 2, 2, 4.
//! 8. **Listing order.** Rows that share a place, and rows with the same
//!    status, are listed by bib (numeric-aware: `2` before `10`, then text),
//!    then by entrant, as World Triathlon asks ("default to ordering by
//!    start_num"). The output therefore never depends on input order.
//! 9. **Divisions.** Each ranked row gets a place in every division of its
//!    [`EntrantInfo`], computed in the same pass by the same rules. A result
//!    whose entrant has no `EntrantInfo` is ranked overall only.
//! 10. **Leader difference.** For time scores, `difference_ms` is the
//!     effective time minus the leader's.
//! 11. **Splits.** At each timing point every result that reached it (status
//!     rows included) is placed by its cumulative time at ranking precision;
//!     equal times share a position. `leg_ms` is the time since the previous
//!     recorded point (or since the start), and `difference_ms` is the time
//!     behind the fastest at that point. Splits are listed in course order.
//!
//! Ranking sorts once (O(n log n)) plus one sort of all splits.

use std::cmp::Ordering;

use crate::fast_hash::{fast_hash_map, FastHashMap};
use crate::model::{
    Entrant, EntrantInfo, Id, Millis, RankedRow, ResultEntry, Score, ScoreType, SplitStanding,
    Status, TieBreak, Workout,
};
use crate::score::{effective_score, format_score};
use crate::time::round_time;

/// Which group a result falls into, in listing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    /// A valid result (for time-capped workouts: a finisher).
    Valid,
    /// Capped in a time-capped workout: valid, below every finisher.
    Capped,
    /// A status: not ranked.
    Status,
    /// No score and no status, or a score the workout does not take.
    Unrankable,
}

/// The comparable form of a result. Lower sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RankKey {
    class: Class,
    /// A partial team result sorts after the complete ones of its class.
    partial: bool,
    primary: i64,
    secondary: i64,
    tie_break: i64,
}

impl RankKey {
    pub(crate) fn is_ranked(self) -> bool {
        matches!(self.class, Class::Valid | Class::Capped)
    }

    /// A valid result (for time-capped workouts: a finisher), the rows that
    /// get a difference to the leader.
    pub(crate) fn is_valid_finisher(self) -> bool {
        self.class == Class::Valid
    }

    /// The key as plain values (the class as 0-3, whether partial, the
    /// primary and secondary values, the tie-break), for a record written
    /// to a scratch file and read back ([`RankKey::from_parts`]).
    pub(crate) fn to_parts(self) -> (u8, bool, i64, i64, i64) {
        let class = match self.class {
            Class::Valid => 0,
            Class::Capped => 1,
            Class::Status => 2,
            Class::Unrankable => 3,
        };
        (
            class,
            self.partial,
            self.primary,
            self.secondary,
            self.tie_break,
        )
    }

    /// The key of [`RankKey::to_parts`]; `None` for a class out of range.
    pub(crate) fn from_parts(parts: (u8, bool, i64, i64, i64)) -> Option<RankKey> {
        let (class, partial, primary, secondary, tie_break) = parts;
        let class = match class {
            0 => Class::Valid,
            1 => Class::Capped,
            2 => Class::Status,
            3 => Class::Unrankable,
            _ => return None,
        };
        Some(RankKey {
            class,
            partial,
            primary,
            secondary,
            tie_break,
        })
    }

    /// The key with the parts a stored value alone does not decide (the
    /// secondary score, the tie-break) cleared.
    pub(crate) fn group(self) -> RankKey {
        RankKey {
            secondary: 0,
            tie_break: 0,
            ..self
        }
    }

    /// True when the scores (ignoring the tie-break) are equal.
    pub(crate) fn same_score(self, other: RankKey) -> bool {
        self.class == other.class
            && self.partial == other.partial
            && self.primary == other.primary
            && self.secondary == other.secondary
    }
}

/// The key the engine ranks an effective score by, or `None` when the
/// workout does not take this kind of score.
fn score_key(workout: &Workout, score: Score) -> Option<(Class, i64, i64)> {
    let key = match (workout.score_type, score) {
        (ScoreType::Time | ScoreType::TimeCapped, Score::Time { ms }) => (Class::Valid, ms, 0),
        (ScoreType::TimeCapped | ScoreType::Time, Score::Capped { reps }) => {
            (Class::Capped, -reps, 0)
        }
        (ScoreType::RoundsReps, Score::RoundsReps { rounds, reps }) => match workout.reps_per_round
        {
            Some(per_round) if per_round > 0 => (
                Class::Valid,
                -(rounds.saturating_mul(per_round).saturating_add(reps)),
                0,
            ),
            _ => (Class::Valid, -rounds, -reps),
        },
        (ScoreType::RoundsReps, Score::Reps { reps })
            if workout
                .reps_per_round
                .is_some_and(|per_round| per_round > 0) =>
        {
            (Class::Valid, -reps, 0)
        }
        (ScoreType::Reps, Score::Reps { reps }) => (Class::Valid, -reps, 0),
        (ScoreType::Load, Score::Load { grams }) => (Class::Valid, -grams, 0),
        (ScoreType::Distance, Score::Distance { mm }) => (Class::Valid, -mm, 0),
        (ScoreType::Points, Score::Points { milli }) => (Class::Valid, -milli, 0),
        _ => return None,
    };
    Some(key)
}

/// The rank key of a result and its effective score.
pub(crate) fn result_key(
    workout: &Workout,
    score: Option<Score>,
    status: Option<Status>,
    penalty_ms: Millis,
    tie_break_ms: Option<Millis>,
    partial: bool,
) -> (RankKey, Option<Score>) {
    let effective = score.map(|score| effective_score(workout, score, penalty_ms));
    if let Some(status) = status {
        let key = RankKey {
            class: Class::Status,
            partial: false,
            primary: status.rank_order() as i64,
            secondary: 0,
            tie_break: 0,
        };
        return (key, effective);
    }
    let Some((class, primary, secondary)) = effective.and_then(|score| score_key(workout, score))
    else {
        return (
            RankKey {
                class: Class::Unrankable,
                partial: false,
                primary: 0,
                secondary: 0,
                tie_break: 0,
            },
            effective,
        );
    };
    let tie_break = match workout.tie_break {
        TieBreak::None => 0,
        TieBreak::TieBreakTime => tie_break_ms.unwrap_or(Millis::MAX),
    };
    (
        RankKey {
            class,
            partial,
            primary,
            secondary,
            tie_break,
        },
        effective,
    )
}

/// The key of an already ranked row (its score is already effective).
pub(crate) fn row_key(workout: &Workout, row: &RankedRow) -> RankKey {
    if let Some(status) = row.status {
        return RankKey {
            class: Class::Status,
            partial: false,
            primary: status.rank_order() as i64,
            secondary: 0,
            tie_break: 0,
        };
    }
    let Some((class, primary, secondary)) = row.score.and_then(|score| score_key(workout, score))
    else {
        return RankKey {
            class: Class::Unrankable,
            partial: false,
            primary: 0,
            secondary: 0,
            tie_break: 0,
        };
    };
    let tie_break = match workout.tie_break {
        TieBreak::None => 0,
        TieBreak::TieBreakTime => row.tie_break_ms.unwrap_or(Millis::MAX),
    };
    RankKey {
        class,
        partial: row.partial,
        primary,
        secondary,
        tie_break,
    }
}

pub(crate) fn entry_key(workout: &Workout, result: &ResultEntry) -> RankKey {
    result_entry_key(workout, result).0
}

/// [`result_key`] of a result: its rank key and effective score.
pub(crate) fn result_entry_key(
    workout: &Workout,
    result: &ResultEntry,
) -> (RankKey, Option<Score>) {
    result_key(
        workout,
        result.score,
        result.status,
        result.penalty_ms,
        result.tie_break_ms,
        result.partial,
    )
}

/// Compares two results of one workout by the ranking rules.
///
/// `Less` means `a` places ahead of `b`; `Equal` means they would share a
/// place (or have the same status, or are both unrankable). Bibs are not
/// consulted: listing order among equals is [`rank_workout`]'s business.
pub fn compare_results(workout: &Workout, a: &ResultEntry, b: &ResultEntry) -> Ordering {
    entry_key(workout, a).cmp(&entry_key(workout, b))
}

/// Compares bibs numeric-aware: runs of digits compare as numbers (`2` before
/// `10`, leading zeros ignored), other text compares by character, and bibs
/// that are still equal compare as plain text (`02` before `2`).
pub fn compare_bibs(a: &str, b: &str) -> Ordering {
    let (mut a_rest, mut b_rest) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a_rest.first(), b_rest.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(a_byte), Some(b_byte)) => {
                if a_byte.is_ascii_digit() && b_byte.is_ascii_digit() {
                    let a_len = a_rest
                        .iter()
                        .take_while(|byte| byte.is_ascii_digit())
                        .count();
                    let b_len = b_rest
                        .iter()
                        .take_while(|byte| byte.is_ascii_digit())
                        .count();
                    let a_digits = trim_leading_zeros(&a_rest[..a_len]);
                    let b_digits = trim_leading_zeros(&b_rest[..b_len]);
                    let by_number = a_digits
                        .len()
                        .cmp(&b_digits.len())
                        .then_with(|| a_digits.cmp(b_digits));
                    if by_number != Ordering::Equal {
                        return by_number;
                    }
                    a_rest = &a_rest[a_len..];
                    b_rest = &b_rest[b_len..];
                } else {
                    let by_byte = a_byte.cmp(b_byte);
                    if by_byte != Ordering::Equal {
                        return by_byte;
                    }
                    a_rest = &a_rest[1..];
                    b_rest = &b_rest[1..];
                }
            }
        }
    }
}

fn trim_leading_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|byte| **byte == b'0').count();
    &digits[zeros..]
}

/// Ranks a workout's results. Returns one row per result, best first. See the
/// module docs for the rules.
pub fn rank_workout(
    workout: &Workout,
    entrants: &[EntrantInfo],
    results: &[ResultEntry],
) -> Vec<RankedRow> {
    rank_workout_with(workout, entrants, results, RankDetail::Full)
}

/// How much of each row [`rank_workout_with`] fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankDetail {
    /// Everything ([`rank_workout`]).
    Full,
    /// Places, scores, statuses and leader differences as [`RankDetail::Full`]
    /// gives them; each row's splits in course order with their cumulative
    /// times at ranking precision and legs, but every split's `position` and
    /// `difference_ms` left at 0, and `display` left empty. For a reader
    /// that places the timing points by its own rules (the live-timing
    /// message) and prints no display text: it saves a sort of every split.
    Splits,
}

/// [`rank_workout`] with only the detail asked for (see [`RankDetail`]).
pub fn rank_workout_with(
    workout: &Workout,
    entrants: &[EntrantInfo],
    results: &[ResultEntry],
    detail: RankDetail,
) -> Vec<RankedRow> {
    let full = detail == RankDetail::Full;
    let mut info_by_entrant: FastHashMap<Entrant, &EntrantInfo> = fast_hash_map(entrants.len());
    info_by_entrant.extend(entrants.iter().map(|info| (info.entrant, info)));

    struct Prepared<'data> {
        key: RankKey,
        effective: Option<Score>,
        result: &'data ResultEntry,
        info: Option<&'data EntrantInfo>,
    }

    let mut prepared: Vec<Prepared> = results
        .iter()
        .map(|result| {
            let (key, effective) = result_entry_key(workout, result);
            Prepared {
                key,
                effective,
                result,
                info: info_by_entrant.get(&result.entrant).copied(),
            }
        })
        .collect();

    prepared.sort_unstable_by(|a, b| {
        a.key
            .cmp(&b.key)
            .then_with(|| {
                let a_bib = a.info.map_or("", |info| info.bib.as_str());
                let b_bib = b.info.map_or("", |info| info.bib.as_str());
                compare_bibs(a_bib, b_bib)
            })
            .then_with(|| a.result.entrant.cmp(&b.result.entrant))
    });

    let leader_ms =
        prepared
            .first()
            .and_then(|first| match (first.key.is_ranked(), first.effective) {
                (true, Some(Score::Time { ms })) => Some(ms),
                _ => None,
            });

    struct DivisionState {
        count: u32,
        last_key: Option<RankKey>,
        last_rank: u32,
    }
    // Division ids are few: look them up in a sorted vector rather than hashing.
    let mut division_ids: Vec<Id> = entrants
        .iter()
        .flat_map(|info| info.division_ids.iter().copied())
        .collect();
    division_ids.sort_unstable();
    division_ids.dedup();
    let mut divisions: Vec<DivisionState> = division_ids
        .iter()
        .map(|_| DivisionState {
            count: 0,
            last_key: None,
            last_rank: 0,
        })
        .collect();
    let mut rows: Vec<RankedRow> = Vec::with_capacity(prepared.len());
    let mut previous_key: Option<RankKey> = None;
    let mut previous_rank = 0_u32;

    for (position, item) in prepared.iter().enumerate() {
        let ranked = item.key.is_ranked();
        let rank = if ranked {
            let rank = if previous_key == Some(item.key) {
                previous_rank
            } else {
                position as u32 + 1
            };
            previous_key = Some(item.key);
            previous_rank = rank;
            Some(rank)
        } else {
            None
        };
        let mut division_ranks = Vec::new();
        if let (true, Some(info)) = (ranked, item.info) {
            division_ranks.reserve_exact(info.division_ids.len());
            for division_id in &info.division_ids {
                let slot = division_ids
                    .binary_search(division_id)
                    .expect("every entrant's divisions are collected above");
                let state = &mut divisions[slot];
                state.count += 1;
                if state.last_key != Some(item.key) {
                    state.last_rank = state.count;
                    state.last_key = Some(item.key);
                }
                division_ranks.push((*division_id, state.last_rank));
            }
        }
        let display = match (item.result.status, item.effective) {
            _ if !full => String::new(),
            (Some(status), _) => status.code().to_string(),
            (None, Some(score)) => format_score(workout, &score),
            (None, None) => String::new(),
        };
        let difference_ms = match (ranked, item.effective, leader_ms) {
            (true, Some(Score::Time { ms }), Some(leader)) if item.key.class == Class::Valid => {
                Some(ms - leader)
            }
            _ => None,
        };
        rows.push(RankedRow {
            entrant: item.result.entrant,
            rank,
            division_ranks,
            score: item.effective,
            status: item.result.status,
            display,
            difference_ms,
            splits: Vec::new(),
            tie_break_ms: item.result.tie_break_ms,
            penalty_ms: item.result.penalty_ms,
            partial: item.result.partial,
            amended: item.result.amended,
        });
    }

    let ordered_results: Vec<&ResultEntry> = prepared.iter().map(|item| item.result).collect();
    drop(prepared);
    fill_split_standings(workout, &ordered_results, &mut rows, full);
    rows
}

/// A workout's timing points sorted by id with their course order. There
/// are few timing points: a sorted vector beats hashing for each of the many
/// splits that look theirs up.
#[derive(Debug, Clone, Default)]
pub struct PointOrder(Vec<(Id, u32)>);

impl PointOrder {
    pub fn of(workout: &Workout) -> PointOrder {
        let mut points: Vec<(Id, u32)> = workout
            .timing_points
            .iter()
            .map(|point| (point.id, point.order))
            .collect();
        points.sort_unstable();
        PointOrder(points)
    }

    /// The point's course order; points the workout does not list sort
    /// last (`u32::MAX`).
    pub fn order(&self, id: Id) -> u32 {
        self.slot(id).map_or(u32::MAX, |slot| self.0[slot].1)
    }

    /// The point's index among the listed points (sorted by id).
    pub fn slot(&self, id: Id) -> Option<usize> {
        self.0.binary_search_by_key(&id, |(point, _)| *point).ok()
    }

    /// The listed points' ids, sorted.
    pub fn ids(&self) -> impl Iterator<Item = Id> + '_ {
        self.0.iter().map(|(id, _)| *id)
    }
}

/// Computes every row's split standings (positions and differences only
/// when `place` is set). `results[i]` belongs to `rows[i]`.
fn fill_split_standings(
    workout: &Workout,
    results: &[&ResultEntry],
    rows: &mut [RankedRow],
    place: bool,
) {
    let order_of_point = PointOrder::of(workout);
    let mut splits: Vec<(u32, Id, Millis)> = Vec::new();

    // Each row's standings are written into its own vector, made at its
    // final size (no flat copy of every standing, which at 60,000 athletes
    // and 10 timing points held 24 MB, up to twice that while it grew).
    // Every reached point: (timing point's slot, rounded total, row, index
    // in the row's standings). Slots are dense indexes into `point_ids`,
    // which keeps the sorted elements small.
    let mut point_ids: Vec<Id> = order_of_point.ids().collect();
    let known_points = point_ids.len();
    let mut reached: Vec<(u32, Millis, u32, u32)> = if place {
        Vec::with_capacity(results.iter().map(|result| result.splits.len()).sum())
    } else {
        Vec::new()
    };
    for (row_index, result) in results.iter().enumerate() {
        splits.clear();
        splits.extend(result.splits.iter().map(|split| {
            (
                order_of_point.order(split.timing_point_id),
                split.timing_point_id,
                round_time(split.total_ms, workout.rounding),
            )
        }));
        if !splits.is_sorted() {
            splits.sort_unstable();
        }
        let standings = &mut rows[row_index].splits;
        *standings = Vec::with_capacity(splits.len());
        let mut previous_total = 0;
        for (_, timing_point_id, total_ms) in splits.iter().copied() {
            if place {
                let slot = match order_of_point.slot(timing_point_id) {
                    Some(slot) => slot,
                    None => match point_ids[known_points..]
                        .iter()
                        .position(|id| *id == timing_point_id)
                    {
                        Some(offset) => known_points + offset,
                        None => {
                            point_ids.push(timing_point_id);
                            point_ids.len() - 1
                        }
                    },
                };
                reached.push((
                    slot as u32,
                    total_ms,
                    row_index as u32,
                    standings.len() as u32,
                ));
            }
            standings.push(SplitStanding {
                timing_point_id,
                total_ms,
                leg_ms: total_ms - previous_total,
                position: 0,
                difference_ms: 0,
            });
            previous_total = total_ms;
        }
    }

    reached.sort_unstable();
    let mut group_start = 0;
    while group_start < reached.len() {
        let point_slot = reached[group_start].0;
        let leader_ms = reached[group_start].1;
        let mut group_end = group_start;
        let mut previous_total = None;
        let mut previous_position = 0;
        while group_end < reached.len() && reached[group_end].0 == point_slot {
            let (_, total_ms, row_index, index) = reached[group_end];
            let position = if previous_total == Some(total_ms) {
                previous_position
            } else {
                (group_end - group_start) as u32 + 1
            };
            previous_total = Some(total_ms);
            previous_position = position;
            let standing = &mut rows[row_index as usize].splits[index as usize];
            standing.position = position;
            standing.difference_ms = total_ms - leader_ms;
            group_end += 1;
        }
        group_start = group_end;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Rounding, Source, Split, TimingPoint};
    use crate::score::tests::workout;
    use proptest::prelude::*;
    use std::collections::HashMap;

    /// A competitor's manual result (shared with the board's tests).
    pub(crate) fn result(id: Id, score: Option<Score>, status: Option<Status>) -> ResultEntry {
        ResultEntry {
            entrant: Entrant::Competitor(id),
            score,
            status,
            tie_break_ms: None,
            penalty_ms: 0,
            splits: Vec::new(),
            incidents: Vec::new(),
            source: Source::Manual,
            amended: false,
            partial: false,
        }
    }

    /// A competitor's info (shared with the board's tests).
    pub(crate) fn info(id: Id, bib: &str, divisions: &[Id]) -> EntrantInfo {
        EntrantInfo {
            entrant: Entrant::Competitor(id),
            bib: bib.to_string(),
            name: format!("Athlete {id}"),
            division_ids: divisions.to_vec(),
        }
    }

    fn time(ms: Millis) -> Option<Score> {
        Some(Score::Time { ms })
    }

    fn ranks(rows: &[RankedRow]) -> Vec<(Entrant, Option<u32>)> {
        rows.iter().map(|row| (row.entrant, row.rank)).collect()
    }

    #[test]
    fn bibs_compare_numeric_aware() {
        let mut bibs = vec!["10", "2", "A3", "1", "02", "A10", "B", "", "100a", "100"];
        bibs.sort_by(|a, b| compare_bibs(a, b));
        assert_eq!(
            bibs,
            ["", "1", "02", "2", "10", "100", "100a", "A3", "A10", "B"]
        );
    }

    #[test]
    fn crossfit_style_time_capped_example() {
        let mut chipper = workout(ScoreType::TimeCapped);
        chipper.time_cap_ms = Some(720_000);
        chipper.tie_break = TieBreak::TieBreakTime;
        let mut results = vec![
            result(1, Some(Score::Capped { reps: 41 }), None),
            result(2, time(603_400), None),
            result(3, Some(Score::Capped { reps: 55 }), None),
            result(4, time(598_100), None),
            result(5, None, Some(Status::Dns)),
            result(6, Some(Score::Capped { reps: 55 }), None),
            result(7, time(603_400), None),
            result(8, None, Some(Status::Dnf)),
        ];
        results[2].tie_break_ms = Some(250_000);
        results[5].tie_break_ms = Some(245_000);
        let entrants: Vec<EntrantInfo> = (1..=8)
            .map(|id| info(id, &id.to_string(), &[100]))
            .collect();
        let rows = rank_workout(&chipper, &entrants, &results);
        let listed: Vec<(Id, Option<u32>, &str)> = rows
            .iter()
            .map(|row| match row.entrant {
                Entrant::Competitor(id) => (id, row.rank, row.display.as_str()),
                Entrant::Team(_) => unreachable!(),
            })
            .collect();
        assert_eq!(
            listed,
            [
                (4, Some(1), "9:58.1"),
                (2, Some(2), "10:03.4"),
                (7, Some(2), "10:03.4"),
                (6, Some(4), "CAP+55"),
                (3, Some(5), "CAP+55"),
                (1, Some(6), "CAP+41"),
                (8, None, "DNF"),
                (5, None, "DNS"),
            ]
        );
        assert_eq!(rows[1].difference_ms, Some(5_300));
        assert_eq!(rows[3].difference_ms, None);
        assert_eq!(rows[3].division_ranks, [(100, 4)]);
    }

    #[test]
    fn triathlon_example_rounds_up_and_orders_statuses() {
        let mut race = workout(ScoreType::Time);
        race.rounding = Rounding::Up { unit_ms: 1000 };
        race.timing_points = vec![
            TimingPoint {
                id: 11,
                order: 1,
                name: "Swim Lap 1".to_string(),
            },
            TimingPoint {
                id: 12,
                order: 2,
                name: "Swim Exit".to_string(),
            },
        ];
        let mut gomez = result(5695, time(6_555_001), None);
        gomez.splits = vec![
            Split {
                timing_point_id: 12,
                total_ms: 1_117_911,
            },
            Split {
                timing_point_id: 11,
                total_ms: 654_799,
            },
        ];
        let mut bishop = result(18719, time(6_555_999), None);
        bishop.splits = vec![Split {
            timing_point_id: 11,
            total_ms: 653_996,
        }];
        let mut lapped = result(3, None, Some(Status::Lap));
        lapped.splits = vec![Split {
            timing_point_id: 11,
            total_ms: 700_000,
        }];
        let disqualified = result(4, time(6_000_000), Some(Status::Dsq));
        let entrants = vec![
            info(5695, "26", &[]),
            info(18719, "22", &[]),
            info(3, "3", &[]),
            info(4, "4", &[]),
        ];
        let rows = rank_workout(&race, &entrants, &[disqualified, gomez, lapped, bishop]);
        // Both round up to 1:49:16 and share first place; bib 22 is listed first.
        assert_eq!(
            ranks(&rows),
            [
                (Entrant::Competitor(18719), Some(1)),
                (Entrant::Competitor(5695), Some(1)),
                (Entrant::Competitor(3), None),
                (Entrant::Competitor(4), None),
            ]
        );
        assert_eq!(rows[0].display, "1:49:16");
        assert_eq!(rows[1].difference_ms, Some(0));
        assert_eq!(rows[3].display, "DSQ");
        // Bishop reaches lap 1 in 10:54 (rounded up), Gomez in 10:55.
        assert_eq!(
            rows[1].splits,
            [
                SplitStanding {
                    timing_point_id: 11,
                    total_ms: 655_000,
                    leg_ms: 655_000,
                    position: 2,
                    difference_ms: 1_000
                },
                SplitStanding {
                    timing_point_id: 12,
                    total_ms: 1_118_000,
                    leg_ms: 463_000,
                    position: 1,
                    difference_ms: 0
                },
            ]
        );
        assert_eq!(rows[0].splits[0].position, 1);
        assert_eq!(rows[2].splits[0].position, 3);
        assert_eq!(rows[2].splits[0].difference_ms, 46_000);
    }

    #[test]
    fn penalties_are_added_before_rounding() {
        let mut race = workout(ScoreType::Time);
        race.rounding = Rounding::Up { unit_ms: 1000 };
        let mut penalised = result(1, time(100_000), None);
        penalised.penalty_ms = 15_000;
        let clean = result(2, time(110_500), None);
        let rows = rank_workout(&race, &[], &[penalised, clean]);
        assert_eq!(rows[0].entrant, Entrant::Competitor(2));
        assert_eq!(rows[0].score, time(111_000));
        assert_eq!(rows[1].score, time(115_000));
        assert_eq!(rows[1].difference_ms, Some(4_000));
    }

    #[test]
    fn higher_is_better_types_and_rounds_reps() {
        let mut amrap = workout(ScoreType::RoundsReps);
        let results = [
            result(1, Some(Score::RoundsReps { rounds: 5, reps: 3 }), None),
            result(2, Some(Score::RoundsReps { rounds: 6, reps: 0 }), None),
            result(
                3,
                Some(Score::RoundsReps {
                    rounds: 5,
                    reps: 12,
                }),
                None,
            ),
        ];
        let order = |rows: Vec<RankedRow>| rows.iter().map(|row| row.entrant).collect::<Vec<_>>();
        assert_eq!(
            order(rank_workout(&amrap, &[], &results)),
            [
                Entrant::Competitor(2),
                Entrant::Competitor(3),
                Entrant::Competitor(1)
            ]
        );
        amrap.reps_per_round = Some(10);
        // 5+12 is 62 reps, more than 6+0 = 60 reps.
        assert_eq!(
            order(rank_workout(&amrap, &[], &results)),
            [
                Entrant::Competitor(3),
                Entrant::Competitor(2),
                Entrant::Competitor(1)
            ]
        );
        let load = workout(ScoreType::Load);
        let rows = rank_workout(
            &load,
            &[],
            &[
                result(1, Some(Score::Load { grams: 100_000 }), None),
                result(2, Some(Score::Load { grams: 102_500 }), None),
            ],
        );
        assert_eq!(rows[0].entrant, Entrant::Competitor(2));
        assert_eq!(rows[0].display, "102.5 kg");
    }

    #[test]
    fn partial_team_results_rank_after_complete_ones() {
        let relay = workout(ScoreType::Time);
        let team = |id: Id, ms: Millis, partial: bool| ResultEntry {
            entrant: Entrant::Team(id),
            partial,
            ..result(0, time(ms), None)
        };
        let rows = rank_workout(
            &relay,
            &[],
            &[
                team(1, 300_000, false),
                team(2, 200_000, true),
                team(3, 310_000, false),
            ],
        );
        assert_eq!(
            ranks(&rows),
            [
                (Entrant::Team(1), Some(1)),
                (Entrant::Team(3), Some(2)),
                (Entrant::Team(2), Some(3))
            ]
        );
        assert!(rows[2].partial);
    }

    #[test]
    fn mismatched_and_empty_results_are_listed_last_unranked() {
        let time_workout = workout(ScoreType::Time);
        let rows = rank_workout(
            &time_workout,
            &[],
            &[
                result(1, Some(Score::Reps { reps: 5 }), None),
                result(2, None, Some(Status::Dns)),
                result(3, None, None),
                result(4, time(1), None),
            ],
        );
        assert_eq!(
            ranks(&rows),
            [
                (Entrant::Competitor(4), Some(1)),
                (Entrant::Competitor(2), None),
                (Entrant::Competitor(1), None),
                (Entrant::Competitor(3), None),
            ]
        );
    }

    #[test]
    fn division_ranks_and_missing_entrant_info() {
        let race = workout(ScoreType::Time);
        let entrants = vec![
            info(1, "1", &[10, 20]),
            info(2, "2", &[20]),
            info(3, "3", &[10]),
        ];
        let results = [
            result(1, time(3_000), None),
            result(2, time(1_000), None),
            result(3, time(2_000), None),
            result(9, time(500), None),
        ];
        let rows = rank_workout(&race, &entrants, &results);
        assert_eq!(rows[0].entrant, Entrant::Competitor(9));
        assert!(rows[0].division_ranks.is_empty());
        let by_id: HashMap<Entrant, &RankedRow> =
            rows.iter().map(|row| (row.entrant, row)).collect();
        assert_eq!(
            by_id[&Entrant::Competitor(1)].division_ranks,
            [(10, 2), (20, 2)]
        );
        assert_eq!(by_id[&Entrant::Competitor(2)].division_ranks, [(20, 1)]);
        assert_eq!(by_id[&Entrant::Competitor(3)].division_ranks, [(10, 1)]);
    }

    #[test]
    fn ranks_the_bench_sized_event_consistently() {
        // The benchmark's 60,000 athletes, 12 divisions and 10 splits. Timing
        // is measured by the bench binary; this checks the result's shape.
        let event = crate::generate::large_individual_event(60_000, 12, 10, 1);
        let workout = &event.workouts[0];
        let rows = rank_workout(workout, &event.entrant_infos(), &event.results[0]);
        assert_eq!(rows.len(), 60_000);
        let ranked = rows.iter().take_while(|row| row.rank.is_some()).count();
        assert!(rows[ranked..]
            .iter()
            .all(|row| row.rank.is_none() && row.status.is_some()));
        assert!(rows
            .windows(2)
            .take(ranked.saturating_sub(1))
            .all(|pair| pair[0].rank <= pair[1].rank));
        let mut division_sizes: HashMap<Id, u32> = HashMap::new();
        for row in &rows[..ranked] {
            for (division_id, rank) in &row.division_ranks {
                let size = division_sizes.entry(*division_id).or_default();
                *size += 1;
                assert!(*rank >= 1 && *rank <= *size);
            }
        }
        assert_eq!(division_sizes.values().sum::<u32>() as usize, ranked);
        let finish_point = workout.timing_points.last().unwrap().id;
        let leaders = rows
            .iter()
            .flat_map(|row| row.splits.iter())
            .filter(|split| split.timing_point_id == finish_point && split.position == 1)
            .count();
        assert!(leaders >= 1);
    }

    // Property tests.

    fn any_result(id: Id) -> impl Strategy<Value = ResultEntry> {
        let score = prop_oneof![
            4 => (0_i64..20).prop_map(|seconds| Some(Score::Time { ms: seconds * 500 })),
            1 => (0_i64..5).prop_map(|reps| Some(Score::Capped { reps })),
            1 => Just(None),
        ];
        let status = prop_oneof![6 => Just(None), 1 => proptest::sample::select(Status::ALL.to_vec()).prop_map(Some)];
        let partial = proptest::bool::weighted(0.1);
        (
            score,
            status,
            proptest::option::of(0_i64..4),
            0_i64..3,
            partial,
        )
            .prop_map(move |(score, status, tie_break, penalty, partial)| {
                let mut entry = result(id, score, status);
                entry.tie_break_ms = tie_break.map(|value| value * 1000);
                entry.penalty_ms = penalty * 500;
                entry.partial = partial;
                entry
            })
    }

    fn any_event() -> impl Strategy<Value = (Workout, Vec<EntrantInfo>, Vec<ResultEntry>)> {
        (1_usize..40, any::<bool>(), any::<bool>()).prop_flat_map(|(count, tie_break, round)| {
            let results: Vec<_> = (0..count)
                .map(|index| any_result(index as Id + 1))
                .collect();
            let infos: Vec<_> = (0..count)
                .map(|index| {
                    (proptest::collection::vec(1_i64..4, 0..3), 0_u32..30).prop_map(
                        move |(mut divisions, bib)| {
                            divisions.sort_unstable();
                            divisions.dedup();
                            info(index as Id + 1, &bib.to_string(), &divisions)
                        },
                    )
                })
                .collect();
            (results, infos).prop_map(move |(results, infos)| {
                let mut capped = workout(ScoreType::TimeCapped);
                capped.tie_break = if tie_break {
                    TieBreak::TieBreakTime
                } else {
                    TieBreak::None
                };
                capped.rounding = if round {
                    Rounding::Up { unit_ms: 1000 }
                } else {
                    Rounding::Exact
                };
                (capped, infos, results)
            })
        })
    }

    /// [`any_event`] with three timing points (ids not in course order) and
    /// random splits on each result, some at a point the workout lacks.
    fn any_event_with_splits(
    ) -> impl Strategy<Value = (Workout, Vec<EntrantInfo>, Vec<ResultEntry>)> {
        any_event().prop_flat_map(|(mut workout, infos, results)| {
            workout.timing_points = [(7, 1), (3, 2), (9, 3)]
                .into_iter()
                .map(|(id, order)| TimingPoint {
                    id,
                    order,
                    name: format!("P{order}"),
                })
                .collect();
            let splits = proptest::collection::vec(
                proptest::collection::vec(
                    (proptest::sample::select(vec![7_i64, 3, 9, 11]), 0_i64..40),
                    0..4,
                ),
                results.len(),
            );
            (Just(workout), Just(infos), Just(results), splits).prop_map(
                |(workout, infos, mut results, splits)| {
                    for (result, splits) in results.iter_mut().zip(splits) {
                        let mut seen = Vec::new();
                        for (timing_point_id, halves) in splits {
                            if !seen.contains(&timing_point_id) {
                                seen.push(timing_point_id);
                                result.splits.push(Split {
                                    timing_point_id,
                                    total_ms: halves * 500 + 250,
                                });
                            }
                        }
                    }
                    (workout, infos, results)
                },
            )
        })
    }

    proptest! {
        /// Ranking with [`RankDetail::Splits`] gives the full ranking's rows
        /// without display texts and without split positions and
        /// differences (splits, their order, totals and legs the same).
        #[test]
        fn the_splits_detail_is_the_full_ranking_without_split_places(
            (workout, infos, results) in any_event_with_splits()
        ) {
            let mut full = rank_workout(&workout, &infos, &results);
            for row in &mut full {
                row.display.clear();
                for split in &mut row.splits {
                    split.position = 0;
                    split.difference_ms = 0;
                }
            }
            let lean = rank_workout_with(&workout, &infos, &results, RankDetail::Splits);
            prop_assert_eq!(lean, full);
        }

        #[test]
        fn ranking_is_a_permutation((workout, infos, results) in any_event()) {
            let rows = rank_workout(&workout, &infos, &results);
            let mut listed: Vec<Entrant> = rows.iter().map(|row| row.entrant).collect();
            let mut given: Vec<Entrant> = results.iter().map(|result| result.entrant).collect();
            listed.sort();
            given.sort();
            prop_assert_eq!(listed, given);
        }

        #[test]
        fn ranks_follow_standard_competition_ranking((workout, infos, results) in any_event()) {
            let rows = rank_workout(&workout, &infos, &results);
            let ranked: Vec<&RankedRow> = rows.iter().take_while(|row| row.rank.is_some()).collect();
            prop_assert!(rows[ranked.len()..].iter().all(|row| row.rank.is_none()), "valid rows come first");
            for (index, row) in ranked.iter().enumerate() {
                let rank = row.rank.unwrap();
                if index == 0 {
                    prop_assert_eq!(rank, 1);
                } else {
                    let previous = ranked[index - 1];
                    let tied = row_key(&workout, row) == row_key(&workout, previous);
                    let expected = if tied { previous.rank.unwrap() } else { index as u32 + 1 };
                    prop_assert_eq!(rank, expected);
                    prop_assert!(row_key(&workout, previous) <= row_key(&workout, row));
                }
            }
            let statuses: Vec<Status> = rows.iter().filter_map(|row| row.status).collect();
            prop_assert!(statuses.windows(2).all(|pair| pair[0] <= pair[1]));
        }

        #[test]
        fn input_order_never_changes_the_output((workout, infos, results) in any_event(), seed: u64) {
            let expected = rank_workout(&workout, &infos, &results);
            let mut shuffled = results.clone();
            let mut state = seed;
            for index in (1..shuffled.len()).rev() {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(index, (state >> 33) as usize % (index + 1));
            }
            let mut reversed_infos = infos.clone();
            reversed_infos.reverse();
            prop_assert_eq!(rank_workout(&workout, &reversed_infos, &shuffled), expected);
        }

        #[test]
        fn division_ranks_match_ranking_the_division_alone((workout, infos, results) in any_event()) {
            let rows = rank_workout(&workout, &infos, &results);
            for division_id in 1..4 {
                let members: Vec<Entrant> = infos.iter().filter(|info| info.division_ids.contains(&division_id)).map(|info| info.entrant).collect();
                let subset: Vec<ResultEntry> = results.iter().filter(|result| members.contains(&result.entrant)).cloned().collect();
                let alone = rank_workout(&workout, &infos, &subset);
                for alone_row in &alone {
                    let full_row = rows.iter().find(|row| row.entrant == alone_row.entrant).unwrap();
                    let division_rank = full_row.division_ranks.iter().find(|(id, _)| *id == division_id).map(|(_, rank)| *rank);
                    prop_assert_eq!(division_rank, alone_row.rank);
                }
            }
        }

        #[test]
        fn tie_break_only_separates_equal_scores((mut workout, infos, results) in any_event()) {
            workout.tie_break = TieBreak::None;
            let without = rank_workout(&workout, &infos, &results);
            workout.tie_break = TieBreak::TieBreakTime;
            let with = rank_workout(&workout, &infos, &results);
            let rank_of = |rows: &[RankedRow], entrant: Entrant| rows.iter().find(|row| row.entrant == entrant).unwrap().rank;
            for a in &results {
                for b in &results {
                    let (Some(a_without), Some(b_without)) = (rank_of(&without, a.entrant), rank_of(&without, b.entrant)) else { continue };
                    let (a_with, b_with) = (rank_of(&with, a.entrant).unwrap(), rank_of(&with, b.entrant).unwrap());
                    if a_without < b_without {
                        prop_assert!(a_with < b_with);
                    }
                }
            }
        }

        #[test]
        fn compare_results_agrees_with_the_listing((workout, infos, results) in any_event()) {
            let rows = rank_workout(&workout, &infos, &results);
            for pair in rows.windows(2) {
                let a = results.iter().find(|result| result.entrant == pair[0].entrant).unwrap();
                let b = results.iter().find(|result| result.entrant == pair[1].entrant).unwrap();
                prop_assert_ne!(compare_results(&workout, a, b), Ordering::Greater);
                prop_assert_eq!(compare_results(&workout, a, b) == Ordering::Equal, pair[0].rank == pair[1].rank && pair[0].status == pair[1].status && row_key(&workout, &pair[0]) == row_key(&workout, &pair[1]));
            }
        }
    }
}
