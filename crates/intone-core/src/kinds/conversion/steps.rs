//! The `conversion` job kind: one track is an input file × converter, made
//! by ingest → chunk → convert (per chunk, durable) → join → then the shared
//! [`deliver`](crate::pipeline::cx::deliver) (master → encode → peaks) →
//! [`transcribe`](crate::pipeline::transcribe) (the input heard by the speech
//! recognizer; its text, SRT and WebVTT beside the track).
//!
//! Chunks are the [`units`](crate::store::UnitRow) of the convert step: each
//! is extracted, converted and committed on its own, so a crash at chunk 37
//! redoes chunk 37 only, and a retry reruns only the failed chunks. A chunk
//! is keyed by the input's hash, its span, the converter and its settings,
//! so a re-plan never reuses a stale conversion.
//!
//! **Join.** Each chunk is given to the converter with [`HANDLE_MS`] of its
//! neighbours on each side. The converted chunks are put back end to end:
//! each one's core (its audio without the handles) follows the previous
//! core, and the handles overlap the neighbour's core with an equal-power
//! crossfade centred on the cut, so no join clicks (cuts lie in silences).
//! When a converter keeps the length (within a few frames), every core is
//! placed exactly at its original position, so the output lasts as long as
//! the input to the sample (at the output rate). When it makes a chunk
//! longer or shorter, the handles are scaled by the same ratio, that chunk's
//! core keeps its new length, and everything after it moves by the
//! difference.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::audio::master::MasterSettings;
use crate::audio::silence::{profile_file, ChunkLimits, ChunkSpan};
use crate::audio::wav::{WavBlockReader, WavBlockWriter};
use crate::engines::conversion::{Converter, Settings};
use crate::error::{Error, Result};
use crate::fsio;
use crate::pipeline::cx::TrackCx;
use crate::pipeline::failpoint;
use crate::pipeline::ingest::ingest_step;
use crate::pipeline::join::{join, ChunkPlan};
use crate::pipeline::transcribe::{deliver_with_transcript, Need};
use crate::pipeline::units::{Prior, Units};
use crate::store::{Step, TrackResult};

/// Neighbouring audio given to the converter on each side of a chunk, ms.
pub const HANDLE_MS: f64 = 20.0;

/// Starts of one chunk's work counted across restarts before it is failed
/// for good (a chunk that crashes the process must not loop forever).
pub const MAX_CHUNK_ATTEMPTS: i64 = 5;

/// How a conversion track is made: stored with the track as its recipe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversionRecipe {
    /// The stored copy of the input (`inputs/<blake3>.<ext>`).
    pub input_path: PathBuf,
    /// BLAKE3 of the input.
    pub input_hash: String,
    /// The converter's name.
    pub converter: String,
    /// Its settings, defaults filled in.
    pub settings: Settings,
    /// Chunk lengths.
    pub limits: ChunkLimits,
    /// Loudness target, LUFS.
    pub target_lufs: f64,
    /// True-peak ceiling, dBTP.
    pub ceiling_dbtp: f64,
}

#[derive(Serialize, Deserialize)]
struct ChunkOut {
    spans: Vec<ChunkSpan>,
}

#[derive(Serialize, Deserialize)]
struct ConvertedOut {
    path: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct ConvertOut {
    chunks: Vec<PathBuf>,
}

/// `m:ss` of a frame position.
fn clock(frame: u64, rate: u32) -> String {
    let s = frame / u64::from(rate.max(1));
    format!("{}:{:02}", s / 60, s % 60)
}

/// Runs a conversion track's steps.
pub(crate) fn run(c: &TrackCx<'_>) -> Result<TrackResult> {
    let recipe: ConversionRecipe = serde_json::from_str(&c.recipe_json)
        .map_err(|e| Error::Config(format!("track {}: bad conversion recipe: {e}", c.track.id)))?;
    let converter = c.p.converters().get(&recipe.converter)?;
    let mut force = false;

    let ingested = ingest_step(c, &mut force, &recipe.input_path, None)?;
    c.check_cancelled()?;
    let rate = ingested.report.sample_rate_hz;
    let chunks: ChunkOut = c.step(
        Step::Chunk,
        &mut force,
        |_: &ChunkOut| true,
        || {
            let profile = profile_file(&ingested.path)?;
            Ok(ChunkOut {
                spans: profile.plan_chunks(&recipe.limits),
            })
        },
    )?;
    let handle = (HANDLE_MS * f64::from(rate) / 1000.0).round() as u64;
    let total_frames = chunks.spans.last().map_or(0, |s| s.end);
    let plans: Vec<ChunkPlan> = chunks
        .spans
        .iter()
        .map(|s| ChunkPlan {
            start: s.start,
            end: s.end,
            pre: handle.min(s.start),
            post: handle.min(total_frames - s.end),
        })
        .collect();
    let salt = converter.cache_salt();
    let settings_json = serde_json::to_string(&recipe.settings).unwrap_or_default();
    let keyed: Vec<(String, String)> = plans
        .iter()
        .map(|p| {
            let span = format!("{}-{}-{}-{}", p.start, p.end, p.pre, p.post);
            (
                crate::hash::key(&[
                    recipe.input_hash.as_str(),
                    converter.id(),
                    salt.as_str(),
                    settings_json.as_str(),
                    &span,
                ]),
                serde_json::to_string(p).unwrap_or_default(),
            )
        })
        .collect();
    let units = c.units(Step::Convert, &keyed, MAX_CHUNK_ATTEMPTS, "the converter")?;
    c.check_cancelled()?;

    let converted: ConvertOut = c.step(
        Step::Convert,
        &mut force,
        |o: &ConvertOut| o.chunks.iter().all(|p| p.is_file()),
        || {
            let chunks = Chunks {
                converter: converter.as_ref(),
                recipe: &recipe,
                input: &ingested.path,
                plans: &plans,
                rate,
            };
            convert_chunks(c, &units, &chunks)
        },
    )?;
    c.check_cancelled()?;
    let joined = c.work.join("joined.wav");
    c.file_step(Step::Join, &mut force, &joined, |out| {
        fsio::write_with(out, |tmp| {
            join(
                &converted.chunks,
                &plans,
                rate,
                ingested.report.channels,
                c.batch.sample_rate_hz,
                tmp,
            )
        })
    })?;
    deliver_with_transcript(
        c,
        &mut force,
        &joined,
        &ingested.path,
        MasterSettings {
            target_lufs: recipe.target_lufs,
            ceiling_dbtp: recipe.ceiling_dbtp,
        },
        Need::IfModel,
    )
}

/// What every chunk of a track is converted with.
struct Chunks<'r> {
    converter: &'r dyn Converter,
    recipe: &'r ConversionRecipe,
    /// The ingested input.
    input: &'r Path,
    plans: &'r [ChunkPlan],
    /// The input's sample rate.
    rate: u32,
}

/// Converts every chunk not done yet, in parallel up to the worker count and
/// the converter's concurrency. Chunks that fail are recorded and the others
/// go on; the step then fails naming the first failed chunk.
fn convert_chunks(c: &TrackCx<'_>, units: &Units<'_, '_>, k: &Chunks<'_>) -> Result<ConvertOut> {
    let total = k.plans.len();
    let conv_dir = c.work.join("converted");
    let chunk_dir = c.work.join("chunks");
    for d in [&conv_dir, &chunk_dir] {
        std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
        fsio::remove_stale_temps(d);
    }
    let mut outputs: Vec<Option<PathBuf>> = vec![None; total];
    let mut todo = Vec::new();
    for (idx, out) in outputs.iter_mut().enumerate() {
        match units.prior(idx, |o: &ConvertedOut| o.path.is_file())? {
            Prior::Done(o) => *out = Some(o.path),
            Prior::Failed | Prior::Todo => todo.push(idx),
        }
    }
    let done = AtomicUsize::new(total - todo.len());
    units.emit(done.load(Ordering::Relaxed));
    let next = AtomicUsize::new(0);
    let converted_here = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<PathBuf>)>> = Mutex::new(Vec::new());
    let workers =
        c.p.options
            .workers
            .min(k.converter.info().concurrency as usize)
            .clamp(1, todo.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(&idx) = todo.get(n) else { break };
                if c.cancelled() {
                    break;
                }
                let r = units
                    .attempt(idx, || convert_one(c, k, idx, &chunk_dir, &conv_dir), |e| e)
                    .map(|o| o.path);
                if r.is_ok() {
                    let n = converted_here.fetch_add(1, Ordering::Relaxed) + 1;
                    failpoint::hit(&format!("convert:chunk:{n}"), c.track.position);
                    units.emit(done.fetch_add(1, Ordering::Relaxed) + 1);
                }
                if let Ok(mut v) = results.lock() {
                    v.push((idx, r));
                }
            });
        }
    });
    c.check_cancelled()?;
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|r| r.0);
    let mut first_error = None;
    for (idx, r) in results {
        match r {
            Ok(p) => outputs[idx] = Some(p),
            Err(Error::Store(e)) => return Err(Error::Store(e)),
            Err(e) if first_error.is_none() => {
                let p = &k.plans[idx];
                first_error = Some(Error::Config(format!(
                    "{}: chunk {} of {total} ({}–{}): {e}",
                    c.track.title,
                    idx + 1,
                    clock(p.start, k.rate),
                    clock(p.end, k.rate)
                )));
            }
            Err(_) => {}
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let chunks = outputs
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            p.ok_or_else(|| Error::Config(format!("chunk {} of {total} was not converted", i + 1)))
        })
        .collect::<Result<Vec<_>>>()?;
    let _ = std::fs::remove_dir_all(&chunk_dir);
    Ok(ConvertOut { chunks })
}

/// Extracts, converts and commits chunk `idx` (one attempt of its unit).
fn convert_one(
    c: &TrackCx<'_>,
    k: &Chunks<'_>,
    idx: usize,
    chunk_dir: &Path,
    conv_dir: &Path,
) -> Result<ConvertedOut> {
    let chunk = chunk_dir.join(format!("{idx:04}.wav"));
    fsio::write_with(&chunk, |tmp| extract(k.input, &k.plans[idx], tmp))?;
    let out = conv_dir.join(format!("{idx:04}.wav"));
    let tmp = fsio::temp_path_keeping_extension(&out);
    let r = c.p.options.retry.run(&|| c.cancelled(), || {
        let _ = std::fs::remove_file(&tmp);
        k.converter.convert(&chunk, &tmp, &k.recipe.settings)
    });
    if let Err(e) = r {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::Engine(e));
    }
    fsio::commit(&tmp, &out)?;
    let _ = std::fs::remove_file(&chunk);
    Ok(ConvertedOut { path: out })
}

/// Writes frames `start − pre .. end + post` of the WAV `input` to `out`.
fn extract(input: &Path, plan: &ChunkPlan, out: &Path) -> Result<()> {
    let mut r = WavBlockReader::open(input)?;
    r.seek(plan.start - plan.pre)?;
    let mut w = WavBlockWriter::create(out, r.sample_rate_hz, r.channels)?;
    let mut left = (plan.end + plan.post - (plan.start - plan.pre)) as usize;
    let mut buf = Vec::new();
    while left > 0 {
        let n = r.read_block(&mut buf, left.min(crate::audio::BLOCK_FRAMES))?;
        if n == 0 {
            break;
        }
        w.write(&buf)?;
        left -= n;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::wav::{read_clip, write_clip};
    use crate::audio::Clip;

    /// Speech-like bursts with pauses, stereo, so there are silences to cut at.
    fn recording(sr: u32, secs: usize) -> Clip {
        let mut rng = fastrand::Rng::with_seed(3);
        let mut s = Vec::new();
        for i in 0..sr as usize * secs {
            let t = i as f32 / sr as f32;
            let on = (t % 2.3) < 1.6;
            let x = if on {
                (rng.f32() - 0.5) * 0.6 * (t * 9.0).sin().abs()
            } else {
                0.0
            };
            s.extend([x, x * 0.8]);
        }
        Clip {
            sample_rate_hz: sr,
            channels: 2,
            samples: s,
        }
    }

    #[test]
    fn chunks_concatenated_give_back_the_recording_sample_for_sample() {
        let dir = tempfile::tempdir().expect("tmp");
        let input = dir.path().join("input.wav");
        let clip = recording(44_100, 40);
        write_clip(&input, &clip).expect("write");
        let spans = profile_file(&input)
            .expect("profile")
            .plan_chunks(&ChunkLimits {
                max_ms: 5_000.0,
                ..ChunkLimits::default()
            });
        assert!(spans.len() >= 8, "{}", spans.len());
        let total = spans.last().map_or(0, |s| s.end);
        let mut joined = Vec::new();
        for (i, s) in spans.iter().enumerate() {
            let plan = ChunkPlan {
                start: s.start,
                end: s.end,
                pre: 441.min(s.start),
                post: 441.min(total - s.end),
            };
            let out = dir.path().join(format!("{i}.wav"));
            extract(&input, &plan, &out).expect("extract");
            let c = read_clip(&out).expect("read");
            let ch = 2;
            let core =
                &c.samples[plan.pre as usize * ch..c.samples.len() - plan.post as usize * ch];
            joined.extend_from_slice(core);
        }
        assert_eq!(joined, clip.samples, "lossless");

        // And joining the unconverted chunks (an identity converter) gives it
        // back too, at the same rate: crossfades of a signal with itself.
        let chunks: Vec<PathBuf> = (0..spans.len())
            .map(|i| dir.path().join(format!("{i}.wav")))
            .collect();
        let plans: Vec<ChunkPlan> = spans
            .iter()
            .map(|s| ChunkPlan {
                start: s.start,
                end: s.end,
                pre: 441.min(s.start),
                post: 441.min(total - s.end),
            })
            .collect();
        let out = dir.path().join("joined.wav");
        join(&chunks, &plans, 44_100, 2, 44_100, &out).expect("join");
        let j = read_clip(&out).expect("read");
        assert_eq!(j.samples.len(), clip.samples.len());
        // Cuts lie in silences, where both sides are zero: exact everywhere.
        let worst = j
            .samples
            .iter()
            .zip(&clip.samples)
            .fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(worst < 1e-6, "{worst}");
    }
}
