//! The `transcribe` step that ends a conversion or transcription track: the
//! ingested input (what the recording says; a converter changes the voice,
//! not the words or their times) heard by the speech recognizer, its times
//! snapped to the recording's speech, written beside the delivered track as
//! text, SRT and WebVTT ([`crate::recognize::transcript`]).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::cx::TrackCx;
use super::events::Event;
use crate::audio::silence::profile_file;
use crate::error::{Error, Result};
use crate::recognize::transcript::{lines, snap, write_beside, TranscriptFiles};
use crate::recognize::{find_model, model_missing, Recognizer};
use crate::store::Step;

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
