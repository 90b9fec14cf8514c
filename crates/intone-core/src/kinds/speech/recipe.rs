//! A speech track's recipe, as stored with the track: the variant's JSON
//! with extra keys a variant file never has: `takes` (utterance → take,
//! after **Regenerate sentence**), `cast` (speaker → voice) and
//! `srt_speakers` (prefix SRT cues with the speaker's name), `lexicon`
//! (the entries that touch the section, fixed when planned) and `best_of`
//! (candidates per flagged sentence).

use crate::cast::Cast;
use crate::error::{Error, Result};
use crate::lexicon::Lexicon;
use crate::variants::Variant;

/// A speech track's recipe: its variant, plus the take of each utterance
/// regenerated since (stored as the variant's JSON with a `takes` object,
/// utterance index → take, which a variant file never has).
#[derive(Debug, Clone, PartialEq)]
pub struct SpeechRecipe {
    /// The production recipe.
    pub variant: Variant,
    /// The take each sentence uses, by utterance index (0-based), where it
    /// is not the first: after **Regenerate sentence**, a picked take, or
    /// best-of-N's choice. A sentence listed here (even as take 0) was
    /// decided and is never retaken automatically.
    pub takes: std::collections::BTreeMap<u32, u32>,
    /// Who speaks which lines (empty: the track's voice speaks them all).
    pub cast: Cast,
    /// Whether SRT cues start with the speaker's name (`MARA: …`).
    pub srt_speakers: bool,
    /// The lexicon entries that touch the section, as they were when the
    /// batch was planned (or a change was applied): what the track is made
    /// and checked with, whatever happens to the lexicon meanwhile.
    pub lexicon: Lexicon,
    /// Best of N: a sentence the check flags is spoken up to N − 1 more
    /// times and the take the recognizer hears best is kept (1: off).
    pub best_of: u32,
}

impl SpeechRecipe {
    /// Parses a speech track's stored recipe.
    ///
    /// # Errors
    /// [`Error::Config`] naming what is wrong.
    pub fn parse(json: &str) -> Result<Self> {
        let mut v: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| Error::Config(format!("bad speech recipe: {e}")))?;
        let mut take_key = |key: &str| v.as_object_mut().and_then(|o| o.remove(key));
        let takes = match take_key("takes") {
            Some(t) => serde_json::from_value(t)
                .map_err(|e| Error::Config(format!("bad speech recipe takes: {e}")))?,
            None => Default::default(),
        };
        let cast = match take_key("cast") {
            Some(c) => serde_json::from_value(c)
                .map_err(|e| Error::Config(format!("bad speech recipe cast: {e}")))?,
            None => Cast::default(),
        };
        let lexicon = match take_key("lexicon") {
            Some(l) => serde_json::from_value(l)
                .map_err(|e| Error::Config(format!("bad speech recipe lexicon: {e}")))?,
            None => Lexicon::default(),
        };
        let srt_speakers = take_key("srt_speakers")
            .and_then(|b| b.as_bool())
            .unwrap_or(false);
        let best_of = take_key("best_of")
            .and_then(|b| b.as_u64())
            .map_or(1, |b| u32::try_from(b).unwrap_or(u32::MAX).max(1));
        let variant =
            serde_json::from_value(v).map_err(|e| Error::Config(format!("bad variant: {e}")))?;
        Ok(Self {
            variant,
            takes,
            cast,
            srt_speakers,
            lexicon,
            best_of,
        })
    }

    /// The stored form (the variant alone when no sentence was regenerated
    /// and there is no cast, as recipes were before either existed).
    ///
    /// # Errors
    /// [`Error::Config`] when it cannot be written as JSON.
    pub fn to_json(&self) -> Result<String> {
        let mut v =
            serde_json::to_value(&self.variant).map_err(|e| Error::Config(e.to_string()))?;
        let json =
            |x: serde_json::Result<serde_json::Value>| x.map_err(|e| Error::Config(e.to_string()));
        if let Some(o) = v.as_object_mut() {
            if !self.takes.is_empty() {
                o.insert("takes".into(), json(serde_json::to_value(&self.takes))?);
            }
            if !self.cast.is_empty() {
                o.insert("cast".into(), json(serde_json::to_value(&self.cast))?);
            }
            if self.srt_speakers {
                o.insert("srt_speakers".into(), true.into());
            }
            if !self.lexicon.is_empty() {
                o.insert("lexicon".into(), json(serde_json::to_value(&self.lexicon))?);
            }
            if self.best_of > 1 {
                o.insert("best_of".into(), self.best_of.into());
            }
        }
        serde_json::to_string(&v).map_err(|e| Error::Config(e.to_string()))
    }
}
