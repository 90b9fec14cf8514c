//! One prediction: `PUT /predictions/{id}` under an id derived from the
//! take, waiting (backing off 1 s → 10 s, at most 60 tries) while the
//! server is busy (409), not ready (503) or already running that id (202),
//! cancelling it on the server when the batch is cancelled, and reading the
//! answer as the prediction's output or an error classified transient or
//! permanent.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::Cog;
use crate::engines::music::MusicRequest;
use crate::engines::EngineError;

/// Busy/not-ready tries and their backoff (the original system's policy).
const BUSY_TRIES: u32 = 60;
const BUSY_FIRST: Duration = Duration::from_secs(1);
const BUSY_MAX: Duration = Duration::from_secs(10);

/// A stable prediction id for a take: the same take, the same id
/// (`intone-` and 32 hex digits of a BLAKE3 hash of the request).
pub(super) fn prediction_id(req: &MusicRequest) -> String {
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

impl Cog {
    /// One prediction, waiting while the server is busy or not ready: the
    /// `output` of a prediction that succeeded.
    pub(super) fn predict(
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
            let (url, status, bytes) = self.put(id, input, cancelled)?;
            let doc: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let message = error_message(&doc, &bytes);
            match status {
                200 | 201 => return self.outcome(&url, &doc, &message),
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
                    self.back_off(wait, cancelled)?;
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

    /// PUTs the prediction to a server of the pool (on a thread of its own,
    /// so a cancel can be sent while it runs): (the server's URL, the
    /// answer's status, its body). Records the server's health in the pool.
    fn put(
        &self,
        id: &str,
        input: &Map<String, Value>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(String, u16, Vec<u8>), EngineError> {
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
        Ok((url, status, bytes))
    }

    /// The outcome of a prediction `url` answered 200 or 201 with `doc`:
    /// its `output` when it succeeded, else why not.
    fn outcome(&self, url: &str, doc: &Value, message: &str) -> Result<Value, EngineError> {
        match doc["status"].as_str() {
            Some("succeeded") => Ok(doc["output"].clone()),
            Some("failed") => Err(self.permanent(format!("the model failed: {message}"))),
            Some("canceled") => Err(self.transient("the prediction was cancelled on the server")),
            other => Err(self.permanent(format!("{url} answered an unknown status {other:?}"))),
        }
    }

    /// Waits `wait`, checking every 100 ms whether the batch was cancelled.
    fn back_off(&self, wait: Duration, cancelled: &dyn Fn() -> bool) -> Result<(), EngineError> {
        let until = std::time::Instant::now() + wait;
        while std::time::Instant::now() < until {
            if cancelled() {
                return Err(self.transient("cancelled"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
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
}

/// What an answer says went wrong: its `error`, FastAPI-style validation
/// errors (`{"detail": [{"loc": [...], "msg": "..."}]}`) as `field: msg`
/// joined by `; `, or else the server's message in `bytes`.
fn error_message(doc: &Value, bytes: &[u8]) -> String {
    doc["error"]
        .as_str()
        .map(String::from)
        .or_else(|| {
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
        .unwrap_or_else(|| crate::engines::http::server_message(bytes))
}
