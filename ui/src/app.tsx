// The application frame: the start screen until a competition is open, then
// a header with the competition's name and one tab per screen. Alt+1 to
// Alt+9 switch screens from the keyboard.

import { createContext } from "preact";
import { useCallback, useContext, useEffect, useState } from "preact/hooks";
import { type Backend, type CompetitionSummary, toBackendError } from "./api/backend";
import { StartScreen } from "./screens/StartScreen";
import { SetupScreen } from "./screens/SetupScreen";
import { CompetitorsScreen } from "./screens/CompetitorsScreen";
import { TeamsScreen } from "./screens/TeamsScreen";
import { ScoreEntryScreen } from "./screens/ScoreEntryScreen";
import { LeaderboardScreen } from "./screens/LeaderboardScreen";
import { AmendmentsScreen } from "./screens/AmendmentsScreen";
import { MappingScreen } from "./screens/MappingScreen";
import { SyncScreen } from "./screens/SyncScreen";
import { ExportScreen } from "./screens/ExportScreen";

const BackendContext = createContext<Backend | null>(null);

export function useBackend(): Backend {
  const backend = useContext(BackendContext);
  if (!backend) throw new Error("useBackend must be used inside <App>.");
  return backend;
}

export const screens = [
  { id: "setup", label: "Setup" },
  { id: "competitors", label: "Competitors" },
  { id: "teams", label: "Teams" },
  { id: "entry", label: "Score entry" },
  { id: "leaderboard", label: "Leaderboard" },
  { id: "amendments", label: "Amendments" },
  { id: "mapping", label: "Mapping" },
  { id: "sync", label: "Sync" },
  { id: "export", label: "Export" },
] as const;

export type ScreenId = (typeof screens)[number]["id"];

interface AppProps {
  backend: Backend;
  /** Shown as a banner when the UI runs against the in-browser mock. */
  previewNotice?: string;
  initialScreen?: ScreenId;
}

export function App({ backend, previewNotice, initialScreen = "entry" }: AppProps) {
  const [competition, setCompetition] = useState<CompetitionSummary | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [screen, setScreen] = useState<ScreenId>(initialScreen);
  const [startupError, setStartupError] = useState<string | null>(null);

  useEffect(() => {
    backend
      .competitionStatus()
      .then(async (status) => {
        setCompetition(status);
        setStartupError(await backend.takeStartupError());
      })
      .catch((error) => setStartupError(toBackendError(error).message))
      .finally(() => setLoaded(true));
  }, [backend]);

  const onKeyDown = useCallback(
    (event: KeyboardEvent) => {
      if (!competition || !event.altKey) return;
      const index = Number(event.key) - 1;
      if (Number.isInteger(index) && index >= 0 && index < screens.length) {
        event.preventDefault();
        setScreen(screens[index].id);
      }
    },
    [competition],
  );

  useEffect(() => {
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [onKeyDown]);

  const close = async () => {
    await backend.closeCompetition();
    setCompetition(null);
  };

  return (
    <BackendContext.Provider value={backend}>
      <div class="app">
        {previewNotice && (
          <div class="preview-notice" role="note">
            {previewNotice}
          </div>
        )}
        <header class="app-header">
          <div class="brand" aria-label="Scoretable">
            Scoretable
          </div>
          {competition && (
            <>
              <div class="competition-name" data-testid="competition-name" title={competition.path}>
                {competition.name || competition.path}
              </div>
              {competition.read_only && (
                <div
                  class="read-only-badge"
                  role="status"
                  data-testid="read-only"
                  title={competition.read_only}
                >
                  Read-only: {competition.read_only}
                </div>
              )}
              <nav class="tabs" aria-label="Screens">
                {screens.map((item, index) => (
                  <button
                    key={item.id}
                    type="button"
                    class="tab"
                    aria-label={`${item.label} (Alt+${index + 1})`}
                    aria-current={screen === item.id ? "page" : undefined}
                    onClick={() => setScreen(item.id)}
                  >
                    {item.label}
                  </button>
                ))}
              </nav>
              <button type="button" class="quiet" aria-label="Close competition" onClick={close}>
                Close
              </button>
            </>
          )}
        </header>
        <main class="app-main">
          {startupError && (
            <p class="error" role="alert">
              {startupError}
            </p>
          )}
          {!loaded ? (
            <p aria-live="polite">Loading…</p>
          ) : !competition ? (
            <StartScreen onOpened={setCompetition} />
          ) : screen === "setup" ? (
            <SetupScreen />
          ) : screen === "competitors" ? (
            <CompetitorsScreen />
          ) : screen === "teams" ? (
            <TeamsScreen />
          ) : screen === "entry" ? (
            <ScoreEntryScreen />
          ) : screen === "leaderboard" ? (
            <LeaderboardScreen />
          ) : screen === "mapping" ? (
            <MappingScreen />
          ) : screen === "sync" ? (
            <SyncScreen />
          ) : screen === "export" ? (
            <ExportScreen />
          ) : (
            <AmendmentsScreen />
          )}
        </main>
      </div>
    </BackendContext.Provider>
  );
}
