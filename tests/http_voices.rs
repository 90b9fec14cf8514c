//! Voice discovery on OpenAI-compatible servers: every route and shape that
//! servers use to list voices (stand-ins, `tests/servers/openai_voices_server.py`,
//! following OpenAI's speech API), voices declared in `engines.toml` for a
//! server that lists none, and voice ids a server does not list.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::cog::free_port;
use common::*;

struct Server {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the stand-in listing `lists` (route, JSON body) and speaking `speaks`.
fn start(dir: &Path, lists: &[(&str, &str)], speaks: &[&str]) -> Server {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/openai_voices_server.py");
    let port = free_port();
    let log = dir.join(format!("voices-{port}.log"));
    let mut cmd = Command::new("python3");
    cmd.arg(script)
        .args(["--port", &port.to_string(), "--log"])
        .arg(&log);
    for (route, body) in lists {
        cmd.args(["--list", route, body]);
    }
    for v in speaks {
        cmd.args(["--speaks", v]);
    }
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the stand-in");
    Server {
        child,
        url: format!("http://127.0.0.1:{port}"),
        log,
    }
}

fn out_text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Adds the server as engine `tts` (with `declared` voices) and waits until
/// `engines test` passes; returns what it printed.
fn add_and_test(home: &Path, server: &Server, declared: &[&str]) -> String {
    let mut add = intone(home);
    add.args([
        "engines",
        "add",
        "tts",
        "--kind",
        "openai",
        "--url",
        &server.url,
    ]);
    for v in declared {
        add.args(["--voice", v]);
    }
    let out = run(&mut add);
    assert!(out.status.success(), "{}", out_text(&out));
    let start = Instant::now();
    loop {
        let out = run(intone(home).args(["engines", "test", "tts"]));
        if out.status.success() {
            return out_text(&out);
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "stand-in did not start"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The `tts` voices `intone voices --json` shows: (id, name, language).
fn tts_voices(home: &Path) -> Vec<(String, String, String)> {
    let v = json(&run(intone(home).args(["voices", "--json"])));
    assert!(
        v["accepts_unlisted"]
            .as_array()
            .is_some_and(|a| a.iter().any(|e| e == "tts")),
        "{v}"
    );
    v["voices"]
        .as_array()
        .expect("voices")
        .iter()
        .filter(|x| x["engine"] == "tts")
        .map(|x| {
            let s = |k: &str| x[k].as_str().unwrap_or_default().to_string();
            (s("id"), s("name"), s("language"))
        })
        .collect()
}

#[test]
fn every_route_and_shape_lists_its_voices() {
    let dir = tempfile::tempdir().expect("tmp");
    let cases: [(&str, &str, &[&str], &str); 4] = [
        (
            "/v1/audio/voices",
            r#"{"voices":["af_bella","am_adam"]}"#,
            &["tts:af_bella", "tts:am_adam"],
            "2 listed at /v1/audio/voices",
        ),
        (
            "/v1/voices",
            r#"{"data":[{"id":"nova","object":"voice"},{"id":"onyx","object":"voice"}]}"#,
            &["tts:nova", "tts:onyx"],
            "2 listed at /v1/voices",
        ),
        (
            "/voices",
            r#"["alloy","echo","fable"]"#,
            &["tts:alloy", "tts:echo", "tts:fable"],
            "3 listed at /voices",
        ),
        (
            "/voices",
            r#"{"voices":[{"voice_id":"v-1","name":"First"},{"voice_id":"v-2"}]}"#,
            &["tts:v-1", "tts:v-2"],
            "2 listed at /voices",
        ),
    ];
    for (i, (route, body, ids, said)) in cases.iter().enumerate() {
        let home = dir.path().join(format!("home-{i}"));
        let server = start(dir.path(), &[(route, body)], &[]);
        let test = add_and_test(&home, &server, &[]);
        assert!(test.contains(said), "{route} {body}: {test}");
        let got: Vec<String> = tts_voices(&home).into_iter().map(|v| v.0).collect();
        assert_eq!(got, *ids, "{route} {body}");
    }

    // A server that lists none, with voices declared in engines.toml; its
    // HTML page on every route is not mistaken for a list.
    let home = dir.path().join("home-declared");
    let server = start(dir.path(), &[], &[]);
    let test = add_and_test(&home, &server, &["amy", "ryan"]);
    assert!(
        test.contains(
            "no voice list at /v1/audio/voices, /v1/voices, /voices: 2 declared in engines.toml"
        ),
        "{test}"
    );
    let got: Vec<String> = tts_voices(&home).into_iter().map(|v| v.0).collect();
    assert_eq!(got, ["tts:amy", "tts:ryan"]);
}

/// The Piper-backed daemon's shape: `GET /v1/voices` →
/// `{"voices": [{"id", "name", "language"}]}`. Its voices show with their
/// names and languages, a batch with one of them completes, a voice it does
/// not list is still sent (with a warning), and the server's refusal of a
/// voice reaches the user.
#[test]
fn a_server_listing_at_v1_voices_speaks_its_voices() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let server = start(
        dir.path(),
        &[(
            "/v1/voices",
            r#"{"voices":[{"id":"en_US-joe-medium","name":"Joe","language":"en_US"},{"id":"en_GB-alba-medium","name":"Alba","language":"en_GB"}]}"#,
        )],
        &["en_US-joe-medium", "en_GB-alba-medium", "secret"],
    );
    let test = add_and_test(&home, &server, &[]);
    assert!(
        test.contains("tts is up with 2 voice(s): 2 listed at /v1/voices"),
        "{test}"
    );
    assert_eq!(
        tts_voices(&home),
        [
            ("tts:en_US-joe-medium".into(), "Joe".into(), "en-us".into()),
            (
                "tts:en_GB-alba-medium".into(),
                "Alba".into(),
                "en-gb".into()
            ),
        ]
    );
    let plain = out_text(&run(intone(&home).arg("voices")));
    assert!(
        plain.contains("warning: tts may speak voices it does not list"),
        "{plain}"
    );

    let out = run(intone(&home)
        .arg("generate")
        .arg(fixture("life-vision.md"))
        .args(["--voice", "tts:en_US-joe-medium", "--json"]));
    assert!(out.status.success(), "{}", out_text(&out));
    let doc = json(&out);
    assert_eq!(doc["status"], "completed", "{doc}");
    for t in doc["tracks"].as_array().expect("tracks") {
        assert_eq!(t["engine"], "tts:en_US-joe-medium");
        assert!(t["duration_ms"].as_i64().expect("ms") > 2000, "{t}");
    }
    let asked = std::fs::read_to_string(&server.log).expect("log");
    assert!(
        !asked.is_empty() && asked.lines().all(|l| l == "en_US-joe-medium"),
        "{asked}"
    );

    // Not listed, but the server speaks it: sent as is, with a warning.
    let wav = dir.path().join("secret.wav");
    let out = run(intone(&home)
        .args([
            "say",
            "A voice nobody listed.",
            "--voice",
            "tts:secret",
            "-o",
        ])
        .arg(&wav));
    let text = out_text(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("\"tts:secret\" is not in tts's voice list"),
        "{text}"
    );
    assert!(wav.is_file());

    // Not listed and refused by the server: its message reaches the user.
    let out = run(intone(&home)
        .arg("generate")
        .arg(fixture("life-vision.md"))
        .args(["--voice", "tts:nobody", "--json"]));
    let text = out_text(&out);
    assert!(
        text.contains("\"tts:nobody\" is not in tts's voice list"),
        "{text}"
    );
    let doc = json(&out);
    assert_eq!(doc["status"], "failed", "{doc}");
    let err = doc["tracks"][0]["error"].as_str().unwrap_or_default();
    assert!(err.contains("voice 'nobody' not found"), "{err}");
}
