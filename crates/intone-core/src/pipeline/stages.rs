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
    /// Who says it (`None`: the narrator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// Silence before it, ms (a pause tag before a section's first speech).
    #[serde(default, skip_serializing_if = "crate::script::is_zero")]
    pub lead_ms: u32,
    /// It is a heading (the variant's heading pause follows it, when set).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub heading: bool,
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

pub(crate) use super::synth::{sentence, synthesize};
pub use super::synth::{Lanes, Settings, Speaker, Voices, MAX_SENTENCE_ATTEMPTS, NO_SETTINGS};

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
    /// Gain each speaker's clips got to match the others in loudness, dB
    /// (empty when one voice speaks the whole track).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub speaker_gains_db: std::collections::BTreeMap<String, f64>,
    /// Where each clip (utterance) sits in the stem, `[start, end)` frames
    /// at its sample rate, in clip order (the sentence list's positions).
    #[serde(default)]
    pub clip_spans: Vec<(u64, u64)>,
}

/// One clip ready to join: trimmed, faded, resampled, and how much of it
/// lies outside its speech at each end (the trim margin kept), in frames.
struct Prepared {
    samples: Vec<f32>,
    lead: usize,
    tail: usize,
}

/// Prepares one clip: gain (dB), trim silence, fade edges, resample. The
/// gain comes first, so the speech's edges are found at the level the clip
/// will have in the stem.
fn prepare_clip(path: &Path, sample_rate_hz: u32, gain_db: f64) -> Result<Prepared> {
    let clip = read_clip(path)?;
    let mut mono = clip.to_mono();
    if gain_db != 0.0 {
        let g = db_to_gain(gain_db) as f32;
        mono.iter_mut().for_each(|s| *s *= g);
    }
    let margin = ms_to_frames(TRIM_MARGIN_MS, clip.sample_rate_hz);
    let (a, b) = trim_bounds(&mono, TRIM_THRESHOLD_DB, margin);
    // Where the speech itself starts and ends inside the kept span.
    let (sa, sb) = trim_bounds(&mono, TRIM_THRESHOLD_DB, 0);
    let mut trimmed = mono[a..b].to_vec();
    fade_edges(
        &mut trimmed,
        ms_to_frames(EDGE_FADE_MS, clip.sample_rate_hz),
    );
    let r = resample::resample(&Clip::mono(clip.sample_rate_hz, trimmed), sample_rate_hz)?;
    let scale = |f: usize| {
        (f as f64 * f64::from(sample_rate_hz) / f64::from(clip.sample_rate_hz.max(1))).round()
            as usize
    };
    Ok(Prepared {
        samples: r.samples,
        lead: scale(sa.saturating_sub(a)),
        tail: scale(b.saturating_sub(sb.max(a))),
    })
}

/// The gain that brings each speaker's clips to [`VOICE_STEM_LUFS`], dB
/// (their integrated loudness over all their clips, ITU-R BS.1770-4 as
/// [`Meter`] measures it), when more than one speaker speaks or an author's
/// pause must be exact (its speech edges are then found at the stem's
/// level); empty otherwise, and the stem is normalized as a whole.
fn speaker_gains(
    clips: &[ClipRef],
    sample_rate_hz: u32,
    out: &Path,
) -> Result<std::collections::BTreeMap<String, f64>> {
    let mut gains = std::collections::BTreeMap::new();
    let name = |c: &ClipRef| c.speaker.clone().unwrap_or_default();
    let mut speakers: Vec<String> = clips.iter().map(name).collect();
    speakers.sort();
    speakers.dedup();
    let exact = clips
        .iter()
        .any(|c| c.lead_ms > 0 || matches!(c.pause_after, Pause::Exact(_)));
    if speakers.len() < 2 && !exact {
        return Ok(gains);
    }
    for sp in speakers {
        let mut meter = Meter::new(1, sample_rate_hz, out)?;
        for c in clips.iter().filter(|c| name(c) == sp) {
            meter.add(&prepare_clip(&c.path, sample_rate_hz, 0.0)?.samples)?;
        }
        let lufs = meter.result()?.integrated_lufs;
        if lufs > crate::audio::loudness::SILENCE_LUFS {
            gains.insert(sp, VOICE_STEM_LUFS - lufs);
        }
    }
    Ok(gains)
}

/// Frames of silence for a pause after a clip whose speech ends `tail`
/// frames before its end, before one whose speech starts `lead` frames in:
/// an exact pause counts the clips' margins, so the gap between the speech
/// on either side is what was asked for.
fn pause_frames(
    p: Pause,
    heading: bool,
    variant: &Variant,
    tail: usize,
    lead: usize,
    sr: u32,
) -> usize {
    match p {
        Pause::Sentence | Pause::Paragraph if heading && variant.heading_pause_ms.is_some() => {
            ms_to_frames(variant.heading_pause_ms.unwrap_or_default(), sr)
        }
        Pause::Join => 0,
        Pause::Sentence => ms_to_frames(variant.sentence_pause_ms, sr),
        Pause::Paragraph => ms_to_frames(variant.paragraph_pause_ms, sr),
        Pause::Exact(ms) => ms_to_frames(f64::from(ms), sr).saturating_sub(tail + lead),
    }
}

/// Joins clips into a mono voice stem at `sample_rate_hz`: sentence and
/// paragraph pauses from `variant`, exact pauses where the author wrote
/// them (the gap between the speech on either side, margins counted),
/// equal-power crossfades inside long sentences, each speaker matched in
/// loudness when several speak, then normalization to [`VOICE_STEM_LUFS`].
/// Streams to disk.
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
        let mut clip_spans: Vec<(u64, u64)> = Vec::with_capacity(clips.len());
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
        let speaker_gains_db = speaker_gains(clips, sample_rate_hz, out)?;
        let zeros = vec![0.0f32; BLOCK_FRAMES];
        // The pause after the clip last emitted, and where its speech ended.
        let mut pending: Option<(Pause, bool, usize)> = None;
        for (i, c) in clips.iter().enumerate() {
            let gain = speaker_gains_db
                .get(c.speaker.as_deref().unwrap_or_default())
                .copied()
                .unwrap_or(0.0);
            let Prepared {
                samples,
                lead,
                tail,
            } = prepare_clip(&c.path, sample_rate_hz, gain)?;
            let silence = match pending.take() {
                Some((p, heading, prev_tail)) => {
                    pause_frames(p, heading, variant, prev_tail, lead, sample_rate_hz)
                }
                None => ms_to_frames(f64::from(c.lead_ms), sample_rate_hz).saturating_sub(lead),
            };
            // In blocks: a long pause never needs its length in memory.
            let mut left = silence;
            while left > 0 {
                let n = left.min(BLOCK_FRAMES);
                emit(&zeros[..n], &mut w, &mut meter, &mut frames)?;
                left -= n;
            }
            // Where this clip's audio lands: after what was emitted and what
            // is held, less the crossfade it shares with the held tail.
            let overlap = xf.min(held.len()).min(samples.len()) as u64;
            let start = frames + held.len() as u64 - overlap;
            let end = start + samples.len() as u64;
            clip_spans.push((start, end));
            if let Some(text) = texts.get(i) {
                let p = open.get_or_insert_with(|| Placed {
                    text: String::new(),
                    start_frame: start,
                    end_frame: end,
                    speaker: c.speaker.clone(),
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
                        pending = Some((p, c.heading, tail));
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
            speaker_gains_db,
            clip_spans,
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
