//! Managing HTTP engines (`$INTONE_HOME/engines.toml`) from the studio:
//! add, remove, test, clone a voice; the engine set reloads after a change.

use std::path::Path;

use super::Studio;
use crate::engines::http::chatterbox::ChatterboxEngine;
use crate::engines::http::config::{EngineConfig, EnginesFile, Kind};
use crate::engines::http::openai::OpenAiEngine;
use crate::engines::http::Health;
use crate::engines::EngineRegistry;
use crate::error::{Error, Result};

/// Managing HTTP engines (`$INTONE_HOME/engines.toml`).
impl Studio {
    /// The configured HTTP engines.
    ///
    /// # Errors
    /// [`Error::Config`] naming `engines.toml` when it is broken.
    pub fn engines_file(&self) -> Result<EnginesFile> {
        EnginesFile::load(&self.home().engines_path())
    }

    /// Adds an HTTP engine named `name` (refuses to replace one).
    ///
    /// # Errors
    /// [`Error::Config`] for a bad name, URL or range, or an existing name.
    pub fn add_engine(&self, name: &str, cfg: EngineConfig) -> Result<()> {
        cfg.validate(name)?;
        let mut file = self.engines_file()?;
        if file.engines.contains_key(name) {
            return Err(Error::Config(format!(
                "engine \"{name}\" already exists (remove it first: intone engines remove {name})"
            )));
        }
        file.engines.insert(name.to_string(), cfg);
        file.save(&self.home().engines_path())?;
        self.reload_engines();
        Ok(())
    }

    /// Removes an HTTP engine.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown name.
    pub fn remove_engine(&self, name: &str) -> Result<()> {
        let mut file = self.engines_file()?;
        if file.engines.remove(name).is_none() {
            return Err(Error::NotFound(format!(
                "no engine \"{name}\" in {}",
                self.home().engines_path().display()
            )));
        }
        file.save(&self.home().engines_path())?;
        self.reload_engines();
        Ok(())
    }

    /// Rebuilds the engines from the built-ins and `engines.toml`, so an
    /// engine added or removed (here or by another process) is used from the
    /// next track on.
    pub fn reload_engines(&self) {
        self.pipeline.set_engines(EngineRegistry::builtin(
            self.home(),
            self.pipeline.options.ort_intra_threads,
        ));
        self.pipeline.reload_music();
    }

    /// Checks an HTTP engine's servers and counts its voices.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown name.
    pub fn test_engine(&self, name: &str) -> Result<Health> {
        let file = self.engines_file()?;
        let cfg = file.engines.get(name).ok_or_else(|| {
            Error::NotFound(format!("no engine \"{name}\" (see intone engines list)"))
        })?;
        Ok(match cfg.kind {
            Kind::Openai => OpenAiEngine::new(name, cfg.clone())?.health(),
            Kind::Chatterbox => ChatterboxEngine::new(name, cfg.clone())?.health(),
            Kind::Cog => crate::engines::music::cog::Cog::new(name, cfg)?.health(),
        })
    }

    /// Uploads a reference clip to a Chatterbox engine for voice cloning;
    /// returns the new voice id (`NAME:clone:<file>`).
    ///
    /// # Errors
    /// [`Error::NotFound`] / [`Error::Config`] for an unknown or non-Chatterbox
    /// engine; [`Error::Engine`] when the upload fails.
    pub fn clone_voice(&self, name: &str, clip: &Path) -> Result<String> {
        let file = self.engines_file()?;
        let cfg = file.engines.get(name).ok_or_else(|| {
            Error::NotFound(format!("no engine \"{name}\" (see intone engines list)"))
        })?;
        if cfg.kind != Kind::Chatterbox {
            return Err(Error::Config(format!(
                "engine \"{name}\" is {}; only chatterbox engines clone voices",
                cfg.kind
            )));
        }
        Ok(ChatterboxEngine::new(name, cfg.clone())?.upload_reference(clip)?)
    }
}
