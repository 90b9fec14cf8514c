//! A two-character scene through the real binary: a narrator (Piper joe)
//! and a character (espeak-ng) cast in front matter, one lexicon entry, two
//! pause tags. Checks who says each sentence (the store's sentence records,
//! and by ear), the lexicon's phonemes in what the engine was given, the
//! pauses (±10 ms), the speakers matched in loudness (±1 LU), subtitles with
//! voice spans, and that an edited entry speaks again exactly the sentences
//! that hold its word.

mod common;

use std::path::Path;

use common::{clips, intone_neural, json, run, sentence_records, silences, stderr, stem_of};

/// The scene (also what the real-app test pastes).
const SCENE: &str = include_str!("fixtures/night-ferry.md");

/// `(start, end, speaker, text)` of each WebVTT cue.
fn vtt_cues(vtt: &str) -> Vec<(f64, f64, String, String)> {
    let secs = |t: &str| -> f64 {
        let p: Vec<f64> = t.split(':').map(|x| x.parse().expect("time")).collect();
        p[0] * 3600.0 + p[1] * 60.0 + p[2]
    };
    let mut out = Vec::new();
    let mut lines = vtt.lines();
    while let Some(l) = lines.next() {
        if let Some((a, b)) = l.split_once(" --> ") {
            let text = lines.next().unwrap_or("");
            let (who, said) = text
                .strip_prefix("<v ")
                .and_then(|t| t.split_once('>'))
                .expect("a voice span");
            out.push((secs(a), secs(b), who.to_string(), said.to_string()));
        }
    }
    out
}

#[test]
fn a_two_voice_scene_with_a_lexicon_entry_and_pauses() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let script = dir.path().join("scene.md");
    std::fs::write(&script, SCENE).expect("script");

    let add = run(intone_neural(&home)
        .args(["lexicon", "add", "Nguyen", "--respell", "Win"])
        .args(["--phonemes", "wˈɪn"]));
    assert!(add.status.success(), "{}", stderr(&add));

    // `intone cast` lists the speakers with their counts and voices.
    let cast = json(&run(intone_neural(&home)
        .arg("cast")
        .arg(&script)
        .arg("--json")));
    let speakers: Vec<(String, u64, String)> = cast["speakers"]
        .as_array()
        .expect("speakers")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap_or("").to_string(),
                s["sentences"].as_u64().unwrap_or(0),
                s["voice"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        speakers,
        vec![
            ("NARRATOR".into(), 4, "piper:en_US-joe-medium".into()),
            ("MARA".into(), 2, "espeak:en-us".into())
        ]
    );
    assert_eq!(cast["problems"], serde_json::json!([]));

    // Stopped (as by a power cut) once the voice stem is assembled, so the
    // pauses can be measured on the stem before mixing; then resumed.
    let mut generate = intone_neural(&home);
    generate
        .arg("generate")
        .arg(&script)
        .args(["--srt-speakers", "--json"]);
    let stem = stem_of(&home, generate);
    let out = run(intone_neural(&home).args(["resume", "--json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(intone_neural(&home).args(["batches", "--json"]));
    let listed = json(&out);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    let tracks = common::tracks(&home, 1);
    assert_eq!(tracks[0]["status"], "completed", "{tracks:?}");
    let wav = tracks[0]["output_path"]
        .as_str()
        .expect("output")
        .to_string();

    // Who says each sentence, from the store's sentence records; the
    // narrator's sentences that hold "Nguyen" carry the entry's phonemes.
    let records = sentence_records(&home);
    let who: Vec<Option<&str>> = records.iter().map(|r| r["speaker"].as_str()).collect();
    assert_eq!(
        who,
        vec![None, None, Some("MARA"), Some("MARA"), None, None]
    );
    for r in &records {
        let text = r["text"].as_str().unwrap_or("");
        let ph = r["phonemes"].as_array().expect("phonemes");
        assert_eq!(text.contains("Nguyen"), !ph.is_empty(), "{r}");
        if let Some(p) = ph.first() {
            assert_eq!(p["phonemes"], "wˈɪn");
            let (a, b) = (
                p["start"].as_u64().unwrap() as usize,
                p["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(&text[a..b], "Nguyen");
        }
    }

    // By ear: every sentence was heard as its text (the respelling in).
    let check = json(&run(
        intone_neural(&home).args(["check", "1", "--all", "--json"])
    ));
    let heard = check["tracks"][0]["report"]["sentences"]
        .as_array()
        .expect("sentences");
    assert_eq!(heard.len(), 6, "{check}");
    for s in heard {
        assert_eq!(s["flagged"], false, "{s}");
        // The tags are never spoken.
        assert!(
            !s["heard"]
                .as_str()
                .unwrap_or("")
                .to_lowercase()
                .contains("pause"),
            "{s}"
        );
        assert_eq!(
            s["speaker"].as_str(),
            who[s["index"].as_u64().unwrap() as usize],
            "{s}"
        );
    }

    // Subtitles: voice spans in WebVTT, names in the SRT.
    let vtt = std::fs::read_to_string(Path::new(&wav).with_extension("vtt")).expect("vtt");
    let cues = vtt_cues(&vtt);
    let names: Vec<&str> = cues.iter().map(|c| c.2.as_str()).collect();
    assert_eq!(
        names,
        vec!["NARRATOR", "NARRATOR", "MARA", "MARA", "NARRATOR", "NARRATOR"]
    );
    assert!(
        cues[1].3.contains("Nguyen"),
        "subtitles show the word as written: {vtt}"
    );
    let srt = std::fs::read_to_string(Path::new(&wav).with_extension("srt")).expect("srt");
    assert!(
        srt.contains("\nMARA: Captain, the fog") && srt.contains("\nNARRATOR: The ferry"),
        "{srt}"
    );

    // The pauses: on the voice stem, the silence before "Should we turn
    // back?" and before "He looked…" is what the tags asked for, ±10 ms.
    let gaps = silences(&stem.to_mono(), f64::from(stem.sample_rate_hz));
    // Silences in order: after sentences 1–5 (a sentence pause, a
    // paragraph pause, the 1.5 s tag, a paragraph pause, the 800 ms tag).
    assert_eq!(gaps.len(), 5, "{gaps:?}");
    for (i, want) in [(2, 1.5), (4, 0.8)] {
        let got = gaps[i].1 - gaps[i].0;
        eprintln!("pause {i}: {got:.4} s on the stem (asked {want} s)");
        assert!(
            (got - want).abs() <= 0.010,
            "pause {i}: {got:.4} s, want {want} s ({gaps:?})"
        );
    }

    // The two speakers (two engines of different level) match within 1 LU.
    let clip = intone_core::audio::wav::read_clip(Path::new(&wav)).expect("wav");
    let mono = clip.to_mono();
    let sr = f64::from(clip.sample_rate_hz);
    let lufs = |speaker: &str| {
        let mut m =
            intone_core::audio::loudness::Meter::new(1, clip.sample_rate_hz, Path::new(&wav))
                .expect("meter");
        for c in cues.iter().filter(|c| c.2 == speaker) {
            let (a, b) = ((c.0 * sr) as usize, ((c.1 * sr) as usize).min(mono.len()));
            m.add(&mono[a..b]).expect("add");
        }
        m.result().expect("loudness").integrated_lufs
    };
    let (n, m) = (lufs("NARRATOR"), lufs("MARA"));
    eprintln!("narrator {n:.2} LUFS, Mara {m:.2} LUFS");
    assert!(
        (n - m).abs() <= 1.0,
        "narrator {n:.2} LUFS, Mara {m:.2} LUFS"
    );

    // An edit to the entry speaks again exactly the two sentences that hold it.
    let before = clips(&home);
    let edit = run(intone_neural(&home)
        .args(["lexicon", "add", "Nguyen", "--respell", "Wen"])
        .args(["--phonemes", "wˈɛn"]));
    assert!(edit.status.success(), "{}", stderr(&edit));
    let applied = run(intone_neural(&home).args(["lexicon", "apply", "Nguyen", "--json"]));
    assert!(applied.status.success(), "{}", stderr(&applied));
    let a = json(&applied);
    assert_eq!(a["touched"][0]["sentences"], 2, "{a}");
    assert_eq!(a["batches"][0]["status"], "completed", "{a}");
    assert_eq!(
        clips(&home) - before,
        2,
        "exactly the two sentences with Nguyen are new clips"
    );
    let records = sentence_records(&home);
    let wen = records
        .iter()
        .filter(|r| r["phonemes"][0]["phonemes"] == "wˈɛn")
        .count();
    assert_eq!(wen, 2);
}

/// A scene spoken by two espeak-ng voices (fast), for the cast's rules.
const DUET: &str = "# Duet

## One

The room was quiet. MARA: this colon is prose, not a speaker.

MARA: I heard something. Did you?

TOM: Only the wind.

Note: the narrator reads this line.
";

#[test]
fn a_missing_voice_stops_the_batch_before_it_exists_and_a_recast_speaks_only_that_speaker() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let script = dir.path().join("duet.md");
    std::fs::write(&script, DUET).expect("script");
    let cast = dir.path().join("cast.toml");
    std::fs::write(
        &cast,
        "NARRATOR = \"espeak:en-us\"\nMARA = \"espeak:en-gb\"\n",
    )
    .expect("cast");

    // "TOM:" is not declared: it is read as narration, and `intone cast`
    // says it looks like a speaker.
    let c = run(common::intone(&home).arg("cast").arg(&script));
    assert!(c.status.success(), "{}", stderr(&c));
    let text = String::from_utf8_lossy(&c.stdout);
    assert!(
        text.contains("MARA") && text.contains("espeak:en-gb"),
        "{text}"
    );
    assert!(
        stderr(&c).contains("line 9: \"TOM:\" looks like a speaker"),
        "{}",
        stderr(&c)
    );
    // A marker for a speaker with no voice is refused before any batch is
    // recorded, naming the file, the line and the speaker.
    let marked = dir.path().join("marked.md");
    std::fs::write(&marked, "# M\n\nHello.\n\n[voice: TOM] Hi there.\n").expect("script");
    let out = run(common::intone(&home)
        .arg("generate")
        .arg(&marked)
        .arg("--no-check"));
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(
        e.contains("marked.md: line 5: speaker \"TOM\" has no voice in the cast"),
        "{e}"
    );
    let batches = json(&run(common::intone(&home).args(["batches", "--json"])));
    assert_eq!(batches, serde_json::json!([]), "no batch was created");

    // With TOM cast, it is made; each line in its speaker's voice.
    std::fs::write(&cast, "NARRATOR = \"espeak:en-us\"\nMARA = \"espeak:en-gb\"\nTOM = { voice = \"espeak:en-us\", pitch = 30 }\n").expect("cast");
    let out = run(common::intone(&home)
        .arg("generate")
        .arg(&script)
        .arg("--no-check")
        .arg("--cast")
        .arg(&cast));
    assert!(out.status.success(), "{}", stderr(&out));
    let records = sentence_records(&home);
    let who: Vec<Option<&str>> = records.iter().map(|r| r["speaker"].as_str()).collect();
    assert_eq!(
        who,
        vec![None, None, Some("MARA"), Some("MARA"), Some("TOM"), None]
    );
    let first = clips(&home);
    assert_eq!(first, 6);

    // Recasting MARA speaks her two sentences again, and nothing else.
    std::fs::write(&cast, "NARRATOR = \"espeak:en-us\"\nMARA = \"espeak:en-us\"\nTOM = { voice = \"espeak:en-us\", pitch = 30 }\n").expect("cast");
    let out = run(common::intone(&home)
        .arg("generate")
        .arg(&script)
        .arg("--no-check")
        .arg("--cast")
        .arg(&cast));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(clips(&home) - first, 2);
}

#[test]
fn a_projects_default_pauses_apply_after_sentences_paragraphs_and_headings() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let script = dir.path().join("pauses.md");
    std::fs::write(
        &script,
        "# Paced\n\n## One\n\n### A heading\n\nFirst sentence here. Second sentence here.\n\nA new paragraph.\n",
    )
    .expect("script");
    let set = run(common::intone(&home)
        .args(["pauses", "Paced", "--sentence", "250"])
        .args(["--paragraph", "1200", "--heading", "2000"]));
    assert!(set.status.success(), "{}", stderr(&set));
    let shown = json(&run(
        common::intone(&home).args(["pauses", "Paced", "--json"])
    ));
    assert_eq!(
        shown,
        serde_json::json!({"sentence_ms": 250.0, "paragraph_ms": 1200.0, "heading_ms": 2000.0})
    );
    let mut generate = common::intone(&home);
    generate.arg("generate").arg(&script).arg("--no-check");
    let stem = stem_of(&home, generate);
    let gaps: Vec<f64> = silences(&stem.to_mono(), f64::from(stem.sample_rate_hz))
        .iter()
        .map(|(a, b)| b - a)
        .collect();
    // Between the speech: the pause itself plus the clips' kept margins
    // (at most 12 ms on either side).
    assert_eq!(
        gaps.len(),
        2,
        "the 250 ms sentence pause is under 300 ms: {gaps:?}"
    );
    for (got, want) in gaps.iter().zip([2.0, 1.2]) {
        assert!(*got >= want && *got <= want + 0.03, "{gaps:?}");
    }
}
