// Entry point: inside the Tauri webview the real backend is used; in a plain
// browser (`npm run dev`) the in-memory mock stands in, with a banner saying
// nothing is saved. The venue display window (label `venue`, or `?view=venue`
// in a browser) shows only the large-type board.

import { render } from "preact";
import { App } from "./app";
import { createMockBackend } from "./api/mock";
import { createTauriBackend, createTauriVenueBackend, insideTauri, windowLabel } from "./tauri/backend";
import { VenueDisplay } from "./screens/VenueDisplay";
import "./styles.css";

const root = document.getElementById("app");
if (root) {
  if (insideTauri() && windowLabel() === "venue") {
    render(<VenueDisplay backend={createTauriVenueBackend()} />, root);
  } else if (insideTauri()) {
    render(<App backend={createTauriBackend()} />, root);
  } else if (new URLSearchParams(window.location.search).get("view") === "venue") {
    render(<VenueDisplay backend={createMockBackend()} />, root);
  } else {
    render(
      <App backend={createMockBackend()} previewNotice="Browser preview with an in-memory backend: nothing is saved." />,
      root,
    );
  }
}
