//! Who moved: placement changes after an amendment, counted in full and
//! listed as far as a caller shows, with the bibs and divisions they name.

use super::*;

impl CompetitionFile {
    /// Who moved in a workout since `entrant`'s effective value was `old`
    /// (`None`: no result): the places of the workout as stored now against
    /// the same results with `old` in place of the entrant's current value.
    /// Costs one pass over the workout's ranking columns (see
    /// [`scoretable_core::moves`]), never a ranking; member-scored team
    /// workouts are ranked in full.
    pub fn placement_changes_since(
        &self,
        workout_id: Id,
        entrant: Entrant,
        old: Option<&ScoreValue>,
    ) -> Result<Vec<PlacementChange>> {
        self.read(|connection| {
            let workout = load_workout(connection, workout_id)?;
            let after = load_rank_entries(connection, workout_id)?;
            let before = old.map(|old| amended_entry(entrant, old)).map(|mut entry| {
                // The value before carries its own source; only the fields
                // that rank matter here.
                entry.amended = false;
                entry
            });
            placement_changes(connection, &workout, entrant, before, after)
        })
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
            let after = load_rank_entries(connection, workout_id)?;
            let before = old.map(|old| amended_entry(entrant, old)).map(|mut entry| {
                entry.amended = false;
                entry
            });
            placement_changes_listed(connection, &workout, entrant, before, after, listed)
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
    let moved = scoretable_core::moves::places_changed_listing(
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
