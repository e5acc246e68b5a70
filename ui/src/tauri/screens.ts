// The Tauri side of the competition-day calls: one `invoke` per command in
// `src-tauri/commands/{status,officials}.rs`, and the `status-changed` event
// the backend's status watcher pushes.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { toBackendError } from "../api/backend";
import type { ScreensBackend, StatusView } from "../api/screens";

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
    onStatusChanged(listener) {
      let stop: (() => void) | null = null;
      let cancelled = false;
      void listen<StatusView>("status-changed", (event) => listener(event.payload)).then((unlisten) => {
        if (cancelled) unlisten();
        else stop = unlisten;
      });
      return () => {
        cancelled = true;
        stop?.();
      };
    },
    previewAmendment: (request) => call("preview_amendment", { request }),
    explainOrder: (request) => call("explain_order", { request }),
  };
}
