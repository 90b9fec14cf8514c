//! `$INTONE_HOME/engines.toml`: the HTTP speech engines the user configured.
//!
//! ```toml
//! [engines.kokoro]
//! kind = "openai"                       # or "chatterbox", or "cog" (a music model)
//! urls = ["http://127.0.0.1:8880"]      # several = a pool, round-robin over healthy ones
//! model = "kokoro"                      # openai: the `model` field sent
//! voices = ["af_heart", "am_adam"]      # used when the server cannot list its voices
//! concurrency = 1                       # requests at once per URL (GPU servers serialize)
//! timeout_s = 120.0                     # per request
//! max_chars = 400                       # longest text per request (chatterbox: 50–500)
//! allow_remote = false                  # a non-loopback URL needs this to be true
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsio;

/// Protocol an engine speaks.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `POST /v1/audio/speech` (OpenAI's API, copied by many local servers).
    Openai,
    /// Chatterbox-TTS-Server's `POST /tts`.
    Chatterbox,
    /// A Cog server (`PUT /predictions/{id}`) with a music model: a music
    /// engine, not a voice.
    Cog,
}

impl std::str::FromStr for Kind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "openai" => Ok(Self::Openai),
            "chatterbox" => Ok(Self::Chatterbox),
            "cog" => Ok(Self::Cog),
            o => Err(Error::Config(format!(
                "unknown engine kind \"{o}\" (use openai, chatterbox or cog)"
            ))),
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Openai => "openai",
            Self::Chatterbox => "chatterbox",
            Self::Cog => "cog",
        })
    }
}

/// One configured engine instance.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    /// Protocol.
    pub kind: Kind,
    /// Base URLs of the servers (a pool).
    pub urls: Vec<String>,
    /// `model` sent to OpenAI-compatible servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Voices to offer when the server cannot list them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub voices: Vec<String>,
    /// Requests at once per URL.
    #[serde(default = "one")]
    pub concurrency: usize,
    /// Per-request timeout, seconds.
    #[serde(default = "timeout")]
    pub timeout_s: f64,
    /// Longest text per request, characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_chars: Option<usize>,
    /// Whether non-loopback URLs are allowed.
    #[serde(default)]
    pub allow_remote: bool,
    /// Chatterbox generation parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chatterbox: Option<ChatterboxParams>,
}

fn one() -> usize {
    1
}
fn timeout() -> f64 {
    120.0
}

/// Chatterbox's generation parameters (server defaults when absent).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatterboxParams {
    /// Randomness, 0.0–1.5.
    pub temperature: f64,
    /// Expressiveness, 0.5–3.0 (below 0.5 is calmer… the server clamps at 0.5).
    pub exaggeration: f64,
    /// Classifier-free guidance weight, 0.2–1.0.
    pub cfg_weight: f64,
    /// Fixed seed for every chunk, so the voice does not drift between chunks.
    pub seed: u64,
    /// Language code sent with each request.
    pub language: String,
}

impl Default for ChatterboxParams {
    fn default() -> Self {
        Self {
            temperature: 0.5,
            exaggeration: 0.5,
            cfg_weight: 0.5,
            seed: 1234,
            language: "en".into(),
        }
    }
}

/// The whole file.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EnginesFile {
    /// Engines by name (the prefix of their voice ids).
    #[serde(default)]
    pub engines: BTreeMap<String, EngineConfig>,
}

/// Names the built-in engines use.
pub const RESERVED: &[&str] = &["espeak", "piper", "builtin"];

/// Whether `url` is plain HTTP on a loopback host.
pub fn is_loopback(url: &str) -> bool {
    let Ok(u) = reqwest::Url::parse(url) else {
        return false;
    };
    match u.host_str() {
        Some("localhost") => true,
        Some(h) => h
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

impl EngineConfig {
    /// Checks the URLs and ranges.
    ///
    /// # Errors
    /// [`Error::Config`] naming the engine and the problem.
    pub fn validate(&self, name: &str) -> Result<()> {
        let bad = |m: String| Err(Error::Config(format!("engine \"{name}\": {m}")));
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return bad("names use letters, digits, - and _".into());
        }
        if RESERVED.contains(&name) {
            return bad("this name belongs to a built-in engine".into());
        }
        if self.urls.is_empty() {
            return bad("needs at least one --url".into());
        }
        for u in &self.urls {
            let parsed = reqwest::Url::parse(u)
                .map_err(|e| Error::Config(format!("engine \"{name}\": bad URL {u}: {e}")))?;
            if parsed.scheme() != "http" {
                return bad(format!(
                    "{u}: only http:// URLs are supported (local servers)"
                ));
            }
            if !self.allow_remote && !is_loopback(u) {
                return bad(format!(
                    "{u} is not on this machine; Intone is offline-first, so allow it explicitly with --allow-remote"
                ));
            }
        }
        if self.concurrency == 0 || self.concurrency > 64 {
            return bad("concurrency must be 1–64".into());
        }
        if !(1.0..=3600.0).contains(&self.timeout_s) {
            return bad("timeout_s must be 1–3600".into());
        }
        if let Some(m) = self.max_chars {
            let (lo, hi) = if self.kind == Kind::Chatterbox {
                (50, 500)
            } else {
                (20, 4096)
            };
            if !(lo..=hi).contains(&m) {
                return bad(format!("max_chars must be {lo}–{hi}"));
            }
        }
        Ok(())
    }
}

impl EnginesFile {
    /// Reads `path`; a missing file is an empty configuration.
    ///
    /// # Errors
    /// [`Error::Config`] naming the file for TOML or validation errors.
    pub fn load(path: &Path) -> Result<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(Error::io(path, e)),
        };
        let f: Self = toml::from_str(&text)
            .map_err(|e| Error::Config(format!("{}: {}", path.display(), e.message())))?;
        for (name, e) in &f.engines {
            e.validate(name)
                .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        }
        Ok(f)
    }

    /// Writes `path` atomically.
    ///
    /// # Errors
    /// [`Error::Io`].
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = toml::to_string_pretty(self).map_err(|e| Error::Config(e.to_string()))?;
        fsio::write_atomically(path, text.as_bytes())
    }
}
