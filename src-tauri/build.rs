//! Build script for the desktop app: compiles the Tauri context (config, CSP,
//! icons, capabilities) and generates one `allow-<command>` permission per app
//! command, so the capability file can grant exactly the commands the UI uses.

/// Every command the shell exposes. The capability in
/// `src-tauri/capabilities/main.json` must allow each of these by name.
const APP_COMMANDS: &[&str] = &[
    "competition_status",
    "open_competition",
    "create_competition",
    "open_competition_dialog",
    "create_competition_dialog",
    "close_competition",
    "take_startup_error",
    "list_divisions",
    "add_division",
    "list_workouts",
    "add_workout",
    "set_workout_state",
    "overall_settings",
    "set_team_workouts_rule",
    "list_competitors",
    "import_competitors_csv",
    "import_competitors_dialog",
    "find_competitor",
    // Teams, divisions and membership (allowed in capabilities/entrants.json).
    "update_division",
    "remove_division",
    "set_competitor_divisions",
    "list_teams",
    "add_team",
    "update_team",
    "remove_team",
    "enter_score",
    "undo_last_entry",
    "recent_entries",
    // The paged leaderboard (allowed in capabilities/leaderboard.json).
    "leaderboard_page",
    "overall_leaderboard_page",
    "find_on_leaderboard",
    "find_scores",
    "amend_score",
    "score_history",
    // The officials' questions and the status strip (capabilities/officials.json).
    "preview_amendment",
    "explain_order",
    "heat_sheet",
    "row_detail",
    "app_status",
    "day_log",
    // The venue display window (capabilities/venue.json reads; main opens it).
    "open_venue_display",
    "venue_config",
    "venue_competition_status",
    "venue_divisions",
    "venue_workouts",
    "venue_leaderboard_page",
    "venue_overall_page",
    // The integration screens (allowed in capabilities/integrations.json).
    "read_source_fields",
    "preview_mapping",
    "save_field_mapping",
    "list_field_mappings",
    "import_mapped_file",
    "list_connections",
    "add_connection",
    "start_polling",
    "stop_polling",
    "rehearse_connection",
    "list_conflicts",
    "resolve_conflict",
    "list_review_items",
    "assign_review_item",
    "dismiss_review_item",
    "sync_targets_status",
    "sync_now",
    "preview_sync",
    "retry_rejected",
    "sync_platforms",
    "add_sync_target",
    "run_export",
    "choose_path",
];

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=tauri.conf.json");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/*.json")
        .app_manifest(tauri_build::AppManifest::new().commands(APP_COMMANDS));
    tauri_build::try_build(attributes).expect("the Tauri build step failed");
}
