//! Runs one track through its durable steps. A step whose record says `done`
//! (and whose output file exists) is skipped with its memoized output; once a
//! step runs, every later step runs too. Outputs are committed (renamed into
//! place) before the step is marked done.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::events::Event;
use super::failpoint;
use super::stages::{self, ClipRef};
use super::Pipeline;
use crate::audio::encode::{EncodeReport, Format};
use crate::engines::VoiceRef;
use crate::error::{Error, Result};
use crate::script::{slug, split_utterances};
use crate::store::{BatchRow, Stage, TrackResult, TrackRow, TrackStatus};
use crate::variants::Variant;

/// How a track run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Delivered.
    Completed,
    /// Failed with this message.
    Failed(String),
    /// Cancelled while running, or no longer pending when claimed.
    Skipped,
}

#[derive(Serialize, Deserialize)]
struct SynthOut {
    clips: Vec<ClipRef>,
}

#[derive(Serialize, Deserialize)]
struct FileOut {
    path: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct EncodeOut {
    path: PathBuf,
    report: EncodeReport,
}

struct Ctx<'a> {
    p: &'a Pipeline,
    batch: &'a BatchRow,
    track: TrackRow,
    variant: Variant,
    section_text: String,
    work: PathBuf,
}

impl Ctx<'_> {
    fn emit(
        &self,
        status: TrackStatus,
        stage: Option<Stage>,
        progress: Option<f32>,
        error: Option<String>,
    ) {
        self.p.emit(Event::TrackStatus {
            batch_id: self.batch.id,
            track_id: self.track.id,
            section: self.track.section.clone(),
            variant: self.track.variant.clone(),
            status,
            stage,
            progress,
            error,
        });
    }

    fn cancelled(&self) -> bool {
        !self.p.store.is_running(self.track.id).unwrap_or(false)
    }

    fn output_path(&self) -> Result<PathBuf> {
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
                slug(&self.track.section),
                slug(&self.track.variant),
                format.extension()
            )))
    }

    fn peaks_path(&self) -> PathBuf {
        self.p
            .home
            .project_dir(&self.batch.project_slug)
            .join("peaks")
            .join(format!("track-{}.json", self.track.id))
    }

    /// Runs `stage` unless memoized (and `force` is false). Returns its output.
    fn step<T: Serialize + DeserializeOwned>(
        &self,
        stage: Stage,
        force: &mut bool,
        exists: impl Fn(&T) -> bool,
        run: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
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
}

/// Runs track `track_id` of `batch` to completion, failure or cancellation.
///
/// # Errors
/// Only store failures; engine and audio errors become [`Outcome::Failed`].
pub fn run_track(p: &Arc<Pipeline>, batch: &BatchRow, track_id: i64) -> Result<Outcome> {
    if !p.store.claim_track(track_id)? {
        return Ok(Outcome::Skipped);
    }
    let track = p.store.track(track_id)?;
    p.emit_progress(batch.id);
    let (section_text, variant_json) = p.store.track_inputs(track_id)?;
    let work = p.home.track_work_dir(track_id);
    let ctx = Ctx {
        p,
        batch,
        track,
        variant: serde_json::from_str(&variant_json)
            .map_err(|e| Error::Config(format!("track {track_id}: bad variant: {e}")))?,
        section_text,
        work,
    };
    ctx.emit(TrackStatus::Running, None, None, None);
    match run_steps(&ctx) {
        Ok(res) => {
            if p.store.complete_track(track_id, &res)? {
                let _ = std::fs::remove_dir_all(&ctx.work);
                ctx.emit(TrackStatus::Completed, None, None, None);
                p.emit_progress(batch.id);
                Ok(Outcome::Completed)
            } else {
                p.emit_progress(batch.id);
                Ok(Outcome::Skipped)
            }
        }
        Err(Error::Cancelled) => {
            ctx.emit(TrackStatus::Cancelled, None, None, None);
            p.emit_progress(batch.id);
            Ok(Outcome::Skipped)
        }
        Err(e) => {
            let msg = e.to_string();
            tracing::warn!(
                "track {track_id} ({} · {}) failed: {msg}",
                ctx.track.section,
                ctx.track.variant
            );
            if p.store.fail_track(track_id, &msg)? {
                ctx.emit(TrackStatus::Failed, None, None, Some(msg.clone()));
            }
            p.emit_progress(batch.id);
            Ok(Outcome::Failed(msg))
        }
    }
}

fn file_exists(p: &Path) -> bool {
    p.is_file()
}

fn run_steps(c: &Ctx<'_>) -> Result<TrackResult> {
    std::fs::create_dir_all(&c.work).map_err(|e| Error::io(&c.work, e))?;
    crate::fsio::remove_stale_temps(&c.work);
    let voice = VoiceRef::parse(&c.track.voice)?;
    // The voice was checked when the batch was planned; a server that is down
    // now is the retry policy's business (and cached sentences need no engine).
    let engine = c.p.engines().get(&voice.engine).ok_or_else(|| {
        Error::NotFound(format!(
            "no engine \"{}\" (was it removed from engines.toml?)",
            voice.engine
        ))
    })?;
    let sr = c.batch.sample_rate_hz;
    let mut force = false;

    let synth: SynthOut = c.step(
        Stage::Synthesize,
        &mut force,
        |o: &SynthOut| o.clips.iter().all(|x| x.path.is_file()),
        || {
            let utterances = split_utterances(&c.section_text, engine.max_chars());
            let total = utterances.len();
            let clips = stages::synthesize(
                &c.p.store,
                &c.p.home,
                engine.as_ref(),
                &voice.voice,
                c.variant.tempo,
                &utterances,
                &c.p.options.retry,
                &|| c.cancelled(),
                &mut |done, _| {
                    c.emit(
                        TrackStatus::Running,
                        Some(Stage::Synthesize),
                        Some(done as f32 / total.max(1) as f32),
                        None,
                    )
                },
                &mut |n| failpoint::hit(&format!("synthesize:sentence:{n}"), c.track.position),
            )?;
            Ok(SynthOut { clips })
        },
    )?;
    if c.cancelled() {
        return Err(Error::Cancelled);
    }
    let voice_path = c.work.join("voice.wav");
    c.step(
        Stage::Assemble,
        &mut force,
        |_: &FileOut| voice_path.is_file(),
        || {
            stages::assemble(&synth.clips, &c.variant, sr, &voice_path)?;
            Ok(FileOut {
                path: voice_path.clone(),
            })
        },
    )?;
    if c.cancelled() {
        return Err(Error::Cancelled);
    }
    let mix_path = c.work.join("mix.wav");
    c.step(
        Stage::Mix,
        &mut force,
        |o: &FileOut| file_exists(&o.path),
        || {
            stages::mix(&voice_path, &c.variant, c.track.id as u64, &mix_path)?;
            Ok(FileOut {
                path: mix_path.clone(),
            })
        },
    )?;
    if c.cancelled() {
        return Err(Error::Cancelled);
    }
    let master_path = c.work.join("master.wav");
    c.step(
        Stage::Master,
        &mut force,
        |o: &FileOut| file_exists(&o.path),
        || {
            stages::master(&mix_path, &c.variant, &master_path)?;
            Ok(FileOut {
                path: master_path.clone(),
            })
        },
    )?;
    if c.cancelled() {
        return Err(Error::Cancelled);
    }
    let out_path = c.output_path()?;
    let enc: EncodeOut = c.step(
        Stage::Encode,
        &mut force,
        |o: &EncodeOut| file_exists(&o.path),
        || {
            let format: Format = c.batch.format.parse()?;
            let report = stages::encode(&master_path, &out_path, format, c.batch.bit_depth)?;
            Ok(EncodeOut {
                path: out_path.clone(),
                report,
            })
        },
    )?;
    let peaks_path = c.peaks_path();
    let pk: FileOut = c.step(
        Stage::Peaks,
        &mut force,
        |o: &FileOut| file_exists(&o.path),
        || {
            stages::peaks(&master_path, &peaks_path)?;
            Ok(FileOut {
                path: peaks_path.clone(),
            })
        },
    )?;
    let r = enc.report;
    Ok(TrackResult {
        output_path: enc.path.to_string_lossy().into_owned(),
        duration_ms: (r.frames as f64 * 1000.0 / f64::from(r.sample_rate_hz.max(1))).round() as i64,
        sample_rate_hz: r.sample_rate_hz,
        channels: r.channels,
        loudness_lufs: (r.loudness.integrated_lufs * 100.0).round() / 100.0,
        true_peak_dbtp: (r.loudness.true_peak_dbtp * 100.0).round() / 100.0,
        peaks_path: pk.path.to_string_lossy().into_owned(),
    })
}
