//! Sample-rate conversion with rubato's synchronous FFT resampler.

use audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

use crate::audio::Clip;
use crate::error::{Error, Result};

/// Resamples a whole clip to `to_hz` (startup delay trimmed, length
/// `ceil(frames·to/from)`). Returns the clip unchanged when the rates match.
///
/// # Errors
/// [`Error::Config`] for a zero rate or a resampler failure.
pub fn resample(clip: &Clip, to_hz: u32) -> Result<Clip> {
    if clip.sample_rate_hz == to_hz || clip.samples.is_empty() {
        return Ok(Clip {
            sample_rate_hz: to_hz,
            ..clip.clone()
        });
    }
    let channels = usize::from(clip.channels.max(1));
    let frames = clip.frames();
    let mut r = Fft::<f32>::new(
        clip.sample_rate_hz as usize,
        to_hz as usize,
        1024,
        channels,
        FixedSync::Input,
    )
    .map_err(|e| Error::Config(format!("resampler {}→{to_hz} Hz: {e}", clip.sample_rate_hz)))?;
    let input = InterleavedSlice::new(&clip.samples, channels, frames)
        .map_err(|e| Error::Config(format!("resampler input: {e}")))?;
    let out = r
        .process_all(&input, frames, None)
        .map_err(|e| Error::Config(format!("resampling failed: {e}")))?;
    Ok(Clip {
        sample_rate_hz: to_hz,
        channels: clip.channels,
        samples: out.take_data(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_duration_and_pitch() {
        let from = 22_050u32;
        let f = 440.0f32;
        let s: Vec<f32> = (0..from)
            .map(|i| (2.0 * std::f32::consts::PI * f * i as f32 / from as f32).sin() * 0.5)
            .collect();
        let out = resample(&Clip::mono(from, s), 48_000).expect("resample");
        assert!(
            (out.frames() as i64 - 48_000).abs() <= 2,
            "{}",
            out.frames()
        );
        // Zero crossings over the middle half second ≈ 2·f·0.5.
        let mid = &out.samples[12_000..36_000];
        let zc = mid.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
        assert!((zc as i64 - 220).abs() <= 2, "{zc}");
        let peak = mid.iter().fold(0f32, |a, &b| a.max(b.abs()));
        assert!((peak - 0.5).abs() < 0.02, "{peak}");
    }
}
