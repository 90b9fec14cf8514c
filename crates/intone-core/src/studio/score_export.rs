//! Exporting a finished score: as WAV or FLAC, and put into a copy of the
//! video it was made for (ffmpeg; the video stream copied, AAC 192 kb/s).

use std::path::{Path, PathBuf};

use super::Studio;
use crate::audio::encode::Format;
use crate::audio::video;
use crate::error::{Error, Result};
use crate::store::TrackStatus;

impl Studio {
    /// Writes a copy of score `track_id`'s video with the score as its
    /// audio to `out` (default: `<video name> (scored).<ext>` beside the
    /// score). Returns where.
    ///
    /// # Errors
    /// [`Error::Config`] when the score has no video or is not finished;
    /// [`Error::NotFound`] when ffmpeg is missing; [`Error::Audio`] with
    /// ffmpeg's message.
    pub fn export_scored_video(&self, track_id: i64, out: Option<&Path>) -> Result<PathBuf> {
        let recipe = self.score_recipe(track_id)?;
        let video = recipe.video.ok_or_else(|| {
            Error::Config(format!(
                "score {track_id} was not made for a video; export the score itself instead"
            ))
        })?;
        let score = self.finished_output(track_id)?;
        let dest = match out {
            Some(p) => p.to_path_buf(),
            None => video::scored_name(&video, score.parent().unwrap_or(Path::new("."))),
        };
        if dest == video {
            return Err(Error::Config(format!(
                "{}: that is the original video; choose another name (it is never overwritten)",
                dest.display()
            )));
        }
        video::mux_score(&video, &score, &dest)?;
        Ok(dest)
    }

    /// Writes score `track_id` to `out` as WAV, FLAC, MP3 or Opus (by its
    /// extension), at the batch's bit depth and with its lossy settings and tags.
    ///
    /// # Errors
    /// [`Error::Config`] for another extension or an unfinished score.
    pub fn export_score(&self, track_id: i64, out: &Path) -> Result<PathBuf> {
        let src = self.finished_output(track_id)?;
        let t = self.store().track(track_id)?;
        let b = self.store().batch(t.batch_id)?;
        let ext = out
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let format: Format = ext.parse().map_err(|_| {
            Error::Config(format!(
                "{}: export a score as .wav, .flac, .mp3 or .opus",
                out.display()
            ))
        })?;
        let clip = crate::audio::decode::decode_file(&src)?;
        let tmp = tempfile_in(out)?;
        crate::audio::wav::write_clip(&tmp, &clip)?;
        let tags = crate::audio::tags::Tags {
            title: Some(t.title.clone()),
            artist: b.encode.artist.clone(),
            album: Some(b.project.clone()),
            cover: b.encode.cover.clone(),
            ..Default::default()
        };
        let r = crate::pipeline::stages::encode(&tmp, out, format, b.bit_depth, &b.encode, &tags);
        let _ = std::fs::remove_file(&tmp);
        r?;
        Ok(out.to_path_buf())
    }

    /// The delivered file of a completed track.
    fn finished_output(&self, track_id: i64) -> Result<PathBuf> {
        let t = self.store().track(track_id)?;
        match (t.status, t.output_path) {
            (TrackStatus::Completed, Some(p)) if Path::new(&p).is_file() => Ok(PathBuf::from(p)),
            (status, _) => Err(Error::Config(format!(
                "score {track_id} is not finished ({status}); export it when it is"
            ))),
        }
    }
}

/// A temporary f32 WAV beside `out`.
fn tempfile_in(out: &Path) -> Result<PathBuf> {
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    Ok(dir.join(format!(".intone-export-{}.wav", fastrand::u64(..))))
}
