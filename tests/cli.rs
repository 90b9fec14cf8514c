//! The CLI as a user meets it: JSON shapes, exit codes, partial success and
//! retry, cancel, bad input, `say`, voices and variants.

mod common;

use std::path::PathBuf;

use common::*;

#[test]
fn generate_json_has_every_documented_field() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = run(intone(dir.path())
        .arg("generate")
        .arg(fixture("life-vision.md"))
        .args(["--variant", "voice", "--format", "flac", "--json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["status"], "completed");
    assert_eq!(doc["batch_id"], 1);
    let tracks = doc["tracks"].as_array().expect("tracks");
    assert_eq!(tracks.len(), 6);
    for t in tracks {
        for key in [
            "id",
            "batch_id",
            "position",
            "title",
            "section_id",
            "input_hash",
            "variant",
            "engine",
            "status",
            "output_path",
            "duration_ms",
            "sample_rate_hz",
            "channels",
            "loudness_lufs",
            "true_peak_dbtp",
            "peaks_path",
            "error",
            "attempts",
            "units_done",
            "units_total",
        ] {
            assert!(t.get(key).is_some(), "missing {key} in {t}");
        }
        assert_eq!(t["engine"], "espeak:en-us");
        assert!(t["output_path"].as_str().expect("p").ends_with(".flac"));
        // The FLAC is real: ffprobe reads it back with the recorded duration.
        let probe = std::process::Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "csv=p=0",
            ])
            .arg(t["output_path"].as_str().expect("p"))
            .output()
            .expect("ffprobe");
        let secs: f64 = String::from_utf8_lossy(&probe.stdout)
            .trim()
            .parse()
            .expect("duration");
        let ms = t["duration_ms"].as_f64().expect("ms");
        assert!((secs * 1000.0 - ms).abs() < 30.0, "{secs} s vs {ms} ms");
    }
    // batches --json and variants --json.
    let b = json(&run(intone(dir.path()).args(["batches", "--json"])));
    assert_eq!(b[0]["id"], 1);
    assert_eq!(b[0]["completed"], 6);
    let v = json(&run(intone(dir.path()).args(["variants", "--json"])));
    let names: Vec<_> = v
        .as_array()
        .expect("list")
        .iter()
        .map(|x| (x["name"].clone(), x["target_lufs"].clone()))
        .collect();
    assert!(names.contains(&("voice".into(), (-16.0).into())));
    assert!(names.contains(&("sleep".into(), (-20.0).into())));
    assert!(names.contains(&("energy".into(), (-14.0).into())));
    let voices = json(&run(intone(dir.path()).args(["voices", "--json"])));
    assert_eq!(voices["default"], "espeak:en-us");
    assert!(voices["voices"]
        .as_array()
        .expect("v")
        .iter()
        .any(|v| v["id"] == "espeak:en-us" && v["available"] == true));
}

#[test]
fn partial_success_exits_2_and_retry_finishes_only_the_failed_tracks() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path();
    // A user variant whose bed file exists but is not audio.
    let bed = home.join("rain.wav");
    std::fs::write(&bed, "this is not audio").expect("write");
    std::fs::create_dir_all(home.join("variants")).expect("dir");
    std::fs::write(
        home.join("variants/rain.toml"),
        format!("bed = \"file:{}\"\nbed_level_lu = -14.0\n", bed.display()),
    )
    .expect("write");
    let out = run(intone(home)
        .arg("generate")
        .arg(fixture("life-vision.md"))
        .args(["--variant", "voice", "--variant", "rain", "--json"]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["status"], "partial_success");
    let tracks = doc["tracks"].as_array().expect("tracks");
    let failed: Vec<_> = tracks.iter().filter(|t| t["status"] == "failed").collect();
    assert_eq!(failed.len(), 6);
    for t in &failed {
        assert_eq!(t["variant"], "rain");
        let e = t["error"].as_str().expect("error");
        assert!(
            e.contains("rain.wav") && e.contains("not an audio file Intone can read"),
            "{e}"
        );
    }
    // Human-readable listing shows the error too.
    let out = run(intone(home).args(["tracks", "1"]));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not an audio file Intone can read"));

    // Fix the bed with a real recording (sox makes one) and retry.
    let fixed = std::process::Command::new("sox")
        .args(["-n", "-r", "44100", "-c", "2"])
        .arg(&bed)
        .args(["synth", "3", "pinknoise", "vol", "0.3"])
        .status()
        .expect("sox");
    assert!(fixed.success());
    let out = run(intone(home).args(["retry", "1", "--json"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["status"], "completed");
    for t in doc["tracks"].as_array().expect("tracks") {
        let attempts = t["attempts"].as_i64().expect("attempts");
        assert_eq!(attempts, if t["variant"] == "voice" { 1 } else { 2 }, "{t}");
    }
    assert_all_completed_once(home, 1, 12);
}

#[test]
fn bad_input_gives_one_clear_line_and_records_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path();
    let empty = home.join("empty.md");
    std::fs::write(&empty, "# Title only\n").expect("write");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["generate".into(), "/nonexistent/script.md".into()],
            "/nonexistent/script.md",
        ),
        (
            vec!["generate".into(), empty.display().to_string()],
            "no text to speak",
        ),
        (
            vec![
                "generate".into(),
                fixture("life-vision.md").display().to_string(),
                "--voice".into(),
                "espeak:zz".into(),
            ],
            "unknown voice",
        ),
        (
            vec![
                "generate".into(),
                fixture("life-vision.md").display().to_string(),
                "--variant".into(),
                "nope".into(),
            ],
            "unknown variant \"nope\"",
        ),
        (vec!["tracks".into(), "42".into()], "no batch 42"),
        (vec!["retry".into(), "42".into()], "no batch 42"),
    ];
    for (args, needle) in cases {
        let out = run(intone(home).args(&args));
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(
            err.trim().lines().count(),
            1,
            "{args:?}: one line, got {err}"
        );
        assert!(!err.contains("panicked"));
    }
    let b = json(&run(intone(home).args(["batches", "--json"])));
    assert_eq!(
        b.as_array().map(Vec::len),
        Some(0),
        "nothing half-made in the store"
    );
}

#[test]
fn say_writes_a_mastered_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let out_path: PathBuf = dir.path().join("hello.wav");
    let out = run(intone(dir.path())
        .args(["say", "Hello from Intone. This is a short test.", "-o"])
        .arg(&out_path));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("LUFS"));
    let r = hound::WavReader::open(&out_path).expect("wav");
    assert_eq!(r.spec().sample_rate, 48_000);
    let secs = r.duration() as f64 / 48_000.0;
    assert!((1.5..8.0).contains(&secs), "{secs}");
    let script = dir.path().join("s.txt");
    std::fs::write(&script, "Read from a file.").expect("write");
    let flac = dir.path().join("f.flac");
    let out = run(intone(dir.path())
        .args(["say", "-f"])
        .arg(&script)
        .arg("-o")
        .arg(&flac));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read(&flac).expect("flac").starts_with(b"fLaC"));
}
