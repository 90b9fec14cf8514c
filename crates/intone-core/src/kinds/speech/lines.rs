//! A speech track's lines: its section split into utterances (each with
//! its speaker, pauses and take), the voice of every speaker, and each
//! utterance rewritten by the lexicon for the engine that says it. The
//! synthesize step, the check, Regenerate and the sentence list all count
//! and read utterances through [`lines`], so they agree.

use std::sync::Arc;

use crate::cast::Cast;
use crate::engines::{EngineRegistry, SpeechEngine, VoiceRef};
use crate::error::{Error, Result};
use crate::kinds::speech::SpeechRecipe;
use crate::lexicon::Lexicon;
use crate::pipeline::stages::Settings;
use crate::script::{split_cast, Utterance};

/// One speaker's voice, resolved.
pub(crate) struct Role {
    /// The speaker (`None`: the narrator).
    pub name: Option<String>,
    /// The voice.
    pub voice: VoiceRef,
    /// Its engine.
    pub engine: Arc<dyn SpeechEngine>,
    /// Its settings, as the engine takes them.
    pub settings: Settings,
}

/// A track's utterances and voices.
pub(crate) struct Lines {
    /// What each engine is asked to say (lexicon applied), in order.
    pub utterances: Vec<Utterance>,
    /// The same utterances as written (for subtitles and the sentence list).
    pub written: Vec<String>,
    /// What the check compares each utterance with: the written text with
    /// the lexicon's respellings in, so that a word said as respelled is
    /// not flagged for it.
    pub expected: Vec<String>,
    /// The narrator first, then every speaker who has a line.
    pub roles: Vec<Role>,
}

/// Resolves `name`'s voice from `cast` (the narrator's falls back to
/// `track_voice`).
///
/// # Errors
/// [`Error::Config`] for a speaker with no voice; [`Error::NotFound`] for an
/// engine that is not configured.
pub(crate) fn role(
    engines: &EngineRegistry,
    cast: &Cast,
    name: Option<&str>,
    track_voice: &str,
) -> Result<Role> {
    let r = cast.role(name, track_voice)?;
    let voice = VoiceRef::parse(&r.voice)?;
    let engine = engines.get(&voice.engine).ok_or_else(|| {
        Error::NotFound(format!(
            "no engine \"{}\" (was it removed from engines.toml?)",
            voice.engine
        ))
    })?;
    let settings = match engine.settings() {
        None => r.settings,
        Some(known) => r
            .settings
            .into_iter()
            .filter(|(k, _)| known.iter().any(|(n, _)| n == k))
            .collect(),
    };
    Ok(Role {
        name: name.map(str::to_string),
        voice,
        engine,
        settings,
    })
}

/// The lines of a speech track whose section text is `text`, made with
/// `recipe` (its cast, takes and lexicon), and `track_voice` for the
/// narrator when the cast has none. Utterances are no longer than the
/// smallest limit of the engines of the speakers who have lines.
///
/// # Errors
/// As [`role`], for any speaker who has a line.
pub(crate) fn lines(
    engines: &EngineRegistry,
    text: &str,
    recipe: &SpeechRecipe,
    track_voice: &str,
) -> Result<Lines> {
    let cast = &recipe.cast;
    let lexicon: &Lexicon = &recipe.lexicon;
    let speakers = cast.speakers();
    // Who has lines (unbounded split: the speakers do not depend on the limit).
    let mut with_lines: Vec<Option<String>> = Vec::new();
    for u in split_cast(text, usize::MAX / 2, &speakers) {
        if !with_lines.contains(&u.speaker) {
            with_lines.push(u.speaker);
        }
    }
    let mut roles = vec![role(engines, cast, None, track_voice)?];
    for name in with_lines.iter().flatten() {
        if let Ok(r) = role(engines, cast, Some(name), track_voice) {
            roles.push(r);
        }
    }
    let max = roles
        .iter()
        .map(|r| r.engine.max_chars())
        .min()
        .unwrap_or(usize::MAX);
    let mut utterances = split_cast(text, max, &speakers);
    let mut written = Vec::with_capacity(utterances.len());
    let mut expected = Vec::with_capacity(utterances.len());
    for (i, u) in utterances.iter_mut().enumerate() {
        u.take = u32::try_from(i)
            .ok()
            .and_then(|i| recipe.takes.get(&i))
            .copied()
            .unwrap_or(0);
        let Some(r) = roles.iter().find(|r| r.name == u.speaker) else {
            // Only a speaker the cast has no (usable) voice for gets here.
            return Err(
                match role(engines, cast, u.speaker.as_deref(), track_voice) {
                    Err(e) => e,
                    Ok(_) => Error::Config(format!("no voice for speaker {:?}", u.speaker)),
                },
            );
        };
        written.push(u.text.clone());
        expected.push(if lexicon.is_empty() {
            u.text.clone()
        } else {
            lexicon.apply(&u.text, &[]).text
        });
        if !lexicon.is_empty() {
            let applied = lexicon.apply(&u.text, r.engine.phoneme_alphabets());
            u.text = applied.text;
            u.phonemes = applied.phonemes;
        }
    }
    roles.retain(|r| r.name.is_none() || utterances.iter().any(|u| u.speaker == r.name));
    Ok(Lines {
        utterances,
        written,
        expected,
        roles,
    })
}

/// The words utterance `u` says, as a take records them: its text and the
/// lexicon's phonemes (JSON). Two takes with the same words differ only in
/// delivery.
pub(crate) fn words(u: &Utterance) -> String {
    serde_json::json!({ "text": u.text, "phonemes": u.phonemes }).to_string()
}
