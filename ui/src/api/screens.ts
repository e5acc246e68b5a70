// The competition-day calls: the header's status strip (pushed by the
// backend as `status-changed` events, never polled), the amendment preview
// and the "why is A above B" explanation. `Backend` extends this interface;
// the Tauri implementation is `src/tauri/screens.ts` and the in-browser one
// `src/api/mockScreens.ts`. Counts, states, places and explanations all come
// from the Rust side.

import type { AmendPreviewRequest, AmendPreviewView, ExplainRequest, HeatSheetView, RowDetailView, VenueConfig } from "./bindingsOfficials";
import type { DayLogView, StatusView } from "./bindingsStatus";

export type * from "./bindingsOfficials";
export type * from "./bindingsStatus";

export interface ScreensBackend {
  /** The status strip now; later changes arrive through `onStatusChanged`. */
  appStatus(): Promise<StatusView>;
  /** Calls `listener` with every new status the backend pushes; returns an unsubscribe function. */
  onStatusChanged(listener: (status: StatusView) => void): () => void;
  /** Where the competition-day log is, with today's newest lines. */
  dayLog(): Promise<DayLogView>;
  /** What an amendment would change (who would move); stores nothing. */
  previewAmendment(request: AmendPreviewRequest): Promise<AmendPreviewView>;
  /** The engine's sentence saying why one row is above another. */
  explainOrder(request: ExplainRequest): Promise<string>;
  /** A heat's athletes in lane order with each result and place (from the backend's board; division places when `divisionId` is set). */
  heatSheet(workoutId: number, heatId: number, divisionId: number | null): Promise<HeatSheetView>;
  /** One row of a workout's board in detail: division places, splits with positions, penalty, status. */
  rowDetail(workoutId: number, bib: string): Promise<RowDetailView>;
  /** Opens the venue display window showing `config`, or re-aims it when it is open. */
  openVenueDisplay(config: VenueConfig): Promise<void>;
  /** What the venue display shows (null before it was opened). */
  venueConfig(): Promise<VenueConfig | null>;
  /** Calls `listener` when the main window re-aims the venue display; returns an unsubscribe function. */
  onVenueConfig(listener: (config: VenueConfig) => void): () => void;
}
