//! # intone-core
//!
//! Everything that matters in Intone, with no UI dependency: script parsing,
//! the durable SQLite job store, speech engines and beds, audio DSP
//! (resampling, mixing, ducking, EBU R128 mastering, encoding, peaks) and the
//! batch pipeline that ties them together. See `DESIGN.md` for the picture.
//!
//! The front door is [`studio::Studio`].

pub mod assets;
pub mod audio;
pub mod book;
pub mod cast;
pub mod engines;
pub mod error;
pub mod fsio;
pub mod hash;
pub mod home;
pub mod kinds;
pub mod lexicon;
pub mod library;
pub mod pipeline;
pub mod recognize;
pub mod script;
pub mod store;
pub mod studio;
pub mod subtitles;
pub mod variants;

pub use error::{Error, Result};
pub use home::Home;
pub use studio::{GenerateRequest, Studio};
