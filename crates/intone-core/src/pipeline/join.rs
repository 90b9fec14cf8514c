//! Joining converted chunks back into one recording (the conversion kind's
//! `join` step; the timeline rules are in [`super::conversion`]'s docs):
//! each chunk's core follows the previous one, and its handles overlap the
//! neighbour's core with an equal-power crossfade centred on the cut.
//! Streams: one chunk in memory at a time.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::audio::edit::equal_power;
use crate::audio::wav::{read_clip, WavBlockWriter};
use crate::audio::{decode, resample, Clip};
use crate::error::Result;

/// What the chunk step planned for one chunk (a unit's plan): frames
/// `start..end` of the ingested recording, with `pre`/`post` handle frames.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct ChunkPlan {
    pub start: u64,
    pub end: u64,
    /// Handle frames before `start` and after `end`.
    pub pre: u64,
    pub post: u64,
}

/// Reads a converted chunk as `channels` channels at `rate`.
fn load_converted(path: &Path, channels: u16, rate: u32) -> Result<Clip> {
    let clip = if path.extension().is_some_and(|e| e == "wav") {
        read_clip(path).or_else(|_| decode::decode_file(path))?
    } else {
        decode::decode_file(path)?
    };
    let clip = clip.with_channels(channels);
    resample::resample(&clip, rate)
}

/// Joins converted chunks (see the module docs) into the f32 WAV `out` at
/// `out_rate`, streaming: one chunk in memory at a time.
///
/// # Errors
/// [`Error::Audio`] naming a chunk that cannot be read.
pub(crate) fn join(
    chunks: &[PathBuf],
    plans: &[ChunkPlan],
    in_rate: u32,
    channels: u16,
    out_rate: u32,
    out: &Path,
) -> Result<()> {
    let ch = usize::from(channels.max(1));
    let scale = f64::from(out_rate) / f64::from(in_rate.max(1));
    let at = |frame: u64| (frame as f64 * scale).round() as usize;
    let mut w = WavBlockWriter::create(out, out_rate, channels)?;
    // The previous chunk's last core frames (not yet written) and its post handle.
    let mut held: Vec<f32> = Vec::new();
    let mut held_post: Vec<f32> = Vec::new();
    for (i, (path, p)) in chunks.iter().zip(plans).enumerate() {
        let clip = load_converted(path, channels, out_rate)?;
        let len = clip.frames();
        let (pre, core_len, post) = {
            let exp_pre = at(p.start) - at(p.start - p.pre);
            let exp_core = at(p.end) - at(p.start);
            let exp_post = at(p.end + p.post) - at(p.end);
            let expected = exp_pre + exp_core + exp_post;
            if len.abs_diff(expected) <= 2 + expected / 1000 {
                // Length kept: every core lands exactly where it was.
                let pre = exp_pre.min(len);
                (pre, exp_core.min(len - pre), exp_post)
            } else {
                let r = len as f64 / expected.max(1) as f64;
                let pre = ((exp_pre as f64 * r).round() as usize).min(len);
                let post = ((exp_post as f64 * r).round() as usize).min(len - pre);
                (pre, len - pre - post, post)
            }
        };
        let s = &clip.samples;
        let pre_part = &s[..pre * ch];
        let mut core: Vec<f32> = s[pre * ch..(pre + core_len) * ch].to_vec();
        core.resize(core_len * ch, 0.0);
        let post_end = ((pre + core_len + post) * ch).min(s.len());
        let post_part = &s[((pre + core_len) * ch).min(post_end)..post_end];
        if i > 0 {
            // Crossfade centred on the cut: held core tail × this pre handle,
            // then the previous post handle × this core's start.
            let a = (held.len() / ch).min(pre_part.len() / ch);
            let b = (held_post.len() / ch).min(core.len() / ch);
            let plain = held.len() / ch - a;
            w.write(&held[..plain * ch])?;
            let n = (a + b).max(1) as f32;
            let mut mixed = Vec::with_capacity(a * ch);
            let pre_off = pre_part.len() / ch - a;
            for k in 0..a {
                let t = (k as f32 + 0.5) / n;
                let (fo, fi) = (equal_power(1.0 - t), equal_power(t));
                for c in 0..ch {
                    mixed.push(
                        held[(plain + k) * ch + c] * fo + pre_part[(pre_off + k) * ch + c] * fi,
                    );
                }
            }
            w.write(&mixed)?;
            for k in 0..b {
                let t = ((a + k) as f32 + 0.5) / n;
                let (fo, fi) = (equal_power(1.0 - t), equal_power(t));
                for c in 0..ch {
                    let x = &mut core[k * ch + c];
                    *x = held_post[k * ch + c] * fo + *x * fi;
                }
            }
        }
        // Hold back as much of this core as the next pre handle may need.
        let hold = (core.len() / ch).min(at(p.post).max(2 * post)) * ch;
        let split = core.len() - hold;
        w.write(&core[..split])?;
        held = core[split..].to_vec();
        held_post = post_part.to_vec();
    }
    w.write(&held)?;
    w.finish()?;
    Ok(())
}
