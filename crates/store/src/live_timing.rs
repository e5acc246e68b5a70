//! What a live-timing message shows of one workout (the World Triathlon
//! message of `scoretable_sync::triathlon`), read in one snapshot: the
//! workout's own result rows and splits (through `results_by_workout`), and
//! only the columns the message prints of the entrants on its start list or
//! with a result, looked up by key. A wave of 150 athletes in a file of
//! 60,000 reads 150 results, their splits and 150 competitors, whatever the
//! size of the file; every statement is prepared once per handle (the
//! connection never plans a cached statement again when it is bound again:
//! `crate::competition_file`).

use std::collections::HashMap;

use rusqlite::{params, Connection};
use scoretable_core::model::{
    Entrant, EntrantInfo, Id, RankedRow, ResultEntry, Split, TeamMember, TeamScoring, Workout,
};
use scoretable_core::ranking::{rank_workout_with, RankDetail};
use scoretable_core::teams::aggregate_team_results;

use crate::codec::id_list;
use crate::competition_file::CompetitionFile;
use crate::error::Result;
use crate::results::{rank_entry_from_row, RANK_COLUMNS};
use crate::workouts::load_workout;

/// What the message prints of a competitor (borrowed from its
/// [`LiveTimingWave`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveTimingCompetitor<'a> {
    pub id: Id,
    pub bib: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub country: Option<&'a str>,
    pub triathlon_athlete_id: Option<&'a str>,
    pub para_class: Option<&'a str>,
}

/// The printed columns of the wave's competitors: every text in one string,
/// each competitor a row of offsets into it (no string allocated per
/// column and competitor).
#[derive(Debug, Clone, Default)]
struct CompetitorTexts {
    text: String,
    /// Sorted by id once the wave is read.
    rows: Vec<CompetitorRow>,
}

/// A competitor's id and where each of its six columns (bib, first name,
/// last name, country, World Triathlon id, para class) ends in
/// [`CompetitorTexts::text`]; a column starts where the one before ends (the
/// first where `start` says).
#[derive(Debug, Clone, Copy)]
struct CompetitorRow {
    id: Id,
    start: u32,
    ends: [u32; 6],
    /// Bit `i` set: column `i` is NULL.
    nulls: u8,
}

impl CompetitorTexts {
    fn get(&self, id: Id) -> Option<LiveTimingCompetitor<'_>> {
        let at = self.rows.binary_search_by_key(&id, |row| row.id).ok()?;
        let row = &self.rows[at];
        let mut start = row.start as usize;
        let mut columns: [Option<&str>; 6] = [None; 6];
        for (index, end) in row.ends.iter().enumerate() {
            let end = *end as usize;
            if row.nulls & (1 << index) == 0 {
                columns[index] = Some(&self.text[start..end]);
            }
            start = end;
        }
        Some(LiveTimingCompetitor {
            id: row.id,
            bib: columns[0].unwrap_or_default(),
            first_name: columns[1].unwrap_or_default(),
            last_name: columns[2].unwrap_or_default(),
            country: columns[3],
            triathlon_athlete_id: columns[4],
            para_class: columns[5],
        })
    }

    fn contains(&self, id: Id) -> bool {
        self.rows.binary_search_by_key(&id, |row| row.id).is_ok()
    }

    /// Appends the competitor whose id is `id` and whose six printed
    /// columns start at column `first` of `row`.
    fn push_row(&mut self, row: &rusqlite::Row<'_>, first: usize, id: Id) -> Result<()> {
        let start = self.text.len();
        let mut ends = [0_u32; 6];
        let mut nulls = 0_u8;
        for (index, end) in ends.iter_mut().enumerate() {
            match row
                .get_ref(first + index)?
                .as_str_or_null()
                .map_err(rusqlite::Error::from)?
            {
                Some(text) => self.text.push_str(text),
                None => nulls |= 1 << index,
            }
            *end = offset(self.text.len())?;
        }
        self.rows.push(CompetitorRow {
            id,
            start: offset(start)?,
            ends,
            nulls,
        });
        Ok(())
    }

    fn sort(&mut self) {
        self.rows.sort_unstable_by_key(|row| row.id);
        self.rows.dedup_by_key(|row| row.id);
    }
}

/// A text offset as stored in a [`CompetitorRow`].
fn offset(at: usize) -> Result<u32> {
    u32::try_from(at).map_err(|_| {
        crate::error::StoreError::Conflict(
            "the competitors' printed columns of one workout exceed 4 GiB".to_string(),
        )
    })
}

/// What the message prints of a team, with its members in member order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveTimingTeam {
    pub id: Id,
    pub name: String,
    pub bib: Option<String>,
    pub country: Option<String>,
    pub triathlon_athlete_id: Option<String>,
    pub members: Vec<TeamMember>,
}

/// One workout as its live-timing message shows it
/// ([`CompetitionFile::live_timing_wave`]).
#[derive(Debug, Clone)]
pub struct LiveTimingWave {
    /// The competition's name.
    pub competition_name: String,
    /// The workout with its timing points and heats.
    pub workout: Workout,
    /// The workout ranked: the rows of
    /// [`CompetitionFile::workout_leaderboard`] (same order, places, scores,
    /// statuses, differences, and splits with their totals and legs) without
    /// what the message does not show or works out itself: division places,
    /// display texts, and the splits' positions and differences (left at 0;
    /// the message places every timing point by its own rules).
    pub rows: Vec<RankedRow>,
    /// Everyone on the start list (heat lanes, in heat and lane order), then
    /// everyone with a row (in ranking order), each once.
    pub entrants: Vec<Entrant>,
    /// The incident notes of the workout's stored results that have any.
    pub incidents: HashMap<Entrant, Vec<String>>,
    /// The entrants' competitors and the members of their teams, by id.
    competitors: CompetitorTexts,
    /// The entrants' teams (and for a member-scored workout the teams of
    /// the members with a result), by id.
    teams: Vec<LiveTimingTeam>,
}

impl LiveTimingWave {
    /// A competitor of the wave (an entrant or a member of an entrant team).
    pub fn competitor(&self, id: Id) -> Option<LiveTimingCompetitor<'_>> {
        self.competitors.get(id)
    }

    /// A team of the wave.
    pub fn team(&self, id: Id) -> Option<&LiveTimingTeam> {
        self.teams
            .binary_search_by_key(&id, |team| team.id)
            .ok()
            .map(|at| &self.teams[at])
    }
}

impl CompetitionFile {
    /// Reads one workout as its live-timing message shows it, in one read
    /// transaction (a write by another program meanwhile is wholly in it or
    /// not at all): the workout, its results with splits and incidents (one
    /// index range each), ranked, and of the entrants only the columns the
    /// message prints.
    pub fn live_timing_wave(&self, workout_id: Id) -> Result<LiveTimingWave> {
        self.read(|connection| load_live_timing_wave(connection, workout_id))
    }
}

/// The workout's results (ranking columns, id, incidents) with their
/// competitors' printed columns and their splits packed by
/// [`PackedSplits`], in id order: one statement, one row a result (a
/// split is not a row of its own, which cost more than reading it).
fn results_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!(
            "SELECT {RANK_COLUMNS}, r.id, r.incidents, c.id, c.bib, c.first_name, c.last_name,
                c.country, c.triathlon_athlete_id, c.para_class,
                (SELECT {PACKED_SPLITS}(s.timing_point_id, s.total_ms)
                 FROM result_splits s WHERE s.result_id = r.id)
             FROM results r INDEXED BY results_by_workout
             LEFT JOIN competitors c ON c.id = r.competitor_id
             WHERE r.workout_id = ?1 ORDER BY r.id"
        )
    })
}

/// The name of the SQL aggregate [`PackedSplits`].
const PACKED_SPLITS: &str = "scoretable_packed_splits";

/// An SQL aggregate of (timing point id, total ms) pairs: one blob of 16
/// bytes a split (the two as little-endian 64-bit integers), in the order
/// the rows come (for one result's splits through the primary key: by
/// timing point id); NULL without any. Reading a result's splits as one
/// blob instead of a row each saves SQLite's and rusqlite's work per row
/// (stepping, one call per column).
struct PackedSplits;

impl rusqlite::functions::Aggregate<Vec<u8>, Option<Vec<u8>>> for PackedSplits {
    fn init(&self, _: &mut rusqlite::functions::Context<'_>) -> rusqlite::Result<Vec<u8>> {
        // Room for 16 splits before it grows.
        Ok(Vec::with_capacity(256))
    }

    fn step(
        &self,
        context: &mut rusqlite::functions::Context<'_>,
        packed: &mut Vec<u8>,
    ) -> rusqlite::Result<()> {
        let point: i64 = context.get(0)?;
        let total: i64 = context.get(1)?;
        packed.extend_from_slice(&point.to_le_bytes());
        packed.extend_from_slice(&total.to_le_bytes());
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut rusqlite::functions::Context<'_>,
        packed: Option<Vec<u8>>,
    ) -> rusqlite::Result<Option<Vec<u8>>> {
        Ok(packed)
    }
}

/// Registers the store's SQL functions ([`PackedSplits`]) on a connection.
pub(crate) fn register_functions(connection: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    connection.create_aggregate_function(
        PACKED_SPLITS,
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        PackedSplits,
    )
}

/// The splits [`PackedSplits`] packed into `packed` (column `column`).
fn unpack_splits(packed: &[u8], column: usize, splits: &mut Vec<Split>) -> rusqlite::Result<()> {
    if !packed.len().is_multiple_of(16) {
        return Err(rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Blob,
            format!("packed splits of {} bytes, not whole splits", packed.len()).into(),
        ));
    }
    splits.reserve_exact(packed.len() / 16);
    for split in packed.chunks_exact(16) {
        let (point, total) = split.split_at(8);
        splits.push(Split {
            timing_point_id: i64::from_le_bytes(point.try_into().expect("8 bytes")),
            total_ms: i64::from_le_bytes(total.try_into().expect("8 bytes")),
        });
    }
    Ok(())
}

fn load_live_timing_wave(connection: &Connection, workout_id: Id) -> Result<LiveTimingWave> {
    let competition_name: String = connection
        .prepare_cached("SELECT name FROM competition WHERE id = 1")?
        .query_row([], |row| row.get(0))?;
    let workout = load_workout(connection, workout_id)?;

    // The workout's results in id order: effective ones as the engine ranks
    // them with their splits, incident notes of every row, and the printed
    // columns of each row's competitor (joined by key: no list of ids to
    // build).
    let mut results: Vec<ResultEntry> = Vec::new();
    let mut incidents: HashMap<Entrant, Vec<String>> = HashMap::new();
    let mut competitors = CompetitorTexts::default();
    {
        let mut statement = connection.prepare_cached(results_sql())?;
        let mut rows = statement.query(params![workout_id])?;
        while let Some(row) = rows.next()? {
            let notes = row.get_ref(17)?.as_str().map_err(rusqlite::Error::from)?;
            if notes != "[]" {
                let notes: Vec<String> = serde_json::from_str(notes).map_err(|error| {
                    rusqlite::Error::FromSqlConversionFailure(
                        17,
                        rusqlite::types::Type::Text,
                        Box::new(error),
                    )
                })?;
                if !notes.is_empty() {
                    let entrant = crate::results::entrant_from_columns(row.get(0)?, row.get(1)?)?;
                    incidents.insert(entrant, notes);
                }
            }
            if let Some(id) = row.get::<_, Option<Id>>(18)? {
                competitors.push_row(row, 19, id)?;
            }
            if let Some(mut entry) = rank_entry_from_row(row, 0)? {
                if let Some(packed) = row
                    .get_ref(25)?
                    .as_blob_or_null()
                    .map_err(rusqlite::Error::from)?
                {
                    unpack_splits(packed, 25, &mut entry.splits)?;
                }
                results.push(entry);
            }
        }
    }

    // Whom the message names: the start list, the ranked entrants, and the
    // members of their teams.
    let member_scored = matches!(
        workout.team_scoring,
        TeamScoring::SumAll | TeamScoring::BestN { .. }
    );
    let mut team_ids: Vec<Id> = workout
        .heats
        .iter()
        .flat_map(|heat| &heat.lanes)
        .filter_map(|lane| lane.team_id)
        .collect();
    team_ids.extend(results.iter().filter_map(|result| match result.entrant {
        Entrant::Team(id) => Some(id),
        Entrant::Competitor(_) => None,
    }));
    if member_scored {
        // The ranked rows are the teams of the members with a result.
        let members: Vec<Id> = results
            .iter()
            .filter_map(|result| match result.entrant {
                Entrant::Competitor(id) => Some(id),
                Entrant::Team(_) => None,
            })
            .collect();
        if !members.is_empty() {
            let mut statement = connection.prepare_cached(
                "SELECT DISTINCT team_id FROM team_members
                 WHERE competitor_id IN (SELECT value FROM json_each(?1))",
            )?;
            let mut rows = statement.query([id_list(members.iter().copied())])?;
            while let Some(row) = rows.next()? {
                team_ids.push(row.get(0)?);
            }
        }
    }
    team_ids.sort_unstable();
    team_ids.dedup();
    let teams = load_teams_by_ids(connection, &team_ids)?;
    // The competitors not read with their results: the start list's and
    // the teams' members.
    competitors.sort();
    let known = |id: &Id| competitors.contains(*id);
    let mut missing: Vec<Id> = workout
        .heats
        .iter()
        .flat_map(|heat| &heat.lanes)
        .filter_map(|lane| lane.competitor_id)
        .chain(
            teams
                .iter()
                .flat_map(|team| team.members.iter().map(|member| member.competitor_id)),
        )
        .filter(|id| !known(id))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    if !missing.is_empty() {
        load_competitors_by_ids(connection, &missing, &mut competitors)?;
        competitors.sort();
    }

    // Ranking needs the ranked entrants' bibs only (the listing order of
    // equal rows); names and divisions are not read.
    let mut infos: Vec<EntrantInfo> = Vec::with_capacity(competitors.rows.len() + teams.len());
    infos.extend(competitors.rows.iter().map(|row| {
        EntrantInfo {
            entrant: Entrant::Competitor(row.id),
            bib: competitors
                .get(row.id)
                .map(|competitor| competitor.bib.to_string())
                .unwrap_or_default(),
            name: String::new(),
            division_ids: Vec::new(),
        }
    }));
    infos.extend(teams.iter().map(|team| EntrantInfo {
        entrant: Entrant::Team(team.id),
        bib: team.bib.clone().unwrap_or_default(),
        name: String::new(),
        division_ids: Vec::new(),
    }));
    let rows = if member_scored {
        let full_teams: Vec<scoretable_core::model::Team> = teams
            .iter()
            .map(|team| scoretable_core::model::Team {
                id: team.id,
                name: team.name.clone(),
                bib: team.bib.clone(),
                country: team.country.clone(),
                division_ids: Vec::new(),
                members: team.members.clone(),
                external_ids: Default::default(),
            })
            .collect();
        let inputs = aggregate_team_results(&workout, &full_teams, &results);
        rank_workout_with(&workout, &infos, &inputs, RankDetail::Splits)
    } else {
        rank_workout_with(&workout, &infos, &results, RankDetail::Splits)
    };

    let mut entrants: Vec<Entrant> = Vec::new();
    for lane in workout.heats.iter().flat_map(|heat| &heat.lanes) {
        entrants.extend(lane.competitor_id.map(Entrant::Competitor));
        entrants.extend(lane.team_id.map(Entrant::Team));
    }
    if entrants.is_empty() {
        // No start list: the rows' entrants, each once already (one row an
        // entrant).
        entrants.extend(rows.iter().map(|row| row.entrant));
    } else {
        entrants.extend(rows.iter().map(|row| row.entrant));
        let mut seen = std::collections::HashSet::with_capacity(entrants.len());
        entrants.retain(|entrant| seen.insert(*entrant));
    }

    Ok(LiveTimingWave {
        competition_name,
        workout,
        rows,
        entrants,
        incidents,
        competitors,
        teams,
    })
}

/// The message's columns of these competitors (sorted ids), added to
/// `competitors`.
fn load_competitors_by_ids(
    connection: &Connection,
    ids: &[Id],
    competitors: &mut CompetitorTexts,
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut statement = connection.prepare_cached(
        "SELECT id, bib, first_name, last_name, country, triathlon_athlete_id, para_class
         FROM competitors WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
    )?;
    let mut rows = statement.query([id_list(ids.iter().copied())])?;
    while let Some(row) = rows.next()? {
        competitors.push_row(row, 1, row.get(0)?)?;
    }
    Ok(())
}

/// The message's columns of these teams (sorted ids) with their members, in
/// id order.
fn load_teams_by_ids(connection: &Connection, ids: &[Id]) -> Result<Vec<LiveTimingTeam>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = id_list(ids.iter().copied());
    let mut teams: Vec<LiveTimingTeam> = {
        let mut statement = connection.prepare_cached(
            "SELECT id, name, bib, country, triathlon_athlete_id
             FROM teams WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
        )?;
        let rows = statement.query_map([&list], |row| {
            Ok(LiveTimingTeam {
                id: row.get(0)?,
                name: row.get(1)?,
                bib: row.get(2)?,
                country: row.get(3)?,
                triathlon_athlete_id: row.get(4)?,
                members: Vec::new(),
            })
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut statement = connection.prepare_cached(
        "SELECT team_id, competitor_id, member_order FROM team_members
         WHERE team_id IN (SELECT value FROM json_each(?1)) ORDER BY team_id, member_order",
    )?;
    let mut rows = statement.query([&list])?;
    while let Some(row) = rows.next()? {
        let team_id: Id = row.get(0)?;
        if let Ok(at) = teams.binary_search_by_key(&team_id, |team| team.id) {
            teams[at].members.push(TeamMember {
                competitor_id: row.get(1)?,
                order: row.get(2)?,
            });
        }
    }
    Ok(teams)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::StatementStatus;
    use scoretable_core::model::{Score, ScoreType, Source, TimingPoint};
    use scoretable_testkit::fixtures;

    /// The wave's statements stay prepared from one message to the next:
    /// never parsed and planned again when they are reused (without the
    /// connection's planner stability guarantee each reuse planned them
    /// again), and their plans read the workout's rows by index.
    #[test]
    fn the_reads_keep_their_prepared_plans_from_one_message_to_the_next() {
        let directory = tempfile::tempdir().unwrap();
        let mut file = CompetitionFile::create(
            directory.path().join("plans.scoretable"),
            &scoretable_testkit::fixtures::competition("Plans", "plans"),
        )
        .unwrap();
        let mut waves = Vec::new();
        for sequence in 1..=2 {
            let mut wave =
                fixtures::workout(&format!("Wave {sequence}"), sequence, ScoreType::Time);
            wave.timing_points = vec![TimingPoint {
                id: 0,
                order: 1,
                name: "Swim".into(),
            }];
            waves.push(file.add_workout(&wave).unwrap());
        }
        let athlete = file
            .add_competitor(&fixtures::competitor("7", "Ann", "Lee"))
            .unwrap();
        let point = file.workout(waves[0]).unwrap().timing_points[0].id;
        file.import_results(
            waves[0],
            Source::Feed,
            "feed",
            &[crate::ImportedResult {
                row: 1,
                entrant: Entrant::Competitor(athlete),
                value: crate::ScoreInput::score(Score::Time { ms: 600_000 }),
                penalty_ms: 0,
                splits: vec![Split {
                    timing_point_id: point,
                    total_ms: 200_000,
                }],
                incidents: Vec::new(),
                record_id: None,
                received_at: None,
            }],
        )
        .unwrap();
        for _ in 0..3 {
            for wave in &waves {
                file.live_timing_wave(*wave).unwrap();
            }
        }
        {
            let sql = results_sql();
            let statement = file.connection.prepare_cached(sql).unwrap();
            assert_eq!(
                statement.get_status(StatementStatus::RePrepare),
                0,
                "planned again: {sql}"
            );
            drop(statement);
            let plan: Vec<String> = file
                .connection
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map([waves[0]], |row| row.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(
                plan.iter()
                    .any(|step| step.contains("results_by_workout (workout_id=?)")),
                "{plan:?}"
            );
            assert!(
                !plan.iter().any(|step| step.contains("TEMP B-TREE")),
                "{plan:?}"
            );
            // Each result's splits by its key, not by a scan.
            assert!(
                plan.iter()
                    .any(|step| step.contains("s USING PRIMARY KEY (result_id=?)")),
                "{plan:?}"
            );
        }
    }
}
