//! Noise and smooth random motion shared by the procedural beds.

/// Paul Kellett's refined pink-noise filter over white noise from `rng`
/// (roughly −3 dB/octave from 10 Hz up; unit-ish RMS after the 0.11 scale).
pub struct Pink {
    rng: fastrand::Rng,
    b: [f32; 7],
}

impl Pink {
    /// Pink noise reproducible for `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(seed),
            b: [0.0; 7],
        }
    }

    /// White noise in −1…1 from the same generator.
    pub fn white(&mut self) -> f32 {
        self.rng.f32() * 2.0 - 1.0
    }

    /// The next pink sample.
    pub fn next(&mut self) -> f32 {
        let w = self.white();
        let b = &mut self.b;
        b[0] = 0.99886 * b[0] + w * 0.055_517_9;
        b[1] = 0.99332 * b[1] + w * 0.075_075_9;
        b[2] = 0.96900 * b[2] + w * 0.153_852;
        b[3] = 0.86650 * b[3] + w * 0.310_485_6;
        b[4] = 0.55000 * b[4] + w * 0.532_952_2;
        b[5] = -0.7616 * b[5] - w * 0.016_898;
        let out = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + w * 0.5362;
        b[6] = w * 0.115_926;
        out * 0.11
    }
}

/// A value that glides between random targets in `lo…hi`, a new target every
/// `period_s` (±50 %), with raised-cosine motion: no steps, so nothing it
/// drives (a gain, a filter's centre) can click.
pub struct Drift {
    rng: fastrand::Rng,
    lo: f32,
    hi: f32,
    from: f32,
    to: f32,
    t: f32,
    len: f32,
    period_s: f32,
}

impl Drift {
    /// A drift in `lo…hi`, reproducible for `seed`.
    pub fn new(seed: u64, lo: f32, hi: f32, period_s: f32) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed);
        let from = lo + (hi - lo) * rng.f32();
        let to = lo + (hi - lo) * rng.f32();
        let len = period_s * (0.5 + rng.f32());
        Self {
            rng,
            lo,
            hi,
            from,
            to,
            t: 0.0,
            len,
            period_s,
        }
    }

    /// Advances by `dt_s` seconds and returns the value.
    pub fn step(&mut self, dt_s: f32) -> f32 {
        self.t += dt_s;
        if self.t >= self.len {
            self.t -= self.len;
            self.from = self.to;
            self.to = self.lo + (self.hi - self.lo) * self.rng.f32();
            self.len = self.period_s * (0.5 + self.rng.f32());
        }
        let p = (self.t / self.len).clamp(0.0, 1.0);
        let s = 0.5 - 0.5 * (std::f32::consts::PI * p).cos();
        self.from + (self.to - self.from) * s
    }
}
