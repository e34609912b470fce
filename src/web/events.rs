//! Events for the application: the handlers, and delivery from a microtask so that no
//! handler ever runs inside a call into Rust.
//!
//! The objects delivered are built in [`shapes`](super::shapes) (the TypeScript union
//! `SoftphoneEvent`, see `types/`).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::call_events::{call_of, wants};

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
