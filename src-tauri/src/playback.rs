//! Playback of finished tracks through the system's audio output (rodio over
//! cpal) on a dedicated thread. A machine with no output device gets a clear
//! message in the state, never a crash.

use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

/// What the player is doing, as the UI shows it.
#[derive(Debug, Clone, Default, Serialize, PartialEq, specta::Type)]
pub struct PlaybackState {
    /// Track loaded, if any.
    pub track_id: Option<i64>,
    /// Preview loaded, if any: a voice id, or `convert:<input hash>` for a
    /// conversion preview.
    pub preview_voice: Option<String>,
    /// The track whose original input is loaded (A/B against its result).
    pub original_of: Option<i64>,
    /// Whether audio is running.
    pub playing: bool,
    /// Play head, ms.
    pub position_ms: u64,
    /// Length of the loaded track, ms.
    pub duration_ms: u64,
    /// Why playback cannot happen (no output device, unreadable file).
    pub error: Option<String>,
    /// Whether the loaded audio repeats end to start (a loop take).
    pub looping: bool,
}

/// How a file is played: a gain (to match loudness for an A/B) and
/// whether it repeats (a seamless loop).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PlayOpts {
    /// Gain, dB (0: as the file is).
    pub gain_db: f32,
    /// Repeat end to start until paused or replaced.
    pub looped: bool,
}

/// What is loaded: a finished track or a voice preview.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A track by id.
    Track(i64),
    /// A preview by label (voice id, `convert:<hash>`).
    Preview(String),
    /// The original input of a track by id.
    Original(i64),
}

enum Cmd {
    Play {
        source: Source,
        path: PathBuf,
        from_ms: u64,
        opts: PlayOpts,
    },
    Append {
        source: Source,
        path: PathBuf,
        gain_db: f32,
    },
    Pause,
    Seek(u64),
}

/// A command and the channel that is told once it has been applied.
struct Request {
    cmd: Cmd,
    done: mpsc::Sender<()>,
}

/// Longest wait for the audio thread to apply a command (decoding a long
/// track is the slow part).
const APPLY_TIMEOUT: Duration = Duration::from_secs(30);

struct Shared {
    sink: Option<rodio::Sink>,
    state: PlaybackState,
}

/// Handle to the audio thread; clones share it.
#[derive(Clone)]
pub struct Player {
    tx: mpsc::Sender<Request>,
    shared: Arc<Mutex<Shared>>,
}

impl Player {
    /// Starts the audio thread. The default output device is probed at once
    /// (so a missing device shows in [`PlaybackState::error`]) and opened for
    /// real only while audio plays.
    pub fn start() -> Self {
        let (tx, rx) = mpsc::channel::<Request>();
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

    /// Plays `path` (any format the decoder reads) as `source` from
    /// `from_ms`, and returns the state once playback has started (or
    /// failed, with [`PlaybackState::error`] set). Blocks while the file is
    /// decoded: call it off the UI thread.
    pub fn play(&self, source: Source, path: PathBuf, from_ms: u64) -> PlaybackState {
        self.play_with(source, path, from_ms, PlayOpts::default())
    }

    /// [`Self::play`] with a gain and, for a loop, repetition.
    pub fn play_with(
        &self,
        source: Source,
        path: PathBuf,
        from_ms: u64,
        opts: PlayOpts,
    ) -> PlaybackState {
        self.apply(Cmd::Play {
            source,
            path,
            from_ms,
            opts,
        })
    }

    /// Queues `path` after what `source` is playing (a preview's later
    /// part), so it follows without a gap; ignored when another source has
    /// been loaded since. Returns the state after.
    pub fn append(&self, source: Source, path: PathBuf) -> PlaybackState {
        self.append_with(source, path, 0.0)
    }

    /// [`Self::append`] with a gain, dB.
    pub fn append_with(&self, source: Source, path: PathBuf, gain_db: f32) -> PlaybackState {
        self.apply(Cmd::Append {
            source,
            path,
            gain_db,
        })
    }

    /// Pauses; returns the state after the pause.
    pub fn pause(&self) -> PlaybackState {
        self.apply(Cmd::Pause)
    }

    /// Moves the play head to `ms`; returns the state after the move.
    pub fn seek(&self, ms: u64) -> PlaybackState {
        self.apply(Cmd::Seek(ms))
    }

    /// Sends `cmd` and waits (at most [`APPLY_TIMEOUT`]) until the audio
    /// thread has applied it.
    fn apply(&self, cmd: Cmd) -> PlaybackState {
        let (done, applied) = mpsc::channel();
        if self.tx.send(Request { cmd, done }).is_ok() {
            let _ = applied.recv_timeout(APPLY_TIMEOUT);
        }
        self.state()
    }

    /// The current state, with the live play head.
    pub fn state(&self) -> PlaybackState {
        let Ok(s) = self.shared.lock() else {
            return PlaybackState::default();
        };
        let mut st = s.state.clone();
        if let Some(sink) = &s.sink {
            st.position_ms = if st.looping {
                (sink.get_pos().as_millis() as u64) % st.duration_ms.max(1)
            } else {
                play_head_ms(sink, st.duration_ms)
            };
            st.playing = !sink.is_paused() && !sink.empty();
        }
        st
    }
}

/// Where `sink` is in a track of `duration_ms`: its position, or the end once
/// it has played everything.
fn play_head_ms(sink: &rodio::Sink, duration_ms: u64) -> u64 {
    if sink.empty() {
        duration_ms
    } else {
        (sink.get_pos().as_millis() as u64).min(duration_ms)
    }
}

/// How long a finished track keeps the output device open before it is
/// released (a next click within this time starts without reopening).
const RELEASE_AFTER_END: Duration = Duration::from_secs(3);
/// How long a paused track keeps the output device open.
const RELEASE_AFTER_PAUSE: Duration = Duration::from_secs(60);
/// How often an open device is checked for idleness.
const IDLE_CHECK: Duration = Duration::from_millis(250);

const NO_DEVICE: &str = "No audio output device was found, so tracks cannot be played here. \
                         They can still be generated and exported.";

/// Opens the default output device, or records why it cannot be opened.
fn open_output(shared: &Arc<Mutex<Shared>>) -> Option<rodio::OutputStream> {
    match rodio::OutputStreamBuilder::open_default_stream() {
        Ok(mut s) => {
            s.log_on_drop(false);
            Some(s)
        }
        Err(e) => {
            tracing::warn!("no audio output: {e}");
            if let Ok(mut s) = shared.lock() {
                s.state.error = Some(NO_DEVICE.into());
            }
            None
        }
    }
}

/// The audio thread. The output device is opened only while something plays
/// (and briefly after), so an idle studio holds no device and costs no CPU; a
/// probe at start tells the UI at once when there is no device at all.
fn audio_thread(rx: &mpsc::Receiver<Request>, shared: &Arc<Mutex<Shared>>) {
    drop(open_output(shared));
    let mut stream: Option<rodio::OutputStream> = None;
    let mut idle_since: Option<Instant> = None;
    loop {
        let req = if stream.is_some() {
            match rx.recv_timeout(IDLE_CHECK) {
                Ok(req) => req,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if release_when_idle(shared, &mut idle_since) {
                        stream = None;
                    }
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        } else {
            match rx.recv() {
                Ok(req) => req,
                Err(_) => return,
            }
        };
        idle_since = None;
        match req.cmd {
            Cmd::Play {
                source,
                path,
                from_ms,
                opts,
            } => start_playing(shared, &mut stream, source, &path, from_ms, opts),
            Cmd::Append {
                source,
                path,
                gain_db,
            } => append_part(shared, &source, &path, gain_db),
            Cmd::Pause => {
                if let Ok(s) = shared.lock() {
                    if let Some(k) = &s.sink {
                        k.pause();
                    }
                }
            }
            Cmd::Seek(ms) => {
                if let Ok(s) = shared.lock() {
                    if let Some(k) = &s.sink {
                        let _ = k.try_seek(Duration::from_millis(ms));
                    }
                }
            }
        }
        let _ = req.done.send(());
    }
}

/// The (track, preview, original) fields of the state for `source`.
fn ids_of(source: Source) -> (Option<i64>, Option<String>, Option<i64>) {
    match source {
        Source::Track(id) => (Some(id), None, None),
        Source::Preview(v) => (None, Some(v), None),
        Source::Original(id) => (None, None, Some(id)),
    }
}

/// Queues `path` on the sink when `source` is still the one loaded, and
/// lengthens the loaded duration by it.
fn append_part(shared: &Arc<Mutex<Shared>>, source: &Source, path: &std::path::Path, gain_db: f32) {
    let (track_id, preview_voice, original_of) = ids_of(source.clone());
    let decoded = intone_core::audio::decode::decode_file(path).map(|c| gained(c, gain_db));
    let Ok(mut s) = shared.lock() else { return };
    let loaded = s.state.track_id == track_id
        && s.state.preview_voice == preview_voice
        && s.state.original_of == original_of;
    if !loaded || s.sink.is_none() {
        return;
    }
    match decoded {
        Ok(clip) => {
            let ms = clip.duration_ms() as u64;
            if let Some(sink) = &s.sink {
                sink.append(rodio::buffer::SamplesBuffer::new(
                    clip.channels,
                    clip.sample_rate_hz,
                    clip.samples,
                ));
            }
            s.state.duration_ms += ms;
        }
        Err(e) => s.state.error = Some(format!("cannot play: {e}")),
    }
}

/// Resumes `source` if it is loaded and not finished (a track, never a
/// preview); otherwise opens the
/// device if needed, decodes `path` (without holding the state lock, so the
/// UI can keep reading the play head) and starts it at `from_ms`.
fn start_playing(
    shared: &Arc<Mutex<Shared>>,
    stream: &mut Option<rodio::OutputStream>,
    source: Source,
    path: &std::path::Path,
    from_ms: u64,
    opts: PlayOpts,
) {
    // A preview always starts over: its later parts are queued behind it.
    let resumable = !matches!(source, Source::Preview(_));
    let (track_id, preview_voice, original_of) = ids_of(source);
    {
        let Ok(s) = shared.lock() else { return };
        let loaded = resumable
            && s.state.track_id == track_id
            && s.state.preview_voice == preview_voice
            && s.state.original_of == original_of;
        if let Some(k) = s.sink.as_ref().filter(|k| loaded && !k.empty()) {
            let _ = k.try_seek(Duration::from_millis(from_ms));
            k.play();
            return;
        }
    }
    if stream.is_none() {
        *stream = open_output(shared);
    }
    let Some(out) = stream.as_ref() else { return };
    let decoded = intone_core::audio::decode::decode_file(path).map(|c| gained(c, opts.gain_db));
    let Ok(mut s) = shared.lock() else { return };
    match decoded {
        Ok(clip) => {
            if let Some(old) = s.sink.take() {
                old.stop();
            }
            let duration_ms = clip.duration_ms() as u64;
            // Play from the end (an A/B switch after the other side ended) starts over.
            let from_ms = if from_ms >= duration_ms { 0 } else { from_ms };
            let sink = rodio::Sink::connect_new(out.mixer());
            let buffer =
                rodio::buffer::SamplesBuffer::new(clip.channels, clip.sample_rate_hz, clip.samples);
            if opts.looped {
                sink.append(rodio::Source::repeat_infinite(buffer));
            } else {
                sink.append(buffer);
            }
            let _ = sink.try_seek(Duration::from_millis(from_ms));
            sink.play();
            s.sink = Some(sink);
            s.state = PlaybackState {
                track_id,
                preview_voice,
                original_of,
                playing: true,
                position_ms: from_ms.min(duration_ms),
                duration_ms,
                error: None,
                looping: opts.looped,
            };
        }
        Err(e) => s.state.error = Some(format!("cannot play: {e}")),
    }
}

/// `clip` turned up or down by `gain_db`.
fn gained(mut clip: intone_core::audio::Clip, gain_db: f32) -> intone_core::audio::Clip {
    if gain_db != 0.0 {
        let g = 10f32.powf(gain_db / 20.0);
        clip.samples.iter_mut().for_each(|s| *s *= g);
    }
    clip
}

/// Called while the device is open and no command came: returns true when
/// the device has been idle long enough to release it. The play head is kept
/// in the state, so play resumes from it after the release.
fn release_when_idle(shared: &Arc<Mutex<Shared>>, idle_since: &mut Option<Instant>) -> bool {
    let Ok(mut s) = shared.lock() else {
        return true;
    };
    let limit = match &s.sink {
        None => Duration::ZERO,
        Some(k) if k.empty() => RELEASE_AFTER_END,
        Some(k) if k.is_paused() => RELEASE_AFTER_PAUSE,
        Some(_) => {
            *idle_since = None;
            return false;
        }
    };
    let since = *idle_since.get_or_insert_with(Instant::now);
    if since.elapsed() < limit {
        return false;
    }
    if let Some(k) = s.sink.take() {
        s.state.position_ms = play_head_ms(&k, s.state.duration_ms);
        s.state.playing = false;
        k.stop();
    }
    *idle_since = None;
    true
}
