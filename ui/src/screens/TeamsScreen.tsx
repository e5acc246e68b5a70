// Teams: list the team entrants, add one (name, bib, division and member
// bibs in order), change its members or details, and remove one without
// score history. Member bibs are resolved and checked by the backend; the
// names shown beside the typed bibs are only a lookup in the competitor
// list. Team results are aggregated by the core, never here.

import { useMemo, useState } from "preact/hooks";
import { useBackend } from "../app";
import { type CompetitorView, type TeamDraft, type TeamView, toBackendError } from "../api/backend";
import { useAsync } from "../lib/useAsync";
import "./entrants.css";

/** Member bibs as typed: separated by commas or spaces, blanks dropped. */
export function parseMemberBibs(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((bib) => bib.trim())
    .filter(Boolean);
}

interface TeamForm {
  /** The team being changed, or null when adding one. */
  editing: TeamView | null;
  name: string;
  bib: string;
  /** A division id as the select holds it; empty for none. */
  divisionId: string;
  members: string;
}

const emptyForm: TeamForm = { editing: null, name: "", bib: "", divisionId: "", members: "" };

export function TeamsScreen() {
  const backend = useBackend();
  const teams = useAsync(() => backend.listTeams(), [backend]);
  const divisions = useAsync(() => backend.listDivisions(), [backend]);
  const competitors = useAsync(() => backend.listCompetitors(), [backend]);
  const [form, setForm] = useState<TeamForm>(emptyForm);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const byBib = useMemo(() => {
    const map = new Map<string, CompetitorView>();
    for (const competitor of competitors.value ?? []) map.set(competitor.bib, competitor);
    return map;
  }, [competitors.value]);
  const typedMembers = parseMemberBibs(form.members);

  const attempt = async (action: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      setNotice(await action());
    } catch (caught) {
      setError(toBackendError(caught).message);
    } finally {
      setBusy(false);
    }
  };

  const draft = (): TeamDraft => ({
    name: form.name.trim(),
    bib: form.bib.trim(),
    division_ids: form.divisionId ? [Number(form.divisionId)] : [],
    member_bibs: typedMembers,
  });

  const save = () =>
    attempt(async () => {
      const saved = form.editing ? await backend.updateTeam(form.editing.id, draft()) : await backend.addTeam(draft());
      setForm(emptyForm);
      await teams.reload();
      return `Team ${saved.name} ${form.editing ? "saved" : "added"} with ${saved.members.length} member${saved.members.length === 1 ? "" : "s"}.`;
    });

  const edit = (team: TeamView) => {
    setError(null);
    setNotice(null);
    setForm({
      editing: team,
      name: team.name,
      bib: team.bib ?? "",
      divisionId: team.division_ids.length > 0 ? String(team.division_ids[0]) : "",
      members: team.members.map((member) => member.bib).join(", "),
    });
  };

  const remove = (team: TeamView) =>
    attempt(async () => {
      await backend.removeTeam(team.id);
      if (form.editing?.id === team.id) setForm(emptyForm);
      await teams.reload();
      return `Team ${team.name} removed.`;
    });

  const loadError = teams.error ?? divisions.error ?? competitors.error;

  return (
    <section aria-labelledby="teams-title">
      <h1 id="teams-title">Teams</h1>
      {(error || loadError) && (
        <p class="error" role="alert">
          {error ?? loadError}
        </p>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <div class="columns teams-columns">
        <div class="panel">
          <h2>Team entrants</h2>
          <table class="table" aria-label="Teams">
            <thead>
              <tr>
                <th scope="col">Bib</th>
                <th scope="col">Team</th>
                <th scope="col">Division</th>
                <th scope="col">Members (in order)</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(teams.value ?? []).map((team) => (
                <tr key={team.id}>
                  <td>{team.bib ?? ""}</td>
                  <td>{team.name}</td>
                  <td>{team.division_names.join(", ")}</td>
                  <td>
                    <ol class="member-list" aria-label={`Members of ${team.name}`}>
                      {team.members.map((member) => (
                        <li key={member.competitor_id} value={member.order}>
                          {member.bib} {member.name}
                        </li>
                      ))}
                    </ol>
                  </td>
                  <td class="actions">
                    <button type="button" aria-label={`Edit team ${team.name}`} onClick={() => edit(team)}>
                      Edit
                    </button>
                    <button type="button" class="quiet" aria-label={`Remove team ${team.name}`} disabled={busy} onClick={() => void remove(team)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {teams.value?.length === 0 && <p class="muted">No teams yet.</p>}
        </div>
        <div class="panel">
          <h2>{form.editing ? `Change team ${form.editing.name}` : "Add a team"}</h2>
          <form class="stack" aria-label={form.editing ? "Change a team" : "Add a team"} onSubmit={(event) => (event.preventDefault(), void save())}>
            <div class="row">
              <div class="field grow">
                <label for="team-name">Team name</label>
                <input id="team-name" value={form.name} onInput={(event) => setForm({ ...form, name: (event.currentTarget as HTMLInputElement).value })} />
              </div>
              <div class="field narrow">
                <label for="team-bib">Team bib</label>
                <input id="team-bib" value={form.bib} onInput={(event) => setForm({ ...form, bib: (event.currentTarget as HTMLInputElement).value })} />
              </div>
              <div class="field">
                <label for="team-division">Division</label>
                <select id="team-division" value={form.divisionId} onChange={(event) => setForm({ ...form, divisionId: (event.currentTarget as HTMLSelectElement).value })}>
                  <option value="">None</option>
                  {(divisions.value ?? []).map((division) => (
                    <option key={division.id} value={String(division.id)}>
                      {division.name}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            <div class="field">
              <label for="team-members">Member bibs (in leg or member order, separated by commas)</label>
              <input id="team-members" autoComplete="off" placeholder="101, 102, 103" value={form.members} onInput={(event) => setForm({ ...form, members: (event.currentTarget as HTMLInputElement).value })} />
            </div>
            <ol class="member-preview" aria-label="Members as typed" data-testid="team-member-preview">
              {typedMembers.map((bib, index) => {
                const competitor = byBib.get(bib);
                return (
                  <li key={`${index}-${bib}`} class={competitor ? undefined : "unknown"}>
                    {bib} {competitor ? `${competitor.first_name} ${competitor.last_name}` : "— unknown bib"}
                  </li>
                );
              })}
            </ol>
            <div class="row">
              <button type="submit" class="primary" aria-label={form.editing ? "Save team" : "Add team"} disabled={busy || !form.name.trim()}>
                {form.editing ? "Save team" : "Add team"}
              </button>
              {form.editing && (
                <button type="button" class="quiet" aria-label="Cancel changing the team" onClick={() => setForm(emptyForm)}>
                  Cancel
                </button>
              )}
            </div>
          </form>
        </div>
      </div>
    </section>
  );
}
