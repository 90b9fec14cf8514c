//! Property-based fuzzing (proptest) of the parsers and decoders user data
//! reaches: the script parser (Markdown, plain text, front matter with a
//! cast, pause tags and voice markers), scene lists (TOML, Markdown, CSV,
//! lengths), recipes, the audio decoder behind every header check (WAV,
//! FLAC, Ogg, MP4 headers followed by anything), and the SRT/WebVTT writers
//! (what they write parses back, with an independent parser, to the same
//! cues). Each must return a value or a clear error: no panic, and no case
//! may take longer than a bound. Failures found are kept in
//! `tests/fuzz-regressions/` and replayed first.
//!
//! `INTONE_FUZZ_CASES` sets the cases per property (default 256, a few
//! seconds each in CI); by hand, e.g. `INTONE_FUZZ_CASES=20000`.

use std::path::Path;
use std::time::{Duration, Instant};

use aspasia::{SubRipSubtitle, Subtitle, WebVttSubtitle};
use intone_core::subtitles::{srt, vtt, Cue};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// Longest a single case may take.
const CASE_BOUND: Duration = Duration::from_secs(5);

fn config() -> ProptestConfig {
    let cases = std::env::var("INTONE_FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/fuzz-regressions/fuzz.txt",
        ))),
        ..ProptestConfig::default()
    }
}

/// Runs `f`, failing the case when it takes longer than [`CASE_BOUND`].
fn bounded<T>(f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    assert!(t.elapsed() < CASE_BOUND, "a case took {:?}", t.elapsed());
    out
}

/// Text made of the pieces scripts are made of, in any order.
fn script_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("# Title\n".to_string()),
        Just("## Section\n".to_string()),
        Just("---\ncast:\n  Ana: espeak:en-us\n  Ben: piper:joe\n---\n".to_string()),
        Just("---\n".to_string()),
        Just("[pause 1.5s]".to_string()),
        Just("[pause ".to_string()),
        Just("<break time=\"500ms\"/>".to_string()),
        Just("<break time=".to_string()),
        Just("Ana: ".to_string()),
        Just("[Ben] ".to_string()),
        Just("> quote\n".to_string()),
        Just("- item\n".to_string()),
        Just("```\ncode\n```\n".to_string()),
        Just("\n\n".to_string()),
        "[a-zA-Z ,.!?'\"]{0,40}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

/// Text made of the pieces scene lists are made of.
fn scene_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("title = \"T\"\n".to_string()),
        Just("duration_s = 60\n".to_string()),
        Just("snap = \"bar\"\n".to_string()),
        Just("crossfade_ms = -4\n".to_string()),
        Just("[[scene]]\n".to_string()),
        Just("prompt = \"rain\"\n".to_string()),
        Just("duration = \"1:02.5\"\n".to_string()),
        Just("duration_s = 1e308\n".to_string()),
        Just("seed = 99999999999\n".to_string()),
        Just("- 0:12 dawn, calm strings\n".to_string()),
        Just("- 99:99:99 x\n".to_string()),
        Just("duration,prompt,seed\n".to_string()),
        Just("12,\"a, b\",\n".to_string()),
        Just("Duration: 1:00\n".to_string()),
        "[0-9:.s ,\"a-z\\-\\n]{0,30}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..20).prop_map(|v| v.concat())
}

/// Bytes that start like an audio file (or not) and go on with anything.
fn audio_bytes() -> impl Strategy<Value = Vec<u8>> {
    let head = prop_oneof![
        Just(b"RIFF\xff\xff\xff\x7fWAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00\x44\xac\x00\x00\x10\xb1\x02\x00\x04\x00\x10\x00data\xff\xff\xff\xff".to_vec()),
        Just(b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec()),
        Just(b"fLaC\x00\x00\x00\x22".to_vec()),
        Just(b"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00".to_vec()),
        Just(b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00".to_vec()),
        Just(b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb".to_vec()),
        Just(Vec::new()),
    ];
    (head, prop::collection::vec(any::<u8>(), 0..4096)).prop_map(|(mut h, t)| {
        h.extend(t);
        h
    })
}

fn cue() -> impl Strategy<Value = Cue> {
    (
        0u64..36_000_000,
        1u64..20_000,
        "[A-Za-z0-9 ,.!?'é’—]{1,40}",
        prop::option::of("[A-Z][a-z]{1,8}"),
    )
        .prop_map(|(start_ms, len, text, speaker)| Cue {
            start_ms,
            end_ms: start_ms + len,
            text: text.trim().to_string(),
            speaker,
        })
        .prop_filter("a cue says something", |c| !c.text.is_empty())
}

proptest! {
    #![proptest_config(config())]
    #[test]
    fn scripts_parse_or_name_the_problem(text in script_text(), markdown in any::<bool>()) {
        let r = bounded(|| intone_core::script::parse_text(&text, "Fallback", markdown, Path::new("fuzz.md")));
        if let Err(e) = r {
            prop_assert!(e.to_string().contains("fuzz.md"), "the error names the file: {e}");
        }
    }
}

proptest! {
    #![proptest_config(config())]
    #[test]
    fn scene_lists_parse_or_name_the_problem(text in scene_text()) {
        use intone_core::script::scenes;
        bounded(|| {
            let _ = scenes::parse_text(&text);
            let _ = scenes::parse_toml(&text);
            let _ = scenes::parse_markdown(&text);
            let _ = scenes::parse_csv(&text);
        });
        for word in text.split_whitespace().take(8) {
            if let Ok(ms) = scenes::parse_length(word) {
                prop_assert!(u64::from(ms) <= 100 * 3_600_000, "{word} → {ms} ms");
            }
        }
    }
}

proptest! {
    #![proptest_config(config())]
    #[test]
    fn recipes_and_requests_from_any_json_are_values_or_errors(text in "[\\[\\]{}\",:0-9a-z_. -]{0,200}") {
        use intone_core::kinds::music::MusicRecipe;
        use intone_core::kinds::scenes::ScenesRecipe;
        use intone_core::studio::{ScoreRequest, TakesRequest};
        let _ = serde_json::from_str::<MusicRecipe>(&text);
        let _ = serde_json::from_str::<ScenesRecipe>(&text);
        let _ = serde_json::from_str::<TakesRequest>(&text);
        let _ = serde_json::from_str::<ScoreRequest>(&text);
    }
}

proptest! {
    #![proptest_config(config())]
    #[test]
    fn audio_headers_followed_by_anything_decode_or_fail_cleanly(bytes in audio_bytes()) {
        let n = bytes.len();
        let r = bounded(|| intone_core::audio::decode::decode_bytes(bytes, Path::new("fuzz.wav")));
        match r {
            // Memory bounded by the input: no more samples than a few per byte.
            Ok(clip) => prop_assert!(clip.samples.len() <= 64 * (n + 64), "{} samples from {n} bytes", clip.samples.len()),
            Err(e) => prop_assert!(e.to_string().contains("fuzz.wav"), "the error names the file: {e}"),
        }
    }
}

proptest! {
    #![proptest_config(config())]
    #[test]
    fn srt_and_webvtt_we_write_parse_back_to_the_same_cues(mut cues in prop::collection::vec(cue(), 1..20)) {
        cues.sort_by_key(|c| c.start_ms);
        let s: SubRipSubtitle = srt(&cues, false).parse().map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let v: WebVttSubtitle = vtt(&cues).parse().map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(s.events().len(), cues.len());
        prop_assert_eq!(v.events().len(), cues.len());
        for ((c, e), w) in cues.iter().zip(s.events()).zip(v.events()) {
            prop_assert_eq!(i64::from(e.start), c.start_ms as i64);
            prop_assert_eq!(i64::from(e.end), c.end_ms as i64);
            prop_assert_eq!(e.text.trim(), c.text.as_str());
            prop_assert_eq!(i64::from(w.start), c.start_ms as i64);
            prop_assert!(w.text.contains(&c.text), "{:?} in {:?}", c.text, w.text);
        }
    }
}
