//! One-shot speech: `intone say` and the app's voice preview. The text goes
//! through the same steps as a speech track (synthesize → assemble → mix →
//! master → encode) without recording a batch; sentences still go through
//! the clip cache. Every core speaks ([`Lanes::all_cores`]): an in-process
//! model runs each sentence on all of them, in order; a server gets one
//! sentence per core at once. The voice is loaded (model, session,
//! phonemizer, side by side) before the first sentence.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{Studio, DEFAULT_SAMPLE_RATE_HZ};
use crate::audio::encode::{EncodeOptions, EncodeReport, Format};
use crate::audio::master::MasterSettings;
use crate::audio::tags::Tags;
use crate::engines::{SpeechEngine, VoiceRef};
use crate::error::{Error, Result};
use crate::lexicon::Lexicon;
use crate::pipeline::stages::{self, clip_key, Lanes, Speaker, Voices, NO_SETTINGS};
use crate::script::{self, split_utterances, Pause, Utterance};
use crate::variants::{self, Variant};

/// The wall-clock time of one phase of [`Studio::say`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseTime {
    /// Phase: `prepare` (load the voice), `synthesize`, `assemble`, `mix`,
    /// `master`, `encode`.
    pub phase: String,
    /// Seconds.
    pub seconds: f64,
    /// What the phase did, e.g. `"6 sentences on 2 lanes"`.
    pub detail: String,
}

/// "1 call at a time × 2 threads", for the timings' details.
fn describe(l: Lanes) -> String {
    format!("{} call(s) at a time × {} thread(s)", l.lanes, l.threads)
}

impl PhaseTime {
    /// The phase `phase` that began at `t` and ends now.
    fn since(phase: &str, detail: String, t: Instant) -> Self {
        Self {
            phase: phase.into(),
            seconds: t.elapsed().as_secs_f64(),
            detail,
        }
    }
}

/// What [`Studio::say`] delivered and where its time went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SayReport {
    /// The delivered file's figures.
    pub output: EncodeReport,
    /// Phases in order; their sum is the call's time less bookkeeping.
    pub phases: Vec<PhaseTime>,
}

/// A resolved one-shot request: voice, its engine, the recipe, the sentences.
type Planned = (VoiceRef, Arc<dyn SpeechEngine>, Variant, Vec<Utterance>);

/// What one delivery needs: the engine, its voice, the recipe and the lanes.
struct Speech<'a> {
    engine: &'a dyn SpeechEngine,
    voice: &'a VoiceRef,
    variant: &'a Variant,
    lanes: Lanes,
}

impl Studio {
    /// Resolves `voice` (the default voice when `None`) and `variant`, and
    /// splits `text` into utterances for that engine.
    fn plan_speech(
        &self,
        text: &str,
        voice: Option<&str>,
        variant: &str,
        lexicon: Option<&Lexicon>,
    ) -> Result<Planned> {
        let voice = match voice {
            Some(v) => VoiceRef::parse(v)?,
            None => VoiceRef::parse(&self.engines().default_voice())?,
        };
        let engine = self.engines().resolve(&voice)?;
        let variant = variants::find(self.home(), variant)?;
        let mut utterances = split_utterances(
            &script::parse_text(text, "say", false, Path::new("<text>"))?.sections[0].text,
            engine.max_chars(),
        );
        // The global lexicon applies to one-shot speech too.
        let lexicon = match lexicon {
            Some(l) => l.clone(),
            None => crate::lexicon::load(self.store(), crate::lexicon::GLOBAL)?,
        };
        if !lexicon.is_empty() {
            for u in &mut utterances {
                let applied = lexicon.apply(&u.text, engine.phoneme_alphabets());
                u.text = applied.text;
                u.phonemes = applied.phonemes;
            }
        }
        Ok((voice, engine, variant, utterances))
    }

    /// Loads `voice` (model, the sessions one-shot speech uses, phonemizer)
    /// so that the next `say` or preview in it starts at once. The app calls
    /// it when a voice is picked. A voice already loaded costs nothing.
    ///
    /// # Errors
    /// Unknown voice or engine; [`Error::Engine`] when the voice cannot load.
    pub fn prepare_voice(&self, voice: &str) -> Result<()> {
        let voice = VoiceRef::parse(voice)?;
        let engine = self.engines().resolve(&voice)?;
        let lanes = Lanes::all_cores(engine.as_ref());
        engine.prepare(&voice.voice, lanes.lanes, lanes.threads)?;
        Ok(())
    }

    /// Speaks `text` with `voice` (the default voice when `None`) through
    /// `variant` into `out` (format from the extension: `.flac`, otherwise
    /// 16-bit WAV), without recording a batch. Sentences go through the clip
    /// cache, on one lane per core.
    ///
    /// # Errors
    /// Bad voice/variant/text, engine and audio errors.
    pub fn say(
        &self,
        text: &str,
        voice: Option<&str>,
        variant: &str,
        out: &Path,
    ) -> Result<SayReport> {
        let (voice, engine, variant, utterances) = self.plan_speech(text, voice, variant, None)?;
        let mut phases = Vec::new();
        let lanes =
            self.prepare_lanes(engine.as_ref(), &voice, &variant, &utterances, &mut phases)?;
        let speech = Speech {
            engine: engine.as_ref(),
            voice: &voice,
            variant: &variant,
            lanes,
        };
        let output = self.deliver(&speech, &utterances, out, &mut phases)?;
        Ok(SayReport { output, phases })
    }

    /// Speaks `text` with `voice` as a preview in two parts, so that playback
    /// can start while the rest renders: the first sentence goes to
    /// `<dir>/<stem>.1.wav` and `on_part` is called with it, then the other
    /// sentences go to `<dir>/<stem>.2.wav` (and `on_part` again). The
    /// parts join without a gap: the first ends with the pause after its
    /// sentence, the second starts at once. Returns the parts in order (one
    /// when the text is one sentence).
    ///
    /// # Errors
    /// As [`Self::say`]; a part already delivered stays on disk.
    pub fn preview_speech(
        &self,
        text: &str,
        voice: &str,
        dir: &Path,
        stem: &str,
        on_part: &mut dyn FnMut(&Path),
    ) -> Result<Vec<PathBuf>> {
        self.preview_speech_with(text, voice, None, dir, stem, on_part)
    }

    /// [`Self::preview_speech`] with `lexicon` instead of the global one
    /// (the Lexicon panel's **Test** speaks an entry before it is saved).
    ///
    /// # Errors
    /// As [`Self::say`]; a part already delivered stays on disk.
    pub fn preview_speech_with(
        &self,
        text: &str,
        voice: &str,
        lexicon: Option<&Lexicon>,
        dir: &Path,
        stem: &str,
        on_part: &mut dyn FnMut(&Path),
    ) -> Result<Vec<PathBuf>> {
        let (voice, engine, variant, utterances) =
            self.plan_speech(text, Some(voice), "voice", lexicon)?;
        let mut phases = Vec::new();
        let lanes =
            self.prepare_lanes(engine.as_ref(), &voice, &variant, &utterances, &mut phases)?;
        let split = utterances
            .iter()
            .position(|u| u.pause_after != Pause::Join)
            .map_or(utterances.len(), |i| i + 1);
        let (first, rest) = utterances.split_at(split);
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let mut parts = Vec::new();
        for (n, part) in [first, rest].into_iter().enumerate() {
            if part.is_empty() {
                continue;
            }
            let mut v = variant.clone();
            if n == 0 && !rest.is_empty() {
                // The pause after the first sentence ends this part; the
                // fade-out and tail belong to the end of the whole.
                v.tail_ms = match part.last().map(|u| u.pause_after) {
                    Some(Pause::Paragraph) => variant.paragraph_pause_ms,
                    _ => variant.sentence_pause_ms,
                };
                v.fade_out_ms = 0.0;
            }
            if n == 1 {
                v.lead_in_ms = 0.0;
                v.fade_in_ms = 0.0;
            }
            let speech = Speech {
                engine: engine.as_ref(),
                voice: &voice,
                variant: &v,
                lanes,
            };
            let path = dir.join(format!("{stem}.{}.wav", n + 1));
            self.deliver(&speech, part, &path, &mut phases)?;
            on_part(&path);
            parts.push(path);
        }
        for p in &phases {
            tracing::debug!(
                "preview {}: {} {:.3} s ({})",
                voice,
                p.phase,
                p.seconds,
                p.detail
            );
        }
        Ok(parts)
    }

    /// Loads the voice for one-shot speech on every core (nothing when every
    /// sentence is in the clip cache), and returns how the cores are used:
    /// threads of one call for an in-process model, otherwise as many calls
    /// at once as cores and sentences not cached.
    fn prepare_lanes(
        &self,
        engine: &dyn SpeechEngine,
        voice: &VoiceRef,
        variant: &Variant,
        utterances: &[Utterance],
        phases: &mut Vec<PhaseTime>,
    ) -> Result<Lanes> {
        let t = Instant::now();
        let mut uncached = 0;
        for u in utterances {
            let key = clip_key(engine, &voice.voice, variant.tempo_ratio, &u.text);
            if self
                .store()
                .clip(&key)?
                .is_none_or(|c| !Path::new(&c.path).is_file())
            {
                uncached += 1;
            }
        }
        let mut lanes = Lanes::all_cores(engine);
        lanes.lanes = lanes.lanes.min(uncached).max(1);
        if uncached > 0 {
            engine.prepare(&voice.voice, lanes.lanes, lanes.threads)?;
        }
        phases.push(PhaseTime::since(
            "prepare",
            format!("{voice}, {}", describe(lanes)),
            t,
        ));
        Ok(lanes)
    }

    /// Synthesizes `utterances` and runs them through assemble, mix, master
    /// and encode into `out`, timing each phase into `phases`.
    fn deliver(
        &self,
        s: &Speech<'_>,
        utterances: &[Utterance],
        out: &Path,
        phases: &mut Vec<PhaseTime>,
    ) -> Result<EncodeReport> {
        static SCRATCH: AtomicUsize = AtomicUsize::new(0);
        let scratch = self.home().work_dir().join(format!(
            "say-{}-{}",
            std::process::id(),
            SCRATCH.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&scratch).map_err(|e| Error::io(&scratch, e))?;
        let result = (|| -> Result<EncodeReport> {
            let t = Instant::now();
            let mut fresh = 0;
            let speaker = Speaker {
                store: self.store(),
                home: self.home(),
                engine: s.engine,
                voice: &s.voice.voice,
                tempo_ratio: s.variant.tempo_ratio,
                settings: &NO_SETTINGS,
                retry: &self.pipeline.options.retry,
            };
            // One-shot speech has no track: nothing to record but the cache.
            let clips = stages::synthesize(
                &Voices::one(speaker),
                None,
                utterances,
                s.lanes,
                &|| false,
                &mut |_, _| {},
                &mut |n| fresh = n,
            )?;
            phases.push(PhaseTime::since(
                "synthesize",
                format!(
                    "{} sentence(s), {fresh} new, {}",
                    utterances.len(),
                    describe(s.lanes)
                ),
                t,
            ));
            let (v, m, ma) = (
                scratch.join("voice.wav"),
                scratch.join("mix.wav"),
                scratch.join("master.wav"),
            );
            let t = Instant::now();
            let a = stages::assemble(&clips, &[], s.variant, DEFAULT_SAMPLE_RATE_HZ, &v)?;
            phases.push(PhaseTime::since(
                "assemble",
                format!(
                    "{:.1} s of voice at {DEFAULT_SAMPLE_RATE_HZ} Hz",
                    a.frames as f64 / f64::from(DEFAULT_SAMPLE_RATE_HZ)
                ),
                t,
            ));
            let t = Instant::now();
            stages::mix(&v, s.variant, 1, &m)?;
            phases.push(PhaseTime::since(
                "mix",
                format!("variant {}", s.variant.name),
                t,
            ));
            let t = Instant::now();
            let mr = stages::master(
                &m,
                MasterSettings {
                    target_lufs: s.variant.target_lufs,
                    ceiling_dbtp: s.variant.ceiling_dbtp,
                },
                &ma,
            )?;
            phases.push(PhaseTime::since(
                "master",
                format!("{} pass(es)", mr.passes),
                t,
            ));
            // The format follows the extension (WAV for an unknown one).
            let format = out
                .extension()
                .and_then(|e| e.to_str())
                .and_then(|e| e.parse::<Format>().ok())
                .unwrap_or(Format::Wav);
            let t = Instant::now();
            let r = stages::encode(
                &ma,
                out,
                format,
                16,
                &EncodeOptions::default(),
                &Tags::default(),
            )?;
            let detail = if format.is_pcm() {
                format!("{format}, 16-bit")
            } else {
                format.to_string()
            };
            phases.push(PhaseTime::since("encode", detail, t));
            Ok(r)
        })();
        let _ = std::fs::remove_dir_all(&scratch);
        result
    }
}
