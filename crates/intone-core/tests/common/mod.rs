//! Helpers shared by the integration tests: a studio on a temporary home and
//! a Tokio runtime to drive it.

use std::path::Path;

use intone_core::pipeline::RunOptions;
use intone_core::{Home, Studio};

/// A studio with default options on the home at `dir`.
pub fn studio(dir: &Path) -> Studio {
    Studio::open(Home::open(dir).expect("home"), RunOptions::default()).expect("studio")
}

/// A multi-threaded Tokio runtime with I/O and timers.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}
