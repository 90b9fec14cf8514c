//! The built-in music engine: the seeded composer ([`super::compose`])
//! played through a SoundFont (SF2 2.01) synthesizer, rustysynth, with the
//! procedural ambiences layered in. Offline, no model, no setup beyond a
//! General MIDI SoundFont: Debian's `fluid-soundfont-gm` (FluidR3_GM.sf2,
//! installed by `scripts/setup.sh`) or any `.sf2` in
//! `$INTONE_HOME/soundfonts/`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustysynth::SoundFont;

use super::carry::Carry;
use super::compose::{Composer, Form};
use super::prompt;
use super::render::{render, Render};
use super::{MusicEngine, MusicEngineInfo, MusicRequest, ParamInfo, DEFAULT_MUSIC_ENGINE};
use crate::audio::wav::WavBlockWriter;
use crate::engines::EngineError;

/// Where the distributions' packages put General MIDI SoundFonts, best
/// first: Debian's `fluid-soundfont-gm`, then Fedora's.
const SYSTEM_SOUNDFONTS: [&str; 3] = [
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
];

/// What a loop renders past its end (release and reverb) to fold into
/// its head, seconds.
const LOOP_TAIL_S: f64 = 4.0;

/// Longest take, seconds (an hour).
pub const MAX_DURATION_S: f64 = 3600.0;

/// The composer engine.
pub struct Builtin {
    user_dir: PathBuf,
    loaded: Mutex<HashMap<PathBuf, Arc<SoundFont>>>,
}

impl Builtin {
    /// The engine, looking for the user's SoundFonts in `user_dir`.
    pub fn new(user_dir: PathBuf) -> Self {
        Self {
            user_dir,
            loaded: Mutex::new(HashMap::new()),
        }
    }

    /// Every SoundFont it can play: the system's General MIDI fonts, then the
    /// user's, by file name.
    pub fn soundfonts(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = SYSTEM_SOUNDFONTS
            .iter()
            .map(PathBuf::from)
            .filter(|p| p.is_file())
            .collect();
        if let Ok(rd) = std::fs::read_dir(&self.user_dir) {
            let mut user: Vec<PathBuf> = rd
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("sf2")))
                .collect();
            user.sort();
            v.extend(user);
        }
        v
    }

    /// The SoundFont named `name` (a file name from [`Self::soundfonts`]),
    /// or the first one.
    fn pick(&self, name: Option<&str>) -> Result<PathBuf, EngineError> {
        let all = self.soundfonts();
        match name {
            Some(n) => all
                .into_iter()
                .find(|p| p.file_name().is_some_and(|f| f.to_string_lossy() == n))
                .ok_or_else(|| {
                    EngineError::permanent(
                        DEFAULT_MUSIC_ENGINE,
                        format!(
                            "no SoundFont \"{n}\" (put it in {})",
                            self.user_dir.display()
                        ),
                    )
                }),
            None => all.into_iter().next().ok_or_else(|| {
                EngineError::permanent(
                    DEFAULT_MUSIC_ENGINE,
                    format!(
                        "no SoundFont: install Debian's fluid-soundfont-gm (scripts/setup.sh does) or put a .sf2 file in {}",
                        self.user_dir.display()
                    ),
                )
            }),
        }
    }

    /// Loads (once) and returns the SoundFont at `path`.
    fn load(&self, path: &Path) -> Result<Arc<SoundFont>, EngineError> {
        if let Some(sf) = self.loaded.lock().ok().and_then(|m| m.get(path).cloned()) {
            return Ok(sf);
        }
        let bad = |m: String| {
            EngineError::permanent(DEFAULT_MUSIC_ENGINE, format!("{}: {m}", path.display()))
        };
        let mut f =
            std::io::BufReader::new(std::fs::File::open(path).map_err(|e| bad(e.to_string()))?);
        let sf = crate::audio::ingest::quietly(|| SoundFont::new(&mut f))
            .map_err(|_| bad("not a SoundFont the synthesizer can read".into()))?
            .map_err(|e| bad(format!("not a valid SoundFont ({e:?})")))?;
        let sf = Arc::new(sf);
        if let Ok(mut m) = self.loaded.lock() {
            m.insert(path.to_path_buf(), sf.clone());
        }
        Ok(sf)
    }
}

/// Reads the temperature parameter (0–2, default 1).
fn temperature(req: &MusicRequest) -> Result<f32, EngineError> {
    match req.params.get("temperature") {
        None => Ok(1.0),
        Some(t) => t
            .trim()
            .parse::<f32>()
            .ok()
            .filter(|t| (0.0..=2.0).contains(t))
            .ok_or_else(|| {
                EngineError::permanent(
                    DEFAULT_MUSIC_ENGINE,
                    format!("temperature must be a number from 0 to 2, not \"{t}\""),
                )
            }),
    }
}

impl MusicEngine for Builtin {
    fn name(&self) -> &str {
        DEFAULT_MUSIC_ENGINE
    }

    fn info(&self) -> MusicEngineInfo {
        let fonts: Vec<String> = self
            .soundfonts()
            .iter()
            .filter_map(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
            .collect();
        let available = !fonts.is_empty();
        MusicEngineInfo {
            name: DEFAULT_MUSIC_ENGINE.into(),
            kind: "builtin".into(),
            models: vec!["composer".into()],
            params: vec![
                ParamInfo {
                    name: "temperature".into(),
                    kind: "number".into(),
                    default: Some("1".into()),
                    minimum: Some(0.0),
                    maximum: Some(2.0),
                    choices: vec![],
                    description: "How far the composer strays from its plain patterns: 0 plays them as written; higher adds rests, leaps, substitutions and looser timing".into(),
                },
                ParamInfo {
                    name: "soundfont".into(),
                    kind: "string".into(),
                    default: fonts.first().cloned(),
                    minimum: None,
                    maximum: None,
                    choices: fonts.clone(),
                    description: format!("The SoundFont the parts play (add .sf2 files to {})", self.user_dir.display()),
                },
            ],
            available,
            detail: if available {
                "Composes offline from the prompt's words: moods, genres, instruments, tempo (\"70 bpm\"), key (\"D minor\"), ambience (rain, ocean, wind, night)".into()
            } else {
                "no SoundFont: install fluid-soundfont-gm (scripts/setup.sh does)".into()
            },
        }
    }

    fn understood(&self, prompt: &str) -> Vec<String> {
        prompt::read(prompt).understood
    }

    fn generate(
        &self,
        req: &MusicRequest,
        out: &Path,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(), EngineError> {
        let perm = |m: String| EngineError::permanent(DEFAULT_MUSIC_ENGINE, m);
        let dur_s = req.duration_ms as f64 / 1000.0;
        if !(0.5..=MAX_DURATION_S).contains(&dur_s) {
            return Err(perm(format!(
                "duration must be from 0.5 s to {MAX_DURATION_S} s, not {dur_s} s"
            )));
        }
        for k in req.params.keys() {
            if k != "temperature" && k != "soundfont" {
                return Err(perm(format!(
                    "the built-in composer has no parameter \"{k}\" (it takes temperature and soundfont)"
                )));
            }
        }
        let temperature = temperature(req)?;
        let sf = self.load(&self.pick(req.params.get("soundfont").map(String::as_str))?)?;
        let (brief, form) = self.plan(req);
        let frames = req.duration_ms * u64::from(req.sample_rate_hz) / 1000;
        let io = |e: crate::Error| perm(e.to_string());
        let mut w = WavBlockWriter::create(out, req.sample_rate_hz, 2).map_err(io)?;
        let mut overlap = match req.continuation.as_ref().filter(|c| c.crossfade) {
            Some(c) => {
                super::continuation::Overlap::open(&c.path, c.overlap_ms, req.sample_rate_hz)
                    .map_err(io)?
            }
            None => super::continuation::Overlap::none(),
        };
        let tail_frames = if req.looped {
            ((LOOP_TAIL_S * f64::from(req.sample_rate_hz)) as u64).min(frames)
        } else {
            0
        };
        let r = Render {
            brief,
            seed: u64::from(req.seed),
            temperature,
            frames,
            sample_rate_hz: req.sample_rate_hz,
            soundfont: &sf,
            form,
            tail_frames,
        };
        let mut tail: Vec<f32> = Vec::new();
        let mut written = 0u64;
        let finished = render(
            &r,
            &mut |block: &[f32]| {
                let mut b = block.to_vec();
                overlap.apply(&mut b);
                let body = ((frames - written.min(frames)) as usize * 2).min(b.len());
                written += (b.len() / 2) as u64;
                tail.extend_from_slice(&b[body..]);
                w.write(&b[..body]).map_err(|e| e.to_string())
            },
            cancelled,
        )
        .map_err(perm)?;
        if !finished {
            return Err(EngineError::transient(DEFAULT_MUSIC_ENGINE, "cancelled"));
        }
        w.finish().map_err(io)?;
        super::looping::fold_tail(out, &tail).map_err(io)
    }

    fn loops(&self) -> bool {
        true
    }

    fn facts(&self, req: &MusicRequest) -> Option<super::analysis::Facts> {
        let (brief, _) = self.plan(req);
        brief.music.then(|| super::analysis::Facts {
            tempo_bpm: brief.tempo_bpm.clamp(40.0, 200.0),
            tonic: brief.tonic,
            mode: brief.mode,
            beats_per_bar: brief.beats_per_bar,
            estimated: false,
        })
    }

    fn end_state(&self, req: &MusicRequest) -> Option<String> {
        let (brief, form) = self.plan(req);
        let temperature = temperature(req).ok()?;
        let dur_s = req.duration_ms as f64 / 1000.0;
        let mut c = Composer::new(
            brief.clone(),
            u64::from(req.seed),
            temperature,
            dur_s,
            &form,
        );
        for b in 0..c.total_bars() {
            c.bar(b);
        }
        serde_json::to_string(&Carry::after(&brief, &c, dur_s)).ok()
    }
}

impl Builtin {
    /// The brief and form of `req`: its prompt read, and for a
    /// continuation, what the music before it carries (its [`Carry`]
    /// state, or else the key its last seconds are in).
    fn plan(&self, req: &MusicRequest) -> (prompt::Brief, Form) {
        let mut brief = prompt::read(&req.prompt);
        let form = Form {
            open_end: req.open_end,
            looped: req.looped,
            ..Form::default()
        };
        let Some(c) = &req.continuation else {
            return (brief, form);
        };
        if let Some(carry) = c
            .state
            .as_deref()
            .and_then(|s| serde_json::from_str::<Carry>(s).ok())
        {
            let form = carry.apply(&mut brief, f64::from(c.overlap_ms) / 1000.0, req.open_end);
            return (brief, form);
        }
        if !brief
            .understood
            .iter()
            .any(|w| w.contains(' ') && !w.ends_with("bpm"))
        {
            if let Some(tonic) =
                super::continuation::tail_tonic(&c.path, brief.mode, super::continuation::TAIL_S)
            {
                brief.tonic = tonic;
            }
        }
        (brief, form)
    }
}
