//! The speech recognizer through the real binary: `generate` flags a
//! sentence that does not say its text, `intone check` lists it, `intone
//! regenerate` speaks it again; converted recordings come with a transcript
//! whose lines start where the speech does, and `intone transcribe` hears a
//! recording without converting it.

mod common;

use std::path::{Path, PathBuf};

use aspasia::{SubRipSubtitle, Subtitle};
use common::{intone, json, run, stderr, tracks};

/// The second sentence is letters no one can say as words: espeak-ng spells
/// it out, so what is heard cannot match the text.
const SCRIPT: &str = "# Check\n\n## One\n\nThe river runs slowly past the old mill. \
Xqzt vbrk plmn wrtz. The evening light is soft and golden.\n";

#[test]
fn generate_flags_a_sentence_check_lists_it_and_regenerate_speaks_it_again() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let script = dir.path().join("check.md");
    std::fs::write(&script, SCRIPT).expect("script");
    let out =
        run(intone(&home)
            .arg("generate")
            .arg(&script)
            .args(["--voice", "espeak:en-us", "--json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = json(&out);
    let batch = doc["batch_id"].as_i64().expect("batch");
    let flagged = doc["flagged"].as_array().expect("flagged list");
    assert_eq!(flagged.len(), 1, "{doc}");
    assert_eq!(flagged[0]["sentence"], 1);
    assert_eq!(flagged[0]["text"], "Xqzt vbrk plmn wrtz.");
    assert!(flagged[0]["wer"].as_f64().expect("wer") > 0.3);

    // The text output names it with what was heard.
    let check = run(intone(&home).args(["check", &batch.to_string()]));
    assert_eq!(
        check.status.code(),
        Some(1),
        "flagged → exit 1: {}",
        stderr(&check)
    );
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(text.contains("3 sentences in 1 tracks"), "{text}");
    assert!(
        text.contains("⚑ sentence 2: \"Xqzt vbrk plmn wrtz.\""),
        "{text}"
    );
    assert!(text.contains("heard: \""), "{text}");
    assert!(
        !text.contains("sentence 1:"),
        "clean sentences are not listed: {text}"
    );
    let all = json(&run(intone(&home).args([
        "check",
        &batch.to_string(),
        "--json",
    ])));
    let sentences = all["tracks"][0]["report"]["sentences"]
        .as_array()
        .expect("sentences");
    assert_eq!(sentences.len(), 3);
    assert_eq!(sentences[0]["flagged"], false);
    assert_eq!(sentences[2]["flagged"], false);
    assert!(sentences[0]["wer"].as_f64().expect("wer") < 0.2, "{all}");

    // A new take of sentence 2 (espeak-ng: a different rate) replaces the track.
    let t = &tracks(&home, batch)[0];
    let track_id = t["id"].as_i64().expect("id");
    let output = PathBuf::from(t["output_path"].as_str().expect("out"));
    let before = std::fs::read(&output).expect("track");
    let again = run(intone(&home).args(["regenerate", &track_id.to_string(), "2", "--json"]));
    assert!(again.status.success(), "{}", stderr(&again));
    let doc = json(&again);
    assert_eq!(doc["status"], "completed");
    let after = std::fs::read(&output).expect("track");
    assert_ne!(before, after, "the track was remade with the new take");
    assert!(
        after.len() != before.len(),
        "the new take is spoken at another rate, so the track's length changes"
    );
    let bad = run(intone(&home).args(["regenerate", &track_id.to_string(), "9"]));
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("has sentences 1–3, not 9"),
        "{}",
        stderr(&bad)
    );
}

/// The first sample of speech in `s` at or after `from`: a 10 ms window above
/// −40 dBFS.
fn onset(s: &[f32], from: usize, rate: usize) -> usize {
    let hop = rate / 100;
    let mut i = from;
    while i + hop <= s.len() {
        let w = &s[i..i + hop];
        let rms = (w.iter().map(|x| x * x).sum::<f32>() / hop as f32).sqrt();
        if 20.0 * rms.max(1e-9).log10() > -40.0 {
            return i;
        }
        i += hop;
    }
    s.len()
}

/// Three recorded prompts with pauses between them, 48 kHz mono, written to
/// `dir/prompts.wav`; returns it and where each prompt's speech starts
/// (frames, found in the audio).
fn prompts_recording(dir: &Path) -> (PathBuf, Vec<usize>) {
    let alsa = Path::new("/usr/share/sounds/alsa");
    let rate = RATE;
    let mut rec: Vec<f32> = vec![0.0; rate];
    let mut starts = Vec::new();
    for (name, pause_s) in [
        ("Front_Center", 1.5),
        ("Rear_Left", 1.2),
        ("Side_Right", 1.0),
    ] {
        let mut r = hound::WavReader::open(alsa.join(format!("{name}.wav")))
            .expect("alsa-utils' recordings (scripts/setup.sh --dev)");
        let samples: Vec<f32> = r
            .samples::<i16>()
            .map(|s| f32::from(s.expect("sample")) / 32768.0)
            .collect();
        let at = rec.len();
        starts.push(onset(&samples, 0, rate) + at);
        rec.extend(samples);
        rec.extend(std::iter::repeat_n(0.0, (pause_s * rate as f64) as usize));
    }
    let input = dir.join("prompts.wav");
    let mut w = hound::WavWriter::create(
        &input,
        hound::WavSpec {
            channels: 1,
            sample_rate: rate as u32,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        },
    )
    .expect("wav");
    for s in &rec {
        w.write_sample(*s).expect("write");
    }
    w.finalize().expect("wav");
    (input, starts)
}

/// The prompts recording's sample rate, Hz.
const RATE: usize = 48_000;

/// The transcript beside `output` says the prompts, one SRT cue each within
/// 100 ms of where its speech starts, cues apart, and a WebVTT beside.
fn assert_prompts_transcript(output: &Path, starts: &[usize]) {
    let txt = std::fs::read_to_string(output.with_extension("txt")).expect("transcript text");
    let lower = txt.to_lowercase();
    for said in ["front", "center", "left", "side", "right"] {
        assert!(lower.contains(said), "{said:?} missing from {txt:?}");
    }
    let srt: SubRipSubtitle = std::fs::read_to_string(output.with_extension("srt"))
        .expect("srt")
        .parse()
        .expect("SRT parses");
    let cues: Vec<(i64, i64)> = srt
        .events()
        .iter()
        .map(|e| (i64::from(e.start), i64::from(e.end)))
        .collect();
    assert_eq!(cues.len(), 3, "one cue per prompt: {txt:?} {cues:?}");
    for (cue, start) in cues.iter().zip(starts) {
        let truth = (*start * 1000 / RATE) as i64;
        assert!(
            (cue.0 - truth).abs() <= 100,
            "cue starts at {} ms, the speech at {truth} ms",
            cue.0
        );
    }
    for w in cues.windows(2) {
        assert!(w[0].1 <= w[1].0, "cues overlap: {cues:?}");
    }
    assert!(output.with_extension("vtt").is_file());
}

#[test]
fn a_converted_recording_comes_with_a_transcript_snapped_to_its_speech() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let (input, starts) = prompts_recording(dir.path());
    let out = run(intone(&home).arg("convert").arg(&input).arg("--json"));
    assert!(out.status.success(), "{}", stderr(&out));
    let batch = json(&out)["batch_id"].as_i64().expect("batch");
    let t = &tracks(&home, batch)[0];
    let output = PathBuf::from(t["output_path"].as_str().expect("out"));
    assert_prompts_transcript(&output, &starts);
}

#[test]
fn transcribe_hears_a_recording_without_converting_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let (input, starts) = prompts_recording(dir.path());
    let missing = dir.path().join("missing.wav");
    let out = run(intone(&home)
        .arg("transcribe")
        .arg(&input)
        .arg(&missing)
        .args(["--format", "mp3", "--json"]));
    assert_eq!(
        out.status.code(),
        Some(2),
        "a rejected file → exit 2: {}",
        stderr(&out)
    );
    let doc = json(&out);
    assert_eq!(doc["status"], "completed", "{doc}");
    assert_eq!(doc["batch"]["kind"], "transcription", "{doc}");
    let rejected = doc["rejected"].to_string();
    assert!(rejected.contains("missing.wav"), "{rejected}");
    let t = &doc["tracks"][0];
    assert_eq!(t["variant"], "transcript");
    let output = PathBuf::from(t["output_path"].as_str().expect("out"));
    assert_eq!(output.extension().and_then(|e| e.to_str()), Some("mp3"));
    assert_prompts_transcript(&output, &starts);
    // Nothing was chunked or converted: the kind's steps are its own.
    let store = intone_core::store::Store::open(&home.join("intone.db")).expect("store");
    let id = t["id"].as_i64().expect("id");
    use intone_core::store::Step;
    for stage in [
        Step::Ingest,
        Step::Master,
        Step::Encode,
        Step::Peaks,
        Step::Transcribe,
    ] {
        let step = store.step(id, stage).expect("step").expect("done step");
        assert_eq!(step.status, "done", "{stage}");
    }
    for stage in [Step::Chunk, Step::Convert, Step::Join] {
        assert!(
            store.step(id, stage).expect("step").is_none(),
            "{stage} ran"
        );
    }

    // Again: already transcribed, and the text is printed with its times.
    let again = run(intone(&home)
        .arg("transcribe")
        .arg(&input)
        .args(["--format", "mp3"]));
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already transcribed in batch"),
        "{}",
        stderr(&again)
    );
    let text = String::from_utf8_lossy(&again.stdout).to_lowercase();
    assert!(text.contains("0:01  front"), "{text}");

    // Without the recognizer's model, nothing is recorded and the error says where it looked.
    let empty = dir.path().join("no-models");
    std::fs::create_dir_all(&empty).expect("dir");
    let none = run(intone(&dir.path().join("home2"))
        .env("INTONE_MODEL_PATH", &empty)
        .arg("transcribe")
        .arg(&input));
    assert_eq!(none.status.code(), Some(1), "{}", stderr(&none));
    assert!(
        stderr(&none).contains("is not installed (looked in"),
        "{}",
        stderr(&none)
    );
}

#[test]
fn a_transcription_killed_at_a_step_resumes_there_and_hears_each_recording_once() {
    for point in [
        "ingest:after_commit",
        "master:before_commit",
        "transcribe:before_commit",
        "transcribe:after_commit",
    ] {
        let dir = tempfile::tempdir().expect("tmp");
        let home = dir.path().join("home");
        let (input, _) = prompts_recording(dir.path());
        let second = dir.path().join("side.wav");
        std::fs::copy("/usr/share/sounds/alsa/Side_Left.wav", &second).expect("copy");
        // Aborts (as a power cut would) at `point` on the second recording.
        let out = run(intone(&home)
            .env("INTONE_FAILPOINT", format!("{point}@1"))
            .args(["--workers", "1", "transcribe"])
            .arg(&input)
            .arg(&second));
        assert!(
            !out.status.success(),
            "{point}: the process should have aborted"
        );
        let before = tracks(&home, 1);
        assert_eq!(before[0]["status"], "completed", "{point}");
        assert_eq!(before[1]["status"], "running", "{point}");
        let out = run(intone(&home).args(["resume", "--json"]));
        assert!(out.status.success(), "{point}: {}", stderr(&out));
        common::assert_all_completed_once(&home, 1, 2);
        let after = tracks(&home, 1);
        assert_eq!(
            after[0]["attempts"], 1,
            "{point}: a finished track was redone"
        );
        assert_eq!(after[1]["attempts"], 2, "{point}");
        let output = PathBuf::from(after[1]["output_path"].as_str().expect("out"));
        let txt = std::fs::read_to_string(output.with_extension("txt")).expect("transcript");
        assert!(txt.to_lowercase().contains("side"), "{point}: {txt:?}");
    }
}
