//! The built-in voice converter: offline, no model. Pitch and formant are
//! shifted independently with Signalsmith Stretch (the `signalsmith-stretch`
//! crate: a phase-vocoder pitch shifter with spectral-envelope formant
//! correction); `robot` adds a 50 Hz ring modulation (the classic "Dalek"
//! voice: every partial split into sum and difference tones); `whisper`
//! keeps each short-time spectrum's magnitudes and replaces its phases with
//! random ones ("whisperization", Zölzer (ed.), *DAFX*, 2nd ed., §7.4.5:
//! 512-sample Hann frames, hop 128, overlap-add), so the voice loses its
//! pitch and keeps its words.
//!
//! Presets a person understands, each a (pitch, formant) shift in semitones;
//! `pitch_semitones` / `formant_semitones` override the preset's value:
//!
//! | preset   | pitch | formant | sounds like |
//! |----------|-------|---------|-------------|
//! | deeper   | −4    | −2.5    | a lower, bigger voice |
//! | higher   | +4    | +2.5    | a lighter, smaller voice |
//! | younger  | +3    | +4      | a child-like voice |
//! | older    | −2    | −1      | a slightly lower, heavier voice |
//! | brighter | 0     | +3      | the same pitch, a thinner timbre |
//! | robot    | 0     | 0       | ring-modulated, metallic |
//! | whisper  | 0     | 0       | breathy, unvoiced |
//! | custom   | 0     | 0       | only the two shifts you set |

use std::path::Path;

use signalsmith_stretch::Stretch;

use super::{resolve_with, ConverterInfo, SettingInfo, Settings};
use crate::audio::wav::{read_clip, write_clip};
use crate::audio::Clip;
use crate::engines::EngineError;
use crate::error::Result;

/// What a preset adds after the pitch and formant shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Nothing.
    None,
    /// Ring modulation at 50 Hz.
    Ring,
    /// Random short-time phases (whisperization).
    Whisper,
}

/// The presets: (name, pitch semitones, formant semitones, effect).
pub const PRESETS: &[(&str, f32, f32, Effect)] = &[
    ("deeper", -4.0, -2.5, Effect::None),
    ("higher", 4.0, 2.5, Effect::None),
    ("younger", 3.0, 4.0, Effect::None),
    ("older", -2.0, -1.0, Effect::None),
    ("brighter", 0.0, 3.0, Effect::None),
    ("robot", 0.0, 0.0, Effect::Ring),
    ("whisper", 0.0, 0.0, Effect::Whisper),
    ("custom", 0.0, 0.0, Effect::None),
];

/// The default preset.
pub const DEFAULT_PRESET: &str = "deeper";

/// Ring modulator frequency of the `robot` preset, Hz.
const RING_HZ: f32 = 50.0;

/// The built-in converter.
pub struct BuiltinConverter;

const ID: &str = "builtin";

fn preset(name: &str) -> Option<(f32, f32, Effect)> {
    PRESETS
        .iter()
        .find(|p| p.0 == name)
        .map(|&(_, p, f, r)| (p, f, r))
}

fn number(s: &Settings, key: &str) -> Result<f32, EngineError> {
    s.get(key)
        .and_then(|v| v.trim().parse::<f32>().ok())
        .ok_or_else(|| EngineError::permanent(ID, format!("{key} is missing or not a number")))
}

fn specs() -> Vec<SettingInfo> {
    let shift = |name: &str, what: &str| SettingInfo {
        name: name.into(),
        description: format!("{what} shift in semitones (default: the preset's)"),
        default: String::new(),
        choices: vec![],
        min: None,
        max: None,
    };
    vec![
        SettingInfo {
            name: "preset".into(),
            description: "what the voice becomes".into(),
            default: DEFAULT_PRESET.into(),
            choices: PRESETS.iter().map(|p| p.0.to_string()).collect(),
            min: None,
            max: None,
        },
        shift("pitch_semitones", "pitch"),
        shift("formant_semitones", "formant"),
    ]
}

impl super::Converter for BuiltinConverter {
    fn id(&self) -> &str {
        ID
    }

    fn info(&self) -> ConverterInfo {
        ConverterInfo {
            id: ID.into(),
            kind: "builtin".into(),
            description: "Pitch and formant shift (Signalsmith Stretch), offline".into(),
            settings: specs(),
            max_chunk_ms: 30_000.0,
            concurrency: std::thread::available_parallelism().map_or(2, |n| n.get() as u32),
            available: true,
            reason: None,
        }
    }

    /// Fills the preset's shifts in where none is given; shifts are bounded
    /// to ±24 semitones.
    fn resolve(&self, given: &Settings) -> Result<Settings> {
        let mut s = resolve_with(ID, &specs(), given)?;
        let (p, f, _) = preset(&s["preset"]).unwrap_or((0.0, 0.0, Effect::None));
        for (key, dflt) in [("pitch_semitones", p), ("formant_semitones", f)] {
            let v = s.get(key).cloned().unwrap_or_default();
            let x = if v.trim().is_empty() {
                dflt
            } else {
                v.trim().parse::<f32>().map_err(|_| {
                    crate::Error::Config(format!(
                        "converter \"{ID}\": {key} must be a number (got \"{v}\")"
                    ))
                })?
            };
            if !(-24.0..=24.0).contains(&x) {
                return Err(crate::Error::Config(format!(
                    "converter \"{ID}\": {key} must be between -24 and 24 (got {x})"
                )));
            }
            s.insert(key.into(), format!("{x}"));
        }
        Ok(s)
    }

    fn cache_salt(&self) -> String {
        "signalsmith-stretch 0.1.3 preset_default; ring 50 Hz; whisper 512/128".into()
    }

    fn convert(&self, input: &Path, output: &Path, settings: &Settings) -> Result<(), EngineError> {
        let clip = read_clip(input).map_err(|e| EngineError::permanent(ID, e.to_string()))?;
        let pitch = number(settings, "pitch_semitones")?;
        let formant = number(settings, "formant_semitones")?;
        let effect = settings
            .get("preset")
            .and_then(|p| preset(p))
            .map_or(Effect::None, |p| p.2);
        let mut out = shift(&clip, pitch, formant);
        match effect {
            Effect::None => {}
            Effect::Ring => ring_modulate(&mut out),
            Effect::Whisper => out = whisper(&out),
        }
        write_clip(output, &out).map_err(|e| EngineError::permanent(ID, e.to_string()))
    }
}

/// Shifts pitch and formants of `clip` by the given semitones, keeping its
/// length exactly.
pub fn shift(clip: &Clip, pitch_semitones: f32, formant_semitones: f32) -> Clip {
    if pitch_semitones == 0.0 && formant_semitones == 0.0 {
        return clip.clone();
    }
    let ch = usize::from(clip.channels.max(1));
    let frames = clip.frames();
    let mut st = Stretch::preset_default(u32::from(clip.channels.max(1)), clip.sample_rate_hz);
    st.set_transpose_factor_semitones(pitch_semitones, None);
    st.set_formant_factor_semitones(formant_semitones, true);
    // `exact` needs at least two output latencies; pad short clips with silence.
    let min = st.output_latency() * 2 + 1;
    let n = frames.max(min);
    let mut input = clip.samples.clone();
    input.resize(n * ch, 0.0);
    let mut out = vec![0f32; n * ch];
    if !st.exact(&input, &mut out) {
        return clip.clone();
    }
    out.truncate(frames * ch);
    Clip {
        sample_rate_hz: clip.sample_rate_hz,
        channels: clip.channels,
        samples: out,
    }
}

/// Ring modulation at [`RING_HZ`], with the dry signal kept at a quarter so
/// words stay intelligible.
fn ring_modulate(clip: &mut Clip) {
    let ch = usize::from(clip.channels.max(1));
    let w = 2.0 * std::f32::consts::PI * RING_HZ / clip.sample_rate_hz as f32;
    for (i, f) in clip.samples.chunks_exact_mut(ch).enumerate() {
        let m = (w * i as f32).sin();
        for s in f {
            *s *= 0.25 + 0.75 * m;
        }
    }
}

/// Whisperization (see the module docs): per channel, 512-sample Hann
/// frames every 128 samples keep their magnitudes and get uniformly random
/// phases (seeded, so a chunk always converts the same), then overlap-add
/// normalized by the summed squared window. The length is kept.
pub fn whisper(clip: &Clip) -> Clip {
    const N: usize = 512;
    const HOP: usize = 128;
    const INCOHERENT_GAIN: f32 = 2.0; // √(N / HOP)
    let ch = usize::from(clip.channels.max(1));
    let frames = clip.frames();
    let mut planner = realfft::RealFftPlanner::<f32>::new();
    let fwd = planner.plan_fft_forward(N);
    let inv = planner.plan_fft_inverse(N);
    let window: Vec<f32> = (0..N)
        .map(|i| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / N as f32).cos())
        .collect();
    let mut out = vec![0f32; clip.samples.len()];
    let mut rng = fastrand::Rng::with_seed(0x5748_4953);
    let mut spec = fwd.make_output_vec();
    let mut buf = vec![0f32; N];
    for c in 0..ch {
        let mut acc = vec![0f32; frames + N];
        let mut norm = vec![0f32; frames + N];
        let mut start = 0usize;
        while start < frames {
            for (i, b) in buf.iter_mut().enumerate() {
                let k = start + i;
                *b = if k < frames {
                    clip.samples[k * ch + c] * window[i]
                } else {
                    0.0
                };
            }
            if fwd.process(&mut buf, &mut spec).is_err() {
                return clip.clone();
            }
            let last = spec.len() - 1;
            for (j, z) in spec.iter_mut().enumerate() {
                let m = z.norm();
                // DC and Nyquist must stay real for the inverse transform.
                *z = if j == 0 || j == last {
                    realfft::num_complex::Complex::new(m, 0.0)
                } else {
                    realfft::num_complex::Complex::from_polar(m, rng.f32() * std::f32::consts::TAU)
                };
            }
            if inv.process(&mut spec, &mut buf).is_err() {
                return clip.clone();
            }
            for i in 0..N {
                acc[start + i] += buf[i] / N as f32 * window[i];
                norm[start + i] += window[i] * window[i];
            }
            start += HOP;
        }
        for k in 0..frames {
            out[k * ch + c] = if norm[k] > 1e-3 {
                acc[k] / norm[k] * INCOHERENT_GAIN
            } else {
                0.0
            };
        }
    }
    Clip {
        sample_rate_hz: clip.sample_rate_hz,
        channels: clip.channels,
        samples: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::conversion::Converter;

    fn tone(hz: f32, secs: f32, sr: u32) -> Clip {
        let n = (secs * sr as f32) as usize;
        Clip::mono(
            sr,
            (0..n)
                .map(|i| 0.5 * (2.0 * std::f32::consts::PI * hz * i as f32 / sr as f32).sin())
                .collect(),
        )
    }

    fn zero_crossings_hz(c: &Clip) -> f32 {
        let mid = &c.samples[c.samples.len() / 4..c.samples.len() * 3 / 4];
        let zc = mid.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
        zc as f32 / (mid.len() as f32 / c.sample_rate_hz as f32)
    }

    #[test]
    fn pitch_moves_by_the_semitones_and_length_is_kept() {
        let c = tone(220.0, 2.0, 48_000);
        let down = shift(&c, -12.0, 0.0);
        assert_eq!(down.frames(), c.frames());
        let f = zero_crossings_hz(&down);
        assert!((f - 110.0).abs() < 4.0, "{f}");
    }

    #[test]
    fn whisper_keeps_length_and_level_but_removes_the_pitch() {
        let c = tone(200.0, 1.0, 48_000);
        let w = whisper(&c);
        assert_eq!(w.frames(), c.frames());
        let rms = |v: &[f32]| (v.iter().map(|x| x * x).sum::<f32>() / v.len() as f32).sqrt();
        let mid = |v: &[f32]| v[v.len() / 4..v.len() * 3 / 4].to_vec();
        let (a, b) = (rms(&mid(&c.samples)), rms(&mid(&w.samples)));
        assert!((b / a - 1.0).abs() < 0.15, "level kept: {a} → {b}");
        // The tone repeats every period (240 samples at 200 Hz); its whisper
        // does not: normalized autocorrelation at one period.
        let ac = |v: &[f32]| {
            let lag = 240;
            let num: f32 = v.windows(lag + 1).map(|p| p[0] * p[lag]).sum();
            let den: f32 = v.iter().map(|x| x * x).sum();
            num / den
        };
        let (tone, whispered) = (ac(&mid(&c.samples)), ac(&mid(&w.samples)));
        assert!(
            tone > 0.9 && whispered < 0.5,
            "periodicity {tone} → {whispered}"
        );
        assert_eq!(whisper(&c), w, "seeded: the same chunk converts the same");
    }

    #[test]
    fn presets_resolve_and_bad_values_are_refused() {
        let b = BuiltinConverter;
        let s = b.resolve(&Settings::new()).expect("defaults");
        assert_eq!(s["preset"], "deeper");
        assert_eq!(s["pitch_semitones"], "-4");
        let mut given = Settings::new();
        given.insert("preset".into(), "robot".into());
        given.insert("pitch_semitones".into(), "2".into());
        let s = b.resolve(&given).expect("override");
        assert_eq!(s["pitch_semitones"], "2");
        assert_eq!(s["formant_semitones"], "0");
        given.insert("pitch_semitones".into(), "40".into());
        assert!(b.resolve(&given).is_err());
        let mut bad = Settings::new();
        bad.insert("speed".into(), "2".into());
        let e = b.resolve(&bad).expect_err("unknown setting").to_string();
        assert!(e.contains("no setting \"speed\""), "{e}");
    }
}
