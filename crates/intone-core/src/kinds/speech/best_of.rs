//! Best of N, by ear: the `retake` step of a speech track. Each sentence
//! the check flagged (and no one decided on: see [`SpeechRecipe::takes`])
//! is spoken again as takes 2, 3, … N (0-based 1 … N − 1; each take asks
//! the engine for another delivery, [`crate::engines::SpeechRequest::take`]),
//! each heard by the recognizer as soon as it is made, until one is heard
//! without an error or N takes exist. The take kept is the one with the
//! lowest word error rate; ties go to the take whose duration is closest to
//! the median duration of the sentence's takes (a take much shorter or
//! longer than its siblings has usually dropped or repeated words), then to
//! the earlier take. Every candidate is a durable unit keyed by its clip's
//! key, so a kill in the middle resumes at the next candidate and nothing
//! is spoken twice; what the recognizer heard is cached with each clip.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::kinds::speech::lines::Lines;
use crate::kinds::speech::SpeechRecipe;
use crate::pipeline::cx::TrackCx;
use crate::pipeline::failpoint;
use crate::pipeline::stages::{sentence, ClipRef, Voices, MAX_SENTENCE_ATTEMPTS};
use crate::recognize::check::{hear_clips, score, CheckReport, SentenceCheck};
use crate::recognize::Recognizer;
use crate::store::Step;

/// What the `retake` step produced.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct RetakeOut {
    /// The clips the track is made from: the synthesized ones, with each
    /// retaken sentence's best take in its place.
    pub clips: Vec<ClipRef>,
    /// The take kept for each retaken sentence (0-based sentence → take).
    pub chosen: BTreeMap<u32, u32>,
    /// Sentences retaken (flagged, with more takes made).
    pub retaken: u32,
    /// Of those, how many are still flagged with the best take.
    pub still_flagged: u32,
    /// Takes made (new candidates spoken; cached ones do not count).
    pub made: u32,
}

/// One candidate take of a flagged sentence.
struct Candidate {
    sentence: usize,
    take: u32,
}

/// Runs the `retake` step: see the module's doc. `clips` are the
/// synthesized clips, `check` what the check heard in them.
///
/// # Errors
/// Engine, recognizer and store errors; [`crate::Error::Cancelled`].
pub(crate) fn retake(
    c: &TrackCx<'_>,
    recipe: &SpeechRecipe,
    lines: &Lines,
    voices: &Voices<'_>,
    clips: &[ClipRef],
    check: &CheckReport,
    force: &mut bool,
) -> Result<RetakeOut> {
    c.step(
        Step::Retake,
        force,
        |o: &RetakeOut| o.clips.iter().all(|x| x.path.is_file()),
        || {
            let flagged: Vec<&SentenceCheck> = check
                .flagged()
                .filter(|s| !recipe.takes.contains_key(&s.index))
                .filter(|s| (s.index as usize) < clips.len())
                .collect();
            let mut out = RetakeOut {
                clips: clips.to_vec(),
                ..RetakeOut::default()
            };
            if recipe.best_of <= 1 || flagged.is_empty() {
                return Ok(out);
            }
            let candidates: Vec<Candidate> = flagged
                .iter()
                .flat_map(|s| {
                    (1..recipe.best_of).map(move |take| Candidate {
                        sentence: s.index as usize,
                        take,
                    })
                })
                .collect();
            let plan: Vec<(String, String)> = candidates
                .iter()
                .map(|k| {
                    let mut u = lines.utterances[k.sentence].clone();
                    u.take = k.take;
                    let plan = serde_json::json!({"sentence": k.sentence, "take": k.take});
                    (voices.of(&u).clip_key(&u), plan.to_string())
                })
                .collect();
            let units = c.units(Step::Retake, &plan, MAX_SENTENCE_ATTEMPTS, "the engine")?;
            let recognizer = Recognizer::shared(&c.p.home)?;
            let keep = c.p.store.setting(KEEP_TAKES, DEFAULT_KEEP_TAKES)?;
            // Each flagged sentence's takes so far: (take, clip, word error rate).
            let mut takes: BTreeMap<usize, Vec<(u32, ClipRef, SentenceCheck)>> = flagged
                .iter()
                .map(|s| {
                    let i = s.index as usize;
                    (i, vec![(0, clips[i].clone(), (*s).clone())])
                })
                .collect();
            for (j, k) in candidates.iter().enumerate() {
                c.check_cancelled()?;
                let sentence_takes = takes.entry(k.sentence).or_default();
                if sentence_takes.iter().any(|(_, _, sc)| sc.wer <= 0.0) {
                    continue; // heard perfectly already: no more takes
                }
                let mut u = lines.utterances[k.sentence].clone();
                u.take = k.take;
                let (clip, fresh) =
                    sentence(voices.of(&u), Some(&units), j, &u, 1, &|| c.cancelled())?;
                c.p.store.record_take(
                    c.track.id,
                    k.sentence as u32,
                    k.take,
                    &clip.key,
                    &crate::kinds::speech::lines::words(&u),
                )?;
                let expected = lines.expected[k.sentence].as_str();
                let heard = hear_clips(
                    &c.p.store,
                    &recognizer,
                    &[(clip.key.as_str(), clip.path.as_path(), expected)],
                    c.spare_threads(),
                    &mut |_| {},
                )?;
                let heard = heard.first().map_or("", String::as_str);
                let sc = score(k.sentence as u32, expected, heard);
                sentence_takes.push((k.take, clip, sc));
                if fresh {
                    out.made += 1;
                    failpoint::hit(&format!("retake:candidate:{}", out.made), c.track.position);
                }
                units.emit(j + 1);
            }
            for (i, list) in takes {
                let best = best_take(&c.p.store, &list)?;
                let (take, clip, sc) = &list[best];
                out.retaken += 1;
                if sc.flagged {
                    out.still_flagged += 1;
                }
                out.chosen.insert(i as u32, *take);
                c.p.store.prune_takes(c.track.id, i as u32, keep, *take)?;
                out.clips[i] = clip.clone();
            }
            Ok(out)
        },
    )
}

/// The setting (in the store) for how many takes of a sentence are kept
/// besides the one in use and favourites.
pub const KEEP_TAKES: &str = "takes.keep";

/// [`KEEP_TAKES`]'s default.
pub const DEFAULT_KEEP_TAKES: u32 = 5;

/// The index in `list` of the take to keep: the lowest word error rate,
/// then the duration closest to the median of the list's, then the
/// earliest.
fn best_take(store: &crate::store::Store, list: &[(u32, ClipRef, SentenceCheck)]) -> Result<usize> {
    let mut secs = Vec::with_capacity(list.len());
    for (_, clip, _) in list {
        let d = store.clip(&clip.key)?.map_or(0.0, |r| {
            r.frames as f64 / f64::from(r.sample_rate_hz.max(1))
        });
        secs.push(d);
    }
    let median = median(&secs);
    let mut order: Vec<usize> = (0..list.len()).collect();
    order.sort_by(|&a, &b| {
        list[a]
            .2
            .wer
            .total_cmp(&list[b].2.wer)
            .then(
                (secs[a] - median)
                    .abs()
                    .total_cmp(&(secs[b] - median).abs()),
            )
            .then(list[a].0.cmp(&list[b].0))
    });
    Ok(order.first().copied().unwrap_or(0))
}

/// The median of `v` (the mean of the middle two for an even count; 0 when empty).
fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => 0.0,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

/// What best-of-N did in a batch: summed over its tracks' `retake` steps.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetakeSummary {
    /// Sentences flagged by the check and retaken.
    pub retaken: u32,
    /// Of those, still flagged with their best take.
    pub still_flagged: u32,
    /// Takes spoken for them.
    pub made: u32,
}

impl crate::studio::Studio {
    /// What best-of-N did in batch `batch_id` (all zero when it was off or
    /// nothing was flagged).
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] for an unknown batch; store errors.
    pub fn batch_retakes(&self, batch_id: i64) -> Result<RetakeSummary> {
        let mut sum = RetakeSummary::default();
        for t in self.store().tracks(batch_id)? {
            let Some(step) = self.store().step(t.id, Step::Retake)? else {
                continue;
            };
            if let Some(o) = step
                .output_json
                .as_deref()
                .filter(|_| step.status == "done")
                .and_then(|j| serde_json::from_str::<RetakeOut>(j).ok())
            {
                sum.retaken += o.retaken;
                sum.still_flagged += o.still_flagged;
                sum.made += o.made;
            }
        }
        Ok(sum)
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }
}
