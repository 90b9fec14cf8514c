//! Converters: what turns a chunk of a recording into another voice or sound
//! (DESIGN.md, "conversion"). One module per converter behind [`Converter`],
//! like the speech engines:
//!
//! * [`builtin`] — pitch and formant shift with Signalsmith Stretch, offline,
//!   with named presets (`deeper`, `brighter`, …);
//! * [`command`] — the user's own program from `converters.toml`, run once
//!   per chunk with `{input}` and `{output}` in its argument list;
//! * [`rvc`] — an rvc-python API server with a voice model, over HTTP.
//!
//! Converters are blocking; the pipeline calls them from several worker
//! threads at once, up to [`Converter::concurrency`].

pub mod builtin;
pub mod command;
pub mod config;
pub mod rvc;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::EngineError;
use crate::error::{Error, Result};
use crate::home::Home;

/// A converter's settings by name, as the user gave them (`--set key=value`)
/// and as they are stored with a batch once defaults are filled in.
pub type Settings = BTreeMap<String, String>;

/// One setting a converter takes.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingInfo {
    /// Name (`preset`, `pitch_semitones`).
    pub name: String,
    /// What it does, for the user.
    pub description: String,
    /// Value used when none is given.
    pub default: String,
    /// The values it takes, when it is a choice.
    pub choices: Vec<String>,
    /// Smallest value, when it is a number.
    pub min: Option<f64>,
    /// Largest value, when it is a number.
    pub max: Option<f64>,
}

/// What `intone converters` and the Convert view show of a converter.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConverterInfo {
    /// Name used to pick it (`builtin`, or its name in `converters.toml`).
    pub id: String,
    /// `builtin`, `command` or `rvc`.
    pub kind: String,
    /// What it does.
    pub description: String,
    /// Its settings.
    pub settings: Vec<SettingInfo>,
    /// Longest chunk it is given, ms.
    pub max_chunk_ms: f64,
    /// Chunks it converts at once.
    pub concurrency: u32,
    /// Whether it can run now.
    pub available: bool,
    /// Why not, when it cannot.
    pub reason: Option<String>,
}

/// A converter.
pub trait Converter: Send + Sync {
    /// Its name.
    fn id(&self) -> &str;
    /// What it is, takes, and whether it can run now.
    fn info(&self) -> ConverterInfo;
    /// Checks `given` against its settings and fills in the defaults.
    ///
    /// # Errors
    /// [`Error::Config`] naming the unknown setting or bad value.
    fn resolve(&self, given: &Settings) -> Result<Settings> {
        resolve_with(self.id(), &self.info().settings, given)
    }
    /// A short name for a track's recipe (`builtin · deeper`).
    fn label(&self, settings: &Settings) -> String {
        match settings.get("preset") {
            Some(p) => format!("{} · {p}", self.id()),
            None => self.id().to_string(),
        }
    }
    /// Everything besides its settings that changes its output (version,
    /// the command line), for the chunk keys.
    fn cache_salt(&self) -> String;
    /// Converts the audio file `input` (f32 WAV) into `output` (any format
    /// Intone decodes). `output` is a temporary path; the caller commits it.
    ///
    /// # Errors
    /// [`EngineError`], classified transient (worth retrying) or permanent.
    fn convert(&self, input: &Path, output: &Path, settings: &Settings) -> Result<(), EngineError>;
}

/// Checks `given` against `specs` and fills in defaults.
///
/// # Errors
/// [`Error::Config`] naming the converter and the setting.
pub fn resolve_with(id: &str, specs: &[SettingInfo], given: &Settings) -> Result<Settings> {
    for k in given.keys() {
        if !specs.iter().any(|s| &s.name == k) {
            return Err(Error::Config(format!(
                "converter \"{id}\" has no setting \"{k}\" (it takes: {})",
                if specs.is_empty() {
                    "none".to_string()
                } else {
                    specs
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            )));
        }
    }
    let mut out = Settings::new();
    for s in specs {
        let v = given
            .get(&s.name)
            .cloned()
            .unwrap_or_else(|| s.default.clone());
        if !s.choices.is_empty() && !s.choices.contains(&v) {
            return Err(Error::Config(format!(
                "converter \"{id}\": {} must be one of {} (got \"{v}\")",
                s.name,
                s.choices.join(", ")
            )));
        }
        if s.min.is_some() || s.max.is_some() {
            let x: f64 = v.trim().parse().map_err(|_| {
                Error::Config(format!(
                    "converter \"{id}\": {} must be a number (got \"{v}\")",
                    s.name
                ))
            })?;
            let (lo, hi) = (s.min.unwrap_or(f64::MIN), s.max.unwrap_or(f64::MAX));
            if !(lo..=hi).contains(&x) {
                return Err(Error::Config(format!(
                    "converter \"{id}\": {} must be between {lo} and {hi} (got {x})",
                    s.name
                )));
            }
        }
        out.insert(s.name.clone(), v);
    }
    Ok(out)
}

/// The converters this process knows, by name.
#[derive(Clone, Default)]
pub struct ConverterRegistry {
    converters: BTreeMap<String, Arc<dyn Converter>>,
    /// Problems met while loading `converters.toml` (shown to the user).
    pub warnings: Vec<String>,
}

/// The converter used when none is named.
pub const DEFAULT_CONVERTER: &str = "builtin";

impl ConverterRegistry {
    /// The built-in converter and the user's from `converters.toml`.
    pub fn load(home: &Home) -> Self {
        let mut r = Self::default();
        r.add(Arc::new(builtin::BuiltinConverter));
        match config::ConvertersFile::load(&home.converters_path()) {
            Ok(file) => {
                for (name, cfg) in file.converters {
                    if name == DEFAULT_CONVERTER {
                        r.warnings.push(format!(
                            "{}: \"{name}\" is the built-in converter's name; pick another",
                            home.converters_path().display()
                        ));
                        continue;
                    }
                    match cfg {
                        config::ConverterConfig::Command(c) => {
                            r.add(Arc::new(command::CommandConverter::new(name, c)));
                        }
                        config::ConverterConfig::Rvc(c) => match rvc::RvcConverter::new(name, c) {
                            Ok(c) => r.add(Arc::new(c)),
                            Err(e) => r.warnings.push(e.to_string()),
                        },
                    }
                }
            }
            Err(e) => r.warnings.push(e.to_string()),
        }
        r
    }

    /// Adds (or replaces) a converter.
    pub fn add(&mut self, c: Arc<dyn Converter>) {
        self.converters.insert(c.id().to_string(), c);
    }

    /// Every converter's description.
    pub fn infos(&self) -> Vec<ConverterInfo> {
        self.converters.values().map(|c| c.info()).collect()
    }

    /// The converter named `id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] naming it and the known ones.
    pub fn get(&self, id: &str) -> Result<Arc<dyn Converter>> {
        self.converters.get(id).cloned().ok_or_else(|| {
            Error::NotFound(format!(
                "unknown converter \"{id}\" (converters: {}; add your own in converters.toml)",
                self.converters
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }
}
