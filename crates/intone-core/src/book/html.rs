//! An EPUB content document (XHTML) into what is read aloud: paragraphs of
//! text, and the `id`s met on the way (where a table-of-contents entry may
//! start a chapter). Parsed with `scraper` (html5ever, the WHATWG HTML
//! parser), walked without recursion, so nesting depth costs no stack.
//! Left out: scripts, styles, navigation, and footnotes: markers (`<sup>`,
//! `<a epub:type="noteref">`) and the notes themselves (`<aside
//! epub:type="footnote">`, `endnote`, `rearnote`), per the EPUB 3
//! Structural Semantics Vocabulary.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

/// What a document holds, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// An element's `id` (a place a chapter may start).
    Anchor(String),
    /// A heading's text (`h1`–`h6`).
    Heading(String),
    /// A paragraph's text, whitespace collapsed.
    Text(String),
}

/// Elements whose content is never read.
const SKIPPED: [&str; 6] = ["script", "style", "nav", "head", "title", "template"];

/// Elements that end a paragraph.
const BLOCKS: [&str; 22] = [
    "p",
    "div",
    "section",
    "article",
    "li",
    "blockquote",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "dd",
    "dt",
    "pre",
    "figcaption",
    "hr",
    "ul",
    "ol",
    "table",
];

/// Whether an element is a footnote marker or a note: EPUB 3's
/// `epub:type`, DPUB-ARIA's roles, or the classes and links Project
/// Gutenberg's books use (`class="fnanchor"`, `href="#Footnote_1"`).
fn is_note(e: &scraper::node::Element) -> bool {
    let class = e.attr("class").unwrap_or_default().to_ascii_lowercase();
    let href = e.attr("href").unwrap_or_default().to_ascii_lowercase();
    if class.contains("fnanchor")
        || class.contains("noteref")
        || (href.starts_with('#') && (href.contains("footnote") || href.starts_with("#fn")))
    {
        return true;
    }
    let types = e.attr("epub:type").unwrap_or_default();
    let role = e.attr("role").unwrap_or_default();
    types
        .split_whitespace()
        .chain(role.split_whitespace())
        .any(|t| {
            matches!(
                t,
                "noteref"
                    | "footnote"
                    | "endnote"
                    | "rearnote"
                    | "doc-noteref"
                    | "doc-footnote"
                    | "doc-endnote"
            )
        })
}

/// The pieces of `xhtml`, in document order.
pub fn pieces(xhtml: &str) -> Vec<Piece> {
    // An HTML parser reads XHTML's empty `<title/>` as a title running to
    // the end of the file.
    let xhtml = xhtml
        .replace("<title/>", "<title></title>")
        .replace("<title />", "<title></title>");
    let doc = Html::parse_document(&xhtml);
    let mut out = Vec::new();
    let mut text = String::new();
    let mut skip_depth = 0usize;
    let mut heading_depth = 0usize;
    let flush = |text: &mut String, out: &mut Vec<Piece>, heading: bool| {
        let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !t.is_empty() {
            out.push(if heading {
                Piece::Heading(t)
            } else {
                Piece::Text(t)
            });
        }
        text.clear();
    };
    for edge in doc.root_element().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) => {
                    let name = e.name();
                    // A superscript holding a link is a note marker; "1<sup>st</sup>" is text.
                    let marker = name == "sup"
                        && node
                            .descendants()
                            .any(|d| d.value().as_element().is_some_and(|x| x.name() == "a"));
                    if skip_depth > 0 || SKIPPED.contains(&name) || marker || is_note(e) {
                        skip_depth += 1;
                        continue;
                    }
                    if BLOCKS.contains(&name) {
                        flush(&mut text, &mut out, heading_depth > 0);
                    }
                    if name.len() == 2 && name.starts_with('h') && name != "hr" && name != "br" {
                        heading_depth += 1;
                    }
                    if let Some(id) = e.id() {
                        out.push(Piece::Anchor(id.to_string()));
                    }
                }
                Node::Text(t) if skip_depth == 0 => text.push_str(t),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    if skip_depth > 0 {
                        skip_depth -= 1;
                        continue;
                    }
                    let name = e.name();
                    let heading =
                        name.len() == 2 && name.starts_with('h') && name != "hr" && name != "br";
                    if BLOCKS.contains(&name) {
                        flush(&mut text, &mut out, heading_depth > 0);
                    }
                    if heading {
                        heading_depth = heading_depth.saturating_sub(1);
                    }
                }
            }
        }
    }
    flush(&mut text, &mut out, false);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_anchors_and_headings_without_footnotes() {
        let x = r##"<html xmlns:epub="http://www.idpf.org/2007/ops"><head><title>T</title><style>p{}</style></head>
<body><h2 id="c1">Chapter <em>One</em></h2>
<p>It was late.<sup><a href="#n0">1</a></sup> The sea<a epub:type="noteref" href="#n1">[2]</a> was calm on the 1<sup>st</sup>.<a class="fnanchor" href="#Footnote_3">[3]</a></p>
<aside epub:type="footnote" id="n1"><p>A note.</p></aside>
<div id="c2"><p>Second   part.</p></div></body></html>"##;
        assert_eq!(
            pieces(x),
            vec![
                Piece::Anchor("c1".into()),
                Piece::Heading("Chapter One".into()),
                Piece::Text("It was late. The sea was calm on the 1st.".into()),
                Piece::Anchor("c2".into()),
                Piece::Text("Second part.".into()),
            ]
        );
    }

    #[test]
    fn deep_nesting_costs_no_stack() {
        let depth = 100_000;
        let x = format!(
            "<body>{}deep{}</body>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let p = pieces(&x);
        assert!(p.contains(&Piece::Text("deep".into())));
    }
}
