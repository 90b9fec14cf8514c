//! Music engines: what makes a take from a prompt. One trait for the
//! built-in composer ([`builtin`]) and for models served by Cog ([`cog`]:
//! MusicGen, Riffusion, any predictor), with continuation in the request
//! from the start (scenes generate each piece from the end of the last).

pub mod analysis;
mod brief;
pub mod builtin;
pub mod carry;
pub mod cog;
pub mod compose;
pub mod continuation;
pub mod looping;
pub mod prompt;
mod render;
mod vocabulary;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::EngineError;

/// The engine used when a request names none.
pub const DEFAULT_MUSIC_ENGINE: &str = "builtin";

/// Audio to continue from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Continuation {
    /// The audio so far (any format the decoder reads).
    pub path: PathBuf,
    /// How much of the new take overlaps the end of `path`, ms: the take
    /// starts `overlap_ms` before `path` ends, and its first `overlap_ms`
    /// are meant to be crossfaded with the last `overlap_ms` of `path`.
    pub overlap_ms: u32,
    /// Whether the engine does that crossfade itself (a continued take:
    /// its first `overlap_ms` already fade from the tail into the new
    /// music), or leaves the overlap as new music alone for the caller to
    /// crossfade (scenes, whose merge makes every crossfade).
    pub crossfade: bool,
    /// What the engine said of the end of `path` when it made it
    /// ([`MusicEngine::end_state`]): its own JSON, carried into this take
    /// (the built-in composer's key, tempo, parts and bar grid).
    pub state: Option<String>,
}

/// One take to make.
#[derive(Debug, Clone, PartialEq)]
pub struct MusicRequest {
    /// What to make, in words.
    pub prompt: String,
    /// The engine's model (`None`: its default).
    pub model: Option<String>,
    /// Length of the take, ms (exact to the sample for the built-in engine;
    /// a Cog model is asked for whole seconds and trimmed or padded).
    pub duration_ms: u64,
    /// Seed: the same seed and settings give the same take.
    pub seed: u32,
    /// Model parameters by name (values as text, checked against
    /// [`ParamInfo`]).
    pub params: BTreeMap<String, String>,
    /// Continue from this audio.
    pub continuation: Option<Continuation>,
    /// Whether more music follows this take (a scene before the last): no
    /// ending, no fade-out; the music plays through to the last sample.
    pub open_end: bool,
    /// Output sample rate, Hz.
    pub sample_rate_hz: u32,
    /// Make a seamless loop: the end leads into the start with no seam,
    /// no fades. An engine that cannot ([`MusicEngine::loops`] false) makes
    /// an ordinary take, and the caller cuts a loop from it
    /// ([`looping::make_loop`]).
    pub looped: bool,
}

/// One parameter a model takes.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamInfo {
    /// Name as sent (`temperature`, `top_k`, …).
    pub name: String,
    /// `number`, `integer`, `string` or `boolean`.
    pub kind: String,
    /// Default value as text.
    pub default: Option<String>,
    /// Smallest allowed value.
    pub minimum: Option<f64>,
    /// Largest allowed value.
    pub maximum: Option<f64>,
    /// Allowed values, for a choice.
    pub choices: Vec<String>,
    /// What it does.
    pub description: String,
}

/// A music engine as the UI and `intone models` show it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MusicEngineInfo {
    /// Engine name (`builtin`, or the name given in engines.toml).
    pub name: String,
    /// `builtin` or `cog`.
    pub kind: String,
    /// Models it offers (the first is the default; empty for one-model engines).
    pub models: Vec<String>,
    /// Parameters the model takes, besides prompt, duration and seed.
    pub params: Vec<ParamInfo>,
    /// Whether it can make a take now.
    pub available: bool,
    /// Why not, or what it is.
    pub detail: String,
}

/// Something that makes music from a prompt.
pub trait MusicEngine: Send + Sync {
    /// Engine name.
    fn name(&self) -> &str;

    /// Models, parameters and availability (may ask a server).
    fn info(&self) -> MusicEngineInfo;

    /// The prompt words this engine understood (empty when it cannot tell,
    /// as for a neural model).
    fn understood(&self, prompt: &str) -> Vec<String>;

    /// Makes the take and writes it to `out` as a WAV file at the request's
    /// sample rate. `cancelled` is polled; when it returns true the engine
    /// stops (and asks a server to cancel) and returns a transient error.
    ///
    /// # Errors
    /// [`EngineError`] classified transient (retry) or permanent.
    fn generate(
        &self,
        req: &MusicRequest,
        out: &std::path::Path,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(), EngineError>;

    /// The musical state at the end of the take `req` makes, as the
    /// engine's own JSON, to hand to the next take in
    /// [`Continuation::state`]. `None` (the default) when the engine
    /// carries nothing but the audio (a neural model hears the audio).
    fn end_state(&self, _req: &MusicRequest) -> Option<String> {
        None
    }

    /// Whether the engine makes seamless loops itself when
    /// [`MusicRequest::looped`] asks (the built-in composer does; a model
    /// does not, and Intone cuts a loop from its take).
    fn loops(&self) -> bool {
        false
    }

    /// What the engine knows of the take `req` makes: its tempo and key
    /// (the composer's own plan), or `None` when they must be estimated
    /// from the audio ([`analysis`]).
    fn facts(&self, _req: &MusicRequest) -> Option<analysis::Facts> {
        None
    }
}

/// The music engines: the built-in composer and every Cog engine configured.
#[derive(Clone, Default)]
pub struct MusicRegistry {
    engines: BTreeMap<String, Arc<dyn MusicEngine>>,
}

impl MusicRegistry {
    /// The built-in composer alone.
    pub fn builtin(home: &crate::home::Home) -> Self {
        let mut r = Self::default();
        r.add(Arc::new(builtin::Builtin::new(home.soundfonts_dir())));
        r
    }

    /// The built-in composer plus every Cog engine in `engines.toml` (a
    /// broken file leaves the built-in one alone; the speech engines report
    /// the problem).
    pub fn load(home: &crate::home::Home) -> Self {
        let mut r = Self::builtin(home);
        if let Ok(file) = crate::engines::http::config::EnginesFile::load(&home.engines_path()) {
            for (name, cfg) in &file.engines {
                if cfg.kind == crate::engines::http::config::Kind::Cog {
                    match cog::Cog::new(name, cfg) {
                        Ok(e) => r.add(Arc::new(e)),
                        Err(e) => tracing::warn!("{e}"),
                    }
                }
            }
        }
        r
    }

    /// Adds (or replaces) an engine.
    pub fn add(&mut self, e: Arc<dyn MusicEngine>) {
        self.engines.insert(e.name().to_string(), e);
    }

    /// The engine named `name`.
    pub fn get(&self, name: &str) -> Option<Arc<dyn MusicEngine>> {
        self.engines.get(name).cloned()
    }

    /// Every engine, built-in first.
    pub fn all(&self) -> Vec<Arc<dyn MusicEngine>> {
        let mut v: Vec<_> = self.engines.values().cloned().collect();
        v.sort_by_key(|e| (e.name() != DEFAULT_MUSIC_ENGINE, e.name().to_string()));
        v
    }
}
