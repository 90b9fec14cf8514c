// Small display helpers.
export const mmss = (ms: number | null | undefined): string => {
  if (ms == null) return "–";
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};

export const stageLabel: Record<string, string> = {
  synthesize: "synthesizing",
  assemble: "assembling",
  mix: "mixing",
  master: "mastering",
  encode: "encoding",
  peaks: "drawing waveform",
  ingest: "ingesting",
  chunk: "chunking",
  convert: "converting",
  join: "joining",
};

export const statusLabel = (s: string): string => s.replace("_", " ");
