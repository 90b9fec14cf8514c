//! `openai` kind: any server that copies OpenAI's speech API
//! (Kokoro-FastAPI, local-tts-studio, …).
//!
//! * speak: `POST {base}/v1/audio/speech` with
//!   `{model, input, voice, response_format: "wav", speed}`; always asks for WAV
//!   and decodes whatever arrives by sniffing the bytes (servers differ in
//!   defaults, and one labels WAV as `text/html`);
//! * voices: `GET {base}/v1/audio/voices`, as `{"voices": [{"id", "name"}]}` or the
//!   legacy `{"voices": ["name", …]}`; when the server has no such endpoint, the
//!   configured `voices`, else the server's own default voice (`default`);
//! * health: `GET {base}/v1/models`, else `GET {base}/health`.

use serde_json::json;

use super::config::EngineConfig;
use super::{Health, Http, VoiceCache};
use crate::audio::Clip;
use crate::engines::{EngineError, SpeechEngine, SpeechRequest, VoiceInfo};

/// The voice offered when the server lists none and none is configured:
/// the server's own default (the `voice` field is sent as `default`).
pub const SERVER_DEFAULT_VOICE: &str = "default";

/// An OpenAI-compatible speech server (or a pool of them).
pub struct OpenAiEngine {
    http: Http,
    cfg: EngineConfig,
    voices: VoiceCache,
}

impl OpenAiEngine {
    /// The engine for a configured instance named `name`.
    ///
    /// # Errors
    /// [`crate::Error::Config`] when the HTTP client cannot be built.
    pub fn new(name: &str, cfg: EngineConfig) -> crate::Result<Self> {
        Ok(Self {
            http: Http::new(name, &cfg)?,
            cfg,
            voices: VoiceCache::default(),
        })
    }

    fn voice_info(
        &self,
        id: &str,
        name: &str,
        available: bool,
        reason: Option<String>,
    ) -> VoiceInfo {
        VoiceInfo {
            id: format!("{}:{id}", self.http.name),
            engine: self.http.name.clone(),
            name: name.to_string(),
            language: String::new(),
            sample_rate_hz: 0,
            quality: "server".into(),
            available,
            reason,
        }
    }

    /// Checks every URL (`/v1/models`, else `/health`) and counts the voices.
    pub fn health(&self) -> Health {
        self.http.health("/v1/models", "/health", || {
            self.voices()
                .map(|v| v.iter().filter(|x| x.available).count())
                .unwrap_or(0)
        })
    }

    /// Voices the server lists, or — when it has no listing (404/405, or an
    /// answer that is not a JSON voice list, like a web UI's HTML fallback
    /// page) — the configured voices, else the server's default voice.
    fn fetch_voices(&self) -> Result<Vec<VoiceInfo>, String> {
        let fallback = || {
            let names = if self.cfg.voices.is_empty() {
                vec![SERVER_DEFAULT_VOICE.to_string()]
            } else {
                self.cfg.voices.clone()
            };
            names
                .iter()
                .map(|n| self.voice_info(n, n, true, None))
                .collect::<Vec<_>>()
        };
        let mut last = String::new();
        for (u, r) in self.http.probe_each("/v1/audio/voices") {
            match r {
                Ok(body) => {
                    let listed = serde_json::from_slice::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v["voices"].as_array().cloned())
                        .map(|list| {
                            list.iter()
                                .filter_map(|x| match x {
                                    serde_json::Value::String(s) => {
                                        Some(self.voice_info(s, s, true, None))
                                    }
                                    o => {
                                        let id = o["id"].as_str().or_else(|| o["name"].as_str())?;
                                        Some(self.voice_info(
                                            id,
                                            o["name"].as_str().unwrap_or(id),
                                            true,
                                            None,
                                        ))
                                    }
                                })
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_default();
                    return Ok(if listed.is_empty() {
                        fallback()
                    } else {
                        listed
                    });
                }
                Err(e) if e.starts_with("404") || e.starts_with("405") => return Ok(fallback()),
                Err(e) => last = format!("{u}: {e}"),
            }
        }
        Err(last)
    }
}

impl SpeechEngine for OpenAiEngine {
    fn id(&self) -> &str {
        &self.http.name
    }

    fn voices(&self) -> Result<Vec<VoiceInfo>, EngineError> {
        match self.voices.get_or_fetch(|| self.fetch_voices()) {
            Ok(v) => Ok(v),
            // Down: still show what we know, marked unavailable (never cached).
            Err(reason) => {
                let names = if self.cfg.voices.is_empty() {
                    vec![SERVER_DEFAULT_VOICE.to_string()]
                } else {
                    self.cfg.voices.clone()
                };
                Ok(names
                    .iter()
                    .map(|n| {
                        self.voice_info(
                            n,
                            n,
                            false,
                            Some(format!("server not reachable: {reason}")),
                        )
                    })
                    .collect())
            }
        }
    }

    fn max_chars(&self) -> usize {
        self.cfg.max_chars.unwrap_or(400)
    }

    fn cache_salt(&self, _voice: &str) -> String {
        format!("openai {}", self.cfg.model.as_deref().unwrap_or("tts-1"))
    }

    fn synthesize(&self, req: &SpeechRequest) -> Result<Clip, EngineError> {
        let body = json!({
            "model": self.cfg.model.as_deref().unwrap_or("tts-1"),
            "input": req.text,
            "voice": req.voice,
            "response_format": "wav",
            "speed": req.tempo,
        });
        let (bytes, url) = self
            .http
            .send(|c, base| c.post(format!("{base}/v1/audio/speech")).json(&body))?;
        self.http.audio(bytes, &url)
    }
}
