//! The pronunciation lexicon through the real binary: phonemes a voice
//! cannot say fail only their sentences and name the entry; a 50-sentence
//! chapter whose entry touches 2 sentences speaks exactly those again.

mod common;

use common::{clips, intone_neural, json, run, stderr};

#[test]
fn phonemes_a_voice_cannot_say_name_the_entry_and_the_other_sentences_are_kept() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let script = dir.path().join("names.md");
    std::fs::write(
        &script,
        "# Names\n\n## One\n\nThe first line is plain. Then Ngaio spoke. The third is plain too. Ngaio again.\n",
    )
    .expect("script");
    // "Ж" is no IPA phoneme: joe's voice has no such phoneme.
    let add = run(intone_neural(&home).args(["lexicon", "add", "Ngaio", "--phonemes", "nЖaɪoʊ"]));
    assert!(add.status.success(), "{}", stderr(&add));
    let out = run(intone_neural(&home).arg("generate").arg(&script).args([
        "--voice",
        "piper:en_US-joe-medium",
        "--no-check",
        "--json",
    ]));
    let doc = json(&out);
    let error = doc["tracks"][0]["error"].as_str().unwrap_or("").to_string();
    assert!(error.contains("2 of 4 sentences failed"), "{error}");
    assert!(
        error.contains("lexicon entry \"Ngaio\"")
            && error.contains("sentence 2")
            && error.contains("sentence 4"),
        "{error}"
    );
    assert_eq!(
        clips(&home),
        2,
        "the two plain sentences are spoken and kept"
    );
    // Fixed and applied, only the two that failed are spoken.
    let fix = run(intone_neural(&home).args(["lexicon", "add", "Ngaio", "--phonemes", "nˈaɪoʊ"]));
    assert!(fix.status.success(), "{}", stderr(&fix));
    let apply = run(intone_neural(&home).args(["lexicon", "apply", "Ngaio", "--json"]));
    assert!(apply.status.success(), "{}", stderr(&apply));
    assert_eq!(json(&apply)["batches"][0]["status"], "completed");
    assert_eq!(clips(&home), 4);
}

#[test]
fn a_fifty_sentence_chapter_speaks_again_only_the_two_sentences_an_entry_touches() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let script = dir.path().join("chapter.md");
    let mut text = String::from("# Chapter\n\n## One\n\n");
    for i in 1..=50 {
        if i == 17 || i == 41 {
            text.push_str(&format!("This is line {i}, said by Nguyen. "));
        } else {
            text.push_str(&format!("This is line {i} of the chapter. "));
        }
        if i % 10 == 0 {
            text.push_str("\n\n");
        }
    }
    std::fs::write(&script, &text).expect("script");
    // Checked: the recognizer hears every sentence.
    let out = run(common::intone(&home).arg("generate").arg(&script).args([
        "--voice",
        "espeak:en-us",
        "--json",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(clips(&home), 50);

    // An entry from a file (a respelling espeak-ng can say), imported.
    let tsv = dir.path().join("names.tsv");
    std::fs::write(&tsv, "# word\trespell\nNguyen\tWin\nTuan\t\ttwˈɑːn\tipa\n").expect("tsv");
    let imp = run(common::intone(&home).arg("lexicon").arg("import").arg(&tsv));
    assert!(imp.status.success(), "{}", stderr(&imp));
    let listed = json(&run(
        common::intone(&home).args(["lexicon", "list", "--json"])
    ));
    assert_eq!(
        listed["entries"].as_array().map(Vec::len),
        Some(2),
        "{listed}"
    );
    let exported = dir.path().join("out.toml");
    let exp = run(common::intone(&home)
        .args(["lexicon", "export"])
        .arg(&exported));
    assert!(exp.status.success(), "{}", stderr(&exp));
    let toml = std::fs::read_to_string(&exported).expect("export");
    assert!(
        toml.contains("Nguyen = \"Win\"") && toml.contains("[Tuan]"),
        "{toml}"
    );

    let applied = run(common::intone(&home).args(["lexicon", "apply", "Nguyen", "--json"]));
    assert!(applied.status.success(), "{}", stderr(&applied));
    let a = json(&applied);
    assert_eq!(a["touched"][0]["sentences"], 2, "{a}");
    assert_eq!(
        clips(&home),
        52,
        "exactly the 2 sentences with the word are spoken again"
    );
    // The check compares with the respelling: said as "Win", heard as it.
    let check = json(&run(
        common::intone(&home).args(["check", "1", "--all", "--json"])
    ));
    let sentences = check["tracks"][0]["report"]["sentences"]
        .as_array()
        .expect("sentences");
    for i in [16, 40] {
        let s = &sentences[i];
        assert!(
            s["text"].as_str().unwrap_or("").ends_with("said by Win."),
            "{s}"
        );
        assert!(
            s["heard"]
                .as_str()
                .unwrap_or("")
                .to_lowercase()
                .contains("win"),
            "{s}"
        );
        assert_eq!(s["flagged"], false, "{s}");
    }

    // An IPA-only entry on espeak-ng (which takes its own mnemonics) is said
    // as written, and generate says so.
    std::fs::write(&script, "# Chapter\n\n## One\n\nTuan is here.\n").expect("script");
    let out = run(common::intone(&home).arg("generate").arg(&script).args([
        "--voice",
        "espeak:en-us",
        "--no-check",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("lexicon entry \"Tuan\": espeak cannot take its phonemes"),
        "{}",
        stderr(&out)
    );
}
