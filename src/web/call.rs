//! `SoftphoneCall`: the handle of one call, exported to JavaScript.
//!
//! A handle holds the call's id, the state the driver keeps for the call (updated from
//! the core's call events) and a weak reference to the driver. Weak, so that a handle
//! kept in application state (a React store) does not keep a freed phone's socket and
//! timers alive; once the phone is freed the handle reads as ended and its methods throw
//! `noSuchCall`.

use std::rc::{Rc, Weak};

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use super::calls::{call_error, SharedInfo};
use super::driver::Driver;
use crate::core::{CallError, CallId, DtmfMode, Instant, UserAgent};

/// One call. Get it from `phone.call()`, `phone.calls()`, `phone.getCall(id)` or a `call`
/// event's `callId`. Its getters show the state as of the last event delivered or about to
/// be delivered; its methods throw a `SoftphoneCallError` (`code`: `noSuchCall`,
/// `invalidState`, `invalidTarget`, `invalidValue`, `notConnected`) when they do not fit the
/// call's state, and never run event handlers before they return.
#[wasm_bindgen]
pub struct SoftphoneCall {
    pub(super) driver: Weak<Driver>,
    pub(super) info: SharedInfo,
}

impl SoftphoneCall {
    /// A handle on the call `info`.
    pub(crate) fn new(driver: &Rc<Driver>, info: SharedInfo) -> SoftphoneCall {
        SoftphoneCall {
            driver: Rc::downgrade(driver),
            info,
        }
    }

    pub(super) fn call_id(&self) -> CallId {
        self.info.borrow().id
    }

    /// Runs `f` on the core for this call; a freed phone has no calls.
    pub(super) fn run<T>(
        &self,
        f: impl FnOnce(&mut UserAgent, CallId, Instant) -> Result<T, CallError>,
    ) -> Result<T, JsValue> {
        let driver = self
            .driver
            .upgrade()
            .ok_or_else(|| call_error(&CallError::NoSuchCall))?;
        let id = self.call_id();
        driver
            .command(|ua, now| f(ua, id, now))
            .map_err(|e| call_error(&e))
    }
}

#[wasm_bindgen]
impl SoftphoneCall {
    /// The call's id, as in `call` events' `callId`.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> f64 {
        self.call_id().0 as f64
    }

    /// `'outgoing'` or `'incoming'`.
    #[wasm_bindgen(getter, unchecked_return_type = "'outgoing' | 'incoming'")]
    pub fn direction(&self) -> String {
        if self.info.borrow().outgoing {
            "outgoing".into()
        } else {
            "incoming".into()
        }
    }

    /// The other side's URI (the caller, or the normalized target).
    #[wasm_bindgen(getter, js_name = remoteUri)]
    pub fn remote_uri(&self) -> String {
        self.info.borrow().remote_uri.clone()
    }

    /// The caller's display name, if it sent one.
    #[wasm_bindgen(getter, js_name = remoteDisplayName)]
    pub fn remote_display_name(&self) -> Option<String> {
        self.info.borrow().display_name.clone()
    }

    /// `'incoming' | 'calling' | 'ringing' | 'earlyMedia' | 'connected' | 'reconnecting' | 'ended'`.
    #[wasm_bindgen(getter, unchecked_return_type = "SoftphoneCallState")]
    pub fn state(&self) -> String {
        if self.driver.strong_count() == 0 {
            return "ended".into();
        }
        self.info.borrow().state.into()
    }

    /// Who holds the call. `call.hold` is at the same time the method that puts the
    /// call on hold and carries the current state: `call.hold()` holds it,
    /// `call.hold.local` / `call.hold.remote` read it (a snapshot taken when `hold` is
    /// read). `holdState` gives the same state as a plain object.
    #[wasm_bindgen(
        getter,
        unchecked_return_type = "(() => void) & { readonly local: boolean; readonly remote: boolean }"
    )]
    pub fn hold(&self) -> JsValue {
        let driver = self.driver.clone();
        let id = self.call_id();
        let f = Closure::<dyn FnMut() -> Result<(), JsValue>>::new(move || {
            let driver = driver
                .upgrade()
                .ok_or_else(|| call_error(&CallError::NoSuchCall))?;
            driver
                .command(|ua, now| ua.hold(id, now))
                .map_err(|e| call_error(&e))
        })
        .into_js_value();
        let h = self.info.borrow().hold;
        let _ = Reflect::set(&f, &"local".into(), &h.local.into());
        let _ = Reflect::set(&f, &"remote".into(), &h.remote.into());
        f
    }

    /// Who holds the call, as a plain object `{ local, remote }`.
    #[wasm_bindgen(
        getter,
        js_name = holdState,
        unchecked_return_type = "{ local: boolean; remote: boolean }"
    )]
    pub fn hold_state(&self) -> JsValue {
        let h = self.info.borrow().hold;
        let o = Object::new();
        let _ = Reflect::set(&o, &"local".into(), &h.local.into());
        let _ = Reflect::set(&o, &"remote".into(), &h.remote.into());
        o.into()
    }

    /// Whether the microphone is muted.
    #[wasm_bindgen(getter)]
    pub fn muted(&self) -> bool {
        self.info.borrow().muted
    }

    /// `Date.now()` when the call first connected.
    #[wasm_bindgen(getter, js_name = connectedAt)]
    pub fn connected_at(&self) -> Option<f64> {
        self.info.borrow().connected_at
    }

    /// The far end's audio (and video): attach it to an `<audio autoplay>` element.
    /// `null` until the first remote track arrives (a `remoteStream` event) and after the end.
    #[wasm_bindgen(getter, js_name = remoteStream, unchecked_return_type = "MediaStream | null")]
    pub fn remote_stream(&self) -> JsValue {
        let session = self.info.borrow().session.clone();
        session
            .and_then(|s| s.remote_stream())
            .map_or(JsValue::NULL, Into::into)
    }

    /// The microphone (and camera) stream; `null` before capture and after the end.
    #[wasm_bindgen(getter, js_name = localStream, unchecked_return_type = "MediaStream | null")]
    pub fn local_stream(&self) -> JsValue {
        let session = self.info.borrow().session.clone();
        session
            .and_then(|s| s.local_stream())
            .map_or(JsValue::NULL, Into::into)
    }

    /// Answers a ringing incoming call (captures the microphone, and the camera with
    /// `{ video: true }`; a video offer answered without it still receives video).
    ///
    /// # Errors
    /// `noSuchCall`, `invalidState` when the call is not ringing, `invalidValue` for bad
    /// options.
    pub fn answer(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SoftphoneAnswerOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<(), JsValue> {
        let (media, options) = super::media::request::split(&options.unwrap_or(JsValue::UNDEFINED))
            .map_err(|e| call_error(&e))?;
        let options = answer_options(&options).map_err(|e| call_error(&e))?;
        self.run(|ua, id, now| ua.answer(id, options, now))?;
        // Only once answered (a refused answer() leaves the call's media as it was), and
        // still before the session's first media action runs (it waits for a microtask).
        super::call_media::hand_over(&self.info, media);
        Ok(())
    }

    /// Rejects a ringing incoming call with `status` (default 486 Busy Here; 603 declines).
    ///
    /// # Errors
    /// `noSuchCall`, `invalidState`, or `invalidValue` for a status outside 300-699.
    pub fn reject(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] status: Option<u16>,
    ) -> Result<(), JsValue> {
        self.run(|ua, id, now| ua.reject(id, status.unwrap_or(486), now))
    }

    /// Ends the call: CANCEL before an answer, BYE after, 486 while an incoming call rings.
    ///
    /// # Errors
    /// `noSuchCall` when the call has already ended.
    pub fn hangup(&self) -> Result<(), JsValue> {
        self.run(|ua, id, now| ua.hangup(id, now))
    }

    /// Takes the call off hold.
    ///
    /// # Errors
    /// `noSuchCall`, or `invalidState` (not connected, a negotiation under way).
    pub fn resume(&self) -> Result<(), JsValue> {
        self.run(|ua, id, now| ua.resume(id, now))
    }

    /// Mutes the microphone (no signalling).
    ///
    /// # Errors
    /// `noSuchCall`.
    pub fn mute(&self) -> Result<(), JsValue> {
        self.run(|ua, id, now| ua.set_muted(id, true, now))
    }

    /// Unmutes the microphone.
    ///
    /// # Errors
    /// `noSuchCall`.
    pub fn unmute(&self) -> Result<(), JsValue> {
        self.run(|ua, id, now| ua.set_muted(id, false, now))
    }

    /// Sends DTMF `tones` (`0-9*#A-D`, `,` for a pause): in the media (RFC 4733, default)
    /// or by SIP INFO (`{ mode: 'info' }`).
    ///
    /// # Errors
    /// `noSuchCall`, `invalidState` before the call is answered, `invalidValue` for bad
    /// tones or options.
    #[wasm_bindgen(js_name = sendDtmf)]
    pub fn send_dtmf(
        &self,
        tones: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "{ mode?: 'rfc4733' | 'info' }")]
        options: Option<JsValue>,
    ) -> Result<(), JsValue> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let mode = dtmf_mode(&options).map_err(|e| call_error(&e))?;
        self.run(|ua, id, now| ua.send_dtmf(id, tones, mode, now))
    }

    /// Blind transfer: asks the far end to call `target` (REFER). Progress comes as
    /// `transferProgress` events; on success the call ends as `transferred`.
    ///
    /// # Errors
    /// `noSuchCall`, `invalidState` when not connected, `invalidTarget`.
    pub fn transfer(&self, target: &str) -> Result<(), JsValue> {
        self.run(|ua, id, now| ua.transfer(id, target, now))
    }

    /// Accepts the transfer the far end asked for (after a `transferRequested` event):
    /// calls its target and returns the new call.
    ///
    /// # Errors
    /// `noSuchCall`, or `invalidState` when no transfer is pending.
    #[wasm_bindgen(js_name = acceptTransfer)]
    pub fn accept_transfer(&self) -> Result<SoftphoneCall, JsValue> {
        let driver = self
            .driver
            .upgrade()
            .ok_or_else(|| call_error(&CallError::NoSuchCall))?;
        let new_id = self.run(|ua, id, now| ua.accept_transfer(id, now))?;
        let info = driver
            .call_info(new_id)
            .ok_or_else(|| call_error(&CallError::NoSuchCall))?;
        Ok(SoftphoneCall::new(&driver, info))
    }

    /// Declines the transfer the far end asked for (603).
    ///
    /// # Errors
    /// `noSuchCall`, or `invalidState` when no transfer is pending.
    #[wasm_bindgen(js_name = declineTransfer)]
    pub fn decline_transfer(&self) -> Result<(), JsValue> {
        self.run(|ua, id, now| ua.decline_transfer(id, now))
    }

    /// The call's media counters: `{ inbound: { packets, bytes }, outbound: { packets,
    /// bytes }, selectedPair? }`. Zero before media starts.
    ///
    /// # Errors
    /// The promise rejects with `noSuchCall` once the call has ended.
    #[wasm_bindgen(js_name = getStats, unchecked_return_type = "Promise<SoftphoneCallStats>")]
    pub fn get_stats(&self) -> Promise {
        let live = self.driver.strong_count() > 0 && self.info.borrow().state != "ended";
        if !live {
            return Promise::reject(&call_error(&CallError::NoSuchCall));
        }
        let session = self.info.borrow().session.clone();
        super::to_promise(async move {
            match session {
                Some(session) => session.stats().await,
                None => super::media::stats::read(None).await,
            }
        })
    }
}

/// Reads `{ mode?: 'rfc4733' | 'info' }`.
fn dtmf_mode(options: &JsValue) -> Result<DtmfMode, CallError> {
    if options.is_undefined() || options.is_null() {
        return Ok(DtmfMode::Rfc4733);
    }
    let mode = Reflect::get(options, &"mode".into()).unwrap_or(JsValue::UNDEFINED);
    if mode.is_undefined() {
        return Ok(DtmfMode::Rfc4733);
    }
    match mode.as_string().as_deref() {
        Some("rfc4733") => Ok(DtmfMode::Rfc4733),
        Some("info") => Ok(DtmfMode::Info),
        _ => Err(CallError::InvalidValue(
            "options.mode must be 'rfc4733' or 'info'".into(),
        )),
    }
}

/// Reads `{ video?: boolean }`.
fn answer_options(options: &JsValue) -> Result<crate::core::AnswerOptions, crate::core::CallError> {
    use crate::core::CallError;
    let mut out = crate::core::AnswerOptions::default();
    if options.is_undefined() || options.is_null() {
        return Ok(out);
    }
    if !options.is_object() {
        return Err(CallError::InvalidValue("options must be an object".into()));
    }
    for key in js_sys::Object::keys(options.unchecked_ref::<js_sys::Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if key != "video" {
            return Err(CallError::InvalidValue(format!(
                "unknown option `{key}`, expected video"
            )));
        }
    }
    let video = js_sys::Reflect::get(options, &"video".into()).unwrap_or(JsValue::UNDEFINED);
    if !video.is_undefined() {
        out.video = video
            .as_bool()
            .ok_or_else(|| CallError::InvalidValue("options.video must be a boolean".into()))?;
    }
    Ok(out)
}
