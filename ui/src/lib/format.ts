// Small display helpers. These only format what the backend already decided;
// no ranking or score parsing happens in the UI.

import type { PublicationStateView, ScoreTypeView } from "../api/bindings";

export const scoreTypeLabels: Record<ScoreTypeView, string> = {
  time: "Time (lower is better)",
  time_capped: "Time with cap (CAP+reps)",
  rounds_reps: "Rounds + reps",
  reps: "Reps",
  load: "Load",
  distance: "Distance",
  points: "Points",
};

export const scoreExamples: Record<ScoreTypeView, string> = {
  time: "12:03.4",
  time_capped: "12:03.4 or CAP+41",
  rounds_reps: "5+12",
  reps: "150",
  load: "102.5",
  distance: "5000",
  points: "87.5",
};

export function stateLabel(state: PublicationStateView): string {
  return state === "official" ? "Official" : "Provisional";
}

/** `1`, `=2` for a shared place, or an en dash when unranked. */
export function rankLabel(rank: number | null, tied: boolean): string {
  if (rank === null) return "–";
  return tied ? `=${rank}` : String(rank);
}

/** Formats a duration in milliseconds as `m:ss` or `h:mm:ss` for caps. */
export function formatCap(ms: number | null): string {
  if (ms === null) return "";
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const pad = (value: number) => String(value).padStart(2, "0");
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
}
