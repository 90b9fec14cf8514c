//! The job kinds. Each kind is one module that declares, in one place, what
//! a track's recipe is, its ordered steps and how it runs them (`steps.rs`),
//! how a request becomes a batch of tracks (`plan.rs`), how its outputs are
//! titled, and its labels ([`KindDef`]). The registry [`ALL`] is the only list
//! of kinds: the runner, the CLI's progress, the app's event forwarding and
//! the UI's step labels (`ui/src/lib/kinds.ts`, generated from [`ui_table`]
//! and checked by a test) all read it. `docs/ARCHITECTURE.md` walks through
//! adding a kind.

pub mod conversion;
pub mod delivery;
pub mod music;
pub mod scenes;
pub mod speech;
pub mod transcription;

use serde::Serialize;

pub use crate::pipeline::kind::KindDef;
use crate::store::{JobKind, Step};

/// Every job kind, one line each.
pub static ALL: &[&KindDef] = &[
    &speech::KIND,
    &conversion::KIND,
    &music::KIND,
    &scenes::KIND,
    &transcription::KIND,
];

/// The definition of `kind` (`None` only for a kind added to [`JobKind`]
/// without its line in [`ALL`], which the registry test catches).
pub fn def(kind: JobKind) -> Option<&'static KindDef> {
    ALL.iter().find(|d| d.kind == kind).copied()
}

/// The steps of `kind`, in order.
pub fn steps(kind: JobKind) -> &'static [Step] {
    def(kind).map_or(&[], |d| d.steps)
}

/// One kind as the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindInfo {
    /// Stored name.
    pub kind: JobKind,
    /// Display name.
    pub label: &'static str,
    /// What one track is called.
    pub track_noun: &'static str,
    /// Its steps in order (stored names).
    pub steps: Vec<Step>,
}

/// The table the UI's step labels come from: every kind with its steps, and
/// every step's progressive label (`synthesizing`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UiTable {
    /// The kinds, in registry order.
    pub kinds: Vec<KindInfo>,
    /// Step (stored name) → the word shown while it runs.
    pub step_labels: std::collections::BTreeMap<&'static str, &'static str>,
}

/// The kinds and step labels as `ui/src/lib/kinds.ts` holds them.
pub fn ui_table() -> UiTable {
    let kinds: Vec<KindInfo> = ALL
        .iter()
        .map(|d| KindInfo {
            kind: d.kind,
            label: d.label,
            track_noun: d.track_noun,
            steps: d.steps.to_vec(),
        })
        .collect();
    let step_labels = kinds
        .iter()
        .flat_map(|k| k.steps.iter())
        .map(|&s| (s.as_str(), s.progressive()))
        .collect();
    UiTable { kinds, step_labels }
}

/// The TypeScript module the UI imports (`ui/src/lib/kinds.ts`).
///
/// # Errors
/// Never in practice (the table is plain data).
pub fn ui_module() -> serde_json::Result<String> {
    let t = ui_table();
    Ok(format!(
        "// Generated from crates/intone-core/src/kinds (ui_table): do not edit.\n\
         // Regenerate: INTONE_WRITE_BINDINGS=1 cargo test -p intone-core --lib kinds\n\n\
         /** Every job kind with its steps, in the order a track runs them. */\n\
         export const kinds = {} as const;\n\n\
         /** Step (stored name) → the word shown while it runs. */\n\
         export const stepLabel: Record<string, string> = {};\n",
        serde_json::to_string_pretty(&t.kinds)?,
        serde_json::to_string_pretty(&t.step_labels)?,
    ))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn every_kind_is_registered_once_with_its_steps() {
        for k in [
            JobKind::Speech,
            JobKind::Conversion,
            JobKind::Music,
            JobKind::Scenes,
            JobKind::Transcription,
        ] {
            assert_eq!(ALL.iter().filter(|d| d.kind == k).count(), 1, "{k}");
            let d = def(k).expect("registered");
            assert_eq!(d.kind, k);
            assert!(!d.steps.is_empty(), "{k} has steps");
            let mut seen = d.steps.to_vec();
            seen.dedup();
            assert_eq!(seen.len(), d.steps.len(), "{k}: no step twice");
        }
    }

    /// The UI's step labels come from `ui/src/lib/kinds.ts`: this fails when
    /// a kind's steps and that file disagree.
    #[test]
    fn ui_kinds_module_is_fresh() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/kinds.ts");
        let want = ui_module().expect("table");
        if std::env::var_os("INTONE_WRITE_BINDINGS").is_some() {
            std::fs::write(&path, &want).expect("write kinds.ts");
            return;
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            want == have,
            "{} disagrees with the kinds' steps: run `INTONE_WRITE_BINDINGS=1 cargo test -p intone-core --lib kinds` and commit it",
            path.display()
        );
    }
}
