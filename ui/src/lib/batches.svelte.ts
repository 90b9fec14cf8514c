// The batches the results column shows (shared by the Studio, Convert, Music
// and Scenes views): the list, the selected batch's tracks, their live step
// progress and waveforms. Kept at module level, so a visit to the Library or
// Engines keeps the selection, and live updates are applied whatever is shown.
import { SvelteMap } from "svelte/reactivity";
import { api, message } from "./api";
import type { BatchRow, BatchUpdate, Peaks, TrackRow } from "./types";

export const batches = $state({
  list: [] as BatchRow[],
  selected: null as number | null,
  tracks: [] as TrackRow[],
  /** A track's progress within its current step (0..1), by track id. */
  progress: {} as Record<number, number | null>,
});

// Waveforms by track id. A SvelteMap is reactive per key and leaves the
// values as they are: deep state proxies around thousands of peak values
// made every waveform draw slow.
export const peaks = new SvelteMap<number, Peaks | null>();

/** Where a waveform that cannot be read is reported (the app's notice). */
let report: (m: string) => void = () => {};
export function onError(f: (m: string) => void) {
  report = f;
}

export async function refreshBatches() {
  batches.list = await api.listBatches();
}

/** Shows batch `id`: its tracks, and the waveforms of the finished ones. */
export async function select(id: number) {
  batches.selected = id;
  batches.tracks = await api.listTracks(id);
  for (const t of batches.tracks) if (t.status === "completed" && !peaks.has(t.id)) loadPeaks(t.id);
}

/** A batch was just recorded: list it and show it. */
export async function started(id: number) {
  await refreshBatches();
  await select(id);
}

/** On opening: the running batch, else the newest. */
export async function selectFirst() {
  await refreshBatches();
  const running = batches.list.find((b) => b.status === "processing" || b.status === "pending");
  if (running) await select(running.id);
  else if (batches.list.length) await select(batches.list[0].id);
}

async function loadPeaks(trackId: number) {
  peaks.set(trackId, null);
  try {
    peaks.set(trackId, await api.trackPeaks(trackId));
  } catch (e) {
    report(message(e));
  }
}

/**
 * Applies one coalesced `intone://batch` update. Rows are patched in place;
 * only finished tracks are re-read (for their length, loudness and
 * waveform), so a 500-track batch stays cheap.
 */
export async function applyUpdate(u: BatchUpdate) {
  if (u.progress) {
    const p = u.progress;
    const i = batches.list.findIndex((b) => b.id === u.batch_id);
    if (i < 0) await refreshBatches();
    else if (p.type === "batch_progress") batches.list[i] = { ...batches.list[i], status: p.status, expected: p.expected, completed: p.completed, failed: p.failed, cancelled: p.cancelled, pending: p.pending };
  }
  if (u.batch_id !== batches.selected) return;
  const tracks = batches.tracks;
  const index = new Map(tracks.map((r, i) => [r.id, i]));
  const finished: number[] = [];
  let unknown = false;
  for (const t of u.tracks) {
    if (t.type !== "track_status") continue;
    const i = index.get(t.track_id);
    if (i === undefined) { unknown = true; continue; }
    const row = tracks[i];
    row.status = t.status;
    row.stage = t.stage ?? null;
    row.error = t.error ?? null;
    if (t.units) { row.units_done = t.units.done; row.units_total = t.units.total; }
    batches.progress[t.track_id] = t.progress ?? null;
    if (t.status === "completed" || t.status === "failed") finished.push(t.track_id);
  }
  if (unknown) return select(u.batch_id);
  if (!finished.length) return;
  const fresh = await api.getTracks(finished);
  if (batches.selected !== u.batch_id) return;
  const now = new Map(batches.tracks.map((r, i) => [r.id, i]));
  for (const r of fresh) {
    const i = now.get(r.id);
    if (i !== undefined) batches.tracks[i] = r;
    if (r.status === "completed" && !peaks.has(r.id)) loadPeaks(r.id);
  }
}
