//! Post-processing benchmark: mix, master, encode and peaks of a 10-minute
//! track, streamed from and to disk. Prints each step's wall time, its
//! real-time factor (RTF = processing time / audio duration), its ratio to a
//! plain f32 WAV copy pass over the same audio (the I/O floor, measured in the
//! same run), and, when ffmpeg is installed, the ratio of mastering to one
//! ffmpeg `ebur128` measuring pass. Also prints peak resident memory, which
//! stays far below the size of the audio because every step is streamed.
//!
//! The reference for the whole chain is ffmpeg doing the same job in two
//! passes over the same voice stem and the same rendered bed (ffmpeg's
//! filters, documented at ffmpeg.org/ffmpeg-filters.html): pass 1 ducks the
//! bed under the voice (`sidechaincompress`), mixes (`amix`) and measures
//! (`ebur128=peak=true`); pass 2 repeats the mix with the gain to target,
//! `alimiter` at the ceiling, and writes 16-bit WAV. The ratio printed is
//! our chain (mix + master + 16-bit WAV + peaks) over ffmpeg's, and ffmpeg's
//! own meter checks our output's true peak.
//!
//! Run: `cargo bench -p intone-core --bench post` (add `-- --minutes N`).

use std::path::Path;
use std::time::Instant;

use intone_core::audio::encode::{EncodeReport, Format};
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

/// Renders the variant's bed (the same source the mix uses) to a stereo WAV.
fn write_bed(variant: &intone_core::variants::Variant, frames: u64, path: &Path) {
    let mut bed = intone_core::engines::beds::open(&variant.bed, SR, 1)
        .expect("bed")
        .expect("the sleep variant has a bed");
    let gain = 10f32.powf(
        ((intone_core::pipeline::stages::VOICE_STEM_LUFS + variant.bed_level_lu
            - bed.loudness_lufs)
            / 20.0) as f32,
    );
    let mut w = WavBlockWriter::create(path, SR, 2).expect("create");
    let mut block = vec![0f32; BLOCK_FRAMES * 2];
    let mut left = frames;
    while left > 0 {
        let n = (BLOCK_FRAMES as u64).min(left) as usize;
        bed.source.fill(&mut block[..n * 2]);
        for x in &mut block[..n * 2] {
            *x *= gain;
        }
        w.write(&block[..n * 2]).expect("write");
        left -= n as u64;
    }
    w.finish().expect("finish");
}

/// Runs ffmpeg with `args` after `-hide_banner -nostats`; the output when it succeeded.
fn ffmpeg<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Option<std::process::Output> {
    std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats"])
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
}

/// ffmpeg's ebur128 summary: (integrated LUFS, true peak dBTP, or NaN when
/// it did not measure the peak).
fn ffmpeg_summary(stderr: &[u8]) -> Option<(f64, f64)> {
    let text = String::from_utf8_lossy(stderr);
    let value = |key: &str| {
        text.lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
    };
    Some((value("I:")?, value("Peak:").unwrap_or(f64::NAN)))
}

/// The two-pass ffmpeg chain; returns (seconds, gain in dB it applied).
fn ffmpeg_chain(
    voice: &Path,
    bed: &Path,
    target_lufs: f64,
    ceiling_dbtp: f64,
    out: &Path,
) -> Option<(f64, f64)> {
    let graph = "[0:a]aformat=channel_layouts=stereo,asplit=2[v][sc];\
                 [1:a][sc]sidechaincompress=threshold=0.0056:ratio=8:attack=120:release=600[bed];\
                 [v][bed]amix=inputs=2:normalize=0";
    let start = Instant::now();
    let (voice, bed) = (voice.as_os_str(), bed.as_os_str());
    let measure = format!("{graph},ebur128=framelog=verbose");
    let pass1 = ffmpeg(&[
        "-i".as_ref(),
        voice,
        "-i".as_ref(),
        bed,
        "-filter_complex".as_ref(),
        measure.as_ref(),
        "-f".as_ref(),
        "null".as_ref(),
        "-".as_ref(),
    ])?;
    let (lufs, _) = ffmpeg_summary(&pass1.stderr)?;
    let gain = target_lufs - lufs;
    let limit = 10f64.powf(ceiling_dbtp / 20.0);
    let apply = format!("{graph},volume={gain:.2}dB,alimiter=limit={limit:.4}:level=false");
    ffmpeg(&[
        "-y".as_ref(),
        "-i".as_ref(),
        voice,
        "-i".as_ref(),
        bed,
        "-filter_complex".as_ref(),
        apply.as_ref(),
        "-c:a".as_ref(),
        "pcm_s16le".as_ref(),
        out.as_os_str(),
    ])?;
    Some((start.elapsed().as_secs_f64(), gain))
}

/// ffmpeg's meter on a file: (integrated LUFS, true peak dBTP).
fn ffmpeg_measure(path: &Path) -> Option<(f64, f64)> {
    let o = ffmpeg(&[
        "-i".as_ref(),
        path.as_os_str(),
        "-af".as_ref(),
        "ebur128=peak=true:framelog=verbose".as_ref(),
        "-f".as_ref(),
        "null".as_ref(),
        "-".as_ref(),
    ])?;
    ffmpeg_summary(&o.stderr)
}

/// Encodes `master.wav` in `d` to `out.<format>`, 16-bit.
fn deliver(d: &Path, format: Format) -> EncodeReport {
    let out = d.join(format!("out.{}", format.extension()));
    stages::encode(
        &d.join("master.wav"),
        &out,
        format,
        16,
        &Default::default(),
        &Default::default(),
    )
    .expect("encode")
}

fn time<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let t = Instant::now();
    let v = f();
    (t.elapsed().as_secs_f64(), v)
}

/// Seconds of each step of our chain in one round.
struct Round {
    mix: f64,
    master: f64,
    wav: f64,
    peaks: f64,
}

impl Round {
    fn total(&self) -> f64 {
        self.mix + self.master + self.wav + self.peaks
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let arg = |name: &str, default: u32| -> u32 {
        std::env::args()
            .skip_while(|a| a != name)
            .nth(1)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let minutes = arg("--minutes", 10);
    let rounds = arg("--rounds", 3).max(1);
    let secs = f64::from(minutes * 60);
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let stem = d.join("voice.wav");
    write_stem(&stem, minutes * 60);
    let sleep = builtins()
        .into_iter()
        .find(|v| v.name == "sleep")
        .expect("sleep");
    let settings = intone_core::audio::master::MasterSettings {
        target_lufs: sleep.target_lufs,
        ceiling_dbtp: sleep.ceiling_dbtp,
    };
    let rss0 = peak_rss_mib();

    // Our chain and ffmpeg's, alternating, `rounds` times each: this machine's
    // speed drifts, so each is compared with the other in the same minute and
    // the medians are reported.
    let mut ours: Vec<Round> = Vec::new();
    let mut theirs: Vec<f64> = Vec::new();
    let mut rss = [0f64; 3];
    let mut passes = 0;
    let mut bed = None;
    let mut mix_frames = 0;
    let mut delivered = None;
    for _ in 0..rounds {
        let (mix_s, mix) = time(|| stages::mix(&stem, &sleep, 1, &d.join("mix.wav")).expect("mix"));
        rss[0] = peak_rss_mib();
        mix_frames = mix.frames;
        let (master_s, rep) = time(|| {
            stages::master(&d.join("mix.wav"), settings, &d.join("master.wav")).expect("master")
        });
        passes = rep.passes;
        rss[1] = peak_rss_mib();
        let (wav_s, enc) = time(|| deliver(d, Format::Wav));
        rss[2] = peak_rss_mib();
        delivered = Some(enc);
        let (peaks_s, _) =
            time(|| stages::peaks(&d.join("master.wav"), &d.join("peaks.json")).expect("peaks"));
        ours.push(Round {
            mix: mix_s,
            master: master_s,
            wav: wav_s,
            peaks: peaks_s,
        });
        let bed_path = bed.get_or_insert_with(|| {
            let p = d.join("bed.wav");
            write_bed(&sleep, mix.frames, &p);
            p
        });
        if let Some((s, _)) = ffmpeg_chain(
            &stem,
            bed_path,
            sleep.target_lufs,
            sleep.ceiling_dbtp,
            &d.join("ffmpeg.wav"),
        ) {
            theirs.push(s);
        }
    }
    let (copy_s, ()) = time(|| copy_pass(&d.join("mix.wav"), &d.join("copy.wav")));
    let (flac_s, _) = time(|| deliver(d, Format::Flac));
    let rss_flac = peak_rss_mib();
    let ebur128_s = time(|| ffmpeg_measure(&d.join("mix.wav")));

    let audio_mib = mix_frames as f64 * 2.0 * 4.0 / (1024.0 * 1024.0);
    println!(
        "Post-processing of a {minutes}-minute stereo track at {SR} Hz ({audio_mib:.0} MiB as f32), median of {rounds} rounds"
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
    let med = |f: fn(&Round) -> f64| median(ours.iter().map(f).collect());
    row("mix (ocean bed, duck)", med(|r| r.mix));
    row(&format!("master ({passes} passes)"), med(|r| r.master));
    row("encode WAV 16-bit", med(|r| r.wav));
    row("encode FLAC 16-bit", flac_s);
    row("peaks", med(|r| r.peaks));
    let post = med(Round::total);
    row("total (WAV delivery)", post);
    if let (s, Some(_)) = ebur128_s {
        println!("ffmpeg ebur128 measuring pass (with true peak) = {s:.2} s; our mastering = {:.2}× that", med(|r| r.master) / s);
    }
    if theirs.is_empty() {
        println!("ffmpeg not found or failed: no reference chain");
    } else {
        let ratios: Vec<f64> = ours
            .iter()
            .zip(&theirs)
            .map(|(o, t)| o.total() / t)
            .collect();
        println!(
            "ffmpeg two-pass chain (duck + mix + ebur128; gain + alimiter + 16-bit WAV) = {:.2} s; our chain = {:.2}× that (median of per-round ratios; rounds: {})",
            median(theirs.clone()),
            median(ratios.clone()),
            ratios.iter().map(|r| format!("{r:.2}")).collect::<Vec<_>>().join(", ")
        );
        if let (Some(o), Some(t)) = (
            ffmpeg_measure(&d.join("out.wav")),
            ffmpeg_measure(&d.join("ffmpeg.wav")),
        ) {
            println!(
                "ffmpeg's meter: ours {:.2} LUFS, {:.2} dBTP; ffmpeg's chain {:.2} LUFS, {:.2} dBTP (target {:.1} LUFS, ceiling {:.1} dBTP)",
                o.0, o.1, t.0, t.1, sleep.target_lufs, sleep.ceiling_dbtp
            );
        }
    }
    println!(
        "peak RSS (MiB) after mix {:.0}, master {:.0}, WAV {:.0}, FLAC {rss_flac:.0}",
        rss[0], rss[1], rss[2]
    );
    if let Some(enc) = delivered {
        println!(
            "output: {:.2} LUFS (target {:.1}), {:.2} dBTP; peak RSS {:.0} MiB before, {:.0} MiB after",
            enc.loudness.integrated_lufs,
            sleep.target_lufs,
            enc.loudness.true_peak_dbtp,
            rss0,
            peak_rss_mib()
        );
    }
}
