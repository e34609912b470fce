//! Events for the application: conversion to plain JavaScript objects, and delivery
//! from a microtask so that no handler ever runs inside a call into Rust.
//!
//! The shapes are the TypeScript union `SoftphoneEvent` (see `types.rs`).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::call_events::{call_of, wants};
use super::log::level_name;
use crate::core::{
    CallEvent, CallId, ConnectionEvent, DisconnectReason, EndCause, Event, LogLevel,
    RegistrationEvent,
};

#[wasm_bindgen]
extern "C" {
    /// `globalThis.queueMicrotask`.
    #[wasm_bindgen(js_name = queueMicrotask)]
    fn queue_microtask(callback: &JsValue);
}

/// The event types an application can subscribe to.
pub(crate) const EVENT_TYPES: [&str; 9] = [
    "connection",
    "registration",
    "log",
    "call",
    "quality",
    "message",
    "subscription",
    "mwi",
    "devices",
];

/// Something waiting to be delivered.
enum Delivery {
    /// An event object for the handlers of `kind`.
    Event { kind: &'static str, value: JsValue },
    /// A `stop()` promise to resolve, in order with the events before it.
    Resolve(Function),
}

struct Handler {
    id: u64,
    kind: String,
    /// A `call.on` handler: the call whose events it takes (see `call_events.rs`).
    call: Option<u64>,
    callback: Function,
}

/// The subscribed handlers and the queue of undelivered events.
#[derive(Default)]
pub(crate) struct EventBus {
    handlers: RefCell<Vec<Handler>>,
    next_id: Cell<u64>,
    queue: RefCell<VecDeque<Delivery>>,
    scheduled: Cell<bool>,
}

impl EventBus {
    /// Adds a handler and returns its id.
    pub(crate) fn subscribe(&self, kind: &str, callback: Function) -> u64 {
        self.add(kind, None, callback)
    }

    /// Adds a handler of one call's events (`call.on`) and returns its id.
    pub(crate) fn subscribe_call(&self, call: u64, kind: &str, callback: Function) -> u64 {
        self.add(kind, Some(call), callback)
    }

    fn add(&self, kind: &str, call: Option<u64>, callback: Function) -> u64 {
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        self.handlers.borrow_mut().push(Handler {
            id,
            kind: kind.to_owned(),
            call,
            callback,
        });
        id
    }

    /// Removes a handler; removing twice does nothing.
    pub(crate) fn unsubscribe(&self, id: u64) {
        self.handlers.borrow_mut().retain(|h| h.id != id);
    }

    /// Queues an event of `kind` for delivery.
    pub(crate) fn emit(self: &Rc<Self>, kind: &'static str, value: JsValue) {
        self.queue
            .borrow_mut()
            .push_back(Delivery::Event { kind, value });
        self.schedule();
    }

    /// Queues the resolution of a promise, after the events already queued.
    pub(crate) fn resolve_later(self: &Rc<Self>, resolve: Function) {
        self.queue
            .borrow_mut()
            .push_back(Delivery::Resolve(resolve));
        self.schedule();
    }

    fn schedule(self: &Rc<Self>) {
        if self.scheduled.replace(true) {
            return;
        }
        // Strong: events queued before `free()` are still delivered; the bus holds no
        // reference to the driver, so this makes no cycle.
        let bus = Rc::clone(self);
        queue_microtask(&Closure::once_into_js(move || bus.flush()));
    }

    /// Delivers everything queued, including what handlers queue meanwhile. No borrow is
    /// held while a handler runs.
    fn flush(&self) {
        self.scheduled.set(false);
        loop {
            let next = self.queue.borrow_mut().pop_front();
            match next {
                None => break,
                Some(Delivery::Resolve(resolve)) => {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                }
                Some(Delivery::Event { kind, value }) => {
                    let of_call = call_of(kind, &value);
                    let takes = |h: &Handler| match (h.call, &of_call) {
                        (None, _) => h.kind == kind,
                        (Some(call), Some((id, event))) => call == *id && wants(&h.kind, event),
                        (Some(_), None) => false,
                    };
                    let targets: Vec<(u64, Function)> = self
                        .handlers
                        .borrow()
                        .iter()
                        .filter(|h| takes(h))
                        .map(|h| (h.id, h.callback.clone()))
                        .collect();
                    for (id, callback) in targets {
                        // A handler may have unsubscribed a later one.
                        if !self.handlers.borrow().iter().any(|h| h.id == id) {
                            continue;
                        }
                        if let Err(e) = callback.call1(&JsValue::UNDEFINED, &value) {
                            web_sys::console::error_2(
                                &JsValue::from_str("[softphone] an event handler threw:"),
                                &e,
                            );
                        }
                    }
                    // A call's own handlers end with it.
                    if let Some((ended, _)) = of_call.filter(|(_, event)| event == "ended") {
                        self.handlers.borrow_mut().retain(|h| h.call != Some(ended));
                    }
                }
            }
        }
    }
}

/// Makes the function returned by `on()`: calling it removes the handler.
pub(crate) fn unsubscriber(bus: Weak<EventBus>, id: u64) -> JsValue {
    Closure::<dyn FnMut()>::new(move || {
        if let Some(bus) = bus.upgrade() {
            bus.unsubscribe(id);
        }
    })
    .into_js_value()
}

/// A plain object from key/value pairs.
pub(super) fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let obj = Object::new();
    for (k, v) in pairs {
        // Defining a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&obj, &JsValue::from_str(k), v);
    }
    obj.into()
}

/// A JavaScript number.
pub(super) fn num(n: impl Into<f64>) -> JsValue {
    JsValue::from_f64(n.into())
}

fn ms(d: std::time::Duration) -> JsValue {
    JsValue::from_f64(d.as_millis() as f64)
}

/// Converts a core event into its JavaScript object, with the type to deliver it under.
pub(crate) fn to_js(event: &Event) -> (&'static str, JsValue) {
    match event {
        Event::Connection(c) => ("connection", connection(c)),
        Event::Registration(r) => ("registration", registration(r)),
        Event::Call { call, event } => ("call", call_event(*call, event)),
        Event::Message(m) => ("message", super::presence::message_event(m)),
        Event::Subscription { id, event } => (
            "subscription",
            super::presence::subscription_event(*id, event),
        ),
        Event::MessageWaiting(summary) => ("mwi", super::presence::mwi_event(summary)),
    }
}

/// The object of a `call` event: `{ type: 'call', callId, event, ...fields }`.
pub(crate) fn call_event(id: CallId, event: &CallEvent) -> JsValue {
    let mut pairs = vec![
        ("type", JsValue::from_str("call")),
        ("callId", num(id.0 as f64)),
    ];
    let mut add = |k: &'static str, v: JsValue| pairs.push((k, v));
    match event {
        CallEvent::Incoming {
            from,
            display_name,
            to,
            details,
        } => {
            add("event", "incoming".into());
            add("from", from.into());
            if let Some(name) = display_name {
                add("displayName", name.into());
            }
            add("to", to.into());
            add("sipCallId", details.call_id.as_str().into());
            if let Some(identity) = &details.identity {
                add("identity", super::call_details::identity(identity));
            }
            if let Some(after) = details.auto_answer_after {
                add("autoAnswerAfter", num(after));
            }
        }
        CallEvent::Replacing {
            from,
            display_name,
            to,
            details,
            replaces,
        } => {
            // An `incoming` event like any other, naming the call it replaces (and
            // already being answered).
            add("event", "incoming".into());
            add("from", from.into());
            if let Some(name) = display_name {
                add("displayName", name.into());
            }
            add("to", to.into());
            add("replaces", num(replaces.0 as f64));
            add("sipCallId", details.call_id.as_str().into());
            if let Some(identity) = &details.identity {
                add("identity", super::call_details::identity(identity));
            }
        }
        CallEvent::Calling { target, call_id } => {
            add("event", "calling".into());
            add("target", target.into());
            add("sipCallId", call_id.into());
        }
        CallEvent::Info {
            content_type,
            body,
            headers,
        } => {
            add("event", "info".into());
            add("contentType", content_type.into());
            add("body", body.into());
            add("headers", super::call_details::pairs(headers));
        }
        CallEvent::InfoResponse { status, reason } => {
            add("event", "infoResponse".into());
            add("status", num(*status));
            add("reason", reason.into());
        }
        CallEvent::Ringing => add("event", "ringing".into()),
        CallEvent::EarlyMedia => add("event", "earlyMedia".into()),
        CallEvent::Connected => add("event", "connected".into()),
        CallEvent::Reconnecting => add("event", "reconnecting".into()),
        CallEvent::Hold(h) => {
            add("event", "hold".into());
            add("local", h.local.into());
            add("remote", h.remote.into());
        }
        CallEvent::Muted(m) => {
            add("event", "muted".into());
            add("muted", (*m).into());
        }
        CallEvent::DtmfReceived(tone) => {
            add("event", "dtmf".into());
            add("tone", tone.to_string().into());
        }
        CallEvent::TransferRequested { target } => {
            add("event", "transferRequested".into());
            add("target", target.into());
        }
        CallEvent::TransferProgress { status, reason } => {
            add("event", "transferProgress".into());
            add("status", num(*status));
            add("reason", reason.into());
        }
        CallEvent::Ended(cause) => {
            add("event", "ended".into());
            add("cause", end_cause(cause));
        }
    }
    object(&pairs)
}

/// The `remoteStream` call event, which the driver raises itself (the first remote track).
pub(crate) fn remote_stream_event(id: CallId) -> JsValue {
    object(&[
        ("type", "call".into()),
        ("callId", num(id.0 as f64)),
        ("event", "remoteStream".into()),
    ])
}

fn end_cause(cause: &EndCause) -> JsValue {
    let kind = |k: &str| ("kind", JsValue::from_str(k));
    match cause {
        EndCause::LocalHangup => object(&[kind("localHangup")]),
        EndCause::RemoteHangup => object(&[kind("remoteHangup")]),
        EndCause::Busy => object(&[kind("busy")]),
        EndCause::Declined => object(&[kind("declined")]),
        EndCause::Cancelled => object(&[kind("cancelled")]),
        EndCause::NoAnswer => object(&[kind("noAnswer")]),
        EndCause::Rejected(status) => object(&[kind("rejected"), ("status", num(*status))]),
        EndCause::Failed { status, reason } => object(&[
            kind("failed"),
            ("status", num(*status)),
            ("reason", reason.into()),
        ]),
        EndCause::MediaFailure { reason } => {
            object(&[kind("mediaFailure"), ("reason", reason.into())])
        }
        EndCause::SessionExpired => object(&[kind("sessionExpired")]),
        EndCause::SessionRefreshFailed { status, reason } => object(&[
            kind("sessionRefreshFailed"),
            ("status", num(*status)),
            ("reason", reason.into()),
        ]),
        EndCause::Transferred => object(&[kind("transferred")]),
        EndCause::NoMedia(n) => super::no_media::no_media_cause(n),
        EndCause::Replaced => object(&[kind("replaced")]),
    }
}

fn connection(c: &ConnectionEvent) -> JsValue {
    let t = ("type", "connection".into());
    match c {
        ConnectionEvent::Connecting { url, attempt } => object(&[
            t,
            ("state", "connecting".into()),
            ("url", url.into()),
            ("attempt", num(*attempt)),
        ]),
        ConnectionEvent::Connected { url } => {
            object(&[t, ("state", "connected".into()), ("url", url.into())])
        }
        ConnectionEvent::Disconnected { url, reason } => object(&[
            t,
            ("state", "disconnected".into()),
            ("url", url.into()),
            ("reason", disconnect_reason(reason)),
        ]),
        ConnectionEvent::Reconnecting { delay, attempt } => object(&[
            t,
            ("state", "reconnecting".into()),
            ("delayMs", ms(*delay)),
            ("attempt", num(*attempt)),
        ]),
    }
}

fn disconnect_reason(r: &DisconnectReason) -> JsValue {
    match r {
        DisconnectReason::OpenFailed { code } => {
            object(&[("kind", "openFailed".into()), ("code", num(*code))])
        }
        DisconnectReason::ConnectTimeout => object(&[("kind", "connectTimeout".into())]),
        DisconnectReason::Closed { code, reason } => object(&[
            ("kind", "closed".into()),
            ("code", num(*code)),
            ("reason", reason.into()),
        ]),
        DisconnectReason::KeepaliveTimeout => object(&[("kind", "keepaliveTimeout".into())]),
        DisconnectReason::NetworkChange => object(&[("kind", "networkChange".into())]),
        DisconnectReason::Stopped => object(&[("kind", "stopped".into())]),
    }
}

fn registration(r: &RegistrationEvent) -> JsValue {
    let t = ("type", "registration".into());
    match r {
        RegistrationEvent::Registering => object(&[t, ("state", "registering".into())]),
        RegistrationEvent::Registered { expires } => object(&[
            t,
            ("state", "registered".into()),
            ("expires", num(*expires)),
        ]),
        RegistrationEvent::Unregistered => object(&[t, ("state", "unregistered".into())]),
        RegistrationEvent::Failed {
            status,
            reason,
            retry_in,
        } => {
            let mut pairs = vec![
                t,
                ("state", "failed".into()),
                ("status", num(*status)),
                ("reason", reason.into()),
            ];
            if let Some(d) = retry_in {
                pairs.push(("retryInMs", ms(*d)));
            }
            object(&pairs)
        }
    }
}

/// The object of a `log` event.
pub(crate) fn log_event(level: LogLevel, message: &str) -> JsValue {
    object(&[
        ("type", "log".into()),
        ("level", level_name(level).into()),
        ("message", message.into()),
    ])
}
