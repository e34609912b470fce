//! `Softphone`: the class exported to JavaScript.

use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

use super::config;
use super::driver::{Driver, Work};
use super::events::{unsubscriber, EventBus, EVENT_TYPES};

/// A SIP user agent in the browser: connects over WebSocket, registers, keeps the
/// registration alive and recovers from lost connections by itself.
///
/// ```js
/// const phone = new Softphone({ servers: 'wss://pbx.example.com/ws', uri: 'sip:alice@example.com', password });
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
    driver: Rc<Driver>,
    bus: Rc<EventBus>,
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
        Ok(Softphone { driver, bus })
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

    /// Subscribes `handler` to events of `type` (`'connection'`, `'registration'` or
    /// `'log'`) and returns a function that unsubscribes it. A handler that throws is
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
        let id = self.bus.subscribe(r#type, handler);
        Ok(unsubscriber(Rc::downgrade(&self.bus), id))
    }

    /// The instance id sent as `+sip.instance`: the configured one, or the one kept in
    /// `localStorage` under `softphone-core:instance-id`.
    #[wasm_bindgen(getter, js_name = instanceId)]
    pub fn instance_id(&self) -> String {
        self.driver.instance_id()
    }
}
