//! `openai` kind: any server that copies OpenAI's speech API
//! (Kokoro-FastAPI, local-tts-studio, …).
//!
//! * speak: `POST {base}/v1/audio/speech` with
//!   `{model, input, voice, response_format: "wav", speed}`; always asks for WAV
//!   and decodes whatever arrives by sniffing the bytes (servers differ in
//!   defaults, and one labels WAV as `text/html`);
//! * voices: the first route of [`VOICE_ROUTES`] that answers a voice list
//!   in one of the shapes [`parse_voice_list`] reads, plus the voices declared
//!   in `engines.toml`; when the server lists none, the declared voices, else
//!   the server's own default voice (`default`). A voice id the server does
//!   not list is still sent (the server decides; its error reaches the user),
//!   with a warning when the batch is planned;
//! * health: `GET {base}/v1/models`, else `GET {base}/health`, and which
//!   route listed how many voices.

use serde_json::json;

use super::config::EngineConfig;
use super::voice_list::{parse_voice_list, VOICE_ROUTES};
use super::{Health, Http, VoiceCache};
use crate::audio::Clip;
use crate::engines::{EngineError, Parallelism, SpeechEngine, SpeechRequest, VoiceInfo};

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
        language: &str,
        available: bool,
        reason: Option<String>,
    ) -> VoiceInfo {
        VoiceInfo {
            id: format!("{}:{id}", self.http.name),
            engine: self.http.name.clone(),
            name: name.to_string(),
            language: language.replace('_', "-").to_ascii_lowercase(),
            sample_rate_hz: 0,
            quality: "server".into(),
            available,
            reason,
        }
    }

    /// Checks every URL (`/v1/models`, else `/health`), counts the voices and
    /// says where they came from.
    pub fn health(&self) -> Health {
        self.http
            .health("/v1/models", "/health", || match self.fetch_voices() {
                Ok((v, from)) => (v.len(), from),
                Err(e) => (0, format!("voices could not be listed: {e}")),
            })
    }

    /// The voices declared in `engines.toml` (or the server's default voice
    /// when none are), marked available or not.
    fn declared(&self, available: bool, reason: Option<&str>) -> Vec<VoiceInfo> {
        let names = if self.cfg.voices.is_empty() {
            vec![SERVER_DEFAULT_VOICE.to_string()]
        } else {
            self.cfg.voices.clone()
        };
        names
            .iter()
            .map(|n| self.voice_info(n, n, "", available, reason.map(str::to_string)))
            .collect()
    }

    /// Voices the server lists at the first route of [`VOICE_ROUTES`] that
    /// answers with a voice list, plus the declared ones it does not list;
    /// when no route lists any (404/405, or an answer that is not a voice
    /// list, like a web UI's HTML page), the declared voices, else the
    /// server's default voice. Also says where they came from.
    ///
    /// # Errors
    /// The last transport error when no URL of the pool answers at all.
    fn fetch_voices(&self) -> Result<(Vec<VoiceInfo>, String), String> {
        let mut last = String::new();
        let mut answered = false;
        for url in self.http.pool.urls() {
            for route in VOICE_ROUTES {
                match self.http.probe(url, route) {
                    Ok(body) => {
                        answered = true;
                        if let Some(listed) = parse_voice_list(&body) {
                            let mut voices: Vec<VoiceInfo> = listed
                                .iter()
                                .map(|v| self.voice_info(&v.id, &v.name, &v.language, true, None))
                                .collect();
                            let count = voices.len();
                            for n in &self.cfg.voices {
                                if !listed.iter().any(|v| &v.id == n) {
                                    voices.push(self.voice_info(n, n, "", true, None));
                                }
                            }
                            let extra = voices.len() - count;
                            let mut from = format!("{count} listed at {route}");
                            if extra > 0 {
                                from.push_str(&format!(", {extra} declared in engines.toml"));
                            }
                            return Ok((voices, from));
                        }
                    }
                    Err(e) if e.starts_with("404") || e.starts_with("405") => answered = true,
                    Err(e) => {
                        last = format!("{url}{route}: {e}");
                        if e == "connection refused" {
                            break;
                        }
                    }
                }
            }
        }
        if !answered {
            return Err(last);
        }
        let routes = VOICE_ROUTES.join(", ");
        let from = if self.cfg.voices.is_empty() {
            format!("no voice list at {routes}: the server's default voice")
        } else {
            format!(
                "no voice list at {routes}: {} declared in engines.toml",
                self.cfg.voices.len()
            )
        };
        Ok((self.declared(true, None), from))
    }
}

impl SpeechEngine for OpenAiEngine {
    fn id(&self) -> &str {
        &self.http.name
    }

    fn voices(&self) -> Result<Vec<VoiceInfo>, EngineError> {
        match self
            .voices
            .get_or_fetch(|| self.fetch_voices().map(|(v, _)| v))
        {
            Ok(v) => Ok(v),
            // Down: still show what we know, marked unavailable (never cached).
            Err(reason) => {
                Ok(self.declared(false, Some(&format!("server not reachable: {reason}"))))
            }
        }
    }

    fn accepts_unlisted_voices(&self) -> bool {
        true
    }

    fn max_chars(&self) -> usize {
        self.cfg.max_chars.unwrap_or(400)
    }

    fn cache_salt(&self, _voice: &str) -> String {
        format!("openai {}", self.cfg.model.as_deref().unwrap_or("tts-1"))
    }

    /// A server (or a pool of them) takes requests at once.
    fn parallelism(&self) -> Parallelism {
        Parallelism::Calls
    }

    fn synthesize(&self, req: &SpeechRequest) -> Result<Clip, EngineError> {
        let body = json!({
            "model": self.cfg.model.as_deref().unwrap_or("tts-1"),
            "input": req.text,
            "voice": req.voice,
            "response_format": "wav",
            "speed": req.tempo_ratio,
        });
        let (bytes, url) = self
            .http
            .send(|c, base| c.post(format!("{base}/v1/audio/speech")).json(&body))?;
        self.http.audio(bytes, &url)
    }
}
