//! The synthesize step: every utterance not already in the clip cache is
//! spoken by the engine and committed to the cache, on one or several lanes.
//!
//! A track that has cores to itself (`say`, a preview, a batch smaller than
//! the worker pool) uses them as its engine's [`Parallelism`] says
//! ([`Lanes`]): an in-process model gets them as threads of each call,
//! sentences in order; a server taking concurrent requests gets several
//! sentences at once (lanes), and the clips come back in script order. A full batch runs one call on
//! one core per track: the tracks themselves fill the cores.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use super::stages::{clip_key_take, ClipRef};
use super::units::{Prior, Units};
use crate::audio::wav::write_clip;
use crate::engines::{Parallelism, SpeechEngine, SpeechRequest};
use crate::error::{Error, Result};
use crate::fsio;
use crate::home::Home;
use crate::pipeline::retry::RetryPolicy;
use crate::script::Utterance;
use crate::store::Store;

/// How often the calling thread looks at its cancel flag while lanes work.
const CANCEL_POLL: Duration = Duration::from_millis(25);

/// How one track uses its cores: `lanes` sentences spoken at the same time,
/// each call with `threads` cores ([`SpeechRequest::threads`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lanes {
    /// Calls at once (≥ 1).
    pub lanes: usize,
    /// Cores each call may use (≥ 1).
    pub threads: usize,
}

impl Lanes {
    /// One call at a time on one core: a full batch, where the tracks
    /// themselves fill the cores.
    pub const ONE: Self = Self {
        lanes: 1,
        threads: 1,
    };

    /// `cores` cores for one track of `engine`, as its
    /// [`SpeechEngine::parallelism`] says: all of them as threads of each
    /// call (sentences in order, one session to build), one call per core at
    /// once, or one call on one core.
    pub fn for_cores(engine: &dyn SpeechEngine, cores: usize) -> Self {
        let cores = cores.max(1);
        match engine.parallelism() {
            Parallelism::Threads => Self {
                lanes: 1,
                threads: cores,
            },
            Parallelism::Calls => Self {
                lanes: cores,
                threads: 1,
            },
            Parallelism::Serial => Self::ONE,
        }
    }

    /// Every core of the machine (`std::thread::available_parallelism`, 2 if
    /// unknown) for one-shot speech.
    pub fn all_cores(engine: &dyn SpeechEngine) -> Self {
        Self::for_cores(
            engine,
            std::thread::available_parallelism().map_or(2, usize::from),
        )
    }

    /// For each of `tracks` tracks run by `workers` workers at once: the
    /// workers a batch smaller than the pool leaves idle are shared among
    /// its tracks (2 workers, 1 track: 2 cores for it; 2 or more tracks: 1).
    pub fn sharing(engine: &dyn SpeechEngine, workers: usize, tracks: usize) -> Self {
        Self::for_cores(engine, workers / tracks.max(1))
    }
}

/// One utterance's clip, and whether it was made now (not found in the cache).
type Spoken = (ClipRef, bool);

/// Most times one sentence is started (its unit attempted) before it is
/// given up on: a sentence that crashes the engine or the process each
/// time stops there instead of looping.
pub const MAX_SENTENCE_ATTEMPTS: i64 = 5;

/// Who speaks: the engine and voice, and the clip cache its clips go to.
#[derive(Clone, Copy)]
pub struct Speaker<'a> {
    /// The job store (the clip cache's index).
    pub store: &'a Store,
    /// The home (the clip cache's files).
    pub home: &'a Home,
    /// The engine.
    pub engine: &'a dyn SpeechEngine,
    /// The engine's voice id.
    pub voice: &'a str,
    /// Speaking rate, as a ratio of the voice's own pace (1.0 = normal).
    pub tempo_ratio: f64,
    /// The voice's engine settings (a cast's, e.g. `exaggeration`); empty
    /// for the engine's defaults.
    pub settings: &'a Settings,
    /// Retry policy for the engine's transient errors.
    pub retry: &'a RetryPolicy,
}

/// Engine settings by name ([`SpeechRequest::settings`]).
pub type Settings = std::collections::BTreeMap<String, f64>;

/// No engine settings: the engine's defaults.
pub static NO_SETTINGS: Settings = Settings::new();

impl Speaker<'_> {
    /// The clip cache key of `u` in this voice, tempo and settings ([`clip_key_take`]).
    pub fn clip_key(&self, u: &Utterance) -> String {
        clip_key_take(
            self.engine,
            self.voice,
            self.tempo_ratio,
            &spoken_form(u, self.settings),
            u.take,
        )
    }
}

/// What a clip's key hashes as its text: the text, and when they are set,
/// the voice's settings and the phonemes the lexicon gave its words (so a
/// sentence without either keeps the key it always had).
fn spoken_form(u: &Utterance, settings: &Settings) -> String {
    if settings.is_empty() && u.phonemes.is_empty() {
        return u.text.clone();
    }
    serde_json::json!({ "text": u.text, "settings": settings, "phonemes": u.phonemes }).to_string()
}

/// Who speaks each utterance: the narrator, and the cast's speakers by name.
pub struct Voices<'a> {
    /// Speaks utterances with no speaker.
    pub narrator: Speaker<'a>,
    /// The other speakers, by name.
    pub cast: Vec<(String, Speaker<'a>)>,
}

impl<'a> Voices<'a> {
    /// One voice for everything.
    pub fn one(speaker: Speaker<'a>) -> Self {
        Self {
            narrator: speaker,
            cast: Vec::new(),
        }
    }

    /// The voice of `u` (the narrator's for a speaker not in the cast,
    /// which the plan refuses before a batch exists).
    pub fn of(&self, u: &Utterance) -> &Speaker<'a> {
        u.speaker
            .as_deref()
            .and_then(|n| self.cast.iter().find(|(name, _)| name == n))
            .map_or(&self.narrator, |(_, s)| s)
    }

    /// The sentence units of `utterances` for [`synthesize`]: one per
    /// utterance, keyed by its clip cache key (so a changed text, voice,
    /// settings, tempo or take starts that sentence afresh), planned as its
    /// text and speaker.
    pub fn unit_plan(&self, utterances: &[Utterance]) -> Vec<(String, String)> {
        utterances
            .iter()
            .map(|u| {
                let key = self.of(u).clip_key(u);
                let plan = serde_json::json!({
                    "text": u.text, "take": u.take, "speaker": u.speaker, "phonemes": u.phonemes,
                })
                .to_string();
                (key, plan)
            })
            .collect()
    }
}

/// Synthesizes every utterance: each finds its clip in the cache or has
/// the engine speak it. In a track, each utterance is a unit of `units`
/// (planned with [`Speaker::unit_plan`]): a sentence done in an earlier run
/// is not redone, a sentence not done is a counted attempt (at most
/// [`MAX_SENTENCE_ATTEMPTS`]). One-shot speech (`say`, no track) passes
/// `None`: nothing is recorded but the clip cache. `lanes.lanes` calls at once (never more than there are
/// utterances), each call with `lanes.threads` cores. `on_new_clip` is
/// called after each new clip is committed (count so far); `progress` with
/// (done, total), clips counting as they finish in any order. Both are called
/// on the calling thread. Several lanes start with the longest utterances
/// (the shortest finishing time for the whole); one lane goes in script
/// order. Returns one [`ClipRef`] per utterance, in order.
///
/// A clip is committed to the cache (file, then store row) and its unit
/// recorded done before it counts, so a failure, a cancel or a SIGKILL
/// keeps every clip already spoken, and the next run resumes at the
/// sentence that was being spoken.
///
/// # Errors
/// [`Error::Engine`] when an utterance fails (after retries for transient
/// errors; the first failing utterance in script order is reported);
/// [`Error::Config`] past the attempt cap; [`Error::Cancelled`] when
/// `cancelled` turns true.
pub(crate) fn synthesize(
    voices: &Voices<'_>,
    units: Option<&Units<'_, '_>>,
    utterances: &[Utterance],
    lanes: Lanes,
    cancelled: &dyn Fn() -> bool,
    progress: &mut dyn FnMut(usize, usize),
    on_new_clip: &mut dyn FnMut(usize),
) -> Result<Vec<ClipRef>> {
    let total = utterances.len();
    if cancelled() {
        return Err(Error::Cancelled);
    }
    let threads = lanes.threads.max(1);
    let lanes = lanes.lanes.clamp(1, total.max(1));
    // Several lanes take the longest sentences first, so no lane is left
    // with a long one while the others idle; one lane goes in script order.
    let mut order: Vec<usize> = (0..total).collect();
    if lanes > 1 {
        order.sort_by_key(|&i| std::cmp::Reverse(utterances[i].text.len()));
    }
    let stop = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<ClipRef>> = vec![None; total];
    let mut failure: Option<(usize, Error)> = None;
    let mut refusals: Vec<(usize, Error)> = Vec::new();
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::channel::<(usize, Result<Spoken>)>();
        for _ in 0..lanes {
            let tx = tx.clone();
            let (stop, next, order) = (&stop, &next, &order);
            s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    let u = &utterances[i];
                    let r = sentence(voices.of(u), units, i, u, threads, &|| {
                        stop.load(Ordering::Relaxed)
                    });
                    // A sentence the engine refuses for good (bad phonemes,
                    // say) does not stop the others; anything else does.
                    let stop_lane = r.as_ref().is_err_and(|e| !refused(e));
                    if tx.send((i, r)).is_err() || stop_lane {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let (mut done, mut new_clips) = (0, 0);
        loop {
            match rx.recv_timeout(CANCEL_POLL) {
                Ok((i, Ok((clip, fresh)))) => {
                    slots[i] = Some(clip);
                    done += 1;
                    if fresh {
                        new_clips += 1;
                        on_new_clip(new_clips);
                    }
                    progress(done, total);
                }
                Ok((i, Err(e))) if refused(&e) => {
                    refusals.push((i, e));
                    progress(done + refusals.len(), total);
                }
                Ok((i, Err(e))) => {
                    stop.store(true, Ordering::Relaxed);
                    if failure.as_ref().is_none_or(|(j, _)| i < *j) {
                        failure = Some((i, e));
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    if failure.is_none() && cancelled() {
                        stop.store(true, Ordering::Relaxed);
                        failure = Some((usize::MAX, Error::Cancelled));
                    }
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
    });
    if let Some((_, e)) = failure {
        return Err(e);
    }
    refusals.sort_by_key(|(i, _)| *i);
    if refusals.len() == 1 {
        if let Some((_, e)) = refusals.pop() {
            return Err(e);
        }
    }
    if !refusals.is_empty() {
        let mut list: Vec<String> = refusals
            .iter()
            .take(5)
            .map(|(i, e)| format!("sentence {}: {e}", i + 1))
            .collect();
        if refusals.len() > 5 {
            list.push(format!("and {} more", refusals.len() - 5));
        }
        return Err(Error::Config(format!(
            "{} of {total} sentences failed (the others are kept): {}",
            refusals.len(),
            list.join("; ")
        )));
    }
    slots
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            c.ok_or_else(|| Error::Config(format!("utterance {} of {total} was not spoken", i + 1)))
        })
        .collect()
}

/// Whether `e` is the engine refusing one sentence for good (a permanent
/// engine error), which leaves the other sentences to finish.
fn refused(e: &Error) -> bool {
    matches!(e, Error::Engine(x) if x.kind == crate::error::ErrorKind::Permanent)
}

/// Sentence `idx` as a unit: its clip when the unit is done (and the file
/// still there), else one counted attempt at [`speak`]ing it; with no
/// units, just spoken.
pub(crate) fn sentence(
    speaker: &Speaker<'_>,
    units: Option<&Units<'_, '_>>,
    idx: usize,
    u: &Utterance,
    threads: usize,
    stop: &dyn Fn() -> bool,
) -> Result<Spoken> {
    let Some(units) = units else {
        let key = speaker.clip_key(u);
        return speak(speaker, key, threads, u, stop);
    };
    match units.prior(idx, |c: &ClipRef| c.path.is_file())? {
        Prior::Done(clip) => return Ok((clip, false)),
        // This track runs again, so that sentence is tried again (its
        // attempts still count towards the cap).
        Prior::Failed => units.reset(idx)?,
        Prior::Todo => {}
    }
    // The unit is keyed by the clip's key (planned once, with the engine's
    // cache salt), so it is not worked out again here.
    let key = units
        .key(idx)
        .map_or_else(|| speaker.clip_key(u), str::to_string);
    let mut fresh = false;
    let clip = units.attempt(
        idx,
        || {
            let (clip, made) = speak(speaker, key, threads, u, stop)?;
            fresh = made;
            Ok(clip)
        },
        |e| e,
    )?;
    Ok((clip, fresh))
}

/// Speaks one utterance, or finds it in the clip cache under `key`.
fn speak(
    speaker: &Speaker<'_>,
    key: String,
    threads: usize,
    u: &Utterance,
    stop: &dyn Fn() -> bool,
) -> Result<Spoken> {
    let Speaker {
        store,
        home,
        engine,
        voice,
        tempo_ratio: tempo,
        retry,
        ..
    } = *speaker;
    let cached = store
        .clip(&key)?
        .map(|c| PathBuf::from(c.path))
        .filter(|p| p.is_file());
    let (path, fresh) = match cached {
        Some(p) => (p, false),
        None => {
            let req = SpeechRequest {
                voice: voice.to_string(),
                text: u.text.clone(),
                tempo_ratio: tempo,
                threads,
                take: u.take,
                settings: speaker.settings.clone(),
                phonemes: u.phonemes.clone(),
            };
            let clip = retry.run(stop, || engine.synthesize(&req))?;
            let dir = home.clips_dir().join(&key[..2]);
            let path = dir.join(format!("{key}.wav"));
            fsio::write_with(&path, |tmp| write_clip(tmp, &clip))?;
            store.put_clip(
                &key,
                engine.id(),
                voice,
                &path.to_string_lossy(),
                clip.sample_rate_hz,
                clip.frames() as i64,
            )?;
            (path, true)
        }
    };
    Ok((
        ClipRef {
            key,
            path,
            pause_after: u.pause_after,
            speaker: u.speaker.clone(),
            lead_ms: u.lead_ms,
            heading: u.heading,
        },
        fresh,
    ))
}

#[cfg(test)]
#[path = "synth_tests.rs"]
mod tests;
