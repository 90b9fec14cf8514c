//! Delivered formats read back by an independent decoder (ffmpeg): MP3 and
//! Opus last exactly as long as their source, keep its loudness within
//! 0.5 LU, and carry their tags, cover and chapters; FLAC carries the same
//! tags and chapters.

#[path = "common/ffmpeg.rs"]
mod ffmpeg;

use std::path::Path;

use intone_core::audio::encode::{encode_tagged, EncodeOptions, Format, Mp3Mode};
use intone_core::audio::tags::{Chapter, Tags};
use intone_core::audio::wav::write_clip;
use intone_core::audio::Clip;

/// 9.35 s of a changing chord with noise at about −16 LUFS, `channels` wide.
fn source(path: &Path, sample_rate_hz: u32, channels: u16) -> u64 {
    let frames = (f64::from(sample_rate_hz) * 9.35) as usize;
    let mut rng = 0x2545_f491u32;
    let samples: Vec<f32> = (0..frames)
        .flat_map(|i| {
            let t = i as f32 / sample_rate_hz as f32;
            let f = if t < 4.0 { 220.0 } else { 261.6 };
            rng ^= rng << 13;
            rng ^= rng >> 17;
            rng ^= rng << 5;
            let noise = (rng as f32 / u32::MAX as f32 - 0.5) * 0.01;
            let env = 0.6 + 0.4 * (t * 1.3).sin();
            let l = env
                * 0.25
                * ((t * f * std::f32::consts::TAU).sin()
                    + 0.5 * (t * f * 1.5 * std::f32::consts::TAU).sin())
                + noise;
            let r = env * 0.25 * (t * f * 2.0 * std::f32::consts::TAU).sin() + noise;
            if channels == 1 {
                vec![l]
            } else {
                vec![l, r]
            }
        })
        .collect();
    write_clip(
        path,
        &Clip {
            sample_rate_hz,
            channels,
            samples,
        },
    )
    .expect("write source");
    frames as u64
}

#[test]
fn mp3_opus_and_flac_decode_to_the_source_length_and_loudness_with_tags_and_chapters() {
    let dir = tempfile::tempdir().expect("tmp");
    let cover = dir.path().join("cover.png");
    ffmpeg::png(&cover);
    let tags = Tags {
        title: Some("Morning Light".into()),
        artist: Some("Ana Ruiz".into()),
        album: Some("Calm Mornings".into()),
        track: Some((3, 14)),
        cover: Some(cover),
        chapters: vec![
            Chapter {
                title: "Arrival".into(),
                start_ms: 0,
                end_ms: 4000,
            },
            Chapter {
                title: "Breath".into(),
                start_ms: 4000,
                end_ms: 9350,
            },
        ],
        loop_frames: None,
    };
    for (rate, channels) in [(48_000u32, 2u16), (44_100, 1)] {
        let src = dir.path().join(format!("src-{rate}-{channels}.wav"));
        let frames = source(&src, rate, channels);
        let reference = dir.path().join(format!("ref-{rate}-{channels}.wav"));
        encode_tagged(
            &src,
            &reference,
            Format::Wav,
            16,
            &EncodeOptions::default(),
            &Tags::default(),
        )
        .expect("wav");
        let ref_lufs = ffmpeg::lufs(&reference);
        let settings = [
            (Format::Flac, EncodeOptions::default()),
            (Format::Mp3, EncodeOptions::default()),
            (
                Format::Mp3,
                EncodeOptions {
                    mp3: Mp3Mode::Cbr { kbps: 128 },
                    ..EncodeOptions::default()
                },
            ),
            (Format::Opus, EncodeOptions::default()),
        ];
        for (i, (format, options)) in settings.iter().enumerate() {
            let label = format!("{format} #{i} at {rate} Hz × {channels}");
            let out = dir
                .path()
                .join(format!("out-{rate}-{i}.{}", format.extension()));
            let report = encode_tagged(&src, &out, *format, 16, options, &tags).expect(&label);
            // Opus decodes at 48 kHz whatever went in.
            let expected = if *format == Format::Opus {
                (frames * 48_000).div_ceil(u64::from(rate))
            } else {
                frames
            };
            assert_eq!(report.frames, expected, "{label}: reported frames");
            assert_eq!(
                ffmpeg::decoded_frames(&out),
                expected,
                "{label}: decoded length"
            );
            let lufs = ffmpeg::lufs(&out);
            assert!(
                (lufs - ref_lufs).abs() <= 0.5,
                "{label}: {lufs} LUFS against the WAV's {ref_lufs}"
            );

            let p = ffmpeg::probe(&out);
            assert_eq!(
                ffmpeg::tag(&p, "title").as_deref(),
                Some("Morning Light"),
                "{label}: {p}"
            );
            assert_eq!(
                ffmpeg::tag(&p, "artist").as_deref(),
                Some("Ana Ruiz"),
                "{label}"
            );
            assert_eq!(
                ffmpeg::tag(&p, "album").as_deref(),
                Some("Calm Mornings"),
                "{label}"
            );
            let track = ffmpeg::tag(&p, "track").or_else(|| ffmpeg::tag(&p, "tracknumber"));
            assert!(
                track.as_deref().is_some_and(|t| t.starts_with('3')),
                "{label}: track {track:?}"
            );
            let chapters = p["chapters"].as_array().expect("chapters");
            assert_eq!(chapters.len(), 2, "{label}: {p}");
            let start: f64 = chapters[1]["start_time"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .expect("start");
            assert!((start - 4.0).abs() < 0.002, "{label}: chapter 2 at {start}");
            assert_eq!(
                chapters[1]["tags"]["title"].as_str(),
                Some("Breath"),
                "{label}"
            );
            if *format != Format::Opus {
                // The cover shows as an attached picture stream.
                let pic = p["streams"]
                    .as_array()
                    .expect("streams")
                    .iter()
                    .any(|s| s["disposition"]["attached_pic"] == 1);
                assert!(pic, "{label}: no cover: {p}");
            }
        }
    }
}

#[test]
fn our_decoder_reads_our_mp3_at_its_exact_length() {
    let dir = tempfile::tempdir().expect("tmp");
    let src = dir.path().join("src.wav");
    let frames = source(&src, 48_000, 2);
    let mp3 = dir.path().join("out.mp3");
    encode_tagged(
        &src,
        &mp3,
        Format::Mp3,
        16,
        &EncodeOptions::default(),
        &Tags::default(),
    )
    .expect("mp3");
    let back = intone_core::audio::decode::decode_file(&mp3).expect("decode");
    assert_eq!(
        back.frames() as u64,
        frames,
        "symphonia with gapless trimming"
    );
    let wav = dir.path().join("back.wav");
    let r = intone_core::audio::ingest::ingest_file(&mp3, &wav).expect("ingest");
    assert_eq!(r.frames, frames, "ingest with gapless trimming");
}

#[test]
fn our_decoder_reads_our_opus_as_ffmpeg_does() {
    let dir = tempfile::tempdir().expect("tmp");
    for (rate, channels) in [(48_000, 2), (44_100, 1)] {
        let src = dir.path().join(format!("src-{rate}.wav"));
        let frames = source(&src, rate, channels);
        let opus = dir.path().join(format!("out-{rate}.opus"));
        encode_tagged(
            &src,
            &opus,
            Format::Opus,
            16,
            &EncodeOptions::default(),
            &Tags::default(),
        )
        .expect("opus");
        let back = intone_core::audio::decode::decode_file(&opus).expect("decode");
        assert_eq!((back.sample_rate_hz, back.channels), (48_000, channels));
        let want = (frames * 48_000).div_ceil(u64::from(rate));
        assert_eq!(back.frames() as u64, want, "{rate} Hz: trimmed by granule");
        // The same samples as ffmpeg's decode (138–140 dB apart when measured).
        let theirs = ffmpeg::decode_48k(&opus);
        assert_eq!(theirs.len(), back.samples.len());
        let err: f64 = back
            .samples
            .iter()
            .zip(&theirs)
            .map(|(a, b)| f64::from(a - b).powi(2))
            .sum();
        let sig: f64 = theirs.iter().map(|b| f64::from(*b).powi(2)).sum();
        let snr_db = 10.0 * (sig / err.max(1e-20)).log10();
        assert!(
            snr_db > 60.0,
            "{rate} Hz: {snr_db:.1} dB from ffmpeg's decode"
        );
        // Ingest (conversion inputs, dropped files) reads it without ffmpeg.
        let wav = dir.path().join(format!("back-{rate}.wav"));
        let r = intone_core::audio::ingest::ingest_file(&opus, &wav).expect("ingest");
        assert_eq!(r.frames, want);
        let info = intone_core::audio::decode::probe_file(&opus).expect("probe");
        assert_eq!((info.sample_rate_hz, info.channels), (48_000, channels));
    }
    // Surround Opus (mapping family 1) is left to ffmpeg, as before.
    let surround = dir.path().join("surround.opus");
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=440:d=2",
            "-ac",
            "6",
        ])
        .args(["-c:a", "libopus"])
        .arg(&surround)
        .status()
        .expect("ffmpeg");
    assert!(status.success());
    let wav = dir.path().join("surround.wav");
    let r = intone_core::audio::ingest::ingest_file(&surround, &wav).expect("ingest surround");
    assert_eq!(r.frames, 96_000);
    // A cut file is named, not taken for silence.
    let opus = dir.path().join("out-48000.opus");
    let bytes = std::fs::read(&opus).expect("read");
    let cut = dir.path().join("cut.opus");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    match intone_core::audio::decode::decode_file(&cut) {
        Err(e) => assert!(e.to_string().contains("cut.opus"), "{e}"),
        Ok(c) => assert!(c.frames() > 0 && (c.frames() as u64) < 48_000 * 9),
    }
}
