//! The front door used by the CLI and the desktop shell: one object that owns
//! the home, the store, the engines and the pipeline, and turns requests into
//! batches. Every request is validated completely before anything is written,
//! so bad input never leaves a half-made batch in the store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::audio::encode::{EncodeOptions, Format};
use crate::engines::{EngineRegistry, VoiceInfo, VoiceRef};
use crate::error::{Error, Result};
use crate::home::Home;
use crate::pipeline::{Event, Pipeline, RunOptions};
use crate::script::{self, Script};
use crate::store::{BatchRow, NewBatch, Store, TrackRow};
use crate::variants::{self, Variant};

mod book;
mod check;
mod convert;
mod engines;
mod music;
mod retake;
mod say;
mod scenes;
mod score_export;
mod transcribe;
mod watch;

pub use book::{BookChapter, BookOrder, BookReport};
pub use check::TrackCheck;
pub use convert::{AlreadyConverted, ConvertPlan, ConvertRequest, DEFAULT_CONVERT_LUFS};
pub use music::{MusicCatalog, MusicOrder, MusicPlan, BED_TAKE_S, DEFAULT_MUSIC_LUFS, MAX_TAKES};
pub use say::{PhaseTime, SayReport};
pub use scenes::{
    SceneChange, SceneState, ScenesOrder, ScoreView, DEFAULT_CROSSFADE_MS, DEFAULT_SCORE_LUFS,
};
pub use transcribe::{TranscribePlan, TranscribeRequest, TRANSCRIPT_LABEL};
pub use watch::{ScanReport, WatchFolder, Watcher};

/// Default output sample rate.
pub const DEFAULT_SAMPLE_RATE_HZ: u32 = 48_000;

/// A Generate click.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateRequest {
    /// Script files (`.md`, `.txt`).
    pub scripts: Vec<PathBuf>,
    /// Voice id; `None` = the best installed voice.
    pub voice: Option<String>,
    /// Variant names; empty = `voice`.
    pub variants: Vec<String>,
    /// Output container.
    pub format: Format,
    /// Output sample rate (44 100 or 48 000 Hz).
    pub sample_rate_hz: u32,
    /// Output bit depth (16 or 24; WAV and FLAC).
    pub bit_depth: u16,
    /// MP3/Opus settings, artist and cover.
    #[serde(default)]
    pub encode: EncodeOptions,
    /// Project name; `None` = the first script's title.
    pub project: Option<String>,
    /// Check every sentence with the speech recognizer (on unless turned off).
    #[serde(default = "default_check")]
    pub check: bool,
}

fn default_check() -> bool {
    true
}

impl Default for GenerateRequest {
    fn default() -> Self {
        Self {
            scripts: vec![],
            voice: None,
            variants: vec![],
            format: Format::Wav,
            sample_rate_hz: DEFAULT_SAMPLE_RATE_HZ,
            bit_depth: 16,
            encode: EncodeOptions::default(),
            project: None,
            check: true,
        }
    }
}

/// A validated request, ready to be recorded.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Parsed scripts.
    pub scripts: Vec<Script>,
    /// Resolved voice id.
    pub voice: String,
    /// Resolved variants.
    pub variants: Vec<Variant>,
    /// The request.
    pub request: GenerateRequest,
    /// Warnings for the user (skipped empty sections).
    pub warnings: Vec<String>,
}

impl Plan {
    /// Tracks the batch will have.
    pub fn track_count(&self) -> usize {
        self.scripts.iter().map(|s| s.sections.len()).sum::<usize>() * self.variants.len()
    }
}

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
            pipeline: Arc::new(Pipeline::new(home, store, engines, options)),
        })
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

    /// Validates a request without writing anything.
    ///
    /// # Errors
    /// One clear error naming the bad script, voice, variant or setting.
    pub fn plan(&self, req: &GenerateRequest) -> Result<Plan> {
        if req.scripts.is_empty() {
            return Err(Error::Config("no script given".into()));
        }
        convert::check_output(req.sample_rate_hz, req.bit_depth)?;
        req.encode.check()?;
        let mut scripts = Vec::new();
        let mut warnings = Vec::new();
        for p in &req.scripts {
            let s = script::parse_file(p)?;
            warnings.extend(s.warnings.iter().map(|w| format!("{}: {w}", p.display())));
            scripts.push(s);
        }
        if req.check && crate::recognize::find_model(self.home()).is_none() {
            return Err(Error::NotFound(format!(
                "{}, or turn the sentence check off (--no-check; in the app, \"Check every sentence\")",
                crate::recognize::model_missing(self.home())
            )));
        }
        let voice = match &req.voice {
            Some(v) => VoiceRef::parse(v)?.to_string(),
            None => self.engines().default_voice(),
        };
        let (_, unlisted) = self
            .engines()
            .resolve_with_warning(&VoiceRef::parse(&voice)?)?;
        warnings.extend(unlisted);
        let names: Vec<String> = if req.variants.is_empty() {
            vec!["voice".into()]
        } else {
            let mut seen = Vec::new();
            for n in &req.variants {
                if !seen.contains(n) {
                    seen.push(n.clone());
                }
            }
            seen
        };
        let variants = names
            .iter()
            .map(|n| variants::find(self.home(), n))
            .collect::<Result<Vec<_>>>()?;
        for v in &variants {
            if let crate::engines::beds::BedSpec::File(p) = &v.bed {
                if !p.is_file() {
                    return Err(Error::NotFound(format!(
                        "variant \"{}\": bed file {} does not exist",
                        v.name,
                        p.display()
                    )));
                }
            }
        }
        Ok(Plan {
            scripts,
            voice,
            variants,
            request: req.clone(),
            warnings,
        })
    }

    /// Records a planned batch (batch and all tracks, before any work).
    ///
    /// # Errors
    /// Store errors.
    pub fn create_batch(&self, plan: &Plan) -> Result<i64> {
        let project = plan
            .request
            .project
            .clone()
            .unwrap_or_else(|| plan.scripts[0].title.clone());
        self.store().create_batch(&NewBatch {
            project: &project,
            scripts: &plan.scripts,
            voice: &plan.voice,
            variants: &plan.variants,
            format: plan.request.format.extension(),
            sample_rate_hz: plan.request.sample_rate_hz,
            bit_depth: plan.request.bit_depth,
            encode: &plan.request.encode,
            speech_check: plan.request.check,
        })
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
            .filter(|e| ["md", "markdown", "txt"].contains(&e.to_ascii_lowercase().as_str()))
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
