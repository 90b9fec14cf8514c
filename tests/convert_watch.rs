//! `intone watch` end to end with the real binary: a watched folder that
//! converts what arrived while Intone was closed (real recordings, a real
//! converter process: sox through a small script that logs every call),
//! moves what it took, rejects what is not audio and never converts the
//! same content twice.

mod common;

use std::time::Duration;

use common::convert::{calls, converter_script, home_in};
use common::{intone, recording, run, stderr};

#[test]
fn a_watched_folder_converts_what_arrived_while_intone_was_closed() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = home_in(dir.path());
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).expect("inbox");
    converter_script(&home, dir.path(), None, "pitch -300");
    // Register the folder (nothing in it yet).
    let first = run(intone(&home)
        .args([
            "watch",
            "--once",
            "--converter",
            "lower",
            "--max-chunk-s",
            "8",
        ])
        .arg(&inbox));
    assert!(first.status.success(), "{}", stderr(&first));
    let listed = run(intone(&home).args(["watch", "--list"]));
    assert!(String::from_utf8_lossy(&listed.stdout).contains("inbox  converter lower"));
    // Files land while Intone is not running: a recording and a text file.
    let wav = recording(dir.path());
    std::fs::copy(&wav, inbox.join("episode 1.wav")).expect("copy");
    std::fs::write(inbox.join("readme.txt"), "not audio").expect("txt");
    std::thread::sleep(Duration::from_millis(1_700));
    // Started again (no folder named: the stored ones are watched).
    let out = run(intone(&home).args(["watch", "--once"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        inbox.join("processed/episode 1.wav").is_file(),
        "moved, never deleted"
    );
    assert!(!inbox.join("episode 1.wav").exists());
    assert!(inbox.join("rejected/readme.txt").is_file());
    assert!(stderr(&out).contains("readme.txt"), "{}", stderr(&out));
    common::assert_all_completed_once(&home, 1, 1);
    assert_eq!(common::tracks(&home, 1)[0]["title"], "episode 1.wav");
    // The same recording dropped again: moved, not converted twice.
    std::fs::copy(&wav, inbox.join("episode 1 again.wav")).expect("copy");
    std::thread::sleep(Duration::from_millis(1_700));
    let n = calls(dir.path()).len();
    let again = run(intone(&home).args(["watch", "--once"]));
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already converted in batch 1"),
        "{}",
        stderr(&again)
    );
    assert_eq!(calls(dir.path()).len(), n);
    assert!(inbox.join("processed/episode 1 again.wav").is_file());
    // Stop watching.
    let removed = run(intone(&home).args(["watch", "--remove"]).arg(&inbox));
    assert!(removed.status.success(), "{}", stderr(&removed));
    let none = run(intone(&home).args(["watch", "--once"]));
    assert_eq!(none.status.code(), Some(1), "no folder left to watch");
}
