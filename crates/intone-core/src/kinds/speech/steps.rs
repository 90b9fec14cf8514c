//! The `speech` job kind: one track is a section × variant, made by
//! synthesize (per sentence, cached) → check (each sentence heard by the
//! speech recognizer, when the batch checks; cached with the clip) → assemble → mix → then the shared
//! [`deliver`](crate::pipeline::cx::deliver) (master → encode → peaks) → subtitles
//! (SRT and WebVTT beside the track, from where assembly placed each sentence).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::audio::master::MasterSettings;
use crate::audio::ms_to_frames;
use crate::error::{Error, Result};
use crate::kinds::speech::lines::{self, lines, Lines, Role};
use crate::kinds::speech::{best_of, SpeechRecipe};
use crate::pipeline::cx::{deliver, TrackCx};
use crate::pipeline::failpoint;
use crate::pipeline::stages::{
    self, AssembleReport, ClipRef, Speaker, Voices, MAX_SENTENCE_ATTEMPTS,
};
use crate::recognize::check::{check_clips, CheckReport};
use crate::recognize::Recognizer;
use crate::script::Utterance;
use crate::store::{Step, TrackResult, TrackStatus};
use crate::subtitles;
use crate::variants::Variant;

#[derive(Serialize, Deserialize)]
struct SynthOut {
    clips: Vec<ClipRef>,
    /// Clips spoken now (not found in the cache): 0 when a picked take
    /// only reassembles the track.
    #[serde(default)]
    made: usize,
    /// The take of each clip (empty in outputs made before takes were
    /// kept): a recipe whose takes changed since (best-of-N's choices
    /// written after a kill) makes the step run again.
    #[serde(default)]
    takes: Vec<u32>,
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
    recipe: SpeechRecipe,
    variant: Variant,
    /// Who says what, the lexicon applied.
    lines: Lines,
    /// SRT cues start with the speaker's name.
    srt_speakers: bool,
    /// The track has a cast: its cues carry speakers.
    cast: bool,
}

/// Runs a speech track's steps.
pub(crate) fn run(c: &TrackCx<'_>) -> Result<TrackResult> {
    let recipe = SpeechRecipe::parse(&c.recipe_json)
        .map_err(|e| Error::Config(format!("track {}: {e}", c.track.id)))?;
    // The voices were checked when the batch was planned; a server that is
    // down now is the retry policy's business (and cached sentences need no engine).
    let lines = lines(&c.p.engines(), &c.section_text, &recipe, &c.track.engine)?;
    let s = Speech {
        c,
        variant: recipe.variant.clone(),
        lines,
        srt_speakers: recipe.srt_speakers,
        cast: !recipe.cast.is_empty(),
        recipe,
    };
    let mut force = false;
    let synth = synthesize(&s, &mut force)?;
    c.check_cancelled()?;
    let checked = check(&s, &synth, &mut force)?;
    c.check_cancelled()?;
    let voices = voices(&s)?;
    let retaken = best_of::retake(
        c,
        &s.recipe,
        &s.lines,
        &voices,
        &synth.clips,
        &checked,
        &mut force,
    )?;
    keep_choices(c, &retaken.chosen)?;
    c.check_cancelled()?;
    let voice_path = c.work.join("voice.wav");
    let assembled = assemble(&s, &retaken.clips, &voice_path, &mut force)?;
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

/// Speaks every sentence (cached per sentence across batches), each in
/// its speaker's voice.
fn synthesize(s: &Speech<'_, '_>, force: &mut bool) -> Result<SynthOut> {
    let c = s.c;
    c.step(
        Step::Synthesize,
        force,
        |o: &SynthOut| {
            let same_takes = o.takes.is_empty()
                || o.takes
                    .iter()
                    .copied()
                    .eq(s.lines.utterances.iter().map(|u| u.take));
            same_takes && o.clips.iter().all(|x| x.path.is_file())
        },
        || {
            let utterances = &s.lines.utterances;
            let total = utterances.len();
            let voices = voices(s)?;
            let narrator = &s.lines.roles[0];
            let mut made = 0;
            let units = c.units(
                Step::Synthesize,
                &voices.unit_plan(utterances),
                MAX_SENTENCE_ATTEMPTS,
                "the engine",
            )?;
            let clips = stages::synthesize(
                &voices,
                Some(&units),
                utterances,
                stages::Lanes::sharing(
                    narrator.engine.as_ref(),
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
                &mut |n| {
                    made = n;
                    failpoint::hit(&format!("synthesize:sentence:{n}"), c.track.position)
                },
            )?;
            record_takes(c, utterances, &clips)?;
            let takes = utterances.iter().map(|u| u.take).collect();
            Ok(SynthOut { clips, made, takes })
        },
    )
}

/// Who speaks in track `s`: the narrator and the cast's speakers.
///
/// # Errors
/// [`Error::Config`] for a track with no voice.
fn voices<'a>(s: &'a Speech<'_, '_>) -> Result<Voices<'a>> {
    let c = s.c;
    let speaker = |r| speaker_of(c, r, s.variant.tempo_ratio);
    let (narrator, others) = s
        .lines
        .roles
        .split_first()
        .ok_or_else(|| Error::Config("a speech track has no voice".into()))?;
    Ok(Voices {
        narrator: speaker(narrator),
        cast: others
            .iter()
            .map(|r| (r.name.clone().unwrap_or_default(), speaker(r)))
            .collect(),
    })
}

/// Remembers each sentence's take (the take in use is never pruned) and
/// forgets takes beyond the kept count.
fn record_takes(c: &TrackCx<'_>, utterances: &[Utterance], clips: &[ClipRef]) -> Result<()> {
    let keep =
        c.p.store
            .setting(best_of::KEEP_TAKES, best_of::DEFAULT_KEEP_TAKES)?;
    for (i, (u, clip)) in utterances.iter().zip(clips).enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        c.p.store
            .record_take(c.track.id, i, u.take, &clip.key, &lines::words(u))?;
        c.p.store.prune_takes(c.track.id, i, keep, u.take)?;
    }
    Ok(())
}

/// Writes best-of-N's choices into the track's recipe (when they are not
/// there yet), so the sentence list, Regenerate and a later run use them
/// and never retake those sentences again. Idempotent: a kill between the
/// step and this repairs itself on the next run.
fn keep_choices(c: &TrackCx<'_>, chosen: &std::collections::BTreeMap<u32, u32>) -> Result<()> {
    if chosen.is_empty() {
        return Ok(());
    }
    let (_, json) = c.p.store.track_inputs(c.track.id)?;
    let mut recipe = SpeechRecipe::parse(&json)?;
    let before = recipe.takes.clone();
    for (i, t) in chosen {
        recipe.takes.entry(*i).or_insert(*t);
    }
    if recipe.takes != before {
        c.p.store.set_track_recipe(c.track.id, &recipe.to_json()?)?;
    }
    Ok(())
}

/// Who speaks as `r` in track `c`, at `tempo_ratio`.
fn speaker_of<'a>(c: &'a TrackCx<'_>, r: &'a Role, tempo_ratio: f64) -> Speaker<'a> {
    Speaker {
        store: &c.p.store,
        home: &c.p.home,
        engine: r.engine.as_ref(),
        voice: &r.voice.voice,
        tempo_ratio,
        settings: &r.settings,
        retry: &c.p.options.retry,
    }
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
                .zip(&s.lines.expected)
                .map(|(clip, t)| (clip.key.as_str(), clip.path.as_path(), t.as_str()))
                .collect();
            let total = clips.len();
            let mut sentences = check_clips(
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
            for sc in &mut sentences {
                sc.speaker = s
                    .lines
                    .utterances
                    .get(sc.index as usize)
                    .and_then(|u| u.speaker.clone());
            }
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
    clips: &[ClipRef],
    out: &std::path::Path,
    force: &mut bool,
) -> Result<AssembleOut> {
    s.c.step(
        Step::Assemble,
        force,
        |o: &AssembleOut| o.path.is_file(),
        || {
            let sr = s.c.batch.sample_rate_hz;
            let report = stages::assemble(clips, &s.lines.written, &s.variant, sr, out)?;
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
            let mut placed = assembled.report.sentences.clone();
            if s.cast {
                for p in &mut placed {
                    p.speaker
                        .get_or_insert_with(|| crate::cast::NARRATOR.to_string());
                }
            }
            let cues = subtitles::cues(&placed, sr, lead);
            let (srt, vtt) = subtitles::write_beside_with(&output, &cues, s.srt_speakers)?;
            Ok(SubtitlesOut { srt, vtt, cues })
        },
    )
}
