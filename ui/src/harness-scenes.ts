// The Scenes view's commands in the UI-test harness (see harness.ts): a
// score batch whose scenes generate one by one ("generating scene 3/5"),
// then merge, fit, master; a scene whose prompt says "refuse" fails and,
// under continue_with_silence, silence takes its place.
import { emit } from "@tauri-apps/api/event";
import type { BatchRow, BatchUpdate, ScoreRequest, ScoreView, TrackRow } from "./lib/types";

type Unit = { status: string; attempts: number; error: string | null };
type Score = { view: ScoreView; units: Unit[] };

export type Ctx = {
  batches: BatchRow[];
  tracks: Map<number, TrackRow[]>;
  nextTrack: () => number;
  count: (b: BatchRow, rows: TrackRow[]) => BatchUpdate["progress"];
  played: { trackId: number | null; preview: string | null; original: number | null; fromMs: number; at: number; playing: boolean };
  state: () => unknown;
};

const scores = new Map<number, Score>();
const DAY = "2026-11-21T10:00:00Z";

function starts(o: ScoreView["recipe"]): number[] {
  const total = o.scenes.reduce((n, s) => n + s.duration_ms, 0);
  const scale = o.fit === "stretch" || (o.fit === "compress" && total > o.target_ms) ? o.target_ms / total : 1;
  let at = 0;
  return o.scenes.map((s) => {
    const b = at * scale;
    at += s.duration_ms;
    return b;
  });
}

function view(ctx: Ctx, trackId: number): ScoreView {
  const s = scores.get(trackId)!;
  const st = starts(s.view.recipe);
  const done = [...ctx.tracks.values()].flat().find((r) => r.id === trackId)?.status === "completed";
  return {
    ...s.view,
    scenes: s.view.recipe.scenes.map((scene, i) => ({
      number: i + 1,
      scene: { ...scene },
      start_ms: st[i],
      status: s.units[i].status,
      silent: s.units[i].status === "failed" && done,
      error: s.units[i].error,
      attempts: s.units[i].attempts,
      take_path: s.units[i].status === "done" ? `/tmp/score-${trackId}/scene-${i + 1}.wav` : null,
    })),
  };
}

async function run(ctx: Ctx, batch: BatchRow, t: TrackRow) {
  const s = scores.get(t.id)!;
  const send = (u: BatchUpdate) => emit("intone://batch", u);
  const status = (extra: Partial<{ stage: string; units: { done: number; total: number } | null }>) =>
    send({ batch_id: batch.id, progress: null, tracks: [{ type: "track_status", batch_id: batch.id, track_id: t.id, title: t.title, variant: t.variant, status: t.status, stage: (t.stage ?? null) as never, progress: null, units: null, error: t.error, ...extra } as never] });
  batch.status = "processing";
  const n = s.view.recipe.scenes.length;
  Object.assign(t, { status: "running", stage: "generate", units_total: n });
  for (let i = 0; i < n; i++) {
    const u = s.units[i];
    t.units_done = s.units.filter((x) => x.status === "done").length;
    if (u.status === "done") continue;
    await status({ units: { done: i, total: n } });
    u.status = "running";
    u.attempts++;
    await new Promise((r) => setTimeout(r, 150));
    if (s.view.recipe.scenes[i].prompt.includes("refuse")) {
      u.status = "failed";
      u.error = `scene ${i + 1} of ${n} ("${s.view.recipe.scenes[i].prompt}"): musicgen: the model failed: the model refused this prompt`;
      if (s.view.recipe.on_error === "halt") {
        Object.assign(t, { status: "failed", stage: null, error: u.error });
        await send({ batch_id: batch.id, progress: ctx.count(batch, [t]), tracks: [] });
        await status({});
        return;
      }
    } else {
      Object.assign(u, { status: "done", error: null });
    }
  }
  t.units_done = s.units.filter((x) => x.status === "done").length;
  for (const stage of ["merge", "fit", "master", "encode", "peaks"]) {
    t.stage = stage as never;
    await status({});
    await new Promise((r) => setTimeout(r, 40));
  }
  Object.assign(t, { status: "completed", stage: null, error: null, attempts: t.attempts + 1, duration_ms: s.view.recipe.target_ms, loudness_lufs: -16.0, true_peak_dbtp: -1.4, output_path: `/tmp/score-${t.id}.wav`, peaks_path: `/tmp/score-${t.id}.json`, sample_rate_hz: 48000, channels: 2 });
  await send({ batch_id: batch.id, progress: ctx.count(batch, [t]), tracks: [] });
  await status({});
}

/** Handles a Scenes command; `undefined` when `cmd` is not one. */
export function scenesCommand(ctx: Ctx, cmd: string, a: Record<string, any>): unknown {
  switch (cmd) {
    case "video_info":
    case "pick_video": {
      const path = cmd === "pick_video" ? "/home/test/Videos/harbor-cut.mp4" : a.path;
      if (!/\.(mp4|mov|mkv|webm)$/i.test(path)) throw `${path}: not a video Intone can score (use MP4, MOV, MKV or WebM)`;
      return { path, name: path.split("/").pop(), duration_ms: 45_000 };
    }
    case "read_scene_list": {
      const lines = (a.text as string).split("\n").map((l) => l.trim()).filter((l) => l.startsWith("- "));
      if (!lines.length) throw "it lists no scenes";
      return {
        title: null, duration_ms: null, engine: null, model: null, crossfade_ms: null, fit: null, on_error: null, snap: null,
        scenes: lines.map((l) => {
          const [len, ...rest] = l.slice(2).split(" ");
          const [m, sec] = len.includes(":") ? len.split(":").map(Number) : [0, parseFloat(len)];
          return { prompt: rest.join(" "), duration_ms: Math.round((m * 60 + sec) * 1000), seed: null, params: {} };
        }),
      };
    }
    case "pick_scene_list":
      return null;
    case "make_score": {
      const o = a.order as ScoreRequest;
      const id = ctx.batches.length + 1;
      const scenes = (o.scenes ?? []).map((s, i) => ({ prompt: s.prompt, duration_ms: s.duration_ms, seed: s.seed ?? 100 + i, params: s.params }));
      const total = scenes.reduce((n, s) => n + s.duration_ms, 0);
      const target = o.target_ms ?? (o.video ? 45_000 : total);
      const row: TrackRow = { id: ctx.nextTrack(), batch_id: id, position: 0, title: o.title ?? "Score", section_id: null, input_hash: null, variant: `${scenes.length} scenes · ${Math.floor(target / 60000)}:${String(Math.round(target / 1000) % 60).padStart(2, "0")}`, engine: o.engine ?? "builtin", status: "pending", stage: null, output_path: null, duration_ms: null, sample_rate_hz: null, channels: null, loudness_lufs: null, true_peak_dbtp: null, peaks_path: null, error: null, attempts: 0, units_done: 0, units_total: scenes.length, collection: null };
      const batch: BatchRow = { id, project: "Scores", project_slug: "scores", kind: "scenes", status: "pending", engine: row.engine, format: o.format ?? "wav", sample_rate_hz: 48000, bit_depth: 16, encode: { mp3: { mode: "vbr", quality: 2 }, opus_kbps: 96, artist: null, cover: null }, speech_check: false, expected: 1, completed: 0, failed: 0, cancelled: 0, pending: 1, created_at: DAY, updated_at: DAY };
      ctx.batches.unshift(batch);
      ctx.tracks.set(id, [row]);
      scores.set(row.id, {
        view: { track_id: row.id, batch_id: id, scenes: [], recipe: { engine: row.engine, model: null, scenes, target_ms: target, crossfade_ms: o.crossfade_ms ?? 1000, fit: o.fit ?? "trim", on_error: o.on_error ?? "continue_with_silence", target_lufs: -16, video: o.video ?? null, snap: o.snap ?? "none" } },
        units: scenes.map(() => ({ status: "pending", attempts: 0, error: null })),
      });
      setTimeout(() => run(ctx, batch, row), 50);
      return id;
    }
    case "score_view":
      return view(ctx, a.trackId);
    case "regenerate_scene": {
      const s = scores.get(a.trackId)!;
      const scene = s.view.recipe.scenes[a.number - 1];
      if (a.change.prompt) scene.prompt = a.change.prompt;
      scene.seed = a.change.seed ?? scene.seed + 1000;
      Object.assign(s.units[a.number - 1], { status: "pending", attempts: 0, error: null });
      const t = [...ctx.tracks.values()].flat().find((r) => r.id === a.trackId)!;
      const batch = ctx.batches.find((b) => b.id === t.batch_id)!;
      Object.assign(t, { status: "pending", stage: null, error: null });
      batch.status = "processing";
      setTimeout(() => run(ctx, batch, t), 50);
      return batch.id;
    }
    case "play_scene":
      Object.assign(ctx.played, { trackId: null, original: null, preview: `scene:${a.trackId}:${a.number}`, fromMs: 0, at: performance.now(), playing: true });
      return ctx.state();
    case "export_scored_video":
      return "/home/test/.local/share/intone/projects/scores/tracks/batch-1/harbor-cut (scored).mp4";
    case "export_score":
      return "/home/test/Music/Harbor.flac";
    default:
      return undefined;
  }
}
