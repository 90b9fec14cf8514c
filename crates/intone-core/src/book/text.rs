//! Chapters in plain text (and Markdown without headings): a line standing
//! alone between blank lines that reads like a chapter heading, "Chapter
//! 12", "CHAPTER XII.", "Chapter Twelve: The Storm", "Part Two", or a
//! book's named parts ("Prologue", "Epilogue", "Preface", …). A bare
//! "Chapter 12" followed by a short title line (no closing full stop) takes
//! that line as its title, as Project Gutenberg's texts set them. Text
//! before the first heading is front matter.

use super::{Chapter, Matter};

/// Headings that stand alone, with whether they are front or back matter.
const NAMED: [(&str, Option<Matter>); 8] = [
    ("prologue", None),
    ("epilogue", None),
    ("introduction", None),
    ("afterword", None),
    ("preface", Some(Matter::Front)),
    ("foreword", Some(Matter::Front)),
    ("acknowledgements", Some(Matter::Back)),
    ("acknowledgments", Some(Matter::Back)),
];

/// The longest line taken as a heading, in characters.
const MAX_HEADING_CHARS: usize = 80;

/// Whether `w` is a chapter number: digits, a Roman numeral, or number words
/// ("Twenty-One").
fn is_number(w: &str) -> bool {
    let w = w.trim_end_matches(['.', ':']);
    if w.is_empty() {
        return false;
    }
    if w.chars().all(|c| c.is_ascii_digit()) {
        return w.len() <= 4;
    }
    if w.chars().all(|c| "IVXLCDMivxlcdm".contains(c)) {
        return w.len() <= 8;
    }
    // "Twenty-One", "Hundred": the recognizer's number words (recognize::wer).
    use crate::recognize::wer::{ONES, TENS};
    w.split('-').all(|p| {
        let p = p.to_ascii_lowercase();
        !p.is_empty()
            && (ONES.contains(&p.as_str()) || TENS.contains(&p.as_str()) || p == "hundred")
    })
}

/// Whether `line` (trimmed) is a chapter heading, and its matter.
fn heading(line: &str) -> Option<Option<Matter>> {
    if line.is_empty() || line.chars().count() > MAX_HEADING_CHARS {
        return None;
    }
    let lower = line.to_lowercase();
    let bare = lower.trim_end_matches(['.', ':']);
    if let Some((_, m)) = NAMED.iter().find(|(n, _)| *n == bare) {
        return Some(*m);
    }
    let mut words = line.split_whitespace();
    let first = words.next()?.to_lowercase();
    if !matches!(first.as_str(), "chapter" | "part" | "book") {
        return None;
    }
    let n = words.next()?;
    if !is_number(n) {
        return None;
    }
    // "Chapter 12 The Storm", "Chapter 12: The Storm", "Chapter XII." all qualify;
    // "Chapter 12 was the longest of the book, and" does not (a sentence).
    let rest: Vec<&str> = words.collect();
    let sentence = rest.len() > 8 || line.ends_with(',');
    (!sentence).then_some(None)
}

/// Paragraphs of `text` (blank-line separated), each trimmed, with the line
/// number (1-based) it starts on.
fn paragraphs(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    let mut start = 0;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push((start, cur.join("\n")));
                cur.clear();
            }
        } else {
            if cur.is_empty() {
                start = i + 1;
            }
            cur.push(line.trim());
        }
    }
    if !cur.is_empty() {
        out.push((start, cur.join("\n")));
    }
    out
}

/// `text` as paragraphs (blank-line separated, whitespace collapsed).
pub fn paragraph_text(text: &str) -> String {
    paragraphs(text)
        .into_iter()
        .map(|(_, p)| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The chapters of `text` when at least two headings are found (else
/// `None`: the text is one piece). Text before the first heading is a
/// front-matter chapter named `front_title`.
pub fn chapters(text: &str, front_title: &str) -> Option<Vec<Chapter>> {
    let paras = paragraphs(text);
    let is_heading = |p: &str| !p.contains('\n') && heading(p).is_some();
    if paras.iter().filter(|(_, p)| is_heading(p)).count() < 2 {
        return None;
    }
    let mut out: Vec<Chapter> = Vec::new();
    let mut body: Vec<String> = Vec::new();
    let mut title = front_title.to_string();
    let mut matter = Some(Matter::Front);
    let flush =
        |out: &mut Vec<Chapter>, title: &str, matter: Option<Matter>, body: &mut Vec<String>| {
            if !body.is_empty() || out.iter().any(|c| c.matter.is_none()) || matter.is_none() {
                out.push(Chapter::new(title, &body.join("\n\n"), matter));
            }
            body.clear();
        };
    let mut i = 0;
    while i < paras.len() {
        let p = &paras[i].1;
        match (!p.contains('\n')).then(|| heading(p)).flatten() {
            // A page's running head ("CHAPTER 3 THE STORM" atop every page of a
            // PDF) repeats the chapter's own heading: it is not a new chapter.
            Some(_)
                if p.trim_end_matches(['.', ':']) == title
                    || title.starts_with(&format!("{}: ", p.trim_end_matches(['.', ':']))) => {}
            Some(m) => {
                flush(&mut out, &title, matter, &mut body);
                title = p.trim_end_matches(['.', ':']).to_string();
                matter = m;
                // "Chapter 12" alone, then a short line with no full stop: its title.
                let bare = title.split_whitespace().count() == 2;
                if let Some((_, next)) = paras.get(i + 1).filter(|_| bare) {
                    let short = !next.contains('\n')
                        && next.chars().count() <= MAX_HEADING_CHARS
                        && !next.ends_with(['.', '!', '?', '"', '”'])
                        && heading(next).is_none();
                    if short {
                        title = format!("{title}: {next}");
                        i += 1;
                    }
                }
            }
            None => body.push(p.split_whitespace().collect::<Vec<_>>().join(" ")),
        }
        i += 1;
    }
    flush(&mut out, &title, matter, &mut body);
    // A contents list ("CHAPTER I", "CHAPTER II", … then the chapters) gives
    // empty chapters whose titles come again: they are not chapters.
    let titles: Vec<String> = out.iter().map(|c| c.title.clone()).collect();
    let mut i = 0;
    out.retain(|c| {
        i += 1;
        let again = titles[i..]
            .iter()
            .any(|t| t == &c.title || t.starts_with(&format!("{}: ", c.title)));
        !(c.words == 0 && again)
    });
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_in_their_usual_forms() {
        for h in [
            "Chapter 12",
            "CHAPTER XII.",
            "Chapter Twelve: The Storm",
            "Chapter Twenty-One",
            "Part Two",
            "PROLOGUE",
            "Book 3",
        ] {
            assert!(heading(h).is_some(), "{h}");
        }
        for p in [
            "Chapter 12 was the longest of the book, and the hardest to write for him",
            "Chapters",
            "Chapter the last",
            "The chapter ends.",
            "Part of the plan",
        ] {
            assert!(heading(p).is_none(), "{p}");
        }
        assert_eq!(heading("Preface"), Some(Some(Matter::Front)));
    }

    #[test]
    fn a_text_with_chapter_lines_becomes_chapters() {
        let text =
            "THE TITLE\n\nby Someone\n\nCHAPTER I.\n\nThe Old Sea-dog\n\nHe came.\nSlowly.\n\n\
                    CHAPTER II.\n\nIt rained all day. Then it stopped.\n\nEPILOGUE\n\nThe end.\n";
        let c = chapters(text, "Front").expect("chapters");
        let titles: Vec<&str> = c.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Front",
                "CHAPTER I: The Old Sea-dog",
                "CHAPTER II",
                "EPILOGUE"
            ]
        );
        assert_eq!(c[0].matter, Some(Matter::Front));
        assert_eq!(c[1].text, "He came. Slowly.");
        assert_eq!(c[1].matter, None);
        assert_eq!(c[2].words, 7);
    }

    #[test]
    fn running_heads_and_a_contents_list_are_not_chapters() {
        let text = "CONTENTS\n\nCHAPTER I\n\nCHAPTER II\n\nCHAPTER I\n\nIt began.\n\nCHAPTER I\n\nIt went on.\n\n\
                    CHAPTER II\n\nIt ended.\n";
        let c = chapters(text, "Front").expect("chapters");
        let got: Vec<(&str, &str)> = c
            .iter()
            .map(|c| (c.title.as_str(), c.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("Front", "CONTENTS"),
                ("CHAPTER I", "It began.\n\nIt went on."),
                ("CHAPTER II", "It ended.")
            ],
            "{c:#?}"
        );
    }

    #[test]
    fn one_heading_is_not_a_book() {
        assert!(chapters("Chapter 1\n\nOnly one.\n", "x").is_none());
        assert!(chapters("Just prose.\n\nMore prose.\n", "x").is_none());
    }
}
