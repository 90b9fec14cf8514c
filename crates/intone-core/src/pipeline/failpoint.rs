//! Crash injection for durability tests. When `INTONE_FAILPOINT` is set the
//! process aborts (like a power cut or SIGKILL: no destructors, no cleanup) at
//! the named point:
//!
//! * `<step>:before_commit` — the step's files are written and renamed, but
//!   the step is not yet marked done;
//! * `<step>:after_commit` — the step is marked done;
//! * `synthesize:sentence:<n>` — after the n-th new clip is cached.
//!
//! Append `@<track_position>` to fire only for that track (`mix:after_commit@2`).
//! Unset in normal use; reading it costs one environment lookup per process.

use std::sync::OnceLock;

/// Environment variable naming the fail point.
pub const FAILPOINT_ENV: &str = "INTONE_FAILPOINT";

fn spec() -> Option<&'static str> {
    static SPEC: OnceLock<Option<String>> = OnceLock::new();
    SPEC.get_or_init(|| std::env::var(FAILPOINT_ENV).ok().filter(|s| !s.is_empty()))
        .as_deref()
}

/// Aborts the process if `point` (for the track at `position`) is the configured fail point.
pub fn hit(point: &str, position: i64) {
    let Some(s) = spec() else { return };
    let (name, pos) = match s.split_once('@') {
        Some((n, p)) => (n, p.parse::<i64>().ok()),
        None => (s, None),
    };
    if name == point && pos.is_none_or(|p| p == position) {
        eprintln!("intone: fail point {s} reached; aborting");
        std::process::abort();
    }
}
