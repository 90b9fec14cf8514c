//! Scene score benchmark: the steps a `scenes` track adds after its takes.
//!
//! * **merge**: five scene takes (60 s of score, stereo, 48 kHz) merged with
//!   1 s crossfades, against reading and writing the same audio once (the
//!   least a merge can cost) as the reference;
//! * **fit**: a 30 s score stretched to 24 s and to 36 s with Signalsmith
//!   Stretch (pitch kept), as a multiple of real time and against ffmpeg's
//!   `atempo` (also pitch-preserving) doing the same in the same run;
//!   `trim` for comparison.
//!
//! Run: `cargo bench -p intone-core --bench scenes`.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use intone_core::audio::fit::{fit, FitMode};
use intone_core::audio::wav::{read_clip, write_clip};
use intone_core::audio::Clip;
use intone_core::pipeline::merge::{layout, merge};

const SR: u32 = 48_000;

/// Stereo test music: a chord with a slow swell and a little noise.
fn music(frames: usize, seed: u64) -> Clip {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut s = Vec::with_capacity(frames * 2);
    for i in 0..frames {
        let t = i as f32 / SR as f32;
        let swell = 0.6 + 0.4 * (t * 0.7).sin();
        let x = [220.0f32, 277.2, 329.6]
            .iter()
            .map(|f| (std::f32::consts::TAU * f * t).sin())
            .sum::<f32>()
            * 0.15
            * swell
            + (rng.f32() - 0.5) * 0.01;
        s.extend([x, x * 0.9]);
    }
    Clip {
        sample_rate_hz: SR,
        channels: 2,
        samples: s,
    }
}

fn secs(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

fn atempo(input: &Path, out: &Path, tempo: f64) -> Option<f64> {
    let t = Instant::now();
    let ok = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(input)
        .args(["-filter:a", &format!("atempo={tempo}")])
        .args(["-c:a", "pcm_f32le"])
        .arg(out)
        .status()
        .ok()?
        .success();
    ok.then(|| t.elapsed().as_secs_f64())
}

fn main() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();

    // Merge: five takes with their handles.
    let durations = [12_000u64, 20_000, 10_000, 10_000, 8_000];
    let spans = layout(&durations, 1_000, SR);
    let takes: Vec<Option<std::path::PathBuf>> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let p = dir.join(format!("take-{i}.wav"));
            write_clip(&p, &music(s.take_frames() as usize, i as u64)).expect("take");
            Some(p)
        })
        .collect();
    let merged = dir.join("merged.wav");
    let t_merge = secs(|| merge(&takes, &spans, SR, &merged).expect("merge"));
    let t_copy = secs(|| {
        for (i, p) in takes.iter().flatten().enumerate() {
            let c = read_clip(p).expect("read");
            write_clip(&dir.join(format!("copy-{i}.wav")), &c).expect("write");
        }
    });
    println!(
        "merge: 5 scenes, 60 s of score: {:.3} s ({:.0}× real time); reading and writing the takes once: {:.3} s; ratio {:.2}",
        t_merge,
        60.0 / t_merge,
        t_copy,
        t_merge / t_copy
    );

    // Fit: 30 s to 24 s and 36 s.
    let score = music(30 * SR as usize, 9);
    let src = dir.join("score.wav");
    write_clip(&src, &score).expect("score");
    for target_s in [24.0f64, 36.0] {
        let target = (target_s * f64::from(SR)) as usize;
        let mut fitted = None;
        let t_stretch = secs(|| fitted = Some(fit(&score, target, FitMode::Stretch).expect("fit")));
        assert_eq!(fitted.map(|c| c.frames()), Some(target));
        let reference = atempo(&src, &dir.join("atempo.wav"), 30.0 / target_s);
        match reference {
            Some(r) => println!(
                "stretch 30 s → {target_s} s: {t_stretch:.3} s ({:.0}× real time); ffmpeg atempo: {r:.3} s; ratio {:.2}",
                30.0 / t_stretch,
                t_stretch / r
            ),
            None => println!(
                "stretch 30 s → {target_s} s: {t_stretch:.3} s ({:.0}× real time); ffmpeg not found for the reference",
                30.0 / t_stretch
            ),
        }
    }
    let t_trim = secs(|| {
        fit(&score, 24 * SR as usize, FitMode::Trim).expect("trim");
    });
    println!("trim 30 s → 24 s: {t_trim:.4} s");
}
