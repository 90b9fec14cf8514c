//! The command line's own documentation, made from its clap definitions so it
//! cannot drift: shell completions (`intone completions SHELL`, through
//! `clap_complete`), man pages in roff (`intone man-pages DIR`, through
//! `clap_mangen`: `intone.1` and one `intone-SUBCOMMAND.1` per subcommand) and
//! the Markdown reference `docs/cli.md` ([`markdown`], checked by a test).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Command;

/// The completion script for `shell` (made in memory: the generator panics
/// on a write error, so the caller writes it and handles a closed pipe).
pub fn completions(mut cmd: Command, shell: clap_complete::Shell) -> Vec<u8> {
    let name = cmd.get_name().to_string();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut out);
    out
}

/// Writes `intone.1` and `intone-SUBCOMMAND.1` (for every visible subcommand,
/// nested ones too) into `dir`, creating it. Returns the files written.
///
/// # Errors
/// The folder cannot be created or a page cannot be written (names the path).
pub fn man_pages(cmd: Command, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    clap_mangen::generate_to(cmd, dir)
        .with_context(|| format!("cannot write man pages into {}", dir.display()))?;
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "1"))
        .collect();
    pages.sort();
    Ok(pages)
}

/// The command reference in Markdown: the long help of `intone` and of every
/// visible subcommand, in definition order.
pub fn markdown(mut cmd: Command) -> String {
    cmd.build();
    let mut out = String::from(
        "# The `intone` command\n\n\
         Generated from the command's own definitions: do not edit. After changing a \
         command, run `INTONE_WRITE_DOCS=1 cargo test -p intone-cli manual` (a test fails \
         while this file differs). The packages also install these as man pages \
         (`man intone-generate`) with completions for bash, zsh and fish.\n\n",
    );
    section(&mut out, &mut cmd, "intone");
    out
}

fn section(out: &mut String, cmd: &mut Command, path: &str) {
    let heading = if path == "intone" { "##" } else { "###" };
    let help = cmd.render_long_help().to_string();
    out.push_str(&format!(
        "{heading} `{path}`\n\n```text\n{}\n```\n\n",
        help.trim_end()
    ));
    let names: Vec<String> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        if let Some(sub) = cmd.find_subcommand_mut(&name) {
            section(out, sub, &format!("{path} {name}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use clap::CommandFactory;

    use super::*;
    use crate::Cli;

    fn reference_path() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/cli.md")
    }

    /// docs/cli.md is what the definitions say; `INTONE_WRITE_DOCS=1` rewrites it.
    #[test]
    fn the_reference_matches_the_definitions() {
        let made = markdown(Cli::command());
        let path = reference_path();
        if std::env::var_os("INTONE_WRITE_DOCS").is_some() {
            std::fs::write(&path, &made).expect("write docs/cli.md");
        }
        let kept = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            kept == made,
            "docs/cli.md is out of date: run INTONE_WRITE_DOCS=1 cargo test -p intone-cli manual"
        );
        for sub in [
            "`intone generate`",
            "`intone engines add`",
            "`intone completions`",
        ] {
            assert!(made.contains(sub), "the reference has {sub}");
        }
        assert!(!made.contains("man-pages"), "hidden commands stay out");
    }

    #[test]
    fn a_man_page_per_subcommand() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let pages = man_pages(Cli::command(), tmp.path()).expect("man pages");
        let names: Vec<String> = pages
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        for want in [
            "intone.1",
            "intone-generate.1",
            "intone-say.1",
            "intone-engines-add.1",
        ] {
            assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
        }
        let page = std::fs::read_to_string(tmp.path().join("intone-generate.1")).expect("read");
        assert!(
            page.starts_with(".ie") || page.contains(".TH"),
            "roff: {page:.80}"
        );
        assert!(page.contains("variant"), "the page documents --variant");
    }

    #[test]
    fn completions_for_bash_zsh_and_fish() {
        for (shell, marker) in [
            (clap_complete::Shell::Bash, "complete -F"),
            (clap_complete::Shell::Zsh, "#compdef intone"),
            (clap_complete::Shell::Fish, "complete -c intone"),
        ] {
            let text = String::from_utf8(completions(Cli::command(), shell)).expect("utf-8");
            assert!(text.contains(marker), "{shell}: {text:.120}");
            assert!(text.contains("generate"), "{shell} completes subcommands");
        }
    }
}
