//! The `speech` job kind: one track is a section × variant, made by
//! synthesize (per sentence, cached) → check (each sentence heard by the
//! speech recognizer, when the batch checks; cached with the clip) → assemble → mix → then the shared
//! [`deliver`](super::cx::deliver) (master → encode → peaks) → subtitles
//! (SRT and WebVTT beside the track, from where assembly placed each sentence).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::cx::{deliver, TrackCx};
use super::failpoint;
use super::stages::{self, AssembleReport, ClipRef};
use crate::audio::master::MasterSettings;
use crate::audio::ms_to_frames;
use crate::engines::VoiceRef;
use crate::recognize::check::{check_clips, CheckReport};
use crate::recognize::Recognizer;
use crate::error::{Error, Result};
use crate::script::split_utterances;
use crate::store::{Stage, TrackResult, TrackStatus};
use crate::subtitles;
use crate::variants::Variant;

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

/// Runs a speech track's steps.
pub(crate) fn run(c: &TrackCx<'_>) -> Result<TrackResult> {
    let variant: Variant = serde_json::from_str(&c.recipe_json)
        .map_err(|e| Error::Config(format!("track {}: bad variant: {e}", c.track.id)))?;
    let voice = VoiceRef::parse(&c.track.voice)?;
    // The voice was checked when the batch was planned; a server that is down
    // now is the retry policy's business (and cached sentences need no engine).
    let engine = c.p.engines().get(&voice.engine).ok_or_else(|| {
        Error::NotFound(format!(
            "no engine \"{}\" (was it removed from engines.toml?)",
            voice.engine
        ))
    })?;
    let sr = c.batch.sample_rate_hz;
    let mut force = false;

    let synth: SynthOut = c.step(
        Stage::Synthesize,
        &mut force,
        |o: &SynthOut| o.clips.iter().all(|x| x.path.is_file()),
        || {
            let utterances = split_utterances(&c.section_text, engine.max_chars());
            let total = utterances.len();
            let clips = stages::synthesize(
                &c.p.store,
                &c.p.home,
                engine.as_ref(),
                &voice.voice,
                variant.tempo,
                &utterances,
                &c.p.options.retry,
                stages::Lanes::sharing(
                    engine.as_ref(),
                    c.p.options.workers,
                    usize::try_from(c.batch.pending).unwrap_or(1),
                ),
                &|| c.cancelled(),
                &mut |done, _| {
                    c.emit(
                        TrackStatus::Running,
                        Some(Stage::Synthesize),
                        Some(done as f32 / total.max(1) as f32),
                        None,
                    )
                },
                &mut |n| failpoint::hit(&format!("synthesize:sentence:{n}"), c.track.position),
            )?;
            Ok(SynthOut { clips })
        },
    )?;
    c.check_cancelled()?;
    c.step(
        Stage::Check,
        &mut force,
        |_: &CheckReport| true,
        || {
            if !c.batch.speech_check {
                return Ok(CheckReport::default());
            }
            let recognizer = Recognizer::shared(&c.p.home)?;
            let texts: Vec<String> = split_utterances(&c.section_text, engine.max_chars())
                .into_iter()
                .map(|u| u.text)
                .collect();
            let clips: Vec<(&str, &std::path::Path, &str)> = synth
                .clips
                .iter()
                .zip(&texts)
                .map(|(clip, text)| (clip.key.as_str(), clip.path.as_path(), text.as_str()))
                .collect();
            let total = clips.len();
            // Cores this track may use: the workers spread over the tracks still to do.
            let threads = (c.p.options.workers / usize::try_from(c.batch.pending).unwrap_or(1).max(1)).max(1);
            let sentences = check_clips(&c.p.store, &recognizer, &clips, threads, &mut |done| {
                c.emit(
                    TrackStatus::Running,
                    Some(Stage::Check),
                    Some(done as f32 / total.max(1) as f32),
                    None,
                );
            })?;
            Ok(CheckReport {
                checked: true,
                sentences,
            })
        },
    )?;
    c.check_cancelled()?;
    let voice_path = c.work.join("voice.wav");
    let assembled: AssembleOut = c.step(
        Stage::Assemble,
        &mut force,
        |o: &AssembleOut| o.path.is_file(),
        || {
            let texts: Vec<String> = split_utterances(&c.section_text, engine.max_chars())
                .into_iter()
                .map(|u| u.text)
                .collect();
            let report = stages::assemble(&synth.clips, &texts, &variant, sr, &voice_path)?;
            Ok(AssembleOut {
                path: voice_path.clone(),
                report,
            })
        },
    )?;
    c.check_cancelled()?;
    let mix_path = c.work.join("mix.wav");
    c.file_step(Stage::Mix, &mut force, &mix_path, |out| {
        stages::mix(&voice_path, &variant, c.track.id as u64, out).map(|_| ())
    })?;
    let result = deliver(
        c,
        &mut force,
        &mix_path,
        MasterSettings {
            target_lufs: variant.target_lufs,
            ceiling_dbtp: variant.ceiling_dbtp,
        },
    )?;
    // Mixing puts the lead-in before the voice; nothing later moves it.
    let lead = ms_to_frames(variant.lead_in_ms, sr) as u64;
    let output = PathBuf::from(&result.output_path);
    c.step(
        Stage::Subtitles,
        &mut force,
        |o: &SubtitlesOut| o.srt.is_file() && o.vtt.is_file(),
        || {
            let cues = subtitles::cues(&assembled.report.sentences, sr, lead);
            let (srt, vtt) = subtitles::write_beside(&output, &cues)?;
            Ok(SubtitlesOut { srt, vtt, cues })
        },
    )?;
    Ok(result)
}
