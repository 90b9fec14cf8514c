//! The `openai` engine against a real OpenAI-compatible speech server that
//! runs offline here: local-tts-studio 1.0.0 (Piper 1.8 with the joe voice),
//! installed by `scripts/setup.sh --dev` in `.assets/piper-venv`.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::cog::free_port;
use common::*;

struct Studio {
    child: Child,
    url: String,
}

impl Drop for Studio {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_studio(data: &Path) -> Studio {
    let bin = assets().join("piper-venv/bin/local-tts");
    assert!(
        bin.is_file(),
        "local-tts-studio missing at {}: run scripts/setup.sh --dev",
        bin.display()
    );
    let voices = data.join("voices");
    std::fs::create_dir_all(&voices).expect("voices dir");
    for f in ["en_US-joe-medium.onnx", "en_US-joe-medium.onnx.json"] {
        std::fs::copy(assets().join("voices").join(f), voices.join(f)).expect("copy voice");
    }
    let port = free_port();
    let child = Command::new(bin)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .env("LOCAL_TTS_DATA_DIR", data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start local-tts");
    Studio {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

fn post_json(url: &str, body: &str) {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys,urllib.request as u; u.urlopen(u.Request(sys.argv[1], data=sys.argv[2].encode(), headers={'Content-Type': 'application/json'}, method='POST'))",
        ])
        .arg(url)
        .arg(body)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_batch_through_a_real_openai_compatible_server() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let studio = start_studio(&dir.path().join("studio-data"));
    let out = run(intone(&home).args([
        "engines",
        "add",
        "studio",
        "--kind",
        "openai",
        "--url",
        &studio.url,
        "--timeout",
        "60",
    ]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Wait for it to come up: `engines test` exits 0 once /v1/models answers.
    let start = Instant::now();
    let tested = loop {
        let out = run(intone(&home).args(["engines", "test", "studio"]));
        if out.status.success() {
            break String::from_utf8_lossy(&out.stdout).into_owned();
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "local-tts did not start"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    // Its web UI answers every voice route with HTML: no list, and it says so.
    assert!(
        tested.contains(
            "no voice list at /v1/audio/voices, /v1/voices, /voices: the server's default voice"
        ),
        "{tested}"
    );
    // It has no voice listing (its web UI answers that path with HTML): the server's default voice is offered.
    let v = json(&run(intone(&home).args(["voices", "--json"])));
    let studio_voices: Vec<_> = v["voices"]
        .as_array()
        .expect("v")
        .iter()
        .filter(|x| x["engine"] == "studio")
        .collect();
    assert_eq!(studio_voices.len(), 1);
    assert_eq!(studio_voices[0]["id"], "studio:default");

    // Before a default voice is set it answers 503 no_default_voice: its message reaches the user.
    let out = run(intone(&home)
        .args(["say", "Hello.", "--voice", "studio:default", "-o"])
        .arg(dir.path().join("x.wav")));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("No default voice is configured"), "{err}");

    post_json(
        &format!("{}/api/openai/speech-defaults", studio.url),
        r#"{"default_voice":"en_US-joe-medium"}"#,
    );
    let out = run(intone(&home)
        .arg("generate")
        .arg(fixture("life-vision.md"))
        .args([
            "--voice",
            "studio:default",
            "--variant",
            "voice",
            "--variant",
            "sleep",
            "--json",
        ]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out);
    assert_eq!(doc["status"], "completed");
    for t in doc["tracks"].as_array().expect("tracks") {
        assert_eq!(t["engine"], "studio:default");
        let target = if t["variant"] == "voice" {
            -16.0
        } else {
            -20.0
        };
        let l = t["loudness_lufs"].as_f64().expect("lufs");
        assert!((l - target).abs() <= 0.5, "{t}");
        assert!(t["duration_ms"].as_i64().expect("ms") > 4000);
    }
    assert_all_completed_once(&home, 1, 12);

    // A voice id it does not list is sent as is, with a warning; the server speaks.
    let wav = dir.path().join("joe.wav");
    let out = run(intone(&home)
        .args([
            "say",
            "Hello from a voice the server did not list.",
            "--voice",
            "studio:en_US-joe-medium",
            "-o",
        ])
        .arg(&wav));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("is not in studio's voice list"), "{err}");
    assert!(hound::WavReader::open(&wav).expect("wav").duration() > 48_000);
}
