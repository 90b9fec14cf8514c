//! Music from a model served by Cog (Replicate's container format, run
//! locally, e.g. `docker run -p 5000:5000 r8.im/meta/musicgen`): MusicGen,
//! Riffusion or any predictor, over Cog's HTTP API
//! (<https://github.com/replicate/cog/blob/main/docs/http.md>):
//!
//! - `GET /health-check`: `{"status": "STARTING" | "READY" | "BUSY" |
//!   "SETUP_FAILED" | "DEFUNCT"}`.
//! - `GET /openapi.json`: the model's input schema
//!   (`components.schemas.Input.properties`); only the parameters it has are
//!   offered, with their types, ranges, choices and defaults.
//! - `PUT /predictions/{id}` with `{"input": {...}}`: idempotent while the
//!   prediction with that id runs (a second PUT answers 202 and starts
//!   nothing). The id is derived from the take, so a resumed step never runs
//!   two predictions of one take at once. The answer carries `status`
//!   (`succeeded`, `failed` with `error`, `canceled`) and `output`: a `data:`
//!   URI or a URL (a string, a list, or Riffusion's `{audio, spectrogram}`).
//! - 409 (busy) and 503 (not ready) are transient: back off 1 s → 10 s, at
//!   most 60 tries; a failed prediction's `error` is shown as it is. A 409 or
//!   503 from a server whose health is `DEFUNCT` or `SETUP_FAILED` fails at
//!   once; `UNHEALTHY` is a transient error (the step's retries decide).
//! - `POST /predictions/{id}/cancel` when the batch is cancelled.
//!
//! Configured in `engines.toml` like a speech server, with `kind = "cog"`.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Map, Value};

mod schema;

use super::{MusicEngine, MusicEngineInfo, MusicRequest};
use crate::audio::{decode, resample, wav::WavBlockWriter, Clip};
use crate::engines::http::config::EngineConfig;
use crate::engines::http::Http;
use crate::engines::{EngineError, ErrorKind};
use schema::{resolve_inputs, typed};

/// Inputs Intone fills itself (not shown as parameters).
pub(crate) const OWN_INPUTS: [&str; 9] = [
    "prompt",
    "prompt_a",
    "duration",
    "seed",
    "model_version",
    "input_audio",
    "continuation",
    "continuation_start",
    "continuation_end",
];
/// Busy/not-ready tries and their backoff (the original system's policy).
const BUSY_TRIES: u32 = 60;
const BUSY_FIRST: Duration = Duration::from_secs(1);
const BUSY_MAX: Duration = Duration::from_secs(10);
/// Seconds of the audio continued that MusicGen is given as its prompt,
/// besides the overlap.
const CONTINUATION_CONTEXT_S: f64 = 5.0;

/// A Cog server (or a pool of them) serving a music model.
pub struct Cog {
    http: Http,
    schema: Mutex<Option<Map<String, Value>>>,
}

impl Cog {
    /// The engine for a configured instance.
    ///
    /// # Errors
    /// [`crate::Error::Config`] when the HTTP client cannot be built.
    pub fn new(name: &str, cfg: &EngineConfig) -> crate::Result<Self> {
        Ok(Self {
            http: Http::new(name, cfg)?,
            schema: Mutex::new(None),
        })
    }

    fn transient(&self, m: impl Into<String>) -> EngineError {
        EngineError::transient(&self.http.name, m)
    }
    fn permanent(&self, m: impl Into<String>) -> EngineError {
        EngineError::permanent(&self.http.name, m)
    }

    /// The `Input` properties of the model's OpenAPI schema (fetched once).
    fn inputs(&self) -> Result<Map<String, Value>, EngineError> {
        if let Some(s) = self.schema.lock().ok().and_then(|s| s.clone()) {
            return Ok(s);
        }
        let mut last = String::from("no URL");
        for (url, r) in self.http.probe_each("/openapi.json") {
            match r.map(|b| serde_json::from_slice::<Value>(&b)) {
                Ok(Ok(doc)) => {
                    let props = resolve_inputs(&doc).ok_or_else(|| {
                        self.permanent(format!("{url}/openapi.json has no Input schema"))
                    })?;
                    if let Ok(mut s) = self.schema.lock() {
                        *s = Some(props.clone());
                    }
                    return Ok(props);
                }
                Ok(Err(e)) => last = format!("{url}/openapi.json is not JSON: {e}"),
                Err(e) => last = format!("{url}/openapi.json: {e}"),
            }
        }
        Err(self.transient(last))
    }

    /// Status of each server's `/health-check`.
    pub fn health(&self) -> crate::engines::http::Health {
        let answers = self.http.probe_each("/health-check");
        let urls: Vec<(String, bool, String)> = answers
            .into_iter()
            .map(|(u, r)| match r {
                Ok(b) => {
                    let status = serde_json::from_slice::<Value>(&b)
                        .ok()
                        .and_then(|v| v["status"].as_str().map(String::from))
                        .unwrap_or_else(|| "unknown".into());
                    let ok = status == "READY" || status == "BUSY";
                    (u, ok, status)
                }
                Err(e) => (u, false, e),
            })
            .collect();
        let ok = urls.iter().any(|u| u.1);
        crate::engines::http::Health {
            name: self.http.name.clone(),
            ok,
            voices: 0,
            voices_from: String::new(),
            urls,
        }
    }

    /// The model's input for `req`, typed by the schema.
    fn input(
        &self,
        req: &MusicRequest,
        props: &Map<String, Value>,
    ) -> Result<(Map<String, Value>, f64), EngineError> {
        let mut input = Map::new();
        let prompt_key = if props.contains_key("prompt") {
            "prompt"
        } else {
            "prompt_a"
        };
        input.insert(prompt_key.into(), Value::String(req.prompt.clone()));
        let seconds = (req.duration_ms as f64 / 1000.0).ceil().max(1.0);
        if let Some(p) = props.get("duration") {
            input.insert(
                "duration".into(),
                typed(p, &seconds.to_string())
                    .map_err(|m| self.permanent(format!("duration: {m}")))?,
            );
        }
        if props.contains_key("seed") {
            input.insert("seed".into(), json!(req.seed));
        }
        if let (Some(m), true) = (&req.model, props.contains_key("model_version")) {
            input.insert("model_version".into(), Value::String(m.clone()));
        }
        if props.contains_key("output_format") && !req.params.contains_key("output_format") {
            input.insert("output_format".into(), Value::String("wav".into()));
        }
        for (k, v) in &req.params {
            let p = props
                .get(k)
                .ok_or_else(|| self.permanent(format!("the model has no parameter \"{k}\"")))?;
            input.insert(
                k.clone(),
                typed(p, v).map_err(|m| self.permanent(format!("{k}: {m}")))?,
            );
        }
        let mut context_s = 0.0;
        if let Some(c) = &req.continuation {
            if !props.contains_key("input_audio") || !props.contains_key("continuation") {
                return Err(self.permanent(
                    "this model cannot continue audio (it has no input_audio/continuation inputs)",
                ));
            }
            let clip = decode::decode_file(&c.path).map_err(|e| self.permanent(e.to_string()))?;
            let want = CONTINUATION_CONTEXT_S + f64::from(c.overlap_ms) / 1000.0;
            let frames = ((want * f64::from(clip.sample_rate_hz)) as usize).min(clip.frames());
            let ch = usize::from(clip.channels);
            let tail = Clip {
                sample_rate_hz: clip.sample_rate_hz,
                channels: clip.channels,
                samples: clip.samples[clip.samples.len() - frames * ch..].to_vec(),
            };
            context_s = frames as f64 / f64::from(clip.sample_rate_hz);
            input.insert(
                "input_audio".into(),
                Value::String(wav_data_uri(&tail).map_err(|e| self.permanent(e))?),
            );
            input.insert("continuation".into(), Value::Bool(true));
            // The tail sent is all context: continue from its start.
            if props.contains_key("continuation_start") {
                input.insert("continuation_start".into(), json!(0));
            }
        }
        Ok((input, context_s))
    }

    /// One prediction, waiting while the server is busy or not ready.
    fn predict(
        &self,
        id: &str,
        input: &Map<String, Value>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Value, EngineError> {
        let mut wait = BUSY_FIRST;
        for _ in 0..BUSY_TRIES {
            if cancelled() {
                return Err(self.transient("cancelled"));
            }
            let lease = self.http.pool.acquire();
            let url = lease.url.to_string();
            let endpoint = format!("{url}/predictions/{id}");
            let client = self.http.client.clone();
            let body = json!({ "input": input });
            let (tx, rx) = std::sync::mpsc::channel();
            let ep = endpoint.clone();
            std::thread::spawn(move || {
                let r = client.put(&ep).json(&body).send().and_then(|resp| {
                    let status = resp.status().as_u16();
                    resp.bytes().map(|b| (status, b.to_vec()))
                });
                let _ = tx.send(r);
            });
            // Wait for the answer, cancelling the prediction if asked to.
            let answer = loop {
                match rx.recv_timeout(Duration::from_millis(200)) {
                    Ok(r) => break r,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                        if cancelled() {
                            let _ = self.http.probe.post(format!("{endpoint}/cancel")).send();
                            self.http.pool.report(lease.index, true);
                            return Err(self.transient("cancelled"));
                        }
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                        return Err(self.transient(format!("{url}: the request thread ended")))
                    }
                }
            };
            let (status, bytes) = match answer {
                Ok(x) => x,
                Err(e) => {
                    self.http.pool.report(lease.index, false);
                    return Err(if e.is_connect() {
                        self.transient(format!(
                            "cannot connect to {url} (is the Cog server running?)"
                        ))
                    } else if e.is_timeout() {
                        self.transient(format!(
                            "{url} did not answer within {:.0} s",
                            self.http.timeout_s
                        ))
                    } else {
                        self.transient(format!("{url}: {e}"))
                    });
                }
            };
            self.http.pool.report(lease.index, true);
            drop(lease);
            let doc: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let message = doc["error"]
                .as_str()
                .map(String::from)
                .or_else(|| {
                    // FastAPI-style validation errors: {"detail": [{"loc": [...], "msg": "..."}]}.
                    doc["detail"].as_array().map(|d| {
                        d.iter()
                            .map(|e| {
                                format!(
                                    "{}: {}",
                                    e["loc"]
                                        .as_array()
                                        .and_then(|l| l.last())
                                        .and_then(Value::as_str)
                                        .unwrap_or("input"),
                                    e["msg"].as_str().unwrap_or("invalid")
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("; ")
                    })
                })
                .unwrap_or_else(|| crate::engines::http::server_message(&bytes));
            match status {
                200 | 201 => {
                    return match doc["status"].as_str() {
                        Some("succeeded") => Ok(doc["output"].clone()),
                        Some("failed") => {
                            Err(self.permanent(format!("the model failed: {message}")))
                        }
                        Some("canceled") => {
                            Err(self.transient("the prediction was cancelled on the server"))
                        }
                        other => {
                            Err(self
                                .permanent(format!("{url} answered an unknown status {other:?}")))
                        }
                    };
                }
                // Already running under this id (an earlier attempt): wait for it.
                202 | 409 | 503 => {
                    if status != 202 {
                        self.refuse_if_broken(&url)?;
                    }
                    tracing::info!(
                        "{}: {url} is busy or not ready ({status}); waiting {:?}",
                        self.http.name,
                        wait
                    );
                    let until = std::time::Instant::now() + wait;
                    while std::time::Instant::now() < until {
                        if cancelled() {
                            return Err(self.transient("cancelled"));
                        }
                        std::thread::sleep(Duration::from_millis(100));
                    }
                    wait = (wait * 2).min(BUSY_MAX);
                }
                422 => {
                    return Err(self.permanent(format!("the model refused the input: {message}")))
                }
                s if s >= 500 => {
                    return Err(self.transient(format!("{url} answered {s}: {message}")))
                }
                s => return Err(self.permanent(format!("{url} answered {s}: {message}"))),
            }
        }
        Err(self.transient(format!("the server stayed busy for {BUSY_TRIES} tries")))
    }

    /// Whether a server that answered 409 or 503 is worth waiting for, from
    /// its `/health-check`: `DEFUNCT` (an unrecoverable error) and
    /// `SETUP_FAILED` (`setup()` raised) are permanent errors; `UNHEALTHY`
    /// (its health check fails; coglet also reports it when its model
    /// process died, after which every prediction answers 409) is transient,
    /// so the step's retry policy decides. `READY`, `BUSY`, `STARTING` or no
    /// answer leave the caller waiting.
    fn refuse_if_broken(&self, url: &str) -> Result<(), EngineError> {
        let Ok(body) = self.http.probe(url, "/health-check") else {
            return Ok(());
        };
        let doc: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        match doc["status"].as_str() {
            Some(s @ ("DEFUNCT" | "SETUP_FAILED")) => Err(self.permanent(format!(
                "{url} reports {s}: the model cannot run until the Cog server is restarted"
            ))),
            Some("UNHEALTHY") => Err(self.transient(format!(
                "{url} reports UNHEALTHY: if its model process died, restart the Cog server"
            ))),
            _ => Ok(()),
        }
    }

    /// The audio bytes of a prediction's output.
    fn output_bytes(&self, output: &Value) -> Result<Vec<u8>, EngineError> {
        let s = match output {
            Value::String(s) => s.clone(),
            Value::Array(a) => a
                .iter()
                .find_map(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            Value::Object(o) => o
                .get("audio")
                .and_then(Value::as_str)
                .map(String::from)
                .unwrap_or_default(),
            _ => String::new(),
        };
        if let Some(rest) = s.strip_prefix("data:") {
            let (_, data) = rest
                .split_once(";base64,")
                .ok_or_else(|| self.permanent("the output is a data: URI without base64 data"))?;
            return base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .map_err(|e| self.permanent(format!("the output's base64 is broken: {e}")));
        }
        if s.starts_with("http://") || s.starts_with("https://") {
            let resp = self
                .http
                .client
                .get(&s)
                .send()
                .map_err(|e| self.transient(format!("{s}: {e}")))?;
            return resp
                .bytes()
                .map(|b| b.to_vec())
                .map_err(|e| self.transient(format!("{s}: {e}")));
        }
        Err(self.permanent(format!(
            "the model returned no audio (output: {})",
            truncate(&output.to_string())
        )))
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(200).collect()
}

/// A clip as a `data:audio/wav;base64,…` URI (16-bit PCM).
fn wav_data_uri(clip: &Clip) -> Result<String, String> {
    let mut cur = std::io::Cursor::new(Vec::new());
    {
        let spec = hound::WavSpec {
            channels: clip.channels,
            sample_rate: clip.sample_rate_hz,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::new(&mut cur, spec).map_err(|e| e.to_string())?;
        for s in &clip.samples {
            w.write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16)
                .map_err(|e| e.to_string())?;
        }
        w.finalize().map_err(|e| e.to_string())?;
    }
    Ok(format!(
        "data:audio/wav;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(cur.into_inner())
    ))
}

/// A stable prediction id for a take: the same take, the same id.
fn prediction_id(req: &MusicRequest) -> String {
    let key = format!(
        "{}\n{:?}\n{}\n{}\n{:?}\n{:?}",
        req.prompt,
        req.model,
        req.duration_ms,
        req.seed,
        req.params,
        req.continuation
            .as_ref()
            .map(|c| (&c.path, c.overlap_ms, c.crossfade))
    );
    format!("intone-{}", &blake3::hash(key.as_bytes()).to_hex()[..32])
}

impl MusicEngine for Cog {
    fn name(&self) -> &str {
        &self.http.name
    }

    fn info(&self) -> MusicEngineInfo {
        let health = self.health();
        let detail = health
            .urls
            .iter()
            .map(|(u, _, m)| format!("{u}: {m}"))
            .collect::<Vec<_>>()
            .join("; ");
        let (models, params, schema_problem) = match self.inputs() {
            Ok(props) => {
                let (models, params) = schema::models_and_params(&props);
                (models, params, None)
            }
            Err(e) => (vec![], vec![], Some(e.message)),
        };
        MusicEngineInfo {
            name: self.http.name.clone(),
            kind: "cog".into(),
            models,
            params,
            available: health.ok && schema_problem.is_none(),
            detail: schema_problem.map_or(detail.clone(), |p| format!("{detail}; {p}")),
        }
    }

    fn understood(&self, _prompt: &str) -> Vec<String> {
        Vec::new()
    }

    fn generate(
        &self,
        req: &MusicRequest,
        out: &Path,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(), EngineError> {
        let props = self.inputs()?;
        let (input, context_s) = self.input(req, &props)?;
        let output = self.predict(&prediction_id(req), &input, cancelled)?;
        let bytes = self.output_bytes(&output)?;
        let clip = decode::decode_bytes(bytes, Path::new("cog output"))
            .map_err(|e| self.permanent(format!("the model's audio cannot be decoded: {e}")))?;
        let clip = resample::resample(&clip.with_channels(2), req.sample_rate_hz)
            .map_err(|e| self.permanent(e.to_string()))?;
        // A continuation comes back as the context followed by the new music:
        // keep the overlap and what follows.
        let overlap_s = req
            .continuation
            .as_ref()
            .map_or(0.0, |c| f64::from(c.overlap_ms) / 1000.0);
        let skip = (((context_s - overlap_s).max(0.0)) * f64::from(req.sample_rate_hz)) as usize;
        // A continued take (crossfaded here) is the overlap plus the new
        // music; a scene's take (crossfaded by the caller) lasts the
        // duration, overlap included.
        let crossfaded = req.continuation.as_ref().is_some_and(|c| c.crossfade);
        let want = (req.duration_ms * u64::from(req.sample_rate_hz) / 1000) as usize
            + (overlap_s * f64::from(req.sample_rate_hz)) as usize * usize::from(crossfaded);
        let mut samples: Vec<f32> = clip
            .samples
            .iter()
            .skip(skip * 2)
            .take(want * 2)
            .copied()
            .collect();
        if samples.is_empty() {
            return Err(self.permanent("the model returned no audio after the part it was given"));
        }
        // Whole seconds from the model; the take is exact: pad with silence.
        samples.resize(want * 2, 0.0);
        // The overlap crossfades from the audio continued into the new music.
        if let Some(c) = req.continuation.as_ref().filter(|c| c.crossfade) {
            let mut o =
                super::continuation::Overlap::open(&c.path, c.overlap_ms, req.sample_rate_hz)
                    .map_err(|e| self.permanent(e.to_string()))?;
            o.apply(&mut samples);
        }
        // A short fade at the end so a cut never clicks.
        let fade = (0.02 * f64::from(req.sample_rate_hz)) as usize;
        let n = samples.len() / 2;
        for i in 0..fade.min(n) {
            let g = i as f32 / fade as f32;
            samples[(n - 1 - i) * 2] *= g;
            samples[(n - 1 - i) * 2 + 1] *= g;
        }
        let io = |e: crate::Error| EngineError {
            engine: self.http.name.clone(),
            kind: ErrorKind::Permanent,
            message: e.to_string(),
        };
        let mut w = WavBlockWriter::create(out, req.sample_rate_hz, 2).map_err(io)?;
        w.write(&samples).map_err(io)?;
        w.finish().map_err(io)
    }
}
