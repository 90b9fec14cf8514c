//! What the runner needs to know about a job kind: its ordered steps, how to
//! run one track through them, and how its delivered files are titled. Each
//! kind declares one [`KindDef`] in its own module under [`crate::kinds`];
//! the runner looks the batch's kind up in the registry it was given
//! ([`crate::kinds::ALL`]) and never names a kind itself.

use super::cx::TrackCx;
use crate::error::Result;
use crate::store::{JobKind, Step, TrackResult, TrackRow};

/// One job kind, declared once.
pub struct KindDef {
    /// The stored kind (`batches.kind`).
    pub kind: JobKind,
    /// What the user calls it (`Speech`, `Conversion`, …).
    pub label: &'static str,
    /// What one track of this kind is called in the UI (`track`, `take`, …).
    pub track_noun: &'static str,
    /// Its durable steps, in the order a track runs them. A step outside
    /// this list is refused by [`TrackCx::step`], so the list and the run
    /// body cannot drift apart unnoticed.
    pub steps: &'static [Step],
    /// Runs one claimed track through the steps (memoized: finished steps
    /// are skipped) and returns what the delivered file measured.
    pub(crate) run: fn(&TrackCx<'_>) -> Result<TrackResult>,
    /// The title tag of a delivered file.
    pub tag_title: fn(&TrackRow) -> String,
}

impl KindDef {
    /// Whether `step` is one of this kind's steps.
    pub fn has_step(&self, step: Step) -> bool {
        self.steps.contains(&step)
    }
}

impl std::fmt::Debug for KindDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KindDef")
            .field("kind", &self.kind)
            .field("steps", &self.steps)
            .finish_non_exhaustive()
    }
}

/// The title tag most kinds use: the track's title as it is.
pub fn plain_title(t: &TrackRow) -> String {
    t.title.clone()
}
