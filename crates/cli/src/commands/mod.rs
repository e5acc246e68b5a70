//! One module per group of commands; [`run`] dispatches a parsed command line.

pub mod competition;
pub mod events;
pub mod leaderboard;
pub mod people;
pub mod scores;
pub mod settings;
pub mod workouts;

use crate::args::{
    BackupAction, Cli, Command, CompetitorCommand, CompetitorsCommand, DivisionCommand,
    ScoreCommand, SettingsCommand, TeamCommand, WorkoutCommand,
};
use crate::error::CliResult;
use crate::output::Output;

/// Runs one command and returns what it produced.
pub fn run(cli: &Cli) -> CliResult<Output> {
    let file = cli.file.as_deref();
    let operator = cli.operator.as_deref();
    match &cli.command {
        Command::Create(arguments) => competition::create(file, arguments),
        Command::Info => competition::info(file),
        Command::Backup(arguments) => match &arguments.action {
            None => competition::backup(file, arguments.dir.as_deref()),
            Some(BackupAction::List) => competition::backup_list(file),
            Some(BackupAction::Restore { backup, newest }) => {
                competition::backup_restore(file, backup.as_deref(), *newest)
            }
            Some(BackupAction::TakeClaim { writes }) => {
                competition::backup_take_claim(file, *writes)
            }
        },
        Command::Settings(SettingsCommand::Show) => settings::show(file),
        Command::Settings(SettingsCommand::TeamWorkouts { rule }) => {
            settings::team_workouts(file, *rule)
        }
        Command::Settings(SettingsCommand::Backup(arguments)) => {
            settings::backup_policy(file, arguments)
        }
        Command::Division(DivisionCommand::Add(arguments)) => people::division_add(file, arguments),
        Command::Division(DivisionCommand::List) => people::division_list(file),
        Command::Competitors(CompetitorsCommand::Import { csv }) => {
            people::competitors_import(file, csv)
        }
        Command::Competitors(CompetitorsCommand::List { division }) => {
            people::competitors_list(file, division.as_deref())
        }
        Command::Competitor(CompetitorCommand::Show { bib }) => people::competitor_show(file, bib),
        Command::Team(TeamCommand::Add(arguments)) => people::team_add(file, arguments),
        Command::Team(TeamCommand::List) => people::team_list(file),
        Command::Workout(WorkoutCommand::Add(arguments)) => workouts::workout_add(file, arguments),
        Command::Workout(WorkoutCommand::List) => workouts::workout_list(file),
        Command::Workout(WorkoutCommand::State { workout, state }) => {
            workouts::workout_state(file, workout, *state)
        }
        Command::Score(ScoreCommand::Enter(arguments)) => {
            scores::score_enter(file, operator, arguments)
        }
        Command::Score(ScoreCommand::Import { workout, csv }) => {
            scores::score_import(file, workout, csv)
        }
        Command::Score(ScoreCommand::Undo { entry_id }) => {
            scores::score_undo(file, operator, *entry_id)
        }
        Command::Score(ScoreCommand::Amend(arguments)) => scores::score_amend(file, arguments),
        Command::Score(ScoreCommand::Log { workout }) => {
            scores::score_log(file, workout.as_deref())
        }
        Command::Score(ScoreCommand::History { workout, bib }) => {
            scores::score_history(file, workout, bib)
        }
        Command::Leaderboard(arguments) => leaderboard::leaderboard(file, cli.json, arguments),
        Command::Explain(arguments) => leaderboard::explain(file, arguments),
        Command::Demo(arguments) => events::demo(&arguments.path),
        Command::Generate(arguments) => events::generate(arguments),
        Command::Export(command) => crate::export_cmd::run(file, command),
        Command::Sync(arguments) => crate::sync_cmd::run(file, arguments),
        Command::Inbound(command) => crate::inbound_cmd::run(file, operator, cli.json, command),
    }
}
