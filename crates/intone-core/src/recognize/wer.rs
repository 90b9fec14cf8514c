//! Word error rate between a script's text and what the recognizer heard.
//!
//! Both sides are normalized first, as the usual ASR scoring does
//! (case, punctuation, numbers written as words, hyphens as spaces), so a
//! sentence that says "12 breaths" is not marked wrong when Whisper writes
//! "twelve breaths" or the script writes "twelve" and Whisper "12".
//! WER = (substitutions + deletions + insertions) / reference words, by the
//! word-level Levenshtein alignment.

use unicode_normalization::UnicodeNormalization;

/// English words for 0–19.
pub(crate) const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
/// English words for the tens (20–90; the first two are empty).
pub(crate) const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// English words for `n` ("twenty one", "one thousand two hundred").
pub fn number_words(n: u64) -> String {
    fn below_thousand(n: u64, out: &mut Vec<String>) {
        let (h, rest) = (n / 100, n % 100);
        if h > 0 {
            out.push(ONES[h as usize].into());
            out.push("hundred".into());
        }
        if rest >= 20 {
            out.push(TENS[(rest / 10) as usize].into());
            if rest % 10 > 0 {
                out.push(ONES[(rest % 10) as usize].into());
            }
        } else if rest > 0 || h == 0 {
            out.push(ONES[rest as usize].into());
        }
    }
    if n == 0 {
        return "zero".into();
    }
    let mut out = Vec::new();
    let scales = [
        (1_000_000_000_000, "trillion"),
        (1_000_000_000, "billion"),
        (1_000_000, "million"),
        (1_000, "thousand"),
    ];
    let mut rest = n;
    for (size, name) in scales {
        if rest >= size {
            below_thousand(rest / size, &mut out);
            out.push(name.into());
            rest %= size;
        }
    }
    if rest > 0 {
        below_thousand(rest, &mut out);
    }
    out.join(" ")
}

/// The ordinal of the last word of [`number_words`] ("one" → "first").
fn ordinal(words: &str) -> String {
    let (head, last) = words.rsplit_once(' ').unwrap_or(("", words));
    let last = match last {
        "one" => "first".to_string(),
        "two" => "second".to_string(),
        "three" => "third".to_string(),
        "five" => "fifth".to_string(),
        "eight" => "eighth".to_string(),
        "nine" => "ninth".to_string(),
        "twelve" => "twelfth".to_string(),
        w if w.ends_with('y') => format!("{}ieth", &w[..w.len() - 1]),
        w => format!("{w}th"),
    };
    if head.is_empty() {
        last
    } else {
        format!("{head} {last}")
    }
}

/// One token of text as words: numbers spelled out ("3.5" → "three point
/// five", "21st" → "twenty first", "1,200" → "one thousand two hundred"),
/// `%` → "percent".
fn spell(token: &str, out: &mut Vec<String>) {
    let digits_end = token
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == ',' || *c == '.'))
        .map_or(token.len(), |(i, _)| i);
    if digits_end == 0 || !token.starts_with(|c: char| c.is_ascii_digit()) {
        out.push(token.to_string());
        return;
    }
    let (num, suffix) = token.split_at(digits_end);
    let num = num.trim_end_matches(['.', ',']);
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    let int: String = int.chars().filter(char::is_ascii_digit).collect();
    let Ok(n) = int.parse::<u64>() else {
        out.push(token.to_string());
        return;
    };
    let mut words = number_words(n);
    if matches!(suffix, "st" | "nd" | "rd" | "th") {
        words = ordinal(&words);
    }
    out.extend(words.split(' ').map(str::to_string));
    if !frac.is_empty() {
        out.push("point".into());
        out.extend(
            frac.chars()
                .filter_map(|c| c.to_digit(10))
                .map(|d| ONES[d as usize].to_string()),
        );
    }
    match suffix {
        "%" => out.push("percent".into()),
        "st" | "nd" | "rd" | "th" | "" => {}
        s => out.push(s.to_string()),
    }
}

/// Normalized words of `text`: NFKC, lower case, numbers as words, `-`, `—`
/// and `/` as spaces, other punctuation removed (apostrophes inside words
/// kept), Whisper's bracketed tags removed.
pub fn normalize(text: &str) -> Vec<String> {
    let text: String = super::strip_tags(text)
        .nfkc()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '’' | '‘' | 'ʼ' => '\'',
            '-' | '–' | '—' | '/' => ' ',
            c => c,
        })
        .collect();
    let mut out = Vec::new();
    for raw in text.split_whitespace() {
        // Keep digits' separators and a trailing %, drop the rest of the punctuation.
        let kept: String = raw
            .chars()
            .enumerate()
            .filter(|&(i, c)| {
                c.is_alphanumeric()
                    || c == '%'
                    || ((c == '.' || c == ',')
                        && raw[..raw.char_indices().nth(i).map_or(0, |(b, _)| b)]
                            .ends_with(|p: char| p.is_ascii_digit())
                        && raw.chars().nth(i + 1).is_some_and(|n| n.is_ascii_digit()))
                    || (c == '\''
                        && i > 0
                        && raw.chars().nth(i + 1).is_some_and(char::is_alphabetic))
            })
            .map(|(_, c)| c)
            .collect();
        if kept.is_empty() {
            continue;
        }
        spell(&kept, &mut out);
    }
    out
}

/// Word-level edit distance (substitutions + deletions + insertions).
pub fn edit_distance(reference: &[String], hypothesis: &[String]) -> usize {
    let mut prev: Vec<usize> = (0..=hypothesis.len()).collect();
    let mut row = vec![0; hypothesis.len() + 1];
    for (i, r) in reference.iter().enumerate() {
        row[0] = i + 1;
        for (j, h) in hypothesis.iter().enumerate() {
            let sub = prev[j] + usize::from(r != h);
            row[j + 1] = sub.min(prev[j + 1] + 1).min(row[j] + 1);
        }
        std::mem::swap(&mut prev, &mut row);
    }
    prev[hypothesis.len()]
}

/// Normalized word error rate of `heard` against `expected` (0 = every word
/// right; may exceed 1 when much more was heard than written). An empty
/// reference scores 0 when nothing was heard and 1 otherwise.
pub fn wer(expected: &str, heard: &str) -> f64 {
    let r = normalize(expected);
    let h = normalize(heard);
    if r.is_empty() {
        return if h.is_empty() { 0.0 } else { 1.0 };
    }
    edit_distance(&r, &h) as f64 / r.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_words() {
        assert_eq!(number_words(0), "zero");
        assert_eq!(number_words(21), "twenty one");
        assert_eq!(number_words(1200), "one thousand two hundred");
        assert_eq!(number_words(100_005), "one hundred thousand five");
        assert_eq!(
            normalize("Breathe 12 times."),
            ["breathe", "twelve", "times"]
        );
        assert_eq!(normalize("the 21st day"), ["the", "twenty", "first", "day"]);
        assert_eq!(normalize("3.5%"), ["three", "point", "five", "percent"]);
        assert_eq!(
            normalize("1,200 steps"),
            ["one", "thousand", "two", "hundred", "steps"]
        );
    }

    #[test]
    fn case_punctuation_and_tags_do_not_count() {
        assert_eq!(
            normalize("“Don’t stop,” she said — [BLANK_AUDIO] well-being."),
            ["don't", "stop", "she", "said", "well", "being"]
        );
        assert_eq!(wer("I am calm and safe.", "i am calm and safe"), 0.0);
        assert_eq!(wer("Twelve breaths.", "12 breaths"), 0.0);
    }

    #[test]
    fn errors_are_counted_against_the_reference() {
        assert!((wer("one two three four", "one three four") - 0.25).abs() < 1e-12);
        assert!((wer("one two three four", "one two two three four five") - 0.5).abs() < 1e-12);
        assert_eq!(wer("one two", ""), 1.0);
        assert_eq!(wer("", ""), 0.0);
        assert_eq!(wer("...", "hello"), 1.0);
    }
}
