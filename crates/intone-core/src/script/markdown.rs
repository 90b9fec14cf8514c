//! Markdown → sections of plain speech text. Deliberately small: scripts are
//! prose with headings, emphasis, links and lists, and every piece of markup
//! is turned into what a narrator would say.

use super::Section;

/// Splits Markdown into (title, sections, warnings).
pub(super) fn parse(text: &str, fallback_title: &str) -> (String, Vec<Section>, Vec<String>) {
    let mut title: Option<String> = None;
    let mut sections = Vec::new();
    let mut warnings = Vec::new();
    // (heading, lines) of the section being read; heading None = text before first `##`.
    let mut current: (Option<String>, Vec<String>) = (None, Vec::new());
    let mut in_fence = false;

    let flush = |cur: &mut (Option<String>, Vec<String>),
                 title: &Option<String>,
                 sections: &mut Vec<Section>,
                 warnings: &mut Vec<String>| {
        let body = join_paragraphs(&cur.1);
        match (&cur.0, body.is_empty()) {
            (Some(h), true) => warnings.push(format!("section \"{h}\" is empty; skipped")),
            (None, true) => {}
            (h, false) => sections.push(Section {
                title: h
                    .clone()
                    .or_else(|| title.clone())
                    .unwrap_or_else(|| fallback_title.to_string()),
                text: body,
            }),
        }
        cur.1.clear();
    };

    for raw in text.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence {
            if let Some(h) = trimmed.strip_prefix("# ") {
                if title.is_none() && sections.is_empty() && current.0.is_none() {
                    title = Some(plain_text_of_markdown_line(h).trim().to_string());
                    continue;
                }
            }
            if let Some(h) = trimmed.strip_prefix("## ") {
                flush(&mut current, &title, &mut sections, &mut warnings);
                let heading = plain_text_of_markdown_line(h).trim().to_string();
                current.0 = Some(if heading.is_empty() {
                    format!("Section {}", sections.len() + 1)
                } else {
                    heading
                });
                continue;
            }
        }
        current.1.push(line.to_string());
    }
    flush(&mut current, &title, &mut sections, &mut warnings);
    (
        title.unwrap_or_else(|| fallback_title.to_string()),
        sections,
        warnings,
    )
}

/// Plain text: paragraphs separated by blank lines, lines joined with spaces.
pub(super) fn paragraphs_of_plain(text: &str) -> String {
    let mut paras: Vec<String> = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            if !cur.is_empty() {
                paras.push(std::mem::take(&mut cur));
            }
        } else {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(t);
        }
    }
    if !cur.is_empty() {
        paras.push(cur);
    }
    paras.join("\n\n")
}

/// Markdown lines → paragraphs of speech text. List items, block headings and
/// lines that end a block become sentences of their own.
fn join_paragraphs(lines: &[String]) -> String {
    let mut paras: Vec<String> = Vec::new();
    let mut cur = String::new();
    let end_para = |cur: &mut String, paras: &mut Vec<String>| {
        let t = cur.trim().to_string();
        if !t.is_empty() && t.chars().any(char::is_alphanumeric) {
            paras.push(t);
        }
        cur.clear();
    };
    for line in lines {
        let t = line.trim();
        if t.is_empty() || is_rule(t) {
            end_para(&mut cur, &mut paras);
            continue;
        }
        let (item, standalone) = strip_block_marker(t);
        let spoken = plain_text_of_markdown_line(item);
        let spoken = spoken.trim();
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
        .trim_end_matches(['"', '\'', ')', '”', '’'])
        .ends_with(['.', '!', '?', '…', ':', ';'])
}

fn is_rule(t: &str) -> bool {
    let c: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    c.len() >= 3
        && (c.chars().all(|c| c == '-')
            || c.chars().all(|c| c == '*')
            || c.chars().all(|c| c == '_'))
}

/// Removes a list/quote/heading marker; says whether the line stands alone.
fn strip_block_marker(t: &str) -> (&str, bool) {
    let mut s = t;
    while let Some(rest) = s.strip_prefix('>') {
        s = rest.trim_start();
    }
    for m in ["- ", "* ", "+ "] {
        if let Some(rest) = s.strip_prefix(m) {
            let rest = rest.trim_start();
            let rest = rest
                .strip_prefix("[ ] ")
                .or_else(|| rest.strip_prefix("[x] "))
                .unwrap_or(rest);
            return (rest, true);
        }
    }
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits < 4 {
        let rest = &s[digits..];
        if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return (r.trim_start(), true);
        }
    }
    if s.starts_with('#') {
        return (s.trim_start_matches('#').trim_start(), true);
    }
    (s, false)
}

/// Inline Markdown of one line → the words a narrator says: emphasis and code
/// markers dropped, `[text](url)` → `text`, images and HTML tags dropped,
/// table pipes become commas.
pub fn plain_text_of_markdown_line(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '!' if chars.get(i + 1) == Some(&'[') => {
                // Image: drop alt text and target.
                if let Some(end) = link_end(&chars, i + 1) {
                    i = end;
                    continue;
                }
                out.push(c);
            }
            '[' => {
                if let Some(end) = link_end(&chars, i) {
                    let close = chars[i..].iter().position(|&c| c == ']').unwrap_or(0) + i;
                    let text: String = chars[i + 1..close].iter().collect();
                    out.push_str(&plain_text_of_markdown_line(&text));
                    i = end;
                    continue;
                }
                out.push(c);
            }
            '<' => {
                // HTML tag or autolink: drop tags, keep autolink text.
                if let Some(off) = chars[i..].iter().position(|&c| c == '>') {
                    let inner: String = chars[i + 1..i + off].iter().collect();
                    if inner.contains("://") || inner.contains('@') {
                        out.push_str(&inner);
                    }
                    i += off + 1;
                    continue;
                }
                out.push(c);
            }
            '*' | '`' => {}
            '~' if chars.get(i + 1) == Some(&'~') || (i > 0 && chars[i - 1] == '~') => {}
            '_' => {
                // Emphasis underscores sit at word edges; snake_case keeps its underscore.
                let prev_word = i > 0 && chars[i - 1].is_alphanumeric();
                let next_word = chars.get(i + 1).is_some_and(|c| c.is_alphanumeric());
                if prev_word && next_word {
                    out.push(c);
                }
            }
            '|' => out.push(','),
            '\\' if chars.get(i + 1).is_some_and(|c| c.is_ascii_punctuation()) => {
                out.push(chars[i + 1]);
                i += 1;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    // Collapse runs of whitespace left behind.
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// If `chars[start]` is `[` of `[text](target)`, the index just past `)`.
fn link_end(chars: &[char], start: usize) -> Option<usize> {
    let close = chars[start..].iter().position(|&c| c == ']')? + start;
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let paren = chars[close + 1..].iter().position(|&c| c == ')')? + close + 1;
    Some(paren + 1)
}
