//! Post-processing benchmark: mix, master, encode and peaks of a 10-minute
//! track, streamed from and to disk. Prints each stage's wall time, its
//! real-time factor (RTF = processing time / audio duration), its ratio to a
//! plain f32 WAV copy pass over the same audio (the I/O floor, measured in the
//! same run), and, when ffmpeg is installed, the ratio of mastering to one
//! ffmpeg `ebur128` measuring pass. Also prints peak resident memory, which
//! stays far below the size of the audio because every stage is streamed.
//!
//! Run: `cargo bench -p intone-core --bench post` (add `-- --minutes N`).

use std::path::Path;
use std::time::Instant;

use intone_core::audio::wav::{WavBlockReader, WavBlockWriter};
use intone_core::audio::BLOCK_FRAMES;
use intone_core::pipeline::stages;
use intone_core::variants::builtins;

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

/// A speech-like stem: band-limited noise in syllable bursts with pauses.
fn write_stem(path: &Path, seconds: u32) {
    let mut w = WavBlockWriter::create(path, SR, 1).expect("create");
    let mut rng = fastrand::Rng::with_seed(7);
    let mut lp = 0f32;
    let mut block = Vec::with_capacity(BLOCK_FRAMES);
    let total = u64::from(SR) * u64::from(seconds);
    for i in 0..total {
        let t = i as f32 / SR as f32;
        let syllable = (t * 4.0 * std::f32::consts::TAU).sin().max(0.0);
        let phrase = if (t % 6.0) < 4.5 { 1.0 } else { 0.0 };
        lp += 0.2 * ((rng.f32() * 2.0 - 1.0) - lp);
        block.push(
            lp * syllable * phrase * 0.5
                + 0.2 * (t * 140.0 * std::f32::consts::TAU).sin() * syllable * phrase,
        );
        if block.len() == BLOCK_FRAMES {
            w.write(&block).expect("write");
            block.clear();
        }
    }
    w.write(&block).expect("write");
    w.finish().expect("finish");
}

fn copy_pass(from: &Path, to: &Path) {
    let mut r = WavBlockReader::open(from).expect("open");
    let mut w = WavBlockWriter::create(to, r.sample_rate_hz, r.channels).expect("create");
    let mut buf = Vec::new();
    while r.read_block(&mut buf, BLOCK_FRAMES).expect("read") > 0 {
        w.write(&buf).expect("write");
    }
    w.finish().expect("finish");
}

fn time<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let t = Instant::now();
    let v = f();
    (t.elapsed().as_secs_f64(), v)
}

fn main() {
    let minutes: u32 = std::env::args()
        .skip_while(|a| a != "--minutes")
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let secs = f64::from(minutes * 60);
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let stem = d.join("voice.wav");
    write_stem(&stem, minutes * 60);
    let sleep = builtins()
        .into_iter()
        .find(|v| v.name == "sleep")
        .expect("sleep");
    let rss0 = peak_rss_mib();

    let (mix_s, mix) = time(|| stages::mix(&stem, &sleep, 1, &d.join("mix.wav")).expect("mix"));
    let rss_mix = peak_rss_mib();
    let (copy_s, ()) = time(|| copy_pass(&d.join("mix.wav"), &d.join("copy.wav")));
    let (master_s, rep) = time(|| {
        stages::master(
            &d.join("mix.wav"),
            intone_core::audio::master::MasterSettings {
                target_lufs: sleep.target_lufs,
                ceiling_dbtp: sleep.ceiling_dbtp,
            },
            &d.join("master.wav"),
        )
        .expect("master")
    });
    let rss_master = peak_rss_mib();
    let (enc_s, enc) = time(|| {
        stages::encode(
            &d.join("master.wav"),
            &d.join("out.wav"),
            intone_core::audio::encode::Format::Wav,
            16,
        )
        .expect("encode")
    });
    let rss_wav = peak_rss_mib();
    let (flac_s, _) = time(|| {
        stages::encode(
            &d.join("master.wav"),
            &d.join("out.flac"),
            intone_core::audio::encode::Format::Flac,
            16,
        )
        .expect("flac")
    });
    let rss_flac = peak_rss_mib();
    let (peaks_s, _) =
        time(|| stages::peaks(&d.join("master.wav"), &d.join("peaks.json")).expect("peaks"));
    let ffmpeg_s = time(|| {
        std::process::Command::new("ffmpeg")
            .args(["-hide_banner", "-nostats", "-i"])
            .arg(d.join("mix.wav"))
            .args(["-af", "ebur128=peak=true", "-f", "null", "-"])
            .output()
            .ok()
            .filter(|o| o.status.success())
    });

    let audio_mib = mix.frames as f64 * f64::from(mix.channels) * 4.0 / (1024.0 * 1024.0);
    println!(
        "Post-processing of a {minutes}-minute stereo track at {SR} Hz ({audio_mib:.0} MiB as f32)"
    );
    println!("reference: plain f32 WAV copy pass = {copy_s:.2} s");
    println!(
        "{:<22} {:>8} {:>10} {:>12}",
        "stage", "seconds", "RTF", "× copy pass"
    );
    let row = |name: &str, s: f64| {
        println!(
            "{name:<22} {s:>8.2} {:>10.4} {:>12.1}",
            s / secs,
            s / copy_s
        )
    };
    row("mix (ocean bed, duck)", mix_s);
    row(&format!("master ({} passes)", rep.passes), master_s);
    row("encode WAV 16-bit", enc_s);
    row("encode FLAC 16-bit", flac_s);
    row("peaks", peaks_s);
    let post = mix_s + master_s + enc_s + peaks_s;
    row("total (WAV delivery)", post);
    if let (s, Some(_)) = ffmpeg_s {
        println!(
            "ffmpeg ebur128 measuring pass = {s:.2} s; our mastering = {:.2}× that",
            master_s / s
        );
    }
    println!("peak RSS (MiB) after mix {rss_mix:.0}, master {rss_master:.0}, WAV {rss_wav:.0}, FLAC {rss_flac:.0}");
    println!(
        "output: {:.2} LUFS (target {:.1}), {:.2} dBTP; peak RSS {:.0} MiB before, {:.0} MiB after",
        enc.loudness.integrated_lufs,
        sleep.target_lufs,
        enc.loudness.true_peak_dbtp,
        rss0,
        peak_rss_mib()
    );
}
