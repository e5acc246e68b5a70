// The application frame: the start screen until a competition is open, then
// a header with the competition's name, one tab per screen on a single line
// (below 1200 px the last three move into a "More" menu), and the status
// strip. Alt+1 to Alt+9 switch screens from the keyboard; `?` lists every
// shortcut.

import { createContext } from "preact";
import { useCallback, useContext, useEffect, useRef, useState } from "preact/hooks";
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
import { StatusStrip } from "./components/StatusStrip";
import { type Shortcut, ShortcutsOverlay } from "./components/ShortcutsOverlay";

const BackendContext = createContext<Backend | null>(null);

export function useBackend(): Backend {
  const backend = useContext(BackendContext);
  if (!backend) throw new Error("useBackend must be used inside <App>.");
  return backend;
}

const TimeZoneContext = createContext("");

/** The open competition's IANA time zone ("" when unknown): times are shown in it. */
export function useTimeZone(): string {
  return useContext(TimeZoneContext);
}

/** Every screen: `label` names it (and its Alt shortcut), `short` is the tab's text. */
export const screens = [
  { id: "setup", label: "Setup", short: "Setup" },
  { id: "competitors", label: "Athletes", short: "Athletes" },
  { id: "teams", label: "Teams", short: "Teams" },
  { id: "entry", label: "Score entry", short: "Entry" },
  { id: "leaderboard", label: "Leaderboard", short: "Board" },
  { id: "amendments", label: "Amendments", short: "Amend" },
  { id: "mapping", label: "Mapping", short: "Mapping" },
  { id: "sync", label: "Sync", short: "Sync" },
  { id: "export", label: "Export", short: "Export" },
] as const;

export type ScreenId = (typeof screens)[number]["id"];

/** Below this window width the last `overflowCount` tabs go into the "More" menu. */
const NARROW_QUERY = "(max-width: 1199px)";
const overflowCount = 3;

/** Whether the window is narrower than 1200 px (false where matchMedia is missing). */
function useNarrow(): boolean {
  const query = typeof window !== "undefined" && typeof window.matchMedia === "function" ? window.matchMedia(NARROW_QUERY) : null;
  const [narrow, setNarrow] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const update = () => setNarrow(query.matches);
    query.addEventListener?.("change", update);
    update();
    return () => query.removeEventListener?.("change", update);
  }, []);
  return narrow;
}

/** The shortcuts the `?` overlay lists. */
export const shortcuts: Shortcut[] = [
  ...screens.map((item, index) => ({ keys: `Alt+${index + 1}`, action: `Open ${item.label}` })),
  { keys: "?", action: "Show or hide this list" },
  { keys: "Esc", action: "Close this list or a menu" },
  { keys: "Enter", action: "Score entry: next field, then save" },
  { keys: "Ctrl+Z", action: "Score entry: undo the last entry typed here" },
  { keys: "↑ / ↓", action: "Heat sheet: the lane above or below (Enter saves and moves down)" },
  { keys: "E", action: "Leaderboard: why is the selected row above the next one?" },
  { keys: "Shift+F10", action: "Leaderboard: the selected row's menu" },
];

/** True when a key press is typing into a field, not a shortcut. */
function typing(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  const tag = target?.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || Boolean(target?.isContentEditable);
}

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
  const [help, setHelp] = useState(false);
  const [moreOpen, setMoreOpen] = useState(false);
  const narrow = useNarrow();

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

  // The listener reads the competition through a ref, so a key pressed right
  // after opening (before effects re-run) already works.
  const open = useRef(competition);
  open.current = competition;
  const onKeyDown = useCallback(
    (event: KeyboardEvent) => {
      if (!open.current) return;
      if (event.key === "Escape") {
        setHelp(false);
        setMoreOpen(false);
        return;
      }
      if (event.key === "?" && !event.altKey && !event.ctrlKey && !event.metaKey && !typing(event)) {
        event.preventDefault();
        setHelp((open) => !open);
        return;
      }
      if (!event.altKey) return;
      // Alt+digit: event.code survives layouts where Alt changes the character.
      const digit = /^Digit(\d)$/.exec(event.code ?? "")?.[1] ?? event.key;
      const index = Number(digit) - 1;
      if (Number.isInteger(index) && index >= 0 && index < screens.length) {
        event.preventDefault();
        setMoreOpen(false);
        setScreen(screens[index].id);
      }
    },
    [],
  );

  useEffect(() => {
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [onKeyDown]);

  const close = async () => {
    await backend.closeCompetition();
    setCompetition(null);
  };

  const overflowed = narrow ? screens.slice(screens.length - overflowCount).find((item) => item.id === screen) : undefined;

  return (
    <BackendContext.Provider value={backend}>
      <TimeZoneContext.Provider value={competition?.time_zone ?? ""}>
      <div class="app">
        {previewNotice && (
          <div class="preview-notice" role="note">
            {previewNotice}
          </div>
        )}
        <header class="app-header">
          <div class="header-row">
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
                {(narrow ? screens.slice(0, screens.length - overflowCount) : screens).map((item) => (
                  <button
                    key={item.id}
                    type="button"
                    class="tab"
                    aria-label={`${item.label} (Alt+${screens.indexOf(item) + 1})`}
                    title={`${item.label} (Alt+${screens.indexOf(item) + 1})`}
                    aria-current={screen === item.id ? "page" : undefined}
                    onClick={() => setScreen(item.id)}
                  >
                    {item.short}
                  </button>
                ))}
                {narrow && (
                  <span class="chip-anchor">
                    <button
                      type="button"
                      class="tab"
                      aria-haspopup="menu"
                      aria-expanded={moreOpen}
                      aria-current={overflowed ? "page" : undefined}
                      aria-label="More screens"
                      onClick={() => setMoreOpen(!moreOpen)}
                    >
                      {overflowed ? `${overflowed.short} ▾` : "More ▾"}
                    </button>
                    {moreOpen && (
                      <div class="popover menu" role="menu" aria-label="More screens">
                        {screens.slice(screens.length - overflowCount).map((item) => (
                          <button
                            key={item.id}
                            type="button"
                            role="menuitem"
                            aria-current={screen === item.id ? "page" : undefined}
                            onClick={() => {
                              setScreen(item.id);
                              setMoreOpen(false);
                            }}
                          >
                            {item.label} <kbd>Alt+{screens.indexOf(item) + 1}</kbd>
                          </button>
                        ))}
                      </div>
                    )}
                  </span>
                )}
              </nav>
              <button type="button" class="quiet help-button" aria-label="Keyboard shortcuts (?)" title="Keyboard shortcuts (?)" onClick={() => setHelp(true)}>
                ?
              </button>
              <button type="button" class="quiet" aria-label="Close competition" onClick={close}>
                Close
              </button>
            </>
          )}
          </div>
          {competition && (
            <StatusStrip timeZone={competition.time_zone} onOpenSync={() => setScreen("sync")} onOpenMapping={() => setScreen("mapping")} />
          )}
        </header>
        {help && competition && <ShortcutsOverlay shortcuts={shortcuts} onClose={() => setHelp(false)} />}
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
      </TimeZoneContext.Provider>
    </BackendContext.Provider>
  );
}
