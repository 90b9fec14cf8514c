//! A feed-forward compressor for the voice: peak envelope detection, a
//! soft-knee gain computer and attack/release smoothing in the dB domain
//! (after D. Giannoulis, M. Massberg, J. Reiss, "Digital Dynamic Range
//! Compressor Design — A Tutorial and Analysis", JAES 60(6), 2012).
//! Spoken word has a high peak-to-loudness ratio; levelling it before
//! mastering leaves the true-peak limiter only the last few dB. The detector
//! looks [`LOOKAHEAD_MS`] ahead (the audio is delayed by that much), so the
//! gain is already down when a plosive arrives instead of letting it through
//! and pulling down the syllable after it.

use std::collections::VecDeque;

/// Look-ahead (and latency) of the compressor, ms.
pub const LOOKAHEAD_MS: f32 = 5.0;

/// Control-rate block: the gain is recomputed every this many samples and
/// interpolated linearly in between.
const CONTROL: usize = 16;

/// A mono compressor.
#[derive(Debug, Clone)]
pub struct Compressor {
    threshold_db: f32,
    ratio: f32,
    knee_db: f32,
    attack: f32,
    release: f32,
    /// Smoothed gain reduction, dB (≤ 0).
    gr_db: f32,
    peak: f32,
    n: usize,
    gain_from: f32,
    gain_to: f32,
    delay: VecDeque<f32>,
    /// Peaks of the control blocks inside the look-ahead window.
    window: VecDeque<f32>,
    /// Deepest gain reduction so far, dB (≥ 0).
    pub max_reduction_db: f32,
}

impl Compressor {
    /// A compressor with `threshold_db` (dBFS, peak), `ratio` (≥ 1; 1 = unity gain),
    /// `knee_db` soft-knee width, and attack/release times in ms.
    pub fn new(
        sample_rate_hz: u32,
        threshold_db: f32,
        ratio: f32,
        knee_db: f32,
        attack_ms: f32,
        release_ms: f32,
    ) -> Self {
        let rate = sample_rate_hz as f32 / CONTROL as f32;
        let coeff = |ms: f32| (-1.0 / (ms / 1000.0 * rate).max(1e-3)).exp();
        Self {
            threshold_db,
            ratio: ratio.max(1.0),
            knee_db: knee_db.max(0.0),
            attack: coeff(attack_ms),
            release: coeff(release_ms),
            gr_db: 0.0,
            peak: 0.0,
            n: 0,
            gain_from: 1.0,
            gain_to: 1.0,
            delay: std::iter::repeat_n(
                0.0,
                (LOOKAHEAD_MS / 1000.0 * sample_rate_hz as f32).round() as usize,
            )
            .collect(),
            window: std::iter::repeat_n(
                0.0,
                ((LOOKAHEAD_MS / 1000.0 * sample_rate_hz as f32) as usize / CONTROL).max(1),
            )
            .collect(),
            max_reduction_db: 0.0,
        }
    }

    /// Static curve: gain change in dB (≤ 0) for an input level in dBFS.
    pub fn gain_computer(&self, level_db: f32) -> f32 {
        let over = level_db - self.threshold_db;
        let slope = 1.0 / self.ratio - 1.0;
        if 2.0 * over < -self.knee_db {
            0.0
        } else if 2.0 * over.abs() <= self.knee_db && self.knee_db > 0.0 {
            slope * (over + self.knee_db / 2.0).powi(2) / (2.0 * self.knee_db)
        } else {
            slope * over
        }
    }

    /// Latency in samples (the look-ahead).
    pub fn latency(&self) -> usize {
        self.delay.len()
    }

    /// Processes samples in place; the output is delayed by [`Compressor::latency`].
    pub fn process(&mut self, samples: &mut [f32]) {
        for s in samples.iter_mut() {
            // Detect on the incoming sample, apply to the one leaving the delay line.
            self.peak = self.peak.max(s.abs());
            self.delay.push_back(*s);
            let out = self.delay.pop_front().unwrap_or(0.0);
            let t = (self.n % CONTROL) as f32 / CONTROL as f32;
            *s = out * (self.gain_from + (self.gain_to - self.gain_from) * t);
            self.n += 1;
            if self.n.is_multiple_of(CONTROL) {
                // Hold the loudest block in the look-ahead window, so the gain
                // reaches its target before that block leaves the delay line.
                self.window.pop_front();
                self.window.push_back(self.peak);
                let held = self.window.iter().copied().fold(0.0, f32::max);
                let level = 20.0 * held.max(1e-9).log10();
                let target = self.gain_computer(level);
                let c = if target < self.gr_db {
                    self.attack
                } else {
                    self.release
                };
                self.gr_db = target + (self.gr_db - target) * c;
                self.max_reduction_db = self.max_reduction_db.max(-self.gr_db);
                self.gain_from = self.gain_to;
                self.gain_to = 10f32.powf(self.gr_db / 20.0);
                self.peak = 0.0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_curve_has_threshold_ratio_and_soft_knee() {
        let c = Compressor::new(48_000, -20.0, 4.0, 6.0, 5.0, 100.0);
        assert_eq!(c.gain_computer(-40.0), 0.0);
        assert!(
            (c.gain_computer(-8.0) - (-9.0)).abs() < 1e-4,
            "12 dB over at 4:1 → −9 dB"
        );
        let at = c.gain_computer(-20.0);
        assert!(at < 0.0 && at > -1.0, "inside the knee: {at}");
    }

    #[test]
    fn a_transient_is_caught_by_the_look_ahead() {
        let sr = 48_000;
        let mut x = vec![0.05f32; 4800];
        x[2400] = 0.9;
        let mut c = Compressor::new(sr, -14.0, 4.0, 0.0, 1.0, 100.0);
        c.process(&mut x);
        let lat = c.latency();
        assert_eq!(lat, 240);
        assert!(
            x[2400 + lat] < 0.5,
            "the click is reduced: {}",
            x[2400 + lat]
        );
        assert!(
            (x[1000 + lat] - 0.05).abs() < 1e-4,
            "quiet audio passes, delayed"
        );
    }

    #[test]
    fn loud_passages_are_reduced_and_quiet_ones_kept() {
        let sr = 48_000;
        let tone = |amp: f32, n: usize| -> Vec<f32> {
            (0..n).map(|i| amp * (i as f32 * 0.05).sin()).collect()
        };
        let mut quiet = tone(0.05, sr as usize);
        let mut loud = tone(0.9, sr as usize);
        let mut c = Compressor::new(sr, -14.0, 3.0, 6.0, 5.0, 100.0);
        c.process(&mut quiet);
        c.process(&mut loud);
        let peak = |v: &[f32]| v[v.len() / 2..].iter().fold(0f32, |a, &b| a.max(b.abs()));
        assert!((peak(&quiet) - 0.05).abs() < 0.002);
        // 0.9 ≈ −0.9 dBFS: 13.1 dB over −14 at 3:1 → −8.7 dB of gain → about −9.6 dBFS.
        let out_db = 20.0 * peak(&loud).log10();
        assert!((-10.5..-8.5).contains(&out_db), "{out_db}");
        assert!(c.max_reduction_db > 7.0);
    }
}
