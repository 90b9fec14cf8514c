//! The RVC converter: a local rvc-python API server (`python -m rvc_python api`),
//! spoken to over its documented HTTP API:
//!
//! * `POST /convert` with `{"audio_data": "<base64 WAV>"}` → the converted
//!   audio (`audio/wav`); 400 `{"detail": "No model loaded…"}` before a model
//!   is loaded, 500 `{"detail": "An error occurred: …"}` when inference fails;
//! * `GET /models` → `{"models": [...]}`; `POST /models/{name}` loads one;
//! * `GET /params`, `POST /params` with `{"params": {...}}` (`f0up_key`,
//!   `f0method`, `index_rate`, `protect`, …).
//!
//! The server keeps one model and one set of parameters for everybody, so
//! before each chunk Intone sets the parameters it wants, and it loads its
//! model on each server the first time (and again whenever a server says it
//! has none). Only loopback URLs unless `allow_remote`; several URLs make a
//! pool, as for speech servers. Connection failures, timeouts, 429 and 5xx
//! are transient (retried with backoff); other answers and audio that does
//! not decode fail the chunk with the server's own message.

use std::collections::HashSet;
use std::io::Cursor;
use std::path::Path;
use std::sync::Mutex;

use base64::Engine as _;
use serde_json::{json, Value};

use super::config::RvcConfig;
use super::{ConverterInfo, SettingInfo, Settings};
use crate::audio::wav::read_clip;
use crate::engines::http::{server_message, truncated_wav, Http};
use crate::engines::EngineError;

/// An rvc-python API server (or a pool of them) with one model.
pub struct RvcConverter {
    name: String,
    cfg: RvcConfig,
    http: Http,
    /// Servers known to have our model loaded.
    ready: Mutex<HashSet<String>>,
}

impl RvcConverter {
    /// The converter `name` configured by `cfg`.
    ///
    /// # Errors
    /// [`crate::Error::Config`] when the HTTP client cannot be built.
    pub fn new(name: String, cfg: RvcConfig) -> crate::Result<Self> {
        let http = Http::with(&name, &cfg.urls, cfg.concurrency as usize, cfg.timeout_s)?;
        Ok(Self {
            name,
            cfg,
            http,
            ready: Mutex::new(HashSet::new()),
        })
    }

    fn err(&self, transient: bool, m: String) -> EngineError {
        if transient {
            EngineError::transient(&self.name, m)
        } else {
            EngineError::permanent(&self.name, m)
        }
    }

    /// Sends one request to `url`; a 2xx body, or a classified error.
    fn call(
        &self,
        req: reqwest::blocking::RequestBuilder,
        url: &str,
    ) -> Result<Vec<u8>, EngineError> {
        let resp = req.send().map_err(|e| {
            self.err(
                true,
                if e.is_timeout() {
                    format!("{url} did not answer within {:.0} s", self.cfg.timeout_s)
                } else if e.is_connect() {
                    format!("cannot connect to {url} (is the RVC server running?)")
                } else {
                    format!("{url}: {e}")
                },
            )
        })?;
        let status = resp.status();
        let body = resp
            .bytes()
            .map_err(|e| self.err(true, format!("{url}: connection lost ({e})")))?
            .to_vec();
        if status.is_success() {
            return Ok(body);
        }
        let msg = format!("{url} answered {status}: {}", server_message(&body));
        Err(self.err(status.as_u16() == 429 || status.is_server_error(), msg))
    }

    /// The parameters sent to `POST /params`, typed as rvc-python expects.
    fn params(settings: &Settings) -> Value {
        let mut p = serde_json::Map::new();
        for (k, v) in settings {
            let value = match v.trim().parse::<i64>() {
                Ok(i) if k == "f0up_key" || k == "filter_radius" || k == "resample_sr" => json!(i),
                _ => v
                    .trim()
                    .parse::<f64>()
                    .map_or_else(|_| json!(v), |f| json!(f)),
            };
            p.insert(k.clone(), value);
        }
        Value::Object(p)
    }

    fn convert_at(
        &self,
        url: &str,
        input: &Path,
        output: &Path,
        settings: &Settings,
    ) -> Result<(), EngineError> {
        let client = &self.http.client;
        let loaded = self.ready.lock().map(|r| r.contains(url)).unwrap_or(false);
        if !loaded {
            self.call(client.post(format!("{url}/models/{}", self.cfg.model)), url)?;
            if let Ok(mut r) = self.ready.lock() {
                r.insert(url.to_string());
            }
        }
        self.call(
            client
                .post(format!("{url}/params"))
                .json(&json!({ "params": Self::params(settings) })),
            url,
        )?;
        let wav = pcm16_wav(input).map_err(|e| self.err(false, e.to_string()))?;
        let body = json!({ "audio_data": base64::engine::general_purpose::STANDARD.encode(wav) });
        let answer = self.call(client.post(format!("{url}/convert")).json(&body), url);
        let bytes = match answer {
            Err(e) if e.message.contains("No model loaded") => {
                // Another client (or a restart) unloaded it: load it again next time.
                if let Ok(mut r) = self.ready.lock() {
                    r.remove(url);
                }
                return Err(self.err(true, e.message));
            }
            other => other?,
        };
        if bytes.is_empty() {
            return Err(self.err(false, format!("{url} returned no audio")));
        }
        if let Some((declared, present)) = truncated_wav(&bytes) {
            return Err(self.err(
                false,
                format!(
                    "{url} returned truncated audio ({present} of {declared} bytes of WAV data)"
                ),
            ));
        }
        crate::audio::decode::decode_bytes(bytes.clone(), Path::new(url)).map_err(|e| {
            self.err(
                false,
                format!("{url} returned audio that cannot be decoded: {e}"),
            )
        })?;
        std::fs::write(output, bytes)
            .map_err(|e| self.err(false, format!("{}: {e}", output.display())))
    }
}

/// The chunk as 16-bit PCM WAV bytes (what every RVC front end reads).
fn pcm16_wav(input: &Path) -> crate::Result<Vec<u8>> {
    let clip = read_clip(input)?;
    let spec = hound::WavSpec {
        channels: clip.channels,
        sample_rate: clip.sample_rate_hz,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut buf = Cursor::new(Vec::new());
    {
        let mut w =
            hound::WavWriter::new(&mut buf, spec).map_err(|e| crate::Error::audio(input, e))?;
        for s in &clip.samples {
            w.write_sample((s.clamp(-1.0, 1.0) * 32767.0).round() as i16)
                .map_err(|e| crate::Error::audio(input, e))?;
        }
        w.finalize().map_err(|e| crate::Error::audio(input, e))?;
    }
    Ok(buf.into_inner())
}

/// The settings every rvc-python server takes, with the config's defaults.
fn specs(cfg: &RvcConfig) -> Vec<SettingInfo> {
    let d = |k: &str, v: &str| {
        cfg.settings
            .get(k)
            .cloned()
            .unwrap_or_else(|| v.to_string())
    };
    let num = |name: &str, what: &str, def: String, min: f64, max: f64| SettingInfo {
        name: name.into(),
        description: what.into(),
        default: def,
        choices: vec![],
        min: Some(min),
        max: Some(max),
    };
    vec![
        num(
            "f0up_key",
            "transpose, semitones",
            d("f0up_key", "0"),
            -24.0,
            24.0,
        ),
        SettingInfo {
            name: "f0method".into(),
            description: "pitch extraction method".into(),
            default: d("f0method", "rmvpe"),
            choices: ["rmvpe", "harvest", "crepe", "pm"]
                .map(String::from)
                .to_vec(),
            min: None,
            max: None,
        },
        num(
            "index_rate",
            "how much of the voice's index to use",
            d("index_rate", "0.5"),
            0.0,
            1.0,
        ),
        num(
            "protect",
            "protection of voiceless consonants",
            d("protect", "0.33"),
            0.0,
            0.5,
        ),
    ]
}

impl super::Converter for RvcConverter {
    fn id(&self) -> &str {
        &self.name
    }

    fn info(&self) -> ConverterInfo {
        // Any server of the pool answering GET /models counts.
        let mut reason = None;
        let mut available = false;
        for (url, r) in self.http.probe_each("/models") {
            match r {
                Ok(b) => {
                    let listed = serde_json::from_slice::<Value>(&b).ok().and_then(|v| {
                        v["models"]
                            .as_array()
                            .map(|a| a.iter().any(|m| m == self.cfg.model.as_str()))
                    });
                    match listed {
                        Some(false) => {
                            reason = Some(format!("{url} has no model \"{}\"", self.cfg.model));
                        }
                        _ => available = true,
                    }
                }
                Err(e) => reason = Some(format!("{url}: {e}")),
            }
        }
        ConverterInfo {
            id: self.name.clone(),
            kind: "rvc".into(),
            description: self.cfg.description.clone().unwrap_or_else(|| {
                format!(
                    "RVC model \"{}\" on {}",
                    self.cfg.model,
                    self.cfg.urls.join(", ")
                )
            }),
            settings: specs(&self.cfg),
            max_chunk_ms: self.cfg.max_chunk_s * 1000.0,
            concurrency: self.cfg.concurrency * self.cfg.urls.len() as u32,
            available,
            reason: if available { None } else { reason },
        }
    }

    fn label(&self, _settings: &Settings) -> String {
        format!("{} · {}", self.name, self.cfg.model)
    }

    fn cache_salt(&self) -> String {
        format!("rvc-python api; model {}", self.cfg.model)
    }

    fn convert(&self, input: &Path, output: &Path, settings: &Settings) -> Result<(), EngineError> {
        let lease = self.http.pool.acquire();
        let url = lease.url.to_string();
        let r = self.convert_at(&url, input, output, settings);
        let healthy = !matches!(&r, Err(e) if e.kind == crate::engines::ErrorKind::Transient);
        self.http.pool.report(lease.index, healthy);
        r
    }
}
