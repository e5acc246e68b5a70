// The in-browser side of the competition-day calls. Like `mock.ts` it never
// ranks or explains: the status, amendment previews and explanations are the
// fixtures a test provides, and `pushStatus` plays the backend's
// `status-changed` event.

import { BackendError } from "./backend";
import type { AmendPreviewView, DayLogView, HeatSheetView, RowDetailView, ScreensBackend, StatusView, VenueConfig } from "./screens";

export interface ScreensFixture {
  status?: StatusView;
  /** Previews by `workoutId:bib:value`. */
  amendmentPreviews?: Record<string, AmendPreviewView>;
  /** Explanations by `aboveBib:belowBib`. */
  explanations?: Record<string, string>;
  /** The heat sheet the backend would return now (a test may change what it returns). */
  heatSheet?: (workoutId: number, heatId: number, divisionId: number | null) => HeatSheetView;
  /** Row details by `workoutId:bib`. */
  rowDetails?: Record<string, RowDetailView>;
  /** What the venue display shows at first. */
  venue?: VenueConfig;
  /** The competition-day log the backend would report. */
  dayLog?: DayLogView;
}

export interface ScreensControls {
  /** Plays the backend pushing a new status. */
  pushStatus(status: StatusView): void;
}

export const emptyStatus: StatusView = {
  targets: [],
  feeds: [],
  backup: { last_at: null, file_name: null, directory: "", automatic: true, every_writes: 100, every_minutes: 10, keep: 10, problem: null, detail: null },
};

export function createMockScreens(fixture: ScreensFixture = {}): ScreensBackend & ScreensControls {
  let status = fixture.status ?? emptyStatus;
  const listeners = new Set<(status: StatusView) => void>();
  let venue: VenueConfig | null = fixture.venue ?? null;
  const venueListeners = new Set<(config: VenueConfig) => void>();
  return {
    appStatus: async () => status,
    dayLog: async () => fixture.dayLog ?? { folder: "/logs", today: "/logs/scoretable-2026-07-06.log", lines: [] },
    onStatusChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    pushStatus(next) {
      status = next;
      listeners.forEach((listener) => listener(next));
    },
    previewAmendment: async (request) => {
      const preview = fixture.amendmentPreviews?.[`${request.workout_id}:${request.bib}:${request.value.trim()}`];
      if (!preview) throw new BackendError("invalid_value", `Invalid score: ${request.value.trim()}`);
      return preview;
    },
    explainOrder: async (request) => {
      const sentence = fixture.explanations?.[`${request.above_bib}:${request.below_bib}`];
      if (!sentence) throw new BackendError("not_found", `No explanation for ${request.above_bib} and ${request.below_bib}.`);
      return sentence;
    },
    rowDetail: async (workoutId, bib) => {
      const detail = fixture.rowDetails?.[`${workoutId}:${bib}`];
      if (!detail) throw new BackendError("not_found", `Bib ${bib} has no score in this workout.`);
      return detail;
    },
    openVenueDisplay: async (config) => {
      venue = config;
      venueListeners.forEach((listener) => listener(config));
    },
    venueConfig: async () => venue,
    onVenueConfig(listener) {
      venueListeners.add(listener);
      return () => venueListeners.delete(listener);
    },
    heatSheet: async (workoutId, heatId, divisionId) => {
      if (!fixture.heatSheet) throw new BackendError("not_found", `There is no heat with id ${heatId}.`);
      return fixture.heatSheet(workoutId, heatId, divisionId);
    },
  };
}
