// Generated from crates/intone-core/src/kinds (ui_table): do not edit.
// Regenerate: INTONE_WRITE_BINDINGS=1 cargo test -p intone-core --lib kinds

/** Every job kind with its steps, in the order a track runs them. */
export const kinds = [
  {
    "kind": "speech",
    "label": "Speech",
    "track_noun": "track",
    "steps": [
      "synthesize",
      "check",
      "retake",
      "assemble",
      "mix",
      "master",
      "encode",
      "peaks",
      "subtitles"
    ]
  },
  {
    "kind": "conversion",
    "label": "Conversion",
    "track_noun": "track",
    "steps": [
      "ingest",
      "chunk",
      "convert",
      "join",
      "master",
      "encode",
      "peaks",
      "transcribe"
    ]
  },
  {
    "kind": "music",
    "label": "Music",
    "track_noun": "take",
    "steps": [
      "generate",
      "analyze",
      "master",
      "encode",
      "peaks"
    ]
  },
  {
    "kind": "scenes",
    "label": "Scenes",
    "track_noun": "score",
    "steps": [
      "generate",
      "merge",
      "fit",
      "master",
      "encode",
      "peaks"
    ]
  },
  {
    "kind": "transcription",
    "label": "Transcription",
    "track_noun": "transcript",
    "steps": [
      "ingest",
      "master",
      "encode",
      "peaks",
      "transcribe"
    ]
  }
] as const;

/** Step (stored name) → the word shown while it runs. */
export const stepLabel: Record<string, string> = {
  "analyze": "analyzing",
  "assemble": "assembling",
  "check": "checking",
  "chunk": "chunking",
  "convert": "converting",
  "encode": "encoding",
  "fit": "fitting",
  "generate": "generating",
  "ingest": "ingesting",
  "join": "joining",
  "master": "mastering",
  "merge": "merging",
  "mix": "mixing",
  "peaks": "drawing waveform",
  "retake": "retaking",
  "subtitles": "writing subtitles",
  "synthesize": "synthesizing",
  "transcribe": "transcribing"
};
