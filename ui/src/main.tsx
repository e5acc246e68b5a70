// Entry point: inside the Tauri webview the real backend is used; in a plain
// browser (`npm run dev`) the in-memory mock stands in, with a banner saying
// nothing is saved.

import { render } from "preact";
import { App } from "./app";
import { createMockBackend } from "./api/mock";
import { createTauriBackend, insideTauri } from "./tauri/backend";
import "./styles.css";

const root = document.getElementById("app");
if (root) {
  if (insideTauri()) {
    render(<App backend={createTauriBackend()} />, root);
  } else {
    render(
      <App backend={createMockBackend()} previewNotice="Browser preview with an in-memory backend: nothing is saved." />,
      root,
    );
  }
}
