//! `intone convert` end to end with the real binary, real recordings (the
//! speech WAVs of Debian's alsa-utils, joined with silences; M4A and MP4 made
//! from them with ffmpeg), real converter processes (sox through a small
//! script that logs every call), crashes at a chunk, retries, dedup and a
//! folder of broken files. The watched folder is in `convert_watch.rs`.

mod common;
#[path = "../crates/intone-core/tests/common/ffmpeg.rs"]
mod ffmpeg;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::convert::{calls, converter_script, home_in};
use common::{intone, json, recording, run, stderr};

fn read_wav(p: &Path) -> (hound::WavSpec, Vec<f32>) {
    let mut r = hound::WavReader::open(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let spec = r.spec();
    let v = match spec.sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(|s| s.expect("sample")).collect(),
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample - 1)) as f32;
            r.samples::<i32>()
                .map(|s| s.expect("sample") as f32 * scale)
                .collect()
        }
    };
    (spec, v)
}

fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg must be installed (scripts/setup.sh --dev installs it)");
    assert!(out.status.success(), "ffmpeg {args:?}: {}", stderr(&out));
}

#[test]
fn wav_m4a_and_mp4_convert_to_the_input_length_on_target_without_clicks() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = home_in(dir.path());
    let wav = recording(dir.path());
    let m4a = dir.path().join("talk.m4a");
    let mp4 = dir.path().join("talk.mp4");
    ffmpeg(&[
        "-i",
        &wav.to_string_lossy(),
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        &m4a.to_string_lossy(),
    ]);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=10",
        "-i",
        &wav.to_string_lossy(),
        "-shortest",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        &mp4.to_string_lossy(),
    ]);
    let out = run(intone(&home)
        .args(["convert", "--json", "--max-chunk-s", "8"])
        .arg(&wav)
        .arg(&m4a)
        .arg(&mp4));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["status"], "completed");
    let tracks = doc["tracks"].as_array().expect("tracks").clone();
    assert_eq!(tracks.len(), 3);
    let (_, input) = read_wav(&wav);
    for t in &tracks {
        assert_eq!(t["status"], "completed", "{t}");
        assert!(t["units_total"].as_i64().expect("chunks") >= 7, "{t}");
        assert_eq!(t["units_done"], t["units_total"]);
        assert!(t["input_hash"].is_string());
        let p = PathBuf::from(t["output_path"].as_str().expect("path"));
        let (spec, samples) = read_wav(&p);
        assert_eq!(spec.sample_rate, 48_000);
        let lufs = ffmpeg::lufs(&p);
        assert!((lufs + 16.0).abs() <= 0.5, "{}: {lufs} LUFS", p.display());
        let frames = samples.len() / usize::from(spec.channels);
        if t["title"] == "talk.wav" {
            // A length-preserving converter at the input's rate: exact to the sample.
            assert_eq!(frames, input.len(), "talk.wav keeps its length");
        } else {
            // AAC adds encoder delay and padding: within 50 ms.
            let diff = (frames as i64 - input.len() as i64).abs();
            assert!(
                diff <= 2_400,
                "{}: {frames} vs {} frames",
                t["title"],
                input.len()
            );
        }
    }
    // The input's stored once and the working files are gone.
    assert!(!home.join("work").read_dir().expect("work").any(|e| e
        .map(|e| e.file_name().to_string_lossy().starts_with("track-"))
        .unwrap_or(false)));
}

#[test]
fn joins_add_no_click_and_the_same_file_is_converted_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = home_in(dir.path());
    let wav = recording(dir.path());
    // An identity converter (sox copies): the output is the input but for
    // the joins and the mastering gain.
    converter_script(&home, dir.path(), None, "");
    let out = run(intone(&home)
        .args([
            "convert",
            "--json",
            "--converter",
            "lower",
            "--max-chunk-s",
            "4",
        ])
        .arg(&wav));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = json(&out);
    let t = &doc["tracks"][0];
    let chunks = t["units_total"].as_i64().expect("chunks") as usize;
    assert!(chunks >= 12, "{chunks} chunks");
    assert_eq!(calls(dir.path()).len(), chunks, "each chunk converted once");
    let (_, input) = read_wav(&wav);
    let (_, output) = read_wav(Path::new(t["output_path"].as_str().expect("path")));
    assert_eq!(output.len(), input.len());
    // Every cut lies in a silence of the recording: wherever the input is
    // digitally silent for ±10 ms around a sample, the output must be too (a
    // click at a join is a step there).
    let mut worst = 0f32;
    let mut silent_run = 0usize;
    for (i, &x) in input.iter().enumerate().skip(1) {
        silent_run = if x == 0.0 { silent_run + 1 } else { 0 };
        // Centre of a 20 ms silent window: sample i − 480.
        if silent_run >= 960 {
            let c = i - 480;
            worst = worst.max((output[c] - output[c - 1]).abs());
        }
    }
    assert!(
        worst < 1e-3,
        "largest step inside silences (where the joins are): {worst}"
    );
    // And overall, no step larger than the speech's own (relative to loudness).
    let rms = |v: &[f32]| {
        (v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / v.len() as f64).sqrt() as f32
    };
    let step = |v: &[f32]| v.windows(2).fold(0f32, |a, w| a.max((w[1] - w[0]).abs()));
    let (si, so) = (step(&input) / rms(&input), step(&output) / rms(&output));
    assert!(
        so <= si * 1.05,
        "largest sample step {so:.3} vs input {si:.3} (relative to RMS)"
    );

    // The same content again: nothing is converted twice.
    let copy = dir.path().join("same talk.wav");
    std::fs::copy(&wav, &copy).expect("copy");
    let again = run(intone(&home)
        .args(["convert", "--converter", "lower", "--max-chunk-s", "4"])
        .arg(&copy));
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already converted in batch 1"),
        "{}",
        stderr(&again)
    );
    assert_eq!(calls(dir.path()).len(), chunks, "no chunk converted again");
    let batches = json(&run(intone(&home).args(["batches", "--json"])));
    assert_eq!(batches.as_array().map(Vec::len), Some(1));
    // Different settings, or --force, convert again.
    let forced = run(intone(&home)
        .args([
            "convert",
            "--json",
            "--force",
            "--converter",
            "lower",
            "--max-chunk-s",
            "4",
        ])
        .arg(&copy));
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(json(&forced)["batch_id"], 2);
}

#[test]
fn a_crash_at_chunk_5_resumes_with_the_unfinished_chunks_only() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = home_in(dir.path());
    let wav = recording(dir.path());
    converter_script(&home, dir.path(), None, "pitch -300");
    let crashed = run(intone(&home)
        .env("INTONE_FAILPOINT", "convert:chunk:5")
        .args([
            "--workers",
            "1",
            "convert",
            "--converter",
            "lower",
            "--max-chunk-s",
            "4",
        ])
        .arg(&wav));
    assert!(!crashed.status.success(), "the fail point aborts");
    assert!(stderr(&crashed).contains("fail point convert:chunk:5"));
    assert_eq!(
        calls(dir.path()).len(),
        5,
        "five chunks converted before the crash"
    );
    let t = &common::tracks(&home, 1)[0];
    assert_eq!(t["status"], "running", "left running by the crash");
    assert_eq!(t["units_done"], 5);
    let total = t["units_total"].as_i64().expect("total") as usize;
    assert!(total >= 12);

    let resumed = run(intone(&home).args(["resume", "--json"]));
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    let mut log = calls(dir.path());
    assert_eq!(
        log.len(),
        total,
        "every chunk converted exactly once: {log:?}"
    );
    log.sort();
    log.dedup();
    assert_eq!(log.len(), total, "no chunk twice");
    common::assert_all_completed_once(&home, 1, 1);

    // The result equals an uninterrupted run's.
    let other = tempfile::tempdir().expect("tmp");
    let home2 = home_in(other.path());
    converter_script(&home2, other.path(), None, "pitch -300");
    let clean = run(intone(&home2)
        .args([
            "--workers",
            "1",
            "convert",
            "--json",
            "--converter",
            "lower",
            "--max-chunk-s",
            "4",
        ])
        .arg(&wav));
    assert!(clean.status.success(), "{}", stderr(&clean));
    let a = read_wav(Path::new(
        common::tracks(&home, 1)[0]["output_path"]
            .as_str()
            .expect("p"),
    ))
    .1;
    let b = read_wav(Path::new(
        json(&clean)["tracks"][0]["output_path"]
            .as_str()
            .expect("p"),
    ))
    .1;
    assert_eq!(a, b, "resumed output equals the uninterrupted one");
}

#[test]
fn a_chunk_that_fails_is_named_and_retry_converts_only_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = home_in(dir.path());
    let wav = recording(dir.path());
    converter_script(&home, dir.path(), Some("0002.wav"), "pitch -300");
    let out = run(intone(&home)
        .args(["convert", "--converter", "lower", "--max-chunk-s", "4"])
        .arg(&wav));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let t = &common::tracks(&home, 1)[0];
    let total = t["units_total"].as_i64().expect("total");
    let err = t["error"].as_str().expect("error");
    assert!(
        err.starts_with(&format!("talk.wav: chunk 3 of {total} (0:")),
        "{err}"
    );
    assert!(
        err.contains("exited with code 3: sox FAIL pitch: bad chunk"),
        "{err}"
    );
    assert_eq!(
        t["units_done"].as_i64(),
        Some(total - 1),
        "the other chunks are done"
    );
    let before = calls(dir.path()).len();
    assert_eq!(before as i64, total);

    std::fs::write(dir.path().join("fixed"), b"").expect("fix");
    let retried = run(intone(&home).args(["retry", "1", "--json"]));
    assert!(retried.status.success(), "{}", stderr(&retried));
    let log = calls(dir.path());
    assert_eq!(&log[before..], ["0002.wav"], "only chunk 3 converted again");
    common::assert_all_completed_once(&home, 1, 1);
}

/// Writes a WAV header claiming `rate` Hz over a little real PCM.
fn wav_with_rate(path: &Path, rate: u32) {
    let data: Vec<u8> = (0..4800i16)
        .flat_map(|i| ((i % 200) * 50).to_le_bytes())
        .collect();
    let mut b = Vec::new();
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&rate.wrapping_mul(2).to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(&data);
    std::fs::write(path, b).expect("write");
}

#[test]
fn broken_and_odd_files_each_get_one_clear_line_and_the_rest_convert() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = home_in(dir.path());
    let d = dir.path();
    let good = recording(d);
    let g = good.to_string_lossy().into_owned();
    let bad: Vec<(PathBuf, &str)> = vec![
        (d.join("empty.wav"), "empty"),
        (d.join("notes.wav"), "not an audio file"),
        (d.join("zero-hz.wav"), "sample rate"),
        (d.join("huge-rate.wav"), "sample rate"),
        (d.join("no-audio.mp4"), "no audio track"),
    ];
    std::fs::write(&bad[0].0, b"").expect("empty");
    std::fs::write(
        &bad[1].0,
        "These are my notes, not a recording.\n".repeat(50),
    )
    .expect("text");
    wav_with_rate(&bad[2].0, 0);
    wav_with_rate(&bad[3].0, 1_700_000_000);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=64x48:rate=5",
        "-t",
        "1",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        &bad[4].0.to_string_lossy(),
    ]);
    // Odd but valid: each must convert.
    let odd = [
        ("mulaw.wav", vec!["-i", &g, "-t", "6", "-c:a", "pcm_mulaw"]),
        ("s24.wav", vec!["-i", &g, "-t", "6", "-c:a", "pcm_s24le"]),
        ("float.wav", vec!["-i", &g, "-t", "6", "-c:a", "pcm_f32le"]),
        ("rf64.wav", vec!["-i", &g, "-t", "6", "-rf64", "always"]),
        ("phone.wav", vec!["-i", &g, "-t", "6", "-ar", "8000"]),
        (
            "stereo.ogg",
            vec!["-i", &g, "-t", "6", "-ac", "2", "-c:a", "libvorbis"],
        ),
        ("voice.mp3", vec!["-i", &g, "-t", "6", "-c:a", "libmp3lame"]),
        ("voice.opus", vec!["-i", &g, "-t", "6", "-c:a", "libopus"]),
        ("truncated.wav", vec![]),
        ("wrong-extension.mp3", vec![]),
    ];
    for (name, args) in &odd {
        let p = d.join(name);
        if !args.is_empty() {
            let mut a = args.clone();
            let ps = p.to_string_lossy().into_owned();
            a.push(&ps);
            ffmpeg(&a);
        }
    }
    // A WAV cut in half (its header claims more than it has), and a WAV named .mp3.
    let bytes = std::fs::read(&good).expect("read");
    std::fs::write(d.join("truncated.wav"), &bytes[..bytes.len() / 2]).expect("truncated");
    std::fs::write(d.join("wrong-extension.mp3"), &bytes[..bytes.len() / 4]).expect("renamed");

    let started = Instant::now();
    let mut cmd = intone(&home);
    cmd.args(["convert", "--json"]);
    for (p, _) in &bad {
        cmd.arg(p);
    }
    for (name, _) in &odd {
        cmd.arg(d.join(name));
    }
    let out = run(&mut cmd);
    assert!(started.elapsed() < Duration::from_secs(240), "bounded time");
    let err = stderr(&out);
    assert!(
        !err.contains("panicked"),
        "no panic reaches the user:\n{err}"
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "the good files complete, so partial: {err}"
    );
    for (p, why) in &bad {
        let name = p.to_string_lossy();
        let line = err
            .lines()
            .find(|l| l.contains(name.as_ref()))
            .unwrap_or_else(|| panic!("no line names {name}:\n{err}"));
        assert!(line.to_lowercase().contains(why), "{name}: {line}");
    }
    let doc = json(&out);
    let tracks = doc["tracks"].as_array().expect("tracks");
    assert_eq!(tracks.len(), odd.len(), "{err}");
    for t in tracks {
        assert_eq!(t["status"], "completed", "{t}");
    }
    assert_eq!(doc["rejected"].as_array().map(Vec::len), Some(bad.len()));
}
