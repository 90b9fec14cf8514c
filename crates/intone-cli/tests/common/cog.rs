//! A real Cog server (PyPI's `cog` + `coglet`, from `.assets/cog-venv`)
//! running the test predictor in `tests/servers/cog_musicgen`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Cog server, killed when dropped.
pub struct Server {
    /// The server process.
    pub child: Child,
    /// Its port.
    pub port: u16,
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
    let v = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.assets/cog-venv");
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
    let v = venv();
    let path = format!(
        "{}:{}",
        v.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let child = Command::new(v.join("bin/python"))
        .args(["-m", "cog.server.http", "--host", "127.0.0.1"])
        .current_dir(dir)
        .env("PATH", path)
        .env("PORT", port.to_string())
        .env("COG_PREDICT_TYPE_STUB", "predict.py:Predictor")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the Cog server");
    let s = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = Command::new("curl")
            .args(["-s", &format!("http://127.0.0.1:{port}/health-check")])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("\"READY\""));
        if ready {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "the Cog server did not become ready"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The predictor copied to a fresh folder (Cog reads `.cog/` from its cwd).
pub fn predictor(tmp: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/cog_musicgen");
    let dir = tmp.join("predictor");
    std::fs::create_dir_all(dir.join(".cog")).expect("dir");
    std::fs::copy(src.join("predict.py"), dir.join("predict.py")).expect("predict.py");
    std::fs::copy(
        src.join(".cog/openapi_schema.json"),
        dir.join(".cog/openapi_schema.json"),
    )
    .expect("schema");
    dir
}
