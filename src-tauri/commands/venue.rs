//! The venue display: a second window for a projector or TV showing a
//! large-type leaderboard that pages through divisions. The main window opens
//! it (or re-aims it) with [`open_venue_display`]; the venue window reads its
//! [`VenueConfig`] once and hears `venue-config` when it changes. Its
//! capability (`capabilities/venue.json`) grants only read commands, so it can
//! never change a score. It ranks nothing: it asks for leaderboard pages like
//! the Leaderboard screen does, and re-asks on `scores-changed`.

use std::sync::{Arc, Mutex};

use tauri::{AppHandle, Emitter, Manager, State, WebviewUrl, WebviewWindowBuilder};

use crate::dto::{CommandError, ErrorKind};
use crate::dto_officials::VenueConfig;
use crate::error::CommandResult;

/// The window's label; its capability names it.
pub const VENUE_WINDOW: &str = "venue";

/// What the venue display shows, set by the main window.
#[derive(Default)]
pub struct VenueState {
    config: Mutex<Option<VenueConfig>>,
}

/// Opens the venue window showing `config`, or re-aims and raises it when it is open.
#[tauri::command]
pub async fn open_venue_display(
    app: AppHandle,
    venue: State<'_, Arc<VenueState>>,
    config: VenueConfig,
) -> CommandResult<()> {
    if config.page_seconds < 3 {
        return Err(CommandError::invalid(
            "page time",
            format!("{} s; a page must stay at least 3 s", config.page_seconds),
        ));
    }
    *venue
        .config
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(config.clone());
    let window_error = |error: tauri::Error| {
        CommandError::new(
            ErrorKind::Storage,
            format!("Could not open the venue display window: {error}"),
        )
    };
    if let Some(window) = app.get_webview_window(VENUE_WINDOW) {
        let _ = app.emit_to(VENUE_WINDOW, "venue-config", &config);
        window.set_focus().map_err(window_error)?;
        return Ok(());
    }
    WebviewWindowBuilder::new(&app, VENUE_WINDOW, WebviewUrl::App("index.html".into()))
        .title("Scoretable — venue display")
        .inner_size(1280.0, 720.0)
        .min_inner_size(640.0, 360.0)
        .build()
        .map_err(window_error)?;
    Ok(())
}

/// What the venue display should show (null before the main window opened it).
#[tauri::command]
pub fn venue_config(venue: State<'_, Arc<VenueState>>) -> Option<VenueConfig> {
    venue
        .config
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone()
}
