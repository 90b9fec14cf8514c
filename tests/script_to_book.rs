//! The whole path through the real binary: a 14-section script is
//! generated with every sentence checked, one sentence is flagged with what
//! was heard, that sentence alone is regenerated, and the script leaves as
//! one MP3 with a chapter per section and one SRT whose cues start where the
//! sentences do in the decoded book (found in the audio, not from the
//! placements), after the regeneration moved everything behind it.

mod common;
#[path = "../crates/intone-core/tests/common/ffmpeg.rs"]
mod ffmpeg;

use aspasia::{SubRipSubtitle, Subtitle};
use common::{intone, json, onsets, run, stderr, tracks};

/// Fourteen days of a short course; day 9's second sentence is letters no
/// one can say as words (espeak-ng spells them), as a garbled take would be.
fn script() -> String {
    let days = [
        "Arrive", "Settle", "Notice", "Soften", "Open", "Listen", "Rest", "Return", "Wander",
        "Gather", "Ground", "Breathe", "Thank", "Close",
    ];
    let mut s = String::from("# Fourteen Days\n\n");
    for (i, d) in days.iter().enumerate() {
        let odd = if i == 8 {
            "Xqzt vbrk plmn wrtz."
        } else {
            "Let the shoulders fall away from the ears."
        };
        s.push_str(&format!(
            "## Day {} {d}\n\nToday we practice for a few quiet minutes together. {odd} \
             Stay with the breath until the bell.\n\n",
            i + 1
        ));
    }
    s
}

#[test]
fn fourteen_sections_a_flag_a_regenerated_sentence_and_one_book_with_chapters_and_subtitles() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let path = dir.path().join("fourteen.md");
    std::fs::write(&path, script()).expect("script");
    let out =
        run(intone(&home)
            .arg("generate")
            .arg(&path)
            .args(["--voice", "espeak:en-us", "--json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = json(&out);
    let batch = doc["batch_id"].as_i64().expect("batch");
    let flagged = doc["flagged"].as_array().expect("flagged");
    let odd = flagged
        .iter()
        .find(|f| f["text"] == "Xqzt vbrk plmn wrtz.")
        .unwrap_or_else(|| panic!("the garbled sentence is not flagged: {doc}"));
    assert_eq!(odd["title"], "Day 9 Wander");
    assert_eq!(odd["sentence"], 1);
    let track_id = odd["track_id"].as_i64().expect("track");
    let before = tracks(&home, batch);
    assert_eq!(before.len(), 14);

    // Regenerate that sentence: only its track is remade (at another rate).
    let regen = run(intone(&home).args(["regenerate", &track_id.to_string(), "2", "--json"]));
    assert!(regen.status.success(), "{}", stderr(&regen));
    let after = tracks(&home, batch);
    for (b, a) in before.iter().zip(&after) {
        let same = b["duration_ms"] == a["duration_ms"];
        assert_eq!(
            same,
            a["id"] != track_id,
            "only the regenerated track changes: {b} → {a}"
        );
    }

    // One MP3 with a chapter per section and one SRT for the whole book.
    let mp3 = dir.path().join("Fourteen Days.mp3");
    let out = run(intone(&home)
        .args(["export", &batch.to_string()])
        .arg(&mp3)
        .arg("--json"));
    assert!(out.status.success(), "{}", stderr(&out));
    let probe = ffmpeg::probe(&mp3);
    let chapters = probe["chapters"].as_array().expect("chapters");
    assert_eq!(chapters.len(), 14, "{probe}");
    let mut start_ms = 0i64;
    // Track lengths are whole milliseconds: each adds up to 0.5 ms of rounding.
    for (i, (c, t)) in chapters.iter().zip(&after).enumerate() {
        let at: f64 = c["start_time"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("start");
        assert!(
            ((at * 1000.0) as i64 - start_ms).abs() <= 2 + i as i64,
            "chapter {} at {at} s, the tracks put it at {start_ms} ms",
            c["tags"]["title"]
        );
        assert_eq!(c["tags"]["title"], t["title"]);
        start_ms += t["duration_ms"].as_i64().expect("duration");
    }
    let srt: SubRipSubtitle = std::fs::read_to_string(mp3.with_extension("srt"))
        .expect("book srt")
        .parse()
        .expect("SRT parses");
    let cues: Vec<i64> = srt.events().iter().map(|e| i64::from(e.start)).collect();
    let heard = onsets(&ffmpeg::decode_mono_48k(&mp3));
    assert_eq!(heard.len(), 14 * 3, "one onset per sentence: {heard:?}");
    assert_eq!(cues.len(), heard.len(), "one cue per sentence: {cues:?}");
    for (on, cue) in heard.iter().zip(&cues) {
        assert!(
            (cue - *on as i64).abs() <= 50,
            "a sentence starts at {on} ms in the book, its cue at {cue} ms"
        );
    }
}
