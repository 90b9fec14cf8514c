//! Row types and the state machines of batches and tracks.

use serde::{Deserialize, Serialize};

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }
        impl $name {
            /// The stored (and displayed) name.
            pub fn as_str(self) -> &'static str { match self { $(Self::$v => $s),+ } }
            /// Parses the stored name.
            pub fn parse(s: &str) -> Option<Self> { match s { $($s => Some(Self::$v),)+ _ => None } }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
        impl rusqlite::types::FromSql for $name {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let s = v.as_str()?;
                Self::parse(s).ok_or_else(|| rusqlite::types::FromSqlError::Other(format!("bad {} {s:?}", stringify!($name)).into()))
            }
        }
        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> { Ok(self.as_str().into()) }
        }
    };
}

str_enum! {
    /// Batch: `pending → processing → completed | partial_success | failed | cancelled`.
    BatchStatus {
        /// Written, no track started yet.
        Pending = "pending",
        /// At least one track started and some are unfinished.
        Processing = "processing",
        /// Every track completed.
        Completed = "completed",
        /// Some tracks completed, some failed or were cancelled.
        PartialSuccess = "partial_success",
        /// Every track failed.
        Failed = "failed",
        /// The user cancelled the batch.
        Cancelled = "cancelled",
    }
}

str_enum! {
    /// Track: `pending → running(step) → completed | failed | cancelled`.
    TrackStatus {
        /// Waiting for a worker.
        Pending = "pending",
        /// A worker is on it; see the step.
        Running = "running",
        /// Output delivered.
        Completed = "completed",
        /// Gave up; see the error.
        Failed = "failed",
        /// Cancelled with its batch.
        Cancelled = "cancelled",
    }
}

str_enum! {
    /// What a batch makes; each kind is defined once in [`crate::kinds`]
    /// (its steps, recipe, planning) and run by the same durable runner.
    JobKind {
        /// Section × variant → spoken, mixed, mastered tracks.
        Speech = "speech",
        /// Input file × converter → chunked, converted, joined, mastered tracks.
        Conversion = "conversion",
        /// Prompt × take → generated, mastered music.
        Music = "music",
        /// Scene list → one score: a take per scene, merged, fitted to a length.
        Scenes = "scenes",
        /// Input file → its transcript (text, SRT, WebVTT) beside a mastered copy.
        Transcription = "transcription",
    }
}

str_enum! {
    /// The durable steps of a track, for every job kind. Stored by name:
    /// never rename one.
    Step {
        /// Speak every sentence (cached per sentence).
        Synthesize = "synthesize",
        /// Hear every sentence with the speech recognizer and flag the ones
        /// that do not say their text (speech).
        Check = "check",
        /// Join sentences with pauses and crossfades into the voice stem.
        Assemble = "assemble",
        /// Put the voice over the bed with ducking and fades.
        Mix = "mix",
        /// Normalize loudness and limit true peak.
        Master = "master",
        /// Write the delivered WAV/FLAC.
        Encode = "encode",
        /// Compute waveform peaks.
        Peaks = "peaks",
        /// Decode an input file into the working format (conversion).
        Ingest = "ingest",
        /// Cut the input at silences into chunks (conversion).
        Chunk = "chunk",
        /// Run every chunk through the converter (conversion; per chunk).
        Convert = "convert",
        /// Put the converted chunks back together with crossfades (conversion).
        Join = "join",
        /// Make the take with a music engine (music; scenes: per scene).
        Generate = "generate",
        /// Put the scenes' takes together with crossfades on the boundaries (scenes).
        Merge = "merge",
        /// Make the score last exactly the target length (scenes).
        Fit = "fit",
        /// Write SRT and WebVTT subtitles beside the delivered file (speech).
        Subtitles = "subtitles",
        /// Transcribe the input recording with the speech recognizer and write
        /// its text, SRT and WebVTT beside the delivered file (conversion).
        Transcribe = "transcribe",
        /// Speak flagged sentences again and keep the take the recognizer
        /// hears best (speech, with best-of-N; per candidate).
        Retake = "retake",
        /// Find a take's tempo and key (known from the composer, or
        /// estimated from a model's audio) and record them (music).
        Analyze = "analyze",
    }
}

impl Step {
    /// The word shown while the step runs (`synthesizing`).
    pub fn progressive(self) -> &'static str {
        match self {
            Step::Synthesize => "synthesizing",
            Step::Check => "checking",
            Step::Transcribe => "transcribing",
            Step::Assemble => "assembling",
            Step::Mix => "mixing",
            Step::Master => "mastering",
            Step::Encode => "encoding",
            Step::Peaks => "drawing waveform",
            Step::Ingest => "ingesting",
            Step::Generate => "generating",
            Step::Chunk => "chunking",
            Step::Convert => "converting",
            Step::Join => "joining",
            Step::Merge => "merging",
            Step::Fit => "fitting",
            Step::Subtitles => "writing subtitles",
            Step::Retake => "retaking",
            Step::Analyze => "analyzing",
        }
    }
}

impl BatchStatus {
    /// Whether the batch has nothing left to do.
    pub fn is_finished(self) -> bool {
        !matches!(self, Self::Pending | Self::Processing)
    }
}

/// One batch with its counters.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRow {
    /// Batch id.
    pub id: i64,
    /// Project name.
    pub project: String,
    /// Project slug (folder name).
    pub project_slug: String,
    /// What the batch makes.
    pub kind: JobKind,
    /// Status.
    pub status: BatchStatus,
    /// The engine its tracks are made with (see [`TrackRow::engine`]).
    pub engine: String,
    /// Output container (`wav`, `flac`, `mp3` or `opus`).
    pub format: String,
    /// Output sample rate.
    pub sample_rate_hz: u32,
    /// Output bit depth.
    pub bit_depth: u16,
    /// Lossy settings and tags (defaults when none were given).
    pub encode: crate::audio::encode::EncodeOptions,
    /// Whether a speech batch checks each sentence with the recognizer.
    pub speech_check: bool,
    /// Tracks in the batch.
    pub expected: i64,
    /// Tracks completed.
    pub completed: i64,
    /// Tracks failed.
    pub failed: i64,
    /// Tracks cancelled.
    pub cancelled: i64,
    /// Tracks not finished (pending or running).
    pub pending: i64,
    /// Creation time (UTC, ISO 8601).
    pub created_at: String,
    /// Last change (UTC, ISO 8601).
    pub updated_at: String,
}

/// One track.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackRow {
    /// Track id.
    pub id: i64,
    /// Batch id.
    pub batch_id: i64,
    /// Order within the batch.
    pub position: i64,
    /// What the user sees the track as: its section's title (speech), its
    /// input file's name (conversion).
    pub title: String,
    /// The section it speaks (speech).
    pub section_id: Option<i64>,
    /// BLAKE3 of the input file it converts (conversion).
    pub input_hash: Option<String>,
    /// Which version of its title this track is: the variant (speech), the
    /// converter's preset (conversion), the take's seed (music), the
    /// score's scenes and length (scenes), `transcript` (transcription).
    pub variant: String,
    /// The engine it is made with: the speech voice (`engine:voice`), the
    /// converter, the music engine, or the speech recognizer's model.
    /// Stored as `voice` before version 8 of the store.
    pub engine: String,
    /// Status.
    pub status: TrackStatus,
    /// Current or last step.
    pub stage: Option<Step>,
    /// Delivered file (set when completed).
    pub output_path: Option<String>,
    /// Duration in ms.
    pub duration_ms: Option<i64>,
    /// Sample rate of the output.
    pub sample_rate_hz: Option<u32>,
    /// Channels of the output.
    pub channels: Option<u16>,
    /// Integrated loudness of the output, LUFS.
    pub loudness_lufs: Option<f64>,
    /// True peak of the output, dBTP.
    pub true_peak_dbtp: Option<f64>,
    /// Waveform peaks file.
    pub peaks_path: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// Times a worker started it.
    pub attempts: i64,
    /// Sub-units (chunks) of its current or last unit step that are done.
    pub units_done: i64,
    /// Sub-units (chunks) planned; 0 for kinds without them.
    pub units_total: i64,
    /// The collection the user put it in (the music gallery's grouping).
    pub collection: Option<String>,
}

/// What a completed track measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackResult {
    /// Delivered file.
    pub output_path: String,
    /// Duration in ms.
    pub duration_ms: i64,
    /// Sample rate.
    pub sample_rate_hz: u32,
    /// Channels.
    pub channels: u16,
    /// Integrated loudness, LUFS.
    pub loudness_lufs: f64,
    /// True peak, dBTP.
    pub true_peak_dbtp: f64,
    /// Peaks file.
    pub peaks_path: String,
}
