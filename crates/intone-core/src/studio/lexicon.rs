//! The lexicon as the CLI and the app use it: list, add, remove, import,
//! export; which finished speech tracks an entry touches; and applying a
//! change, which remakes exactly those tracks (only the sentences holding
//! the word are spoken again: every other clip is in the cache under an
//! unchanged key).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::kinds::speech::SpeechRecipe;
use crate::lexicon::{self, Entry, Format, Lexicon};
use crate::store::{JobKind, TrackStatus};
use crate::studio::Studio;

/// A speech track a lexicon entry touches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Touched {
    /// Track id.
    pub track_id: i64,
    /// Its batch.
    pub batch_id: i64,
    /// Its project.
    pub project: String,
    /// Its title (section).
    pub title: String,
    /// Its variant.
    pub variant: String,
    /// Sentences of it that hold one of the words.
    pub sentences: u32,
}

impl Studio {
    /// The entries of `scope` (`""`: global; else a project's).
    ///
    /// # Errors
    /// Store errors.
    pub fn lexicon(&self, scope: &str) -> Result<Lexicon> {
        lexicon::load_scope(self.store(), scope)
    }

    /// Adds `entry` to `scope`, replacing the entry for the same word.
    ///
    /// # Errors
    /// [`Error::Config`] naming the entry when it is malformed
    /// ([`Entry::check`]).
    pub fn lexicon_put(&self, scope: &str, entry: &Entry) -> Result<()> {
        entry.check()?;
        let json = serde_json::to_string(entry).map_err(|e| Error::Config(e.to_string()))?;
        // One row per word, whatever its case.
        for old in self.lexicon(scope)?.entries {
            if old.word.to_lowercase() == entry.word.trim().to_lowercase() {
                self.store().remove_lexicon_entry(scope, &old.word)?;
            }
        }
        self.store()
            .put_lexicon_entry(scope, entry.word.trim(), &json)
    }

    /// Removes `word` from `scope`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when `scope` has no such word.
    pub fn lexicon_remove(&self, scope: &str, word: &str) -> Result<()> {
        let found = self
            .lexicon(scope)?
            .entries
            .into_iter()
            .find(|e| e.word.to_lowercase() == word.trim().to_lowercase())
            .ok_or_else(|| {
                Error::NotFound(format!("the {} has no entry \"{word}\"", scope_name(scope)))
            })?;
        self.store().remove_lexicon_entry(scope, &found.word)?;
        Ok(())
    }

    /// Adds every entry of the file at `path` (TOML, or TSV by extension:
    /// [`Format::of`]) to `scope`. Returns how many. Nothing is added when
    /// any entry is bad.
    ///
    /// # Errors
    /// [`Error::Config`] naming the file, line or word.
    pub fn lexicon_import(&self, scope: &str, path: &Path) -> Result<usize> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let name = path.display().to_string();
        let lex = lexicon::parse_file_text(&text, Format::of(&name), &name)?;
        for e in &lex.entries {
            self.lexicon_put(scope, e)?;
        }
        Ok(lex.entries.len())
    }

    /// The speech tracks (finished or failed) whose sentences hold a word of
    /// `words`, in the project `scope` (every project for the global
    /// lexicon), with how many sentences each.
    ///
    /// # Errors
    /// Store errors.
    pub fn lexicon_touches(&self, scope: &str, words: &[Entry]) -> Result<Vec<Touched>> {
        let probe = Lexicon {
            entries: words.to_vec(),
        };
        let mut out = Vec::new();
        for b in self.store().batches()? {
            if b.kind != JobKind::Speech || (!scope.is_empty() && b.project != scope) {
                continue;
            }
            for t in self.store().tracks(b.id)? {
                if !matches!(t.status, TrackStatus::Completed | TrackStatus::Failed) {
                    continue;
                }
                let (text, recipe) = self.store().track_inputs(t.id)?;
                let speakers = SpeechRecipe::parse(&recipe)
                    .map(|r| r.cast.speakers())
                    .unwrap_or_default();
                let n = crate::script::split_cast(&text, usize::MAX / 2, &speakers)
                    .iter()
                    .filter(|u| !probe.touching(&u.text).is_empty())
                    .count();
                if n > 0 {
                    out.push(Touched {
                        track_id: t.id,
                        batch_id: b.id,
                        project: b.project.clone(),
                        title: t.title.clone(),
                        variant: t.variant.clone(),
                        sentences: n as u32,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Remakes the tracks that `words` touch (see [`Studio::lexicon_touches`])
    /// with the lexicon as it is now: each goes back to its batch's queue
    /// with its recipe unchanged. Returns the batches to run with
    /// [`Studio::run_batch`], and the tracks.
    ///
    /// # Errors
    /// Store errors.
    pub fn lexicon_apply(&self, scope: &str, words: &[Entry]) -> Result<(Vec<i64>, Vec<Touched>)> {
        let touched = self.lexicon_touches(scope, words)?;
        let mut batches = Vec::new();
        let mut reopened = Vec::new();
        for t in touched {
            let (_, recipe) = self.store().track_inputs(t.track_id)?;
            if self.store().reopen_track(t.track_id, &recipe)? {
                if !batches.contains(&t.batch_id) {
                    batches.push(t.batch_id);
                }
                reopened.push(t);
            }
        }
        Ok((batches, reopened))
    }
}

/// "global lexicon" or "lexicon of project X".
fn scope_name(scope: &str) -> String {
    if scope.is_empty() {
        "global lexicon".into()
    } else {
        format!("lexicon of project \"{scope}\"")
    }
}
