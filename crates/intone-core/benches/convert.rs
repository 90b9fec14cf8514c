//! Conversion benchmark: an hour (by default) of speech-like stereo 44.1 kHz
//! audio through the whole conversion kind — ingest → chunk → built-in
//! converter (`deeper`) → join → master → FLAC → peaks — in a temporary home,
//! as the pipeline runs it. Prints the wall time as a real-time factor
//! (RTF = processing time / audio duration), the peak resident memory of the
//! run (goal: under 200 MB whatever the length), and chunking alone (level
//! profile + chunk plan of the same file) against ffmpeg's `silencedetect`
//! on the same file in the same run (goal: faster than ffmpeg).
//!
//! Run: `cargo bench -p intone-core --bench convert` (add `-- --minutes N`).

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use intone_core::audio::encode::Format;
use intone_core::audio::silence::{profile_file, ChunkLimits};
use intone_core::pipeline::RunOptions;
use intone_core::studio::ConvertRequest;
use intone_core::{Home, Studio};

const SR: u32 = 44_100;

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

/// Resets the peak-RSS counter (Linux `clear_refs`), so the next reading
/// covers only what follows.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Speech-like stereo: band-limited noise and a voiced tone in syllables,
/// phrases of 2–6 s, pauses of 0.3–1.2 s, with a little room noise. 16-bit.
fn write_recording(path: &Path, seconds: u64) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: SR,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create");
    let mut rng = fastrand::Rng::with_seed(11);
    let total = u64::from(SR) * seconds;
    let mut i = 0u64;
    let mut lp = 0f32;
    while i < total {
        let phrase = (2.0 + rng.f64() * 4.0) * f64::from(SR);
        let pause = (0.3 + rng.f64() * 0.9) * f64::from(SR);
        let pitch = 100.0 + rng.f32() * 120.0;
        for k in 0..(phrase as u64) {
            let t = k as f32 / SR as f32;
            let syllable = (t * 4.5 * std::f32::consts::TAU).sin().max(0.0);
            lp += 0.25 * ((rng.f32() * 2.0 - 1.0) - lp);
            let s = (lp * 0.4 + 0.25 * (t * pitch * std::f32::consts::TAU).sin()) * syllable;
            let n = (rng.f32() - 0.5) * 0.002;
            let v = ((s + n) * 32767.0) as i16;
            w.write_sample(v).expect("w");
            w.write_sample((f32::from(v) * 0.9) as i16).expect("w");
        }
        for _ in 0..(pause as u64) {
            let n = ((rng.f32() - 0.5) * 0.002 * 32767.0) as i16;
            w.write_sample(n).expect("w");
            w.write_sample(n).expect("w");
        }
        i += phrase as u64 + pause as u64;
    }
    w.finalize().expect("finalize");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let minutes: u64 = args
        .iter()
        .position(|a| a == "--minutes")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let dir = tempfile::tempdir().expect("tmp");
    let input = dir.path().join("recording.wav");
    eprintln!("writing {minutes} min of speech-like stereo {SR} Hz audio…");
    write_recording(&input, minutes * 60);
    let audio_s = hound::WavReader::open(&input).expect("wav").duration() as f64 / f64::from(SR);

    // Chunking alone: ours against ffmpeg's silencedetect, same file.
    let t = Instant::now();
    let profile = profile_file(&input).expect("profile");
    let chunks = profile.plan_chunks(&ChunkLimits::default());
    let chunk_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let ff = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(&input)
        .args(["-af", "silencedetect=n=-40dB:d=0.15", "-f", "null", "-"])
        .output();
    let ff_s = t.elapsed().as_secs_f64();
    let ff_ok = ff.as_ref().is_ok_and(|o| o.status.success());

    // The whole conversion, as the pipeline runs it.
    let home = Home::open(dir.path().join("home")).expect("home");
    let studio = Arc::new(Studio::open(home, RunOptions::default()).expect("studio"));
    let req = ConvertRequest {
        files: vec![input.clone()],
        delivery: intone_core::audio::encode::Delivery {
            format: Format::Flac,
            ..Default::default()
        },
        ..Default::default()
    };
    reset_peak_rss();
    let rss_before = peak_rss_mib();
    let t = Instant::now();
    let plan = studio.plan_conversion(&req).expect("plan");
    let id = studio
        .create_conversion_batch(&plan)
        .expect("batch")
        .expect("new");
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let b = rt.block_on(studio.run_batch(id)).expect("run");
    let total_s = t.elapsed().as_secs_f64();
    let rss = peak_rss_mib();
    let track = &studio.tracks(id).expect("tracks")[0];
    assert_eq!(b.completed, 1, "{:?}", track.error);

    println!(
        "conversion of {:.0} min stereo {SR} Hz → builtin · deeper → FLAC 48 kHz",
        audio_s / 60.0
    );
    println!("  chunks: {} (at most 30 s, cut in silences)", chunks.len());
    println!(
        "  whole conversion: {total_s:.1} s, RTF {:.4} ({:.0}× real time)",
        total_s / audio_s,
        audio_s / total_s
    );
    println!(
        "  peak memory during the run: {rss:.0} MiB (at its start: {rss_before:.0} MiB); the audio as f32 is {:.0} MiB",
        audio_s * f64::from(SR) * 2.0 * 4.0 / (1024.0 * 1024.0)
    );
    if ff_ok {
        println!(
            "  chunking: {chunk_s:.2} s vs ffmpeg silencedetect {ff_s:.2} s on the same file: {:.2}× ffmpeg's time",
            chunk_s / ff_s
        );
    } else {
        println!("  chunking: {chunk_s:.2} s (ffmpeg not installed: no reference)");
    }
    println!(
        "  result: {} ms, {:.1} LUFS, {:.1} dBTP",
        track.duration_ms.unwrap_or(0),
        track.loudness_lufs.unwrap_or(f64::NAN),
        track.true_peak_dbtp.unwrap_or(f64::NAN)
    );
}
