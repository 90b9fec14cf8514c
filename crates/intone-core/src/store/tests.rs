use std::path::Path;

use super::*;
use crate::script::parse_text;
use crate::variants::builtins;

fn script(text: &str) -> crate::script::Script {
    parse_text(text, "t", true, Path::new("t.md")).expect("script")
}

/// Speech tracks as the speech kind plans them: section × variant.
fn speech_tracks(
    scripts: &[crate::script::Script],
    variants: &[crate::variants::Variant],
) -> Vec<NewTrack> {
    let mut out = Vec::new();
    for (si, s) in scripts.iter().enumerate() {
        for (section, x) in s.sections.iter().enumerate() {
            for v in variants {
                out.push(NewTrack {
                    title: x.title.clone(),
                    section: Some(SectionRef {
                        script: si,
                        section,
                    }),
                    variant: v.name.clone(),
                    recipe_json: serde_json::to_string(v).expect("json"),
                    ..NewTrack::default()
                });
            }
        }
    }
    out
}

/// A speech batch of `sections` one-sentence sections × `variants`
/// built-in variants; its id.
pub(crate) fn new_batch(store: &Store, sections: usize, variants: usize) -> i64 {
    let text: String = (0..sections)
        .map(|i| format!("## S{i}\n\nHello number {i}.\n\n"))
        .collect();
    let s = [script(&text)];
    let v: Vec<_> = builtins().into_iter().take(variants).collect();
    store
        .create_batch(&NewBatch {
            project: "Test",
            kind: JobKind::Speech,
            engine: "espeak:en-us",
            delivery: &Default::default(),
            speech_check: false,
            scripts: &s,
            tracks: &speech_tracks(&s, &v),
        })
        .expect("batch")
}

#[test]
fn units_keep_their_state_per_key_and_retry_only_failed() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("x.db")).expect("open");
    let id = new_batch(&store, 1, 1);
    let tid = store.tracks(id).expect("t")[0].id;
    let plan: Vec<(String, String)> = (0..4).map(|i| (format!("k{i}"), "{}".into())).collect();
    store.plan_units(tid, Step::Convert, &plan).expect("plan");
    assert!(store.claim_track(tid).expect("claim"));
    for i in 0..4 {
        assert_eq!(
            store.begin_unit(tid, Step::Convert, i).expect("begin"),
            Some(1)
        );
    }
    store
        .finish_unit(tid, Step::Convert, 0, "{\"a\":1}")
        .expect("done");
    store
        .finish_unit(tid, Step::Convert, 1, "{}")
        .expect("done");
    store
        .fail_unit(tid, Step::Convert, 2, "boom")
        .expect("fail");
    // Unit 3 is left running, as a crash would leave it.
    assert_eq!(store.track(tid).expect("t").units_done, 2);
    assert_eq!(store.track(tid).expect("t").units_total, 4);
    // Same plan again: nothing changes.
    let again = store.plan_units(tid, Step::Convert, &plan).expect("replan");
    assert_eq!(again[0].status, UnitStatus::Done);
    assert_eq!(again[0].output_json.as_deref(), Some("{\"a\":1}"));
    assert_eq!(again[2].status, UnitStatus::Failed);
    // Recovery puts the running unit back; retry the failed one; done stay.
    store.recover_batch(id).expect("recover");
    let u = store.units(tid, Step::Convert).expect("units");
    assert_eq!(u[3].status, UnitStatus::Pending);
    assert_eq!(u[2].status, UnitStatus::Failed);
    store.fail_track(tid, "x").ok();
    store.retry_batch(id).expect("retry");
    let u = store.units(tid, Step::Convert).expect("units");
    assert_eq!(
        u.iter().map(|u| u.status).collect::<Vec<_>>(),
        [
            UnitStatus::Done,
            UnitStatus::Done,
            UnitStatus::Pending,
            UnitStatus::Pending
        ]
    );
    // A new key for unit 1 resets it; a shorter plan drops the rest.
    let mut plan2 = plan[..2].to_vec();
    plan2[1].0 = "other".into();
    let u = store
        .plan_units(tid, Step::Convert, &plan2)
        .expect("replan");
    assert_eq!(u.len(), 2);
    assert_eq!(u[0].status, UnitStatus::Done);
    assert_eq!(u[1].status, UnitStatus::Pending);
    assert_eq!(u[1].output_json, None);
}

#[test]
fn batch_and_tracks_are_written_together_with_counters() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("x.db")).expect("open");
    let id = new_batch(&store, 3, 2);
    let b = store.batch(id).expect("b");
    assert_eq!(
        (b.expected, b.pending, b.completed, b.status),
        (6, 6, 0, BatchStatus::Pending)
    );
    let tracks = store.tracks(id).expect("t");
    assert_eq!(tracks.len(), 6);
    assert_eq!(tracks[1].title, "S0");
    assert_eq!(tracks[1].variant, "sleep");
}

fn result() -> TrackResult {
    TrackResult {
        output_path: "/o.wav".into(),
        duration_ms: 1000,
        sample_rate_hz: 48_000,
        channels: 1,
        loudness_lufs: -16.0,
        true_peak_dbtp: -1.5,
        peaks_path: "/p.json".into(),
    }
}

#[test]
fn status_machine_and_counters_follow_tracks() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("x.db")).expect("open");
    let id = new_batch(&store, 2, 2);
    let t: Vec<i64> = store.tracks(id).expect("t").iter().map(|t| t.id).collect();
    assert!(store.claim_track(t[0]).expect("claim"));
    assert!(
        !store.claim_track(t[0]).expect("claim twice"),
        "a running track cannot be claimed again"
    );
    assert_eq!(store.batch(id).expect("b").status, BatchStatus::Processing);
    assert!(store.complete_track(t[0], &result()).expect("complete"));
    assert!(store.claim_track(t[1]).expect("claim"));
    assert!(store.fail_track(t[1], "engine exploded").expect("fail"));
    for &x in &t[2..] {
        store.claim_track(x).expect("claim");
        store.complete_track(x, &result()).expect("complete");
    }
    let b = store.batch(id).expect("b");
    assert_eq!(
        (b.completed, b.failed, b.pending, b.status),
        (3, 1, 0, BatchStatus::PartialSuccess)
    );
    assert_eq!(
        store.tracks(id).expect("t")[1].error.as_deref(),
        Some("engine exploded")
    );

    // Retry only the failed one.
    assert_eq!(store.retry_batch(id).expect("retry"), 1);
    let b = store.batch(id).expect("b");
    assert_eq!(
        (b.completed, b.failed, b.pending, b.status),
        (3, 0, 1, BatchStatus::Processing)
    );
    assert_eq!(store.pending_tracks(id).expect("p"), vec![t[1]]);
    store.claim_track(t[1]).expect("claim");
    store.complete_track(t[1], &result()).expect("complete");
    assert_eq!(store.batch(id).expect("b").status, BatchStatus::Completed);
}

#[test]
fn all_failed_is_failed_and_cancel_keeps_completed() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("x.db")).expect("open");
    let a = new_batch(&store, 1, 2);
    for t in store.tracks(a).expect("t") {
        store.claim_track(t.id).expect("claim");
        store.fail_track(t.id, "no").expect("fail");
    }
    assert_eq!(store.batch(a).expect("b").status, BatchStatus::Failed);

    let b = new_batch(&store, 2, 1);
    let t = store.tracks(b).expect("t");
    store.claim_track(t[0].id).expect("claim");
    store.complete_track(t[0].id, &result()).expect("complete");
    store.claim_track(t[1].id).expect("claim");
    assert_eq!(
        store.cancel_batch(b).expect("cancel"),
        BatchStatus::Cancelled
    );
    // A worker finishing after the cancel cannot mark the track completed.
    assert!(!store
        .complete_track(t[1].id, &result())
        .expect("late complete"));
    let row = store.batch(b).expect("b");
    assert_eq!(
        (row.completed, row.cancelled, row.pending, row.status),
        (1, 1, 0, BatchStatus::Cancelled)
    );
    assert!(store.unfinished_batches().expect("u").is_empty());
}

#[test]
fn recovery_requeues_running_tracks_and_forgets_running_steps() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("x.db")).expect("open");
    let id = new_batch(&store, 2, 1);
    let t = store.tracks(id).expect("t");
    store.claim_track(t[0].id).expect("claim");
    store.begin_step(t[0].id, Step::Synthesize).expect("begin");
    store
        .finish_step(t[0].id, Step::Synthesize, "{}")
        .expect("finish");
    store.begin_step(t[0].id, Step::Assemble).expect("begin");
    // ...the process dies here...
    assert_eq!(store.recover_batch(id).expect("recover"), 1);
    assert_eq!(
        store.track(t[0].id).expect("t").status,
        TrackStatus::Pending
    );
    assert_eq!(
        store
            .step(t[0].id, Step::Synthesize)
            .expect("s")
            .map(|s| s.status),
        Some("done".into())
    );
    assert_eq!(store.step(t[0].id, Step::Assemble).expect("s"), None);
    assert_eq!(store.unfinished_batches().expect("u"), vec![id]);
}

#[test]
fn empty_batches_are_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("x.db")).expect("open");
    let s = [script("## A\n\nHello.")];
    let e = store
        .create_batch(&NewBatch {
            project: "P",
            kind: JobKind::Speech,
            engine: "espeak:en-us",
            delivery: &Default::default(),
            speech_check: false,
            scripts: &s,
            tracks: &speech_tracks(&s, &[]),
        })
        .expect_err("no variants");
    assert!(e.to_string().contains("nothing to generate"));
    assert!(store.batches().expect("b").is_empty());
}

/// A track that completed without some of its units (a scene replaced by
/// silence) is retried: that step and its failed units run again, its other
/// units and the other completed tracks are kept. Reopening a track with a
/// new recipe forgets its steps and keeps its units.
#[test]
fn completed_tracks_with_given_up_units_are_retried_and_can_be_reopened() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("x.db")).expect("open");
    let id = new_batch(&store, 2, 1);
    let t: Vec<i64> = store.tracks(id).expect("t").iter().map(|t| t.id).collect();
    let plan: Vec<(String, String)> = (0..3).map(|i| (format!("k{i}"), "{}".into())).collect();
    store.plan_units(t[0], Step::Generate, &plan).expect("plan");
    store.claim_track(t[0]).expect("claim");
    for i in 0..3 {
        store.begin_unit(t[0], Step::Generate, i).expect("begin");
    }
    store
        .finish_unit(t[0], Step::Generate, 0, "{}")
        .expect("done");
    store
        .fail_unit(t[0], Step::Generate, 1, "refused")
        .expect("fail");
    store
        .finish_unit(t[0], Step::Generate, 2, "{}")
        .expect("done");
    for stage in [Step::Generate, Step::Merge] {
        store.begin_step(t[0], stage).expect("begin");
        store.finish_step(t[0], stage, "{}").expect("finish");
    }
    store.complete_track(t[0], &result()).expect("complete");
    store.claim_track(t[1]).expect("claim");
    store.complete_track(t[1], &result()).expect("complete");
    assert_eq!(store.batch(id).expect("b").status, BatchStatus::Completed);

    assert_eq!(store.retry_batch(id).expect("retry"), 1);
    assert_eq!(store.pending_tracks(id).expect("p"), vec![t[0]]);
    assert!(store.step(t[0], Step::Generate).expect("step").is_none());
    assert!(store.step(t[0], Step::Merge).expect("step").is_some());
    let u = store.units(t[0], Step::Generate).expect("units");
    assert_eq!(
        u.iter().map(|u| u.status).collect::<Vec<_>>(),
        [UnitStatus::Done, UnitStatus::Pending, UnitStatus::Done]
    );

    store.claim_track(t[0]).expect("claim");
    assert!(!store
        .reopen_track(t[0], "{\"x\":1}")
        .expect("reopen while running"));
    store.complete_track(t[0], &result()).expect("complete");
    assert!(store.reopen_track(t[0], "{\"x\":1}").expect("reopen"));
    assert_eq!(store.track_inputs(t[0]).expect("inputs").1, "{\"x\":1}");
    assert!(store.step(t[0], Step::Merge).expect("step").is_none());
    assert_eq!(store.units(t[0], Step::Generate).expect("units").len(), 3);
    assert_eq!(store.batch(id).expect("b").status, BatchStatus::Processing);
}
