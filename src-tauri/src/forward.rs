//! Forwards the core's events to the window at a bounded rate: everything
//! that happened to a batch within one 100 ms tick is coalesced into a single
//! `intone://batch` event (its latest counters and each changed track's latest
//! state), so a batch never sends more than 10 events per second however fast
//! its tracks move. Log lines go out as `intone://log`.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use intone_core::pipeline::Event;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};
use tauri_specta::Event as _;
use tokio::sync::broadcast::{error::RecvError, Receiver};

/// Interval between flushes.
pub const TICK: Duration = Duration::from_millis(100);

/// One batch's changes during a tick.
#[derive(
    Debug, Clone, Default, Serialize, Deserialize, PartialEq, specta::Type, tauri_specta::Event,
)]
#[tauri_specta(event_name = "intone://batch")]
pub struct BatchUpdate {
    /// Batch id.
    pub batch_id: i64,
    /// Latest counters (a `batch_progress` event), if they changed.
    pub progress: Option<Event>,
    /// Latest `track_status` event of every track that changed.
    pub tracks: Vec<Event>,
}

/// A line for the log view.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, specta::Type, tauri_specta::Event)]
#[tauri_specta(event_name = "intone://log")]
pub struct LogLine {
    /// `info`, `warn` or `error`.
    pub level: String,
    /// The message.
    pub message: String,
}

/// Coalesces events between ticks.
#[derive(Default)]
pub struct Coalescer {
    batches: BTreeMap<i64, (Option<Event>, HashMap<i64, Event>)>,
    logs: Vec<LogLine>,
}

impl Coalescer {
    /// Takes one event.
    pub fn push(&mut self, e: Event) {
        match &e {
            Event::BatchProgress { batch_id, .. } => {
                let id = *batch_id;
                self.batches.entry(id).or_default().0 = Some(e);
            }
            Event::TrackStatus {
                batch_id, track_id, ..
            } => {
                let id = *track_id;
                self.batches.entry(*batch_id).or_default().1.insert(id, e);
            }
            Event::Log { level, message } => self.logs.push(LogLine {
                level: level.clone(),
                message: message.clone(),
            }),
        }
    }

    /// The updates to send now (one per batch) and the log lines.
    pub fn drain(&mut self) -> (Vec<BatchUpdate>, Vec<LogLine>) {
        let updates = std::mem::take(&mut self.batches)
            .into_iter()
            .map(|(batch_id, (progress, tracks))| {
                let mut tracks: Vec<(i64, Event)> = tracks.into_iter().collect();
                tracks.sort_by_key(|(id, _)| *id);
                BatchUpdate {
                    batch_id,
                    progress,
                    tracks: tracks.into_iter().map(|(_, e)| e).collect(),
                }
            })
            .collect();
        (updates, std::mem::take(&mut self.logs))
    }
}

/// Starts forwarding.
pub fn spawn<R: Runtime>(app: AppHandle<R>, mut rx: Receiver<Event>) {
    tauri::async_runtime::spawn(async move {
        let mut c = Coalescer::default();
        let mut tick = tokio::time::interval(TICK);
        loop {
            tokio::select! {
                r = rx.recv() => match r {
                    Ok(e) => c.push(e),
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break,
                },
                _ = tick.tick() => {
                    let (updates, logs) = c.drain();
                    for u in updates {
                        let _ = u.emit(&app);
                    }
                    for l in logs {
                        let _ = l.emit(&app);
                    }
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use intone_core::store::{BatchStatus, JobKind, Step, TrackStatus};

    use super::*;

    fn track(batch: i64, id: i64, stage: Step) -> Event {
        Event::TrackStatus {
            batch_id: batch,
            track_id: id,
            title: "S".into(),
            variant: "voice".into(),
            status: TrackStatus::Running,
            stage: Some(stage),
            progress: None,
            units: None,
            error: None,
        }
    }

    fn progress(batch: i64, completed: i64) -> Event {
        Event::BatchProgress {
            batch_id: batch,
            status: BatchStatus::Processing,
            expected: 500,
            completed,
            failed: 0,
            cancelled: 0,
            pending: 500 - completed,
        }
    }

    #[test]
    fn a_flood_becomes_one_update_per_batch_per_tick() {
        let mut c = Coalescer::default();
        // 500 tracks of batch 1 each move through every step within one tick, plus batch 2.
        for id in 0..500 {
            for &s in intone_core::kinds::steps(JobKind::Speech) {
                c.push(track(1, id, s));
            }
            c.push(progress(1, id));
        }
        c.push(progress(2, 1));
        let (updates, logs) = c.drain();
        assert!(logs.is_empty());
        assert_eq!(updates.len(), 2, "one event per batch per tick");
        let b1 = &updates[0];
        assert_eq!(b1.tracks.len(), 500, "each track once, at its latest state");
        let last = intone_core::kinds::steps(JobKind::Speech).last().copied();
        assert!(matches!(
            &b1.tracks[7],
            Event::TrackStatus { stage, .. } if *stage == last
        ));
        assert_eq!(b1.progress, Some(progress(1, 499)));
        assert!(c.drain().0.is_empty(), "nothing is sent twice");
    }
}
