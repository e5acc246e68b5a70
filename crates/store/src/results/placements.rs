//! Who moved: placement changes after an amendment, counted in full and
//! listed as far as a caller shows, with the bibs and divisions they name.

use super::*;

use scoretable_core::moves::{
    rank_band, ranked_kinds, ranked_row, score_group, MoveCounter, RankedKind, RowsBelow,
};

impl CompetitionFile {
    /// Who moved in a workout since `entrant`'s effective value was `old`
    /// (`None`: no result): the places of the workout as stored now against
    /// the same results with `old` in place of the entrant's current value.
    /// Reads the rows whose effective value lies between the old and the
    /// new value as an index range and counts the rows better than both
    /// (see [`who_moved`]), never a ranking.
    pub fn placement_changes_since(
        &self,
        workout_id: Id,
        entrant: Entrant,
        old: Option<&ScoreValue>,
    ) -> Result<Vec<PlacementChange>> {
        Ok(self
            .placement_changes_listed(workout_id, entrant, old, usize::MAX)?
            .listed)
    }

    /// [`placement_changes_since`](Self::placement_changes_since) counted in
    /// full but listed only up to `listed` changes, for a command that
    /// prints the first few: the rows of the index range past the listed
    /// ones are counted as they are read, not kept, and bibs are read only
    /// to order the listed ties.
    pub fn placement_changes_listed(
        &self,
        workout_id: Id,
        entrant: Entrant,
        old: Option<&ScoreValue>,
        listed: usize,
    ) -> Result<MovedPlacements> {
        self.read(|connection| {
            let workout = load_workout(connection, workout_id)?;
            let before = old.map(|old| amended_entry(entrant, old)).map(|mut entry| {
                // The value before carries its own source; only the fields
                // that rank matter here.
                entry.amended = false;
                entry
            });
            let now = load_rank_entry(connection, workout.id, entrant)?;
            who_moved(connection, &workout, entrant, before, now, listed)
        })
    }
}

/// Who moved when `entrant`'s ranking input goes from `before` to `after`
/// (`None`: no result), every other result as stored: counted in full and
/// listed up to `listed` changes, in [`placement_impact`]'s order.
///
/// Workouts ranking one row per stored result read the [`RankBand`]
/// between the two values by index range and count the better rows
/// ([`moved_rows`]); a member-scored team workout aggregates the teams once
/// and lists the changed team's movers in one pass ([`team_moves`]).
pub(super) fn who_moved(
    connection: &Connection,
    workout: &Workout,
    entrant: Entrant,
    before: Option<ResultEntry>,
    after: Option<ResultEntry>,
    listed: usize,
) -> Result<MovedPlacements> {
    if ranked_kinds(workout).is_none() {
        return team_moves(connection, workout, entrant, before, after, listed);
    }
    let membership = Membership::of(connection, entrant)?;
    let band = moved_rows(
        connection,
        workout,
        entrant,
        before.as_ref(),
        after,
        &membership,
        listed,
    )?;
    let (rows, below, counted) = match band {
        Some(band) => band,
        None => {
            // Not an index range (an overflowing value): every result.
            let mut rows = load_rank_entries(connection, workout.id)?;
            rows.retain(|row| row.entrant != entrant);
            rows.extend(load_rank_entry(connection, workout.id, entrant)?);
            (rows, RowsBelow::default(), None)
        }
    };
    let mut moved = placement_changes_listed_above(
        connection,
        workout,
        entrant,
        before,
        rows,
        listed,
        &below,
        &membership,
    )?;
    if let Some(counter) = counted {
        // The listing stopped keeping rows: the counts, and the entrant's
        // own places (its other key may lie past the rows kept), are the
        // counter's.
        (moved.changes, moved.entrants) = counter.counts();
        for change in moved
            .listed
            .iter_mut()
            .filter(|change| change.entrant == entrant)
        {
            let (slot, below) = match change.division_id {
                None => (None, below.overall),
                Some(id) => {
                    let slot = membership.own.iter().position(|own| *own == id);
                    let below = below
                        .by_division
                        .iter()
                        .find(|(division, _)| *division == id)
                        .map_or(0, |(_, count)| *count);
                    (slot, below)
                }
            };
            change.old_rank = counter.own_place(true, slot, below);
            change.new_rank = counter.own_place(false, slot, below);
        }
    }
    Ok(moved)
}

/// [`who_moved`] in a member-scored team workout: the member's result
/// changes the aggregate of each team it counts for. With one such team,
/// every team's aggregate is formed once (members' results, one pass) and
/// the team's movers listed by counting (no ranking, no names); a member
/// of several teams changes several rows at once, and both aggregates are
/// ranked in full.
fn team_moves(
    connection: &Connection,
    workout: &Workout,
    entrant: Entrant,
    before: Option<ResultEntry>,
    after: Option<ResultEntry>,
    listed: usize,
) -> Result<MovedPlacements> {
    let Entrant::Competitor(member) = entrant else {
        return Ok(MovedPlacements::of(Vec::new(), listed));
    };
    let teams = member_teams(connection)?;
    let mut after_results = match member_rank_entries(connection, workout)? {
        Some(results) => results,
        None => load_rank_entries(connection, workout.id)?,
    };
    after_results.retain(|result| result.entrant != entrant);
    let counted_for: Vec<&scoretable_core::model::Team> = teams
        .iter()
        .filter(|team| team.members.iter().any(|m| m.competitor_id == member))
        .collect();
    let aggregate = |teams: &[scoretable_core::model::Team], results: &[ResultEntry]| {
        scoretable_core::teams::aggregate_team_results(workout, teams, results)
    };
    if let [team] = counted_for[..] {
        let team_entrant = Entrant::Team(team.id);
        // The team before: its members' results only, the member's old one.
        let mut team_before: Vec<ResultEntry> = after_results
            .iter()
            .filter(|result| {
                team.members
                    .iter()
                    .any(|m| result.entrant == Entrant::Competitor(m.competitor_id))
            })
            .cloned()
            .collect();
        team_before.extend(before);
        let old = aggregate(std::slice::from_ref(team), &team_before).pop();
        after_results.extend(after);
        let rows = aggregate(&teams, &after_results);
        let membership = Membership::of(connection, team_entrant)?;
        return placement_changes_listed_above(
            connection,
            workout,
            team_entrant,
            old,
            rows,
            listed,
            &RowsBelow::default(),
            &membership,
        );
    }
    let mut before_results = after_results.clone();
    after_results.extend(after);
    before_results.extend(before);
    if counted_for.is_empty() {
        // Counted for no team: no ranked row changes.
        return Ok(MovedPlacements::of(Vec::new(), listed));
    }
    // Only teams are ranked here: their infos, not every competitor's.
    let ranked_teams: Vec<Entrant> = teams.iter().map(|team| Entrant::Team(team.id)).collect();
    let infos = crate::leaderboards::load_entrant_infos_for(connection, &ranked_teams)?;
    let rank = |results: &[ResultEntry]| {
        scoretable_core::ranking::rank_workout(workout, &infos, &aggregate(&teams, results))
    };
    Ok(MovedPlacements::of(
        placement_impact(&rank(&before_results), &rank(&after_results)),
        listed,
    ))
}

/// Every team with members, as aggregation needs it: ids and members,
/// from `team_members`' covering `(team_id, competitor_id)` index alone (no
/// names, bibs or divisions: the who-moved listing reads those only for the
/// rows it shows). Members come in id order, not leg order: a team's
/// place does not depend on it (only which of tied members is counted).
fn member_teams(connection: &Connection) -> Result<Vec<scoretable_core::model::Team>> {
    let mut statement = connection.prepare_cached(MEMBER_TEAMS_SQL)?;
    let mut rows = statement.query([])?;
    let mut teams: Vec<scoretable_core::model::Team> = Vec::new();
    while let Some(row) = rows.next()? {
        let team_id: Id = row.get(0)?;
        if teams.last().is_none_or(|team| team.id != team_id) {
            teams.push(scoretable_core::model::Team {
                id: team_id,
                ..Default::default()
            });
        }
        if let Some(team) = teams.last_mut() {
            let order = team.members.len() as u32 + 1;
            team.members.push(scoretable_core::model::TeamMember {
                competitor_id: row.get(1)?,
                order,
            });
        }
    }
    Ok(teams)
}

const MEMBER_TEAMS_SQL: &str =
    "SELECT team_id, competitor_id FROM team_members ORDER BY team_id, competitor_id";

/// The members' results of a member-scored workout as their ranking input
/// (status, kind and value with the penalty added: [`ranked_row`]), read
/// from the covering `results_by_rank_value` instead of the result rows.
/// `None` when the workout ranks rounds+reps (the extra reps are not in
/// that index) or a value is not an integer (an overflowing time plus
/// penalty): the caller reads the rows.
fn member_rank_entries(
    connection: &Connection,
    workout: &Workout,
) -> Result<Option<Vec<ResultEntry>>> {
    if workout.score_type == ScoreType::RoundsReps {
        return Ok(None);
    }
    let mut statement = connection.prepare_cached(&member_values_sql())?;
    let mut rows = statement.query(params![workout.id])?;
    let mut entries = Vec::new();
    while let Some(row) = rows.next()? {
        let entrant = Entrant::Competitor(row.get(0)?);
        if let Some(word) = row
            .get_ref(1)?
            .as_str_or_null()
            .map_err(rusqlite::Error::from)?
        {
            let status = decode(1, Status::from_sql(word))?;
            entries.push(ResultEntry {
                status: Some(status),
                score: None,
                ..ranked_row(entrant, RankedKind::Time, 0, None, None)
            });
            continue;
        }
        let kind = match row
            .get_ref(2)?
            .as_str_or_null()
            .map_err(rusqlite::Error::from)?
        {
            None => continue,
            Some(word) => match ranked_kind_of(word) {
                Some(kind) => kind,
                None => return Ok(None),
            },
        };
        let rusqlite::types::ValueRef::Integer(value) = row.get_ref(3)? else {
            return Ok(None);
        };
        if value == i64::MIN {
            return Ok(None);
        }
        entries.push(ranked_row(entrant, kind, value, None, None));
    }
    Ok(Some(entries))
}

/// The members' status, kind and ranking value: `results_by_rank_value`'s
/// expressions, verbatim, so the index covers the read.
pub(super) fn member_values_sql() -> String {
    format!(
        "SELECT competitor_id, {RANK_STATUS}, {RANK_KIND}, {RANK_VALUE} FROM results
         INDEXED BY results_by_rank_value
         WHERE workout_id = ?1 AND competitor_id IS NOT NULL"
    )
}

/// The changed entrant's divisions, each with its members, and any
/// entrant's membership in them as a bit mask (slot = position in
/// [`own`](Self::own), sorted by id).
pub(crate) struct Membership {
    own: Vec<Id>,
    /// An entrant's divisions among `own`: each subset once, picked by mask.
    subsets: Vec<Vec<Id>>,
    /// Each division's members, sorted: kept only when the ids are not
    /// dense or the entrant has more than 16 divisions.
    member_lists: Vec<Vec<Entrant>>,
    /// More than 16 divisions of one entrant: a map of every member instead.
    member_divisions: HashMap<Entrant, Vec<Id>>,
    /// One bit set per division, by id, when ids are dense: a band read in
    /// rank order meets its rows in random id order, and a bit per entrant
    /// stays in cache where a mask per entrant does not.
    bits: Option<Vec<Vec<u64>>>,
    kind_is_team: bool,
}

/// Ids are rowids, dense in practice; beyond this the member lists are
/// searched instead of bit sets.
const DENSE_IDS: i64 = 4_000_000;

impl Membership {
    pub(crate) fn of(connection: &Connection, entrant: Entrant) -> Result<Membership> {
        let (own_sql, members_sql, make): (&str, &str, fn(Id) -> Entrant) = match entrant {
            Entrant::Competitor(_) => (
                "SELECT division_id FROM competitor_divisions WHERE competitor_id = ?1",
                "SELECT competitor_id FROM competitor_divisions WHERE division_id = ?1",
                Entrant::Competitor,
            ),
            Entrant::Team(_) => (
                "SELECT division_id FROM team_divisions WHERE team_id = ?1",
                "SELECT team_id FROM team_divisions WHERE division_id = ?1",
                Entrant::Team,
            ),
        };
        let id = match entrant {
            Entrant::Competitor(id) | Entrant::Team(id) => id,
        };
        let mut own: Vec<Id> = connection
            .prepare_cached(own_sql)?
            .query_map(params![id], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        own.sort_unstable();
        own.dedup();
        let mut statement = connection.prepare_cached(members_sql)?;
        let mut members_of: Vec<Vec<Id>> = Vec::with_capacity(own.len());
        for division_id in &own {
            members_of.push(
                statement
                    .query_map(params![division_id], |row| row.get(0))?
                    .collect::<rusqlite::Result<_>>()?,
            );
        }
        let dense = members_of
            .iter()
            .flatten()
            .all(|id| (0..DENSE_IDS).contains(id));
        let bits = dense.then(|| {
            members_of
                .iter()
                .map(|members| {
                    let largest = members.iter().copied().max().unwrap_or(0) as usize;
                    let mut set = vec![0_u64; largest / 64 + 1];
                    for id in members {
                        let id = *id as usize;
                        set[id / 64] |= 1 << (id % 64);
                    }
                    set
                })
                .collect::<Vec<_>>()
        });
        let member_lists: Vec<Vec<Entrant>> = if dense && own.len() <= 16 {
            Vec::new()
        } else {
            members_of
                .into_iter()
                .map(|ids| {
                    let mut members: Vec<Entrant> = ids.into_iter().map(make).collect();
                    members.sort_unstable();
                    members
                })
                .collect()
        };
        let subsets: Vec<Vec<Id>> = (0..1_usize << own.len().min(16))
            .map(|mask| {
                own.iter()
                    .enumerate()
                    .filter(|(slot, _)| mask & (1 << slot) != 0)
                    .map(|(_, id)| *id)
                    .collect()
            })
            .collect();
        let mut member_divisions: HashMap<Entrant, Vec<Id>> = HashMap::new();
        if own.len() > 16 {
            for (division_id, members) in own.iter().zip(&member_lists) {
                for member in members {
                    member_divisions
                        .entry(*member)
                        .or_default()
                        .push(*division_id);
                }
            }
        }
        Ok(Membership {
            own,
            subsets,
            member_lists,
            member_divisions,
            bits,
            kind_is_team: matches!(entrant, Entrant::Team(_)),
        })
    }

    /// Every member is of the changed entrant's kind; their ids.
    fn id_of(&self, who: Entrant) -> Option<usize> {
        match (who, self.kind_is_team) {
            (Entrant::Competitor(id), false) | (Entrant::Team(id), true) => {
                usize::try_from(id).ok()
            }
            _ => None,
        }
    }

    /// The changed entrant's divisions that `who` is in (up to 16 of them).
    fn mask_of(&self, who: Entrant) -> usize {
        match &self.bits {
            Some(bits) => {
                let Some(id) = self.id_of(who) else {
                    return 0;
                };
                let (word, bit) = (id / 64, id % 64);
                bits.iter()
                    .take(16)
                    .enumerate()
                    .filter(|(_, set)| set.get(word).is_some_and(|word| word >> bit & 1 == 1))
                    .fold(0, |mask, (slot, _)| mask | (1 << slot))
            }
            None => self
                .member_lists
                .iter()
                .take(16)
                .enumerate()
                .filter(|(_, members)| members.binary_search(&who).is_ok())
                .fold(0, |mask, (slot, _)| mask | (1 << slot)),
        }
    }

    /// The entrant's own divisions, sorted by id.
    pub(crate) fn own(&self) -> &[Id] {
        &self.own
    }

    /// `who`'s divisions among the changed entrant's.
    pub(crate) fn divisions_of(&self, who: Entrant) -> &[Id] {
        if self.own.len() > 16 {
            self.member_divisions
                .get(&who)
                .map_or(&[][..], Vec::as_slice)
        } else {
            self.subsets[self.mask_of(who)].as_slice()
        }
    }

    /// [`MoveCounter`]'s mask: `None` beyond 16 divisions.
    fn counter_mask(&self, who: Entrant) -> Option<u64> {
        (self.own.len() <= 16).then(|| self.mask_of(who) as u64)
    }
}

/// The core's [`places_changed_listing_above`](scoretable_core::moves::places_changed_listing_above)
/// over `after` (the rows that can move and the entrant's own row, as
/// [`moved_rows`] reads them; or every ranked row), with bibs read only for
/// the listed ties.
#[allow(clippy::too_many_arguments)]
pub(super) fn placement_changes_listed_above(
    connection: &Connection,
    workout: &Workout,
    entrant: Entrant,
    before: Option<ResultEntry>,
    after: Vec<ResultEntry>,
    listed: usize,
    below: &RowsBelow,
    membership: &Membership,
) -> Result<MovedPlacements> {
    let bibs = std::cell::RefCell::new(HashMap::<Entrant, String>::new());
    // Every bib, sorted by entrant, once many are needed.
    let all: std::cell::RefCell<Vec<(Entrant, String)>> = Default::default();
    let failure = std::cell::RefCell::new(None);
    // Bibs are asked for rows that share a key with another moved row. A
    // few are looked up by key; once many are needed (a large move through
    // a field ranked to whole seconds), every bib is read in one scan.
    let looked_up = std::cell::Cell::new(0_usize);
    let bib_of = |who: Entrant| -> String {
        if let Some(bib) = bibs.borrow().get(&who) {
            return bib.clone();
        }
        let from_all = |all: &[(Entrant, String)]| {
            all.binary_search_by_key(&who, |(entrant, _)| *entrant)
                .ok()
                .map(|at| all[at].1.clone())
        };
        if let Some(bib) = from_all(&all.borrow()) {
            return bib;
        }
        looked_up.set(looked_up.get() + 1);
        if looked_up.get() == BIBS_BY_KEY {
            match all_bibs(connection) {
                Ok(mut loaded) => {
                    loaded.sort_unstable_by_key(|(entrant, _)| *entrant);
                    *all.borrow_mut() = loaded;
                }
                Err(error) => {
                    failure.borrow_mut().get_or_insert(error);
                }
            }
            if let Some(bib) = from_all(&all.borrow()) {
                return bib;
            }
        }
        match entrant_bib(connection, who) {
            Ok(bib) => {
                bibs.borrow_mut().insert(who, bib.clone());
                bib
            }
            Err(error) => {
                failure.borrow_mut().get_or_insert(error);
                String::new()
            }
        }
    };
    let moved = scoretable_core::moves::places_changed_listing_above(
        workout,
        &after,
        entrant,
        before.as_ref(),
        |who| {
            if who == entrant {
                membership.own.as_slice()
            } else {
                membership.divisions_of(who)
            }
        },
        bib_of,
        listed,
        below,
    );
    if let Some(error) = failure.into_inner() {
        return Err(error);
    }
    Ok(MovedPlacements {
        changes: moved.changes,
        entrants: moved.entrants,
        listed: moved
            .listed
            .into_iter()
            .map(|change| PlacementChange {
                entrant: change.entrant,
                division_id: change.division_id,
                old_rank: change.old_rank,
                new_rank: change.new_rank,
            })
            .collect(),
    })
}

/// Who moved in a workout, counted in full and listed only as far as a
/// command shows ([`CompetitionFile::placement_changes_listed`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedPlacements {
    /// Every changed place (overall and division places).
    pub changes: usize,
    /// The distinct entrants among them.
    pub entrants: usize,
    /// The first changes, in [`placement_impact`]'s order.
    pub listed: Vec<PlacementChange>,
}

impl MovedPlacements {
    pub(super) fn of(all: Vec<PlacementChange>, listed: usize) -> MovedPlacements {
        let mut entrants: Vec<Entrant> = all.iter().map(|change| change.entrant).collect();
        entrants.sort_unstable();
        entrants.dedup();
        MovedPlacements {
            changes: all.len(),
            entrants: entrants.len(),
            listed: all.into_iter().take(listed).collect(),
        }
    }
}

/// How many bibs the who-moved listing looks up by key before it reads them all.
pub(super) const BIBS_BY_KEY: usize = 512;

/// Every competitor's and team's bib, in two scans.
pub(super) fn all_bibs(connection: &Connection) -> Result<Vec<(Entrant, String)>> {
    let mut bibs = Vec::new();
    for (sql, make) in [
        (
            "SELECT id, bib FROM competitors",
            Entrant::Competitor as fn(Id) -> Entrant,
        ),
        (
            "SELECT id, coalesce(bib, '') FROM teams",
            Entrant::Team as fn(Id) -> Entrant,
        ),
    ] {
        let mut statement = connection.prepare_cached(sql)?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            bibs.push((make(row.get(0)?), row.get(1)?));
        }
    }
    Ok(bibs)
}

/// One entrant's bib (`""` for a team without one).
pub(crate) fn entrant_bib(connection: &Connection, entrant: Entrant) -> Result<String> {
    let found: Option<String> = match entrant {
        Entrant::Competitor(id) => connection
            .prepare_cached("SELECT bib FROM competitors WHERE id = ?1")?
            .query_row(params![id], |row| row.get(0))
            .optional()?,
        Entrant::Team(id) => connection
            .prepare_cached("SELECT coalesce(bib, '') FROM teams WHERE id = ?1")?
            .query_row(params![id], |row| row.get(0))
            .optional()?,
    };
    Ok(found.unwrap_or_default())
}

/// The indexed expressions of `results_by_rank_value` (schema version 11)
/// and of the rounds+reps indexes (version 12), verbatim: a result's
/// effective status, kind, ranking value (a time with its penalty, rounds
/// and any other score negated: `scoretable_core::moves::ranked_value`),
/// tie-break and extra reps.
pub(crate) const RANK_STATUS: &str =
    "(CASE WHEN amended THEN amended_status ELSE source_status END)";
pub(crate) const RANK_KIND: &str = "(CASE WHEN amended THEN amended_kind ELSE source_kind END)";
pub(crate) const RANK_VALUE: &str = "(CASE WHEN amended THEN (CASE amended_kind WHEN 'time' THEN amended_a + coalesce(amended_penalty_ms, 0) ELSE -amended_a END) ELSE (CASE source_kind WHEN 'time' THEN source_a + penalty_ms ELSE -source_a END) END)";
pub(crate) const RANK_TIE_BREAK: &str =
    "(CASE WHEN amended THEN amended_tie_break_ms ELSE source_tie_break_ms END)";
pub(crate) const RANK_EXTRA: &str = "(CASE WHEN amended THEN amended_b ELSE source_b END)";

/// Every [`RankedKind`], in declaration order.
pub(crate) const RANKED_KINDS: [RankedKind; 7] = [
    RankedKind::Time,
    RankedKind::Capped,
    RankedKind::Reps,
    RankedKind::Load,
    RankedKind::Distance,
    RankedKind::Points,
    RankedKind::RoundsReps,
];

/// The [`RankedKind`] stored as `word` (`None`: a word this build does not know).
fn ranked_kind_of(word: &str) -> Option<RankedKind> {
    RANKED_KINDS
        .into_iter()
        .find(|kind| kind_word(*kind) == word)
}

fn kind_word(kind: RankedKind) -> &'static str {
    match kind {
        RankedKind::Time => "time",
        RankedKind::Capped => "capped",
        RankedKind::Reps => "reps",
        RankedKind::Load => "load",
        RankedKind::Distance => "distance",
        RankedKind::Points => "points",
        RankedKind::RoundsReps => "rounds_reps",
    }
}

/// The band's rows of one kind, `?2..=?3` in ranking value, in index order
/// (value, then extra reps and tie-break): `results_by_rank_value`, or for
/// rounds+reps `results_rounds_reps_by_rank`, which holds the extra reps.
pub(super) fn band_sql(kind: RankedKind) -> String {
    let word = kind_word(kind);
    if kind == RankedKind::RoundsReps {
        format!(
            "SELECT competitor_id, team_id, {RANK_VALUE}, {RANK_TIE_BREAK}, {RANK_EXTRA} FROM results
             WHERE workout_id = ?1 AND {RANK_STATUS} IS NULL AND {RANK_KIND} = '{word}'
             AND {RANK_VALUE} BETWEEN ?2 AND ?3
             ORDER BY {RANK_VALUE}, {RANK_EXTRA}, {RANK_TIE_BREAK}"
        )
    } else {
        format!(
            "SELECT competitor_id, team_id, {RANK_VALUE}, {RANK_TIE_BREAK}, NULL FROM results
             WHERE workout_id = ?1 AND {RANK_STATUS} IS NULL AND {RANK_KIND} = '{word}'
             AND {RANK_VALUE} BETWEEN ?2 AND ?3
             ORDER BY {RANK_VALUE}, {RANK_TIE_BREAK}"
        )
    }
}

/// The least and the most extra reps of a workout's rounds+reps results:
/// one end of `results_rounds_reps_extra` each.
pub(super) fn extra_reps_sql(most: bool) -> String {
    let end = if most { "max" } else { "min" };
    format!(
        "SELECT {end}({RANK_EXTRA}) FROM results
         WHERE workout_id = ?1 AND {RANK_KIND} = 'rounds_reps'"
    )
}

/// How many ranked rows of one kind have a value `<= ?2`, optionally only
/// the members of division `?3`.
pub(super) fn below_sql(kind: RankedKind, members: Option<Entrant>) -> String {
    let filter = match members {
        None => "",
        Some(Entrant::Competitor(_)) => {
            "AND competitor_id IN (SELECT competitor_id FROM competitor_divisions WHERE division_id = ?3)"
        }
        Some(Entrant::Team(_)) => {
            "AND team_id IN (SELECT team_id FROM team_divisions WHERE division_id = ?3)"
        }
    };
    let word = kind_word(kind);
    format!(
        "SELECT count(*) FROM results
         WHERE workout_id = ?1 AND {RANK_STATUS} IS NULL AND {RANK_KIND} = '{word}'
         AND {RANK_VALUE} <= ?2 {filter}"
    )
}

/// The ids of the ranked rows of one kind valued `<= ?2`, for counting
/// them per division in one pass.
pub(super) fn below_ids_sql(kind: RankedKind) -> String {
    let word = kind_word(kind);
    format!(
        "SELECT competitor_id, team_id FROM results
         WHERE workout_id = ?1 AND {RANK_STATUS} IS NULL AND {RANK_KIND} = '{word}'
         AND {RANK_VALUE} <= ?2"
    )
}

/// The ids of the ranked rows of one kind valued `?2..=?3`: a band's
/// middle, counted without their keys ([`MoveCounter::add_between`]).
pub(super) fn between_ids_sql(kind: RankedKind) -> String {
    let word = kind_word(kind);
    format!(
        "SELECT competitor_id, team_id FROM results
         WHERE workout_id = ?1 AND {RANK_STATUS} IS NULL AND {RANK_KIND} = '{word}'
         AND {RANK_VALUE} BETWEEN ?2 AND ?3"
    )
}

/// The band's rows, the rows better than it and, when the read stopped
/// keeping rows once the listing was complete, the counts of every row read.
pub(crate) type Band = (Vec<ResultEntry>, RowsBelow, Option<MoveCounter>);

/// The rows who-moved needs when `entrant`'s ranking input goes from
/// `before` to `after` (its row as it is, or would be): the [`RankBand`]
/// between the two values read by index range (`results_by_rank_value`,
/// for rounds+reps `results_rounds_reps_by_rank`) plus the entrant's own
/// row, and the rows better than the band counted (overall and in each of
/// the entrant's divisions) without being read.
///
/// When only the first `listed` changes are wanted and the band is read in
/// rank order, rows are kept only until the listing is complete (more than
/// `listed` movers, and every row of the last one's score group); the
/// rest are counted as they are read ([`MoveCounter`]), not kept.
///
/// `None` when a value is not an integer in the index (an overflowing time
/// plus penalty): the caller reads every result.
pub(crate) fn moved_rows(
    connection: &Connection,
    workout: &Workout,
    entrant: Entrant,
    before: Option<&ResultEntry>,
    after: Option<ResultEntry>,
    membership: &Membership,
    listed: usize,
) -> Result<Option<Band>> {
    let per_round = workout.reps_per_round.filter(|per_round| *per_round > 0);
    let extra_reps = if workout.score_type == ScoreType::RoundsReps && per_round.is_some() {
        let end = |most: bool| -> Result<Option<i64>> {
            Ok(connection
                .prepare_cached(&extra_reps_sql(most))?
                .query_row(params![workout.id], |row| row.get(0))?)
        };
        match (end(false)?, end(true)?) {
            (Some(least), Some(most)) => Some((least, most)),
            _ => None,
        }
    } else {
        None
    };
    let Some(band) = rank_band(workout, before, after.as_ref(), extra_reps) else {
        // Neither value is ranked: nobody else moves.
        return Ok(Some((
            after.into_iter().collect(),
            RowsBelow::default(),
            None,
        )));
    };
    // Count while reading, keep only what the listing needs.
    let mut counter = (listed < usize::MAX && band.in_rank_order && membership.own.len() <= 16)
        .then(|| MoveCounter::new(workout, before, after.as_ref(), membership.own.len()))
        .flatten();
    // The score group of the mover past the listed ones; rows of a later
    // group are no longer kept.
    let mut last_group = None;
    let mut truncated = false;
    let mut rows: Vec<ResultEntry> = Vec::new();
    for part in &band.kinds {
        let Some((low, high)) = part.read else {
            continue;
        };
        // The values whose rows rank strictly between the two keys: once
        // the listing is complete, they are counted from their ids alone.
        let between = counter
            .as_ref()
            .and_then(|counter| counter.between(workout, part.kind, (low, high)));
        let mut from = low;
        loop {
            let mut statement = connection.prepare_cached(&band_sql(part.kind))?;
            let mut found = statement.query(params![workout.id, from, high])?;
            // Where the read in full stops: the first value (all its rows
            // unread) inside `between` once the listing is complete.
            let mut counted_from = None;
            let mut previous = None;
            while let Some(row) = found.next()? {
                let rusqlite::types::ValueRef::Integer(value) = row.get_ref(2)? else {
                    // An overflowing time plus penalty: not an integer key.
                    return Ok(None);
                };
                if truncated
                    && previous != Some(value)
                    && between.is_some_and(|(first, last)| (first..=last).contains(&value))
                {
                    counted_from = Some(value);
                    break;
                }
                previous = Some(value);
                let who = entrant_from_columns(row.get(0)?, row.get(1)?)?;
                if who == entrant {
                    continue;
                }
                let result = ranked_row(who, part.kind, value, row.get(4)?, row.get(3)?);
                let Some(counter) = counter.as_mut() else {
                    rows.push(result);
                    continue;
                };
                if let Some(mask) = membership.counter_mask(who) {
                    counter.add(workout, &result, mask);
                }
                if truncated {
                    continue;
                }
                let group = score_group(workout, &result);
                if last_group.is_some_and(|last| group > last) {
                    truncated = true;
                    continue;
                }
                rows.push(result);
                if last_group.is_none() && counter.moved() > listed {
                    last_group = Some(group);
                }
            }
            let (Some(at), Some((_, last)), Some(counter)) =
                (counted_from, between, counter.as_mut())
            else {
                break;
            };
            let mut ids = connection.prepare_cached(&between_ids_sql(part.kind))?;
            let mut found = ids.query(params![workout.id, at, last])?;
            while let Some(row) = found.next()? {
                let who = entrant_from_columns(row.get(0)?, row.get(1)?)?;
                if who == entrant {
                    continue;
                }
                if let Some(mask) = membership.counter_mask(who) {
                    counter.add_between(mask);
                }
            }
            if last >= high {
                break;
            }
            // The rows past the middle, near the other key: read in full.
            from = last + 1;
        }
    }
    rows.extend(after);
    // Rows better than the band: counted, not read.
    let mut below = RowsBelow {
        overall: 0,
        by_division: membership.own.iter().map(|id| (*id, 0)).collect(),
    };
    let count = |sql: &str, bound: i64, division: Option<Id>| -> Result<u32> {
        let mut statement = connection.prepare_cached(sql)?;
        let counted: i64 = match division {
            None => statement.query_row(params![workout.id, bound], |row| row.get(0))?,
            Some(division) => {
                statement.query_row(params![workout.id, bound, division], |row| row.get(0))?
            }
        };
        Ok(u32::try_from(counted).unwrap_or(u32::MAX))
    };
    // With the divisions as bit sets, one pass over the rows' ids counts
    // every division at once (a count per division probes its member list
    // for every row).
    let one_pass = membership.bits.is_some() && (1..=16).contains(&membership.own.len());
    for part in &band.kinds {
        let Some(bound) = part.below else {
            continue;
        };
        if one_pass {
            let mut statement = connection.prepare_cached(&below_ids_sql(part.kind))?;
            let mut found = statement.query(params![workout.id, bound])?;
            while let Some(row) = found.next()? {
                let who = entrant_from_columns(row.get(0)?, row.get(1)?)?;
                below.overall += 1;
                let mask = membership.mask_of(who);
                for (slot, (_, counted)) in below.by_division.iter_mut().enumerate() {
                    if mask & (1 << slot) != 0 {
                        *counted += 1;
                    }
                }
            }
            continue;
        }
        below.overall += count(&below_sql(part.kind, None), bound, None)?;
        let division_sql = below_sql(part.kind, Some(entrant));
        for (division, counted) in below.by_division.iter_mut() {
            *counted += count(&division_sql, bound, Some(*division))?;
        }
    }
    let counted = counter.filter(|_| truncated);
    Ok(Some((rows, below, counted)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(connection: &Connection, sql: &str) -> String {
        let mut statement = connection
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let details: Vec<String> = statement
            .query_map([], |row| row.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        details.join("; ")
    }

    #[test]
    fn the_index_holds_the_expressions_the_queries_use_verbatim() {
        for expression in [RANK_STATUS, RANK_KIND, RANK_VALUE, RANK_TIE_BREAK] {
            assert!(
                crate::schema::SCHEMA_V11.contains(expression),
                "{expression} is not indexed verbatim"
            );
        }
        for expression in [
            RANK_STATUS,
            RANK_KIND,
            RANK_VALUE,
            RANK_TIE_BREAK,
            RANK_EXTRA,
        ] {
            assert!(
                crate::schema::SCHEMA_V12.contains(expression),
                "{expression} is not indexed verbatim in version 12"
            );
        }
    }

    #[test]
    fn the_band_and_the_counts_below_it_are_index_ranges() {
        let directory = tempfile::tempdir().unwrap();
        let file = CompetitionFile::create(
            directory.path().join("plan.scoretable"),
            &scoretable_testkit::fixtures::competition("Plan", "plan"),
        )
        .unwrap();
        let connection = &file.connection;
        for kind in super::RANKED_KINDS {
            let band = plan(connection, &band_sql(kind).replace('?', "1 + 0*"));
            let index = if kind == RankedKind::RoundsReps {
                "COVERING INDEX results_rounds_reps_by_rank"
            } else {
                "COVERING INDEX results_by_rank_value"
            };
            assert!(band.contains(index), "band ({kind:?}): {band}");
            // Read in index order: no sort, so a read can stop early.
            assert!(!band.contains("TEMP B-TREE"), "band ({kind:?}): {band}");
            for sql in [below_ids_sql(kind), between_ids_sql(kind)] {
                let ids = plan(connection, &sql.replace('?', "1 + 0*"));
                assert!(
                    ids.contains("COVERING INDEX results_by_rank_value")
                        || ids.contains("COVERING INDEX results_rounds_reps_by_rank"),
                    "ids ({kind:?}): {ids}"
                );
            }
            for members in [None, Some(Entrant::Competitor(1)), Some(Entrant::Team(1))] {
                let counted = plan(connection, &below_sql(kind, members).replace('?', "1 + 0*"));
                assert!(
                    counted.contains("COVERING INDEX results_by_rank_value")
                        || counted.contains("COVERING INDEX results_rounds_reps_by_rank"),
                    "count below ({kind:?}, {members:?}): {counted}"
                );
            }
        }
        let teams = plan(connection, MEMBER_TEAMS_SQL);
        assert!(
            teams.contains("COVERING INDEX") && !teams.contains("TEMP B-TREE"),
            "member teams: {teams}"
        );
        let members = plan(connection, &member_values_sql().replace('?', "1 + 0*"));
        assert!(
            members.contains("COVERING INDEX results_by_rank_value"),
            "members' values: {members}"
        );
        for most in [false, true] {
            let end = plan(connection, &extra_reps_sql(most).replace('?', "1 + 0*"));
            assert!(
                end.contains("COVERING INDEX results_rounds_reps_extra"),
                "extra reps ({most}): {end}"
            );
        }
    }
}
