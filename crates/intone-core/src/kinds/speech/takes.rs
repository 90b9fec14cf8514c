//! Takes you can compare: every sentence of a speech track keeps its takes
//! (first synthesis, each **Regenerate sentence**, best-of-N's candidates)
//! in the clip cache and the store. A person lists them with what the
//! recognizer heard, plays any, picks one (the track is reassembled, remixed
//! and remastered from cached clips: nothing is spoken), or marks one a
//! favourite so pruning keeps it. Sentences and takes are 0-based here; the
//! CLI and the app show them from 1.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::kinds::speech::best_of::{DEFAULT_KEEP_TAKES, KEEP_TAKES};
use crate::kinds::speech::lines::lines;
use crate::kinds::speech::SpeechRecipe;
use crate::recognize::check::score;
use crate::store::{Step, TrackRow};
use crate::studio::Studio;

/// One take of one sentence.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TakeInfo {
    /// Take number, 0-based (0: the first synthesis).
    pub take: u32,
    /// The track uses this take.
    pub in_use: bool,
    /// It says the sentence's words as they are now (false: made before a
    /// lexicon change; it can be heard, not used).
    pub current: bool,
    /// Marked to keep (never pruned).
    pub favourite: bool,
    /// Length, ms.
    pub duration_ms: u32,
    /// What the recognizer heard (`None`: not heard).
    pub heard: Option<String>,
    /// Word error rate of what was heard against the text, 0–1.
    pub wer: Option<f64>,
    /// The recognizer heard it differently from the text.
    pub flagged: bool,
    /// The clip's WAV file (absent when it was collected).
    pub path: Option<String>,
    /// When it was made (RFC 3339, UTC).
    pub created_at: String,
}

/// One sentence of a speech track and its takes.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceTakes {
    /// Sentence (utterance) index, 0-based, as the check numbers them.
    pub index: u32,
    /// The sentence as written.
    pub text: String,
    /// Who says it (`None`: the narrator).
    pub speaker: Option<String>,
    /// Where it sits in the delivered track, `[start, end)` ms (once assembled).
    pub span_ms: Option<(u32, u32)>,
    /// Its takes, oldest first.
    pub takes: Vec<TakeInfo>,
}

/// What [`Studio::gc`] reclaimed.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GcReport {
    /// Takes forgotten (beyond the kept count; never in use or favourite).
    pub takes_pruned: u32,
    /// Cached clips deleted.
    pub clips_deleted: u32,
    /// Bytes freed on disk.
    pub bytes_freed: u64,
}

#[derive(Deserialize)]
struct AssembleOut {
    report: crate::pipeline::stages::AssembleReport,
}

impl Studio {
    /// A speech track's sentences with their takes, in order.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown track; [`Error::Config`] for a
    /// track of another kind; store errors.
    pub fn sentence_takes(&self, track_id: i64) -> Result<Vec<SentenceTakes>> {
        let (track, recipe, text) = self.speech_track(track_id)?;
        let lines = lines(&self.engines(), &text, &recipe, &track.engine)?;
        let rows = self.store().takes(track_id)?;
        let spans = self.clip_spans_ms(&track, &recipe)?;
        let mut out = Vec::with_capacity(lines.utterances.len());
        for (i, u) in lines.utterances.iter().enumerate() {
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            let expected = &lines.expected[i];
            let now = crate::kinds::speech::lines::words(u);
            let mut takes = Vec::new();
            for r in rows.iter().filter(|r| r.sentence == index) {
                let clip = self.store().clip(&r.clip_key)?;
                let heard = self.store().clip_heard(&r.clip_key)?;
                let sc = heard.as_deref().map(|h| score(index, expected, h));
                takes.push(TakeInfo {
                    take: r.take,
                    in_use: r.take == u.take,
                    current: r.words == now,
                    favourite: r.favourite,
                    duration_ms: clip.as_ref().map_or(0, |c| {
                        (c.frames * 1000 / i64::from(c.sample_rate_hz.max(1))) as u32
                    }),
                    wer: sc.as_ref().map(|s| s.wer),
                    flagged: sc.as_ref().is_some_and(|s| s.flagged),
                    heard,
                    path: clip
                        .map(|c| c.path)
                        .filter(|p| std::path::Path::new(p).is_file()),
                    created_at: r.created_at.clone(),
                });
            }
            out.push(SentenceTakes {
                index,
                text: lines.written[i].clone(),
                speaker: u.speaker.clone(),
                span_ms: spans.get(i).copied(),
                takes,
            });
        }
        Ok(out)
    }

    /// Picks take `take` of sentence `sentence` (0-based) of a speech track
    /// and puts the track back in its batch's queue: it is reassembled,
    /// remixed and remastered from the cached clip, nothing spoken. Returns
    /// the batch id, to run with [`Studio::run_batch`].
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown track or take, or a take whose
    /// clip was collected; [`Error::Config`] for another kind of track,
    /// one being made, or a take that says other words (made before a
    /// lexicon change).
    pub fn use_take(&self, track_id: i64, sentence: u32, take: u32) -> Result<i64> {
        let (track, mut recipe, text) = self.speech_track(track_id)?;
        let row = self
            .store()
            .takes(track_id)?
            .into_iter()
            .find(|r| r.sentence == sentence && r.take == take)
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "track {track_id} has no take {} of sentence {} (see `intone takes {track_id}`)",
                    u64::from(take) + 1,
                    u64::from(sentence) + 1
                ))
            })?;
        let now = lines(&self.engines(), &text, &recipe, &track.engine)?
            .utterances
            .get(sentence as usize)
            .map(crate::kinds::speech::lines::words);
        if now.as_deref() != Some(row.words.as_str()) {
            return Err(Error::Config(format!(
                "take {} of sentence {} of track {track_id} says other words (it was made before a lexicon change); regenerate the sentence instead",
                u64::from(take) + 1,
                u64::from(sentence) + 1
            )));
        }
        let on_disk = self
            .store()
            .clip(&row.clip_key)?
            .is_some_and(|c| std::path::Path::new(&c.path).is_file());
        if !on_disk {
            return Err(Error::NotFound(format!(
                "take {} of sentence {} of track {track_id} was collected (intone gc); regenerate the sentence instead",
                u64::from(take) + 1,
                u64::from(sentence) + 1
            )));
        }
        recipe.takes.insert(sentence, take);
        if !self.store().reopen_track(track_id, &recipe.to_json()?)? {
            return Err(Error::Config(format!(
                "track {track_id} is being made; wait for it to finish"
            )));
        }
        Ok(track.batch_id)
    }

    /// Marks (or unmarks) a take as a favourite, which pruning never removes.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown take.
    pub fn set_take_favourite(
        &self,
        track_id: i64,
        sentence: u32,
        take: u32,
        favourite: bool,
    ) -> Result<()> {
        if !self
            .store()
            .set_take_favourite(track_id, sentence, take, favourite)?
        {
            return Err(Error::NotFound(format!(
                "track {track_id} has no take {} of sentence {}",
                u64::from(take) + 1,
                u64::from(sentence) + 1
            )));
        }
        Ok(())
    }

    /// How many takes of a sentence are kept besides the one in use and
    /// favourites (a remembered setting; default 5).
    ///
    /// # Errors
    /// Store errors.
    pub fn keep_takes(&self) -> Result<u32> {
        self.store().setting(KEEP_TAKES, DEFAULT_KEEP_TAKES)
    }

    /// Remembers how many takes of a sentence to keep (at least 1).
    ///
    /// # Errors
    /// Store errors.
    pub fn set_keep_takes(&self, keep: u32) -> Result<()> {
        self.store().set_setting(KEEP_TAKES, &keep.max(1))
    }

    /// Reclaims space: prunes every speech track's takes to the kept count,
    /// then deletes the cached clips no take and no sentence unit refers to
    /// (a deleted track's takes, pruned takes, `say`'s clips).
    ///
    /// # Errors
    /// [`Error::Config`] while a track is being made; store errors (a file
    /// that cannot be deleted is left and not counted).
    pub fn gc(&self) -> Result<GcReport> {
        let running = self.store().running_tracks()?;
        if running > 0 {
            return Err(Error::Config(format!(
                "{running} track(s) are being made (or were left running: `intone resume` finishes them); collect when they are done"
            )));
        }
        let keep = self.keep_takes()?;
        let mut report = GcReport::default();
        for (track_id, sentence, in_use) in self.takes_in_use()? {
            report.takes_pruned +=
                self.store().prune_takes(track_id, sentence, keep, in_use)? as u32;
        }
        let clips = self.store().unreferenced_clips()?;
        let keys: Vec<String> = clips.iter().map(|(k, _)| k.clone()).collect();
        self.store().delete_clips(&keys)?;
        for (_, path) in clips {
            let size = std::fs::metadata(&path).map_or(0, |m| m.len());
            if std::fs::remove_file(&path).is_ok() {
                report.clips_deleted += 1;
                report.bytes_freed += size;
            }
        }
        Ok(report)
    }

    /// Every (track, sentence, take in use) that has takes.
    fn takes_in_use(&self) -> Result<Vec<(i64, u32, u32)>> {
        let mut out = Vec::new();
        for track_id in self.store().tracks_with_takes()? {
            let Ok((_, recipe, _)) = self.speech_track(track_id) else {
                continue;
            };
            let mut sentences: Vec<u32> = self
                .store()
                .takes(track_id)?
                .iter()
                .map(|r| r.sentence)
                .collect();
            sentences.dedup();
            for s in sentences {
                out.push((track_id, s, recipe.takes.get(&s).copied().unwrap_or(0)));
            }
        }
        Ok(out)
    }

    /// A speech track, its recipe and its section's text.
    pub(crate) fn speech_track(&self, track_id: i64) -> Result<(TrackRow, SpeechRecipe, String)> {
        let track = self.store().track(track_id)?;
        let batch = self.store().batch(track.batch_id)?;
        if !crate::kinds::steps(batch.kind).contains(&Step::Synthesize) {
            return Err(Error::Config(format!(
                "track {track_id} is a {} track: only speech tracks have sentences and takes",
                batch.kind
            )));
        }
        let (text, recipe_json) = self.store().track_inputs(track_id)?;
        Ok((track, SpeechRecipe::parse(&recipe_json)?, text))
    }

    /// Where each clip sits in the delivered track, ms (empty before assembly).
    fn clip_spans_ms(&self, track: &TrackRow, recipe: &SpeechRecipe) -> Result<Vec<(u32, u32)>> {
        let Some(step) = self.store().step(track.id, Step::Assemble)? else {
            return Ok(Vec::new());
        };
        let Some(out) = step
            .output_json
            .as_deref()
            .and_then(|j| serde_json::from_str::<AssembleOut>(j).ok())
        else {
            return Ok(Vec::new());
        };
        let sr = self.store().batch(track.batch_id)?.sample_rate_hz;
        let lead = crate::audio::ms_to_frames(recipe.variant.lead_in_ms, sr) as u64;
        let ms = |f: u64| ((f + lead) * 1000 / u64::from(sr.max(1))) as u32;
        Ok(out
            .report
            .clip_spans
            .iter()
            .map(|&(a, b)| (ms(a), ms(b)))
            .collect())
    }
}
