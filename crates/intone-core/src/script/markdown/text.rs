//! Speech text from the pieces `pulldown-cmark` hands over: stray markers
//! dropped, raw HTML reduced to its words, and blocks joined into
//! paragraphs and sentences.

/// One piece of a section's body, in reading order.
#[derive(Debug)]
pub(super) enum Piece {
    /// The speech text of one block (a paragraph, list item, heading, table
    /// row, line of code); `standalone`: a sentence of its own.
    Text { text: String, standalone: bool },
    /// A paragraph ends here (a blank line or a thematic break).
    Break,
}

/// Whether the text that starts at `pos` in `src` starts with a
/// backslash-escaped character (an odd run of `\` just before it).
pub(super) fn escaped_at(src: &str, pos: usize) -> bool {
    let run = src.as_bytes()[..pos]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count();
    run % 2 == 1
}

/// Appends `text` to `out`, its first char marked backslash-escaped when
/// `first_escaped` (`pulldown-cmark` starts a new text event at an escape).
pub(super) fn push_chars(out: &mut Vec<(char, bool)>, text: &str, first_escaped: bool) {
    out.extend(
        text.chars()
            .enumerate()
            .map(|(i, c)| (c, first_escaped && i == 0)),
    );
}

/// Inline text → speech: stray emphasis and code markers (`*`, `` ` ``,
/// `~~`, `_` at a word's edge; snake_case keeps its `_`) dropped unless
/// escaped, `|` → `,`, whitespace collapsed.
pub(super) fn spoken(chars: &[(char, bool)]) -> String {
    let mut out = String::with_capacity(chars.len());
    for (i, &(c, escaped)) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j].0);
        let next = chars.get(i + 1).map(|&(c, _)| c);
        match c {
            _ if escaped => out.push(c),
            '*' | '`' => {}
            '~' if prev == Some('~') || next == Some('~') => {}
            '_' => {
                if prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric)
                {
                    out.push(c);
                }
            }
            '|' => out.push(','),
            _ => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An HTML block's text → pieces, line by line: tags and comments dropped,
/// blank lines end paragraphs.
pub(super) fn html_pieces(html: &str) -> Vec<Piece> {
    let mut scan = HtmlScan::default();
    let mut pieces = Vec::new();
    for line in html.lines() {
        if line.trim().is_empty() && !scan.in_comment {
            pieces.push(Piece::Break);
            continue;
        }
        let mut chars = Vec::new();
        push_chars(&mut chars, &strip_html(line, &mut scan), false);
        let text = spoken(&chars);
        if !text.is_empty() {
            pieces.push(Piece::Text {
                text,
                standalone: false,
            });
        }
    }
    pieces
}

/// Plain lines → pieces: each line's text, blank lines ending paragraphs.
pub(super) fn plain_pieces(text: &str) -> Vec<Piece> {
    text.lines()
        .map(|line| {
            if line.trim().is_empty() {
                return Piece::Break;
            }
            let mut chars = Vec::new();
            push_chars(&mut chars, line, false);
            Piece::Text {
                text: spoken(&chars),
                standalone: false,
            }
        })
        .collect()
}

/// Where [`strip_html`] is when a line ends.
#[derive(Debug, Default)]
pub(super) struct HtmlScan {
    in_comment: bool,
    in_tag: bool,
}

/// One line of raw HTML → its text: tags and comments (which may span
/// lines; `scan` carries that over) dropped. A `<` that opens no tag stays.
pub(super) fn strip_html(line: &str, scan: &mut HtmlScan) -> String {
    let mut out = String::new();
    let mut rest = line;
    loop {
        let (close, close_len) = match (scan.in_comment, scan.in_tag) {
            (true, _) => ("-->", 3),
            (false, true) => (">", 1),
            (false, false) => {
                let Some(at) = rest.find('<') else {
                    out.push_str(rest);
                    return out;
                };
                out.push_str(&rest[..at]);
                let tag = &rest[at..];
                if let Some(comment) = tag.strip_prefix("<!--") {
                    scan.in_comment = true;
                    rest = comment;
                } else if tag[1..]
                    .starts_with(|c: char| c.is_ascii_alphabetic() || "/!?".contains(c))
                {
                    scan.in_tag = true;
                    rest = &tag[1..];
                } else {
                    out.push('<');
                    rest = &tag[1..];
                }
                continue;
            }
        };
        let Some(at) = rest.find(close) else {
            return out;
        };
        rest = &rest[at + close_len..];
        scan.in_comment = false;
        scan.in_tag = false;
    }
}

/// The body's pieces → paragraphs of speech text, separated by one blank
/// line. Standalone pieces become sentences of their own; a paragraph with
/// no letter or digit is dropped.
pub(super) fn join_paragraphs(pieces: &[Piece]) -> String {
    let mut paras: Vec<String> = Vec::new();
    let mut cur = String::new();
    let end_para = |cur: &mut String, paras: &mut Vec<String>| {
        let t = cur.trim().to_string();
        if !t.is_empty() && t.chars().any(char::is_alphanumeric) {
            paras.push(t);
        }
        cur.clear();
    };
    for piece in pieces {
        let (spoken, standalone) = match piece {
            Piece::Break => {
                end_para(&mut cur, &mut paras);
                continue;
            }
            Piece::Text { text, standalone } => (text.trim(), *standalone),
        };
        if spoken.is_empty() {
            continue;
        }
        if standalone {
            // A list item or sub-heading is its own sentence.
            if !cur.is_empty() && !ends_sentence(&cur) {
                cur.push(':');
            }
            push_with_space(&mut cur, spoken);
            if !ends_sentence(&cur) {
                cur.push('.');
            }
        } else {
            push_with_space(&mut cur, spoken);
        }
    }
    end_para(&mut cur, &mut paras);
    paras.join("\n\n")
}

fn push_with_space(cur: &mut String, s: &str) {
    if !cur.is_empty() {
        cur.push(' ');
    }
    cur.push_str(s);
}

fn ends_sentence(s: &str) -> bool {
    s.trim_end()
        .trim_end_matches(['"', '\'', ')', '”', '’', super::HEADING_MARK])
        .ends_with(['.', '!', '?', '…', ':', ';'])
}
