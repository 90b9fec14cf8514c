//! Neural voice speed: synthesizes the same 60-word paragraph with Intone's
//! Piper engine (ONNX Runtime in-process, 1 and 2 intra-op threads) and, in the
//! same run, with Python piper-tts 1.8 on the same voice, and prints median
//! times, real-time factors and the ratio. Needs `scripts/setup.sh --dev`.
//!
//! Run: `cargo bench -p intone-core --bench piper` (add `-- --runs N`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use intone_core::engines::piper::PiperEngine;
use intone_core::engines::{SpeechEngine, SpeechRequest};
use intone_core::Home;

const PARAGRAPH: &str = "Every morning I take a slow breath and notice the light coming through the window. \
I make a cup of tea, I open my notebook, and I write down three things I am grateful for. \
Then I stretch, I drink a glass of water, and I step outside for a short walk before the day begins.";

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
        assets.join("runtime/libonnxruntime.so.1.31.1"),
    );
    assert!(voice.is_file(), "run scripts/setup.sh --dev first");
    let words = PARAGRAPH.split_whitespace().count();
    let home = Home::open(std::env::temp_dir().join("intone-bench-piper")).expect("home");
    let req = SpeechRequest {
        voice: "en_US-joe-medium".into(),
        text: PARAGRAPH.into(),
        tempo: 1.0,
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
