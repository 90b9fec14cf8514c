//! The model's input for a take, typed by its schema: the prompt (as
//! `prompt`, or Riffusion's `prompt_a`), the duration in whole seconds
//! (rounded up), the seed, the model, `wav` output when it offers a choice,
//! the user's parameters, and for a continuation the last seconds of the
//! audio continued as a `data:audio/wav;base64,…` URI.

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::schema::typed;
use super::Cog;
use crate::audio::{decode, Clip};
use crate::engines::music::{Continuation, MusicRequest};
use crate::engines::EngineError;

/// Seconds of the audio continued that MusicGen is given as its prompt,
/// besides the overlap.
const CONTINUATION_CONTEXT_S: f64 = 5.0;

impl Cog {
    /// The model's input for `req`, typed by the schema's `props` (the
    /// `Input` properties), and the seconds of audio it is given to
    /// continue from (0 without a continuation).
    pub(super) fn input(
        &self,
        req: &MusicRequest,
        props: &Map<String, Value>,
    ) -> Result<(Map<String, Value>, f64), EngineError> {
        let mut input = Map::new();
        let prompt_key = if props.contains_key("prompt") {
            "prompt"
        } else {
            "prompt_a"
        };
        input.insert(prompt_key.into(), Value::String(req.prompt.clone()));
        let seconds = (req.duration_ms as f64 / 1000.0).ceil().max(1.0);
        if let Some(p) = props.get("duration") {
            input.insert(
                "duration".into(),
                typed(p, &seconds.to_string())
                    .map_err(|m| self.permanent(format!("duration: {m}")))?,
            );
        }
        if props.contains_key("seed") {
            input.insert("seed".into(), json!(req.seed));
        }
        if let (Some(m), true) = (&req.model, props.contains_key("model_version")) {
            input.insert("model_version".into(), Value::String(m.clone()));
        }
        if props.contains_key("output_format") && !req.params.contains_key("output_format") {
            input.insert("output_format".into(), Value::String("wav".into()));
        }
        for (k, v) in &req.params {
            let p = props
                .get(k)
                .ok_or_else(|| self.permanent(format!("the model has no parameter \"{k}\"")))?;
            input.insert(
                k.clone(),
                typed(p, v).map_err(|m| self.permanent(format!("{k}: {m}")))?,
            );
        }
        let context_s = match &req.continuation {
            Some(c) => self.continuation_input(c, props, &mut input)?,
            None => 0.0,
        };
        Ok((input, context_s))
    }

    /// Adds to `input` the end of the audio `c` continues (its overlap and
    /// the [`CONTINUATION_CONTEXT_S`] before it, or all of it when shorter)
    /// with `continuation` on, and returns that tail's length, seconds.
    fn continuation_input(
        &self,
        c: &Continuation,
        props: &Map<String, Value>,
        input: &mut Map<String, Value>,
    ) -> Result<f64, EngineError> {
        if !props.contains_key("input_audio") || !props.contains_key("continuation") {
            return Err(self.permanent(
                "this model cannot continue audio (it has no input_audio/continuation inputs)",
            ));
        }
        let clip = decode::decode_file(&c.path).map_err(|e| self.permanent(e.to_string()))?;
        let want = CONTINUATION_CONTEXT_S + f64::from(c.overlap_ms) / 1000.0;
        let frames = ((want * f64::from(clip.sample_rate_hz)) as usize).min(clip.frames());
        let ch = usize::from(clip.channels);
        let tail = Clip {
            sample_rate_hz: clip.sample_rate_hz,
            channels: clip.channels,
            samples: clip.samples[clip.samples.len() - frames * ch..].to_vec(),
        };
        let context_s = frames as f64 / f64::from(clip.sample_rate_hz);
        input.insert(
            "input_audio".into(),
            Value::String(wav_data_uri(&tail).map_err(|e| self.permanent(e))?),
        );
        input.insert("continuation".into(), Value::Bool(true));
        // The tail sent is all context: continue from its start.
        if props.contains_key("continuation_start") {
            input.insert("continuation_start".into(), json!(0));
        }
        Ok(context_s)
    }
}

/// A clip as a `data:audio/wav;base64,…` URI (16-bit PCM).
fn wav_data_uri(clip: &Clip) -> Result<String, String> {
    let mut cur = std::io::Cursor::new(Vec::new());
    {
        let spec = hound::WavSpec {
            channels: clip.channels,
            sample_rate: clip.sample_rate_hz,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::new(&mut cur, spec).map_err(|e| e.to_string())?;
        for s in &clip.samples {
            w.write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16)
                .map_err(|e| e.to_string())?;
        }
        w.finalize().map_err(|e| e.to_string())?;
    }
    Ok(format!(
        "data:audio/wav;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(cur.into_inner())
    ))
}
