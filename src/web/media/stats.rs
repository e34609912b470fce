//! `call.getStats()`: the basic counters of a call's audio, read from
//! `RTCPeerConnection.getStats()`.
//!
//! A live call's `getStats()` goes through its session (`Session::stats`), which adds
//! the quality figures (`rttMs`, `jitterMs`, `packetLossPercent`, `mos`) and keeps the
//! history loss and warnings need (`crate::web::quality`). [`summarize`] is the
//! counters-only reading, for a call with no peer connection yet.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::RtcPeerConnection;

/// Reads the statistics of `pc` and returns a `SoftphoneCallStats` object.
///
/// # Errors
/// The browser's rejection of `getStats()`.
pub(crate) async fn read(pc: Option<RtcPeerConnection>) -> Result<JsValue, JsValue> {
    let Some(pc) = pc else {
        return Ok(summarize(&[]));
    };
    let report = JsFuture::from(pc.get_stats()).await?;
    let mut entries = Vec::new();
    // An RTCStatsReport is a maplike: iterate its values.
    let values = Reflect::get(&report, &"values".into())?
        .dyn_into::<js_sys::Function>()?
        .call0(&report)?;
    let iter = js_sys::try_iter(&values)?.ok_or("the stats report is not iterable")?;
    for entry in iter {
        entries.push(entry?);
    }
    Ok(summarize(&entries))
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn get_str(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

fn get_num(v: &JsValue, key: &str) -> f64 {
    get(v, key).as_f64().unwrap_or(0.0)
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &key.into(), value);
}

/// Builds `{ inbound, outbound, selectedPair? }` from the report's entries.
pub(crate) fn summarize(entries: &[JsValue]) -> JsValue {
    let (mut in_packets, mut in_bytes, mut out_packets, mut out_bytes) = (0.0, 0.0, 0.0, 0.0);
    let mut pair_id = None;
    for e in entries {
        let kind = get_str(e, "kind").unwrap_or_default();
        match get_str(e, "type").as_deref() {
            Some("inbound-rtp") if kind == "audio" => {
                in_packets += get_num(e, "packetsReceived");
                in_bytes += get_num(e, "bytesReceived");
            }
            Some("outbound-rtp") if kind == "audio" => {
                out_packets += get_num(e, "packetsSent");
                out_bytes += get_num(e, "bytesSent");
            }
            Some("transport") => {
                pair_id = pair_id.or_else(|| get_str(e, "selectedCandidatePairId"));
            }
            _ => {}
        }
    }
    let by_id = |id: &str| {
        entries
            .iter()
            .find(|e| get_str(e, "id").as_deref() == Some(id))
    };
    // Firefox has no transport entry: its selected pair says `selected: true`.
    let pair = pair_id.as_deref().and_then(by_id).or_else(|| {
        entries.iter().find(|e| {
            get_str(e, "type").as_deref() == Some("candidate-pair")
                && get(e, "selected").as_bool() == Some(true)
        })
    });

    let stats = Object::new();
    let counters = |packets: f64, bytes: f64| {
        let o = Object::new();
        set(&o, "packets", &packets.into());
        set(&o, "bytes", &bytes.into());
        o
    };
    set(&stats, "inbound", &counters(in_packets, in_bytes));
    set(&stats, "outbound", &counters(out_packets, out_bytes));
    if let Some(pair) = pair {
        let local = get_str(pair, "localCandidateId").and_then(|id| by_id(&id).cloned());
        let remote = get_str(pair, "remoteCandidateId").and_then(|id| by_id(&id).cloned());
        if let (Some(local), Some(remote)) = (local, remote) {
            let selected = Object::new();
            set(&selected, "local", &candidate(&local, true));
            set(&selected, "remote", &candidate(&remote, false));
            set(&stats, "selectedPair", &selected);
        }
    }
    stats.into()
}

/// `{ type, protocol, relayProtocol?, address? }` of a candidate stats entry.
fn candidate(c: &JsValue, local: bool) -> JsValue {
    let o = Object::new();
    set(&o, "type", &get(c, "candidateType"));
    set(&o, "protocol", &get(c, "protocol"));
    if local {
        if let Some(p) = get_str(c, "relayProtocol") {
            set(&o, "relayProtocol", &p.into());
        }
    }
    let address = get_str(c, "address").or_else(|| get_str(c, "ip"));
    if let Some(a) = address {
        set(&o, "address", &a.into());
    }
    o.into()
}
