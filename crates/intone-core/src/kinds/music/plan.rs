//! Music requests: a prompt × N takes → a `music` batch, one track per take
//! (each with its own seed). The gallery is the Library filtered to music,
//! with collections. A variant's `bed = "music:<prompt>"` is generated here
//! once and kept as a take, found again by its settings.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::engines::music::builtin::MAX_DURATION_S;
use crate::engines::music::prompt::{vocabulary, VocabWord};
use crate::engines::music::{MusicEngineInfo, DEFAULT_MUSIC_ENGINE};
use crate::error::{Error, Result};
use crate::kinds::delivery::Delivery;
use crate::kinds::music::MusicRecipe;
use crate::store::{JobKind, NewBatch, NewTrack};
use crate::studio::Studio;

/// Default loudness target of music takes, LUFS.
pub const DEFAULT_MUSIC_LUFS: f64 = -16.0;
/// Most takes one request makes.
pub const MAX_TAKES: u32 = 16;
/// Length of a bed generated for a `music:` variant, seconds (beds loop).
pub const BED_TAKE_S: f64 = 120.0;

/// A Generate click in the Music view (or `intone music`).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TakesRequest {
    /// What to make, in words.
    pub prompt: String,
    /// Music engine; `None` = the built-in composer.
    pub engine: Option<String>,
    /// The engine's model; `None` = its default.
    pub model: Option<String>,
    /// Length of each take, seconds (0.5 s to an hour).
    pub duration_s: f64,
    /// How many takes (1–16), each with its own seed.
    pub takes: u32,
    /// Seed of the first take (the next take adds 1…); `None` = random.
    pub seed: Option<u32>,
    /// Model parameters by name.
    pub params: BTreeMap<String, String>,
    /// Put the takes in this collection.
    pub collection: Option<String>,
    /// How its files are delivered.
    #[serde(flatten)]
    pub delivery: Delivery,
    /// Project name; `None` = "Music".
    pub project: Option<String>,
    /// Continue this audio file: each take is the file with new music joined
    /// onto its end.
    pub continue_from: Option<PathBuf>,
    /// Crossfade into the new music when continuing, ms.
    pub overlap_ms: u32,
    /// Make each take a seamless loop: the built-in composer rounds the
    /// length to whole bars of the prompt's tempo; a model's take is cut
    /// at whole bars of its estimated tempo.
    pub looped: bool,
}

impl Default for TakesRequest {
    fn default() -> Self {
        Self {
            delivery: Delivery::default(),
            prompt: String::new(),
            engine: None,
            model: None,
            duration_s: 30.0,
            takes: 1,
            seed: None,
            params: BTreeMap::new(),
            collection: None,
            project: None,
            continue_from: None,
            overlap_ms: 1500,
            looped: false,
        }
    }
}

/// A checked music request, ready to be recorded.
#[derive(Debug, Clone)]
pub struct MusicPlan {
    /// The engine (and model) as stored on the batch: `builtin`, `cog:large`.
    pub engine: String,
    /// The prompt words the engine understood.
    pub understood: Vec<String>,
    /// One track per take.
    pub tracks: Vec<NewTrack>,
    /// The request.
    pub request: TakesRequest,
}

/// What the Music view needs to draw its form.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MusicCatalog {
    /// Every music engine with its models and parameters.
    pub engines: Vec<MusicEngineInfo>,
    /// The built-in composer's vocabulary, for suggestions.
    pub vocabulary: Vec<VocabWord>,
}

/// Checks `value` against what the model says of parameter `p`.
///
/// # Errors
/// [`Error::Config`] naming the parameter, the value and what it allows.
pub(crate) fn check_param(p: &crate::engines::music::ParamInfo, value: &str) -> Result<()> {
    let bad = |what: String| {
        Err(Error::Config(format!(
            "{} must be {what}, not \"{value}\"",
            p.name
        )))
    };
    if !p.choices.is_empty() && !p.choices.iter().any(|c| c == value) {
        return bad(format!("one of {}", p.choices.join(", ")));
    }
    let range = match (p.minimum, p.maximum) {
        (Some(lo), Some(hi)) => format!(" from {lo} to {hi}"),
        (Some(lo), None) => format!(" of at least {lo}"),
        (None, Some(hi)) => format!(" of at most {hi}"),
        (None, None) => String::new(),
    };
    match p.kind.as_str() {
        "number" | "integer" => {
            let n = if p.kind == "integer" {
                value.trim().parse::<i64>().ok().map(|n| n as f64)
            } else {
                value.trim().parse::<f64>().ok().filter(|n| n.is_finite())
            };
            match n {
                Some(n)
                    if p.minimum.is_none_or(|lo| n >= lo) && p.maximum.is_none_or(|hi| n <= hi) =>
                {
                    Ok(())
                }
                _ => bad(format!(
                    "{}{range}",
                    if p.kind == "integer" {
                        "a whole number"
                    } else {
                        "a number"
                    }
                )),
            }
        }
        "boolean" if !["true", "false"].contains(&value) => bad("true or false".into()),
        _ => Ok(()),
    }
}

/// `seconds` rounded to whole bars (at least one) of the tempo and meter
/// the built-in composer reads in `prompt`, ms.
pub fn whole_bars_ms(prompt: &str, seconds: f64) -> u32 {
    let brief = crate::engines::music::prompt::read(prompt);
    let bar_s = 60.0 / f64::from(brief.tempo_bpm.clamp(40.0, 200.0))
        * f64::from(brief.beats_per_bar.max(1));
    let bars = (seconds / bar_s).round().max(1.0);
    (bars * bar_s * 1000.0).round() as u32
}

/// A music engine that can run now, with what it says of itself.
pub(crate) type ResolvedEngine = (
    String,
    std::sync::Arc<dyn crate::engines::music::MusicEngine>,
    MusicEngineInfo,
    Option<String>,
);

impl Studio {
    /// The music engine `name` (default: the built-in composer) and the
    /// model `model` of it (empty or `None`: its default), checked: it
    /// exists, it is available now, it has that model.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown engine; [`Error::Config`] for one
    /// that is not available or has no such model.
    pub(crate) fn music_engine(
        &self,
        name: Option<&str>,
        model: Option<&str>,
    ) -> Result<ResolvedEngine> {
        let name = name
            .filter(|e| !e.is_empty())
            .unwrap_or(DEFAULT_MUSIC_ENGINE)
            .to_string();
        let engine = self.pipeline().music().get(&name).ok_or_else(|| {
            Error::NotFound(format!("no music engine \"{name}\" (see `intone models`)"))
        })?;
        let info = engine.info();
        if !info.available {
            return Err(Error::Config(format!(
                "music engine \"{name}\" is not available: {}",
                info.detail
            )));
        }
        let model = model.filter(|m| !m.is_empty()).map(String::from);
        if let Some(m) = &model {
            if !info.models.is_empty() && !info.models.contains(m) {
                return Err(Error::Config(format!(
                    "music engine \"{name}\" has no model \"{m}\" (it has {})",
                    info.models.join(", ")
                )));
            }
        }
        Ok((name, engine, info, model))
    }

    /// The music engines and the composer's vocabulary.
    pub fn music_catalog(&self) -> MusicCatalog {
        MusicCatalog {
            engines: self
                .pipeline()
                .music()
                .all()
                .iter()
                .map(|e| e.info())
                .collect(),
            vocabulary: vocabulary(),
        }
    }

    /// Checks a music request without writing anything but the continued
    /// file (kept as an input).
    ///
    /// # Errors
    /// [`Error::Config`] naming the bad setting; [`Error::NotFound`] for an
    /// unknown engine.
    pub fn plan_music(&self, req: &TakesRequest) -> Result<MusicPlan> {
        let prompt = req.prompt.trim();
        if prompt.is_empty() {
            return Err(Error::Config(
                "the prompt is empty: say what to make (\"calm piano, slow, warm\")".into(),
            ));
        }
        if prompt.chars().count() > 1000 {
            return Err(Error::Config(
                "the prompt is longer than 1000 characters".into(),
            ));
        }
        if !(0.5..=MAX_DURATION_S).contains(&req.duration_s) {
            return Err(Error::Config(format!(
                "duration must be from 0.5 to {MAX_DURATION_S} seconds, not {}",
                req.duration_s
            )));
        }
        if !(1..=MAX_TAKES).contains(&req.takes) {
            return Err(Error::Config(format!(
                "takes must be 1–{MAX_TAKES}, not {}",
                req.takes
            )));
        }
        if req.overlap_ms > 10_000 {
            return Err(Error::Config("overlap must be at most 10000 ms".into()));
        }
        req.delivery.check()?;
        if req.looped && req.continue_from.is_some() {
            return Err(Error::Config(
                "a loop cannot continue a file: make the loop, or continue the file".into(),
            ));
        }
        let (name, engine, info, model) =
            self.music_engine(req.engine.as_deref(), req.model.as_deref())?;
        for (k, v) in &req.params {
            let Some(p) = info.params.iter().find(|p| &p.name == k) else {
                let known: Vec<&str> = info.params.iter().map(|p| p.name.as_str()).collect();
                return Err(Error::Config(format!(
                    "music engine \"{name}\" has no parameter \"{k}\" (it takes {})",
                    known.join(", ")
                )));
            };
            check_param(p, v)?;
        }
        let continue_from = match &req.continue_from {
            Some(p) => Some(PathBuf::from(self.keep_input(p)?.path)),
            None => None,
        };
        let understood = engine.understood(prompt);
        let first = req.seed.unwrap_or_else(|| fastrand::u32(..1_000_000));
        let stored_engine = match &model {
            Some(m) if info.models.first() != Some(m) => format!("{name}:{m}"),
            _ => name.clone(),
        };
        let collection = req
            .collection
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(String::from);
        let duration_ms = if req.looped && engine.loops() {
            whole_bars_ms(prompt, req.duration_s)
        } else {
            (req.duration_s * 1000.0).round() as u32
        };
        let mut tracks = Vec::new();
        for i in 0..req.takes {
            let seed = first.wrapping_add(i);
            let recipe = MusicRecipe {
                engine: name.clone(),
                model: model.clone(),
                prompt: prompt.to_string(),
                duration_ms,
                seed,
                params: req.params.clone(),
                target_lufs: req.delivery.target_or(DEFAULT_MUSIC_LUFS),
                understood: understood.clone(),
                continue_from: continue_from.clone(),
                overlap_ms: req.overlap_ms,
                looped: req.looped,
            };
            let recipe_json =
                serde_json::to_string(&recipe).map_err(|e| Error::Config(e.to_string()))?;
            let key = format!(
                "music\n{recipe_json}\n{}\n{}\n{}",
                req.delivery.encode.key(req.delivery.format),
                req.delivery.sample_rate_hz,
                req.delivery.bit_depth
            );
            tracks.push(NewTrack {
                title: prompt.to_string(),
                section: None,
                input_hash: None,
                source_key: Some(blake3::hash(key.as_bytes()).to_hex().to_string()),
                variant: format!("seed {seed}"),
                recipe_json,
                collection: collection.clone(),
            });
        }
        Ok(MusicPlan {
            engine: stored_engine,
            understood,
            tracks,
            request: req.clone(),
        })
    }

    /// Records a planned music batch (batch and every take, before any work).
    ///
    /// # Errors
    /// Store errors.
    pub fn create_music_batch(&self, plan: &MusicPlan) -> Result<i64> {
        let project = plan
            .request
            .project
            .clone()
            .unwrap_or_else(|| "Music".into());
        self.store().create_batch(&NewBatch {
            project: &project,
            kind: JobKind::Music,
            engine: &plan.engine,
            delivery: &plan.request.delivery,
            speech_check: false,
            scripts: &[],
            tracks: &plan.tracks,
        })
    }
}
