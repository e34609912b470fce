//! The `SoftphoneDiagnosis` object `diagnose()` resolves with, built from the probes'
//! findings (see `diagnose.d.ts` for its shape).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::ws::{self, WsOutcome};
use super::{verdict, Findings, IceCheck, Targets, WsCheck};
use crate::core::nat::{Mapping, NatMapping};

/// The whole diagnosis as the `SoftphoneDiagnosis` object.
pub(super) fn to_js(targets: &Targets, found: &Findings, duration_ms: f64) -> JsValue {
    let (ws, ice) = (&found.ws[..], &found.ice[..]);
    let nat = found.nat();
    let out = Object::new();
    set(&out, "durationMs", round(duration_ms).into());
    let ws_list: Array = ws.iter().map(ws_to_js).collect();
    set(&out, "websocket", ws_list.into());
    let ice_list: Array = ice.iter().map(ice_to_js).collect();
    set(&out, "ice", ice_list.into());
    let source = Object::new();
    set(
        &source,
        "configured",
        ((targets.ice_servers.len() - targets.fetched) as u32).into(),
    );
    set(&source, "fetched", (targets.fetched as u32).into());
    if let Some(e) = &targets.fetch_error {
        set(&source, "fetchError", e.as_str().into());
    }
    set(&out, "iceServers", source.into());
    set(&out, "nat", nat_to_js(&nat, &found.mappings));
    let verdicts: Array = verdict::verdicts(ice, &nat)
        .into_iter()
        .map(|v| {
            let o = Object::new();
            set(&o, "network", v.network.into());
            set(&o, "ok", v.ok.into());
            set(&o, "message", v.message.as_str().into());
            JsValue::from(o)
        })
        .collect();
    set(&out, "verdicts", verdicts.into());
    // Any SIP answer proves the server speaks SIP, a challenge too (Asterisk challenges
    // OPTIONS); refused credentials do not make a working phone.
    let ok = ws.iter().any(|c| {
        matches!(&c.outcome, WsOutcome::Open { options: Some((o, _)), .. } if !o.credentials_refused())
    }) && (ice.is_empty() || ice.iter().any(IceCheck::ok));
    set(&out, "ok", ok.into());
    out.into()
}

fn nat_to_js(nat: &NatMapping, mappings: &[Mapping]) -> JsValue {
    let o = Object::new();
    set(&o, "mapping", nat.name().into());
    let list: Array = mappings
        .iter()
        .map(|m| {
            let e = Object::new();
            set(&e, "address", m.address.as_str().into());
            set(&e, "port", m.port.into());
            if let Some(s) = &m.server {
                set(&e, "server", s.as_str().into());
            }
            JsValue::from(e)
        })
        .collect();
    set(&o, "mapped", list.into());
    if let NatMapping::Unknown { reason } = nat {
        set(&o, "reason", reason.as_str().into());
    }
    o.into()
}

fn ws_to_js(c: &WsCheck) -> JsValue {
    let o = Object::new();
    set(&o, "url", c.url.as_str().into());
    let hints: Vec<String> = match &c.outcome {
        WsOutcome::Open {
            open_ms,
            protocol,
            options,
        } => {
            set(&o, "status", "open".into());
            set(&o, "openMs", round(*open_ms).into());
            set(&o, "protocol", protocol.as_str().into());
            let mut hints = Vec::new();
            if protocol != "sip" {
                hints.push(format!(
                    "the server did not agree to the \"sip\" subprotocol (got {protocol:?}); RFC 7118 servers do"
                ));
            }
            match options {
                Some((outcome, rtt)) => {
                    let opt = Object::new();
                    set(&opt, "status", outcome.status.into());
                    set(&opt, "reason", outcome.reason.as_str().into());
                    set(&opt, "rttMs", round(*rtt).into());
                    set(&opt, "challenged", outcome.challenged.into());
                    set(&opt, "authenticated", outcome.authenticated.into());
                    set(&o, "options", opt.into());
                    if outcome.needs_credentials() {
                        hints.push(format!(
                            "reachable: the server speaks SIP and asks for authentication ({}); phone.diagnose() answers the challenge with the phone's credentials",
                            outcome.status
                        ));
                    } else if outcome.credentials_refused() {
                        hints.push(format!(
                            "the server refused the credentials ({} again after answering its challenge): check the password and authorizationUser; Asterisk answers 401 again, never 403, for a wrong password",
                            outcome.status
                        ));
                    }
                }
                None => hints.push(
                    "the socket opened but no answer to SIP OPTIONS came back: is this a SIP server?".to_owned(),
                ),
            }
            hints
        }
        WsOutcome::ClosedBeforeOpen { after_ms, code } => {
            set(&o, "status", "closedBeforeOpen".into());
            set(&o, "closeCode", (*code).into());
            set(&o, "closedAfterMs", round(*after_ms).into());
            ws::closed_before_open_hints(&c.url, *after_ms)
        }
        WsOutcome::NoAnswer => {
            set(&o, "status", "timeout".into());
            ws::no_answer_hints()
        }
        WsOutcome::Refused { error } => {
            set(&o, "status", "refused".into());
            set(&o, "error", error.as_str().into());
            vec![format!(
                "the browser refused the URL ({error}): check its form (wss://host:port/path); ws:// is blocked from https pages"
            )]
        }
    };
    let hints: Array = hints.iter().map(|h| JsValue::from_str(h)).collect();
    set(&o, "hints", hints.into());
    o.into()
}

fn ice_to_js(c: &IceCheck) -> JsValue {
    let o = Object::new();
    set(&o, "url", c.url.raw.as_str().into());
    set(
        &o,
        "kind",
        (if c.url.scheme.is_turn() {
            "turn"
        } else {
            "stun"
        })
        .into(),
    );
    set(&o, "transport", c.url.transport.as_str().into());
    set(&o, "host", c.url.host.as_str().into());
    set(&o, "port", c.url.port.into());
    if let Some(u) = &c.username {
        set(&o, "username", u.as_str().into());
    }
    set(&o, "status", c.status().into());
    let types: Array = c
        .probe
        .candidate_types
        .iter()
        .map(|t| JsValue::from_str(t))
        .collect();
    set(&o, "candidateTypes", types.into());
    if let Some(ms) = c.probe.first_wanted_ms {
        set(&o, "timeToCandidateMs", round(ms).into());
    }
    if c.probe.no_nat {
        set(&o, "noNat", true.into());
    }
    if let Some(p) = &c.probe.relay_protocol {
        set(&o, "relayProtocol", p.as_str().into());
    }
    let errors: Array = c
        .probe
        .errors
        .iter()
        .map(|(code, text)| {
            let e = Object::new();
            set(&e, "code", (*code).into());
            set(&e, "text", text.as_str().into());
            JsValue::from(e)
        })
        .collect();
    set(&o, "errors", errors.into());
    let hint = match c.status() {
        "ok" => None,
        "authFailed" => Some("the TURN server refused the username/credential (401): expired TURN REST credentials, or a secret that differs from the server's".to_owned()),
        "error" => c.probe.setup_error.clone(),
        _ if c.url.transport == crate::web::ice_servers::IceTransport::Udp => Some(format!(
            "no answer over UDP within the probe time: UDP to port {} is blocked, or the server is down",
            c.url.port
        )),
        _ => Some(format!(
            "no answer over {} to port {}: the port is filtered, or the server does not listen there",
            c.url.transport.as_str().to_ascii_uppercase(),
            c.url.port
        )),
    };
    if let Some(h) = hint {
        set(&o, "hint", h.as_str().into());
    }
    o.into()
}

fn set(o: &Object, k: &str, v: JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(o, &k.into(), &v);
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}
