//! The gallery's operations on kept takes: collections, a take's recipe,
//! regenerating a take with another seed, and turning a take into a
//! variant's bed (`bed = "music:<prompt>"` takes are generated once, before
//! a speech batch is recorded, and found again by their settings).

use std::path::PathBuf;

use crate::audio::encode::{Delivery, Format};
use crate::engines::beds::BedSpec;
use crate::engines::music::analysis::Facts;
use crate::error::{Error, Result};
use crate::kinds::music::{MusicRecipe, TakesRequest, BED_TAKE_S};
use crate::kinds::speech::Plan;
use crate::store::{BatchStatus, JobKind};
use crate::studio::Studio;

/// What a piece of audio is, as the gallery shows a take: tempo, key,
/// loudness and length.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AudioFacts {
    /// Estimated tempo and key; `None` when none could be heard (silence,
    /// ambience, under 4 s).
    pub facts: Option<Facts>,
    /// The key as written ("D minor").
    pub key: Option<String>,
    /// Integrated loudness, LUFS (ITU-R BS.1770-4).
    pub loudness_lufs: f64,
    /// Length, ms.
    pub duration_ms: u64,
}

impl Studio {
    /// Estimates the tempo and key of any audio file the decoder reads
    /// (see [`crate::engines::music::analysis`]) and measures its loudness
    /// and length. The file is decoded whole.
    ///
    /// # Errors
    /// [`Error::Audio`] naming a file that cannot be decoded.
    pub fn analyze_audio(&self, path: &std::path::Path) -> Result<AudioFacts> {
        let clip = crate::audio::decode::decode_file(path)?;
        let facts = crate::engines::music::analysis::estimate_clip(&clip);
        let loudness = crate::audio::loudness::measure_clip(&clip)?;
        let frames = clip.samples.len() / usize::from(clip.channels.max(1));
        Ok(AudioFacts {
            key: facts.as_ref().map(Facts::key_name),
            facts,
            loudness_lufs: (loudness.integrated_lufs * 100.0).round() / 100.0,
            duration_ms: (frames as u64 * 1000) / u64::from(clip.sample_rate_hz.max(1)),
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
        let order = TakesRequest {
            prompt: r.prompt,
            engine: Some(r.engine),
            model: r.model,
            duration_s: f64::from(r.duration_ms) / 1000.0,
            takes: 1,
            seed: Some(seed.unwrap_or_else(|| r.seed.wrapping_add(1 + fastrand::u32(..1_000_000)))),
            params: r.params,
            collection: t.collection,
            delivery: Delivery {
                format: b.format.parse()?,
                sample_rate_hz: b.sample_rate_hz,
                bit_depth: b.bit_depth,
                target_lufs: Some(r.target_lufs),
                encode: b.encode.clone(),
            },
            project: Some(b.project),
            continue_from: r.continue_from,
            overlap_ms: r.overlap_ms,
            looped: r.looped,
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
            let order = TakesRequest {
                prompt: prompt.clone(),
                duration_s: BED_TAKE_S,
                seed: Some(1),
                collection: Some("Beds".into()),
                delivery: Delivery {
                    format: Format::Flac,
                    sample_rate_hz: plan.request.delivery.sample_rate_hz,
                    bit_depth: 24,
                    ..Delivery::default()
                },
                ..TakesRequest::default()
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
