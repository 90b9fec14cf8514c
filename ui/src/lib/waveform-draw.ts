// Drawing a stored waveform (peaks JSON, see intone_core::audio::peaks) into
// a canvas: min/max per pixel column from the finest level that has at
// least one pair per column, the played part in one colour, the rest in
// another, as two filled paths.
import type { Peaks } from "./types";

/** Min/max per pixel column, each in −1..1. */
export interface Columns {
  width: number;
  lo: Float32Array;
  hi: Float32Array;
}

/** Reduces `peaks` to `width` pixel columns. */
export function columns(peaks: Peaks, width: number): Columns {
  const w = Math.max(1, Math.floor(width));
  const level = [...peaks.levels].reverse().find((l) => l.min.length >= w) ?? peaks.levels[0];
  const lo = new Float32Array(w);
  const hi = new Float32Array(w);
  const min = level?.min ?? [];
  const max = level?.max ?? [];
  const n = min.length;
  for (let x = 0; x < w; x++) {
    const a = Math.floor((x / w) * n);
    const b = Math.max(a + 1, Math.floor(((x + 1) / w) * n));
    let l = 0;
    let h = 0;
    for (let i = a; i < b && i < n; i++) {
      l = Math.min(l, min[i] ?? 0);
      h = Math.max(h, max[i] ?? 0);
    }
    lo[x] = l;
    hi[x] = h;
  }
  return { width: w, lo, hi };
}

/** Theme colours (CSS variables `--played` and `--wave`), read once per colour scheme. */
const colourCache = new Map<boolean, { played: string; rest: string }>();
export function colours(): { played: string; rest: string } {
  const dark = matchMedia("(prefers-color-scheme: dark)").matches;
  let c = colourCache.get(dark);
  if (!c) {
    const style = getComputedStyle(document.documentElement);
    c = {
      played: style.getPropertyValue("--played").trim() || "#6366f1",
      rest: style.getPropertyValue("--wave").trim() || "#94a3b8",
    };
    colourCache.set(dark, c);
  }
  return c;
}

/** Paints `cols` into `ctx` (`height` px tall); columns left of `position` (0..1) are played. */
export function paint(ctx: CanvasRenderingContext2D, cols: Columns, height: number, position: number) {
  const { played, rest } = colours();
  const split = Math.floor(position * cols.width);
  ctx.clearRect(0, 0, cols.width, height);
  for (const [from, to, colour] of [[0, split, played], [split, cols.width, rest]] as const) {
    if (to <= from) continue;
    const path = new Path2D();
    for (let x = from; x < to; x++) {
      const y0 = ((1 - cols.hi[x]) / 2) * height;
      const y1 = ((1 - cols.lo[x]) / 2) * height;
      path.rect(x, y0, 1, Math.max(1, y1 - y0));
    }
    ctx.fillStyle = colour;
    ctx.fill(path);
  }
}
