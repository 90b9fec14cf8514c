// Small display helpers.
import { stepLabel } from "./kinds";

export const mmss = (ms: number | null | undefined): string => {
  if (ms == null) return "–";
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};

/** `m:ss.d` of ms, for scene boundaries and targets. */
export const clock = (ms: number): string => {
  const tenths = Math.round(ms / 100);
  const m = Math.floor(tenths / 600);
  const s = (tenths % 600) / 10;
  return `${m}:${s < 10 ? "0" : ""}${Number.isInteger(s) ? s : s.toFixed(1)}`;
};

/**
 * A length typed as seconds (`12`, `12.5`, `12s`) or a timecode (`0:12`,
 * `1:02.5`, `1:00:00`), in ms; null when it is neither (as the core reads
 * scene lists).
 */
export function parseLength(text: string): number | null {
  const t = text.trim().replace(/\s*s$/, "");
  if (!t) return null;
  const parts = t.split(":");
  if (parts.length > 3 || parts.some((p) => p === "")) return null;
  let secs = 0;
  for (let i = 0; i < parts.length; i++) {
    const last = i === parts.length - 1;
    if (!(last ? /^\d+(\.\d+)?$/ : /^\d+$/).test(parts[i])) return null;
    const v = Number(parts[i]);
    if (i > 0 && v >= 60) return null;
    secs = secs * 60 + v;
  }
  return Math.round(secs * 1000);
}

/** What a track is doing, as its badge says it ("generating scene 3/5"). */
export function stepText(stage: string, unitsDone: number, unitsTotal: number, progress: number | null): string {
  const word = stepLabel[stage] ?? stage;
  if (unitsTotal > 0 && stage === "generate") return `generating scene ${Math.min(unitsDone + 1, unitsTotal)}/${unitsTotal}`;
  if (unitsTotal > 0 && (stage === "convert" || stage === "retake")) return `${word} ${unitsDone}/${unitsTotal}`;
  if (progress != null && stage === "check") return `${word} ${Math.round(progress * 100)}%`;
  if (progress != null && stage === "synthesize") return `${word} ${Math.round(progress * 100)}%`;
  return word;
}

export const statusLabel = (s: string): string => s.replace("_", " ");
