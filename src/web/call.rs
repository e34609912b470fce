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
use super::options;
use crate::core::{CallError, CallId, Instant, UserAgent};

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

    /// The state the driver keeps for the call.
    pub(crate) fn info(&self) -> &SharedInfo {
        &self.info
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
        unchecked_return_type = "((options?: SoftphoneRequestOptions) => void) & { readonly local: boolean; readonly remote: boolean }"
    )]
    pub fn hold(&self) -> JsValue {
        let driver = self.driver.clone();
        let id = self.call_id();
        let f = Closure::<dyn FnMut(JsValue) -> Result<(), JsValue>>::new(move |opts: JsValue| {
            let headers =
                options::headers_only(&opts, "hold options").map_err(|e| call_error(&e))?;
            let driver = driver
                .upgrade()
                .ok_or_else(|| call_error(&CallError::NoSuchCall))?;
            driver
                .command(|ua, now| ua.hold_with(id, headers, now))
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
        super::hand_over::hand_over(&self.info, media);
        Ok(())
    }

    /// Rejects a ringing incoming call: with a status (default 486 Busy Here; 603
    /// declines), or `{ status?, reasonPhrase?, reason?: { protocol, cause, text? },
    /// headers? }` for the reason phrase, an RFC 3326 `Reason` header and extra headers.
    ///
    /// # Errors
    /// `noSuchCall`, `invalidState`, or `invalidValue` for a status outside 300-699, a
    /// bad phrase, `Reason` or header (one the stack owns, CR/LF/NUL...).
    pub fn reject(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "number | SoftphoneEndOptions")]
        options: Option<JsValue>,
    ) -> Result<(), JsValue> {
        let options = options::end_options(&options.unwrap_or(JsValue::UNDEFINED))
            .map_err(|e| call_error(&e))?;
        self.run(|ua, id, now| ua.reject_with(id, &options, now))
    }

    /// Ends the call: CANCEL before an answer, BYE after, 486 while an incoming call rings.
    /// `{ reason?, headers? }` put an RFC 3326 `Reason` and extra headers on the BYE or
    /// CANCEL (and `status`/`reasonPhrase` on the rejection of a ringing call).
    ///
    /// # Errors
    /// `noSuchCall` when the call has already ended, `invalidValue` for bad options.
    pub fn hangup(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SoftphoneEndOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<(), JsValue> {
        let options = options::end_options(&options.unwrap_or(JsValue::UNDEFINED))
            .map_err(|e| call_error(&e))?;
        self.run(|ua, id, now| ua.hangup_with(id, &options, now))
    }

    /// Takes the call off hold; `{ headers }` go on the re-INVITE.
    ///
    /// # Errors
    /// `noSuchCall`, or `invalidState` (not connected, a negotiation under way).
    pub fn resume(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SoftphoneRequestOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<(), JsValue> {
        let headers =
            options::headers_only(&options.unwrap_or(JsValue::UNDEFINED), "resume options")
                .map_err(|e| call_error(&e))?;
        self.run(|ua, id, now| ua.resume_with(id, headers, now))
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
    /// or by SIP INFO (`{ mode: 'info' }`); `duration` (40-6000 ms, default 100) and
    /// `interToneGap` (30-6000 ms, default 70) time both.
    ///
    /// # Errors
    /// `noSuchCall`, `invalidState` before the call is answered, `invalidValue` for bad
    /// tones or options.
    #[wasm_bindgen(js_name = sendDtmf)]
    pub fn send_dtmf(
        &self,
        tones: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "SoftphoneDtmfOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<(), JsValue> {
        let options = options::dtmf_options(&options.unwrap_or(JsValue::UNDEFINED))
            .map_err(|e| call_error(&e))?;
        self.run(|ua, id, now| ua.send_dtmf_with(id, tones, options, now))
    }

    /// Sends a SIP INFO in the call with `body` of `contentType` (any type) and
    /// `{ headers }`; its answer comes as an `infoResponse` call event.
    ///
    /// # Errors
    /// `noSuchCall`, `invalidState` before a dialog exists, `invalidValue` for a bad
    /// content type or header or a body over 64 kB, `notConnected`.
    #[wasm_bindgen(js_name = sendInfo)]
    pub fn send_info(
        &self,
        content_type: &str,
        body: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "SoftphoneRequestOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<(), JsValue> {
        let headers = options::headers_only(&options.unwrap_or(JsValue::UNDEFINED), "INFO options")
            .map_err(|e| call_error(&e))?;
        self.run(|ua, id, now| ua.send_info(id, content_type, body, headers, now))
    }

    /// Transfers the call (REFER), with `{ headers }` on the REFER. With a target
    /// (`'600'`, `'sip:carol@pbx'`): blind, the far end calls it. With `{ replaces:
    /// otherCall }` (a `SoftphoneCall` or its id): attended, the far end calls the party
    /// of `otherCall` (usually the consultation call made while this one was held) with an
    /// INVITE that replaces our dialog with it. Progress comes as `transferProgress`
    /// events; on success the call (and `otherCall`) ends as `transferred`; on failure
    /// both stay as they were.
    ///
    /// # Errors
    /// `noSuchCall`, `invalidState` when a call is not connected or a transfer is under
    /// way, `invalidTarget`, `invalidValue` for a bad `replaces` or header.
    pub fn transfer(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | SoftphoneTransferOptions")] target: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SoftphoneRequestOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<(), JsValue> {
        let headers =
            options::headers_only(&options.unwrap_or(JsValue::UNDEFINED), "transfer options")
                .map_err(|e| call_error(&e))?;
        match transfer_target(&target).map_err(|e| call_error(&e))? {
            TransferTarget::Blind(target) => {
                self.run(|ua, id, now| ua.transfer_with(id, &target, headers, now))
            }
            TransferTarget::Replaces(other) => {
                self.run(|ua, id, now| ua.attended_transfer_with(id, other, headers, now))
            }
        }
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

/// What `transfer()` was given.
enum TransferTarget {
    Blind(String),
    Replaces(CallId),
}

/// Reads `transfer()`'s argument: a target string, or `{ replaces: call | id }`.
fn transfer_target(value: &JsValue) -> Result<TransferTarget, CallError> {
    if let Some(target) = value.as_string() {
        return Ok(TransferTarget::Blind(target));
    }
    let bad = || {
        CallError::InvalidValue(
            "transfer() takes a target or { replaces: call }, the call being a SoftphoneCall or its id"
                .into(),
        )
    };
    if !value.is_object() {
        return Err(bad());
    }
    let replaces = Reflect::get(value, &"replaces".into()).unwrap_or(JsValue::UNDEFINED);
    // A SoftphoneCall: its `id` getter (on the prototype, which Reflect.get follows).
    let id = match replaces.as_f64() {
        Some(id) => id,
        None if replaces.is_object() => Reflect::get(&replaces, &"id".into())
            .ok()
            .and_then(|id| id.as_f64())
            .ok_or_else(bad)?,
        None => return Err(bad()),
    };
    if id.fract() != 0.0 || !(1.0..=9_007_199_254_740_991.0).contains(&id) {
        return Err(bad());
    }
    // A whole number in the safe-integer range converts exactly.
    Ok(TransferTarget::Replaces(CallId(id as u64)))
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
        if key != "video" && key != "headers" {
            return Err(CallError::InvalidValue(format!(
                "unknown option `{key}`, expected video or headers"
            )));
        }
    }
    let video = js_sys::Reflect::get(options, &"video".into()).unwrap_or(JsValue::UNDEFINED);
    if !video.is_undefined() {
        out.video = video
            .as_bool()
            .ok_or_else(|| CallError::InvalidValue("options.video must be a boolean".into()))?;
    }
    let headers = js_sys::Reflect::get(options, &"headers".into()).unwrap_or(JsValue::UNDEFINED);
    out.headers = options::headers(&headers, "options.headers")?;
    Ok(out)
}
