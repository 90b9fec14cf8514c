//! The `ingest` step shared by the kinds whose track is an input file
//! (conversion, transcription): the stored input decoded to
//! `work/input.wav`, resampled when the kind asks for a rate.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::cx::TrackCx;
use crate::audio::ingest::{ingest_file, IngestReport};
use crate::audio::resample::resample_file;
use crate::error::{Error, Result};
use crate::fsio;
use crate::store::Step;

/// The `ingest` step's memoized output.
#[derive(Serialize, Deserialize)]
pub(crate) struct IngestOut {
    /// The decoded input, `work/input.wav`.
    pub(crate) path: PathBuf,
    /// What was found in it.
    pub(crate) report: IngestReport,
}

/// The `ingest` step (shared by the kinds that start from an input file):
/// the stored input decoded to `work/input.wav`, resampled to `rate_hz`
/// when given (the report keeps the input's own rate). Errors name the
/// user's file (the track's title), not the stored copy.
///
/// # Errors
/// The input cannot be decoded; store errors.
pub(crate) fn ingest_step(
    c: &TrackCx<'_>,
    force: &mut bool,
    input: &Path,
    rate_hz: Option<u32>,
) -> Result<IngestOut> {
    c.step(
        Step::Ingest,
        force,
        |o: &IngestOut| o.path.is_file(),
        || {
            let path = c.work.join("input.wav");
            let decoded = c.work.join("decoded.wav");
            let report = fsio::write_with(&decoded, |tmp| ingest_file(input, tmp))
                .map_err(|e| rename_input(e, input, &c.track.title))?;
            match rate_hz.filter(|&r| r != report.sample_rate_hz) {
                Some(r) => {
                    fsio::write_with(&path, |tmp| resample_file(&decoded, tmp, r))?;
                    let _ = std::fs::remove_file(&decoded);
                }
                None => std::fs::rename(&decoded, &path).map_err(|e| Error::io(&path, e))?,
            }
            Ok(IngestOut { path, report })
        },
    )
}

/// Errors about the stored copy name the file the user gave.
pub(crate) fn rename_input(e: Error, stored: &Path, name: &str) -> Error {
    match e {
        Error::Audio { path, message } if path == stored => Error::Audio {
            path: PathBuf::from(name),
            message,
        },
        other => other,
    }
}
