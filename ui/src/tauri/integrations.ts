// The Tauri implementation of the integration screens' backend calls: one
// `invoke` per command in `src-tauri/commands/{inbound,sync,export}.rs`.

import { invoke } from "@tauri-apps/api/core";
import { toBackendError } from "../api/backend";
import type { IntegrationsBackend } from "../api/integrations";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toBackendError(error);
  }
}

export function createTauriIntegrations(): IntegrationsBackend {
  return {
    readSourceFields: (source) => call("read_source_fields", { source }),
    previewMapping: (draft, source) => call("preview_mapping", { draft, source }),
    saveFieldMapping: (draft) => call("save_field_mapping", { draft }),
    listFieldMappings: () => call("list_field_mappings"),
    importMappedFile: (workoutId, mappingName, source) => call("import_mapped_file", { workoutId, mappingName, source }),
    listConnections: () => call("list_connections"),
    addConnection: (request) => call("add_connection", { request }),
    startPolling: (name) => call("start_polling", { name }),
    stopPolling: (name) => call("stop_polling", { name }),
    rehearseConnection: (connection, recordingPath) => call("rehearse_connection", { connection, recordingPath }),
    listConflicts: () => call("list_conflicts"),
    resolveConflict: (id, accept, reason) => call("resolve_conflict", { id, accept, reason }),
    listReviewItems: () => call("list_review_items"),
    assignReviewItem: (id, bib) => call("assign_review_item", { id, bib }),
    dismissReviewItem: (id) => call("dismiss_review_item", { id }),
    syncTargetsStatus: () => call("sync_targets_status"),
    syncNow: (target) => call("sync_now", { target }),
    previewSync: (target) => call("preview_sync", { target }),
    retryRejected: (target, entity) => call("retry_rejected", { target, entity: entity ?? null }),
    syncPlatforms: () => call("sync_platforms"),
    addSyncTarget: (request) => call("add_sync_target", { request }),
    runExport: (request) => call("run_export", { request }),
    choosePath: (purpose, suggestedName) => call("choose_path", { purpose, suggestedName }),
  };
}
