//! `Softphone`: the class exported to JavaScript.

use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

use super::call::SoftphoneCall;
use super::calls::call_error;
use super::config;
use super::driver::Driver;
use super::events::{unsubscriber, EventBus, EVENT_TYPES};
use super::options;
use super::work::Work;
use crate::core::{CallError, CallId, CallOptions};
use js_sys::Reflect;

/// A SIP user agent in the browser: connects over WebSocket, registers, keeps the
/// registration alive and recovers from lost connections by itself.
///
/// Made by the package entry's `createSoftphone(config)`, which loads the WebAssembly
/// first (the class itself is exported as a type only):
///
/// ```js
/// import { createSoftphone } from 'softphone-core';
/// const phone = await createSoftphone({ servers: 'wss://pbx.example.com/ws', uri: 'sip:alice@example.com', password });
/// const off = phone.on('registration', (e) => console.log(e.state));
/// phone.start();
/// // ...
/// await phone.stop();
/// off();
/// phone.free();
/// ```
///
/// Handlers always run after the method that caused the event has returned (from a
/// microtask), so they may call `stop()` or `free()` themselves.
#[wasm_bindgen]
pub struct Softphone {
    pub(crate) driver: Rc<Driver>,
    pub(super) bus: Rc<EventBus>,
    /// The `devicechange` listener, attached by the first `on('devices')`.
    pub(super) devices: std::cell::RefCell<Option<super::device_watch::DeviceWatch>>,
}

#[wasm_bindgen]
impl Softphone {
    /// Makes a user agent from a `SoftphoneConfig` object. Nothing is sent before
    /// `start()`.
    ///
    /// # Errors
    /// Throws an `Error` named `SoftphoneConfigError` whose message and `field` property
    /// name the first missing, unknown or malformed field (for example `ws://` to a host
    /// that is not the local machine is refused under `servers`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "SoftphoneConfig")] config: JsValue,
    ) -> Result<Softphone, JsValue> {
        console_error_panic_hook::set_once();
        let settings = config::parse(config)?;
        let bus = Rc::new(EventBus::default());
        let driver = Driver::new(settings, Rc::clone(&bus))?;
        Ok(Softphone {
            driver,
            bus,
            devices: Default::default(),
        })
    }

    /// Connects and registers. Calling it while running does nothing; calling it after
    /// `stop()` starts again.
    pub fn start(&self) {
        self.driver.pump(Work::Start);
    }

    /// Unregisters and closes the connection. The promise resolves once the user agent
    /// is idle (after the events of the shutdown have been delivered), or after at most
    /// 10 seconds, when the driver closes everything itself. It resolves at once when
    /// the phone was never started, and early if `start()` is called meanwhile.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn stop(&self) -> Promise {
        let mut resolve_fn = None;
        let promise = Promise::new(&mut |resolve, _reject| resolve_fn = Some(resolve));
        // The executor runs synchronously inside `new Promise`.
        if let Some(resolve) = resolve_fn {
            self.driver.pump(Work::Stop(resolve));
        }
        promise
    }

    /// Subscribes `handler` to events of `type` (`'connection'`, `'registration'`,
    /// `'log'`, `'call'`, `'quality'` or `'devices'`) and returns a function that unsubscribes it. A handler that throws is
    /// reported on the console and does not stop the others.
    ///
    /// # Errors
    /// Throws a `TypeError` for an unknown event type or a handler that is not a function.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, r#type: &str, handler: JsValue) -> Result<JsValue, JsValue> {
        let Some(handler) = handler.dyn_ref::<Function>().cloned() else {
            return Err(js_sys::TypeError::new("the handler must be a function").into());
        };
        if !EVENT_TYPES.contains(&r#type) {
            let msg = format!(
                "unknown event type {:?}; expected one of {}",
                r#type,
                EVENT_TYPES.join(", ")
            );
            return Err(js_sys::TypeError::new(&msg).into());
        }
        if r#type == "devices" {
            self.watch_devices();
        }
        let id = self.bus.subscribe(r#type, handler);
        Ok(unsubscriber(Rc::downgrade(&self.bus), id))
    }

    /// The instance id sent as `+sip.instance`: the configured one, or the one this tab
    /// keeps in `sessionStorage` under `softphone-core:instance-id`.
    #[wasm_bindgen(getter, js_name = instanceId)]
    pub fn instance_id(&self) -> String {
        self.driver.instance_id()
    }

    /// Calls `target`: a SIP URI, a user name or a number (`bob`, `+1 555 0100`,
    /// `sip:bob@example.com`). The microphone is captured and the INVITE sent as soon as
    /// ICE candidates are good enough; progress comes as `call` events.
    ///
    /// # Errors
    /// Throws a `SoftphoneCallError` with `code` `invalidTarget`, `invalidValue` (a bad
    /// option or header) or `notConnected`.
    pub fn call(
        &self,
        target: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "SoftphoneCallOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<SoftphoneCall, JsValue> {
        let (media, options) = super::media::request::split(&options.unwrap_or(JsValue::UNDEFINED))
            .map_err(|e| call_error(&e))?;
        let options = call_options(&options).map_err(|e| call_error(&e))?;
        let id = self
            .driver
            .command(|ua, now| ua.call(target, options, now))
            .map_err(|e| call_error(&e))?;
        let info = self
            .driver
            .call_info(id)
            .ok_or_else(|| call_error(&CallError::NoSuchCall))?;
        // Before the session's first media action runs (it waits for a microtask).
        super::hand_over::hand_over(&info, media);
        Ok(SoftphoneCall::new(&self.driver, info))
    }

    /// Replaces the digest credentials without dropping anything: `{ password }` or
    /// `{ ha1 }` (MD5 of `user:realm:password`, 32 hex digits), and `authUser` for a new
    /// digest username. Nothing is sent at once: the next challenge is answered with them
    /// (no nonce is reused with the old secret), and a registration a wrong password
    /// stopped is tried again.
    ///
    /// # Errors
    /// Throws a `SoftphoneCallError` with `code` `invalidValue` for a bad shape or HA1.
    #[wasm_bindgen(js_name = setCredentials)]
    pub fn set_credentials(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SoftphoneCredentials")] credentials: JsValue,
    ) -> Result<(), JsValue> {
        let (credential, auth_user) =
            options::credentials(&credentials).map_err(|e| call_error(&e))?;
        self.driver
            .set_credentials(credential, auth_user)
            .map_err(|e| call_error(&e))
    }

    /// Registers again after `unregister()` (or after a refusal), on the open WebSocket.
    pub fn register(&self) {
        let _ = self.driver.command(|ua, now| {
            ua.register(now);
            Ok(())
        });
    }

    /// Do-not-disturb: removes the registration (REGISTER with Expires: 0) and stops
    /// refreshing it, keeping the WebSocket and the calls up; `register()` brings it back.
    pub fn unregister(&self) {
        let _ = self.driver.command(|ua, now| {
            ua.unregister(now);
            Ok(())
        });
    }

    /// Whether the registrar holds the binding now.
    #[wasm_bindgen(getter, js_name = isRegistered)]
    pub fn is_registered(&self) -> bool {
        self.driver.read(|ua| ua.is_registered()).unwrap_or(false)
    }

    /// Where the WebSocket is: `'idle'` (not started or stopped), `'connecting'`,
    /// `'connected'` or `'reconnecting'` (waiting before the next attempt).
    #[wasm_bindgen(getter, js_name = connectionState, unchecked_return_type = "SoftphoneConnectionStatus")]
    pub fn connection_state(&self) -> String {
        use crate::core::ConnectionState as C;
        let state = self.driver.read(|ua| ua.connection_state());
        match state.unwrap_or(C::Connecting) {
            C::Idle => "idle",
            C::Connecting => "connecting",
            C::Connected => "connected",
            C::Reconnecting => "reconnecting",
        }
        .into()
    }

    /// The live calls, oldest first.
    pub fn calls(&self) -> Vec<SoftphoneCall> {
        self.driver
            .live_calls()
            .into_iter()
            .map(|info| SoftphoneCall::new(&self.driver, info))
            .collect()
    }

    /// The live call with this id (a `call` event's `callId`).
    #[wasm_bindgen(js_name = getCall)]
    pub fn get_call(&self, id: f64) -> Option<SoftphoneCall> {
        if !(id.is_finite() && id >= 0.0 && id.fract() == 0.0) {
            return None;
        }
        self.driver
            .call_info(CallId(id as u64))
            .map(|info| SoftphoneCall::new(&self.driver, info))
    }
}

/// Reads `{ video?: boolean, headers?: Record<string, string> }`.
fn call_options(options: &JsValue) -> Result<CallOptions, CallError> {
    let mut out = CallOptions::default();
    if options.is_undefined() || options.is_null() {
        return Ok(out);
    }
    if !options.is_object() {
        return Err(CallError::InvalidValue("options must be an object".into()));
    }
    let keys = js_sys::Object::keys(options.unchecked_ref::<js_sys::Object>());
    for key in keys.iter() {
        let key = key.as_string().unwrap_or_default();
        if !matches!(key.as_str(), "video" | "headers")
            && !options::CALL_KEYS.contains(&key.as_str())
        {
            return Err(CallError::InvalidValue(format!(
                "unknown option `{key}`, expected video, headers, anonymous or displayName"
            )));
        }
    }
    let video = Reflect::get(options, &"video".into()).unwrap_or(JsValue::UNDEFINED);
    if !video.is_undefined() {
        out.video = video
            .as_bool()
            .ok_or_else(|| CallError::InvalidValue("options.video must be a boolean".into()))?;
    }
    let headers = Reflect::get(options, &"headers".into()).unwrap_or(JsValue::UNDEFINED);
    out.headers = options::headers(&headers, "options.headers")?;
    options::call_parity(options, &mut out)?;
    Ok(out)
}
