//! Tags and chapters of delivered files: ID3v2.4 for MP3 (the `id3` crate;
//! chapters as `CHAP` frames under one ordered top-level `CTOC`, ID3v2
//! Chapter Frame Addendum 1.0), Vorbis comments for FLAC (the `metaflac`
//! crate) and Opus (`OpusTags`, RFC 7845 §5.2), with chapters as
//! `CHAPTERnnn` / `CHAPTERnnnNAME` comments (the Ogg chapter extension) and a
//! cover as `METADATA_BLOCK_PICTURE` (FLAC format, PICTURE block).

use std::path::{Path, PathBuf};

use base64::Engine as _;

use crate::error::{Error, Result};

/// Largest cover image accepted, bytes.
pub const MAX_COVER_BYTES: u64 = 16 * 1024 * 1024;

/// One chapter of a file, in milliseconds from its start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// Shown by players.
    pub title: String,
    /// Start, ms.
    pub start_ms: u64,
    /// End, ms (the next chapter's start, or the file's length).
    pub end_ms: u64,
}

/// What a delivered file says about itself. Empty fields are not written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags {
    /// Track title.
    pub title: Option<String>,
    /// Artist.
    pub artist: Option<String>,
    /// Album (Intone writes the project's name).
    pub album: Option<String>,
    /// Track number and the batch's track count.
    pub track: Option<(u32, u32)>,
    /// Front cover image file (PNG or JPEG).
    pub cover: Option<PathBuf>,
    /// Chapters, in order.
    pub chapters: Vec<Chapter>,
    /// The whole file is a seamless loop of this many frames, from frame 0
    /// (written as WAV's `smpl` chunk, or the `LOOPSTART`/`LOOPLENGTH`
    /// Vorbis comments games and samplers read, in FLAC and Ogg).
    pub loop_frames: Option<u64>,
}

impl Tags {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The same tags with the loop counted at `to_hz` instead of `from_hz`
    /// (Opus files are decoded at 48 kHz whatever the input's rate).
    pub fn loop_at_rate(&self, from_hz: u32, to_hz: u32) -> Self {
        let mut t = self.clone();
        t.loop_frames = self
            .loop_frames
            .map(|n| (u128::from(n) * u128::from(to_hz) / u128::from(from_hz.max(1))) as u64);
        t
    }
}

/// A cover image read from disk.
#[derive(Debug, Clone)]
pub struct Cover {
    /// `image/png` or `image/jpeg`, from the file's signature.
    pub mime: &'static str,
    /// The file's bytes.
    pub data: Vec<u8>,
}

impl Cover {
    /// Reads a PNG or JPEG of at most [`MAX_COVER_BYTES`].
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file when it cannot be read, is too large
    /// or is neither PNG nor JPEG.
    pub fn read(path: &Path) -> Result<Self> {
        let len = std::fs::metadata(path)
            .map_err(|e| Error::audio(path, format!("cover image: {e}")))?
            .len();
        if len > MAX_COVER_BYTES {
            return Err(Error::audio(
                path,
                format!(
                    "cover image is {} MiB (at most {} MiB)",
                    len / (1024 * 1024),
                    MAX_COVER_BYTES / (1024 * 1024)
                ),
            ));
        }
        let data =
            std::fs::read(path).map_err(|e| Error::audio(path, format!("cover image: {e}")))?;
        let mime = if data.starts_with(b"\x89PNG\r\n\x1a\n") {
            "image/png"
        } else if data.starts_with(&[0xff, 0xd8, 0xff]) {
            "image/jpeg"
        } else {
            return Err(Error::audio(path, "cover image is neither PNG nor JPEG"));
        };
        Ok(Self { mime, data })
    }
}

/// `HH:MM:SS.mmm`, the time format of `CHAPTERnnn` comments.
fn chapter_time(ms: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// The Vorbis comments (`KEY`, value) for `tags`, cover excluded.
pub fn vorbis_comments(tags: &Tags) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            out.push((k.to_owned(), v.clone()));
        }
    };
    put("TITLE", &tags.title);
    put("ARTIST", &tags.artist);
    put("ALBUM", &tags.album);
    if let Some((n, total)) = tags.track {
        out.push(("TRACKNUMBER".into(), n.to_string()));
        out.push(("TRACKTOTAL".into(), total.to_string()));
    }
    for (i, c) in tags.chapters.iter().enumerate() {
        let key = format!("CHAPTER{:03}", i + 1);
        out.push((key.clone(), chapter_time(c.start_ms)));
        out.push((format!("{key}NAME"), c.title.clone()));
    }
    if let Some(n) = tags.loop_frames {
        out.push(("LOOPSTART".into(), "0".into()));
        out.push(("LOOPLENGTH".into(), n.to_string()));
    }
    out
}

/// A RIFF `smpl` chunk (header and body) saying the whole file loops:
/// one forward loop from frame 0 to frame `frames − 1` (inclusive), played
/// forever, MIDI unity note 60. Layout as in the Multimedia Programming
/// Interface and Data Specifications 1.0's sampler chunk: nine 32-bit
/// little-endian header fields, then one 24-byte loop record.
pub fn smpl_chunk(frames: u64, sample_rate_hz: u32) -> Vec<u8> {
    let last = u32::try_from(frames.saturating_sub(1)).unwrap_or(u32::MAX);
    let period_ns = 1_000_000_000u32 / sample_rate_hz.max(1);
    let fields: [u32; 15] = [
        0, 0, period_ns, 60, 0, 0, 0, 1, 0, // header: one loop, no sampler data
        0, 0, 0, last, 0, 0, // loop: id, forward, start, end, fraction, forever
    ];
    let mut b = Vec::with_capacity(8 + 60);
    b.extend_from_slice(b"smpl");
    b.extend_from_slice(&60u32.to_le_bytes());
    for f in fields {
        b.extend_from_slice(&f.to_le_bytes());
    }
    b
}

/// A FLAC PICTURE block's body (FLAC format, METADATA_BLOCK_PICTURE), type
/// 3 (front cover), dimensions left 0 (unknown), as Opus's
/// `METADATA_BLOCK_PICTURE` comment carries it (base64).
pub fn picture_block(cover: &Cover) -> Vec<u8> {
    let mut b = Vec::with_capacity(cover.data.len() + 64);
    let be = |b: &mut Vec<u8>, v: u32| b.extend_from_slice(&v.to_be_bytes());
    be(&mut b, 3);
    be(&mut b, cover.mime.len() as u32);
    b.extend_from_slice(cover.mime.as_bytes());
    be(&mut b, 0); // description
    for _ in 0..4 {
        be(&mut b, 0); // width, height, depth, colours
    }
    be(&mut b, cover.data.len() as u32);
    b.extend_from_slice(&cover.data);
    b
}

/// The Vorbis comments of an Opus file: [`vorbis_comments`] plus the cover.
///
/// # Errors
/// As [`Cover::read`].
pub fn opus_comments(tags: &Tags) -> Result<Vec<(String, String)>> {
    let mut c = vorbis_comments(tags);
    if let Some(path) = &tags.cover {
        let cover = Cover::read(path)?;
        c.push((
            "METADATA_BLOCK_PICTURE".into(),
            base64::engine::general_purpose::STANDARD.encode(picture_block(&cover)),
        ));
    }
    Ok(c)
}

/// A Vorbis comment block's body (Vorbis I spec §5, without the framing
/// bit, as FLAC's VORBIS_COMMENT block and Opus's `OpusTags` after its magic
/// carry it): vendor, then the comments in the order given. Order matters:
/// readers take `CHAPTERnnnNAME` only after its `CHAPTERnnn`.
pub fn comment_block(comments: &[(String, String)]) -> Vec<u8> {
    let vendor = format!("Intone {}", env!("CARGO_PKG_VERSION"));
    let mut b = Vec::new();
    let put = |b: &mut Vec<u8>, s: &[u8]| {
        b.extend_from_slice(&(s.len() as u32).to_le_bytes());
        b.extend_from_slice(s);
    };
    put(&mut b, vendor.as_bytes());
    b.extend_from_slice(&(comments.len() as u32).to_le_bytes());
    for (k, v) in comments {
        put(&mut b, format!("{k}={v}").as_bytes());
    }
    b
}

/// Writes `tags` into the FLAC file `path` as a VORBIS_COMMENT block (built
/// here, since `metaflac`'s keeps comments unordered) and a PICTURE block,
/// rewriting its metadata with `metaflac`.
///
/// # Errors
/// [`Error::Audio`] naming the file or the cover.
pub fn write_flac(path: &Path, tags: &Tags) -> Result<()> {
    if tags.is_empty() {
        return Ok(());
    }
    let mut t = metaflac::Tag::read_from_path(path)
        .map_err(|e| Error::audio(path, format!("FLAC tags: {e}")))?;
    t.remove_blocks(metaflac::BlockType::VorbisComment);
    t.push_block(metaflac::Block::Unknown((
        4, // VORBIS_COMMENT (FLAC format, METADATA_BLOCK_HEADER)
        comment_block(&vorbis_comments(tags)),
    )));
    if let Some(cover) = &tags.cover {
        let c = Cover::read(cover)?;
        t.add_picture(c.mime, metaflac::block::PictureType::CoverFront, c.data);
    }
    t.save()
        .map_err(|e| Error::audio(path, format!("FLAC tags: {e}")))
}

/// Writes `tags` into the MP3 file `path` as an ID3v2.4 tag at its start:
/// `TIT2`, `TPE1`, `TALB`, `TRCK` (`n/total`), `APIC` (front cover), one
/// `CHAP` per chapter (times in ms, byte offsets unset) with its `TIT2`, and
/// an ordered top-level `CTOC` listing them.
///
/// # Errors
/// [`Error::Audio`] naming the file or the cover.
pub fn write_id3(path: &Path, tags: &Tags) -> Result<()> {
    use id3::frame::{Chapter as Chap, Picture, PictureType, TableOfContents};
    use id3::{Frame, TagLike};

    if tags.is_empty() {
        return Ok(());
    }
    let mut t = id3::Tag::new();
    if let Some(v) = &tags.title {
        t.set_title(v.as_str());
    }
    if let Some(v) = &tags.artist {
        t.set_artist(v.as_str());
    }
    if let Some(v) = &tags.album {
        t.set_album(v.as_str());
    }
    if let Some((n, total)) = tags.track {
        t.set_track(n);
        t.set_total_tracks(total);
    }
    if let Some(cover) = &tags.cover {
        let c = Cover::read(cover)?;
        t.add_frame(Picture {
            mime_type: c.mime.into(),
            picture_type: PictureType::CoverFront,
            description: String::new(),
            data: c.data,
        });
    }
    let clamp = |ms: u64| u32::try_from(ms).unwrap_or(u32::MAX - 1);
    let ids: Vec<String> = (0..tags.chapters.len()).map(|i| format!("ch{i}")).collect();
    for (c, id) in tags.chapters.iter().zip(&ids) {
        t.add_frame(Chap {
            element_id: id.clone(),
            start_time: clamp(c.start_ms),
            end_time: clamp(c.end_ms),
            start_offset: u32::MAX,
            end_offset: u32::MAX,
            frames: vec![Frame::text("TIT2", c.title.as_str())],
        });
    }
    if !ids.is_empty() {
        t.add_frame(TableOfContents {
            element_id: "toc".into(),
            top_level: true,
            ordered: true,
            elements: ids,
            frames: Vec::new(),
        });
    }
    t.write_to_path(path, id3::Version::Id3v24)
        .map_err(|e| Error::audio(path, format!("ID3 tag: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_carry_tags_and_chapters_and_covers_are_checked() {
        let tags = Tags {
            title: Some("Morning".into()),
            album: Some("Calm".into()),
            track: Some((2, 14)),
            chapters: vec![
                Chapter {
                    title: "One".into(),
                    start_ms: 0,
                    end_ms: 61_500,
                },
                Chapter {
                    title: "Two".into(),
                    start_ms: 3_723_004,
                    end_ms: 3_800_000,
                },
            ],
            ..Tags::default()
        };
        let c = vorbis_comments(&tags);
        let get = |k: &str| c.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("TITLE"), Some("Morning"));
        assert_eq!(get("TRACKNUMBER"), Some("2"));
        assert_eq!(get("CHAPTER002"), Some("01:02:03.004"));
        assert_eq!(get("CHAPTER002NAME"), Some("Two"));
        assert_eq!(get("ARTIST"), None);

        let dir = tempfile::tempdir().expect("tmp");
        let txt = dir.path().join("cover.txt");
        std::fs::write(&txt, "not an image").expect("write");
        let e = Cover::read(&txt).expect_err("text");
        assert!(e.to_string().contains("cover.txt"), "{e}");
        let png = dir.path().join("cover.png");
        std::fs::write(&png, b"\x89PNG\r\n\x1a\nrest").expect("write");
        let cover = Cover::read(&png).expect("png");
        assert_eq!(cover.mime, "image/png");
        let block = picture_block(&cover);
        assert_eq!(&block[..4], &3u32.to_be_bytes());
        assert!(block.ends_with(b"rest"));
    }
}
