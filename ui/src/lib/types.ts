// Shapes of the data the Rust side sends, mirroring intone-core's serde types
// (store::BatchRow/TrackRow, engines::VoiceInfo, variants::Variant,
// studio::ScriptPreview, audio::peaks::Peaks, pipeline::Event).

export type BatchStatus = "pending" | "processing" | "completed" | "partial_success" | "failed" | "cancelled";
export type TrackStatus = "pending" | "running" | "completed" | "failed" | "cancelled";
export type Stage = "synthesize" | "assemble" | "mix" | "master" | "encode" | "peaks";

export interface BatchRow {
  id: number;
  project: string;
  project_slug: string;
  status: BatchStatus;
  voice: string;
  format: string;
  sample_rate_hz: number;
  bit_depth: number;
  expected: number;
  completed: number;
  failed: number;
  cancelled: number;
  pending: number;
  created_at: string;
  updated_at: string;
}

export interface TrackRow {
  id: number;
  batch_id: number;
  position: number;
  section: string;
  section_id: number;
  variant: string;
  voice: string;
  status: TrackStatus;
  stage: Stage | null;
  output_path: string | null;
  duration_ms: number | null;
  sample_rate_hz: number | null;
  channels: number | null;
  loudness_lufs: number | null;
  true_peak_dbtp: number | null;
  peaks_path: string | null;
  error: string | null;
  attempts: number;
}

export interface VoiceInfo {
  id: string;
  engine: string;
  name: string;
  language: string;
  sample_rate_hz: number;
  quality: string;
  available: boolean;
  reason: string | null;
}

export interface Voices {
  voices: VoiceInfo[];
  default: string;
}

export interface Variant {
  name: string;
  description: string;
  bed: string;
  target_lufs: number;
  tempo: number;
}

export interface SectionPreview {
  title: string;
  words: number;
  estimated_ms: number;
}

export interface ScriptPreview {
  title: string;
  sections: SectionPreview[];
  warnings: string[];
}

export interface ScriptFile {
  name: string;
  text: string;
}

export interface PeakLevel {
  frames_per_peak: number;
  min: number[];
  max: number[];
}

export interface Peaks {
  version: number;
  sample_rate_hz: number;
  channels: number;
  frames: number;
  levels: PeakLevel[];
}

export interface PlaybackState {
  track_id: number | null;
  playing: boolean;
  position_ms: number;
  duration_ms: number;
  error: string | null;
}

export interface AppInfo {
  version: string;
  home: string;
  audio_error: string | null;
  warnings: string[];
}

export type CoreEvent =
  | {
      type: "batch_progress";
      batch_id: number;
      status: BatchStatus;
      expected: number;
      completed: number;
      failed: number;
      cancelled: number;
      pending: number;
    }
  | {
      type: "track_status";
      batch_id: number;
      track_id: number;
      section: string;
      variant: string;
      status: TrackStatus;
      stage: Stage | null;
      progress: number | null;
      error: string | null;
    }
  | { type: "log"; level: string; message: string };

/** One batch's changes within one tick (at most 10 per second per batch). */
export interface BatchUpdate {
  batch_id: number;
  progress: Extract<CoreEvent, { type: "batch_progress" }> | null;
  tracks: Extract<CoreEvent, { type: "track_status" }>[];
}

export interface Dropped {
  scripts: ScriptFile[];
  rejected: string[];
}

export interface GenerateArgs {
  scripts: ScriptFile[];
  voice: string | null;
  variants: string[];
  format: "wav" | "flac";
}
