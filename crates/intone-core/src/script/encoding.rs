//! Text files in the encodings people's editors save: UTF-8 (with or without a
//! byte-order mark), UTF-16 (with a BOM, or without one when the zero bytes
//! give it away), and the legacy single- and multi-byte encodings that Mozilla's
//! detector `chardetng` tells apart (Windows-1252/Latin-1, Windows-1250,
//! Shift_JIS, GBK, …), decoded by `encoding_rs` (the WHATWG Encoding Standard).
//!
//! Binary data (images, audio, archives, office documents) is refused rather
//! than decoded into noise.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// Text decoded from a file's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedText {
    /// The text, without a byte-order mark.
    pub text: String,
    /// The WHATWG name of the encoding read (`"UTF-8"`, `"windows-1252"`,
    /// `"UTF-16LE"`, …).
    pub encoding: &'static str,
    /// A sentence for the user when the encoding had to be assumed (anything
    /// but BOM-less UTF-8), e.g. `"read as Windows-1252 (Latin-1); the file
    /// is not UTF-8"`; `None` for plain UTF-8.
    pub note: Option<String>,
}

/// Why bytes are not text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotText {
    /// NUL bytes or control characters that no text file has.
    #[error("the file is binary, not text ({0})")]
    Binary(String),
}

/// The share of control characters (other than tab, newline, carriage
/// return and form feed) above which decoded text is called binary.
const MAX_CONTROL_SHARE: f64 = 0.01;

/// Decodes a text file's bytes, detecting its encoding.
///
/// Order: a BOM (UTF-8, UTF-16LE/BE) decides; then valid UTF-8 is UTF-8;
/// then UTF-16 without a BOM when at least 40 % of the even or odd bytes are
/// zero and the other half has few; then `chardetng`'s guess over the whole
/// buffer. A result with NUL characters or more than 1 % control characters
/// is refused as binary.
///
/// # Errors
/// [`NotText::Binary`] naming what gave it away.
pub fn decode_text(bytes: &[u8]) -> Result<DecodedText, NotText> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        let note = (encoding != UTF_8)
            .then(|| format!("read as {}, by its byte-order mark", label(encoding)));
        return checked(text.into_owned(), encoding, note);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return checked(text.to_string(), UTF_8, None);
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        let note = Some(format!(
            "read as {}, by its zero bytes (no byte-order mark)",
            label(encoding)
        ));
        return checked(text.into_owned(), encoding, note);
    }
    if bytes.contains(&0) {
        return Err(NotText::Binary("it has NUL bytes".into()));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _, had_errors) = encoding.decode(bytes);
    let mut note = format!("read as {}; the file is not UTF-8", label(encoding));
    if had_errors {
        note.push_str("; some bytes could not be read and show as �");
    }
    checked(text.into_owned(), encoding, Some(note))
}

/// The encoding's name as people know it.
fn label(encoding: &'static Encoding) -> String {
    match encoding.name() {
        "windows-1252" => "Windows-1252 (Latin-1)".into(),
        n if n.starts_with("windows-") => format!("Windows-{}", &n["windows-".len()..]),
        n => n.to_string(),
    }
}

/// UTF-16 told by where its zero bytes are: ASCII-heavy UTF-16LE has zeros in
/// the odd bytes, UTF-16BE in the even ones.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let pairs = bytes.len() / 2;
    let zeros = |offset: usize| {
        bytes
            .iter()
            .skip(offset)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let (even, odd) = (zeros(0), zeros(1));
    let share = |n: usize| n as f64 / pairs as f64;
    if share(odd) >= 0.4 && share(even) < 0.05 {
        Some(UTF_16LE)
    } else if share(even) >= 0.4 && share(odd) < 0.05 {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Refuses decoded text that is really binary.
fn checked(
    text: String,
    encoding: &'static Encoding,
    note: Option<String>,
) -> Result<DecodedText, NotText> {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars() {
        total += 1;
        if c == '\0' {
            return Err(NotText::Binary("it has NUL characters".into()));
        }
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}') {
            control += 1;
        }
    }
    if total > 0 && control as f64 / total as f64 > MAX_CONTROL_SHARE {
        return Err(NotText::Binary(format!(
            "{control} of its {total} characters are control codes"
        )));
    }
    Ok(DecodedText {
        text,
        encoding: encoding.name(),
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Zoë and François paid 20 € — “not bad”, she said. Ça va?\n";

    #[test]
    fn utf8_is_read_without_a_note() {
        let d = decode_text(SAMPLE.as_bytes()).expect("text");
        assert_eq!(d.text, SAMPLE);
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.note, None);
    }

    #[test]
    fn utf8_bom_is_dropped() {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice(SAMPLE.as_bytes());
        let d = decode_text(&b).expect("text");
        assert_eq!(d.text, SAMPLE);
        assert_eq!(d.note, None);
    }

    #[test]
    fn windows_1252_is_detected() {
        let (b, _, bad) = encoding_rs::WINDOWS_1252.encode(SAMPLE);
        assert!(!bad);
        let d = decode_text(&b).expect("text");
        assert_eq!(d.text, SAMPLE);
        assert_eq!(d.encoding, "windows-1252");
        assert!(
            d.note.as_deref().unwrap_or("").contains("Windows-1252"),
            "{:?}",
            d.note
        );
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let le: Vec<u8> = SAMPLE.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = SAMPLE.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for (bytes, name) in [(le, "UTF-16LE"), (be, "UTF-16BE")] {
            let bom: Vec<u8> = if name == "UTF-16LE" {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            let with: Vec<u8> = bom.iter().chain(bytes.iter()).copied().collect();
            for b in [with, bytes.clone()] {
                let d = decode_text(&b).expect("text");
                assert_eq!(d.text, SAMPLE, "{name}");
                assert_eq!(d.encoding, name);
                assert!(d.note.is_some());
            }
        }
    }

    #[test]
    fn binary_is_refused() {
        let png = [
            0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
        ];
        assert!(matches!(decode_text(&png), Err(NotText::Binary(_))));
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert!(decode_text(&noise).is_err());
    }
}
