//! Casting a script before a batch exists: the cast it is spoken with (from
//! the store, `cast.toml`, front matter and `--cast`, see [`crate::cast`]),
//! checked against the script's voice markers and the installed voices,
//! and what the user should know (undeclared speaker-like lines, lexicon
//! entries an engine cannot say).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::cast::{self, Cast, NARRATOR};
use crate::engines::VoiceRef;
use crate::error::{Error, Result};
use crate::script::directives::Token;
use crate::script::{speaker_counts, Script};
use crate::studio::Studio;

/// A script's speakers and their voices (`intone cast`, the app's cast panel).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Casting {
    /// The cast the script would be spoken with.
    pub cast: Cast,
    /// Every speaker with lines, the narrator first, in order of appearance.
    pub speakers: Vec<SpeakerLines>,
    /// Things to fix or know; empty when the script can be generated as is.
    pub problems: Vec<String>,
    /// Notes that do not stop a batch.
    pub warnings: Vec<String>,
}

/// One speaker's share of a script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SpeakerLines {
    /// The speaker ([`NARRATOR`] for unmarked text).
    pub name: String,
    /// Sentences they say.
    pub sentences: u32,
    /// Their voice id, when the cast (or the batch voice) gives one.
    pub voice: Option<String>,
    /// One of their sentences, to preview the voice with.
    pub sample: String,
}

impl Studio {
    /// The cast `script` is spoken with: the project's saved cast, then
    /// `cast.toml` beside it, its front matter, and `cast_file`, each
    /// overriding the one before speaker by speaker.
    ///
    /// # Errors
    /// A cast file that cannot be read; store errors.
    pub fn cast_of(
        &self,
        script: &Script,
        project: &str,
        cast_file: Option<&Path>,
    ) -> Result<Cast> {
        let mut c = match self.store().project_cast(project)? {
            Some(j) => serde_json::from_str(&j).map_err(|e| {
                Error::Config(format!("project \"{project}\": bad saved cast: {e}"))
            })?,
            None => Cast::default(),
        };
        if let Some(p) = cast::beside(&script.source) {
            c.overlay(&Cast::read(&p)?);
        }
        if let Some(front) = &script.cast {
            c.overlay(front);
        }
        if let Some(p) = cast_file {
            c.overlay(&Cast::read(p)?);
        }
        Ok(c)
    }

    /// Saves `cast` as `project`'s (the app's cast panel); an empty cast
    /// forgets it.
    ///
    /// # Errors
    /// Store errors.
    pub fn save_project_cast(&self, project: &str, cast: &Cast) -> Result<()> {
        let json = serde_json::to_string(cast).map_err(|e| Error::Config(e.to_string()))?;
        self.store()
            .put_project_cast(project, (!cast.is_empty()).then_some(json.as_str()))
    }

    /// Casts `script` with `cast` and checks it: every speaker with lines
    /// has a voice that exists, every setting is one its engine takes.
    /// `batch_voice` speaks for the narrator when the cast has no
    /// [`NARRATOR`]. Problems name the script, the speaker and the line.
    pub fn casting(&self, script: &Script, cast: &Cast, batch_voice: Option<&str>) -> Casting {
        let speakers = cast.speakers();
        let source = script.source.display().to_string();
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        for d in &script.directives {
            if let Token::Voice(name) = &d.token {
                let known = name.eq_ignore_ascii_case(NARRATOR)
                    || speakers
                        .iter()
                        .any(|s| s.to_lowercase() == name.to_lowercase());
                if !known {
                    problems.push(format!(
                        "{source}: line {}: speaker \"{name}\" has no voice in the cast",
                        d.line
                    ));
                }
            }
        }
        for (line, name) in undeclared_speaker_lines(&script.text, &speakers) {
            warnings.push(format!(
                "{source}: line {line}: \"{name}:\" looks like a speaker, but the cast has no {name}; it is read as narration"
            ));
        }
        let mut lines: Vec<SpeakerLines> = Vec::new();
        for section in &script.sections {
            for (name, n) in speaker_counts(&section.text, &speakers) {
                let sample = crate::script::split_cast(&section.text, usize::MAX / 2, &speakers)
                    .into_iter()
                    .find(|u| u.speaker.as_deref().unwrap_or(NARRATOR) == name)
                    .map(|u| u.text)
                    .unwrap_or_default();
                match lines.iter_mut().find(|l| l.name == name) {
                    Some(l) => l.sentences += n as u32,
                    None => lines.push(SpeakerLines {
                        voice: cast.roles.get(&name).map(|r| r.voice.clone()).or_else(|| {
                            (name == NARRATOR)
                                .then(|| batch_voice.map(str::to_string))
                                .flatten()
                        }),
                        name,
                        sentences: n as u32,
                        sample,
                    }),
                }
            }
        }
        for l in &lines {
            match cast.roles.get(&l.name) {
                Some(role) => {
                    if let Err(e) = self.check_role(&l.name, role) {
                        problems.push(format!("{source}: {e}"));
                    }
                }
                None if l.name == NARRATOR => {}
                None => problems.push(format!(
                    "{source}: speaker \"{}\" has no voice in the cast",
                    l.name
                )),
            }
        }
        lines.sort_by_key(|l| l.name != NARRATOR);
        Casting {
            cast: cast.clone(),
            speakers: lines,
            problems,
            warnings,
        }
    }

    /// What the lexicon cannot do for `script` cast with `cast`: entries
    /// whose phonemes a speaker's engine cannot take and that have no
    /// respelling (their words are said as written).
    ///
    /// # Errors
    /// Store errors.
    pub fn lexicon_warnings(
        &self,
        script: &Script,
        cast: &Cast,
        project: &str,
        voice: &str,
    ) -> Result<Vec<String>> {
        let lexicon = crate::lexicon::load(self.store(), project)?;
        let mut out = Vec::new();
        if lexicon.is_empty() {
            return Ok(out);
        }
        let speakers = cast.speakers();
        for section in &script.sections {
            for u in crate::script::split_cast(&section.text, usize::MAX / 2, &speakers) {
                let Ok(role) = cast.role(u.speaker.as_deref(), voice) else {
                    continue;
                };
                let Some(engine) = VoiceRef::parse(&role.voice)
                    .ok()
                    .and_then(|v| self.engines().get(&v.engine))
                else {
                    continue;
                };
                for word in lexicon
                    .apply(&u.text, engine.phoneme_alphabets())
                    .unsupported
                {
                    let w = format!(
                        "lexicon entry \"{word}\": {} cannot take its phonemes and it has no respelling, so it is said as written",
                        engine.id()
                    );
                    if !out.contains(&w) {
                        out.push(w);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Checks one speaker's voice and settings.
    fn check_role(&self, name: &str, role: &cast::Role) -> Result<()> {
        let voice = VoiceRef::parse(&role.voice)
            .map_err(|e| Error::Config(format!("speaker {name}: {e}")))?;
        let engine = self
            .engines()
            .resolve(&voice)
            .map_err(|e| Error::Config(format!("speaker {name}: {e}")))?;
        if let Some(known) = engine.settings() {
            for k in role.settings.keys() {
                if !known.iter().any(|(n, _)| n == k) {
                    let names: Vec<&str> = known.iter().map(|(n, _)| *n).collect();
                    return Err(Error::Config(format!(
                        "speaker {name}: {} takes no setting \"{k}\" ({})",
                        voice.engine,
                        if names.is_empty() {
                            "it takes none".to_string()
                        } else {
                            format!("it takes {}", names.join(", "))
                        }
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Lines that start a paragraph with an all-capitals name and a colon
/// (`MARA: …`) that is not a declared speaker: (1-based line, name).
fn undeclared_speaker_lines(text: &str, speakers: &[String]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut prev_blank = true;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if prev_blank {
            if let Some((name, rest)) = t.split_once(':') {
                let looks = !name.is_empty()
                    && name.chars().count() <= 30
                    && name.chars().any(char::is_alphabetic)
                    && name
                        .chars()
                        .all(|c| c.is_uppercase() || c == ' ' || c == '-' || c == '\'')
                    && rest.starts_with(' ');
                let declared = speakers.iter().any(|s| s.eq_ignore_ascii_case(name.trim()));
                if looks && !declared && !name.eq_ignore_ascii_case(NARRATOR) {
                    out.push((i + 1, name.trim().to_string()));
                }
            }
        }
        prev_blank = t.is_empty();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speaker_like_lines_are_found_only_when_undeclared() {
        let text = "MARA: Hello.\n\nNote: this is prose.\nTOM: not a paragraph start.\n\nTOM: Hi.";
        assert_eq!(
            undeclared_speaker_lines(text, &["MARA".into()]),
            vec![(6, "TOM".to_string())]
        );
    }
}
