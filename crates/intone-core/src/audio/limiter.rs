//! Look-ahead true-peak limiter.
//!
//! Peaks are detected on a 4× oversampled estimate of the signal, following
//! the method of ITU-R BS.1770-4 Annex 2 (true-peak meter: 4× oversampling
//! with an interpolating low-pass filter, 12 taps per phase); the interpolator
//! here is a Hann-windowed sinc normalized to unity DC gain per phase.
//!
//! Gain computation guarantees that the gain applied to frame *m* never exceeds
//! the gain frame *m* requires: the required gain is min-held over `L + 1`
//! frames and then averaged over `L` frames (L = look-ahead), so the attack is
//! a smooth ramp that reaches the required gain exactly at the peak; release is
//! a one-pole rise toward unity that can only lower the gain further.

use std::collections::VecDeque;

/// Interpolation taps per phase (BS.1770-4 Annex 2 uses 12).
const TAPS: usize = 12;
/// Oversampling factor.
const OVERSAMPLE: usize = 4;
/// Frames of the detector window before the frame being evaluated.
const HALF: usize = TAPS / 2 - 1; // taps cover m-5 ..= m+6

/// The detector's filter bank, tap-major: `t[j]` holds tap `j` of the three
/// interpolating phases (x[m + 1/4], x[m + 1/2], x[m + 3/4]) and, in the
/// fourth lane, of the identity (1 at the centre tap), so one pass over the
/// window gives all four values and compiles to 4-lane SIMD.
fn interpolation_table() -> [[f32; OVERSAMPLE]; TAPS] {
    // One normalized Hann-windowed sinc per interpolated phase.
    let phases: Vec<[f64; TAPS]> = (1..OVERSAMPLE)
        .map(|k| {
            let frac = k as f64 / OVERSAMPLE as f64;
            let mut row = [0f64; TAPS];
            for (j, c) in row.iter_mut().enumerate() {
                // Tap j multiplies x[m - HALF + j]; its distance from the point m + frac:
                let d = frac - (j as f64 - HALF as f64);
                let sinc = if d.abs() < 1e-12 {
                    1.0
                } else {
                    (std::f64::consts::PI * d).sin() / (std::f64::consts::PI * d)
                };
                *c = sinc
                    * (0.5 + 0.5 * (std::f64::consts::PI * d / (TAPS as f64 / 2.0 + 0.5)).cos());
            }
            let sum: f64 = row.iter().sum();
            row.map(|c| c / sum)
        })
        .collect();
    let mut t = [[0f32; OVERSAMPLE]; TAPS];
    for (j, taps) in t.iter_mut().enumerate() {
        for (lane, phase) in taps.iter_mut().zip(&phases) {
            *lane = phase[j] as f32;
        }
    }
    t[HALF][OVERSAMPLE - 1] = 1.0;
    t
}

/// The largest magnitude among the centre sample and the three interpolated
/// points after it, for a window of [`TAPS`] samples.
#[inline]
fn window_peak(table: &[[f32; OVERSAMPLE]; TAPS], window: &[f32]) -> f32 {
    let mut acc = [0f32; OVERSAMPLE];
    for (taps, &x) in table.iter().zip(window) {
        for (a, &c) in acc.iter_mut().zip(taps) {
            *a += c * x;
        }
    }
    acc.iter().fold(0f32, |m, a| m.max(a.abs()))
}

/// Streaming true-peak limiter for interleaved audio.
///
/// Latency is `lookahead + 6` frames; [`TruePeakLimiter::process`] and
/// [`TruePeakLimiter::finish`] together return exactly as many frames as were
/// given, time-aligned with the input.
pub struct TruePeakLimiter {
    channels: usize,
    ceiling: f32,
    lookahead: usize,
    release_coeff: f32,
    table: [[f32; OVERSAMPLE]; TAPS],
    /// Detector window per channel: a ring of TAPS samples written twice
    /// (at `i` and `i + TAPS`) so the window is always one contiguous slice.
    ring: Vec<[f32; 2 * TAPS]>,
    ring_pos: usize,
    ring_filled: usize,
    /// Frames waiting for their gain (interleaved).
    delay: VecDeque<f32>,
    prev_req: f32,
    /// Monotonic queue for the sliding minimum: (index, value).
    minq: VecDeque<(u64, f32)>,
    boxq: VecDeque<f32>,
    box_sum: f64,
    gain: f32,
    detected: u64,
    to_skip: usize,
    frames_in: u64,
    frames_out: u64,
    /// Smallest gain applied so far (1.0 = never limited).
    pub min_gain: f32,
    /// Largest 4×-oversampled peak the detector saw on the input (linear);
    /// the output's true peak when [`TruePeakLimiter::min_gain`] is 1.
    pub max_peak: f32,
}

impl TruePeakLimiter {
    /// A limiter for `channels` at `sample_rate_hz` with a ceiling in dBTP,
    /// `lookahead_ms` of look-ahead and `release_ms` release time constant.
    pub fn new(
        channels: u16,
        sample_rate_hz: u32,
        ceiling_dbtp: f64,
        lookahead_ms: f64,
        release_ms: f64,
    ) -> Self {
        let channels = usize::from(channels.max(1));
        let lookahead = super::ms_to_frames(lookahead_ms, sample_rate_hz).max(1);
        let release_frames = (release_ms / 1000.0 * f64::from(sample_rate_hz)).max(1.0);
        let mut s = Self {
            channels,
            ceiling: super::db_to_gain(ceiling_dbtp) as f32,
            lookahead,
            release_coeff: (-1.0 / release_frames).exp() as f32,
            table: interpolation_table(),
            ring: vec![[0.0; 2 * TAPS]; channels],
            // HALF silent frames of history before the first real one.
            ring_pos: HALF,
            ring_filled: HALF,
            delay: VecDeque::new(),
            prev_req: 1.0,
            minq: VecDeque::new(),
            boxq: VecDeque::with_capacity(lookahead + 1),
            box_sum: 0.0,
            gain: 1.0,
            detected: 0,
            to_skip: 0,
            frames_in: 0,
            frames_out: 0,
            min_gain: 1.0,
            max_peak: 0.0,
        };
        // Pre-roll: L silent frames in the delay line so output lines up; their output is skipped.
        s.delay
            .extend(std::iter::repeat_n(0.0, lookahead * channels));
        s.boxq.extend(std::iter::repeat_n(1.0, lookahead));
        s.box_sum = lookahead as f64;
        s.to_skip = lookahead;
        s
    }

    /// Latency in frames.
    pub fn latency_frames(&self) -> usize {
        self.lookahead + TAPS - 1 - HALF
    }

    /// Feeds interleaved `input`; appends limited output frames to `out`.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        for frame in input.chunks_exact(self.channels) {
            self.frames_in += 1;
            self.push_frame(frame, out);
        }
    }

    /// Flushes the remaining frames into `out`.
    pub fn finish(&mut self, out: &mut Vec<f32>) {
        let zeros = vec![0.0; self.channels];
        let mut guard = self.latency_frames() + 2;
        while self.frames_out < self.frames_in && guard > 0 {
            self.push_frame(&zeros, out);
            guard -= 1;
        }
    }

    fn push_frame(&mut self, frame: &[f32], out: &mut Vec<f32>) {
        // 1. Detector window: x[m-HALF ..= m+HALF+1] once TAPS frames are in.
        let mut peak = 0f32;
        let slot = self.ring_pos % TAPS;
        for (c, &x) in frame.iter().enumerate() {
            self.ring[c][slot] = x;
            self.ring[c][slot + TAPS] = x;
        }
        self.ring_pos = slot + 1;
        self.ring_filled = (self.ring_filled + 1).min(TAPS);
        if self.ring_filled < TAPS {
            return;
        }
        let start = self.ring_pos % TAPS;
        for ring in &self.ring {
            peak = peak.max(window_peak(&self.table, &ring[start..start + TAPS]));
        }
        self.max_peak = self.max_peak.max(peak);
        let req = if peak > self.ceiling {
            self.ceiling / peak
        } else {
            1.0
        };
        // An inter-sample peak between m and m+1 constrains both frames.
        let r = req.min(self.prev_req);
        self.prev_req = req;
        let idx = self.detected;
        self.detected += 1;

        // 2. Sliding minimum over L+1 detections.
        while self.minq.back().is_some_and(|&(_, v)| v >= r) {
            self.minq.pop_back();
        }
        self.minq.push_back((idx, r));
        while self
            .minq
            .front()
            .is_some_and(|&(i, _)| i + (self.lookahead as u64) < idx)
        {
            self.minq.pop_front();
        }
        let held = self.minq.front().map_or(1.0, |&(_, v)| v);

        // 3. Box average over L values → smooth attack.
        self.boxq.push_back(held);
        self.box_sum += f64::from(held);
        if let Some(old) = self.boxq.pop_front() {
            self.box_sum -= f64::from(old);
        }
        if idx.is_multiple_of(8192) {
            self.box_sum = self.boxq.iter().map(|&v| f64::from(v)).sum();
        }
        let smooth = ((self.box_sum / self.lookahead as f64) as f32).clamp(0.0, 1.0);

        // 4. Release: fall at once, rise slowly.
        self.gain = if smooth < self.gain {
            smooth
        } else {
            smooth - (smooth - self.gain) * self.release_coeff
        };
        self.min_gain = self.min_gain.min(self.gain);

        // 5. Delay line: the frame L detections ago gets this gain.
        // The centre frame (index `idx`) leaves the detector and enters the delay line.
        for c in 0..self.channels {
            let x = self.ring[c][start + HALF];
            self.delay.push_back(x);
        }
        let g = self.gain;
        let emit = self.to_skip == 0 && self.frames_out < self.frames_in;
        self.to_skip = self.to_skip.saturating_sub(1);
        for _ in 0..self.channels {
            let x = self.delay.pop_front().unwrap_or(0.0);
            if emit {
                out.push(x * g);
            }
        }
        if emit {
            self.frames_out += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_aligned_and_same_length() {
        let mut l = TruePeakLimiter::new(2, 48_000, -1.0, 5.0, 50.0);
        let input: Vec<f32> = (0..20_000)
            .map(|i| ((i / 2) as f32 * 0.01).sin() * 0.1)
            .collect();
        let mut out = Vec::new();
        for block in input.chunks(4096) {
            l.process(block, &mut out);
        }
        l.finish(&mut out);
        assert_eq!(out.len(), input.len());
        // Quiet signal passes untouched and aligned.
        for (a, b) in input.iter().zip(&out) {
            assert!((a - b).abs() < 1e-6);
        }
    }

    #[test]
    fn loud_signal_stays_under_ceiling() {
        let sr = 48_000;
        // A 997 Hz tone at +6 dBFS peak with bursts; sample peaks and inter-sample peaks both exceed.
        let input: Vec<f32> = (0..sr)
            .map(|i| {
                let t = i as f32 / sr as f32;
                let env = if (i / 4800) % 2 == 0 { 2.0 } else { 0.3 };
                env * (2.0 * std::f32::consts::PI * 11_025.0 * t + 0.7).sin()
            })
            .collect();
        let mut l = TruePeakLimiter::new(1, sr, -1.0, 5.0, 50.0);
        let mut out = Vec::new();
        l.process(&input, &mut out);
        l.finish(&mut out);
        assert_eq!(out.len(), input.len());
        let mut meter = ebur128::EbuR128::new(1, sr, ebur128::Mode::TRUE_PEAK).expect("meter");
        meter.add_frames_f32(&out).expect("add");
        let tp = 20.0 * meter.true_peak(0).expect("tp").log10();
        assert!(tp <= -0.9, "true peak {tp} dBTP");
        assert!(l.min_gain < 0.5);
    }
}
