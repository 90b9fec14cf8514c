//! A bed from an audio file: decoded (symphonia), made stereo, resampled
//! (rubato) and looped endlessly with an equal-power crossfade joining the
//! end back to the start.

use std::path::Path;

use crate::audio::edit::equal_power;
use crate::audio::mix::BedSource;
use crate::audio::{decode, resample, Clip};
use crate::error::{Error, Result};

/// Longest crossfade at the loop point, seconds.
const LOOP_CROSSFADE_S: f64 = 2.0;

/// A looping file bed.
pub struct FileBed {
    /// Intro: the first `xf` frames, played once.
    intro: Vec<f32>,
    /// Seamless cycle: frames `xf..len-xf`, then end crossfaded into start.
    cycle: Vec<f32>,
    pos: usize,
    in_intro: bool,
}

impl FileBed {
    /// Opens `path` for playback at `sample_rate_hz`.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file when it cannot be decoded or is too short (< 0.5 s).
    pub fn open(path: &Path, sample_rate_hz: u32) -> Result<Self> {
        let clip = decode::decode_file(path)?;
        let stereo = to_stereo(&clip);
        let clip = resample::resample(&stereo, sample_rate_hz)?;
        let frames = clip.frames();
        if frames < (sample_rate_hz / 2) as usize {
            return Err(Error::audio(path, "bed file is shorter than half a second"));
        }
        let xf = ((LOOP_CROSSFADE_S * f64::from(sample_rate_hz)) as usize)
            .min(frames / 4)
            .max(1);
        let s = &clip.samples;
        let intro = s[..xf * 2].to_vec();
        let mut cycle = s[xf * 2..(frames - xf) * 2].to_vec();
        for i in 0..xf {
            let t = (i as f32 + 0.5) / xf as f32;
            let (a, b) = (equal_power(1.0 - t), equal_power(t));
            for c in 0..2 {
                cycle.push(s[(frames - xf + i) * 2 + c] * a + s[i * 2 + c] * b);
            }
        }
        Ok(Self {
            intro,
            cycle,
            pos: 0,
            in_intro: true,
        })
    }
}

fn to_stereo(clip: &Clip) -> Clip {
    let ch = usize::from(clip.channels.max(1));
    let samples = match ch {
        2 => clip.samples.clone(),
        1 => clip.samples.iter().flat_map(|&s| [s, s]).collect(),
        _ => clip
            .samples
            .chunks_exact(ch)
            .flat_map(|f| [f[0], f[1]])
            .collect(),
    };
    Clip {
        sample_rate_hz: clip.sample_rate_hz,
        channels: 2,
        samples,
    }
}

impl BedSource for FileBed {
    fn fill(&mut self, out: &mut [f32]) {
        for o in out.iter_mut() {
            let src = if self.in_intro {
                &self.intro
            } else {
                &self.cycle
            };
            *o = src[self.pos];
            self.pos += 1;
            if self.pos >= src.len() {
                self.pos = 0;
                self.in_intro = false;
            }
        }
    }
}
