//! Procedural wind: noise through a resonant band-pass whose centre glides
//! between 180 and 900 Hz, under gusts (a slowly drifting gain), over a
//! low rumble; the two channels drift apart for width. Filters are updated
//! every 64 frames from smooth drifts, so nothing steps.

use super::noise::{Drift, Pink};
use crate::audio::biquad::Biquad;
use crate::audio::mix::BedSource;

struct Channel {
    noise: Pink,
    bp: Biquad,
    rumble: Biquad,
    centre: Drift,
    gust: Drift,
    gust_now: f32,
}

/// The wind bed.
pub struct Wind {
    sr: u32,
    frame: u64,
    ch: [Channel; 2],
}

impl Wind {
    /// Wind at `sample_rate_hz`, reproducible for `seed`.
    pub fn new(sample_rate_hz: u32, seed: u64) -> Self {
        let sr = sample_rate_hz;
        let mk = |s: u64| Channel {
            noise: Pink::new(s),
            bp: Biquad::band_pass(sr, 400.0, 2.5),
            rumble: Biquad::low_pass(sr, 120.0, 0.7),
            centre: Drift::new(s ^ 0x3e1, 180.0, 900.0, 6.0),
            gust: Drift::new(s ^ 0x3e2, 0.25, 1.0, 5.0),
            gust_now: 0.5,
        };
        Self {
            sr,
            frame: 0,
            ch: [mk(seed ^ 0x31d0), mk(seed ^ 0x31d1)],
        }
    }
}

impl BedSource for Wind {
    fn fill(&mut self, out: &mut [f32]) {
        let control_dt = 64.0 / self.sr as f32;
        for frame in out.chunks_exact_mut(2) {
            let update = self.frame.is_multiple_of(64);
            for (c, o) in frame.iter_mut().enumerate() {
                let ch = &mut self.ch[c];
                if update {
                    let fc = ch.centre.step(control_dt);
                    ch.gust_now = ch.gust.step(control_dt);
                    let mut bp = Biquad::band_pass(self.sr, fc, 2.0 + 2.0 * ch.gust_now);
                    bp.copy_state_from(&ch.bp);
                    ch.bp = bp;
                }
                let w = ch.noise.white();
                let y =
                    ch.bp.process(w) * 0.5 * ch.gust_now + ch.rumble.process(ch.noise.next()) * 0.8;
                *o = y;
            }
            self.frame += 1;
        }
    }
}
