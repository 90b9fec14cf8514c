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

/// The chord before the tonic in a cadence, as a scale degree: the
/// dominant (V–I, an authentic cadence) in major and minor; the modes'
/// own colour chord in the others (IV–i in Dorian, with its raised sixth;
/// II–I in Lydian, with its raised fourth), as modal harmony resolves.
pub(super) fn cadence(mode: Mode) -> u8 {
    match mode {
        Mode::Major | Mode::Minor => 4,
        Mode::Dorian => 3,
        Mode::Lydian => 1,
    }
}

impl Composer {
    /// The chord (scale degree, 0 = tonic) of a bar. Every 8-bar phrase
    /// closes with a cadence (the cadence chord, then the tonic); the
    /// outro comes home (IV, the cadence chord, I); a loop starts on the
    /// tonic and its last bar is the tonic again.
    pub(super) fn degree(&self, bar: u64) -> u8 {
        let (s, phrase, in_phrase) = self.section(bar);
        let cadence = cadence(self.brief.mode);
        if self.looped {
            if bar == 0 || bar + 1 == self.total_bars {
                return 0;
            }
            if bar + 2 == self.total_bars && in_phrase != 7 {
                return cadence;
            }
        }
        // Slow, held styles change chord every two bars.
        let sustained = self.brief.style == Style::Sustained;
        let slot = if sustained {
            (in_phrase / 2) % 4
        } else {
            in_phrase % 4
        };
        match s {
            Section::Outro => {
                if in_phrase + 1 >= self.outro_bars || self.outro_bars == 1 {
                    0
                } else if in_phrase + 2 == self.outro_bars {
                    cadence
                } else {
                    3
                }
            }
            // The phrase's last chord is the tonic, the one before it the
            // cadence chord (a bar each, or two bars each when held).
            _ if s != Section::Intro && in_phrase >= 4 && slot == 3 => 0,
            _ if s != Section::Intro && in_phrase >= 4 && slot == 2 => cadence,
            _ => {
                let prog = if s == Section::B {
                    self.prog_b
                } else {
                    self.prog_a
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

    /// Voices a chord's pitch classes in the register and spacing the
    /// prompt's mood asks for: darker modes (minor, Dorian) and low energy
    /// sit lower, bright ones (major, Lydian) with energy higher; calm
    /// pieces (energy under 0.35) spread the chord open (the middle voice
    /// dropped an octave below the root, a "drop-2"-like open voicing),
    /// livelier ones keep it close.
    pub(super) fn voice_chord(&mut self, pcs: &[u8]) -> Vec<u8> {
        let (lo, hi) = self.register();
        let mut v = self.voice(pcs, lo, hi);
        if self.brief.energy < 0.35 && v.len() >= 3 && v[1] >= lo + 12 {
            let mut open = v.clone();
            open[1] -= 12;
            open.sort_unstable();
            return open;
        }
        v.sort_unstable();
        v
    }

    /// The MIDI key range chords are voiced in, from the mode and energy.
    pub(super) fn register(&self) -> (u8, u8) {
        let dark = matches!(self.brief.mode, Mode::Minor | Mode::Dorian);
        let shift: i8 = match (dark, self.brief.energy >= 0.5) {
            (true, false) => -5,
            (true, true) => -2,
            (false, false) => 0,
            (false, true) => 3,
        };
        let at = |k: u8| (i16::from(k) + i16::from(shift)) as u8;
        (at(52), at(76))
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
    use super::super::sections::Section;
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

    #[test]
    fn every_take_and_loop_ends_on_the_tonic_and_phrases_resolve() {
        let prompts = [
            "calm piano",
            "sad strings",
            "upbeat lo-fi groove",
            "dreamy ambient pad",
            "dark cinematic, D dorian",
            "waltz, 3/4, happy",
        ];
        for prompt in prompts {
            for seed in 0..8 {
                for seconds in [4.0, 20.0, 45.0, 130.0] {
                    for looped in [false, true] {
                        let form = Form {
                            looped,
                            ..Form::default()
                        };
                        let c = Composer::new(read(prompt), seed, 1.5, seconds, &form);
                        let plan = c.chord_plan();
                        let what = format!("{prompt}, seed {seed}, {seconds} s, loop {looped}");
                        assert_eq!(plan.last(), Some(&0), "{what}: {plan:?}");
                        if looped {
                            assert_eq!(plan[0], 0, "{what}: a loop starts on the tonic");
                        }
                        // Every whole 8-bar phrase closes on the tonic after
                        // its cadence chord.
                        for bar in 0..c.total_bars() {
                            let (s, _, in_phrase) = c.section(bar);
                            if matches!(s, Section::A | Section::B | Section::Breakdown)
                                && in_phrase == 7
                            {
                                assert_eq!(plan[bar as usize], 0, "{what}: bar {bar}");
                                let before = plan[bar as usize - 1];
                                assert!(
                                    before == cadence(c.brief.mode) || before == 0,
                                    "{what}: bar {bar} comes from {before}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_mood_moves_the_voicing() {
        let chords = |prompt: &str| -> Vec<Vec<u8>> {
            let mut c = Composer::new(read(prompt), 1, 0.0, 60.0, &Form::default());
            (0..c.total_bars())
                .map(|b| {
                    let pcs = c.chord(c.degree(b));
                    c.voice_chord(&pcs)
                })
                .collect()
        };
        let mean = |v: &[Vec<u8>]| {
            let keys: Vec<f32> = v.iter().flatten().map(|&k| f32::from(k)).collect();
            keys.iter().sum::<f32>() / keys.len() as f32
        };
        let spread = |v: &[Vec<u8>]| {
            v.iter()
                .map(|c| f32::from(c[c.len() - 1] - c[0]))
                .sum::<f32>()
                / v.len() as f32
        };
        let (sad, happy) = (chords("sad piano"), chords("happy upbeat piano"));
        assert!(
            mean(&sad) + 4.0 < mean(&happy),
            "sad sits at {}, happy at {}",
            mean(&sad),
            mean(&happy)
        );
        // Calm pieces spread the chord open; lively ones keep it close.
        assert!(
            spread(&sad) > spread(&happy) + 4.0,
            "{} vs {}",
            spread(&sad),
            spread(&happy)
        );
        assert!(spread(&happy) <= 9.0);
    }
}
