//! The RVC converter end to end, against a stand-in that follows rvc-python's
//! documented API server (tests/servers/rvc_server.py): the model is loaded,
//! the parameters set, the server's 500s retried, a server that is down
//! fails the chunks with a clear message and `retry` finishes once it is up.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::{intone, json, recording, run};

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(port: u16, args: &[&str]) -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/rvc_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .args(args)
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
        Self { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn configure(home: &Path, port: u16, model: &str) {
    std::fs::write(
        home.join("converters.toml"),
        format!(
            "[converters.myvoice]\nkind = \"rvc\"\nurls = [\"http://127.0.0.1:{port}\"]\nmodel = \"{model}\"\nsettings = {{ index_rate = \"0.7\" }}\n"
        ),
    )
    .expect("converters.toml");
}

fn log(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn samples(p: &Path) -> Vec<f32> {
    let mut r = hound::WavReader::open(p).expect("wav");
    r.samples::<i16>()
        .map(|s| f32::from(s.expect("s")) / 32768.0)
        .collect()
}

fn home_in(dir: &Path) -> PathBuf {
    let h = dir.join("home");
    std::fs::create_dir_all(&h).expect("home");
    h
}

#[test]
fn rvc_server_converts_every_chunk_with_the_model_and_parameters_asked() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = home_in(dir.path());
    let log_path = dir.path().join("rvc.jsonl");
    let server = Server::start(
        0,
        &["--fail-first", "2", "--log", &log_path.to_string_lossy()],
    );
    configure(&home, server.port, "alice");

    let list = run(intone(&home).args(["converters", "--json"]));
    let list = json(&list);
    let c = list
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == "myvoice"))
        .expect("listed");
    assert_eq!(c["kind"], "rvc");
    assert_eq!(c["available"], true, "{c}");
    let f0 = c["settings"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "f0method"))
        .expect("f0method");
    assert_eq!(f0["default"], "rmvpe");

    let wav = recording(dir.path());
    let out = run(intone(&home)
        .args([
            "convert",
            "--json",
            "--converter",
            "myvoice",
            "--set",
            "f0up_key=3",
            "--max-chunk-s",
            "8",
        ])
        .arg(&wav));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out);
    let t = &doc["tracks"][0];
    assert_eq!(t["status"], "completed");
    assert_eq!(t["variant"], "myvoice · alice");
    let chunks = t["units_total"].as_u64().expect("chunks") as usize;
    let entries = log(&log_path);
    assert_eq!(entries[0]["path"], "/models");
    assert_eq!(entries[0]["model"], "alice");
    let converts: Vec<_> = entries.iter().filter(|e| e["path"] == "/convert").collect();
    assert_eq!(
        converts.iter().filter(|e| e["failed"] == true).count(),
        2,
        "the server's 500s were retried"
    );
    assert_eq!(
        converts.iter().filter(|e| e["failed"] == false).count(),
        chunks,
        "each chunk converted once"
    );
    for e in &converts {
        assert_eq!(e["params"]["f0up_key"], 3, "{e}");
        assert_eq!(e["params"]["index_rate"], 0.7, "{e}");
        assert_eq!(e["params"]["f0method"], "rmvpe", "{e}");
    }
    // The stand-in inverts polarity: the result is the recording turned over.
    let input = samples(&wav);
    let output = samples(Path::new(t["output_path"].as_str().expect("path")));
    assert_eq!(input.len(), output.len());
    let dot: f64 = input
        .iter()
        .zip(&output)
        .map(|(a, b)| f64::from(a * b))
        .sum();
    assert!(
        dot < 0.0,
        "the server's conversion is in the result ({dot})"
    );
}

#[test]
fn a_server_that_is_down_fails_the_chunk_and_retry_finishes_once_it_is_up() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = home_in(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    configure(&home, port, "alice");
    let wav = recording(dir.path());
    // Nothing listens: the converter cannot run, and says why.
    let refused = run(intone(&home)
        .args(["convert", "--converter", "myvoice"])
        .arg(&wav));
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("converter \"myvoice\" cannot run") && err.contains(&port.to_string()),
        "{err}"
    );

    // Up for the plan, down while converting.
    let log_path = dir.path().join("rvc.jsonl");
    let server = Server::start(port, &["--log", &log_path.to_string_lossy()]);
    let plan_only = run(intone(&home)
        .env("INTONE_FAILPOINT", "ingest:after_commit")
        .args(["convert", "--converter", "myvoice"])
        .arg(&wav));
    assert!(!plan_only.status.success(), "stopped at the fail point");
    drop(server);
    let failed = run(intone(&home).args(["resume"]));
    assert_eq!(failed.status.code(), Some(1));
    let t = &common::tracks(&home, 1)[0];
    let e = t["error"].as_str().expect("error");
    assert!(
        e.contains("chunk 1 of") && e.contains("cannot connect to"),
        "{e}"
    );

    let _server = Server::start(port, &["--log", &log_path.to_string_lossy()]);
    let retried = run(intone(&home).args(["retry", "1", "--json"]));
    assert!(
        retried.status.success(),
        "{}",
        String::from_utf8_lossy(&retried.stderr)
    );
    common::assert_all_completed_once(&home, 1, 1);
    let m = std::fs::read_to_string(home.join("converters.toml")).expect("toml");
    assert!(m.contains("rvc"));
    let bad = dir.path().join("nomodel");
    std::fs::create_dir_all(&bad).expect("dir");
    configure(&bad, port, "carol");
    let list = json(&run(intone(&bad).args(["converters", "--json"])));
    let c = list
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == "myvoice"))
        .expect("listed");
    assert_eq!(c["available"], false);
    assert!(
        c["reason"]
            .as_str()
            .is_some_and(|r| r.contains("no model \"carol\"")),
        "{c}"
    );
}
