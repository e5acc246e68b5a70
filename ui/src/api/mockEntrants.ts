// The in-browser side of the entrant calls, for tests and for running the
// UI in a plain browser. Like `mock.ts` it only keeps lists and checks what
// a lookup can check (is this bib known, is this division empty); it never
// aggregates team results.

import { BackendError } from "./backend";
import type { EntrantsBackend } from "./entrants";
import type { CompetitorView, DivisionView } from "./bindings";
import type { TeamDraft, TeamView } from "./bindingsEntrants";

/** The mock backend's shared lists, edited in place. */
export interface EntrantsState {
  competitors: CompetitorView[];
  divisions: DivisionView[];
  teams: TeamView[];
  nextId: () => number;
  /** Called after every change, as the real backend's `scores-changed` event. */
  notify: () => void;
}

export function createMockEntrants(state: EntrantsState): EntrantsBackend {
  const divisionNames = (ids: number[]) =>
    ids.map((id) => state.divisions.find((division) => division.id === id)?.name).filter((name): name is string => Boolean(name));
  const requireDivisions = (ids: number[]) => {
    for (const id of ids) {
      if (!state.divisions.some((division) => division.id === id)) throw new BackendError("not_found", `Unknown division ${id}`);
    }
  };
  const teamFrom = (id: number, draft: TeamDraft): TeamView => {
    if (!draft.name.trim()) throw new BackendError("invalid_value", "Invalid team name: must not be empty");
    requireDivisions(draft.division_ids);
    const bibs = draft.member_bibs.map((bib) => bib.trim()).filter(Boolean);
    const members = bibs.map((bib, index) => {
      const competitor = state.competitors.find((candidate) => candidate.bib === bib);
      if (!competitor) throw new BackendError("unknown_bib", `No competitor has bib ${bib}, so they cannot join team ${draft.name.trim()}.`);
      return { order: index + 1, competitor_id: competitor.id, bib, name: `${competitor.first_name} ${competitor.last_name}` };
    });
    return {
      id,
      name: draft.name.trim(),
      bib: draft.bib.trim() || null,
      division_ids: [...draft.division_ids],
      division_names: divisionNames(draft.division_ids),
      members,
    };
  };
  const requireTeam = (teamId: number) => {
    const index = state.teams.findIndex((team) => team.id === teamId);
    if (index < 0) throw new BackendError("not_found", `There is no team ${teamId}.`);
    return index;
  };
  const changed = <T>(value: T): T => {
    state.notify();
    return value;
  };

  return {
    listTeams: async () => state.teams.map((team) => ({ ...team })),
    addTeam: async (draft) => {
      const team = teamFrom(state.nextId(), draft);
      state.teams.push(team);
      return changed({ ...team });
    },
    updateTeam: async (teamId, draft) => {
      const index = requireTeam(teamId);
      const team = teamFrom(teamId, draft);
      state.teams[index] = team;
      return changed({ ...team });
    },
    removeTeam: async (teamId) => {
      state.teams.splice(requireTeam(teamId), 1);
      changed(undefined);
    },
    setCompetitorDivisions: async (competitorId, divisionIds) => {
      const competitor = state.competitors.find((candidate) => candidate.id === competitorId);
      if (!competitor) throw new BackendError("not_found", `Unknown competitor ${competitorId}`);
      requireDivisions(divisionIds);
      const ids = [...new Set(divisionIds)].sort((a, b) => a - b);
      competitor.division_ids = ids;
      competitor.division_names = divisionNames(ids);
      return changed({ ...competitor });
    },
    updateDivision: async (division) => {
      const index = state.divisions.findIndex((candidate) => candidate.id === division.id);
      if (index < 0) throw new BackendError("not_found", `Unknown division ${division.id}`);
      if (!division.name.trim()) throw new BackendError("invalid_value", "Invalid division name: must not be empty");
      const previous = state.divisions[index];
      state.divisions[index] = { ...division, name: division.name.trim() };
      for (const competitor of state.competitors) {
        competitor.division_names = competitor.division_names.map((name) => (name === previous.name ? division.name.trim() : name));
      }
      return changed({ ...state.divisions[index] });
    },
    removeDivision: async (divisionId) => {
      const index = state.divisions.findIndex((candidate) => candidate.id === divisionId);
      if (index < 0) throw new BackendError("not_found", `Unknown division ${divisionId}`);
      const name = state.divisions[index].name;
      const competitors = state.competitors.filter((competitor) => competitor.division_ids.includes(divisionId)).length;
      const teams = state.teams.filter((team) => team.division_ids.includes(divisionId)).length;
      if (competitors + teams > 0) {
        throw new BackendError("invalid_value", `Division ${name} still has ${competitors} competitors and ${teams} teams; move them to another division first`);
      }
      state.divisions.splice(index, 1);
      changed(undefined);
    },
  };
}
