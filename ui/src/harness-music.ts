// The Music view in the UI-test harness (see harness.ts): Generate makes a
// music batch whose takes run through generate → analyze → master → encode
// → peaks; each take has a tempo (the prompt's "NN bpm", else one from its
// seed), a key and, when asked, a loop. The gallery filters and sorts by
// them; A/B and Continue record what they were asked.
import { emit } from "@tauri-apps/api/event";
import type { BatchProgress, BatchRow, BatchUpdate, LibraryFilter, MusicFacts, TrackRow, TrackStatusEvent as TrackStatus } from "./lib/types";

export type MusicCtx = {
  batches: BatchRow[];
  tracks: Map<number, TrackRow[]>;
  nextTrack: () => number;
  count: (batch: BatchRow, rows: TrackRow[]) => BatchProgress;
  trackStatus: (batch: BatchRow, t: TrackRow, progress: number | null) => TrackStatus;
  played: { trackId: number | null; preview: string | null; original: number | null; fromMs: number; at: number; playing: boolean };
  state: () => unknown;
};

const facts = new Map<number, MusicFacts>();
const recipes = new Map<number, { looped: boolean; continue_from: string | null }>();
/** What A/B asked to play, in order: "a,b". */
export const playedAb: string[] = [];
const KEYS = ["D minor", "F major", "A minor", "E major"];
const KEY_ORDER = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];

const musicCatalog = {
  engines: [
    {
      name: "builtin",
      kind: "builtin",
      models: ["composer"],
      params: [
        { name: "temperature", kind: "number", default: "1", minimum: 0, maximum: 2, choices: [], description: "How far the composer strays" },
        { name: "soundfont", kind: "string", default: "FluidR3_GM.sf2", minimum: null, maximum: null, choices: ["FluidR3_GM.sf2"], description: "SoundFont" },
      ],
      available: true,
      detail: "Composes offline from the prompt's words",
    },
  ],
  vocabulary: [
    { word: "calm", category: "mood" },
    { word: "piano", category: "genre" },
    { word: "slow", category: "tempo" },
    { word: "rain", category: "ambience" },
  ],
};

function batchOf(id: number, engine: string, n: number): BatchRow {
  return { id, project: "Music", project_slug: "music", kind: "music", status: "pending", engine, format: "wav", sample_rate_hz: 48000, bit_depth: 16, encode: { mp3: { mode: "vbr", quality: 2 }, opus_kbps: 96, artist: null, cover: null }, speech_check: false, expected: n, completed: 0, failed: 0, cancelled: 0, pending: n, created_at: "2026-11-21T10:00:00Z", updated_at: "2026-11-21T10:00:00Z" };
}

/** Runs a music batch: each take generates, is analyzed, then delivered. */
async function runMusic(ctx: MusicCtx, batch: BatchRow, rows: TrackRow[]) {
  const send = (u: BatchUpdate) => emit("intone://batch", u);
  batch.status = "processing";
  for (const t of rows) {
    for (const stage of ["generate", "analyze", "master", "encode", "peaks"] as const) {
      Object.assign(t, { status: "running", stage });
      await send({ batch_id: batch.id, progress: null, tracks: [ctx.trackStatus(batch, t, null)] });
      await new Promise((r) => setTimeout(r, 30));
    }
    const seed = Number(t.variant.replace("seed ", ""));
    const bpm = Number(/(\d+)\s*bpm/i.exec(t.title)?.[1] ?? 70 + (seed % 5) * 10);
    const looped = recipes.get(t.id)?.looped ?? false;
    const duration = looped ? Math.round((16 * 60_000) / bpm) : 30000;
    facts.set(t.id, { tempo_bpm: bpm, key: KEYS[seed % KEYS.length], beats_per_bar: 4, estimated: false, loop_frames: looped ? Math.round((duration * 48000) / 1000) : null, spectrograms: /clips/.test(t.title) ? ["/tmp/clip-001.jpg", "/tmp/clip-002.jpg"] : [] });
    Object.assign(t, { status: "completed", stage: null, duration_ms: duration, loudness_lufs: -16.0 - (seed % 3), true_peak_dbtp: -1.1, output_path: `/tmp/${t.id}.wav`, peaks_path: `/tmp/${t.id}.json`, sample_rate_hz: 48000, channels: 2 });
    await send({ batch_id: batch.id, progress: ctx.count(batch, rows), tracks: [ctx.trackStatus(batch, t, null)] });
  }
}

function keyRank(k: string | null | undefined): number {
  if (!k) return 999;
  const [note, mode] = k.split(" ");
  return KEY_ORDER.indexOf(note) * 2 + (mode === "minor" ? 1 : 0);
}

function gallery(ctx: MusicCtx, f: LibraryFilter) {
  const music = new Set(ctx.batches.filter((b) => b.kind === "music").map((b) => b.id));
  const all = [...ctx.tracks.values()]
    .flat()
    .filter((t) => music.has(t.batch_id) && (!f.status || t.status === f.status) && (!f.collection || t.collection === f.collection) && (!f.engine || t.engine === f.engine))
    .filter((t) => {
      const m = facts.get(t.id);
      if (f.tempo_min != null && !(m?.tempo_bpm != null && m.tempo_bpm >= f.tempo_min)) return false;
      if (f.tempo_max != null && !(m?.tempo_bpm != null && m.tempo_bpm <= f.tempo_max)) return false;
      if (f.key && m?.key?.toLowerCase() !== f.key.toLowerCase()) return false;
      if (f.looped != null && (m?.loop_frames != null) !== f.looped) return false;
      return true;
    })
    .reverse();
  const by: Record<string, (t: TrackRow) => number> = {
    tempo: (t) => facts.get(t.id)?.tempo_bpm ?? 1e9,
    key: (t) => keyRank(facts.get(t.id)?.key),
    loudness: (t) => -(t.loudness_lufs ?? -1e9),
    duration: (t) => -(t.duration_ms ?? -1),
  };
  const order = by[f.sort ?? "newest"];
  if (order) all.sort((x, y) => order(x) - order(y));
  const page = all.slice(f.offset ?? 0, (f.offset ?? 0) + (f.limit ?? all.length));
  return {
    takes: page.map((t) => ({
      item: { track: { ...t }, source: t.title, kind: "music", project: "Music", created_at: "2026-11-21T10:00:00Z", flagged: null, music: facts.get(t.id) ?? null },
      recipe: { engine: t.engine, model: null, prompt: t.title, duration_ms: 30000, seed: Number(t.variant.replace("seed ", "")), params: { temperature: "0.5" }, target_lufs: -16, understood: ["calm", "piano", "rain"], continue_from: recipes.get(t.id)?.continue_from ?? null, overlap_ms: 1500, looped: recipes.get(t.id)?.looped ?? false },
    })),
    total: all.length,
  };
}

/** Answers the Music view's commands; `undefined` for any other command. */
export function musicCommand(ctx: MusicCtx, cmd: string, a: Record<string, any>): unknown {
  const allTracks = () => [...ctx.tracks.values()].flat();
  switch (cmd) {
    case "music_catalog":
      return musicCatalog;
    case "make_music": {
      const o = a.order;
      if (!o.prompt.trim()) throw "the prompt is empty";
      if (o.looped && o.continue_from) throw "a loop cannot continue a file: make the loop, or continue the file";
      const id = ctx.batches.length + 1;
      const rows: TrackRow[] = Array.from({ length: o.takes }, (_, i) => ({ id: ctx.nextTrack(), batch_id: id, position: i, title: o.prompt, section_id: null, input_hash: null, variant: `seed ${o.seed + i}`, engine: o.engine, status: "pending", stage: null, output_path: null, duration_ms: null, sample_rate_hz: null, channels: null, loudness_lufs: null, true_peak_dbtp: null, peaks_path: null, error: null, attempts: 0, units_done: 0, units_total: 0, collection: o.collection }));
      rows.forEach((r) => recipes.set(r.id, { looped: !!o.looped, continue_from: o.continue_from ?? null }));
      const batch = batchOf(id, o.engine, rows.length);
      ctx.batches.unshift(batch);
      ctx.tracks.set(id, rows);
      setTimeout(() => runMusic(ctx, batch, rows), 50);
      return id;
    }
    case "music_gallery":
      return gallery(ctx, a.filter as LibraryFilter);
    case "set_collection": {
      for (const t of allTracks()) if (a.trackIds.includes(t.id)) t.collection = a.collection;
      return null;
    }
    case "regenerate_take": {
      const src = allTracks().find((t) => t.id === a.trackId)!;
      const id = ctx.batches.length + 1;
      const row: TrackRow = { ...src, id: ctx.nextTrack(), batch_id: id, position: 0, variant: "seed 777", status: "pending", stage: null, output_path: null, duration_ms: null, loudness_lufs: null, true_peak_dbtp: null, peaks_path: null };
      recipes.set(row.id, recipes.get(src.id) ?? { looped: false, continue_from: null });
      const batch = batchOf(id, src.engine, 1);
      ctx.batches.unshift(batch);
      ctx.tracks.set(id, [row]);
      setTimeout(() => runMusic(ctx, batch, [row]), 50);
      return id;
    }
    case "use_as_bed":
      return `sleep-take-${a.trackId}`;
    case "play_ab":
      playedAb.push(`${a.a},${a.b}`);
      Object.assign(ctx.played, { trackId: null, preview: `ab:${a.a}:${a.b}`, fromMs: 0, at: performance.now(), playing: true });
      return ctx.state();
    case "take_spectrogram":
      // A 1×1 grey PNG.
      return "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgYAAAAAMAASsJTYQAAAAASUVORK5CYII=";
    case "pick_audio":
      return { hash: "ab".repeat(32), name: "field-recording.flac", path: "/home/test/.local/share/intone/inputs/field-recording.flac", bytes: 2000000, sample_rate_hz: 44100, channels: 2, duration_ms: 42000, added_at: "2026-12-05T10:00:00Z" };
    default:
      return undefined;
  }
}
