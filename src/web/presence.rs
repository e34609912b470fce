//! MESSAGE and subscriptions on the `Softphone` class: the commands, their options
//! read from JavaScript, and the `message`, `subscription` and `mwi` event objects.
//!
//! The package entry (pkg-template/index.js) wraps these commands: `sendMessage` into
//! a promise of its outcome, `subscribe` into a handle with the latest state (and
//! `blf`/`watchBlf`/`mwi`/`presence` on top). Every decision (pacing, refresh,
//! retries, the lamp) is the core's; these only carry values across.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::softphone::Softphone;
use crate::core::subscription::{DialogInfo, MessageSummary, Presence};
use crate::core::{
    MessageEvent, MessageOptions, NotifyBody, RequestError, SubscribeOptions, SubscriptionEvent,
    SubscriptionId, SubscriptionState,
};

#[wasm_bindgen]
impl Softphone {
    /// Sends a MESSAGE and returns its id; the outcome is a `message` event with that
    /// `messageId`. The package entry wraps it into a promise (see `index.d.ts`).
    ///
    /// # Errors
    /// Throws a `SoftphoneRequestError` (`invalidTarget`, `invalidValue`, `notConnected`).
    #[wasm_bindgen(js_name = sendMessage, skip_typescript)]
    pub fn send_message(
        &self,
        target: &str,
        body: &str,
        options: Option<JsValue>,
    ) -> Result<f64, JsValue> {
        let options = message_options(&options.unwrap_or(JsValue::UNDEFINED))
            .map_err(|e| request_error(&e))?;
        self.driver
            .command_or(busy, |ua, now| ua.send_message(target, body, options, now))
            .map(|id| id.0 as f64)
            .map_err(|e| request_error(&e))
    }

    /// Subscribes to the event package `event` of `target` and returns the
    /// subscription's id; what follows comes as `subscription` events with that
    /// `subscriptionId`. The package entry wraps it into a handle (see `index.d.ts`).
    ///
    /// # Errors
    /// Throws a `SoftphoneRequestError` (`invalidTarget`, `invalidValue`).
    #[wasm_bindgen(js_name = subscribe, skip_typescript)]
    pub fn subscribe(
        &self,
        target: &str,
        event: &str,
        options: Option<JsValue>,
    ) -> Result<f64, JsValue> {
        let options = subscribe_options(&options.unwrap_or(JsValue::UNDEFINED))
            .map_err(|e| request_error(&e))?;
        self.driver
            .command_or(busy, |ua, now| ua.subscribe(target, event, options, now))
            .map(|id| id.0 as f64)
            .map_err(|e| request_error(&e))
    }

    /// Ends subscription `id` (`Expires: 0`); an `ended` event follows.
    ///
    /// # Errors
    /// Throws a `SoftphoneRequestError` `noSuchSubscription`.
    #[wasm_bindgen(js_name = unsubscribe, skip_typescript)]
    pub fn unsubscribe(&self, id: f64) -> Result<(), JsValue> {
        if !(id.is_finite() && id >= 0.0 && id.fract() == 0.0) {
            return Err(request_error(&RequestError::NoSuchSubscription));
        }
        self.driver
            .command_or(busy, |ua, now| {
                ua.unsubscribe(SubscriptionId(id as u64), now)
            })
            .map_err(|e| request_error(&e))
    }
}

fn busy() -> RequestError {
    RequestError::InvalidValue("the phone is busy".into())
}

/// A `SoftphoneRequestError` with its `code`.
fn request_error(e: &RequestError) -> JsValue {
    let code = match e {
        RequestError::NotConnected => "notConnected",
        RequestError::InvalidTarget(_) => "invalidTarget",
        RequestError::NoSuchSubscription => "noSuchSubscription",
        _ => "invalidValue",
    };
    super::errors::request_error(code, &e.to_string())
}

fn invalid(what: &str) -> RequestError {
    RequestError::InvalidValue(what.to_string())
}

/// The option keys of `options`, checked against `allowed`.
fn check_keys(options: &JsValue, allowed: &[&str]) -> Result<bool, RequestError> {
    if options.is_undefined() || options.is_null() {
        return Ok(false);
    }
    if !options.is_object() {
        return Err(invalid("options must be an object"));
    }
    for key in Object::keys(options.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !allowed.contains(&key.as_str()) {
            return Err(RequestError::InvalidValue(format!(
                "unknown option `{key}`, expected {}",
                allowed.join(" or ")
            )));
        }
    }
    Ok(true)
}

fn get(options: &JsValue, key: &str) -> JsValue {
    Reflect::get(options, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// `options.headers`: an object of strings.
fn headers(options: &JsValue) -> Result<Vec<(String, String)>, RequestError> {
    let headers = get(options, "headers");
    let mut out = Vec::new();
    if headers.is_undefined() {
        return Ok(out);
    }
    if !headers.is_object() || Array::is_array(&headers) {
        return Err(invalid("options.headers must be an object of strings"));
    }
    for entry in Object::entries(headers.unchecked_ref::<Object>()).iter() {
        let pair: Array = entry.unchecked_into();
        let name = pair.get(0).as_string().unwrap_or_default();
        let value = pair.get(1).as_string().ok_or_else(|| {
            RequestError::InvalidValue(format!("options.headers.{name} must be a string"))
        })?;
        out.push((name, value));
    }
    Ok(out)
}

/// Reads `{ contentType?: string, headers?: Record<string, string> }`.
fn message_options(options: &JsValue) -> Result<MessageOptions, RequestError> {
    let mut out = MessageOptions::default();
    if !check_keys(options, &["contentType", "headers"])? {
        return Ok(out);
    }
    let ct = get(options, "contentType");
    if !ct.is_undefined() {
        out.content_type = ct
            .as_string()
            .ok_or_else(|| invalid("options.contentType must be a string"))?;
    }
    out.headers = headers(options)?;
    Ok(out)
}

/// Reads `{ accept?: string | string[], expires?: number, headers?: Record<string, string> }`.
fn subscribe_options(options: &JsValue) -> Result<SubscribeOptions, RequestError> {
    let mut out = SubscribeOptions::default();
    if !check_keys(options, &["accept", "expires", "headers"])? {
        return Ok(out);
    }
    let accept = get(options, "accept");
    if let Some(one) = accept.as_string() {
        out.accept.push(one);
    } else if Array::is_array(&accept) {
        for a in accept.unchecked_ref::<Array>().iter() {
            out.accept.push(
                a.as_string()
                    .ok_or_else(|| invalid("options.accept must hold strings"))?,
            );
        }
    } else if !accept.is_undefined() {
        return Err(invalid(
            "options.accept must be a string or an array of strings",
        ));
    }
    let expires = get(options, "expires");
    if !expires.is_undefined() {
        let n = expires.as_f64().unwrap_or(-1.0);
        if !(n.is_finite() && (1.0..=u32::MAX as f64).contains(&n) && n.fract() == 0.0) {
            return Err(invalid(
                "options.expires must be a positive whole number of seconds",
            ));
        }
        out.expires = Some(n as u32);
    }
    out.headers = headers(options)?;
    Ok(out)
}

/// A plain object from key/value pairs.
fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let obj = Object::new();
    for (k, v) in pairs {
        // Defining a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&obj, &JsValue::from_str(k), v);
    }
    obj.into()
}

fn num(n: impl Into<f64>) -> JsValue {
    JsValue::from_f64(n.into())
}

fn opt_str(pairs: &mut Vec<(&'static str, JsValue)>, key: &'static str, v: &Option<String>) {
    if let Some(v) = v {
        pairs.push((key, v.into()));
    }
}

/// The object of a `message` event.
pub(crate) fn message_event(event: &MessageEvent) -> JsValue {
    let t = ("type", JsValue::from("message"));
    match event {
        MessageEvent::Delivered { id, status } => object(&[
            t,
            ("event", "delivered".into()),
            ("messageId", num(id.0 as f64)),
            ("status", num(*status)),
        ]),
        MessageEvent::Failed { id, status, reason } => object(&[
            t,
            ("event", "failed".into()),
            ("messageId", num(id.0 as f64)),
            ("status", num(*status)),
            ("reason", reason.into()),
        ]),
        MessageEvent::Received(m) => {
            let headers: Array = m
                .headers
                .iter()
                .map(|(n, v)| -> JsValue { Array::of2(&n.into(), &v.into()).into() })
                .collect();
            let mut pairs = vec![t, ("event", "received".into()), ("from", (&m.from).into())];
            opt_str(&mut pairs, "displayName", &m.display_name);
            pairs.push(("to", (&m.to).into()));
            pairs.push(("contentType", (&m.content_type).into()));
            pairs.push(("body", (&m.body).into()));
            pairs.push(("headers", headers.into()));
            object(&pairs)
        }
    }
}

/// The object of a `subscription` event.
pub(crate) fn subscription_event(id: SubscriptionId, event: &SubscriptionEvent) -> JsValue {
    let mut pairs = vec![
        ("type", JsValue::from("subscription")),
        ("subscriptionId", num(id.0 as f64)),
    ];
    match event {
        SubscriptionEvent::State { state, expires } => {
            pairs.push(("event", "state".into()));
            let state = match state {
                SubscriptionState::Pending => "pending",
                SubscriptionState::Active => "active",
            };
            pairs.push(("state", state.into()));
            pairs.push(("expires", num(*expires)));
        }
        SubscriptionEvent::Notify(body) => {
            pairs.push(("event", "notify".into()));
            pairs.push(("body", notify_body(body)));
        }
        SubscriptionEvent::Interrupted {
            status,
            reason,
            retry_in,
        } => {
            pairs.push(("event", "interrupted".into()));
            if let Some(s) = status {
                pairs.push(("status", num(*s)));
            }
            pairs.push(("reason", reason.into()));
            if let Some(d) = retry_in {
                pairs.push(("retryInMs", num(d.as_millis() as f64)));
            }
        }
        SubscriptionEvent::Ended { status, reason } => {
            pairs.push(("event", "ended".into()));
            if let Some(s) = status {
                pairs.push(("status", num(*s)));
            }
            pairs.push(("reason", reason.into()));
        }
    }
    object(&pairs)
}

/// The object of an `mwi` event (a summary sent with no subscription).
pub(crate) fn mwi_event(summary: &MessageSummary) -> JsValue {
    let body = summary_body(summary);
    // A fresh plain object: setting `type` on it cannot fail.
    let _ = Reflect::set(&body, &"type".into(), &"mwi".into());
    body
}

fn notify_body(body: &NotifyBody) -> JsValue {
    match body {
        NotifyBody::Dialog(info) => dialog_body(info),
        NotifyBody::MessageSummary(s) => summary_body(s),
        NotifyBody::Presence(p) => presence_body(p),
        NotifyBody::Other { content_type, body } => object(&[
            ("kind", "other".into()),
            ("contentType", content_type.into()),
            ("body", body.into()),
        ]),
        NotifyBody::Malformed {
            content_type,
            reason,
        } => object(&[
            ("kind", "malformed".into()),
            ("contentType", content_type.into()),
            ("reason", reason.into()),
        ]),
    }
}

fn dialog_body(info: &DialogInfo) -> JsValue {
    use crate::core::subscription::LampState;
    let lamp = match info.lamp() {
        LampState::Idle => "idle",
        LampState::Ringing => "ringing",
        LampState::Busy => "busy",
    };
    let dialogs: Array = info
        .dialogs
        .iter()
        .map(|d| {
            let mut pairs = vec![("id", (&d.id).into()), ("state", (&d.state).into())];
            opt_str(&mut pairs, "direction", &d.direction);
            opt_str(&mut pairs, "remoteIdentity", &d.remote_identity);
            opt_str(&mut pairs, "remoteDisplayName", &d.remote_display);
            pairs.push(("onHold", d.on_hold.into()));
            object(&pairs)
        })
        .collect();
    let mut pairs = vec![
        ("kind", JsValue::from("dialog")),
        ("lamp", lamp.into()),
        ("entity", (&info.entity).into()),
        ("version", num(info.version)),
        ("full", info.full.into()),
        ("dialogs", dialogs.into()),
    ];
    if let Some(active) = info.active() {
        opt_str(&mut pairs, "remoteIdentity", &active.remote_identity);
        opt_str(&mut pairs, "remoteDisplayName", &active.remote_display);
        pairs.push(("onHold", active.on_hold.into()));
    }
    object(&pairs)
}

fn summary_body(s: &MessageSummary) -> JsValue {
    let v = s.voice.unwrap_or_default();
    let mut pairs = vec![
        ("kind", JsValue::from("messageSummary")),
        ("waiting", s.waiting.into()),
    ];
    opt_str(&mut pairs, "account", &s.account);
    pairs.push(("newMessages", num(v.new)));
    pairs.push(("oldMessages", num(v.old)));
    pairs.push(("newUrgent", num(v.new_urgent)));
    pairs.push(("oldUrgent", num(v.old_urgent)));
    object(&pairs)
}

fn presence_body(p: &Presence) -> JsValue {
    let list = |items: &[String]| -> JsValue {
        items
            .iter()
            .map(|s| JsValue::from(s.as_str()))
            .collect::<Array>()
            .into()
    };
    object(&[
        ("kind", "presence".into()),
        ("entity", (&p.entity).into()),
        ("open", p.open.into()),
        ("notes", list(&p.notes)),
        ("activities", list(&p.activities)),
    ])
}
