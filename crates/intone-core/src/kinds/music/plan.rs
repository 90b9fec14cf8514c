//! Music requests: a prompt × N takes → a `music` batch, one track per take
//! (each with its own seed). The gallery is the Library filtered to music,
//! with collections. A variant's `bed = "music:<prompt>"` is generated here
//! once and kept as a take, found again by its settings.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::audio::encode::{EncodeOptions, Format};
use crate::engines::beds::BedSpec;
use crate::engines::music::builtin::MAX_DURATION_S;
use crate::engines::music::prompt::{vocabulary, VocabWord};
use crate::engines::music::{MusicEngineInfo, DEFAULT_MUSIC_ENGINE};
use crate::error::{Error, Result};
use crate::kinds::delivery::DEFAULT_SAMPLE_RATE_HZ;
use crate::kinds::music::MusicRecipe;
use crate::kinds::speech::Plan;
use crate::store::{BatchStatus, JobKind, NewBatch, NewTrack};
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
pub struct MusicOrder {
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
    /// Output container.
    pub format: Format,
    /// Output sample rate (44 100 or 48 000 Hz).
    pub sample_rate_hz: u32,
    /// Output bit depth (16 or 24; WAV and FLAC).
    pub bit_depth: u16,
    /// MP3/Opus settings, artist and cover.
    #[serde(default)]
    pub encode: EncodeOptions,
    /// Loudness target, LUFS (−36 to −6).
    pub target_lufs: f64,
    /// Project name; `None` = "Music".
    pub project: Option<String>,
    /// Continue this audio file: each take is the file with new music joined
    /// onto its end.
    pub continue_from: Option<PathBuf>,
    /// Crossfade into the new music when continuing, ms.
    pub overlap_ms: u32,
}

impl Default for MusicOrder {
    fn default() -> Self {
        Self {
            prompt: String::new(),
            engine: None,
            model: None,
            duration_s: 30.0,
            takes: 1,
            seed: None,
            params: BTreeMap::new(),
            collection: None,
            format: Format::Wav,
            sample_rate_hz: DEFAULT_SAMPLE_RATE_HZ,
            bit_depth: 16,
            encode: EncodeOptions::default(),
            target_lufs: DEFAULT_MUSIC_LUFS,
            project: None,
            continue_from: None,
            overlap_ms: 1500,
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
    pub request: MusicOrder,
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
    pub fn plan_music(&self, req: &MusicOrder) -> Result<MusicPlan> {
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
        if !(-36.0..=-6.0).contains(&req.target_lufs) {
            return Err(Error::Config(format!(
                "loudness target must be −36 to −6 LUFS, not {}",
                req.target_lufs
            )));
        }
        if req.overlap_ms > 10_000 {
            return Err(Error::Config("overlap must be at most 10000 ms".into()));
        }
        crate::kinds::delivery::check_output(req.sample_rate_hz, req.bit_depth)?;
        req.encode.check()?;
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
        let mut tracks = Vec::new();
        for i in 0..req.takes {
            let seed = first.wrapping_add(i);
            let recipe = MusicRecipe {
                engine: name.clone(),
                model: model.clone(),
                prompt: prompt.to_string(),
                duration_ms: (req.duration_s * 1000.0).round() as u32,
                seed,
                params: req.params.clone(),
                target_lufs: req.target_lufs,
                understood: understood.clone(),
                continue_from: continue_from.clone(),
                overlap_ms: req.overlap_ms,
            };
            let recipe_json =
                serde_json::to_string(&recipe).map_err(|e| Error::Config(e.to_string()))?;
            let key = format!(
                "music\n{recipe_json}\n{}\n{}\n{}",
                req.encode.key(req.format),
                req.sample_rate_hz,
                req.bit_depth
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
            voice: &plan.engine,
            format: plan.request.format.extension(),
            sample_rate_hz: plan.request.sample_rate_hz,
            bit_depth: plan.request.bit_depth,
            encode: &plan.request.encode,
            speech_check: false,
            scripts: &[],
            tracks: &plan.tracks,
        })
    }

    /// Puts takes (any tracks) in a collection; `None` or an empty name takes
    /// them out.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown track.
    pub fn set_collection(&self, track_ids: &[i64], collection: Option<&str>) -> Result<()> {
        self.store().set_collection(track_ids, collection)
    }

    /// The recipe of take `track_id` (prompt, engine, model, every
    /// parameter, seed, words understood).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown track; [`Error::Config`] for a
    /// track that is not a music take.
    pub fn take_recipe(&self, track_id: i64) -> Result<MusicRecipe> {
        let t = self.store().track(track_id)?;
        if self.store().batch(t.batch_id)?.kind != JobKind::Music {
            return Err(Error::Config(format!(
                "track {track_id} is not a music take"
            )));
        }
        let (_, json) = self.store().track_inputs(track_id)?;
        serde_json::from_str(&json)
            .map_err(|e| Error::Config(format!("take {track_id}: bad recipe: {e}")))
    }

    /// A new take with the settings of take `track_id` and a new seed
    /// (`seed`, or a random one), in the same collection: a new `music`
    /// batch, recorded and returned (not yet run).
    ///
    /// # Errors
    /// As [`Self::take_recipe`] and [`Self::plan_music`].
    pub fn regenerate(&self, track_id: i64, seed: Option<u32>) -> Result<i64> {
        let r = self.take_recipe(track_id)?;
        let t = self.store().track(track_id)?;
        let b = self.store().batch(t.batch_id)?;
        let order = MusicOrder {
            prompt: r.prompt,
            engine: Some(r.engine),
            model: r.model,
            duration_s: f64::from(r.duration_ms) / 1000.0,
            takes: 1,
            seed: Some(seed.unwrap_or_else(|| r.seed.wrapping_add(1 + fastrand::u32(..1_000_000)))),
            params: r.params,
            collection: t.collection,
            format: b.format.parse()?,
            sample_rate_hz: b.sample_rate_hz,
            bit_depth: b.bit_depth,
            encode: b.encode.clone(),
            target_lufs: r.target_lufs,
            project: Some(b.project),
            continue_from: r.continue_from,
            overlap_ms: r.overlap_ms,
        };
        let plan = self.plan_music(&order)?;
        self.create_music_batch(&plan)
    }

    /// Writes a sleep variant whose bed is the completed take `track_id`:
    /// the built-in `sleep` recipe (slow pace, long fades, ducked bed) with
    /// `bed = "file:<the take>"`, as `variants/sleep-take-<id>.toml`. Returns
    /// its name, ready for the next speech batch.
    ///
    /// # Errors
    /// [`Error::Config`] for a take that is not completed; [`Error::Io`].
    pub fn variant_from_take(&self, track_id: i64) -> Result<String> {
        let t = self.store().track(track_id)?;
        let path = t
            .output_path
            .filter(|_| t.status == crate::store::TrackStatus::Completed)
            .ok_or_else(|| {
                Error::Config(format!(
                    "take {track_id} is not finished; use a completed take as a bed"
                ))
            })?;
        let mut v = crate::variants::builtins()
            .into_iter()
            .find(|v| v.name == "sleep")
            .ok_or_else(|| Error::Config("the built-in sleep variant is missing".into()))?;
        v.name = format!("sleep-take-{track_id}");
        v.description = format!(
            "Sleep over music take {track_id}: {}",
            t.title.replace('\n', " ")
        );
        v.bed = BedSpec::File(PathBuf::from(path));
        let text = toml::to_string_pretty(&v).map_err(|e| Error::Config(e.to_string()))?;
        let file = self.home().variants_dir().join(format!("{}.toml", v.name));
        crate::fsio::write_atomically(&file, text.as_bytes())?;
        Ok(v.name)
    }

    /// Turns every `music:<prompt>` bed of `plan`'s variants into the file of
    /// a take: the newest completed take made with the same settings, or a
    /// new one (a `music` batch of its own, run to completion now).
    ///
    /// # Errors
    /// [`Error::Config`] naming the variant whose bed could not be made.
    pub async fn prepare_beds(&self, plan: &mut Plan) -> Result<()> {
        for v in &mut plan.variants {
            let BedSpec::Music(prompt) = &v.bed else {
                continue;
            };
            let order = MusicOrder {
                prompt: prompt.clone(),
                duration_s: BED_TAKE_S,
                seed: Some(1),
                collection: Some("Beds".into()),
                format: Format::Flac,
                sample_rate_hz: plan.request.sample_rate_hz,
                bit_depth: 24,
                ..MusicOrder::default()
            };
            let bad = |e: Error| {
                Error::Config(format!(
                    "variant \"{}\": music bed \"{prompt}\": {e}",
                    v.name
                ))
            };
            let music = self.plan_music(&order).map_err(bad)?;
            let key = music.tracks[0].source_key.as_deref().unwrap_or_default();
            let path = match self.store().completed_by_source_key(key)? {
                Some(t) => t.output_path.unwrap_or_default(),
                None => {
                    let id = self.create_music_batch(&music)?;
                    let batch = self.run_batch(id).await?;
                    let track = self.store().tracks(id)?.into_iter().next();
                    match track {
                        Some(t) if batch.status == BatchStatus::Completed => {
                            t.output_path.unwrap_or_default()
                        }
                        t => {
                            return Err(bad(Error::Config(
                                t.and_then(|t| t.error)
                                    .unwrap_or_else(|| "it was not made".into()),
                            )))
                        }
                    }
                }
            };
            v.bed = BedSpec::File(PathBuf::from(path));
        }
        Ok(())
    }
}
