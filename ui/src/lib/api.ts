// The one module components use to reach the backend. Everything here is the
// generated client (bindings.ts, made from the Rust commands and events) plus
// small conveniences; components never call `invoke` or `listen` themselves.
import type { UnlistenFn } from "@tauri-apps/api/event";
import { commands, events } from "./bindings";
import type { BatchUpdate, Dropped, LogLine, PlaybackState } from "./types";

export const api = {
  ...commands,
  onBatchUpdate: (f: (u: BatchUpdate) => void): Promise<UnlistenFn> => events.intoneBatch.listen((e) => f(e.payload)),
  onLog: (f: (l: LogLine) => void): Promise<UnlistenFn> => events.intoneLog.listen((e) => f(e.payload)),
  onDropped: (f: (d: Dropped) => void): Promise<UnlistenFn> => events.intoneDropped.listen((e) => f(e.payload)),
};

/** A readable message from whatever a command rejected with. */
export function message(e: unknown): string {
  return typeof e === "string" ? e : e instanceof Error ? e.message : JSON.stringify(e);
}

/**
 * Awaits a command that starts playback (a preview): hands its state to
 * `onPlayback`, and what went wrong (its error, or the player's) to `onNotice`.
 */
export async function startPlayback(call: Promise<PlaybackState>, onPlayback: (s: PlaybackState) => void, onNotice: (m: string) => void) {
  try {
    const s = await call;
    onPlayback(s);
    if (s.error) onNotice(s.error);
  } catch (e) {
    onNotice(message(e));
  }
}
