// The backend calls of the integration screens: field mapping and polling
// (inbound), sync status (outbound) and the export dialog. `Backend` extends
// this interface; the Tauri implementation is `src/tauri/integrations.ts`
// and the in-browser one `src/api/mockIntegrations.ts`. Mapping, ledger,
// sync and export logic all live in the Rust libraries.

import type {
  AddedTargetView,
  ConflictView,
  ConnectionView,
  DrainView,
  ExportOutcome,
  ExportRequest,
  FileImportView,
  MappingDraft,
  MappingPreviewView,
  NewConnectionRequest,
  NewSyncTargetRequest,
  RehearsalView,
  ReviewItemView,
  SavedMappingView,
  SourceFieldsView,
  SourceRequest,
  SyncPlatformView,
  SyncPreviewView,
  SyncTargetView,
} from "./bindingsIntegrations";

export type * from "./bindingsIntegrations";

/** What a native path dialog is for. */
export type PathPurpose = "open_source" | "open_recording" | "open_archive" | "save" | "folder";

export interface IntegrationsBackend {
  /** The fields a file or feed offers, before anything is mapped. */
  readSourceFields(source: SourceRequest): Promise<SourceFieldsView>;
  /** The first rows of the source as the draft will import them, with per-row errors. */
  previewMapping(draft: MappingDraft, source: SourceRequest): Promise<MappingPreviewView>;
  saveFieldMapping(draft: MappingDraft): Promise<SavedMappingView>;
  listFieldMappings(): Promise<SavedMappingView[]>;
  importMappedFile(workoutId: number, mappingName: string, source: SourceRequest): Promise<FileImportView>;

  listConnections(): Promise<ConnectionView[]>;
  addConnection(request: NewConnectionRequest): Promise<ConnectionView>;
  startPolling(name: string): Promise<void>;
  stopPolling(name: string): Promise<void>;
  rehearseConnection(connection: string, recordingPath: string): Promise<RehearsalView>;

  listConflicts(): Promise<ConflictView[]>;
  /** Accept (amend to the source's value, reason required) or dismiss. */
  resolveConflict(id: number, accept: boolean, reason: string): Promise<void>;
  listReviewItems(): Promise<ReviewItemView[]>;
  assignReviewItem(id: number, bib: string): Promise<void>;
  dismissReviewItem(id: number): Promise<void>;

  syncTargetsStatus(): Promise<SyncTargetView[]>;
  syncNow(target: string): Promise<DrainView>;
  previewSync(target: string): Promise<SyncPreviewView>;
  /** Queues the target's refused rows again, or only `entity`'s row; returns how many. */
  retryRejected(target: string, entity?: string): Promise<number>;
  /** The platforms this build syncs to, each with every setting its adapter takes. */
  syncPlatforms(): Promise<SyncPlatformView[]>;
  /** Adds a target; the secret goes to the OS keyring and is never returned. */
  addSyncTarget(request: NewSyncTargetRequest): Promise<AddedTargetView>;

  runExport(request: ExportRequest): Promise<ExportOutcome>;
  /** Asks for a path with the native dialog; null when cancelled. */
  choosePath(purpose: PathPurpose, suggestedName: string): Promise<string | null>;
}
