// Setup: divisions, and workouts with their score type, cap, timing points
// and heats. Each workout's Provisional/Official state is toggled here too.

import { useState } from "preact/hooks";
import { useBackend } from "../app";
import { type NewDivision, type NewWorkout, type ScoreTypeView, type TeamWorkoutsRuleView, type TieBreakView, type WorkoutView, toBackendError } from "../api/backend";
import { useAsync } from "../lib/useAsync";
import { DivisionEditor } from "../components/DivisionEditor";
import { formatCap, scoreTypeLabels, stateLabel } from "../lib/format";

const splitNames = (text: string) =>
  text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);

export function SetupScreen() {
  const backend = useBackend();
  const divisions = useAsync(() => backend.listDivisions(), [backend]);
  const workouts = useAsync(() => backend.listWorkouts(), [backend]);
  const overall = useAsync(() => backend.overallSettings(), [backend]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [division, setDivision] = useState<NewDivision>({ name: "", kind: "custom", gender: null, min_age: null, max_age: null });
  const [workout, setWorkout] = useState({ name: "", score_type: "time" as ScoreTypeView, time_cap: "", timing_points: "", heats: "", lanes_per_heat: "0", tie_break: "none" as TieBreakView });

  const attempt = async (action: () => Promise<string>) => {
    setError(null);
    setNotice(null);
    try {
      setNotice(await action());
    } catch (caught) {
      setError(toBackendError(caught).message);
    }
  };

  const addDivision = () =>
    attempt(async () => {
      const created = await backend.addDivision({ ...division, name: division.name.trim() });
      setDivision({ ...division, name: "" });
      await divisions.reload();
      return `Division ${created.name} added.`;
    });

  const addWorkout = () =>
    attempt(async () => {
      const request: NewWorkout = {
        name: workout.name.trim(),
        score_type: workout.score_type,
        time_cap: workout.time_cap.trim(),
        timing_points: splitNames(workout.timing_points),
        heats: splitNames(workout.heats),
        lanes_per_heat: Number.parseInt(workout.lanes_per_heat, 10) || 0,
        tie_break: workout.tie_break,
      };
      const created = await backend.addWorkout(request);
      setWorkout({ ...workout, name: "", time_cap: "", timing_points: "", heats: "" });
      await workouts.reload();
      return `Workout ${created.name} added.`;
    });

  const setTeamRule = (rule: TeamWorkoutsRuleView) =>
    attempt(async () => {
      const stored = await backend.setTeamWorkoutsRule(rule);
      await overall.reload();
      return `Overall: ${stored.team_workouts_note}`;
    });

  const toggleState = (target: WorkoutView) =>
    attempt(async () => {
      const next = target.state === "official" ? "provisional" : "official";
      const updated = await backend.setWorkoutState(target.id, next);
      await workouts.reload();
      return `${updated.name} is now ${stateLabel(updated.state).toLowerCase()}.`;
    });

  return (
    <section aria-labelledby="setup-title">
      <h1 id="setup-title">Setup</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <div class="columns">
        <div class="panel">
          <h2>Divisions</h2>
          {divisions.error && <p class="error">{divisions.error}</p>}
          <ul class="plain-list" aria-label="Divisions">
            {(divisions.value ?? []).map((item) => (
              <DivisionEditor
                key={item.id}
                division={item}
                onChanged={async (text) => {
                  setError(null);
                  setNotice(text);
                  await divisions.reload();
                }}
                onError={(message) => {
                  setNotice(null);
                  setError(message);
                }}
              />
            ))}
            {divisions.value?.length === 0 && <li class="muted">No divisions yet.</li>}
          </ul>
          <form class="stack" aria-label="Add a division" onSubmit={(event) => (event.preventDefault(), void addDivision())}>
            <div class="field">
              <label for="division-name">Division name</label>
              <input id="division-name" value={division.name} onInput={(event) => setDivision({ ...division, name: (event.currentTarget as HTMLInputElement).value })} />
            </div>
            <div class="row">
              <div class="field">
                <label for="division-kind">Kind</label>
                <select id="division-kind" value={division.kind} onChange={(event) => setDivision({ ...division, kind: (event.currentTarget as HTMLSelectElement).value as NewDivision["kind"] })}>
                  <option value="custom">Custom</option>
                  <option value="gender">Gender</option>
                  <option value="age_group">Age group</option>
                </select>
              </div>
              <div class="field">
                <label for="division-gender">Gender</label>
                <select id="division-gender" value={division.gender ?? ""} onChange={(event) => {
                  const value = (event.currentTarget as HTMLSelectElement).value;
                  setDivision({ ...division, gender: value ? (value as NewDivision["gender"]) : null });
                }}>
                  <option value="">Any</option>
                  <option value="female">Female</option>
                  <option value="male">Male</option>
                  <option value="mixed">Mixed</option>
                  <option value="other">Other</option>
                </select>
              </div>
              <div class="field narrow">
                <label for="division-min-age">Min age</label>
                <input id="division-min-age" inputMode="numeric" value={division.min_age ?? ""} onInput={(event) => {
                  const value = Number.parseInt((event.currentTarget as HTMLInputElement).value, 10);
                  setDivision({ ...division, min_age: Number.isNaN(value) ? null : value });
                }} />
              </div>
              <div class="field narrow">
                <label for="division-max-age">Max age</label>
                <input id="division-max-age" inputMode="numeric" value={division.max_age ?? ""} onInput={(event) => {
                  const value = Number.parseInt((event.currentTarget as HTMLInputElement).value, 10);
                  setDivision({ ...division, max_age: Number.isNaN(value) ? null : value });
                }} />
              </div>
            </div>
            <button type="submit" aria-label="Add division" disabled={!division.name.trim()}>
              Add division
            </button>
          </form>
        </div>
        <div class="panel">
          <h2>Workouts</h2>
          {workouts.error && <p class="error">{workouts.error}</p>}
          <table class="table" aria-label="Workouts">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Workout</th>
                <th scope="col">Score type</th>
                <th scope="col">Cap</th>
                <th scope="col">Points / heats</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {(workouts.value ?? []).map((item) => (
                <tr key={item.id}>
                  <td>{item.sequence}</td>
                  <td>{item.name}</td>
                  <td>{scoreTypeLabels[item.score_type]}</td>
                  <td>
                    {formatCap(item.time_cap_ms)}
                    {item.tie_break === "tie_break_time" && <span class="muted"> · tie-break</span>}
                  </td>
                  <td>
                    {item.timing_points.length} / {item.heats.length}
                  </td>
                  <td>
                    <button
                      type="button"
                      class={`state-toggle ${item.state}`}
                      aria-pressed={item.state === "official"}
                      aria-label={`${item.name}: ${stateLabel(item.state)}. Mark ${item.state === "official" ? "provisional" : "official"}`}
                      onClick={() => toggleState(item)}
                    >
                      {stateLabel(item.state)}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {workouts.value?.length === 0 && <p class="muted">No workouts yet.</p>}
          <form class="stack" aria-label="Add a workout" onSubmit={(event) => (event.preventDefault(), void addWorkout())}>
            <div class="row">
              <div class="field grow">
                <label for="workout-name">Workout name</label>
                <input id="workout-name" value={workout.name} onInput={(event) => setWorkout({ ...workout, name: (event.currentTarget as HTMLInputElement).value })} />
              </div>
              <div class="field">
                <label for="workout-score-type">Score type</label>
                <select id="workout-score-type" value={workout.score_type} onChange={(event) => setWorkout({ ...workout, score_type: (event.currentTarget as HTMLSelectElement).value as ScoreTypeView })}>
                  {(Object.keys(scoreTypeLabels) as ScoreTypeView[]).map((type) => (
                    <option key={type} value={type}>
                      {scoreTypeLabels[type]}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field narrow">
                <label for="workout-cap">Time cap</label>
                <input id="workout-cap" placeholder="12:00" value={workout.time_cap} onInput={(event) => setWorkout({ ...workout, time_cap: (event.currentTarget as HTMLInputElement).value })} />
              </div>
              <div class="field">
                <label for="workout-tie-break">Tie-break</label>
                <select id="workout-tie-break" value={workout.tie_break} onChange={(event) => setWorkout({ ...workout, tie_break: (event.currentTarget as HTMLSelectElement).value as TieBreakView })}>
                  <option value="none">None (ties share a place)</option>
                  <option value="tie_break_time">Tie-break time</option>
                </select>
              </div>
            </div>
            <div class="row">
              <div class="field grow">
                <label for="workout-timing-points">Timing points (comma separated, in course order)</label>
                <input id="workout-timing-points" placeholder="Swim, T1, Bike, T2, Run" value={workout.timing_points} onInput={(event) => setWorkout({ ...workout, timing_points: (event.currentTarget as HTMLInputElement).value })} />
              </div>
            </div>
            <div class="row">
              <div class="field grow">
                <label for="workout-heats">Heats (comma separated)</label>
                <input id="workout-heats" placeholder="Heat 1, Heat 2" value={workout.heats} onInput={(event) => setWorkout({ ...workout, heats: (event.currentTarget as HTMLInputElement).value })} />
              </div>
              <div class="field narrow">
                <label for="workout-lanes">Lanes per heat</label>
                <input id="workout-lanes" inputMode="numeric" value={workout.lanes_per_heat} onInput={(event) => setWorkout({ ...workout, lanes_per_heat: (event.currentTarget as HTMLInputElement).value })} />
              </div>
            </div>
            <button type="submit" aria-label="Add workout" disabled={!workout.name.trim()}>
              Add workout
            </button>
          </form>
          <h2>Overall leaderboard</h2>
          {overall.error && <p class="error">{overall.error}</p>}
          {overall.value && (
            <div class="stack" aria-label="Overall leaderboard rules">
              <div class="field">
                <label for="overall-team-workouts">Team workouts in the individual overall</label>
                <select
                  id="overall-team-workouts"
                  value={overall.value.team_workouts}
                  onChange={(event) => void setTeamRule((event.currentTarget as HTMLSelectElement).value as TeamWorkoutsRuleView)}
                >
                  <option value="excluded">Leave them out of individuals' totals</option>
                  <option value="team_place">Credit each member with the team's place</option>
                </select>
              </div>
              <p class="muted" id="overall-team-workouts-note">
                {overall.value.team_workouts_note}{" "}
                {overall.value.team_workout_names.length > 0
                  ? `Team workouts: ${overall.value.team_workout_names.join(", ")}.`
                  : "This competition has no team workouts yet."}
              </p>
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
