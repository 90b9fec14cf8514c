//! Independent readings of delivered files by the system's ffmpeg/ffprobe
//! (shared with the CLI's tests by `#[path]`).
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// Integrated loudness (LUFS) by ffmpeg's ebur128 filter.
pub fn lufs(path: &Path) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-af", "ebur128", "-f", "null", "-"])
        .output()
        .expect("ffmpeg");
    let text = String::from_utf8_lossy(&out.stderr);
    let summary = text.rsplit("Summary:").next().unwrap_or_default();
    summary
        .lines()
        .find_map(|l| l.trim().strip_prefix("I:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no loudness for {}:\n{text}", path.display()))
}

/// Frames ffmpeg decodes from `path` (at the file's own rate), counted from
/// raw 32-bit float output of its first channel.
pub fn decoded_frames(path: &Path) -> u64 {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-i"])
        .arg(path)
        .args(["-map", "0:a:0", "-ac", "1", "-f", "f32le", "-"])
        .output()
        .expect("ffmpeg");
    assert!(
        out.status.success(),
        "ffmpeg could not decode {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout.len() as u64 / 4
}

/// Mono f32 samples at 48 kHz, decoded (and downmixed, resampled) by ffmpeg.
pub fn decode_mono_48k(path: &Path) -> Vec<f32> {
    decode_with(path, &["-ac", "1", "-ar", "48000"])
}

/// Interleaved f32 samples at 48 kHz in the file's own channels, decoded
/// (and resampled) by ffmpeg.
pub fn decode_48k(path: &Path) -> Vec<f32> {
    decode_with(path, &["-ar", "48000"])
}

fn decode_with(path: &Path, args: &[&str]) -> Vec<f32> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(args)
        .args(["-f", "f32le", "-"])
        .output()
        .expect("ffmpeg");
    assert!(
        out.status.success(),
        "ffmpeg could not decode {}",
        path.display()
    );
    out.stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// ffprobe's JSON for the format, streams and chapters of `path`.
pub fn probe(path: &Path) -> serde_json::Value {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "-show_chapters",
        ])
        .arg(path)
        .output()
        .expect("ffprobe");
    assert!(out.status.success(), "ffprobe {}", path.display());
    serde_json::from_slice(&out.stdout).expect("ffprobe JSON")
}

/// A tag of the file (format tags, then the first stream's: Ogg keeps them
/// on the stream), case-insensitive.
pub fn tag(probe: &serde_json::Value, key: &str) -> Option<String> {
    let find = |tags: &serde_json::Value| {
        tags.as_object().and_then(|m| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .and_then(|(_, v)| v.as_str().map(str::to_owned))
        })
    };
    find(&probe["format"]["tags"]).or_else(|| find(&probe["streams"][0]["tags"]))
}

/// A small PNG made by ffmpeg, for covers.
pub fn png(path: &Path) {
    let ok = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=teal:s=64x64",
            "-frames:v",
            "1",
        ])
        .arg(path)
        .status()
        .expect("ffmpeg")
        .success();
    assert!(ok, "ffmpeg could not make {}", path.display());
}
