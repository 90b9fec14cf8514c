//! `chatterbox` kind: Chatterbox-TTS-Server (devnen), port 8004 by default.
//!
//! * speak: `POST /tts` with `{text, voice_mode, predefined_voice_id |
//!   reference_audio_filename, output_format: "wav", split_text: false,
//!   temperature, exaggeration, cfg_weight, seed, speed_factor, language}`.
//!   Intone chunks text itself (our sentence splitter, `max_chars`, default
//!   the server's own 120), and sends one fixed seed with every chunk so the
//!   voice does not drift between chunks;
//! * voices: `GET /get_predefined_voices` (`[{display_name, filename}]`) as
//!   `NAME:<filename>`, and `GET /get_reference_files` (`[filename]`) as
//!   cloned voices `NAME:clone:<filename>`;
//! * cloning: `POST /upload_reference` (multipart field `files`), then
//!   `voice_mode: "clone"`;
//! * health: `GET /api/model-info`, else `GET /get_predefined_voices`.

use std::path::Path;

use serde_json::json;

use super::config::{ChatterboxParams, EngineConfig};
use super::{server_message, Health, Http, VoiceCache};
use crate::audio::Clip;
use crate::engines::{EngineError, Parallelism, SpeechEngine, SpeechRequest, VoiceInfo};

/// Prefix of cloned-voice ids within the engine.
pub const CLONE_PREFIX: &str = "clone:";
/// Chatterbox-TTS-Server's default chunk size.
pub const DEFAULT_CHUNK_CHARS: usize = 120;

/// A Chatterbox-TTS-Server (or a pool of them).
pub struct ChatterboxEngine {
    http: Http,
    cfg: EngineConfig,
    params: ChatterboxParams,
    voices: VoiceCache,
}

impl ChatterboxEngine {
    /// The engine for a configured instance named `name`.
    ///
    /// # Errors
    /// [`crate::Error::Config`] when the HTTP client cannot be built.
    pub fn new(name: &str, cfg: EngineConfig) -> crate::Result<Self> {
        Ok(Self {
            http: Http::new(name, &cfg)?,
            params: cfg.chatterbox.clone().unwrap_or_default(),
            cfg,
            voices: VoiceCache::default(),
        })
    }

    fn info(&self, id: String, name: String, available: bool, reason: Option<String>) -> VoiceInfo {
        VoiceInfo {
            id: format!("{}:{id}", self.http.name),
            engine: self.http.name.clone(),
            name,
            language: self.params.language.clone(),
            sample_rate_hz: 0,
            quality: "server".into(),
            available,
            reason,
        }
    }

    fn fetch_voices(&self) -> Result<Vec<VoiceInfo>, String> {
        let mut last = String::new();
        for url in self.http.pool.urls() {
            let get = |path: &str| -> Result<serde_json::Value, String> {
                let r = self
                    .http
                    .probe
                    .get(format!("{url}{path}"))
                    .send()
                    .map_err(|e| {
                        if e.is_connect() {
                            format!("cannot connect to {url}")
                        } else {
                            format!("{url}: {e}")
                        }
                    })?;
                let status = r.status();
                let b = r.bytes().map_err(|e| e.to_string())?;
                if !status.is_success() {
                    return Err(format!(
                        "{url}{path} answered {status}: {}",
                        server_message(&b)
                    ));
                }
                serde_json::from_slice(&b).map_err(|e| format!("{url}{path}: {e}"))
            };
            match get("/get_predefined_voices") {
                Ok(v) => {
                    let mut out: Vec<VoiceInfo> = v
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| {
                                    let file = x["filename"].as_str()?;
                                    let name = x["display_name"].as_str().unwrap_or(file);
                                    Some(self.info(file.to_string(), name.to_string(), true, None))
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    if let Ok(refs) = get("/get_reference_files") {
                        for f in refs
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|x| x.as_str())
                        {
                            out.push(self.info(
                                format!("{CLONE_PREFIX}{f}"),
                                format!("{f} (cloned)"),
                                true,
                                None,
                            ));
                        }
                    }
                    return Ok(out);
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Checks every URL (`/api/model-info`, else `/get_predefined_voices`)
    /// and counts the voices.
    pub fn health(&self) -> Health {
        self.http
            .health("/api/model-info", "/get_predefined_voices", || {
                match self.fetch_voices() {
                    Ok(v) => (
                        v.len(),
                        "listed at /get_predefined_voices and /get_reference_files".into(),
                    ),
                    Err(e) => (0, format!("voices could not be listed: {e}")),
                }
            })
    }

    /// Uploads a reference clip for cloning to every server of the pool.
    /// Returns the voice id to use (`NAME:clone:<file>`).
    ///
    /// # Errors
    /// [`EngineError`] naming the file or the server's complaint.
    pub fn upload_reference(&self, file: &Path) -> Result<String, EngineError> {
        let bytes = std::fs::read(file).map_err(|e| {
            EngineError::permanent(&self.http.name, format!("{}: {e}", file.display()))
        })?;
        let filename = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                EngineError::permanent(&self.http.name, "reference clip has no file name")
            })?;
        let mut stored = filename.clone();
        for url in self.http.pool.urls() {
            let part = reqwest::blocking::multipart::Part::bytes(bytes.clone())
                .file_name(filename.clone())
                .mime_str(if filename.to_lowercase().ends_with(".mp3") {
                    "audio/mpeg"
                } else {
                    "audio/wav"
                })
                .map_err(|e| EngineError::permanent(&self.http.name, e.to_string()))?;
            let form = reqwest::blocking::multipart::Form::new().part("files", part);
            let resp = self
                .http
                .client
                .post(format!("{url}/upload_reference"))
                .multipart(form)
                .send()
                .map_err(|e| {
                    EngineError::transient(&self.http.name, format!("cannot upload to {url}: {e}"))
                })?;
            let status = resp.status();
            let body = resp
                .bytes()
                .map_err(|e| EngineError::transient(&self.http.name, e.to_string()))?;
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let uploaded = v["uploaded_files"]
                .as_array()
                .and_then(|a| a.first())
                .and_then(|x| x.as_str());
            match (status.is_success(), uploaded) {
                (true, Some(name)) => stored = name.to_string(),
                _ => {
                    let why = v["errors"]
                        .as_array()
                        .and_then(|a| a.first())
                        .and_then(|e| e["error"].as_str())
                        .map_or_else(|| server_message(&body), str::to_string);
                    return Err(EngineError::permanent(
                        &self.http.name,
                        format!("{url} refused {filename}: {why}"),
                    ));
                }
            }
        }
        self.voices.clear();
        Ok(format!("{}:{CLONE_PREFIX}{stored}", self.http.name))
    }
}

impl SpeechEngine for ChatterboxEngine {
    fn id(&self) -> &str {
        &self.http.name
    }

    fn voices(&self) -> Result<Vec<VoiceInfo>, EngineError> {
        self.voices
            .get_or_fetch(|| self.fetch_voices())
            .map_err(|e| {
                EngineError::transient(&self.http.name, format!("server not reachable: {e}"))
            })
    }

    fn max_chars(&self) -> usize {
        self.cfg.max_chars.unwrap_or(DEFAULT_CHUNK_CHARS)
    }

    fn cache_salt(&self, _voice: &str) -> String {
        let p = &self.params;
        format!(
            "chatterbox t{} e{} c{} s{} {}",
            p.temperature, p.exaggeration, p.cfg_weight, p.seed, p.language
        )
    }

    /// A server (or a pool of them) takes requests at once.
    fn parallelism(&self) -> Parallelism {
        Parallelism::Calls
    }

    /// A cast may set a speaker's own sampling (Chatterbox-TTS-Server's
    /// `/tts` fields of the same names).
    fn settings(&self) -> Option<&'static [(&'static str, &'static str)]> {
        Some(&[
            ("exaggeration", "emotion intensity, 0.25–2 (0.5 neutral)"),
            ("cfg_weight", "pace and adherence, 0–1"),
            ("temperature", "randomness of delivery, 0.05–5"),
        ])
    }

    fn synthesize(&self, req: &SpeechRequest) -> Result<Clip, EngineError> {
        let p = &self.params;
        let mut body = json!({
            "text": req.text,
            "output_format": "wav",
            "split_text": false,
            "temperature": p.temperature,
            "exaggeration": p.exaggeration,
            "cfg_weight": p.cfg_weight,
            // A later take (Regenerate sentence) is another seed.
            "seed": p.seed.wrapping_add(u64::from(req.take)),
            "speed_factor": req.tempo_ratio,
            "language": p.language,
        });
        for (k, v) in &req.settings {
            body[k.as_str()] = json!(v);
        }
        match req.voice.strip_prefix(CLONE_PREFIX) {
            Some(file) => {
                body["voice_mode"] = json!("clone");
                body["reference_audio_filename"] = json!(file);
            }
            None => {
                body["voice_mode"] = json!("predefined");
                body["predefined_voice_id"] = json!(req.voice);
            }
        }
        let (bytes, url) = self
            .http
            .send(|c, base| c.post(format!("{base}/tts")).json(&body))?;
        self.http.audio(bytes, &url)
    }
}
