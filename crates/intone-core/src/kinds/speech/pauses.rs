//! A project's default pauses: the silence after a sentence, a paragraph
//! and a heading spoken inside a section, replacing its variants' values
//! (unset: the variant's own, as before). An author's `[pause]` tag is
//! exact whatever these say.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::studio::Studio;
use crate::variants::Variant;

/// Longest default pause, ms.
const MAX_DEFAULT_MS: f64 = 20_000.0;

/// A project's default pauses, ms; `None` keeps the variant's value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PauseDefaults {
    /// After a sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentence_ms: Option<f64>,
    /// After a paragraph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paragraph_ms: Option<f64>,
    /// After a heading spoken inside a section (`###`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading_ms: Option<f64>,
}

impl PauseDefaults {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Puts the set values into `v`.
    pub fn apply(&self, v: &mut Variant) {
        if let Some(ms) = self.sentence_ms {
            v.sentence_pause_ms = ms;
        }
        if let Some(ms) = self.paragraph_ms {
            v.paragraph_pause_ms = ms;
        }
        if self.heading_ms.is_some() {
            v.heading_pause_ms = self.heading_ms;
        }
    }

    /// # Errors
    /// [`Error::Config`] naming a value that is negative, not a number or
    /// over 20 s.
    pub fn check(&self) -> Result<()> {
        for (name, v) in [
            ("sentence", self.sentence_ms),
            ("paragraph", self.paragraph_ms),
            ("heading", self.heading_ms),
        ] {
            if let Some(ms) = v {
                if !ms.is_finite() || !(0.0..=MAX_DEFAULT_MS).contains(&ms) {
                    return Err(Error::Config(format!(
                        "the pause after a {name} must be 0–{MAX_DEFAULT_MS} ms, not {ms}"
                    )));
                }
            }
        }
        Ok(())
    }
}

impl Studio {
    /// `project`'s default pauses (all unset when none were saved).
    ///
    /// # Errors
    /// Store errors; [`Error::Config`] for a saved value that no longer parses.
    pub fn project_pauses(&self, project: &str) -> Result<PauseDefaults> {
        match self.store().project_pauses(project)? {
            None => Ok(PauseDefaults::default()),
            Some(j) => serde_json::from_str(&j)
                .map_err(|e| Error::Config(format!("project \"{project}\": bad pauses: {e}"))),
        }
    }

    /// Saves `project`'s default pauses (all unset forgets them).
    ///
    /// # Errors
    /// [`Error::Config`] for a bad value ([`PauseDefaults::check`]); store errors.
    pub fn save_project_pauses(&self, project: &str, p: &PauseDefaults) -> Result<()> {
        p.check()?;
        let json = serde_json::to_string(p).map_err(|e| Error::Config(e.to_string()))?;
        self.store()
            .put_project_pauses(project, (!p.is_empty()).then_some(json.as_str()))
    }
}
