//! Conversion requests: audio files × a converter → a `conversion` batch.
//! Each file is checked and kept as an input first; a file that cannot be
//! used is reported by name and the others go on. The same content with the
//! same settings is never converted twice: it is reported as already
//! converted, with its result, unless the request forces a redo.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::audio::encode::Delivery;
use crate::audio::encode::{EncodeOptions, Format};
use crate::audio::silence::ChunkLimits;
use crate::engines::conversion::{ConverterInfo, Settings, DEFAULT_CONVERTER};
use crate::error::{Error, Result};
use crate::kinds::conversion::ConversionRecipe;
use crate::kinds::delivery::{recipe_json, DEFAULT_SAMPLE_RATE_HZ};
use crate::store::{InputRow, JobKind, NewBatch, NewTrack};
use crate::studio::Studio;

/// Default loudness target of converted recordings, LUFS (spoken word).
pub const DEFAULT_CONVERT_LUFS: f64 = -16.0;

/// A Convert click.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConvertRequest {
    /// Audio files.
    pub files: Vec<PathBuf>,
    /// Converter name; `None` = the built-in one.
    pub converter: Option<String>,
    /// Converter settings (`preset = deeper`); missing ones take defaults.
    pub settings: Settings,
    /// How its files are delivered.
    #[serde(flatten)]
    pub delivery: Delivery,
    /// Longest chunk, seconds; `None` = the converter's limit.
    pub max_chunk_s: Option<f64>,
    /// Project name; `None` = "Conversions".
    pub project: Option<String>,
    /// Convert again even what was converted before with the same settings.
    pub force: bool,
}

/// A file of the request that was converted (or transcribed) before with the
/// same settings.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlreadyConverted {
    /// The file as given.
    pub file: String,
    /// The batch that converted it.
    pub batch_id: i64,
    /// The track holding the result.
    pub track_id: i64,
    /// The result.
    pub output_path: String,
}

/// A checked Convert request, ready to be recorded.
#[derive(Debug, Clone)]
pub struct ConvertPlan {
    /// Converter name.
    pub converter: String,
    /// Tracks to record, one per usable new file.
    pub tracks: Vec<NewTrack>,
    /// Files converted before with the same settings.
    pub already: Vec<AlreadyConverted>,
    /// Files that cannot be converted, one line each naming the file.
    pub rejected: Vec<String>,
    /// The request.
    pub request: ConvertRequest,
}

/// Converters and their settings.
impl Studio {
    /// Every converter, with its settings and whether it can run now.
    pub fn converters(&self) -> Vec<ConverterInfo> {
        self.pipeline().converters().infos()
    }

    /// Problems with `converters.toml`, for the user.
    pub fn converter_warnings(&self) -> Vec<String> {
        self.pipeline().converters().warnings
    }

    /// Checks a Convert request. Usable files are kept as inputs (stored
    /// once by content); nothing else is written.
    ///
    /// # Errors
    /// One clear error for a bad converter, setting or output option.
    /// Unusable files are not errors: they are listed in
    /// [`ConvertPlan::rejected`].
    pub fn plan_conversion(&self, req: &ConvertRequest) -> Result<ConvertPlan> {
        if req.files.is_empty() {
            return Err(Error::Config("no audio file given".into()));
        }
        req.delivery.check()?;
        let name = req
            .converter
            .clone()
            .unwrap_or_else(|| DEFAULT_CONVERTER.into());
        let converter = self.pipeline().converters().get(&name)?;
        let info = converter.info();
        if !info.available {
            return Err(Error::NotFound(format!(
                "converter \"{name}\" cannot run: {}",
                info.reason.unwrap_or_default()
            )));
        }
        let settings = converter.resolve(&req.settings)?;
        let max_ms = match req.max_chunk_s {
            Some(s) if !(1.0..=600.0).contains(&s) => {
                return Err(Error::Config(format!(
                    "longest chunk {s} s is out of range (1 to 600 s)"
                )))
            }
            Some(s) => (s * 1000.0).min(info.max_chunk_ms),
            None => info.max_chunk_ms,
        };
        let limits = ChunkLimits {
            max_ms,
            min_ms: ChunkLimits::default().min_ms.min(max_ms / 2.0),
            ..ChunkLimits::default()
        };
        let label = converter.label(&settings);
        let salt = converter.cache_salt();
        let files = self.plan_files(&req.files, req.force, &label, |input| {
            let recipe = ConversionRecipe {
                input_path: PathBuf::from(&input.path),
                input_hash: input.hash.clone(),
                converter: name.clone(),
                settings: settings.clone(),
                limits,
                target_lufs: req.delivery.target_or(DEFAULT_CONVERT_LUFS),
                ceiling_dbtp: -1.0,
            };
            let key = source_key(&recipe, &salt, req);
            Ok((recipe_json(&recipe)?, key))
        })?;
        let plan = ConvertPlan {
            converter: name.clone(),
            tracks: files.tracks,
            already: files.already,
            rejected: files.rejected,
            request: req.clone(),
        };
        Ok(plan)
    }

    /// Records a planned conversion batch (before any work). `None` when
    /// the plan has nothing new to convert.
    ///
    /// # Errors
    /// Store errors.
    pub fn create_conversion_batch(&self, plan: &ConvertPlan) -> Result<Option<i64>> {
        self.create_files_batch(
            JobKind::Conversion,
            plan.request.project.as_deref().unwrap_or("Conversions"),
            &plan.converter,
            &plan.request.delivery,
            &plan.tracks,
        )
    }

    /// Records a batch of tracks made from input files (conversion,
    /// transcription) before any work; `None` when there is nothing new.
    ///
    /// # Errors
    /// Store errors.
    pub(crate) fn create_files_batch(
        &self,
        kind: JobKind,
        project: &str,
        engine: &str,
        delivery: &Delivery,
        tracks: &[NewTrack],
    ) -> Result<Option<i64>> {
        if tracks.is_empty() {
            return Ok(None);
        }
        self.store()
            .create_batch(&NewBatch {
                project,
                kind,
                engine,
                delivery,
                speech_check: false,
                scripts: &[],
                tracks,
            })
            .map(Some)
    }

    /// Reloads `converters.toml` (after the user edited it).
    pub fn reload_converters(&self) {
        self.pipeline().reload_converters();
    }

    /// One track per usable file, for the kinds whose track is an input
    /// file: each file is kept as an input (stored once by content), `make`
    /// gives its (recipe JSON, source key); a file done before with the same
    /// key is listed as already done (unless `force`), a file given twice
    /// or unusable is rejected with a line naming it.
    ///
    /// # Errors
    /// Store errors and `make`'s.
    pub(crate) fn plan_files(
        &self,
        files: &[PathBuf],
        force: bool,
        variant: &str,
        make: impl Fn(&InputRow) -> Result<(String, String)>,
    ) -> Result<PlannedFiles> {
        let mut out = PlannedFiles::default();
        for file in files {
            let shown = file.display().to_string();
            let input = match self.keep_input(file) {
                Ok(i) => i,
                Err(e) => {
                    out.rejected.push(e.to_string());
                    continue;
                }
            };
            let (recipe_json, source_key) = make(&input)?;
            if out
                .tracks
                .iter()
                .any(|t| t.source_key.as_deref() == Some(source_key.as_str()))
            {
                out.rejected
                    .push(format!("{shown}: given twice; taken once"));
                continue;
            }
            if !force {
                if let Some(t) = self.store().completed_by_source_key(&source_key)? {
                    out.already.push(AlreadyConverted {
                        file: shown,
                        batch_id: t.batch_id,
                        track_id: t.id,
                        output_path: t.output_path.unwrap_or_default(),
                    });
                    continue;
                }
            }
            // A stored input (picked or dropped in the app) keeps the name it came with.
            let title = if file.starts_with(self.home().inputs_dir()) {
                input.name.clone()
            } else {
                file.file_name()
                    .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned())
            };
            out.tracks.push(NewTrack {
                title,
                section: None,
                input_hash: Some(input.hash),
                source_key: Some(source_key),
                variant: variant.to_string(),
                recipe_json,
                collection: None,
            });
        }
        Ok(out)
    }
}

/// What [`Studio::plan_files`] made of a request's files.
#[derive(Debug, Clone, Default)]
pub(crate) struct PlannedFiles {
    /// Tracks to record.
    pub tracks: Vec<NewTrack>,
    /// Files done before with the same settings.
    pub already: Vec<AlreadyConverted>,
    /// Files that cannot be used, one line each naming the file.
    pub rejected: Vec<String>,
}

/// BLAKE3 over everything that decides a conversion's result.
fn source_key(recipe: &ConversionRecipe, salt: &str, req: &ConvertRequest) -> String {
    let settings = serde_json::to_string(&recipe.settings).unwrap_or_default();
    crate::hash::key(&[
        "conversion/1",
        recipe.input_hash.as_str(),
        recipe.converter.as_str(),
        salt,
        settings.as_str(),
        &format!(
            "{}/{}/{}/{}/{}/{}/{}",
            recipe.limits.max_ms,
            recipe.limits.min_ms,
            recipe.target_lufs,
            recipe.ceiling_dbtp,
            req.delivery.encode.key(req.delivery.format),
            req.delivery.sample_rate_hz,
            req.delivery.bit_depth
        ),
    ])
}

/// Length of a conversion preview, ms.
pub const PREVIEW_MS: u64 = 10_000;

/// Conversion previews.
impl Studio {
    /// Converts the first [`PREVIEW_MS`] of `input` (cut at a silence when
    /// one is near) with `converter` and `settings`, masters it to −16 LUFS,
    /// and returns the WAV file (kept under `work/previews/`, by content, so
    /// asking again costs nothing).
    ///
    /// # Errors
    /// Bad converter or settings, an unreadable input (naming it), and the
    /// converter's own error.
    pub fn preview_conversion(
        &self,
        input: &std::path::Path,
        converter: Option<&str>,
        settings: &Settings,
    ) -> Result<PathBuf> {
        let name = converter.unwrap_or(DEFAULT_CONVERTER);
        let conv = self.pipeline().converters().get(name)?;
        let settings = conv.resolve(settings)?;
        let input_row = self.keep_input(input)?;
        let mut h = blake3::Hasher::new();
        h.update(input_row.hash.as_bytes());
        h.update(name.as_bytes());
        h.update(conv.cache_salt().as_bytes());
        h.update(
            serde_json::to_string(&settings)
                .unwrap_or_default()
                .as_bytes(),
        );
        let key = h.finalize().to_hex();
        let dir = self.home().work_dir().join("previews");
        let out = dir.join(format!("convert-{}.wav", &key[..16]));
        if out.is_file() {
            return Ok(out);
        }
        let scratch = dir.join(format!("convert-{}-{}", &key[..16], std::process::id()));
        std::fs::create_dir_all(&scratch).map_err(|e| Error::io(&scratch, e))?;
        let result = (|| {
            let head = scratch.join("head.wav");
            crate::audio::ingest::ingest_file_limited(
                std::path::Path::new(&input_row.path),
                &head,
                Some(PREVIEW_MS + 3_000),
            )
            .map_err(|e| match e {
                Error::Audio { message, .. } => Error::Audio {
                    path: input.to_path_buf(),
                    message,
                },
                other => other,
            })?;
            let profile = crate::audio::silence::profile_file(&head)?;
            let span = profile.plan_chunks(&ChunkLimits {
                max_ms: PREVIEW_MS as f64,
                min_ms: 2_000.0,
                ..ChunkLimits::default()
            })[0];
            let chunk = scratch.join("chunk.wav");
            let clip = crate::audio::wav::read_clip(&head)?;
            let ch = usize::from(clip.channels.max(1));
            let part = crate::audio::Clip {
                samples: clip.samples[span.start as usize * ch..span.end as usize * ch].to_vec(),
                ..clip
            };
            crate::audio::wav::write_clip(&chunk, &part)?;
            let converted =
                crate::fsio::temp_path_keeping_extension(&scratch.join("converted.wav"));
            conv.convert(&chunk, &converted, &settings)?;
            let c = crate::audio::decode::decode_file(&converted)?;
            let c = crate::audio::resample::resample(&c, DEFAULT_SAMPLE_RATE_HZ)?;
            let raw = scratch.join("raw.wav");
            crate::audio::wav::write_clip(&raw, &c)?;
            let mastered = scratch.join("master.wav");
            crate::pipeline::stages::master(
                &raw,
                crate::audio::master::MasterSettings::default(),
                &mastered,
            )?;
            crate::pipeline::stages::encode(
                &mastered,
                &out,
                Format::Wav,
                16,
                &EncodeOptions::default(),
                &crate::audio::tags::Tags::default(),
            )?;
            Ok(out.clone())
        })();
        let _ = std::fs::remove_dir_all(&scratch);
        result
    }
}
