//! The front door used by the CLI and the desktop shell: one object that owns
//! the home, the store, the engines and the pipeline, and turns requests into
//! batches. Every request is validated completely before anything is written,
//! so bad input never leaves a half-made batch in the store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::engines::{EngineRegistry, VoiceInfo};
use crate::error::{Error, Result};
use crate::home::Home;
use crate::pipeline::{Event, Pipeline, RunOptions};
use crate::script;
use crate::store::{BatchRow, Store, TrackRow};
use crate::variants::{self, Variant};

mod book;
mod engines;
mod say;
mod score_export;
mod watch;

pub use crate::kinds::conversion::{
    AlreadyConverted, ConvertPlan, ConvertRequest, DEFAULT_CONVERT_LUFS,
};
pub use crate::kinds::delivery::DEFAULT_SAMPLE_RATE_HZ;
pub use crate::kinds::music::{
    AudioFacts, MusicCatalog, MusicPlan, TakesRequest, BED_TAKE_S, DEFAULT_MUSIC_LUFS, MAX_TAKES,
};
pub use crate::kinds::scenes::{
    SceneChange, SceneState, ScoreRequest, ScoreView, DEFAULT_CROSSFADE_MS, DEFAULT_SCORE_LUFS,
};
pub use crate::kinds::speech::best_of::RetakeSummary;
pub use crate::kinds::speech::casting::{Casting, SpeakerLines};
pub use crate::kinds::speech::check::TrackCheck;
pub use crate::kinds::speech::lexicon::Touched;
pub use crate::kinds::speech::pauses::PauseDefaults;
pub use crate::kinds::speech::takes::{GcReport, SentenceTakes, TakeInfo};
pub use crate::kinds::speech::{GenerateRequest, Plan};
pub use crate::kinds::transcription::{TranscribePlan, TranscribeRequest, TRANSCRIPT_LABEL};
pub use book::{BookChapter, BookReport, BookRequest};
pub use say::{PhaseTime, SayReport};
pub use watch::{ScanReport, WatchFolder, Watcher};

/// The studio.
pub struct Studio {
    pipeline: Arc<Pipeline>,
}

impl Studio {
    /// Opens the studio in `home` with the built-in engines.
    ///
    /// # Errors
    /// Store open/migration errors.
    pub fn open(home: Home, options: RunOptions) -> Result<Self> {
        let store = Arc::new(Store::open(&home.db_path())?);
        let engines = EngineRegistry::builtin(&home, options.ort_intra_threads);
        Ok(Self {
            pipeline: Arc::new(Pipeline::new(
                home,
                store,
                engines,
                options,
                crate::kinds::ALL,
            )),
        })
    }

    /// The pipeline (the kinds' planning code reaches the engines through it).
    pub(crate) fn pipeline(&self) -> &Arc<Pipeline> {
        &self.pipeline
    }

    /// The home.
    pub fn home(&self) -> &Home {
        &self.pipeline.home
    }
    /// The store.
    pub fn store(&self) -> &Store {
        &self.pipeline.store
    }
    /// The engines as they are now.
    pub fn engines(&self) -> EngineRegistry {
        self.pipeline.engines()
    }
    /// Events from now on.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Event> {
        self.pipeline.subscribe()
    }

    /// Publishes a line for the log view (and the CLI's progress output).
    pub fn log(&self, level: &str, message: &str) {
        self.pipeline.emit(Event::Log {
            level: level.into(),
            message: message.into(),
        });
    }

    /// Every voice of every engine.
    pub fn voices(&self) -> Vec<VoiceInfo> {
        self.pipeline.engines().all_voices()
    }

    /// Built-in and user variants, with warnings for broken user files.
    pub fn variants(&self) -> (Vec<Variant>, Vec<String>) {
        variants::all(self.home())
    }

    /// Runs a recorded batch until nothing is left to do.
    ///
    /// # Errors
    /// [`Error::Busy`] when another process works on it; store errors.
    pub async fn run_batch(&self, batch_id: i64) -> Result<BatchRow> {
        self.pipeline.run_batch(batch_id).await
    }

    /// Finishes every unfinished batch (oldest first). Batches another live
    /// process is working on are skipped.
    ///
    /// # Errors
    /// Store errors.
    pub async fn resume(&self) -> Result<Vec<BatchRow>> {
        let mut out = Vec::new();
        for id in self.store().unfinished_batches()? {
            match self.pipeline.run_batch(id).await {
                Ok(b) => out.push(b),
                Err(Error::Busy(id)) => self.pipeline.emit(Event::Log {
                    level: "info".into(),
                    message: format!(
                        "batch {id} is being processed by another Intone process; skipped"
                    ),
                }),
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Re-queues the failed (and cancelled) tracks of a batch and runs them.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Busy`]; store errors.
    pub async fn retry(&self, batch_id: i64) -> Result<BatchRow> {
        self.store().retry_batch(batch_id)?;
        self.pipeline.run_batch(batch_id).await
    }

    /// Cancels a batch (running tracks stop at their next step boundary).
    ///
    /// # Errors
    /// [`Error::NotFound`].
    pub fn cancel(&self, batch_id: i64) -> Result<BatchRow> {
        self.store().cancel_batch(batch_id)?;
        self.pipeline.emit_progress(batch_id);
        self.store().batch(batch_id)
    }

    /// Tracks of a batch.
    ///
    /// # Errors
    /// [`Error::NotFound`].
    pub fn tracks(&self, batch_id: i64) -> Result<Vec<TrackRow>> {
        self.store().tracks(batch_id)
    }
}

/// Speaking rate used for duration estimates, words per minute (typical
/// narration is 140–160).
pub const ESTIMATE_WPM: f64 = 150.0;

/// A parsed script as the studio shows it before generating.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScriptPreview {
    /// Script title.
    pub title: String,
    /// Sections in order.
    pub sections: Vec<SectionPreview>,
    /// Skipped empty sections and similar notes.
    pub warnings: Vec<String>,
}

/// One section of a [`ScriptPreview`].
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionPreview {
    /// Section title.
    pub title: String,
    /// Words in the section.
    pub words: usize,
    /// Estimated speech duration at [`ESTIMATE_WPM`], ms.
    pub estimated_ms: u64,
}

impl Studio {
    /// Parses pasted or dropped script text (Markdown when `name` ends in
    /// `.md`/`.markdown` or has no extension, plain text otherwise).
    ///
    /// # Errors
    /// [`Error::Script`] when there is nothing to speak.
    pub fn preview_script(&self, name: &str, text: &str) -> Result<ScriptPreview> {
        let p = Path::new(name);
        let markdown = !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt"));
        let stem = p
            .file_stem()
            .map_or_else(|| "Untitled".into(), |s| s.to_string_lossy().into_owned());
        let s = script::parse_text(text, &stem, markdown, p)?;
        Ok(ScriptPreview {
            title: s.title.clone(),
            sections: s
                .sections
                .iter()
                .map(|x| {
                    let words = x.word_count();
                    SectionPreview {
                        title: x.title.clone(),
                        words,
                        estimated_ms: (words as f64 / ESTIMATE_WPM * 60_000.0).round() as u64,
                    }
                })
                .collect(),
            warnings: s.warnings,
        })
    }

    /// Keeps pasted or dropped script text in `inputs/` (content-addressed
    /// name) and returns the file, so every batch refers to a real file.
    /// The text is parsed first, so a script that cannot make tracks is
    /// reported under the name the user gave it and nothing is saved.
    ///
    /// # Errors
    /// [`Error::Script`] naming `name` (no text to speak, …); [`Error::Io`].
    pub fn save_script(&self, name: &str, text: &str) -> Result<PathBuf> {
        self.preview_script(name, text)?;
        let p = Path::new(name);
        let ext = p
            .extension()
            .and_then(|e| e.to_str())
            .filter(|e| script::SCRIPT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            .unwrap_or("md")
            .to_ascii_lowercase();
        let stem = p
            .file_stem()
            .map_or_else(|| "script".into(), |s| script::slug(&s.to_string_lossy()));
        let hash = blake3::hash(text.as_bytes()).to_hex();
        let dest = self
            .home()
            .inputs_dir()
            .join(format!("{stem}-{}.{ext}", &hash[..10]));
        if !dest.is_file() {
            crate::fsio::write_atomically(&dest, text.as_bytes())?;
        }
        Ok(dest)
    }
}
