//! A call's statistics and quality warnings, from its `RTCPeerConnection`'s
//! `getStats()`.
//!
//! [`read_report`] reads one `RTCStatsReport` (the selected candidate pair, round-trip
//! time, inbound and outbound audio counters); [`CallQuality`] keeps the call's
//! [`crate::core::quality::QualityMonitor`] and turns each report into
//! the `SoftphoneCallStats` object of the call API plus the `quality` warnings that
//! changed. The decisions (loss over the interval, MOS, thresholds and hysteresis) are
//! the core's; this module only reads the browser's numbers.
//!
//! The driver reads the stats ([`CallQuality::get_stats`]) when the core asks for a
//! media sample (`MediaAction::SampleMedia`, every second of a confirmed call: one poll
//! for the quality warnings and the core's media watchdog), hands them to
//! [`CallQuality::take`] and emits the changes as `quality` events; `call.getStats()`
//! goes the same way and resolves with the stats.

pub mod watch;

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::core::quality::{AudioMeter, Estimate, QualityMonitor, Sample, WarningChange};

/// One end of the selected candidate pair.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CandidateInfo {
    /// `host`, `srflx`, `prflx` or `relay`.
    pub candidate_type: String,
    /// `udp` or `tcp` (between this end and the next hop).
    pub protocol: String,
    /// For a local relay candidate: how the browser reaches the TURN server
    /// (`udp`, `tcp` or `tls`).
    pub relay_protocol: Option<String>,
    /// The candidate's address, when the browser tells it.
    pub address: Option<String>,
}

/// What one report says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// The selected pair: local and remote candidate.
    pub selected_pair: Option<(CandidateInfo, CandidateInfo)>,
    /// Round-trip time of the selected pair, ms.
    pub rtt_ms: Option<f64>,
    /// Inbound audio jitter, ms.
    pub jitter_ms: Option<f64>,
    /// Inbound audio packets received.
    pub packets_received: u64,
    /// Inbound audio packets lost.
    pub packets_lost: i64,
    /// Inbound audio bytes.
    pub bytes_received: u64,
    /// Outbound audio packets.
    pub packets_sent: u64,
    /// Outbound audio bytes.
    pub bytes_sent: u64,
    /// The DTLS state of the transport (`new`, `connecting`, `connected` ...).
    pub dtls_state: Option<String>,
    /// The far end's audio level and energy (`inbound-rtp`).
    pub inbound_audio: AudioMeter,
    /// The microphone's audio level and energy (`media-source`).
    pub outbound_audio: AudioMeter,
    /// STUN/TURN URLs that gave a local candidate (`local-candidate` `url` of a
    /// server-reflexive or relay candidate).
    pub allocated_urls: Vec<String>,
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn get_str(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}

fn get_num(obj: &JsValue, key: &str) -> Option<f64> {
    get(obj, key).as_f64().filter(|v| v.is_finite())
}

fn count(obj: &JsValue, key: &str) -> u64 {
    get_num(obj, key).map_or(0, |v| v.max(0.0) as u64)
}

/// The stats objects of a report (an `RTCStatsReport`, or any map-like with
/// `values()`, or a plain array of stats objects).
fn entries(report: &JsValue) -> Vec<JsValue> {
    if js_sys::Array::is_array(report) {
        return report.unchecked_ref::<js_sys::Array>().to_vec();
    }
    let values = get(report, "values")
        .dyn_into::<js_sys::Function>()
        .ok()
        .and_then(|f| f.call0(report).ok());
    match values.and_then(|it| js_sys::try_iter(&it).ok().flatten()) {
        Some(iter) => iter.filter_map(Result::ok).collect(),
        None => Vec::new(),
    }
}

fn candidate(stats: &[JsValue], id: Option<String>) -> Option<CandidateInfo> {
    let id = id?;
    let c = stats
        .iter()
        .find(|s| get_str(s, "id").as_deref() == Some(&id))?;
    Some(CandidateInfo {
        candidate_type: get_str(c, "candidateType").unwrap_or_default(),
        protocol: get_str(c, "protocol").unwrap_or_default(),
        relay_protocol: get_str(c, "relayProtocol"),
        address: get_str(c, "address").or_else(|| get_str(c, "ip")),
    })
}

/// Reads one `RTCStatsReport`.
pub fn read_report(report: &JsValue) -> Report {
    let stats = entries(report);
    let of_type = |t: &'static str| {
        stats
            .iter()
            .filter(move |s| get_str(s, "type").as_deref() == Some(t))
    };
    // Chromium names the pair in the transport; Firefox marks it `selected`.
    let pair_id = of_type("transport").find_map(|t| get_str(t, "selectedCandidatePairId"));
    let dtls_state = of_type("transport").find_map(|t| get_str(t, "dtlsState"));
    let allocated_urls = of_type("local-candidate")
        .filter(|c| {
            matches!(
                get_str(c, "candidateType").as_deref(),
                Some("srflx" | "relay")
            )
        })
        .filter_map(|c| get_str(c, "url"))
        .collect();
    let pair = match pair_id {
        Some(id) => of_type("candidate-pair").find(|p| get_str(p, "id").as_deref() == Some(&id)),
        None => of_type("candidate-pair")
            .find(|p| get(p, "selected").as_bool() == Some(true))
            .or_else(|| {
                of_type("candidate-pair").find(|p| {
                    get(p, "nominated").as_bool() == Some(true)
                        && get_str(p, "state").as_deref() == Some("succeeded")
                })
            }),
    };
    let mut out = Report {
        dtls_state,
        allocated_urls,
        ..Report::default()
    };
    if let Some(pair) = pair {
        let local = candidate(&stats, get_str(pair, "localCandidateId"));
        let remote = candidate(&stats, get_str(pair, "remoteCandidateId"));
        if let (Some(l), Some(r)) = (local, remote) {
            out.selected_pair = Some((l, r));
        }
        out.rtt_ms = get_num(pair, "currentRoundTripTime").map(|s| s * 1000.0);
    }
    let audio = |s: &&JsValue| {
        get_str(s, "kind")
            .or_else(|| get_str(s, "mediaType"))
            .as_deref()
            == Some("audio")
    };
    if let Some(inb) = of_type("inbound-rtp").find(audio) {
        out.jitter_ms = get_num(inb, "jitter").map(|s| s * 1000.0);
        out.packets_received = count(inb, "packetsReceived");
        out.packets_lost = get_num(inb, "packetsLost").map_or(0, |v| v as i64);
        out.bytes_received = count(inb, "bytesReceived");
        out.inbound_audio = meter(inb);
    }
    if let Some(source) = of_type("media-source").find(audio) {
        out.outbound_audio = meter(source);
    }
    if let Some(outb) = of_type("outbound-rtp").find(audio) {
        out.packets_sent = count(outb, "packetsSent");
        out.bytes_sent = count(outb, "bytesSent");
    }
    if out.rtt_ms.is_none() {
        // No RTT on the pair (Firefox): the far end's RTCP receiver report has one.
        out.rtt_ms = of_type("remote-inbound-rtp")
            .find(audio)
            .and_then(|r| get_num(r, "roundTripTime"))
            .map(|s| s * 1000.0);
    }
    out
}

/// `audioLevel`, `totalAudioEnergy` and `totalSamplesDuration` of a stats entry.
fn meter(entry: &JsValue) -> AudioMeter {
    AudioMeter {
        level: get_num(entry, "audioLevel"),
        total_energy: get_num(entry, "totalAudioEnergy"),
        total_duration: get_num(entry, "totalSamplesDuration"),
    }
}

/// The call's statistics as `SoftphoneCallStats` (see `docs/js-call-api.md`).
pub fn stats_to_js(report: &Report, estimate: &Estimate) -> JsValue {
    let obj = Object::new();
    let set = |o: &Object, k: &str, v: JsValue| {
        let _ = Reflect::set(o, &k.into(), &v);
    };
    let opt = |o: &Object, k: &str, v: Option<f64>| {
        if let Some(v) = v {
            set(o, k, round2(v).into());
        }
    };
    if let Some((local, remote)) = &report.selected_pair {
        let pair = Object::new();
        set(&pair, "local", candidate_to_js(local, true));
        set(&pair, "remote", candidate_to_js(remote, false));
        set(&obj, "selectedPair", pair.into());
    }
    opt(&obj, "rttMs", estimate.rtt_ms);
    opt(&obj, "jitterMs", estimate.jitter_ms);
    opt(&obj, "packetLossPercent", estimate.loss_percent);
    // No MOS without measured packets: `null`, and why.
    match estimate.mos {
        Some(mos) => set(&obj, "mos", round2(mos).into()),
        None => {
            set(&obj, "mos", JsValue::NULL);
            if let Some(why) = estimate.mos_unavailable {
                set(&obj, "mosUnavailable", why.as_str().into());
            }
        }
    }
    let counters = |packets: u64, bytes: u64, level: Option<f64>| {
        let o = Object::new();
        set(&o, "packets", (packets as f64).into());
        set(&o, "bytes", (bytes as f64).into());
        if let Some(level) = level {
            set(&o, "audioLevel", ((level * 1e4).round() / 1e4).into());
        }
        JsValue::from(o)
    };
    set(
        &obj,
        "inbound",
        counters(
            report.packets_received,
            report.bytes_received,
            estimate.inbound_level,
        ),
    );
    set(
        &obj,
        "outbound",
        counters(
            report.packets_sent,
            report.bytes_sent,
            estimate.outbound_level,
        ),
    );
    obj.into()
}

fn candidate_to_js(c: &CandidateInfo, local: bool) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"type".into(), &c.candidate_type.as_str().into());
    let _ = Reflect::set(&o, &"protocol".into(), &c.protocol.as_str().into());
    if local {
        if let Some(p) = &c.relay_protocol {
            let _ = Reflect::set(&o, &"relayProtocol".into(), &p.as_str().into());
        }
    }
    if let Some(a) = &c.address {
        let _ = Reflect::set(&o, &"address".into(), &a.as_str().into());
    }
    o.into()
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The `quality` event of a warning change:
/// `{ type: 'quality', callId, warning, active, value? }`.
pub fn quality_event(call_id: u64, change: &WarningChange) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"type".into(), &"quality".into());
    let _ = Reflect::set(&o, &"callId".into(), &(call_id as f64).into());
    let _ = Reflect::set(&o, &"warning".into(), &change.warning.as_str().into());
    let _ = Reflect::set(&o, &"active".into(), &change.active.into());
    if let Some(v) = change.value {
        let _ = Reflect::set(&o, &"value".into(), &round2(v).into());
    }
    o.into()
}

/// The quality bookkeeping of one call.
#[derive(Debug, Default)]
pub struct CallQuality {
    monitor: QualityMonitor,
    last: Option<(Report, Estimate)>,
}

impl CallQuality {
    /// A call with no history yet.
    pub fn new() -> CallQuality {
        CallQuality::default()
    }

    /// Takes one report read at `now_ms` (`performance.now()`); `inbound_expected` and
    /// `outbound_expected` come from the core's sample request (the call is up and not
    /// held; the microphone is not muted). Returns `SoftphoneCallStats` and the warnings
    /// that changed.
    pub fn take(
        &mut self,
        report: &JsValue,
        now_ms: f64,
        inbound_expected: bool,
        outbound_expected: bool,
    ) -> (JsValue, Vec<WarningChange>) {
        let r = read_report(report);
        let sample = Sample {
            at_ms: now_ms,
            inbound_expected,
            outbound_expected,
            rtt_ms: r.rtt_ms,
            jitter_ms: r.jitter_ms,
            packets_received: r.packets_received,
            packets_lost: r.packets_lost,
            packets_sent: r.packets_sent,
            inbound_audio: r.inbound_audio,
            outbound_audio: r.outbound_audio,
        };
        let (estimate, changes) = self.monitor.update(&sample);
        let stats = stats_to_js(&r, &estimate);
        self.last = Some((r, estimate));
        (stats, changes)
    }

    /// The last report taken and its estimate.
    pub fn last(&self) -> Option<&(Report, Estimate)> {
        self.last.as_ref()
    }

    /// Calls `pc.getStats()`. The caller holds no borrow of the driver across the
    /// `await`.
    ///
    /// # Errors
    /// The browser's rejection (a closed connection).
    pub async fn get_stats(pc: &web_sys::RtcPeerConnection) -> Result<JsValue, JsValue> {
        JsFuture::from(pc.get_stats()).await
    }

    /// The call ended: every raised warning is cleared (returned for `quality` events).
    pub fn end(&mut self) -> Vec<WarningChange> {
        self.monitor.reset()
    }
}
