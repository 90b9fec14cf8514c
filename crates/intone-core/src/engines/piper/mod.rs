//! `piper` — neural Piper (VITS) voices run in-process with ONNX Runtime.
//!
//! A voice is a pair `<name>.onnx` + `<name>.onnx.json` in a voices folder
//! (`$INTONE_HOME/voices/`, the folders in `$INTONE_VOICE_PATH`, or `voices/`
//! next to the executable); its id is `piper:<name>`. Text is phonemized by
//! espeak-ng (keeping clause punctuation, see [`crate::engines::espeak::phonemes`]),
//! mapped to ids with Piper's scheme ([`ids`]), and synthesized one sentence
//! per inference with inputs `input` `[1, n]` i64, `input_lengths` `[1]` i64,
//! `scales` `[3]` f32 = (noise_scale, length_scale, noise_w) and, for
//! multi-speaker models, `sid` `[1]` i64.
//!
//! Models load lazily, once per voice per process: the file is read once, and
//! each worker that needs the voice at the same time gets its own ONNX Runtime
//! session built from those bytes (sessions are not shared while running).

pub mod config;
pub mod ids;
pub mod runtime;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ort::session::Session;
use ort::value::Tensor;

use self::config::VoiceConfig;
use crate::audio::Clip;
use crate::engines::espeak::phonemes::phonemize;
use crate::engines::{EngineError, SpeechEngine, SpeechRequest, VoiceInfo};
use crate::home::Home;

const ENGINE: &str = "piper";
/// Extra voice folders, separated like `PATH`.
pub const VOICE_PATH_ENV: &str = "INTONE_VOICE_PATH";
/// The built-in voice Intone installs and prefers.
pub const DEFAULT_VOICE: &str = "piper:en_US-joe-medium";

/// A voice's files.
#[derive(Debug, Clone)]
struct VoiceFiles {
    onnx: PathBuf,
    json: PathBuf,
}

/// A loaded voice: its config, model bytes, and idle sessions.
struct Model {
    config: VoiceConfig,
    bytes: Vec<u8>,
    idle: Mutex<Vec<Session>>,
}

/// The Piper engine.
pub struct PiperEngine {
    home: Home,
    intra_threads: usize,
    models: Mutex<HashMap<String, Arc<Model>>>,
}

impl PiperEngine {
    /// An engine over the voices folders of `home`, running ONNX Runtime with
    /// `intra_threads` threads per session (1 is fastest on a busy 2-core
    /// machine: speed comes from several workers, not several threads).
    pub fn new(home: Home, intra_threads: usize) -> Self {
        Self {
            home,
            intra_threads: intra_threads.max(1),
            models: Mutex::new(HashMap::new()),
        }
    }

    /// The folders searched for voices, in order of precedence.
    pub fn voice_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = vec![self.home.voices_dir()];
        if let Some(v) = std::env::var_os(VOICE_PATH_ENV) {
            dirs.extend(std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()));
        }
        if let Some(exe_dir) = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
        {
            dirs.push(exe_dir.join("voices"));
        }
        dirs
    }

    fn find(&self) -> Vec<(String, VoiceFiles)> {
        let mut out: Vec<(String, VoiceFiles)> = Vec::new();
        for dir in self.voice_dirs() {
            let Ok(rd) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut files: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
            files.sort();
            for onnx in files
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "onnx"))
            {
                let Some(stem) = onnx.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
                    continue;
                };
                let json = onnx.with_extension("onnx.json");
                if json.is_file() && !out.iter().any(|(s, _)| *s == stem) {
                    out.push((stem, VoiceFiles { onnx, json }));
                }
            }
        }
        out
    }

    fn model(&self, voice: &str) -> Result<Arc<Model>, EngineError> {
        let mut models = self
            .models
            .lock()
            .map_err(|_| EngineError::permanent(ENGINE, "model cache poisoned"))?;
        if let Some(m) = models.get(voice) {
            return Ok(m.clone());
        }
        let files = self
            .find()
            .into_iter()
            .find(|(s, _)| s == voice)
            .map(|(_, f)| f)
            .ok_or_else(|| {
                EngineError::permanent(
                    ENGINE,
                    format!("no Piper voice \"{voice}\" in {}", self.dirs_text()),
                )
            })?;
        let config = VoiceConfig::load(&files.json).map_err(|e| {
            EngineError::permanent(ENGINE, format!("{}: {e}", files.json.display()))
        })?;
        let bytes = std::fs::read(&files.onnx).map_err(|e| {
            EngineError::permanent(ENGINE, format!("{}: {e}", files.onnx.display()))
        })?;
        tracing::info!(
            "loaded Piper voice {voice} ({} MB)",
            bytes.len() / 1_000_000
        );
        let m = Arc::new(Model {
            config,
            bytes,
            idle: Mutex::new(Vec::new()),
        });
        models.insert(voice.to_string(), m.clone());
        Ok(m)
    }

    fn dirs_text(&self) -> String {
        self.voice_dirs()
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn session(&self, m: &Model) -> Result<Session, EngineError> {
        if let Some(s) = m.idle.lock().ok().and_then(|mut v| v.pop()) {
            return Ok(s);
        }
        let env =
            runtime::environment(&self.home).map_err(|e| EngineError::permanent(ENGINE, e))?;
        let err =
            |e: String| EngineError::permanent(ENGINE, format!("cannot load voice model: {e}"));
        Session::builder(&env)
            .map_err(|e| err(e.to_string()))?
            .with_intra_threads(self.intra_threads)
            .map_err(|e| err(e.to_string()))?
            .with_inter_threads(1)
            .map_err(|e| err(e.to_string()))?
            .with_intra_op_spinning(false)
            .map_err(|e| err(e.to_string()))?
            .with_optimization_level(ort::session::builder::GraphOptimizationLevel::All)
            .map_err(|e| err(e.to_string()))?
            .commit_from_memory(&m.bytes)
            .map_err(|e| err(e.to_string()))
    }

    /// Runs one sentence of ids through the model.
    fn infer(&self, m: &Model, ids: Vec<i64>, scales: [f32; 3]) -> Result<Vec<f32>, EngineError> {
        let mut session = self.session(m)?;
        let err = |e: ort::Error| EngineError::permanent(ENGINE, format!("inference failed: {e}"));
        let n = ids.len();
        let result = (|| {
            let input = Tensor::from_array(([1usize, n], ids)).map_err(err)?;
            let lengths = Tensor::from_array(([1usize], vec![n as i64])).map_err(err)?;
            let scales = Tensor::from_array(([3usize], scales.to_vec())).map_err(err)?;
            let outputs = if m.config.num_speakers > 1 {
                let sid = Tensor::from_array(([1usize], vec![0i64])).map_err(err)?;
                session.run(ort::inputs!["input" => input, "input_lengths" => lengths, "scales" => scales, "sid" => sid])
            } else {
                session.run(ort::inputs!["input" => input, "input_lengths" => lengths, "scales" => scales])
            }
            .map_err(err)?;
            let (_, audio) = outputs[0].try_extract_tensor::<f32>().map_err(err)?;
            Ok(audio
                .iter()
                .map(|s| s.clamp(-1.0, 1.0))
                .collect::<Vec<f32>>())
        })();
        if let Ok(mut idle) = m.idle.lock() {
            idle.push(session);
        }
        result
    }
}

impl SpeechEngine for PiperEngine {
    fn id(&self) -> &str {
        ENGINE
    }

    fn voices(&self) -> Result<Vec<VoiceInfo>, EngineError> {
        let found = self.find();
        let runtime = if found.is_empty() {
            Ok(())
        } else {
            runtime::environment(&self.home).map(|_| ())
        };
        Ok(found
            .into_iter()
            .map(|(stem, files)| {
                let cfg = VoiceConfig::load(&files.json);
                let (available, reason) = match (&cfg, &runtime) {
                    (Err(e), _) => (false, Some(format!("{}: {e}", files.json.display()))),
                    (_, Err(e)) => (false, Some(e.clone())),
                    _ => (true, None),
                };
                let (language, rate, quality) =
                    cfg.as_ref().map_or(("?".into(), 0, String::new()), |c| {
                        (
                            c.language_tag(),
                            c.audio.sample_rate,
                            c.audio.quality.clone().unwrap_or_default(),
                        )
                    });
                let pretty = stem.split('-').nth(1).map_or(stem.clone(), |n| {
                    let mut c = n.chars();
                    c.next()
                        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
                });
                VoiceInfo {
                    id: format!("{ENGINE}:{stem}"),
                    engine: ENGINE.into(),
                    name: format!("{pretty} ({language}, Piper {quality})"),
                    language,
                    sample_rate_hz: rate,
                    quality: "neural".into(),
                    available,
                    reason,
                }
            })
            .collect())
    }

    fn max_chars(&self) -> usize {
        300
    }

    fn cache_salt(&self, voice: &str) -> String {
        let files = self
            .find()
            .into_iter()
            .find(|(s, _)| s == voice)
            .map(|(_, f)| f);
        let stamp = |p: &Path| {
            std::fs::metadata(p)
                .map(|m| format!("{}-{:?}", m.len(), m.modified().ok()))
                .unwrap_or_default()
        };
        match files {
            Some(f) => {
                let json = std::fs::read(&f.json).unwrap_or_default();
                format!(
                    "piper-1 {} {}",
                    blake3::hash(&json).to_hex(),
                    stamp(&f.onnx)
                )
            }
            None => "piper-1 missing".into(),
        }
    }

    fn synthesize(&self, req: &SpeechRequest) -> Result<Clip, EngineError> {
        self.synthesize_with(&req.voice, &req.text, req.tempo, None)
    }
}

/// Explicit VITS sampling parameters (see [`config::InferenceConfig`]).
pub type Scales = config::InferenceConfig;

impl PiperEngine {
    /// Synthesizes `text` with `voice` at `tempo`, with `scales` instead of the
    /// voice's defaults when given (tempo divides `length_scale` either way).
    ///
    /// # Errors
    /// [`EngineError`] for a missing voice or runtime, or a failed inference.
    pub fn synthesize_with(
        &self,
        voice: &str,
        text: &str,
        tempo: f64,
        scales: Option<Scales>,
    ) -> Result<Clip, EngineError> {
        let m = self.model(voice)?;
        let inf = scales.unwrap_or(m.config.inference);
        let scales = [
            inf.noise_scale,
            inf.length_scale / tempo.clamp(0.5, 2.0) as f32,
            inf.noise_w,
        ];
        let clauses = phonemize(&m.config.espeak.voice, text)?;
        let mut audio = Vec::new();
        for sentence in ids::sentences(&clauses) {
            let (ids, missing) = ids::to_ids(&sentence, &m.config.phoneme_id_map);
            if !missing.is_empty() {
                tracing::warn!("{voice}: phonemes not in the voice's map: {missing:?}");
            }
            if ids.len() <= 3 {
                continue;
            }
            audio.extend(self.infer(&m, ids, scales)?);
        }
        if audio.is_empty() {
            return Err(EngineError::permanent(
                ENGINE,
                format!("no audio for \"{text}\""),
            ));
        }
        Ok(Clip::mono(m.config.audio.sample_rate, audio))
    }
}
