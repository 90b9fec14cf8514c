//! Scripts saved in the encodings older editors use: each is written by the
//! system's `iconv` from one UTF-8 text with accented names, curly quotes, em
//! dashes and the euro sign, and each must make the same track as the UTF-8
//! file (same title, same samples), with a note naming the encoding assumed.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const SCRIPT: &str = "# Café notes\n\n## Zoë’s day\n\nZoë and François paid 20 € for the crème brûlée — “not bad”, said Renée. Ça va?\n";

/// Latin-1 has no euro sign and no curly quotes.
const LATIN1_SCRIPT: &str =
    "# Café notes\n\n## Zoë's day\n\nZoë and François had crème brûlée, said Renée. Ça va?\n";

/// Writes `text` in `encoding` with the system's iconv.
fn iconv(dir: &Path, name: &str, text: &str, encoding: &str) -> PathBuf {
    let utf8 = dir.join(format!("{name}.utf8"));
    std::fs::write(&utf8, text).expect("write");
    let out = std::process::Command::new("iconv")
        .args(["-f", "UTF-8", "-t", encoding])
        .arg(&utf8)
        .output()
        .expect("iconv runs");
    assert!(out.status.success(), "iconv: {}", stderr(&out));
    let path = dir.join(name);
    std::fs::write(&path, &out.stdout).expect("write");
    path
}

/// Generates one script in a fresh home; returns the track's title, its
/// samples and what the CLI printed on stderr.
fn generate(script: &Path) -> (String, Vec<i32>, String) {
    let home = tempfile::tempdir().expect("tmp");
    let out = run(intone(home.path())
        .arg("generate")
        .arg(script)
        .args(["--format", "wav", "--json"]));
    let err = stderr(&out);
    assert!(out.status.success(), "{}: {err}", script.display());
    let doc = json(&out);
    assert_eq!(doc["status"], "completed", "{doc}");
    let t = &doc["tracks"][0];
    let title = t["title"].as_str().expect("title").to_string();
    let wav = t["output_path"].as_str().expect("output");
    let samples = hound::WavReader::open(wav)
        .expect("wav")
        .samples::<i32>()
        .collect::<Result<Vec<_>, _>>()
        .expect("samples");
    (title, samples, err)
}

#[test]
fn legacy_encodings_speak_like_utf8() {
    let dir = tempfile::tempdir().expect("tmp");
    for (text, cases) in [
        (
            SCRIPT,
            vec![
                ("cp1252.md", "WINDOWS-1252", "Windows-1252"),
                ("utf16-bom.md", "UTF-16", "UTF-16"),
                ("utf16be-nobom.md", "UTF-16BE", "UTF-16BE"),
            ],
        ),
        (
            LATIN1_SCRIPT,
            vec![("latin1.md", "ISO-8859-1", "Windows-1252")],
        ),
    ] {
        let reference = iconv(dir.path(), "reference.md", text, "UTF-8");
        let (title, samples, err) = generate(&reference);
        assert!(title.starts_with("Zoë"), "{title}");
        assert!(!err.contains("read as"), "UTF-8 needs no note: {err}");
        assert!(samples.len() > 48_000, "a real track");
        for (name, encoding, shown) in cases {
            let file = iconv(dir.path(), name, text, encoding);
            assert_ne!(
                std::fs::read(&file).expect("read"),
                text.as_bytes(),
                "{name} is re-encoded"
            );
            let (t, s, e) = generate(&file);
            assert_eq!(t, title, "{name}: title");
            assert!(
                e.contains(name) && e.contains(shown),
                "{name}: the note names the encoding: {e}"
            );
            assert!(
                s == samples,
                "{name}: the same words are spoken as in UTF-8"
            );
        }
    }
}

#[test]
fn say_reads_a_windows_1252_file_and_binary_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = iconv(
        dir.path(),
        "line.txt",
        "Zoë paid 20 € — “fine”.",
        "WINDOWS-1252",
    );
    let wav = dir.path().join("out.wav");
    let out = run(intone(dir.path())
        .args(["say", "-f"])
        .arg(&file)
        .arg("-o")
        .arg(&wav));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("Windows-1252"), "{}", stderr(&out));
    assert!(wav.exists());

    let png = dir.path().join("cover.md");
    std::fs::write(
        &png,
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0",
    )
    .expect("write");
    let out = run(intone(dir.path()).arg("generate").arg(&png));
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(e.contains("cover.md") && e.contains("binary"), "{e}");
    let list = run(intone(dir.path()).args(["batches", "--json"]));
    assert_eq!(
        json(&list).as_array().map(Vec::len),
        Some(0),
        "nothing recorded"
    );
}
