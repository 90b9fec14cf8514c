//! A score's options that are not its scenes: what a scene that cannot
//! be generated becomes ([`OnError`]) and where scene changes fall
//! ([`Snap`]), with their names in the CLI and scene files.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What happens when a scene cannot be generated (after its retries).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// Silence of the scene's length takes its place; the score completes.
    #[default]
    ContinueWithSilence,
    /// The score stops at that scene with its error.
    Halt,
}

impl OnError {
    /// The name used in the CLI and scene files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContinueWithSilence => "continue_with_silence",
            Self::Halt => "halt",
        }
    }
}

impl std::str::FromStr for OnError {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_lowercase().replace('-', "_").as_str() {
            "continue_with_silence" | "continue" | "silence" => Ok(Self::ContinueWithSilence),
            "halt" | "stop" => Ok(Self::Halt),
            other => Err(Error::Config(format!(
                "unknown error strategy \"{other}\" (continue_with_silence or halt)"
            ))),
        }
    }
}

/// Where scene changes fall on the score.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Snap {
    /// Exactly where the scene list puts them.
    #[default]
    None,
    /// On the outgoing take's nearest bar line, within [`SNAP_SLACK_MS`]:
    /// the composer's own bar grid, or one estimated from a model's take
    /// ([`analysis::bar_grid`]).
    Bar,
}

impl Snap {
    /// The name used in the CLI and scene files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Bar => "bar",
        }
    }
}

impl std::str::FromStr for Snap {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_lowercase().as_str() {
            "none" | "off" | "" => Ok(Self::None),
            "bar" | "bars" => Ok(Self::Bar),
            other => Err(Error::Config(format!(
                "unknown snap \"{other}\" (none or bar)"
            ))),
        }
    }
}

/// How far a scene change may move to reach a bar line, ms: half a 4/4
/// bar at 60 BPM. Each take is made this much longer on each inner side.
pub const SNAP_SLACK_MS: u64 = 2_000;
