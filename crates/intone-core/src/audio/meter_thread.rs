//! A loudness meter beside the step that feeds it: what a step writes is
//! measured (K-weighted gated loudness, and the 4×-oversampled true peak, the
//! costliest part of mastering and encoding) on two threads of their own,
//! one for each measurement, instead of after each block on the step's
//! thread. Blocks travel through bounded channels (at most [`QUEUE_BLOCKS`]
//! in flight), so memory stays flat whatever the length. Measurements per
//! ITU-R BS.1770-4 by the `ebur128` crate, as [`Meter`] makes them.

use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use ebur128::{EbuR128, Mode};

use crate::audio::loudness::{Loudness, Meter};
use crate::error::{Error, Result};

/// Blocks queued for each meter thread at most.
pub const QUEUE_BLOCKS: usize = 4;

type Block = Arc<Vec<f32>>;

/// Integrated loudness and true peak measured on two threads.
pub struct MeterThread {
    queues: Vec<SyncSender<Block>>,
    loudness: Option<JoinHandle<Result<Loudness>>>,
    /// `None` for [`MeterThread::start_integrated`].
    peak: Option<JoinHandle<Result<f64>>>,
    label: std::path::PathBuf,
}

impl MeterThread {
    /// Starts the meters for `channels` at `sample_rate_hz`; `label` names
    /// the audio in errors.
    ///
    /// # Errors
    /// [`Error::Audio`] for channel counts or rates the meter refuses, or when
    /// a thread cannot start.
    pub fn start(channels: u16, sample_rate_hz: u32, label: &Path) -> Result<Self> {
        Self::with_true_peak(channels, sample_rate_hz, label, true)
    }

    /// Starts the loudness meter alone: the peak [`MeterThread::finish`]
    /// reports is the sample peak (dBFS), not the true peak.
    ///
    /// # Errors
    /// As [`MeterThread::start`].
    pub fn start_integrated(channels: u16, sample_rate_hz: u32, label: &Path) -> Result<Self> {
        Self::with_true_peak(channels, sample_rate_hz, label, false)
    }

    fn with_true_peak(
        channels: u16,
        sample_rate_hz: u32,
        label: &Path,
        true_peak: bool,
    ) -> Result<Self> {
        let meter_err = |e: ebur128::Error| Error::audio(label, format!("loudness meter: {e:?}"));
        let mut loudness = Meter::integrated_only(channels, sample_rate_hz, label)?;
        let mut peak = EbuR128::new(u32::from(channels), sample_rate_hz, Mode::TRUE_PEAK)
            .map_err(meter_err)?;
        let (l_tx, l_rx) = sync_channel::<Block>(QUEUE_BLOCKS);
        let (p_tx, p_rx) = sync_channel::<Block>(QUEUE_BLOCKS);
        let spawn_err = |e: std::io::Error| Error::audio(label, format!("meter thread: {e}"));
        let l_handle = std::thread::Builder::new()
            .name("intone-loudness".into())
            .spawn(move || {
                let mut failed = None;
                for block in l_rx {
                    if failed.is_none() {
                        failed = loudness.add(&block).err();
                    }
                }
                match failed {
                    Some(e) => Err(e),
                    None => loudness.result(),
                }
            })
            .map_err(spawn_err)?;
        if !true_peak {
            return Ok(Self {
                queues: vec![l_tx],
                loudness: Some(l_handle),
                peak: None,
                label: label.to_path_buf(),
            });
        }
        let path = label.to_path_buf();
        let p_handle = std::thread::Builder::new()
            .name("intone-true-peak".into())
            .spawn(move || {
                let err =
                    |e: ebur128::Error| Error::audio(&path, format!("true-peak meter: {e:?}"));
                let mut failed = None;
                for block in p_rx {
                    if failed.is_none() {
                        failed = peak.add_frames_f32(&block).err();
                    }
                }
                if let Some(e) = failed {
                    return Err(err(e));
                }
                (0..u32::from(channels))
                    .try_fold(0f64, |m, c| Ok(m.max(peak.true_peak(c).map_err(err)?)))
            })
            .map_err(spawn_err)?;
        Ok(Self {
            queues: vec![l_tx, p_tx],
            loudness: Some(l_handle),
            peak: Some(p_handle),
            label: label.to_path_buf(),
        })
    }

    /// Queues interleaved frames (waits while [`QUEUE_BLOCKS`] are in flight).
    ///
    /// # Errors
    /// [`Error::Audio`] when a meter thread has stopped.
    pub fn add(&mut self, interleaved: &[f32]) -> Result<()> {
        if interleaved.is_empty() {
            return Ok(());
        }
        let block: Block = Arc::new(interleaved.to_vec());
        for q in &self.queues {
            q.send(Arc::clone(&block))
                .map_err(|_| Error::audio(&self.label, "meter thread stopped"))?;
        }
        Ok(())
    }

    /// Waits for the meters to take every block and returns the measurement:
    /// integrated loudness, and the true peak over all channels in dBTP.
    ///
    /// # Errors
    /// [`Error::Audio`] from a meter, or when its thread panicked.
    pub fn finish(mut self) -> Result<Loudness> {
        self.queues.clear();
        let failed = || Error::audio(&self.label, "meter thread failed");
        let loudness = self
            .loudness
            .take()
            .ok_or_else(failed)?
            .join()
            .map_err(|_| failed())??;
        let Some(peak) = self.peak.take() else {
            return Ok(loudness);
        };
        let peak = peak.join().map_err(|_| failed())??;
        Ok(Loudness {
            true_peak_dbtp: if peak > 0.0 {
                super::gain_to_db(peak)
            } else {
                -144.0
            },
            ..loudness
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_the_same_as_a_meter_in_line() {
        let sr = 48_000;
        let samples: Vec<f32> = (0..sr * 3)
            .flat_map(|i| {
                let t = i as f32 / sr as f32;
                let x = 0.3 * (t * 997.0 * std::f32::consts::TAU).sin();
                [x, 0.5 * x]
            })
            .collect();
        let mut inline = Meter::new(2, sr, Path::new("x")).expect("meter");
        let mut threaded = MeterThread::start(2, sr, Path::new("x")).expect("thread");
        for block in samples.chunks(4096 * 2) {
            inline.add(block).expect("add");
            threaded.add(block).expect("add");
        }
        assert_eq!(
            threaded.finish().expect("result"),
            inline.result().expect("result")
        );
    }
}
