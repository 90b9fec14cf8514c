//! Built-in music engine benchmark: renders takes of several prompts
//! (30 s each, and one of 10 minutes for memory) through the composer and
//! the SoundFont synthesizer, as the `music` kind's generate step does.
//! Prints the render speed as a multiple of real time (goal: ≥ 30×), the
//! same length of the procedural ocean bed rendered in the same run as a
//! reference (ratio), the SoundFont's load time, and the peak resident
//! memory of the long take against the short one (goal: flat with length).
//!
//! Run: `cargo bench -p intone-core --bench music` (add `-- --out DIR` to
//! keep the WAV files, e.g. for `sox … -n spectrogram`).

use std::path::PathBuf;
use std::time::Instant;

use intone_core::audio::mix::BedSource;
use intone_core::engines::beds::Ocean;
use intone_core::engines::music::builtin::Builtin;
use intone_core::engines::music::{MusicEngine, MusicRequest};

const SR: u32 = 48_000;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out_dir = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = out_dir.unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir).expect("out dir");
    let engine = Builtin::new(tmp.path().join("soundfonts"));

    let req = |prompt: &str, seconds: u64| MusicRequest {
        prompt: prompt.into(),
        model: None,
        duration_ms: seconds * 1000,
        seed: 42,
        params: Default::default(),
        continuation: None,
        open_end: false,
        sample_rate_hz: SR,
        looped: false,
    };
    let t = Instant::now();
    engine
        .generate(&req("calm piano", 1), &dir.join("warmup.wav"), &|| false)
        .expect("first take (loads the SoundFont)");
    println!(
        "SoundFont load + 1 s take: {:.2} s",
        t.elapsed().as_secs_f64()
    );

    // Reference: the procedural ocean bed, same length, same run.
    let t = Instant::now();
    let mut ocean = Ocean::new(SR, 1);
    let mut buf = vec![0f32; 2048];
    for _ in 0..(30 * SR as usize / 1024) {
        ocean.fill(&mut buf);
    }
    let ocean_s = t.elapsed().as_secs_f64();
    println!(
        "reference: 30 s of the ocean bed in {ocean_s:.3} s ({:.0}× real time)",
        30.0 / ocean_s
    );

    println!(
        "{:<34} {:>8} {:>12} {:>14}",
        "prompt (30 s)", "seconds", "× real time", "× ocean time"
    );
    for (i, prompt) in [
        "calm piano, slow, warm",
        "upbeat lo-fi groove",
        "ambient drone with rain",
        "cinematic strings in D minor",
        "meditation bells, ocean",
    ]
    .iter()
    .enumerate()
    {
        let t = Instant::now();
        engine
            .generate(
                &req(prompt, 30),
                &dir.join(format!("take-{i}.wav")),
                &|| false,
            )
            .expect("take");
        let s = t.elapsed().as_secs_f64();
        println!(
            "{prompt:<34} {s:>8.2} {:>12.1} {:>14.2}",
            30.0 / s,
            s / ocean_s
        );
    }

    reset_peak_rss();
    engine
        .generate(
            &req("upbeat lo-fi groove", 30),
            &dir.join("mem-short.wav"),
            &|| false,
        )
        .expect("short");
    let short = peak_rss_mib();
    reset_peak_rss();
    let t = Instant::now();
    engine
        .generate(
            &req("upbeat lo-fi groove", 600),
            &dir.join("mem-long.wav"),
            &|| false,
        )
        .expect("long");
    let long_s = t.elapsed().as_secs_f64();
    let long = peak_rss_mib();
    println!(
        "10 min take: {long_s:.1} s ({:.1}× real time); peak RSS {long:.0} MiB vs {short:.0} MiB for 30 s ({:.2}×)",
        600.0 / long_s,
        long / short
    );
}
