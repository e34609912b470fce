//! `SoftphoneCall`'s media controls and its own event stream: switching the microphone
//! mid-call, muting the camera, the peer connection (read-only), `call.on`, and
//! `unhold()`.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use web_sys::MediaStreamTrack;

use super::call::SoftphoneCall;
use super::call_events::CALL_EVENT_TYPES;
use super::calls::call_error;
use super::events::unsubscriber;
use super::media::request::{self, AudioSource, MediaRequest};
use crate::core::CallError;

impl SoftphoneCall {
    /// Switches the audio source: at once through the live session, or for the capture
    /// to come when the call has no media yet.
    fn switch(&self, source: AudioSource) -> Promise {
        let ended = self.driver.strong_count() == 0 || self.info.borrow().state == "ended";
        if ended {
            return Promise::reject(&call_error(&CallError::NoSuchCall));
        }
        let session = self.info.borrow().session.clone();
        let Some(session) = session else {
            let mut info = self.info.borrow_mut();
            info.media.get_or_insert_with(MediaRequest::default).audio = source;
            return Promise::resolve(&JsValue::UNDEFINED);
        };
        super::to_promise(async move {
            session.switch_input(source).await?;
            Ok(JsValue::UNDEFINED)
        })
    }
}

#[wasm_bindgen]
impl SoftphoneCall {
    /// Switches the microphone to the input device `deviceId` (from
    /// `navigator.mediaDevices.enumerateDevices()` or a `devices` event), with optional
    /// further `constraints`. The new track replaces the old one in the audio sender
    /// (`replaceTrack`): no re-INVITE, the far end hears the new device at once. The old
    /// track is stopped if the call captured it. Mute carries over.
    ///
    /// # Errors
    /// The promise rejects with a `CallError` (`noSuchCall` once ended, `invalidValue` for
    /// a bad id or constraints) or a `DeviceError` (`deviceFailed`, `browserError` e.g.
    /// `NotFoundError`, `OverconstrainedError`).
    #[wasm_bindgen(js_name = setInputDevice, unchecked_return_type = "Promise<void>")]
    pub fn set_input_device(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] device_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "MediaTrackConstraints")]
        constraints: Option<JsValue>,
    ) -> Promise {
        let audio = constraints.unwrap_or(JsValue::UNDEFINED);
        match request::constraints(&audio, &device_id) {
            Ok(c) => self.switch(AudioSource::Capture(c)),
            Err(e) => Promise::reject(&call_error(&e)),
        }
    }

    /// Sends `track` (an audio `MediaStreamTrack` the application made: a processed
    /// microphone, a file's audio) instead of the current one, without renegotiating.
    /// The application keeps owning `track`: the call never stops it.
    ///
    /// # Errors
    /// As `setInputDevice`; `invalidValue` when `track` is not an audio track.
    #[wasm_bindgen(js_name = replaceAudioTrack, unchecked_return_type = "Promise<void>")]
    pub fn replace_audio_track(
        &self,
        #[wasm_bindgen(unchecked_param_type = "MediaStreamTrack")] track: JsValue,
    ) -> Promise {
        let track = match track.dyn_into::<MediaStreamTrack>() {
            Ok(t) if t.kind() == "audio" => t,
            _ => {
                let e =
                    CallError::InvalidValue("the track must be an audio MediaStreamTrack".into());
                return Promise::reject(&call_error(&e));
            }
        };
        let tracks = js_sys::Array::of1(&track);
        match web_sys::MediaStream::new_with_tracks(&tracks) {
            Ok(stream) => self.switch(AudioSource::Stream(stream)),
            Err(e) => Promise::reject(&super::errors::device_failed("MediaStream()", &e)),
        }
    }

    /// Turns the camera off (the far end gets black frames; no signalling).
    ///
    /// # Errors
    /// `noSuchCall` once the call has ended.
    #[wasm_bindgen(js_name = muteVideo)]
    pub fn mute_video(&self) -> Result<(), JsValue> {
        self.video_muted_to(true)
    }

    /// Turns the camera on again.
    ///
    /// # Errors
    /// `noSuchCall` once the call has ended.
    #[wasm_bindgen(js_name = unmuteVideo)]
    pub fn unmute_video(&self) -> Result<(), JsValue> {
        self.video_muted_to(false)
    }

    /// Whether the camera is muted (`muteVideo()`).
    #[wasm_bindgen(getter, js_name = videoMuted)]
    pub fn video_muted(&self) -> bool {
        self.info.borrow().video_muted
    }

    /// The call's `RTCPeerConnection`, for reading (`getStats()`, `getSenders()`,
    /// `getTransceivers()`); `null` before the media starts and after the end. Changing
    /// it (adding tracks, renegotiating) bypasses the call's SIP and is not supported.
    #[wasm_bindgen(getter, js_name = peerConnection, unchecked_return_type = "RTCPeerConnection | null")]
    pub fn peer_connection(&self) -> JsValue {
        let session = self.info.borrow().session.clone();
        session
            .and_then(|s| s.peer_connection())
            .map_or(JsValue::NULL, Into::into)
    }

    /// Takes the call off hold: the same as `resume()`, named as `hold()`'s opposite.
    ///
    /// # Errors
    /// `noSuchCall`, or `invalidState` (not connected, a negotiation under way).
    pub fn unhold(&self) -> Result<(), JsValue> {
        self.run(|ua, id, now| ua.resume(id, now))
    }

    /// Subscribes `handler` to this call's events of `type` and returns a function that
    /// unsubscribes it: `'state'` (every state change; `event` is the new state),
    /// `'ended'`, `'hold'`, `'muted'`, `'dtmf'`, `'remoteStream'`, `'transferRequested'`,
    /// `'transferProgress'`, `'quality'`, or `'event'` (every call event). The objects are
    /// those `phone.on('call' | 'quality')` delivers, from the same queue: after the
    /// method that caused them returns. The handlers are dropped after `ended`.
    ///
    /// # Errors
    /// Throws a `TypeError` for an unknown type or a handler that is not a function, and a
    /// `CallError` (`noSuchCall`) once the call has ended.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, r#type: &str, handler: JsValue) -> Result<JsValue, JsValue> {
        let Some(handler) = handler.dyn_ref::<Function>().cloned() else {
            return Err(js_sys::TypeError::new("the handler must be a function").into());
        };
        if !CALL_EVENT_TYPES.contains(&r#type) {
            let msg = format!(
                "unknown call event type {:?}; expected one of {}",
                r#type,
                CALL_EVENT_TYPES.join(", ")
            );
            return Err(js_sys::TypeError::new(&msg).into());
        }
        let driver = self
            .driver
            .upgrade()
            .filter(|_| self.info.borrow().state != "ended")
            .ok_or_else(|| call_error(&CallError::NoSuchCall))?;
        let bus = driver.bus();
        let id = bus.subscribe_call(self.call_id().0, r#type, handler);
        Ok(unsubscriber(std::rc::Rc::downgrade(bus), id))
    }
}

impl SoftphoneCall {
    fn video_muted_to(&self, muted: bool) -> Result<(), JsValue> {
        if self.driver.strong_count() == 0 || self.info.borrow().state == "ended" {
            return Err(call_error(&CallError::NoSuchCall));
        }
        let session = {
            let mut info = self.info.borrow_mut();
            info.video_muted = muted;
            info.session.clone()
        };
        if let Some(session) = session {
            session.set_video_muted(muted);
        }
        Ok(())
    }
}
