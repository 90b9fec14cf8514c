// UI-test harness (built only with INTONE_UI_HARNESS=1): the real app, fed by
// @tauri-apps/api/mocks instead of the Rust backend. Generate produces a batch
// whose tracks move through the real stages, with progress events at the rate
// the shell forwards them (one `intone://batch` update per batch per 100 ms).
import { mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { scenesCommand } from "./harness-scenes";
import { castCommand, castSentences, recordGenerated, VOICES } from "./harness-cast";
import { playedTakes, takesCommand } from "./harness-takes";
import { bookCommand } from "./harness-book";
import { musicCommand, playedAb } from "./harness-music";
import { kinds } from "./lib/kinds";
import type { BatchProgress, BatchRow, BatchUpdate, EngineEntry, InputRow, WatchFolder, LibraryFilter, Step, TrackRow, TrackStatusEvent as TrackStatus } from "./lib/types";

/** A kind's steps as the core declares them (kinds.ts, generated from the registry). */
const stepsOf = (kind: string): Step[] => [...(kinds.find((k) => k.kind === kind)?.steps ?? [])];
const stages = stepsOf("speech");
/** Sentences given a new take ("trackId:index"): heard as written since. */
const regenerated = new Set<string>();
const conversionStages = stepsOf("conversion");
const transcriptionStages = stepsOf("transcription");
/** Chunks of every harness recording. */
const CHUNKS = 6;
/** Recordings whose name contains this fail at chunk 3 until retried. */
const failingOnce = new Set<number>();
const batches: BatchRow[] = [];
const exportedBooks: { batchId: number; variant: string | null }[] = [];
const tracks = new Map<number, TrackRow[]>();
let nextTrack = 1;
const engines: EngineEntry[] = [];
const calls: { cmd: string; args: unknown }[] = [];
const played: { trackId: number | null; preview: string | null; original: number | null; fromMs: number; at: number; playing: boolean } = { trackId: null, preview: null, original: null, fromMs: 0, at: 0, playing: false };

function preview(text: string) {
  const sections = text
    .split(/^## /m)
    .slice(1)
    .map((chunk) => {
      const [title, ...rest] = chunk.split("\n");
      const words = rest.join(" ").split(/\s+/).filter(Boolean).length;
      return { title: title.trim(), words, estimated_ms: Math.round((words / 150) * 60000) };
    })
    .filter((s) => s.words > 0);
  if (!sections.length) throw `<text>: script has no text to speak`;
  return { title: /^# (.+)$/m.exec(text)?.[1].trim() ?? "Harness", sections, warnings: [] };
}

function peaks() {
  const n = 400;
  const max = Array.from({ length: n }, (_, i) => 0.2 + 0.6 * Math.abs(Math.sin(i / 9)) * (i % 50 < 40 ? 1 : 0.05));
  return { version: 1, sample_rate_hz: 48000, channels: 1, frames: n * 256, levels: [{ frames_per_peak: 256, min: max.map((x) => -x), max }] };
}

async function run(batch: BatchRow, rows: TrackRow[], only: TrackRow[] = rows) {
  const send = (u: BatchUpdate) => emit("intone://batch", u);
  for (const t of only) {
    for (const stage of stages) {
      t.status = "running";
      t.stage = stage;
      batch.status = "processing";
      await send({ batch_id: batch.id, progress: null, tracks: [{ type: "track_status", batch_id: batch.id, track_id: t.id, title: t.title, variant: t.variant, status: "running", stage, progress: stage === "synthesize" ? 0.5 : null, units: null, error: null }] });
      await new Promise((r) => setTimeout(r, 40));
    }
    finish(t);
    await send({ batch_id: batch.id, progress: count(batch, rows), tracks: [trackStatus(batch, t, null)] });
  }
}

/** What the recognizer "heard": the Evening section's first sentence is
 * misheard until it is regenerated. */
function sentencesOf(t: TrackRow) {
  // With a cast, MARA's first line in Evening is the misheard one.
  const cast = castSentences(t);
  if (cast) {
    const first = cast.findIndex((u) => u.speaker === "MARA");
    return cast.map((u, index) => {
      const bad = t.title === "Evening" && index === first && !regenerated.has(`${t.id}:${index}`);
      return { index, text: u.text, heard: bad ? "Shivering, the day is done." : u.text, wer: bad ? 0.5 : 0, flagged: bad, speaker: u.speaker };
    });
  }
  const said = t.title === "Evening" ? ["The day is done and I let it go."] : ["I wake up rested and grateful.", "The light is soft and warm."];
  return said.map((text, index) => {
    const bad = t.title === "Evening" && !regenerated.has(`${t.id}:${index}`);
    return { index, text, heard: bad ? "The bay is dumb and I left." : text, wer: bad ? 0.56 : 0, flagged: bad };
  });
}

/** Ends a track: the "Fails" section fails, everything else completes. */
function finish(t: TrackRow) {
  const fail = t.title === "Fails";
  t.status = fail ? "failed" : "completed";
  t.stage = null;
  if (fail) t.error = "chatterbox: cannot connect to http://127.0.0.1:8004 (is the server running?) (gave up after 4 attempts)";
  else Object.assign(t, { duration_ms: 12000, loudness_lufs: -16.1, true_peak_dbtp: -1.3, output_path: `/tmp/${t.id}.wav`, peaks_path: `/tmp/${t.id}.json`, sample_rate_hz: 48000, channels: 1 });
}

/** Recounts the batch and returns its progress event. */
function count(batch: BatchRow, rows: TrackRow[]): BatchProgress {
  batch.completed = rows.filter((r) => r.status === "completed").length;
  batch.failed = rows.filter((r) => r.status === "failed").length;
  batch.pending = rows.length - batch.completed - batch.failed;
  if (batch.pending === 0) batch.status = batch.failed === 0 ? "completed" : batch.completed === 0 ? "failed" : "partial_success";
  return { type: "batch_progress", batch_id: batch.id, status: batch.status, expected: batch.expected, completed: batch.completed, failed: batch.failed, cancelled: 0, pending: batch.pending };
}
function trackStatus(batch: BatchRow, t: TrackRow, progress: number | null): TrackStatus {
  return { type: "track_status", batch_id: batch.id, track_id: t.id, title: t.title, variant: t.variant, status: t.status, stage: t.stage, progress, units: null, error: t.error };
}

/** A conversion batch: every track goes through its stages, chunk by chunk. */
async function runConversion(batch: BatchRow, rows: TrackRow[]) {
  const send = (u: BatchUpdate) => emit("intone://batch", u);
  batch.status = "processing";
  for (const t of rows.filter((r) => r.status === "pending")) {
    let failed = false;
    for (const stage of batch.kind === "transcription" ? transcriptionStages : conversionStages) {
      t.status = "running";
      t.stage = stage;
      if (stage !== "convert") {
        await send({ batch_id: batch.id, progress: null, tracks: [trackStatus(batch, t, null)] });
        await new Promise((r) => setTimeout(r, 40));
        continue;
      }
      t.units_total = CHUNKS;
      for (let done = t.units_done; done <= CHUNKS; done++) {
        if (done === 2 && failingOnce.has(t.id)) {
          failingOnce.delete(t.id);
          failed = true;
          break;
        }
        t.units_done = done;
        await send({ batch_id: batch.id, progress: null, tracks: [{ ...trackStatus(batch, t, done / CHUNKS), units: { done, total: CHUNKS } }] });
        await new Promise((r) => setTimeout(r, 120));
      }
      if (failed) break;
    }
    if (failed) {
      Object.assign(t, { status: "failed", error: `${t.title}: chunk 3 of ${CHUNKS} (0:20–0:30): lower: sox exited with code 2: sox FAIL pitch: bad argument` });
    } else {
      Object.assign(t, { status: "completed", stage: null, duration_ms: 60000, loudness_lufs: -16.0, true_peak_dbtp: -1.2, output_path: `/tmp/${t.id}.wav`, peaks_path: `/tmp/${t.id}.json`, sample_rate_hz: 48000, channels: 2 });
    }
    await send({ batch_id: batch.id, progress: count(batch, rows), tracks: [trackStatus(batch, t, null)] });
  }
}

function input(name: string): InputRow {
  const hash = Array.from(name).reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7).toString(16).padStart(8, "0").repeat(8);
  return { hash, name, path: `/home/test/.local/share/intone/inputs/${hash}.m4a`, bytes: 1000000, sample_rate_hz: 44100, channels: 2, duration_ms: 60000, added_at: "2026-11-21T10:00:00Z" };
}
const inputs = new Map<string, InputRow>();
const watched: WatchFolder[] = [];

/**
 * A large batch at the shell's rate bound: `parallel` tracks are in flight,
 * each moves one stage per 100 ms tick, and every tick is one coalesced
 * update carrying all of its track changes (what `forward.rs` sends).
 */
async function flood(batch: BatchRow, rows: TrackRow[], parallel: number) {
  const active: TrackRow[] = [];
  let next = 0;
  batch.status = "processing";
  while (next < rows.length || active.length) {
    while (active.length < parallel && next < rows.length) active.push(rows[next++]);
    const changes: TrackStatus[] = [];
    for (const t of [...active]) {
      const s = t.stage ? stages.indexOf(t.stage) + 1 : 0;
      if (s < stages.length) {
        t.status = "running";
        t.stage = stages[s];
        changes.push(trackStatus(batch, t, s === 0 ? 0.5 : null));
      } else {
        finish(t);
        active.splice(active.indexOf(t), 1);
        changes.push(trackStatus(batch, t, null));
      }
    }
    await emit("intone://batch", { batch_id: batch.id, progress: count(batch, rows), tracks: changes } satisfies BatchUpdate);
    await new Promise((r) => setTimeout(r, 100));
  }
}

mockWindows("main");
mockIPC(
  (cmd, args) => {
    const a = (args ?? {}) as Record<string, any>;
    calls.push({ cmd, args });
    const allTracks = () => [...tracks.values()].flat();
    const scene = scenesCommand({ batches, tracks, nextTrack: () => nextTrack++, count, played, state }, cmd, a);
    if (scene !== undefined) return scene;
    const rerun = (b: BatchRow, only: TrackRow[]) => run(b, tracks.get(b.id) ?? [], only);
    for (const h of [() => castCommand({ batches, tracks, played, state, rerun }, cmd, a), () => takesCommand({ batches, tracks, played, state, sentencesOf, rerun }, cmd, a), () => bookCommand(cmd, a), () => musicCommand({ batches, tracks, nextTrack: () => nextTrack++, count, trackStatus, played, state }, cmd, a)]) {
      const r = h();
      if (r !== undefined) return r;
    }    switch (cmd) {
      case "app_info":
        return { version: "0.1.0", home: "/home/test/.local/share/intone", audio_error: null, warnings: [], notes: [] };
      case "examples":
        return [
          { name: "evening-wind-down.md", text: "# Evening Wind-Down\n\n## Arriving\n\nFind a place to rest.\n\n## Resting\n\nStay here as long as you like.\n", encoding_note: null },
          { name: "the-lighthouse-keeper.md", text: "# The Lighthouse Keeper\n\n## Chapter One\n\nThe boat came late.\n", encoding_note: null },
        ].map((script, i) => ({ script, preview: { ...preview(script.text), title: ["Evening Wind-Down", "The Lighthouse Keeper"][i] } }));
      case "launch_files":
        return { scripts: [], voices: [], inputs: [], rejected: [] };
      case "list_voices":
        return VOICES;
      case "list_variants":
        return [
          { name: "voice", description: "Voice only, mastered for spoken word", bed: "none", target_lufs: -16, tempo: 1 },
          { name: "sleep", description: "Slow, warm voice over ocean waves with long fades", bed: "ocean", target_lufs: -20, tempo: 0.85 },
          { name: "energy", description: "Bright voice over an upbeat 120 BPM groove", bed: "pulse", target_lufs: -14, tempo: 1.08 },
        ];
      case "preview_script":
        return preview(a.text);
      case "pick_script_files":
        // As the shell reads a script saved by an older Windows editor.
        return [{ name: "café.md", text: "# Café\n\n## Zoë’s day\n\nZoë paid 20 € for it — “not bad”.\n", encoding_note: "read as Windows-1252 (Latin-1); the file is not UTF-8" }];
      case "generate": {
        const g = a.args;
        const sections = g.scripts.flatMap((s: { text: string }) => preview(s.text).sections);
        const id = batches.length + 1;
        const rows: TrackRow[] = [];
        sections.forEach((s: { title: string }) =>
          g.variants.forEach((v: string) =>
            rows.push({ id: nextTrack++, batch_id: id, position: rows.length, title: s.title, section_id: 0, input_hash: null, variant: v, engine: g.voice, status: "pending", stage: null, output_path: null, duration_ms: null, sample_rate_hz: null, channels: null, loudness_lufs: null, true_peak_dbtp: null, peaks_path: null, error: null, attempts: 0, units_done: 0, units_total: 0, collection: null }),
          ),
        );
        const project = preview(g.scripts[0].text).title;
        recordGenerated(id, rows, g.scripts, g.cast ?? null);
        const batch: BatchRow = { id, project, project_slug: project.toLowerCase().replace(/\W+/g, "-"), kind: "speech", status: "pending", engine: g.voice, format: g.format, sample_rate_hz: 48000, bit_depth: 16, encode: { mp3: { mode: "vbr", quality: 2 }, opus_kbps: 96, artist: null, cover: null }, speech_check: g.check, expected: rows.length, completed: 0, failed: 0, cancelled: 0, pending: rows.length, created_at: "2026-11-21T10:00:00Z", updated_at: "2026-11-21T10:00:00Z" };
        batches.unshift(batch);
        tracks.set(id, rows);
        const parallel = (window as any).__harnessFlood as number | undefined;
        setTimeout(() => (parallel ? flood(batch, rows, parallel) : run(batch, rows)), 50);
        return id;
      }
      case "list_converters":
        return [
          { id: "builtin", kind: "builtin", description: "Pitch and formant shift (Signalsmith Stretch), offline", max_chunk_ms: 30000, concurrency: 2, available: true, reason: null,
            settings: [
              { name: "preset", description: "what the voice becomes", default: "deeper", choices: ["deeper", "higher", "younger", "older", "brighter", "robot", "whisper", "custom"], min: null, max: null },
              { name: "pitch_semitones", description: "pitch shift in semitones (default: the preset's)", default: "", choices: [], min: null, max: null },
              { name: "formant_semitones", description: "formant shift in semitones (default: the preset's)", default: "", choices: [], min: null, max: null },
            ] },
          { id: "lower", kind: "command", description: "sox pitch shift", max_chunk_ms: 30000, concurrency: 1, available: true, reason: null, settings: [] },
        ];
      case "pick_audio_files": {
        const picked = [input("interview.m4a"), input("fails-at-chunk-3.wav")];
        picked.forEach((i) => inputs.set(i.hash, i));
        return { inputs: picked, rejected: ["notes.txt: not an audio file Intone can read (unsupported format)"] };
      }
      case "list_watch_folders":
        return watched;
      case "add_watch_folder": {
        const c = a.args;
        const f = { path: "/home/test/Recordings/inbox", request: { files: [], converter: c.converter, settings: c.settings, format: c.format, sample_rate_hz: 48000, bit_depth: 16, target_lufs: c.target_lufs, max_chunk_s: null, project: null, force: false } };
        watched.push(f);
        return f;
      }
      case "remove_watch_folder":
        watched.splice(watched.findIndex((w) => w.path === a.path), 1);
        return null;
      case "preview_conversion":
        Object.assign(played, { trackId: null, preview: `convert:${a.input}`, fromMs: 0, at: performance.now(), playing: true });
        return state();
      case "play_original":
        Object.assign(played, { trackId: null, original: a.trackId, fromMs: a.fromMs ?? 0, at: performance.now(), playing: true });
        return state();
      case "convert": {
        const c = a.args;
        const id = batches.length + 1;
        const rows: TrackRow[] = (c.inputs as string[]).map((h, i) => ({ id: nextTrack++, batch_id: id, position: i, title: inputs.get(h)?.name ?? h, section_id: null, input_hash: h, variant: `${c.converter} · ${c.settings.preset ?? ""}`.trim(), engine: c.converter, status: "pending", stage: null, output_path: null, duration_ms: null, sample_rate_hz: null, channels: null, loudness_lufs: null, true_peak_dbtp: null, peaks_path: null, error: null, attempts: 0, units_done: 0, units_total: 0, collection: null }));
        rows.filter((r) => r.title.startsWith("fails")).forEach((r) => failingOnce.add(r.id));
        const batch: BatchRow = { id, project: "Conversions", project_slug: "conversions", kind: "conversion", status: "pending", engine: c.converter, format: c.format, sample_rate_hz: 48000, bit_depth: 16, encode: { mp3: { mode: "vbr", quality: 2 }, opus_kbps: 96, artist: null, cover: null }, speech_check: false, expected: rows.length, completed: 0, failed: 0, cancelled: 0, pending: rows.length, created_at: "2026-11-21T10:00:00Z", updated_at: "2026-11-21T10:00:00Z" };
        batches.unshift(batch);
        tracks.set(id, rows);
        setTimeout(() => runConversion(batch, rows), 50);
        return { batch_id: id, already: [], rejected: [] };
      }
      case "export_book": {
        const batch = batches.find((b) => b.id === a.batchId)!;
        const n = (tracks.get(a.batchId) ?? []).filter((t) => t.variant === a.variant).length;
        exportedBooks.push({ batchId: a.batchId, variant: a.variant });
        return { path: `/home/test/Audiobooks/${batch.project}.mp3`, chapters: n, srt: `/home/test/Audiobooks/${batch.project}.srt` };
      }
      case "batch_checks":
        return (tracks.get(a.batchId) ?? []).filter((t) => t.status === "completed").map((t) => ({
          track_id: t.id,
          position: t.position,
          title: t.title,
          variant: t.variant,
          report: { checked: true, sentences: sentencesOf(t) },
        }));
      case "transcribe": {
        const c = a.args;
        const id = batches.length + 1;
        const rows: TrackRow[] = (c.inputs as string[]).map((h, i) => ({ id: nextTrack++, batch_id: id, position: i, title: inputs.get(h)?.name ?? h, section_id: null, input_hash: h, variant: "transcript", engine: "ggml-tiny.en.bin", status: "pending", stage: null, output_path: null, duration_ms: null, sample_rate_hz: null, channels: null, loudness_lufs: null, true_peak_dbtp: null, peaks_path: null, error: null, attempts: 0, units_done: 0, units_total: 0, collection: null }));
        const batch: BatchRow = { id, project: "Transcripts", project_slug: "transcripts", kind: "transcription", status: "pending", engine: "ggml-tiny.en.bin", format: c.format, sample_rate_hz: 48000, bit_depth: 16, encode: { mp3: { mode: "vbr", quality: 2 }, opus_kbps: 96, artist: null, cover: null }, speech_check: false, expected: rows.length, completed: 0, failed: 0, cancelled: 0, pending: rows.length, created_at: "2026-11-21T10:00:00Z", updated_at: "2026-11-21T10:00:00Z" };
        batches.unshift(batch);
        tracks.set(id, rows);
        setTimeout(() => runConversion(batch, rows), 50);
        return { batch_id: id, already: [], rejected: [] };
      }
      case "regenerate_utterance": {
        const t = allTracks().find((r) => r.id === a.trackId)!;
        const batch = batches.find((b) => b.id === t.batch_id)!;
        regenerated.add(`${t.id}:${a.index}`);
        Object.assign(t, { status: "pending", error: null });
        batch.status = "processing";
        setTimeout(() => run(batch, tracks.get(batch.id) ?? [], [t]), 50);
        return batch.id;
      }
      case "track_transcript":
        return [
          { start_ms: 1200, end_ms: 4800, text: "Thanks for joining me today." },
          { start_ms: 31000, end_ms: 36500, text: "Let's begin with the first question." },
        ];
      case "retry_batch": {
        const batch = batches.find((b) => b.id === a.batchId);
        const rows = tracks.get(a.batchId) ?? [];
        rows.filter((r) => r.status === "failed").forEach((r) => Object.assign(r, { status: "pending", error: null }));
        if (batch?.kind === "conversion") setTimeout(() => runConversion(batch, rows), 50);
        return null;
      }
      case "list_batches":
        return batches.map((b) => ({ ...b }));
      case "get_tracks": {
        const all = new Map(allTracks().map((t) => [t.id, t]));
        return (a.trackIds as number[]).flatMap((id) => (all.has(id) ? [{ ...all.get(id)! }] : []));
      }
      case "list_tracks":
        return (tracks.get(a.batchId) ?? []).map((t) => ({ ...t }));
      case "track_peaks":
        return peaks();
      case "play":
        Object.assign(played, { trackId: a.trackId, original: null, fromMs: a.fromMs ?? 0, at: performance.now(), playing: true });
        return state();
      case "pause":
        played.fromMs = state().position_ms;
        played.playing = false;
        return state();
      case "seek":
        Object.assign(played, { fromMs: a.ms, at: performance.now() });
        return state();
      case "playback_state":
        return state();
      case "prepare_voice":
        return null;
      case "preview_voice":
        Object.assign(played, { trackId: null, preview: a.voice, fromMs: 0, at: performance.now(), playing: true });
        return state();
      case "library": {
        const f = a.filter as LibraryFilter;
        const kindOf = new Map(batches.map((b) => [b.id, b.kind]));
        return allTracks()
          .filter((t) => (!f.status || t.status === f.status) && (!f.variant || t.variant === f.variant) && (!f.engine || t.engine === f.engine) && (!f.kind || kindOf.get(t.batch_id) === f.kind))
          .map((t) => {
            const kind = kindOf.get(t.batch_id) ?? "speech";
            const checked = kind === "speech" && t.status === "completed" && batches.find((b) => b.id === t.batch_id)?.speech_check;
            const flagged = checked ? sentencesOf(t).filter((s) => s.flagged && !regenerated.has(`${t.id}:${s.index}`)).length : null;
            return { track: { ...t }, source: t.input_hash ? t.title : "Harness", kind, project: "Harness", created_at: "2026-11-21T10:00:00Z", flagged };
          });
      }
      case "library_facets":
        return {
          variants: [...new Set(allTracks().map((t) => t.variant))].sort(),
          engines: [...new Set(allTracks().map((t) => t.engine))].sort(),
          sources: allTracks().length ? ["Harness"] : [],
          collections: [...new Set(allTracks().flatMap((t) => (t.collection ? [t.collection] : [])))].sort(),
        };
      case "list_inputs":
        return [];
      case "delete_tracks": {
        const ids: number[] = a.trackIds;
        for (const [b, rows] of tracks) tracks.set(b, rows.filter((t) => !ids.includes(t.id)));
        return { deleted: ids.length, files_removed: ids.length * 2, problems: [] };
      }
      case "export_tracks":
      {
        const picked = allTracks().filter((t) => a.trackIds.includes(t.id));
        return {
          folder: "/home/test/Exports",
          files: picked.filter((t) => t.status === "completed").map((t) => `/home/test/Exports/${t.id}.wav`),
          skipped: picked.filter((t) => t.status !== "completed").map((t) => `${t.title} · ${t.variant}: not finished (${t.status})`),
        };
      }
      case "reveal_track":
        return null;
      case "list_engines":
        return engines;
      case "add_engine":
        if (engines.some((e) => e.name === a.name)) throw `engine "${a.name}" already exists`;
        engines.push({ name: a.name, config: a.config });
        return null;
      case "remove_engine":
        engines.splice(engines.findIndex((e) => e.name === a.name), 1);
        return null;
      case "test_engine":
        return { name: a.name, ok: true, urls: [[engines[0].config.urls[0], true, "ok"]], voices: 3, voices_from: "3 listed at /v1/voices" };
      default:
        throw `unknown command ${cmd}`;
    }
  },
  { shouldMockEvents: true },
);

function state() {
  const pos = played.playing ? played.fromMs + (performance.now() - played.at) : played.fromMs;
  return { track_id: played.trackId, preview_voice: played.preview, original_of: played.original, playing: played.playing, position_ms: Math.min(12000, Math.round(pos)), duration_ms: 12000, error: null, looping: false };
}

// Exposed for the test's own checks.
(window as any).__harness = { batches, tracks, calls, exportedBooks, playedTakes, playedAb };

await import("./main");
