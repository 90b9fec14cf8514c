//! `intone scenes` with the built-in composer: a five-scene list fitted to
//! its target in each fit mode (exact to the sample), each scene's take
//! found at its scene's start in the score, no click at any join, loudness
//! on target; regenerating scene 2 reuses scenes 1 and 3–5; a real MP4
//! (ffmpeg's `testsrc`) gets its duration read and a scored copy (ffprobe
//! shows the video stream unchanged and an AAC stream of its length).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{intone, json, run};
use serde_json::Value;

const SR: usize = 48_000;
/// Scene lengths, s (sum 50 s).
const SCENES: [(f64, &str); 5] = [
    (12.0, "dawn over the harbor, calm strings"),
    (10.0, "the market, lively percussion"),
    (8.0, "a storm gathers, dark and tense"),
    (10.0, "rain on the docks, melancholic piano"),
    (10.0, "sunset, hopeful, warm"),
];

fn scene_file(dir: &Path, target_s: f64) -> PathBuf {
    let mut t = format!("title = \"Harbor\"\nduration_s = {target_s}\n");
    for (i, (d, p)) in SCENES.iter().enumerate() {
        t += &format!(
            "[[scene]]\nprompt = \"{p}\"\nduration_s = {d}\nseed = {}\n",
            i + 1
        );
    }
    let f = dir.join("harbor.toml");
    std::fs::write(&f, t).expect("write");
    f
}

fn scenes(home: &Path, args: &[&str]) -> Value {
    let out = run(intone(home).arg("scenes").args(args).arg("--json"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out)
}

fn read(path: &str) -> (Vec<f32>, usize) {
    let mut r = hound::WavReader::open(path).expect("wav");
    let ch = r.spec().channels as usize;
    let s: Vec<f32> = match r.spec().sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(|x| x.expect("s")).collect(),
        hound::SampleFormat::Int => r
            .samples::<i32>()
            .map(|x| x.expect("s") as f32 / 32768.0)
            .collect(),
    };
    (s, ch)
}

fn left(s: &[f32], ch: usize) -> Vec<f32> {
    s.iter().step_by(ch).copied().collect()
}

/// Pearson correlation of `a` and `b`.
fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len()) as f64;
    let ma = a.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
    let mb = b.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
    let (mut num, mut da, mut db) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (f64::from(*x) - ma, f64::from(*y) - mb);
        num += x * y;
        da += x * x;
        db += y * y;
    }
    num / (da * db).sqrt().max(1e-12)
}

#[test]
fn five_scenes_fit_the_target_to_the_sample_in_every_mode() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let file = scene_file(dir.path(), 45.0);
    let file = file.to_str().expect("utf-8");
    for (fit, target_s) in [
        ("trim", 45.0),
        ("stretch", 45.0),
        ("compress", 45.0),
        ("stretch", 55.0),
        ("compress", 55.0),
    ] {
        let doc = scenes(
            &home,
            &[file, "--fit", fit, "--duration", &target_s.to_string()],
        );
        assert_eq!(doc["status"], "completed", "{fit}");
        let t = &doc["tracks"][0];
        let (s, ch) = read(t["output_path"].as_str().expect("path"));
        assert_eq!(
            s.len() / ch,
            (target_s * SR as f64) as usize,
            "{fit} {target_s}"
        );
        let lufs = t["loudness_lufs"].as_f64().expect("lufs");
        assert!((lufs + 16.0).abs() < 0.5, "{fit}: {lufs} LUFS");
        // Boundaries: the scenes' starts, moved by a stretch.
        let scale = match (fit, target_s) {
            ("trim", _) | ("compress", 55.0) => 1.0,
            _ => target_s / 50.0,
        };
        let mut at = 0.0;
        for (i, (d, _)) in SCENES.iter().enumerate() {
            let b = doc["score"]["scenes"][i]["start_ms"]
                .as_f64()
                .expect("start");
            assert!(
                (b - at * 1000.0 * scale).abs() < 1.0,
                "{fit}: scene {i} at {b}"
            );
            at += d;
        }
    }
}

#[test]
fn scenes_start_at_their_boundaries_without_clicks() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let file = scene_file(dir.path(), 50.0);
    let doc = scenes(&home, &[file.to_str().expect("utf-8")]);
    assert_eq!(doc["status"], "completed");
    let (s, ch) = read(doc["tracks"][0]["output_path"].as_str().expect("path"));
    let out = left(&s, ch);
    let half = SR / 2; // half the 1 s crossfade
    let mut start = 0usize;
    for (i, (d, _)) in SCENES.iter().enumerate() {
        let len = (*d as usize) * SR;
        // Each scene's own take (which begins half a crossfade early) is
        // what the score plays from its start to its end, once past the
        // crossfades: aligned at the scene's start it matches…
        let take = doc["score"]["scenes"][i]["take_path"]
            .as_str()
            .expect("take");
        let (t, tch) = read(take);
        let t = left(&t, tch);
        let pre = if i > 0 { half } else { 0 };
        let (a, b) = (start + half, start + len - half);
        let here = correlation(&out[a..b], &t[pre + half..pre + len - half]);
        assert!(
            here > 0.9,
            "scene {}: correlation {here} at its start",
            i + 1
        );
        // …and a quarter second off it does not.
        let off = SR / 4;
        let shifted = correlation(&out[a..b - off], &t[pre + half + off..pre + len - half]);
        assert!(
            shifted < 0.5,
            "scene {}: correlation {shifted} off its start",
            i + 1
        );
        start += len;
    }
    // No click: the largest sample step within 50 ms of each join is no
    // larger than the largest anywhere away from the joins.
    let d: Vec<f32> = out.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    let w = SR / 20;
    let joins: Vec<usize> = SCENES
        .iter()
        .scan(0usize, |at, (dur, _)| {
            *at += (*dur as usize) * SR;
            Some(*at)
        })
        .take(SCENES.len() - 1)
        .collect();
    let near_join = |i: usize| joins.iter().any(|&j| i + w >= j && i < j + w);
    let elsewhere = d
        .iter()
        .enumerate()
        .filter(|(i, _)| !near_join(*i))
        .fold(0f32, |m, (_, &x)| m.max(x));
    for &j in &joins {
        let near = d[j - w..j + w].iter().copied().fold(0f32, f32::max);
        assert!(
            near <= elsewhere,
            "step {near} at the join {j} vs {elsewhere} elsewhere"
        );
    }
}

#[test]
fn regenerating_scene_two_reuses_the_other_scenes() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let file = scene_file(dir.path(), 50.0);
    let doc = scenes(&home, &[file.to_str().expect("utf-8")]);
    let id = doc["tracks"][0]["id"].as_i64().expect("id").to_string();
    let takes = |d: &Value| -> Vec<(String, std::time::SystemTime)> {
        d["score"]["scenes"]
            .as_array()
            .expect("scenes")
            .iter()
            .map(|s| {
                let p = s["take_path"].as_str().expect("take").to_string();
                let m = std::fs::metadata(&p)
                    .and_then(|m| m.modified())
                    .expect("mtime");
                (p, m)
            })
            .collect()
    };
    let before = takes(&doc);
    let again = scenes(&home, &["regenerate", &id, "2", "--seed", "99"]);
    assert_eq!(again["status"], "completed");
    let after = takes(&again);
    assert_eq!(again["score"]["scenes"][1]["scene"]["seed"], 99);
    for i in [0, 2, 3, 4] {
        assert_eq!(before[i], after[i], "scene {} was made again", i + 1);
    }
    assert_ne!(before[1].0, after[1].0, "scene 2 has a new take");
    assert!(
        !Path::new(&before[1].0).exists(),
        "the old take of scene 2 is gone"
    );
    let (s, ch) = read(again["tracks"][0]["output_path"].as_str().expect("path"));
    assert_eq!(s.len() / ch, 50 * SR);
    // A new prompt for scene 4.
    let again = scenes(
        &home,
        &[
            "regenerate",
            &id,
            "4",
            "--prompt",
            "night falls, ambient pads",
        ],
    );
    assert_eq!(
        again["score"]["scenes"][3]["scene"]["prompt"],
        "night falls, ambient pads"
    );
    assert_eq!(takes(&again)[0], before[0]);
    // Deleting the score deletes its scene takes too.
    let dir = Path::new(&before[0].0)
        .parent()
        .expect("scenes dir")
        .to_path_buf();
    assert!(run(intone(&home).args(["scenes", "delete", &id]))
        .status
        .success());
    assert!(!dir.exists(), "{} is left behind", dir.display());
}

fn ffprobe(path: &Path, stream: &str, entries: &str) -> String {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            stream,
            "-show_entries",
            entries,
        ])
        .args(["-of", "default=noprint_wrappers=1"])
        .arg(path)
        .output()
        .expect("ffprobe (scripts/setup.sh --dev installs it)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_video_gets_its_duration_read_and_a_scored_copy() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let video = dir.path().join("cut.mp4");
    let ok = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=12.4:size=320x240:rate=25",
        ])
        .args(["-c:v", "libx264", "-pix_fmt", "yuv420p"])
        .arg(&video)
        .status()
        .expect("ffmpeg (scripts/setup.sh --dev installs it)");
    assert!(ok.success());
    let original = std::fs::read(&video).expect("video");
    let list = dir.path().join("cut.md");
    std::fs::write(
        &list,
        "# Cut\n- 5s calm piano, gentle\n- 0:04 hopeful strings\n- 4.5 s warm pads\n",
    )
    .expect("write");
    let doc = scenes(
        &home,
        &[
            list.to_str().expect("utf-8"),
            "--video",
            video.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(doc["status"], "completed");
    assert_eq!(doc["score"]["recipe"]["target_ms"], 12_400);
    let (s, ch) = read(doc["tracks"][0]["output_path"].as_str().expect("path"));
    assert_eq!(s.len() / ch, 12 * SR + SR * 2 / 5);

    let id = doc["tracks"][0]["id"].as_i64().expect("id").to_string();
    let flac = dir.path().join("score.flac");
    let ex = scenes(
        &home,
        &["export", &id, "--to", flac.to_str().expect("utf-8")],
    );
    let files: Vec<PathBuf> = ex["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| PathBuf::from(f.as_str().expect("path")))
        .collect();
    assert_eq!(files[0], flac);
    assert!(flac.is_file());
    let scored = &files[1];
    assert_eq!(
        scored.file_name().and_then(|n| n.to_str()),
        Some("cut (scored).mp4")
    );
    // The video stream is the original's, untouched; the audio is AAC of its length.
    let v_before = ffprobe(&video, "v:0", "stream=codec_name,width,height,nb_frames");
    let v_after = ffprobe(scored, "v:0", "stream=codec_name,width,height,nb_frames");
    assert_eq!(v_before, v_after);
    let a = ffprobe(scored, "a:0", "stream=codec_name,duration,bit_rate");
    assert!(a.contains("codec_name=aac"), "{a}");
    let dur: f64 = a
        .lines()
        .find_map(|l| l.strip_prefix("duration="))
        .and_then(|d| d.parse().ok())
        .expect("duration");
    assert!((dur - 12.4).abs() < 0.05, "audio lasts {dur} s");
    assert_eq!(
        std::fs::read(&video).expect("video"),
        original,
        "the original is untouched"
    );
    // A missing ffmpeg is said plainly.
    let out = run(intone(&home)
        .env("INTONE_FFMPEG", "/nonexistent/ffmpeg")
        .env("PATH", "/nonexistent")
        .args(["scenes", "export", &id, "--video-out"])
        .arg(dir.path().join("again.mp4")));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ffmpeg") && err.contains("install"), "{err}");
}

#[test]
fn bad_scene_lists_name_the_file_and_the_scene() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let f = dir.path().join("bad.toml");
    std::fs::write(
        &f,
        "[[scene]]\nprompt = \"calm\"\nduration_s = 5\n[[scene]]\nprompt = \"\"\nduration_s = 5\n",
    )
    .expect("write");
    let out = run(intone(&home).args(["scenes"]).arg(&f));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml") && err.contains("scene 2"), "{err}");
    let out = run(intone(&home)
        .args(["scenes"])
        .arg(dir.path().join("none.toml")));
    assert!(String::from_utf8_lossy(&out.stderr).contains("none.toml"));
}

#[test]
fn scene_changes_snap_to_the_outgoing_takes_bar_line_and_the_total_stays_exact() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    // 90 BPM in 4/4: a bar is 8/3 s. Changes listed at 7 s and 16 s move to
    // the nearest bar lines, 8 s and 16 s; the score stays 22 s.
    let list = dir.path().join("bars.toml");
    let mut t = String::from("title = \"Bars\"\nsnap = \"bar\"\n");
    for (i, d) in [7, 9, 6].iter().enumerate() {
        t += &format!("[[scene]]\nprompt = \"solo piano, 90 bpm\"\nduration_s = {d}\nseed = {i}\n");
    }
    std::fs::write(&list, t).expect("write");
    let doc = scenes(&home, &[list.to_str().expect("utf-8")]);
    let starts: Vec<f64> = (0..3)
        .map(|i| {
            doc["score"]["scenes"][i]["start_ms"]
                .as_f64()
                .expect("start")
        })
        .collect();
    assert!(
        (starts[1] - 8_000.0).abs() < 1.0,
        "scene 2 at {}",
        starts[1]
    );
    assert!(
        (starts[2] - 16_000.0).abs() < 1.0,
        "scene 3 at {}",
        starts[2]
    );
    assert_eq!(doc["score"]["recipe"]["snap"], "bar");
    let t = &doc["tracks"][0];
    let (s, ch) = read(t["output_path"].as_str().expect("path"));
    assert_eq!(s.len() / ch, 22 * SR);
    // Without snapping, the same list changes where it says.
    let doc = scenes(&home, &[list.to_str().expect("utf-8"), "--snap", "none"]);
    let b = doc["score"]["scenes"][1]["start_ms"]
        .as_f64()
        .expect("start");
    assert!((b - 7_000.0).abs() < 1.0, "unsnapped scene 2 at {b}");
}
