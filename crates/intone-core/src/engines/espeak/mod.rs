//! `espeak` — espeak-ng in-process through the system library. Robotic but
//! always there: the voice of last resort, and the phonemizer other engines
//! build on. espeak-ng keeps global state and is not re-entrant, so every call
//! goes through one process-wide lock ([`with_espeak`]).

mod ffi;
pub mod phonemes;

use std::ffi::{CStr, CString};
use std::os::raw::{c_int, c_short};
use std::sync::{Mutex, OnceLock};

use crate::audio::Clip;
use crate::engines::{EngineError, SpeechEngine, SpeechRequest, VoiceInfo};

const ENGINE: &str = "espeak";
/// espeak-ng's default speaking rate in words per minute.
pub const DEFAULT_RATE_WPM: f64 = 175.0;
/// Rate factors of a sentence's takes (espeak-ng has no randomness: a new
/// take of a sentence is spoken a little slower or faster), cycled.
const TAKE_RATES: [f64; 5] = [1.0, 0.93, 1.07, 0.87, 1.13];

/// Each take's pitch offset (0–100 scale), beside [`TAKE_RATES`]: a later
/// take is said a little faster or slower and higher or lower.
const TAKE_PITCH: [f64; 5] = [0.0, 6.0, -6.0, 10.0, -10.0];

/// Initialized espeak-ng state, guarded by [`LOCK`].
struct Espeak {
    sample_rate_hz: u32,
    version: String,
    /// The voice list, read on first use: listing reads every voice file
    /// (a tenth of a second), which phonemizing alone never needs.
    voices: Option<Vec<VoiceInfo>>,
    current_voice: Option<String>,
}

static LOCK: Mutex<Option<Result<Espeak, String>>> = Mutex::new(None);
static SAMPLES: Mutex<Vec<i16>> = Mutex::new(Vec::new());

unsafe extern "C" fn on_audio(
    wav: *mut c_short,
    n: c_int,
    _events: *mut ffi::espeak_EVENT,
) -> c_int {
    if !wav.is_null() && n > 0 {
        // SAFETY: espeak-ng passes `n` valid samples at `wav` for the duration of the call.
        let chunk = unsafe { std::slice::from_raw_parts(wav, n as usize) };
        if let Ok(mut s) = SAMPLES.lock() {
            s.extend_from_slice(chunk);
        }
    }
    0
}

fn init() -> Result<Espeak, String> {
    // SAFETY: called once under LOCK; NULL path = the library's compiled-in data folder.
    let rate = unsafe {
        ffi::espeak_Initialize(
            ffi::AUDIO_OUTPUT_SYNCHRONOUS,
            0,
            std::ptr::null(),
            ffi::ESPEAK_INITIALIZE_DONT_EXIT,
        )
    };
    if rate <= 0 {
        return Err("espeak-ng could not start (is espeak-ng-data installed?)".into());
    }
    // SAFETY: registering a callback with the documented signature.
    unsafe { ffi::espeak_SetSynthCallback(on_audio) };
    let version = {
        let mut data: *const std::os::raw::c_char = std::ptr::null();
        // SAFETY: espeak_Info returns a static string.
        let v = unsafe { ffi::espeak_Info(&mut data) };
        if v.is_null() {
            "unknown".to_string()
        } else {
            // SAFETY: NUL-terminated static string from the library.
            unsafe { CStr::from_ptr(v) }.to_string_lossy().into_owned()
        }
    };
    let sample_rate_hz = rate as u32;
    Ok(Espeak {
        sample_rate_hz,
        version,
        voices: None,
        current_voice: None,
    })
}

/// Reads the library's voice list: one voice per language tag.
fn list_voices(sample_rate_hz: u32) -> Vec<VoiceInfo> {
    let mut out: Vec<VoiceInfo> = Vec::new();
    // SAFETY: NULL spec lists all voices; the array is NULL-terminated and owned by the library.
    let list = unsafe { ffi::espeak_ListVoices(std::ptr::null_mut()) };
    if list.is_null() {
        return out;
    }
    let mut i = 0;
    loop {
        // SAFETY: walking the NULL-terminated array.
        let v = unsafe { *list.add(i) };
        if v.is_null() {
            break;
        }
        i += 1;
        // SAFETY: v points at a valid espeak_VOICE owned by the library.
        let voice = unsafe { &*v };
        let name = if voice.name.is_null() {
            String::new()
        } else {
            // SAFETY: NUL-terminated string.
            unsafe { CStr::from_ptr(voice.name) }
                .to_string_lossy()
                .into_owned()
        };
        if voice.languages.is_null() {
            continue;
        }
        // `languages` is (priority byte, NUL-terminated tag)* ending with a 0 priority byte.
        let mut p = voice.languages;
        // SAFETY: reading the documented packed list until its terminating zero byte.
        unsafe {
            while *p != 0 {
                let tag = CStr::from_ptr(p.add(1)).to_string_lossy().into_owned();
                p = p.add(2 + tag.len());
                let id = format!("{ENGINE}:{tag}");
                if !tag.is_empty() && !out.iter().any(|x| x.id == id) {
                    out.push(VoiceInfo {
                        id,
                        engine: ENGINE.into(),
                        name: format!("{} (espeak-ng)", name.replace('_', " ")),
                        language: tag,
                        sample_rate_hz,
                        quality: "robotic".into(),
                        available: true,
                        reason: None,
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Runs `f` with espeak-ng initialized, holding the process-wide lock.
fn with_espeak<T>(f: impl FnOnce(&mut Espeak) -> Result<T, EngineError>) -> Result<T, EngineError> {
    let mut guard = LOCK
        .lock()
        .map_err(|_| EngineError::permanent(ENGINE, "espeak-ng lock poisoned"))?;
    if guard.is_none() {
        *guard = Some(init());
    }
    match guard.as_mut() {
        Some(Ok(state)) => f(state),
        Some(Err(msg)) => Err(EngineError::permanent(ENGINE, msg.clone())),
        None => Err(EngineError::permanent(ENGINE, "espeak-ng not initialized")),
    }
}

/// The espeak-ng speech engine.
#[derive(Debug, Default)]
pub struct EspeakEngine {
    salt: OnceLock<String>,
}

impl EspeakEngine {
    /// The engine (espeak-ng starts lazily on first use).
    pub fn new() -> Self {
        Self::default()
    }
}

impl SpeechEngine for EspeakEngine {
    fn id(&self) -> &str {
        ENGINE
    }

    fn voices(&self) -> Result<Vec<VoiceInfo>, EngineError> {
        with_espeak(|e| {
            let rate = e.sample_rate_hz;
            Ok(e.voices.get_or_insert_with(|| list_voices(rate)).clone())
        })
    }

    fn max_chars(&self) -> usize {
        // espeak-ng accepts long input, but shorter utterances cache better
        // and keep one bad sentence from costing a whole paragraph.
        400
    }

    fn cache_salt(&self, _voice: &str) -> String {
        self.salt
            .get_or_init(|| {
                with_espeak(|e| Ok(format!("espeak-ng {} {} Hz", e.version, e.sample_rate_hz)))
                    .unwrap_or_else(|_| "espeak-ng".into())
            })
            .clone()
    }

    fn phoneme_alphabets(&self) -> &'static [crate::lexicon::Alphabet] {
        &[crate::lexicon::Alphabet::Espeak]
    }

    fn settings(&self) -> Option<&'static [(&'static str, &'static str)]> {
        Some(&[
            ("pitch", "base pitch, 0–100 (50 = the voice's own)"),
            ("range", "pitch range, 0–100 (50 = the voice's own)"),
        ])
    }

    fn synthesize(&self, req: &SpeechRequest) -> Result<Clip, EngineError> {
        let (text, flags) = with_phonemes(req)?;
        let text = CString::new(text.replace('\0', " "))
            .map_err(|_| EngineError::permanent(ENGINE, "text contains a NUL byte"))?;
        with_espeak(|e| {
            if e.current_voice.as_deref() != Some(req.voice.as_str()) {
                if !set_voice(&req.voice)? {
                    e.current_voice = None;
                    return Err(EngineError::permanent(
                        ENGINE,
                        format!("unknown espeak-ng voice \"{}\"", req.voice),
                    ));
                }
                e.current_voice = Some(req.voice.clone());
            }
            let take = TAKE_RATES[req.take as usize % TAKE_RATES.len()];
            let wpm = (DEFAULT_RATE_WPM * req.tempo_ratio.clamp(0.5, 2.0) * take).round() as c_int;
            // SAFETY: plain integer parameter.
            unsafe { ffi::espeak_SetParameter(ffi::ESPEAK_RATE, wpm.clamp(80, 450), 0) };
            // Every call sets every parameter it uses, so no call inherits
            // another's (espeak-ng keeps them between calls).
            for (param, name) in [(ffi::ESPEAK_PITCH, "pitch"), (ffi::ESPEAK_RANGE, "range")] {
                let mut v = req.settings.get(name).copied().unwrap_or(50.0);
                if name == "pitch" {
                    v += TAKE_PITCH[req.take as usize % TAKE_PITCH.len()];
                }
                // SAFETY: plain integer parameter.
                unsafe { ffi::espeak_SetParameter(param, v.clamp(0.0, 100.0).round() as c_int, 0) };
            }
            SAMPLES.lock().map(|mut s| s.clear()).ok();
            let bytes = text.as_bytes_with_nul();
            // SAFETY: `text` outlives the synchronous call; size includes the NUL terminator.
            let rc = unsafe {
                ffi::espeak_Synth(
                    text.as_ptr().cast(),
                    bytes.len(),
                    0,
                    ffi::POS_CHARACTER,
                    0,
                    ffi::ESPEAK_CHARS_UTF8 | flags,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                )
            };
            // SAFETY: waits for the synchronous synthesis to finish.
            unsafe { ffi::espeak_Synchronize() };
            if rc != ffi::EE_OK {
                return Err(EngineError::transient(
                    ENGINE,
                    format!("espeak_Synth failed with code {rc}"),
                ));
            }
            let samples: Vec<f32> = SAMPLES
                .lock()
                .map(|mut s| s.drain(..).map(|x| f32::from(x) / 32768.0).collect())
                .unwrap_or_default();
            if samples.is_empty() {
                return Err(EngineError::permanent(
                    ENGINE,
                    format!("no audio for \"{}\"", req.text),
                ));
            }
            Ok(Clip::mono(e.sample_rate_hz, samples))
        })
    }
}

/// Makes `voice` espeak-ng's voice: by its voice file's name (`en-us`), else
/// by language (`en-gb`, whose voice file is named otherwise), as the voice
/// list names voices by their language tags. Call under [`LOCK`]. Returns
/// whether espeak-ng has such a voice.
///
/// # Errors
/// [`EngineError`] (permanent) for a name with a NUL byte.
pub(crate) fn set_voice(voice: &str) -> Result<bool, EngineError> {
    let name = CString::new(voice).map_err(|_| EngineError::permanent(ENGINE, "bad voice name"))?;
    // SAFETY: valid C string; espeak copies what it needs.
    if unsafe { ffi::espeak_SetVoiceByName(name.as_ptr()) } == ffi::EE_OK {
        return Ok(true);
    }
    let mut spec = ffi::espeak_VOICE {
        name: std::ptr::null(),
        languages: name.as_ptr(),
        identifier: std::ptr::null(),
        gender: 0,
        age: 0,
        variant: 0,
        xx1: 0,
        score: 0,
        spare: std::ptr::null_mut(),
    };
    // SAFETY: `spec` and the string it points to live through the call; espeak copies them.
    Ok(unsafe { ffi::espeak_SetVoiceByProperties(&mut spec) } == ffi::EE_OK)
}

/// The text espeak-ng is given for `req`: each lexicon span's word replaced
/// by its mnemonics in `[[ ]]` (espeak-ng's phoneme input), with the synth
/// flag that reads them; the text as it is when there are none.
///
/// # Errors
/// [`EngineError`] (permanent) naming the word for phonemes that are not
/// espeak-ng mnemonics or could break out of the brackets.
fn with_phonemes(req: &SpeechRequest) -> Result<(String, std::os::raw::c_uint), EngineError> {
    if req.phonemes.is_empty() {
        return Ok((req.text.clone(), 0));
    }
    let mut out = String::with_capacity(req.text.len() + 16);
    let mut at = 0;
    for s in &req.phonemes {
        let word = req.text.get(s.start..s.end).unwrap_or("");
        if s.alphabet != crate::lexicon::Alphabet::Espeak {
            return Err(EngineError::permanent(
                ENGINE,
                format!(
                    "lexicon entry \"{word}\": espeak-ng takes its own phoneme mnemonics, not IPA"
                ),
            ));
        }
        if !s.phonemes.is_ascii() || s.phonemes.contains(['[', ']']) || s.phonemes.trim().is_empty()
        {
            return Err(EngineError::permanent(
                ENGINE,
                format!(
                    "lexicon entry \"{word}\": \"{}\" are not espeak-ng phoneme mnemonics (ASCII, e.g. w'In)",
                    s.phonemes
                ),
            ));
        }
        out.push_str(req.text.get(at..s.start).unwrap_or(""));
        out.push_str(&format!("[[{}]]", s.phonemes.trim()));
        at = s.end;
    }
    out.push_str(req.text.get(at..).unwrap_or(""));
    Ok((out, ffi::ESPEAK_PHONEMES))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_voices_and_speaks() {
        let e = EspeakEngine::new();
        let voices = e.voices().expect("voices");
        assert!(
            voices.iter().any(|v| v.id == "espeak:en-us"),
            "{} voices",
            voices.len()
        );
        let clip = e
            .synthesize(&SpeechRequest {
                voice: "en-us".into(),
                text: "Hello there, this is a test.".into(),
                tempo_ratio: 1.0,
                threads: 1,
                take: 0,
                ..SpeechRequest::default()
            })
            .expect("speak");
        assert_eq!(clip.sample_rate_hz, 22_050);
        let secs = clip.duration_ms() / 1000.0;
        assert!((1.0..5.0).contains(&secs), "{secs} s");
        let slow = e
            .synthesize(&SpeechRequest {
                voice: "en-us".into(),
                text: "Hello there, this is a test.".into(),
                tempo_ratio: 0.7,
                threads: 1,
                take: 0,
                ..SpeechRequest::default()
            })
            .expect("speak");
        assert!(slow.duration_ms() > clip.duration_ms() * 1.2);
        let err = e
            .synthesize(&SpeechRequest {
                voice: "xx-nope".into(),
                text: "x".into(),
                tempo_ratio: 1.0,
                threads: 1,
                take: 0,
                ..SpeechRequest::default()
            })
            .expect_err("bad voice");
        assert_eq!(err.kind, super::super::ErrorKind::Permanent);
    }
}
