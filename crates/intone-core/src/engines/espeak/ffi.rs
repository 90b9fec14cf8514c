//! Raw bindings to the parts of espeak-ng's C API (`speak_lib.h`, API
//! revision 12, Debian `libespeak-ng-dev`) that Intone uses.

#![allow(non_camel_case_types, dead_code)]

use std::os::raw::{c_char, c_int, c_short, c_uchar, c_uint, c_void};

/// `AUDIO_OUTPUT_SYNCHRONOUS`: retrieval mode, `espeak_Synth` returns when done.
pub const AUDIO_OUTPUT_SYNCHRONOUS: c_int = 2;
/// `espeakINITIALIZE_DONT_EXIT`: never call `exit()` on data errors.
pub const ESPEAK_INITIALIZE_DONT_EXIT: c_int = 0x8000;
/// `POS_CHARACTER`.
pub const POS_CHARACTER: c_int = 1;
/// `espeakCHARS_UTF8`.
pub const ESPEAK_CHARS_UTF8: c_uint = 1;
/// `espeakRATE` parameter (words per minute, 80–450).
pub const ESPEAK_RATE: c_int = 1;
/// `espeakPITCH`: base pitch, 0–100 (50 normal).
pub const ESPEAK_PITCH: c_int = 3;
/// `espeakRANGE`: pitch range, 0–100 (50 normal).
pub const ESPEAK_RANGE: c_int = 4;
/// `espeakPHONEMES` synth flag: text in `[[ ]]` is phoneme mnemonics.
pub const ESPEAK_PHONEMES: c_uint = 0x100;
/// `phonememode` bit 1: IPA phoneme names.
pub const PHONEMES_IPA: c_int = 0x02;
/// `espeakCHARS_UTF8` as a `textmode` argument.
pub const TEXTMODE_UTF8: c_int = 1;
/// `EE_OK`.
pub const EE_OK: c_int = 0;

/// `espeak_EVENT`.
#[repr(C)]
pub struct espeak_EVENT {
    pub type_: c_int,
    pub unique_identifier: c_uint,
    pub text_position: c_int,
    pub length: c_int,
    pub audio_position: c_int,
    pub sample: c_int,
    pub user_data: *mut c_void,
    pub id: *const c_char,
}

/// `espeak_VOICE`.
#[repr(C)]
pub struct espeak_VOICE {
    pub name: *const c_char,
    pub languages: *const c_char,
    pub identifier: *const c_char,
    pub gender: c_uchar,
    pub age: c_uchar,
    pub variant: c_uchar,
    pub xx1: c_uchar,
    pub score: c_int,
    pub spare: *mut c_void,
}

/// `t_espeak_callback`.
pub type SynthCallback = unsafe extern "C" fn(*mut c_short, c_int, *mut espeak_EVENT) -> c_int;

#[link(name = "espeak-ng")]
unsafe extern "C" {
    pub fn espeak_Initialize(
        output: c_int,
        buflength: c_int,
        path: *const c_char,
        options: c_int,
    ) -> c_int;
    pub fn espeak_SetSynthCallback(cb: SynthCallback);
    pub fn espeak_SetVoiceByName(name: *const c_char) -> c_int;
    pub fn espeak_SetVoiceByProperties(voice_spec: *mut espeak_VOICE) -> c_int;
    pub fn espeak_SetParameter(parameter: c_int, value: c_int, relative: c_int) -> c_int;
    pub fn espeak_Synth(
        text: *const c_void,
        size: usize,
        position: c_uint,
        position_type: c_int,
        end_position: c_uint,
        flags: c_uint,
        unique_identifier: *mut c_uint,
        user_data: *mut c_void,
    ) -> c_int;
    pub fn espeak_Synchronize() -> c_int;
    pub fn espeak_ListVoices(spec: *mut espeak_VOICE) -> *mut *const espeak_VOICE;
    pub fn espeak_Info(path_data: *mut *const c_char) -> *const c_char;
    pub fn espeak_TextToPhonemes(
        textptr: *mut *const c_void,
        textmode: c_int,
        phonememode: c_int,
    ) -> *const c_char;
}
