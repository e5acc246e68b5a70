// The export dialog: choose what (results CSV per workout / division /
// overall, JSON, RunSignup CSV / JSON / XML, PDF per division, the award
// list with its rules, everything, the sealed archive, or verifying an
// archive) and where (native save or folder dialog, or a typed path), then
// see exactly what was written: paths, sizes and SHA-256, or the error.
// Rendering, safety and sealing all happen in the backend.

import { useState } from "preact/hooks";
import { useBackend } from "../app";
import { type ExportOutcome, type ExportRequest, toBackendError } from "../api/backend";
import { useAsync } from "../lib/useAsync";
import "./integrations.css";

const kinds = [
  ["workout_csv", "Results CSV of a workout"],
  ["overall_csv", "Overall results CSV"],
  ["team_overall_csv", "Team overall results CSV (team and individual workouts)"],
  ["json", "Results JSON (whole competition)"],
  ["runsignup", "RunSignup upload file"],
  ["pdf", "Printable results PDF"],
  ["awards", "Award list"],
  ["all", "Everything, into a folder"],
  ["seal", "Sealed archive (zip)"],
  ["verify", "Verify a sealed archive"],
] as const;

type Kind = (typeof kinds)[number][0];

const valueOf = (event: Event) => (event.currentTarget as HTMLInputElement | HTMLSelectElement).value;

function suggestedName(kind: Kind, format: string): string {
  switch (kind) {
    case "workout_csv":
    case "overall_csv":
      return "results.csv";
    case "team_overall_csv":
      return "team-overall.csv";
    case "json":
      return "results.json";
    case "runsignup":
      return `runsignup.${format}`;
    case "pdf":
      return "results.pdf";
    case "awards":
      return `awards.${format}`;
    case "seal":
      return "day-end.zip";
    default:
      return "";
  }
}

export function ExportScreen() {
  const backend = useBackend();
  const workouts = useAsync(() => backend.listWorkouts(), [backend]);
  const divisions = useAsync(() => backend.listDivisions(), [backend]);
  const [kind, setKind] = useState<Kind>("workout_csv");
  const [path, setPath] = useState("");
  const [workoutId, setWorkoutId] = useState("");
  const [divisionId, setDivisionId] = useState("");
  const [format, setFormat] = useState("csv");
  const [mapStatuses, setMapStatuses] = useState(false);
  const [awards, setAwards] = useState({ workout: "", perDivision: "3", overall: "0", genderOverall: "0", double: true });
  const [outcome, setOutcome] = useState<ExportOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const workoutList = workouts.value ?? [];
  const chosenWorkout = workoutId || (workoutList[0] ? String(workoutList[0].id) : "");
  const needsWorkout = kind === "workout_csv" || kind === "runsignup";
  const takesDivision =
    kind === "workout_csv" || kind === "overall_csv" || kind === "team_overall_csv" || kind === "runsignup" || kind === "pdf";
  const takesAwards = kind === "awards" || kind === "all" || kind === "seal";
  const formats = kind === "runsignup" ? ["csv", "json", "xml"] : kind === "awards" ? ["pdf", "csv"] : [];
  const pathLabel = kind === "all" ? "Folder" : kind === "verify" ? "Archive to verify" : "Save to";

  const changeKind = (next: Kind) => {
    setKind(next);
    setOutcome(null);
    setError(null);
    if (next === "runsignup") setFormat("csv");
    if (next === "awards") setFormat("pdf");
  };

  const browse = async () => {
    setError(null);
    try {
      const purpose = kind === "all" ? "folder" : kind === "verify" ? "open_archive" : "save";
      const chosen = await backend.choosePath(purpose, suggestedName(kind, format));
      if (chosen) setPath(chosen);
    } catch (caught) {
      setError(toBackendError(caught).message);
    }
  };

  const run = async () => {
    setBusy(true);
    setError(null);
    setOutcome(null);
    const request: ExportRequest = {
      kind,
      path: path.trim(),
      workout_id: needsWorkout && chosenWorkout ? Number(chosenWorkout) : null,
      division_id: takesDivision && divisionId ? Number(divisionId) : null,
      format,
      map_statuses: mapStatuses,
      award_workout_id: awards.workout ? Number(awards.workout) : null,
      awards_per_division: Number(awards.perDivision) || 0,
      overall_awards: Number(awards.overall) || 0,
      gender_overall_awards: Number(awards.genderOverall) || 0,
      overall_winners_also_take_division_awards: awards.double,
    };
    try {
      setOutcome(await backend.runExport(request));
    } catch (caught) {
      setError(toBackendError(caught).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="export-title" class="stack">
      <div class="entry-head">
        <h1 id="export-title">Export</h1>
      </div>
      <form class="panel stack" aria-label="Export" onSubmit={(event) => (event.preventDefault(), void run())}>
        <div class="inline-form wrap">
          <div class="field">
            <label for="export-kind">What to export</label>
            <select id="export-kind" value={kind} onChange={(event) => changeKind(valueOf(event) as Kind)}>
              {kinds.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          {needsWorkout && (
            <div class="field">
              <label for="export-workout">Workout</label>
              <select id="export-workout" value={chosenWorkout} onChange={(event) => setWorkoutId(valueOf(event))}>
                {workoutList.map((workout) => (
                  <option key={workout.id} value={workout.id}>
                    {workout.sequence}. {workout.name}
                  </option>
                ))}
              </select>
            </div>
          )}
          {takesDivision && (
            <div class="field">
              <label for="export-division">Division</label>
              <select id="export-division" value={divisionId} onChange={(event) => setDivisionId(valueOf(event))}>
                <option value="">Whole field</option>
                {(divisions.value ?? []).map((division) => (
                  <option key={division.id} value={division.id}>
                    {division.name}
                  </option>
                ))}
              </select>
            </div>
          )}
          {formats.length > 0 && (
            <div class="field">
              <label for="export-format">File format</label>
              <select id="export-format" value={format} onChange={(event) => setFormat(valueOf(event))}>
                {formats.map((value) => (
                  <option key={value} value={value}>
                    {value.toUpperCase()}
                  </option>
                ))}
              </select>
            </div>
          )}
        </div>
        {(kind === "runsignup" || kind === "all" || kind === "seal") && (
          <label class="row">
            <input type="checkbox" aria-label="Write LAP and NC as DNF and WD as DNS for RunSignup" checked={mapStatuses} onChange={(event) => setMapStatuses((event.currentTarget as HTMLInputElement).checked)} />
            Write LAP and NC as DNF and WD as DNS for RunSignup
          </label>
        )}
        {takesAwards && (
          <fieldset class="inline-form">
            <legend>Award rules</legend>
            <div class="field">
              <label for="awards-basis">Awards from</label>
              <select id="awards-basis" value={awards.workout} onChange={(event) => setAwards({ ...awards, workout: valueOf(event) })}>
                <option value="">Overall standings</option>
                {workoutList.map((workout) => (
                  <option key={workout.id} value={workout.id}>
                    {workout.sequence}. {workout.name}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="awards-per-division">Awards per division</label>
              <input id="awards-per-division" inputMode="numeric" value={awards.perDivision} onInput={(event) => setAwards({ ...awards, perDivision: valueOf(event) })} />
            </div>
            <div class="field">
              <label for="awards-overall">Overall awards</label>
              <input id="awards-overall" inputMode="numeric" value={awards.overall} onInput={(event) => setAwards({ ...awards, overall: valueOf(event) })} />
            </div>
            <div class="field">
              <label for="awards-gender-overall">Overall awards per gender</label>
              <input id="awards-gender-overall" inputMode="numeric" value={awards.genderOverall} onInput={(event) => setAwards({ ...awards, genderOverall: valueOf(event) })} />
            </div>
            <label class="row">
              <input type="checkbox" aria-label="Overall winners also take division awards" checked={awards.double} onChange={(event) => setAwards({ ...awards, double: (event.currentTarget as HTMLInputElement).checked })} />
              Overall and gender-overall winners also take division awards
            </label>
          </fieldset>
        )}
        <div class="inline-form wrap">
          <div class="field grow">
            <label for="export-path">{pathLabel}</label>
            <input id="export-path" value={path} placeholder={kind === "all" ? "/path/to/folder" : `/path/to/${suggestedName(kind, format) || "archive.zip"}`} onInput={(event) => setPath(valueOf(event))} />
          </div>
          <button type="button" aria-label="Choose where with a dialog" onClick={browse} disabled={busy}>
            Browse…
          </button>
          <button type="submit" class="primary" aria-label={kind === "verify" ? "Verify archive" : "Export now"} disabled={busy || !path.trim() || (needsWorkout && !chosenWorkout)}>
            {kind === "verify" ? "Verify" : "Export"}
          </button>
        </div>
      </form>
      {error && (
        <p class="error multiline" role="alert" data-testid="export-error">
          {error}
        </p>
      )}
      {outcome && (
        <div class="panel" role="status" aria-label="Export result">
          <p class="saved">{outcome.summary}</p>
          {outcome.files.length > 0 && (
            <table class="table" aria-label="Files written">
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Bytes</th>
                  <th scope="col">SHA-256</th>
                  <th scope="col">Contents</th>
                </tr>
              </thead>
              <tbody>
                {outcome.files.map((file) => (
                  <tr key={file.path}>
                    <td class="mono">{file.path}</td>
                    <td class="score">{file.bytes}</td>
                    <td class="mono" title={file.sha256}>
                      {file.sha256.slice(0, 16)}…
                    </td>
                    <td>{file.contents}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {outcome.skipped.length > 0 && (
            <ul class="plain-list" aria-label="Left out">
              {outcome.skipped.map((reason) => (
                <li key={reason} class="muted">
                  Left out: {reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
