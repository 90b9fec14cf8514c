//! Audio DSP. Internal format: `f32` samples, interleaved when there is more
//! than one channel. Long signals are processed in blocks from and to f32 WAV
//! files ([`wav`]), so memory stays bounded whatever the track length.

pub mod biquad;
pub mod decode;
pub mod dynamics;
pub mod edit;
pub mod encode;
pub mod external;
pub mod fit;
pub mod ingest;
pub mod limiter;
pub mod loudness;
pub mod master;
pub mod meter_thread;
pub mod mix;
pub mod opus_decode;
pub mod peaks;
pub mod resample;
pub mod silence;
pub mod tags;
pub mod video;
pub mod wav;
mod wav_raw;

/// Frames per block for streaming DSP (≈85 ms at 48 kHz).
pub const BLOCK_FRAMES: usize = 4096;

/// Decibels → linear amplitude gain (`10^(dB/20)`).
pub fn db_to_gain(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// Linear amplitude → decibels (`20·log10(x)`); `-inf` for 0.
pub fn gain_to_db(gain: f64) -> f64 {
    20.0 * gain.log10()
}

/// Milliseconds → frames at `sample_rate_hz`, rounded to the nearest frame.
pub fn ms_to_frames(ms: f64, sample_rate_hz: u32) -> usize {
    (ms.max(0.0) * f64::from(sample_rate_hz) / 1000.0).round() as usize
}

/// A clip held in memory: interleaved `f32` samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Clip {
    /// Frames per second.
    pub sample_rate_hz: u32,
    /// Interleaved channels (1 = mono).
    pub channels: u16,
    /// `frames × channels` samples in −1.0..=1.0 nominal range.
    pub samples: Vec<f32>,
}

impl Clip {
    /// A mono clip.
    pub fn mono(sample_rate_hz: u32, samples: Vec<f32>) -> Self {
        Self {
            sample_rate_hz,
            channels: 1,
            samples,
        }
    }
    /// Number of frames.
    pub fn frames(&self) -> usize {
        self.samples.len() / usize::from(self.channels.max(1))
    }
    /// Duration in milliseconds.
    pub fn duration_ms(&self) -> f64 {
        self.frames() as f64 * 1000.0 / f64::from(self.sample_rate_hz.max(1))
    }
    /// The clip with `channels` channels: a mono clip is copied to every
    /// channel, more channels are averaged to mono first.
    pub fn with_channels(&self, channels: u16) -> Clip {
        if channels == self.channels {
            return self.clone();
        }
        let mono = self.to_mono();
        let ch = usize::from(channels.max(1));
        let mut samples = Vec::with_capacity(mono.len() * ch);
        for s in mono {
            samples.extend(std::iter::repeat_n(s, ch));
        }
        Clip {
            sample_rate_hz: self.sample_rate_hz,
            channels: channels.max(1),
            samples,
        }
    }

    /// Mono mixdown (channel average).
    pub fn to_mono(&self) -> Vec<f32> {
        let ch = usize::from(self.channels.max(1));
        if ch == 1 {
            return self.samples.clone();
        }
        self.samples
            .chunks_exact(ch)
            .map(|f| f.iter().sum::<f32>() / ch as f32)
            .collect()
    }
}
