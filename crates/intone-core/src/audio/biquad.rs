//! Biquad filters (RBJ Audio EQ Cookbook, R. Bristow-Johnson), transposed
//! direct form II, one instance per channel.

/// A second-order IIR section.
#[derive(Debug, Clone)]
pub struct Biquad {
    b0: f32,
    b1: f32,
    b2: f32,
    a1: f32,
    a2: f32,
    z1: f32,
    z2: f32,
}

impl Biquad {
    /// High shelf at `freq_hz` with `gain_db` boost/cut and shelf slope S = 1.
    pub fn high_shelf(sample_rate_hz: u32, freq_hz: f32, gain_db: f32) -> Self {
        let a = 10f32.powf(gain_db / 40.0);
        let w0 = 2.0 * std::f32::consts::PI * freq_hz / sample_rate_hz as f32;
        let (sin, cos) = w0.sin_cos();
        let alpha = sin / 2.0 * std::f32::consts::SQRT_2; // S = 1
        let sq = 2.0 * a.sqrt() * alpha;
        let b0 = a * ((a + 1.0) + (a - 1.0) * cos + sq);
        let b1 = -2.0 * a * ((a - 1.0) + (a + 1.0) * cos);
        let b2 = a * ((a + 1.0) + (a - 1.0) * cos - sq);
        let a0 = (a + 1.0) - (a - 1.0) * cos + sq;
        let a1 = 2.0 * ((a - 1.0) - (a + 1.0) * cos);
        let a2 = (a + 1.0) - (a - 1.0) * cos - sq;
        Self::normalized(b0, b1, b2, a0, a1, a2)
    }

    /// Second-order low-pass at `freq_hz` with quality `q`.
    pub fn low_pass(sample_rate_hz: u32, freq_hz: f32, q: f32) -> Self {
        let w0 = 2.0 * std::f32::consts::PI * freq_hz.min(sample_rate_hz as f32 * 0.45)
            / sample_rate_hz as f32;
        let (sin, cos) = w0.sin_cos();
        let alpha = sin / (2.0 * q);
        Self::normalized(
            (1.0 - cos) / 2.0,
            1.0 - cos,
            (1.0 - cos) / 2.0,
            1.0 + alpha,
            -2.0 * cos,
            1.0 - alpha,
        )
    }

    /// Second-order band-pass (constant 0 dB peak gain) centred on
    /// `freq_hz` with quality `q` (RBJ Audio EQ Cookbook).
    pub fn band_pass(sample_rate_hz: u32, freq_hz: f32, q: f32) -> Self {
        let w0 = 2.0 * std::f32::consts::PI * freq_hz.min(sample_rate_hz as f32 * 0.45)
            / sample_rate_hz as f32;
        let (sin, cos) = w0.sin_cos();
        let alpha = sin / (2.0 * q);
        Self::normalized(alpha, 0.0, -alpha, 1.0 + alpha, -2.0 * cos, 1.0 - alpha)
    }

    /// Second-order high-pass at `freq_hz` with quality `q`.
    pub fn high_pass(sample_rate_hz: u32, freq_hz: f32, q: f32) -> Self {
        let w0 = 2.0 * std::f32::consts::PI * freq_hz / sample_rate_hz as f32;
        let (sin, cos) = w0.sin_cos();
        let alpha = sin / (2.0 * q);
        Self::normalized(
            (1.0 + cos) / 2.0,
            -(1.0 + cos),
            (1.0 + cos) / 2.0,
            1.0 + alpha,
            -2.0 * cos,
            1.0 - alpha,
        )
    }

    fn normalized(b0: f32, b1: f32, b2: f32, a0: f32, a1: f32, a2: f32) -> Self {
        Self {
            b0: b0 / a0,
            b1: b1 / a0,
            b2: b2 / a0,
            a1: a1 / a0,
            a2: a2 / a0,
            z1: 0.0,
            z2: 0.0,
        }
    }

    /// Keeps the filter's memory from `other` (for changing coefficients
    /// without a discontinuity).
    pub fn copy_state_from(&mut self, other: &Biquad) {
        self.z1 = other.z1;
        self.z2 = other.z2;
    }

    /// Filters one sample.
    #[inline]
    pub fn process(&mut self, x: f32) -> f32 {
        let y = self.b0 * x + self.z1;
        self.z1 = self.b1 * x - self.a1 * y + self.z2;
        self.z2 = self.b2 * x - self.a2 * y;
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gain_at(f: &mut Biquad, freq: f32, sr: u32) -> f32 {
        let n = sr as usize;
        let mut peak = 0f32;
        for i in 0..n {
            let y = f.process((2.0 * std::f32::consts::PI * freq * i as f32 / sr as f32).sin());
            if i > n / 2 {
                peak = peak.max(y.abs());
            }
        }
        20.0 * peak.log10()
    }

    #[test]
    fn high_shelf_boosts_highs_only() {
        let sr = 48_000;
        assert!(gain_at(&mut Biquad::high_shelf(sr, 3000.0, 6.0), 100.0, sr).abs() < 0.3);
        assert!(
            (gain_at(&mut Biquad::high_shelf(sr, 3000.0, 6.0), 15_000.0, sr) - 6.0).abs() < 0.5
        );
    }
}
