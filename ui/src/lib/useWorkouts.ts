// Loads the workout list and remembers which one is chosen, shared by the
// score-entry, leaderboard and amendments screens.

import { useEffect, useState } from "preact/hooks";
import type { Backend, WorkoutView } from "../api/backend";
import { useAsync } from "./useAsync";

let rememberedWorkoutId: number | null = null;

export function useWorkouts(backend: Backend) {
  const workouts = useAsync(() => backend.listWorkouts(), [backend]);
  const [selectedId, setSelectedId] = useState<number | null>(rememberedWorkoutId);
  const list: WorkoutView[] = workouts.value ?? [];

  useEffect(() => {
    if (list.length === 0) return;
    if (selectedId === null || !list.some((workout) => workout.id === selectedId)) {
      setSelectedId(list[0].id);
    }
  }, [workouts.value]);

  useEffect(() => {
    rememberedWorkoutId = selectedId;
  }, [selectedId]);

  const selected = list.find((workout) => workout.id === selectedId) ?? null;
  return { workouts, list, selected, select: setSelectedId };
}
