//! The JavaScript objects of the core's events: the TypeScript union `SoftphoneEvent`
//! (see `types/`), one function per event family.

use wasm_bindgen::JsValue;

use super::{ms, num, object};
use crate::core::{
    CallEvent, CallId, ConnectionEvent, DisconnectReason, EndCause, Event, LogLevel,
    RegistrationEvent,
};
use crate::web::log::level_name;

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
                add("identity", super::identity(identity));
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
                add("identity", super::identity(identity));
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
            add("headers", super::pairs(headers));
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
