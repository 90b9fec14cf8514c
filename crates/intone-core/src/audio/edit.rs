//! Clip edits for assembling speech: silence trimming, fades and equal-power
//! crossfades. All functions work on mono `f32` slices.

use std::f32::consts::FRAC_PI_2;

/// Equal-power fade gain at position `t` in 0..=1 (sin law: `sin(t·π/2)`),
/// so `fade_in(t)² + fade_in(1−t)² = 1`.
pub fn equal_power(t: f32) -> f32 {
    (t.clamp(0.0, 1.0) * FRAC_PI_2).sin()
}

/// Returns `(start, end)` frame bounds of `samples` without leading and trailing
/// parts quieter than `threshold_db` dBFS, widened by `margin` frames each side.
/// An all-silent clip gives `(0, 0)`.
pub fn trim_bounds(samples: &[f32], threshold_db: f32, margin: usize) -> (usize, usize) {
    let thr = 10f32.powf(threshold_db / 20.0);
    let first = samples.iter().position(|s| s.abs() > thr);
    let last = samples.iter().rposition(|s| s.abs() > thr);
    match (first, last) {
        (Some(a), Some(b)) => (
            a.saturating_sub(margin),
            (b + 1 + margin).min(samples.len()),
        ),
        _ => (0, 0),
    }
}

/// Fades the first and last `frames` samples in and out with equal-power curves.
pub fn fade_edges(samples: &mut [f32], frames: usize) {
    let n = frames.min(samples.len() / 2);
    if n == 0 {
        return;
    }
    let len = samples.len();
    for i in 0..n {
        let g = equal_power(i as f32 / n as f32);
        samples[i] *= g;
        samples[len - 1 - i] *= g;
    }
}

/// Appends `next` to `out`, overlapping the last `overlap` frames of `out` with
/// the first of `next` using an equal-power crossfade (sin/cos law). The
/// overlap shrinks to what both sides have.
pub fn append_crossfade(out: &mut Vec<f32>, next: &[f32], overlap: usize) {
    let n = overlap.min(out.len()).min(next.len());
    let start = out.len() - n;
    for i in 0..n {
        let t = (i as f32 + 0.5) / n as f32;
        let a = equal_power(1.0 - t);
        let b = equal_power(t);
        out[start + i] = out[start + i] * a + next[i] * b;
    }
    out.extend_from_slice(&next[n..]);
}

/// Largest absolute sample-to-sample step; a click shows as a step far larger
/// than the signal's normal slope.
pub fn max_step(samples: &[f32]) -> f32 {
    samples
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_power_sums_to_unity_power() {
        for i in 0..=10 {
            let t = i as f32 / 10.0;
            let p = equal_power(t).powi(2) + equal_power(1.0 - t).powi(2);
            assert!((p - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn crossfade_of_offset_signals_has_no_step() {
        // Two DC-offset tones that would click if butted together.
        let sr = 48_000.0;
        let a: Vec<f32> = (0..4800)
            .map(|i| 0.5 + 0.1 * (i as f32 * 440.0 / sr * std::f32::consts::TAU).sin())
            .collect();
        let b: Vec<f32> = (0..4800)
            .map(|i| -0.5 + 0.1 * (i as f32 * 660.0 / sr * std::f32::consts::TAU).sin())
            .collect();
        let mut butt = a.clone();
        butt.extend_from_slice(&b);
        let mut xf = a.clone();
        append_crossfade(&mut xf, &b, 480);
        assert!(max_step(&butt) > 0.9);
        assert!(max_step(&xf) < 0.02, "{}", max_step(&xf));
        assert_eq!(xf.len(), 4800 * 2 - 480);
    }

    #[test]
    fn trims_silence_with_margin() {
        let mut s = vec![0.0f32; 1000];
        s[300] = 0.5;
        s[600] = -0.5;
        assert_eq!(trim_bounds(&s, -50.0, 10), (290, 611));
        assert_eq!(trim_bounds(&[0.0; 10], -50.0, 10), (0, 0));
    }
}
