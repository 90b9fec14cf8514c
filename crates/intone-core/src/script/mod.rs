//! Scripts: the user's text, parsed into titled sections of plain speech text,
//! and split into utterances (sentences, or clause-sized chunks of very long
//! sentences) that an engine speaks one at a time.
//!
//! * Markdown (`.md`, `.markdown`), read as CommonMark by `pulldown-cmark`:
//!   `# Title` names the script, each `## Heading` starts a section; text
//!   before the first `##` is a section of its own when it is not empty.
//!   Markup (emphasis, code, links, lists, quotes, tables, HTML) is read as
//!   plain speech text; front matter is skipped. Empty sections are skipped
//!   with a warning.
//! * Plain text (anything else): one section named after the file.

pub mod directives;
pub mod encoding;
mod markdown;
pub mod scenes;
mod sentences;
mod speakers;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use markdown::plain_text_of_markdown_line;
pub(crate) use sentences::is_zero;
pub use sentences::{Pause, Utterance};
pub use speakers::{speaker_counts, split_cast};

/// Splits section text into utterances with no declared speakers (see
/// [`split_cast`]): pause tags and `[voice: NAME]` markers are still read.
pub fn split_utterances(text: &str, max_chars: usize) -> Vec<Utterance> {
    split_cast(text, max_chars, &[])
}

/// A parsed script.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Script {
    /// The `# Title`, or the file stem when there is none.
    pub title: String,
    /// Where the script came from (a file path, or `<text>`).
    pub source: PathBuf,
    /// The full original text.
    pub text: String,
    /// Sections in order; never empty for a script returned by [`parse_file`].
    pub sections: Vec<Section>,
    /// Things the user should know (skipped empty sections).
    pub warnings: Vec<String>,
    /// The cast in its front matter, if any.
    #[serde(default)]
    pub cast: Option<crate::cast::Cast>,
    /// Pause tags and voice markers, with their lines.
    #[serde(default)]
    pub directives: Vec<directives::Directive>,
}

/// A titled part of a script.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Section {
    /// The `## Heading` (or the script's title for leading text).
    pub title: String,
    /// Plain speech text; paragraphs separated by one blank line.
    pub text: String,
}

impl Section {
    /// Number of whitespace-separated words in the section.
    pub fn word_count(&self) -> usize {
        self.text.split_whitespace().count()
    }
}

/// File extensions of scripts (lower case): Markdown and plain text.
pub const SCRIPT_EXTENSIONS: [&str; 3] = ["md", "markdown", "txt"];

/// Whether `path` names a script by its extension ([`SCRIPT_EXTENSIONS`], any case).
pub fn is_script_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SCRIPT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads a text file in any common encoding (see [`encoding::decode_text`]).
///
/// # Errors
/// [`Error::Script`] naming the file when it cannot be read or is binary.
pub fn read_text_file(path: &Path) -> Result<encoding::DecodedText> {
    let bytes = std::fs::read(path).map_err(|e| Error::Script {
        path: path.to_path_buf(),
        message: format!("cannot read script: {e}"),
    })?;
    encoding::decode_text(&bytes).map_err(|e| Error::Script {
        path: path.to_path_buf(),
        message: format!("not a script: {e}"),
    })
}

/// Reads and parses a script file. A file that is not UTF-8 is decoded in
/// the encoding detected, and a warning says which one was assumed.
///
/// # Errors
/// [`Error::Script`] naming the file when it cannot be read, is binary, or
/// has no speakable text.
pub fn parse_file(path: &Path) -> Result<Script> {
    let decoded = read_text_file(path)?;
    let text = decoded.text;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Untitled".into());
    let is_markdown = matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("md" | "markdown" | "mdown")
    );
    let mut script = parse_text(&text, &stem, is_markdown, path)?;
    if let Some(note) = decoded.note {
        script.warnings.insert(0, note);
    }
    Ok(script)
}

/// Parses script text. `fallback_title` names the script (and a plain-text
/// script's single section) when the text has no `# Title`.
///
/// # Errors
/// [`Error::Script`] naming `source` when no section has speakable text.
pub fn parse_text(
    text: &str,
    fallback_title: &str,
    markdown: bool,
    source: &Path,
) -> Result<Script> {
    let cast = if markdown {
        crate::cast::front_matter(text, source)?
    } else {
        None
    };
    let (prepared, directives) = directives::prepare(text).map_err(|e| Error::Script {
        path: source.to_path_buf(),
        message: format!("line {}: {}", e.line, e.message),
    })?;
    let (title, sections, warnings) = if markdown {
        markdown::parse(&prepared, fallback_title)
    } else {
        let body = markdown::paragraphs_of_plain(&prepared);
        let sections = if body.is_empty() {
            vec![]
        } else {
            vec![Section {
                title: fallback_title.to_string(),
                text: body,
            }]
        };
        (fallback_title.to_string(), sections, vec![])
    };
    if sections.is_empty() {
        return Err(Error::Script {
            path: source.to_path_buf(),
            message: "script has no text to speak".into(),
        });
    }
    Ok(Script {
        title,
        source: source.to_path_buf(),
        text: text.to_string(),
        sections,
        warnings,
        cast,
        directives,
    })
}

/// A lowercase ASCII slug for file names: `"Health & Vitality"` → `"health-vitality"`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    let out: String = out.chars().take(60).collect();
    if out.is_empty() {
        "untitled".into()
    } else {
        out.trim_end_matches('-').to_string()
    }
}

#[cfg(test)]
mod tests;
