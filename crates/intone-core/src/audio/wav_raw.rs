//! The `fmt ` and `data` chunks of a RIFF WAVE file, for code that reads
//! the sample data in bulk instead of sample by sample (chunking).

use std::path::Path;

/// The PCM layout of a WAVE file's `data` chunk, for reading it in bulk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawLayout {
    pub(crate) rate: u32,
    pub(crate) channels: u16,
    /// Bytes per sample: 2, 3 or 4 (integer), or 4 (float).
    pub(crate) bytes: u16,
    pub(crate) float: bool,
    pub(crate) data_start: u64,
    pub(crate) data_len: u64,
}

/// Reads the `fmt ` and `data` chunks of a RIFF WAVE file (Microsoft's
/// layout: format tag 1 = PCM, 3 = IEEE float, 0xFFFE = extensible with the
/// tag in the sub-format's first two bytes). `None` for anything else.
pub(crate) fn raw_layout(path: &Path) -> Option<RawLayout> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    let mut riff = [0u8; 12];
    f.read_exact(&mut riff).ok()?;
    if &riff[..4] != b"RIFF" || &riff[8..12] != b"WAVE" {
        return None;
    }
    let mut fmt: Option<(u16, u16, u32, u16)> = None;
    let mut pos = 12u64;
    for _ in 0..64 {
        let mut h = [0u8; 8];
        f.read_exact(&mut h).ok()?;
        let size = u64::from(u32::from_le_bytes([h[4], h[5], h[6], h[7]]));
        pos += 8;
        if &h[..4] == b"fmt " {
            let mut b = vec![0u8; size.min(64) as usize];
            f.read_exact(&mut b).ok()?;
            if b.len() < 16 {
                return None;
            }
            let mut tag = u16::from_le_bytes([b[0], b[1]]);
            if tag == 0xFFFE && b.len() >= 26 {
                tag = u16::from_le_bytes([b[24], b[25]]);
            }
            fmt = Some((
                tag,
                u16::from_le_bytes([b[2], b[3]]),
                u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
                u16::from_le_bytes([b[14], b[15]]),
            ));
            f.seek(SeekFrom::Start(pos + size + (size & 1))).ok()?;
        } else if &h[..4] == b"data" {
            let (tag, channels, rate, bits) = fmt?;
            let float = tag == 3;
            let ok = channels > 0
                && rate > 0
                && ((tag == 1 && matches!(bits, 16 | 24 | 32)) || (float && bits == 32));
            let file_len = f.metadata().ok()?.len();
            return ok.then_some(RawLayout {
                rate,
                channels,
                bytes: bits / 8,
                float,
                data_start: pos,
                // A header still being written says 0 or too much: trust the file.
                data_len: if size == 0 || pos + size > file_len {
                    file_len - pos
                } else {
                    size
                },
            });
        } else {
            f.seek(SeekFrom::Current((size + (size & 1)) as i64)).ok()?;
        }
        pos += size + (size & 1);
    }
    None
}
