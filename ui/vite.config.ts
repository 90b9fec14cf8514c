import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { resolve } from "node:path";

// The app entry (index.html) and, for UI tests only, a harness page that feeds
// the same app from @tauri-apps/api/mocks instead of the Rust backend.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    rollupOptions: {
      input: {
        main: resolve(__dirname, "index.html"),
        ...(process.env.INTONE_UI_HARNESS ? { harness: resolve(__dirname, "harness.html") } : {}),
      },
    },
  },
});
