//! The system's ffmpeg as a fallback decoder for what symphonia 0.5 cannot
//! read (Opus, RF64 WAV, AMR, WMA…). Intone asks it for the first audio
//! stream as 32-bit float WAV on a pipe and reads that stream block by block,
//! so memory stays bounded. ffmpeg is run directly (never through a shell);
//! when it is not installed, the caller reports the original error.
//!
//! The piped WAV's sizes are unknown to ffmpeg when it starts, so the `data`
//! chunk is read to the end of the stream, whatever its header says.

use std::io::{BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

use crate::error::{Error, Result};

/// The ffmpeg program: `$INTONE_FFMPEG`, else `ffmpeg` on `PATH`.
pub fn ffmpeg_program() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("INTONE_FFMPEG") {
        return Some(p.into());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("ffmpeg"))
        .find(|p| p.is_file())
}

/// A running ffmpeg decoding one file to f32 samples.
pub struct ExternalDecoder {
    child: Child,
    out: BufReader<ChildStdout>,
    /// Sample rate, Hz.
    pub sample_rate_hz: u32,
    /// Channels.
    pub channels: u16,
    path: std::path::PathBuf,
}

fn read_u32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

impl ExternalDecoder {
    /// Starts ffmpeg on `path` and reads the WAV header it sends.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file with ffmpeg's own message when it
    /// cannot decode it; `None`-like [`Error::NotFound`] when ffmpeg is missing.
    pub fn open(path: &Path) -> Result<Self> {
        let prog =
            ffmpeg_program().ok_or_else(|| Error::NotFound("ffmpeg is not installed".into()))?;
        let mut child = Command::new(prog)
            .args(["-nostdin", "-hide_banner", "-v", "error", "-i"])
            .arg(path)
            .args([
                "-vn",
                "-map",
                "0:a:0",
                "-c:a",
                "pcm_f32le",
                "-f",
                "wav",
                "-",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Error::audio(path, format!("cannot run ffmpeg: {e}")))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| Error::audio(path, "ffmpeg gave no output"))?;
        let mut out = BufReader::new(stdout);
        match read_header(&mut out) {
            Ok((sample_rate_hz, channels)) => {
                crate::audio::ingest::check_header(
                    path,
                    Some(sample_rate_hz),
                    Some(channels),
                    None,
                )?;
                Ok(Self {
                    child,
                    out,
                    sample_rate_hz,
                    channels,
                    path: path.to_path_buf(),
                })
            }
            Err(_) => {
                let mut msg = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = (&mut e).take(4096).read_to_string(&mut msg);
                }
                let _ = child.kill();
                let _ = child.wait();
                let line = msg
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("no audio decoded");
                Err(Error::audio(
                    path,
                    format!(
                        "not an audio file Intone can read (ffmpeg: {})",
                        line.trim()
                    ),
                ))
            }
        }
    }

    /// Replaces `buf` with up to `frames` interleaved frames; returns frames
    /// read (0 at the end of the stream).
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file when the pipe breaks.
    pub fn read_block(&mut self, buf: &mut Vec<f32>, frames: usize) -> Result<usize> {
        let ch = usize::from(self.channels.max(1));
        let mut bytes = vec![0u8; frames * ch * 4];
        let mut got = 0;
        while got < bytes.len() {
            match self.out.read(&mut bytes[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::audio(&self.path, format!("ffmpeg: {e}"))),
            }
        }
        let whole = got / (ch * 4) * ch * 4;
        buf.clear();
        buf.extend(
            bytes[..whole]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
        Ok(whole / (ch * 4))
    }
}

impl Drop for ExternalDecoder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads a WAV header up to the start of its `data` chunk; returns (rate, channels).
fn read_header(r: &mut impl Read) -> std::io::Result<(u32, u16)> {
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not a WAV stream");
    let mut riff = [0u8; 12];
    r.read_exact(&mut riff)?;
    if &riff[..4] != b"RIFF" || &riff[8..12] != b"WAVE" {
        return Err(bad());
    }
    let mut fmt: Option<(u32, u16)> = None;
    for _ in 0..64 {
        let mut h = [0u8; 8];
        r.read_exact(&mut h)?;
        let size = read_u32(&h[4..]) as usize;
        if &h[..4] == b"data" {
            return fmt.ok_or_else(bad);
        }
        if size > 1 << 20 {
            return Err(bad());
        }
        let mut body = vec![0u8; size + (size & 1)];
        r.read_exact(&mut body)?;
        if &h[..4] == b"fmt " && body.len() >= 16 {
            fmt = Some((read_u32(&body[4..]), u16::from_le_bytes([body[2], body[3]])));
        }
    }
    Err(bad())
}
