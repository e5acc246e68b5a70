//! Who moves when one result changes, and one entrant's standing, without
//! ranking the workout.
//!
//! [`rank_workout`](crate::ranking::rank_workout) gives each ranked row the
//! place `1 + (rows with a strictly better key)`, overall and in each of its
//! divisions (standard competition ranking). So when only entrant `C`'s
//! result changes from key `old` to key `new`, another entrant with key `k`
//! changes place exactly when `old < k` and `new < k` differ: its key lies
//! between the two values. Those rows are found in one pass over the
//! workout's keys (no sort of the field, no names, no splits); only they are
//! sorted, for the listing order. The same counts give one entrant's place
//! ([`standing`]) without ranking anyone else.
//!
//! Both functions work on the results the engine ranks. In workouts whose
//! ranked rows are formed from other rows (member-scored team workouts) the
//! caller forms them first; the changed row is the member's team.

use std::cmp::Ordering;

use crate::model::{Entrant, Id, ResultEntry, Workout};
use crate::ranking::{compare_bibs, entry_key, RankKey};

/// One entrant whose place (overall, or in a division) differs between the
/// workout before and after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaceChange {
    pub entrant: Entrant,
    /// `None` for the workout's overall place, else the division.
    pub division_id: Option<Id>,
    pub old_rank: Option<u32>,
    pub new_rank: Option<u32>,
}

/// The places that change when `changed`'s result goes from `before` to its
/// row in `after` (absent from `after`: the result was removed; `before`
/// `None`: it had none).
///
/// `after` is every ranked input of the workout after the change.
/// `divisions_of` gives an entrant's divisions (it is asked about every row
/// of `after`, so it should be a cheap lookup, e.g. a membership set per
/// division of the changed entrant); `bib_of` gives bibs, asked only for the
/// rows that moved, for the listing order.
///
/// The list equals the difference of two full rankings (as
/// `scoretable_store::placement_impact` computes it): overall changes first,
/// then by division id, each in the order of the new leaderboard (key, bib,
/// entrant); a removed entrant comes after the others of its list.
pub fn places_changed_by<'a, Divisions, Bib>(
    workout: &Workout,
    after: &[ResultEntry],
    changed: Entrant,
    before: Option<&ResultEntry>,
    divisions_of: Divisions,
    bib_of: Bib,
) -> Vec<PlaceChange>
where
    Divisions: Fn(Entrant) -> &'a [Id],
    Bib: Fn(Entrant) -> String,
{
    places_changed_listing(
        workout,
        after,
        changed,
        before,
        divisions_of,
        bib_of,
        usize::MAX,
    )
    .listed
}

/// [`places_changed_by`] counted in full but listed only up to `listed`
/// changes: what a command that prints the first few needs. Bibs are asked
/// only to order ties among the listed rows, so a move through most of a
/// field ranked to whole seconds reads a handful of bibs, not every one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedPlaces {
    /// Every changed place (overall and division places).
    pub changes: usize,
    /// The distinct entrants among them.
    pub entrants: usize,
    /// The first `listed` changes in [`places_changed_by`]'s order.
    pub listed: Vec<PlaceChange>,
}

/// See [`MovedPlaces`]; `listed: usize::MAX` lists every change.
pub fn places_changed_listing<'a, Divisions, Bib>(
    workout: &Workout,
    after: &[ResultEntry],
    changed: Entrant,
    before: Option<&ResultEntry>,
    divisions_of: Divisions,
    bib_of: Bib,
    listed: usize,
) -> MovedPlaces
where
    Divisions: Fn(Entrant) -> &'a [Id],
    Bib: Fn(Entrant) -> String,
{
    places_changed_listing_above(
        workout,
        after,
        changed,
        before,
        divisions_of,
        bib_of,
        listed,
        &RowsBelow::default(),
    )
}

/// Rows left out of `after` because they rank strictly better than both
/// of the changed entrant's values (below the [`RankBand`]): their number
/// overall and in each of the changed entrant's divisions. They never move;
/// they only push every place in the band down.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowsBelow {
    pub overall: u32,
    /// (division id, rows of that division below the band).
    pub by_division: Vec<(Id, u32)>,
}

/// [`places_changed_listing`] when `after` holds only the rows of the
/// workout whose keys may lie between the changed entrant's two values (a
/// superset of them, e.g. a [`RankBand`] read by index range, plus the
/// changed entrant's own row) and `below` counts the rows left out that rank
/// better than the band. Rows worse than the band may be left out freely:
/// they never move and push no place in the band.
#[allow(clippy::too_many_arguments)]
pub fn places_changed_listing_above<'a, Divisions, Bib>(
    workout: &Workout,
    after: &[ResultEntry],
    changed: Entrant,
    before: Option<&ResultEntry>,
    divisions_of: Divisions,
    bib_of: Bib,
    listed: usize,
    below: &RowsBelow,
) -> MovedPlaces
where
    Divisions: Fn(Entrant) -> &'a [Id],
    Bib: Fn(Entrant) -> String,
{
    let old_key = before.map(|result| entry_key(workout, result));
    let new_key = after
        .iter()
        .find(|result| result.entrant == changed)
        .map(|result| entry_key(workout, result));
    let changed_divisions: Vec<Id> = {
        let mut ids = divisions_of(changed).to_vec();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    // The key range in which other rows can move: between the two values,
    // or from the one value on when the result was added or removed.
    let (low, high) = match (old_key, new_key) {
        (Some(old), Some(new)) => (old.min(new), Some(old.max(new))),
        (Some(one), None) | (None, Some(one)) => (one, None),
        (None, None) => {
            return MovedPlaces {
                changes: 0,
                entrants: 0,
                listed: Vec::new(),
            }
        }
    };

    /// A row whose key lies in `low..=high`.
    struct Candidate {
        key: RankKey,
        entrant: Entrant,
        /// Its membership flags start at `flags[member * divisions]`: for
        /// each of the changed entrant's divisions, is this row a member.
        member: usize,
    }
    let division_count = changed_divisions.len();
    let mut flags: Vec<bool> = Vec::new();
    // Rows other than `changed` better than `low`, overall and per division.
    let mut below_low = below.overall;
    let mut below_low_in: Vec<u32> = changed_divisions
        .iter()
        .map(|id| {
            below
                .by_division
                .iter()
                .filter(|(division, _)| division == id)
                .map(|(_, count)| *count)
                .sum()
        })
        .collect();
    let mut candidates: Vec<Candidate> = Vec::new();
    for result in after {
        if result.entrant == changed {
            continue;
        }
        let key = entry_key(workout, result);
        if key < low {
            below_low += 1;
            if !changed_divisions.is_empty() {
                let divisions = divisions_of(result.entrant);
                for (slot, division_id) in changed_divisions.iter().enumerate() {
                    if divisions.contains(division_id) {
                        below_low_in[slot] += 1;
                    }
                }
            }
        } else if high.is_none_or(|high| key <= high) {
            let divisions = divisions_of(result.entrant);
            candidates.push(Candidate {
                key,
                entrant: result.entrant,
                member: candidates.len(),
            });
            flags.extend(
                changed_divisions
                    .iter()
                    .map(|division_id| divisions.contains(division_id)),
            );
        }
    }
    candidates.sort_unstable_by_key(|candidate| candidate.key);
    let member =
        |candidate: &Candidate, slot: usize| flags[candidate.member * division_count + slot];

    // Other rows better than `key`, for a key in `low..=high`: the rows
    // better than `low` plus the candidates better than `key`.
    let better_candidates = |key: RankKey, slot: Option<usize>| -> u32 {
        candidates
            .iter()
            .take_while(|candidate| candidate.key < key)
            .filter(|candidate| slot.is_none_or(|slot| member(candidate, slot)))
            .count() as u32
    };
    let place_among_others = |key: Option<RankKey>, slot: Option<usize>| -> Option<u32> {
        let key = key.filter(|key| key.is_ranked())?;
        let below = match slot {
            None => below_low,
            Some(slot) => below_low_in[slot],
        };
        Some(1 + below + better_candidates(key, slot))
    };
    // Whether `changed` is better than `key`, before and after.
    let ahead = |changed_key: Option<RankKey>, key: RankKey| changed_key.is_some_and(|c| c < key);

    // (sort key for the listing, change); the changed entrant's own rows use
    // its new key.
    let mut overall: Vec<(Option<RankKey>, Entrant, PlaceChange)> = Vec::new();
    let mut by_division: Vec<Vec<(Option<RankKey>, Entrant, PlaceChange)>> =
        vec![Vec::new(); changed_divisions.len()];

    // Places of the other rows: counted among all rows, the changed one included.
    let mut running_better = 0_u32;
    let mut running_better_in: Vec<u32> = vec![0; changed_divisions.len()];
    let mut index = 0;
    while index < candidates.len() {
        // A group of equal keys shares its places.
        let key = candidates[index].key;
        let end = candidates[index..]
            .iter()
            .position(|candidate| candidate.key != key)
            .map_or(candidates.len(), |offset| index + offset);
        let moves = key.is_ranked() && ahead(old_key, key) != ahead(new_key, key);
        if moves {
            let old_place = 1 + below_low + running_better + u32::from(ahead(old_key, key));
            let new_place = 1 + below_low + running_better + u32::from(ahead(new_key, key));
            for candidate in &candidates[index..end] {
                overall.push((
                    Some(key),
                    candidate.entrant,
                    PlaceChange {
                        entrant: candidate.entrant,
                        division_id: None,
                        old_rank: Some(old_place),
                        new_rank: Some(new_place),
                    },
                ));
                for (slot, division_id) in changed_divisions.iter().enumerate() {
                    if !member(candidate, slot) {
                        continue;
                    }
                    let base = 1 + below_low_in[slot] + running_better_in[slot];
                    by_division[slot].push((
                        Some(key),
                        candidate.entrant,
                        PlaceChange {
                            entrant: candidate.entrant,
                            division_id: Some(*division_id),
                            old_rank: Some(base + u32::from(ahead(old_key, key))),
                            new_rank: Some(base + u32::from(ahead(new_key, key))),
                        },
                    ));
                }
            }
        }
        for candidate in &candidates[index..end] {
            running_better += 1;
            for (slot, better) in running_better_in.iter_mut().enumerate() {
                if member(candidate, slot) {
                    *better += 1;
                }
            }
        }
        index = end;
    }

    // The changed entrant itself.
    let old_place = place_among_others(old_key, None);
    let new_place = place_among_others(new_key, None);
    if old_place != new_place {
        overall.push((
            new_key,
            changed,
            PlaceChange {
                entrant: changed,
                division_id: None,
                old_rank: old_place,
                new_rank: new_place,
            },
        ));
    }
    for (slot, division_id) in changed_divisions.iter().enumerate() {
        let old_place = place_among_others(old_key, Some(slot));
        let new_place = place_among_others(new_key, Some(slot));
        if old_place != new_place {
            by_division[slot].push((
                new_key,
                changed,
                PlaceChange {
                    entrant: changed,
                    division_id: Some(*division_id),
                    old_rank: old_place,
                    new_rank: new_place,
                },
            ));
        }
    }

    // Listing order of the new leaderboard; a removed row (no new key) last.
    let listing = |a: &(Option<RankKey>, Entrant, PlaceChange),
                   b: &(Option<RankKey>, Entrant, PlaceChange)|
     -> Ordering {
        match (a.0, b.0) {
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
            (Some(a_key), Some(b_key)) => a_key
                .cmp(&b_key)
                .then_with(|| compare_bibs(&bib_of(a.1), &bib_of(b.1)).then_with(|| a.1.cmp(&b.1))),
        }
    };
    let changes = overall.len() + by_division.iter().map(Vec::len).sum::<usize>();
    let entrants = {
        let mut seen: Vec<Entrant> = overall
            .iter()
            .chain(by_division.iter().flatten())
            .map(|row| row.1)
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };
    let mut list: Vec<PlaceChange> = Vec::with_capacity(changes.min(listed));
    for mut rows in std::iter::once(overall).chain(by_division) {
        let room = listed - list.len();
        if room == 0 {
            break;
        }
        sort_ties_by_bib(&mut rows, &listing, room);
        list.extend(rows.into_iter().take(room).map(|(_, _, change)| change));
    }
    MovedPlaces {
        changes,
        entrants,
        listed: list,
    }
}

/// Sorts by the listing order, asking for bibs only to order rows that share
/// a key (most moved rows have keys of their own), and only as far as the
/// first `upto` rows: runs of equal keys starting after them keep their
/// key order alone.
/// A moved row as [`sort_ties_by_bib`] sorts it: its key (`None`: removed),
/// entrant and the caller's data.
type KeyedRow<T> = (Option<RankKey>, Entrant, T);

fn sort_ties_by_bib<T>(
    rows: &mut [KeyedRow<T>],
    listing: &dyn Fn(&KeyedRow<T>, &KeyedRow<T>) -> Ordering,
    upto: usize,
) {
    // Keys first (a removed row last), which is cheap; then each run of equal
    // keys by the full listing order.
    rows.sort_by(|a, b| match (a.0, b.0) {
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (a_key, b_key) => a_key.cmp(&b_key),
    });
    let mut start = 0;
    while start < rows.len() && start < upto {
        let end = rows[start..]
            .iter()
            .position(|row| row.0 != rows[start].0)
            .map_or(rows.len(), |offset| start + offset);
        if end - start > 1 {
            rows[start..end].sort_by(listing);
        }
        start = end;
    }
}

/// An entrant's place in a workout and its places in divisions.
pub type Standing = (Option<u32>, Vec<(Id, u32)>);

/// One entrant's place in a workout: overall and in each of `divisions`
/// (the entrant's own), computed by counting the better rows, without
/// ranking the others. `None` when the entrant has no result in `results`;
/// ranks are `None` for a status or an unrankable result, as the engine's.
pub fn standing<'a, Divisions>(
    workout: &Workout,
    results: &[ResultEntry],
    entrant: Entrant,
    divisions: &[Id],
    divisions_of: Divisions,
) -> Option<Standing>
where
    Divisions: Fn(Entrant) -> &'a [Id],
{
    let own = results.iter().find(|result| result.entrant == entrant)?;
    let key = entry_key(workout, own);
    if !key.is_ranked() {
        return Some((None, Vec::new()));
    }
    let mut better = 0_u32;
    let mut better_in = vec![0_u32; divisions.len()];
    for result in results {
        if result.entrant == entrant || entry_key(workout, result) >= key {
            continue;
        }
        better += 1;
        if !divisions.is_empty() {
            let theirs = divisions_of(result.entrant);
            for (slot, division_id) in divisions.iter().enumerate() {
                if theirs.contains(division_id) {
                    better_in[slot] += 1;
                }
            }
        }
    }
    Some((
        Some(better + 1),
        divisions
            .iter()
            .zip(better_in)
            .map(|(division_id, better)| (*division_id, better + 1))
            .collect(),
    ))
}

/// Brings a ranked board (rows as [`rank_workout`](crate::ranking::rank_workout)
/// lists them, without split standings) up to date after one entrant's
/// result changed to `new` (`None`: removed), without sorting or loading
/// anything: the entrant's row is taken out and put back where its new key
/// belongs (binary search on the listing order), then one pass re-counts the
/// places overall and per division and the differences to the leader.
///
/// The rows equal `rank_workout` over the changed results, split standings
/// aside (the board has none). `info_of` gives an entrant's bib and divisions
/// (the `EntrantInfo` the board was ranked with). Returns the range of rows
/// whose position changed (the amended row's old and new places and the rows
/// between them).
pub fn replace_in_board<'a, Info>(
    workout: &Workout,
    rows: &mut Vec<crate::model::RankedRow>,
    changed: Entrant,
    new: Option<&ResultEntry>,
    info_of: Info,
) -> std::ops::Range<usize>
where
    Info: Fn(Entrant) -> Option<&'a crate::model::EntrantInfo>,
{
    use crate::ranking::{result_entry_key, row_key};
    use crate::score::format_score;

    let bib = |entrant: Entrant| info_of(entrant).map_or("", |info| info.bib.as_str());
    let old_position = rows.iter().position(|row| row.entrant == changed);
    if let Some(position) = old_position {
        rows.remove(position);
    }
    let mut new_position = None;
    if let Some(result) = new {
        let (key, effective) = result_entry_key(workout, result);
        let display = match (result.status, effective) {
            (Some(status), _) => status.code().to_string(),
            (None, Some(score)) => format_score(workout, &score),
            (None, None) => String::new(),
        };
        let own_bib = bib(changed);
        let position = rows.partition_point(|row| {
            row_key(workout, row)
                .cmp(&key)
                .then_with(|| compare_bibs(bib(row.entrant), own_bib))
                .then_with(|| row.entrant.cmp(&changed))
                == Ordering::Less
        });
        rows.insert(
            position,
            crate::model::RankedRow {
                entrant: changed,
                rank: None,
                division_ranks: Vec::new(),
                score: effective,
                status: result.status,
                display,
                difference_ms: None,
                splits: Vec::new(),
                tie_break_ms: result.tie_break_ms,
                penalty_ms: result.penalty_ms,
                partial: result.partial,
                amended: result.amended,
            },
        );
        new_position = Some(position);
    }

    // One pass: places overall and per division, differences to the leader.
    let mut keys: Vec<RankKey> = Vec::with_capacity(rows.len());
    keys.extend(rows.iter().map(|row| row_key(workout, row)));
    let leader_ms = match (keys.first(), rows.first().and_then(|row| row.score)) {
        (Some(key), Some(crate::model::Score::Time { ms })) if key.is_ranked() => Some(ms),
        _ => None,
    };
    // Division ids are few: (id, count, last key, last place).
    let mut divisions: Vec<(Id, u32, Option<RankKey>, u32)> = Vec::new();
    let mut previous: Option<(RankKey, u32)> = None;
    for (position, row) in rows.iter_mut().enumerate() {
        let key = keys[position];
        let ranked = key.is_ranked();
        row.rank = ranked.then(|| match previous {
            Some((previous_key, previous_rank)) if previous_key == key => previous_rank,
            _ => position as u32 + 1,
        });
        if let Some(rank) = row.rank {
            previous = Some((key, rank));
        }
        row.division_ranks.clear();
        if let (true, Some(info)) = (ranked, info_of(row.entrant)) {
            for division_id in &info.division_ids {
                let slot = match divisions.iter().position(|(id, ..)| id == division_id) {
                    Some(slot) => slot,
                    None => {
                        divisions.push((*division_id, 0, None, 0));
                        divisions.len() - 1
                    }
                };
                let state = &mut divisions[slot];
                state.1 += 1;
                if state.2 != Some(key) {
                    state.3 = state.1;
                    state.2 = Some(key);
                }
                row.division_ranks.push((*division_id, state.3));
            }
        }
        row.difference_ms = match (ranked, row.score, leader_ms) {
            (true, Some(crate::model::Score::Time { ms }), Some(leader))
                if key.is_valid_finisher() =>
            {
                Some(ms - leader)
            }
            _ => None,
        };
    }
    let touched: Vec<usize> = [old_position, new_position].into_iter().flatten().collect();
    match (touched.iter().min(), touched.iter().max()) {
        (Some(&low), Some(&high)) => low..(high + 1).min(rows.len().max(low)),
        _ => 0..0,
    }
}

/// A kind of score a workout ranks, as the index range of
/// [`RankBand`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankedKind {
    Time,
    Capped,
    Reps,
    Load,
    Distance,
    Points,
    /// Rounds and extra reps: the stored value is the rounds (negated), the
    /// extra reps are read beside it.
    RoundsReps,
}

/// The reps of one round of `workout`, when it ranks rounds+reps by total reps.
fn per_round(workout: &Workout) -> Option<i64> {
    use crate::model::ScoreType;
    (workout.score_type == ScoreType::RoundsReps)
        .then_some(workout.reps_per_round)
        .flatten()
        .filter(|per_round| *per_round > 0)
}

/// The kinds of ranked results of `workout` whose keys follow their stored
/// value ([`ranked_value`]) and the extra reps beside it: finishers' times
/// before capped results; rounds+reps (and plain reps when the workout
/// knows its reps per round: then the two kinds interleave by total reps).
/// `None` for member-scored team workouts (their rows are formed from
/// members' results).
pub fn ranked_kinds(workout: &Workout) -> Option<&'static [RankedKind]> {
    use crate::model::{ScoreType, TeamScoring};
    if matches!(
        workout.team_scoring,
        TeamScoring::SumAll | TeamScoring::BestN { .. }
    ) {
        return None;
    }
    Some(match workout.score_type {
        ScoreType::Time | ScoreType::TimeCapped => &[RankedKind::Time, RankedKind::Capped],
        ScoreType::Reps => &[RankedKind::Reps],
        ScoreType::Load => &[RankedKind::Load],
        ScoreType::Distance => &[RankedKind::Distance],
        ScoreType::Points => &[RankedKind::Points],
        ScoreType::RoundsReps if per_round(workout).is_some() => {
            &[RankedKind::RoundsReps, RankedKind::Reps]
        }
        ScoreType::RoundsReps => &[RankedKind::RoundsReps],
    })
}

/// A ranked result's kind (its index in [`ranked_kinds`]) and value: a time
/// with its penalty added, before rounding; rounds (of rounds+reps) and any
/// other score negated (more is better), so that among results of one kind
/// a smaller value never ranks worse. `None` when the result is not ranked
/// (a status, or a score the workout does not take) or the workout has no
/// [`ranked_kinds`].
pub fn ranked_value(workout: &Workout, result: &ResultEntry) -> Option<(usize, i64)> {
    use crate::model::Score;
    let kinds = ranked_kinds(workout)?;
    if !entry_key(workout, result).is_ranked() {
        return None;
    }
    let (kind, value) = match result.score? {
        Score::Time { ms } => (RankedKind::Time, ms.saturating_add(result.penalty_ms)),
        Score::Capped { reps } => (RankedKind::Capped, reps.saturating_neg()),
        Score::Reps { reps } => (RankedKind::Reps, reps.saturating_neg()),
        Score::Load { grams } => (RankedKind::Load, grams.saturating_neg()),
        Score::Distance { mm } => (RankedKind::Distance, mm.saturating_neg()),
        Score::Points { milli } => (RankedKind::Points, milli.saturating_neg()),
        Score::RoundsReps { rounds, .. } => (RankedKind::RoundsReps, rounds.saturating_neg()),
    };
    Some((kinds.iter().position(|known| *known == kind)?, value))
}

/// A ranked row rebuilt from its [`ranked_value`] (penalty included,
/// `penalty_ms` 0) and, for rounds+reps, its extra reps: it ranks with the
/// same key as the stored result.
pub fn ranked_row(
    entrant: Entrant,
    kind: RankedKind,
    value: i64,
    extra: Option<i64>,
    tie_break_ms: Option<crate::model::Millis>,
) -> ResultEntry {
    use crate::model::{Score, Source};
    let score = match kind {
        RankedKind::Time => Score::Time { ms: value },
        RankedKind::Capped => Score::Capped { reps: -value },
        RankedKind::Reps => Score::Reps { reps: -value },
        RankedKind::Load => Score::Load { grams: -value },
        RankedKind::Distance => Score::Distance { mm: -value },
        RankedKind::Points => Score::Points { milli: -value },
        RankedKind::RoundsReps => Score::RoundsReps {
            rounds: -value,
            reps: extra.unwrap_or(0),
        },
    };
    ResultEntry {
        entrant,
        score: Some(score),
        status: None,
        tie_break_ms,
        penalty_ms: 0,
        splits: Vec::new(),
        incidents: Vec::new(),
        source: Source::Manual,
        amended: false,
        partial: false,
    }
}

/// The stored rows of one [`RankedKind`] that one result's change concerns:
/// those valued up to `below` (inclusive) rank strictly better than both of
/// its keys and are only counted; those valued in `read` (inclusive) may
/// lie between the keys and are read; any other row of the kind ranks
/// strictly worse than both keys and never moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindBand {
    pub kind: RankedKind,
    pub below: Option<i64>,
    pub read: Option<(i64, i64)>,
}

/// The ranked rows that can move when one result changes from `before` to
/// `after`: per stored kind, the value range to read (widened by the time
/// rounding, and for rounds+reps by the stored extra reps, so that every row
/// ranked between the two keys is inside) and the range to count below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankBand {
    pub kinds: Vec<KindBand>,
    /// Whether reading `kinds` in order, each by ascending value, meets the
    /// rows in ascending [`ScoreGroup`] (false when two kinds interleave:
    /// rounds+reps and plain reps ranked by total reps).
    pub in_rank_order: bool,
}

/// See [`RankBand`]. `extra_reps`: the least and the most extra reps stored
/// with any rounds+reps result of the workout (`None`: there is none); asked
/// only for a rounds+reps workout ranked by total reps. `None` when neither
/// value is ranked (then no other row moves) or the workout has no
/// [`ranked_kinds`].
pub fn rank_band(
    workout: &Workout,
    before: Option<&ResultEntry>,
    after: Option<&ResultEntry>,
    extra_reps: Option<(i64, i64)>,
) -> Option<RankBand> {
    use crate::model::Score;
    let kinds = ranked_kinds(workout)?;
    if let Some(per_round) = per_round(workout) {
        // Ranked by total reps: a plain-reps row's value is minus its total;
        // a rounds+reps row's total is rounds * per_round + extra reps, with
        // the extra reps anywhere in `extra_reps`.
        let total = |result: &ResultEntry| -> Option<i128> {
            ranked_value(workout, result)?;
            match result.score? {
                Score::RoundsReps { rounds, reps } => {
                    Some(i128::from(rounds) * i128::from(per_round) + i128::from(reps))
                }
                Score::Reps { reps } => Some(i128::from(reps)),
                _ => None,
            }
        };
        let old = before.and_then(total);
        let new = after.and_then(total);
        // The better (more reps) and the worse total; `None` worse: every
        // ranked row below the better one can move.
        let (best, worst) = match (old, new) {
            (None, None) => return None,
            (Some(one), None) | (None, Some(one)) => (one, None),
            (Some(old), Some(new)) => (old.max(new), Some(old.min(new))),
        };
        let fits = |value: i128| i64::try_from(value).ok();
        let mut bands = Vec::new();
        if let Some((least, most)) = extra_reps {
            let per_round = i128::from(per_round);
            // More rounds than this: a total above `best` whatever the extra reps.
            let most_rounds = (best - i128::from(least)).div_euclid(per_round);
            let fewest_rounds =
                worst.map(|worst| -(i128::from(most) - worst).div_euclid(per_round));
            bands.push(KindBand {
                kind: RankedKind::RoundsReps,
                below: Some(fits(-most_rounds - 1)?),
                read: Some((
                    fits(-most_rounds)?,
                    match fewest_rounds {
                        Some(fewest) => fits(-fewest)?,
                        None => i64::MAX,
                    },
                )),
            });
        }
        bands.push(KindBand {
            kind: RankedKind::Reps,
            below: Some(fits(-best - 1)?),
            read: Some((
                fits(-best)?,
                match worst {
                    Some(worst) => fits(-worst)?,
                    None => i64::MAX,
                },
            )),
        });
        return Some(RankBand {
            kinds: bands,
            in_rank_order: false,
        });
    }
    let margin = |kind: usize| match kinds[kind] {
        RankedKind::Time => crate::time::rounding_unit(workout.rounding).unwrap_or(0),
        _ => 0,
    };
    let old = before.and_then(|result| ranked_value(workout, result));
    let new = after.and_then(|result| ranked_value(workout, result));
    let (low, high) = match (old, new) {
        (None, None) => return None,
        (Some(one), None) | (None, Some(one)) => (one, None),
        (Some(old), Some(new)) => (old.min(new), Some(old.max(new))),
    };
    let from = (low.0, low.1.saturating_sub(margin(low.0)));
    let to = high.map(|(kind, value)| (kind, value.saturating_add(margin(kind))));
    let last = to.map_or(kinds.len() - 1, |(kind, _)| kind);
    let bands = kinds
        .iter()
        .enumerate()
        .take(last + 1)
        .map(|(index, kind)| {
            if index < from.0 {
                // Every ranked row of a better kind ranks better.
                return KindBand {
                    kind: *kind,
                    below: Some(i64::MAX),
                    read: None,
                };
            }
            let low = if index == from.0 { from.1 } else { i64::MIN };
            let high = match to {
                Some((to_kind, value)) if to_kind == index => value,
                _ => i64::MAX,
            };
            KindBand {
                kind: *kind,
                below: if index == from.0 {
                    low.checked_sub(1)
                } else {
                    None
                },
                read: Some((low, high)),
            }
        })
        .collect();
    Some(RankBand {
        kinds: bands,
        in_rank_order: true,
    })
}

/// The part of a row's rank key that its stored value decides (class and
/// score, neither extra reps nor tie-break): rows read in a [`RankBand`]'s
/// order (when `in_rank_order`) come in ascending groups, and every row of
/// a group sorts after every row of a smaller group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScoreGroup(RankKey);

pub fn score_group(workout: &Workout, row: &ResultEntry) -> ScoreGroup {
    ScoreGroup(entry_key(workout, row).group())
}

/// Who-moved counts, one row at a time: [`MovedPlaces::changes`] and
/// [`MovedPlaces::entrants`] from the rows of a [`RankBand`] (any superset of
/// the rows between the changed entrant's two keys, the entrant's own row
/// left out), without keeping them. Rows better than the band never matter
/// here: they move nobody's place change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveCounter {
    old_key: Option<RankKey>,
    new_key: Option<RankKey>,
    low: RankKey,
    high: Option<RankKey>,
    /// Moved rows, overall and in each of the changed entrant's divisions.
    moved: u32,
    moved_in: Vec<u32>,
    /// Whether another row lies in `low..high`: the entrant's own place changes.
    own_moves: bool,
    own_moves_in: Vec<bool>,
    /// Rows better than the entrant's old and new key, overall and per division.
    better_than: [u32; 2],
    better_than_in: Vec<[u32; 2]>,
}

impl MoveCounter {
    /// `divisions`: how many divisions of the changed entrant [`add`](Self::add)'s
    /// masks name. `None` when nobody moves (neither value is ranked).
    pub fn new(
        workout: &Workout,
        before: Option<&ResultEntry>,
        after: Option<&ResultEntry>,
        divisions: usize,
    ) -> Option<MoveCounter> {
        let old_key = before.map(|result| entry_key(workout, result));
        let new_key = after.map(|result| entry_key(workout, result));
        let ranked = |key: Option<RankKey>| key.filter(|key| key.is_ranked());
        let (low, high) = match (ranked(old_key), ranked(new_key)) {
            (None, None) => return None,
            (Some(one), None) | (None, Some(one)) => (one, None),
            (Some(old), Some(new)) => (old.min(new), Some(old.max(new))),
        };
        // One value unranked: the entrant's place appears or goes.
        let one_sided = high.is_none();
        Some(MoveCounter {
            old_key,
            new_key,
            low,
            high,
            moved: 0,
            moved_in: vec![0; divisions],
            own_moves: one_sided,
            own_moves_in: vec![one_sided; divisions],
            better_than: [0; 2],
            better_than_in: vec![[0; 2]; divisions],
        })
    }

    /// One other row; bit `slot` of `member_of` set when it is in the
    /// changed entrant's division `slot`.
    pub fn add(&mut self, workout: &Workout, row: &ResultEntry, member_of: u64) {
        let key = entry_key(workout, row);
        if !key.is_ranked() {
            return;
        }
        let ahead = |changed: Option<RankKey>| changed.is_some_and(|c| c < key);
        let behind = |changed: Option<RankKey>| changed.is_some_and(|c| key < c);
        for (at, changed) in [self.old_key, self.new_key].into_iter().enumerate() {
            if behind(changed) {
                self.better_than[at] += 1;
                for (slot, better) in self.better_than_in.iter_mut().enumerate() {
                    if member_of & (1 << slot) != 0 {
                        better[at] += 1;
                    }
                }
            }
        }
        if ahead(self.old_key) != ahead(self.new_key) {
            self.moved += 1;
            for (slot, moved) in self.moved_in.iter_mut().enumerate() {
                if member_of & (1 << slot) != 0 {
                    *moved += 1;
                }
            }
        }
        if key >= self.low && self.high.is_some_and(|high| key < high) {
            self.own_moves = true;
            for (slot, moves) in self.own_moves_in.iter_mut().enumerate() {
                if member_of & (1 << slot) != 0 {
                    *moves = true;
                }
            }
        }
    }

    /// The values of `kind` within `read` whose rows all rank strictly
    /// between the changed entrant's two keys (with one key ranked:
    /// strictly after it), whatever their tie-break or extra reps: their
    /// score group alone puts them there. [`add_between`](Self::add_between)
    /// counts such a row from its divisions alone, so a band's middle can be
    /// read as ids. `None` when no value of `read` is such. A kind's group
    /// never decreases as its stored value grows ([`ranked_value`]), so the
    /// values are one range, found by bisection.
    pub fn between(
        &self,
        workout: &Workout,
        kind: RankedKind,
        read: (i64, i64),
    ) -> Option<(i64, i64)> {
        let group = |value: i128| {
            entry_key(
                workout,
                &ranked_row(Entrant::Competitor(0), kind, value as i64, None, None),
            )
            .group()
        };
        // Values far from any score are left to the read in full (their
        // keys could overflow while being formed).
        const FAR: i64 = 1 << 60;
        let read = (read.0.max(-FAR), read.1.min(FAR));
        if read.0 > read.1 {
            return None;
        }
        let low = self.low.group();
        let high = self.high.map(RankKey::group);
        // The first value of `read` whose group is past `low`.
        let (mut from, mut to) = (i128::from(read.0), i128::from(read.1) + 1);
        while from < to {
            let middle = (from + to).div_euclid(2);
            if group(middle) > low {
                to = middle;
            } else {
                from = middle + 1;
            }
        }
        let first = from;
        // One past the last value whose group is before `high`.
        let end = match high {
            None => i128::from(read.1) + 1,
            Some(high) => {
                let (mut from, mut to) = (first, i128::from(read.1) + 1);
                while from < to {
                    let middle = (from + to).div_euclid(2);
                    if group(middle) < high {
                        from = middle + 1;
                    } else {
                        to = middle;
                    }
                }
                from
            }
        };
        if first >= end {
            return None;
        }
        let last = end - 1;
        // Both ends ranked: every value between them is (classes only grow).
        (group(first).is_ranked() && group(last).is_ranked()).then_some((first as i64, last as i64))
    }

    /// One other row known to rank strictly between the two keys (or
    /// strictly after the one ranked key): a value of
    /// [`between`](Self::between). Counts as [`add`](Self::add) would.
    pub fn add_between(&mut self, member_of: u64) {
        self.moved += 1;
        for (slot, moved) in self.moved_in.iter_mut().enumerate() {
            if member_of & (1 << slot) != 0 {
                *moved += 1;
            }
        }
        // Behind the worse key, and behind an unranked one (a status sorts
        // after every ranked row); ahead of the better key.
        for (at, changed) in [self.old_key, self.new_key].into_iter().enumerate() {
            let behind = changed.is_some_and(|changed| {
                !changed.is_ranked() || self.high.is_some_and(|high| changed == high)
            });
            if behind {
                self.better_than[at] += 1;
                for (slot, better) in self.better_than_in.iter_mut().enumerate() {
                    if member_of & (1 << slot) != 0 {
                        better[at] += 1;
                    }
                }
            }
        }
        if self.high.is_none() {
            // One key ranked: its own place changes whatever is read.
            return;
        }
        self.own_moves = true;
        for (slot, moves) in self.own_moves_in.iter_mut().enumerate() {
            if member_of & (1 << slot) != 0 {
                *moves = true;
            }
        }
    }

    /// Other rows whose workout place changes, so far.
    pub fn moved(&self) -> usize {
        self.moved as usize
    }

    /// The changed entrant's place before (`old`) or after, overall
    /// (`slot` `None`) or in its division `slot`, given the rows better than
    /// the band there (`below`); `None` when that value is not ranked.
    pub fn own_place(&self, old: bool, slot: Option<usize>, below: u32) -> Option<u32> {
        let at = usize::from(!old);
        let key = if old { self.old_key } else { self.new_key };
        key.filter(|key| key.is_ranked())?;
        let better = match slot {
            None => self.better_than[at],
            Some(slot) => self.better_than_in[slot][at],
        };
        Some(1 + below + better)
    }

    /// (changes, entrants) as [`MovedPlaces`] counts them.
    pub fn counts(&self) -> (usize, usize) {
        let own =
            usize::from(self.own_moves) + self.own_moves_in.iter().filter(|moves| **moves).count();
        let changes = self.moved as usize
            + self
                .moved_in
                .iter()
                .map(|moved| *moved as usize)
                .sum::<usize>()
            + own;
        (changes, self.moved as usize + usize::from(own > 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Rounding, Score, ScoreType, Status};
    use proptest::prelude::*;

    fn workout(score_type: ScoreType, rounding: Rounding) -> Workout {
        Workout {
            rounding,
            ..crate::score::tests::workout(score_type)
        }
    }

    fn result(score: Option<Score>, status: Option<Status>, penalty_ms: i64) -> ResultEntry {
        ResultEntry {
            penalty_ms,
            ..crate::ranking::tests::result(1, score, status)
        }
    }

    /// A score of the workout's kinds, or a status, or nothing.
    fn changed(score_type: ScoreType, value: i64, reps: i64, choice: u8) -> Option<ResultEntry> {
        let score = match (score_type, choice % 2) {
            (ScoreType::Time | ScoreType::TimeCapped, 0) => Score::Time { ms: value },
            (ScoreType::Time | ScoreType::TimeCapped, _) => Score::Capped { reps },
            (ScoreType::Reps, _) => Score::Reps { reps },
            (ScoreType::RoundsReps, _) => Score::RoundsReps {
                rounds: reps / 10,
                reps: reps % 10,
            },
            _ => Score::Points { milli: value },
        };
        match choice % 7 {
            5 => Some(result(None, Some(Status::Dnf), 0)),
            6 => None,
            _ => Some(result(Some(score), None, (choice as i64 % 3) * 500)),
        }
    }

    proptest! {
        /// Every row of a [`MoveCounter::between`] range ranks strictly
        /// between the two keys, and [`MoveCounter::add_between`] counts it
        /// exactly as [`MoveCounter::add`] does.
        #[test]
        fn rows_between_the_keys_count_as_their_keys_would(
            type_pick in 0_usize..4,
            rounding_pick in 0_usize..4,
            unit in 1_i64..3000,
            old in (0_i64..20_000, 0_i64..60, any::<u8>()),
            new in (0_i64..20_000, 0_i64..60, any::<u8>()),
            rows in proptest::collection::vec((0_i64..20_000, 0_i64..60, 0_u64..4, proptest::option::of(0_i64..5)), 1..60),
        ) {
            let score_type = [ScoreType::Time, ScoreType::TimeCapped, ScoreType::Reps, ScoreType::RoundsReps][type_pick];
            let rounding = [
                Rounding::Exact,
                Rounding::Truncate { unit_ms: unit },
                Rounding::Up { unit_ms: unit },
                Rounding::Nearest { unit_ms: unit },
            ][rounding_pick];
            let workout = workout(score_type, rounding);
            let before = changed(score_type, old.0, old.1, old.2);
            let after = changed(score_type, new.0, new.1, new.2);
            let Some(counter) = MoveCounter::new(&workout, before.as_ref(), after.as_ref(), 2) else {
                return Ok(());
            };
            let (mut by_key, mut by_range) = (counter.clone(), counter.clone());
            for kind in ranked_kinds(&workout).unwrap() {
                let Some((first, last)) = counter.between(&workout, *kind, (-30_000, 30_000)) else {
                    continue;
                };
                for (value, extra, mask, tie_break) in &rows {
                    let value = value.clamp(&first, &last);
                    let row = ranked_row(Entrant::Competitor(2), *kind, *value, Some(*extra % 10), *tie_break);
                    let key = entry_key(&workout, &row);
                    prop_assert!(key.is_ranked() && key > counter.low);
                    prop_assert!(counter.high.is_none_or(|high| key < high));
                    by_key.add(&workout, &row, *mask);
                    by_range.add_between(*mask);
                }
                // The values just outside the range are not between.
                for outside in [first - 1, last + 1] {
                    if !(-30_000..=30_000).contains(&outside) {
                        continue;
                    }
                    let key = entry_key(&workout, &ranked_row(Entrant::Competitor(2), *kind, outside, None, None));
                    let inside = key.is_ranked()
                        && key.group() > counter.low.group()
                        && counter.high.is_none_or(|high| key.group() < high.group());
                    prop_assert!(!inside, "{outside} lies between too");
                }
            }
            prop_assert_eq!(by_key, by_range);
        }
    }
}
