//! Markdown → sections of plain speech text. The text is read as CommonMark
//! by `pulldown-cmark` (with GFM tables, task lists and footnotes), and every
//! piece of markup is turned into what a narrator would say:
//!
//! * The first `# Title` before any `##` names the script; each `## Heading`
//!   starts a section. Other headings (`###`…, a later `#`, a heading inside
//!   a quote or a list) are sentences of their own in the body; an underlined
//!   (setext) heading is read as a paragraph.
//! * A paragraph ends at a blank line or a thematic break (`---`); the lines
//!   in between are joined with spaces, across quotes, lists and code. A list
//!   item, a heading or a table row is a sentence of its own: it gets a full
//!   stop when it has none, and a colon goes before it when the text it
//!   follows does not end a sentence. An ordered item numbered with four
//!   digits or more (`1969. The year…`) is read with its number, as prose.
//! * Emphasis and code markers (and stray `*`, `` ` ``, `~~`, and `_` at word
//!   edges) are dropped unless backslash-escaped; `[text](url)` is read as
//!   `text`, an autolink as its address; images, HTML tags and comments,
//!   footnote references, task-list boxes and link definitions say nothing;
//!   table cells are separated by commas, and so are stray `|`. The text of a
//!   code block is read as Markdown of its own (its `# …` and `- …` lines as
//!   sentences, never sections); the text of an HTML block line by line.
//! * Front matter (YAML `---` or TOML `+++` at the very top) is skipped.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::Section;
use text::{
    escaped_at, html_pieces, join_paragraphs, plain_pieces, push_chars, spoken, strip_html,
    HtmlScan, Piece,
};

mod text;

/// Ends the text of a heading spoken inside a section (a Unicode
/// private-use character no script holds: [`super::directives::prepare`]
/// removes it from what the user wrote).
pub(crate) const HEADING_MARK: char = '\u{E000}';

/// Code blocks nested deeper than this (an indented block inside one, and
/// so on) are read as plain lines: bounds the recursion on odd input.
const MAX_CODE_DEPTH: usize = 4;

/// The CommonMark extensions scripts are read with. Strikethrough is left
/// out on purpose: `~~` is dropped as a stray marker anyway, and a lone `~`
/// (`~5 min`) stays as written.
fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_FOOTNOTES
}

/// Splits Markdown into (title, sections, warnings): see the module docs.
pub(super) fn parse(text: &str, fallback_title: &str) -> (String, Vec<Section>, Vec<String>) {
    let body = without_front_matter(text);
    let mut reader = Reader::new(&body, fallback_title);
    for (event, range) in Parser::new_ext(&body, options()).into_offset_iter() {
        reader.event(event, range);
    }
    reader.finish()
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

/// One line of Markdown → the words a narrator says, by the rules of the
/// module docs (CommonMark via `pulldown-cmark`): emphasis and code markers
/// dropped, `[text](url)` → `text`, images and HTML tags dropped, `|` → `,`,
/// and a leading block marker (`#`, `-`, `1.`, `>`) dropped too. Runs of
/// whitespace become one space; the result is trimmed.
pub fn plain_text_of_markdown_line(line: &str) -> String {
    let mut chars: Vec<(char, bool)> = Vec::new();
    let mut skip = 0usize;
    for (event, range) in Parser::new_ext(line, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Image { .. }) => skip += 1,
            Event::End(TagEnd::Image) => skip = skip.saturating_sub(1),
            Event::Text(t) if skip == 0 => {
                push_chars(&mut chars, &t, escaped_at(line, range.start))
            }
            Event::Code(t) if skip == 0 => push_chars(&mut chars, &t, false),
            Event::Html(t) if skip == 0 => {
                push_chars(&mut chars, &strip_html(&t, &mut HtmlScan::default()), false);
            }
            // Between blocks (a table's cells, say) and at line breaks.
            Event::End(tag) if !is_inline(tag) => chars.push((' ', false)),
            Event::SoftBreak | Event::HardBreak => chars.push((' ', false)),
            _ => {}
        }
    }
    spoken(&chars)
}

/// A list item being read.
#[derive(Debug)]
struct Item {
    /// Its first block is still to come (that one is a sentence of its own).
    first: bool,
    /// Its number as written, when it is read as prose (`1969.`).
    number: Option<String>,
}

/// A code or HTML block being read: its raw text, spoken when it ends.
#[derive(Debug)]
struct Verbatim {
    html: bool,
    text: String,
}

/// Walks `pulldown-cmark`'s events and builds the sections.
struct Reader<'a> {
    src: &'a str,
    /// Byte offset where each line of `src` starts.
    line_starts: Vec<usize>,
    fallback_title: &'a str,
    title: Option<String>,
    sections: Vec<Section>,
    warnings: Vec<String>,
    /// The `## Heading` of the section being read; `None`: text before the first.
    heading: Option<String>,
    body: Vec<Piece>,
    /// Inline text of the block being read, each char with whether it was
    /// backslash-escaped, and the source span it came from.
    inline: Vec<(char, bool)>,
    span: Option<Range<usize>>,
    /// Where the last spoken block ended in `src`.
    last_end: Option<usize>,
    /// Depth of block quotes and footnote definitions around the reader.
    nested: usize,
    items: Vec<Item>,
    /// Depth of images and metadata, whose text is not spoken.
    skip: usize,
    verbatim: Option<Verbatim>,
    /// The cells of the table row being read.
    cells: Vec<String>,
    /// How many code blocks deep this reader is: 0 for the script, 1 for
    /// the text of a code block in it (whose headings make no sections)…
    code_depth: usize,
}

impl<'a> Reader<'a> {
    fn new(src: &'a str, fallback_title: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(src.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            src,
            line_starts,
            fallback_title,
            title: None,
            sections: Vec::new(),
            warnings: Vec::new(),
            heading: None,
            body: Vec::new(),
            inline: Vec::new(),
            span: None,
            last_end: None,
            nested: 0,
            items: Vec::new(),
            skip: 0,
            verbatim: None,
            cells: Vec::new(),
            code_depth: 0,
        }
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag, range),
            Event::Text(t) => match &mut self.verbatim {
                Some(v) => v.text.push_str(&t),
                None => {
                    let escaped = escaped_at(self.src, range.start);
                    self.push_inline(&t, range, escaped);
                }
            },
            Event::Html(t) => {
                if let Some(v) = &mut self.verbatim {
                    v.text.push_str(&t);
                }
            }
            Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.push_inline(&t, range, false);
            }
            Event::SoftBreak | Event::HardBreak => self.push_inline(" ", range, false),
            Event::Rule => {
                self.end_block();
                self.body.push(Piece::Break);
            }
            Event::InlineHtml(_) | Event::FootnoteReference(_) | Event::TaskListMarker(_) => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        match tag {
            Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::TableCell => {}
            Tag::Image { .. } | Tag::MetadataBlock(_) => self.skip += 1,
            Tag::BlockQuote(_) | Tag::FootnoteDefinition(_) => {
                self.end_block();
                self.nested += 1;
            }
            Tag::CodeBlock(_) | Tag::HtmlBlock => {
                self.end_block();
                self.verbatim = Some(Verbatim {
                    html: matches!(tag, Tag::HtmlBlock),
                    text: String::new(),
                });
            }
            Tag::Item => {
                self.end_block();
                let number = long_number(&self.src[range.start..]);
                self.items.push(Item {
                    first: true,
                    number,
                });
            }
            Tag::TableHead | Tag::TableRow => {
                self.end_block();
                self.cells.clear();
            }
            _ => self.end_block(),
        }
    }

    fn end(&mut self, tag: TagEnd, range: Range<usize>) {
        match tag {
            _ if is_inline(tag) => {}
            TagEnd::Image | TagEnd::MetadataBlock(_) => self.skip = self.skip.saturating_sub(1),
            TagEnd::BlockQuote(_) | TagEnd::FootnoteDefinition => {
                self.end_block();
                self.nested = self.nested.saturating_sub(1);
            }
            TagEnd::CodeBlock | TagEnd::HtmlBlock => self.end_verbatim(range),
            TagEnd::Item => {
                self.end_block();
                self.items.pop();
            }
            TagEnd::Heading(level) => self.end_heading(level, range),
            TagEnd::TableCell => {
                let (cell, _) = self.take_inline();
                self.cells.push(cell);
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                let cells: Vec<String> = std::mem::take(&mut self.cells);
                let row: Vec<&str> = cells
                    .iter()
                    .map(String::as_str)
                    .filter(|c| !c.is_empty())
                    .collect();
                self.block(row.join(", "), true, range);
            }
            _ => self.end_block(),
        }
    }

    fn push_inline(&mut self, text: &str, range: Range<usize>, escaped: bool) {
        if self.skip > 0 {
            return;
        }
        self.span = Some(match self.span.take() {
            Some(s) => s.start..range.end.max(s.end),
            None => range,
        });
        push_chars(&mut self.inline, text, escaped);
    }

    /// The spoken inline text read so far and its source span; clears both.
    fn take_inline(&mut self) -> (String, Option<Range<usize>>) {
        let text = spoken(&self.inline);
        self.inline.clear();
        (text, self.span.take())
    }

    /// Ends the inline text being read (a paragraph, or a tight list item's
    /// text) as one block of the body.
    fn end_block(&mut self) {
        if let (text, Some(span)) = self.take_inline() {
            self.block(text, false, span);
        }
    }

    /// Adds one block's text to the body: a sentence of its own when
    /// `standalone` or when it opens a list item.
    fn block(&mut self, text: String, standalone: bool, span: Range<usize>) {
        let (standalone, number) = match self.items.last_mut() {
            Some(item) if item.first => {
                item.first = false;
                let number = item.number.take();
                (number.is_none(), number)
            }
            _ => (standalone, None),
        };
        let text = match number {
            Some(n) => format!("{n} {text}"),
            None => text,
        };
        if text.is_empty() {
            return;
        }
        self.break_if_blank_line_before(span.start);
        self.last_end = Some(span.end);
        self.body.push(Piece::Text { text, standalone });
    }

    /// A paragraph break when a blank line lies between the last spoken
    /// block and `start`.
    fn break_if_blank_line_before(&mut self, start: usize) {
        let Some(end) = self.last_end else {
            return;
        };
        let line_of = |pos: usize| self.line_starts.partition_point(|&s| s <= pos) - 1;
        let (first, last) = (line_of(end.saturating_sub(1)) + 1, line_of(start));
        let blank = (first..last).any(|l| {
            let to = self
                .line_starts
                .get(l + 1)
                .copied()
                .unwrap_or(self.src.len());
            self.src[self.line_starts[l]..to].trim().is_empty()
        });
        if blank {
            self.body.push(Piece::Break);
        }
    }

    fn end_heading(&mut self, level: HeadingLevel, range: Range<usize>) {
        let (text, _) = self.take_inline();
        let source = self.src[range.clone()].trim();
        if !source.starts_with('#') {
            // Setext (underlined): read as a paragraph, ended by its underline.
            self.block(text, false, range);
            self.body.push(Piece::Break);
            return;
        }
        if source.chars().all(|c| c == '#') {
            return; // a bare `##`: nothing to say
        }
        let top = self.code_depth == 0 && self.nested == 0 && self.items.is_empty();
        if top
            && level == HeadingLevel::H1
            && self.title.is_none()
            && self.sections.is_empty()
            && self.heading.is_none()
        {
            self.title = Some(text);
        } else if top && level == HeadingLevel::H2 {
            self.flush_section();
            self.heading = Some(if text.is_empty() {
                format!("Section {}", self.sections.len() + 1)
            } else {
                text
            });
        } else {
            // Marked at its end, so that the pause after it can be a heading's.
            self.block(format!("{text}{HEADING_MARK}"), true, range);
        }
    }

    /// Speaks a code block's text as Markdown of its own (so `# comment`
    /// or `- item` lines are read as headings and list items, never as
    /// sections), and an HTML block's text line by line, tags and comments
    /// dropped. Blank lines in either end paragraphs.
    fn end_verbatim(&mut self, range: Range<usize>) {
        let Some(v) = self.verbatim.take() else {
            return;
        };
        let pieces = if v.html {
            html_pieces(&v.text)
        } else if self.code_depth >= MAX_CODE_DEPTH {
            plain_pieces(&v.text)
        } else {
            let mut inner = Reader::new(&v.text, "");
            inner.code_depth = self.code_depth + 1;
            for (event, range) in Parser::new_ext(&v.text, options()).into_offset_iter() {
                inner.event(event, range);
            }
            inner.end_block();
            inner.body
        };
        if pieces.iter().any(|p| matches!(p, Piece::Text { .. })) {
            self.break_if_blank_line_before(range.start);
            self.last_end = Some(range.end);
        }
        self.body.extend(pieces);
    }

    /// Closes the section being read: kept when it has text, else skipped
    /// with a warning (when it has a heading).
    fn flush_section(&mut self) {
        let body = join_paragraphs(&std::mem::take(&mut self.body));
        match (&self.heading, body.is_empty()) {
            (Some(h), true) => self
                .warnings
                .push(format!("section \"{h}\" is empty; skipped")),
            (None, true) => {}
            (h, false) => self.sections.push(Section {
                title: h
                    .clone()
                    .or_else(|| self.title.clone())
                    .unwrap_or_else(|| self.fallback_title.to_string()),
                text: body,
            }),
        }
    }

    fn finish(mut self) -> (String, Vec<Section>, Vec<String>) {
        self.end_block();
        self.flush_section();
        let title = self
            .title
            .unwrap_or_else(|| self.fallback_title.to_string());
        (title, self.sections, self.warnings)
    }
}

/// Whether `tag` closes inline markup (within a block's text).
fn is_inline(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
    )
}

/// `text` with its front matter (a YAML `---` or TOML `+++` block at the very
/// top, as `pulldown-cmark` finds it) blanked out. Line breaks stay, so the
/// lines after it keep their numbers.
fn without_front_matter(text: &str) -> Cow<'_, str> {
    if !(text.starts_with("---") || text.starts_with("+++")) {
        return Cow::Borrowed(text);
    }
    let opts = Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
    let front = Parser::new_ext(text, opts)
        .into_offset_iter()
        .next()
        .filter(|(e, r)| matches!(e, Event::Start(Tag::MetadataBlock(_))) && r.start == 0);
    match front {
        Some((_, r)) => {
            let blank = text[..r.end].chars().filter(|&c| c == '\n').map(|_| "\n");
            Cow::Owned(blank.chain(std::iter::once(&text[r.end..])).collect())
        }
        None => Cow::Borrowed(text),
    }
}

/// The number of an ordered list item's marker at the start of `item` when
/// it has four digits or more (`1969.`): such a "list" is read as prose.
fn long_number(item: &str) -> Option<String> {
    let digits = item.chars().take_while(char::is_ascii_digit).count();
    let delim = item[digits..].chars().next()?;
    (digits >= 4 && matches!(delim, '.' | ')')).then(|| item[..=digits].to_string())
}

#[cfg(test)]
mod tests;
