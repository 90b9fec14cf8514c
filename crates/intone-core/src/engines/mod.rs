//! Engines: things that make audio. Speech engines sit behind [`SpeechEngine`]
//! (one module per engine, like cpal's hosts); beds live in [`beds`].
//!
//! A voice is addressed as `engine:voice_id` (`espeak:en-us`,
//! `piper:en_US-joe-medium`, `chatterbox:Emily.wav`).

pub mod beds;
pub mod conversion;
pub mod espeak;
pub mod http;
pub mod music;
pub mod piper;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::audio::Clip;

// Engine failures are defined in `crate::error` (so the error type, which
// every module uses, depends on no engine) and re-exported here, where the
// engines and their callers name them.
pub use crate::error::{EngineError, ErrorKind};

/// A voice an engine offers.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoiceInfo {
    /// Full id, `engine:voice_id`.
    pub id: String,
    /// Engine id.
    pub engine: String,
    /// Display name.
    pub name: String,
    /// BCP-47-ish language tag (`en-us`).
    pub language: String,
    /// Native sample rate in Hz.
    pub sample_rate_hz: u32,
    /// `robotic`, `neural`, …
    pub quality: String,
    /// Whether it can speak right now.
    pub available: bool,
    /// Why not, when it cannot.
    pub reason: Option<String>,
}

/// What to say and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeechRequest {
    /// Voice id without the engine prefix (`en-us`).
    pub voice: String,
    /// Text of one utterance, at most [`SpeechEngine::max_chars`] characters.
    pub text: String,
    /// Delivery speed as a ratio of the voice's own pace: 1.0 = normal,
    /// 0.85 = 15 % slower.
    pub tempo_ratio: f64,
    /// Cores this one call may use (≥ 1): 1 when every core already has a
    /// call of its own (a full batch), all of them for one-shot speech. An
    /// in-process model runs that many threads; other engines ignore it.
    pub threads: usize,
    /// Which take (0 = the first). A later take asks for a different
    /// delivery of the same text: seeded engines (Chatterbox) use another
    /// seed, espeak-ng a slightly different rate and pitch, Piper more or
    /// less VITS noise (`noise_scale`, `noise_w` scaled per take).
    pub take: u32,
    /// Engine settings by name, from a cast (e.g. Chatterbox's
    /// `exaggeration`, Piper's `noise_scale`, espeak-ng's `pitch`); empty
    /// for the engine's defaults. Only names in
    /// [`SpeechEngine::settings`] are passed.
    pub settings: std::collections::BTreeMap<String, f64>,
    /// Phonemes for spans of `text` (a lexicon's), in an alphabet of
    /// [`SpeechEngine::phoneme_alphabets`]; empty for engines that take none.
    pub phonemes: Vec<crate::lexicon::PhonemeSpan>,
}

impl Default for SpeechRequest {
    /// An empty text in no voice, at the voice's pace, on one core, first take.
    fn default() -> Self {
        Self {
            voice: String::new(),
            text: String::new(),
            tempo_ratio: 1.0,
            threads: 1,
            take: 0,
            settings: Default::default(),
            phonemes: Vec::new(),
        }
    }
}

/// How one track of an engine uses cores it has to itself (`say`, a
/// preview, a batch smaller than the worker pool).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parallelism {
    /// One call at a time, on one thread: a library that serializes its
    /// calls and carries state from one to the next (espeak-ng), so calls
    /// at once would gain nothing and change the audio.
    Serial,
    /// One call at a time with every core as its threads
    /// ([`SpeechRequest::threads`]): a model run in-process.
    Threads,
    /// One call per core at once: a server taking concurrent requests.
    Calls,
}

/// A speech engine. Implementations are blocking; the pipeline calls them on
/// worker threads. They must be safe to call from several threads (an engine
/// that is not re-entrant serializes internally).
pub trait SpeechEngine: Send + Sync {
    /// Engine id, the prefix of its voice ids.
    fn id(&self) -> &str;
    /// The voices it offers now.
    ///
    /// # Errors
    /// [`EngineError`] when the engine cannot be reached or listed.
    fn voices(&self) -> Result<Vec<VoiceInfo>, EngineError>;
    /// Whether a voice id the engine does not list is still sent to it (a
    /// server that decides for itself; its error, if any, reaches the user).
    /// Default: no, an unlisted voice is refused before anything is recorded.
    fn accepts_unlisted_voices(&self) -> bool {
        false
    }
    /// Longest text one request may carry, in characters.
    fn max_chars(&self) -> usize;
    /// Everything besides voice, text and tempo that changes the audio of
    /// `voice` (engine version, model identity, fixed parameters), for the
    /// clip cache key.
    fn cache_salt(&self, voice: &str) -> String;
    /// Speaks `req` and returns mono audio at the engine's rate.
    ///
    /// # Errors
    /// [`EngineError`], classified transient or permanent.
    fn synthesize(&self, req: &SpeechRequest) -> Result<Clip, EngineError>;
    /// Loads what `voice` needs so that `calls` concurrent [`Self::synthesize`]
    /// calls of `threads` threads each can start at once (a model, one
    /// inference session per call, a phonemizer), and keeps it for the life
    /// of the engine. Safe to call again: what is loaded is kept. Default:
    /// nothing to load.
    ///
    /// # Errors
    /// [`EngineError`] (permanent) for a voice that cannot be loaded.
    fn prepare(&self, voice: &str, calls: usize, threads: usize) -> Result<(), EngineError> {
        let _ = (voice, calls, threads);
        Ok(())
    }
    /// Phoneme alphabets the engine speaks from ([`SpeechRequest::phonemes`]);
    /// none by default (text only).
    fn phoneme_alphabets(&self) -> &'static [crate::lexicon::Alphabet] {
        &[]
    }

    /// Settings a cast may give this engine's voices, with what each does;
    /// `None` when the engine passes any setting on (an HTTP server's own).
    fn settings(&self) -> Option<&'static [(&'static str, &'static str)]> {
        Some(&[])
    }

    /// How the engine uses cores a track has to itself. Default:
    /// [`Parallelism::Serial`].
    fn parallelism(&self) -> Parallelism {
        Parallelism::Serial
    }
}

/// A parsed `engine:voice_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceRef {
    /// Engine id.
    pub engine: String,
    /// Voice id within the engine.
    pub voice: String,
}

impl VoiceRef {
    /// Parses `engine:voice`. A bare id without `:` is taken as an espeak voice.
    ///
    /// # Errors
    /// [`crate::Error::Config`] for an empty id.
    pub fn parse(s: &str) -> crate::Result<Self> {
        let s = s.trim();
        let (engine, voice) = match s.split_once(':') {
            Some((e, v)) => (e.trim(), v.trim()),
            None => ("espeak", s),
        };
        if engine.is_empty() || voice.is_empty() {
            return Err(crate::Error::Config(format!(
                "invalid voice \"{s}\" (expected engine:voice, e.g. espeak:en-us)"
            )));
        }
        Ok(Self {
            engine: engine.to_string(),
            voice: voice.to_string(),
        })
    }
}

impl std::fmt::Display for VoiceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.engine, self.voice)
    }
}

/// The speech engines this process knows, by id.
#[derive(Clone, Default)]
pub struct EngineRegistry {
    engines: BTreeMap<String, Arc<dyn SpeechEngine>>,
    /// Problems met while loading configured engines (shown to the user).
    pub warnings: Vec<String>,
}

impl EngineRegistry {
    /// The built-in engines: espeak-ng, and Piper voices found in `home`.
    /// `ort_intra_threads` is ONNX Runtime's thread count per session.
    pub fn builtin(home: &crate::home::Home, ort_intra_threads: usize) -> Self {
        let mut r = Self::default();
        r.add(Arc::new(espeak::EspeakEngine::new()));
        r.add(Arc::new(piper::PiperEngine::new(
            home.clone(),
            ort_intra_threads,
        )));
        match http::config::EnginesFile::load(&home.engines_path()) {
            Ok(file) => {
                // Cog engines make music, not speech (see `music::MusicRegistry`).
                for (name, cfg) in file
                    .engines
                    .iter()
                    .filter(|(_, c)| c.kind != http::config::Kind::Cog)
                {
                    match http::make(name, cfg) {
                        Ok(e) => r.add(e),
                        Err(e) => r.warnings.push(e.to_string()),
                    }
                }
            }
            Err(e) => r.warnings.push(e.to_string()),
        }
        r
    }
    /// Adds (or replaces) an engine.
    pub fn add(&mut self, engine: Arc<dyn SpeechEngine>) {
        self.engines.insert(engine.id().to_string(), engine);
    }
    /// The engine with id `id`.
    pub fn get(&self, id: &str) -> Option<Arc<dyn SpeechEngine>> {
        self.engines.get(id).cloned()
    }
    /// Every voice of every engine; an engine that cannot list is skipped.
    pub fn all_voices(&self) -> Vec<VoiceInfo> {
        self.engines
            .values()
            .filter_map(|e| e.voices().ok())
            .flatten()
            .collect()
    }
    /// Engines that send a voice id they do not list to their server (see
    /// [`SpeechEngine::accepts_unlisted_voices`]), by id.
    pub fn accepting_unlisted(&self) -> Vec<String> {
        self.engines
            .values()
            .filter(|e| e.accepts_unlisted_voices())
            .map(|e| e.id().to_string())
            .collect()
    }

    /// Checks that `voice` exists and can speak; returns its engine.
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] naming the voice or engine.
    pub fn resolve(&self, voice: &VoiceRef) -> crate::Result<Arc<dyn SpeechEngine>> {
        self.resolve_with_warning(voice).map(|(e, _)| e)
    }

    /// As [`EngineRegistry::resolve`], and for a voice that an engine which
    /// [accepts unlisted voices](SpeechEngine::accepts_unlisted_voices) does
    /// not list, the warning to show (the voice is still used).
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] naming the voice or engine, or saying why
    /// the engine cannot speak now.
    pub fn resolve_with_warning(
        &self,
        voice: &VoiceRef,
    ) -> crate::Result<(Arc<dyn SpeechEngine>, Option<String>)> {
        let engine = self.get(&voice.engine).ok_or_else(|| {
            crate::Error::NotFound(format!(
                "unknown voice \"{voice}\": no engine \"{}\" (engines: {})",
                voice.engine,
                self.engines.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })?;
        let voices = engine.voices()?;
        match voices.iter().find(|v| v.id == voice.to_string()) {
            Some(v) if v.available => Ok((engine, None)),
            Some(v) => Err(crate::Error::NotFound(format!(
                "voice \"{voice}\" is not usable: {}",
                v.reason.clone().unwrap_or_else(|| "unavailable".into())
            ))),
            None if engine.accepts_unlisted_voices() => {
                if let Some(down) = voices.iter().find(|v| !v.available) {
                    return Err(crate::Error::NotFound(format!(
                        "voice \"{voice}\" is not usable: {}",
                        down.reason.clone().unwrap_or_else(|| "unavailable".into())
                    )));
                }
                let warning = format!(
                    "voice \"{voice}\" is not in {}'s voice list ({} listed); it is sent as is and the server decides",
                    voice.engine,
                    voices.len()
                );
                Ok((engine, Some(warning)))
            }
            None => Err(crate::Error::NotFound(format!(
                "unknown voice \"{voice}\" (see `intone voices`)"
            ))),
        }
    }
    /// The best installed voice: the built-in Piper voice when usable, else
    /// another usable neural voice, else espeak's US English.
    pub fn default_voice(&self) -> String {
        let voices = self.all_voices();
        voices
            .iter()
            .find(|v| v.available && v.id == piper::DEFAULT_VOICE)
            .or_else(|| voices.iter().find(|v| v.available && v.quality == "neural"))
            .or_else(|| {
                voices
                    .iter()
                    .find(|v| v.available && v.id == "espeak:en-us")
            })
            .or_else(|| voices.iter().find(|v| v.available))
            .map_or_else(|| "espeak:en-us".to_string(), |v| v.id.clone())
    }
}
