//! What every kind's planning shares: the delivery settings every request
//! embeds ([`Delivery`], defined with the encoders) and the stored form of a
//! recipe.

use serde::Serialize;

pub use crate::audio::encode::{check_output, Delivery, DEFAULT_SAMPLE_RATE_HZ};
use crate::error::{Error, Result};

/// A recipe as stored with its track.
///
/// # Errors
/// [`Error::Config`] when it cannot be serialized.
pub fn recipe_json(recipe: &impl Serialize) -> Result<String> {
    serde_json::to_string(recipe).map_err(|e| Error::Config(e.to_string()))
}
