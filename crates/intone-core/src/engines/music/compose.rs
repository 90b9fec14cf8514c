//! The built-in composer: turns a [`Brief`], a seed and a temperature into
//! notes, one bar at a time, so a piece of any length is composed as it is
//! rendered (memory does not grow with length).
//!
//! - **Form**: an intro (harmony and bass only), then 8-bar phrases in the
//!   order A A B A (repeating; every fourth phrase a lighter "breakdown"),
//!   and an outro that comes home to the tonic and thins out.
//! - **Harmony**: a progression per section from a table for the mode
//!   (I–V–vi–IV, i–VI–III–VII, …); chords are voiced with the least total
//!   movement from the previous voicing (smooth voice leading).
//! - **Melody**: chord tones on strong beats, scale steps between, phrase
//!   endings on a chord tone; an A phrase repeats its motif, varied more
//!   the higher the temperature.
//! - **Temperature** (0–2): 0 plays the plain patterns; higher adds rests,
//!   leaps, rhythmic variation, chord substitutions and looser timing and
//!   velocity.
//!
//! Everything random comes from generators seeded by the seed, the phrase
//! and the bar: the same inputs give the same notes.

use super::prompt::{Brief, Mode, Style};

/// MIDI channels of the parts.
pub mod channel {
    /// Lead melody.
    pub const LEAD: u8 = 0;
    /// Chords or pad.
    pub const HARMONY: u8 = 1;
    /// Bass.
    pub const BASS: u8 = 2;
    /// Broken chords.
    pub const ARPEGGIO: u8 = 3;
    /// General MIDI percussion.
    pub const DRUMS: u8 = 9;
}

/// One note: when, how long (seconds from the start of the piece), where.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Note {
    /// Start, seconds.
    pub start_s: f64,
    /// Length, seconds.
    pub dur_s: f64,
    /// MIDI channel.
    pub channel: u8,
    /// MIDI key.
    pub key: u8,
    /// MIDI velocity 1–127.
    pub velocity: u8,
}

/// What part of the form a bar is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Intro,
    A,
    B,
    Breakdown,
    Outro,
}

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

/// Rhythms of a bar's melody, in beats (negative = rest).
fn rhythms(style: Style, beats: u8) -> &'static [&'static [f32]] {
    if beats == 3 {
        return &[&[2.0, 1.0], &[1.0, 1.0, 1.0], &[3.0], &[1.5, 0.5, 1.0]];
    }
    match style {
        Style::Sustained => &[&[4.0], &[2.0, 2.0], &[3.0, 1.0], &[-2.0, 2.0]],
        Style::Arpeggio => &[&[2.0, 2.0], &[1.0, 1.0, 2.0], &[3.0, 1.0], &[1.5, 0.5, 2.0]],
        Style::Comping => &[
            &[1.0, 1.0, 2.0],
            &[2.0, 1.0, 1.0],
            &[1.5, 0.5, 1.0, 1.0],
            &[4.0],
        ],
        Style::Groove => &[
            &[1.0, 0.5, 0.5, 2.0],
            &[0.5, 0.5, 1.0, -1.0, 1.0],
            &[-0.5, 0.5, 1.0, 0.5, 1.5],
            &[1.5, 0.5, 2.0],
        ],
    }
}

/// Where a piece sits in a longer one (a scene of a score): what it
/// continues and whether more follows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Form {
    /// It continues earlier music: no intro.
    pub continues: bool,
    /// More music follows: no outro, and the bars run through the last sample.
    pub open_end: bool,
    /// Seconds from the piece's start to its first downbeat (0 ≤ x < a
    /// bar): the bar grid of the music it continues. Bar 0 is then the
    /// partial bar before that downbeat.
    pub first_downbeat_s: f64,
    /// Bars already played before this piece, so phrases go on where they were.
    pub bars_before: u64,
    /// The last chord's voicing before this piece (voice leading goes on from it).
    pub voicing: Vec<u8>,
}

/// The composer's state between bars.
pub struct Composer {
    brief: Brief,
    seed: u64,
    temperature: f32,
    beat_s: f64,
    end_s: f64,
    offset_s: f64,
    bars_before: u64,
    open_end: bool,
    total_bars: u64,
    intro_bars: u64,
    outro_bars: u64,
    prog_a: [u8; 4],
    prog_b: [u8; 4],
    voicing: Vec<u8>,
    melody_key: u8,
    scale: Vec<u8>,
}

/// Mixes numbers into one seed (SplitMix64's finalizer).
fn mix(parts: &[u64]) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15;
    for &p in parts {
        h ^= p
            .wrapping_add(0x9e37_79b9_7f4a_7c15)
            .wrapping_add(h << 6)
            .wrapping_add(h >> 2);
        h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        h ^= h >> 31;
    }
    h
}

impl Composer {
    /// A composer for `brief` filling `music_s` seconds placed by `form`:
    /// whole bars (at least one), the last of which holds its chord to the
    /// end; or, for an open end, bars through the last sample.
    pub fn new(brief: Brief, seed: u64, temperature: f32, music_s: f64, form: &Form) -> Self {
        let beat_s = 60.0 / f64::from(brief.tempo_bpm.clamp(40.0, 200.0));
        let bar_s = beat_s * f64::from(brief.beats_per_bar);
        let downbeat = form.first_downbeat_s.rem_euclid(bar_s);
        let offset_s = if form.continues && downbeat > 1e-6 {
            downbeat - bar_s
        } else {
            0.0
        };
        let span = (music_s - offset_s) / bar_s;
        let total_bars = if form.open_end {
            span.ceil() as u64
        } else {
            span.floor() as u64
        }
        .max(1);
        let intro_bars = match (form.continues, total_bars) {
            (true, _) | (_, 0..=4) => 0,
            (_, 5..=16) => 1,
            (_, 17..=40) => 2,
            _ => 4,
        };
        let outro_bars = match (form.open_end, total_bars) {
            (true, _) => 0,
            (_, 0..=2) => 1,
            (_, 3..=16) => 2,
            _ => 4,
        }
        .min(total_bars);
        let mut rng = fastrand::Rng::with_seed(mix(&[seed, 1]));
        let table = progressions(brief.mode);
        let prog_a = table[rng.usize(..table.len())];
        let mut prog_b = table[rng.usize(..table.len())];
        if prog_b == prog_a {
            prog_b =
                table[(table.iter().position(|p| *p == prog_a).unwrap_or(0) + 1) % table.len()];
        }
        let steps = brief.mode.steps();
        // Every scale note from C1 to C7.
        let scale: Vec<u8> = (24u8..=96)
            .filter(|k| steps.contains(&((k + 12 - brief.tonic % 12) % 12)))
            .collect();
        let tonic_mid = 60 + brief.tonic % 12;
        let melody_key = if tonic_mid > 66 {
            tonic_mid
        } else {
            tonic_mid + 12
        };
        Self {
            seed,
            temperature: temperature.clamp(0.0, 2.0),
            beat_s,
            end_s: music_s.max(bar_s),
            offset_s,
            bars_before: form.bars_before,
            open_end: form.open_end,
            total_bars,
            intro_bars,
            outro_bars,
            prog_a,
            prog_b,
            voicing: form.voicing.clone(),
            melody_key,
            scale,
            brief,
        }
    }

    /// Bars in the piece.
    pub fn total_bars(&self) -> u64 {
        self.total_bars
    }

    /// When the last notes end, seconds.
    pub fn end_s(&self) -> f64 {
        self.end_s
    }

    /// When bar 0 starts, seconds (negative when the piece begins mid-bar).
    pub fn offset_s(&self) -> f64 {
        self.offset_s
    }

    /// The voicing of the last chord composed.
    pub fn voicing(&self) -> &[u8] {
        &self.voicing
    }

    /// Seconds from `t_s` to the next downbeat at or after it.
    pub fn next_downbeat_after(&self, t_s: f64) -> f64 {
        let bar_s = self.bar_s();
        let k = ((t_s - self.offset_s) / bar_s).ceil();
        (self.offset_s + k * bar_s - t_s).max(0.0)
    }

    /// Bars played by the end of `t_s` seconds, counting those before the piece.
    pub fn bars_by(&self, t_s: f64) -> u64 {
        self.bars_before + ((t_s - self.offset_s) / self.bar_s()).ceil().max(0.0) as u64
    }

    /// Length of one bar, seconds.
    pub fn bar_s(&self) -> f64 {
        self.beat_s * f64::from(self.brief.beats_per_bar)
    }

    /// General MIDI programs per channel: (channel, program).
    pub fn programs(&self) -> [(u8, u8); 4] {
        let arp = match self.brief.style {
            Style::Arpeggio => self.brief.lead,
            _ => self.brief.harmony,
        };
        [
            (channel::LEAD, self.brief.lead),
            (channel::HARMONY, self.brief.harmony),
            (channel::BASS, self.brief.bass),
            (channel::ARPEGGIO, arp),
        ]
    }

    fn section(&self, bar: u64) -> (Section, u64, u64) {
        if bar < self.intro_bars {
            return (Section::Intro, 0, bar);
        }
        if bar + self.outro_bars >= self.total_bars {
            return (Section::Outro, 0, bar + self.outro_bars - self.total_bars);
        }
        let b = bar + self.bars_before - self.intro_bars;
        let phrase = b / 8;
        let s = match phrase % 8 {
            2 | 6 => Section::B,
            7 => Section::Breakdown,
            _ => Section::A,
        };
        (s, phrase, b % 8)
    }

    /// The chord (scale degree) of a bar.
    fn degree(&self, bar: u64) -> u8 {
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

    /// Pitch classes of the chord on `degree` (triad, or seventh chord for
    /// groove styles).
    fn chord(&self, degree: u8) -> Vec<u8> {
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

    /// Voices `pcs` between `lo` and `hi` with the least movement from the
    /// previous voicing (each voice moves to the nearest free chord tone).
    fn voice(&mut self, pcs: &[u8], lo: u8, hi: u8) -> Vec<u8> {
        let mut candidates: Vec<Vec<u8>> = Vec::new();
        // Each inversion, stacked upwards from the lowest octave that fits.
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

    /// The scale note `steps` scale steps from `key` (which need not be in
    /// the scale), kept between `lo` and `hi`.
    fn step_from(&self, key: u8, steps: i32, lo: u8, hi: u8) -> u8 {
        let idx = self.scale.iter().position(|&k| k >= key).unwrap_or(0) as i32;
        let to = (idx + steps).clamp(0, self.scale.len() as i32 - 1) as usize;
        let k = self.scale[to];
        if k < lo {
            k + 12
        } else if k > hi {
            k - 12
        } else {
            k
        }
    }

    /// Velocity for energy `e` with a phrase arc and human variation.
    fn velocity(&self, base: f32, in_phrase: u64, rng: &mut fastrand::Rng) -> u8 {
        let arc = (std::f32::consts::PI * (in_phrase as f32 + 0.5) / 8.0).sin() * 8.0;
        let human = (rng.f32() - 0.5) * 10.0 * self.temperature;
        (base + arc + human).clamp(20.0, 120.0) as u8
    }

    /// The notes of bar `bar` (0-based), in start order.
    pub fn bar(&mut self, bar: u64) -> Vec<Note> {
        let mut notes = Vec::new();
        if bar >= self.total_bars || !self.brief.music {
            return notes;
        }
        let (section, phrase, in_phrase) = self.section(bar);
        let beats = f64::from(self.brief.beats_per_bar);
        let beat_s = self.beat_s;
        let t0 = self.offset_s + bar as f64 * beats * beat_s;
        let b = self.brief.clone();
        let energy = match section {
            Section::Intro => b.energy * 0.6,
            Section::Breakdown => b.energy * 0.7,
            Section::B => (b.energy * 1.15).min(1.0),
            Section::Outro => b.energy * (0.8 - 0.15 * in_phrase as f32).max(0.3),
            Section::A => b.energy,
        };
        let base_vel = 38.0 + 60.0 * energy;
        let mut rng = fastrand::Rng::with_seed(mix(&[self.seed, 3, bar]));
        let degree = self.degree(bar);
        let pcs = self.chord(degree);
        let last_bar = !self.open_end && bar + 1 == self.total_bars;
        let push =
            |notes: &mut Vec<Note>, ch: u8, key: u8, start_beat: f64, dur_beats: f64, vel: u8| {
                notes.push(Note {
                    start_s: t0 + start_beat * beat_s,
                    dur_s: dur_beats * beat_s,
                    channel: ch,
                    key,
                    velocity: vel.max(1),
                });
            };

        // Harmony: held chords (sustained), struck chords (comping, groove),
        // or a soft pad under broken chords.
        let voicing = self.voice(&pcs, 52, 76);
        let hv = self.velocity(base_vel - 12.0, in_phrase, &mut rng);
        // The last bar rings to the end of the piece (under the fade-out).
        let hold = if last_bar {
            (self.end_s - t0) / beat_s
        } else {
            beats * 0.98
        };
        match b.style {
            Style::Sustained | Style::Arpeggio => {
                let held_bars = if b.style == Style::Sustained
                    && in_phrase % 2 == 1
                    && section != Section::Outro
                {
                    0.0
                } else if b.style == Style::Sustained && !last_bar && section != Section::Outro {
                    2.0
                } else {
                    1.0
                };
                if held_bars > 0.0 {
                    let dur = if last_bar {
                        hold
                    } else {
                        beats * held_bars - 0.05
                    };
                    let v = if b.style == Style::Arpeggio {
                        hv.saturating_sub(18)
                    } else {
                        hv
                    };
                    for &k in &voicing {
                        push(&mut notes, channel::HARMONY, k, 0.0, dur, v);
                    }
                }
            }
            Style::Comping | Style::Groove => {
                let hits: &[(f64, f64)] = if b.beats_per_bar == 3 {
                    &[(0.0, 0.95), (1.0, 0.9), (2.0, 0.9)]
                } else if b.style == Style::Groove {
                    &[(0.0, 1.4), (1.5, 0.4), (2.5, 1.4)]
                } else if energy > 0.5 {
                    &[(0.0, 0.95), (1.0, 0.95), (2.0, 0.95), (3.0, 0.95)]
                } else {
                    &[(0.0, 1.9), (2.0, 1.9)]
                };
                let hits: Vec<(f64, f64)> = if section == Section::Outro && last_bar {
                    vec![(0.0, hold)]
                } else {
                    hits.to_vec()
                };
                for (i, (start, dur)) in hits.iter().enumerate() {
                    let swung = self.swing(*start);
                    let v = if i == 0 { hv } else { hv.saturating_sub(8) };
                    for &k in &voicing {
                        push(&mut notes, channel::HARMONY, k, swung, *dur, v);
                    }
                }
            }
        }

        // Broken chords.
        if b.style == Style::Arpeggio && section != Section::Intro {
            let step = 0.5;
            let mut chord_keys = voicing.clone();
            chord_keys.push(voicing[0] + 12);
            let pattern: &[usize] = if b.beats_per_bar == 3 {
                &[0, 1, 2, 3, 2, 1]
            } else {
                &[0, 1, 2, 3, 2, 1, 2, 1]
            };
            let count = if last_bar { 1 } else { pattern.len() };
            for (i, &p) in pattern.iter().take(count).enumerate() {
                let k = chord_keys[p % chord_keys.len()];
                let v = self.velocity(
                    base_vel - 6.0 - if i % 2 == 1 { 8.0 } else { 0.0 },
                    in_phrase,
                    &mut rng,
                );
                let dur = if last_bar { hold } else { step * 1.6 };
                push(&mut notes, channel::ARPEGGIO, k, i as f64 * step, dur, v);
            }
        }

        // Bass.
        let root = {
            let pc = pcs[0];
            let mut k = 36 + pc;
            if k > 47 {
                k -= 12;
            }
            k
        };
        let bv = self.velocity(base_vel - 2.0, in_phrase, &mut rng);
        match b.style {
            Style::Groove if section != Section::Intro && !last_bar => {
                let fifth = root + 7;
                let next_root = 36 + self.chord(self.degree(bar + 1))[0];
                let approach = if next_root > root {
                    next_root - 1
                } else {
                    next_root + 1
                };
                let line: &[(f64, u8, f64)] = &[
                    (0.0, root, 1.4),
                    (1.5, root, 0.45),
                    (2.0, fifth, 0.9),
                    (3.5, approach, 0.45),
                ];
                for (start, key, dur) in line {
                    push(
                        &mut notes,
                        channel::BASS,
                        *key,
                        self.swing(*start),
                        *dur,
                        bv,
                    );
                }
            }
            Style::Sustained => {
                if in_phrase % 2 == 0 || section == Section::Outro {
                    let bars = if last_bar || section == Section::Outro {
                        1.0
                    } else {
                        2.0
                    };
                    let dur = if last_bar { hold } else { beats * bars - 0.1 };
                    push(
                        &mut notes,
                        channel::BASS,
                        root,
                        0.0,
                        dur,
                        bv.saturating_sub(10),
                    );
                }
            }
            _ => {
                if last_bar || beats == 3.0 {
                    push(&mut notes, channel::BASS, root, 0.0, hold, bv);
                } else {
                    push(&mut notes, channel::BASS, root, 0.0, 1.9, bv);
                    push(
                        &mut notes,
                        channel::BASS,
                        root + 7,
                        2.0,
                        1.9,
                        bv.saturating_sub(8),
                    );
                }
            }
        }

        // Melody.
        let play_melody = b.melody && matches!(section, Section::A | Section::B | Section::Outro);
        if play_melody {
            // A phrases share a motif: the same generator for the same bar of
            // the phrase, unless temperature picks a variation.
            let variation = {
                let mut vr = fastrand::Rng::with_seed(mix(&[self.seed, 4, phrase]));
                if vr.f32() < 0.35 * self.temperature {
                    phrase
                } else {
                    0
                }
            };
            let sect_id = if section == Section::B { 1 } else { 0 };
            let mut mr =
                fastrand::Rng::with_seed(mix(&[self.seed, 5, sect_id, variation, in_phrase]));
            let options = rhythms(b.style, b.beats_per_bar);
            let plain = self.temperature < 0.05;
            let rhythm = if last_bar {
                &[beats as f32][..]
            } else if plain {
                options[(in_phrase as usize) % options.len()]
            } else {
                options[mr.usize(..options.len())]
            };
            let (lo, hi) = (62, 86);
            let mut beat = 0.0f64;
            let phrase_end = in_phrase % 4 == 3 || last_bar;
            for (i, &len) in rhythm.iter().enumerate() {
                let dur = f64::from(len.abs());
                let last_note = i + 1 == rhythm.len();
                let rest = len < 0.0
                    || (!plain
                        && i > 0
                        && mr.f32() < (0.08 + 0.12 * (1.0 - energy)) * self.temperature);
                if !rest {
                    let strong = beat.fract() == 0.0 && (beat as u32).is_multiple_of(2);
                    let key = if strong || (phrase_end && last_note) {
                        // Nearest chord tone, sometimes the second nearest.
                        let mut tones: Vec<u8> = (lo..=hi)
                            .filter(|k| pcs[..3.min(pcs.len())].contains(&(k % 12)))
                            .collect();
                        tones.sort_by_key(|&k| (i32::from(k) - i32::from(self.melody_key)).abs());
                        let pick = usize::from(!plain && mr.f32() < 0.3 * self.temperature);
                        if last_bar {
                            // Home: the tonic nearest the line.
                            let mut t: Vec<u8> =
                                (lo..=hi).filter(|k| k % 12 == b.tonic % 12).collect();
                            t.sort_by_key(|&k| (i32::from(k) - i32::from(self.melody_key)).abs());
                            t.first().copied().unwrap_or(self.melody_key)
                        } else {
                            tones
                                .get(pick)
                                .or(tones.first())
                                .copied()
                                .unwrap_or(self.melody_key)
                        }
                    } else {
                        let leap = !plain && mr.f32() < 0.15 * self.temperature;
                        let size = if leap { 2 + mr.i32(0..=2) } else { 1 };
                        // Drift back toward the middle of the range.
                        let up = if self.melody_key > 78 {
                            mr.f32() < 0.25
                        } else if self.melody_key < 68 {
                            mr.f32() < 0.75
                        } else {
                            mr.bool()
                        };
                        self.step_from(self.melody_key, if up { size } else { -size }, lo, hi)
                    };
                    self.melody_key = key;
                    let legato = if b.style == Style::Groove { 0.85 } else { 0.98 };
                    let dur_play = if last_bar { hold } else { dur * legato };
                    let accent = if strong { 6.0 } else { 0.0 };
                    let v = self.velocity(base_vel + accent, in_phrase, &mut mr);
                    let start = if plain { beat } else { self.swing(beat) };
                    push(&mut notes, channel::LEAD, key, start, dur_play, v);
                }
                beat += dur;
            }
        }

        // Drums.
        if b.drums && matches!(section, Section::A | Section::B | Section::Breakdown) {
            const KICK: u8 = 36;
            const SNARE: u8 = 38;
            const RIM: u8 = 37;
            const HAT: u8 = 42;
            const OPEN_HAT: u8 = 46;
            let light = section == Section::Breakdown;
            let eighths = u32::from(b.beats_per_bar) * 2;
            for e in 0..eighths {
                let beat = f64::from(e) * 0.5;
                let pos = self.swing(beat);
                let hv = if e % 2 == 0 { 62.0 } else { 44.0 } + 20.0 * energy;
                let hat = if e == eighths - 1 && in_phrase % 4 == 3 {
                    OPEN_HAT
                } else {
                    HAT
                };
                let v = self.velocity(hv - 10.0, in_phrase, &mut rng);
                push(&mut notes, channel::DRUMS, hat, pos, 0.25, v);
                if light {
                    continue;
                }
                let kick = e == 0 || e == 4 || (e == 5 && rng.f32() < 0.25 * self.temperature);
                if kick {
                    let v = self.velocity(80.0 + 20.0 * energy, in_phrase, &mut rng);
                    push(&mut notes, channel::DRUMS, KICK, pos, 0.25, v);
                }
                if e == 2 || e == 6 {
                    let drum = if energy < 0.5 { RIM } else { SNARE };
                    let v = self.velocity(70.0 + 20.0 * energy, in_phrase, &mut rng);
                    push(&mut notes, channel::DRUMS, drum, pos, 0.25, v);
                }
                // A fill at the end of each phrase.
                if in_phrase == 7 && e == 7 {
                    let v = self.velocity(60.0, in_phrase, &mut rng);
                    push(&mut notes, channel::DRUMS, SNARE, beat + 0.25, 0.2, v);
                }
            }
        }
        notes.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        notes
    }

    /// Delays off-beat eighths by the brief's swing.
    fn swing(&self, beat: f64) -> f64 {
        let frac = beat.fract();
        if (frac - 0.5).abs() < 1e-9 {
            beat + f64::from(self.brief.swing) * 0.5
        } else {
            beat
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::prompt::read;
    use super::*;

    #[test]
    fn same_seed_same_notes_and_every_note_ends_inside_the_piece() {
        let make = |seed| {
            let mut c = Composer::new(
                read("upbeat lo-fi groove"),
                seed,
                1.0,
                60.0,
                &Form::default(),
            );
            let end = c.end_s();
            let notes: Vec<Note> = (0..c.total_bars()).flat_map(|b| c.bar(b)).collect();
            assert!(notes
                .iter()
                .all(|n| n.start_s + n.dur_s <= end + 1e-6 && n.dur_s > 0.0));
            notes
        };
        assert_eq!(make(7), make(7));
        assert_ne!(make(7), make(8));
    }

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
