//! Procedural rain: a steady hiss (pink noise, band-limited 300 Hz–8 kHz)
//! whose intensity drifts over tens of seconds, with droplets on top: short
//! band-passed noise bursts at random pitch and pan (about 25 a second),
//! each with a 1 ms attack and an exponential decay, so none clicks.

use super::noise::{Drift, Pink};
use crate::audio::biquad::Biquad;
use crate::audio::mix::BedSource;

struct Drop {
    bp: Biquad,
    gain: [f32; 2],
    /// Frames of attack left, and the level added per attack frame.
    attack_left: u32,
    attack_step: f32,
    level: f32,
    decay: f32,
}

/// The rain bed.
pub struct Rain {
    sr: u32,
    noise: [Pink; 2],
    hp: [Biquad; 2],
    lp: [Biquad; 2],
    intensity: Drift,
    drops: Vec<Drop>,
    rng: fastrand::Rng,
    drop_noise: Pink,
}

impl Rain {
    /// Rain at `sample_rate_hz`, reproducible for `seed`.
    pub fn new(sample_rate_hz: u32, seed: u64) -> Self {
        let sr = sample_rate_hz;
        Self {
            sr,
            noise: [Pink::new(seed ^ 0x7a1), Pink::new(seed ^ 0x7a2)],
            hp: [
                Biquad::high_pass(sr, 300.0, 0.7),
                Biquad::high_pass(sr, 300.0, 0.7),
            ],
            lp: [
                Biquad::low_pass(sr, 8000.0, 0.7),
                Biquad::low_pass(sr, 8000.0, 0.7),
            ],
            intensity: Drift::new(seed ^ 0x7a3, 0.7, 1.0, 12.0),
            drops: Vec::new(),
            rng: fastrand::Rng::with_seed(seed ^ 0x7a4),
            drop_noise: Pink::new(seed ^ 0x7a5),
        }
    }
}

impl BedSource for Rain {
    fn fill(&mut self, out: &mut [f32]) {
        let dt = 1.0 / self.sr as f32;
        let drop_chance = 25.0 * dt;
        for frame in out.chunks_exact_mut(2) {
            let k = self.intensity.step(dt);
            if self.rng.f32() < drop_chance * k && self.drops.len() < 64 {
                let pan = self.rng.f32();
                let fc = 1200.0 + 4000.0 * self.rng.f32();
                let ms = 4.0 + 14.0 * self.rng.f32();
                let peak = 0.3 + 0.7 * self.rng.f32();
                let attack = (0.001 * self.sr as f32).max(1.0) as u32;
                self.drops.push(Drop {
                    bp: Biquad::band_pass(self.sr, fc, 3.0),
                    gain: [(1.0 - pan).sqrt(), pan.sqrt()],
                    attack_left: attack,
                    attack_step: peak / attack as f32,
                    level: 0.0,
                    decay: (-1.0 / (ms * 0.001 * self.sr as f32)).exp(),
                });
            }
            let mut d = [0f32; 2];
            let n = self.drop_noise.white();
            for drop in &mut self.drops {
                if drop.attack_left > 0 {
                    drop.attack_left -= 1;
                    drop.level += drop.attack_step;
                } else {
                    drop.level *= drop.decay;
                }
                let env = drop.level;
                let y = drop.bp.process(n) * env * 0.9;
                d[0] += y * drop.gain[0];
                d[1] += y * drop.gain[1];
            }
            self.drops.retain(|x| x.attack_left > 0 || x.level > 1e-4);
            for (c, o) in frame.iter_mut().enumerate() {
                let h = self.lp[c].process(self.hp[c].process(self.noise[c].next()));
                *o = h * 0.6 * k + d[c];
            }
        }
    }
}
