//! The built-in neural voice from the command line: default when installed,
//! clear errors when its runtime or a voice is missing, espeak as fallback.

mod common;

use common::*;

#[test]
fn say_and_generate_use_joe_without_flags() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path();
    let v = json(&run(intone_neural(home).args(["voices", "--json"])));
    assert_eq!(v["default"], "piper:en_US-joe-medium");
    let joe = v["voices"]
        .as_array()
        .expect("voices")
        .iter()
        .find(|x| x["id"] == "piper:en_US-joe-medium")
        .cloned()
        .expect("joe");
    assert_eq!(joe["available"], true);
    assert_eq!(joe["sample_rate_hz"], 22050);

    let wav = home.join("hello.wav");
    let out = run(intone_neural(home)
        .args(["say", "Hello there. This is Joe, speaking offline.", "-o"])
        .arg(&wav)
        .arg("--timings"));
    assert!(out.status.success(), "{}", stderr(&out));
    let secs = hound::WavReader::open(&wav).expect("wav").duration() as f64 / 48_000.0;
    assert!((2.0..8.0).contains(&secs), "{secs}");
    // --timings: every phase in order; the two sentences new, spoken one at
    // a time on every core (an in-process model takes them as threads).
    let err = stderr(&out);
    let phases: Vec<&str> = err
        .lines()
        .skip_while(|l| *l != "Timings:")
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        phases,
        [
            "start",
            "prepare",
            "synthesize",
            "assemble",
            "mix",
            "master",
            "encode",
            "total"
        ],
        "{err}"
    );
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let on = format!("1 call(s) at a time × {cores} thread(s)");
    assert!(
        err.contains(&format!("2 sentence(s), 2 new, {on}")),
        "{err}"
    );
    // Said again: both sentences come from the clip cache.
    let again = run(intone_neural(home)
        .args(["say", "Hello there. This is Joe, speaking offline.", "-o"])
        .arg(&wav)
        .arg("--timings"));
    assert!(
        stderr(&again).contains(&format!("2 sentence(s), 0 new, {on}")),
        "{}",
        stderr(&again)
    );

    let script = home.join("s.md");
    std::fs::write(&script, "# S\n\n## A\n\nGood morning. The sun is up.\n").expect("write");
    let out = run(intone_neural(home)
        .arg("generate")
        .arg(&script)
        .arg("--json"));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["tracks"][0]["engine"], "piper:en_US-joe-medium");
    assert_eq!(doc["tracks"][0]["status"], "completed");
}

#[test]
fn missing_runtime_or_voice_is_a_clear_error_and_espeak_still_works() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path();
    let broken = || {
        let mut c = intone_neural(home);
        c.env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so.1.32.0");
        c
    };
    let v = json(&run(broken().args(["voices", "--json"])));
    let joe = v["voices"]
        .as_array()
        .expect("voices")
        .iter()
        .find(|x| x["id"] == "piper:en_US-joe-medium")
        .cloned()
        .expect("joe");
    assert_eq!(joe["available"], false);
    assert!(
        joe["reason"]
            .as_str()
            .expect("reason")
            .contains("/nonexistent/libonnxruntime.so.1.32.0"),
        "{joe}"
    );
    assert_eq!(v["default"], "espeak:en-us", "falls back to espeak");

    let script = fixture("life-vision.md");
    let out = run(broken()
        .arg("generate")
        .arg(&script)
        .args(["--voice", "piper:en_US-joe-medium"]));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("not usable") && err.contains("ORT_DYLIB_PATH"),
        "{err}"
    );

    let out = run(intone_neural(home)
        .arg("generate")
        .arg(&script)
        .args(["--voice", "piper:en_US-nobody"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown voice \"piper:en_US-nobody\""),
        "{}",
        stderr(&out)
    );

    // espeak still speaks with the neural runtime broken.
    let wav = home.join("e.wav");
    let out = run(broken().args(["say", "Still here.", "-o"]).arg(&wav));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(wav.is_file());
    let b = json(&run(intone(home).args(["batches", "--json"])));
    assert_eq!(
        b.as_array().map(Vec::len),
        Some(0),
        "refused requests record nothing"
    );
}
