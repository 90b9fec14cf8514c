//! Music a producer can use, through the real `intone` binary with the
//! built-in composer and Debian's FluidR3 SoundFont: seamless loops (whole
//! bars, loop points in WAV, FLAC and Ogg, no seam when played end to
//! start, measured against the file's own sample-to-sample jumps and by an
//! independent EBU R128 meter), and the gallery's tempo, key and loudness
//! (estimates within ±2 BPM or half/double and the right key on takes of
//! known tempo and key; filters and sorts).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{intone, json, run, seam, stderr};
use intone_core::audio::decode::decode_file;

/// Makes takes and returns the JSON document.
fn music(home: &Path, args: &[&str]) -> serde_json::Value {
    let out = run(intone(home).arg("music").args(args).arg("--json"));
    assert!(out.status.success(), "music {args:?}: {}", stderr(&out));
    json(&out)
}

fn output(doc: &serde_json::Value) -> PathBuf {
    PathBuf::from(doc["tracks"][0]["output_path"].as_str().expect("output"))
}

/// The loop's end frame (inclusive) in a WAV file's `smpl` chunk.
fn smpl_loop_end(path: &Path) -> Option<u32> {
    let b = std::fs::read(path).expect("wav");
    let mut at = 12;
    while at + 8 <= b.len() {
        let size = u32::from_le_bytes(b[at + 4..at + 8].try_into().ok()?) as usize;
        if &b[at..at + 4] == b"smpl" {
            let body = &b[at + 8..at + 8 + size];
            let loops = u32::from_le_bytes(body[28..32].try_into().ok()?);
            assert_eq!(loops, 1, "one loop");
            return Some(u32::from_le_bytes(body[36 + 12..36 + 16].try_into().ok()?));
        }
        at += 8 + size + size % 2;
    }
    None
}

/// The Vorbis comments `LOOPSTART` and `LOOPLENGTH`, by ffprobe.
fn loop_tags(path: &Path) -> (Option<u64>, Option<u64>) {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-of", "json", "-show_entries"])
        .arg("format_tags:stream_tags")
        .arg(path)
        .output()
        .expect("ffprobe");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("ffprobe json");
    let find = |key: &str| -> Option<u64> {
        let from = |t: &serde_json::Value| {
            t.as_object()?
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .and_then(|(_, v)| v.as_str()?.parse().ok())
        };
        from(&v["format"]["tags"]).or_else(|| from(&v["streams"][0]["tags"]))
    };
    (find("LOOPSTART"), find("LOOPLENGTH"))
}

#[test]
fn a_loop_is_whole_bars_carries_its_loop_points_and_repeats_without_a_seam() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    // 12 s at 70 BPM in 4/4 is 3.5 bars: the loop is 4 bars, 13.714 s.
    let wav = music(
        &home,
        &[
            "calm piano, rain, 70 bpm, D minor",
            "--duration",
            "12",
            "--loop",
            "--seed",
            "2",
            "--format",
            "wav",
        ],
    );
    let path = output(&wav);
    let frames = hound::WavReader::open(&path).expect("wav").duration();
    let bars_s = 4.0 * 4.0 * 60.0 / 70.0;
    assert!(
        (f64::from(frames) / 48_000.0 - bars_s).abs() < 0.001,
        "{frames} frames is not 4 bars at 70 BPM"
    );
    assert_eq!(smpl_loop_end(&path), Some(frames - 1), "smpl loop end");
    seam(&path).assert_seamless(&path);

    // The same loop in FLAC and Ogg Opus carries LOOPSTART/LOOPLENGTH.
    for (format, rate) in [("flac", 48_000u64), ("opus", 48_000)] {
        let d = music(
            &home,
            &[
                "upbeat lo-fi groove, 90 bpm",
                "--duration",
                "8",
                "--loop",
                "--seed",
                "4",
                "--format",
                format,
            ],
        );
        let (start, length) = loop_tags(&output(&d));
        let bar_frames = 4.0 * 60.0 / 90.0 * rate as f64;
        let want = (3.0 * bar_frames).round() as u64; // 8 s is 3 bars at 90 BPM.
        assert_eq!(start, Some(0), "{format}: LOOPSTART");
        let got = length.expect("LOOPLENGTH");
        assert!(
            got.abs_diff(want) <= 48,
            "{format}: LOOPLENGTH {got}, want {want}"
        );
        seam(&output(&d)).assert_seamless(&output(&d));
    }

    // An ordinary take of the same prompt fades out: played end to start
    // it has the seam a loop does not (so the measure can fail).
    let plain = music(
        &home,
        &[
            "calm piano, rain, 70 bpm, D minor",
            "--duration",
            "13.714",
            "--seed",
            "2",
            "--format",
            "wav",
        ],
    );
    assert_eq!(smpl_loop_end(&output(&plain)), None);
    let s = seam(&output(&plain));
    eprintln!(
        "seam {}: jump {:.5} (99.9th percentile {:.5}), dip {:.2} LU",
        &output(&plain).display(),
        s.jump,
        s.p999,
        s.dip_lu
    );
    assert!(
        s.dip_lu > 1.0,
        "a take that fades out dips only {:.2} LU",
        s.dip_lu
    );

    // A loop cannot also continue a file.
    let out = run(intone(&home)
        .args(["music", "piano", "--loop", "--continue"])
        .arg(&path));
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("a loop cannot continue a file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_gallery_knows_tempo_key_and_loudness_and_estimates_them_from_audio() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let cases = [
        ("solo piano, 70 bpm, D minor", 70.0, "D minor"),
        ("lo-fi groove, 90 bpm, F major", 90.0, "F major"),
        ("upbeat folk guitar, 120 bpm, A minor", 120.0, "A minor"),
    ];
    for (prompt, bpm, key) in cases {
        let d = music(&home, &[prompt, "--duration", "30", "--seed", "5"]);
        // The estimate from the audio alone.
        let out = run(intone(&home)
            .args(["music", "analyze", "--json"])
            .arg(output(&d)));
        assert!(out.status.success(), "{}", stderr(&out));
        let a = json(&out);
        let est = a["facts"]["tempo_bpm"].as_f64().expect("a tempo");
        let near = |t: f64| (est - t).abs() <= 2.0;
        assert!(
            near(bpm) || near(bpm / 2.0) || near(bpm * 2.0),
            "{prompt}: estimated {est} BPM"
        );
        assert_eq!(a["key"], key, "{prompt}: estimated key");
        assert!((a["loudness_lufs"].as_f64().expect("lufs") + 16.0).abs() < 0.6);
        assert_eq!(a["duration_ms"], 30_000);
    }
    // A loop among them.
    music(
        &home,
        &[
            "solo piano, 100 bpm, E major",
            "--duration",
            "10",
            "--loop",
            "--seed",
            "1",
        ],
    );

    // The gallery shows the composer's own facts (not estimated).
    let list = |args: &[&str]| -> Vec<serde_json::Value> {
        let out = run(intone(&home).args(["music", "list", "--json"]).args(args));
        assert!(out.status.success(), "{}", stderr(&out));
        json(&out)["takes"].as_array().expect("takes").clone()
    };
    let all = list(&[]);
    assert_eq!(all.len(), 4);
    for t in &all {
        assert_eq!(t["music"]["estimated"], false);
        assert!(t["track"]["loudness_lufs"].as_f64().is_some());
    }
    let tempos = |v: &[serde_json::Value]| -> Vec<f64> {
        v.iter()
            .map(|t| t["music"]["tempo_bpm"].as_f64().expect("tempo"))
            .collect()
    };
    assert_eq!(
        tempos(&list(&["--sort", "tempo"])),
        [70.0, 90.0, 100.0, 120.0]
    );
    assert_eq!(
        tempos(&list(&["--tempo-min", "80", "--tempo-max", "110"])),
        [100.0, 90.0]
    );
    let minor = list(&["--key", "a minor"]);
    assert_eq!(minor.len(), 1);
    assert_eq!(minor[0]["music"]["key"], "A minor");
    let loops = list(&["--loops"]);
    assert_eq!(loops.len(), 1);
    assert!(loops[0]["music"]["loop_frames"].as_u64().is_some());
    let keys: Vec<String> = list(&["--sort", "key"])
        .iter()
        .map(|t| t["music"]["key"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(keys, ["D minor", "E major", "F major", "A minor"]);
    let out = run(intone(&home).args(["music", "list", "--key", "H minor"]));
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("unknown key \"H minor\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn any_audio_file_can_be_continued_with_a_crossfaded_join() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    // A file no take made: 6 s of a C major chord, FLAC at 44.1 kHz.
    let src = dir.path().join("field.flac");
    let st = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i"])
        .arg("aevalsrc=0.2*sin(2*PI*261.6*t)+0.15*sin(2*PI*329.6*t)+0.15*sin(2*PI*392*t):s=44100:d=6")
        .arg(&src)
        .status()
        .expect("ffmpeg");
    assert!(st.success());
    let doc = music(
        &home,
        &[
            "calm piano",
            "--continue",
            src.to_str().expect("utf-8"),
            "--duration",
            "5",
            "--format",
            "wav",
        ],
    );
    assert_eq!(doc["status"], "completed");
    // The new 5 s begin with the 1.5 s crossfade over the file's end.
    assert_eq!(doc["tracks"][0]["duration_ms"], 6_000 + 5_000 - 1_500);
    // The join (1.5 s of crossfade ending at 6 s) has no jump above the
    // file's own 99.9th percentile.
    let clip = decode_file(&output(&doc)).expect("decode").with_channels(1);
    let x = &clip.samples;
    let mut jumps: Vec<f32> = x.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    let join: f32 = jumps[(4.4 * 48_000.0) as usize..(6.1 * 48_000.0) as usize]
        .iter()
        .copied()
        .fold(0.0, f32::max);
    jumps.sort_by(f32::total_cmp);
    let p999 = jumps[jumps.len() * 999 / 1000];
    assert!(
        join <= p999 * 1.5,
        "the join jumps {join}, the file's 99.9th percentile is {p999}"
    );
    // The file is kept as an input, and the recipe names it.
    let id = doc["tracks"][0]["id"].as_i64().expect("id").to_string();
    let show = json(&run(intone(&home).args(["music", "show", &id, "--json"])));
    assert!(show["recipe"]["continue_from"]
        .as_str()
        .expect("kept")
        .contains("inputs"));
}
