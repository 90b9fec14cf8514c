use super::file::parse;
use super::*;

fn entry(word: &str, respell: Option<&str>, phonemes: Option<&str>) -> Entry {
    Entry {
        word: word.into(),
        respell: respell.map(Into::into),
        phonemes: phonemes.map(Into::into),
        alphabet: Alphabet::Ipa,
        whole_word: true,
        case_sensitive: false,
    }
}

#[test]
fn respellings_and_phonemes_apply_per_engine() {
    let lex = Lexicon {
        entries: vec![
            entry("Nguyen", Some("Win"), Some("wˈɪn")),
            entry("Siobhan", Some("Shivawn"), None),
            entry("Tuan", None, Some("twˈɑːn")),
        ],
    };
    let text = "nguyen met Siobhan, and Nguyenville met Tuan.";
    // An engine that takes IPA keeps the words and marks their phonemes.
    let ipa = lex.apply(text, &[Alphabet::Ipa]);
    assert_eq!(ipa.text, "nguyen met Shivawn, and Nguyenville met Tuan.");
    assert_eq!(ipa.phonemes.len(), 2);
    assert_eq!(
        &ipa.text[ipa.phonemes[0].start..ipa.phonemes[0].end],
        "nguyen"
    );
    assert_eq!(
        &ipa.text[ipa.phonemes[1].start..ipa.phonemes[1].end],
        "Tuan"
    );
    // A text-only engine respells; an entry it cannot say is reported.
    let plain = lex.apply(text, &[]);
    assert_eq!(plain.text, "Win met Shivawn, and Nguyenville met Tuan.");
    assert_eq!(plain.unsupported, vec!["Tuan".to_string()]);
    assert!(plain.phonemes.is_empty());
    assert_eq!(lex.touching("Nothing here.").len(), 0);
    assert_eq!(lex.touching("Ask NGUYEN.").len(), 1);
}

#[test]
fn options_change_matching() {
    let mut e = entry("Ra", Some("Rah"), None);
    e.case_sensitive = true;
    let lex = Lexicon { entries: vec![e] };
    assert_eq!(lex.apply("Ra and ra.", &[]).text, "Rah and ra.");
    let mut e = entry("ph", Some("f"), None);
    e.whole_word = false;
    let lex = Lexicon { entries: vec![e] };
    assert_eq!(lex.apply("Phone graph", &[]).text, "fone graf");
    // A phrase beats a word inside it.
    let lex = Lexicon {
        entries: vec![
            entry("New York", Some("Noo Yawk"), None),
            entry("York", Some("Yawk"), None),
        ],
    };
    assert_eq!(
        lex.apply("From New York to York.", &[]).text,
        "From Noo Yawk to Yawk."
    );
}

#[test]
fn project_entries_override_global_ones() {
    let global = Lexicon {
        entries: vec![
            entry("Nguyen", Some("Win"), None),
            entry("Tuan", Some("Twan"), None),
        ],
    };
    let project = Lexicon {
        entries: vec![entry("nguyen", Some("Nwen"), None)],
    };
    let m = global.overlaid(&project);
    assert_eq!(m.entries.len(), 2);
    assert_eq!(m.apply("Nguyen", &[]).text, "Nwen");
}

#[test]
fn files_round_trip_in_both_formats() {
    let mut e = entry("Siobhan", Some("Shivawn"), Some("ʃɪvˈɔːn"));
    e.case_sensitive = true;
    let mut m = entry("ph", Some("f"), Some("f"));
    m.alphabet = Alphabet::Espeak;
    m.whole_word = false;
    let lex = Lexicon {
        entries: vec![entry("Nguyen", Some("Win"), None), m, e],
    };
    for f in [Format::Toml, Format::Tsv] {
        let text = lex.to_file_text(f);
        let back = parse(&text, f, "x").expect(&text);
        assert_eq!(back.entries.len(), 3, "{text}");
        for e in &lex.entries {
            assert!(back.entries.contains(e), "{f:?}: {e:?} in {text}");
        }
    }
    let e = parse("Nguyen\tWin\n\tx\n", Format::Tsv, "my.tsv").expect_err("no word");
    assert!(e.to_string().contains("my.tsv: line 2"), "{e}");
    let e = parse("Nguyen\t\t\tklingon\n", Format::Tsv, "my.tsv").expect_err("alphabet");
    assert!(e.to_string().contains("klingon"), "{e}");
    let e = parse("Nguyen = 3\n", Format::Toml, "my.toml").expect_err("number");
    assert!(e.to_string().contains("Nguyen"), "{e}");
    let e = parse("[Nguyen]\nwhole_word = true\n", Format::Toml, "my.toml").expect_err("empty");
    assert!(e.to_string().contains("respelling, phonemes"), "{e}");
}

#[test]
fn espeak_mnemonics_must_be_ascii() {
    let mut e = entry("Nguyen", None, Some("wˈɪn"));
    e.alphabet = Alphabet::Espeak;
    let err = e.check().expect_err("IPA as mnemonics");
    assert!(
        err.to_string().contains("\"Nguyen\"") && err.to_string().contains("ASCII"),
        "{err}"
    );
    e.phonemes = Some("w'In".into());
    e.check().expect("mnemonics");
}

#[test]
fn an_empty_word_matches_nothing_and_ends() {
    let lex = Lexicon {
        entries: vec![entry(" ", Some("x"), None)],
    };
    assert!(lex.touching("Any text at all, é.").is_empty());
    assert_eq!(lex.apply("Any text", &[]).text, "Any text");
}
