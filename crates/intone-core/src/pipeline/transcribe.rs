//! The `transcribe` step that ends a conversion or transcription track: the
//! ingested input (what the recording says; a converter changes the voice,
//! not the words or their times) heard by the speech recognizer, its times
//! snapped to the recording's speech, written beside the delivered track as
//! text, SRT and WebVTT ([`crate::recognize::transcript`]).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::cx::TrackCx;
use super::events::Event;
use crate::audio::master::MasterSettings;
use crate::audio::silence::profile_file;
use crate::error::{Error, Result};
use crate::recognize::transcript::{lines, snap, write_beside, TranscriptFiles};
use crate::recognize::{find_model, model_missing, Recognizer};
use crate::store::{Step, TrackResult};

/// The step's memoized output.
#[derive(Serialize, Deserialize)]
struct TranscribeOut {
    /// None when no recognizer model is installed.
    files: Option<TranscriptFiles>,
}

/// Whether a track can do without its transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// The transcript comes with the track when a model is installed.
    IfModel,
    /// The transcript is the track's point: no model fails the step.
    Required,
}

/// Runs the step on `input` (a WAV file), writing beside `output`.
/// `name_input` renames errors about the input after the user's file.
///
/// # Errors
/// Recognizer, audio and store errors; without a model the step fails
/// naming the folders searched when `need` is [`Need::Required`], or else
/// logs why and writes nothing.
pub(crate) fn step(
    c: &TrackCx<'_>,
    force: &mut bool,
    input: &Path,
    output: &Path,
    need: Need,
    name_input: impl Fn(Error) -> Error,
) -> Result<()> {
    c.step(
        Step::Transcribe,
        force,
        |o: &TranscribeOut| {
            o.files
                .as_ref()
                .is_none_or(|f| f.txt.is_file() && f.srt.is_file())
        },
        || {
            if find_model(&c.p.home).is_none() {
                if need == Need::Required {
                    return Err(model_missing(&c.p.home));
                }
                c.p.emit(Event::Log {
                    level: "warn".into(),
                    message: format!(
                        "{}: no transcript: {}",
                        c.track.title,
                        model_missing(&c.p.home)
                    ),
                });
                return Ok(TranscribeOut { files: None });
            }
            let recognizer = Recognizer::shared(&c.p.home)?;
            let mut heard = recognizer
                .transcribe_file(input, c.spare_threads())
                .map_err(&name_input)?;
            let profile = profile_file(input)?;
            snap(&mut heard, &profile);
            Ok(TranscribeOut {
                files: Some(write_beside(output, lines(&heard, &profile))?),
            })
        },
    )?;
    Ok(())
}

/// The ending of a track made from a recording: the shared
/// [`deliver`](super::cx::deliver) (master → encode → peaks) of
/// `pre_master` to `master`, then the transcript of `ingested` (the input as
/// ingested) beside the delivered file. Errors about the ingested copy name
/// the user's file (the track's title).
///
/// # Errors
/// Those of [`deliver`](super::cx::deliver) and [`step`].
pub(crate) fn deliver_with_transcript(
    c: &TrackCx<'_>,
    force: &mut bool,
    pre_master: &Path,
    ingested: &Path,
    master: MasterSettings,
    need: Need,
) -> Result<TrackResult> {
    let result = super::cx::deliver(c, force, pre_master, master)?;
    let output = std::path::PathBuf::from(&result.output_path);
    step(c, force, ingested, &output, need, |e| {
        super::ingest::rename_input(e, ingested, &c.track.title)
    })?;
    Ok(result)
}
