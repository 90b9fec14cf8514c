//! What every job kind's steps share: the track's context, the memoized
//! durable [`TrackCx::step`], events, output naming, and the common ending
//! [`deliver`] (master → encode → peaks).

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::events::{Event, UnitProgress};
use super::failpoint;
use super::kind::KindDef;
use super::stages;
use super::Pipeline;
use crate::audio::encode::{EncodeReport, Format};
use crate::audio::master::MasterSettings;
use crate::audio::tags::Tags;
use crate::error::{Error, Result};
use crate::script::slug;
use crate::store::{BatchRow, Step, TrackResult, TrackRow, TrackStatus};

/// A step's memoized output when it is one file.
#[derive(Serialize, Deserialize)]
pub(crate) struct FileOut {
    /// The file.
    pub path: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct EncodeOut {
    path: PathBuf,
    report: EncodeReport,
}

/// One track being run, of any kind.
pub(crate) struct TrackCx<'a> {
    /// The pipeline.
    pub p: &'a Pipeline,
    /// Its batch.
    pub batch: &'a BatchRow,
    /// Its kind.
    pub def: &'static KindDef,
    /// The track as claimed.
    pub track: TrackRow,
    /// Section text (speech; empty otherwise).
    pub section_text: String,
    /// Its recipe (JSON), parsed by the kind.
    pub recipe_json: String,
    /// `work/track-<id>/`, removed when the track completes.
    pub work: PathBuf,
}

impl TrackCx<'_> {
    /// Publishes the track's status.
    pub fn emit(
        &self,
        status: TrackStatus,
        stage: Option<Step>,
        progress: Option<f32>,
        error: Option<String>,
    ) {
        self.emit_units(status, stage, progress, None, error);
    }

    /// Publishes the track's status with sub-unit counts.
    pub fn emit_units(
        &self,
        status: TrackStatus,
        stage: Option<Step>,
        progress: Option<f32>,
        units: Option<UnitProgress>,
        error: Option<String>,
    ) {
        self.p.emit(Event::TrackStatus {
            batch_id: self.batch.id,
            track_id: self.track.id,
            title: self.track.title.clone(),
            variant: self.track.variant.clone(),
            status,
            stage,
            progress,
            units,
            error,
        });
    }

    /// Cores this track may use for work of its own (the speech
    /// recognizer): the workers spread over the tracks still to do, at least 1.
    pub fn spare_threads(&self) -> usize {
        let pending = usize::try_from(self.batch.pending).unwrap_or(1).max(1);
        (self.p.options.workers / pending).max(1)
    }

    /// Whether the track was cancelled (by this or another process).
    pub fn cancelled(&self) -> bool {
        !self.p.store.is_running(self.track.id).unwrap_or(false)
    }

    /// [`Error::Cancelled`] when the track was cancelled.
    pub fn check_cancelled(&self) -> Result<()> {
        if self.cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }

    /// `projects/<slug>/tracks/batch-<id>/<NN>-<title>--<variant>.<ext>`.
    pub fn output_path(&self) -> Result<PathBuf> {
        let format: Format = self.batch.format.parse()?;
        Ok(self
            .p
            .home
            .project_dir(&self.batch.project_slug)
            .join("tracks")
            .join(format!("batch-{}", self.batch.id))
            .join(format!(
                "{:02}-{}--{}.{}",
                self.track.position + 1,
                slug(&self.track.title),
                slug(&self.track.variant),
                format.extension()
            )))
    }

    /// The delivered file's tags: the title its kind gives the track, the batch's artist and cover, the project as
    /// album, the track's number in its batch.
    pub fn tags(&self) -> Tags {
        Tags {
            title: Some((self.def.tag_title)(&self.track)),
            artist: self.batch.encode.artist.clone(),
            album: Some(self.batch.project.clone()),
            track: Some((
                u32::try_from(self.track.position + 1).unwrap_or(u32::MAX),
                u32::try_from(self.batch.expected).unwrap_or(u32::MAX),
            )),
            cover: self.batch.encode.cover.clone(),
            chapters: Vec::new(),
            loop_frames: None,
        }
    }

    fn peaks_path(&self) -> PathBuf {
        self.p
            .home
            .project_dir(&self.batch.project_slug)
            .join("peaks")
            .join(format!("track-{}.json", self.track.id))
    }

    /// Runs `step` unless memoized (and `force` is false). Returns its
    /// output. Once a step runs, `force` is set so every later step runs too.
    pub fn step<T: Serialize + DeserializeOwned>(
        &self,
        stage: Step,
        force: &mut bool,
        exists: impl Fn(&T) -> bool,
        run: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        if !self.def.has_step(stage) {
            return Err(Error::Config(format!(
                "step \"{stage}\" is not a step of the {} kind",
                self.def.kind
            )));
        }
        if !*force {
            if let Some(row) = self.p.store.step(self.track.id, stage)? {
                if row.status == "done" {
                    if let Some(v) = row
                        .output_json
                        .as_deref()
                        .and_then(|j| serde_json::from_str::<T>(j).ok())
                    {
                        if exists(&v) {
                            return Ok(v);
                        }
                    }
                }
            }
        }
        *force = true;
        if !self.p.store.set_stage(self.track.id, stage)? {
            return Err(Error::Cancelled);
        }
        self.emit(TrackStatus::Running, Some(stage), None, None);
        self.p.store.begin_step(self.track.id, stage)?;
        let out = match run() {
            Ok(v) => v,
            Err(e) => {
                self.p
                    .store
                    .fail_step(self.track.id, stage, &e.to_string())?;
                return Err(e);
            }
        };
        failpoint::hit(&format!("{stage}:before_commit"), self.track.position);
        let json = serde_json::to_string(&out).map_err(|e| Error::Config(e.to_string()))?;
        self.p.store.finish_step(self.track.id, stage, &json)?;
        failpoint::hit(&format!("{stage}:after_commit"), self.track.position);
        Ok(out)
    }

    /// A step whose output is the one file `path`.
    pub fn file_step(
        &self,
        stage: Step,
        force: &mut bool,
        path: &Path,
        run: impl FnOnce(&Path) -> Result<()>,
    ) -> Result<()> {
        self.step(
            stage,
            force,
            |o: &FileOut| o.path.is_file(),
            || {
                run(path)?;
                Ok(FileOut {
                    path: path.to_path_buf(),
                })
            },
        )?;
        Ok(())
    }
}

/// The ending every kind shares: master `pre_master` (an f32 WAV in the
/// track's work folder) to `settings`, encode the delivered file in the
/// batch's format, compute waveform peaks. Returns what the track measured.
///
/// # Errors
/// Audio and store errors; [`Error::Cancelled`].
pub(crate) fn deliver(
    c: &TrackCx<'_>,
    force: &mut bool,
    pre_master: &Path,
    settings: MasterSettings,
) -> Result<TrackResult> {
    deliver_tagged(c, force, pre_master, settings, &c.tags())
}

/// [`deliver`] with the kind's own `tags` (a music loop's loop points).
///
/// # Errors
/// As [`deliver`].
pub(crate) fn deliver_tagged(
    c: &TrackCx<'_>,
    force: &mut bool,
    pre_master: &Path,
    settings: MasterSettings,
    tags: &Tags,
) -> Result<TrackResult> {
    c.check_cancelled()?;
    let master_path = c.work.join("master.wav");
    c.file_step(Step::Master, force, &master_path, |out| {
        stages::master(pre_master, settings, out).map(|_| ())
    })?;
    c.check_cancelled()?;
    let out_path = c.output_path()?;
    let enc: EncodeOut = c.step(
        Step::Encode,
        force,
        |o: &EncodeOut| o.path.is_file(),
        || {
            let format: Format = c.batch.format.parse()?;
            let report = stages::encode(
                &master_path,
                &out_path,
                format,
                c.batch.bit_depth,
                &c.batch.encode,
                tags,
            )?;
            Ok(EncodeOut {
                path: out_path.clone(),
                report,
            })
        },
    )?;
    let peaks_path = c.peaks_path();
    c.file_step(Step::Peaks, force, &peaks_path, |out| {
        stages::peaks(&master_path, out).map(|_| ())
    })?;
    let r = enc.report;
    Ok(TrackResult {
        output_path: enc.path.to_string_lossy().into_owned(),
        duration_ms: (r.frames as f64 * 1000.0 / f64::from(r.sample_rate_hz.max(1))).round() as i64,
        sample_rate_hz: r.sample_rate_hz,
        channels: r.channels,
        loudness_lufs: (r.loudness.integrated_lufs * 100.0).round() / 100.0,
        true_peak_dbtp: (r.loudness.true_peak_dbtp * 100.0).round() / 100.0,
        peaks_path: peaks_path.to_string_lossy().into_owned(),
    })
}
