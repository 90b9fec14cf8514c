//! EPUB 2 and 3 books (EPUB 3.3, OCF and Packages; EPUB 2.0.1 OPF and
//! NCX), read with `rbook`. The archive is checked first with `zip`,
//! entry by entry, decompressing through a bounded reader: a file over
//! [`MAX_BOOK_BYTES`], more than [`MAX_ENTRIES`] entries, an entry that
//! expands past [`MAX_ENTRY_BYTES`] or a total past [`MAX_TOTAL_BYTES`]
//! (a zip bomb), a name that climbs out of the archive, a ZIP that is not an
//! EPUB, and DRM (`META-INF/rights.xml`, or `encryption.xml` encrypting
//! more than fonts) are refused with the file's name before `rbook` reads
//! anything, and nothing from the archive is ever written to disk.
//!
//! Chapters come from the table of contents (the EPUB 3 navigation
//! document, else the NCX): each entry with a label starts a chapter at
//! its document, or at the element its fragment names, in spine order.
//! Without one, each spine document is a chapter.

use std::io::Read;
use std::path::Path;

use super::html::{pieces, Piece};
use super::{Book, Chapter, Matter};
use crate::error::{Error, Result};

/// The largest book file read, bytes.
pub const MAX_BOOK_BYTES: u64 = 100 * 1024 * 1024;
/// The most entries an archive may have.
pub const MAX_ENTRIES: usize = 10_000;
/// The most one entry may expand to, bytes.
pub const MAX_ENTRY_BYTES: u64 = 64 * 1024 * 1024;
/// The most all entries may expand to, bytes.
pub const MAX_TOTAL_BYTES: u64 = 512 * 1024 * 1024;

/// Encryption algorithms that only obfuscate fonts (IDPF's, Adobe's): not DRM.
const FONT_OBFUSCATION: [&str; 2] = [
    "http://www.idpf.org/2008/embedding",
    "http://ns.adobe.com/pdf/enc#RC",
];

fn bad(path: &Path, message: impl Into<String>) -> Error {
    Error::Script {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Checks the archive at `path` (see the module's doc).
///
/// # Errors
/// [`Error::Script`] naming the file and what is wrong.
fn check_archive(path: &Path) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| bad(path, format!("cannot read: {e}")))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| bad(path, format!("is not an EPUB: not a ZIP archive ({e})")))?;
    if zip.len() > MAX_ENTRIES {
        return Err(bad(
            path,
            format!(
                "has {} entries; an EPUB may have at most {MAX_ENTRIES}",
                zip.len()
            ),
        ));
    }
    let (mut total, mut container, mut encryption) = (0u64, false, None::<String>);
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| bad(path, format!("archive entry {} cannot be read: {e}", i + 1)))?;
        let name = entry
            .name()
            .map_err(|e| bad(path, format!("archive entry {} has a bad name: {e}", i + 1)))?
            .into_owned();
        if entry.enclosed_name().is_none() {
            return Err(bad(
                path,
                format!("archive entry \"{name}\" points outside the book; refusing it"),
            ));
        }
        if name == "META-INF/rights.xml" {
            return Err(bad(
                path,
                "is protected by DRM (META-INF/rights.xml): Intone reads EPUBs without DRM only",
            ));
        }
        container |= name == "META-INF/container.xml";
        let mut bytes = Vec::new();
        let sink: &mut dyn std::io::Write = if name == "META-INF/encryption.xml" {
            &mut bytes
        } else {
            &mut std::io::sink()
        };
        let n = std::io::copy(&mut (&mut entry).take(MAX_ENTRY_BYTES + 1), sink)
            .map_err(|e| bad(path, format!("archive entry \"{name}\" is damaged: {e}")))?;
        if n > MAX_ENTRY_BYTES {
            return Err(bad(
                path,
                format!(
                    "archive entry \"{name}\" expands past {} MB (a zip bomb?); refusing it",
                    MAX_ENTRY_BYTES >> 20
                ),
            ));
        }
        total += n;
        if total > MAX_TOTAL_BYTES {
            return Err(bad(
                path,
                format!(
                    "expands past {} MB in all (a zip bomb?); refusing it",
                    MAX_TOTAL_BYTES >> 20
                ),
            ));
        }
        if !bytes.is_empty() {
            encryption = Some(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    if !container {
        return Err(bad(
            path,
            "is a ZIP archive but not an EPUB (it has no META-INF/container.xml)",
        ));
    }
    if let Some(xml) = encryption {
        let drm = xml
            .split("Algorithm=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .filter(|a| a.contains("enc#") || a.contains("xmlenc") || a.contains("embedding"))
            .any(|a| !FONT_OBFUSCATION.contains(&a) && !a.contains("xmldsig"));
        if drm {
            return Err(bad(path, "is protected by DRM (META-INF/encryption.xml encrypts its text): Intone reads EPUBs without DRM only"));
        }
    }
    Ok(())
}

/// A chapter's start: a document, and maybe an element in it.
struct Start {
    doc: String,
    fragment: Option<String>,
    label: String,
}

/// Reads the EPUB at `path` into a [`Book`].
///
/// # Errors
/// [`Error::Script`] naming the file: too large, not an EPUB, DRM, a zip
/// bomb, a spine item missing from the archive.
pub fn read(path: &Path) -> Result<Book> {
    let size = std::fs::metadata(path)
        .map_err(|e| bad(path, format!("cannot read: {e}")))?
        .len();
    if size > MAX_BOOK_BYTES {
        return Err(bad(
            path,
            format!(
                "is {:.0} MB; books of up to {} MB are read",
                size as f64 / 1048576.0,
                MAX_BOOK_BYTES >> 20
            ),
        ));
    }
    check_archive(path)?;
    let epub =
        rbook::Epub::open(path).map_err(|e| bad(path, format!("is not a readable EPUB: {e}")))?;
    let title = epub
        .metadata()
        .title()
        .map(|t| t.value().trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| super::stem(path));
    let author = epub
        .metadata()
        .creators()
        .next()
        .map(|c| c.value().trim().to_string());
    let starts: Vec<Start> = epub
        .toc()
        .contents()
        .map(|root| {
            root.flatten()
                .filter(|e| !e.label().trim().is_empty())
                .filter_map(|e| {
                    let href = e.href()?;
                    Some(Start {
                        doc: href.path().decode().into_owned(),
                        fragment: href.fragment().map(str::to_string),
                        label: e.label().split_whitespace().collect::<Vec<_>>().join(" "),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let starts_at: std::collections::HashMap<(&str, Option<&str>), &Start> = starts
        .iter()
        .map(|s| ((s.doc.as_str(), s.fragment.as_deref()), s))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut read_bytes = 0u64;
    let mut chapters: Vec<Chapter> = Vec::new();
    let mut current: Option<(String, Option<Matter>, Vec<String>)> = None;
    let push = |chapters: &mut Vec<Chapter>, cur: Option<(String, Option<Matter>, Vec<String>)>| {
        if let Some((title, matter, body)) = cur {
            chapters.push(Chapter::new(&title, &body.join("\n\n"), matter));
        }
    };
    for (n, item) in epub.spine().iter().enumerate() {
        let Some(entry) = item.manifest_entry() else {
            return Err(bad(
                path,
                format!("spine item \"{}\" is not in the manifest", item.idref()),
            ));
        };
        let doc = entry.href().path().decode().into_owned();
        if !seen.insert(doc.clone()) {
            continue; // a document listed twice in the spine is read once
        }
        let xhtml = entry.read_str().map_err(|e| {
            bad(
                path,
                format!(
                    "spine item \"{}\" ({doc}) is missing from the archive or unreadable: {e}",
                    item.idref()
                ),
            )
        })?;
        read_bytes += xhtml.len() as u64;
        if read_bytes > MAX_TOTAL_BYTES {
            return Err(bad(
                path,
                format!(
                    "has more than {} MB of text; refusing it",
                    MAX_TOTAL_BYTES >> 20
                ),
            ));
        }
        let nav = entry.properties().has_property("nav");
        let doc_start = |fragment: Option<&str>| starts_at.get(&(doc.as_str(), fragment)).copied();
        let mut heading: Option<String> = None;
        if starts.is_empty() || doc_start(None).is_some() || current.is_none() {
            let label = doc_start(None).map(|s| s.label.clone());
            push(&mut chapters, current.take());
            let matter = (nav || !item.is_linear() || doc_is_front(&doc)).then_some(Matter::Front);
            let named = || {
                let stem = super::stem(Path::new(&doc));
                if matter.is_some() {
                    stem.replace(['_', '-'], " ")
                } else {
                    format!("Part {}", n + 1)
                }
            };
            current = Some((label.unwrap_or_else(named), matter, Vec::new()));
            heading = if starts.is_empty() {
                Some(String::new())
            } else {
                None
            };
        }
        for p in pieces(&xhtml) {
            match p {
                Piece::Anchor(id) => {
                    if let Some(s) = doc_start(Some(&id)) {
                        push(&mut chapters, current.take());
                        current = Some((s.label.clone(), None, Vec::new()));
                    }
                }
                Piece::Heading(h) if heading.as_deref() == Some("") => {
                    if let Some(c) = current.as_mut() {
                        c.0 = h.clone();
                    }
                    heading = Some(h.clone());
                    if let Some(c) = current.as_mut() {
                        c.2.push(h);
                    }
                }
                Piece::Heading(t) | Piece::Text(t) => {
                    if let Some(c) = current.as_mut() {
                        c.2.push(t);
                    }
                }
            }
        }
    }
    push(&mut chapters, current.take());
    super::mark_matter(&mut chapters);
    Ok(Book {
        title,
        author,
        source: path.to_path_buf(),
        format: super::BookFormat::Epub,
        chapters: super::number(chapters),
    })
}

/// Front or back matter by a chapter's title: the whole title is one of
/// the usual names ("Contents", "Table of Contents", "Index", "Copyright
/// 1900", …), so a chapter called "The Discovery" or "Index of Memories"
/// stays text.
pub fn looks_like_matter(title: &str) -> Option<Matter> {
    let words: Vec<String> = title
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let t = words.join(" ");
    const FRONT: [&str; 8] = [
        "cover",
        "contents",
        "table of contents",
        "title page",
        "titlepage",
        "dedication",
        "toc",
        "copyright",
    ];
    const BACK: [&str; 5] = [
        "index",
        "colophon",
        "also by the author",
        "about the publisher",
        "license",
    ];
    if FRONT.contains(&t.as_str()) || words.first().is_some_and(|w| w == "copyright") {
        Some(Matter::Front)
    } else if BACK.contains(&t.as_str()) || t.contains("gutenberg license") {
        Some(Matter::Back)
    } else {
        None
    }
}

/// Front matter by a content document's file name: its stem is exactly a
/// cover, title page, copyright page or contents (`cover.xhtml`,
/// `titlepage.xhtml`; not `index_split_000.xhtml`, Calibre's text).
pub fn doc_is_front(doc: &str) -> bool {
    let stem = super::stem(Path::new(doc)).to_lowercase();
    [
        "cover",
        "titlepage",
        "title",
        "copyright",
        "toc",
        "contents",
        "nav",
    ]
    .contains(&stem.as_str())
}
