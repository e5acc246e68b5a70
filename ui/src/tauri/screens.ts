// The Tauri side of the competition-day calls: one `invoke` per command in
// `src-tauri/commands/{status,officials}.rs`, and the `status-changed` event
// the backend's status watcher pushes.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { toBackendError } from "../api/backend";
import type { ScreensBackend, StatusView, VenueConfig } from "../api/screens";

/** Listens to a backend event; the returned function stops listening, even before `listen` resolved. */
function subscribe<T>(event: string, listener: (payload: T) => void): () => void {
  let stop: (() => void) | null = null;
  let cancelled = false;
  void listen<T>(event, (message) => listener(message.payload)).then((unlisten) => {
    if (cancelled) unlisten();
    else stop = unlisten;
  });
  return () => {
    cancelled = true;
    stop?.();
  };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toBackendError(error);
  }
}

export function createTauriScreens(): ScreensBackend {
  return {
    appStatus: () => call("app_status"),
    onStatusChanged: (listener) => subscribe<StatusView>("status-changed", listener),
    dayLog: () => call("day_log"),
    previewAmendment: (request) => call("preview_amendment", { request }),
    explainOrder: (request) => call("explain_order", { request }),
    heatSheet: (workoutId, heatId, divisionId) => call("heat_sheet", { workoutId, heatId, divisionId }),
    rowDetail: (workoutId, bib) => call("row_detail", { workoutId, bib }),
    openVenueDisplay: (config) => call("open_venue_display", { config }),
    venueConfig: () => call("venue_config"),
    onVenueConfig: (listener) => subscribe<VenueConfig>("venue-config", listener),
  };
}
