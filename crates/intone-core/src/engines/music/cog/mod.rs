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
//!
//! The parts: `schema` reads the OpenAPI schema, `input` builds a take's
//! input, `predict` runs the prediction (waiting, backing off, cancelling),
//! `output` makes its output into the take, and `clips` chains a
//! fixed-length model's clips (Riffusion) into a take of any length.

use std::path::Path;
use std::sync::Mutex;

use serde_json::{Map, Value};

mod clips;
mod input;
mod output;
mod predict;
mod schema;

use super::{MusicEngine, MusicEngineInfo, MusicRequest};
use crate::engines::http::config::EngineConfig;
use crate::engines::http::Http;
use crate::engines::EngineError;
pub use clips::spectrograms_dir;
use schema::resolve_inputs;

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

    /// A transient error (worth retrying) from this engine.
    fn transient(&self, m: impl Into<String>) -> EngineError {
        EngineError::transient(&self.http.name, m)
    }

    /// A permanent error (retrying cannot help) from this engine.
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
        if clips::chains_clips(&props) {
            return self.chain(req, &props, out, cancelled);
        }
        let (input, context_s) = self.input(req, &props)?;
        let output = self.predict(&predict::prediction_id(req), &input, cancelled)?;
        let bytes = self.output_bytes(&output)?;
        let samples = self.take(bytes, req, context_s)?;
        self.write_wav(out, req.sample_rate_hz, &samples)
    }
}
