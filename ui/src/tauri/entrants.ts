// The Tauri implementation of the entrant calls: one `invoke` per command in
// `src-tauri/commands/{teams,competitors,setup}.rs`.

import { invoke } from "@tauri-apps/api/core";
import { toBackendError } from "../api/backend";
import type { EntrantsBackend } from "../api/entrants";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toBackendError(error);
  }
}

export function createTauriEntrants(): EntrantsBackend {
  return {
    listTeams: () => call("list_teams"),
    addTeam: (team) => call("add_team", { team }),
    updateTeam: (teamId, team) => call("update_team", { teamId, team }),
    removeTeam: (teamId) => call("remove_team", { teamId }),
    setCompetitorDivisions: (competitorId, divisionIds) => call("set_competitor_divisions", { competitorId, divisionIds }),
    updateDivision: (division) => call("update_division", { division }),
    removeDivision: (divisionId) => call("remove_division", { divisionId }),
  };
}
