//! A cast: which voice says each speaker's lines.
//!
//! A cast maps a speaker's name to a voice id (`"piper:en_US-joe-medium"`)
//! or to a voice with engine settings (`{ voice = "…", exaggeration = 0.7 }`).
//! The entry [`NARRATOR`] speaks unmarked text; without it, the batch's
//! voice does. It is read from, later sources overriding earlier ones
//! speaker by speaker:
//! 1. the project's cast in the store (what the app's cast panel saves);
//! 2. `cast.toml` beside the script;
//! 3. the script's front matter (`cast:` in YAML, or a `[cast]` table in
//!    TOML, between `---` lines, or TOML between `+++` lines);
//! 4. a file given with `--cast FILE`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The speaker who says unmarked text.
pub const NARRATOR: &str = "NARRATOR";
/// The cast file looked for beside a script.
pub const CAST_FILE: &str = "cast.toml";
/// Most speakers a cast may have.
const MAX_SPEAKERS: usize = 64;

/// A speaker's voice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Role {
    /// Voice id, `engine:voice`.
    pub voice: String,
    /// Engine settings by name (e.g. Chatterbox's `exaggeration`, Piper's
    /// `noise_scale`); empty for the engine's defaults.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, f64>,
}

/// Speakers and their voices.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Cast {
    /// Speaker name → voice, in name order.
    pub roles: BTreeMap<String, Role>,
}

impl Cast {
    /// Whether the cast names no speaker.
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
    }

    /// The declared speakers' names (including [`NARRATOR`] when declared).
    pub fn speakers(&self) -> Vec<String> {
        self.roles.keys().cloned().collect()
    }

    /// Entries of `over` replace this cast's, speaker by speaker (the
    /// narrator's under [`NARRATOR`], whatever case it was given in).
    pub fn overlay(&mut self, over: &Cast) {
        for (k, v) in &over.roles {
            let k = if k.eq_ignore_ascii_case(NARRATOR) {
                NARRATOR.to_string()
            } else {
                k.clone()
            };
            self.roles.insert(k, v.clone());
        }
    }

    /// The voice of `speaker` (`None`: the narrator): its entry, else for
    /// the narrator `batch_voice`.
    ///
    /// # Errors
    /// [`Error::Config`] for a speaker the cast has no voice for.
    pub fn role(&self, speaker: Option<&str>, batch_voice: &str) -> Result<Role> {
        let name = speaker.unwrap_or(NARRATOR);
        if let Some(r) = self.roles.get(name) {
            return Ok(r.clone());
        }
        match speaker {
            None => Ok(Role {
                voice: batch_voice.to_string(),
                settings: BTreeMap::new(),
            }),
            Some(s) => Err(Error::Config(format!(
                "speaker \"{s}\" has no voice in the cast"
            ))),
        }
    }

    /// Reads a cast from a value: a map of speaker → voice id, or speaker →
    /// table with `voice` and numeric settings. `source` names where it came
    /// from in errors.
    ///
    /// # Errors
    /// [`Error::Config`] naming `source` and the speaker that is wrong.
    pub fn from_value(v: &serde_json::Value, source: &str) -> Result<Cast> {
        let bad = |m: String| Error::Config(format!("{source}: {m}"));
        let map = v
            .as_object()
            .ok_or_else(|| bad("a cast is a table of SPEAKER = \"voice id\" entries".into()))?;
        if map.len() > MAX_SPEAKERS {
            return Err(bad(format!("more than {MAX_SPEAKERS} speakers")));
        }
        let mut roles = BTreeMap::new();
        for (name, entry) in map {
            if name.trim().is_empty() || name.contains([':', '[', ']', '\n']) {
                return Err(bad(format!("\"{name}\" is not a speaker's name")));
            }
            let role = match entry {
                serde_json::Value::String(voice) => Role {
                    voice: voice.clone(),
                    settings: BTreeMap::new(),
                },
                serde_json::Value::Object(t) => {
                    let mut settings = BTreeMap::new();
                    let mut voice = None;
                    for (k, x) in t {
                        match (k.as_str(), x) {
                            ("voice", serde_json::Value::String(s)) => voice = Some(s.clone()),
                            (_, x) if x.is_number() && k != "voice" => {
                                settings.insert(k.clone(), x.as_f64().unwrap_or_default());
                            }
                            _ => {
                                return Err(bad(format!(
                                    "speaker {name}: \"{k}\" must be {}",
                                    if k == "voice" {
                                        "a voice id"
                                    } else {
                                        "a number"
                                    }
                                )))
                            }
                        }
                    }
                    Role {
                        voice: voice.ok_or_else(|| bad(format!("speaker {name} has no voice")))?,
                        settings,
                    }
                }
                _ => {
                    return Err(bad(format!(
                        "speaker {name}: give a voice id or a table with voice = …"
                    )))
                }
            };
            if role.voice.trim().is_empty() {
                return Err(bad(format!("speaker {name} has no voice")));
            }
            // The narrator's entry under its one name, whatever its case.
            let name = if name.trim().eq_ignore_ascii_case(NARRATOR) {
                NARRATOR.to_string()
            } else {
                name.trim().to_string()
            };
            roles.insert(name, role);
        }
        Ok(Cast { roles })
    }

    /// Reads a cast file (TOML: `SPEAKER = "voice id"` lines, or `[SPEAKER]`
    /// tables; a `[cast]` table of those is read too).
    ///
    /// # Errors
    /// [`Error::Config`] naming the file and what is wrong.
    pub fn read(path: &Path) -> Result<Cast> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let source = path.display().to_string();
        let v: serde_json::Value = toml::from_str(&text)
            .map_err(|e| Error::Config(format!("{source}: not a TOML cast: {e}")))?;
        let v = v.get("cast").cloned().unwrap_or(v);
        Cast::from_value(&v, &source)
    }

    /// The cast as a TOML file, one `SPEAKER = "voice"` line per speaker
    /// (a table for one with settings).
    pub fn to_toml(&self) -> String {
        let mut v = serde_json::Map::new();
        for (name, r) in &self.roles {
            let entry = if r.settings.is_empty() {
                serde_json::Value::String(r.voice.clone())
            } else {
                let mut t = serde_json::Map::new();
                t.insert("voice".into(), r.voice.clone().into());
                for (k, x) in &r.settings {
                    t.insert(k.clone(), (*x).into());
                }
                serde_json::Value::Object(t)
            };
            v.insert(name.clone(), entry);
        }
        toml::to_string(&serde_json::Value::Object(v)).unwrap_or_default()
    }
}

/// The `cast.toml` beside `script`, when there is one.
pub fn beside(script: &Path) -> Option<PathBuf> {
    let p = script.parent()?.join(CAST_FILE);
    p.is_file().then_some(p)
}

/// The cast in `text`'s front matter, if it has one: YAML or TOML between
/// `---` lines at the very top (TOML tried first), or TOML between `+++`.
///
/// # Errors
/// [`Error::Script`] naming `source` when the front matter is neither, or
/// its cast is malformed.
pub fn front_matter(text: &str, source: &Path) -> Result<Option<Cast>> {
    let Some((fence, body)) = front_block(text) else {
        return Ok(None);
    };
    let err = |message: String| Error::Script {
        path: source.to_path_buf(),
        message,
    };
    let value: serde_json::Value = match toml::from_str(body) {
        Ok(v) => v,
        Err(te) if fence == "+++" => return Err(err(format!("front matter is not TOML: {te}"))),
        Err(_) => serde_yaml_ng::from_str(body)
            .map_err(|ye| err(format!("front matter is neither YAML nor TOML: {ye}")))?,
    };
    match value.get("cast") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(c) => Cast::from_value(c, &format!("{}: front matter", source.display()))
            .map(Some)
            .map_err(|e| {
                err(e
                    .to_string()
                    .replace(&format!("{}: ", source.display()), ""))
            }),
    }
}

/// Bytes of `text` the front matter block takes, its closing fence's line
/// included (0 when there is none).
pub(crate) fn front_matter_len(text: &str) -> usize {
    let Some((_, body)) = front_block(text) else {
        return 0;
    };
    let end = body.as_ptr() as usize - text.as_ptr() as usize + body.len();
    text[end..].find('\n').map_or(text.len(), |i| end + i + 1)
}

/// The fence and body of the front matter block at the top of `text`.
fn front_block(text: &str) -> Option<(&'static str, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let fence = ["---", "+++"]
        .into_iter()
        .find(|f| text.lines().next().map(str::trim_end) == Some(*f))?;
    let start = text.find('\n')? + 1;
    let mut at = start;
    for line in text[start..].split_inclusive('\n') {
        if line.trim_end() == fence {
            return Some((fence, &text[start..at]));
        }
        at += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_read_from_toml_and_yaml_front_matter() {
        let p = Path::new("scene.md");
        let toml = "---\n[cast]\nNARRATOR = \"piper:en_US-joe-medium\"\nMARA = { voice = \"espeak:en-us\", pitch = 70 }\n---\n# Scene\n";
        let c = front_matter(toml, p).expect("toml").expect("cast");
        assert_eq!(c.speakers(), vec!["MARA", "NARRATOR"]);
        assert_eq!(c.roles["MARA"].settings["pitch"], 70.0);
        let yaml = "---\ntitle: x\ncast:\n  NARRATOR: piper:en_US-joe-medium\n  MARA:\n    voice: espeak:en-us\n    pitch: 70\n---\nHello.";
        assert_eq!(front_matter(yaml, p).expect("yaml"), Some(c.clone()));
        assert_eq!(front_matter("# No front matter\n", p).expect("none"), None);
        assert_eq!(
            front_matter("---\ntitle: x\n---\n", p).expect("no cast"),
            None
        );
        let back = Cast::from_value(
            &toml::from_str::<serde_json::Value>(&c.to_toml()).expect("toml"),
            "x",
        )
        .expect("round trip");
        assert_eq!(back, c);
    }

    #[test]
    fn bad_casts_say_what_is_wrong() {
        let p = Path::new("scene.md");
        let e = front_matter("---\ncast:\n  MARA: 3\n---\n", p).expect_err("number voice");
        assert!(e.to_string().contains("MARA"), "{e}");
        let e = front_matter("---\ncast: [a\n---\n", p).expect_err("broken");
        assert!(e.to_string().contains("scene.md"), "{e}");
        let c = Cast::from_value(&serde_json::json!({"Narrator": "piper:x"}), "c").expect("cast");
        assert_eq!(
            c.role(None, "espeak:en-us").expect("narrator").voice,
            "piper:x"
        );
        let c = Cast::default();
        assert!(c.role(Some("MARA"), "espeak:en-us").is_err());
        assert_eq!(
            c.role(None, "espeak:en-us").expect("narrator").voice,
            "espeak:en-us"
        );
    }
}
