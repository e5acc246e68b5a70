// Vite builds the UI into `ui/dist`, which the Tauri shell bundles with the
// `custom-protocol` feature. Preact's JSX is compiled by esbuild directly,
// so no framework plugin is needed.
import { defineConfig } from "vitest/config";

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { outDir: "dist", emptyOutDir: true, target: "safari15", sourcemap: false },
  server: { port: 5173, strictPort: true },
  clearScreen: false,
  test: { environment: "jsdom", setupFiles: ["tests/setup.ts"], include: ["tests/**/*.test.ts", "tests/**/*.test.tsx"] },
});
