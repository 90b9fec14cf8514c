//! Publishable output through the real binary: MP3 tracks with tags and
//! exact subtitles, and the whole script as one book with chapters.
//!
//! Subtitle timing is checked against the audio itself: sentence onsets are
//! found in the decoded MP3 (a rise out of a long silence), independently of
//! the placement data the cues come from.

mod common;
#[path = "../crates/intone-core/tests/common/ffmpeg.rs"]
mod ffmpeg;

use std::path::PathBuf;

use aspasia::{SubRipSubtitle, Subtitle, WebVttSubtitle};
use common::{intone, json, onsets, run, tracks};

const SCRIPT: &str = "# Calm Mornings\n\n\
## Arrival\n\nWelcome to this short practice. Sit comfortably and let your eyes close. \
When you are ready, let your breath slow down and notice the weight of your hands resting on your knees. Good.\n\n\
## Breath\n\nBreathe in through the nose. Hold it gently. Now breathe out slowly.\n\n\
## Return\n\nWiggle your fingers. Open your eyes when you like. Thank you for practicing today.\n";
const SENTENCES: [usize; 3] = [4, 3, 3];

fn ms(m: aspasia::Moment) -> i64 {
    i64::from(m)
}

#[test]
fn mp3_tracks_carry_tags_and_exact_subtitles_and_the_script_exports_as_one_book() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let script = dir.path().join("calm.md");
    std::fs::write(&script, SCRIPT).expect("script");
    let out = run(intone(&home)
        .arg("generate")
        .arg(&script)
        .args([
            "--voice",
            "espeak:en-us",
            "--format",
            "mp3",
            "--mp3",
            "cbr:160",
        ])
        .args(["--artist", "Ana Ruiz", "--json"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let batch = json(&out)["batch_id"].as_i64().expect("batch id");
    let ts = tracks(&home, batch);
    assert_eq!(ts.len(), 3);

    let mut total_cues = 0;
    for (i, t) in ts.iter().enumerate() {
        let audio = PathBuf::from(t["output_path"].as_str().expect("output"));
        assert_eq!(audio.extension().and_then(|e| e.to_str()), Some("mp3"));
        let p = ffmpeg::probe(&audio);
        let tag = |k: &str| p["format"]["tags"][k].as_str().map(str::to_owned);
        assert_eq!(tag("artist").as_deref(), Some("Ana Ruiz"));
        assert_eq!(tag("album").as_deref(), Some("Calm Mornings"));
        assert_eq!(tag("title").as_deref(), t["title"].as_str());
        assert_eq!(tag("track"), Some(format!("{}/3", i + 1)));
        assert_eq!(
            p["format"]["bit_rate"]
                .as_str()
                .map(|b| b.starts_with("16")),
            Some(true),
            "CBR 160: {p}"
        );

        // SRT and VTT beside the track, parsed by a subtitle library.
        let srt_text = std::fs::read_to_string(audio.with_extension("srt")).expect("srt");
        let vtt_text = std::fs::read_to_string(audio.with_extension("vtt")).expect("vtt");
        let srt: SubRipSubtitle = srt_text.parse().expect("SRT parses");
        let vtt: WebVttSubtitle = vtt_text.parse().expect("VTT parses");
        let cues: Vec<(i64, i64, String)> = srt
            .events()
            .iter()
            .map(|e| (ms(e.start), ms(e.end), e.text.clone()))
            .collect();
        assert!(!cues.is_empty());
        assert_eq!(vtt.events().len(), cues.len());
        for (e, c) in vtt.events().iter().zip(&cues) {
            assert_eq!((ms(e.start), ms(e.end)), (c.0, c.1), "VTT and SRT agree");
        }
        for w in cues.windows(2) {
            assert!(w[0].1 <= w[1].0, "cues overlap: {w:?}");
        }
        for c in &cues {
            assert!(c.0 < c.1, "empty cue {c:?}");
            let lines: Vec<&str> = c.2.lines().collect();
            assert!(
                lines.len() <= 2 && lines.iter().all(|l| l.chars().count() <= 42),
                "{c:?}"
            );
        }
        total_cues += cues.len();

        // Every sentence onset heard in the decoded MP3 has a cue starting
        // within 50 ms of it.
        let heard = onsets(&ffmpeg::decode_mono_48k(&audio));
        assert_eq!(
            heard.len(),
            SENTENCES[i],
            "{}: onsets {heard:?}, cues {cues:?}",
            audio.display()
        );
        for on in &heard {
            let nearest = cues
                .iter()
                .map(|c| (c.0 - *on as i64).abs())
                .min()
                .unwrap_or(i64::MAX);
            assert!(
                nearest <= 50,
                "{}: onset at {on} ms, nearest cue {nearest} ms away: {cues:?}",
                audio.display()
            );
        }
    }

    // The whole script as one MP3 with chapters, one M4B, one WAV.
    let book = |name: &str| {
        let path = dir.path().join(name);
        let out = run(intone(&home)
            .args(["export", &batch.to_string()])
            .arg(&path)
            .arg("--json"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (path, json(&out))
    };
    let (mp3, report) = book("Calm Mornings.mp3");
    let (m4b, _) = book("Calm Mornings.m4b");
    let (wav, _) = book("Calm Mornings.wav");
    let durations: Vec<i64> = ts
        .iter()
        .map(|t| t["duration_ms"].as_i64().expect("duration"))
        .collect();
    for path in [&mp3, &m4b] {
        let p = ffmpeg::probe(path);
        let chapters = p["chapters"].as_array().expect("chapters");
        assert_eq!(chapters.len(), 3, "{}: {p}", path.display());
        let mut start = 0i64;
        for (c, t) in chapters.iter().zip(&ts) {
            let at: f64 = c["start_time"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .expect("start");
            assert!(
                ((at * 1000.0) as i64 - start).abs() <= 2,
                "{}: chapter at {at}, tracks say {start} ms",
                path.display()
            );
            assert_eq!(c["tags"]["title"].as_str(), t["title"].as_str());
            start += durations[chapters.iter().position(|x| x == c).unwrap_or(0)];
        }
    }
    assert_eq!(report["chapters"].as_array().map(Vec::len), Some(3));
    let (a, b) = (
        ffmpeg::decode_mono_48k(&mp3).len(),
        ffmpeg::decode_mono_48k(&wav).len(),
    );
    assert_eq!(a, b, "the MP3 book decodes to the WAV book's length");
    let (lm, lw) = (ffmpeg::lufs(&mp3), ffmpeg::lufs(&wav));
    assert!((lm - lw).abs() <= 0.5, "MP3 {lm} LUFS against WAV {lw}");

    // One SRT for the whole book: every track's cues, shifted to its chapter.
    let srt: SubRipSubtitle = std::fs::read_to_string(mp3.with_extension("srt"))
        .expect("book srt")
        .parse()
        .expect("parses");
    assert_eq!(srt.events().len(), total_cues);
    let heard = onsets(&ffmpeg::decode_mono_48k(&mp3));
    assert_eq!(
        heard.len(),
        SENTENCES.iter().sum::<usize>(),
        "book onsets {heard:?}"
    );
    for on in &heard {
        let nearest = srt
            .events()
            .iter()
            .map(|e| (ms(e.start) - *on as i64).abs())
            .min()
            .unwrap_or(i64::MAX);
        assert!(
            nearest <= 50,
            "book: onset at {on} ms, nearest cue {nearest} ms away"
        );
    }

    // A book needs finished tracks and a known extension.
    let out = run(intone(&home)
        .args(["export", &batch.to_string()])
        .arg(dir.path().join("x.ogg3")));
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("x.ogg3"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
