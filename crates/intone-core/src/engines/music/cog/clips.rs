//! Takes longer than a model's clip. Riffusion's Cog model has no
//! `duration`: each prediction is a clip of about 5 s (a spectrogram image
//! made into audio). A take of any length is chained from clips, each one
//! crossfaded (equal power, [`CLIP_CROSSFADE_S`]) into the last, with
//! `alpha` stepped from 0 to 1 across them so the music moves from
//! `prompt_a` to `prompt_b` (as the Riffusion app interpolates), each clip
//! its own seed. Each clip's spectrogram image is kept beside the take, in
//! `spectrograms/` next to the file the take is written to.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::Cog;
use crate::audio::{decode, resample};
use crate::engines::music::continuation::Overlap;
use crate::engines::music::MusicRequest;
use crate::engines::EngineError;

/// Crossfade between chained clips, seconds.
pub const CLIP_CROSSFADE_S: f64 = 1.0;
/// Most clips one take chains (an hour of 5 s clips).
const MAX_CLIPS: usize = 1_000;

/// Whether a model makes fixed-length clips to be chained: it takes no
/// `duration` but interpolates between two prompts (`prompt_a`, `alpha`).
pub(super) fn chains_clips(props: &Map<String, Value>) -> bool {
    !props.contains_key("duration") && props.contains_key("prompt_a") && props.contains_key("alpha")
}

/// Where the spectrogram images of a take written to `out` are kept.
pub fn spectrograms_dir(out: &Path) -> PathBuf {
    out.parent()
        .unwrap_or_else(|| Path::new("."))
        .join("spectrograms")
}

impl Cog {
    /// Makes `req`'s take from chained clips into `out` (see the module).
    pub(super) fn chain(
        &self,
        req: &MusicRequest,
        props: &Map<String, Value>,
        out: &Path,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(), EngineError> {
        if req.continuation.as_ref().is_some_and(|c| !c.crossfade) {
            return Err(self.permanent(
                "this model makes clips and cannot continue a scene's audio; use the built-in composer or MusicGen for scores",
            ));
        }
        let sr = req.sample_rate_hz;
        let overlap = req.continuation.as_ref().map_or(0, |c| {
            (u64::from(c.overlap_ms) * u64::from(sr) / 1000) as usize
        });
        let want = (req.duration_ms * u64::from(sr) / 1000) as usize + overlap;
        let xfade = (CLIP_CROSSFADE_S * f64::from(sr)) as usize;
        let images = spectrograms_dir(out);
        let _ = std::fs::remove_dir_all(&images);
        std::fs::create_dir_all(&images)
            .map_err(|e| self.permanent(format!("{}: {e}", images.display())))?;
        // With a second prompt, alpha walks from 0 (prompt_a) to 1 (prompt_b) across the clips, whatever single value was given.
        let stepped = req
            .params
            .get("prompt_b")
            .is_some_and(|b| !b.trim().is_empty());
        let mut acc: Vec<f32> = Vec::new();
        let mut clips_needed = 1usize;
        for k in 0..MAX_CLIPS {
            if acc.len() / 2 >= want {
                break;
            }
            let alpha = if clips_needed > 1 {
                (k as f64 / (clips_needed - 1) as f64).min(1.0)
            } else {
                0.0
            };
            let clip = self.clip(req, props, k, stepped.then_some(alpha), &images, cancelled)?;
            if k == 0 {
                let len = clip.len() / 2;
                if len <= xfade {
                    return Err(self.permanent(format!(
                        "the model's clip is {:.2} s, too short to chain with {CLIP_CROSSFADE_S} s crossfades",
                        len as f64 / f64::from(sr)
                    )));
                }
                clips_needed = 1 + want.saturating_sub(len).div_ceil(len - xfade);
            }
            append_crossfaded(&mut acc, &clip, xfade);
        }
        if acc.len() / 2 < want {
            return Err(self.permanent(format!(
                "{MAX_CLIPS} clips are not enough for a take this long"
            )));
        }
        acc.truncate(want * 2);
        if let Some(c) = req.continuation.as_ref() {
            let mut o = Overlap::open(&c.path, c.overlap_ms, sr)
                .map_err(|e| self.permanent(e.to_string()))?;
            o.apply(&mut acc);
        }
        super::output::fade_out(&mut acc, sr);
        self.write_wav(out, sr, &acc)
    }

    /// Clip `k` of the take: its audio as interleaved stereo at the
    /// request's rate, its spectrogram image saved in `images`.
    fn clip(
        &self,
        req: &MusicRequest,
        props: &Map<String, Value>,
        k: usize,
        alpha: Option<f64>,
        images: &Path,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Vec<f32>, EngineError> {
        let one = MusicRequest {
            seed: req.seed.wrapping_add(k as u32),
            continuation: None,
            ..req.clone()
        };
        let (mut input, _) = self.input(&one, props)?;
        if let Some(a) = alpha {
            input.insert("alpha".into(), json!((a * 1000.0).round() / 1000.0));
        }
        let id = format!("{}-{k}", super::predict::prediction_id(req));
        let output = self.predict(&id, &input, cancelled)?;
        let bytes = self.output_bytes(&output)?;
        if let Some((ext, image)) = self.spectrogram(&output)? {
            let path = images.join(format!("clip-{:03}.{ext}", k + 1));
            std::fs::write(&path, image)
                .map_err(|e| self.permanent(format!("{}: {e}", path.display())))?;
        }
        let clip = decode::decode_bytes(bytes, Path::new("cog output"))
            .map_err(|e| self.permanent(format!("the model's audio cannot be decoded: {e}")))?;
        let clip = resample::resample(&clip.with_channels(2), req.sample_rate_hz)
            .map_err(|e| self.permanent(e.to_string()))?;
        Ok(clip.samples)
    }

    /// The `spectrogram` of Riffusion's `{audio, spectrogram}` output: its
    /// file extension (from the `data:` URI's type or the URL) and bytes.
    fn spectrogram(&self, output: &Value) -> Result<Option<(String, Vec<u8>)>, EngineError> {
        let Some(s) = output.get("spectrogram").and_then(Value::as_str) else {
            return Ok(None);
        };
        if let Some(rest) = s.strip_prefix("data:") {
            let Some((mime, data)) = rest.split_once(";base64,") else {
                return Ok(None);
            };
            let ext = mime
                .rsplit('/')
                .next()
                .unwrap_or("jpg")
                .replace("jpeg", "jpg");
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .map_err(|e| self.permanent(format!("the spectrogram's base64 is broken: {e}")))?;
            return Ok(Some((ext, bytes)));
        }
        let ext = s
            .rsplit('.')
            .next()
            .filter(|e| e.len() <= 4 && e.chars().all(|c| c.is_ascii_alphanumeric()))
            .unwrap_or("jpg")
            .to_ascii_lowercase();
        let bytes = self
            .http
            .client
            .get(s)
            .send()
            .and_then(|r| r.bytes())
            .map_err(|e| self.transient(format!("{s}: {e}")))?;
        Ok(Some((ext, bytes.to_vec())))
    }
}

/// Appends interleaved stereo `clip` to `acc`, crossfading (equal power)
/// its first `xfade` frames over the last `xfade` of `acc`.
fn append_crossfaded(acc: &mut Vec<f32>, clip: &[f32], xfade: usize) {
    let n = (xfade.min(acc.len() / 2)).min(clip.len() / 2);
    let start = acc.len() / 2 - n;
    for i in 0..n {
        let t = (i as f32 + 0.5) / n as f32 * std::f32::consts::FRAC_PI_2;
        let (fade_in, fade_out) = t.sin_cos();
        for c in 0..2 {
            let a = &mut acc[(start + i) * 2 + c];
            *a = *a * fade_out + clip[i * 2 + c] * fade_in;
        }
    }
    acc.extend_from_slice(&clip[n * 2..]);
}
