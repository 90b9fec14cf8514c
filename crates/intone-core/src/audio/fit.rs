//! Fitting audio to a target length, exact to the sample (DESIGN.md, "fit"):
//!
//! * [`FitMode::Trim`] cuts the end with a fade-out, or, when the audio is
//!   short, fades its end and pads with silence;
//! * [`FitMode::Stretch`] time-stretches the whole clip to the target,
//!   longer or shorter, keeping its pitch (Signalsmith Stretch, the
//!   `signalsmith-stretch` crate, in its one-shot `exact` mode);
//! * [`FitMode::Compress`] only ever shortens: a pitch-preserving speed-up
//!   when the audio is too long, a faded end and silence when it is short.

use serde::{Deserialize, Serialize};
use signalsmith_stretch::Stretch;

use super::Clip;
use crate::error::{Error, Result};

/// The longest fade a fit puts on an end it cuts or pads, ms.
pub const FIT_FADE_MS: f64 = 2_000.0;

/// How audio is made to last a target length.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FitMode {
    /// Cut the end with a fade-out, or pad a faded end with silence.
    #[default]
    Trim,
    /// Time-stretch the whole, pitch kept, to exactly the target.
    Stretch,
    /// Speed up (pitch kept) when too long; pad like `trim` when short.
    Compress,
}

impl FitMode {
    /// The name used in scene files, the CLI and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trim => "trim",
            Self::Stretch => "stretch",
            Self::Compress => "compress",
        }
    }

    /// The factor by which a time in audio of `frames` frames moves when
    /// fitted to `target_frames` (1 unless the audio is stretched).
    pub fn time_scale(self, frames: usize, target_frames: usize) -> f64 {
        let stretched = match self {
            Self::Trim => false,
            Self::Stretch => true,
            Self::Compress => frames > target_frames,
        };
        if stretched && frames > 0 {
            target_frames as f64 / frames as f64
        } else {
            1.0
        }
    }
}

impl std::str::FromStr for FitMode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_lowercase().as_str() {
            "trim" => Ok(Self::Trim),
            "stretch" => Ok(Self::Stretch),
            "compress" => Ok(Self::Compress),
            other => Err(Error::Config(format!(
                "unknown fit mode \"{other}\" (trim, stretch or compress)"
            ))),
        }
    }
}

/// `clip` made exactly `target_frames` long by `mode`.
///
/// # Errors
/// [`Error::Audio`] when a stretch cannot be made (the target is shorter
/// than the stretcher's latency: a few hundredths of a second).
pub fn fit(clip: &Clip, target_frames: usize, mode: FitMode) -> Result<Clip> {
    let frames = clip.frames();
    if (mode.time_scale(frames, target_frames) - 1.0).abs() > f64::EPSILON {
        return stretch(clip, target_frames);
    }
    Ok(trim(clip, target_frames))
}

/// Cuts `clip` to `target_frames` with a raised-cosine fade-out, or fades
/// its end and pads it with silence to `target_frames`.
pub fn trim(clip: &Clip, target_frames: usize) -> Clip {
    let ch = usize::from(clip.channels.max(1));
    let keep = clip.frames().min(target_frames);
    let mut samples = clip.samples[..keep * ch].to_vec();
    let fade = super::ms_to_frames(FIT_FADE_MS, clip.sample_rate_hz)
        .min(keep / 4)
        .max(1);
    if keep != clip.frames() || keep < target_frames {
        for i in 0..fade.min(keep) {
            let f = keep - 1 - i;
            let p = i as f32 / fade as f32;
            let g = 0.5 - 0.5 * (std::f32::consts::PI * p).cos();
            for s in &mut samples[f * ch..(f + 1) * ch] {
                *s *= g;
            }
        }
    }
    samples.resize(target_frames * ch, 0.0);
    Clip {
        sample_rate_hz: clip.sample_rate_hz,
        channels: clip.channels,
        samples,
    }
}

/// Time-stretches `clip` to exactly `target_frames`, pitch preserved.
///
/// # Errors
/// [`Error::Audio`] when the target is too short for the stretcher.
pub fn stretch(clip: &Clip, target_frames: usize) -> Result<Clip> {
    let ch = usize::from(clip.channels.max(1));
    let mut st = Stretch::preset_default(u32::from(clip.channels.max(1)), clip.sample_rate_hz);
    let mut out = vec![0f32; target_frames * ch];
    if clip.frames() == 0 || !st.exact(&clip.samples, &mut out) {
        return Err(Error::Audio {
            path: "score".into(),
            message: format!(
                "cannot stretch {} frames to {target_frames}: the target is too short to stretch",
                clip.frames()
            ),
        });
    }
    Ok(Clip {
        sample_rate_hz: clip.sample_rate_hz,
        channels: clip.channels,
        samples: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(sr: u32, secs: f64, hz: f64) -> Clip {
        let n = (secs * f64::from(sr)) as usize;
        let mut s = Vec::with_capacity(n * 2);
        for i in 0..n {
            let x =
                (0.4 * (2.0 * std::f64::consts::PI * hz * i as f64 / f64::from(sr)).sin()) as f32;
            s.extend([x, x]);
        }
        Clip {
            sample_rate_hz: sr,
            channels: 2,
            samples: s,
        }
    }

    /// Dominant frequency of the left channel by counting upward zero
    /// crossings over the middle half.
    fn frequency(c: &Clip) -> f64 {
        let l: Vec<f32> = c.samples.iter().step_by(2).copied().collect();
        let (a, b) = (l.len() / 4, l.len() * 3 / 4);
        let ups = l[a..b]
            .windows(2)
            .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
            .count();
        ups as f64 * f64::from(c.sample_rate_hz) / (b - a) as f64
    }

    #[test]
    fn every_mode_lands_on_the_target_to_the_sample() {
        let c = tone(48_000, 10.0, 440.0);
        for mode in [FitMode::Trim, FitMode::Stretch, FitMode::Compress] {
            for target in [400_000usize, 480_000, 520_001] {
                let f = fit(&c, target, mode).expect("fit");
                assert_eq!(f.frames(), target, "{mode:?} → {target}");
                assert_eq!(f.samples.len(), target * 2);
            }
        }
    }

    #[test]
    fn stretch_keeps_pitch_and_trim_fades() {
        let c = tone(48_000, 10.0, 440.0);
        let before = frequency(&c);
        for target_s in [8.0, 12.5] {
            let f = stretch(&c, (target_s * 48_000.0) as usize).expect("stretch");
            let after = frequency(&f);
            assert!(
                (after - before).abs() < 2.0,
                "{before} Hz → {after} Hz at {target_s} s"
            );
        }
        // Compress leaves a short clip's pitch and length alone, padding it.
        let f = fit(&c, 600_000, FitMode::Compress).expect("compress");
        assert_eq!(&f.samples[..1000], &c.samples[..1000]);
        assert!(f.samples[480_000 * 2..].iter().all(|&s| s == 0.0));
        // Trim fades out: the last sample is silent, the cut does not click.
        let t = trim(&c, 300_000);
        assert!(t.samples[t.samples.len() - 1].abs() < 1e-3);
        assert_eq!(FitMode::Stretch.time_scale(100, 80), 0.8);
        assert_eq!(FitMode::Compress.time_scale(80, 100), 1.0);
    }
}
