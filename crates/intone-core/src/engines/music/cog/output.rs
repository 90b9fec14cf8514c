//! A prediction's output made into the take: its audio fetched (a `data:`
//! URI or a URL to download, given as a string, a list, or Riffusion's
//! `{audio, spectrogram}`), decoded and resampled to stereo at the
//! request's rate, the context it was given cut off, trimmed or padded to
//! the take's exact length, crossfaded from a continued take's tail, faded
//! out over its last 20 ms, and written as a WAV file.

use std::path::Path;

use base64::Engine as _;
use serde_json::Value;

use super::Cog;
use crate::audio::{decode, resample, wav::WavBlockWriter};
use crate::engines::music::continuation::Overlap;
use crate::engines::music::MusicRequest;
use crate::engines::{EngineError, ErrorKind};

impl Cog {
    /// The audio bytes of a prediction's output.
    pub(super) fn output_bytes(&self, output: &Value) -> Result<Vec<u8>, EngineError> {
        let s = match output {
            Value::String(s) => s.clone(),
            Value::Array(a) => a
                .iter()
                .find_map(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            Value::Object(o) => o
                .get("audio")
                .and_then(Value::as_str)
                .map(String::from)
                .unwrap_or_default(),
            _ => String::new(),
        };
        if let Some(rest) = s.strip_prefix("data:") {
            let (_, data) = rest
                .split_once(";base64,")
                .ok_or_else(|| self.permanent("the output is a data: URI without base64 data"))?;
            return base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .map_err(|e| self.permanent(format!("the output's base64 is broken: {e}")));
        }
        if s.starts_with("http://") || s.starts_with("https://") {
            let resp = self
                .http
                .client
                .get(&s)
                .send()
                .map_err(|e| self.transient(format!("{s}: {e}")))?;
            return resp
                .bytes()
                .map(|b| b.to_vec())
                .map_err(|e| self.transient(format!("{s}: {e}")));
        }
        Err(self.permanent(format!(
            "the model returned no audio (output: {})",
            truncate(&output.to_string())
        )))
    }

    /// The take `req` asked for from the model's audio `bytes`, which begin
    /// with the `context_s` seconds it was given to continue from:
    /// interleaved stereo at `req.sample_rate_hz`, the duration long (plus
    /// the overlap for a take crossfaded here).
    pub(super) fn take(
        &self,
        bytes: Vec<u8>,
        req: &MusicRequest,
        context_s: f64,
    ) -> Result<Vec<f32>, EngineError> {
        let clip = decode::decode_bytes(bytes, Path::new("cog output"))
            .map_err(|e| self.permanent(format!("the model's audio cannot be decoded: {e}")))?;
        let clip = resample::resample(&clip.with_channels(2), req.sample_rate_hz)
            .map_err(|e| self.permanent(e.to_string()))?;
        // A continuation comes back as the context followed by the new music:
        // keep the overlap and what follows.
        let overlap_s = req
            .continuation
            .as_ref()
            .map_or(0.0, |c| f64::from(c.overlap_ms) / 1000.0);
        let skip = (((context_s - overlap_s).max(0.0)) * f64::from(req.sample_rate_hz)) as usize;
        // A continued take (crossfaded here) is the overlap plus the new
        // music; a scene's take (crossfaded by the caller) lasts the
        // duration, overlap included.
        let crossfaded = req.continuation.as_ref().is_some_and(|c| c.crossfade);
        let want = (req.duration_ms * u64::from(req.sample_rate_hz) / 1000) as usize
            + (overlap_s * f64::from(req.sample_rate_hz)) as usize * usize::from(crossfaded);
        let mut samples: Vec<f32> = clip
            .samples
            .iter()
            .skip(skip * 2)
            .take(want * 2)
            .copied()
            .collect();
        if samples.is_empty() {
            return Err(self.permanent("the model returned no audio after the part it was given"));
        }
        // Whole seconds from the model; the take is exact: pad with silence.
        samples.resize(want * 2, 0.0);
        // The overlap crossfades from the audio continued into the new music.
        if let Some(c) = req.continuation.as_ref().filter(|c| c.crossfade) {
            let mut o = Overlap::open(&c.path, c.overlap_ms, req.sample_rate_hz)
                .map_err(|e| self.permanent(e.to_string()))?;
            o.apply(&mut samples);
        }
        fade_out(&mut samples, req.sample_rate_hz);
        Ok(samples)
    }

    /// Writes interleaved stereo `samples` at `sample_rate_hz` to `out` as
    /// a WAV file.
    pub(super) fn write_wav(
        &self,
        out: &Path,
        sample_rate_hz: u32,
        samples: &[f32],
    ) -> Result<(), EngineError> {
        let io = |e: crate::Error| EngineError {
            engine: self.http.name.clone(),
            kind: ErrorKind::Permanent,
            message: e.to_string(),
        };
        let mut w = WavBlockWriter::create(out, sample_rate_hz, 2).map_err(io)?;
        w.write(samples).map_err(io)?;
        w.finish().map_err(io)
    }
}

/// A short linear fade at the end of interleaved stereo `samples` (20 ms at
/// `sample_rate_hz`) so a cut never clicks.
pub(super) fn fade_out(samples: &mut [f32], sample_rate_hz: u32) {
    let fade = (0.02 * f64::from(sample_rate_hz)) as usize;
    let n = samples.len() / 2;
    for i in 0..fade.min(n) {
        let g = i as f32 / fade as f32;
        samples[(n - 1 - i) * 2] *= g;
        samples[(n - 1 - i) * 2 + 1] *= g;
    }
}

/// The first 200 characters of `s`.
fn truncate(s: &str) -> String {
    s.chars().take(200).collect()
}
