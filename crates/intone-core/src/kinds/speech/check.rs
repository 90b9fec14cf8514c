//! The intelligibility check of a whole batch (`intone check`, the batch
//! view's flags): every synthesized sentence clip of every speech track,
//! scored against its text from what the recognizer heard (cached with the
//! clip; see [`crate::recognize::check`]).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::kinds::speech::lines::lines;
use crate::kinds::speech::SpeechRecipe;
use crate::pipeline::stages::ClipRef;
use crate::recognize::check::{hear_clips, score, CheckReport};
use crate::recognize::transcript::TranscriptLine;
use crate::recognize::Recognizer;
use crate::store::Step;
use crate::studio::Studio;

/// One track's check.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackCheck {
    /// Track id.
    pub track_id: i64,
    /// Its position in the batch (0-based).
    pub position: i64,
    /// Its section's title.
    pub title: String,
    /// Its variant.
    pub variant: String,
    /// The sentences (only those heard so far when not hearing now).
    pub report: CheckReport,
}

#[derive(Deserialize)]
struct SynthOut {
    clips: Vec<ClipRef>,
}

impl Studio {
    /// The clips a done `step` (synthesize or retake) of a track recorded.
    fn done_clips(&self, track_id: i64, step: Step) -> Result<Option<SynthOut>> {
        let Some(row) = self.store().step(track_id, step)? else {
            return Ok(None);
        };
        Ok(row
            .output_json
            .as_deref()
            .filter(|_| row.status == "done")
            .and_then(|j| serde_json::from_str::<SynthOut>(j).ok()))
    }

    /// The sentence checks that a batch's own check step made, without
    /// hearing anything: empty for a batch whose kind has no check step or
    /// that was made with the check off.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown batch; store errors.
    pub fn batch_flags(&self, batch_id: i64) -> Result<Vec<TrackCheck>> {
        let batch = self.store().batch(batch_id)?;
        if !crate::kinds::steps(batch.kind).contains(&Step::Check) || !batch.speech_check {
            return Ok(Vec::new());
        }
        self.check_batch(batch_id, false)
    }

    /// Every speech track's sentence checks in a batch, in track order.
    /// With `hear`, clips not heard yet are transcribed now (and cached);
    /// without it, only what was already heard is scored (no recognition:
    /// what the app and `generate` show). Tracks whose sentences are not
    /// synthesized yet are left out.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown batch, or (with `hear`) when the
    /// recognizer's model is not installed; [`Error::Config`] for a batch of
    /// another kind; store, audio and recognizer errors.
    pub fn check_batch(&self, batch_id: i64, hear: bool) -> Result<Vec<TrackCheck>> {
        let batch = self.store().batch(batch_id)?;
        if !crate::kinds::steps(batch.kind).contains(&Step::Check) {
            return Err(Error::Config(format!(
                "batch {batch_id} is a {} batch: only speech batches are checked",
                batch.kind
            )));
        }
        let recognizer = if hear {
            Some(Recognizer::shared(self.home())?)
        } else {
            None
        };
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let mut out = Vec::new();
        for track in self.store().tracks(batch_id)? {
            // The clips the track is made from: best-of-N's, else the synthesized ones.
            let Some(synth) = self
                .done_clips(track.id, Step::Retake)?
                .or(self.done_clips(track.id, Step::Synthesize)?)
            else {
                continue;
            };
            let (section_text, recipe) = self.store().track_inputs(track.id)?;
            let recipe = SpeechRecipe::parse(&recipe)?;
            let lines = lines(&self.engines(), &section_text, &recipe, &track.engine)
                .map_err(|e| Error::Config(format!("track {}: {e}", track.id)))?;
            let texts = &lines.utterances;
            let mut report = CheckReport {
                checked: true,
                sentences: Vec::new(),
            };
            let clips: Vec<(&str, &Path, &str)> = synth
                .clips
                .iter()
                .zip(&lines.expected)
                .map(|(c, t)| (c.key.as_str(), c.path.as_path(), t.as_str()))
                .collect();
            let heard: Vec<Option<String>> = match &recognizer {
                Some(r) => hear_clips(self.store(), r, &clips, threads, &mut |_| {})?
                    .into_iter()
                    .map(Some)
                    .collect(),
                None => clips
                    .iter()
                    .map(|(key, _, _)| self.store().clip_heard(key))
                    .collect::<Result<_>>()?,
            };
            for (i, ((_, _, text), h)) in clips.iter().zip(heard).enumerate() {
                match h {
                    Some(h) => {
                        let mut c = score(u32::try_from(i).unwrap_or(u32::MAX), text, &h);
                        c.speaker = texts.get(i).and_then(|u| u.speaker.clone());
                        report.sentences.push(c);
                    }
                    None => report.checked = false,
                }
            }
            out.push(TrackCheck {
                track_id: track.id,
                position: track.position,
                title: track.title,
                variant: track.variant,
                report,
            });
        }
        Ok(out)
    }
}

impl Studio {
    /// The transcript of a converted recording (what its input says, in the
    /// input's timeline), when its `transcribe` step made one.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown track; store errors.
    pub fn transcript(&self, track_id: i64) -> Result<Option<Vec<TranscriptLine>>> {
        self.store().track(track_id)?;
        let Some(step) = self.store().step(track_id, Step::Transcribe)? else {
            return Ok(None);
        };
        #[derive(Deserialize)]
        struct TranscribeOut {
            files: Option<crate::recognize::transcript::TranscriptFiles>,
        }
        Ok(step
            .output_json
            .as_deref()
            .filter(|_| step.status == "done")
            .and_then(|j| serde_json::from_str::<TranscribeOut>(j).ok())
            .and_then(|o| o.files)
            .map(|f| f.lines))
    }
}
