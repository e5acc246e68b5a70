// The in-browser side of the integration screens' backend calls, for tests
// and for running the UI in a plain browser. Like `mock.ts` it never maps,
// parses, ranks or renders anything: previews, import reports, sync status
// and export outcomes are the fixtures the test provides; the mock only
// keeps lists (saved mappings, connections, conflicts, review items,
// targets) and records the calls it received.

import { BackendError } from "./backend";
import type { IntegrationsBackend } from "./integrations";
import type {
  ConflictView,
  ConnectionView,
  ExportOutcome,
  ExportRequest,
  FileImportView,
  MappingDraft,
  MappingPreviewView,
  RehearsalView,
  ReviewItemView,
  SavedMappingView,
  SourceFieldsView,
  NewSyncTargetRequest,
  SyncPlatformView,
  SyncPreviewView,
  SyncTargetView,
} from "./bindingsIntegrations";

export interface IntegrationsFixture {
  /** What each source path (or connection name) offers. */
  sources?: Record<string, SourceFieldsView>;
  /** The preview the backend would return for a source and draft. */
  preview?: (draft: MappingDraft, source: string) => MappingPreviewView;
  /** The report of importing each source path. */
  imports?: Record<string, FileImportView>;
  connections?: ConnectionView[];
  rehearsals?: Record<string, RehearsalView>;
  conflicts?: ConflictView[];
  reviewItems?: ReviewItemView[];
  syncTargets?: SyncTargetView[];
  syncPreviews?: Record<string, SyncPreviewView>;
  /** The platforms and their settings, as the backend's adapters describe them. */
  syncPlatforms?: SyncPlatformView[];
  /** A sentence to refuse addSyncTarget with (the adapter's check), when set. */
  refuseTarget?: (request: NewSyncTargetRequest) => string | null;
  /** What an export request wrote, or an error sentence to reject it with. */
  exportOutcome?: (request: ExportRequest) => ExportOutcome | string;
  /** What the native dialog returns (null: cancelled). */
  dialogPath?: string | null;
}

/** The calls the mock received, by name, with their arguments. */
export interface IntegrationsCalls {
  integrationCalls: Array<{ name: string; args: unknown[] }>;
}

const notFound = (what: string) => new BackendError("not_found", `${what} does not exist.`);

export function createMockIntegrations(fixture: IntegrationsFixture = {}): IntegrationsBackend & IntegrationsCalls {
  const integrationCalls: Array<{ name: string; args: unknown[] }> = [];
  const mappings: SavedMappingView[] = [];
  const connections = [...(fixture.connections ?? [])];
  let conflicts = [...(fixture.conflicts ?? [])];
  let reviewItems = [...(fixture.reviewItems ?? [])];
  const syncTargets = [...(fixture.syncTargets ?? [])];
  const record = async <T>(name: string, args: unknown[], action: () => T): Promise<T> => {
    integrationCalls.push({ name, args });
    return action();
  };
  const sourceKey = (source: { path: string; connection: string | null }) => source.connection || source.path;
  const requireSource = (key: string) => {
    const found = fixture.sources?.[key];
    if (!found) throw new BackendError("storage", `Cannot read ${key}: no such file.`);
    return found;
  };

  return {
    integrationCalls,
    readSourceFields: (source) => record("readSourceFields", [source], () => requireSource(sourceKey(source))),
    previewMapping: (draft, source) =>
      record("previewMapping", [draft, source], () => {
        requireSource(sourceKey(source));
        if (!draft.identifier_field) throw new BackendError("invalid_value", "choose the source field that identifies the entrant");
        if (!fixture.preview) throw new BackendError("storage", "No preview fixture.");
        return fixture.preview(draft, sourceKey(source));
      }),
    saveFieldMapping: (draft) =>
      record("saveFieldMapping", [draft], () => {
        if (!draft.name.trim()) throw new BackendError("invalid_value", "Invalid mapping name: it is empty");
        const saved: SavedMappingView = { name: draft.name, workout_id: draft.workout_id, updated_at: "2026-01-01T00:00:00Z", draft };
        const index = mappings.findIndex((mapping) => mapping.name === draft.name);
        if (index >= 0) mappings[index] = saved;
        else mappings.push(saved);
        return saved;
      }),
    listFieldMappings: () => record("listFieldMappings", [], () => [...mappings]),
    importMappedFile: (workoutId, mappingName, source) =>
      record("importMappedFile", [workoutId, mappingName, source], () => {
        if (!mappings.some((mapping) => mapping.name === mappingName)) throw notFound(`Mapping ${mappingName}`);
        const report = fixture.imports?.[source.path];
        if (!report) throw new BackendError("storage", `Cannot read ${source.path}: no such file.`);
        return report;
      }),
    listConnections: () => record("listConnections", [], () => connections.map((connection) => ({ ...connection }))),
    addConnection: (request) =>
      record("addConnection", [request], () => {
        if (connections.some((connection) => connection.name === request.name)) {
          throw new BackendError("invalid_value", `A connection named ${request.name} already exists.`);
        }
        const added: ConnectionView = {
          ...request,
          enabled: true,
          state: "never polled",
          message: null,
          consecutive_failures: 0,
          last_success_at: null,
          next_attempt_at: null,
          polling: false,
          provisional_teams: [],
        };
        connections.push(added);
        return added;
      }),
    startPolling: (name) =>
      record("startPolling", [name], () => {
        const connection = connections.find((candidate) => candidate.name === name);
        if (!connection) throw notFound(`Connection ${name}`);
        connection.polling = true;
      }),
    stopPolling: (name) =>
      record("stopPolling", [name], () => {
        const connection = connections.find((candidate) => candidate.name === name);
        if (connection) connection.polling = false;
      }),
    rehearseConnection: (connection, recordingPath) =>
      record("rehearseConnection", [connection, recordingPath], () => {
        const report = fixture.rehearsals?.[recordingPath];
        if (!report) throw new BackendError("storage", `Cannot read ${recordingPath}: no such file.`);
        return report;
      }),
    listConflicts: () => record("listConflicts", [], () => [...conflicts]),
    resolveConflict: (id, accept, reason) =>
      record("resolveConflict", [id, accept, reason], () => {
        if (accept && !reason.trim()) {
          throw new BackendError("invalid_value", "Invalid reason: accepting a conflict amends the score, so give a reason");
        }
        conflicts = conflicts.filter((conflict) => conflict.id !== id);
      }),
    listReviewItems: () => record("listReviewItems", [], () => [...reviewItems]),
    assignReviewItem: (id, bib) =>
      record("assignReviewItem", [id, bib], () => {
        if (!bib.trim()) throw new BackendError("unknown_bib", "No competitor has bib .");
        reviewItems = reviewItems.filter((item) => item.id !== id);
      }),
    dismissReviewItem: (id) =>
      record("dismissReviewItem", [id], () => {
        reviewItems = reviewItems.filter((item) => item.id !== id);
      }),
    syncTargetsStatus: () => record("syncTargetsStatus", [], () => syncTargets.map((target) => ({ ...target }))),
    syncNow: (target) =>
      record("syncNow", [target], () => {
        const found = syncTargets.find((candidate) => candidate.name === target);
        if (!found) throw notFound(`Target ${target}`);
        return { target, acknowledged: 0, rejected: 0, retried: 1, drained: false, last_error: found.last_error };
      }),
    retryRejected: (target, entity) =>
      record("retryRejected", entity === undefined ? [target] : [target, entity], () => {
        const found = syncTargets.find((candidate) => candidate.name === target);
        if (!found) throw notFound(`Target ${target}`);
        if (entity !== undefined) {
          if (!found.rejections.some((rejection) => rejection.entity === entity)) return 0;
          syncTargets[syncTargets.indexOf(found)] = {
            ...found,
            queued: found.queued + 1,
            rejected: found.rejected - 1,
            rejections: found.rejections.filter((rejection) => rejection.entity !== entity),
          };
          return 1;
        }
        const queued = found.rejected;
        syncTargets[syncTargets.indexOf(found)] = { ...found, queued: found.queued + queued, rejected: 0, rejections: [] };
        return queued;
      }),
    previewSync: (target) =>
      record("previewSync", [target], () => {
        const preview = fixture.syncPreviews?.[target];
        if (!preview) throw notFound(`Target ${target}`);
        return preview;
      }),
    syncPlatforms: () => record("syncPlatforms", [], () => fixture.syncPlatforms ?? []),
    addSyncTarget: (request) =>
      record("addSyncTarget", [request], () => {
        const refusal = fixture.refuseTarget?.(request);
        if (refusal) throw new BackendError("invalid_value", refusal);
        const target: SyncTargetView = {
          name: request.name,
          platform: request.platform,
          endpoint: request.endpoint,
          enabled: true,
          queued: 0,
          in_flight: 0,
          acknowledged: 0,
          rejected: 0,
          last_success_at: null,
          last_error: null,
          last_error_at: null,
          next_attempt_at: null,
          consecutive_failures: 0,
          rejections: [],
          duplicates: [],
        };
        syncTargets.push(target);
        return { target, secret_backend: request.secret ? "OS keyring" : "" };
      }),
    runExport: (request) =>
      record("runExport", [request], () => {
        const outcome = fixture.exportOutcome?.(request) ?? "No export fixture.";
        if (typeof outcome === "string") throw new BackendError("invalid_value", outcome);
        return outcome;
      }),
    choosePath: (purpose, suggestedName) => record("choosePath", [purpose, suggestedName], () => fixture.dialogPath ?? null),
  };
}
