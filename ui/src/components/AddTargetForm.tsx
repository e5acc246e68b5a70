// The Sync screen's add-target form, built from what the backend says each
// platform takes (`sync_platforms`: the sync crate's adapters describe their
// own settings), so every option an adapter reads and checks can be set here
// and no platform option is listed in the UI. The form only collects values;
// the backend turns them into the target's config and the adapter checks
// them when the target is added. The secret goes to the OS keyring once and
// is never shown again.

import { useEffect, useState } from "preact/hooks";
import type { DivisionView, WorkoutView } from "../api/backend";
import type { NewSyncTargetRequest, SettingValueRequest, SettingView, SyncPlatformView } from "../api/integrations";

const valueOf = (event: Event) => (event.currentTarget as HTMLInputElement | HTMLSelectElement).value;

const mapKinds = new Set(["per_workout", "per_timing_point", "per_division", "status_codes", "pairs"]);

interface WorkoutRow {
  workout_id: string;
  remote_id: string;
}

interface FormState {
  name: string;
  platform: string;
  endpoint: string;
  secret: string;
  workouts: WorkoutRow[];
  /** Text, number, flag and choice settings by key. */
  values: Record<string, string>;
  /** Map settings by key: entry key -> value. */
  entries: Record<string, Record<string, string>>;
  /** Pair settings by key: typed rows. */
  pairs: Record<string, Array<[string, string]>>;
}

const emptyForm = (platform: string): FormState => ({ name: "", platform, endpoint: "", secret: "", workouts: [{ workout_id: "", remote_id: "" }], values: {}, entries: {}, pairs: {} });

/** The settings' values as the backend takes them: blank ones are left out so the adapter's default applies. */
export function settingValues(platform: SyncPlatformView, form: Pick<FormState, "values" | "entries" | "pairs">): SettingValueRequest[] {
  const values: SettingValueRequest[] = [];
  for (const setting of platform.settings) {
    if (setting.kind === "pairs") {
      const rows = (form.pairs[setting.key] ?? []).filter(([key, value]) => key.trim() && value);
      if (rows.length) values.push({ key: setting.key, value: "", entries: rows.map(([key, value]) => ({ key: key.trim(), value })) });
    } else if (mapKinds.has(setting.kind)) {
      const entries = Object.entries(form.entries[setting.key] ?? {}).filter(([, value]) => value.trim() !== "");
      if (entries.length) values.push({ key: setting.key, value: "", entries: entries.map(([key, value]) => ({ key, value: value.trim() })) });
    } else {
      const value = (form.values[setting.key] ?? "").trim();
      if (value) values.push({ key: setting.key, value, entries: [] });
    }
  }
  return values;
}

function Help(props: { setting: SettingView }) {
  const { setting } = props;
  return (
    <span class="muted setting-help">
      {setting.help}
      {setting.default ? ` Default: ${setting.choices.find((choice) => choice.value === setting.default)?.label ?? setting.default}.` : ""}
    </span>
  );
}

export function AddTargetForm(props: {
  platforms: SyncPlatformView[];
  workouts: WorkoutView[];
  divisions: DivisionView[];
  busy: boolean;
  onAdd: (request: NewSyncTargetRequest) => Promise<boolean>;
}) {
  const { platforms, workouts, divisions } = props;
  const [form, setForm] = useState<FormState>(() => emptyForm(platforms[0]?.code ?? ""));
  // The first platform is chosen once the backend has listed them.
  const firstPlatform = platforms[0]?.code ?? "";
  useEffect(() => {
    if (firstPlatform) setForm((current) => (current.platform ? current : { ...current, platform: firstPlatform }));
  }, [firstPlatform]);
  const platform = platforms.find((candidate) => candidate.code === form.platform);

  const chosenWorkouts = form.workouts.map((row) => workouts.find((workout) => String(workout.id) === row.workout_id)).filter((workout): workout is WorkoutView => Boolean(workout));
  const setValue = (key: string, value: string) => setForm({ ...form, values: { ...form.values, [key]: value } });
  const setEntry = (key: string, entry: string, value: string) => setForm({ ...form, entries: { ...form.entries, [key]: { ...(form.entries[key] ?? {}), [entry]: value } } });
  const setWorkoutRow = (index: number, row: WorkoutRow) => setForm({ ...form, workouts: form.workouts.map((current, at) => (at === index ? row : current)) });

  const submit = async () => {
    if (!platform) return;
    const added = await props.onAdd({
      name: form.name.trim(),
      platform: platform.code,
      endpoint: form.endpoint.trim(),
      settings: settingValues(platform, form),
      workouts: form.workouts.filter((row) => row.workout_id && row.remote_id.trim()).map((row) => ({ workout_id: Number(row.workout_id), remote_id: row.remote_id.trim() })),
      secret: form.secret,
    });
    // A refused target keeps what was typed (but never the secret) for a fix.
    setForm(added ? emptyForm(form.platform) : { ...form, secret: "" });
  };

  /** One input per workout, timing point or division, keyed by its id. */
  const perItem = (setting: SettingView, items: Array<{ id: number; label: string }>) => (
    <fieldset class="setting" key={setting.key} aria-label={setting.label}>
      <legend>
        {setting.label}
        {setting.required && " (required)"}
      </legend>
      <Help setting={setting} />
      {items.length === 0 ? (
        <span class="muted">{setting.kind === "per_workout" ? "Choose the workouts to send first." : setting.kind === "per_timing_point" ? "The chosen workouts have no timing points." : "No divisions yet."}</span>
      ) : (
        <div class="inline-form wrap">
          {items.map((item) => (
            <div class="field" key={item.id}>
              <label for={`target-${setting.key}-${item.id}`}>
                {setting.label}: {item.label}
              </label>
              <input id={`target-${setting.key}-${item.id}`} value={form.entries[setting.key]?.[String(item.id)] ?? ""} onInput={(event) => setEntry(setting.key, String(item.id), valueOf(event))} />
            </div>
          ))}
        </div>
      )}
    </fieldset>
  );

  const settingField = (setting: SettingView) => {
    const id = `target-${setting.key}`;
    switch (setting.kind) {
      case "choice":
        return (
          <div class="field setting" key={setting.key}>
            <label for={id}>{setting.label}</label>
            <select id={id} value={form.values[setting.key] ?? ""} onChange={(event) => setValue(setting.key, valueOf(event))}>
              <option value="">Default ({setting.choices.find((choice) => choice.value === setting.default)?.label ?? "none"})</option>
              {setting.choices
                .filter((choice) => choice.value !== "")
                .map((choice) => (
                  <option key={choice.value} value={choice.value}>
                    {choice.label}
                  </option>
                ))}
            </select>
            <Help setting={setting} />
          </div>
        );
      case "flag":
        return (
          <div class="field setting" key={setting.key}>
            <label for={id}>{setting.label}</label>
            <select id={id} value={form.values[setting.key] ?? ""} onChange={(event) => setValue(setting.key, valueOf(event))}>
              <option value="">Default{setting.default ? ` (${setting.default === "true" ? "on" : "off"})` : ""}</option>
              <option value="true">On</option>
              <option value="false">Off</option>
            </select>
            <Help setting={setting} />
          </div>
        );
      case "per_workout":
        return perItem(
          setting,
          chosenWorkouts.map((workout) => ({ id: workout.id, label: workout.name })),
        );
      case "per_timing_point":
        return perItem(
          setting,
          chosenWorkouts.flatMap((workout) => workout.timing_points.map((point) => ({ id: point.id, label: `${workout.name} ${point.name}` }))),
        );
      case "per_division":
        return perItem(
          setting,
          divisions.map((division) => ({ id: division.id, label: division.name })),
        );
      case "status_codes":
        return (
          <fieldset class="setting" key={setting.key} aria-label={setting.label}>
            <legend>{setting.label}</legend>
            <Help setting={setting} />
            <div class="inline-form wrap">
              {setting.keys.map((status) => (
                <div class="field" key={status.value}>
                  <label for={`${id}-${status.value}`}>{status.value} is sent as</label>
                  <select id={`${id}-${status.value}`} value={form.entries[setting.key]?.[status.value] ?? ""} onChange={(event) => setEntry(setting.key, status.value, valueOf(event))}>
                    <option value="">Default ({status.label})</option>
                    {setting.choices.map((choice) => (
                      <option key={choice.value} value={choice.value}>
                        {choice.label}
                      </option>
                    ))}
                  </select>
                </div>
              ))}
            </div>
          </fieldset>
        );
      case "pairs": {
        const rows = form.pairs[setting.key] ?? [];
        const setRows = (next: Array<[string, string]>) => setForm({ ...form, pairs: { ...form.pairs, [setting.key]: next } });
        return (
          <fieldset class="setting" key={setting.key} aria-label={setting.label}>
            <legend>{setting.label}</legend>
            <Help setting={setting} />
            {rows.map(([key, value], index) => (
              <div class="inline-form wrap" key={index}>
                <div class="field">
                  <label for={`${id}-key-${index}`}>{setting.label} id</label>
                  <input id={`${id}-key-${index}`} value={key} onInput={(event) => setRows(rows.map((row, at) => (at === index ? [valueOf(event), row[1]] : row)))} />
                </div>
                <div class="field">
                  <label for={`${id}-value-${index}`}>Filled from</label>
                  <select id={`${id}-value-${index}`} value={value} onChange={(event) => setRows(rows.map((row, at) => (at === index ? [row[0], valueOf(event)] : row)))}>
                    <option value="">Choose</option>
                    {setting.choices.map((choice) => (
                      <option key={choice.value} value={choice.value}>
                        {choice.label}
                      </option>
                    ))}
                  </select>
                </div>
                <button type="button" class="quiet" aria-label={`Remove ${setting.label} ${index + 1}`} onClick={() => setRows(rows.filter((_, at) => at !== index))}>
                  Remove
                </button>
              </div>
            ))}
            <button type="button" class="quiet" aria-label={`Add ${setting.label}`} onClick={() => setRows([...rows, ["", ""]])}>
              Add {setting.label.toLowerCase()}
            </button>
          </fieldset>
        );
      }
      default:
        return (
          <div class="field setting" key={setting.key}>
            <label for={id}>
              {setting.label}
              {setting.required && " (required)"}
            </label>
            <input id={id} inputMode={setting.kind === "number" ? "numeric" : undefined} value={form.values[setting.key] ?? ""} placeholder={setting.default ?? ""} onInput={(event) => setValue(setting.key, valueOf(event))} />
            <Help setting={setting} />
          </div>
        );
    }
  };

  const scalar = platform?.settings.filter((setting) => !mapKinds.has(setting.kind)) ?? [];
  const maps = platform?.settings.filter((setting) => mapKinds.has(setting.kind)) ?? [];
  return (
    <form class="panel" aria-label="Add sync target" onSubmit={(event) => (event.preventDefault(), void submit())}>
      <h2>Add a target</h2>
      <div class="inline-form wrap">
        <div class="field">
          <label for="target-name">Target name</label>
          <input id="target-name" value={form.name} onInput={(event) => setForm({ ...form, name: valueOf(event) })} />
        </div>
        <div class="field">
          <label for="target-platform">Platform</label>
          <select id="target-platform" value={form.platform} onChange={(event) => setForm({ ...emptyForm(valueOf(event)), name: form.name, endpoint: form.endpoint, workouts: form.workouts })}>
            {platforms.map((candidate) => (
              <option key={candidate.code} value={candidate.code}>
                {candidate.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field grow">
          <label for="target-endpoint">Endpoint URL</label>
          <input id="target-endpoint" value={form.endpoint} placeholder="https://…" onInput={(event) => setForm({ ...form, endpoint: valueOf(event) })} />
        </div>
      </div>
      <fieldset class="setting" aria-label="Workouts to send">
        <legend>Workouts to send</legend>
        {form.workouts.map((row, index) => {
          const suffix = index === 0 ? "" : `-${index + 1}`;
          return (
            <div class="inline-form wrap" key={index}>
              <div class="field">
                <label for={`target-workout${suffix}`}>Workout to send{index ? ` ${index + 1}` : ""}</label>
                <select id={`target-workout${suffix}`} value={row.workout_id} onChange={(event) => setWorkoutRow(index, { ...row, workout_id: valueOf(event) })}>
                  <option value="">None</option>
                  {workouts.map((workout) => (
                    <option key={workout.id} value={workout.id}>
                      {workout.sequence}. {workout.name}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for={`target-remote_id${suffix}`}>{platform?.remote_id_label ?? "Platform id"}{index ? ` ${index + 1}` : ""}</label>
                <input id={`target-remote_id${suffix}`} value={row.remote_id} onInput={(event) => setWorkoutRow(index, { ...row, remote_id: valueOf(event) })} />
              </div>
              {index > 0 && (
                <button type="button" class="quiet" aria-label={`Remove workout ${index + 1}`} onClick={() => setForm({ ...form, workouts: form.workouts.filter((_, at) => at !== index) })}>
                  Remove
                </button>
              )}
            </div>
          );
        })}
        {form.workouts.length < workouts.length && (
          <button type="button" class="quiet" aria-label="Send another workout" onClick={() => setForm({ ...form, workouts: [...form.workouts, { workout_id: "", remote_id: "" }] })}>
            Another workout
          </button>
        )}
      </fieldset>
      {platform && platform.settings.length > 0 && (
        <details class="settings" open={platform.settings.some((setting) => setting.required)}>
          <summary>{platform.name} settings</summary>
          <div class="inline-form wrap align-start">{scalar.map(settingField)}</div>
          {maps.map(settingField)}
        </details>
      )}
      <div class="inline-form wrap">
        <div class="field grow">
          <label for="target-secret">Secret (stored in the OS keyring)</label>
          <input id="target-secret" type="password" autoComplete="off" placeholder={platform?.secret_hint ?? ""} value={form.secret} onInput={(event) => setForm({ ...form, secret: valueOf(event) })} />
        </div>
        <button type="submit" aria-label="Add target" disabled={props.busy || !platform || !form.name.trim() || !form.endpoint.trim()}>
          Add target
        </button>
      </div>
    </form>
  );
}
