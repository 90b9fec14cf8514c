//! One file per script ("audiobook" export): every finished track of one of
//! a batch's variants, in order, joined into one file with a chapter per
//! track, and one SRT/WebVTT for the whole file from the tracks' cues.
//!
//! Chapters are written as the format carries them ([`crate::audio::tags`]):
//! ID3v2 `CHAP`/`CTOC` in MP3, `CHAPTERnnn` comments in FLAC and Opus; M4B
//! (AAC in MP4) goes through the system's ffmpeg with an FFMETADATA chapter
//! list (ffmpeg's "Metadata" documentation). WAV carries no chapters.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use super::Studio;
use crate::audio::encode::{encode_tagged, EncodeOptions, Format};
use crate::audio::ingest::ingest_file;
use crate::audio::loudness::Loudness;
use crate::audio::tags::{Chapter, Tags};
use crate::audio::wav::{WavBlockReader, WavBlockWriter};
use crate::audio::BLOCK_FRAMES;
use crate::error::{Error, Result};
use crate::fsio;
use crate::store::{BatchRow, Step, TrackRow, TrackStatus};
use crate::subtitles::{self, Cue};

/// Bit rate of M4B (AAC) books, kbit/s: spoken word, stereo or mono.
const M4B_KBPS: u32 = 96;

/// What to export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookRequest {
    /// The batch.
    pub batch_id: i64,
    /// Which variant's tracks; `None` = the variant of the batch's first track.
    pub variant: Option<String>,
    /// The file to write; its extension picks the format (`wav`, `flac`,
    /// `mp3`, `opus`, `m4b`).
    pub out: PathBuf,
    /// Lossy settings, artist and cover; `None` = the batch's.
    pub encode: Option<EncodeOptions>,
    /// Title tag; `None` = the project's name.
    pub title: Option<String>,
}

/// One chapter of an exported book.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookChapter {
    /// The track's title.
    pub title: String,
    /// Start, ms from the start of the file.
    pub start_ms: u64,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookReport {
    /// The book.
    pub path: PathBuf,
    /// Its SubRip subtitles, when its tracks have cues.
    pub srt: Option<PathBuf>,
    /// Its WebVTT subtitles, when its tracks have cues.
    pub vtt: Option<PathBuf>,
    /// Chapters, one per track.
    pub chapters: Vec<BookChapter>,
    /// Length, ms.
    pub duration_ms: u64,
    /// Loudness of what was encoded (not measured for M4B).
    pub loudness: Option<Loudness>,
}

#[derive(Deserialize)]
struct SubtitlesStep {
    #[serde(default)]
    cues: Vec<Cue>,
}

/// `out`'s format: one of [`Format`], or `None` for M4B.
fn book_format(out: &Path) -> Result<Option<Format>> {
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ext == "m4b" || ext == "m4a" {
        return Ok(None);
    }
    ext.parse::<Format>().map(Some).map_err(|_| {
        Error::Config(format!(
            "{}: export a book as .mp3, .m4b, .opus, .flac or .wav",
            out.display()
        ))
    })
}

/// How a book is encoded: by the core's encoders, or to M4B by ffmpeg.
enum BookEncoder {
    /// WAV, FLAC, MP3 or Opus, with [`encode_tagged`].
    Native(Format),
    /// AAC in MP4 by the system's ffmpeg (its program path).
    M4b(PathBuf),
}

impl BookEncoder {
    /// The encoder for `out`'s extension.
    ///
    /// # Errors
    /// [`Error::Config`] for an unknown extension; [`Error::NotFound`] when
    /// M4B is asked for and ffmpeg is not installed.
    fn for_path(out: &Path) -> Result<Self> {
        match book_format(out)? {
            Some(f) => Ok(Self::Native(f)),
            None => crate::audio::external::ffmpeg_program()
                .map(Self::M4b)
                .ok_or_else(|| {
                    Error::NotFound(
                        "M4B export needs ffmpeg, which is not installed (apt install ffmpeg)"
                            .into(),
                    )
                }),
        }
    }
}

/// The book's audio as it is joined: one WAV that each track is appended to,
/// with the chapters and (shifted) subtitle cues gathered on the way.
struct Joiner {
    /// The joined WAV; opened at the first track, with its rate and channels.
    writer: Option<WavBlockWriter>,
    /// Sample rate of the book, Hz (0 before the first track).
    rate: u32,
    /// Channels of the book (0 before the first track).
    channels: u16,
    /// Frames appended so far.
    frames: u64,
    /// One chapter per appended track, starting where it starts.
    chapters: Vec<BookChapter>,
    /// The tracks' subtitle cues, shifted to the book's timeline.
    cues: Vec<Cue>,
    /// Block buffer (interleaved f32), reused.
    buf: Vec<f32>,
}

impl Joiner {
    fn new() -> Self {
        Self {
            writer: None,
            rate: 0,
            channels: 0,
            frames: 0,
            chapters: Vec::new(),
            cues: Vec::new(),
            buf: Vec::new(),
        }
    }

    /// Appends finished track `t` (decoded through `scratch`) to `joined`,
    /// with its chapter and its subtitle cues.
    ///
    /// # Errors
    /// Audio errors naming the track's file when it cannot be read or has
    /// another rate or channel count than the tracks before it; errors of
    /// the store and of writing `joined`.
    fn append(
        &mut self,
        studio: &Studio,
        t: &TrackRow,
        scratch: &Path,
        joined: &Path,
    ) -> Result<()> {
        let src = PathBuf::from(t.output_path.as_deref().unwrap_or_default());
        let wav = scratch.join(format!("track-{}.wav", t.id));
        let info = ingest_file(&src, &wav)?;
        let (rate, channels) = (self.rate, self.channels);
        let w = match self.writer.as_mut() {
            Some(w) => {
                if (info.sample_rate_hz, info.channels) != (rate, channels) {
                    return Err(Error::audio(
                        &src,
                        format!(
                            "{} Hz × {} channels, but the book so far is {rate} Hz × {channels}",
                            info.sample_rate_hz, info.channels
                        ),
                    ));
                }
                w
            }
            None => {
                (self.rate, self.channels) = (info.sample_rate_hz, info.channels);
                self.writer
                    .insert(WavBlockWriter::create(joined, self.rate, self.channels)?)
            }
        };
        let start_ms = self.frames * 1000 / u64::from(self.rate);
        self.chapters.push(BookChapter {
            title: t.title.clone(),
            start_ms,
        });
        if let Some(step) = studio.store().step(t.id, Step::Subtitles)? {
            if let Some(s) = step
                .output_json
                .as_deref()
                .and_then(|j| serde_json::from_str::<SubtitlesStep>(j).ok())
            {
                self.cues.extend(subtitles::shifted(&s.cues, start_ms));
            }
        }
        let mut r = WavBlockReader::open(&wav)?;
        while r.read_block(&mut self.buf, BLOCK_FRAMES)? > 0 {
            w.write(&self.buf)?;
        }
        self.frames += info.frames;
        let _ = std::fs::remove_file(&wav);
        Ok(())
    }

    /// Closes the joined WAV; returns the book's length, ms.
    fn finish(&mut self) -> Result<u64> {
        if let Some(w) = self.writer.take() {
            w.finish()?;
        }
        Ok(self.frames * 1000 / u64::from(self.rate.max(1)))
    }
}

/// The book's tags: its title (the order's, or the project's name), the
/// options' artist and cover, the project as album, and one tag chapter per
/// chapter, each ending where the next starts (the last at `duration_ms`).
fn book_tags(
    order: &BookRequest,
    batch: &BatchRow,
    options: &EncodeOptions,
    chapters: &[BookChapter],
    duration_ms: u64,
) -> Tags {
    let tag_chapters: Vec<Chapter> = chapters
        .iter()
        .enumerate()
        .map(|(i, c)| Chapter {
            title: c.title.clone(),
            start_ms: c.start_ms,
            end_ms: chapters.get(i + 1).map_or(duration_ms, |n| n.start_ms),
        })
        .collect();
    Tags {
        title: Some(order.title.clone().unwrap_or_else(|| batch.project.clone())),
        artist: options.artist.clone(),
        album: Some(batch.project.clone()),
        track: None,
        cover: options.cover.clone(),
        chapters: tag_chapters,
        loop_frames: None,
    }
}

impl Studio {
    /// Joins the finished tracks of one variant of a batch into one file with
    /// a chapter per track, and writes `<stem>.srt` / `<stem>.vtt` beside it
    /// when the tracks have subtitle cues.
    ///
    /// # Errors
    /// [`Error::Config`] for an unknown extension, an unknown variant, or
    /// tracks that are not finished (named); [`Error::NotFound`] when M4B is
    /// asked for without ffmpeg; audio errors naming the track or the output.
    /// A failed export leaves no partial file under `out`'s name.
    pub fn export_book(&self, order: &BookRequest) -> Result<BookReport> {
        let encoder = BookEncoder::for_path(&order.out)?;
        let batch = self.store().batch(order.batch_id)?;
        let tracks = self.book_tracks(order)?;
        let options = order.encode.clone().unwrap_or_else(|| batch.encode.clone());
        options.check()?;

        let dir = order
            .out
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let scratch = dir.join(format!(".intone-book-{}", fastrand::u64(..)));
        std::fs::create_dir_all(&scratch).map_err(|e| Error::io(&scratch, e))?;
        let result = self.write_book(order, &encoder, &batch, &options, &tracks, &scratch);
        let _ = std::fs::remove_dir_all(&scratch);
        result
    }

    /// The tracks of the order's variant (the first track's when it names
    /// none), in order.
    ///
    /// # Errors
    /// [`Error::Config`] when the variant has no tracks, or naming the
    /// tracks that are not finished (completed, with their file on disk).
    fn book_tracks(&self, order: &BookRequest) -> Result<Vec<TrackRow>> {
        let all = self.store().tracks(order.batch_id)?;
        let variant = match &order.variant {
            Some(v) => v.clone(),
            None => all.first().map(|t| t.variant.clone()).unwrap_or_default(),
        };
        let mut tracks: Vec<_> = all.into_iter().filter(|t| t.variant == variant).collect();
        if tracks.is_empty() {
            return Err(Error::Config(format!(
                "batch {} has no tracks of variant \"{variant}\"",
                order.batch_id
            )));
        }
        tracks.sort_by_key(|t| t.position);
        let unfinished: Vec<String> = tracks
            .iter()
            .filter(|t| {
                t.status != TrackStatus::Completed
                    || !t
                        .output_path
                        .as_deref()
                        .is_some_and(|p| Path::new(p).is_file())
            })
            .map(|t| format!("{} ({})", t.title, t.status))
            .collect();
        if !unfinished.is_empty() {
            return Err(Error::Config(format!(
                "batch {}: finish these tracks before exporting the book: {}",
                order.batch_id,
                unfinished.join(", ")
            )));
        }
        Ok(tracks)
    }

    /// Joins `tracks` in `scratch`, encodes the book to `order.out` (atomically)
    /// and writes its subtitles beside it.
    fn write_book(
        &self,
        order: &BookRequest,
        encoder: &BookEncoder,
        batch: &BatchRow,
        options: &EncodeOptions,
        tracks: &[TrackRow],
        scratch: &Path,
    ) -> Result<BookReport> {
        let joined = scratch.join("book.wav");
        let mut joiner = Joiner::new();
        for t in tracks {
            joiner.append(self, t, scratch, &joined)?;
        }
        let duration_ms = joiner.finish()?;
        let Joiner { chapters, cues, .. } = joiner;
        let tags = book_tags(order, batch, options, &chapters, duration_ms);
        let loudness = match encoder {
            BookEncoder::Native(f) => Some(
                fsio::write_with(&order.out, |tmp| {
                    encode_tagged(&joined, tmp, *f, batch.bit_depth, options, &tags)
                })?
                .loudness,
            ),
            BookEncoder::M4b(ff) => {
                let meta = scratch.join("chapters.txt");
                fsio::write_atomically(&meta, ffmetadata(&tags).as_bytes())?;
                fsio::write_with(&order.out, |tmp| m4b(ff, &joined, &meta, tmp))?;
                None
            }
        };
        let (srt, vtt) = if cues.is_empty() {
            (None, None)
        } else {
            let (s, v) = subtitles::write_beside(&order.out, &cues)?;
            (Some(s), Some(v))
        };
        Ok(BookReport {
            path: order.out.clone(),
            srt,
            vtt,
            chapters,
            duration_ms,
            loudness,
        })
    }
}

/// Escapes `=`, `;`, `#`, `\` and newlines for FFMETADATA.
fn ff_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '=' | ';' | '#' | '\\' | '\n') {
            o.push('\\');
        }
        o.push(c);
    }
    o
}

/// An FFMETADATA1 file with the tags and one `[CHAPTER]` per chapter
/// (TIMEBASE 1/1000).
fn ffmetadata(tags: &Tags) -> String {
    let mut s = String::from(";FFMETADATA1\n");
    for (k, v) in [
        ("title", &tags.title),
        ("artist", &tags.artist),
        ("album", &tags.album),
    ] {
        if let Some(v) = v {
            s.push_str(&format!("{k}={}\n", ff_escape(v)));
        }
    }
    s.push_str("genre=Audiobook\n");
    for c in &tags.chapters {
        s.push_str(&format!(
            "[CHAPTER]\nTIMEBASE=1/1000\nSTART={}\nEND={}\ntitle={}\n",
            c.start_ms,
            c.end_ms,
            ff_escape(&c.title)
        ));
    }
    s
}

/// AAC in an MP4 (`.m4b`) with the chapters and tags of `meta`, by ffmpeg.
fn m4b(ffmpeg: &Path, wav: &Path, meta: &Path, out: &Path) -> Result<()> {
    let o = Command::new(ffmpeg)
        .args(["-v", "error", "-y", "-i"])
        .arg(wav)
        .arg("-i")
        .arg(meta)
        .args(["-map", "0:a", "-map_metadata", "1", "-map_chapters", "1"])
        .args(["-c:a", "aac", "-b:a", &format!("{M4B_KBPS}k"), "-f", "mp4"])
        .arg(out)
        .output()
        .map_err(|e| Error::audio(out, format!("could not run ffmpeg: {e}")))?;
    if !o.status.success() {
        return Err(Error::audio(
            out,
            format!(
                "ffmpeg could not write the M4B: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ),
        ));
    }
    Ok(())
}
