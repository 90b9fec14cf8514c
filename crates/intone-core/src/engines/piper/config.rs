//! A Piper voice's `.onnx.json` (the format written by Piper's trainer).

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

/// The fields Intone uses.
#[derive(Debug, Clone, Deserialize)]
pub struct VoiceConfig {
    /// Output audio.
    pub audio: AudioConfig,
    /// espeak-ng voice used to phonemize (`espeak.voice`, e.g. `en-us`).
    pub espeak: EspeakConfig,
    /// Default synthesis parameters.
    #[serde(default)]
    pub inference: InferenceConfig,
    /// `espeak` (the only phoneme type Intone supports).
    #[serde(default = "default_phoneme_type")]
    pub phoneme_type: String,
    /// Phoneme (one Unicode code point) → model input ids.
    pub phoneme_id_map: HashMap<String, Vec<i64>>,
    /// Speakers in the model; more than one means a `sid` input.
    #[serde(default = "one")]
    pub num_speakers: u32,
    /// Language metadata.
    #[serde(default)]
    pub language: Option<LanguageConfig>,
}

fn default_phoneme_type() -> String {
    "espeak".into()
}

fn one() -> u32 {
    1
}

/// `audio` section.
#[derive(Debug, Clone, Deserialize)]
pub struct AudioConfig {
    /// Output sample rate in Hz (22050 for `medium` voices).
    pub sample_rate: u32,
    /// `x_low`, `low`, `medium`, `high`.
    #[serde(default)]
    pub quality: Option<String>,
}

/// `espeak` section.
#[derive(Debug, Clone, Deserialize)]
pub struct EspeakConfig {
    /// espeak-ng voice name.
    pub voice: String,
}

/// `inference` section: VITS sampling parameters.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct InferenceConfig {
    /// Noise added to the prior (expressiveness); 0 = deterministic.
    #[serde(default = "noise_scale")]
    pub noise_scale: f32,
    /// Phoneme duration multiplier: > 1 is slower.
    #[serde(default = "length_scale")]
    pub length_scale: f32,
    /// Noise in the duration predictor; 0 = deterministic.
    #[serde(default = "noise_w")]
    pub noise_w: f32,
}

/// How much each take scales the voice's noise (take 0 is the voice's own):
/// a later take asks VITS for a different delivery by sampling its prior
/// and its duration predictor with more or less noise.
const TAKE_NOISE: [f32; 5] = [1.0, 1.25, 0.8, 1.45, 0.65];

impl InferenceConfig {
    /// These scales for take `take` (0-based): `noise_scale` and `noise_w`
    /// scaled by the take's factor, `length_scale` as it is.
    pub fn for_take(self, take: u32) -> Self {
        let f = TAKE_NOISE[take as usize % TAKE_NOISE.len()];
        Self {
            noise_scale: (self.noise_scale * f).clamp(0.0, 2.0),
            noise_w: (self.noise_w * f).clamp(0.0, 2.0),
            ..self
        }
    }
}

fn noise_scale() -> f32 {
    0.667
}
fn length_scale() -> f32 {
    1.0
}
fn noise_w() -> f32 {
    0.8
}

impl Default for InferenceConfig {
    fn default() -> Self {
        Self {
            noise_scale: noise_scale(),
            length_scale: length_scale(),
            noise_w: noise_w(),
        }
    }
}

/// `language` section.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LanguageConfig {
    /// e.g. `en_US`.
    #[serde(default)]
    pub code: Option<String>,
}

impl VoiceConfig {
    /// Reads and checks a voice config.
    ///
    /// # Errors
    /// A message naming what is wrong (the caller adds the file name).
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
        let c: Self =
            serde_json::from_str(&text).map_err(|e| format!("not a Piper voice config: {e}"))?;
        if c.phoneme_type != "espeak" {
            return Err(format!(
                "phoneme_type \"{}\" is not supported (only espeak)",
                c.phoneme_type
            ));
        }
        for key in ["^", "$", "_"] {
            if !c.phoneme_id_map.contains_key(key) {
                return Err(format!("phoneme_id_map has no \"{key}\""));
            }
        }
        if c.audio.sample_rate < 8000 {
            return Err(format!("implausible sample rate {}", c.audio.sample_rate));
        }
        Ok(c)
    }

    /// Language tag for display (`en-us`).
    pub fn language_tag(&self) -> String {
        self.language
            .as_ref()
            .and_then(|l| l.code.clone())
            .map_or_else(
                || self.espeak.voice.clone(),
                |c| c.replace('_', "-").to_lowercase(),
            )
    }
}
