//! The command line grammar.
//!
//! Every workflow of the desktop app has a command here. The global options
//! `--file` (or `SCORETABLE_FILE`) choose the competition file and `--json`
//! switches every command to one machine-readable JSON document on stdout.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Scoretable: offline-first competition scoring from the command line.
#[derive(Debug, Parser)]
#[command(name = "scoretable", version, about, long_about = None)]
pub struct Cli {
    /// The competition file to work on.
    #[arg(long, short = 'f', global = true, env = "SCORETABLE_FILE")]
    pub file: Option<PathBuf>,

    /// Print one JSON document on stdout (errors as JSON on stderr).
    #[arg(long, global = true)]
    pub json: bool,

    /// Append a structured log (one JSON object a line) to this file: the
    /// command, opens, backups and the outcome. Never secrets or bodies.
    #[arg(long, global = true, env = "SCORETABLE_LOG_FILE")]
    pub log_file: Option<PathBuf>,

    /// Who is at the keyboard; recorded with every entry, import and undo.
    #[arg(long, global = true, env = "SCORETABLE_OPERATOR")]
    pub operator: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new competition file.
    Create(CreateArgs),
    /// Show the competition and what it holds.
    Info,
    /// Manage divisions.
    #[command(subcommand)]
    Division(DivisionCommand),
    /// Import or list competitors.
    #[command(subcommand)]
    Competitors(CompetitorsCommand),
    /// Show one competitor.
    #[command(subcommand)]
    Competitor(CompetitorCommand),
    /// Manage teams.
    #[command(subcommand)]
    Team(TeamCommand),
    /// Manage workouts (events).
    #[command(subcommand)]
    Workout(WorkoutCommand),
    /// Enter, import, undo, amend and inspect scores.
    #[command(subcommand)]
    Score(ScoreCommand),
    /// Show a workout's or the overall leaderboard.
    Leaderboard(LeaderboardArgs),
    /// Explain why one entrant ranks above another in a workout.
    Explain(ExplainArgs),
    /// Take an online backup of the competition file now.
    Backup(BackupArgs),
    /// Show or change the settings stored in the file: how team workouts
    /// count in the individual overall, and the automatic backup policy.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Write the demo competition, with scores entered, to a new file.
    Demo(DemoArgs),
    /// Write a large generated event to a new file, for benchmarks and manual testing.
    Generate(GenerateArgs),
    /// Day-end exports: results CSV and JSON, RunSignup files, PDFs, awards, the sealed archive.
    #[command(subcommand)]
    Export(crate::export_cmd::ExportCommand),
    /// Outbound sync to result platforms: drain the outbox, status, preview, targets, secrets.
    Sync(crate::sync_cmd::SyncArgs),
    /// Inbound: mappings, connections, polling, mapped imports, rehearsals, conflicts, review.
    #[command(flatten)]
    Inbound(crate::inbound_cmd::InboundCommand),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The competition's name.
    #[arg(long)]
    pub name: String,
    /// Lowercase, no spaces; derived from the name when left out.
    #[arg(long)]
    pub slug: Option<String>,
    /// First day, `YYYY-MM-DD`.
    #[arg(long)]
    pub start_date: String,
    /// Last day, `YYYY-MM-DD`; the first day when left out.
    #[arg(long)]
    pub end_date: Option<String>,
    #[arg(long, default_value = "")]
    pub venue: String,
    /// Three-letter country code.
    #[arg(long, default_value = "")]
    pub country: String,
    #[arg(long, default_value = "")]
    pub organiser: String,
    /// IANA time zone name, e.g. `Europe/London`.
    #[arg(long, default_value = "UTC")]
    pub time_zone: String,
}

#[derive(Debug, Subcommand)]
pub enum DivisionCommand {
    /// Add a division.
    Add(DivisionAddArgs),
    /// List divisions.
    List,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DivisionKindArg {
    /// Every competitor of one gender.
    Gender,
    /// A gender (or any) within an age range on the competition's first day.
    AgeGroup,
    /// Membership assigned explicitly (by the import's division column).
    Custom,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GenderArg {
    Female,
    Male,
    Mixed,
    Other,
}

#[derive(Debug, Args)]
pub struct DivisionAddArgs {
    /// The division's name, e.g. `Women 35-39`.
    pub name: String,
    #[arg(long, value_enum, default_value = "custom")]
    pub kind: DivisionKindArg,
    #[arg(long, value_enum)]
    pub gender: Option<GenderArg>,
    /// Youngest age (inclusive) for an age group.
    #[arg(long)]
    pub min_age: Option<u32>,
    /// Oldest age (inclusive) for an age group.
    #[arg(long)]
    pub max_age: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum CompetitorsCommand {
    /// Import competitors from a CSV file; nothing is stored if any row is bad.
    Import {
        /// The CSV file.
        csv: PathBuf,
    },
    /// List competitors.
    List {
        /// Only competitors in this division.
        #[arg(long)]
        division: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CompetitorCommand {
    /// Show one competitor by bib.
    Show { bib: String },
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Add a team; members are bibs in leg order.
    Add(TeamAddArgs),
    /// List teams.
    List,
}

#[derive(Debug, Args)]
pub struct TeamAddArgs {
    pub name: String,
    #[arg(long)]
    pub bib: Option<String>,
    #[arg(long)]
    pub country: Option<String>,
    /// Member bibs in order, repeated or comma separated.
    #[arg(long = "member", value_delimiter = ',', required = true)]
    pub members: Vec<String>,
    /// Divisions the team is ranked in, by name or id.
    #[arg(long = "division")]
    pub divisions: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum WorkoutCommand {
    /// Add a workout.
    Add(Box<WorkoutAddArgs>),
    /// List workouts.
    List,
    /// Mark a workout's results official or provisional.
    State {
        /// Workout id or name.
        workout: String,
        #[arg(value_enum)]
        state: PublicationStateArg,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PublicationStateArg {
    Official,
    Provisional,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ScoreTypeArg {
    Time,
    TimeCapped,
    RoundsReps,
    Reps,
    Load,
    Distance,
    Points,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LoadUnitArg {
    Kg,
    Lb,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TieBreakArg {
    /// Equal scores share a rank.
    None,
    /// A recorded tie-break time separates equal scores.
    Time,
}

#[derive(Debug, Args)]
pub struct WorkoutAddArgs {
    pub name: String,
    #[arg(long = "type", value_enum)]
    pub score_type: ScoreTypeArg,
    /// Time cap, e.g. `12:00`.
    #[arg(long)]
    pub cap: Option<String>,
    /// Reps in one round, for rounds+reps workouts.
    #[arg(long)]
    pub reps_per_round: Option<i64>,
    #[arg(long, value_enum, default_value = "kg")]
    pub load_unit: LoadUnitArg,
    #[arg(long, value_enum, default_value = "none")]
    pub tie_break: TieBreakArg,
    /// `exact`, `truncate:<ms>`, `up:<ms>` or `nearest:<ms>`; `up:1000`
    /// rounds up to the next full second.
    #[arg(long, default_value = "exact")]
    pub rounding: String,
    /// `individual`, `team-chip`, `sum-all` or `best:<n>`.
    #[arg(long, default_value = "individual")]
    pub team_scoring: String,
    /// A timing point in course order; repeat for each.
    #[arg(long = "point")]
    pub points: Vec<String>,
    /// A heat: `Heat 1`, or `Heat 1=12,7,3` to put bibs in lanes 1, 2, 3;
    /// repeat for each heat.
    #[arg(long = "heat")]
    pub heats: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum ScoreCommand {
    /// Enter one score typed at the table.
    Enter(ScoreEnterArgs),
    /// Import scores from a CSV file; nothing is stored if any row is bad.
    Import {
        /// Workout id or name.
        workout: String,
        csv: PathBuf,
    },
    /// Undo one entry by its id (as printed by `score enter`).
    Undo { entry_id: i64 },
    /// Amend a score after an appeal; the history keeps every value.
    Amend(ScoreAmendArgs),
    /// The whole audit trail, oldest first: every entry, import, undo and amendment.
    Log {
        /// Only this workout (id or name).
        #[arg(long)]
        workout: Option<String>,
    },
    /// Show every value a score has had.
    History {
        /// Workout id or name.
        workout: String,
        bib: String,
    },
}

#[derive(Debug, Args)]
pub struct ScoreEnterArgs {
    /// Workout id or name.
    pub workout: String,
    pub bib: String,
    /// The score as written on the sheet: `12:03.4`, `CAP+41`, `5+12`, `102.5`, `DNF`.
    #[arg(allow_hyphen_values = true)]
    pub value: String,
    /// Tie-break time. (Splits come from files and feeds: `score import`
    /// with `split:<timing point>` columns.)
    #[arg(long)]
    pub tiebreak: Option<String>,
}

#[derive(Debug, Args)]
pub struct ScoreAmendArgs {
    /// Workout id or name.
    pub workout: String,
    pub bib: String,
    #[arg(allow_hyphen_values = true)]
    pub value: String,
    /// Why the score changed.
    #[arg(long)]
    pub reason: String,
    /// The appeal reference.
    #[arg(long)]
    pub appeal: Option<String>,
    /// The official making the change.
    #[arg(long)]
    pub by: String,
    /// Tie-break time.
    #[arg(long)]
    pub tiebreak: Option<String>,
    /// List everyone whose placing changed (by default the count and the first ten).
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OverallModeArg {
    RankSum,
    Points,
    Cumulative,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FormatArg {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct LeaderboardArgs {
    /// A workout id or name, or `overall`.
    pub target: String,
    /// Only this division (name or id), ranked by division place.
    #[arg(long)]
    pub division: Option<String>,
    /// How the overall leaderboard combines workouts.
    #[arg(long, value_enum, default_value = "rank-sum")]
    pub mode: OverallModeArg,
    /// A `Rank,Points` CSV for `--mode points` (default 100/95/90...).
    #[arg(long)]
    pub points_table: Option<PathBuf>,
    /// `best-finish`, `workout:<id or name>` or `equal`.
    #[arg(long, default_value = "best-finish")]
    pub tie_break: String,
    /// With `overall`: the team overall of a competition with team and
    /// individual workouts (teams ranked on their team workouts; the
    /// individual workouts are not counted for teams).
    #[arg(long)]
    pub teams: bool,
    #[arg(long, value_enum, default_value = "table")]
    pub format: FormatArg,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Workout id or name.
    pub workout: String,
    pub bib_a: String,
    pub bib_b: String,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    /// Where to put the backup; `<file stem>-backups` beside the file when left out.
    #[arg(long)]
    pub dir: Option<PathBuf>,

    /// `list` or `restore`; without one, take a backup now.
    #[command(subcommand)]
    pub action: Option<BackupAction>,
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show the overall settings (mode, tie-break, team workouts) and the
    /// automatic backup policy stored in the file.
    Show,
    /// How team workouts count in individuals' overall totals: `excluded`
    /// (left out, the default) or `team-place` (each member is credited
    /// with the team's place). Every screen and export follows it.
    TeamWorkouts {
        #[arg(value_enum)]
        rule: TeamWorkoutsArg,
    },
    /// Change the automatic backup policy stored in the file; every program
    /// that writes the file (the app, the CLI, watchers) follows it. Only
    /// the options given change.
    Backup(BackupPolicyArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TeamWorkoutsArg {
    Excluded,
    TeamPlace,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OnOffArg {
    On,
    Off,
}

#[derive(Debug, Args)]
pub struct BackupPolicyArgs {
    /// Automatic backups on or off.
    #[arg(long, value_enum)]
    pub automatic: Option<OnOffArg>,
    /// Take a backup after this many writes since the last one (0: never by count).
    #[arg(long)]
    pub every_writes: Option<u32>,
    /// Take a backup when the last one is this many minutes old (0: never by age).
    #[arg(long)]
    pub every_minutes: Option<u32>,
    /// How many backups to keep (the newest; at least 1).
    #[arg(long)]
    pub keep: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum BackupAction {
    /// List the backups beside the competition file, newest first, with
    /// their times (works even when the file itself is damaged).
    List,
    /// Replace the competition file with a backup. The backup is checked
    /// first; the replaced file is kept beside it as `<name>.replaced-<time>`.
    /// Every other Scoretable program must have closed the file.
    Restore {
        /// The backup file to restore; see `backup list`.
        #[arg(required_unless_present = "newest")]
        backup: Option<PathBuf>,
        /// Restore the newest backup beside the file.
        #[arg(long, conflicts_with = "backup")]
        newest: bool,
    },
    /// Take the automatic backup a one-shot command claimed and handed over
    /// (started by that command, not typed): the backup beside the file,
    /// then the claim released.
    #[command(hide = true)]
    TakeClaim {
        /// The writes the claim covers.
        #[arg(long)]
        writes: u64,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the new competition file.
    pub path: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GeneratedKind {
    /// One timed race with timing points and age-group divisions.
    Race,
    /// A team competition: workouts of mixed score types, teams of `--team-size`.
    Teams,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Where to write the new competition file.
    pub path: PathBuf,
    #[arg(long, value_enum, default_value = "race")]
    pub kind: GeneratedKind,
    #[arg(long, default_value_t = 1000)]
    pub athletes: usize,
    /// Age-group divisions (race only).
    #[arg(long, default_value_t = 4)]
    pub divisions: usize,
    /// Timing points (race only).
    #[arg(long, default_value_t = 3)]
    pub splits: usize,
    /// Workouts (teams only).
    #[arg(long, default_value_t = 8)]
    pub workouts: usize,
    /// Members per team (teams only).
    #[arg(long, default_value_t = 3)]
    pub team_size: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}
