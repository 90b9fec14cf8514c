//! The lexicon as the CLI and the app use it: list, add, remove, import,
//! export; which finished speech tracks a change touches (each track keeps
//! the entries it was made with in its recipe, so a change is what differs
//! from those); and applying a change, which remakes exactly those tracks
//! (only the sentences holding the word are spoken again: every other clip
//! is in the cache under an unchanged key).

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
        let entry = &Entry {
            word: entry.word.trim().to_string(),
            ..entry.clone()
        };
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

    /// The speech tracks (finished or failed) that the lexicon as it is now
    /// would say otherwise than they were made: those whose section holds a
    /// word whose entry changed, was added or was removed since their batch
    /// was planned (or a change was last applied to them). Only the words of
    /// `words` count (all words when empty). In the project `scope`, or every
    /// project for the global lexicon. With each, how many of its sentences
    /// hold a changed word.
    ///
    /// # Errors
    /// [`Error::Config`] for an entry with no word; store errors.
    pub fn lexicon_touches(&self, scope: &str, words: &[Entry]) -> Result<Vec<Touched>> {
        Ok(self
            .lexicon_changes(scope, words)?
            .into_iter()
            .map(|(t, _)| t)
            .collect())
    }

    /// Remakes the tracks [`Studio::lexicon_touches`] lists: each gets the
    /// changed entries in its recipe and goes back to its batch's queue.
    /// Returns the batches to run with [`Studio::run_batch`], and the tracks.
    ///
    /// # Errors
    /// As [`Studio::lexicon_touches`].
    pub fn lexicon_apply(&self, scope: &str, words: &[Entry]) -> Result<(Vec<i64>, Vec<Touched>)> {
        let mut batches = Vec::new();
        let mut reopened = Vec::new();
        for (t, recipe) in self.lexicon_changes(scope, words)? {
            if self.store().reopen_track(t.track_id, &recipe.to_json()?)? {
                if !batches.contains(&t.batch_id) {
                    batches.push(t.batch_id);
                }
                reopened.push(t);
            }
        }
        Ok((batches, reopened))
    }

    /// Each track the lexicon now says otherwise (see
    /// [`Studio::lexicon_touches`]), with its recipe as it would be with the
    /// changes applied.
    fn lexicon_changes(
        &self,
        scope: &str,
        words: &[Entry],
    ) -> Result<Vec<(Touched, SpeechRecipe)>> {
        if let Some(e) = words.iter().find(|e| e.word.trim().is_empty()) {
            return Err(Error::Config(format!(
                "a lexicon entry needs a word ({e:?})"
            )));
        }
        let only = |w: &str| {
            words.is_empty()
                || words
                    .iter()
                    .any(|e| e.word.trim().to_lowercase() == w.trim().to_lowercase())
        };
        let mut out = Vec::new();
        let mut lexicons: Vec<(String, Lexicon)> = Vec::new();
        for b in self.store().batches()? {
            if b.kind != JobKind::Speech || (!scope.is_empty() && b.project != scope) {
                continue;
            }
            if !lexicons.iter().any(|(p, _)| *p == b.project) {
                lexicons.push((b.project.clone(), lexicon::load(self.store(), &b.project)?));
            }
            let Some((_, now)) = lexicons.iter().find(|(p, _)| *p == b.project) else {
                continue;
            };
            for t in self.store().tracks(b.id)? {
                if !matches!(t.status, TrackStatus::Completed | TrackStatus::Failed) {
                    continue;
                }
                let (text, recipe_json) = self.store().track_inputs(t.id)?;
                let Ok(mut recipe) = SpeechRecipe::parse(&recipe_json) else {
                    continue;
                };
                let current = now.touching_lexicon(&text);
                // The words whose entries differ, among those asked about.
                let mut changed: Vec<Entry> = Vec::new();
                for e in current.entries.iter().chain(&recipe.lexicon.entries) {
                    let (was, is) = (recipe.lexicon.get(&e.word), current.get(&e.word));
                    if was != is && only(&e.word) && !changed.iter().any(|c| c.word == e.word) {
                        changed.push(e.clone());
                    }
                }
                if changed.is_empty() {
                    continue;
                }
                let probe = Lexicon { entries: changed };
                let n = crate::script::split_cast(&text, usize::MAX / 2, &recipe.cast.speakers())
                    .iter()
                    .filter(|u| !probe.touching(&u.text).is_empty())
                    .count();
                // The recipe with the asked-about words as they are now.
                let mut entries: Vec<Entry> = recipe
                    .lexicon
                    .entries
                    .iter()
                    .filter(|e| !only(&e.word))
                    .cloned()
                    .collect();
                entries.extend(current.entries.iter().filter(|e| only(&e.word)).cloned());
                recipe.lexicon = Lexicon::default().overlaid(&Lexicon { entries });
                out.push((
                    Touched {
                        track_id: t.id,
                        batch_id: b.id,
                        project: b.project.clone(),
                        title: t.title.clone(),
                        variant: t.variant.clone(),
                        sentences: n as u32,
                    },
                    recipe,
                ));
            }
        }
        Ok(out)
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
