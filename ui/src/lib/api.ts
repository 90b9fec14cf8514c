// The one module that talks to the backend: every command and event the UI
// uses, typed. Components never call `invoke` or `listen` themselves.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  AppInfo,
  BatchRow,
  BatchUpdate,
  CoreEvent,
  Dropped,
  GenerateArgs,
  Peaks,
  PlaybackState,
  ScriptFile,
  ScriptPreview,
  TrackRow,
  Variant,
  Voices,
} from "./types";

export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  listVoices: () => invoke<Voices>("list_voices"),
  listVariants: () => invoke<Variant[]>("list_variants"),
  previewScript: (name: string, text: string) => invoke<ScriptPreview>("preview_script", { name, text }),
  pickScriptFiles: () => invoke<ScriptFile[]>("pick_script_files"),
  generate: (args: GenerateArgs) => invoke<number>("generate", { args }),
  listBatches: () => invoke<BatchRow[]>("list_batches"),
  listTracks: (batchId: number) => invoke<TrackRow[]>("list_tracks", { batchId }),
  cancelBatch: (batchId: number) => invoke<BatchRow>("cancel_batch", { batchId }),
  retryBatch: (batchId: number) => invoke<void>("retry_batch", { batchId }),
  trackPeaks: (trackId: number) => invoke<Peaks>("track_peaks", { trackId }),
  play: (trackId: number, fromMs?: number) => invoke<PlaybackState>("play", { trackId, fromMs: fromMs ?? null }),
  pause: () => invoke<PlaybackState>("pause"),
  seek: (ms: number) => invoke<PlaybackState>("seek", { ms }),
  playbackState: () => invoke<PlaybackState>("playback_state"),

  onBatchUpdate: (f: (u: BatchUpdate) => void): Promise<UnlistenFn> =>
    listen<BatchUpdate>("intone://batch", (e) => f(e.payload)),
  onLog: (f: (e: CoreEvent) => void): Promise<UnlistenFn> => listen<CoreEvent>("intone://log", (e) => f(e.payload)),
  onDropped: (f: (d: Dropped) => void): Promise<UnlistenFn> =>
    listen<Dropped>("intone://dropped", (e) => f(e.payload)),
};

/** A readable message from whatever a command rejected with. */
export function message(e: unknown): string {
  return typeof e === "string" ? e : e instanceof Error ? e.message : JSON.stringify(e);
}
