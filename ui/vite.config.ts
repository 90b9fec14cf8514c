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
        // The harness never goes into dist/, which the desktop app embeds.
    outDir: process.env.INTONE_UI_HARNESS ? "dist-harness" : "dist",
    emptyOutDir: true,
    rollupOptions: {
      input: {
                ...(process.env.INTONE_UI_HARNESS
          ? { harness: resolve(__dirname, "harness.html") }
          : { main: resolve(__dirname, "index.html") }),
      },
    },
  },
});
