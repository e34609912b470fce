//! The media options of `phone.call()` and `call.answer()`: where the call's audio comes
//! from (`audio` constraints, a `deviceId`, or the application's own `stream`) and its
//! preferences (`codecs`, `opusMaxBitrate`, checked by the core's
//! [`MediaPrefs`]).
//!
//! A pre-warmed peer connection carries no tracks (`web/media/prewarm.rs`): a call that
//! adopts one adds the tracks of its own source to it, exactly as to a fresh one, so these
//! options work the same with and without pre-warming.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::MediaStream;

use crate::core::media_prefs::MediaPrefs;
use crate::core::CallError;

/// The option names read here; the caller's own reader sees the rest.
const MEDIA_KEYS: [&str; 5] = ["audio", "deviceId", "stream", "codecs", "opusMaxBitrate"];

/// Where a call's audio comes from.
#[derive(Clone)]
pub(crate) enum AudioSource {
    /// `getUserMedia({ audio })` with these `MediaTrackConstraints` (`None`: `audio: true`).
    /// The tracks are the call's: stopped when it ends or when they are replaced.
    Capture(Option<JsValue>),
    /// The application's stream: its tracks are sent as they are and never stopped.
    Stream(MediaStream),
}

impl Default for AudioSource {
    fn default() -> AudioSource {
        AudioSource::Capture(None)
    }
}

/// What a call's media session is asked to use.
#[derive(Clone, Default)]
pub(crate) struct MediaRequest {
    /// The audio source.
    pub(crate) audio: AudioSource,
    /// Codec order and bitrate cap.
    pub(crate) prefs: MediaPrefs,
}

/// Takes the media options out of `options`: the request, and a copy of `options`
/// without them for the caller's reader (which rejects unknown keys). A value that is
/// not an object is handed back as it is, for the caller to reject.
///
/// # Errors
/// `InvalidValue` naming the bad option.
pub(crate) fn split(options: &JsValue) -> Result<(MediaRequest, JsValue), CallError> {
    let mut request = MediaRequest::default();
    if !options.is_object() || Array::is_array(options) {
        return Ok((request, options.clone()));
    }
    let get = |key: &str| Reflect::get(options, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let (audio, device, stream) = (get("audio"), get("deviceId"), get("stream"));
    if !stream.is_undefined() {
        if !audio.is_undefined() || !device.is_undefined() {
            return Err(invalid(
                "options.stream cannot be combined with audio or deviceId",
            ));
        }
        request.audio = AudioSource::Stream(audio_stream(&stream, "options.stream")?);
    } else if !audio.is_undefined() || !device.is_undefined() {
        request.audio = AudioSource::Capture(constraints(&audio, &device)?);
    }
    let codecs = get("codecs");
    let names = if codecs.is_undefined() {
        Vec::new()
    } else {
        let list = codecs
            .dyn_ref::<Array>()
            .ok_or_else(|| invalid("options.codecs must be an array of codec names"))?;
        list.iter()
            .map(|c| {
                c.as_string()
                    .ok_or_else(|| invalid("options.codecs must be an array of codec names"))
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    let bitrate = get("opusMaxBitrate");
    let bitrate = if bitrate.is_undefined() {
        None
    } else {
        Some(
            bitrate
                .as_f64()
                .ok_or_else(|| invalid("options.opusMaxBitrate must be a number"))?,
        )
    };
    request.prefs = MediaPrefs::new(&names, bitrate)?;
    let rest = Object::assign(&Object::new(), options.unchecked_ref());
    for key in MEDIA_KEYS {
        let _ = Reflect::delete_property(&rest, &key.into());
    }
    Ok((request, rest.into()))
}

/// The audio constraints from `audio` (`true` or an object) and `deviceId` (a string,
/// sent as `{ exact }`).
///
/// # Errors
/// `InvalidValue` for other types, an empty device id, or a device id given twice.
pub(crate) fn constraints(audio: &JsValue, device: &JsValue) -> Result<Option<JsValue>, CallError> {
    let base = if audio.is_undefined() || audio.as_bool() == Some(true) {
        Object::new()
    } else if audio.is_object() && !Array::is_array(audio) {
        Object::assign(&Object::new(), audio.unchecked_ref())
    } else {
        return Err(invalid(
            "options.audio must be true or a MediaTrackConstraints object",
        ));
    };
    if device.is_undefined() {
        return Ok((Object::keys(&base).length() > 0).then(|| base.into()));
    }
    let id = device
        .as_string()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| invalid("deviceId must be a non-empty string"))?;
    if Reflect::has(&base, &"deviceId".into()).unwrap_or(false) {
        return Err(invalid(
            "give the device either as deviceId or as audio.deviceId, not both",
        ));
    }
    let exact = Object::new();
    let _ = Reflect::set(&exact, &"exact".into(), &id.into());
    let _ = Reflect::set(&base, &"deviceId".into(), &exact);
    Ok(Some(base.into()))
}

/// `value` as a `MediaStream` with at least one audio track.
///
/// # Errors
/// `InvalidValue` naming `what`.
pub(crate) fn audio_stream(value: &JsValue, what: &str) -> Result<MediaStream, CallError> {
    let stream = value
        .dyn_ref::<MediaStream>()
        .ok_or_else(|| invalid(&format!("{what} must be a MediaStream")))?;
    if stream.get_audio_tracks().length() == 0 {
        return Err(invalid(&format!("{what} has no audio track")));
    }
    // `Clone::clone`: `MediaStream::clone` is the JavaScript method, which makes a new
    // stream of cloned tracks.
    Ok(Clone::clone(stream))
}

fn invalid(why: &str) -> CallError {
    CallError::InvalidValue(why.to_owned())
}
