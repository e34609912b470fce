//! The `devicechange` listener on `navigator.mediaDevices`, owned by the phone and
//! removed when dropped. A leaf: the `Softphone` holds one without naming `devices.rs`,
//! which adds the phone's device methods.

use js_sys::Function;
use wasm_bindgen::prelude::*;

/// The `devicechange` listener; removed when dropped.
pub(crate) struct DeviceWatch {
    target: web_sys::MediaDevices,
    listener: Closure<dyn FnMut(web_sys::Event)>,
}

impl DeviceWatch {
    /// Calls `on_change` on every `devicechange` of `target`, until the watch is dropped;
    /// `None` when the browser refuses the listener.
    pub(crate) fn attach(
        target: web_sys::MediaDevices,
        mut on_change: impl FnMut() + 'static,
    ) -> Option<Self> {
        let listener =
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| on_change());
        let f: &Function = listener.as_ref().unchecked_ref();
        target
            .add_event_listener_with_callback("devicechange", f)
            .ok()?;
        Some(Self { target, listener })
    }
}

impl Drop for DeviceWatch {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(
            "devicechange",
            self.listener.as_ref().unchecked_ref(),
        );
    }
}
