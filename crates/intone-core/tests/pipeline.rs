//! Pipeline tests over real SQLite files and real audio: loudness and true
//! peak of every built-in variant (cross-checked by ffmpeg's ebur128 filter),
//! click-free joins, the clip cache across batches, and clean refusal of bad
//! input.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{rt, studio};
use intone_core::audio::edit::max_step;
use intone_core::audio::wav::{read_clip, write_clip};
use intone_core::audio::Clip;
use intone_core::pipeline::stages::{assemble, ClipRef};
use intone_core::pipeline::RunOptions;
use intone_core::script::Pause;
use intone_core::store::{BatchStatus, TrackStatus};
use intone_core::variants::Variant;
use intone_core::{GenerateRequest, Home, Studio};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/scripts")
        .join(name)
}

/// Integrated loudness and true peak as measured by ffmpeg's ebur128 filter.
fn ffmpeg_ebur128(path: &Path) -> (f64, f64) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-af", "ebur128=peak=true", "-f", "null", "-"])
        .output()
        .expect("ffmpeg must be installed (scripts/setup.sh installs it)");
    let text = String::from_utf8_lossy(&out.stderr);
    let summary = text.rsplit("Summary:").next().expect("summary");
    let grab = |key: &str| -> f64 {
        summary
            .lines()
            .find_map(|l| l.trim().strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in ffmpeg output:\n{summary}"))
    };
    (grab("I:"), grab("Peak:"))
}

#[test]
fn every_variant_masters_to_target_without_exceeding_true_peak() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = studio(dir.path());
    for format in [
        intone_core::audio::encode::Format::Wav,
        intone_core::audio::encode::Format::Flac,
    ] {
        let req = GenerateRequest {
            check: false,
            scripts: vec![fixture("life-vision.md")],
            variants: vec!["voice".into(), "sleep".into(), "energy".into()],
            delivery: intone_core::audio::encode::Delivery {
                format,
                ..Default::default()
            },
            ..Default::default()
        };
        let plan = s.plan(&req).expect("plan");
        let id = s.create_batch(&plan).expect("batch");
        let b = rt().block_on(s.run_batch(id)).expect("run");
        assert_eq!(b.status, BatchStatus::Completed, "{b:?}");
        let tracks = s.tracks(id).expect("tracks");
        assert_eq!(tracks.len(), 18);
        // Check one section per variant (plus all rows' own figures).
        for t in &tracks {
            let target = match t.variant.as_str() {
                "voice" => -16.0,
                "sleep" => -20.0,
                "energy" => -14.0,
                v => panic!("unexpected variant {v}"),
            };
            let own_l = t.loudness_lufs.expect("lufs");
            let own_tp = t.true_peak_dbtp.expect("tp");
            assert!(
                (own_l - target).abs() <= 0.5,
                "{}: {own_l} LUFS vs {target}",
                t.title
            );
            assert!(own_tp <= -1.0, "{}: {own_tp} dBTP", t.title);
            let out = PathBuf::from(t.output_path.as_deref().expect("path"));
            assert!(out.is_file());
            assert_eq!(
                out.extension().and_then(|e| e.to_str()),
                Some(format.extension())
            );
            if t.position < 3 {
                let (ff_l, ff_tp) = ffmpeg_ebur128(&out);
                assert!(
                    (ff_l - target).abs() <= 0.5,
                    "ffmpeg: {ff_l} LUFS vs {target} for {}",
                    out.display()
                );
                assert!(
                    ff_tp <= -1.0 + 0.05,
                    "ffmpeg: {ff_tp} dBTP for {}",
                    out.display()
                );
                assert!(
                    (ff_l - own_l).abs() <= 0.3,
                    "meters disagree: ours {own_l}, ffmpeg {ff_l}"
                );
            }
            let expect_ch = if t.variant == "voice" { 1 } else { 2 };
            assert_eq!(t.channels, Some(expect_ch));
            assert_eq!(t.sample_rate_hz, Some(48_000));
            let peaks: serde_json::Value = serde_json::from_slice(
                &std::fs::read(t.peaks_path.as_deref().expect("peaks")).expect("read"),
            )
            .expect("json");
            assert_eq!(peaks["levels"].as_array().map(Vec::len), Some(4));
        }
        let sleep = tracks.iter().find(|t| t.variant == "sleep").expect("sleep");
        let voice = tracks
            .iter()
            .find(|t| t.variant == "voice" && t.title == sleep.title)
            .expect("voice");
        assert!(
            sleep.duration_ms.expect("d") > voice.duration_ms.expect("d") + 15_000,
            "sleep has a lead-in, slower delivery and a tail"
        );
        // Work folders are cleaned up once tracks complete.
        assert_eq!(
            std::fs::read_dir(s.home().work_dir())
                .expect("work")
                .count(),
            0
        );
    }
}

fn tone_with_offset(sr: u32, hz: f32, offset: f32, ms: u32) -> Clip {
    let n = (sr * ms / 1000) as usize;
    Clip::mono(
        sr,
        (0..n)
            .map(|i| offset + 0.3 * (2.0 * std::f32::consts::PI * hz * i as f32 / sr as f32).sin())
            .collect(),
    )
}

#[test]
fn assembled_joins_have_no_clicks() {
    // Clips that end and begin far from zero would click if butted together.
    let dir = tempfile::tempdir().expect("tmp");
    let clips: Vec<ClipRef> = [
        (220.0, 0.4, Pause::Join),
        (330.0, -0.4, Pause::Join),
        (440.0, 0.3, Pause::Sentence),
        (550.0, -0.3, Pause::Paragraph),
    ]
    .iter()
    .enumerate()
    .map(|(i, &(hz, off, pause))| {
        let path = dir.path().join(format!("c{i}.wav"));
        write_clip(&path, &tone_with_offset(22_050, hz, off, 400)).expect("write");
        ClipRef {
            key: format!("k{i}"),
            path,
            pause_after: pause,
            speaker: None,
            lead_ms: 0,
            heading: false,
        }
    })
    .collect();
    let out = dir.path().join("voice.wav");
    let v = Variant::default();
    let texts: Vec<String> = ["A long", "sentence in", "three pieces.", "Then one."]
        .map(String::from)
        .to_vec();
    let rep = assemble(&clips, &texts, &v, 48_000, &out).expect("assemble");
    let stem = read_clip(&out).expect("read");
    assert_eq!(stem.frames() as u64, rep.frames);
    // Placements: the three joined pieces are one sentence; each sentence's
    // reported edges are where its audio starts and stops in the stem.
    let s = &rep.sentences;
    assert_eq!(s.len(), 2, "{s:?}");
    assert_eq!(s[0].text, "A long sentence in three pieces.");
    assert_eq!(s[1].text, "Then one.");
    let sounding = |i: usize| stem.samples[i].abs() > 1e-4;
    let first_after = |from: u64| (from as usize..stem.samples.len()).find(|&i| sounding(i));
    let last_before = |to: u64| (0..to as usize).rev().find(|&i| sounding(i));
    for p in s {
        let on = first_after(p.start_frame).expect("onset") as u64;
        let off = last_before(p.end_frame).expect("offset") as u64 + 1;
        assert!(on - p.start_frame <= 2, "{p:?} starts at {on}");
        assert!(p.end_frame - off <= 2, "{p:?} ends at {off}");
    }
    let gap_ms = (s[1].start_frame - s[0].end_frame) as f64 / 48.0;
    assert!(
        (gap_ms - v.sentence_pause_ms).abs() < 1.0,
        "pause {gap_ms} ms"
    );
    assert_eq!(stem.sample_rate_hz, 48_000);
    // A 550 Hz sine at this level moves at most ~0.03 per sample at 48 kHz after
    // normalization; a click would be a step of the order of the offsets (0.4+).
    let peak = stem.samples.iter().fold(0f32, |a, &b| a.max(b.abs()));
    let step = max_step(&stem.samples);
    assert!(step < 0.12 * peak.max(0.1), "max step {step} (peak {peak})");
    // Joined pieces have no pause; the sentence pause is there.
    let expected_ms = 4.0 * 400.0 - 2.0 * 20.0 + v.sentence_pause_ms;
    assert!(
        (stem.duration_ms() - expected_ms).abs() < 60.0,
        "{} ms vs {expected_ms}",
        stem.duration_ms()
    );
}

#[test]
fn sentences_are_synthesized_once_across_batches() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = studio(dir.path());
    let script = dir.path().join("chapter.md");
    let original = "# Chapter\n\n## One\n\nThe first sentence. The second sentence. The third sentence.\n\n## Two\n\nThe first sentence. A different one.\n";
    std::fs::write(&script, original).expect("write");
    let run = |variants: Vec<String>| {
        let plan = s
            .plan(&GenerateRequest {
                check: false,
                scripts: vec![script.clone()],
                variants,
                ..Default::default()
            })
            .expect("plan");
        let id = s.create_batch(&plan).expect("batch");
        rt().block_on(s.run_batch(id)).expect("run")
    };
    assert_eq!(run(vec!["voice".into()]).status, BatchStatus::Completed);
    // 4 unique sentences ("The first sentence." appears twice).
    assert_eq!(s.store().clip_count().expect("count"), 4);
    // The same script again: nothing new is synthesized.
    assert_eq!(run(vec!["voice".into()]).status, BatchStatus::Completed);
    assert_eq!(s.store().clip_count().expect("count"), 4);
    // Edit two sentences: exactly two new clips.
    std::fs::write(
        &script,
        original
            .replace("The second sentence.", "The edited second sentence.")
            .replace("A different one.", "Another edit."),
    )
    .expect("write");
    assert_eq!(run(vec!["voice".into()]).status, BatchStatus::Completed);
    assert_eq!(s.store().clip_count().expect("count"), 6);
}

#[test]
fn bad_input_is_refused_with_a_clear_error_and_nothing_is_recorded() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = studio(dir.path());
    let good = fixture("life-vision.md");
    let empty = dir.path().join("empty.md");
    std::fs::write(&empty, "# Nothing\n\n## Empty\n\n   \n").expect("write");
    let cases: Vec<(GenerateRequest, &str)> = vec![
        (
            GenerateRequest {
                check: false,
                scripts: vec![dir.path().join("missing.md")],
                ..Default::default()
            },
            "missing.md",
        ),
        (
            GenerateRequest {
                check: false,
                scripts: vec![empty.clone()],
                ..Default::default()
            },
            "no text to speak",
        ),
        (
            GenerateRequest {
                check: false,
                scripts: vec![good.clone()],
                voice: Some("espeak:xx-nope".into()),
                ..Default::default()
            },
            "unknown voice \"espeak:xx-nope\"",
        ),
        (
            GenerateRequest {
                check: false,
                scripts: vec![good.clone()],
                voice: Some("nobody:joe".into()),
                ..Default::default()
            },
            "no engine \"nobody\"",
        ),
        (
            GenerateRequest {
                check: false,
                scripts: vec![good.clone()],
                variants: vec!["voice".into(), "loud".into()],
                ..Default::default()
            },
            "unknown variant \"loud\"",
        ),
        (
            GenerateRequest {
                check: false,
                scripts: vec![good.clone()],
                delivery: intone_core::audio::encode::Delivery {
                    sample_rate_hz: 8000,
                    ..Default::default()
                },
                ..Default::default()
            },
            "sample rate",
        ),
        (
            GenerateRequest {
                check: false,
                scripts: vec![],
                ..Default::default()
            },
            "no script",
        ),
    ];
    for (req, needle) in cases {
        let e = s.plan(&req).expect_err(needle).to_string();
        assert!(e.contains(needle), "{e:?} should mention {needle:?}");
    }
    assert!(s.store().batches().expect("batches").is_empty());
}

#[test]
fn cancel_stops_a_running_batch_and_keeps_finished_tracks() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = std::sync::Arc::new(
        Studio::open(
            Home::open(dir.path()).expect("home"),
            RunOptions {
                workers: 1,
                ..Default::default()
            },
        )
        .expect("studio"),
    );
    let plan = s
        .plan(&GenerateRequest {
            check: false,
            scripts: vec![fixture("life-vision.md")],
            variants: vec!["voice".into(), "sleep".into()],
            ..Default::default()
        })
        .expect("plan");
    let id = s.create_batch(&plan).expect("batch");
    let rt = rt();
    let mut rx = s.subscribe();
    let s2 = s.clone();
    let handle = rt.spawn(async move { s2.run_batch(id).await });
    rt.block_on(async {
        loop {
            if let Ok(intone_core::pipeline::Event::BatchProgress { completed, .. }) =
                rx.recv().await
            {
                if completed >= 1 {
                    break;
                }
            }
        }
    });
    s.cancel(id).expect("cancel");
    let b = rt.block_on(handle).expect("join").expect("run");
    assert_eq!(b.status, BatchStatus::Cancelled);
    let tracks = s.tracks(id).expect("tracks");
    let done = tracks
        .iter()
        .filter(|t| t.status == TrackStatus::Completed)
        .count();
    assert!(done >= 1 && done < tracks.len(), "{done} completed");
    assert!(tracks
        .iter()
        .all(|t| matches!(t.status, TrackStatus::Completed | TrackStatus::Cancelled)));
    // Retry finishes the cancelled ones without touching the completed.
    let b = rt.block_on(s.retry(id)).expect("retry");
    assert_eq!(b.status, BatchStatus::Completed);
    let after = s.tracks(id).expect("tracks");
    for (a, b) in tracks.iter().zip(&after) {
        if a.status == TrackStatus::Completed {
            assert_eq!(
                a.attempts, b.attempts,
                "completed track {} was redone",
                a.id
            );
        }
    }
}
