//! The Library's rows as the store reads them.

use super::tests::new_batch;
use super::*;

#[test]
fn the_library_counts_each_tracks_flagged_sentences_from_its_check_step() {
    use crate::recognize::check::{score, CheckReport};
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("intone.db")).expect("store");
    let id = new_batch(&store, 3, 1);
    let tracks = store.tracks(id).expect("tracks");
    let report = |heard: &[&str]| {
        let sentences = ["The river is wide.", "Twelve birds sing."]
            .iter()
            .zip(heard)
            .enumerate()
            .map(|(i, (t, h))| score(i as u32, t, h))
            .collect();
        serde_json::to_string(&CheckReport {
            checked: true,
            sentences,
        })
        .expect("json")
    };
    // Track 0: one sentence misheard; track 1: clean; track 2: not checked.
    for (t, json) in [
        (
            &tracks[0],
            report(&["The river is wide.", "The bay is dumb."]),
        ),
        (
            &tracks[1],
            report(&["The river is wide.", "12 birds sing."]),
        ),
    ] {
        store.begin_step(t.id, Step::Check).expect("begin");
        store.finish_step(t.id, Step::Check, &json).expect("finish");
    }
    let items = store.library(&LibraryFilter::default()).expect("library");
    let flagged = |tid: i64| {
        items
            .iter()
            .find(|i| i.track.id == tid)
            .expect("item")
            .flagged
    };
    assert_eq!(flagged(tracks[0].id), Some(1));
    assert_eq!(flagged(tracks[1].id), Some(0));
    assert_eq!(flagged(tracks[2].id), None);
}
