use super::*;

/// The sections of `md` as (title, text) pairs.
fn sections(md: &str) -> Vec<(String, String)> {
    parse(md, "Fallback")
        .1
        .into_iter()
        .map(|s| (s.title, s.text.replace(HEADING_MARK, "")))
        .collect()
}

/// The text of the one section of `md`.
fn body(md: &str) -> String {
    let s = sections(md);
    assert_eq!(s.len(), 1, "{s:?}");
    s[0].1.clone()
}

#[test]
fn title_and_sections_come_from_atx_headings_only() {
    let (title, s, warnings) = parse(
        "Intro.\n\n# Title\n\n## One\n\nA.\n### Sub\nB\n# Late\n\n## Two ##\n\nC.\n\n## Empty\n",
        "Fallback",
    );
    assert_eq!(title, "Title");
    let texts: Vec<String> = s.iter().map(|x| x.text.replace(HEADING_MARK, "")).collect();
    let got: Vec<_> = s
        .iter()
        .zip(&texts)
        .map(|(x, t)| (x.title.as_str(), t.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("Title", "Intro."),
            ("One", "A. Sub. B: Late."),
            ("Two", "C.")
        ]
    );
    assert_eq!(warnings, ["section \"Empty\" is empty; skipped"]);
    // Underlined headings are read as paragraphs, never as sections.
    assert_eq!(
        sections("Not a title\n===\n\nNot a section\n---\nText."),
        [(
            "Fallback".to_string(),
            "Not a title\n\nNot a section\n\nText.".to_string()
        )]
    );
    // A bare `##` says nothing; a heading with no words is numbered.
    assert_eq!(
        sections("## A\n\nx\n##\ny\n\n## **\n\nz"),
        [
            ("A".to_string(), "x y".to_string()),
            ("Section 2".to_string(), "z".to_string())
        ]
    );
}

#[test]
fn list_items_and_headings_are_sentences_of_their_own() {
    assert_eq!(
        body("## L\n\nThings\n- a\n- b!\n\n1. one\n2) two"),
        "Things: a. b!\n\none. two."
    );
    // An item's wrapped lines are one sentence; a loose list's items are paragraphs.
    assert_eq!(
        body("## L\n\n- first item\n  wraps here\n- second"),
        "first item wraps here. second."
    );
    assert_eq!(body("## L\n\n- a\n\n- b\n  - nested"), "a.\n\nb. nested.");
    // Task boxes are silent; a year is not a list number.
    assert_eq!(body("## L\n\n- [ ] todo\n- [X] done"), "todo. done.");
    assert_eq!(
        body("## Y\n\n1969. The year we landed."),
        "1969. The year we landed."
    );
}

#[test]
fn paragraphs_end_at_blank_lines_and_rules_only() {
    assert_eq!(
        body("## P\n\n> a\n>\n> b\n\nc\n\n---\nd\n***\ne"),
        "a b\n\nc\n\nd\n\ne"
    );
    assert_eq!(body("## P\n\n...\n\n!!!\n\nReal."), "Real.");
}

#[test]
fn inline_markup_is_read_as_words() {
    assert_eq!(
        body("## I\n\n**Bold** _it_ `code` [link](http://x) ![img](i.png) <http://u.example> <b>tag</b>."),
        "Bold it code link http://u.example tag."
    );
    assert_eq!(
        body("## I\n\nstray * and _ and ~~strike~~, ~5 min, snake_case, a | b, \\*kept\\* and \\_kept\\_."),
        "stray and and strike, ~5 min, snake_case, a , b, *kept* and _kept_."
    );
    assert_eq!(
        body("## I\n\nFish &amp; chips, line\\\nbreak, a < b > c."),
        "Fish & chips, line break, a < b > c."
    );
    assert_eq!(
        body("## I\n\nSee [the docs][d] and a note[^1].\n\n[d]: http://x\n\n[^1]: The note."),
        "See the docs and a note.\n\nThe note."
    );
}

#[test]
fn tables_html_and_code_are_spoken_text() {
    assert_eq!(
        body("## T\n\n| Name | Age |\n|---|---|\n| Ann | 30 |\n\nAfter."),
        "Name, Age. Ann, 30.\n\nAfter."
    );
    assert_eq!(
        body("## H\n\n<div>\nInside <em>div</em>\n</div>\n\n<!--\nhidden\n-->\n\nAfter <!-- gone --> it."),
        "Inside div\n\nAfter it."
    );
    // A code block's text is Markdown of its own: no sections from it.
    let (title, s, _) = parse(
        "# T\n\n```\n## not a section\n# nor a title\n- item\n```\n",
        "F",
    );
    assert_eq!(title, "T");
    assert_eq!(s.len(), 1);
    assert_eq!(
        s[0].text.replace(HEADING_MARK, ""),
        "not a section. nor a title. item."
    );
    // Deeply indented code neither recurses without end nor loses its words.
    let deep = format!("## D\n\n{}word\n", " ".repeat(10_000));
    assert_eq!(body(&deep), "word");
}

#[test]
fn front_matter_at_the_top_is_skipped() {
    assert_eq!(
        parse("---\ntitle: Hi\n---\n# Real\n\n## A\n\nBody.", "F").0,
        "Real"
    );
    assert_eq!(sections("+++\ntitle = 1\n+++\n\n## A\n\nBody.").len(), 1);
    // Lower down, `---` lines are rules around words that are spoken.
    assert_eq!(
        body("## R\n\nOne.\n\n---\nInterlude.\n---\n\nTwo."),
        "One.\n\nInterlude.\n\nTwo."
    );
}

#[test]
fn one_line_of_markdown() {
    assert_eq!(
        plain_text_of_markdown_line("**Bold** and [a](b) `c`"),
        "Bold and a c"
    );
    assert_eq!(plain_text_of_markdown_line("- item"), "item");
    assert_eq!(plain_text_of_markdown_line("a | b"), "a , b");
    assert_eq!(plain_text_of_markdown_line("\\*lit\\*"), "*lit*");
}
