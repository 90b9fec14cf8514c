// A speech track's takes in the UI-test harness (see harness.ts): every
// sentence the harness's recognizer "heard" has a first take; the Evening
// section's misheard sentence has three (best of 3: the second is heard
// best and is in use). Use this take remakes the track through the
// harness's normal run; ▶ and A/B record what would play.
import type { BatchRow, SentenceTakes, TrackRow } from "./lib/types";

export type TakesCtx = {
  batches: BatchRow[];
  tracks: Map<number, TrackRow[]>;
  played: { trackId: number | null; preview: string | null; original: number | null; fromMs: number; at: number; playing: boolean };
  state: () => unknown;
  /** The sentences the recognizer heard in a track. */
  sentencesOf: (t: TrackRow) => { index: number; text: string; heard: string; wer: number; flagged: boolean; speaker?: string | null }[];
  rerun: (batch: BatchRow, only: TrackRow[]) => void;
};

const byTrack = new Map<number, SentenceTakes[]>();
/** What ▶ and A/B asked to play, in order: "track:sentence:take,take". */
export const playedTakes: string[] = [];

function takesOf(ctx: TakesCtx, t: TrackRow): SentenceTakes[] {
  let list = byTrack.get(t.id);
  if (list) return list;
  let at = 300;
  list = ctx.sentencesOf(t).map((s) => {
    const span: [number, number] = [at, at + 2400];
    at += 2900;
    const take = (n: number, wer: number, heard: string, inUse: boolean) => ({
      take: n, in_use: inUse, current: true, favourite: false, duration_ms: 2300 + n * 120, heard, wer, flagged: wer > 0.3,
      path: `/tmp/clips/${t.id}-${s.index}-${n}.wav`, created_at: "2026-12-05T10:00:00Z",
    });
    const takes = s.flagged
      ? [take(0, s.wer, s.heard, false), take(1, 0, s.text.replace(/\.$/, ""), true), take(2, 0.4, "The day is done and I let.", false)]
      : [take(0, s.wer, s.heard, true)];
    return { index: s.index, text: s.text, speaker: s.speaker ?? null, span_ms: span, takes };
  });
  byTrack.set(t.id, list);
  return list;
}

/** Answers the takes commands; `undefined` for any other. */
export function takesCommand(ctx: TakesCtx, cmd: string, a: Record<string, any>): unknown {
  const track = () => [...ctx.tracks.values()].flat().find((t) => t.id === a.trackId);
  switch (cmd) {
    case "sentence_takes": {
      const t = track();
      if (!t) throw `no track ${a.trackId}`;
      return structuredClone(takesOf(ctx, t));
    }
    case "use_take": {
      const t = track()!;
      const s = takesOf(ctx, t)[a.sentence];
      for (const k of s.takes) k.in_use = k.take === a.take;
      const batch = ctx.batches.find((b) => b.id === t.batch_id)!;
      Object.assign(t, { status: "pending", error: null });
      batch.status = "processing";
      setTimeout(() => ctx.rerun(batch, [t]), 50);
      return batch.id;
    }
    case "set_take_favourite": {
      const k = takesOf(ctx, track()!)[a.sentence].takes.find((x) => x.take === a.take);
      if (!k) throw `no take ${a.take + 1}`;
      k.favourite = a.favourite;
      return null;
    }
    case "batch_retakes": {
      // Best of 3 retook each Evening track's misheard sentence (two more takes).
      const evening = (ctx.tracks.get(a.batchId) ?? []).filter((t) => t.title === "Evening" && t.status === "completed").length;
      return { retaken: evening, still_flagged: 0, made: 2 * evening };
    }
    case "play_takes":
      playedTakes.push(`${a.trackId}:${a.sentence}:${(a.takes as number[]).join(",")}`);
      Object.assign(ctx.played, { trackId: null, preview: `take:${a.trackId}:${a.sentence}`, fromMs: 0, at: performance.now(), playing: true });
      return ctx.state();
    default:
      return undefined;
  }
}
