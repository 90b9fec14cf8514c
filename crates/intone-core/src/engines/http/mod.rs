//! Speech engines on local TTS servers over HTTP (reqwest, blocking: engines
//! run on worker threads). Shared here: the endpoint pool, error
//! classification and audio decoding.
//!
//! Errors are classified for the pipeline's retry policy: connection refused
//! or reset, timeouts, HTTP 429 and 5xx are transient (retried with backoff,
//! on another URL of the pool when there is one); other 4xx, undecodable,
//! truncated or empty audio are permanent. The server's own message is kept:
//! `{"error": {"message": …}}` (OpenAI style) or `{"detail": …}` (FastAPI).

pub mod chatterbox;
pub mod config;
pub mod openai;
pub mod pool;
pub mod voice_list;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use reqwest::blocking::{Client, RequestBuilder, Response};

use crate::audio::{decode, Clip};
use crate::engines::{EngineError, SpeechEngine};
use config::{EngineConfig, Kind};
use pool::Pool;

/// Timeout for listing voices and health checks.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Makes the engine for a configured instance.
///
/// # Errors
/// [`crate::Error::Config`] when the HTTP client cannot be built.
pub fn make(name: &str, cfg: &EngineConfig) -> crate::Result<Arc<dyn SpeechEngine>> {
    Ok(match cfg.kind {
        Kind::Openai => Arc::new(openai::OpenAiEngine::new(name, cfg.clone())?),
        Kind::Chatterbox => Arc::new(chatterbox::ChatterboxEngine::new(name, cfg.clone())?),
        Kind::Cog => {
            return Err(crate::Error::Config(format!(
                "engine \"{name}\" is a Cog music engine, not a voice"
            )))
        }
    })
}

/// What a health check found.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Health {
    /// Engine name.
    pub name: String,
    /// Whether at least one URL answered.
    pub ok: bool,
    /// Per URL: (url, answered, message).
    pub urls: Vec<(String, bool, String)>,
    /// Voices the engine offers (0 when down).
    pub voices: usize,
    /// Where the voices came from, e.g. "12 listed at /v1/voices", or
    /// "no voice list at …: the server's default voice" (empty when down).
    pub voices_from: String,
}

/// The HTTP plumbing shared by the engines.
pub(crate) struct Http {
    pub name: String,
    pub client: Client,
    pub probe: Client,
    pub pool: Pool,
    pub timeout_s: f64,
}

impl Http {
    pub fn new(name: &str, cfg: &EngineConfig) -> crate::Result<Self> {
        Self::with(name, &cfg.urls, cfg.concurrency, cfg.timeout_s)
    }

    /// The plumbing for `urls` (a pool, `concurrency` requests at once per
    /// URL) with a per-request timeout of `timeout_s`.
    pub fn with(
        name: &str,
        urls: &[String],
        concurrency: usize,
        timeout_s: f64,
    ) -> crate::Result<Self> {
        let build = |t: Duration| {
            Client::builder()
                .timeout(t)
                .connect_timeout(Duration::from_secs(5))
                .no_proxy()
                .build()
                .map_err(|e| crate::Error::Config(format!("engine \"{name}\": HTTP client: {e}")))
        };
        Ok(Self {
            name: name.to_string(),
            client: build(Duration::from_secs_f64(timeout_s))?,
            probe: build(PROBE_TIMEOUT)?,
            pool: Pool::new(urls, concurrency),
            timeout_s,
        })
    }

    fn transient(&self, m: impl Into<String>) -> EngineError {
        EngineError::transient(&self.name, m)
    }
    fn permanent(&self, m: impl Into<String>) -> EngineError {
        EngineError::permanent(&self.name, m)
    }

    /// Sends a request built for one pooled URL and returns the body of a
    /// 2xx answer. Records the URL's health in the pool.
    pub fn send(
        &self,
        build: impl FnOnce(&Client, &str) -> RequestBuilder,
    ) -> Result<(Vec<u8>, String), EngineError> {
        let lease = self.pool.acquire();
        let url = lease.url.to_string();
        let result = build(&self.client, &url)
            .send()
            .map_err(|e| self.classify_transport(&url, &e))
            .and_then(|resp| self.body(&url, resp));
        let healthy = !matches!(&result, Err(e) if e.kind == crate::engines::ErrorKind::Transient);
        self.pool.report(lease.index, healthy);
        result.map(|b| (b, url))
    }

    fn classify_transport(&self, url: &str, e: &reqwest::Error) -> EngineError {
        if e.is_timeout() {
            self.transient(format!(
                "{url} did not answer within {:.0} s",
                self.timeout_s
            ))
        } else if e.is_connect() {
            self.transient(format!("cannot connect to {url} (is the server running?)"))
        } else {
            self.transient(format!("{url}: {e}"))
        }
    }

    fn body(&self, url: &str, resp: Response) -> Result<Vec<u8>, EngineError> {
        let status = resp.status();
        let bytes = resp
            .bytes()
            .map_err(|e| {
                self.transient(format!(
                    "{url}: connection lost while reading the answer ({e})"
                ))
            })?
            .to_vec();
        if status.is_success() {
            return Ok(bytes);
        }
        let msg = format!("{url} answered {status}: {}", server_message(&bytes));
        if status.as_u16() == 429 || status.is_server_error() {
            Err(self.transient(msg))
        } else {
            Err(self.permanent(msg))
        }
    }

    /// GET `path` on each URL with the short probe timeout: (url, body or error).
    pub fn probe_each(&self, path: &str) -> Vec<(String, Result<Vec<u8>, String>)> {
        self.pool
            .urls()
            .iter()
            .map(|u| (u.clone(), self.probe(u, path)))
            .collect()
    }

    /// GET `{url}{path}` with the short probe timeout: the body of a 2xx
    /// answer, else `"connection refused"`, the transport error, or
    /// `"<status>: <server message>"`.
    pub fn probe(&self, url: &str, path: &str) -> Result<Vec<u8>, String> {
        self.probe
            .get(format!("{url}{path}"))
            .send()
            .map_err(|e| {
                if e.is_connect() {
                    "connection refused".to_string()
                } else {
                    e.to_string()
                }
            })
            .and_then(|resp| {
                let status = resp.status();
                let b = resp.bytes().map_err(|e| e.to_string())?.to_vec();
                if status.is_success() {
                    Ok(b)
                } else {
                    Err(format!("{status}: {}", server_message(&b)))
                }
            })
    }

    /// Checks each URL: healthy when `primary` or else `fallback` answers 2xx
    /// within the probe timeout. `voices` counts the voices and says where
    /// they came from; it is asked only when at least one URL is up.
    pub fn health(
        &self,
        primary: &str,
        fallback: &str,
        voices: impl FnOnce() -> (usize, String),
    ) -> Health {
        let answers = |u: &str, path: &str| {
            self.probe
                .get(format!("{u}{path}"))
                .send()
                .is_ok_and(|r| r.status().is_success())
        };
        let urls: Vec<(String, bool, String)> = self
            .pool
            .urls()
            .iter()
            .map(|u| {
                let ok = answers(u, primary) || answers(u, fallback);
                let msg = if ok {
                    "ok".to_string()
                } else {
                    format!("not answering {primary} or {fallback}")
                };
                (u.clone(), ok, msg)
            })
            .collect();
        let ok = urls.iter().any(|x| x.1);
        let (voices, voices_from) = if ok { voices() } else { (0, String::new()) };
        Health {
            name: self.name.clone(),
            ok,
            voices,
            voices_from,
            urls,
        }
    }

    /// Decodes an audio answer into a mono clip, sniffing the format from the bytes.
    pub fn audio(&self, bytes: Vec<u8>, url: &str) -> Result<Clip, EngineError> {
        if bytes.is_empty() {
            return Err(self.permanent(format!("{url} returned no audio")));
        }
        if let Some((declared, present)) = truncated_wav(&bytes) {
            return Err(self.permanent(format!(
                "{url} returned truncated audio ({present} of {declared} bytes of WAV data)"
            )));
        }
        let clip = decode::decode_bytes(bytes, Path::new(url)).map_err(|e| {
            self.permanent(format!("{url} returned audio that cannot be decoded: {e}"))
        })?;
        let mono = Clip::mono(clip.sample_rate_hz, clip.to_mono());
        if mono.frames() == 0 {
            return Err(self.permanent(format!("{url} returned empty audio")));
        }
        Ok(mono)
    }
}

/// The server's own message from an error body.
pub fn server_message(body: &[u8]) -> String {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        if let Some(m) = v["error"]["message"].as_str() {
            return m.to_string();
        }
        if let Some(m) = v["error"].as_str() {
            return m.to_string();
        }
        match &v["detail"] {
            serde_json::Value::String(s) => return s.clone(),
            serde_json::Value::Array(items) => {
                let parts: Vec<String> = items
                    .iter()
                    .filter_map(|i| i["msg"].as_str().map(str::to_string))
                    .collect();
                if !parts.is_empty() {
                    return parts.join("; ");
                }
            }
            serde_json::Value::Object(o) => {
                if let Some(m) = o.get("message").and_then(|m| m.as_str()) {
                    return m.to_string();
                }
            }
            _ => {}
        }
    }
    let text = String::from_utf8_lossy(body);
    let t = text.trim();
    if t.is_empty() {
        "no message".into()
    } else {
        t.chars().take(200).collect()
    }
}

/// For a RIFF/WAVE body whose `data` chunk claims more bytes than arrived:
/// (declared, present). Streaming sizes (0 or 0xFFFFFFFF) are not checked.
pub fn truncated_wav(b: &[u8]) -> Option<(u64, u64)> {
    if b.len() < 12 || &b[0..4] != b"RIFF" || &b[8..12] != b"WAVE" {
        return None;
    }
    let mut i = 12;
    while i + 8 <= b.len() {
        let id = &b[i..i + 4];
        let size = u32::from_le_bytes([b[i + 4], b[i + 5], b[i + 6], b[i + 7]]);
        let start = i + 8;
        if id == b"data" {
            let present = (b.len() - start) as u64;
            let declared = u64::from(size);
            return (size != 0 && size != u32::MAX && declared > present)
                .then_some((declared, present));
        }
        i = start + size as usize + (size as usize & 1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_messages_in_every_shape() {
        assert_eq!(
            server_message(br#"{"error":{"message":"no voice","type":"x"}}"#),
            "no voice"
        );
        assert_eq!(
            server_message(br#"{"detail":"Predefined voice file 'x.wav' not found."}"#),
            "Predefined voice file 'x.wav' not found."
        );
        assert_eq!(
            server_message(br#"{"detail":[{"msg":"field required"}]}"#),
            "field required"
        );
        assert_eq!(
            server_message(b"Internal Server Error"),
            "Internal Server Error"
        );
        assert_eq!(server_message(b""), "no message");
    }

    #[test]
    fn truncated_wav_is_detected() {
        let mut w = Vec::new();
        w.extend_from_slice(b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0");
        w.extend_from_slice(&[1, 0, 1, 0, 0x80, 0x3e, 0, 0, 0, 0x7d, 0, 0, 2, 0, 16, 0]);
        w.extend_from_slice(b"data");
        w.extend_from_slice(&1000u32.to_le_bytes());
        w.extend_from_slice(&[0u8; 400]);
        assert_eq!(truncated_wav(&w), Some((1000, 400)));
        w.extend_from_slice(&[0u8; 600]);
        assert_eq!(truncated_wav(&w), None);
        assert_eq!(truncated_wav(b"ID3 mp3 data"), None);
    }
}

/// A short-lived cache of a server's voice list (voice pickers and batch
/// planning ask often; servers are asked at most every [`VoiceCache::TTL`]).
/// Failures are never cached, so a server that comes back is seen at once.
#[derive(Default)]
pub(crate) struct VoiceCache {
    entry: std::sync::Mutex<Option<(std::time::Instant, Vec<crate::engines::VoiceInfo>)>>,
}

impl VoiceCache {
    /// How long a fetched list is reused.
    pub const TTL: Duration = Duration::from_secs(10);

    /// The cached list when fresh, else `fetch`'s (cached on success).
    pub fn get_or_fetch<E>(
        &self,
        fetch: impl FnOnce() -> Result<Vec<crate::engines::VoiceInfo>, E>,
    ) -> Result<Vec<crate::engines::VoiceInfo>, E> {
        if let Ok(g) = self.entry.lock() {
            if let Some((_, v)) = g.as_ref().filter(|(t, _)| t.elapsed() < Self::TTL) {
                return Ok(v.clone());
            }
        }
        let v = fetch()?;
        if let Ok(mut g) = self.entry.lock() {
            *g = Some((std::time::Instant::now(), v.clone()));
        }
        Ok(v)
    }

    /// Forgets the cached list (after uploading a voice).
    pub fn clear(&self) {
        if let Ok(mut g) = self.entry.lock() {
            *g = None;
        }
    }
}
