// Generated from src-tauri/dto.rs by ts-rs; do not edit by hand.
// Regenerate with: UPDATE_BINDINGS=1 cargo test --bin scoretable-app bindings

export type CommandError = { kind: ErrorKind, 
/**
 * A complete sentence for the scorekeeper, naming the file, row or field at fault.
 */
message: string, };

export type ErrorKind = "no_competition" | "unknown_bib" | "invalid_value" | "not_found" | "storage" | "cancelled" | "invalid_tie_break";

export type CompetitionSummary = { 
/**
 * The competition file on disk.
 */
path: string, name: string, slug: string, start_date: string, end_date: string, venue: string, country: string, organiser: string, time_zone: string, 
/**
 * Set when the file is open for reading only, with the reason (a
 * read-only file or folder, a full disk); the header says so.
 */
read_only?: string | null, };

export type NewCompetition = { 
/**
 * Where to create the file; empty when a save dialog should ask.
 */
path: string, name: string, start_date: string, end_date: string, venue: string, country: string, organiser: string, time_zone: string, };

export type GenderView = "female" | "male" | "mixed" | "other";

export type DivisionKindView = "gender" | "age_group" | "custom";

export type DivisionView = { id: number, name: string, kind: DivisionKindView, gender: GenderView | null, min_age: number | null, max_age: number | null, };

export type NewDivision = { name: string, kind: DivisionKindView, gender: GenderView | null, min_age: number | null, max_age: number | null, };

export type ScoreTypeView = "time" | "time_capped" | "rounds_reps" | "reps" | "load" | "distance" | "points";

export type PublicationStateView = "provisional" | "official";

export type TieBreakView = "none" | "tie_break_time";

export type TimingPointView = { id: number, order: number, name: string, };

export type HeatView = { id: number, name: string, start_time: string | null, lane_count: number, };

export type WorkoutView = { id: number, name: string, sequence: number, score_type: ScoreTypeView, time_cap_ms: number | null, 
/**
 * Whether score entry asks for a tie-break time.
 */
tie_break: TieBreakView, state: PublicationStateView, timing_points: Array<TimingPointView>, heats: Array<HeatView>, 
/**
 * A team workout (it ranks teams). A competition with team and
 * individual workouts has a team overall beside the individual one.
 */
team: boolean, };

export type NewWorkout = { name: string, score_type: ScoreTypeView, 
/**
 * Empty for no cap.
 */
time_cap: string, 
/**
 * Timing point names in course order.
 */
timing_points: Array<string>, 
/**
 * Heat names in schedule order.
 */
heats: Array<string>, 
/**
 * Lanes per heat (0 for none).
 */
lanes_per_heat: number, 
/**
 * Whether equal scores are separated by a tie-break time (none when absent).
 */
tie_break?: TieBreakView | null, };

export type CompetitorView = { id: number, bib: string, first_name: string, last_name: string, gender: GenderView | null, country: string | null, club: string | null, division_ids: number[], division_names: Array<string>, };

export type ImportSummary = { 
/**
 * The file that was imported.
 */
path: string, 
/**
 * Rows read from the file.
 */
imported: number, 
/**
 * New bibs added.
 */
added: number, 
/**
 * Known bibs whose details changed.
 */
updated: number, };

export type ImportProgress = { done: number, total: number, };

export type EnterScoreRequest = { workout_id: number, bib: string, 
/**
 * As typed: `12:03.4`, `CAP+41`, `5+12`, `DNF`, ...
 */
value: string, 
/**
 * The tie-break time as typed (`8:15.2`), for a workout with a
 * tie-break; absent or empty for none.
 */
tie_break?: string | null, };

export type EntryView = { entry_id: number, workout_id: number, bib: string, name: string, 
/**
 * The stored value as the core formats it.
 */
display: string, 
/**
 * The entrant's place in the workout just after the entry; `null`
 * for statuses (DNF, DNS, …). Later entries do not update it.
 */
place: number | null, };

export type AthletePreview = { bib: string, name: string, division_names: Array<string>, 
/**
 * The current effective score in the chosen workout, if any.
 */
current_display: string | null, };

export type StatusCodeView = "LAP" | "NC" | "DNF" | "DNQ" | "WD" | "DSQ" | "DNS";

export type LeaderboardRowView = { 
/**
 * Place in the list shown (the division's place when a division is chosen).
 */
rank: number | null, 
/**
 * True when another row shares this rank.
 */
tied: boolean, bib: string, name: string, 
/**
 * `12:03.4`, `CAP+41`, `DNF`, or empty when no score yet.
 */
display: string, 
/**
 * The status code (`DNF`, `DSQ`, ...) when the row has one.
 */
status: StatusCodeView | null, 
/**
 * Behind the leader, formatted, for time scores.
 */
difference: string | null, 
/**
 * The tie-break time (`7:59.0`) when the workout breaks ties on one and the row has it,
 * so an official can see why two equal scores are ordered as they are.
 */
tie_break: string | null, 
/**
 * The time penalty added to the score (`+0:15`), when it has one.
 */
penalty?: string, amended: boolean, partial: boolean, 
/**
 * The row's place in each of its divisions (the screen names them).
 */
division_places: Array<DivisionPlace>, };

export type DivisionPlace = { division_id: number, rank: number, };

export type LeaderboardView = { workout_id: number, workout_name: string, state: PublicationStateView, division_id: number | null, rows: Array<LeaderboardRowView>, };

export type OverallCellView = { workout_id: number, rank: number | null, points: number, display: string, };

export type OverallRowView = { rank: number, tied: boolean, bib: string, name: string, total: number, cells: Array<OverallCellView>, };

export type WorkoutHeader = { id: number, name: string, 
/**
 * The overall column's heading: the name, with the team-workouts rule
 * for a team workout (`Relay (team, not counted)`), from the engine.
 */
heading: string, };

export type TeamWorkoutsRuleView = "excluded" | "team_place";

export type OverallSettingsView = { team_workouts: TeamWorkoutsRuleView, 
/**
 * The rule as a sentence (`Team workouts are not counted in ...`).
 */
team_workouts_note: string, 
/**
 * The team workouts the rule applies to, by name.
 */
team_workout_names: Array<string>, };

export type OverallView = { division_id: number | null, workouts: Array<WorkoutHeader>, rows: Array<OverallRowView>, };

export type ScoreSummary = { workout_id: number, bib: string, name: string, display: string, rank: number | null, amended: boolean, };

export type HistoryEntryView = { 
/**
 * When, as an ISO 8601 timestamp.
 */
at: string, 
/**
 * Who: the official, or the source (`manual`, `file`, `feed`).
 */
by: string, source: string, old_display: string | null, new_display: string, reason: string | null, appeal_reference: string | null, };

export type AmendRequest = { workout_id: number, bib: string, value: string, reason: string, appeal_reference: string, official: string, };

export type PlacementChangeView = { bib: string, name: string, 
/**
 * The division the place is in; `None` for the workout's overall place.
 */
division: string | null, old_rank: number | null, new_rank: number | null, };

export type AmendOutcome = { score: ScoreSummary, history: Array<HistoryEntryView>, 
/**
 * Who moved (overall first, then by division): the first
 * `scoretable_usecase::boards::MOVED_LISTED` changes.
 */
impact: Array<PlacementChangeView>, 
/**
 * Every place that changed (overall and division places); more than
 * `impact` holds when the list was cut.
 */
impact_changes: number, 
/**
 * The distinct entrants whose place changed.
 */
impact_entrants: number, };
