//! Merging a score's scene takes into one piece. Each scene owns the span
//! from its start to the next scene's start on the score's timeline; its
//! take also covers half a crossfade before and after (its handles), and
//! neighbours meet in an equal-power crossfade centred on the boundary, so
//! each scene's own material is at full level from exactly where its scene
//! starts (DESIGN.md, "scenes"). A scene whose take is missing (replaced by
//! silence) contributes silence: its neighbours fade into and out of it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::audio::edit::equal_power;
use crate::audio::wav::{read_clip, write_clip};
use crate::audio::Clip;
use crate::error::Result;

/// Where one scene lies on the score, frames at the score's sample rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SceneSpan {
    /// First frame of the scene.
    pub start: u64,
    /// One past its last frame (the next scene's start).
    pub end: u64,
    /// Handle before `start` (half the crossfade into it; 0 for the first).
    pub pre: u64,
    /// Handle after `end` (half the crossfade out of it; 0 for the last).
    pub post: u64,
    /// Take frames before the crossfade into the scene (room for its start
    /// to move onto a bar line: [`snap`]); silent in the merge.
    #[serde(default)]
    pub before: u64,
    /// Take frames after the crossfade out of the scene (room for its end
    /// to move onto a bar line); silent in the merge.
    #[serde(default)]
    pub after: u64,
}

impl SceneSpan {
    /// Frames of the take this scene needs: handles and slack included.
    pub fn take_frames(&self) -> u64 {
        self.before + self.pre + (self.end - self.start) + self.post + self.after
    }

    /// The score frame the take's first frame lands on.
    pub fn take_start(&self) -> u64 {
        self.start - self.pre - self.before
    }

    /// Frames the take overlaps the one before it: its own lead-in and the
    /// last take's lead-out (the continuation's overlap).
    pub fn overlap_with(&self, prev: &SceneSpan) -> u64 {
        (prev.end + prev.post + prev.after).saturating_sub(self.take_start())
    }
}

/// `spans` with `slack` frames of extra take on each inner boundary, so a
/// boundary can later move up to `slack` either way ([`snap`]).
pub fn with_slack(spans: &[SceneSpan], slack: u64) -> Vec<SceneSpan> {
    let n = spans.len();
    spans
        .iter()
        .enumerate()
        .map(|(i, s)| SceneSpan {
            before: if i > 0 { slack } else { 0 },
            after: if i + 1 < n { slack } else { 0 },
            ..*s
        })
        .collect()
}

/// Moves each inner boundary onto the bar line nearest it that the slack
/// reaches: `bar_lines[i]` lists the score frames of the bar lines of
/// scene `i`'s take (the outgoing one at boundary `i`). Every take keeps
/// its place on the score and the total is unchanged; a boundary with no
/// bar line within reach stays where it is. A scene never shrinks below
/// twice its handles.
pub fn snap(spans: &[SceneSpan], bar_lines: &[Vec<u64>]) -> Vec<SceneSpan> {
    let mut out = spans.to_vec();
    for i in 0..spans.len().saturating_sub(1) {
        let b = out[i].end;
        let reach = out[i].after.min(out[i + 1].before);
        let lo = b
            .saturating_sub(reach)
            .max(out[i].start + out[i].pre + out[i].post);
        let hi = (b + reach).min(
            out[i + 1]
                .end
                .saturating_sub(out[i + 1].post + out[i + 1].pre),
        );
        let Some(&to) = bar_lines
            .get(i)
            .into_iter()
            .flatten()
            .filter(|&&x| x >= lo && x <= hi)
            .min_by_key(|&&x| x.abs_diff(b))
        else {
            continue;
        };
        // The takes stay put: what one span gains the slack loses.
        out[i].end = to;
        out[i].after = out[i].after + b - to;
        out[i + 1].start = to;
        out[i + 1].before = out[i + 1].before + to - b;
    }
    out
}

/// Lays scenes of `durations_ms` end to end at `sample_rate_hz`, with
/// crossfades of `crossfade_ms` on the boundaries (each shortened to the
/// shorter neighbour so two never overlap). Starts are rounded from the
/// running total in ms, so the scenes add up to the total to the sample.
pub fn layout(durations_ms: &[u64], crossfade_ms: u32, sample_rate_hz: u32) -> Vec<SceneSpan> {
    let at = |ms: u64| (u128::from(ms) * u128::from(sample_rate_hz) / 1000) as u64;
    let mut bounds = vec![0u64];
    let mut total = 0u64;
    for d in durations_ms {
        total += d;
        bounds.push(at(total));
    }
    let half = at(u64::from(crossfade_ms)) / 2;
    let n = durations_ms.len();
    (0..n)
        .map(|i| {
            let len = |k: usize| bounds[k + 1] - bounds[k];
            let handle = |k: usize| half.min(len(k) / 2).min(len(k + 1) / 2);
            SceneSpan {
                start: bounds[i],
                end: bounds[i + 1],
                pre: if i > 0 { handle(i - 1) } else { 0 },
                post: if i + 1 < n { handle(i) } else { 0 },
                before: 0,
                after: 0,
            }
        })
        .collect()
}

/// Writes the score made of `takes` (one per span, `None` for silence) to
/// `out`: stereo f32 at `sample_rate_hz`, exactly `spans.last().end` frames.
/// A take shorter than its span is padded with silence.
///
/// # Errors
/// [`crate::Error::Audio`] naming a take that cannot be read, or `out`.
pub fn merge(
    takes: &[Option<PathBuf>],
    spans: &[SceneSpan],
    sample_rate_hz: u32,
    out: &Path,
) -> Result<()> {
    let total = spans.last().map_or(0, |s| s.end) as usize;
    let mut score = vec![0f32; total * 2];
    for (take, s) in takes.iter().zip(spans) {
        let Some(path) = take else { continue };
        let clip = read_clip(path)?.with_channels(2);
        let clip = crate::audio::resample::resample(&clip, sample_rate_hz)?;
        let first = s.take_start() as usize;
        let before = s.before as usize;
        let fade_in = 2 * s.pre as usize;
        let fade_out = 2 * s.post as usize;
        let out_start = (s.end - s.post) as usize;
        let out_end = out_start + fade_out;
        for f in before..s.take_frames() as usize {
            let at = first + f;
            if at >= total || (fade_out > 0 && at >= out_end) {
                break;
            }
            let Some(frame) = clip.samples.get(f * 2..f * 2 + 2) else {
                break;
            };
            let mut g = 1.0;
            if f - before < fade_in {
                g *= equal_power(((f - before) as f32 + 0.5) / fade_in as f32);
            }
            if at >= out_start && fade_out > 0 {
                g *= equal_power(1.0 - ((at - out_start) as f32 + 0.5) / fade_out as f32);
            }
            score[at * 2] += frame[0] * g;
            score[at * 2 + 1] += frame[1] * g;
        }
    }
    write_clip(
        out,
        &Clip {
            sample_rate_hz,
            channels: 2,
            samples: score,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenes_add_up_and_crossfades_centre_on_the_boundaries() {
        let spans = layout(&[12_000, 20_000, 333, 7_667], 1_000, 48_000);
        assert_eq!(spans[0].start, 0);
        assert_eq!(spans[1].start, 576_000);
        assert_eq!(spans[3].end, 40 * 48_000);
        assert_eq!((spans[0].pre, spans[0].post), (0, 24_000));
        assert_eq!(spans[1].pre, 24_000);
        // The 333 ms scene bounds its crossfades to half its length.
        assert_eq!((spans[2].pre, spans[2].post), (7_992, 7_992));
        assert_eq!(spans[3].post, 0);
    }

    #[test]
    fn each_scene_holds_its_span_and_joins_keep_level() {
        let dir = tempfile::tempdir().expect("tmp");
        let sr = 8_000;
        let spans = layout(&[2_000, 3_000, 1_000], 500, sr);
        // Takes of constant, distinct levels: the merge shows whose span is whose.
        let levels = [0.2f32, 0.5, 0.3];
        let mut takes = Vec::new();
        for (i, s) in spans.iter().enumerate() {
            let p = dir.path().join(format!("{i}.wav"));
            let n = s.take_frames() as usize;
            write_clip(
                &p,
                &Clip {
                    sample_rate_hz: sr,
                    channels: 2,
                    samples: vec![levels[i]; n * 2],
                },
            )
            .expect("write");
            takes.push(Some(p));
        }
        let out = dir.path().join("score.wav");
        merge(&takes, &spans, sr, &out).expect("merge");
        let m = read_clip(&out).expect("read");
        assert_eq!(m.frames(), 6 * sr as usize);
        for (s, l) in spans.iter().zip(levels) {
            // Past the crossfades, each scene alone at full level.
            let a = (s.start + s.pre) as usize;
            let b = (s.end - s.post) as usize;
            assert!(m.samples[a * 2..b * 2]
                .iter()
                .all(|&x| (x - l).abs() < 1e-6));
        }
        // At a boundary both scenes play at −3 dB (equal power).
        let b = spans[1].start as usize;
        let expect = (0.2 + 0.5) * std::f32::consts::FRAC_1_SQRT_2;
        assert!(
            (m.samples[b * 2] - expect).abs() < 0.01,
            "{}",
            m.samples[b * 2]
        );
        // A silent scene: its neighbours fade to nothing around it.
        merge(
            &[takes[0].clone(), None, takes[2].clone()],
            &spans,
            sr,
            &out,
        )
        .expect("merge");
        let m = read_clip(&out).expect("read");
        let mid = ((spans[1].start + spans[1].end) / 2) as usize;
        assert_eq!(m.samples[mid * 2], 0.0);
    }

    #[test]
    fn snapping_moves_boundaries_onto_bar_lines_and_keeps_takes_in_place() {
        let sr = 1_000;
        let spans = with_slack(&layout(&[10_000, 10_000, 10_000], 1_000, sr), 2_000);
        let starts: Vec<u64> = spans.iter().map(SceneSpan::take_start).collect();
        // Scene 1's bars fall every 3 s from 0.5 s: 9.5 s is nearest 10 s.
        // Scene 2's nearest bar line (23.2 s) is out of reach: it stays.
        let bars = vec![
            (0..10).map(|k| 500 + 3_000 * k).collect::<Vec<u64>>(),
            vec![14_000, 23_200],
        ];
        let snapped = snap(&spans, &bars);
        assert_eq!(snapped[0].end, 9_500);
        assert_eq!(snapped[1].start, 9_500);
        assert_eq!(snapped[1].end, 20_000);
        assert_eq!(snapped[2].end, 30_000);
        let moved: Vec<u64> = snapped.iter().map(SceneSpan::take_start).collect();
        assert_eq!(moved, starts, "takes stay where they were made");
        for (a, b) in spans.iter().zip(&snapped) {
            assert_eq!(a.take_frames(), b.take_frames());
        }
    }
}
