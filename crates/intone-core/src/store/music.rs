//! What a music take is (`music_facts` table, version 11): tempo, key,
//! meter and loop length, recorded by the music kind's `analyze` step and
//! shown, filtered and sorted in the gallery.

use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::engines::music::analysis::{Facts, PITCH_CLASSES};
use crate::engines::music::prompt::Mode;
use crate::error::Result;

/// A take's musical facts as the gallery shows them.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MusicFacts {
    /// Beats per minute; `None` when no tempo could be heard (ambience).
    pub tempo_bpm: Option<f32>,
    /// The key as written ("D minor"); `None` when none could be heard.
    pub key: Option<String>,
    /// Beats per bar.
    pub beats_per_bar: Option<u8>,
    /// Whether tempo and key were estimated from the audio.
    pub estimated: bool,
    /// Loop length in frames of the delivered file, from frame 0; `None`
    /// for a take that is not a loop.
    pub loop_frames: Option<u64>,
    /// The spectrogram images the model made the take from (Riffusion's
    /// clips, in order); empty for other engines.
    pub spectrograms: Vec<String>,
}

/// The columns [`facts_from_row`] reads, in order, from `music_facts mf`.
pub(crate) const FACT_COLUMNS: &str =
    "mf.track_id, mf.tempo_bpm, mf.tonic, mf.mode, mf.beats_per_bar, mf.estimated, mf.loop_frames,
     mf.spectrograms_json";

/// Reads [`FACT_COLUMNS`] starting at column `at` (`None` when the track
/// has no facts row).
pub(crate) fn facts_from_row(r: &Row<'_>, at: usize) -> rusqlite::Result<Option<MusicFacts>> {
    let id: Option<i64> = r.get(at)?;
    if id.is_none() {
        return Ok(None);
    }
    let tonic: Option<u8> = r.get(at + 2)?;
    let mode: Option<String> = r.get(at + 3)?;
    let key = match (tonic, mode) {
        (Some(t), Some(m)) => Some(format!("{} {m}", PITCH_CLASSES[usize::from(t % 12)])),
        _ => None,
    };
    let loop_frames: Option<i64> = r.get(at + 6)?;
    let images: Option<String> = r.get(at + 7)?;
    Ok(Some(MusicFacts {
        tempo_bpm: r.get::<_, Option<f64>>(at + 1)?.map(|t| t as f32),
        key,
        beats_per_bar: r.get(at + 4)?,
        estimated: r.get::<_, i64>(at + 5)? != 0,
        loop_frames: loop_frames.map(|n| n.max(0) as u64),
        spectrograms: images
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default(),
    }))
}

/// The key's `(tonic, mode)` from its written form ("D minor", "f# major",
/// "Bb minor"); `None` when it is not one.
pub fn parse_key(key: &str) -> Option<(u8, Mode)> {
    let mut words = key.split_whitespace();
    let note = words.next()?;
    let mode = match words.next().map(str::to_ascii_lowercase).as_deref() {
        None | Some("major") => Mode::Major,
        Some("minor") => Mode::Minor,
        Some("dorian") => Mode::Dorian,
        Some("lydian") => Mode::Lydian,
        _ => return None,
    };
    let mut chars = note.chars();
    let letter = chars.next()?.to_ascii_uppercase();
    let base: i8 = match letter {
        'C' => 0,
        'D' => 2,
        'E' => 4,
        'F' => 5,
        'G' => 7,
        'A' => 9,
        'B' => 11,
        _ => return None,
    };
    let shift: i8 = match chars.as_str() {
        "" => 0,
        "#" | "♯" => 1,
        "b" | "♭" => -1,
        _ => return None,
    };
    Some(((base + shift).rem_euclid(12) as u8, mode))
}

impl Store {
    /// Records (or replaces) what take `track_id` is: `facts` (`None` when
    /// no tempo or key could be heard), its loop length and the spectrogram
    /// images it was made from.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn record_music_facts(
        &self,
        track_id: i64,
        facts: Option<&Facts>,
        loop_frames: Option<u64>,
        spectrograms: &[String],
    ) -> Result<()> {
        let images = serde_json::to_string(spectrograms).unwrap_or_else(|_| "[]".into());
        self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO music_facts
                 (track_id, tempo_bpm, tonic, mode, beats_per_bar, estimated, loop_frames,
                  spectrograms_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    track_id,
                    facts.map(|f| f64::from(f.tempo_bpm)),
                    facts.map(|f| f.tonic),
                    facts.map(|f| f.mode.name()),
                    facts.map(|f| f.beats_per_bar),
                    facts.is_some_and(|f| f.estimated),
                    loop_frames.map(|n| n as i64),
                    images,
                ],
            )?;
            Ok(())
        })
    }

    /// What take `track_id` is, when its `analyze` step has run.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn music_facts(&self, track_id: i64) -> Result<Option<MusicFacts>> {
        self.with(|c| {
            Ok(c.query_row(
                &format!("SELECT {FACT_COLUMNS} FROM music_facts mf WHERE mf.track_id = ?1"),
                [track_id],
                |r| facts_from_row(r, 0),
            )
            .optional()?
            .flatten())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_as_written() {
        assert_eq!(parse_key("D minor"), Some((2, Mode::Minor)));
        assert_eq!(parse_key("f# major"), Some((6, Mode::Major)));
        assert_eq!(parse_key("Bb"), Some((10, Mode::Major)));
        assert_eq!(parse_key("Cb minor"), Some((11, Mode::Minor)));
        assert_eq!(parse_key("H minor"), None);
        assert_eq!(parse_key("D mixolydian"), None);
    }
}
