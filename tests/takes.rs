//! Takes and best-of-N through the real binary: a flagged sentence is
//! retaken with `--best-of 3` and the best take kept (its word error rate
//! no worse than any other's, the track assembled from it); each retake
//! really differs; `intone takes --use` remakes the track without speaking
//! anything; Regenerate adds the next take; favourites survive `intone gc`;
//! a kill in the middle of the candidates resumes with nothing spoken twice.

mod common;

use std::path::Path;

use common::{clips, intone, json, run, stderr};

/// The second sentence is letters no one can say as words: espeak-ng spells
/// it out, the recognizer hears something else, and the check flags it.
const SCRIPT: &str = "# Takes\n\n## One\n\nThe river runs slowly past the old mill. \
Xqzt vbrk plmn wrtz. The evening light is soft and golden.\n";

fn script(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("takes.md");
    std::fs::write(&p, SCRIPT).expect("script");
    p
}

fn db(home: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(home.join("intone.db")).expect("db")
}

/// A done step's output of track 1.
fn step_output(home: &Path, name: &str) -> serde_json::Value {
    let j: String = db(home)
        .query_row(
            "SELECT output_json FROM steps WHERE track_id = 1 AND name = ?1 AND status = 'done'",
            [name],
            |r| r.get(0),
        )
        .expect("step output");
    serde_json::from_str(&j).expect("json")
}

/// `intone takes 1 --json`'s sentences.
fn takes(home: &Path) -> Vec<serde_json::Value> {
    let out = run(intone(home).args(["takes", "1", "--json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    json(&out)["sentences"]
        .as_array()
        .expect("sentences")
        .clone()
}

fn samples(path: &str) -> Vec<f32> {
    intone_core::audio::wav::read_clip(Path::new(path))
        .expect("clip")
        .to_mono()
}

#[test]
fn best_of_keeps_the_best_take_and_takes_can_be_picked_kept_and_collected() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let s = script(dir.path());
    let out = run(intone(&home).arg("generate").arg(&s).args([
        "--voice",
        "espeak:en-us",
        "--best-of",
        "3",
        "--json",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["retakes"]["retaken"], 1, "{doc}");
    assert_eq!(doc["retakes"]["made"], 2, "two more takes of one sentence");
    // Unflagged sentences are never made twice: 3 first takes + 2 retakes.
    assert_eq!(clips(&home), 5);

    let list = takes(&home);
    assert_eq!(list.len(), 3);
    for clean in [&list[0], &list[2]] {
        assert_eq!(
            clean["takes"].as_array().expect("takes").len(),
            1,
            "{clean}"
        );
    }
    let flagged = list[1]["takes"].as_array().expect("takes");
    assert_eq!(flagged.len(), 3, "{flagged:?}");
    let wer = |t: &serde_json::Value| t["wer"].as_f64().expect("every take was heard");
    let chosen = flagged
        .iter()
        .find(|t| t["in_use"] == true)
        .expect("one take in use");
    for t in flagged {
        assert!(wer(chosen) <= wer(t), "kept {chosen} over {t}");
    }
    // Each retake really differs from the first take.
    let first = samples(flagged[0]["path"].as_str().expect("path"));
    for t in &flagged[1..] {
        assert_ne!(
            samples(t["path"].as_str().expect("path")),
            first,
            "take {} is the first again",
            t["take"]
        );
    }
    // The track is assembled from the kept take.
    let chosen_key = clip_key(&home, 1, chosen["take"].as_u64().expect("take"));
    let retake = step_output(&home, "retake");
    assert_eq!(retake["clips"][1]["key"], chosen_key.as_str());

    // Picking another take reassembles the track and speaks nothing.
    let other = flagged
        .iter()
        .find(|t| t["in_use"] == false)
        .expect("another take");
    let pick = format!("2:{}", other["take"].as_u64().expect("take") + 1);
    let out = run(intone(&home).args(["takes", "1", "--use", &pick]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(clips(&home), 5, "no clip was made");
    assert_eq!(step_output(&home, "synthesize")["made"], 0);
    assert_eq!(
        step_output(&home, "retake")["clips"][1]["key"],
        clip_key(&home, 1, other["take"].as_u64().expect("take")).as_str()
    );
    let list = takes(&home);
    let now = list[1]["takes"]
        .as_array()
        .expect("takes")
        .iter()
        .find(|t| t["in_use"] == true)
        .expect("in use");
    assert_eq!(now["take"], other["take"]);

    // Regenerate adds the next take (4) and uses it.
    let out = run(intone(&home).args(["regenerate", "1", "2"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(clips(&home), 6);
    let list = takes(&home);
    let sentence = list[1]["takes"].as_array().expect("takes");
    assert_eq!(sentence.len(), 4);
    assert_eq!(sentence[3]["take"], 3);
    assert_eq!(sentence[3]["in_use"], true);

    // Keep one take besides the one in use and favourites: take 1 is a
    // favourite, take 4 is in use, takes 2 and 3 go, and their clips with them.
    let out = run(intone(&home).args(["takes", "1", "--favourite", "2:1"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(intone(&home).args(["gc", "--keep-takes", "1", "--json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let gc = json(&out);
    assert_eq!(gc["report"]["takes_pruned"], 2, "{gc}");
    assert_eq!(gc["report"]["clips_deleted"], 2, "{gc}");
    assert_eq!(clips(&home), 4);
    let kept: Vec<u64> = takes(&home)[1]["takes"]
        .as_array()
        .expect("takes")
        .iter()
        .map(|t| t["take"].as_u64().expect("n"))
        .collect();
    assert_eq!(kept, vec![0, 3]);

    // Deleting the track (the Library's Delete) deletes its takes; gc then
    // frees every clip.
    {
        let studio = intone_core::Studio::open(
            intone_core::Home::open(&home).expect("home"),
            Default::default(),
        )
        .expect("studio");
        studio.delete_tracks(&[1]).expect("delete");
    }
    let takes_left: i64 = db(&home)
        .query_row("SELECT count(*) FROM takes", [], |r| r.get(0))
        .expect("count");
    assert_eq!(takes_left, 0);
    let out = run(intone(&home).args(["gc", "--json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["report"]["clips_deleted"], 4);
    assert_eq!(clips(&home), 0);
}

/// The clip key of take `take` of sentence `sentence` (0-based) of track 1.
fn clip_key(home: &Path, sentence: u64, take: u64) -> String {
    db(home)
        .query_row(
            "SELECT clip_key FROM takes WHERE track_id = 1 AND sentence = ?1 AND take = ?2",
            [sentence, take],
            |r| r.get(0),
        )
        .expect("take row")
}

#[test]
fn a_kill_during_best_of_resumes_at_the_next_candidate() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let s = script(dir.path());
    let cut = run(intone(&home)
        .arg("generate")
        .arg(&s)
        .args(["--voice", "espeak:en-us", "--best-of", "3"])
        .env("INTONE_FAILPOINT", "retake:candidate:1"));
    assert!(!cut.status.success(), "the fail point stops it");
    assert_eq!(
        clips(&home),
        4,
        "3 first takes and 1 candidate before the kill"
    );
    let out = run(intone(&home).args(["resume", "--json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    common::assert_all_completed_once(&home, 1, 1);
    // The candidate made before the kill is not made again.
    assert_eq!(clips(&home), 5);
    let attempts: i64 = db(&home)
        .query_row(
            "SELECT max(attempts) FROM units WHERE stage = 'retake'",
            [],
            |r| r.get(0),
        )
        .expect("attempts");
    assert_eq!(attempts, 1, "every candidate was attempted once");
    let retake = step_output(&home, "retake");
    assert_eq!(retake["retaken"], 1);
}

#[test]
fn a_take_made_before_a_lexicon_change_can_be_heard_not_used() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let s = dir.path().join("mill.md");
    std::fs::write(&s, "# Mill\n\n## One\n\nCaptain Nguyen watched the mill.\n").expect("script");
    let out =
        run(intone(&home)
            .arg("generate")
            .arg(&s)
            .args(["--voice", "espeak:en-us", "--no-check"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(intone(&home).args(["regenerate", "1", "1"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(intone(&home).args(["lexicon", "add", "Nguyen", "--respell", "Win"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(intone(&home).args(["lexicon", "apply"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let list = takes(&home);
    let current: Vec<(u64, bool, bool)> = list[0]["takes"]
        .as_array()
        .expect("takes")
        .iter()
        .map(|t| {
            (
                t["take"].as_u64().expect("n"),
                t["in_use"] == true,
                t["current"] == true,
            )
        })
        .collect();
    // Take 2 (in use) was spoken again with the new words; take 1 says the old ones.
    assert_eq!(current, [(0, false, false), (1, true, true)]);
    let out = run(intone(&home).args(["takes", "1", "--use", "1:1"]));
    assert!(!out.status.success(), "an old take was used");
    assert!(
        stderr(&out).contains("says other words"),
        "{}",
        stderr(&out)
    );
}
