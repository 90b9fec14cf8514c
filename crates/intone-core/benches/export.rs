//! Export benchmark: our MP3 (LAME, VBR -V 2) and Opus (libopus, 96 kbit/s)
//! encoders against ffmpeg's `-c:a libmp3lame -q:a 2` and `-c:a libopus
//! -b:a 96k` on the same 48 kHz stereo f32 WAV, alternating, in the same run.
//! Prints each encoder's median wall time, its real-time factor (RTF =
//! encoding time / audio duration) and the ratio ours / ffmpeg's. Our timing
//! includes what ffmpeg does not do: metering the loudness of what is
//! encoded, and the tags.
//!
//! Run: `cargo bench -p intone-core --bench export` (add `-- --minutes N --rounds R`).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use intone_core::audio::encode::{encode_tagged, EncodeOptions, Format};
use intone_core::audio::tags::Tags;
use intone_core::audio::wav::WavBlockWriter;
use intone_core::audio::BLOCK_FRAMES;

const SR: u32 = 48_000;

/// A music-like stereo source: two detuned chords, noise, a slow swell.
fn write_source(path: &Path, seconds: u32) {
    let mut w = WavBlockWriter::create(path, SR, 2).expect("create");
    let mut rng = fastrand::Rng::with_seed(11);
    let mut block = Vec::with_capacity(BLOCK_FRAMES * 2);
    for i in 0..u64::from(SR) * u64::from(seconds) {
        let t = i as f32 / SR as f32;
        let f = [220.0, 261.6, 329.6][(t / 4.0) as usize % 3];
        let swell = 0.6 + 0.4 * (t * 0.3).sin();
        let n = (rng.f32() - 0.5) * 0.02;
        let l = swell
            * 0.2
            * ((t * f * std::f32::consts::TAU).sin()
                + 0.4 * (t * f * 2.01 * std::f32::consts::TAU).sin())
            + n;
        let r = swell
            * 0.2
            * ((t * f * 1.5 * std::f32::consts::TAU).sin()
                + 0.3 * (t * f * 0.5 * std::f32::consts::TAU).sin())
            + n;
        block.extend_from_slice(&[l, r]);
        if block.len() >= BLOCK_FRAMES * 2 {
            w.write(&block).expect("write");
            block.clear();
        }
    }
    w.write(&block).expect("write");
    w.finish().expect("finish");
}

fn time(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ffmpeg(src: &Path, out: &Path, codec: &[&str]) {
    let ok = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(src)
        .args(codec)
        .arg(out)
        .status()
        .expect("ffmpeg")
        .success();
    assert!(ok, "ffmpeg {codec:?} failed");
}

fn main() {
    let arg = |name: &str, default: u32| -> u32 {
        std::env::args()
            .skip_while(|a| a != name)
            .nth(1)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let minutes = arg("--minutes", 5);
    let rounds = arg("--rounds", 3).max(1);
    let dir = tempfile::tempdir().expect("tmp");
    let src = dir.path().join("source.wav");
    write_source(&src, minutes * 60);
    let seconds = f64::from(minutes * 60);
    let (mut ours_mp3, mut ff_mp3, mut ours_opus, mut ff_opus) = (vec![], vec![], vec![], vec![]);
    let opts = EncodeOptions::default();
    for _ in 0..rounds {
        ours_mp3.push(time(|| {
            encode_tagged(
                &src,
                &dir.path().join("o.mp3"),
                Format::Mp3,
                16,
                &opts,
                &Tags::default(),
            )
            .expect("mp3");
        }));
        ff_mp3.push(time(|| {
            ffmpeg(
                &src,
                &dir.path().join("f.mp3"),
                &["-c:a", "libmp3lame", "-q:a", "2"],
            )
        }));
        ours_opus.push(time(|| {
            encode_tagged(
                &src,
                &dir.path().join("o.opus"),
                Format::Opus,
                16,
                &opts,
                &Tags::default(),
            )
            .expect("opus");
        }));
        ff_opus.push(time(|| {
            ffmpeg(
                &src,
                &dir.path().join("f.opus"),
                &["-c:a", "libopus", "-b:a", "96k"],
            )
        }));
    }
    println!("Export of {minutes} min of 48 kHz stereo, median of {rounds} alternating rounds:");
    for (name, ours, theirs) in [
        ("MP3 VBR -V 2", median(ours_mp3), median(ff_mp3)),
        ("Opus 96 kbit/s", median(ours_opus), median(ff_opus)),
    ] {
        println!(
            "  {name:<15} ours {ours:6.2} s (RTF {:.4})  ffmpeg {theirs:6.2} s (RTF {:.4})  ratio {:.2}×",
            ours / seconds,
            theirs / seconds,
            ours / theirs
        );
    }
}
