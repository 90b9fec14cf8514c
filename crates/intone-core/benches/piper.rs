//! Neural voice speed, against Python piper-tts 1.8 on the same voice and
//! text in the same run. Needs `scripts/setup.sh --dev`.
//!
//! 1. Whole process, as a user runs it: `intone say -f paragraph.txt --voice
//!    piper:en_US-joe-medium -o out.wav` (a fresh home each run, so no cached
//!    sentence is reused) alternating with `piper -m en_US-joe-medium.onnx -f
//!    out.wav < paragraph.txt`; medians, their ratio, and the median of each
//!    of Intone's phases (`say --timings`). Needs the release CLI (`cargo
//!    build --release -p intone-studio --bin intone`); skipped with a note when it is missing.
//! 2. Preview: how long after the request the first sentence of the app's
//!    voice preview is a playable file, with the voice prepared (as the app
//!    does when a voice is picked), fresh home each run.
//! 3. In-process synthesis of the paragraph: 1 and 2 intra-op threads, and
//!    the batch setting (2 workers × 1 thread, one paragraph each), against
//!    Python piper's in-process time.
//!
//! Run: `cargo bench -p intone-core --bench piper` (add `-- --runs N`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use intone_core::engines::piper::PiperEngine;
use intone_core::engines::{SpeechEngine, SpeechRequest};
use intone_core::pipeline::RunOptions;
use intone_core::{Home, Studio};

const PARAGRAPH: &str = "Every morning I take a slow breath and notice the light coming through the window. \
I make a cup of tea, I open my notebook, and I write down three things I am grateful for. \
Then I stretch, I drink a glass of water, and I step outside for a short walk before the day begins.";

/// The app's preview text (the shell's `PREVIEW_TEXT`).
const PREVIEW: &str = "Hello. This is how I sound reading your script.";

/// Seconds `cmd` took to run to a successful end.
fn timed(cmd: &mut Command) -> (f64, String) {
    let t = Instant::now();
    let out = cmd.output().expect("spawn");
    let secs = t.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (secs, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The phases of a `say --timings` report: (name, seconds, detail).
fn phases(stderr: &str) -> Vec<(String, f64, String)> {
    stderr
        .lines()
        .skip_while(|l| *l != "Timings:")
        .skip(1)
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let name = w.next()?.to_string();
            let secs = w.next()?.parse().ok()?;
            let detail = w.skip(1).collect::<Vec<_>>().join(" ");
            Some((name, secs, detail))
        })
        .collect()
}

/// Whole-process `say` against the `piper` CLI, alternating, `runs` rounds.
fn whole_process(assets: &Path, runs: usize) {
    let Some(intone) = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent()?.parent().map(|d| d.join("intone")))
        .filter(|p| p.is_file())
    else {
        println!(
            "(whole process skipped: build the CLI first, cargo build --release -p intone-studio --bin intone)\n"
        );
        return;
    };
    let piper = assets.join("piper-venv/bin/piper");
    let voice = assets.join("voices/en_US-joe-medium.onnx");
    let dir = tempfile::tempdir().expect("tmp");
    let text = dir.path().join("paragraph.txt");
    std::fs::write(&text, PARAGRAPH).expect("text");
    let (mut ours, mut theirs, mut table) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        let home = dir.path().join(format!("home-{run}"));
        let (t, err) = timed(
            Command::new(&intone)
                .env("INTONE_HOME", &home)
                .args(["say", "-f"])
                .arg(&text)
                .args(["--voice", "piper:en_US-joe-medium", "--timings", "-o"])
                .arg(dir.path().join("intone.wav")),
        );
        ours.push(t);
        table.push(phases(&err));
        let (t, _) = timed(
            Command::new(&piper)
                .arg("-m")
                .arg(&voice)
                .arg("-f")
                .arg(dir.path().join("piper.wav"))
                .stdin(std::fs::File::open(&text).expect("text")),
        );
        theirs.push(t);
        let _ = std::fs::remove_dir_all(&home);
    }
    let (a, b) = (median(ours.clone()), median(theirs.clone()));
    println!("Whole process, fresh home each run, alternating, median of {runs}:");
    println!(
        "  python piper-tts 1.8 CLI   {b:>7.3} s   1.00×   (runs: {})",
        list(&theirs)
    );
    println!(
        "  intone say                 {a:>7.3} s   {:.2}×   (runs: {})",
        a / b,
        list(&ours)
    );
    println!("  intone's phases (median):");
    if let Some(first) = table.first() {
        for (i, (name, _, detail)) in first.iter().enumerate() {
            let m = median(table.iter().filter_map(|r| r.get(i).map(|p| p.1)).collect());
            println!("    {name:<11} {m:>7.3} s  {detail}");
        }
    }
    println!();
}

fn list(v: &[f64]) -> String {
    v.iter()
        .map(|t| format!("{t:.2}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Time to the first playable part of a preview, voice prepared.
fn preview(runs: usize) {
    let mut first = Vec::new();
    let mut whole = Vec::new();
    for _ in 0..runs {
        let dir = tempfile::tempdir().expect("tmp");
        let studio = Studio::open(Home::open(dir.path()).expect("home"), RunOptions::default())
            .expect("studio");
        studio
            .prepare_voice("piper:en_US-joe-medium")
            .expect("prepare");
        let t = Instant::now();
        let mut at = None;
        studio
            .preview_speech(
                PREVIEW,
                "piper:en_US-joe-medium",
                &dir.path().join("p"),
                "joe",
                &mut |_| {
                    at.get_or_insert(t.elapsed().as_secs_f64());
                },
            )
            .expect("preview");
        whole.push(t.elapsed().as_secs_f64());
        first.push(at.expect("a part"));
    }
    println!("Preview \"{PREVIEW}\", voice prepared, fresh home, median of {runs}:");
    println!(
        "  first sentence playable after {:>6.0} ms   (runs: {})",
        median(first.clone()) * 1000.0,
        list(&first)
    );
    println!(
        "  whole preview rendered after  {:>6.0} ms\n",
        median(whole) * 1000.0
    );
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let runs: usize = std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let assets: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.assets");
    let voice = assets.join("voices/en_US-joe-medium.onnx");
    std::env::set_var("INTONE_VOICE_PATH", assets.join("voices"));
    std::env::set_var(
        "ORT_DYLIB_PATH",
        assets.join("runtime/libonnxruntime.so.1.32.0"),
    );
    assert!(voice.is_file(), "run scripts/setup.sh --dev first");
    let words = PARAGRAPH.split_whitespace().count();
    whole_process(&assets, runs);
    preview(runs);
    let home = Home::open(std::env::temp_dir().join("intone-bench-piper")).expect("home");
    let req = SpeechRequest {
        voice: "en_US-joe-medium".into(),
        text: PARAGRAPH.into(),
        tempo_ratio: 1.0,
        threads: 1,
        take: 0,
        ..SpeechRequest::default()
    };

    let mut rows = Vec::new();
    let mut audio_s = 0.0;
    for threads in [1usize, 2] {
        let e = PiperEngine::new(home.clone(), threads);
        let clip = e.synthesize(&req).expect("warm-up"); // loads the model once
        audio_s = clip.duration_ms() / 1000.0;
        let times: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                e.synthesize(&req).expect("synthesize");
                t.elapsed().as_secs_f64()
            })
            .collect();
        rows.push((
            format!(
                "intone (ort, {threads} thread{})",
                if threads > 1 { "s" } else { "" }
            ),
            median(times),
        ));
    }

    // The pipeline's own setting: two workers, one thread each, one paragraph each.
    let pool = std::sync::Arc::new(PiperEngine::new(home.clone(), 1));
    let warm: Vec<_> = (0..2)
        .map(|_| {
            let (e, r) = (pool.clone(), req.clone());
            std::thread::spawn(move || e.synthesize(&r).map(|_| ()))
        })
        .collect();
    warm.into_iter()
        .for_each(|h| h.join().expect("join").expect("warm-up"));
    let times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let hs: Vec<_> = (0..2)
                .map(|_| {
                    let (e, r) = (pool.clone(), req.clone());
                    std::thread::spawn(move || e.synthesize(&r).map(|_| ()))
                })
                .collect();
            hs.into_iter()
                .for_each(|h| h.join().expect("join").expect("synthesize"));
            t.elapsed().as_secs_f64() / 2.0
        })
        .collect();
    rows.push((
        "intone, 2 workers × 1 thread (per paragraph)".to_string(),
        median(times),
    ));

    let python = assets.join("piper-venv/bin/python");
    let script = r#"
import sys, time, statistics
from piper import PiperVoice
v = PiperVoice.load(sys.argv[1])
text, runs = sys.argv[2], int(sys.argv[3])
list(v.synthesize(text))
ts = []
for _ in range(runs):
    t = time.perf_counter(); list(v.synthesize(text)); ts.append(time.perf_counter() - t)
print(statistics.median(ts))
"#;
    let py = Command::new(&python)
        .args(["-c", script])
        .arg(&voice)
        .arg(PARAGRAPH)
        .arg(runs.to_string())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse::<f64>()
                .ok()
        });

    println!("Piper en_US-joe-medium, {words}-word paragraph ({audio_s:.1} s of speech), median of {runs} runs");
    println!(
        "{:<46} {:>9} {:>8} {:>16}",
        "engine", "seconds", "RTF", "vs Python piper"
    );
    if let Some(p) = py {
        println!(
            "{:<46} {:>9.3} {:>8.3} {:>16}",
            "python piper-tts 1.8 (ORT default threads)",
            p,
            p / audio_s,
            "1.00×"
        );
    }
    for (name, t) in &rows {
        let ratio = py.map_or_else(|| "n/a".to_string(), |p| format!("{:.2}×", t / p));
        println!("{name:<46} {t:>9.3} {:>8.3} {ratio:>16}", t / audio_s);
    }
    if py.is_none() {
        println!(
            "(Python piper not found at {}; run scripts/setup.sh --dev)",
            python.display()
        );
    }
}
