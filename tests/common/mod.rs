//! Helpers for driving the real `intone` binary in a temporary home.

#![allow(dead_code)]

pub mod cog;
pub mod convert;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fixture script from `../shared/fixtures/scripts`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/scripts")
        .join(name)
}

/// `intone` with `--home` set to `home`, with only the espeak voice (no
/// neural voice installed), so results do not depend on the environment:
/// `INTONE_ASSETS` set and empty hides the assets the app's build copies
/// beside the binaries (and an installed package's).
pub fn intone(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_intone"));
    c.env("INTONE_ASSETS", "")
        .env_remove("INTONE_HOME")
        .env_remove("INTONE_FAILPOINT")
        .env_remove("INTONE_VOICE_PATH")
        .env_remove("ORT_DYLIB_PATH")
        // The speech recognizer's model (installed by scripts/setup.sh).
        .env(
            "INTONE_MODEL_PATH",
            Path::new(env!("CARGO_MANIFEST_DIR")).join(".assets/models"),
        )
        .arg("--home")
        .arg(home);
    c
}

/// The assets `scripts/setup.sh` installs (neural voice, ONNX Runtime).
pub fn assets() -> PathBuf {
    let a = Path::new(env!("CARGO_MANIFEST_DIR")).join(".assets");
    assert!(
        a.join("voices/en_US-joe-medium.onnx").is_file(),
        "the joe voice is missing from {}: run scripts/setup.sh",
        a.display()
    );
    a
}

/// `intone` with the built-in neural voice installed.
pub fn intone_neural(home: &Path) -> Command {
    let a = assets();
    let mut c = intone(home);
    c.env("INTONE_VOICE_PATH", a.join("voices"))
        .env("ORT_DYLIB_PATH", a.join("runtime/libonnxruntime.so.1.32.0"));
    c
}

/// Runs and returns the output, printing stderr on unexpected failure.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run intone")
}

/// Runs like [`run`], but kills the process after `limit` and returns `None`,
/// so a hang fails the test quickly instead of stalling the suite. Output is
/// collected through files (no pipe can fill up and block the child).
pub fn run_within(cmd: &mut Command, limit: std::time::Duration) -> Option<Output> {
    let dir = tempfile::tempdir().expect("tmp");
    let (o, e) = (dir.path().join("out"), dir.path().join("err"));
    let mut child = cmd
        .stdout(std::fs::File::create(&o).expect("out"))
        .stderr(std::fs::File::create(&e).expect("err"))
        .spawn()
        .expect("run intone");
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    Some(Output {
        status,
        stdout: std::fs::read(&o).expect("out"),
        stderr: std::fs::read(&e).expect("err"),
    })
}

/// Parses stdout as JSON.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The tracks of batch `id` as JSON.
pub fn tracks(home: &Path, id: i64) -> Vec<serde_json::Value> {
    let out = run(intone(home).args(["tracks", &id.to_string(), "--json"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out).as_array().cloned().unwrap_or_default()
}

/// Every file below `dir`, recursively.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(rd) = std::fs::read_dir(&d) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
    }
    out.sort();
    out
}

/// Asserts every track of batch `id` completed exactly once with a file on disk,
/// and that no temporary file is left anywhere in the home.
pub fn assert_all_completed_once(home: &Path, id: i64, expected: usize) {
    let t = tracks(home, id);
    assert_eq!(t.len(), expected);
    let mut outputs = Vec::new();
    for tr in &t {
        assert_eq!(tr["status"], "completed", "{tr}");
        let p = PathBuf::from(tr["output_path"].as_str().expect("path"));
        assert!(p.is_file(), "{}", p.display());
        outputs.push(p);
    }
    outputs.sort();
    outputs.dedup();
    assert_eq!(outputs.len(), expected, "each track has its own output");
    // Subtitles sit beside speech tracks, and a transcript (text and
    // subtitles) beside converted ones; every other file is a track's audio.
    let audio: Vec<_> = files_below(&home.join("projects"))
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(&format!("batch-{id}/")))
        .filter(|p| {
            !p.extension()
                .is_some_and(|e| e == "srt" || e == "vtt" || e == "txt")
        })
        .collect();
    assert_eq!(
        audio, outputs,
        "no duplicate or stray files in the batch folder"
    );
    let temps: Vec<_> = files_below(home)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(temps.is_empty(), "temporary files left: {temps:?}");
}

const SPEECH: &[&str] = &[
    "Front_Center",
    "Front_Left",
    "Front_Right",
    "Rear_Center",
    "Rear_Left",
    "Rear_Right",
    "Side_Left",
    "Side_Right",
];

/// A ~52 s recording of real speech (alsa-utils' channel names, three
/// rounds) with 0.5–0.9 s silences between the words, 48 kHz mono 16-bit.
pub fn recording(dir: &Path) -> PathBuf {
    let alsa = Path::new("/usr/share/sounds/alsa");
    assert!(
        alsa.join("Front_Center.wav").is_file(),
        "alsa-utils' sounds are missing: run scripts/setup.sh --dev"
    );
    let mut samples: Vec<i16> = Vec::new();
    for round in 0..3 {
        for (i, name) in SPEECH.iter().enumerate() {
            let mut r = hound::WavReader::open(alsa.join(format!("{name}.wav"))).expect("alsa wav");
            assert_eq!(r.spec().sample_rate, 48_000);
            samples.extend(r.samples::<i16>().map(|s| s.expect("sample")));
            let gap_ms = 500 + ((round * 8 + i) * 137) % 400;
            samples.extend(std::iter::repeat_n(0i16, gap_ms * 48));
        }
    }
    let path = dir.join("talk.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&path, spec).expect("create");
    for s in samples {
        w.write_sample(s).expect("write");
    }
    w.finalize().expect("finalize");
    path
}

/// Sentence onsets in 48 kHz mono audio, ms: 5 ms windows rising above
/// −40 dBFS after at least 300 ms below it (sentence pauses are 450 ms;
/// pauses inside a sentence are shorter), refined to the first sample above
/// 0.01.
pub fn onsets(s: &[f32]) -> Vec<u64> {
    let hop = 240;
    let mut quiet = 300 / 5;
    let mut out = Vec::new();
    for (i, w) in s.chunks(hop).enumerate() {
        let rms = (w.iter().map(|x| x * x).sum::<f32>() / w.len() as f32).sqrt();
        if 20.0 * rms.max(1e-9).log10() > -40.0 {
            if quiet >= 300 / 5 {
                let first = w.iter().position(|x| x.abs() > 0.01).unwrap_or(0);
                out.push(((i * hop + first) as u64) * 1000 / 48_000);
            }
            quiet = 0;
        } else {
            quiet += 1;
        }
    }
    out
}

/// A finished command's standard error, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

// Speech-track helpers of the cast and lexicon tests.

/// Sentence records of the batch's synthesize units, in order: (speaker, plan).
pub fn sentence_records(home: &Path) -> Vec<serde_json::Value> {
    let db = rusqlite::Connection::open(home.join("intone.db")).expect("db");
    let mut st = db
        .prepare("SELECT plan_json FROM units WHERE stage = 'synthesize' ORDER BY track_id, idx")
        .expect("query");
    st.query_map([], |r| r.get::<_, String>(0))
        .expect("rows")
        .map(|j| serde_json::from_str(&j.expect("row")).expect("plan json"))
        .collect()
}

pub fn clips(home: &Path) -> i64 {
    let db = rusqlite::Connection::open(home.join("intone.db")).expect("db");
    db.query_row("SELECT count(*) FROM clips", [], |r| r.get(0))
        .expect("count")
}

/// Runs `generate` with `args` until the voice stem of track 1 is assembled
/// (a fail point stops the process there, as a power cut would), and
/// returns the stem.
pub fn stem_of(home: &Path, mut generate: std::process::Command) -> intone_core::audio::Clip {
    let cut = run(generate.env("INTONE_FAILPOINT", "assemble:after_commit"));
    assert!(!cut.status.success(), "the fail point stops it");
    intone_core::audio::wav::read_clip(&home.join("work/track-1/voice.wav")).expect("voice stem")
}

/// Runs of silence (every sample under −50 dBFS) longer than 300 ms: (start, end) in s.
pub fn silences(samples: &[f32], sr: f64) -> Vec<(f64, f64)> {
    let thr = 10f32.powf(-50.0 / 20.0);
    let mut out = Vec::new();
    let mut start = None;
    for (i, s) in samples.iter().enumerate() {
        match (s.abs() < thr, start) {
            (true, None) => start = Some(i),
            (false, Some(a)) => {
                if (i - a) as f64 / sr > 0.3 {
                    out.push((a as f64 / sr, i as f64 / sr));
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// Short-term loudness (EBU R128, 3 s) of interleaved stereo `x`.
fn loudness(x: &[f32], sr: u32) -> f64 {
    let mut m = ebur128::EbuR128::new(2, sr, ebur128::Mode::S).expect("meter");
    m.add_frames_f32(x).expect("frames");
    m.loudness_shortterm().expect("short-term")
}

/// How a file played twice, end to start, sounds at the join: the jump
/// between its last and first samples against the 99.9th percentile of
/// its own sample-to-sample jumps, and the short-term loudness of the 3 s
/// across the join against the mean of the 3 s before and after it.
pub struct Seam {
    pub jump: f32,
    pub p999: f32,
    pub dip_lu: f64,
}

impl Seam {
    /// Prints the figures, then asserts the join is seamless: no jump
    /// above the file's own 99.9th percentile, no dip over 1 LU.
    pub fn assert_seamless(&self, path: &Path) {
        eprintln!(
            "seam {}: jump {:.5} (99.9th percentile {:.5}), dip {:.2} LU",
            path.display(),
            self.jump,
            self.p999,
            self.dip_lu
        );
        assert!(
            self.jump <= self.p999,
            "{}: the seam jumps {} (the file's 99.9th percentile is {})",
            path.display(),
            self.jump,
            self.p999
        );
        assert!(
            self.dip_lu <= 1.0,
            "{}: loudness dips {:.2} LU across the seam",
            path.display(),
            self.dip_lu
        );
    }
}

pub fn seam(path: &Path) -> Seam {
    let clip = intone_core::audio::decode::decode_file(path)
        .expect("decode")
        .with_channels(2);
    let (x, sr) = (&clip.samples, clip.sample_rate_hz);
    let mut jumps: Vec<f32> = x
        .chunks_exact(2)
        .zip(x.chunks_exact(2).skip(1))
        .map(|(a, b)| (a[0] - b[0]).abs().max((a[1] - b[1]).abs()))
        .collect();
    jumps.sort_by(f32::total_cmp);
    let p999 = jumps[jumps.len() * 999 / 1000];
    let n = x.len();
    let jump = (x[n - 2] - x[0]).abs().max((x[n - 1] - x[1]).abs());
    let twice: Vec<f32> = x.iter().chain(x.iter()).copied().collect();
    let at = n; // the join, in samples (stereo).
    let w = 3 * sr as usize * 2;
    let window = |from: usize| loudness(&twice[from..from + w], sr);
    let across = window(at - w / 2);
    let around = (window(at - w - w / 2) + window(at + w / 2)) / 2.0;
    Seam {
        jump,
        p999,
        dip_lu: around - across,
    }
}

/// Registers the Cog server at `url` as music engine `name` and returns
/// what `intone models --json` says of it.
pub fn add_cog_engine(home: &Path, name: &str, url: &str) -> serde_json::Value {
    let out = run(intone(home).args(["engines", "add", name, "--kind", "cog", "--url", url]));
    assert!(out.status.success(), "{}", stderr(&out));
    let models = json(&run(intone(home).args(["models", "--json"])));
    models
        .as_array()
        .expect("list")
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no engine {name} in {models}"))
        .clone()
}
