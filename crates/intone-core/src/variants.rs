//! Variants: production recipes applied to a voice render — bed, levels,
//! ducking, fades, tempo, pauses and loudness target. Built-ins are `voice`,
//! `sleep` and `energy`; users add their own as TOML files in
//! `$INTONE_HOME/variants/` with the same fields (any field left out takes the
//! `voice` variant's value; the file name is the variant's name).
//!
//! ```toml
//! # $INTONE_HOME/variants/rain.toml
//! description = "Soft voice over my rain recording"
//! bed = "file:/home/me/rain.flac"
//! bed_level_lu = -14.0
//! duck_db = 4.0
//! tempo_ratio = 0.9
//! target_lufs = -19.0
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engines::beds::BedSpec;
use crate::error::{Error, Result};
use crate::home::Home;

/// A production recipe.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Variant {
    /// Name (`voice`, `sleep`, a user file's stem).
    pub name: String,
    /// One line for pickers.
    pub description: String,
    /// Background bed.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub bed: BedSpec,
    /// Bed loudness relative to the voice, in LU (negative = under the voice).
    /// Read from `bed_level_db` too, its name before version 8 of the store.
    #[serde(alias = "bed_level_db")]
    pub bed_level_lu: f64,
    /// Extra bed attenuation while the voice speaks, dB.
    pub duck_db: f64,
    /// Bed alone before the first word, ms.
    pub lead_in_ms: f64,
    /// Audio after the last word, ms.
    pub tail_ms: f64,
    /// Fade-in at the start, ms.
    pub fade_in_ms: f64,
    /// Fade-out at the end, ms.
    pub fade_out_ms: f64,
    /// Delivery speed as a ratio of the voice's own pace: 1.0 = normal, 0.85
    /// = 15 % slower (engines map it to their own rate control). Read from
    /// `tempo` too, its name before version 8 of the store.
    #[serde(alias = "tempo")]
    pub tempo_ratio: f64,
    /// High-shelf gain on the voice above 3 kHz, dB.
    pub brightness_db: f64,
    /// Voice compressor ratio (1 = off): levels stressed syllables before
    /// mastering so the true-peak limiter has little left to do.
    pub voice_compression_ratio: f64,
    /// Silence between sentences, ms.
    pub sentence_pause_ms: f64,
    /// Silence between paragraphs, ms.
    pub paragraph_pause_ms: f64,
    /// Silence after a heading spoken inside a section (`###`…), ms;
    /// `None`: the sentence or paragraph pause it would have anyway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading_pause_ms: Option<f64>,
    /// Integrated loudness target, LUFS (EBU R128).
    pub target_lufs: f64,
    /// True-peak ceiling, dBTP.
    pub ceiling_dbtp: f64,
}

impl Default for Variant {
    fn default() -> Self {
        Self {
            name: "voice".into(),
            description: "Voice only, mastered for spoken word".into(),
            bed: BedSpec::None,
            bed_level_lu: -12.0,
            duck_db: 0.0,
            lead_in_ms: 300.0,
            tail_ms: 700.0,
            fade_in_ms: 10.0,
            fade_out_ms: 50.0,
            tempo_ratio: 1.0,
            brightness_db: 0.0,
            voice_compression_ratio: 3.0,
            sentence_pause_ms: 450.0,
            paragraph_pause_ms: 900.0,
            heading_pause_ms: None,
            target_lufs: -16.0,
            ceiling_dbtp: -1.0,
        }
    }
}

/// The built-in variants.
pub fn builtins() -> Vec<Variant> {
    vec![
        Variant::default(),
        Variant {
            name: "sleep".into(),
            description: "Slow, warm voice over ocean waves with long fades".into(),
            bed: BedSpec::Ocean,
            bed_level_lu: -11.0,
            duck_db: 4.0,
            lead_in_ms: 5000.0,
            tail_ms: 10_000.0,
            fade_in_ms: 4000.0,
            fade_out_ms: 8000.0,
            tempo_ratio: 0.85,
            brightness_db: -2.0,
            voice_compression_ratio: 2.0,
            sentence_pause_ms: 1100.0,
            paragraph_pause_ms: 2200.0,
            heading_pause_ms: None,
            target_lufs: -20.0,
            ceiling_dbtp: -1.0,
        },
        Variant {
            name: "energy".into(),
            description: "Bright voice over an upbeat 120 BPM groove".into(),
            bed: BedSpec::Pulse,
            bed_level_lu: -9.0,
            duck_db: 6.0,
            lead_in_ms: 2000.0,
            tail_ms: 3000.0,
            fade_in_ms: 500.0,
            fade_out_ms: 2500.0,
            tempo_ratio: 1.08,
            brightness_db: 3.0,
            voice_compression_ratio: 3.0,
            sentence_pause_ms: 300.0,
            paragraph_pause_ms: 600.0,
            heading_pause_ms: None,
            target_lufs: -14.0,
            ceiling_dbtp: -1.0,
        },
    ]
}

impl Variant {
    /// Checks every field's range.
    ///
    /// # Errors
    /// [`Error::Config`] naming the variant and the field.
    pub fn validate(&self) -> Result<()> {
        let checks: [(&str, f64, f64, f64); 14] = [
            (
                "voice_compression_ratio",
                self.voice_compression_ratio,
                1.0,
                20.0,
            ),
            ("bed_level_lu", self.bed_level_lu, -60.0, 12.0),
            ("duck_db", self.duck_db, 0.0, 40.0),
            ("lead_in_ms", self.lead_in_ms, 0.0, 600_000.0),
            ("tail_ms", self.tail_ms, 0.0, 600_000.0),
            ("fade_in_ms", self.fade_in_ms, 0.0, 600_000.0),
            ("fade_out_ms", self.fade_out_ms, 0.0, 600_000.0),
            ("tempo_ratio", self.tempo_ratio, 0.5, 2.0),
            ("brightness_db", self.brightness_db, -12.0, 12.0),
            ("sentence_pause_ms", self.sentence_pause_ms, 0.0, 10_000.0),
            ("paragraph_pause_ms", self.paragraph_pause_ms, 0.0, 20_000.0),
            (
                "heading_pause_ms",
                self.heading_pause_ms.unwrap_or(0.0),
                0.0,
                20_000.0,
            ),
            ("target_lufs", self.target_lufs, -40.0, -5.0),
            ("ceiling_dbtp", self.ceiling_dbtp, -20.0, 0.0),
        ];
        for (field, v, lo, hi) in checks {
            if !v.is_finite() || v < lo || v > hi {
                return Err(Error::Config(format!(
                    "variant \"{}\": {field} = {v} is outside {lo}..={hi}",
                    self.name
                )));
            }
        }
        if self.name.trim().is_empty() {
            return Err(Error::Config("variant with an empty name".into()));
        }
        Ok(())
    }
}

/// Reads one user variant file.
///
/// # Errors
/// [`Error::Config`] naming the file for TOML or range errors.
pub fn load_file(path: &Path) -> Result<Variant> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut v: Variant = toml::from_str(&text)
        .map_err(|e| Error::Config(format!("{}: {}", path.display(), e.message())))?;
    if v.name == Variant::default().name || v.name.is_empty() {
        v.name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    if v.description == Variant::default().description {
        v.description = format!("User variant from {}", path.display());
    }
    v.validate()
        .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
    Ok(v)
}

/// Built-ins followed by the user's variants (a user file named like a
/// built-in replaces it). Returns the variants and one warning per bad file.
pub fn all(home: &Home) -> (Vec<Variant>, Vec<String>) {
    let mut list = builtins();
    let mut warnings = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(home.variants_dir())
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    for p in files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
    {
        match load_file(&p) {
            Ok(v) => {
                list.retain(|x| x.name != v.name);
                list.push(v);
            }
            Err(e) => warnings.push(e.to_string()),
        }
    }
    (list, warnings)
}

/// Finds variant `name`.
///
/// # Errors
/// [`Error::NotFound`] listing the known variants, or the file's own error
/// when `name` names a broken user variant.
pub fn find(home: &Home, name: &str) -> Result<Variant> {
    let file = home.variants_dir().join(format!("{name}.toml"));
    if file.is_file() {
        return load_file(&file);
    }
    let (list, _) = all(home);
    list.iter()
        .find(|v| v.name == name)
        .cloned()
        .ok_or_else(|| {
            Error::NotFound(format!(
                "unknown variant \"{name}\" (available: {})",
                list.iter()
                    .map(|v| v.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_are_valid() {
        for v in builtins() {
            v.validate().expect("valid");
        }
    }

    #[test]
    fn user_variant_overrides_and_errors_name_the_file() {
        let dir = tempfile::tempdir().expect("tmp");
        let home = Home::open(dir.path()).expect("home");
        std::fs::write(
            home.variants_dir().join("rain.toml"),
            "bed = \"ocean\"\ntempo = 0.9\ntarget_lufs = -19.0\n",
        )
        .expect("w");
        std::fs::write(home.variants_dir().join("broken.toml"), "tempo = 9.0\n").expect("w");
        std::fs::write(home.variants_dir().join("typo.toml"), "tempoo = 1.0\n").expect("w");
        let rain = find(&home, "rain").expect("rain");
        assert_eq!(rain.name, "rain");
        assert_eq!(rain.bed, BedSpec::Ocean);
        assert_eq!(rain.target_lufs, -19.0);
        assert_eq!(rain.sentence_pause_ms, Variant::default().sentence_pause_ms);
        let e = find(&home, "broken").expect_err("range").to_string();
        assert!(e.contains("broken.toml") && e.contains("tempo"), "{e}");
        let e = find(&home, "typo").expect_err("field").to_string();
        assert!(e.contains("typo.toml") && e.contains("tempoo"), "{e}");
        let (list, warnings) = all(&home);
        assert!(list.iter().any(|v| v.name == "rain"));
        assert_eq!(warnings.len(), 2);
        let e = find(&home, "nope").expect_err("unknown").to_string();
        assert!(
            e.contains("unknown variant \"nope\"") && e.contains("sleep"),
            "{e}"
        );
    }
}
