//! PDF books, through poppler-utils' `pdftotext -layout` (Debian package
//! `poppler-utils`), when it is installed: the text it writes is read for
//! chapter lines like a plain-text book ([`super::text`]). Its output is
//! bounded: a PDF whose text passes [`MAX_TEXT_BYTES`] is refused.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use super::{Book, BookFormat, Chapter};
use crate::error::{Error, Result};

/// The most text read from one PDF, bytes.
pub const MAX_TEXT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads the PDF at `path`.
///
/// # Errors
/// [`Error::Script`] naming the file: `pdftotext` missing (naming the
/// package), failing, or writing more than [`MAX_TEXT_BYTES`].
pub fn read(path: &Path) -> Result<Book> {
    let bad = |m: String| Error::Script {
        path: path.to_path_buf(),
        message: m,
    };
    let mut child = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .stdout(Stdio::piped())
        // Its complaints about a damaged file could fill a pipe no one reads.
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => bad(
                "reading PDF needs pdftotext: install Debian's poppler-utils (sudo apt install poppler-utils)".into(),
            ),
            _ => bad(format!("cannot run pdftotext: {e}")),
        })?;
    let mut bytes = Vec::new();
    if let Some(out) = child.stdout.take() {
        out.take(MAX_TEXT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| bad(format!("reading pdftotext's output: {e}")))?;
    }
    if bytes.len() as u64 > MAX_TEXT_BYTES {
        let _ = child.kill();
        let _ = child.wait();
        return Err(bad(format!(
            "has more than {} MB of text; refusing it",
            MAX_TEXT_BYTES >> 20
        )));
    }
    let status = child.wait().map_err(|e| bad(format!("pdftotext: {e}")))?;
    if !status.success() {
        return Err(bad(format!(
            "pdftotext could not read it ({status}): is it a damaged or password-protected PDF?"
        )));
    }
    // Page breaks are form feeds; a page's lines are the text's lines.
    let text = String::from_utf8_lossy(&bytes).replace('\u{c}', "\n\n");
    let title = super::stem(path);
    let chapters = super::text::chapters(&text, "Front matter").unwrap_or_else(|| {
        vec![Chapter::new(
            &title,
            &super::text::paragraph_text(&text),
            None,
        )]
    });
    Ok(Book {
        title,
        author: None,
        source: path.to_path_buf(),
        format: BookFormat::Pdf,
        chapters: super::number(chapters),
    })
}
