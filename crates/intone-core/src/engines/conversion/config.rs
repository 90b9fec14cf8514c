//! `$INTONE_HOME/converters.toml`: the user's own converter programs.
//!
//! ```toml
//! [converters.lower]
//! command = ["sox", "{input}", "{output}", "pitch", "{cents}"]
//! settings = { cents = "-300" }   # defaults of the {placeholders} besides input/output
//! description = "sox pitch shift"
//! timeout_s = 120.0               # per chunk
//! concurrency = 2                 # chunks at once
//! max_chunk_s = 30.0              # longest chunk it is given
//!
//! [converters.myvoice]            # an rvc-python API server (`python -m rvc_python api`)
//! kind = "rvc"
//! urls = ["http://127.0.0.1:5050"]  # several = a pool
//! model = "myvoice"                 # loaded on each server before the first chunk
//! settings = { f0up_key = "0", f0method = "rmvpe", index_rate = "0.5", protect = "0.33" }
//! allow_remote = false              # a non-loopback URL needs this to be true
//!
//! [converters.applio]
//! command = ["python", "core.py", "infer", "--input-path", "{input}",
//!            "--output-path", "{output}", "--pth-path", "me.pth"]
//! timeout_s = 600.0
//! ```
//!
//! The command is run directly (never through a shell), once per chunk, with
//! `{input}` replaced by the chunk (an f32 WAV) and `{output}` by where the
//! converted audio must be written (a `.wav` path; any format Intone decodes
//! is accepted there).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One configured converter: a program, or an RVC server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ConverterConfig {
    /// `kind = "rvc"`: an rvc-python API server.
    Rvc(RvcConfig),
    /// A program (`command = [...]`; `kind = "command"` may be written).
    Command(CommandConfig),
}

/// The `kind` of an RVC converter (the only value is `rvc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RvcKind {
    /// rvc-python's API server.
    Rvc,
}

/// The `kind` of a command converter (optional; the only value is `command`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommandKind {
    /// A program.
    Command,
}

/// An rvc-python API server converter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RvcConfig {
    /// Always `rvc`.
    pub kind: RvcKind,
    /// Base URLs of the servers (a pool).
    pub urls: Vec<String>,
    /// The model to load (`POST /models/{model}`).
    pub model: String,
    /// Defaults of its settings (`f0up_key`, `f0method`, `index_rate`, `protect`).
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
    /// Shown in `intone converters`.
    #[serde(default)]
    pub description: Option<String>,
    /// Longest a chunk may take, seconds.
    #[serde(default = "timeout")]
    pub timeout_s: f64,
    /// Chunks at once per server (GPU servers serialize: 1).
    #[serde(default = "one")]
    pub concurrency: u32,
    /// Longest chunk, seconds.
    #[serde(default = "max_chunk")]
    pub max_chunk_s: f64,
    /// Whether non-loopback URLs are allowed.
    #[serde(default)]
    pub allow_remote: bool,
}

impl RvcConfig {
    fn validate(&self, name: &str) -> std::result::Result<(), String> {
        if self.urls.is_empty() {
            return Err(format!("converter \"{name}\": urls is empty"));
        }
        for u in &self.urls {
            if reqwest::Url::parse(u).is_err() {
                return Err(format!("converter \"{name}\": {u} is not a URL"));
            }
            if !self.allow_remote && !crate::engines::http::config::is_loopback(u) {
                return Err(format!(
                    "converter \"{name}\": {u} is not on this machine (set allow_remote = true to use it)"
                ));
            }
        }
        if self.model.trim().is_empty() {
            return Err(format!("converter \"{name}\": model is empty"));
        }
        limits(name, self.timeout_s, self.max_chunk_s, self.concurrency)
    }
}

fn limits(
    name: &str,
    timeout_s: f64,
    max_chunk_s: f64,
    concurrency: u32,
) -> std::result::Result<(), String> {
    if !(timeout_s > 0.0 && timeout_s.is_finite()) {
        return Err(format!("converter \"{name}\": timeout_s must be positive"));
    }
    if !(1.0..=600.0).contains(&max_chunk_s) {
        return Err(format!(
            "converter \"{name}\": max_chunk_s must be between 1 and 600"
        ));
    }
    if concurrency == 0 || concurrency > 64 {
        return Err(format!(
            "converter \"{name}\": concurrency must be between 1 and 64"
        ));
    }
    Ok(())
}

/// One command converter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandConfig {
    /// `command` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<CommandKind>,
    /// Program and arguments, with `{input}`, `{output}` and `{setting}` placeholders.
    pub command: Vec<String>,
    /// Default values of the other placeholders.
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
    /// Shown in `intone converters`.
    #[serde(default)]
    pub description: Option<String>,
    /// Longest a chunk may take, seconds.
    #[serde(default = "timeout")]
    pub timeout_s: f64,
    /// Chunks converted at once.
    #[serde(default = "one")]
    pub concurrency: u32,
    /// Longest chunk, seconds.
    #[serde(default = "max_chunk")]
    pub max_chunk_s: f64,
}

fn timeout() -> f64 {
    300.0
}
fn one() -> u32 {
    1
}
fn max_chunk() -> f64 {
    30.0
}

impl CommandConfig {
    fn validate(&self, name: &str) -> std::result::Result<(), String> {
        if self.command.is_empty() || self.command[0].trim().is_empty() {
            return Err(format!("converter \"{name}\": command is empty"));
        }
        let joined = self.command.join(" ");
        for p in ["{input}", "{output}"] {
            if !joined.contains(p) {
                return Err(format!("converter \"{name}\": command has no {p}"));
            }
        }
        limits(name, self.timeout_s, self.max_chunk_s, self.concurrency)
    }
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConvertersFile {
    /// Converters by name.
    #[serde(default)]
    pub converters: BTreeMap<String, ConverterConfig>,
}

impl ConvertersFile {
    /// Reads `path`; a missing file is an empty configuration.
    ///
    /// # Errors
    /// [`Error::Config`] naming the file and the problem.
    pub fn load(path: &Path) -> Result<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(Error::io(path, e)),
        };
        let f: Self = toml::from_str(&text).map_err(|e| {
            let m = e.message();
            let m = if m.contains("did not match any variant") {
                "a converter needs either command = [...] (a program) or kind = \"rvc\" with urls and model (an RVC server), and nothing else"
            } else {
                m
            };
            Error::Config(format!("{}: {m}", path.display()))
        })?;
        for (name, c) in &f.converters {
            match c {
                ConverterConfig::Command(c) => c.validate(name),
                ConverterConfig::Rvc(c) => c.validate(name),
            }
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        }
        Ok(f)
    }
}
