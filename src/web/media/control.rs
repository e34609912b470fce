//! What the application changes on a call's media without renegotiating: the codec
//! order (before the offer or answer is made), the audio sender's bitrate cap, switching
//! the microphone (`RTCRtpSender.replaceTrack`: no re-INVITE), and muting the camera.

use std::rc::Rc;

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack, RtcPeerConnection};
use web_sys::{RtcRtpSender, RtcRtpTransceiver};

use super::request::{AudioSource, MediaRequest};
use super::Session;
use crate::core::media_prefs::codec_order;
use crate::core::{CallError, LogLevel};
use crate::web::calls::call_error;
use crate::web::errors::{device_failed, unsupported};
use crate::web::work::Work;

impl Session {
    /// Uses `request` for the media not yet captured (and for the preferences of the
    /// first offer or answer).
    pub(crate) fn set_request(&self, request: MediaRequest) {
        *self.request.borrow_mut() = request;
        self.source_changes
            .set(self.source_changes.get().wrapping_add(1));
    }

    /// After the first capture: when the application chose another source while it was
    /// under way (a device picked during the permission prompt), switch to that one.
    pub(super) fn follow_source(self: &Rc<Self>, changes_before: u32) {
        if self.source_changes.get() == changes_before {
            return;
        }
        let source = self.request.borrow().audio.clone();
        let me = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = Rc::clone(&me).switch_input(source).await {
                let why = crate::web::error_name(&e);
                me.warn(&format!("switching to the chosen microphone failed: {why}"));
            }
        });
    }

    /// Puts the preferred codecs first on every audio transceiver of `pc`
    /// (`setCodecPreferences`, in the order the core's `codec_order` gives).
    pub(super) fn apply_codec_order(&self, pc: &RtcPeerConnection) {
        let preferred = self.request.borrow().prefs.codecs.clone();
        if preferred.is_empty() {
            return;
        }
        let Some(capabilities) = receiver_audio_codecs() else {
            self.warn("codec preferences ignored: RTCRtpReceiver.getCapabilities is missing");
            return;
        };
        let mimes: Vec<String> = capabilities
            .iter()
            .map(|c| string_of(&c, "mimeType"))
            .collect();
        let refs: Vec<&str> = mimes.iter().map(String::as_str).collect();
        let Some(order) = codec_order(&refs, &preferred) else {
            self.warn("codec preferences ignored: none of the preferred codecs is available");
            return;
        };
        let list: Array = order.iter().map(|&i| capabilities.get(i as u32)).collect();
        for t in audio_transceivers(pc) {
            let set = Reflect::get(&t, &"setCodecPreferences".into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok());
            let Some(set) = set else {
                self.warn("codec preferences ignored: setCodecPreferences is missing");
                return;
            };
            if let Err(e) = set.call1(&t, &list) {
                let why = crate::web::error_name(&e);
                self.warn(&format!("setCodecPreferences failed: {why}"));
            }
        }
    }

    /// Caps the audio sender at `opusMaxBitrate` (`encodings[].maxBitrate`) once an answer
    /// has settled the codec, and only when it is opus: Chrome refuses an answer for a
    /// sender whose cap is below a fixed-rate codec's rate (G.711 sends 64 kb/s), so no
    /// cap is set before the codec is known. A refusal is logged.
    pub(super) async fn apply_bitrate(&self, pc: &RtcPeerConnection) {
        let Some(bps) = self.request.borrow().prefs.opus_max_bitrate else {
            return;
        };
        for t in audio_transceivers(pc) {
            let sender = t.sender();
            let Ok(params) = call0(&sender, "getParameters") else {
                continue;
            };
            let codecs = Reflect::get(&params, &"codecs".into()).unwrap_or_default();
            let first = codecs
                .dyn_ref::<Array>()
                .map(|c| c.get(0))
                .unwrap_or_default();
            if !string_of(&first, "mimeType").eq_ignore_ascii_case("audio/opus") {
                continue;
            }
            let encodings = Reflect::get(&params, &"encodings".into()).unwrap_or_default();
            let Some(encodings) = encodings.dyn_ref::<Array>() else {
                continue;
            };
            if encodings.length() == 0 {
                continue;
            }
            for e in encodings.iter() {
                let _ = Reflect::set(&e, &"maxBitrate".into(), &f64::from(bps).into());
            }
            let result = match call1(&sender, "setParameters", &params) {
                Ok(p) => JsFuture::from(p.unchecked_into::<js_sys::Promise>())
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            };
            if let Err(e) = result {
                let why = crate::web::error_name(&e);
                self.warn(&format!(
                    "opusMaxBitrate not applied: setParameters failed: {why}"
                ));
            }
        }
    }

    /// Switches the call's microphone to `source` without renegotiating: the new track
    /// replaces the old one in the audio sender (`replaceTrack`); the old one is stopped
    /// when the session captured it. Before the media is up, `source` is simply what
    /// the call will capture.
    ///
    /// # Errors
    /// `noSuchCall` once the call ended; `deviceFailed` when `getUserMedia` or
    /// `replaceTrack` fails (`browserError`: the browser's exception name).
    pub(crate) async fn switch_input(self: Rc<Self>, source: AudioSource) -> Result<(), JsValue> {
        if self.closed.get() {
            return Err(call_error(&CallError::NoSuchCall));
        }
        if self.inner.borrow().local.is_none() {
            self.request.borrow_mut().audio = source;
            self.source_changes
                .set(self.source_changes.get().wrapping_add(1));
            return Ok(());
        }
        let (track, owned) = match &source {
            AudioSource::Stream(stream) => (first_audio(stream), false),
            AudioSource::Capture(audio) => (capture_audio(audio).await?, true),
        };
        let Some(track) = track else {
            return Err(call_error(&CallError::InvalidValue(
                "the new source has no audio track".into(),
            )));
        };
        let give_back = |track: &MediaStreamTrack| {
            if owned {
                track.stop();
            }
        };
        let sender = self.peer_connection().and_then(|pc| {
            audio_transceivers(&pc)
                .into_iter()
                .next()
                .map(|t| t.sender())
        });
        let (Some(sender), false) = (sender, self.closed.get()) else {
            give_back(&track);
            return Err(call_error(&CallError::NoSuchCall));
        };
        track.set_enabled(!self.inner.borrow().muted);
        if let Err(e) = JsFuture::from(sender.replace_track(Some(&track))).await {
            give_back(&track);
            return Err(device_failed("replaceTrack", &e));
        }
        if self.closed.get() {
            give_back(&track);
            return Err(call_error(&CallError::NoSuchCall));
        }
        self.request.borrow_mut().audio = source;
        let mut inner = self.inner.borrow_mut();
        let inner = &mut *inner;
        if let Some(local) = &inner.local {
            for old in local.get_audio_tracks().iter() {
                let old: MediaStreamTrack = old.unchecked_into();
                local.remove_track(&old);
                if let Some(i) = inner.owned.iter().position(|t| t.id() == old.id()) {
                    inner.owned.remove(i).stop();
                }
            }
            local.add_track(&track);
        }
        if owned {
            inner.owned.push(track);
        }
        Ok(())
    }

    /// Turns the camera track off (black frames, no signalling) or on again.
    pub(crate) fn set_video_muted(&self, muted: bool) {
        let mut inner = self.inner.borrow_mut();
        inner.video_muted = muted;
        if let Some(local) = &inner.local {
            for track in local.get_video_tracks().iter() {
                track
                    .unchecked_into::<MediaStreamTrack>()
                    .set_enabled(!muted);
            }
        }
    }

    fn warn(&self, line: &str) {
        self.feed(Work::Log(LogLevel::Warn, line.to_owned()));
    }
}

/// The transceivers of `pc` that carry audio (by their receiver's track, which every
/// transceiver has, whether or not it sends).
pub(super) fn audio_transceivers(pc: &RtcPeerConnection) -> Vec<RtcRtpTransceiver> {
    pc.get_transceivers()
        .iter()
        .map(RtcRtpTransceiver::from)
        .filter(|t| t.receiver().track().kind() == "audio")
        .collect()
}

/// `RTCRtpReceiver.getCapabilities('audio').codecs`.
fn receiver_audio_codecs() -> Option<Array> {
    let ctor = Reflect::get(&js_sys::global(), &"RTCRtpReceiver".into()).ok()?;
    let caps = call1(&ctor, "getCapabilities", &"audio".into()).ok()?;
    Reflect::get(&caps, &"codecs".into()).ok()?.dyn_into().ok()
}

/// The first audio track of `stream`.
fn first_audio(stream: &MediaStream) -> Option<MediaStreamTrack> {
    let track = stream.get_audio_tracks().get(0);
    (!track.is_undefined()).then(|| track.unchecked_into())
}

/// `getUserMedia({ audio })`'s audio track (any other track is stopped).
async fn capture_audio(audio: &Option<JsValue>) -> Result<Option<MediaStreamTrack>, JsValue> {
    let devices = web_sys::window()
        .and_then(|w| w.navigator().media_devices().ok())
        .ok_or_else(|| unsupported("navigator.mediaDevices"))?;
    let constraints = MediaStreamConstraints::new();
    match audio {
        Some(audio) => constraints.set_audio(audio),
        None => constraints.set_audio_bool(true),
    }
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|e| device_failed("getUserMedia", &e))?;
    let stream: MediaStream = JsFuture::from(promise)
        .await
        .map_err(|e| device_failed("getUserMedia", &e))?
        .unchecked_into();
    let track = first_audio(&stream);
    for other in stream.get_tracks().iter() {
        let other: MediaStreamTrack = other.unchecked_into();
        if track.as_ref().is_none_or(|t| t.id() != other.id()) {
            other.stop();
        }
    }
    Ok(track)
}

/// `target[name]()`, an exception returned.
fn call0(target: &RtcRtpSender, name: &str) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(target, &name.into())?.dyn_into()?;
    f.call0(target)
}

/// `target[name](arg)`, an exception returned.
fn call1(target: &JsValue, name: &str, arg: &JsValue) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(target, &name.into())?.dyn_into()?;
    f.call1(target, arg)
}

fn string_of(value: &JsValue, key: &str) -> String {
    Reflect::get(value, &key.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}
