//! The batch pipeline: bounded worker concurrency over a batch's pending
//! tracks, durable steps per track ([`track`]), crash recovery, cancellation
//! and typed events.

pub(crate) mod cx;
pub mod events;
pub mod failpoint;
pub(crate) mod ingest;
pub(crate) mod join;
pub mod kind;
pub mod lock;
pub mod merge;
pub mod retry;
pub mod stages;
mod synth;
pub mod track;
pub(crate) mod transcribe;
pub(crate) mod units;

use std::sync::Arc;

use tokio::sync::{broadcast, Semaphore};

use crate::engines::conversion::ConverterRegistry;
use crate::engines::music::MusicRegistry;
use crate::engines::EngineRegistry;
use crate::error::{Error, Result};
use crate::home::Home;
use crate::store::{BatchRow, BatchStatus, Store};
pub use events::Event;
pub use retry::RetryPolicy;

/// Knobs for running batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Tracks processed at once (default: number of cores).
    pub workers: usize,
    /// Retry policy for transient engine errors.
    pub retry: RetryPolicy,
    /// ONNX Runtime intra-op threads per session for neural voices (default 1,
    /// or `$INTONE_ORT_THREADS`): parallelism comes from several workers.
    pub ort_intra_threads: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            workers: std::thread::available_parallelism().map_or(2, usize::from),
            retry: RetryPolicy::default(),
            ort_intra_threads: std::env::var("INTONE_ORT_THREADS")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|&n: &usize| n > 0)
                .unwrap_or(1),
        }
    }
}

/// Shared state of the pipeline.
pub struct Pipeline {
    /// The home.
    pub home: Home,
    /// The job store.
    pub store: Arc<Store>,
    /// Speech engines; replaced whole when `engines.toml` changes.
    engines: std::sync::RwLock<EngineRegistry>,
    /// Converters; replaced whole when `converters.toml` changes.
    converters: std::sync::RwLock<ConverterRegistry>,
    /// Music engines; replaced whole when `engines.toml` changes.
    music: std::sync::RwLock<MusicRegistry>,
    /// Options.
    pub options: RunOptions,
    /// The job kinds it can run ([`crate::kinds::ALL`]).
    kinds: &'static [&'static kind::KindDef],
    events: broadcast::Sender<Event>,
}

impl Pipeline {
    /// A pipeline over `store` in `home` that runs the job kinds `kinds`.
    pub fn new(
        home: Home,
        store: Arc<Store>,
        engines: EngineRegistry,
        options: RunOptions,
        kinds: &'static [&'static kind::KindDef],
    ) -> Self {
        let (events, _) = broadcast::channel(4096);
        let converters = ConverterRegistry::load(&home);
        let music = MusicRegistry::load(&home);
        Self {
            home,
            store,
            engines: std::sync::RwLock::new(engines),
            converters: std::sync::RwLock::new(converters),
            music: std::sync::RwLock::new(music),
            options,
            kinds,
            events,
        }
    }

    /// The definition of `kind`.
    ///
    /// # Errors
    /// [`Error::Config`] when this pipeline was not given that kind.
    pub fn kind(&self, kind: crate::store::JobKind) -> Result<&'static kind::KindDef> {
        self.kinds
            .iter()
            .find(|d| d.kind == kind)
            .copied()
            .ok_or_else(|| Error::Config(format!("no job kind \"{kind}\" is defined")))
    }

    /// The current engines (a cheap copy: engines are shared handles).
    pub fn engines(&self) -> EngineRegistry {
        self.engines
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Replaces the engines; tracks already running keep the engine they
    /// started with, later ones use the new set.
    pub fn set_engines(&self, engines: EngineRegistry) {
        *self
            .engines
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = engines;
    }

    /// The current converters (a cheap copy: converters are shared handles).
    pub fn converters(&self) -> ConverterRegistry {
        self.converters
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The current music engines (a cheap copy: engines are shared handles).
    pub fn music(&self) -> MusicRegistry {
        self.music
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Reloads the music engines (the built-in one and `engines.toml`'s Cog
    /// engines).
    pub fn reload_music(&self) {
        *self
            .music
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = MusicRegistry::load(&self.home);
    }

    /// Reloads the converters from `converters.toml`.
    pub fn reload_converters(&self) {
        *self
            .converters
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            ConverterRegistry::load(&self.home);
    }

    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Publishes an event (dropped when nobody listens).
    pub fn emit(&self, e: Event) {
        let _ = self.events.send(e);
    }

    /// Publishes the batch's current counters.
    pub fn emit_progress(&self, batch_id: i64) {
        if let Ok(b) = self.store.batch(batch_id) {
            self.emit(Event::progress(&b));
        }
    }

    /// Runs every pending track of a batch until none is left, recovering
    /// tracks orphaned by a crash first. Returns the batch as it ended.
    ///
    /// # Errors
    /// [`Error::Busy`] when another process is working on the batch;
    /// [`Error::NotFound`]; store errors. Track failures are not errors: they
    /// are recorded on the tracks.
    pub async fn run_batch(self: &Arc<Self>, batch_id: i64) -> Result<BatchRow> {
        let _lock = lock::BatchLock::try_acquire(&self.home, batch_id)?;
        let recovered = self.store.recover_batch(batch_id)?;
        if recovered > 0 {
            self.emit(Event::Log {
                level: "info".into(),
                message: format!("batch {batch_id}: resuming {recovered} interrupted track(s)"),
            });
        }
        let batch = self.store.batch(batch_id)?;
        let out_dir = self
            .home
            .project_dir(&batch.project_slug)
            .join("tracks")
            .join(format!("batch-{batch_id}"));
        crate::fsio::remove_stale_temps(&out_dir);
        // Clips a killed run was writing (the cache is shared: only dead writers' files go).
        crate::fsio::remove_stale_temps_two_levels(&self.home.clips_dir());
        self.emit(Event::progress(&batch));
        let sem = Arc::new(Semaphore::new(self.options.workers.max(1)));
        let mut set = tokio::task::JoinSet::new();
        for track_id in self.store.pending_tracks(batch_id)? {
            let permit = sem
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| Error::Cancelled)?;
            if self.store.batch(batch_id)?.status == BatchStatus::Cancelled {
                break;
            }
            let me = Arc::clone(self);
            let b = batch.clone();
            set.spawn_blocking(move || {
                let _permit = permit;
                track::run_track(&me, &b, track_id)
            });
            // Surface store errors early without waiting for the whole batch.
            while let Some(done) = set.try_join_next() {
                done.map_err(|e| Error::Config(format!("worker crashed: {e}")))??;
            }
        }
        while let Some(done) = set.join_next().await {
            done.map_err(|e| Error::Config(format!("worker crashed: {e}")))??;
        }
        let b = self.store.batch(batch_id)?;
        self.emit(Event::progress(&b));
        Ok(b)
    }
}
