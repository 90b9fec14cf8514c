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

/// One command converter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandConfig {
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
        if !(self.timeout_s > 0.0 && self.timeout_s.is_finite()) {
            return Err(format!("converter \"{name}\": timeout_s must be positive"));
        }
        if !(1.0..=600.0).contains(&self.max_chunk_s) {
            return Err(format!(
                "converter \"{name}\": max_chunk_s must be between 1 and 600"
            ));
        }
        if self.concurrency == 0 || self.concurrency > 64 {
            return Err(format!(
                "converter \"{name}\": concurrency must be between 1 and 64"
            ));
        }
        Ok(())
    }
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConvertersFile {
    /// Converters by name.
    #[serde(default)]
    pub converters: BTreeMap<String, CommandConfig>,
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
        let f: Self = toml::from_str(&text)
            .map_err(|e| Error::Config(format!("{}: {}", path.display(), e.message())))?;
        for (name, c) in &f.converters {
            c.validate(name)
                .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        }
        Ok(f)
    }
}
