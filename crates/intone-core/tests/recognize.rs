//! The in-process speech recognizer on real speech: recorded prompts from
//! Debian's alsa-utils, and the shared fixture spoken by the built-in neural
//! voice through the whole speech pipeline with the check on. Needs the
//! assets `scripts/setup.sh --dev` installs in `.assets/`.

mod common;

use std::path::{Path, PathBuf};

use intone_core::audio::wav::{read_clip, write_clip};
use intone_core::audio::Clip;
use intone_core::recognize::wer::{edit_distance, normalize};
use intone_core::recognize::{Recognizer, MODEL_FILE};
use intone_core::store::{BatchStatus, Step};
use intone_core::GenerateRequest;

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.assets")
}

fn model() -> PathBuf {
    let m = assets().join("models").join(MODEL_FILE);
    assert!(
        m.is_file(),
        "{} is missing: run scripts/setup.sh --dev",
        m.display()
    );
    m
}

/// (errors, reference words) of `heard` against `expected`.
fn errors(expected: &str, heard: &str) -> (usize, usize) {
    let r = normalize(expected);
    (edit_distance(&r, &normalize(heard)), r.len())
}

/// The synthesize step's output of a track (its clips, in order).
fn synthesized(s: &intone_core::Studio, track_id: i64) -> serde_json::Value {
    let step = s
        .store()
        .step(track_id, Step::Synthesize)
        .expect("step")
        .expect("synthesize step");
    serde_json::from_str(step.output_json.as_deref().expect("json")).expect("json")
}

#[test]
fn recorded_speech_is_heard_within_the_bound_and_noise_is_not_words() {
    let r = Recognizer::load(&model()).expect("load");
    let dir = Path::new("/usr/share/sounds/alsa");
    let (mut wrong, mut words) = (0, 0);
    for name in [
        "Front_Center",
        "Front_Left",
        "Front_Right",
        "Rear_Center",
        "Rear_Left",
        "Rear_Right",
        "Side_Left",
        "Side_Right",
    ] {
        let path = dir.join(format!("{name}.wav"));
        let clip = read_clip(&path).expect("alsa-utils' recordings (scripts/setup.sh --dev)");
        let heard = r
            .transcribe(&clip.to_mono(), clip.sample_rate_hz, 2, &path)
            .expect("transcribe")
            .text();
        let said = name.replace('_', " ");
        let (e, n) = errors(&said, &heard);
        eprintln!("{name}: heard {heard:?} ({e} of {n} words wrong)");
        wrong += e;
        words += n;
    }
    // tiny.en hears 15 of these 16 words ("Rear right" comes back as "We're
    // right"): the bound leaves room for one more slip.
    let rate = wrong as f64 / words as f64;
    assert!(rate <= 0.125, "WER {rate:.3} on recorded speech");
    let noise = dir.join("Noise.wav");
    let clip = read_clip(&noise).expect("noise");
    let heard = r
        .transcribe(&clip.to_mono(), clip.sample_rate_hz, 2, &noise)
        .expect("transcribe");
    assert!(
        normalize(&heard.text()).is_empty(),
        "white noise heard as {:?}",
        heard.text()
    );
}

#[test]
fn the_fixture_spoken_by_the_built_in_voice_passes_and_corrupted_sentences_are_flagged() {
    model();
    let a = assets();
    std::env::set_var("INTONE_VOICE_PATH", a.join("voices"));
    std::env::set_var("ORT_DYLIB_PATH", a.join("runtime/libonnxruntime.so.1.32.0"));
    std::env::set_var("INTONE_MODEL_PATH", a.join("models"));
    let dir = tempfile::tempdir().expect("tmp");
    let s = common::studio(dir.path());
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/scripts/life-vision.md");
    let plan = s
        .plan(&GenerateRequest {
            scripts: vec![script],
            ..Default::default()
        })
        .expect("plan");
    assert_eq!(plan.voice, "piper:en_US-joe-medium");
    let id = s.create_batch(&plan).expect("batch");
    let b = common::rt().block_on(s.run_batch(id)).expect("run");
    assert_eq!(b.status, BatchStatus::Completed);
    assert!(b.speech_check);

    // What the check step heard, without hearing again.
    let checks = s.check_batch(id, false).expect("checks");
    assert_eq!(checks.len(), 6);
    let (mut wrong, mut words) = (0, 0);
    for t in &checks {
        assert!(t.report.checked, "track {} not fully checked", t.title);
        assert!(!t.report.sentences.is_empty());
        for sc in &t.report.sentences {
            let (e, n) = errors(&sc.text, &sc.heard);
            wrong += e;
            words += n;
            assert!(!sc.flagged, "clean sentence flagged: {sc:?}");
        }
    }
    let rate = wrong as f64 / words as f64;
    eprintln!("fixture by the built-in voice: WER {rate:.3} over {words} words");
    assert!(rate <= 0.05, "WER {rate:.3} over the fixture");
    // The step's output records the same.
    let track = &checks[1];
    let step = s
        .store()
        .step(track.track_id, Step::Check)
        .expect("step")
        .expect("check step");
    assert_eq!(step.status, "done");

    // Corrupt "Health and Vitality": its second sentence's clip now holds the
    // first sentence's audio, its third holds silence, as a bad engine take
    // would. The cache entries are rewritten as synthesis rewrites them.
    assert_eq!(track.report.sentences.len(), 3, "{:?}", track.report);
    let out = synthesized(&s, track.track_id);
    let clip = |i: usize| {
        (
            out["clips"][i]["key"].as_str().expect("key").to_string(),
            PathBuf::from(out["clips"][i]["path"].as_str().expect("path")),
        )
    };
    let (k0, p0) = clip(0);
    let (k1, p1) = clip(1);
    let (k2, p2) = clip(2);
    let first = read_clip(&p0).expect("clip");
    write_clip(&p1, &first).expect("write");
    let third = read_clip(&p2).expect("clip");
    let silence = Clip::mono(third.sample_rate_hz, vec![0.0; third.samples.len()]);
    write_clip(&p2, &silence).expect("write");
    for (k, p, c) in [(&k1, &p1, &first), (&k2, &p2, &silence)] {
        s.store()
            .put_clip(
                k,
                "piper",
                "en_US-joe-medium",
                &p.to_string_lossy(),
                c.sample_rate_hz,
                c.frames() as i64,
            )
            .expect("put");
    }
    let again = s.check_batch(id, true).expect("check");
    let t = again
        .iter()
        .find(|t| t.track_id == track.track_id)
        .expect("track");
    let sc = &t.report.sentences;
    assert!(!sc[0].flagged, "the clean sentence is flagged: {:?}", sc[0]);
    assert!(
        sc[1].flagged,
        "another sentence's audio is not flagged: {:?}",
        sc[1]
    );
    assert!(
        normalize(&sc[1].heard).starts_with(&normalize("my body is")),
        "{:?}",
        sc[1]
    );
    assert!(sc[2].flagged, "silence is not flagged: {:?}", sc[2]);
    assert!(normalize(&sc[2].heard).is_empty(), "{:?}", sc[2]);
    // The other tracks come from the cache, unchanged.
    let flagged: usize = again.iter().map(|t| t.report.flagged().count()).sum();
    assert_eq!(flagged, 2);

    // Regenerate sentence, twice: new takes of those two sentences only; the
    // track's later steps run again and its file is replaced.
    let delivered_at = || {
        let out = s.store().track(track.track_id).expect("t").output_path;
        std::fs::metadata(out.expect("out"))
            .and_then(|m| m.modified())
            .expect("mtime")
    };
    let before = delivered_at();
    let clips_before = s.store().clip_count().expect("count");
    assert_eq!(
        s.regenerate_utterance(track.track_id, 1).expect("regen"),
        id
    );
    assert_eq!(
        s.regenerate_utterance(track.track_id, 2).expect("regen"),
        id
    );
    let err = s
        .regenerate_utterance(track.track_id, 3)
        .expect_err("no sentence 4");
    assert!(err.to_string().contains("sentences 1–3"), "{err}");
    let b = common::rt().block_on(s.run_batch(id)).expect("run");
    assert_eq!(b.status, BatchStatus::Completed);
    assert_eq!(
        s.store().clip_count().expect("count"),
        clips_before + 2,
        "exactly the two sentences were spoken again"
    );
    let out = synthesized(&s, track.track_id);
    assert_eq!(
        out["clips"][0]["key"].as_str(),
        Some(k0.as_str()),
        "sentence 1 kept its clip"
    );
    assert_ne!(out["clips"][1]["key"].as_str(), Some(k1.as_str()));
    assert_ne!(out["clips"][2]["key"].as_str(), Some(k2.as_str()));
    let after = s.check_batch(id, false).expect("checks");
    let t = after
        .iter()
        .find(|t| t.track_id == track.track_id)
        .expect("track");
    assert!(t.report.checked);
    assert_eq!(t.report.flagged().count(), 0, "{:?}", t.report);
    let now = delivered_at();
    assert!(now > before, "the delivered file was replaced");
}
