//! Live boards: what a leaderboard screen shows, loaded in one consistent
//! snapshot with the names of every entrant.
//!
//! A board is the workout's (or the overall table's) ranked rows without
//! split standings. Ranks, division places, ties, statuses and differences
//! never depend on splits (see `scoretable_core::ranking`), and in a
//! 60,000-athlete race with ten timing points the 600,000 splits are most
//! of the cost of loading and ranking, so a board skips them. Screens that
//! show splits use [`CompetitionFile::workout_leaderboard`].

#[cfg(test)]
use rusqlite::params;
use rusqlite::Connection;
use scoretable_core::board::{FrozenBuild, ListedBoard, LiveBoard, RankInfo, RankInfoRef};
use scoretable_core::live_overall::LiveOverall;
use scoretable_core::model::{
    Entrant, EntrantInfo, Id, OverallRow, RankedRow, ResultEntry, TeamScoring,
    TeamWorkoutsInOverall, Workout,
};

use crate::competition_file::CompetitionFile;
use crate::error::Result;
use crate::leaderboards::{check_division, division_rows, load_entrant_infos, WorkoutSnapshot};
#[cfg(test)]
use crate::results::WorkoutRead;
use crate::results::{for_each_rank_entry, load_rank_entries, load_rank_entry};
use crate::workouts::load_workout;

/// One workout's board (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkoutBoard {
    pub workout: Workout,
    /// Ranked as [`CompetitionFile::workout_leaderboard`] ranks them, with
    /// empty `splits`.
    pub rows: Vec<RankedRow>,
    /// Bib, name and divisions of every competitor and team.
    pub infos: Vec<EntrantInfo>,
}

/// The overall table's board.
#[derive(Debug, Clone, PartialEq)]
pub struct OverallBoard {
    /// Every workout, in sequence: the table's columns.
    pub workouts: Vec<Workout>,
    pub rows: Vec<OverallRow>,
    pub infos: Vec<EntrantInfo>,
    /// The rule the rows were computed with (for the column headings:
    /// `scoretable_core::overall::overall_column_heading`).
    pub team_workouts: TeamWorkoutsInOverall,
}

/// The overall table kept in memory by a long-running process: the
/// engine's [`LiveOverall`], updated from one workout's changed rows.
#[derive(Debug, Clone)]
pub struct LiveOverallBoard {
    /// Every workout, in sequence: the table's columns.
    pub workouts: Vec<Workout>,
    pub table: LiveOverall,
    pub infos: Vec<EntrantInfo>,
    /// The rule the table was computed with.
    pub team_workouts: TeamWorkoutsInOverall,
}

impl CompetitionFile {
    /// One workout's board, for everyone or one division (then ordered by
    /// division place), in one read snapshot.
    pub fn workout_board(&self, workout_id: Id, division_id: Option<Id>) -> Result<WorkoutBoard> {
        self.read(|connection| {
            check_division(connection, division_id)?;
            let workout = load_workout(connection, workout_id)?;
            let infos = load_entrant_infos(connection)?;
            let snapshot = WorkoutSnapshot::load_without_splits(connection, workout, infos)?;
            let ranked = snapshot.rank();
            let rows = match division_id {
                None => ranked,
                Some(division_id) => division_rows(ranked, &snapshot.infos, division_id),
            };
            Ok(WorkoutBoard {
                workout: snapshot.workout,
                rows,
                infos: snapshot.infos,
            })
        })
    }

    /// The overall table's board with the stored settings, in one read snapshot.
    pub fn overall_board(&self, division_id: Option<Id>) -> Result<OverallBoard> {
        self.read(|_| self.overall_parts(division_id, None, None))
    }

    /// The overall table with the stored settings as a [`LiveOverall`] a
    /// long-running process keeps and updates, in one read snapshot.
    pub fn live_overall(&self, division_id: Option<Id>) -> Result<LiveOverallBoard> {
        self.read(|_| self.live_overall_parts(division_id, None, None, None))
    }

    /// The team overall of a mixed event as a kept [`LiveOverall`] (see
    /// `scoretable_core::overall::team_overall_standings`).
    pub fn live_team_overall(&self, division_id: Option<Id>) -> Result<LiveOverallBoard> {
        self.read(|_| {
            self.live_overall_parts(
                division_id,
                None,
                None,
                Some(scoretable_core::overall::OverallEntrants::Teams),
            )
        })
    }
}

/// What [`CompetitionFile::for_each_rank_entry_with_info`] calls with each entry, its
/// entrant's bib and division ids.
pub type RankEntryWithInfo<'a, E> =
    dyn FnMut(&ResultEntry, &str, &[Id]) -> std::result::Result<(), E> + 'a;

/// Why a walk stopped: the store failed, or the caller's `each` did.
enum Stop<E> {
    Store(crate::error::StoreError),
    Caller(E),
}

impl<E> From<crate::error::StoreError> for Stop<E> {
    fn from(error: crate::error::StoreError) -> Stop<E> {
        Stop::Store(error)
    }
}

/// One entrant's (id, bib range in `bibs`, division range in `divisions`).
type InfoSpan = (Id, (u32, u32), (u32, u32));

/// Bibs and divisions (no names) of every competitor and of every team,
/// each sorted by id: what ranking needs, loaded in four queries into a few
/// flat vectors (no allocation per entrant).
pub(crate) struct RankInfos {
    competitors: Vec<InfoSpan>,
    teams: Vec<InfoSpan>,
    bibs: String,
    divisions: Vec<Id>,
    /// Competitor id → index in `competitors` (`u32::MAX`: none), when the
    /// ids are dense enough for a table; else empty (binary search).
    competitor_at: Vec<u32>,
}

fn narrow(at: usize) -> u32 {
    u32::try_from(at).expect("rank infos stay below 4 GiB")
}

impl RankInfos {
    pub(crate) fn load(connection: &Connection) -> Result<RankInfos> {
        let mut infos = RankInfos {
            competitors: Vec::new(),
            teams: Vec::new(),
            bibs: String::new(),
            divisions: Vec::new(),
            competitor_at: Vec::new(),
        };
        for (team, sql, divisions_sql) in [
            (
                false,
                "SELECT id, bib FROM competitors ORDER BY id",
                "SELECT competitor_id, division_id FROM competitor_divisions
                 ORDER BY competitor_id, division_id",
            ),
            (
                true,
                "SELECT id, coalesce(bib, '') FROM teams ORDER BY id",
                "SELECT team_id, division_id FROM team_divisions ORDER BY team_id, division_id",
            ),
        ] {
            let RankInfos {
                competitors,
                teams,
                bibs,
                divisions,
                ..
            } = &mut infos;
            let list = if team { teams } else { competitors };
            let mut statement = connection.prepare_cached(sql)?;
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                let id: Id = row.get(0)?;
                let start = bibs.len();
                bibs.push_str(row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?);
                list.push((id, (narrow(start), narrow(bibs.len())), (0, 0)));
            }
            let mut statement = connection.prepare_cached(divisions_sql)?;
            let mut rows = statement.query([])?;
            // Memberships come in id order, so each entrant's run is
            // contiguous in `divisions`: try where the last one was (and the
            // next row) before searching.
            let mut at = 0_usize;
            while let Some(row) = rows.next()? {
                let id: Id = row.get(0)?;
                let found = match (list.get(at), list.get(at + 1)) {
                    (Some((here, _, _)), _) if *here == id => Some(at),
                    (_, Some((next, _, _))) if *next == id => Some(at + 1),
                    _ => list.binary_search_by_key(&id, |(id, _, _)| *id).ok(),
                };
                if let Some(found) = found {
                    at = found;
                    let run = &mut list[at].2;
                    if run.0 == run.1 {
                        *run = (narrow(divisions.len()), narrow(divisions.len()));
                    }
                    if run.1 as usize == divisions.len() {
                        divisions.push(row.get(1)?);
                        run.1 += 1;
                    }
                }
            }
        }
        let largest = infos.competitors.last().map_or(0, |(id, _, _)| *id);
        let dense_limit = (infos.competitors.len() as i64)
            .saturating_mul(8)
            .max(1 << 16);
        if largest < dense_limit && infos.competitors.first().is_some_and(|(id, _, _)| *id >= 0) {
            infos.competitor_at = vec![u32::MAX; largest as usize + 1];
            for (at, (id, _, _)) in infos.competitors.iter().enumerate() {
                infos.competitor_at[*id as usize] = narrow(at);
            }
        }
        Ok(infos)
    }

    /// Competitors and teams: about how many rows a workout's board has
    /// at most.
    pub(crate) fn len(&self) -> usize {
        self.competitors.len() + self.teams.len()
    }

    /// An entrant's bib and division ids (sorted).
    pub(crate) fn get(&self, entrant: Entrant) -> Option<RankInfoRef<'_>> {
        let (list, id) = match entrant {
            Entrant::Competitor(id) => (&self.competitors, id),
            Entrant::Team(id) => (&self.teams, id),
        };
        let at = match (entrant, usize::try_from(id)) {
            (Entrant::Competitor(_), Ok(index)) if !self.competitor_at.is_empty() => {
                match self.competitor_at.get(index) {
                    Some(&at) if at != u32::MAX => at as usize,
                    _ => return None,
                }
            }
            _ => list.binary_search_by_key(&id, |(id, _, _)| *id).ok()?,
        };
        let (_, bib, divisions) = list[at];
        Some((
            &self.bibs[bib.0 as usize..bib.1 as usize],
            &self.divisions[divisions.0 as usize..divisions.1 as usize],
        ))
    }
}

/// One entrant's bib and divisions by key.
fn load_rank_info(connection: &Connection, entrant: Entrant) -> Result<Option<RankInfo>> {
    Ok(
        crate::leaderboards::load_entrant_info(connection, entrant)?.map(|info| RankInfo {
            bib: info.bib,
            division_ids: info.division_ids,
        }),
    )
}

/// The ranking inputs of a workout: team rows formed from members' results
/// for member-scored team workouts, else the results themselves.
fn rank_inputs(connection: &Connection, workout: &Workout) -> Result<Vec<ResultEntry>> {
    let results = load_rank_entries(connection, workout.id)?;
    Ok(match workout.team_scoring {
        TeamScoring::SumAll | TeamScoring::BestN { .. } => {
            let teams = crate::competitors::load_teams(connection, "1", &[])?;
            scoretable_core::teams::aggregate_team_results(workout, &teams, &results)
        }
        TeamScoring::Individual | TeamScoring::TeamChip => results,
    })
}

/// One ranked row's new input after a write to `entrant`'s result: the
/// row itself, with its bib and divisions.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedInput {
    pub entrant: Entrant,
    /// `None`: the row has no effective result any more.
    pub result: Option<ResultEntry>,
    pub info: Option<RankInfo>,
}

/// A board the store builds from a workout's ranking inputs: the live
/// board, or the board frozen for reading.
trait BuiltBoard: Sized {
    /// A board whose results are read, before it is finished.
    type Read;

    /// From the results of an individual or team-chip workout, handed over
    /// as they are read; `info_of`'s source may be let go before
    /// [`BuiltBoard::finish`].
    fn from_results<'i>(
        workout: &Workout,
        room: usize,
        read: impl FnOnce(&mut dyn FnMut(&ResultEntry)) -> Result<()>,
        info_of: impl FnMut(Entrant) -> Option<RankInfoRef<'i>>,
    ) -> Result<Self::Read>;

    /// The board of [`BuiltBoard::from_results`].
    fn finish(read: Self::Read) -> Self;

    /// From a member-scored team workout's formed team rows.
    fn from_formed<'i>(
        workout: &Workout,
        inputs: Vec<ResultEntry>,
        info_of: impl FnMut(Entrant) -> Option<RankInfoRef<'i>>,
    ) -> Self;
}

impl BuiltBoard for LiveBoard {
    type Read = LiveBoard;

    fn from_results<'i>(
        workout: &Workout,
        room: usize,
        read: impl FnOnce(&mut dyn FnMut(&ResultEntry)) -> Result<()>,
        info_of: impl FnMut(Entrant) -> Option<RankInfoRef<'i>>,
    ) -> Result<Self> {
        LiveBoard::build_from_results(workout, room, read, info_of)
    }

    fn finish(read: LiveBoard) -> LiveBoard {
        read
    }

    fn from_formed<'i>(
        workout: &Workout,
        inputs: Vec<ResultEntry>,
        info_of: impl FnMut(Entrant) -> Option<RankInfoRef<'i>>,
    ) -> Self {
        LiveBoard::build_from_owned(workout, inputs, info_of)
    }
}

impl BuiltBoard for ListedBoard {
    type Read = FrozenBuild;

    fn from_results<'i>(
        workout: &Workout,
        room: usize,
        read: impl FnOnce(&mut dyn FnMut(&ResultEntry)) -> Result<()>,
        info_of: impl FnMut(Entrant) -> Option<RankInfoRef<'i>>,
    ) -> Result<FrozenBuild> {
        ListedBoard::read_results(workout, room, read, info_of)
    }

    fn finish(read: FrozenBuild) -> ListedBoard {
        read.finish()
    }

    fn from_formed<'i>(
        workout: &Workout,
        inputs: Vec<ResultEntry>,
        info_of: impl FnMut(Entrant) -> Option<RankInfoRef<'i>>,
    ) -> Self {
        LiveBoard::build_from_owned(workout, inputs, info_of).into_listed()
    }
}

impl CompetitionFile {
    /// One workout's [`LiveBoard`] (every division in one ranking), in one
    /// read snapshot: the ranking columns of its results and the bibs and
    /// divisions of the entrants, no names, no splits.
    pub fn live_board(&self, workout_id: Id) -> Result<LiveBoard> {
        self.board(workout_id)
    }

    /// One workout's board frozen for reading ([`ListedBoard`]: the rows
    /// of [`CompetitionFile::live_board`] in listing order with their
    /// places, for a reader that takes no changes, such as an export), in
    /// one read snapshot. Individual and team-chip workouts are built
    /// frozen as their results are read
    /// ([`ListedBoard::build_from_results`]: no live board, about half its
    /// working memory); member-scored team workouts freeze the live board
    /// of their formed rows.
    pub fn listed_board(&self, workout_id: Id) -> Result<ListedBoard> {
        self.board(workout_id)
    }

    /// Calls `each` with every effective result of `workout_id` as the
    /// engine ranks it (the ranking columns only, as [`CompetitionFile::
    /// live_board`] reads them; no splits, incidents or texts), with its
    /// entrant's bib and division ids (sorted; `""` and none for an entrant
    /// not in the file), joined in SQL as one cursor reads them: nothing is
    /// collected, and no table of the field's bibs and divisions is held.
    /// For an external ranking (the exports sort these in bounded memory).
    /// Results of member-scored team workouts are the members' own, not
    /// formed team rows. An error of `each` stops the walk and is returned.
    pub fn for_each_rank_entry_with_info<E: From<crate::error::StoreError>>(
        &self,
        workout_id: Id,
        each: &mut RankEntryWithInfo<'_, E>,
    ) -> std::result::Result<(), E> {
        self.read_walk(|connection| {
            load_workout(connection, workout_id)?;
            crate::results::for_each_rank_entry_with_info::<Stop<E>>(
                connection,
                workout_id,
                &mut |entry, bib, divisions| each(entry, bib, divisions).map_err(Stop::Caller),
            )
        })
    }

    /// Calls `each` with every formed team row of `workout_id`, a
    /// member-scored team workout (`SumAll` or `BestN`): the rows
    /// [`CompetitionFile::listed_board`] ranks, formed one team at a time
    /// in team id order as one cursor reads the teams, their members and
    /// the members' results, each with the team's bib and division ids
    /// (sorted; `""` and none for a team without). Nothing of the field is
    /// held. For an external ranking, as
    /// [`CompetitionFile::for_each_rank_entry_with_info`] is for the other
    /// workouts; another workout's kind hands nothing. An error of `each`
    /// stops the walk and is returned.
    pub fn for_each_formed_team_entry_with_info<E: From<crate::error::StoreError>>(
        &self,
        workout_id: Id,
        each: &mut RankEntryWithInfo<'_, E>,
    ) -> std::result::Result<(), E> {
        self.read_walk(|connection| {
            let workout = load_workout(connection, workout_id)?;
            crate::results::for_each_formed_team_entry_with_info::<Stop<E>>(
                connection,
                &workout,
                &mut |entry, bib, divisions| each(entry, bib, divisions).map_err(Stop::Caller),
            )
        })
    }

    /// Runs `walk` in one read snapshot: a store error fails the read and
    /// is returned as `E`; the caller's error (`Stop::Caller`) stops the
    /// walk and is returned as it is.
    fn read_walk<E: From<crate::error::StoreError>>(
        &self,
        walk: impl FnOnce(&rusqlite::Connection) -> std::result::Result<(), Stop<E>>,
    ) -> std::result::Result<(), E> {
        let mut outcome: std::result::Result<(), E> = Ok(());
        self.read(|connection| match walk(connection) {
            Ok(()) => Ok(()),
            Err(Stop::Store(error)) => Err(error),
            Err(Stop::Caller(error)) => {
                outcome = Err(error);
                Ok(())
            }
        })
        .map_err(E::from)?;
        outcome
    }

    /// One workout's board of kind `B`, in one read snapshot.
    fn board<B: BuiltBoard>(&self, workout_id: Id) -> Result<B> {
        self.read(|connection| {
            let workout = load_workout(connection, workout_id)?;
            let infos = RankInfos::load(connection)?;
            match workout.team_scoring {
                // The results handed to the board as they are read: no
                // vector of them beside its entries (it was the build's
                // peak).
                TeamScoring::Individual | TeamScoring::TeamChip => {
                    let read = B::from_results(
                        &workout,
                        infos.len(),
                        |each| for_each_rank_entry(connection, workout.id, each),
                        |entrant| infos.get(entrant),
                    )?;
                    // The board holds its own copies of the bibs and
                    // divisions: the entrants' infos go before it sorts.
                    drop(infos);
                    Ok(B::finish(read))
                }
                TeamScoring::SumAll | TeamScoring::BestN { .. } => {
                    let inputs = rank_inputs(connection, &workout)?;
                    Ok(B::from_formed(&workout, inputs, |entrant| {
                        infos.get(entrant)
                    }))
                }
            }
        })
    }

    /// The ranked rows of `workout_id` that depend on `entrant`'s result,
    /// with their inputs as stored now: the entrant's own row, or for a
    /// member-scored team workout the rows of the entrant's teams. Feed
    /// each to [`LiveBoard::apply`] after a write.
    pub fn ranked_inputs_of(&self, workout_id: Id, entrant: Entrant) -> Result<Vec<RankedInput>> {
        self.read(|connection| {
            let workout = load_workout(connection, workout_id)?;
            match (workout.team_scoring, entrant) {
                (TeamScoring::SumAll | TeamScoring::BestN { .. }, Entrant::Competitor(id)) => {
                    let teams = crate::competitors::load_teams(
                        connection,
                        "id IN (SELECT team_id FROM team_members WHERE competitor_id = ?1)",
                        &[&id],
                    )?;
                    let results = load_rank_entries(connection, workout.id)?;
                    let formed =
                        scoretable_core::teams::aggregate_team_results(&workout, &teams, &results);
                    teams
                        .iter()
                        .map(|team| {
                            let team_entrant = Entrant::Team(team.id);
                            Ok(RankedInput {
                                entrant: team_entrant,
                                result: formed
                                    .iter()
                                    .find(|result| result.entrant == team_entrant)
                                    .cloned(),
                                info: load_rank_info(connection, team_entrant)?,
                            })
                        })
                        .collect()
                }
                _ => Ok(vec![RankedInput {
                    entrant,
                    result: load_rank_entry(connection, workout.id, entrant)?,
                    info: load_rank_info(connection, entrant)?,
                }]),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scoretable_core::model::ScoreType;

    /// A file with text, zero-led and long bibs, competitors in several
    /// divisions or none, teams with and without a bib and divisions,
    /// results with scores and statuses, amended ones, and two workouts
    /// (one read through the workout index, one by a pass over the table).
    fn mixed_file() -> (tempfile::TempDir, CompetitionFile, Vec<Id>) {
        let directory = tempfile::tempdir().unwrap();
        let mut file = CompetitionFile::create(
            directory.path().join("cursor.scoretable"),
            &scoretable_testkit::fixtures::competition("Cursor", "cursor"),
        )
        .unwrap();
        let small = file
            .add_workout(&scoretable_testkit::fixtures::workout(
                "Small",
                1,
                ScoreType::Time,
            ))
            .unwrap();
        let large = file
            .add_workout(&scoretable_testkit::fixtures::workout(
                "Large",
                2,
                ScoreType::Reps,
            ))
            .unwrap();
        let connection = &file.connection;
        for division in 1..=4 {
            connection
                .execute(
                    "INSERT INTO divisions (id, name, kind) VALUES (?1, ?2, 'custom')",
                    params![division, format!("D{division}")],
                )
                .unwrap();
        }
        let bibs = ["12", "007", "A7", "99999999999999999999", "7a", "0", "3"];
        for id in 1..=120_i64 {
            let bib = match bibs.get(id as usize - 1) {
                Some(bib) => bib.to_string(),
                None => format!("{}", id * 7919 % 1000 + 1000 * (id % 3)),
            };
            connection
                .execute(
                    "INSERT INTO competitors (id, bib, first_name, last_name)
                     VALUES (?1, ?2, 'F', 'L')",
                    params![id, bib],
                )
                .unwrap();
            // None, one, or several divisions, inserted out of order.
            for division in [4, 1, 3].iter().take((id % 4) as usize) {
                connection
                    .execute(
                        "INSERT INTO competitor_divisions VALUES (?1, ?2)",
                        params![id, division],
                    )
                    .unwrap();
            }
        }
        for id in 1..=5_i64 {
            let bib = (id % 2 == 0).then(|| format!("T{id}"));
            connection
                .execute(
                    "INSERT INTO teams (id, name, bib) VALUES (?1, ?2, ?3)",
                    params![id, format!("Team {id}"), bib],
                )
                .unwrap();
            for division in [2, 1].iter().take((id % 3) as usize) {
                connection
                    .execute(
                        "INSERT INTO team_divisions VALUES (?1, ?2)",
                        params![id, division],
                    )
                    .unwrap();
            }
        }
        let insert = |workout: Id, competitor: Option<Id>, team: Option<Id>, at: i64| {
            let (kind, status) = match at % 5 {
                0 => (None, Some("DNF")),
                1 => (None, Some("DNS")),
                _ => (Some(if workout == small { "time" } else { "reps" }), None),
            };
            connection
                .execute(
                    "INSERT INTO results (workout_id, competitor_id, team_id, source, source_kind,
                         source_a, source_status, received_at, amended, amended_kind, amended_a)
                     VALUES (?1, ?2, ?3, 'manual', ?4, ?5, ?6, '2026-06-01T10:00:00Z',
                             ?7, ?8, ?9)",
                    params![
                        workout,
                        competitor,
                        team,
                        kind,
                        kind.map(|_| 1_000 + at % 17),
                        status,
                        at % 7 == 3,
                        (at % 7 == 3).then_some(if workout == small { "time" } else { "reps" }),
                        (at % 7 == 3).then_some(at),
                    ],
                )
                .unwrap();
        };
        for id in 1..=12_i64 {
            insert(small, Some(id * 3), None, id);
        }
        for id in 1..=5_i64 {
            insert(small, None, Some(id), id + 40);
        }
        for id in 1..=120_i64 {
            insert(large, Some(id), None, id + 100);
        }
        insert(large, None, Some(2), 7);
        insert(large, None, Some(3), 8);
        (directory, file, vec![small, large])
    }

    #[test]
    fn the_cursor_hands_the_same_entries_bibs_and_divisions_as_the_rank_infos() {
        let (_directory, file, workouts) = mixed_file();
        let connection = &file.connection;
        assert_eq!(
            WorkoutRead::of(connection, workouts[0]).unwrap(),
            WorkoutRead::ByIndex
        );
        assert_eq!(
            WorkoutRead::of(connection, workouts[1]).unwrap(),
            WorkoutRead::WholeTable
        );
        let infos = RankInfos::load(connection).unwrap();
        for workout_id in workouts.clone() {
            let mut expected = Vec::new();
            for_each_rank_entry(connection, workout_id, &mut |entry| {
                let (bib, divisions) = infos.get(entry.entrant).unwrap_or(("", &[]));
                expected.push((entry.clone(), bib.to_string(), divisions.to_vec()));
            })
            .unwrap();
            let mut read = Vec::new();
            file.for_each_rank_entry_with_info::<crate::error::StoreError>(
                workout_id,
                &mut |entry, bib, divisions| {
                    read.push((entry.clone(), bib.to_string(), divisions.to_vec()));
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(read, expected, "workout {workout_id}");
            // Every kind of entrant and info is in the comparison.
            assert!(read
                .iter()
                .any(|(entry, _, _)| matches!(entry.entrant, Entrant::Team(_))));
            assert!(read.iter().any(|(_, _, divisions)| divisions.is_empty()));
            assert!(read.iter().any(|(_, bib, _)| bib.is_empty()));
            if workout_id != workouts[0] {
                assert!(read.iter().any(|(_, _, divisions)| divisions.len() == 3));
                assert!(read.iter().any(|(_, bib, _)| bib == "A7"));
                assert!(read.iter().any(|(_, bib, _)| bib == "007"));
                assert!(read.iter().any(|(entry, _, _)| entry.amended));
            }
        }
    }

    /// [`mixed_file`] with members in its teams (none, one, two, three,
    /// five and four without any result; member order unlike competitor id
    /// order) and three member-scored workouts (SumAll of times, BestN of
    /// two of reps, BestN of three) whose results have scores, statuses,
    /// amendments, several sources, and members without one.
    fn team_file() -> (tempfile::TempDir, CompetitionFile, Vec<Id>) {
        let (directory, mut file, _) = mixed_file();
        let mut workouts = Vec::new();
        for (sequence, scoring, score_type) in [
            (3, TeamScoring::SumAll, ScoreType::Time),
            (4, TeamScoring::BestN { n: 2 }, ScoreType::Reps),
            (5, TeamScoring::BestN { n: 3 }, ScoreType::Reps),
        ] {
            let mut workout = scoretable_testkit::fixtures::workout(
                &format!("Team {sequence}"),
                sequence,
                score_type,
            );
            workout.team_scoring = scoring;
            workouts.push(file.add_workout(&workout).unwrap());
        }
        let connection = &file.connection;
        connection
            .execute(
                "INSERT INTO teams (id, name, bib) VALUES (6, 'Team 6', 'T6'), (7, 'Team 7', NULL)",
                [],
            )
            .unwrap();
        connection
            .execute("INSERT INTO team_divisions VALUES (6, 4), (6, 2)", [])
            .unwrap();
        // Team 3 has no member.
        let members: [(Id, &[Id]); 6] = [
            (1, &[30, 10, 20]),
            (2, &[41, 45, 42, 44, 43]),
            (4, &[50, 51]),
            (5, &[60]),
            (6, &[70, 71, 72, 73]),
            (7, &[80, 81, 82]),
        ];
        for (team, competitors) in members {
            for (order, competitor) in competitors.iter().enumerate().rev() {
                connection
                    .execute(
                        "INSERT INTO team_members VALUES (?1, ?2, ?3)",
                        params![team, competitor, order as i64 + 1],
                    )
                    .unwrap();
            }
        }
        for (index, workout) in workouts.iter().enumerate() {
            let kind = if index == 0 { "time" } else { "reps" };
            // Team 6's members have no result, and some others none.
            for competitor in [10, 20, 30, 41, 42, 43, 44, 45, 50, 51, 60, 80, 81, 82_i64] {
                let at = competitor + index as i64 * 3;
                if at % 11 == 4 {
                    continue;
                }
                let (kind, status) = match at % 6 {
                    0 => (None, Some("DNF")),
                    1 => (None, Some("DNS")),
                    _ => (Some(kind), None),
                };
                let amended = at % 7 == 3;
                let source = if at % 3 == 0 { "file" } else { "manual" };
                connection
                    .execute(
                        "INSERT INTO results (workout_id, competitor_id, source, source_kind,
                             source_a, source_status, received_at, amended, amended_kind,
                             amended_a)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, '2026-06-01T10:00:00Z', ?7, ?8, ?9)",
                        params![
                            workout,
                            competitor,
                            source,
                            kind,
                            kind.map(|_| 1_000 + at * 37 % 101),
                            status,
                            amended,
                            amended.then_some(if index == 0 { "time" } else { "reps" }),
                            amended.then_some(2_000 + at),
                        ],
                    )
                    .unwrap();
            }
        }
        (directory, file, workouts)
    }

    #[test]
    fn the_team_cursor_hands_the_formed_rows_with_the_teams_bibs_and_divisions() {
        let (_directory, file, workouts) = team_file();
        let connection = &file.connection;
        let infos = RankInfos::load(connection).unwrap();
        let mut all = Vec::new();
        for workout_id in workouts {
            let workout = load_workout(connection, workout_id).unwrap();
            let expected: Vec<_> = rank_inputs(connection, &workout)
                .unwrap()
                .into_iter()
                .map(|entry| {
                    let (bib, divisions) = infos.get(entry.entrant).unwrap();
                    (entry, bib.to_string(), divisions.to_vec())
                })
                .collect();
            let mut read = Vec::new();
            file.for_each_formed_team_entry_with_info::<crate::error::StoreError>(
                workout_id,
                &mut |entry, bib, divisions| {
                    read.push((entry.clone(), bib.to_string(), divisions.to_vec()));
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(read, expected, "workout {workout_id}");
            assert!(read.len() >= 5, "workout {workout_id}");
            assert!(read
                .iter()
                .all(|(entry, _, _)| matches!(entry.entrant, Entrant::Team(_))));
            all.extend(read);
        }
        // Every kind of row and info is in the comparison.
        assert!(all.iter().any(|(entry, _, _)| entry.status.is_some()));
        assert!(all.iter().any(|(entry, _, _)| entry.score.is_some()));
        assert!(all.iter().any(|(entry, _, _)| entry.partial));
        assert!(all.iter().any(|(entry, _, _)| entry.amended));
        assert!(all.iter().any(|(_, bib, _)| bib.is_empty()));
        assert!(all.iter().any(|(_, bib, _)| !bib.is_empty()));
        assert!(all.iter().any(|(_, _, divisions)| divisions.is_empty()));
        assert!(all.iter().any(|(_, _, divisions)| divisions.len() == 2));
    }

    /// Walks a cursor (`walk`, given the caller's step) whose step fails
    /// on its `stop_at`-th call: the walk stops there and returns that
    /// error.
    fn assert_caller_error_stops(
        stop_at: usize,
        walk: impl FnOnce(&mut dyn FnMut() -> Result<()>) -> Result<()>,
    ) {
        let mut seen = 0;
        let outcome = walk(&mut || {
            seen += 1;
            if seen == stop_at {
                Err(crate::error::StoreError::Conflict("stop here".into()))
            } else {
                Ok(())
            }
        });
        assert!(
            matches!(&outcome, Err(crate::error::StoreError::Conflict(message)) if message == "stop here"),
            "{outcome:?}"
        );
        assert_eq!(seen, stop_at);
    }

    #[test]
    fn an_error_of_the_caller_stops_the_team_cursor_and_is_returned() {
        let (_directory, file, workouts) = team_file();
        assert_caller_error_stops(2, |stop| {
            file.for_each_formed_team_entry_with_info(workouts[0], &mut |_, _, _| stop())
        });
    }

    #[test]
    fn an_error_of_the_caller_stops_the_cursor_and_is_returned() {
        let (_directory, file, workouts) = mixed_file();
        assert_caller_error_stops(3, |stop| {
            file.for_each_rank_entry_with_info(workouts[1], &mut |_, _, _| stop())
        });
    }
}
