//! The JavaScript shape of `EndCause::NoMedia`: a `mediaFailure` end cause with the
//! media watchdog's verdict and evidence (see `docs/connectivity.md`).
//!
//! ```text
//! { kind: 'mediaFailure', reason, media: 'neverStarted' | 'lost', why, triedMs,
//!   restarts, relayOnly, evidence: { ice?, dtls?, selectedPair?: { local, remote },
//!   packetsReceived, packetsSent, servers: [{ url, status, errorCode? }] } }
//! ```

use js_sys::Array;
use wasm_bindgen::JsValue;

use super::{num, object};
use crate::core::{MediaSample, NoMedia, ServerOutcome};

/// `{ kind: 'mediaFailure', ... }` for a call that ended for lack of media.
pub(crate) fn no_media_cause(n: &NoMedia) -> JsValue {
    object(&[
        ("kind", "mediaFailure".into()),
        ("reason", n.reason.as_str().into()),
        ("media", n.loss.as_str().into()),
        ("why", n.why.as_str().into()),
        ("triedMs", num(n.tried.as_millis() as f64)),
        ("restarts", num(n.restarts)),
        ("relayOnly", n.relay_only.into()),
        ("evidence", evidence(&n.evidence)),
    ])
}

fn evidence(e: &MediaSample) -> JsValue {
    let mut pairs: Vec<(&str, JsValue)> = Vec::new();
    if let Some(ice) = e.ice {
        pairs.push(("ice", ice.as_str().into()));
    }
    if let Some(dtls) = e.dtls {
        pairs.push(("dtls", dtls.as_str().into()));
    }
    if let (Some(local), Some(remote)) = (e.local_candidate, e.remote_candidate) {
        let pair = object(&[
            ("local", local.as_str().into()),
            ("remote", remote.as_str().into()),
        ]);
        pairs.push(("selectedPair", pair));
    }
    pairs.push(("packetsReceived", num(e.packets_received as f64)));
    pairs.push(("packetsSent", num(e.packets_sent as f64)));
    let servers: Array = e
        .servers
        .iter()
        .map(|s| {
            let mut fields: Vec<(&str, JsValue)> = vec![
                ("url", s.url.as_str().into()),
                ("status", s.outcome.as_str().into()),
            ];
            if let ServerOutcome::Error(code) = s.outcome {
                fields.push(("errorCode", num(code)));
            }
            object(&fields)
        })
        .collect();
    pairs.push(("servers", servers.into()));
    object(&pairs)
}
