//! Procedural ocean: each channel is pink-ish noise through a low-pass whose
//! cutoff and level follow a swell envelope made of overlapping waves of random
//! period (6–13 s), height and shape. The two channels share wave timing with
//! a small random offset, so the sea is wide but coherent.

use super::noise::Pink;
use crate::audio::biquad::Biquad;
use crate::audio::mix::BedSource;

/// One wave's swell: rises over `rise` seconds, washes out over `fall`.
#[derive(Clone, Copy)]
struct Wave {
    start: f64,
    rise: f64,
    fall: f64,
    height: f32,
}

impl Wave {
    fn level(&self, t: f64) -> f32 {
        let x = t - self.start;
        if x < 0.0 || x > self.rise + self.fall {
            0.0
        } else if x < self.rise {
            let p = x / self.rise;
            (self.height as f64 * (0.5 - 0.5 * (std::f64::consts::PI * p).cos())) as f32
        } else {
            let p = (x - self.rise) / self.fall;
            (self.height as f64 * (1.0 - p).powf(1.6)) as f32
        }
    }
    fn end(&self) -> f64 {
        self.start + self.rise + self.fall
    }
}

struct Channel {
    noise: Pink,
    lp: Biquad,
    lp2: Biquad,
    hp: Biquad,
    offset: f64,
}

/// The ocean bed.
pub struct Ocean {
    sr: f64,
    frame: u64,
    rng: fastrand::Rng,
    waves: Vec<Wave>,
    next_start: f64,
    ch: [Channel; 2],
    cutoff_frame: u64,
    /// Swell level per channel, updated at control rate (every 64 frames).
    swell_now: [f32; 2],
}

impl Ocean {
    /// An ocean at `sample_rate_hz`, reproducible for `seed`.
    pub fn new(sample_rate_hz: u32, seed: u64) -> Self {
        let mk = |s: u64, off: f64| Channel {
            noise: Pink::new(s),
            lp: Biquad::low_pass(sample_rate_hz, 800.0, 0.7),
            lp2: Biquad::low_pass(sample_rate_hz, 800.0, 0.7),
            hp: Biquad::high_pass(sample_rate_hz, 40.0, 0.7),
            offset: off,
        };
        let mut rng = fastrand::Rng::with_seed(seed ^ 0x0cea_0000);
        let off = 0.15 + rng.f64() * 0.35;
        Self {
            sr: f64::from(sample_rate_hz),
            frame: 0,
            waves: Vec::new(),
            next_start: -3.0,
            ch: [
                mk(seed.wrapping_mul(3) + 1, 0.0),
                mk(seed.wrapping_mul(7) + 2, off),
            ],
            rng,
            cutoff_frame: 0,
            swell_now: [0.0; 2],
        }
    }

    fn schedule(&mut self, t: f64) {
        while self.next_start < t + 20.0 {
            let period = 6.0 + self.rng.f64() * 7.0;
            let rise = period * (0.35 + self.rng.f64() * 0.2);
            let fall = period * (0.8 + self.rng.f64() * 0.6);
            self.waves.push(Wave {
                start: self.next_start,
                rise,
                fall,
                height: 0.55 + self.rng.f32() * 0.45,
            });
            self.next_start += period * (0.7 + self.rng.f64() * 0.5);
        }
        self.waves.retain(|w| w.end() > t - 1.0);
    }

    fn swell(&self, t: f64) -> f32 {
        let s: f32 = self.waves.iter().map(|w| w.level(t)).sum();
        0.18 + s.min(1.6)
    }
}

impl BedSource for Ocean {
    fn fill(&mut self, out: &mut [f32]) {
        for frame in out.chunks_exact_mut(2) {
            let t = self.frame as f64 / self.sr;
            if self.frame.is_multiple_of(4096) {
                self.schedule(t);
            }
            let update = self.frame >= self.cutoff_frame;
            if update {
                self.cutoff_frame = self.frame + 64;
            }
            for (c, o) in frame.iter_mut().enumerate() {
                if update {
                    self.swell_now[c] = self.swell(t - self.ch[c].offset);
                }
                let sw = self.swell_now[c];
                if update {
                    // Brighter hiss as a wave breaks, darker rumble in between.
                    let fc = 250.0 + 2200.0 * sw.min(1.4) * sw.min(1.4);
                    let sr = self.sr as u32;
                    let (z1, z2) = (self.ch[c].lp.clone(), self.ch[c].lp2.clone());
                    let mut lp = Biquad::low_pass(sr, fc, 0.6);
                    let mut lp2 = Biquad::low_pass(sr, fc * 1.3, 0.6);
                    lp.copy_state_from(&z1);
                    lp2.copy_state_from(&z2);
                    self.ch[c].lp = lp;
                    self.ch[c].lp2 = lp2;
                }
                let chn = &mut self.ch[c];
                let n = chn.noise.next();
                let y = chn.hp.process(chn.lp2.process(chn.lp.process(n)));
                *o = y * sw * 0.9;
            }
            self.frame += 1;
        }
    }
}
