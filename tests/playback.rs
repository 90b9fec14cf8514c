//! The player against a real ALSA device. The machine has no sound card, so
//! ALSA is pointed (ALSA_CONFIG_PATH) at a `plug` → `file` PCM (S16_LE,
//! 48 kHz, stereo) over a `null` slave; the tone comes from sox. One test in
//! this binary, so the environment is set before anything reads it. It plays
//! a track, then a voice preview in two parts.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use intone_app::playback::{Player, Source};

/// Polls `f` every 50 ms until it returns true or `limit` passes.
fn wait_for(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    f()
}

fn size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

#[test]
fn play_answers_once_started_plays_the_file_and_releases_the_device_when_done() {
    let dir = tempfile::tempdir().expect("temp dir");
    let capture = dir.path().join("capture.raw");
    let conf = dir.path().join("asound.conf");
    std::fs::write(
        &conf,
        format!(
            "pcm.!default {{ type plug; slave {{ pcm {{ type file; file \"{}\"; format \"raw\"; slave.pcm {{ type null }} }}; format S16_LE; rate 48000; channels 2 }} }}\n",
            capture.display()
        ),
    )
    .expect("asound.conf");
    // Only this test runs in this process, before any thread reads the environment.
    std::env::set_var("ALSA_CONFIG_PATH", &conf);

    // 60 s of a 440 Hz tone at half scale.
    let tone = dir.path().join("tone.wav");
    let sox = Command::new("sox")
        .args(["-n", "-r", "48000", "-c", "2", "-b", "16"])
        .arg(&tone)
        .args(["synth", "60", "sine", "440", "vol", "0.5"])
        .status()
        .expect("sox (scripts/setup.sh --dev installs it)");
    assert!(sox.success());

    let player = Player::start();
    // The answer comes once playback has started: not a stale "stopped".
    let st = player.play(Source::Track(7), tone.clone(), 0);
    assert_eq!(st.error, None, "{st:?}");
    assert_eq!(st.track_id, Some(7));
    assert_eq!(st.duration_ms, 60_000);
    assert!(st.playing, "play answered before playback started: {st:?}");

    // The null device is not paced to real time, so the minute ends quickly.
    assert!(
        wait_for(Duration::from_secs(60), || !player.state().playing),
        "never finished"
    );
    let st = player.state();
    assert_eq!(st.position_ms, 60_000, "{st:?}");

    // What reached the device is the tone: RMS of a half-scale sine ≈ −9 dBFS.
    let bytes = std::fs::read(&capture).expect("capture file");
    let samples: Vec<f64> = bytes
        .chunks_exact(2)
        .map(|b| f64::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
        .collect();
    assert!(
        samples.len() >= 60 * 48_000 * 2,
        "{} samples captured",
        samples.len()
    );
    let peak = samples.iter().fold(0.0f64, |m, s| m.max(s.abs()));
    assert!((0.45..0.55).contains(&peak), "peak {peak}");

    // The device is released after the track ends: the file stops growing.
    let released = wait_for(Duration::from_secs(20), || {
        let a = size(&capture);
        std::thread::sleep(Duration::from_millis(700));
        a == size(&capture)
    });
    assert!(released, "the device was kept open after the track ended");

    // Play again: the device is reopened and the track starts from the top.
    let st = player.play(Source::Track(7), tone, 0);
    assert!(st.playing && st.position_ms < 60_000, "{st:?}");
    let paused = player.pause();
    assert!(!paused.playing, "{paused:?}");

    // A two-part preview: the second part is queued behind the first and
    // plays after it; a part for another source is ignored.
    let tone_part = |name: &str, secs: &str, hz: &str| {
        let p = dir.path().join(name);
        let ok = Command::new("sox")
            .args(["-n", "-r", "48000", "-c", "2", "-b", "16"])
            .arg(&p)
            .args(["synth", secs, "sine", hz, "vol", "0.5"])
            .status()
            .expect("sox");
        assert!(ok.success());
        p
    };
    let (first, rest) = (
        tone_part("p1.wav", "2", "440"),
        tone_part("p2.wav", "3", "660"),
    );
    let before = size(&capture);
    let voice = Source::Preview("piper:joe".into());
    let st = player.play(voice.clone(), first.clone(), 0);
    assert_eq!(
        (st.preview_voice.as_deref(), st.duration_ms),
        (Some("piper:joe"), 2_000),
        "{st:?}"
    );
    let st = player.append(voice.clone(), rest);
    assert_eq!(st.duration_ms, 5_000, "{st:?}");
    let st = player.append(Source::Track(7), first.clone());
    assert_eq!(
        st.duration_ms, 5_000,
        "another source's part is not queued: {st:?}"
    );
    assert!(
        wait_for(Duration::from_secs(30), || !player.state().playing),
        "the preview never finished"
    );
    // Both parts reached the device: at least 5 s of stereo 16-bit frames.
    let played = size(&capture) - before;
    assert!(played >= 5 * 48_000 * 4, "{played} bytes for a 5 s preview");
    // Preview again: a fresh start, from the first part alone.
    let st = player.play(voice, first, 0);
    assert_eq!(st.duration_ms, 2_000, "{st:?}");
}
