//! Transcription requests: recordings → a `transcription` batch, each file's
//! words heard by the speech recognizer (text, SRT, WebVTT beside a mastered
//! copy of it). Files are checked and kept as inputs like conversion's; the
//! same content with the same settings is never transcribed twice.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::audio::encode::Delivery;
use crate::error::{Error, Result};
use crate::kinds::conversion::{AlreadyConverted, DEFAULT_CONVERT_LUFS};
use crate::kinds::delivery::recipe_json;
use crate::kinds::transcription::TranscriptionRecipe;
use crate::recognize::{find_model, model_missing, MODEL_FILE};
use crate::store::{JobKind, NewTrack};
use crate::studio::Studio;

/// The track label (variant) of transcription tracks.
pub const TRANSCRIPT_LABEL: &str = "transcript";

/// A Transcribe click: recordings to hear, and how their copies are delivered.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TranscribeRequest {
    /// Audio or video files.
    pub files: Vec<PathBuf>,
    /// How its files are delivered.
    #[serde(flatten)]
    pub delivery: Delivery,
    /// Project name; `None` = "Transcripts".
    pub project: Option<String>,
    /// Transcribe again even what was transcribed before with the same settings.
    pub force: bool,
}

/// A checked Transcribe request, ready to be recorded.
#[derive(Debug, Clone)]
pub struct TranscribePlan {
    /// Tracks to record, one per usable new file.
    pub tracks: Vec<NewTrack>,
    /// Files transcribed before with the same settings.
    pub already: Vec<AlreadyConverted>,
    /// Files that cannot be heard, one line each naming the file.
    pub rejected: Vec<String>,
    /// The request.
    pub request: TranscribeRequest,
}

impl Studio {
    /// Checks a Transcribe request. Usable files are kept as inputs (stored
    /// once by content); nothing else is written.
    ///
    /// # Errors
    /// [`Error::NotFound`] naming the folders searched when the recognizer's
    /// model is not installed; [`Error::Config`] for a bad output option.
    /// Unusable files are not errors: they are listed in
    /// [`TranscribePlan::rejected`].
    pub fn plan_transcription(&self, req: &TranscribeRequest) -> Result<TranscribePlan> {
        if req.files.is_empty() {
            return Err(Error::Config("no audio file given".into()));
        }
        if find_model(self.home()).is_none() {
            return Err(model_missing(self.home()));
        }
        req.delivery.check()?;
        let files = self.plan_files(&req.files, req.force, TRANSCRIPT_LABEL, |input| {
            let recipe = TranscriptionRecipe {
                input_path: PathBuf::from(&input.path),
                input_hash: input.hash.clone(),
                target_lufs: req.delivery.target_or(DEFAULT_CONVERT_LUFS),
                ceiling_dbtp: -1.0,
            };
            Ok((recipe_json(&recipe)?, source_key(&recipe, req)))
        })?;
        Ok(TranscribePlan {
            tracks: files.tracks,
            already: files.already,
            rejected: files.rejected,
            request: req.clone(),
        })
    }

    /// Records a planned transcription batch (before any work). `None` when
    /// the plan has nothing new to hear.
    ///
    /// # Errors
    /// Store errors.
    pub fn create_transcription_batch(&self, plan: &TranscribePlan) -> Result<Option<i64>> {
        self.create_files_batch(
            JobKind::Transcription,
            plan.request.project.as_deref().unwrap_or("Transcripts"),
            MODEL_FILE,
            &plan.request.delivery,
            &plan.tracks,
        )
    }
}

/// What makes two transcriptions the same: the input, the model and how the
/// copy is delivered.
fn source_key(recipe: &TranscriptionRecipe, req: &TranscribeRequest) -> String {
    crate::hash::key(&[
        "transcription/1",
        recipe.input_hash.as_str(),
        MODEL_FILE,
        &format!(
            "{}/{}/{}/{}/{}",
            recipe.target_lufs,
            recipe.ceiling_dbtp,
            req.delivery.encode.key(req.delivery.format),
            req.delivery.sample_rate_hz,
            req.delivery.bit_depth
        ),
    ])
}
