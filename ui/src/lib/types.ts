// Data shapes the backend sends, all generated from the Rust types in
// bindings.ts; this file only names the two event variants the UI narrows to.
import type { Event } from "./bindings";

export type {
  AppInfo,
  SentenceCheck,
  TrackCheck,
  TranscriptLine,
  BatchRow,
  BatchStatus,
  BatchUpdate,
  ConverterInfo,
  ConvertStarted,
  DeleteReport,
  Dropped,
  EngineConfig,
  EngineEntry,
  Example,
  ExportReport,
  FitMode,
  GalleryPage,
  GenerateArgs,
  Health,
  InputRow,
  Kind,
  LibraryFacets,
  MusicCatalog,
  MusicEngineInfo,
  TakesRequest,
  MusicRecipe,
  LibraryFilter,
  LibraryItem,
  LogLine,
  OnError,
  Peaks,
  PlaybackState,
  SceneList,
  SceneState,
  ScoreRequest,
  ScoreView,
  ScriptFile,
  ScriptPreview,
  Step,
  TrackRow,
  TrackStatus,
  Variant,
  VideoInfo,
  VoiceInfo,
  Voices,
  WatchFolder,
} from "./bindings";

/** A batch's counters, as carried by a batch update. */
export type BatchProgress = Extract<Event, { type: "batch_progress" }>;
/** One track's latest state, as carried by a batch update. */
export type TrackStatusEvent = Extract<Event, { type: "track_status" }>;
