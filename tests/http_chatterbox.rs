//! Chatterbox engine end to end, against a stand-in server that follows
//! Chatterbox-TTS-Server's documented API (tests/servers/chatterbox_server.py):
//! chunking and fixed seeds, cloning, a pool of servers, classified failures,
//! and a server that dies mid-batch, comes back, and `retry` finishes the
//! batch with every sentence synthesized once.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A running stand-in server.
struct Server {
    child: Child,
    port: u16,
    dir: PathBuf,
    log: PathBuf,
}

impl Server {
    fn start(dir: &Path, port: u16) -> Self {
        std::fs::create_dir_all(dir).expect("dir");
        let log = dir.join("requests.jsonl");
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/chatterbox_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(dir)
            .arg("--log")
            .arg(&log)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs the stand-in server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("port line");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .expect("PORT n");
        Self {
            child,
            port,
            dir: dir.to_path_buf(),
            log,
        }
    }
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
    fn restart(&mut self) {
        self.kill();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let s = Server::start(&self.dir, self.port);
            if s.port == self.port {
                *self = s;
                return;
            }
            assert!(
                Instant::now() < deadline,
                "port {} not free again",
                self.port
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    fn control(&self, body: &str) {
        let out = Command::new("python3")
            .args(["-c", "import sys,urllib.request as u; u.urlopen(u.Request(sys.argv[1], data=sys.argv[2].encode(), method='POST'))"])
            .arg(format!("{}/_control", self.url()))
            .arg(body)
            .output()
            .expect("control");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    fn log_lines(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
    /// Requests as received.
    fn requests(&self) -> Vec<serde_json::Value> {
        self.log_lines()
            .into_iter()
            .filter(|r| r.get("_delivered").is_none())
            .collect()
    }
    /// Texts whose audio was fully sent back.
    fn delivered(&self) -> Vec<String> {
        self.log_lines()
            .iter()
            .filter_map(|r| r["_delivered"].as_str().map(str::to_string))
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn add_engine(home: &Path, name: &str, urls: &[String], extra: &[&str]) {
    let mut c = intone(home);
    c.args(["engines", "add", name, "--kind", "chatterbox"]);
    for u in urls {
        c.args(["--url", u]);
    }
    let out = run(c.args(extra));
    assert!(out.status.success(), "{}", stderr(&out));
}

const SCRIPT: &str = "# Evening\n\n## Wind down\n\nThe day is done, and I let it go, one breath at a time, as the light fades softly behind the hills and the house grows quiet around me. I am safe.\n\n## Rest\n\nMy shoulders drop. My jaw softens. I rest.\n";

#[test]
fn a_batch_through_chatterbox_chunks_with_one_seed_and_sniffs_audio() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let server = Server::start(&dir.path().join("srv"), 0);
    add_engine(&home, "cb", &[server.url()], &[]);

    let v = json(&run(intone(&home).args(["voices", "--json"])));
    let ids: Vec<&str> = v["voices"]
        .as_array()
        .expect("voices")
        .iter()
        .filter_map(|x| x["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"cb:Emily.wav") && ids.contains(&"cb:Adrian.wav"),
        "{ids:?}"
    );

    let out = run(intone(&home).args(["engines", "test", "cb"]));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("cb is up with 2 voice(s)"));

    let script = dir.path().join("evening.md");
    std::fs::write(&script, SCRIPT).expect("write");
    let out = run(intone(&home).arg("generate").arg(&script).args([
        "--voice",
        "cb:Emily.wav",
        "--variant",
        "voice",
        "--variant",
        "sleep",
        "--json",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["status"], "completed");

    let reqs = server.requests();
    assert!(!reqs.is_empty());
    for r in &reqs {
        assert_eq!(r["split_text"], false, "Intone chunks the text itself");
        assert_eq!(r["output_format"], "wav");
        assert_eq!(r["voice_mode"], "predefined");
        assert_eq!(r["predefined_voice_id"], "Emily.wav");
        assert_eq!(r["seed"], reqs[0]["seed"], "one fixed seed for every chunk");
        assert!(
            r["text"].as_str().expect("text").chars().count() <= 120,
            "{r}"
        );
    }
    assert!(
        reqs.iter().any(|r| r["text"]
            .as_str()
            .is_some_and(|t| !t.ends_with(['.', '!', '?']))),
        "the long sentence was chunked"
    );
    // voice and sleep have different tempo (speed_factor), so each sentence is asked twice, never more.
    let mut seen = std::collections::HashSet::new();
    for r in &reqs {
        assert!(
            seen.insert((r["text"].to_string(), r["speed_factor"].to_string())),
            "asked twice: {r}"
        );
    }
}

#[test]
fn failures_are_classified_and_the_servers_message_surfaces() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let server = Server::start(&dir.path().join("srv"), 0);
    add_engine(&home, "cb", &[server.url()], &["--timeout", "2"]);
    let say = |text: &str| {
        run(intone(&home)
            .args(["say", text, "--voice", "cb:Emily.wav", "-o"])
            .arg(dir.path().join("x.wav")))
    };

    // A 500 and a slow answer past the timeout are transient: retried, then fine.
    server.control(r#"{"mode": "500", "count": 1}"#);
    let out = say("Transient trouble.");
    assert!(out.status.success(), "{}", stderr(&out));
    server.control(r#"{"mode": "slow", "count": 1, "delay_s": 3.5}"#);
    let out = say("Slow server.");
    assert!(out.status.success(), "{}", stderr(&out));
    let injected: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r["_injected"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(injected.contains(&"500".to_string()) && injected.contains(&"slow".to_string()));

    // Truncated audio and non-audio bytes are permanent: no retry, a clear message.
    for (mode, needle) in [
        ("truncate", "truncated audio"),
        ("garbage", "cannot be decoded"),
    ] {
        let before = server.requests().len();
        server.control(&format!(r#"{{"mode": "{mode}", "count": -1}}"#));
        let out = say(&format!("Broken {mode}."));
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains(needle), "{mode}: {}", stderr(&out));
        assert_eq!(
            server.requests().len(),
            before + 1,
            "{mode}: permanent errors are not retried"
        );
    }
    server.control(r#"{"mode": "ok", "count": 0}"#);

    // The server's own 404 detail reaches the user.
    let out = run(intone(&home)
        .args(["say", "Who?", "--voice", "cb:Nobody.wav", "-o"])
        .arg(dir.path().join("y.wav")));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown voice \"cb:Nobody.wav\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn cloning_uploads_a_reference_clip_and_speaks_with_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let server = Server::start(&dir.path().join("srv"), 0);
    add_engine(&home, "cb", &[server.url()], &[]);
    let clip = dir.path().join("my-voice.wav");
    let st = Command::new("sox")
        .args(["-n", "-r", "24000", "-c", "1"])
        .arg(&clip)
        .args(["synth", "3", "sine", "180"])
        .status()
        .expect("sox");
    assert!(st.success());
    let out = run(intone(&home).args(["engines", "clone", "cb"]).arg(&clip));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("cb:clone:my-voice.wav"));
    let v = json(&run(intone(&home).args(["voices", "--json"])));
    assert!(v["voices"]
        .as_array()
        .expect("v")
        .iter()
        .any(|x| x["id"] == "cb:clone:my-voice.wav"));
    let out = run(intone(&home)
        .args([
            "say",
            "In my own voice.",
            "--voice",
            "cb:clone:my-voice.wav",
            "-o",
        ])
        .arg(dir.path().join("c.wav")));
    assert!(out.status.success(), "{}", stderr(&out));
    let last = server.requests().pop().expect("request");
    assert_eq!(last["voice_mode"], "clone");
    assert_eq!(last["reference_audio_filename"], "my-voice.wav");
    // A clip of the wrong type is refused with the server's reason.
    let txt = dir.path().join("notes.txt");
    std::fs::write(&txt, "not audio").expect("write");
    let out = run(intone(&home).args(["engines", "clone", "cb"]).arg(&txt));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Only .wav and .mp3"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_pool_spreads_work_and_survives_one_dead_server() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let a = Server::start(&dir.path().join("a"), 0);
    let mut b = Server::start(&dir.path().join("b"), 0);
    add_engine(&home, "cb", &[a.url(), b.url()], &[]);
    let script = dir.path().join("s.md");
    std::fs::write(&script, SCRIPT).expect("write");
    let out = run(intone(&home)
        .args(["--workers", "2", "generate"])
        .arg(&script)
        .args(["--voice", "cb:Adrian.wav", "--json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !a.requests().is_empty() && !b.requests().is_empty(),
        "both servers worked"
    );
    b.kill();
    std::fs::write(
        &script,
        SCRIPT
            .replace("I rest.", "I rest now, fully.")
            .replace("I am safe.", "I am safe here."),
    )
    .expect("write");
    let out = run(intone(&home)
        .args(["--workers", "2", "generate"])
        .arg(&script)
        .args(["--voice", "cb:Adrian.wav", "--json"]));
    assert!(
        out.status.success(),
        "one server down, the other carries on: {}",
        stderr(&out)
    );
}

#[test]
fn a_server_that_dies_mid_batch_fails_tracks_cleanly_and_retry_finishes_them_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path().join("home");
    let mut server = Server::start(&dir.path().join("srv"), 0);
    add_engine(&home, "cb", &[server.url()], &["--timeout", "3"]);
    let child = intone(&home)
        .args(["--workers", "1", "generate"])
        .arg(fixture("life-vision.md"))
        .args(["--voice", "cb:Emily.wav", "--variant", "voice", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let b = json(&run(intone(&home).args(["batches", "--json"])));
        if b[0]["completed"].as_i64().unwrap_or(0) >= 2 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "no progress");
    }
    server.kill();
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(2), "partial success");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["status"], "partial_success");
    let failed: Vec<_> = doc["tracks"]
        .as_array()
        .expect("t")
        .iter()
        .filter(|t| t["status"] == "failed")
        .collect();
    assert!(!failed.is_empty());
    for t in &failed {
        let e = t["error"].as_str().expect("error");
        assert!(
            e.contains("cannot connect to http://127.0.0.1") && e.contains("gave up after"),
            "{e}"
        );
    }
    server.restart();
    let out = run(intone(&home).args(["retry", "1", "--json"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_all_completed_once(&home, 1, 6);
    // Every sentence's audio was delivered exactly once, across the crash and the retry:
    // what was cached before the server died was not asked for again.
    let delivered = server.delivered();
    let unique: std::collections::HashSet<&String> = delivered.iter().collect();
    assert_eq!(
        unique.len(),
        delivered.len(),
        "a sentence was synthesized twice: {delivered:?}"
    );
}

#[test]
fn engine_configuration_is_validated_and_managed() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path();
    let out = run(intone(home).args([
        "engines",
        "add",
        "gpu",
        "--kind",
        "openai",
        "--url",
        "http://192.168.1.20:8880",
    ]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--allow-remote"), "{}", stderr(&out));
    let out = run(intone(home).args([
        "engines",
        "add",
        "gpu",
        "--kind",
        "openai",
        "--url",
        "http://192.168.1.20:8880",
        "--allow-remote",
        "--model",
        "kokoro",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(intone(home).args([
        "engines",
        "add",
        "piper",
        "--kind",
        "openai",
        "--url",
        "http://127.0.0.1:1",
    ]));
    assert!(stderr(&out).contains("built-in engine"), "{}", stderr(&out));
    let out = run(intone(home).args([
        "engines",
        "add",
        "dead",
        "--kind",
        "chatterbox",
        "--url",
        "http://127.0.0.1:9",
    ]));
    assert!(out.status.success());
    let list = json(&run(intone(home).args(["engines", "list", "--json"])));
    assert_eq!(list["gpu"]["model"], "kokoro");
    assert_eq!(list["dead"]["kind"], "chatterbox");
    let out = run(intone(home).args(["engines", "test", "dead"]));
    assert_eq!(out.status.code(), Some(1), "down → non-zero");
    assert!(String::from_utf8_lossy(&out.stdout).contains("dead is down"));
    // A dead engine does not break the voice list or other engines.
    let v = run(intone(home).args(["voices", "--json"]));
    assert!(v.status.success());
    let out = run(intone(home).args(["engines", "remove", "dead"]));
    assert!(out.status.success());
    let out = run(intone(home).args(["engines", "remove", "dead"]));
    assert!(stderr(&out).contains("no engine \"dead\""));
}
