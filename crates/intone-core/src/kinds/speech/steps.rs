//! The `speech` job kind: one track is a section × variant, made by
//! synthesize (per sentence, cached) → check (each sentence heard by the
//! speech recognizer, when the batch checks; cached with the clip) → assemble → mix → then the shared
//! [`deliver`](crate::pipeline::cx::deliver) (master → encode → peaks) → subtitles
//! (SRT and WebVTT beside the track, from where assembly placed each sentence).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::audio::master::MasterSettings;
use crate::audio::ms_to_frames;
use crate::engines::VoiceRef;
use crate::error::{Error, Result};
use crate::pipeline::cx::{deliver, TrackCx};
use crate::pipeline::failpoint;
use crate::pipeline::stages::{self, AssembleReport, ClipRef, Speaker, MAX_SENTENCE_ATTEMPTS};
use crate::recognize::check::{check_clips, CheckReport};
use crate::recognize::Recognizer;
use crate::script::split_utterances;
use crate::store::{Step, TrackResult, TrackStatus};
use crate::subtitles;
use crate::variants::Variant;

/// A speech track's recipe: its variant, plus the take of each utterance
/// regenerated since (stored as the variant's JSON with a `takes` object,
/// utterance index → take, which a variant file never has).
#[derive(Debug, Clone, PartialEq)]
pub struct SpeechRecipe {
    /// The production recipe.
    pub variant: Variant,
    /// Takes other than the first, by utterance index (0-based).
    pub takes: std::collections::BTreeMap<u32, u32>,
}

impl SpeechRecipe {
    /// Parses a speech track's stored recipe.
    ///
    /// # Errors
    /// [`Error::Config`] naming what is wrong.
    pub fn parse(json: &str) -> Result<Self> {
        let mut v: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| Error::Config(format!("bad speech recipe: {e}")))?;
        let takes = match v.as_object_mut().and_then(|o| o.remove("takes")) {
            Some(t) => serde_json::from_value(t)
                .map_err(|e| Error::Config(format!("bad speech recipe takes: {e}")))?,
            None => Default::default(),
        };
        let variant =
            serde_json::from_value(v).map_err(|e| Error::Config(format!("bad variant: {e}")))?;
        Ok(Self { variant, takes })
    }

    /// The stored form (the variant alone when no sentence was regenerated,
    /// as recipes were before takes existed).
    pub fn to_json(&self) -> Result<String> {
        let mut v =
            serde_json::to_value(&self.variant).map_err(|e| Error::Config(e.to_string()))?;
        if !self.takes.is_empty() {
            if let Some(o) = v.as_object_mut() {
                o.insert(
                    "takes".into(),
                    serde_json::to_value(&self.takes).map_err(|e| Error::Config(e.to_string()))?,
                );
            }
        }
        serde_json::to_string(&v).map_err(|e| Error::Config(e.to_string()))
    }
}

#[derive(Serialize, Deserialize)]
struct SynthOut {
    clips: Vec<ClipRef>,
}

#[derive(Serialize, Deserialize)]
struct AssembleOut {
    path: PathBuf,
    report: AssembleReport,
}

#[derive(Serialize, Deserialize)]
struct SubtitlesOut {
    srt: PathBuf,
    vtt: PathBuf,
    /// The cues written (the book export joins them).
    cues: Vec<subtitles::Cue>,
}

/// What every step of one speech track works from.
struct Speech<'c, 'p> {
    c: &'c TrackCx<'p>,
    variant: Variant,
    voice: VoiceRef,
    engine: std::sync::Arc<dyn crate::engines::SpeechEngine>,
    /// The section's sentences as the engine speaks them, split once, each
    /// with the take the recipe picks.
    utterances: Vec<crate::script::Utterance>,
}

impl Speech<'_, '_> {
    /// The utterances' texts, in order.
    fn texts(&self) -> Vec<String> {
        self.utterances.iter().map(|u| u.text.clone()).collect()
    }
}

/// Runs a speech track's steps.
pub(crate) fn run(c: &TrackCx<'_>) -> Result<TrackResult> {
    let SpeechRecipe { variant, takes } = SpeechRecipe::parse(&c.recipe_json)
        .map_err(|e| Error::Config(format!("track {}: {e}", c.track.id)))?;
    let voice = VoiceRef::parse(&c.track.engine)?;
    // The voice was checked when the batch was planned; a server that is down
    // now is the retry policy's business (and cached sentences need no engine).
    let engine = c.p.engines().get(&voice.engine).ok_or_else(|| {
        Error::NotFound(format!(
            "no engine \"{}\" (was it removed from engines.toml?)",
            voice.engine
        ))
    })?;
    let mut utterances = split_utterances(&c.section_text, engine.max_chars());
    for (i, u) in utterances.iter_mut().enumerate() {
        u.take = u32::try_from(i)
            .ok()
            .and_then(|i| takes.get(&i))
            .copied()
            .unwrap_or(0);
    }
    let s = Speech {
        c,
        variant,
        voice,
        engine,
        utterances,
    };
    let mut force = false;
    let synth = synthesize(&s, &mut force)?;
    c.check_cancelled()?;
    check(&s, &synth, &mut force)?;
    c.check_cancelled()?;
    let voice_path = c.work.join("voice.wav");
    let assembled = assemble(&s, &synth, &voice_path, &mut force)?;
    c.check_cancelled()?;
    let mix_path = c.work.join("mix.wav");
    c.file_step(Step::Mix, &mut force, &mix_path, |out| {
        stages::mix(&voice_path, &s.variant, c.track.id as u64, out).map(|_| ())
    })?;
    let result = deliver(
        c,
        &mut force,
        &mix_path,
        MasterSettings {
            target_lufs: s.variant.target_lufs,
            ceiling_dbtp: s.variant.ceiling_dbtp,
        },
    )?;
    write_subtitles(&s, &assembled, &result, &mut force)?;
    Ok(result)
}

/// Speaks every sentence (cached per sentence across batches).
fn synthesize(s: &Speech<'_, '_>, force: &mut bool) -> Result<SynthOut> {
    let c = s.c;
    c.step(
        Step::Synthesize,
        force,
        |o: &SynthOut| o.clips.iter().all(|x| x.path.is_file()),
        || {
            let total = s.utterances.len();
            let speaker = Speaker {
                store: &c.p.store,
                home: &c.p.home,
                engine: s.engine.as_ref(),
                voice: &s.voice.voice,
                tempo_ratio: s.variant.tempo_ratio,
                retry: &c.p.options.retry,
            };
            let units = c.units(
                Step::Synthesize,
                &speaker.unit_plan(&s.utterances),
                MAX_SENTENCE_ATTEMPTS,
                "the engine",
            )?;
            let clips = stages::synthesize(
                &speaker,
                Some(&units),
                &s.utterances,
                stages::Lanes::sharing(
                    s.engine.as_ref(),
                    c.p.options.workers,
                    usize::try_from(c.batch.pending).unwrap_or(1),
                ),
                &|| c.cancelled(),
                &mut |done, _| {
                    c.emit(
                        TrackStatus::Running,
                        Some(Step::Synthesize),
                        Some(done as f32 / total.max(1) as f32),
                        None,
                    )
                },
                &mut |n| failpoint::hit(&format!("synthesize:sentence:{n}"), c.track.position),
            )?;
            Ok(SynthOut { clips })
        },
    )
}

/// Hears every sentence clip with the speech recognizer (when the batch
/// checks) and flags the ones that do not say their text.
fn check(s: &Speech<'_, '_>, synth: &SynthOut, force: &mut bool) -> Result<CheckReport> {
    let c = s.c;
    c.step(
        Step::Check,
        force,
        |_: &CheckReport| true,
        || {
            if !c.batch.speech_check {
                return Ok(CheckReport::default());
            }
            let recognizer = Recognizer::shared(&c.p.home)?;
            let clips: Vec<(&str, &std::path::Path, &str)> = synth
                .clips
                .iter()
                .zip(&s.utterances)
                .map(|(clip, u)| (clip.key.as_str(), clip.path.as_path(), u.text.as_str()))
                .collect();
            let total = clips.len();
            let sentences = check_clips(
                &c.p.store,
                &recognizer,
                &clips,
                c.spare_threads(),
                &mut |done| {
                    c.emit(
                        TrackStatus::Running,
                        Some(Step::Check),
                        Some(done as f32 / total.max(1) as f32),
                        None,
                    );
                },
            )?;
            Ok(CheckReport {
                checked: true,
                sentences,
            })
        },
    )
}

/// Joins the clips with pauses and crossfades into the voice stem `out`.
fn assemble(
    s: &Speech<'_, '_>,
    synth: &SynthOut,
    out: &std::path::Path,
    force: &mut bool,
) -> Result<AssembleOut> {
    s.c.step(
        Step::Assemble,
        force,
        |o: &AssembleOut| o.path.is_file(),
        || {
            let sr = s.c.batch.sample_rate_hz;
            let report = stages::assemble(&synth.clips, &s.texts(), &s.variant, sr, out)?;
            Ok(AssembleOut {
                path: out.to_path_buf(),
                report,
            })
        },
    )
}

/// Writes SRT and WebVTT beside the delivered file, from where assembly
/// placed each sentence.
fn write_subtitles(
    s: &Speech<'_, '_>,
    assembled: &AssembleOut,
    result: &TrackResult,
    force: &mut bool,
) -> Result<SubtitlesOut> {
    let sr = s.c.batch.sample_rate_hz;
    // Mixing puts the lead-in before the voice; nothing later moves it.
    let lead = ms_to_frames(s.variant.lead_in_ms, sr) as u64;
    let output = PathBuf::from(&result.output_path);
    s.c.step(
        Step::Subtitles,
        force,
        |o: &SubtitlesOut| o.srt.is_file() && o.vtt.is_file(),
        || {
            let cues = subtitles::cues(&assembled.report.sentences, sr, lead);
            let (srt, vtt) = subtitles::write_beside(&output, &cues)?;
            Ok(SubtitlesOut { srt, vtt, cues })
        },
    )
}
