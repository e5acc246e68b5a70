//! Who moved: placement changes after an amendment, counted in full and
//! listed as far as a caller shows, with the bibs and divisions they name.

use super::*;

use scoretable_core::moves::{
    rank_band, ranked_kinds, ranked_row, RankBand, RankedKind, RowsBelow,
};

impl CompetitionFile {
    /// Who moved in a workout since `entrant`'s effective value was `old`
    /// (`None`: no result): the places of the workout as stored now against
    /// the same results with `old` in place of the entrant's current value.
    /// Reads the rows whose effective value lies between the old and the
    /// new value as an index range and counts the rows better than both
    /// (see [`moved_rows`]), never a ranking; member-scored team workouts are
    /// ranked in full and rounds-and-reps workouts read every result.
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
    /// prints the first few: bibs are read only to order the listed ties.
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
            let (after, below) = moved_rows(connection, &workout, entrant, before.as_ref())?;
            placement_changes_listed_above(
                connection, &workout, entrant, before, after, listed, &below,
            )
        })
    }
}

/// Who moved when `entrant`'s ranking input went from `before` to its row in
/// `after` (every result of the workout as it is, or would be, after).
pub(super) fn placement_changes(
    connection: &Connection,
    workout: &Workout,
    entrant: Entrant,
    before: Option<ResultEntry>,
    after: Vec<ResultEntry>,
) -> Result<Vec<PlacementChange>> {
    Ok(placement_changes_listed(connection, workout, entrant, before, after, usize::MAX)?.listed)
}

/// Who moved, counted in full and listed up to `listed` changes (see
/// [`MovedPlacements`]).
pub(super) fn placement_changes_listed(
    connection: &Connection,
    workout: &Workout,
    entrant: Entrant,
    before: Option<ResultEntry>,
    after: Vec<ResultEntry>,
    listed: usize,
) -> Result<MovedPlacements> {
    placement_changes_listed_above(
        connection,
        workout,
        entrant,
        before,
        after,
        listed,
        &RowsBelow::default(),
    )
}

/// [`placement_changes_listed`] over the rows [`moved_rows`] reads: `after`
/// holds the band of rows that can move, `below` counts the better rows
/// left out.
pub(super) fn placement_changes_listed_above(
    connection: &Connection,
    workout: &Workout,
    entrant: Entrant,
    before: Option<ResultEntry>,
    after: Vec<ResultEntry>,
    listed: usize,
    below: &RowsBelow,
) -> Result<MovedPlacements> {
    if matches!(
        workout.team_scoring,
        TeamScoring::SumAll | TeamScoring::BestN { .. }
    ) {
        // A member's result changes their team's aggregate: rank both in full.
        let mut before_results: Vec<ResultEntry> = after
            .iter()
            .filter(|result| result.entrant != entrant)
            .cloned()
            .collect();
        before_results.extend(before);
        let infos = crate::leaderboards::load_entrant_infos(connection)?;
        let teams = crate::competitors::load_teams(connection, "1", &[])?;
        let rank = |results: &[ResultEntry]| {
            let inputs = scoretable_core::teams::aggregate_team_results(workout, &teams, results);
            scoretable_core::ranking::rank_workout(workout, &infos, &inputs)
        };
        return Ok(MovedPlacements::of(
            placement_impact(&rank(&before_results), &rank(&after)),
            listed,
        ));
    }
    let mut divisions = entrant_division_members(connection, entrant)?;
    let own: Vec<Id> = divisions.keys().copied().collect();
    for members in divisions.values_mut() {
        members.sort_unstable();
    }
    // An entrant's divisions among the changed entrant's own are one of the
    // subsets of `own`: each subset once, picked by a bit mask of binary
    // searches in the sorted member lists (no map of every member).
    let subsets: Vec<Vec<Id>> = (0..1_usize << own.len().min(16))
        .map(|mask| {
            own.iter()
                .enumerate()
                .filter(|(slot, _)| mask & (1 << slot) != 0)
                .map(|(_, id)| *id)
                .collect()
        })
        .collect();
    let member_lists: Vec<&Vec<Entrant>> = divisions.values().collect();
    // More than 16 divisions of one entrant: a map of every member instead.
    let mut member_divisions: HashMap<Entrant, Vec<Id>> = HashMap::new();
    if own.len() > 16 {
        for (division_id, members) in &divisions {
            for member in members {
                member_divisions
                    .entry(*member)
                    .or_default()
                    .push(*division_id);
            }
        }
    }
    // Every member is of the changed entrant's kind; their masks by id.
    let id_of = |who: Entrant| match (who, entrant) {
        (Entrant::Competitor(id), Entrant::Competitor(_))
        | (Entrant::Team(id), Entrant::Team(_)) => usize::try_from(id).ok(),
        _ => None,
    };
    let largest = member_lists
        .iter()
        .flat_map(|members| members.last())
        .filter_map(|who| id_of(*who))
        .max();
    // Ids are rowids, dense in practice; sparse ones search the lists.
    let dense = largest.is_none_or(|id| id < 4_000_000);
    let mut masks: Vec<u16> = vec![0; largest.filter(|_| dense).map_or(0, |id| id + 1)];
    if dense {
        for (slot, members) in member_lists.iter().take(16).enumerate() {
            for id in members.iter().filter_map(|who| id_of(*who)) {
                masks[id] |= 1 << slot;
            }
        }
    }
    let mask_of = |who: Entrant| -> usize {
        if dense {
            return id_of(who)
                .and_then(|id| masks.get(id))
                .map_or(0, |mask| usize::from(*mask));
        }
        member_lists
            .iter()
            .take(16)
            .enumerate()
            .filter(|(_, members)| members.binary_search(&who).is_ok())
            .fold(0, |mask, (slot, _)| mask | (1 << slot))
    };
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
                own.as_slice()
            } else if own.len() > 16 {
                member_divisions.get(&who).map_or(&[][..], Vec::as_slice)
            } else {
                subsets[mask_of(who)].as_slice()
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

/// The divisions of one entrant, each with its members: two indexed queries.
pub(crate) fn entrant_division_members(
    connection: &Connection,
    entrant: Entrant,
) -> Result<std::collections::BTreeMap<Id, Vec<Entrant>>> {
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
    let own: Vec<Id> = connection
        .prepare_cached(own_sql)?
        .query_map(params![id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut divisions = std::collections::BTreeMap::new();
    let mut statement = connection.prepare_cached(members_sql)?;
    for division_id in own {
        let members: Vec<Entrant> = statement
            .query_map(params![division_id], |row| row.get(0).map(make))?
            .collect::<rusqlite::Result<_>>()?;
        divisions.insert(division_id, members);
    }
    Ok(divisions)
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

/// The indexed expressions of `results_by_rank_value` (schema version 11),
/// verbatim: a result's effective status, kind, ranking value (a time with
/// its penalty, any other score negated: `scoretable_core::moves::ranked_value`)
/// and tie-break.
pub(crate) const RANK_STATUS: &str =
    "(CASE WHEN amended THEN amended_status ELSE source_status END)";
pub(crate) const RANK_KIND: &str = "(CASE WHEN amended THEN amended_kind ELSE source_kind END)";
pub(crate) const RANK_VALUE: &str = "(CASE WHEN amended THEN (CASE amended_kind WHEN 'time' THEN amended_a + coalesce(amended_penalty_ms, 0) ELSE -amended_a END) ELSE (CASE source_kind WHEN 'time' THEN source_a + penalty_ms ELSE -source_a END) END)";
pub(crate) const RANK_TIE_BREAK: &str =
    "(CASE WHEN amended THEN amended_tie_break_ms ELSE source_tie_break_ms END)";

fn kind_word(kind: RankedKind) -> &'static str {
    match kind {
        RankedKind::Time => "time",
        RankedKind::Capped => "capped",
        RankedKind::Reps => "reps",
        RankedKind::Load => "load",
        RankedKind::Distance => "distance",
        RankedKind::Points => "points",
    }
}

/// The band's rows of one kind, `low..=high` in ranking value.
pub(super) fn band_sql() -> String {
    format!(
        "SELECT competitor_id, team_id, {RANK_VALUE}, {RANK_TIE_BREAK} FROM results
         WHERE workout_id = ?1 AND {RANK_STATUS} IS NULL AND {RANK_KIND} = ?2
         AND {RANK_VALUE} BETWEEN ?3 AND ?4"
    )
}

/// How many ranked rows of one kind have a value `<= ?3`, optionally only
/// the members of division `?4`.
pub(super) fn below_sql(members: Option<Entrant>) -> String {
    let filter = match members {
        None => "",
        Some(Entrant::Competitor(_)) => {
            "AND competitor_id IN (SELECT competitor_id FROM competitor_divisions WHERE division_id = ?4)"
        }
        Some(Entrant::Team(_)) => {
            "AND team_id IN (SELECT team_id FROM team_divisions WHERE division_id = ?4)"
        }
    };
    format!(
        "SELECT count(*) FROM results
         WHERE workout_id = ?1 AND {RANK_STATUS} IS NULL AND {RANK_KIND} = ?2
         AND {RANK_VALUE} <= ?3 {filter}"
    )
}

/// The rows who-moved needs after `entrant`'s ranking input went from
/// `before` to what is stored now: for workouts with
/// [`ranked_kinds`], the [`RankBand`] between the two values read by index
/// range (`results_by_rank_value`) plus the entrant's own row, and the rows
/// better than the band counted (overall and in each of the entrant's
/// divisions) without being read. Other workouts (rounds and reps,
/// member-scored teams), and a value the index cannot hold as an integer,
/// read every result.
pub(crate) fn moved_rows(
    connection: &Connection,
    workout: &Workout,
    entrant: Entrant,
    before: Option<&ResultEntry>,
) -> Result<(Vec<ResultEntry>, RowsBelow)> {
    let every_result = || -> Result<(Vec<ResultEntry>, RowsBelow)> {
        Ok((
            load_rank_entries(connection, workout.id)?,
            RowsBelow::default(),
        ))
    };
    let Some(kinds) = ranked_kinds(workout) else {
        return every_result();
    };
    let own = load_rank_entry(connection, workout.id, entrant)?;
    let Some(RankBand { from, to }) = rank_band(workout, before, own.as_ref()) else {
        // Neither value is ranked: nobody else moves.
        return Ok((own.into_iter().collect(), RowsBelow::default()));
    };
    let mut rows: Vec<ResultEntry> = Vec::new();
    let last = to.map_or(kinds.len() - 1, |(kind, _)| kind);
    let mut statement = connection.prepare_cached(&band_sql())?;
    for (index, kind) in kinds.iter().enumerate().take(last + 1).skip(from.0) {
        let low = if index == from.0 { from.1 } else { i64::MIN };
        let high = match to {
            Some((to_kind, value)) if to_kind == index => value,
            _ => i64::MAX,
        };
        let mut found = statement.query(params![workout.id, kind_word(*kind), low, high])?;
        while let Some(row) = found.next()? {
            let who = entrant_from_columns(row.get(0)?, row.get(1)?)?;
            let rusqlite::types::ValueRef::Integer(value) = row.get_ref(2)? else {
                // An overflowing time plus penalty: not an integer key.
                return every_result();
            };
            if who != entrant {
                rows.push(ranked_row(who, *kind, value, row.get(3)?));
            }
        }
    }
    rows.extend(own);
    // Rows better than the band: every ranked row of a better kind, and
    // those of the band's first kind valued below it.
    let divisions: Vec<Id> = match entrant {
        Entrant::Competitor(id) => connection
            .prepare_cached(
                "SELECT division_id FROM competitor_divisions WHERE competitor_id = ?1",
            )?
            .query_map(params![id], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?,
        Entrant::Team(id) => connection
            .prepare_cached("SELECT division_id FROM team_divisions WHERE team_id = ?1")?
            .query_map(params![id], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?,
    };
    let mut below = RowsBelow {
        overall: 0,
        by_division: divisions.iter().map(|id| (*id, 0)).collect(),
    };
    let parts: Vec<(RankedKind, i64)> = kinds
        .iter()
        .enumerate()
        .take(from.0 + 1)
        .filter_map(|(index, kind)| {
            if index < from.0 {
                Some((*kind, i64::MAX))
            } else {
                from.1.checked_sub(1).map(|bound| (*kind, bound))
            }
        })
        .collect();
    let count = |sql: &str, kind: RankedKind, bound: i64, division: Option<Id>| -> Result<u32> {
        let mut statement = connection.prepare_cached(sql)?;
        let counted: i64 = match division {
            None => statement.query_row(params![workout.id, kind_word(kind), bound], |row| {
                row.get(0)
            })?,
            Some(division) => statement.query_row(
                params![workout.id, kind_word(kind), bound, division],
                |row| row.get(0),
            )?,
        };
        Ok(u32::try_from(counted).unwrap_or(u32::MAX))
    };
    let overall_sql = below_sql(None);
    let division_sql = below_sql(Some(entrant));
    for (kind, bound) in parts {
        below.overall += count(&overall_sql, kind, bound, None)?;
        for (division, counted) in below.by_division.iter_mut() {
            *counted += count(&division_sql, kind, bound, Some(*division))?;
        }
    }
    Ok((rows, below))
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
    }

    #[test]
    fn the_band_and_the_counts_below_it_are_index_ranges() {
        let directory = tempfile::tempdir().unwrap();
        let file = CompetitionFile::create(
            directory.path().join("plan.scoretable"),
            &scoretable_core::model::Competition {
                name: "Plan".into(),
                slug: "plan".into(),
                start_date: "2026-06-01".into(),
                end_date: "2026-06-01".into(),
                venue: String::new(),
                country: String::new(),
                organiser: String::new(),
                time_zone: "UTC".into(),
            },
        )
        .unwrap();
        let connection = &file.connection;
        let band = plan(connection, &band_sql().replace('?', "1 + 0*"));
        assert!(
            band.contains("COVERING INDEX results_by_rank_value"),
            "band: {band}"
        );
        for members in [None, Some(Entrant::Competitor(1)), Some(Entrant::Team(1))] {
            let counted = plan(connection, &below_sql(members).replace('?', "1 + 0*"));
            assert!(
                counted.contains("COVERING INDEX results_by_rank_value"),
                "count below ({members:?}): {counted}"
            );
        }
    }
}
