//! Procedural upbeat groove at 120 BPM: four-on-the-floor kick, off-beat
//! hats, backbeat clap, an eighth-note bass and a pumping chord pad over a
//! four-bar progression (Am – F – C – G).

use crate::audio::biquad::Biquad;
use crate::audio::mix::BedSource;

/// Tempo of the groove.
pub const BPM: f64 = 120.0;

/// Chord tones (Hz) and bass root (Hz) per bar.
const BARS: [([f32; 3], f32); 4] = [
    ([220.00, 261.63, 329.63], 110.00),
    ([174.61, 220.00, 261.63], 87.31),
    ([261.63, 329.63, 392.00], 130.81),
    ([196.00, 246.94, 293.66], 98.00),
];

/// The pulse bed.
pub struct Pulse {
    sr: f32,
    frame: u64,
    beat_frames: u64,
    rng: fastrand::Rng,
    kick_phase: f32,
    bass_phase: f32,
    pad_phase: [[f32; 3]; 2],
    detune: [f32; 2],
    hat_hp: [Biquad; 2],
    clap_bp: Biquad,
    bass_lp: Biquad,
    pad_lp: [Biquad; 2],
    ghost: [bool; 16],
}

impl Pulse {
    /// A groove at `sample_rate_hz`; `seed` varies ghost notes and detune.
    pub fn new(sample_rate_hz: u32, seed: u64) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed ^ 0x9017_5e00);
        let mut ghost = [false; 16];
        for g in &mut ghost {
            *g = rng.f32() < 0.25;
        }
        let sr = sample_rate_hz;
        Self {
            sr: sr as f32,
            frame: 0,
            beat_frames: (60.0 / BPM * f64::from(sr)).round() as u64,
            detune: [
                1.0 - 0.002 - rng.f32() * 0.002,
                1.0 + 0.002 + rng.f32() * 0.002,
            ],
            rng,
            kick_phase: 0.0,
            bass_phase: 0.0,
            pad_phase: [[0.0; 3]; 2],
            hat_hp: [
                Biquad::high_pass(sr, 7000.0, 0.7),
                Biquad::high_pass(sr, 7500.0, 0.7),
            ],
            clap_bp: Biquad::high_pass(sr, 900.0, 0.9),
            bass_lp: Biquad::low_pass(sr, 500.0, 1.2),
            pad_lp: [
                Biquad::low_pass(sr, 1400.0, 0.7),
                Biquad::low_pass(sr, 1500.0, 0.7),
            ],
            ghost,
        }
    }
}

fn saw(phase: f32) -> f32 {
    2.0 * phase - 1.0
}

impl BedSource for Pulse {
    fn fill(&mut self, out: &mut [f32]) {
        let sr = self.sr;
        let eighth = self.beat_frames / 2;
        let sixteenth = self.beat_frames / 4;
        for frame in out.chunks_exact_mut(2) {
            let f = self.frame;
            let beat = f / self.beat_frames;
            let in_beat = (f % self.beat_frames) as f32 / sr;
            let bar = ((beat / 4) % 4) as usize;
            let (chord, root) = BARS[bar];

            // Kick: pitch sweep 150 → 48 Hz, exponential decay.
            let kf = 48.0 + 102.0 * (-in_beat * 28.0).exp();
            self.kick_phase = (self.kick_phase + kf / sr).fract();
            let kick = (self.kick_phase * std::f32::consts::TAU).sin() * (-in_beat * 9.0).exp();

            // Hats on the off-beat eighths, ghost sixteenths by seed.
            let six_idx = ((f / sixteenth) % 16) as usize;
            let in_six = (f % sixteenth) as f32 / sr;
            let hat_on = six_idx % 4 == 2 || (self.ghost[six_idx] && six_idx % 2 == 1);
            let hat_amp = if hat_on {
                if six_idx % 4 == 2 {
                    0.5
                } else {
                    0.2
                }
            } else {
                0.0
            };
            let noise_l = self.rng.f32() * 2.0 - 1.0;
            let noise_r = self.rng.f32() * 2.0 - 1.0;
            let hat_env = hat_amp * (-in_six * 60.0).exp();
            let hat_l = self.hat_hp[0].process(noise_l) * hat_env;
            let hat_r = self.hat_hp[1].process(noise_r) * hat_env;

            // Clap on beats 2 and 4.
            let clap = if beat % 2 == 1 {
                self.clap_bp.process(noise_l * 0.5 + noise_r * 0.5) * 0.55 * (-in_beat * 22.0).exp()
            } else {
                self.clap_bp.process(0.0)
            };

            // Bass: eighth notes on the root, octave jump on the last eighth of the bar.
            let e_idx = (f / eighth) % 8;
            let in_e = (f % eighth) as f32 / sr;
            let bf = if e_idx == 7 { root * 2.0 } else { root };
            self.bass_phase = (self.bass_phase + bf / sr).fract();
            let bass = self.bass_lp.process(saw(self.bass_phase)) * 0.45 * (-in_e * 5.0).exp();

            // Pad: detuned saw triads per channel, pumped by the kick.
            let pump = 1.0 - 0.7 * (-in_beat * 7.0).exp();
            let mut pad = [0f32; 2];
            for (c, p) in pad.iter_mut().enumerate() {
                let mut s = 0.0;
                for (k, &hz) in chord.iter().enumerate() {
                    let ph = &mut self.pad_phase[c][k];
                    *ph = (*ph + hz * self.detune[c] / sr).fract();
                    s += saw(*ph);
                }
                *p = self.pad_lp[c].process(s) * 0.12 * pump;
            }

            let common = kick * 0.8 + clap + bass;
            frame[0] = (common + hat_l * 0.8 + hat_r * 0.2 + pad[0]) * 0.5;
            frame[1] = (common + hat_r * 0.8 + hat_l * 0.2 + pad[1]) * 0.5;
            self.frame += 1;
        }
    }
}
