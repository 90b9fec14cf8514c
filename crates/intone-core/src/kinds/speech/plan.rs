//! Generate requests: scripts × a voice × variants → a `speech` batch, one
//! track per section × variant. The request is validated completely (every
//! script parsed, the voice resolved, every variant found) before anything
//! is written.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::engines::VoiceRef;
use crate::error::{Error, Result};
use crate::kinds::delivery::Delivery;
use crate::kinds::speech::SpeechRecipe;
use crate::script::{self, Script};
use crate::store::{JobKind, NewBatch, NewTrack, SectionRef};
use crate::studio::Studio;
use crate::variants::{self, Variant};

/// A Generate click.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateRequest {
    /// Script files (`.md`, `.txt`).
    pub scripts: Vec<PathBuf>,
    /// Voice id; `None` = the best installed voice.
    pub voice: Option<String>,
    /// Variant names; empty = `voice`.
    pub variants: Vec<String>,
    /// How its files are delivered.
    #[serde(flatten)]
    pub delivery: Delivery,
    /// Project name; `None` = the first script's title.
    pub project: Option<String>,
    /// Check every sentence with the speech recognizer (on unless turned off).
    #[serde(default = "default_check")]
    pub check: bool,
    /// A cast file (`--cast`), overriding the project's, `cast.toml`'s and
    /// the front matter's entries speaker by speaker.
    #[serde(default)]
    pub cast: Option<PathBuf>,
    /// Voices given with the request by speaker (the app's cast panel):
    /// they override every other source, `--cast` included.
    #[serde(default)]
    pub roles: Option<crate::cast::Cast>,
    /// SRT cues start with the speaker's name (`MARA: …`) when the script
    /// has a cast. WebVTT cues always carry it as a voice span.
    #[serde(default)]
    pub srt_speakers: bool,
    /// Best of N (1–[`MAX_BEST_OF`]; 1 = off): a sentence the check flags
    /// is spoken up to N − 1 more times, and the take the recognizer hears
    /// best is kept. Needs the check.
    #[serde(default = "default_best_of")]
    pub best_of: u32,
    /// Which chapters of a book to make (`"3-7"`, `"1,4,9-12"`; numbers as
    /// `intone chapters` lists them). `None`: every chapter that is not
    /// front or back matter.
    #[serde(default)]
    pub chapters: Option<String>,
}

/// The most candidates best-of-N makes of one sentence.
pub const MAX_BEST_OF: u32 = 9;

fn default_check() -> bool {
    true
}

fn default_best_of() -> u32 {
    1
}

impl Default for GenerateRequest {
    fn default() -> Self {
        Self {
            delivery: Delivery::default(),
            scripts: vec![],
            voice: None,
            variants: vec![],
            project: None,
            check: true,
            cast: None,
            roles: None,
            srt_speakers: false,
            best_of: 1,
            chapters: None,
        }
    }
}

/// A validated request, ready to be recorded.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Parsed scripts.
    pub scripts: Vec<Script>,
    /// Resolved voice id (the narrator's, unless a cast names one).
    pub voice: String,
    /// Each script's cast, in script order (empty: one voice).
    pub casts: Vec<crate::cast::Cast>,
    /// The project's lexicon (global entries, the project's over them); each
    /// track keeps the entries that touch its section.
    pub lexicon: crate::lexicon::Lexicon,
    /// Resolved variants.
    pub variants: Vec<Variant>,
    /// The request.
    pub request: GenerateRequest,
    /// Warnings for the user (skipped empty sections).
    pub warnings: Vec<String>,
}

impl Plan {
    /// Tracks the batch will have.
    pub fn track_count(&self) -> usize {
        self.scripts.iter().map(|s| s.sections.len()).sum::<usize>() * self.variants.len()
    }
}

/// The script `path` is: a book's picked chapters (an EPUB or a PDF, any
/// file given `--chapters`, or a plain-text file whose one section has
/// chapter lines and no pause tags), else the script as written.
///
/// # Errors
/// [`Error::Script`] naming the file; [`Error::Config`] for a chapter
/// spec the book does not have.
fn script_of(path: &std::path::Path, chapters: Option<&str>) -> Result<Script> {
    if crate::book::is_book_path(path) || chapters.is_some() {
        let book = crate::book::read(path)?;
        return book.script(&book.pick(chapters)?);
    }
    let script = script::parse_file(path)?;
    let plain = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"));
    if plain && script.sections.len() == 1 && script.directives.is_empty() && script.cast.is_none()
    {
        let book = crate::book::read(path)?;
        if book.chapters.len() > 1 {
            return book.script(&book.pick(None)?);
        }
    }
    Ok(script)
}

impl Studio {
    /// Validates a request without writing anything.
    ///
    /// # Errors
    /// One clear error naming the bad script, voice, variant or setting.
    pub fn plan(&self, req: &GenerateRequest) -> Result<Plan> {
        if req.scripts.is_empty() {
            return Err(Error::Config("no script given".into()));
        }
        req.delivery.check()?;
        if !(1..=MAX_BEST_OF).contains(&req.best_of) {
            return Err(Error::Config(format!(
                "--best-of {} is out of range: give 1 (off) to {MAX_BEST_OF}",
                req.best_of
            )));
        }
        if req.best_of > 1 && !req.check {
            return Err(Error::Config(
                "--best-of needs the sentence check (it keeps the take the recognizer hears best); drop --no-check".into(),
            ));
        }
        let mut scripts = Vec::new();
        let mut warnings = Vec::new();
        for p in &req.scripts {
            let s = script_of(p, req.chapters.as_deref())?;
            warnings.extend(s.warnings.iter().map(|w| format!("{}: {w}", p.display())));
            scripts.push(s);
        }
        if req.check && crate::recognize::find_model(self.home()).is_none() {
            return Err(Error::NotFound(format!(
                "{}, or turn the sentence check off (--no-check; in the app, \"Check every sentence\")",
                crate::recognize::model_missing(self.home())
            )));
        }
        let project = req
            .project
            .clone()
            .or_else(|| scripts.first().map(|s| s.title.clone()))
            .unwrap_or_else(|| "Untitled".into());
        let casts = scripts
            .iter()
            .map(|s| {
                let mut c = self.cast_of(s, &project, req.cast.as_deref())?;
                if let Some(r) = &req.roles {
                    c.overlay(r);
                }
                Ok(c)
            })
            .collect::<Result<Vec<_>>>()?;
        // The cast's narrator speaks unmarked text; the batch voice only
        // when the cast has none.
        let narrator = casts
            .first()
            .and_then(|c| c.roles.get(crate::cast::NARRATOR))
            .map(|r| r.voice.clone());
        let voice = match (narrator, &req.voice) {
            (Some(n), _) => VoiceRef::parse(&n)?.to_string(),
            (None, Some(v)) => VoiceRef::parse(v)?.to_string(),
            (None, None) => self.engines().default_voice(),
        };
        let mut problems = Vec::new();
        for (s, c) in scripts.iter().zip(&casts) {
            let casting = self.casting(s, c, Some(&voice));
            problems.extend(casting.problems);
            warnings.extend(casting.warnings);
            warnings.extend(self.lexicon_warnings(s, c, &project, &voice)?);
        }
        if !problems.is_empty() {
            return Err(Error::Config(problems.join("\n")));
        }
        let (_, unlisted) = self
            .engines()
            .resolve_with_warning(&VoiceRef::parse(&voice)?)?;
        warnings.extend(unlisted);
        let names: Vec<String> = if req.variants.is_empty() {
            vec!["voice".into()]
        } else {
            let mut seen = Vec::new();
            for n in &req.variants {
                if !seen.contains(n) {
                    seen.push(n.clone());
                }
            }
            seen
        };
        let mut variants = names
            .iter()
            .map(|n| variants::find(self.home(), n))
            .collect::<Result<Vec<_>>>()?;
        // The project's default pauses replace its variants' own.
        let pauses = self.project_pauses(&project)?;
        for v in &mut variants {
            pauses.apply(v);
        }
        // A loudness target asked for with the request masters every variant to it.
        if let Some(t) = req.delivery.target_lufs {
            for v in &mut variants {
                v.target_lufs = t;
            }
        }
        for v in &variants {
            if let crate::engines::beds::BedSpec::File(p) = &v.bed {
                if !p.is_file() {
                    return Err(Error::NotFound(format!(
                        "variant \"{}\": bed file {} does not exist",
                        v.name,
                        p.display()
                    )));
                }
            }
        }
        let lexicon = crate::lexicon::load(self.store(), &project)?;
        Ok(Plan {
            scripts,
            voice,
            casts,
            lexicon,
            variants,
            request: req.clone(),
            warnings,
        })
    }

    /// Records a planned batch (batch and all tracks, before any work).
    ///
    /// # Errors
    /// Store errors.
    pub fn create_batch(&self, plan: &Plan) -> Result<i64> {
        let project = plan
            .request
            .project
            .clone()
            .or_else(|| plan.scripts.first().map(|s| s.title.clone()))
            .unwrap_or_else(|| "Untitled".into());
        self.store().create_batch(&NewBatch {
            project: &project,
            kind: JobKind::Speech,
            engine: &plan.voice,
            delivery: &plan.request.delivery,
            speech_check: plan.request.check,
            scripts: &plan.scripts,
            tracks: &plan.tracks()?,
        })
    }
}

impl Plan {
    /// One track per section × variant, in script and section order.
    ///
    /// # Errors
    /// [`Error::Config`] when a variant cannot be stored as a recipe.
    pub fn tracks(&self) -> Result<Vec<NewTrack>> {
        let mut out = Vec::with_capacity(self.track_count());
        for (si, script) in self.scripts.iter().enumerate() {
            let cast = self.casts.get(si).cloned().unwrap_or_default();
            for (section, s) in script.sections.iter().enumerate() {
                for v in &self.variants {
                    let recipe = SpeechRecipe {
                        variant: v.clone(),
                        takes: Default::default(),
                        cast: cast.clone(),
                        srt_speakers: self.request.srt_speakers,
                        lexicon: self.lexicon.touching_lexicon(&s.text),
                        best_of: self.request.best_of,
                    };
                    out.push(NewTrack {
                        title: s.title.clone(),
                        section: Some(SectionRef {
                            script: si,
                            section,
                        }),
                        variant: v.name.clone(),
                        recipe_json: if cast.is_empty()
                            && recipe.lexicon.is_empty()
                            && recipe.best_of <= 1
                        {
                            crate::kinds::delivery::recipe_json(v)?
                        } else {
                            recipe.to_json()?
                        },
                        ..NewTrack::default()
                    });
                }
            }
        }
        Ok(out)
    }
}
