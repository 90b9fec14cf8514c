//! The command converter: the user's own program, run once per chunk with
//! its argument list from `converters.toml` (never through a shell).
//!
//! Errors: a program that cannot be started, exits non-zero, or leaves no
//! decodable audio at `{output}` fails the chunk permanently, with the exit
//! code and the last lines of its stderr; one that runs past `timeout_s` is
//! killed and counted as transient (the retry policy tries it again).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::config::CommandConfig;
use super::{ConverterInfo, SettingInfo, Settings};
use crate::audio::decode::probe_file;
use crate::engines::EngineError;

/// Lines of stderr kept for an error message.
const STDERR_LINES: usize = 5;

/// A converter that runs a program.
pub struct CommandConverter {
    name: String,
    cfg: CommandConfig,
}

impl CommandConverter {
    /// The converter `name` configured by `cfg`.
    pub fn new(name: String, cfg: CommandConfig) -> Self {
        Self { name, cfg }
    }

    /// The argument list with every placeholder filled.
    fn argv(&self, input: &Path, output: &Path, settings: &Settings) -> Vec<String> {
        self.cfg
            .command
            .iter()
            .map(|a| {
                let mut a = a
                    .replace("{input}", &input.to_string_lossy())
                    .replace("{output}", &output.to_string_lossy());
                for (k, v) in settings {
                    a = a.replace(&format!("{{{k}}}"), v);
                }
                a
            })
            .collect()
    }

    fn program_found(&self) -> Option<String> {
        let prog = Path::new(&self.cfg.command[0]);
        if prog.components().count() > 1 {
            return prog.is_file().then_some(()).map_or_else(
                || Some(format!("{} does not exist", prog.display())),
                |()| None,
            );
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        if std::env::split_paths(&path).any(|d| d.join(prog).is_file()) {
            None
        } else {
            Some(format!("{} is not on PATH", prog.display()))
        }
    }
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(STDERR_LINES)..].join(" | ")
}

impl super::Converter for CommandConverter {
    fn id(&self) -> &str {
        &self.name
    }

    fn info(&self) -> ConverterInfo {
        let reason = self.program_found();
        ConverterInfo {
            id: self.name.clone(),
            kind: "command".into(),
            description: self
                .cfg
                .description
                .clone()
                .unwrap_or_else(|| format!("runs {}", self.cfg.command.join(" "))),
            settings: self
                .cfg
                .settings
                .iter()
                .map(|(k, v)| SettingInfo {
                    name: k.clone(),
                    description: format!("fills {{{k}}} in the command"),
                    default: v.clone(),
                    choices: vec![],
                    min: None,
                    max: None,
                })
                .collect(),
            max_chunk_ms: self.cfg.max_chunk_s * 1000.0,
            concurrency: self.cfg.concurrency,
            available: reason.is_none(),
            reason,
        }
    }

    fn cache_salt(&self) -> String {
        self.cfg.command.join("\u{1f}")
    }

    fn convert(&self, input: &Path, output: &Path, settings: &Settings) -> Result<(), EngineError> {
        let argv = self.argv(input, output, settings);
        let mut child = Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                EngineError::permanent(&self.name, format!("cannot run {}: {e}", argv[0]))
            })?;
        // Read stderr on a thread so a chatty program never blocks on a full pipe.
        let mut stderr = child.stderr.take();
        let reader = std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(e) = stderr.as_mut() {
                let _ = e.take(1 << 20).read_to_string(&mut s);
            }
            s
        });
        let deadline = Instant::now() + Duration::from_secs_f64(self.cfg.timeout_s);
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break s,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(EngineError::transient(
                        &self.name,
                        format!(
                            "{} ran longer than {} s and was stopped",
                            argv[0], self.cfg.timeout_s
                        ),
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => {
                    return Err(EngineError::permanent(
                        &self.name,
                        format!("waiting for {}: {e}", argv[0]),
                    ))
                }
            }
        };
        let err_text = reader.join().unwrap_or_default();
        if !status.success() {
            let code = status.code().map_or_else(
                || "was killed by a signal".to_string(),
                |c| format!("exited with code {c}"),
            );
            let t = tail(&err_text);
            return Err(EngineError::permanent(
                &self.name,
                if t.is_empty() {
                    format!("{} {code}", argv[0])
                } else {
                    format!("{} {code}: {t}", argv[0])
                },
            ));
        }
        match std::fs::metadata(output) {
            Err(_) => {
                return Err(EngineError::permanent(
                    &self.name,
                    format!("{} wrote nothing to {{output}}", argv[0]),
                ))
            }
            Ok(m) if m.len() == 0 => {
                return Err(EngineError::permanent(
                    &self.name,
                    format!("{} wrote an empty file", argv[0]),
                ))
            }
            Ok(_) => {}
        }
        probe_file(output).map_err(|e| {
            EngineError::permanent(&self.name, format!("{} did not write audio: {e}", argv[0]))
        })?;
        Ok(())
    }
}
