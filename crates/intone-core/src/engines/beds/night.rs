//! Procedural summer night: three crickets (each a sine carrier at
//! 4.2–4.9 kHz, chirping in bursts of 3–4 raised-cosine pulses at about
//! 30 pulses a second, a chirp every 0.5–1.3 s, each placed in the stereo
//! field) over a soft, dark hush (pink noise low-passed at 1.2 kHz).

use super::noise::Pink;
use crate::audio::biquad::Biquad;
use crate::audio::mix::BedSource;

struct Cricket {
    freq_hz: f32,
    phase: f32,
    gain: [f32; 2],
    level: f32,
    /// Frames until the next chirp starts.
    wait: u64,
    /// Frames into the current chirp, if chirping.
    at: Option<u64>,
    pulses: u32,
}

/// The night bed.
pub struct Night {
    sr: f32,
    rng: fastrand::Rng,
    crickets: Vec<Cricket>,
    hush: [Pink; 2],
    lp: [Biquad; 2],
}

/// One pulse's length, seconds, and the pulse period.
const PULSE_S: f32 = 0.018;
const PULSE_PERIOD_S: f32 = 0.033;

impl Night {
    /// A night at `sample_rate_hz`, reproducible for `seed`.
    pub fn new(sample_rate_hz: u32, seed: u64) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed ^ 0x9e17);
        let sr = sample_rate_hz as f32;
        let crickets = (0..3)
            .map(|i| {
                let pan = [0.2, 0.75, 0.5][i] + (rng.f32() - 0.5) * 0.1;
                Cricket {
                    freq_hz: 4200.0 + 700.0 * rng.f32(),
                    phase: 0.0,
                    gain: [(1.0 - pan).sqrt(), pan.sqrt()],
                    level: [0.05, 0.035, 0.02][i],
                    wait: (rng.f32() * sr) as u64,
                    at: None,
                    pulses: 3,
                }
            })
            .collect();
        Self {
            sr,
            rng,
            crickets,
            hush: [Pink::new(seed ^ 0x9e18), Pink::new(seed ^ 0x9e19)],
            lp: [
                Biquad::low_pass(sample_rate_hz, 1200.0, 0.7),
                Biquad::low_pass(sample_rate_hz, 1200.0, 0.7),
            ],
        }
    }
}

impl BedSource for Night {
    fn fill(&mut self, out: &mut [f32]) {
        let pulse = (PULSE_S * self.sr) as u64;
        let period = (PULSE_PERIOD_S * self.sr) as u64;
        for frame in out.chunks_exact_mut(2) {
            let mut s = [0f32; 2];
            for c in &mut self.crickets {
                match c.at {
                    None => {
                        if c.wait == 0 {
                            c.at = Some(0);
                            c.pulses = 3 + u32::from(self.rng.f32() < 0.4);
                        } else {
                            c.wait -= 1;
                        }
                    }
                    Some(at) => {
                        let within = at % period;
                        if within < pulse {
                            let p = within as f32 / pulse as f32;
                            let env = 0.5 - 0.5 * (2.0 * std::f32::consts::PI * p).cos();
                            let y = (c.phase * 2.0 * std::f32::consts::PI).sin() * env * c.level;
                            s[0] += y * c.gain[0];
                            s[1] += y * c.gain[1];
                        }
                        if at + 1 >= period * u64::from(c.pulses) {
                            c.at = None;
                            c.wait = ((0.5 + 0.8 * self.rng.f32()) * self.sr) as u64;
                        } else {
                            c.at = Some(at + 1);
                        }
                    }
                }
                c.phase = (c.phase + c.freq_hz / self.sr).fract();
            }
            for (ch, o) in frame.iter_mut().enumerate() {
                *o = s[ch] + self.lp[ch].process(self.hush[ch].next()) * 0.12;
            }
        }
    }
}
