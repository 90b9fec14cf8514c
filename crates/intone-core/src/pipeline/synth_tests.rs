//! Tests of the synthesize step: lanes, the clip cache, and the sentence
//! units (resume, attempt cap).

use super::*;
use crate::audio::Clip;
use crate::engines::espeak::EspeakEngine;
use crate::engines::{EngineError, VoiceInfo};
use crate::pipeline::stages::clip_key;
use crate::script::{split_utterances, Pause};
use crate::store::Step;

/// espeak-ng, refusing any text that contains "refuse" (a permanent
/// error, as a server's 4xx would be).
struct Refusing(EspeakEngine);

impl SpeechEngine for Refusing {
    fn id(&self) -> &str {
        self.0.id()
    }
    fn voices(&self) -> std::result::Result<Vec<VoiceInfo>, EngineError> {
        self.0.voices()
    }
    fn max_chars(&self) -> usize {
        self.0.max_chars()
    }
    fn cache_salt(&self, voice: &str) -> String {
        self.0.cache_salt(voice)
    }
    fn synthesize(&self, req: &SpeechRequest) -> std::result::Result<Clip, EngineError> {
        if req.text.contains("refuse") {
            return Err(EngineError::permanent("espeak", "refused on purpose"));
        }
        self.0.synthesize(req)
    }
}

const TEXT: &str = "One short line. Then a much longer sentence that keeps going for a while. \
                    Three. And a fourth sentence of middling length.";

/// A new track in `store` to own the sentence units.
fn new_track(store: &Store) -> i64 {
    let batch = crate::store::tests::new_batch(store, 1, 1);
    store.tracks(batch).expect("tracks")[0].id
}

/// Synthesizes `text` as the sentences of track `track_id`.
fn run_on(
    engine: &dyn SpeechEngine,
    store: &Store,
    home: &Home,
    track_id: i64,
    text: &str,
    lanes: usize,
) -> (Result<Vec<ClipRef>>, Vec<(usize, usize)>, usize) {
    let utterances = split_utterances(text, 300);
    let (mut progress, mut fresh) = (Vec::new(), 0);
    let retry = RetryPolicy::default();
    let speaker = Speaker {
        store,
        home,
        engine,
        voice: "en-us",
        tempo_ratio: 1.0,
        settings: &NO_SETTINGS,
        retry: &retry,
    };
    let speaker = Voices::one(speaker);
    let units = Units::plan(
        store,
        track_id,
        Step::Synthesize,
        &speaker.unit_plan(&utterances),
        MAX_SENTENCE_ATTEMPTS,
        "the engine",
    )
    .expect("units");
    let r = synthesize(
        &speaker,
        Some(&units),
        &utterances,
        Lanes { lanes, threads: 1 },
        &|| false,
        &mut |d, t| progress.push((d, t)),
        &mut |n| fresh = n,
    );
    (r, progress, fresh)
}

/// Synthesizes `text` as the sentences of a new track.
fn run(
    engine: &dyn SpeechEngine,
    store: &Store,
    home: &Home,
    text: &str,
    lanes: usize,
) -> (Result<Vec<ClipRef>>, Vec<(usize, usize)>, usize) {
    run_on(engine, store, home, new_track(store), text, lanes)
}

/// How many times each sentence unit of `track_id` was started.
fn attempts(store: &Store, track_id: i64) -> Vec<i64> {
    let units = store.units(track_id, Step::Synthesize).expect("units");
    units.iter().map(|u| u.attempts).collect()
}

#[test]
fn a_sentence_done_is_not_started_again() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = Home::open(dir.path()).expect("home");
    let store = Store::open(&home.db_path()).expect("store");
    let engine = EspeakEngine::new();
    let track = new_track(&store);
    let first = run_on(&engine, &store, &home, track, TEXT, 2)
        .0
        .expect("first");
    assert_eq!(attempts(&store, track), vec![1; 4]);
    // The same track again (a resumed run): every sentence comes from
    // its unit, none is started again.
    let (again, _, fresh) = run_on(&engine, &store, &home, track, TEXT, 2);
    assert_eq!(again.expect("again"), first);
    assert_eq!(fresh, 0);
    assert_eq!(attempts(&store, track), vec![1; 4]);
    // A changed sentence is a new unit; the others are kept.
    let changed = TEXT.replace("Three.", "Three refuse.");
    let refusing = Refusing(EspeakEngine::new());
    let (r, _, _) = run_on(&refusing, &store, &home, track, &changed, 1);
    assert!(matches!(r, Err(Error::Engine(_))), "{r:?}");
    assert_eq!(attempts(&store, track), vec![1, 1, 1, 1]);
    let units = store.units(track, Step::Synthesize).expect("units");
    assert_eq!(units[2].status, crate::store::UnitStatus::Failed);
}

#[test]
fn the_attempt_cap_holds_for_a_sentence_that_keeps_crashing() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = Home::open(dir.path()).expect("home");
    let store = Store::open(&home.db_path()).expect("store");
    let engine = EspeakEngine::new();
    let track = new_track(&store);
    let batch = store.track(track).expect("track").batch_id;
    let utterances = split_utterances(TEXT, 300);
    let retry = RetryPolicy::default();
    let speaker = Speaker {
        store: &store,
        home: &home,
        engine: &engine,
        voice: "en-us",
        tempo_ratio: 1.0,
        settings: &NO_SETTINGS,
        retry: &retry,
    };
    let speaker = Voices::one(speaker);
    store
        .plan_units(track, Step::Synthesize, &speaker.unit_plan(&utterances))
        .expect("plan");
    // The process died while speaking the first sentence, every time.
    for _ in 0..MAX_SENTENCE_ATTEMPTS {
        let started = store.begin_unit(track, Step::Synthesize, 0).expect("begin");
        assert!(started.is_some());
        store.recover_batch(batch).expect("recover");
    }
    let (r, _, fresh) = run_on(&engine, &store, &home, track, TEXT, 1);
    let e = r.expect_err("given up");
    assert!(e.to_string().contains("gave up after 5 attempts"), "{e}");
    assert_eq!(fresh, 0);
}

#[test]
fn lanes_return_the_clips_in_script_order() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = Home::open(dir.path().join("a")).expect("home");
    let store = Store::open(&home.db_path()).expect("store");
    let engine = EspeakEngine::new();
    let (r, progress, fresh) = run(&engine, &store, &home, TEXT, 3);
    let clips = r.expect("three lanes");
    assert_eq!(fresh, 4);
    assert_eq!(progress.last(), Some(&(4, 4)));
    // The same keys, in the same order, as one lane in a fresh home.
    let home1 = Home::open(dir.path().join("b")).expect("home");
    let store1 = Store::open(&home1.db_path()).expect("store");
    let one = run(&engine, &store1, &home1, TEXT, 1).0.expect("one lane");
    let keys = |v: &[ClipRef]| v.iter().map(|c| c.key.clone()).collect::<Vec<_>>();
    assert_eq!(keys(&clips), keys(&one));
    assert_eq!(clips.last().map(|c| c.pause_after), Some(Pause::Paragraph));
    // Each clip speaks its own sentence: the long second one is longest,
    // "Three." shortest, in both runs (espeak-ng carries a little
    // prosody from call to call, so the samples are not identical).
    let secs = |v: &[ClipRef]| -> Vec<f64> {
        v.iter()
            .map(|c| {
                crate::audio::wav::read_clip(&c.path)
                    .expect("clip")
                    .duration_ms()
            })
            .collect()
    };
    for d in [secs(&clips), secs(&one)] {
        assert!(d[1] > d[3] && d[3] > d[0] && d[0] > d[2], "{d:?}");
    }
    // Again: all from the cache.
    let (r, _, fresh) = run(&engine, &store, &home, TEXT, 3);
    assert_eq!(keys(&r.expect("cached")), keys(&clips));
    assert_eq!(fresh, 0);
}

#[test]
fn a_failing_sentence_is_reported_and_the_others_stay_cached() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = Home::open(dir.path()).expect("home");
    let store = Store::open(&home.db_path()).expect("store");
    let engine = Refusing(EspeakEngine::new());
    let text = "A fine first sentence. Please refuse this one. And refuse this too. \
                The last one is fine as well, and rather long to speak.";
    let (r, _, fresh) = run(&engine, &store, &home, text, 2);
    // A sentence the engine refuses for good does not stop the others:
    // both refusals are listed, and the two fine sentences are spoken.
    match r {
        Err(e) => {
            let e = e.to_string();
            assert!(e.contains("2 of 4 sentences failed"), "{e}");
            assert!(
                e.contains("sentence 2: espeak: refused") && e.contains("sentence 3:"),
                "{e}"
            );
        }
        other => panic!("expected the refusals, got {other:?}"),
    }
    assert_eq!(fresh, 2);
    let kept = split_utterances(text, 300)
        .iter()
        .filter(|u| {
            let key = clip_key(&engine, "en-us", 1.0, &u.text);
            store.clip(&key).expect("store").is_some()
        })
        .count();
    assert_eq!(kept, fresh);
}
