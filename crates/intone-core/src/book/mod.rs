//! Books in: an EPUB ([`epub`]), a PDF ([`pdf`], through poppler-utils),
//! or a long plain-text or Markdown text without `##` headings ([`text`])
//! into numbered chapters, with front and back matter (cover, copyright,
//! contents, index, …) marked and left out unless asked for. A person
//! sees the chapters (`intone chapters`, the app's chapter list) before
//! any work starts; the chapters picked become the sections of a script.

pub mod epub;
pub mod html;
pub mod pdf;
pub mod text;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::script::{Script, Section};

/// Front or back matter: not read by default.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Matter {
    /// Before the text: cover, title page, copyright, contents, preface.
    Front,
    /// After it: index, colophon, licences.
    Back,
}

/// What a book was read from.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BookFormat {
    /// EPUB 2 or 3.
    Epub,
    /// PDF (through `pdftotext`).
    Pdf,
    /// Plain text or Markdown with chapter lines.
    Text,
}

/// One chapter.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chapter {
    /// Its number in the book, from 1 (what `--chapters` takes).
    pub number: u32,
    /// Its title.
    pub title: String,
    /// Its text: paragraphs separated by a blank line.
    pub text: String,
    /// Words in it.
    pub words: u32,
    /// Front or back matter (`None`: the book's text).
    pub matter: Option<Matter>,
}

impl Chapter {
    /// A chapter (numbered later) from its title and text.
    pub fn new(title: &str, text: &str, matter: Option<Matter>) -> Self {
        Self {
            number: 0,
            title: title.trim().to_string(),
            text: text.to_string(),
            words: u32::try_from(text.split_whitespace().count()).unwrap_or(u32::MAX),
            matter,
        }
    }
}

/// A book, read.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Book {
    /// Its title (the file's name when it has none).
    pub title: String,
    /// Its first author, when known.
    pub author: Option<String>,
    /// The file.
    pub source: PathBuf,
    /// What it was read from.
    pub format: BookFormat,
    /// Every chapter, matter included, in order.
    pub chapters: Vec<Chapter>,
}

/// Extensions read as books whatever their content (lower case).
pub const BOOK_EXTENSIONS: [&str; 2] = ["epub", "pdf"];

/// Whether `path` is an EPUB or a PDF by its extension (any case).
pub fn is_book_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| BOOK_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads a book: an EPUB, a PDF, or a text with chapter lines (a text
/// without them is one chapter).
///
/// # Errors
/// [`Error::Script`] naming the file and what is wrong with it.
pub fn read(path: &Path) -> Result<Book> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("epub") => epub::read(path),
        Some("pdf") => pdf::read(path),
        _ => {
            let t = crate::script::read_text_file(path)?.text;
            let title = stem(path);
            let chapters = text::chapters(&t, "Front matter")
                .unwrap_or_else(|| vec![Chapter::new(&title, &text::paragraph_text(&t), None)]);
            Ok(Book {
                title,
                author: None,
                source: path.to_path_buf(),
                format: BookFormat::Text,
                chapters: number(chapters),
            })
        }
    }
}

/// The file's name without its extension.
pub(crate) fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Untitled".into())
}

/// Numbers chapters from 1.
pub(crate) fn number(mut chapters: Vec<Chapter>) -> Vec<Chapter> {
    for (i, c) in chapters.iter_mut().enumerate() {
        c.number = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    chapters
}

/// Marks matter by title: front before the first chapter of text, back after the last.
pub(crate) fn mark_matter(chapters: &mut [Chapter]) {
    for c in chapters.iter_mut() {
        if c.matter.is_none() {
            c.matter = epub::looks_like_matter(&c.title);
        }
    }
    let first = chapters.iter().position(|c| c.matter.is_none());
    for (i, c) in chapters.iter_mut().enumerate() {
        if c.matter.is_some() {
            c.matter = Some(if first.is_none_or(|f| i < f) {
                Matter::Front
            } else {
                Matter::Back
            });
        }
    }
}

/// A chapter as the app lists it (no text).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChapterOutline {
    /// Its number, from 1.
    pub number: u32,
    /// Its title.
    pub title: String,
    /// Words in it.
    pub words: u32,
    /// Front or back matter (`None`: the book's text).
    pub matter: Option<Matter>,
    /// Its first words (up to [`EXCERPT_CHARS`] characters).
    pub excerpt: String,
}

/// A book as the app lists it before any work: its chapters without text.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookOutline {
    /// The file.
    pub path: String,
    /// Its title.
    pub title: String,
    /// Its first author, when known.
    pub author: Option<String>,
    /// What it was read from.
    pub format: BookFormat,
    /// Every chapter, matter included.
    pub chapters: Vec<ChapterOutline>,
}

/// How much of a chapter's text an outline shows, characters.
pub const EXCERPT_CHARS: usize = 160;

/// Words a minute a voice speaks, for duration estimates: espeak-ng's own
/// default rate for its voices, else the studio's narration estimate.
pub fn pace_wpm(voice: &str) -> f64 {
    if voice.starts_with("espeak:") {
        crate::engines::espeak::DEFAULT_RATE_WPM
    } else {
        crate::studio::ESTIMATE_WPM
    }
}

impl Book {
    /// The book without its text, for a chapter list.
    pub fn outline(&self) -> BookOutline {
        BookOutline {
            path: self.source.display().to_string(),
            title: self.title.clone(),
            author: self.author.clone(),
            format: self.format,
            chapters: self
                .chapters
                .iter()
                .map(|c| ChapterOutline {
                    number: c.number,
                    title: c.title.clone(),
                    words: c.words,
                    matter: c.matter,
                    excerpt: c.text.chars().take(EXCERPT_CHARS).collect(),
                })
                .collect(),
        }
    }

    /// The chapters `spec` names ("3-7", "1,4,9-12"; numbers from
    /// [`Chapter::number`], matter included when named), or with no spec
    /// every chapter that is not front or back matter.
    ///
    /// # Errors
    /// [`Error::Config`] for a malformed spec or a number the book does not have.
    pub fn pick(&self, spec: Option<&str>) -> Result<Vec<&Chapter>> {
        let Some(spec) = spec.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(self
                .chapters
                .iter()
                .filter(|c| c.matter.is_none())
                .collect());
        };
        let n = self.chapters.len() as u32;
        let bad = |m: String| Error::Config(format!("--chapters {spec}: {m}"));
        let num = |s: &str| -> Result<u32> {
            s.trim()
                .parse::<u32>()
                .ok()
                .filter(|&x| (1..=n).contains(&x))
                .ok_or_else(|| {
                    bad(format!(
                        "\"{}\" is not a chapter of this book (1–{n})",
                        s.trim()
                    ))
                })
        };
        let mut out: Vec<&Chapter> = Vec::new();
        for part in spec.split(',') {
            let (a, b) = match part.split_once('-') {
                Some((a, b)) => (num(a)?, num(b)?),
                None => (num(part)?, num(part)?),
            };
            if a > b {
                return Err(bad(format!("\"{}\" runs backwards", part.trim())));
            }
            for c in &self.chapters[(a - 1) as usize..b as usize] {
                if !out.iter().any(|x| x.number == c.number) {
                    out.push(c);
                }
            }
        }
        out.sort_by_key(|c| c.number);
        Ok(out)
    }

    /// A script whose sections are `chapters`, titled as the book; a
    /// chapter with no text is skipped with a warning.
    ///
    /// # Errors
    /// [`Error::Script`] when none of them has text.
    pub fn script(&self, chapters: &[&Chapter]) -> Result<Script> {
        let mut sections = Vec::new();
        let mut warnings = Vec::new();
        for c in chapters {
            if c.words == 0 {
                warnings.push(format!(
                    "chapter {} \"{}\" has no text; skipped",
                    c.number, c.title
                ));
                continue;
            }
            sections.push(Section {
                title: c.title.clone(),
                text: c.text.clone(),
            });
        }
        if sections.is_empty() {
            return Err(Error::Script {
                path: self.source.clone(),
                message: "the chapters picked have no text to speak".into(),
            });
        }
        let text = sections
            .iter()
            .map(|s| format!("## {}\n\n{}", s.title, s.text))
            .collect::<Vec<_>>()
            .join("\n\n");
        Ok(Script {
            title: self.title.clone(),
            source: self.source.clone(),
            text: format!("# {}\n\n{text}\n", self.title),
            sections,
            warnings,
            cast: None,
            directives: Vec::new(),
        })
    }
}
