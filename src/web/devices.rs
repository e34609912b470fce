//! The phone's media devices: the audio inputs and outputs as lists, a `devices` event
//! when they change (`navigator.mediaDevices`' `devicechange`), and the output device of
//! a media element (`HTMLMediaElement.setSinkId`).
//!
//! The package never plays the far end's audio itself: the application attaches
//! `call.remoteStream` to its own `<audio>` element, so the output device is chosen on
//! that element. `setSinkId` is missing in Firefox unless `media.setsinkid.enabled` is
//! set (and in older Safari): there `setOutputDevice` rejects with an `UnsupportedError`
//! (`code: 'unsupported'`) and the audio plays on the default device.

use std::rc::{Rc, Weak};

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::device_watch::DeviceWatch;
use super::errors::{device_failed, unsupported};
use super::events::EventBus;
use super::softphone::Softphone;

fn media_devices() -> Result<web_sys::MediaDevices, JsValue> {
    web_sys::window()
        .and_then(|w| w.navigator().media_devices().ok())
        .ok_or_else(|| unsupported("navigator.mediaDevices"))
}

/// `{ audioInputs, audioOutputs, videoInputs }`, each `{ deviceId, label, groupId }[]`
/// (labels are empty until the page has been allowed a microphone).
async fn device_lists() -> Result<Object, JsValue> {
    let devices = media_devices()?;
    let promise = devices
        .enumerate_devices()
        .map_err(|e| device_failed("enumerateDevices", &e))?;
    let list: Array = JsFuture::from(promise)
        .await
        .map_err(|e| device_failed("enumerateDevices", &e))?
        .dyn_into()
        .unwrap_or_default();
    let (inputs, outputs, video) = (Array::new(), Array::new(), Array::new());
    for info in list.iter() {
        let get = |k: &str| Reflect::get(&info, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let device = Object::new();
        for key in ["deviceId", "label", "groupId"] {
            let value = get(key).as_string().unwrap_or_default();
            let _ = Reflect::set(&device, &key.into(), &value.into());
        }
        match get("kind").as_string().as_deref() {
            Some("audioinput") => inputs.push(&device),
            Some("audiooutput") => outputs.push(&device),
            Some("videoinput") => video.push(&device),
            _ => 0,
        };
    }
    let out = Object::new();
    let _ = Reflect::set(&out, &"audioInputs".into(), &inputs);
    let _ = Reflect::set(&out, &"audioOutputs".into(), &outputs);
    let _ = Reflect::set(&out, &"videoInputs".into(), &video);
    Ok(out)
}

/// Emits a `devices` event with the lists as they are now.
fn emit_devices(bus: Weak<EventBus>) {
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(lists) = device_lists().await else {
            return;
        };
        let _ = Reflect::set(&lists, &"type".into(), &"devices".into());
        if let Some(bus) = bus.upgrade() {
            bus.emit("devices", lists.into());
        }
    });
}

impl Softphone {
    /// Attaches the `devicechange` listener, once.
    pub(super) fn watch_devices(&self) {
        if self.devices.borrow().is_some() {
            return;
        }
        let Ok(target) = media_devices() else {
            return;
        };
        let bus = Rc::downgrade(&self.bus);
        *self.devices.borrow_mut() = DeviceWatch::attach(target, move || emit_devices(bus.clone()));
    }
}

#[wasm_bindgen]
impl Softphone {
    /// The media devices now: `{ audioInputs, audioOutputs, videoInputs }`, each a list of
    /// `{ deviceId, label, groupId }` (labels stay empty until the page may use the
    /// microphone). `phone.on('devices', ...)` delivers the same lists when they change.
    ///
    /// # Errors
    /// Rejects with an `UnsupportedError` without `navigator.mediaDevices` (not a secure
    /// context), or a `DeviceError` when the browser refuses to list them.
    #[wasm_bindgen(unchecked_return_type = "Promise<SoftphoneDevices>")]
    pub fn devices(&self) -> Promise {
        super::to_promise(async { device_lists().await.map(Into::into) })
    }

    /// Plays `element` (the `<audio>` the application attached `call.remoteStream` to,
    /// or a ringtone) on the output device `deviceId` (an `audioOutputs` entry; `''` is
    /// the default device), with `HTMLMediaElement.setSinkId`.
    ///
    /// # Errors
    /// Rejects with an `UnsupportedError` (`code: 'unsupported'`) where the browser has no
    /// `setSinkId` (Firefox without `media.setsinkid.enabled`, older Safari), and with a
    /// `DeviceError` (`deviceFailed`; `browserError` e.g. `NotFoundError`, `NotAllowedError`) when
    /// the browser refuses the device.
    #[wasm_bindgen(js_name = setOutputDevice, unchecked_return_type = "Promise<void>")]
    pub fn set_output_device(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HTMLMediaElement")] element: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] device_id: JsValue,
    ) -> Promise {
        let Some(id) = device_id.as_string() else {
            let e = crate::core::CallError::InvalidValue("deviceId must be a string".into());
            return Promise::reject(&super::calls::call_error(&e));
        };
        set_sink(&element, &id)
    }
}

/// `element.setSinkId(id)`, its failures as the package's errors.
pub(crate) fn set_sink(element: &JsValue, id: &str) -> Promise {
    let set_sink = Reflect::get(element, &"setSinkId".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok());
    let Some(set_sink) = set_sink else {
        return Promise::reject(&unsupported("HTMLMediaElement.setSinkId"));
    };
    let promise = match set_sink.call1(element, &id.into()) {
        Ok(p) => p.unchecked_into::<Promise>(),
        Err(e) => return Promise::reject(&device_failed("setSinkId", &e)),
    };
    super::to_promise(async move {
        JsFuture::from(promise)
            .await
            .map_err(|e| device_failed("setSinkId", &e))?;
        Ok(JsValue::UNDEFINED)
    })
}
