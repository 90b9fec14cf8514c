//! Playback of finished tracks through the system's audio output (rodio over
//! cpal) on a dedicated thread. A machine with no output device gets a clear
//! message in the state, never a crash.

use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

/// What the player is doing, as the UI shows it.
#[derive(Debug, Clone, Default, Serialize, PartialEq, specta::Type)]
pub struct PlaybackState {
    /// Track loaded, if any.
    pub track_id: Option<i64>,
    /// Voice whose preview is loaded, if any.
    pub preview_voice: Option<String>,
    /// Whether audio is running.
    pub playing: bool,
    /// Play head, ms.
    pub position_ms: u64,
    /// Length of the loaded track, ms.
    pub duration_ms: u64,
    /// Why playback cannot happen (no output device, unreadable file).
    pub error: Option<String>,
}

/// What is loaded: a finished track or a voice preview.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A track by id.
    Track(i64),
    /// A voice's preview sample by voice id.
    Preview(String),
}

enum Cmd {
    Play {
        source: Source,
        path: PathBuf,
        from_ms: u64,
    },
    Pause,
    Seek(u64),
}

struct Shared {
    sink: Option<rodio::Sink>,
    state: PlaybackState,
}

/// Handle to the audio thread.
pub struct Player {
    tx: mpsc::Sender<Cmd>,
    shared: Arc<Mutex<Shared>>,
}

impl Player {
    /// Starts the audio thread (opening the default output device).
    pub fn start() -> Self {
        let (tx, rx) = mpsc::channel::<Cmd>();
        let shared = Arc::new(Mutex::new(Shared {
            sink: None,
            state: PlaybackState::default(),
        }));
        let sh = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("intone-audio".into())
            .spawn(move || audio_thread(&rx, &sh));
        if let Err(e) = spawned {
            if let Ok(mut s) = shared.lock() {
                s.state.error = Some(format!("audio thread could not start: {e}"));
            }
        }
        Self { tx, shared }
    }

    /// Plays `path` (WAV/FLAC) as `source` from `from_ms`.
    pub fn play(&self, source: Source, path: PathBuf, from_ms: u64) {
        let _ = self.tx.send(Cmd::Play {
            source,
            path,
            from_ms,
        });
    }

    /// Pauses.
    pub fn pause(&self) {
        let _ = self.tx.send(Cmd::Pause);
    }

    /// Moves the play head.
    pub fn seek(&self, ms: u64) {
        let _ = self.tx.send(Cmd::Seek(ms));
    }

    /// The current state, with the live play head.
    pub fn state(&self) -> PlaybackState {
        let Ok(s) = self.shared.lock() else {
            return PlaybackState::default();
        };
        let mut st = s.state.clone();
        if let Some(sink) = &s.sink {
            st.position_ms = (sink.get_pos().as_millis() as u64).min(st.duration_ms);
            st.playing = !sink.is_paused() && !sink.empty();
            if sink.empty() {
                st.position_ms = st.duration_ms;
            }
        }
        st
    }
}

fn audio_thread(rx: &mpsc::Receiver<Cmd>, shared: &Arc<Mutex<Shared>>) {
    let stream = match rodio::OutputStreamBuilder::open_default_stream() {
        Ok(mut s) => {
            s.log_on_drop(false);
            Some(s)
        }
        Err(e) => {
            tracing::warn!("no audio output: {e}");
            if let Ok(mut s) = shared.lock() {
                s.state.error = Some(
                    "No audio output device was found, so tracks cannot be played here. \
                     They can still be generated and exported."
                        .into(),
                );
            }
            None
        }
    };
    while let Ok(cmd) = rx.recv() {
        let Ok(mut s) = shared.lock() else { return };
        match cmd {
            Cmd::Play {
                source,
                path,
                from_ms,
            } => {
                let Some(stream) = &stream else { continue };
                let (track_id, preview_voice) = match source {
                    Source::Track(id) => (Some(id), None),
                    Source::Preview(v) => (None, Some(v)),
                };
                let same = s.state.track_id == track_id
                    && s.state.preview_voice == preview_voice
                    && s.sink.as_ref().is_some_and(|k| !k.empty());
                if same {
                    if let Some(k) = &s.sink {
                        let _ = k.try_seek(Duration::from_millis(from_ms));
                        k.play();
                    }
                    continue;
                }
                match intone_core::audio::decode::decode_file(&path) {
                    Ok(clip) => {
                        if let Some(old) = s.sink.take() {
                            old.stop();
                        }
                        let duration_ms = clip.duration_ms() as u64;
                        let sink = rodio::Sink::connect_new(stream.mixer());
                        sink.append(rodio::buffer::SamplesBuffer::new(
                            clip.channels,
                            clip.sample_rate_hz,
                            clip.samples,
                        ));
                        let _ = sink.try_seek(Duration::from_millis(from_ms));
                        sink.play();
                        s.sink = Some(sink);
                        s.state = PlaybackState {
                            track_id,
                            preview_voice,
                            playing: true,
                            position_ms: from_ms,
                            duration_ms,
                            error: None,
                        };
                    }
                    Err(e) => s.state.error = Some(format!("cannot play: {e}")),
                }
            }
            Cmd::Pause => {
                if let Some(k) = &s.sink {
                    k.pause();
                }
            }
            Cmd::Seek(ms) => {
                if let Some(k) = &s.sink {
                    let _ = k.try_seek(Duration::from_millis(ms));
                }
            }
        }
    }
}
