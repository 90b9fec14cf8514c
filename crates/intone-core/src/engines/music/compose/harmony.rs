//! Harmony: the progressions a mode's sections follow, the chord (scale
//! degree and pitch classes) of each bar, and voice leading (each chord
//! voiced with the least movement from the one before).

use super::sections::Section;
use super::{mix, Composer};
use crate::engines::music::brief::{Mode, Style};

/// Progressions as scale degrees (0 = tonic), one chord a bar.
fn progressions(mode: Mode) -> &'static [[u8; 4]] {
    match mode {
        Mode::Major => &[
            [0, 4, 5, 3],
            [0, 5, 3, 4],
            [0, 3, 0, 4],
            [5, 3, 0, 4],
            [0, 2, 3, 4],
        ],
        Mode::Minor => &[
            [0, 5, 2, 6],
            [0, 6, 5, 6],
            [0, 3, 4, 0],
            [0, 5, 3, 4],
            [5, 6, 0, 0],
        ],
        Mode::Dorian => &[[0, 3, 0, 3], [0, 6, 3, 0], [0, 2, 3, 6]],
        Mode::Lydian => &[[0, 1, 0, 1], [0, 1, 4, 0], [0, 1, 5, 4]],
    }
}

/// The progressions of the A and B sections for `mode`, picked by `seed`
/// (two different ones).
pub(super) fn progressions_for(mode: Mode, seed: u64) -> ([u8; 4], [u8; 4]) {
    let mut rng = fastrand::Rng::with_seed(mix(&[seed, 1]));
    let table = progressions(mode);
    let prog_a = table[rng.usize(..table.len())];
    let mut prog_b = table[rng.usize(..table.len())];
    if prog_b == prog_a {
        prog_b = table[(table.iter().position(|p| *p == prog_a).unwrap_or(0) + 1) % table.len()];
    }
    (prog_a, prog_b)
}

impl Composer {
    /// The chord (scale degree, 0 = tonic) of a bar.
    pub(super) fn degree(&self, bar: u64) -> u8 {
        let (s, phrase, in_phrase) = self.section(bar);
        match s {
            Section::Outro => {
                if in_phrase + 1 >= self.outro_bars || self.outro_bars == 1 {
                    0
                } else if in_phrase + 2 == self.outro_bars {
                    4
                } else {
                    3
                }
            }
            _ => {
                let prog = if s == Section::B {
                    self.prog_b
                } else {
                    self.prog_a
                };
                // Slow, held styles change chord every two bars.
                let slot = if self.brief.style == Style::Sustained {
                    (in_phrase / 2) % 4
                } else {
                    in_phrase % 4
                };
                let mut d = prog[slot as usize];
                // Substitution: a relative chord (a third away) now and then.
                let mut rng = fastrand::Rng::with_seed(mix(&[self.seed, 2, phrase, in_phrase]));
                if s != Section::Intro && rng.f32() < 0.06 * self.temperature {
                    d = (d + 5) % 7;
                }
                d
            }
        }
    }

    /// Pitch classes (0 = C) of the chord on `degree`, root first (triad, or
    /// seventh chord for groove styles).
    pub(super) fn chord(&self, degree: u8) -> Vec<u8> {
        let steps = self.brief.mode.steps();
        let tones = if self.brief.style == Style::Groove {
            4
        } else {
            3
        };
        (0..tones)
            .map(|i| (self.brief.tonic + steps[usize::from((degree + 2 * i) % 7)]) % 12)
            .collect()
    }

    /// Voices `pcs` between MIDI keys `lo` and `hi` with the least movement
    /// from the previous voicing (each voice moves to the nearest free chord
    /// tone), and remembers it as the new previous voicing.
    pub(super) fn voice(&mut self, pcs: &[u8], lo: u8, hi: u8) -> Vec<u8> {
        let candidates = voicings(pcs, lo, hi);
        let prev = self.voicing.clone();
        let centre = f32::from(lo + hi) / 2.0;
        let cost = |v: &Vec<u8>| -> f32 {
            if prev.len() == v.len() {
                v.iter()
                    .zip(&prev)
                    .map(|(a, b)| (f32::from(*a) - f32::from(*b)).abs())
                    .sum()
            } else {
                let mean = v.iter().map(|&k| f32::from(k)).sum::<f32>() / v.len() as f32;
                (mean - centre).abs()
            }
        };
        let best = candidates
            .into_iter()
            .min_by(|a, b| cost(a).total_cmp(&cost(b)))
            .unwrap_or_else(|| pcs.iter().map(|&p| lo - lo % 12 + 12 + p).collect());
        self.voicing = best.clone();
        best
    }
}

/// Every close voicing of `pcs` between MIDI keys `lo` and `hi`: each
/// inversion, stacked upwards from the lowest octave that fits.
fn voicings(pcs: &[u8], lo: u8, hi: u8) -> Vec<Vec<u8>> {
    let mut candidates: Vec<Vec<u8>> = Vec::new();
    for inv in 0..pcs.len() {
        for base in (lo..lo + 12).filter(|k| k % 12 == pcs[inv]) {
            let mut v = vec![base];
            for j in 1..pcs.len() {
                let pc = pcs[(inv + j) % pcs.len()];
                let mut k = v[j - 1] + 1;
                while k % 12 != pc {
                    k += 1;
                }
                v.push(k);
            }
            if v.last().is_some_and(|&t| t <= hi) {
                candidates.push(v);
            }
        }
    }
    candidates
}

#[cfg(test)]
mod tests {
    use super::super::Form;
    use super::*;
    use crate::engines::music::prompt::read;

    #[test]
    fn chords_move_smoothly() {
        let mut c = Composer::new(read("calm piano"), 3, 0.0, 120.0, &Form::default());
        let mut prev: Option<Vec<u8>> = None;
        for bar in 0..c.total_bars() {
            let pcs = c.chord(c.degree(bar));
            let v = c.voice(&pcs, 52, 76);
            if let Some(p) = prev {
                let moved: i32 = v
                    .iter()
                    .zip(&p)
                    .map(|(a, b)| (i32::from(*a) - i32::from(*b)).abs())
                    .sum();
                assert!(moved <= 9, "bar {bar}: {p:?} → {v:?}");
            }
            prev = Some(v);
        }
    }
}
