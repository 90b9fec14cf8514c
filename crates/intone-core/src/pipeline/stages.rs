//! The work of each step as plain functions over files, shared by the
//! durable track runner and by one-shot `say`. Each writes its outputs with
//! [`crate::fsio`] (temp file + rename), so a crash never leaves a
//! half-written file under a final name.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::audio::edit::{append_crossfade, fade_edges, trim_bounds};
use crate::audio::loudness::Meter;
use crate::audio::master::{master_file, MasterReport, MasterSettings};
use crate::audio::mix::{mix_file, MixReport, MixSettings};
use crate::audio::tags::Tags;
use crate::audio::wav::{read_clip, WavBlockReader, WavBlockWriter};
use crate::audio::{db_to_gain, encode, ms_to_frames, peaks, resample, Clip, BLOCK_FRAMES};
use crate::engines::{beds, SpeechEngine};
use crate::error::{Error, Result};
use crate::fsio;
use crate::script::Pause;
use crate::subtitles::Placed;
use crate::variants::Variant;

/// Loudness the voice stem is normalized to before mixing, LUFS. Bed levels
/// are set relative to it; mastering sets the final loudness.
pub const VOICE_STEM_LUFS: f64 = -20.0;
/// Silence threshold for trimming engine clips, dBFS.
const TRIM_THRESHOLD_DB: f32 = -50.0;
/// Kept around trimmed speech, ms.
const TRIM_MARGIN_MS: f64 = 12.0;
/// Equal-power fade at clip edges, ms.
const EDGE_FADE_MS: f64 = 8.0;
/// Crossfade between pieces of one long sentence, ms.
const JOIN_CROSSFADE_MS: f64 = 20.0;

/// A cached utterance clip and what follows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClipRef {
    /// Cache key.
    pub key: String,
    /// WAV file in the cache.
    pub path: PathBuf,
    /// What follows.
    pub pause_after: Pause,
}

/// The clip cache key: BLAKE3 over engine, engine salt, voice, tempo and text.
pub fn clip_key(engine: &dyn SpeechEngine, voice: &str, tempo: f64, text: &str) -> String {
    clip_key_take(engine, voice, tempo, text, 0)
}

/// The clip cache key of take `take` of an utterance: take 0 is
/// [`clip_key`]'s; a later take also hashes its number.
pub fn clip_key_take(
    engine: &dyn SpeechEngine,
    voice: &str,
    tempo: f64,
    text: &str,
    take: u32,
) -> String {
    let take = (take > 0).then(|| format!("take {take}"));
    let salt = engine.cache_salt(voice);
    let tempo = format!("{tempo:.4}");
    let parts: Vec<&str> = [engine.id(), &salt, voice, &tempo, text]
        .into_iter()
        .chain(take.as_deref())
        .collect();
    crate::hash::key(&parts)
}

pub(crate) use super::synth::synthesize;
pub use super::synth::{Lanes, Speaker, MAX_SENTENCE_ATTEMPTS};

/// What assembly produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssembleReport {
    /// Frames of the voice stem.
    pub frames: u64,
    /// Loudness before normalization, LUFS.
    pub raw_lufs: f64,
    /// Gain applied to reach [`VOICE_STEM_LUFS`], dB.
    pub gain_db: f64,
    /// Where each sentence (the utterances up to one that does not join the
    /// next) sits in the stem, in frames at its sample rate.
    #[serde(default)]
    pub sentences: Vec<Placed>,
}

/// Prepares one clip: trim silence, fade edges, resample.
fn prepare_clip(path: &Path, sample_rate_hz: u32) -> Result<Vec<f32>> {
    let clip = read_clip(path)?;
    let mono = clip.to_mono();
    let margin = ms_to_frames(TRIM_MARGIN_MS, clip.sample_rate_hz);
    let (a, b) = trim_bounds(&mono, TRIM_THRESHOLD_DB, margin);
    let mut trimmed = mono[a..b].to_vec();
    fade_edges(
        &mut trimmed,
        ms_to_frames(EDGE_FADE_MS, clip.sample_rate_hz),
    );
    let r = resample::resample(&Clip::mono(clip.sample_rate_hz, trimmed), sample_rate_hz)?;
    Ok(r.samples)
}

/// Joins clips into a mono voice stem at `sample_rate_hz`: sentence and
/// paragraph pauses from `variant`, equal-power crossfades inside long
/// sentences, then normalization to [`VOICE_STEM_LUFS`]. Streams to disk.
/// `texts` are the clips' texts (empty: no placements are reported); the
/// report says where each sentence's audio starts and ends.
///
/// # Errors
/// [`Error::Audio`] naming a clip or output that cannot be read or written.
pub fn assemble(
    clips: &[ClipRef],
    texts: &[String],
    variant: &Variant,
    sample_rate_hz: u32,
    out: &Path,
) -> Result<AssembleReport> {
    let raw_path = fsio::temp_path_for(&out.with_extension("raw.wav"));
    let result = (|| {
        let mut w = WavBlockWriter::create(&raw_path, sample_rate_hz, 1)?;
        let mut meter = Meter::new(1, sample_rate_hz, out)?;
        let xf = ms_to_frames(JOIN_CROSSFADE_MS, sample_rate_hz);
        let mut held: Vec<f32> = Vec::new();
        let mut frames = 0u64;
        let mut sentences: Vec<Placed> = Vec::new();
        let mut open: Option<Placed> = None;
        let emit = |s: &[f32],
                    w: &mut WavBlockWriter,
                    meter: &mut Meter,
                    frames: &mut u64|
         -> Result<()> {
            meter.add(s)?;
            w.write(s)?;
            *frames += s.len() as u64;
            Ok(())
        };
        for (i, c) in clips.iter().enumerate() {
            let samples = prepare_clip(&c.path, sample_rate_hz)?;
            // Where this clip's audio lands: after what was emitted and what
            // is held, less the crossfade it shares with the held tail.
            let overlap = xf.min(held.len()).min(samples.len()) as u64;
            let start = frames + held.len() as u64 - overlap;
            let end = start + samples.len() as u64;
            if let Some(text) = texts.get(i) {
                let p = open.get_or_insert_with(|| Placed {
                    text: String::new(),
                    start_frame: start,
                    end_frame: end,
                });
                if !p.text.is_empty() {
                    p.text.push(' ');
                }
                p.text.push_str(text.trim());
                p.end_frame = end;
                if c.pause_after != Pause::Join {
                    sentences.extend(open.take());
                }
            }
            let mut current = std::mem::take(&mut held);
            if current.is_empty() {
                current = samples;
            } else {
                append_crossfade(&mut current, &samples, xf);
            }
            let last = i + 1 == clips.len();
            match c.pause_after {
                Pause::Join if !last => {
                    let keep = xf.min(current.len());
                    let split = current.len() - keep;
                    emit(&current[..split], &mut w, &mut meter, &mut frames)?;
                    held = current[split..].to_vec();
                }
                p => {
                    emit(&current, &mut w, &mut meter, &mut frames)?;
                    if !last {
                        let ms = if p == Pause::Paragraph {
                            variant.paragraph_pause_ms
                        } else {
                            variant.sentence_pause_ms
                        };
                        emit(
                            &vec![0.0; ms_to_frames(ms, sample_rate_hz)],
                            &mut w,
                            &mut meter,
                            &mut frames,
                        )?;
                    }
                }
            }
        }
        if !held.is_empty() {
            emit(&held, &mut w, &mut meter, &mut frames)?;
        }
        w.finish()?;
        let raw_lufs = meter.result()?.integrated_lufs;
        let gain_db = if raw_lufs > crate::audio::loudness::SILENCE_LUFS {
            VOICE_STEM_LUFS - raw_lufs
        } else {
            0.0
        };
        let g = db_to_gain(gain_db) as f32;
        fsio::write_with(out, |tmp| {
            let mut r = WavBlockReader::open(&raw_path)?;
            let mut w = WavBlockWriter::create(tmp, sample_rate_hz, 1)?;
            let mut buf = Vec::new();
            while r.read_block(&mut buf, BLOCK_FRAMES)? > 0 {
                buf.iter_mut().for_each(|s| *s *= g);
                w.write(&buf)?;
            }
            w.finish()
        })?;
        sentences.extend(open.take());
        Ok(AssembleReport {
            frames,
            raw_lufs,
            gain_db,
            sentences,
        })
    })();
    let _ = std::fs::remove_file(&raw_path);
    result
}

/// Mixes the voice stem over the variant's bed. `seed` makes procedural beds
/// differ between tracks yet repeat exactly on resume.
///
/// # Errors
/// [`Error::Audio`] naming the bed or stem that failed.
pub fn mix(voice: &Path, variant: &Variant, seed: u64, out: &Path) -> Result<MixReport> {
    let sr = WavBlockReader::open(voice)?.sample_rate_hz;
    let bed = beds::open(&variant.bed, sr, seed)?;
    let settings = MixSettings {
        lead_in_ms: variant.lead_in_ms,
        tail_ms: variant.tail_ms,
        fade_in_ms: variant.fade_in_ms,
        fade_out_ms: variant.fade_out_ms,
        bed_gain_db: bed.as_ref().map_or(0.0, |b| {
            VOICE_STEM_LUFS + variant.bed_level_lu - b.loudness_lufs
        }),
        duck_db: variant.duck_db,
        brightness_db: variant.brightness_db,
        voice_compression_ratio: variant.voice_compression_ratio,
    };
    fsio::write_with(out, |tmp| match bed {
        Some(mut b) => mix_file(voice, Some(b.source.as_mut()), tmp, &settings),
        None => mix_file(voice, None, tmp, &settings),
    })
}

/// Masters the mix to a loudness target and true-peak ceiling.
///
/// # Errors
/// [`Error::Audio`].
pub fn master(mix: &Path, settings: MasterSettings, out: &Path) -> Result<MasterReport> {
    let report = fsio::write_with(out, |tmp| master_file(mix, tmp, settings))?;
    tracing::debug!(
        "mastered {}: {:.1} → {:.1} LUFS with {:+.1} dB gain, {:.1} dB peak reduction, {} pass(es)",
        mix.display(),
        report.input.integrated_lufs,
        report.output.integrated_lufs,
        report.gain_db,
        report.max_reduction_db,
        report.passes
    );
    Ok(report)
}

/// Encodes the master to the delivered file with `options` and `tags`.
///
/// # Errors
/// [`Error::Audio`] / [`Error::Config`].
pub fn encode(
    master: &Path,
    out: &Path,
    format: encode::Format,
    bits: u16,
    options: &encode::EncodeOptions,
    tags: &Tags,
) -> Result<encode::EncodeReport> {
    fsio::write_with(out, |tmp| {
        encode::encode_tagged(master, tmp, format, bits, options, tags)
    })
}

/// Computes waveform peaks of `audio` into the JSON file `out`.
///
/// # Errors
/// [`Error::Audio`] / [`Error::Io`].
pub fn peaks(audio: &Path, out: &Path) -> Result<peaks::Peaks> {
    let p = peaks::compute_file(audio)?;
    let json = serde_json::to_vec(&p).map_err(|e| Error::Config(format!("peaks: {e}")))?;
    fsio::write_atomically(out, &json)?;
    Ok(p)
}
