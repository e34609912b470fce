//! The JavaScript objects of the `message`, `subscription` and `mwi` events, and the
//! NOTIFY bodies they carry (dialog, message-summary, presence).

use js_sys::{Array, Reflect};
use wasm_bindgen::JsValue;

use super::{num, object, opt_str, strings};
use crate::core::subscription::{DialogInfo, MessageSummary, Presence};
use crate::core::{MessageEvent, NotifyBody, SubscriptionEvent, SubscriptionId, SubscriptionState};

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
    object(&[
        ("kind", "presence".into()),
        ("entity", (&p.entity).into()),
        ("open", p.open.into()),
        ("notes", strings(&p.notes)),
        ("activities", strings(&p.activities)),
    ])
}
