//! Videos a score is made for, through the system's ffmpeg and ffprobe
//! (run directly, never through a shell): reading a video's duration, and
//! writing a copy of it with a score as its audio (the video stream copied
//! untouched, the score encoded as AAC at 192 kb/s). The original file is
//! only ever read.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};

/// Containers a score can be made for.
pub const VIDEO_EXTENSIONS: &[&str] = &["mp4", "mov", "m4v", "mkv", "webm"];

/// AAC bit rate of a scored copy, bits per second.
pub const SCORE_AAC_BPS: u32 = 192_000;

/// The ffprobe program: `$INTONE_FFPROBE`, else beside `$INTONE_FFMPEG`,
/// else `ffprobe` on `PATH`.
pub fn ffprobe_program() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("INTONE_FFPROBE") {
        return Some(p.into());
    }
    if let Some(dir) = std::env::var_os("INTONE_FFMPEG")
        .map(PathBuf::from)
        .and_then(|f| f.parent().map(Path::to_path_buf))
    {
        let p = dir.join("ffprobe");
        if p.is_file() {
            return Some(p);
        }
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("ffprobe"))
        .find(|p| p.is_file())
}

fn missing(what: &str) -> Error {
    Error::NotFound(format!(
        "{what} is not installed: scoring a video needs ffmpeg (Debian/Ubuntu: sudo apt install ffmpeg; \
         scripts/setup.sh installs it)"
    ))
}

fn spawn_error(e: std::io::Error, program: &str, path: &Path) -> Error {
    if e.kind() == std::io::ErrorKind::NotFound {
        missing(program)
    } else {
        Error::io(path, e)
    }
}

/// Checks that `path` is a video Intone can score (by its extension).
///
/// # Errors
/// [`Error::Config`] naming the file.
pub fn check_video_path(path: &Path) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if !VIDEO_EXTENSIONS.contains(&ext.as_str()) {
        return Err(Error::Config(format!(
            "{}: not a video Intone can score (use MP4, MOV, MKV or WebM)",
            path.display()
        )));
    }
    if !path.is_file() {
        return Err(Error::NotFound(format!(
            "{}: no such video",
            path.display()
        )));
    }
    Ok(())
}

/// The duration of the video at `path`, ms: its video stream's duration as
/// ffprobe reports it (`stream=duration`), else the container's
/// (`format=duration`).
///
/// # Errors
/// [`Error::NotFound`] when ffprobe is missing; [`Error::Audio`] naming the
/// file when it has no video stream or no duration.
pub fn video_duration_ms(path: &Path) -> Result<u32> {
    check_video_path(path)?;
    let prog = ffprobe_program().ok_or_else(|| missing("ffprobe"))?;
    let out = Command::new(prog)
        .args(["-v", "error", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            "stream=codec_type,duration:format=duration",
        ])
        .args(["-of", "default=noprint_wrappers=1"])
        .arg(path)
        .output()
        .map_err(|e| spawn_error(e, "ffprobe", path))?;
    let bad = |m: String| Error::Audio {
        path: path.to_path_buf(),
        message: m,
    };
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(bad(format!(
            "ffprobe cannot read it: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    if !text.contains("codec_type=video") {
        return Err(bad("it has no video stream".into()));
    }
    // The video stream's own duration comes first (a container may count
    // a little more); Matroska/WebM streams have none, so the container's.
    let secs = text
        .lines()
        .filter_map(|l| l.strip_prefix("duration="))
        .find_map(|d| d.trim().parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d > 0.0 && *d < 86_400.0)
        .ok_or_else(|| bad("ffprobe reports no duration for it".into()))?;
    Ok((secs * 1000.0).round() as u32)
}

/// Where a scored copy of `video` goes in `folder`: `<stem> (scored).<ext>`,
/// Matroska for WebM (whose audio cannot be AAC).
pub fn scored_name(video: &Path, folder: &Path) -> PathBuf {
    let stem = video
        .file_stem()
        .map_or_else(|| "video".into(), |s| s.to_string_lossy().into_owned());
    let ext = video
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_else(|| "mp4".into());
    let ext = if ext == "webm" {
        "mkv".to_string()
    } else {
        ext
    };
    folder.join(format!("{stem} (scored).{ext}"))
}

/// Writes `out`: the video stream of `video` copied, with `score` as its
/// only audio (AAC, [`SCORE_AAC_BPS`]). Written to a temporary name and
/// renamed, so `out` is whole or absent.
///
/// # Errors
/// [`Error::NotFound`] when ffmpeg is missing; [`Error::Audio`] with
/// ffmpeg's message when it fails.
pub fn mux_score(video: &Path, score: &Path, out: &Path) -> Result<()> {
    check_video_path(video)?;
    let prog = crate::audio::external::ffmpeg_program().ok_or_else(|| missing("ffmpeg"))?;
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = crate::fsio::temp_path_keeping_extension(out);
    let mut cmd = Command::new(prog);
    cmd.args(["-v", "error", "-nostdin", "-y", "-i"])
        .arg(video)
        .arg("-i")
        .arg(score)
        .args(["-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy"])
        .args(["-c:a", "aac", "-b:a", &SCORE_AAC_BPS.to_string()]);
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ["mp4", "mov", "m4v"].contains(&ext.as_str()) {
        cmd.args(["-movflags", "+faststart"]);
    }
    let res = cmd
        .arg(&tmp)
        .output()
        .map_err(|e| spawn_error(e, "ffmpeg", video))?;
    if !res.status.success() {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::Audio {
            path: video.to_path_buf(),
            message: format!(
                "ffmpeg could not put the score into a copy of it: {}",
                String::from_utf8_lossy(&res.stderr).trim()
            ),
        });
    }
    crate::fsio::commit(&tmp, out)
}
