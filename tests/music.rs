//! The `music` kind end to end through the real `intone` binary with the
//! built-in composer and Debian's FluidR3 SoundFont: seeds reproduce bit for
//! bit, prompt words change tempo and key as measured, durations are exact
//! to the sample, loudness is on target by ffmpeg, continuation joins without
//! a click, the gallery pages and filters 2,000 takes, and a variant's
//! `music:` bed is generated once.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{fixture, intone, json, run, stderr};

/// Makes takes and returns the JSON document.
fn music(home: &Path, args: &[&str]) -> serde_json::Value {
    let out = run(intone(home).arg("music").args(args).arg("--json"));
    assert!(out.status.success(), "music {args:?}: {}", stderr(&out));
    json(&out)
}

fn output(doc: &serde_json::Value, i: usize) -> PathBuf {
    PathBuf::from(
        doc["tracks"][i]["output_path"]
            .as_str()
            .expect("output path"),
    )
}

/// Mono samples of a WAV file (mean of channels).
fn mono(path: &Path) -> (Vec<f32>, u32) {
    let mut r = hound::WavReader::open(path).expect("wav");
    let spec = r.spec();
    let ch = usize::from(spec.channels);
    let s: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(|x| x.expect("sample")).collect(),
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1i64 << (spec.bits_per_sample - 1)) as f32;
            r.samples::<i32>()
                .map(|x| x.expect("sample") as f32 * scale)
                .collect()
        }
    };
    (
        s.chunks(ch)
            .map(|f| f.iter().sum::<f32>() / ch as f32)
            .collect(),
        spec.sample_rate,
    )
}

/// Integrated loudness and true peak by ffmpeg's ebur128 filter.
fn ffmpeg_ebur128(path: &Path) -> (f64, f64) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-af", "ebur128=peak=true", "-f", "null", "-"])
        .output()
        .expect("ffmpeg");
    let text = String::from_utf8_lossy(&out.stderr);
    let summary = text
        .rsplit("Summary:")
        .next()
        .unwrap_or_default()
        .to_string();
    let find = |key: &str| -> f64 {
        summary
            .lines()
            .find_map(|l| l.trim().strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in ffmpeg output:\n{summary}"))
    };
    (find("I:"), find("Peak:"))
}

/// Note onsets a second: rises of the 10 ms energy envelope by more than
/// 6 dB over the previous 50 ms, at least 80 ms apart.
fn onset_rate(s: &[f32], sr: u32) -> f64 {
    let hop = (sr / 100) as usize;
    let db: Vec<f64> = s
        .chunks(hop)
        .map(|c| {
            10.0 * (c.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / c.len() as f64 + 1e-10)
                .log10()
        })
        .collect();
    let mut onsets = 0;
    let mut last = 0usize;
    for i in 5..db.len() {
        let before = db[i - 5..i].iter().copied().fold(f64::MAX, f64::min);
        if db[i] - before > 6.0 && db[i] > -50.0 && i - last >= 8 {
            onsets += 1;
            last = i;
        }
    }
    onsets as f64 / (s.len() as f64 / f64::from(sr))
}

#[test]
fn takes_are_reproducible_exact_in_length_on_target_and_follow_the_prompt() {
    let dir = tempfile::tempdir().expect("tmp");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    // Same seed in two homes: the same file, bit for bit; the next seed differs.
    let da = music(
        &a,
        &[
            "calm piano, warm",
            "--duration",
            "7.3",
            "--takes",
            "2",
            "--seed",
            "11",
        ],
    );
    let db = music(
        &b,
        &["calm piano, warm", "--duration", "7.3", "--seed", "11"],
    );
    assert_eq!(da["status"], "completed");
    let (fa, fb) = (
        std::fs::read(output(&da, 0)).expect("a"),
        std::fs::read(output(&db, 0)).expect("b"),
    );
    assert!(fa == fb, "the same seed gave different audio");
    assert!(
        fa != std::fs::read(output(&da, 1)).expect("a2"),
        "two seeds gave the same audio"
    );
    // Exact length: 7.3 s at 48 kHz.
    let r = hound::WavReader::open(output(&da, 0)).expect("wav");
    assert_eq!(r.duration(), 350_400);
    assert_eq!(da["tracks"][0]["duration_ms"], 7300);
    // Loudness on target and no clipping, by ffmpeg.
    for i in 0..2 {
        let (lufs, peak) = ffmpeg_ebur128(&output(&da, i));
        assert!((lufs + 16.0).abs() < 0.6, "take {i}: {lufs} LUFS");
        assert!(peak <= -0.8, "take {i}: true peak {peak} dBTP");
    }

    // Tempo words change the measured note rate.
    let slow = music(&a, &["piano, 60 bpm", "--duration", "20", "--seed", "3"]);
    let fast = music(&a, &["piano, 120 bpm", "--duration", "20", "--seed", "3"]);
    let (s, sr) = mono(&output(&slow, 0));
    let (f, _) = mono(&output(&fast, 0));
    let (rs, rf) = (onset_rate(&s, sr), onset_rate(&f, sr));
    assert!(
        rf > rs * 1.5,
        "120 bpm gave {rf:.2} onsets/s, 60 bpm {rs:.2}"
    );
    // Key words move the measured key: the same seed in D and in A major is
    // the same piece a fifth apart (Krumhansl–Schmuckler on each whole take).
    let key = |prompt: &str| {
        let d = music(&a, &[prompt, "--duration", "30", "--seed", "4"]);
        intone_core::engines::music::continuation::tail_tonic(
            &output(&d, 0),
            intone_core::engines::music::prompt::Mode::Major,
            60.0,
        )
        .expect("a key")
    };
    let (d, a_) = (key("piano in D major"), key("piano in A major"));
    assert_eq!(
        (a_ + 12 - d) % 12,
        7,
        "D major measured as {d}, A major as {a_}"
    );
    // The words understood are kept with the take.
    let id = slow["tracks"][0]["id"].as_i64().expect("id").to_string();
    let out = run(intone(&a).args(["music", "show", &id, "--json"]));
    assert_eq!(
        json(&out)["recipe"]["understood"],
        serde_json::json!(["piano", "60 bpm"])
    );
}

#[test]
fn continuation_joins_without_a_click() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path();
    let first = music(
        home,
        &[
            "cinematic strings in D minor",
            "--duration",
            "10",
            "--seed",
            "1",
        ],
    );
    let prev = output(&first, 0);
    let next = music(
        home,
        &[
            "cinematic strings",
            "--duration",
            "10",
            "--seed",
            "2",
            "--continue",
            prev.to_str().expect("utf-8"),
        ],
    );
    // 10 s + 10 s, overlapping by the default 1.5 s.
    assert_eq!(next["tracks"][0]["duration_ms"], 18_500);
    let (s, sr) = mono(&output(&next, 0));
    // The largest sample-to-sample step near the join (8.5 s ± 0.2 s) is no
    // larger than the largest elsewhere: nothing jumps there.
    let d: Vec<f32> = s.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    let join = (8.5 * f64::from(sr)) as usize;
    let w = (0.2 * f64::from(sr)) as usize;
    let near = d[join - w..join + w].iter().copied().fold(0.0, f32::max);
    let elsewhere = d[..join - w]
        .iter()
        .chain(&d[join + w..])
        .copied()
        .fold(0.0, f32::max);
    assert!(
        near <= elsewhere,
        "step {near} at the join vs {elsewhere} elsewhere"
    );
}

#[test]
fn gallery_pages_and_filters_two_thousand_takes() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path();
    // One real take makes the home; 2,000 recorded takes fill the gallery.
    music(home, &["rain and wind", "--duration", "2", "--seed", "9"]);
    let store = intone_core::store::Store::open(&home.join("intone.db")).expect("store");
    let tracks: Vec<intone_core::store::NewTrack> = (0..2000)
        .map(|i| intone_core::store::NewTrack {
            title: format!("prompt {i}"),
            source_key: Some(format!("key {i}")),
            variant: format!("seed {i}"),
            recipe_json: "{}".into(),
            collection: (i % 4 == 0).then(|| "Keepers".to_string()),
            ..Default::default()
        })
        .collect();
    store
        .create_batch(&intone_core::store::NewBatch {
            project: "Music",
            kind: intone_core::store::JobKind::Music,
            engine: "builtin",
            delivery: &Default::default(),
            speech_check: false,
            scripts: &[],
            tracks: &tracks,
        })
        .expect("batch");
    let list = |args: &[&str]| {
        let out = run(intone(home).args(["music", "list", "--json"]).args(args));
        assert!(out.status.success(), "{}", stderr(&out));
        json(&out)
    };
    let all = list(&["--limit", "50", "--offset", "1980"]);
    assert_eq!(all["total"], 2001);
    assert_eq!(all["takes"].as_array().expect("takes").len(), 21);
    let keepers = list(&["--collection", "Keepers", "--limit", "10"]);
    assert_eq!(keepers["total"], 500);
    assert!(keepers["takes"]
        .as_array()
        .expect("takes")
        .iter()
        .all(|t| t["track"]["collection"] == "Keepers"));
    let done = list(&["--status", "completed"]);
    assert_eq!(done["total"], 1);
    assert_eq!(done["takes"][0]["track"]["title"], "rain and wind");
    // Regenerate: the same settings with a new seed, in the same collection.
    let id0 = done["takes"][0]["track"]["id"].as_i64().expect("id");
    let out = run(intone(home).args([
        "music",
        "regenerate",
        &id0.to_string(),
        "--seed",
        "10",
        "--json",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let again = json(&out);
    assert_eq!(again["tracks"][0]["variant"], "seed 10");
    assert_eq!(again["tracks"][0]["title"], "rain and wind");
    let shown = json(&run(intone(home).args([
        "music",
        "show",
        &again["tracks"][0]["id"].to_string(),
        "--json",
    ])));
    assert_eq!(shown["recipe"]["duration_ms"], 2000);
    assert_eq!(
        shown["recipe"]["understood"],
        serde_json::json!(["rain", "wind"])
    );
    let done = list(&["--status", "completed", "--offset", "1"]);
    // Collect the first real take, then delete it: its file goes too.
    let id = done["takes"][0]["track"]["id"].as_i64().expect("id");
    let file = PathBuf::from(
        done["takes"][0]["track"]["output_path"]
            .as_str()
            .expect("path"),
    );
    assert!(
        run(intone(home).args(["music", "collect", "Night", &id.to_string()]))
            .status
            .success()
    );
    assert_eq!(list(&["--collection", "Night"])["total"], 1);
    assert!(run(intone(home).args(["music", "delete", &id.to_string()]))
        .status
        .success());
    assert!(!file.exists());
    assert_eq!(list(&["--collection", "Night"])["total"], 0);
}

#[test]
fn a_music_bed_is_made_once_and_bad_requests_are_named() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path();
    std::fs::create_dir_all(home.join("variants")).expect("dir");
    std::fs::write(
        home.join("variants/calm.toml"),
        "bed = \"music:calm piano, slow\"\nbed_level_lu = -18.0\n",
    )
    .expect("variant");
    for _ in 0..2 {
        let out = run(intone(home)
            .arg("generate")
            .arg(fixture("edge-cases.md"))
            .args(["--variant", "calm", "--json"]));
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let beds = json(&run(intone(home).args([
        "music",
        "list",
        "--collection",
        "Beds",
        "--json",
    ])));
    assert_eq!(beds["total"], 1, "the bed was generated once");
    assert_eq!(beds["takes"][0]["track"]["duration_ms"], 120_000);

    for (args, says) in [
        (vec!["", "--duration", "5"], "prompt is empty"),
        (vec!["calm", "--duration", "0"], "duration must be"),
        (vec!["calm", "--set", "top_k=5"], "no parameter \"top_k\""),
        (
            vec!["calm", "--set", "temperature=9"],
            "temperature must be",
        ),
        (
            vec!["calm", "--engine", "musicgen"],
            "no music engine \"musicgen\"",
        ),
    ] {
        let out = run(intone(home).arg("music").args(&args));
        assert!(!out.status.success(), "{args:?} succeeded");
        let all = format!("{}{}", stderr(&out), String::from_utf8_lossy(&out.stdout));
        assert!(all.contains(says), "{args:?}: {all}");
    }
}
