//! Progress on stderr from the pipeline's events: indicatif bars on a
//! terminal, plain lines otherwise (logs, CI, pipes).

use std::collections::HashMap;
use std::future::Future;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use intone_core::pipeline::Event;
use intone_core::store::{Step, TrackStatus};
use intone_core::Studio;
use tokio::sync::broadcast::error::RecvError;

/// Runs `work` while drawing progress from the studio's events.
pub async fn with_progress<T>(studio: &Studio, work: impl Future<Output = T>) -> T {
    let mut rx = studio.subscribe();
    let tty = std::io::stderr().is_terminal();
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    let drawer = tokio::spawn(async move {
        let mut view = View::new(tty);
        loop {
            tokio::select! {
                r = rx.recv() => match r {
                    Ok(e) => view.on(&e),
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break,
                },
                _ = &mut stop_rx => {
                    // Draw what was already published, then stop.
                    while let Ok(e) = rx.try_recv() {
                        view.on(&e);
                    }
                    break;
                }
            }
        }
        view.finish();
    });
    let out = work.await;
    let _ = stop_tx.send(());
    let _ = drawer.await;
    out
}

struct View {
    tty: bool,
    multi: MultiProgress,
    batch_bars: HashMap<i64, ProgressBar>,
    track_bars: HashMap<i64, ProgressBar>,
    last_line: HashMap<i64, String>,
}

impl View {
    fn new(tty: bool) -> Self {
        Self {
            tty,
            multi: MultiProgress::new(),
            batch_bars: HashMap::new(),
            track_bars: HashMap::new(),
            last_line: HashMap::new(),
        }
    }

    fn on(&mut self, e: &Event) {
        match e {
            Event::BatchProgress {
                batch_id,
                status,
                expected,
                completed,
                failed,
                pending,
                ..
            } => {
                let msg = format!(
                    "{completed} of {expected} completed · {failed} failed · {pending} pending"
                );
                if self.tty {
                    let bar = self.batch_bars.entry(*batch_id).or_insert_with(|| {
                        let b = self.multi.add(ProgressBar::new((*expected).max(0) as u64));
                        b.set_style(
                            ProgressStyle::with_template(
                                "batch {prefix} [{bar:32.cyan/blue}] {msg} ({elapsed})",
                            )
                            .unwrap_or_else(|_| ProgressStyle::default_bar())
                            .progress_chars("█▌ "),
                        );
                        b.set_prefix(batch_id.to_string());
                        b
                    });
                    bar.set_length((*expected).max(0) as u64);
                    bar.set_position((completed + failed).max(0) as u64);
                    bar.set_message(format!("{msg} · {}", status.as_str().replace('_', " ")));
                } else if self.last_line.get(batch_id) != Some(&msg) {
                    eprintln!("batch {batch_id}: {msg}");
                    self.last_line.insert(*batch_id, msg);
                }
            }
            Event::TrackStatus {
                track_id,
                title,
                variant,
                status,
                stage,
                progress,
                units,
                error,
                ..
            } => {
                let label = format!("{title} · {variant}");
                let what = match (status, stage) {
                    (TrackStatus::Running, Some(s)) => match (units, progress) {
                        // Scenes are made one after another: name the one in hand.
                        (Some(u), _) if *s == Step::Generate => {
                            format!("generating scene {}/{}", (u.done + 1).min(u.total), u.total)
                        }
                        (Some(u), _) => format!("{} {}/{}", s.progressive(), u.done, u.total),
                        (None, Some(p)) if self.tty => {
                            format!("{} {:.0}%", s.progressive(), p * 100.0)
                        }
                        _ => s.progressive().to_string(),
                    },
                    (TrackStatus::Running, None) => "starting".into(),
                    (TrackStatus::Failed, _) => {
                        format!("failed: {}", error.clone().unwrap_or_default())
                    }
                    (s, _) => s.as_str().to_string(),
                };
                if self.tty {
                    let done = !matches!(status, TrackStatus::Running | TrackStatus::Pending);
                    if done {
                        if let Some(b) = self.track_bars.remove(track_id) {
                            b.finish_and_clear();
                        }
                        if *status == TrackStatus::Failed {
                            let _ = self.multi.println(format!("✗ {label}: {what}"));
                        }
                        return;
                    }
                    let bar = self.track_bars.entry(*track_id).or_insert_with(|| {
                        let b = self.multi.add(ProgressBar::new_spinner());
                        b.set_style(
                            ProgressStyle::with_template("  {spinner} {msg}")
                                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                        );
                        b.enable_steady_tick(Duration::from_millis(120));
                        b
                    });
                    bar.set_message(format!("{label}: {what}"));
                } else if progress.is_none_or(|p| p >= 1.0)
                    || units.is_some()
                    || !matches!(status, TrackStatus::Running)
                {
                    let line = format!("{label}: {what}");
                    if self.last_line.get(&-track_id) != Some(&line) {
                        eprintln!("  {line}");
                        self.last_line.insert(-track_id, line);
                    }
                }
            }
            Event::Log { level, message } => {
                if self.tty {
                    let _ = self.multi.println(format!("{level}: {message}"));
                } else {
                    eprintln!("{level}: {message}");
                }
            }
        }
    }

    fn finish(&mut self) {
        for (_, b) in self.track_bars.drain() {
            b.finish_and_clear();
        }
        for (_, b) in self.batch_bars.drain() {
            b.finish();
        }
    }
}
