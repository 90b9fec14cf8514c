//! Helpers shared by the `intone convert` tests (`convert.rs`,
//! `convert_watch.rs`): a logging converter script and a home folder.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A converter script in `dir` that logs each chunk it is given to
/// `dir/calls.log`, fails with code 3 on the chunk named `fail_on` while
/// `dir/fixed` does not exist, and otherwise runs `sox` with `effect`.
pub fn converter_script(home: &Path, dir: &Path, fail_on: Option<&str>, effect: &str) {
    let script = dir.join("conv.sh");
    let fail = fail_on.map_or(String::new(), |c| {
        format!(
            "if [ \"$(basename \"$1\")\" = \"{c}\" ] && [ ! -f \"{}\" ]; then echo 'sox FAIL pitch: bad chunk' >&2; exit 3; fi\n",
            dir.join("fixed").display()
        )
    });
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nbasename \"$1\" >> \"{}\"\n{fail}exec sox \"$1\" \"$2\" {effect}\n",
            dir.join("calls.log").display()
        ),
    )
    .expect("script");
    Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .expect("chmod");
    std::fs::write(
        home.join("converters.toml"),
        format!(
            "[converters.lower]\ncommand = [\"{}\", \"{{input}}\", \"{{output}}\"]\ndescription = \"sox through a logging script\"\nconcurrency = 2\n",
            script.display()
        ),
    )
    .expect("converters.toml");
}

/// The chunk names the converter script logged, in call order.
pub fn calls(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("calls.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A fresh Intone home folder `dir/home`.
pub fn home_in(dir: &Path) -> PathBuf {
    let h = dir.join("home");
    std::fs::create_dir_all(&h).expect("home");
    h
}
