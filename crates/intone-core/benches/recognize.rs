//! Recognition benchmark: what the intelligibility check costs a Piper batch.
//!
//! Generates the shared `life-vision.md` fixture with the built-in neural
//! voice twice per round, in fresh homes (so both synthesize every sentence):
//! once with the check off, once with it on, alternating. Prints the median
//! wall time of each, the ratio (goal: the check adds under 25 %), and the
//! recognizer's real-time factor (RTF = recognition time / audio heard) when
//! hearing the same batch's clips again from scratch, as `intone check` does.
//!
//! Run: `cargo bench -p intone-core --bench recognize` (add `-- --rounds R`);
//! needs the assets `scripts/setup.sh` installs.

use std::path::{Path, PathBuf};
use std::time::Instant;

use intone_core::pipeline::RunOptions;
use intone_core::{GenerateRequest, Home, Studio};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn generate(script: &Path, check: bool) -> (f64, PathBuf, i64) {
    let dir = tempfile::tempdir().expect("tmp").keep();
    let studio =
        Studio::open(Home::open(&dir).expect("home"), RunOptions::default()).expect("studio");
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let t = Instant::now();
    let plan = studio
        .plan(&GenerateRequest {
            scripts: vec![script.to_path_buf()],
            check,
            ..Default::default()
        })
        .expect("plan");
    let id = studio.create_batch(&plan).expect("batch");
    rt.block_on(studio.run_batch(id)).expect("run");
    (t.elapsed().as_secs_f64(), dir, id)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds: usize = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let assets = root.join(".assets");
    std::env::set_var("INTONE_VOICE_PATH", assets.join("voices"));
    std::env::set_var(
        "ORT_DYLIB_PATH",
        assets.join("runtime/libonnxruntime.so.1.32.0"),
    );
    std::env::set_var("INTONE_MODEL_PATH", assets.join("models"));
    let script = root.join("../shared/fixtures/scripts/life-vision.md");
    assert!(script.is_file(), "{} is missing", script.display());
    // Warm up: load the voice and the recognizer once.
    let (_, warm, _) = generate(&script, true);
    let _ = std::fs::remove_dir_all(warm);

    let (mut off, mut on) = (Vec::new(), Vec::new());
    let mut last = None;
    for _ in 0..rounds {
        let (t, d, _) = generate(&script, false);
        off.push(t);
        let _ = std::fs::remove_dir_all(d);
        let (t, d, id) = generate(&script, true);
        on.push(t);
        if let Some((old, _)) = last.replace((d, id)) {
            let _ = std::fs::remove_dir_all(old);
        }
    }
    let (off, on) = (median(off), median(on));
    println!("life-vision.md, piper:en_US-joe-medium, {rounds} rounds (median wall time)");
    println!("  check off: {off:.2} s");
    println!(
        "  check on:  {on:.2} s  ({:.2}x, +{:.0} %; goal under +25 %)",
        on / off,
        (on / off - 1.0) * 100.0
    );

    // Hear the last batch's clips again from scratch, as `intone check` would.
    let (dir, id) = last.expect("a round");
    let studio =
        Studio::open(Home::open(&dir).expect("home"), RunOptions::default()).expect("studio");
    let db = rusqlite::Connection::open(dir.join("intone.db")).expect("db");
    db.execute("UPDATE clips SET heard = NULL", [])
        .expect("forget");
    let audio_s: f64 = db
        .query_row(
            "SELECT sum(CAST(frames AS REAL) / sample_rate_hz) FROM clips",
            [],
            |r| r.get(0),
        )
        .expect("frames");
    let t = Instant::now();
    let checks = studio.check_batch(id, true).expect("check");
    let took = t.elapsed().as_secs_f64();
    let n: usize = checks.iter().map(|c| c.report.sentences.len()).sum();
    println!(
        "  recognition: {n} sentences, {audio_s:.1} s of speech in {took:.2} s: RTF {:.3} ({:.0}x real time)",
        took / audio_s,
        audio_s / took
    );
    let _ = std::fs::remove_dir_all(dir);
}
