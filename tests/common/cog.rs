//! A real Cog server (PyPI's `cog` + `coglet`, from `.assets/cog-venv`)
//! running the test predictor in `tests/servers/cog_musicgen`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A running Cog server, killed when dropped.
pub struct Server {
    /// The server process.
    pub child: Child,
    /// Its port.
    pub port: u16,
    /// Its stdout and stderr.
    pub log: PathBuf,
}

impl Server {
    /// The body of `GET /health-check` ("" when it does not answer).
    pub fn health(&self) -> String {
        Command::new("curl")
            .args([
                "-s",
                "-m",
                "5",
                &format!("http://127.0.0.1:{}/health-check", self.port),
            ])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    /// The last 40 lines of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        format!(
            "\n--- {} (last lines) ---\n{}",
            self.log.display(),
            lines[lines.len().saturating_sub(40)..].join("\n")
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn venv() -> PathBuf {
    let v = Path::new(env!("CARGO_MANIFEST_DIR")).join(".assets/cog-venv");
    assert!(
        v.join("bin/python").is_file(),
        "{} is missing: run scripts/setup.sh --dev",
        v.display()
    );
    v
}

/// Starts the predictor under `python -m cog.server.http` on `port` and waits
/// for `/health-check` to say READY.
pub fn start(dir: &Path, port: u16) -> Server {
    start_with(dir, port, &[], "READY")
}

/// Starts the predictor with extra environment (`INTONE_TEST_COG_SLEEP_S`,
/// `INTONE_TEST_COG_SETUP_FAIL`) and waits until `/health-check` reports
/// `status`. The server's output goes to `dir/cog-server.log` (see
/// [`Server::log_tail`]).
pub fn start_with(dir: &Path, port: u16, env: &[(&str, &str)], status: &str) -> Server {
    let v = venv();
    let path = format!(
        "{}:{}",
        v.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let log = dir.join("cog-server.log");
    let out = std::fs::File::create(&log).expect("server log");
    let err = out.try_clone().expect("server log");
    let child = Command::new(v.join("bin/python"))
        .args(["-m", "cog.server.http", "--host", "127.0.0.1"])
        .current_dir(dir)
        .env("PATH", path)
        .env("PORT", port.to_string())
        .env("COG_PREDICT_TYPE_STUB", "predict.py:Predictor")
        .envs(env.iter().copied())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("start the Cog server");
    let mut s = Server { child, port, log };
    let want = format!("\"{status}\"");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if s.health().contains(&want) {
            // A server that lost the race for the port exits; the one that
            // answered would be another test's.
            assert!(
                s.child.try_wait().expect("wait").is_none(),
                "the Cog server exited: {}",
                s.log_tail()
            );
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "the Cog server did not report {status}: {}",
            s.log_tail()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The MusicGen-schema predictor copied to a fresh folder (Cog reads
/// `.cog/` from its cwd).
pub fn predictor(tmp: &Path) -> PathBuf {
    predictor_from(tmp, "cog_musicgen")
}

/// The predictor in `tests/servers/<name>` copied to a fresh folder.
pub fn predictor_from(tmp: &Path, name: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/servers")
        .join(name);
    let dir = tmp.join(name);
    std::fs::create_dir_all(dir.join(".cog")).expect("dir");
    std::fs::copy(src.join("predict.py"), dir.join("predict.py")).expect("predict.py");
    std::fs::copy(
        src.join(".cog/openapi_schema.json"),
        dir.join(".cog/openapi_schema.json"),
    )
    .expect("schema");
    dir
}
