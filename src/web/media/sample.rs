//! A call's media as the core's watchdog reads it ([`MediaSample`]): the peer
//! connection's states, the selected pair, the counters and levels of the last stats
//! report, and what became of each STUN/TURN URL (`icecandidateerror` events and the
//! candidates gathered). Facts only: the watchdog in the core decides.

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::RtcPeerConnection;

use crate::core::quality::Estimate;
use crate::core::{AudioLevel, CandidateKind, DtlsState, MediaSample, ServerOutcome, ServerStatus};
use crate::web::quality::Report;

/// What the browser said about the call's STUN/TURN URLs so far.
#[derive(Debug, Default)]
pub(crate) struct ServerLog {
    /// `(url, errorCode, errorText)` of every `icecandidateerror`, oldest first.
    errors: Vec<(String, u16, String)>,
    /// URLs a server-reflexive or relay candidate came from.
    allocated: Vec<String>,
}

impl ServerLog {
    /// An `icecandidateerror` event.
    pub(crate) fn on_error(&mut self, event: &JsValue) {
        let url = get(event, "url").as_string().unwrap_or_default();
        if url.is_empty() {
            return;
        }
        let code = get(event, "errorCode").as_f64().unwrap_or(0.0);
        let code = if (0.0..=999.0).contains(&code) {
            code as u16
        } else {
            0
        };
        let text = get(event, "errorText").as_string().unwrap_or_default();
        self.errors.push((url, code, text));
        if self.errors.len() > 64 {
            self.errors.remove(0);
        }
    }

    /// An `icecandidate` event: a server-reflexive or relay candidate names its URL.
    pub(crate) fn on_candidate(&mut self, event: &JsValue) {
        let candidate = get(event, "candidate");
        let kind = get(&candidate, "type").as_string();
        if !matches!(kind.as_deref(), Some("srflx" | "relay")) {
            return;
        }
        if let Some(url) = get(event, "url").as_string().filter(|u| !u.is_empty()) {
            if !self.allocated.contains(&url) {
                self.allocated.push(url);
            }
        }
    }

    fn outcome(&self, url: &str, report: &Report) -> ServerOutcome {
        let allocated = self.allocated.iter().chain(&report.allocated_urls);
        if allocated.into_iter().any(|u| u == url) {
            return ServerOutcome::Allocated;
        }
        self.errors
            .iter()
            .rev()
            .find(|(u, _, _)| u == url)
            .map_or(ServerOutcome::Pending, |(_, code, text)| {
                error_outcome(*code, text)
            })
    }
}

/// An `icecandidateerror` code (and text) as an outcome.
fn error_outcome(code: u16, text: &str) -> ServerOutcome {
    match code {
        401 => ServerOutcome::AuthFailed,
        701 if text.to_ascii_lowercase().contains("time") => ServerOutcome::TimedOut,
        300..=699 => ServerOutcome::Error(code),
        _ => ServerOutcome::Unreachable,
    }
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// The sample of `pc` from its last stats `report` and `estimate`.
pub(crate) fn media_sample(
    pc: &RtcPeerConnection,
    report: &Report,
    estimate: &Estimate,
    log: &ServerLog,
) -> MediaSample {
    let kind = |t: &str| match t {
        "host" => Some(CandidateKind::Host),
        "srflx" => Some(CandidateKind::Srflx),
        "prflx" => Some(CandidateKind::Prflx),
        "relay" => Some(CandidateKind::Relay),
        _ => None,
    };
    let (local, remote) = report
        .selected_pair
        .as_ref()
        .map_or((None, None), |(l, r)| {
            (kind(&l.candidate_type), kind(&r.candidate_type))
        });
    let dtls = report
        .dtls_state
        .clone()
        .or_else(|| sender_transport_state(pc))
        .and_then(|s| dtls_state(&s));
    let config = configuration(pc);
    let relay_policy = get(&config, "iceTransportPolicy").as_string().as_deref() == Some("relay");
    let mut servers: Vec<ServerStatus> = configured_urls(&config)
        .into_iter()
        .map(|url| {
            let outcome = log.outcome(&url, report);
            ServerStatus { url, outcome }
        })
        .collect();
    // Errors for URLs the configuration spells otherwise: kept, not lost.
    for (url, _, _) in &log.errors {
        if !servers.iter().any(|s| &s.url == url) {
            let outcome = log.outcome(url, report);
            servers.push(ServerStatus {
                url: url.clone(),
                outcome,
            });
        }
    }
    MediaSample {
        ice: super::peer::ice_state(pc.ice_connection_state()),
        dtls,
        local_candidate: local,
        remote_candidate: remote,
        packets_received: report.packets_received,
        packets_sent: report.packets_sent,
        inbound_level: estimate.inbound_level.map(AudioLevel::from_linear),
        outbound_level: estimate.outbound_level.map(AudioLevel::from_linear),
        servers,
        relay_policy,
    }
}

fn dtls_state(s: &str) -> Option<DtlsState> {
    Some(match s {
        "new" => DtlsState::New,
        "connecting" => DtlsState::Connecting,
        "connected" => DtlsState::Connected,
        "closed" => DtlsState::Closed,
        "failed" => DtlsState::Failed,
        _ => return None,
    })
}

/// `pc.getSenders()[0].transport.state`, for browsers whose stats lack `dtlsState`.
fn sender_transport_state(pc: &RtcPeerConnection) -> Option<String> {
    let sender = pc.get_senders().get(0);
    get(&get(&sender, "transport"), "state").as_string()
}

/// `pc.getConfiguration()`, or `undefined`.
fn configuration(pc: &RtcPeerConnection) -> JsValue {
    get(pc, "getConfiguration")
        .dyn_into::<Function>()
        .ok()
        .and_then(|f| f.call0(pc).ok())
        .unwrap_or(JsValue::UNDEFINED)
}

/// The `urls` of every `iceServers` entry of a peer connection's configuration.
fn configured_urls(config: &JsValue) -> Vec<String> {
    let servers = get(config, "iceServers");
    let mut out = Vec::new();
    if !Array::is_array(&servers) {
        return out;
    }
    for server in Array::from(&servers).iter() {
        let urls = get(&server, "urls");
        if let Some(url) = urls.as_string() {
            out.push(url);
        } else if Array::is_array(&urls) {
            out.extend(Array::from(&urls).iter().filter_map(|u| u.as_string()));
        }
    }
    out
}

/// `pc.setConfiguration({...pc.getConfiguration(), iceTransportPolicy: 'relay'})`.
///
/// # Errors
/// What the browser threw, as text (no credentials: the error names the field).
pub(crate) fn relay_only(pc: &RtcPeerConnection) -> Result<(), String> {
    let call = |name: &str, args: &Array| -> Result<JsValue, String> {
        get(pc, name)
            .dyn_into::<Function>()
            .map_err(|_| format!("RTCPeerConnection.{name} is missing"))?
            .apply(pc, args)
            .map_err(|e| format!("{name} failed: {}", crate::web::error_name(&e)))
    };
    let config = call("getConfiguration", &Array::new())?;
    Reflect::set(&config, &"iceTransportPolicy".into(), &"relay".into())
        .map_err(|_| "the configuration is not an object".to_string())?;
    call("setConfiguration", &Array::of1(&config)).map(|_| ())
}
