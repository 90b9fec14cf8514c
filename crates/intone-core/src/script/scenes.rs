//! Scene lists: the scenes of a video, each a prompt and a length, read
//! from TOML, Markdown or CSV (chosen by the file's extension; text given
//! without a name is tried as TOML, then CSV, then Markdown).
//!
//! * **TOML** (`.toml`): optional top-level `title`, `duration_s` (or
//!   `duration`, a timecode: the target length), `engine`, `model`,
//!   `crossfade_ms`, `fit`, `on_error`, `snap`; then `[[scene]]` tables with
//!   `prompt`, `duration_s` (or `duration`), optional `seed`, and any other
//!   key as an engine parameter (`temperature = 0.8`).
//! * **Markdown** (`.md`): `# Title`, an optional `Duration: 1:00` line, and
//!   one list item per scene: `- 0:12 dawn over the harbor, calm strings`
//!   (the length first: `12s`, `12.5 s`, `0:12`, `00:00:12.500`).
//! * **CSV** (`.csv`): one row per scene, `duration,prompt[,seed]`; a first
//!   row whose first cell is not a length is a header.
//!
//! Lengths are seconds (`12`, `12.5`, `12s`) or timecodes (`m:ss`,
//! `h:mm:ss`, with optional `.mmm`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Most scenes one list may hold.
pub const MAX_SCENES: usize = 200;
/// Largest scene file read, bytes.
pub const MAX_SCENE_FILE_BYTES: u64 = 1 << 20;

/// One scene as written in a list.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SceneEntry {
    /// What the music does in this scene.
    pub prompt: String,
    /// Its length, ms.
    pub duration_ms: u32,
    /// Its seed; `None`: chosen when the score is planned.
    pub seed: Option<u32>,
    /// Engine parameters (values as text).
    pub params: BTreeMap<String, String>,
}

/// A scene list with the settings it names.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SceneList {
    /// Its title, if it names one.
    pub title: Option<String>,
    /// Target length of the score, ms.
    pub duration_ms: Option<u32>,
    /// Music engine.
    pub engine: Option<String>,
    /// The engine's model.
    pub model: Option<String>,
    /// Crossfade on each boundary, ms.
    pub crossfade_ms: Option<u32>,
    /// Fit mode (`trim`, `stretch`, `compress`).
    pub fit: Option<String>,
    /// Error strategy (`continue_with_silence`, `halt`).
    pub on_error: Option<String>,
    /// Where scene changes fall (`none`, `bar`).
    #[serde(default)]
    pub snap: Option<String>,
    /// The scenes, in order.
    pub scenes: Vec<SceneEntry>,
}

/// Longest length a scene list may write, ms (100 hours; a score has its
/// own, smaller cap).
pub const MAX_LENGTH_MS: u32 = 100 * 3_600_000;

/// Reads a length: seconds (`12`, `12.5`, `12s`, `12 s`) or a timecode
/// (`m:ss`, `h:mm:ss`, each with optional `.fraction`), in plain digits
/// (no sign, exponent or `inf`), at most 100 hours. Returns ms.
///
/// # Errors
/// [`Error::Config`] quoting the text.
pub fn parse_length(text: &str) -> Result<u32> {
    let t = text.trim();
    let bad = || {
        Error::Config(format!(
            "\"{t}\" is not a length (write seconds like 12 or 12.5s, or a timecode like 0:12)"
        ))
    };
    let t2 = t.strip_suffix('s').unwrap_or(t).trim_end();
    let parts: Vec<&str> = t2.split(':').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(bad());
    }
    let mut secs = 0f64;
    for (i, p) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let plain = p.chars().all(|c| c.is_ascii_digit() || c == '.')
            && p.chars().filter(|&c| c == '.').count() <= 1
            && p.chars().any(|c| c.is_ascii_digit());
        if !plain {
            return Err(bad());
        }
        let v: f64 = if last {
            p.parse().map_err(|_| bad())?
        } else {
            f64::from(p.parse::<u32>().map_err(|_| bad())?)
        };
        if !v.is_finite() || v < 0.0 || (i > 0 && v >= 60.0) {
            return Err(bad());
        }
        secs = secs * 60.0 + v;
    }
    let ms = (secs * 1000.0).round();
    if ms > f64::from(MAX_LENGTH_MS) {
        return Err(Error::Config(format!("\"{t}\" is longer than 100 hours")));
    }
    Ok(ms as u32)
}

/// Reads the scene list in `path` (by its extension), in any common text
/// encoding (a spreadsheet's CSV export is often Windows-1252).
///
/// # Errors
/// [`Error::Io`] when it cannot be found; [`Error::Script`] when it cannot
/// be read or is binary; [`Error::Config`] naming the file
/// and the line or scene at fault.
pub fn read_file(path: &Path) -> Result<SceneList> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() > MAX_SCENE_FILE_BYTES {
        return Err(Error::Config(format!(
            "{}: a scene list is at most 1 MiB; this file is {} bytes",
            path.display(),
            meta.len()
        )));
    }
    let text = super::read_text_file(path)?.text;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let r = match ext.as_str() {
        "toml" => parse_toml(&text),
        "csv" => parse_csv(&text),
        "md" | "markdown" | "txt" => parse_markdown(&text),
        _ => parse_text(&text),
    };
    r.map_err(|e| Error::Config(format!("{}: {}", path.display(), plain(e))))
}

fn plain(e: Error) -> String {
    match e {
        Error::Config(m) => m,
        other => other.to_string(),
    }
}

/// Reads a scene list pasted as text: TOML, else CSV, else Markdown.
///
/// # Errors
/// [`Error::Config`] with the Markdown reading's complaint when none fits.
pub fn parse_text(text: &str) -> Result<SceneList> {
    if text.contains("[[scene]]") {
        return parse_toml(text);
    }
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.contains(',') && !first.trim_start().starts_with(['-', '*', '#']) {
        if let Ok(l) = parse_csv(text) {
            return Ok(l);
        }
    }
    parse_markdown(text)
}

/// Reads the TOML format.
///
/// # Errors
/// [`Error::Config`] naming the scene and field at fault.
pub fn parse_toml(text: &str) -> Result<SceneList> {
    let doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| Error::Config(format!("not valid TOML: {}", e.message())))?;
    let mut list = SceneList {
        title: str_of(&doc, "title"),
        duration_ms: length_of(&doc, "the list")?,
        engine: str_of(&doc, "engine"),
        model: str_of(&doc, "model"),
        crossfade_ms: match doc.get("crossfade_ms") {
            Some(v) => Some(
                v.as_integer()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| {
                        Error::Config("crossfade_ms must be a whole number of ms".into())
                    })?,
            ),
            None => None,
        },
        fit: str_of(&doc, "fit"),
        on_error: str_of(&doc, "on_error"),
        snap: str_of(&doc, "snap"),
        scenes: Vec::new(),
    };
    let scenes = match doc.get("scene") {
        Some(toml::Value::Array(a)) => a.clone(),
        Some(_) => return Err(Error::Config("`scene` must be [[scene]] tables".into())),
        None => Vec::new(),
    };
    for (i, s) in scenes.iter().enumerate() {
        let which = format!("scene {}", i + 1);
        let t = s
            .as_table()
            .ok_or_else(|| Error::Config(format!("{which} is not a table")))?;
        let prompt =
            str_of(t, "prompt").ok_or_else(|| Error::Config(format!("{which} has no prompt")))?;
        let duration_ms = length_of(t, &which)?
            .ok_or_else(|| Error::Config(format!("{which} has no duration_s")))?;
        let seed = match t.get("seed") {
            Some(v) => Some(
                v.as_integer()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| Error::Config(format!("{which}: seed must be 0–4294967295")))?,
            ),
            None => None,
        };
        let mut params = BTreeMap::new();
        for (k, v) in t {
            if ["prompt", "duration_s", "duration", "seed"].contains(&k.as_str()) {
                continue;
            }
            let text = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::Float(x) => x.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => {
                    return Err(Error::Config(format!(
                        "{which}: parameter {k} must be a number, text or true/false"
                    )))
                }
            };
            params.insert(k.clone(), text);
        }
        list.scenes.push(SceneEntry {
            prompt,
            duration_ms,
            seed,
            params,
        });
    }
    check(list)
}

fn str_of(t: &toml::Table, key: &str) -> Option<String> {
    t.get(key)
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// `duration_s` (a number) or `duration` (a length) of a table, ms.
fn length_of(t: &toml::Table, which: &str) -> Result<Option<u32>> {
    if let Some(v) = t.get("duration_s") {
        let s = v
            .as_float()
            .or_else(|| v.as_integer().map(|n| n as f64))
            .filter(|s| s.is_finite() && *s >= 0.0 && *s < 4_000_000.0)
            .ok_or_else(|| Error::Config(format!("{which}: duration_s must be seconds")))?;
        return Ok(Some((s * 1000.0).round() as u32));
    }
    match t.get("duration") {
        Some(toml::Value::String(s)) => {
            Ok(Some(parse_length(s).map_err(|e| {
                Error::Config(format!("{which}: {}", plain(e)))
            })?))
        }
        Some(v) if v.is_integer() || v.is_float() => Err(Error::Config(format!(
            "{which}: write duration_s = {v} for seconds, or duration = \"0:12\" for a timecode"
        ))),
        Some(_) => Err(Error::Config(format!(
            "{which}: duration must be a timecode"
        ))),
        None => Ok(None),
    }
}

/// Reads the Markdown format.
///
/// # Errors
/// [`Error::Config`] naming the line at fault.
pub fn parse_markdown(text: &str) -> Result<SceneList> {
    let mut list = SceneList::default();
    for (n, line) in text.lines().enumerate() {
        let l = line.trim();
        if let Some(t) = l.strip_prefix("# ") {
            list.title = Some(t.trim().to_string());
            continue;
        }
        let lower = l.to_lowercase();
        if let Some(d) = lower.strip_prefix("duration:") {
            list.duration_ms = Some(
                parse_length(d)
                    .map_err(|e| Error::Config(format!("line {}: {}", n + 1, plain(e))))?,
            );
            continue;
        }
        let item = l
            .strip_prefix("- ")
            .or_else(|| l.strip_prefix("* "))
            .or_else(|| {
                let digits = l.find(". ")?;
                l[..digits]
                    .chars()
                    .all(|c| c.is_ascii_digit())
                    .then(|| &l[digits + 2..])
            });
        let Some(item) = item else { continue };
        let item = item.trim();
        let (len, prompt) = split_length(item).ok_or_else(|| {
            Error::Config(format!(
                "line {}: a scene starts with its length, as in \"- 0:12 dawn over the harbor\"",
                n + 1
            ))
        })?;
        let duration_ms = parse_length(len)
            .map_err(|e| Error::Config(format!("line {}: {}", n + 1, plain(e))))?;
        list.scenes.push(SceneEntry {
            prompt: prompt
                .trim_start_matches(['—', '-', ':', '|', ' '])
                .trim()
                .to_string(),
            duration_ms,
            seed: None,
            params: BTreeMap::new(),
        });
    }
    check(list)
}

/// `"12.5 s dawn…"` → `("12.5 s", "dawn…")`.
fn split_length(item: &str) -> Option<(&str, &str)> {
    let end = item
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_digit() || c == ':' || c == '.'))
        .map_or(item.len(), |(i, _)| i);
    if end == 0 {
        return None;
    }
    let rest = &item[end..];
    let unit = if rest.starts_with("s ") || rest == "s" {
        1
    } else if rest.starts_with(" s ") {
        2
    } else {
        0
    };
    Some((&item[..end + unit], &item[end + unit..]))
}

/// Reads the CSV format.
///
/// # Errors
/// [`Error::Config`] naming the row at fault.
pub fn parse_csv(text: &str) -> Result<SceneList> {
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut list = SceneList::default();
    for (n, row) in rd.records().enumerate() {
        let row = row.map_err(|e| Error::Config(format!("row {}: {e}", n + 1)))?;
        let first = row.get(0).unwrap_or("");
        if row.iter().all(str::is_empty) {
            continue;
        }
        let duration_ms = match parse_length(first) {
            Ok(ms) => ms,
            Err(_) if n == 0 => continue, // a header
            Err(e) => return Err(Error::Config(format!("row {}: {}", n + 1, plain(e)))),
        };
        let seed = match row.get(2).filter(|s| !s.is_empty()) {
            Some(s) => Some(s.parse::<u32>().map_err(|_| {
                Error::Config(format!("row {}: seed \"{s}\" is not a whole number", n + 1))
            })?),
            None => None,
        };
        list.scenes.push(SceneEntry {
            prompt: row.get(1).unwrap_or("").to_string(),
            duration_ms,
            seed,
            params: BTreeMap::new(),
        });
    }
    check(list)
}

/// Every scene has a prompt and a length; at least one, at most [`MAX_SCENES`].
fn check(list: SceneList) -> Result<SceneList> {
    if list.scenes.is_empty() {
        return Err(Error::Config("it lists no scenes".into()));
    }
    if list.scenes.len() > MAX_SCENES {
        return Err(Error::Config(format!(
            "it lists {} scenes; at most {MAX_SCENES}",
            list.scenes.len()
        )));
    }
    for (i, s) in list.scenes.iter().enumerate() {
        if s.prompt.trim().is_empty() {
            return Err(Error::Config(format!("scene {} has no prompt", i + 1)));
        }
        if s.duration_ms < 500 {
            return Err(Error::Config(format!(
                "scene {} is {} ms; a scene lasts at least 0.5 s",
                i + 1,
                s.duration_ms
            )));
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_read_as_seconds_or_timecodes() {
        assert_eq!(parse_length("12").ok(), Some(12_000));
        assert_eq!(parse_length("12.5s").ok(), Some(12_500));
        assert_eq!(parse_length("1:02.25").ok(), Some(62_250));
        assert_eq!(parse_length("01:00:00").ok(), Some(3_600_000));
        // Found by the fuzz suite: exponents, signs and infinities are not
        // lengths, and nothing past 100 hours is.
        for bad in [
            "4e5", "1e1s", "inf", "-3", "+3", "1.2.3", ".", "NaN", "1:2e1",
        ] {
            assert!(parse_length(bad).is_err(), "{bad}");
        }
        assert!(parse_length("100:00:01").is_err());
        assert_eq!(parse_length("100:00:00").ok(), Some(MAX_LENGTH_MS));
        assert!(parse_length("1:75").is_err());
        assert!(parse_length("soon").is_err());
    }

    #[test]
    fn the_three_formats_read_the_same_scenes() {
        let toml = r#"
            duration_s = 60
            fit = "stretch"
            [[scene]]
            prompt = "dawn over the harbor, calm strings"
            duration_s = 12
            [[scene]]
            prompt = "busy market, lively percussion"
            duration = "0:20"
            seed = 7
            temperature = 0.8
        "#;
        let t = parse_toml(toml).expect("toml");
        assert_eq!(t.duration_ms, Some(60_000));
        assert_eq!(t.fit.as_deref(), Some("stretch"));
        assert_eq!(t.scenes[1].seed, Some(7));
        assert_eq!(t.scenes[1].params["temperature"], "0.8");
        let md = "# Harbor\nDuration: 1:00\n\n- 12s dawn over the harbor, calm strings\n- 0:20 — busy market, lively percussion\n";
        let m = parse_markdown(md).expect("md");
        assert_eq!(m.title.as_deref(), Some("Harbor"));
        let csv = "duration,prompt,seed\n12,\"dawn over the harbor, calm strings\",\n0:20,\"busy market, lively percussion\",7\n";
        let c = parse_csv(csv).expect("csv");
        for l in [&m, &c] {
            assert_eq!(l.scenes.len(), 2);
            assert_eq!(l.scenes[0].prompt, t.scenes[0].prompt);
            assert_eq!(l.scenes[1].prompt, t.scenes[1].prompt);
            assert_eq!(l.scenes[1].duration_ms, 20_000);
        }
        assert_eq!(c.scenes[1].seed, Some(7));
        assert_eq!(parse_text(csv).expect("text").scenes.len(), 2);
        assert_eq!(parse_text(md).expect("text").scenes.len(), 2);
    }

    #[test]
    fn mistakes_name_the_scene() {
        let e = parse_toml("[[scene]]\nprompt = \"x\"\n").expect_err("no length");
        assert!(e.to_string().contains("scene 1 has no duration_s"), "{e}");
        let e = parse_markdown("- soon dawn").expect_err("bad length");
        assert!(e.to_string().contains("line 1"), "{e}");
    }
}
