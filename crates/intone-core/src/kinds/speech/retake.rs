//! **Regenerate sentence** (the UI's and CLI's name): a new take of one
//! utterance of a finished (or failed) speech track. An utterance is what
//! the engine speaks in one call: a sentence of the script, or a piece of
//! one too long for the engine ([`crate::script::split_cast`]); the check, the
//! subtitles and this count the same units. Only that utterance is
//! synthesized again (every
//! other clip comes from the cache); the track's later steps (check,
//! assembly, mix, mastering, encoding, subtitles) run again on the shared
//! runner, and the delivered file is replaced when they finish.

use crate::error::{Error, Result};
use crate::kinds::speech::lines::lines;
use crate::studio::Studio;

impl Studio {
    /// Asks for the next take of utterance `index` (0-based, as the check
    /// numbers its sentences) of speech track `track_id` and puts the track back in
    /// its batch's queue. Returns the batch id, to run with
    /// [`Studio::run_batch`]. The take is stored in the track's recipe, so
    /// a crash before the run keeps it.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown track or engine; [`Error::Config`]
    /// for a track that is not speech, is running, or has no such sentence.
    pub fn regenerate_utterance(&self, track_id: i64, index: u32) -> Result<i64> {
        let (track, mut recipe, text) = self.speech_track(track_id)?;
        let n = lines(&self.engines(), &text, &recipe, &track.engine)?
            .utterances
            .len();
        if index as usize >= n {
            return Err(Error::Config(format!(
                "track {track_id} (\"{}\") has sentences 1–{n}, not {}",
                track.title,
                u64::from(index) + 1
            )));
        }
        // The next take after every take this sentence has had (kept or pruned
        // ones alike are never reused while remembered).
        let newest = self
            .store()
            .takes(track_id)?
            .iter()
            .filter(|r| r.sentence == index)
            .map(|r| r.take)
            .max()
            .unwrap_or(0);
        let current = recipe.takes.get(&index).copied().unwrap_or(0);
        recipe.takes.insert(index, newest.max(current) + 1);
        if !self.store().reopen_track(track_id, &recipe.to_json()?)? {
            return Err(Error::Config(format!(
                "track {track_id} is being made; wait for it to finish"
            )));
        }
        Ok(track.batch_id)
    }
}
