//! Finding and loading ONNX Runtime. `ort` loads `libonnxruntime` at run time
//! (`load-dynamic`); nothing is downloaded. The library is looked for, in
//! order, at `$ORT_DYLIB_PATH`, in `$INTONE_HOME/runtime/`, then in each of
//! Intone's asset roots ([`crate::assets::roots`]), in its `runtime/` folder
//! and in the root itself. The PyPI wheel names the file with
//! its full version (`libonnxruntime.so.1.32.0`), so folders are searched for
//! any `libonnxruntime.so*`, newest version first.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ort::environment::Environment;

use crate::home::Home;

/// Environment variable naming the ONNX Runtime library file.
pub const ORT_DYLIB_ENV: &str = "ORT_DYLIB_PATH";

fn candidates_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                            n.starts_with("libonnxruntime.so")
                                || n == "libonnxruntime.dylib"
                                || n == "onnxruntime.dll"
                        })
                })
                .collect()
        })
        .unwrap_or_default();
    // Prefer the longest (most specific, e.g. full version) name, then lexically newest.
    found.sort_by(|a, b| b.as_os_str().len().cmp(&a.as_os_str().len()).then(b.cmp(a)));
    found
}

/// Where the ONNX Runtime library is.
///
/// # Errors
/// A message saying where it was looked for.
pub fn locate(home: &Home) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os(ORT_DYLIB_ENV).filter(|v| !v.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!(
                "{ORT_DYLIB_ENV} names {}, which does not exist",
                p.display()
            ))
        };
    }
    let mut dirs = vec![home.root().join("runtime")];
    for root in crate::assets::roots() {
        dirs.push(root.dir.join("runtime"));
        dirs.push(root.dir);
    }
    for d in &dirs {
        if let Some(p) = candidates_in(d).into_iter().next() {
            return Ok(p);
        }
    }
    let looked: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    Err(format!(
        "ONNX Runtime library (libonnxruntime.so.*) not found; looked in {}. \
         Set {ORT_DYLIB_ENV} to the file, or run scripts/setup.sh, which installs it",
        looked.join(", ")
    ))
}

static ENV: OnceLock<Result<(PathBuf, Environment), String>> = OnceLock::new();

/// Loads ONNX Runtime (once per process) and returns its environment.
///
/// # Errors
/// A message naming the library and why it could not be loaded.
pub fn environment(home: &Home) -> Result<Environment, String> {
    let r = ENV.get_or_init(|| {
        let path = locate(home)?;
        let builder =
            ort::init_from(&path).map_err(|e| format!("cannot load {}: {e}", path.display()))?;
        // Local-first: nothing about the user's runs is recorded or sent.
        let env = builder
            .with_name("intone")
            .with_telemetry(false)
            .build()
            .map_err(|e| format!("cannot start ONNX Runtime from {}: {e}", path.display()))?;
        Ok((path, env))
    });
    r.as_ref().map(|(_, e)| e.clone()).map_err(Clone::clone)
}
