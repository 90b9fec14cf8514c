//! The built-in voice converter: offline, no model. Pitch and formant are
//! shifted independently with Signalsmith Stretch (the `signalsmith-stretch`
//! crate: a phase-vocoder pitch shifter with spectral-envelope formant
//! correction), and `robot` adds a 50 Hz ring modulation (the classic
//! "Dalek" voice: every partial split into sum and difference tones).
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
//! | custom   | 0     | 0       | only the two shifts you set |

use std::path::Path;

use signalsmith_stretch::Stretch;

use super::{resolve_with, ConverterInfo, SettingInfo, Settings};
use crate::audio::wav::{read_clip, write_clip};
use crate::audio::Clip;
use crate::engines::EngineError;
use crate::error::Result;

/// The presets: (name, pitch semitones, formant semitones, ring modulation).
pub const PRESETS: &[(&str, f32, f32, bool)] = &[
    ("deeper", -4.0, -2.5, false),
    ("higher", 4.0, 2.5, false),
    ("younger", 3.0, 4.0, false),
    ("older", -2.0, -1.0, false),
    ("brighter", 0.0, 3.0, false),
    ("robot", 0.0, 0.0, true),
    ("custom", 0.0, 0.0, false),
];

/// The default preset.
pub const DEFAULT_PRESET: &str = "deeper";

/// Ring modulator frequency of the `robot` preset, Hz.
const RING_HZ: f32 = 50.0;

/// The built-in converter.
pub struct BuiltinConverter;

const ID: &str = "builtin";

fn preset(name: &str) -> Option<(f32, f32, bool)> {
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
        let (p, f, _) = preset(&s["preset"]).unwrap_or((0.0, 0.0, false));
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
        "signalsmith-stretch 0.1.3 preset_default; ring 50 Hz".into()
    }

    fn convert(&self, input: &Path, output: &Path, settings: &Settings) -> Result<(), EngineError> {
        let clip = read_clip(input).map_err(|e| EngineError::permanent(ID, e.to_string()))?;
        let pitch = number(settings, "pitch_semitones")?;
        let formant = number(settings, "formant_semitones")?;
        let ring = settings
            .get("preset")
            .and_then(|p| preset(p))
            .is_some_and(|p| p.2);
        let mut out = shift(&clip, pitch, formant);
        if ring {
            ring_modulate(&mut out);
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
