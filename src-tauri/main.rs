//! Scoretable's desktop app: a thin Tauri shell over the store and core.
//!
//! The UI (`ui/`, bundled from `ui/dist`) calls the commands in
//! [`commands`], one module per domain. Each command runs its store work on
//! the blocking pool (see [`state::AppState::run`]) so the window never
//! freezes. Setting `SCORETABLE_OPEN=<file>` opens that competition file at
//! startup.

// Release builds on Windows have no console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod bindings;
mod boards;
#[cfg(test)]
mod command_lists;
mod commands;
mod dto;
mod dto_entrants;
mod dto_integrations;
mod dto_leaderboard;
mod dto_officials;
mod dto_status;
mod error;
mod logging;
mod state;

use scoretable_usecase::SessionSettings;
use state::AppState;

/// The environment variable naming a competition file to open at startup.
const OPEN_AT_STARTUP: &str = "SCORETABLE_OPEN";

fn main() {
    // The main window's session: its file, the pollers and the sync worker
    // tied to it, its kept boards (crate `scoretable-usecase`). What its
    // background threads report becomes window events once Tauri is up.
    let events = std::sync::Arc::new(state::AppEvents::default());
    let app_state = AppState::new(state::Session::new(
        SessionSettings::desktop(commands::scores::table_operator()),
        events.clone(),
    ));
    if let Some(path) = std::env::var_os(OPEN_AT_STARTUP).filter(|path| !path.is_empty()) {
        let path = std::path::PathBuf::from(path);
        let opened = app_state.run_now(|session| commands::competition::open_path(session, &path));
        if let Err(error) = opened {
            // The window still opens, on the start screen, which shows why;
            // the scorekeeper can pick another file.
            let message = format!("Could not open {}: {}", path.display(), error.message);
            eprintln!("scoretable: {message}");
            app_state.set_startup_error(message);
        }
    }
    tauri::Builder::default()
        .manage(app_state)
        .manage(std::sync::Arc::new(commands::venue::VenueState::default()))
        .manage(std::sync::Arc::new(commands::venue::VenueReader::default()))
        .setup(move |app| {
            // The day's log beside the app's data (see `logging`).
            use tauri::Manager;
            match app.path().app_log_dir() {
                Ok(directory) => match logging::start(&directory) {
                    Ok(file) => tracing::info!(log = %file.display(), "Scoretable started"),
                    Err(error) => eprintln!(
                        "scoretable: cannot write the log in {}: {error}",
                        directory.display()
                    ),
                },
                Err(error) => eprintln!("scoretable: no log folder: {error}"),
            }
            events.attach(app.handle());
            commands::status::start_status_watcher(app.handle());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::competition::competition_status,
            commands::competition::open_competition,
            commands::competition::create_competition,
            commands::competition::open_competition_dialog,
            commands::competition::create_competition_dialog,
            commands::competition::close_competition,
            commands::competition::take_startup_error,
            commands::setup::list_divisions,
            commands::setup::add_division,
            commands::setup::update_division,
            commands::setup::remove_division,
            commands::setup::list_workouts,
            commands::setup::add_workout,
            commands::setup::set_workout_state,
            commands::setup::overall_settings,
            commands::setup::set_team_workouts_rule,
            commands::competitors::list_competitors,
            commands::competitors::import_competitors_csv,
            commands::competitors::import_competitors_dialog,
            commands::competitors::find_competitor,
            commands::competitors::set_competitor_divisions,
            commands::teams::list_teams,
            commands::teams::add_team,
            commands::teams::update_team,
            commands::teams::remove_team,
            commands::scores::enter_score,
            commands::scores::undo_last_entry,
            commands::scores::recent_entries,
            commands::leaderboard::leaderboard_page,
            commands::leaderboard::overall_leaderboard_page,
            commands::leaderboard::find_on_leaderboard,
            commands::amendments::find_scores,
            commands::amendments::amend_score,
            commands::amendments::score_history,
            commands::officials::preview_amendment,
            commands::officials::explain_order,
            commands::officials::heat_sheet,
            commands::officials::row_detail,
            commands::status::app_status,
            commands::status::day_log,
            commands::venue::open_venue_display,
            commands::venue::venue_config,
            commands::venue::venue_competition_status,
            commands::venue::venue_divisions,
            commands::venue::venue_workouts,
            commands::venue::venue_leaderboard_page,
            commands::venue::venue_overall_page,
            commands::inbound::read_source_fields,
            commands::inbound::preview_mapping,
            commands::inbound::save_field_mapping,
            commands::inbound::list_field_mappings,
            commands::inbound::import_mapped_file,
            commands::inbound::list_connections,
            commands::inbound::add_connection,
            commands::inbound::start_polling,
            commands::inbound::stop_polling,
            commands::inbound::rehearse_connection,
            commands::inbound::list_conflicts,
            commands::inbound::resolve_conflict,
            commands::inbound::list_review_items,
            commands::inbound::assign_review_item,
            commands::inbound::dismiss_review_item,
            commands::sync::sync_targets_status,
            commands::sync::sync_now,
            commands::sync::preview_sync,
            commands::sync::retry_rejected,
            commands::sync::sync_platforms,
            commands::sync::add_sync_target,
            commands::export::run_export,
            commands::export::choose_path,
        ])
        .run(tauri::generate_context!())
        .expect("error while running Scoretable");
}
