//! The event stream of one call: `call.on(type, handler)`.
//!
//! The handlers sit on the phone's [`EventBus`](super::events::EventBus) beside the
//! phone-wide ones, marked with their call, and are delivered the same event objects
//! from the same microtask queue: never inside a Rust method, and in order with
//! `phone.on` handlers. They go away by themselves once the call's `ended` event has
//! been delivered.

use wasm_bindgen::JsValue;

/// The types `call.on` accepts.
pub(crate) const CALL_EVENT_TYPES: [&str; 10] = [
    "state",
    "ended",
    "hold",
    "muted",
    "dtmf",
    "remoteStream",
    "transferRequested",
    "transferProgress",
    "quality",
    "event",
];

/// The `event`s of `call` events that change `call.state` (each is the new state's name).
const STATE_EVENTS: [&str; 7] = [
    "incoming",
    "calling",
    "ringing",
    "earlyMedia",
    "connected",
    "reconnecting",
    "ended",
];

/// The call a delivery of `kind` belongs to and its per-call name (`call` events: their
/// `event`; `quality` events: `quality`); `None` for phone-wide events.
pub(crate) fn call_of(kind: &str, value: &JsValue) -> Option<(u64, String)> {
    if kind != "call" && kind != "quality" {
        return None;
    }
    let id = js_sys::Reflect::get(value, &"callId".into())
        .ok()?
        .as_f64()?;
    let name = if kind == "quality" {
        "quality".to_owned()
    } else {
        js_sys::Reflect::get(value, &"event".into())
            .ok()?
            .as_string()?
    };
    Some((id as u64, name))
}

/// Whether a `call.on(subscribed, ...)` handler takes an event named `event`.
pub(crate) fn wants(subscribed: &str, event: &str) -> bool {
    match subscribed {
        "event" => event != "quality",
        "state" => STATE_EVENTS.contains(&event),
        other => other == event,
    }
}
