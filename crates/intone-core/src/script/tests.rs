use std::path::{Path, PathBuf};

use super::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/scripts")
        .join(name)
}

#[test]
fn life_vision_has_titled_sections() {
    let s = parse_file(&fixture("life-vision.md")).expect("parse");
    assert_eq!(s.title, "My Life Vision");
    assert!(s.sections.len() >= 6, "{} sections", s.sections.len());
    assert_eq!(s.sections[0].title, "Forward");
    assert_eq!(s.sections[1].title, "Health and Vitality");
    assert!(s.sections.iter().all(|x| x.word_count() > 5));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn edge_cases_skip_empty_sections_and_strip_markup() {
    let s = parse_file(&fixture("edge-cases.md")).expect("parse");
    let titles: Vec<_> = s.sections.iter().map(|x| x.title.as_str()).collect();
    assert!(!titles.contains(&"Empty section"), "{titles:?}");
    assert!(!titles.contains(&"Whitespace only"), "{titles:?}");
    assert_eq!(s.warnings.len(), 2, "{:?}", s.warnings);
    assert!(s.warnings[0].contains("Empty section"));
    let md = s
        .sections
        .iter()
        .find(|x| x.title == "Markdown inside")
        .expect("section");
    assert!(
        !md.text.contains('*') && !md.text.contains('`') && !md.text.contains("http"),
        "{}",
        md.text
    );
    assert_eq!(
        md.text,
        "Bold words, italic words, inline code, a link and a list:\n\nfirst item. second item."
    );
    let uni = s
        .sections
        .iter()
        .find(|x| x.title == "Unicode")
        .expect("section");
    assert!(uni.text.contains("São Paulo") && uni.text.contains("שלום"));
}

#[test]
fn abbreviations_and_decimals_do_not_split() {
    let u = split_utterances(
        "Dr. Smith met Mrs. O'Neil at 10:30 a.m. on Jan. 5th, e.g. before the U.S. markets opened. The price rose 3.5% to $1,299.99 — roughly €1.2k — in Q3 2025.",
        400,
    );
    let texts: Vec<_> = u.iter().map(|x| x.text.as_str()).collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[0].starts_with("Dr. Smith") && texts[0].ends_with("opened."));
    assert!(texts[1].starts_with("The price"));
}

#[test]
fn quotes_ellipses_and_dashes() {
    let u = split_utterances(
        "\"Wait,\" she said — and then, after a long pause... \"are you sure?\" It's a well-known method; isn't it? Yes--no--maybe.",
        400,
    );
    let texts: Vec<_> = u.iter().map(|x| x.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![
            "\"Wait,\" she said — and then, after a long pause... \"are you sure?\"",
            "It's a well-known method; isn't it?",
            "Yes — no — maybe.",
        ]
    );
    assert_eq!(u[2].pause_after, Pause::Paragraph);
    assert_eq!(u[0].pause_after, Pause::Sentence);
}

#[test]
fn very_long_sentence_is_chunked_at_clause_boundaries() {
    let s = parse_file(&fixture("edge-cases.md")).expect("parse");
    let long = s
        .sections
        .iter()
        .find(|x| x.title == "A very long sentence")
        .expect("section");
    for max in [120usize, 200, 300] {
        let u = split_utterances(&long.text, max);
        assert!(u.len() > 2, "max {max}: {} pieces", u.len());
        for (i, piece) in u.iter().enumerate() {
            assert!(
                piece.text.chars().count() <= max,
                "max {max}: piece too long: {}",
                piece.text
            );
            // Never cut inside a word: the join is at a space.
            assert!(!piece.text.starts_with(char::is_whitespace));
            if i + 1 < u.len() {
                assert_eq!(piece.pause_after, Pause::Join);
            }
        }
        let rejoined: Vec<&str> = u.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            rejoined.join(" ").split_whitespace().collect::<Vec<_>>(),
            long.text.split_whitespace().collect::<Vec<_>>()
        );
        // Most pieces end at punctuation or before a conjunction.
        let at_clause = u[..u.len() - 1]
            .iter()
            .filter(|p| p.text.ends_with([',', ';', ':', ')', '—']))
            .count();
        assert!(at_clause * 2 >= u.len() - 1, "max {max}: {u:?}");
    }
}

#[test]
fn plain_text_is_one_section_named_after_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("Chapter One.txt");
    std::fs::write(&p, "First line\ncontinues here.\n\nSecond paragraph.").expect("write");
    let s = parse_file(&p).expect("parse");
    assert_eq!(s.sections.len(), 1);
    assert_eq!(s.sections[0].title, "Chapter One");
    assert_eq!(
        s.sections[0].text,
        "First line continues here.\n\nSecond paragraph."
    );
}

#[test]
fn bad_scripts_name_the_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let empty = dir.path().join("empty.md");
    std::fs::write(&empty, "# Only a title\n\n## Nothing\n\n").expect("write");
    let e = parse_file(&empty).expect_err("must fail").to_string();
    assert!(e.contains("empty.md") && e.contains("no text"), "{e}");
    let missing = dir.path().join("missing.md");
    let e = parse_file(&missing).expect_err("must fail").to_string();
    assert!(e.contains("missing.md"), "{e}");
    let binary = dir.path().join("bin.txt");
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0").expect("write");
    let e = parse_file(&binary).expect_err("must fail").to_string();
    assert!(e.contains("bin.txt") && e.contains("binary"), "{e}");
}

#[test]
fn slugs() {
    assert_eq!(slug("Health & Vitality"), "health-vitality");
    assert_eq!(slug("Café"), "caf");
    assert_eq!(slug("🙂"), "untitled");
}

fn said(u: &[Utterance]) -> Vec<(Option<&str>, &str)> {
    u.iter()
        .map(|u| (u.speaker.as_deref(), u.text.as_str()))
        .collect()
}

#[test]
fn speaker_lines_need_a_declared_speaker() {
    let cast = vec!["MARA".to_string(), "NARRATOR".to_string()];
    let text = "The door opened.\n\nMARA: Who is there? Show yourself.\n\nNote: this is a sentence.\n\nmara: Still me.\n\nNARRATOR: Nobody answered.\n\nTime: 10:30. Ratio 3:1.";
    let u = split_cast(text, 300, &cast);
    assert_eq!(
        said(&u),
        vec![
            (None, "The door opened."),
            (Some("MARA"), "Who is there?"),
            (Some("MARA"), "Show yourself."),
            (None, "Note: this is a sentence."),
            (Some("MARA"), "Still me."),
            (None, "Nobody answered."),
            (None, "Time: 10:30."),
            (None, "Ratio 3:1."),
        ]
    );
    // With no cast, every "Name:" is prose.
    let u = split_cast("MARA: Who is there?", 300, &[]);
    assert_eq!(said(&u), vec![(None, "MARA: Who is there?")]);
}

#[test]
fn voice_markers_switch_until_the_next_one() {
    let cast = vec!["MARA".to_string(), "TOM".to_string()];
    let text = "Intro. [voice: MARA] Hello there.\n\nStill Mara. [voice: tom] Tom now.\n\nTOM: Explicit. [voice: NARRATOR] Back to me.";
    let u = split_cast(text, 300, &cast);
    assert_eq!(
        said(&u),
        vec![
            (None, "Intro."),
            (Some("MARA"), "Hello there."),
            (Some("MARA"), "Still Mara."),
            (Some("TOM"), "Tom now."),
            (Some("TOM"), "Explicit."),
            (None, "Back to me."),
        ]
    );
}

#[test]
fn pause_tags_become_exact_pauses() {
    let u = split_utterances(
        "[pause 500ms] Breathe in [pause 2000ms] and out. Rest.\n\nNext. [pause 1000ms]\n\n[pause 300ms] Last.",
        300,
    );
    let p: Vec<_> = u
        .iter()
        .map(|u| (u.text.as_str(), u.lead_ms, u.pause_after))
        .collect();
    assert_eq!(
        p,
        vec![
            ("Breathe in", 500, Pause::Exact(2000)),
            ("and out.", 0, Pause::Sentence),
            ("Rest.", 0, Pause::Paragraph),
            ("Next.", 0, Pause::Exact(1300)),
            ("Last.", 0, Pause::Paragraph),
        ]
    );
}

#[test]
fn tags_survive_markdown_and_bad_ones_name_their_line() {
    let s = parse_text(
        "# T\n\n## One\n\nHello **there**. [pause 1.5s] Then <break time=\"800ms\"/> more.\n\n[voice: MARA] Hi.\n",
        "t",
        true,
        Path::new("t.md"),
    )
    .expect("parse");
    assert_eq!(
        s.sections[0].text,
        "Hello there. [pause 1500ms] Then [pause 800ms] more.\n\n[voice: MARA] Hi."
    );
    assert_eq!(s.directives.len(), 3);
    let e = parse_text(
        "# T\n\nfine\n\nbad [pause soon]\n",
        "t",
        true,
        Path::new("t.md"),
    )
    .expect_err("bad tag");
    assert!(e.to_string().contains("t.md: line 5"), "{e}");
}

#[test]
fn review_cases_of_speakers_pauses_and_headings() {
    let cast = vec!["MARA".to_string()];
    // Directives before a speaker's name.
    let u = split_cast("[pause 1000ms] MARA: Hello there.", 300, &cast);
    assert_eq!(said(&u), vec![(Some("MARA"), "Hello there.")]);
    assert_eq!(u[0].lead_ms, 1000);
    // Tags in a row add up to at most ten minutes.
    let many = "[pause 600000ms] ".repeat(5);
    let u = split_utterances(&format!("Hi. {many}Bye."), 300);
    assert_eq!(u[0].pause_after, Pause::Exact(directives::MAX_PAUSE_MS));
    // The heading pause follows a heading's last sentence.
    let s = parse_text(
        "# T\n\n## S\n\n### Chapter 1. The Ferry\n\nIt sailed. Why?\n\n### Why?\n\nBecause.\n",
        "t",
        true,
        Path::new("t.md"),
    )
    .expect("parse");
    let u = split_utterances(&s.sections[0].text, 300);
    let marks: Vec<(&str, bool)> = u.iter().map(|u| (u.text.as_str(), u.heading)).collect();
    assert_eq!(
        marks,
        vec![
            ("Chapter 1.", false),
            ("The Ferry.", true),
            ("It sailed.", false),
            ("Why?", false),
            ("Why?", true),
            ("Because.", false),
        ]
    );
}
