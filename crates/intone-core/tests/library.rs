//! The Library over real SQLite files and real audio: filtering, export into
//! a folder (idempotent, never clobbering a different file), deletion of rows
//! and files, installing a dropped Piper voice and keeping dropped audio as
//! inputs.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{rt, studio};
use intone_core::store::{BatchStatus, LibraryFilter, TrackStatus};
use intone_core::{Error, GenerateRequest, Studio};

const SCRIPT: &str = "# Calm\n\n## Morning\n\nI wake up rested.\n\n## Evening\n\nI rest easy.\n";

/// Records a batch of SCRIPT × variants in espeak's voice; runs it when `run`.
fn batch(s: &Studio, variants: &[&str], run: bool) -> i64 {
    let path = s.save_script("calm.md", SCRIPT).expect("script");
    let req = GenerateRequest {
        check: false,
        scripts: vec![path],
        voice: Some("espeak:en-us".into()),
        variants: variants.iter().map(|v| (*v).to_string()).collect(),
        ..Default::default()
    };
    let id = s.create_batch(&s.plan(&req).expect("plan")).expect("batch");
    if run {
        let b = rt().block_on(s.run_batch(id)).expect("run");
        assert_eq!(b.status, BatchStatus::Completed, "{b:?}");
    }
    id
}

#[test]
fn library_filters_exports_and_deletes() {
    let home = tempfile::tempdir().expect("tmp");
    let s = studio(home.path());
    let id = batch(&s, &["voice", "sleep"], true);

    let all = s
        .store()
        .library(&LibraryFilter::default())
        .expect("library");
    assert_eq!(all.len(), 4);
    assert!(all
        .iter()
        .all(|i| i.source == "Calm" && i.project == "Calm"));
    let sleep = s
        .store()
        .library(&LibraryFilter {
            variant: Some("sleep".into()),
            status: Some(TrackStatus::Completed),
            ..Default::default()
        })
        .expect("library");
    assert_eq!(sleep.len(), 2);
    assert!(sleep.iter().all(|i| i.track.variant == "sleep"));
    let none = s
        .store()
        .library(&LibraryFilter {
            engine: Some("piper:nobody".into()),
            ..Default::default()
        })
        .expect("library");
    assert!(none.is_empty());
    let facets = s.store().library_facets().expect("facets");
    assert_eq!(facets.variants, ["sleep", "voice"]);
    assert_eq!(facets.engines, ["espeak:en-us"]);
    assert_eq!(facets.sources, ["Calm"]);

    // Export: byte-identical copies; exporting again changes nothing.
    let out = tempfile::tempdir().expect("tmp");
    let ids: Vec<i64> = sleep.iter().map(|i| i.track.id).collect();
    let r = s.export_tracks(&ids, out.path()).expect("export");
    assert_eq!(r.files.len(), 2, "{r:?}");
    assert!(r.skipped.is_empty());
    for (f, i) in r.files.iter().zip(&sleep) {
        let src = i.track.output_path.as_deref().expect("output");
        assert_eq!(
            std::fs::read(f).expect("copy"),
            std::fs::read(src).expect("src")
        );
    }
    let again = s.export_tracks(&ids, out.path()).expect("export");
    assert_eq!(again.files, r.files);
    assert_eq!(std::fs::read_dir(out.path()).expect("dir").count(), 2);
    // A different file under the same name is kept; the export gets " (2)".
    std::fs::write(&r.files[0], b"someone else's file").expect("write");
    let third = s.export_tracks(&ids[..1], out.path()).expect("export");
    assert!(third.files[0].ends_with(" (2).wav"), "{third:?}");
    assert_eq!(
        std::fs::read(&r.files[0]).expect("kept"),
        b"someone else's file"
    );

    // Delete one track: row, audio and waveform go; the batch is recounted.
    let victim = &sleep[0].track;
    let report = s.delete_tracks(&[victim.id]).expect("delete");
    assert_eq!(report.deleted, 1);
    assert_eq!(report.files_removed, 2, "{report:?}");
    assert!(!Path::new(victim.output_path.as_deref().expect("out")).exists());
    assert!(!Path::new(victim.peaks_path.as_deref().expect("peaks")).exists());
    let b = s.store().batch(id).expect("batch");
    assert_eq!(
        (b.expected, b.completed, b.status),
        (3, 3, BatchStatus::Completed)
    );
    assert!(matches!(
        s.delete_tracks(&[victim.id]),
        Err(Error::NotFound(_))
    ));

    // Deleting the rest removes the batch.
    let rest: Vec<i64> = s.tracks(id).expect("tracks").iter().map(|t| t.id).collect();
    s.delete_tracks(&rest).expect("delete");
    assert!(matches!(s.store().batch(id), Err(Error::NotFound(_))));
    assert!(s
        .store()
        .library(&LibraryFilter::default())
        .expect("library")
        .is_empty());
}

#[test]
fn a_track_being_generated_is_not_deleted() {
    let home = tempfile::tempdir().expect("tmp");
    let s = studio(home.path());
    let id = batch(&s, &["voice"], false);
    let tracks = s.tracks(id).expect("tracks");
    assert!(s.store().claim_track(tracks[1].id).expect("claim"));
    let ids: Vec<i64> = tracks.iter().map(|t| t.id).collect();
    let e = s.delete_tracks(&ids).expect_err("running track");
    assert!(e.to_string().contains("cancel its batch"), "{e}");
    assert_eq!(
        s.tracks(id).expect("tracks").len(),
        2,
        "nothing was deleted"
    );
}

fn assets_voice() -> (PathBuf, PathBuf) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.assets/voices");
    (
        dir.join("en_US-joe-medium.onnx"),
        dir.join("en_US-joe-medium.onnx.json"),
    )
}

#[test]
fn a_dropped_piper_voice_is_installed_and_listed() {
    let home = tempfile::tempdir().expect("tmp");
    let s = studio(home.path());
    let drop = tempfile::tempdir().expect("tmp");
    let (onnx, json) = assets_voice();
    let model = drop.path().join("calm-narrator.onnx");
    let config = drop.path().join("calm-narrator.onnx.json");

    // Model without its config: the error names the missing file.
    std::fs::copy(&onnx, &model).expect("copy model (run scripts/setup.sh first)");
    let e = s.install_voice(&model).expect_err("no config");
    assert!(e.to_string().contains("calm-narrator.onnx.json"), "{e}");
    // A config that is not a Piper config.
    std::fs::write(&config, "{\"hello\": 1}").expect("write");
    let e = s.install_voice(&config).expect_err("bad config");
    assert!(e.to_string().contains("not a Piper voice config"), "{e}");

    std::fs::copy(&json, &config).expect("copy config");
    assert_eq!(
        s.install_voice(&config).expect("install"),
        "piper:calm-narrator"
    );
    let v = s
        .voices()
        .into_iter()
        .find(|v| v.id == "piper:calm-narrator")
        .expect("the new voice is listed");
    // Usable once ONNX Runtime is found (the neural tests cover speaking).
    assert_eq!(
        (v.engine.as_str(), v.sample_rate_hz),
        ("piper", 22_050),
        "{v:?}"
    );
    // Dropping it again is fine; a different voice under that name is refused.
    assert_eq!(
        s.install_voice(&model).expect("again"),
        "piper:calm-narrator"
    );
    std::fs::write(&model, b"not the same model").expect("write");
    let e = s.install_voice(&model).expect_err("different");
    assert!(e.to_string().contains("already installed"), "{e}");
}

#[test]
fn dropped_audio_becomes_an_input_once() {
    let home = tempfile::tempdir().expect("tmp");
    let s = studio(home.path());
    let drop = tempfile::tempdir().expect("tmp");
    let mp3 = drop.path().join("interview take 1.mp3");
    let ok = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i"])
        .arg("sine=frequency=440:duration=2:sample_rate=44100")
        .args(["-ac", "2"])
        .arg(&mp3)
        .status()
        .expect("ffmpeg must be installed (scripts/setup.sh installs it)");
    assert!(ok.success());

    let row = s.add_input(&mp3).expect("input");
    assert_eq!(row.name, "interview take 1.mp3");
    assert_eq!((row.sample_rate_hz, row.channels), (44_100, 2));
    assert!(row.path.ends_with(&format!("{}.mp3", row.hash)), "{row:?}");
    assert_eq!(
        std::fs::read(&row.path).expect("copy"),
        std::fs::read(&mp3).expect("src")
    );
    // The same bytes under another name: still one input.
    let copy = drop.path().join("copy.mp3");
    std::fs::copy(&mp3, &copy).expect("copy");
    assert_eq!(s.add_input(&copy).expect("again").hash, row.hash);
    assert_eq!(s.store().inputs().expect("inputs").len(), 1);

    // Text dressed as audio: a clear error naming the file, nothing stored.
    let fake = drop.path().join("notes.mp3");
    std::fs::write(&fake, "these are my notes, not audio").expect("write");
    let e = s.add_input(&fake).expect_err("not audio");
    assert!(e.to_string().contains("notes.mp3"), "{e}");
    let e = s
        .add_input(&drop.path().join("notes.docx"))
        .expect_err("not audio");
    assert!(e.to_string().contains("not an audio file"), "{e}");
    assert_eq!(s.store().inputs().expect("inputs").len(), 1);
}
