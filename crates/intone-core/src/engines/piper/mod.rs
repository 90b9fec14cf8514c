//! `piper` — neural Piper (VITS) voices run in-process with ONNX Runtime.
//!
//! A voice is a pair `<name>.onnx` + `<name>.onnx.json` in a voices folder
//! (`$INTONE_HOME/voices/`, the folders in `$INTONE_VOICE_PATH`, or `voices/`
//! in one of Intone's asset roots, [`crate::assets`]); its id is `piper:<name>`. Text is phonemized by
//! espeak-ng (keeping clause punctuation, see [`crate::engines::espeak::phonemes`]),
//! mapped to ids with Piper's scheme ([`ids`]), and synthesized one sentence
//! per inference with inputs `input` `[1, n]` i64, `input_lengths` `[1]` i64,
//! `scales` `[3]` f32 = (noise_scale, length_scale, noise_w) and, for
//! multi-speaker models, `sid` `[1]` i64.
//!
//! Sessions are built lazily from the model file and kept: each worker that
//! needs the voice at the same time gets its own ONNX Runtime session, with
//! as many intra-op threads as its call may use (sessions are not shared
//! while running). [`SpeechEngine::prepare`] builds them ahead.

pub mod config;
pub mod ids;
pub mod runtime;
mod spans;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use ort::session::Session;
use ort::value::Tensor;

use self::config::VoiceConfig;
use crate::audio::Clip;
use crate::engines::espeak::phonemes::prepare as prepare_phonemizer;
use crate::engines::{EngineError, Parallelism, SpeechEngine, SpeechRequest, VoiceInfo};
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

/// A found voice: its config, its model file, and idle sessions with their
/// thread counts.
struct Model {
    config: VoiceConfig,
    onnx: PathBuf,
    idle: Mutex<Vec<(usize, Session)>>,
}

/// The Piper engine.
pub struct PiperEngine {
    home: Home,
    intra_threads: usize,
    models: Mutex<HashMap<String, Arc<Model>>>,
}

impl PiperEngine {
    /// An engine over the voices folders of `home`, running ONNX Runtime with
    /// at least `intra_threads` threads per session (1 is fastest on a busy
    /// machine: speed comes from several workers; a call that may use more
    /// cores, [`SpeechRequest::threads`], gets a session with that many).
    pub fn new(home: Home, intra_threads: usize) -> Self {
        Self {
            home,
            intra_threads: intra_threads.max(1),
            models: Mutex::new(HashMap::new()),
        }
    }

    /// The folders searched for voices, in order of precedence.
    pub fn voice_dirs(&self) -> Vec<PathBuf> {
        self.home.asset_dirs("voices", VOICE_PATH_ENV)
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
        let size = std::fs::metadata(&files.onnx).map_err(|e| {
            EngineError::permanent(ENGINE, format!("{}: {e}", files.onnx.display()))
        })?;
        tracing::info!("found Piper voice {voice} ({} MB)", size.len() / 1_000_000);
        let m = Arc::new(Model {
            config,
            onnx: files.onnx,
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

    /// Threads of a session for a call that may use `threads` cores.
    fn threads_for(&self, threads: usize) -> usize {
        threads.max(self.intra_threads)
    }

    /// An idle session with `threads` threads, or a new one.
    fn session(&self, m: &Model, threads: usize) -> Result<Session, EngineError> {
        let idle = m.idle.lock().ok().and_then(|mut v| {
            let i = v.iter().position(|(t, _)| *t == threads)?;
            Some(v.swap_remove(i).1)
        });
        match idle {
            Some(s) => Ok(s),
            None => self.build_session(m, threads),
        }
    }

    /// Builds a new ONNX Runtime session with `threads` intra-op threads
    /// from the model file (ONNX Runtime reading the file itself is faster
    /// than handing it the bytes: 0.24–0.37 s against 0.31–0.51 s of
    /// `say`'s prepare, alternating). Several threads spin while they wait for work
    /// inside a run (as Python piper's default session does): one call owns
    /// those cores, and a VITS run is many small operators.
    ///
    /// Graph optimizations are off: on Piper's VITS graphs they cost 0.5 s
    /// of session build (0.8 s against 0.27 s for en_US-joe-medium with
    /// ONNX Runtime 1.32) and gave no faster inference (0.52 s against
    /// 0.55 s for 150 phoneme ids on one thread), so one-shot speech starts
    /// sooner and batches run as fast.
    fn build_session(&self, m: &Model, threads: usize) -> Result<Session, EngineError> {
        let started = Instant::now();
        let env =
            runtime::environment(&self.home).map_err(|e| EngineError::permanent(ENGINE, e))?;
        let err =
            |e: String| EngineError::permanent(ENGINE, format!("cannot load voice model: {e}"));
        Session::builder(&env)
            .map_err(|e| err(e.to_string()))?
            .with_intra_threads(threads)
            .map_err(|e| err(e.to_string()))?
            .with_inter_threads(1)
            .map_err(|e| err(e.to_string()))?
            .with_intra_op_spinning(threads > 1)
            .map_err(|e| err(e.to_string()))?
            .with_optimization_level(ort::session::builder::GraphOptimizationLevel::Disable)
            .map_err(|e| err(e.to_string()))?
            .commit_from_file(&m.onnx)
            .map_err(|e| err(format!("{}: {e}", m.onnx.display())))
            .inspect(|_| {
                tracing::debug!(
                    "piper: session built in {:.0} ms ({threads} thread(s))",
                    ms(started)
                );
            })
    }

    /// Runs one sentence of ids through the model.
    fn infer(
        &self,
        m: &Model,
        threads: usize,
        ids: Vec<i64>,
        scales: [f32; 3],
    ) -> Result<Vec<f32>, EngineError> {
        let mut session = self.session(m, threads)?;
        let started = Instant::now();
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
            idle.push((threads, session));
        }
        if let Ok(audio) = &result {
            tracing::debug!(
                "piper: inferred {n} ids → {:.2} s of audio in {:.0} ms",
                audio.len() as f64 / f64::from(m.config.audio.sample_rate.max(1)),
                ms(started)
            );
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
        let scales = if req.settings.is_empty() && req.take == 0 {
            None
        } else {
            let mut s = self.model(&req.voice)?.config.inference;
            for (k, v) in &req.settings {
                let v = *v as f32;
                match k.as_str() {
                    "noise_scale" => s.noise_scale = v.clamp(0.0, 2.0),
                    "length_scale" => s.length_scale = v.clamp(0.25, 4.0),
                    "noise_w" => s.noise_w = v.clamp(0.0, 2.0),
                    _ => {}
                }
            }
            Some(s.for_take(req.take))
        };
        self.speak(
            &req.voice,
            &req.text,
            &req.phonemes,
            req.tempo_ratio,
            req.threads,
            scales,
        )
    }

    fn phoneme_alphabets(&self) -> &'static [crate::lexicon::Alphabet] {
        &[crate::lexicon::Alphabet::Ipa]
    }

    fn settings(&self) -> Option<&'static [(&'static str, &'static str)]> {
        Some(&[
            (
                "noise_scale",
                "variation in delivery (VITS noise scale; voice default about 0.667)",
            ),
            (
                "length_scale",
                "slowness (VITS length scale; 1.0 = the voice's pace)",
            ),
            (
                "noise_w",
                "variation in phoneme length (VITS noise width; about 0.8)",
            ),
        ])
    }

    fn parallelism(&self) -> Parallelism {
        Parallelism::Threads
    }

    /// Finds the voice, then starts espeak-ng on its language and builds
    /// sessions of `threads` threads until `calls` are idle, all at once on
    /// their own threads (the first build starts ONNX Runtime).
    fn prepare(&self, voice: &str, calls: usize, threads: usize) -> Result<(), EngineError> {
        let threads = self.threads_for(threads);
        let started = Instant::now();
        let m = self.model(voice)?;
        let idle = m
            .idle
            .lock()
            .map_or(0, |v| v.iter().filter(|(t, _)| *t == threads).count());
        let panicked = |what: &str| EngineError::permanent(ENGINE, format!("{what} panicked"));
        let (phonemizer, built) = std::thread::scope(|s| {
            let phonemizer = s.spawn(|| prepare_phonemizer(&m.config.espeak.voice));
            let builds: Vec<_> = (idle..calls.max(1))
                .map(|_| s.spawn(|| self.build_session(&m, threads)))
                .collect();
            let built: Vec<Result<Session, EngineError>> = builds
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(panicked("session builder")))
                })
                .collect();
            let phonemizer = phonemizer
                .join()
                .unwrap_or_else(|_| Err(panicked("espeak-ng start")));
            (phonemizer, built)
        });
        let sessions = built.into_iter().collect::<Result<Vec<_>, _>>()?;
        if let Ok(mut v) = m.idle.lock() {
            v.extend(sessions.into_iter().map(|s| (threads, s)));
        }
        phonemizer?;
        tracing::debug!(
            "piper: prepared {voice} for {calls} call(s) of {threads} thread(s) in {:.0} ms",
            ms(started)
        );
        Ok(())
    }
}

/// Milliseconds since `t`.
fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Explicit VITS sampling parameters (see [`config::InferenceConfig`]).
pub type Scales = config::InferenceConfig;

impl PiperEngine {
    /// Synthesizes `text` with `voice` at `tempo` on (at least) `threads`
    /// threads, with `scales` instead of the voice's defaults when given
    /// (tempo divides `length_scale` either way).
    ///
    /// # Errors
    /// [`EngineError`] for a missing voice or runtime, or a failed inference.
    pub fn synthesize_with(
        &self,
        voice: &str,
        text: &str,
        tempo: f64,
        threads: usize,
        scales: Option<Scales>,
    ) -> Result<Clip, EngineError> {
        self.speak(voice, text, &[], tempo, threads, scales)
    }

    /// [`Self::synthesize_with`], with a lexicon's IPA for spans of `text`.
    fn speak(
        &self,
        voice: &str,
        text: &str,
        phonemes: &[crate::lexicon::PhonemeSpan],
        tempo: f64,
        threads: usize,
        scales: Option<Scales>,
    ) -> Result<Clip, EngineError> {
        let m = self.model(voice)?;
        let threads = self.threads_for(threads);
        let inf = scales.unwrap_or(m.config.inference);
        let scales = [
            inf.noise_scale,
            inf.length_scale / tempo.clamp(0.5, 2.0) as f32,
            inf.noise_w,
        ];
        let started = Instant::now();
        let clauses = spans::phonemize_spans(
            &m.config.espeak.voice,
            text,
            phonemes,
            &m.config.phoneme_id_map,
        )?;
        tracing::debug!(
            "piper: phonemized {} chars in {:.1} ms",
            text.len(),
            ms(started)
        );
        let mut audio = Vec::new();
        for sentence in ids::sentences(&clauses) {
            let (ids, missing) = ids::to_ids(&sentence, &m.config.phoneme_id_map);
            if !missing.is_empty() {
                tracing::warn!("{voice}: phonemes not in the voice's map: {missing:?}");
            }
            if ids.len() <= 3 {
                continue;
            }
            audio.extend(self.infer(&m, threads, ids, scales)?);
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
