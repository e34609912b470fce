//! The connectivity pieces of the browser driver in a real browser (Chrome and Firefox,
//! through `wasm-pack test`): STUN/TURN URL and `RTCIceServer` checks, the ICE servers
//! provider fetching, refreshing and retrying (`data:` URLs stand in for the app's
//! endpoint), the call-quality reader on a stats report, and `diagnose()` argument errors.
//! No server needs to run.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail
#![cfg(target_arch = "wasm32")]

#[path = "support/web.rs"]
mod web_support;

use std::time::Duration;

use js_sys::{Reflect, JSON};
use softphone_core::core::nat::{Mapping, NatMapping};
use softphone_core::core::quality::Warning;
use softphone_core::web::diagnose::ice::IceProbe;
use softphone_core::web::diagnose::verdict::verdicts;
use softphone_core::web::diagnose::{diagnose, Findings, IceCheck};
use softphone_core::web::ice_servers::{
    describe, parse_answer, parse_ice_servers, FetchState, IceScheme, IceServersProvider,
    IceTransport, IceUrl,
};
use softphone_core::web::quality::{read_report, CallQuality};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_support::sleep;

wasm_bindgen_test_configure!(run_in_browser);

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

fn get(v: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(v.clone(), |v, k| {
        Reflect::get(&v, &k.into()).unwrap_or(JsValue::UNDEFINED)
    })
}

#[wasm_bindgen_test]
fn ice_urls_parse_with_their_transports_and_default_ports() {
    let u = IceUrl::parse("turn:turn.example.com?transport=tcp").unwrap();
    assert_eq!(
        (u.scheme, u.transport, u.port, u.host.as_str()),
        (IceScheme::Turn, IceTransport::Tcp, 3478, "turn.example.com")
    );
    let u = IceUrl::parse("turns:turn.example.com:443?transport=tcp").unwrap();
    assert_eq!((u.transport, u.port), (IceTransport::Tls, 443));
    assert_eq!(u.label(), "turns tls turn.example.com:443");
    let u = IceUrl::parse("turns:turn.example.com").unwrap();
    assert_eq!(u.port, 5349);
    let u = IceUrl::parse("stun:[2001:db8::1]:19302").unwrap();
    assert_eq!((u.host.as_str(), u.port), ("2001:db8::1", 19302));
    assert_eq!(u.label(), "stun udp [2001:db8::1]:19302");
    for bad in [
        "http://x",
        "turn://host:3478",
        "turn:host:0",
        "turn:host:99999",
        "turn:host?transport=sctp",
        "stun:host?transport=tcp",
        "turn:",
        "nonsense",
    ] {
        assert!(IceUrl::parse(bad).is_err(), "{bad} accepted");
    }
}

#[wasm_bindgen_test]
fn ice_server_lists_are_checked_and_never_print_credentials() {
    let list = parse_ice_servers(&js(
        r#"[{"urls":"stun:stun.example.com"},
            {"urls":["turn:t.example.com:3478?transport=udp","turns:t.example.com:443?transport=tcp"],
             "username":"1700000000:alice","credential":"s3cr3t-value"}]"#,
    ))
    .unwrap();
    assert_eq!(list.len(), 2);
    assert!(list[1].has_turn() && !list[1].has_stun() && list[0].has_stun());
    let text = describe(&list);
    assert!(text.contains("turns tls t.example.com:443"), "{text}");
    assert!(text.contains("1700000000:alice"), "{text}");
    assert!(!text.contains("s3cr3t-value"), "{text}");
    assert!(!format!("{list:?}").contains("s3cr3t-value"));
    // The RTCIceServer handed to the browser does carry it.
    let obj = list[1].to_js();
    assert_eq!(get(&obj, "credential").as_string().unwrap(), "s3cr3t-value");

    // Cloudflare answers one object, not an array.
    let one = parse_ice_servers(&js(
        r#"{"urls":["turn:turn.cloudflare.com:3478?transport=udp"],"username":"u","credential":"c"}"#,
    ))
    .unwrap();
    assert_eq!(one.len(), 1);

    let err = parse_ice_servers(&js(r#"[{"urls":"stun:a"},{"urls":"turn:b"}]"#)).unwrap_err();
    assert!(err.starts_with("[1]."), "{err}");
    assert!(err.contains("username and credential"), "{err}");
    let err = parse_ice_servers(&js(r#"[{"url":"stun:a"}]"#)).unwrap_err();
    assert!(err.contains("unknown field `url`"), "{err}");
    let err = parse_ice_servers(&js(r#"[{"urls":"turn:b","username":"u","credential":42}]"#))
        .unwrap_err();
    assert!(
        err.contains("credential: must be a string") && !err.contains("42"),
        "{err}"
    );
}

#[wasm_bindgen_test]
fn answers_of_the_ice_endpoint_are_checked() {
    let (servers, ttl) = parse_answer(&js(
        r#"{"iceServers":[{"urls":"turn:h","username":"u","credential":"c"}],"ttl":86400}"#,
    ))
    .unwrap();
    assert_eq!((servers.len(), ttl), (1, Some(86400.0)));
    assert_eq!(parse_answer(&js(r#"{"iceServers":[]}"#)).unwrap().1, None);
    assert!(parse_answer(&js(r#"{"ttl":5}"#)).is_err());
    assert!(parse_answer(&js(r#"{"iceServers":[],"ttl":-1}"#)).is_err());
}

#[wasm_bindgen_test]
fn answers_in_the_shapes_providers_return() {
    // A bare RTCIceServer[].
    let (servers, ttl) = parse_answer(&js(
        r#"[{"urls":"stun:s:3478"},{"urls":["turn:t:3478"],"username":"u","credential":"c"}]"#,
    ))
    .unwrap();
    assert_eq!((servers.len(), ttl), (2, None));
    // Cloudflare's TURN API: iceServers is one object.
    let (servers, ttl) = parse_answer(&js(
        r#"{"iceServers":{"urls":["stun:stun.cloudflare.com:3478","turn:turn.cloudflare.com:3478?transport=udp","turns:turn.cloudflare.com:5349?transport=tcp"],"username":"u","credential":"c"}}"#,
    ))
    .unwrap();
    assert_eq!((servers.len(), servers[0].urls.len(), ttl), (1, 3, None));
    // Twilio's token: ice_servers, a legacy `url` beside (or instead of) `urls`, a string ttl.
    let (servers, ttl) = parse_answer(&js(
        r#"{"account_sid":"AC1","date_created":"x","ice_servers":[{"url":"stun:global.stun.twilio.com:3478","urls":"stun:global.stun.twilio.com:3478"},{"url":"turn:global.turn.twilio.com:3478?transport=udp","username":"u","credential":"c"}],"password":"p","ttl":"86400","username":"u"}"#,
    ))
    .unwrap();
    assert_eq!((servers.len(), ttl), (2, Some(86400.0)));
    assert!(servers[1].urls[0].scheme.is_turn());
    // Still checked: a TURN entry without credentials, or a bad ttl.
    let err = parse_answer(&js(r#"{"ice_servers":[{"url":"turn:t"}]}"#)).unwrap_err();
    assert!(err.starts_with("ice_servers[0]."), "{err}");
    assert!(parse_answer(&js(r#"{"iceServers":[],"ttl":"soon"}"#)).is_err());
    assert!(parse_answer(&js(r#""text""#)).is_err());
}

fn data_url(json: &str) -> String {
    format!(
        "data:application/json,{}",
        String::from(js_sys::encode_uri_component(json))
    )
}

type Outcomes = std::rc::Rc<std::cell::RefCell<Vec<Result<Option<Duration>, ()>>>>;

/// Collects the outcomes the provider reports (what the driver feeds the core).
fn outcomes(p: &IceServersProvider) -> Outcomes {
    let seen: Outcomes = Default::default();
    let sink = seen.clone();
    p.set_on_result(std::rc::Rc::new(move |o| sink.borrow_mut().push(o)));
    seen
}

#[wasm_bindgen_test]
async fn the_provider_fetches_when_told_and_reports_the_ttl() {
    let body = r#"{"iceServers":[{"urls":"turn:127.0.0.1:3478","username":"1:x","credential":"c"}],"ttl":1.5}"#;
    let static_stun = parse_ice_servers(&js(r#"[{"urls":"stun:127.0.0.1:3478"}]"#)).unwrap();
    let p = IceServersProvider::new(static_stun, Some(data_url(body)));
    let seen = outcomes(&p);
    p.fetch();
    assert_eq!(
        p.state(),
        FetchState::Idle,
        "nothing fetched before start()"
    );
    assert!(p.has_stun() && !p.has_turn());
    assert_eq!(p.current().length(), 1);
    p.start();
    p.fetch();
    p.fetch(); // one fetch at a time: its outcome answers both
    JsFuture::from(p.first_fetch(3_000)).await.unwrap();
    assert_eq!(p.fetches(), 1);
    assert_eq!(p.state(), FetchState::Fresh);
    assert_eq!(*seen.borrow(), [Ok(Some(Duration::from_millis(1_500)))]);
    assert!(p.has_turn());
    let list = p.current();
    assert_eq!(list.length(), 2, "configured first, then fetched");
    assert_eq!(get(&list.get(1), "username").as_string().unwrap(), "1:x");
    // Nothing more by itself: the schedule is the core's (tests/core_ice_servers.rs).
    sleep(1_600).await;
    assert_eq!(p.fetches(), 1);
    p.fetch();
    sleep(300).await;
    assert_eq!(p.fetches(), 2, "the refresh the core asked for");
    p.stop();
    p.fetch();
    sleep(300).await;
    assert_eq!(p.fetches(), 2, "nothing after stop()");
    assert_eq!(p.current().length(), 2, "usable after stop()");
    assert_eq!(seen.borrow().len(), 2);
}

#[wasm_bindgen_test]
async fn the_provider_reports_a_failing_endpoint_and_does_not_retry_by_itself() {
    let p = IceServersProvider::new(Vec::new(), Some("data:application/json,not-json".into()));
    let seen = outcomes(&p);
    let lines = std::rc::Rc::new(std::cell::RefCell::new(Vec::<(bool, String)>::new()));
    let sink = lines.clone();
    p.set_log(std::rc::Rc::new(move |warn, line| {
        sink.borrow_mut().push((warn, line.to_owned()))
    }));
    p.start();
    p.fetch();
    JsFuture::from(p.first_fetch(3_000)).await.unwrap();
    assert_eq!(p.failures(), 1);
    assert_eq!(p.state(), FetchState::Failing);
    assert_eq!(*seen.borrow(), [Err(())]);
    assert_eq!(
        p.current().length(),
        0,
        "no list, and current() does not wait"
    );
    sleep(1_300).await;
    assert_eq!(p.failures(), 1, "the retry is the core's to schedule");
    p.stop();
    let lines = lines.borrow();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].0 && lines[0].1.contains("not JSON"), "{lines:?}");
}

#[wasm_bindgen_test]
async fn expired_credentials_are_not_handed_out() {
    let body = r#"{"iceServers":[{"urls":"turn:h","username":"1:x","credential":"c"}],"ttl":0.3}"#;
    let p = IceServersProvider::new(Vec::new(), Some(data_url(body)));
    p.start();
    p.fetch();
    JsFuture::from(p.first_fetch(3_000)).await.unwrap();
    assert_eq!(p.current().length(), 1);
    // The core's IceServersExpire timer fired (`IceServersAction::Expire`).
    p.expire();
    assert_eq!(
        p.current().length(),
        0,
        "expired TURN credentials would only get 401s"
    );
    assert!(!p.has_turn());
}

/// A stats report as Chromium shapes it (a Map of stats objects).
fn report(received: u32, lost: u32, rtt_s: f64) -> JsValue {
    let stats = js(&format!(
        r#"[
        {{"id":"T1","type":"transport","selectedCandidatePairId":"P1"}},
        {{"id":"P0","type":"candidate-pair","localCandidateId":"L0","remoteCandidateId":"R1","currentRoundTripTime":0.9}},
        {{"id":"P1","type":"candidate-pair","localCandidateId":"L1","remoteCandidateId":"R1","currentRoundTripTime":{rtt_s},"nominated":true,"state":"succeeded"}},
        {{"id":"L0","type":"local-candidate","candidateType":"host","protocol":"udp","address":"10.0.0.1"}},
        {{"id":"L1","type":"local-candidate","candidateType":"relay","protocol":"udp","relayProtocol":"tcp","address":"192.0.2.2"}},
        {{"id":"R1","type":"remote-candidate","candidateType":"relay","protocol":"udp","address":"192.0.2.2"}},
        {{"id":"I1","type":"inbound-rtp","kind":"audio","jitter":0.004,"packetsReceived":{received},"packetsLost":{lost},"bytesReceived":{},"audioLevel":0.25}},
        {{"id":"M1","type":"media-source","kind":"audio","audioLevel":0.5}},
        {{"id":"O1","type":"outbound-rtp","kind":"audio","packetsSent":{received},"bytesSent":{}}}
    ]"#,
        received * 80,
        received * 80
    ));
    let map = js_sys::Map::new();
    for s in js_sys::Array::from(&stats).iter() {
        map.set(&get(&s, "id"), &s);
    }
    map.into()
}

#[wasm_bindgen_test]
fn the_selected_pair_and_counters_are_read_from_a_report() {
    let r = read_report(&report(500, 3, 0.05));
    let (local, remote) = r.selected_pair.expect("selected pair");
    assert_eq!(local.candidate_type, "relay");
    assert_eq!(local.relay_protocol.as_deref(), Some("tcp"));
    assert_eq!(remote.candidate_type, "relay");
    assert_eq!(
        r.rtt_ms,
        Some(50.0),
        "the selected pair's RTT, not another pair's"
    );
    assert_eq!(r.jitter_ms, Some(4.0));
    assert_eq!((r.packets_received, r.packets_lost), (500, 3));
    assert_eq!((r.packets_sent, r.bytes_sent), (500, 40_000));
}

#[wasm_bindgen_test]
fn call_stats_have_the_contract_shape_and_warnings_fire() {
    let mut q = CallQuality::new();
    let (stats, changes) = q.take(&report(500, 0, 0.02), 0.0, true, true);
    assert!(changes.is_empty());
    assert_eq!(
        get(&stats, "selectedPair.local.type").as_string().unwrap(),
        "relay"
    );
    assert_eq!(
        get(&stats, "selectedPair.local.relayProtocol")
            .as_string()
            .unwrap(),
        "tcp"
    );
    assert!(get(&stats, "selectedPair.remote.relayProtocol").is_undefined());
    assert_eq!(get(&stats, "rttMs").as_f64(), Some(20.0));
    assert!(
        get(&stats, "packetLossPercent").is_undefined(),
        "no interval yet"
    );
    // No interval yet, so no packets measured: no MOS, and why.
    assert!(get(&stats, "mos").is_null());
    assert_eq!(
        get(&stats, "mosUnavailable").as_string().as_deref(),
        Some("noInboundPackets")
    );
    assert_eq!(get(&stats, "inbound.packets").as_f64(), Some(500.0));
    assert_eq!(get(&stats, "inbound.audioLevel").as_f64(), Some(0.25));
    assert_eq!(get(&stats, "outbound.audioLevel").as_f64(), Some(0.5));
    // 40 received, 10 lost in the next second: 20 % loss, and a low MOS.
    let (stats, changes) = q.take(&report(540, 10, 0.02), 1000.0, true, true);
    assert_eq!(get(&stats, "packetLossPercent").as_f64(), Some(20.0));
    let mos = get(&stats, "mos").as_f64().unwrap();
    assert!(mos > 1.0 && mos < 3.0, "{mos}");
    assert!(get(&stats, "mosUnavailable").is_undefined());
    let names: Vec<Warning> = changes.iter().map(|c| c.warning).collect();
    assert_eq!(names, [Warning::HighLoss, Warning::LowMos]);
    let ev = softphone_core::web::quality::quality_event(7, &changes[0]);
    assert_eq!(
        JSON::stringify(&ev).unwrap().as_string().unwrap(),
        r#"{"type":"quality","callId":7,"warning":"highLoss","active":true,"value":20}"#
    );
    let cleared = q.end();
    assert_eq!(cleared.len(), 2);
    assert!(!cleared[0].active);
}

#[wasm_bindgen_test]
async fn diagnose_rejects_a_malformed_argument() {
    for bad in [
        r#"{"servers":5}"#,
        r#"{"uri":"mailto:x"}"#,
        r#"{"timeout":-1}"#,
        r#"{"iceServers":[{"urls":"turn:h"}]}"#,
    ] {
        let err = JsFuture::from(diagnose(js(bad))).await.expect_err(bad);
        assert!(err.is_instance_of::<js_sys::TypeError>(), "{bad}: {err:?}");
        let msg = get(&err, "message").as_string().unwrap();
        assert!(msg.starts_with("diagnose: "), "{msg}");
    }
}

#[wasm_bindgen_test]
async fn diagnose_with_nothing_to_check_says_so_quickly() {
    let d = JsFuture::from(diagnose(js(r#"{"timeout":2}"#)))
        .await
        .unwrap();
    assert_eq!(get(&d, "websocket.length").as_f64(), Some(0.0));
    assert_eq!(get(&d, "ice.length").as_f64(), Some(0.0));
    assert_eq!(get(&d, "ok").as_bool(), Some(false));
    let verdict = js_sys::Array::from(&get(&d, "verdicts")).get(0);
    assert!(get(&verdict, "message")
        .as_string()
        .unwrap()
        .contains("no STUN or TURN server"));
}

fn check(url: &str, ok: bool, errors: Vec<(u16, String)>) -> IceCheck {
    IceCheck {
        url: IceUrl::parse(url).unwrap(),
        username: None,
        probe: IceProbe {
            first_wanted_ms: ok.then_some(80.0),
            errors,
            ..IceProbe::default()
        },
    }
}

fn verdict_of(checks: &[IceCheck], network: &str) -> (bool, String) {
    let unknown = NatMapping::Unknown {
        reason: String::new(),
    };
    let v = verdicts(checks, &unknown)
        .into_iter()
        .find(|v| v.network == network)
        .unwrap_or_else(|| panic!("no {network} verdict"));
    (v.ok, v.message)
}

#[wasm_bindgen_test]
fn verdicts_per_network_class() {
    // UDP TURN only: home and mobile work, TCP-only networks do not.
    let udp_only = [check("turn:t:3478?transport=udp", true, vec![])];
    assert!(verdict_of(&udp_only, "homeNat").0);
    assert!(verdict_of(&udp_only, "symmetricNat").0);
    assert!(!verdict_of(&udp_only, "udpBlocked").0);
    assert!(!verdict_of(&udp_only, "tcp443Only").0);

    // TLS on 443 works: every class works.
    let tls = [
        check("turn:t:3478?transport=udp", true, vec![]),
        check("turns:t:443?transport=tcp", true, vec![]),
    ];
    let (ok, msg) = verdict_of(&tls, "tcp443Only");
    assert!(
        ok && msg.contains("TURN over TLS on 443 needed and working"),
        "{msg}"
    );
    assert!(verdict_of(&tls, "udpBlocked").0);

    // STUN only: no relay for restrictive networks.
    let stun = [check("stun:s:3478", true, vec![])];
    let (ok, msg) = verdict_of(&stun, "symmetricNat");
    assert!(!ok && msg.contains("no relay"), "{msg}");
    assert!(verdict_of(&stun, "homeNat").0);

    // UDP dead, TCP alive: this network blocks UDP.
    let blocked = [
        check(
            "turn:t:3478?transport=udp",
            false,
            vec![(701, "timeout".into())],
        ),
        check("turn:t:3478?transport=tcp", true, vec![]),
    ];
    let (ok, msg) = verdict_of(&blocked, "thisNetwork");
    assert!(ok && msg.contains("UDP blocked"), "{msg}");

    // Refused credentials are named.
    let refused = [check(
        "turn:t:3478?transport=tcp",
        false,
        vec![(401, "Unauthorized".into())],
    )];
    assert_eq!(refused[0].status(), "authFailed");
    let (ok, msg) = verdict_of(&refused, "thisNetwork");
    assert!(
        !ok && msg.contains("401") && msg.contains("turn tcp t:3478"),
        "{msg}"
    );

    // Nothing configured.
    let (ok, msg) = verdict_of(&[], "thisNetwork");
    assert!(!ok && msg.contains("no STUN or TURN"), "{msg}");
}

fn srflx(port: u16) -> Mapping {
    Mapping {
        base: "1/0".into(),
        address: "10.99.2.1".into(),
        port,
        server: None,
    }
}

#[wasm_bindgen_test]
fn two_mappings_of_one_socket_make_a_symmetric_nat_verdict() {
    // Two STUN ports of one server answered; the shared socket got two mappings.
    let found = Findings {
        ws: vec![],
        ice: vec![
            check("stun:s:3478", true, vec![]),
            check("stun:s:3479", true, vec![]),
            check("turn:s:3478?transport=tcp", true, vec![]),
        ],
        mappings: vec![srflx(40001), srflx(52001)],
    };
    let nat = found.nat();
    assert_eq!(nat.name(), "symmetric");
    let this: Vec<_> = verdicts(&found.ice, &nat)
        .into_iter()
        .filter(|v| v.network == "thisNetwork")
        .collect();
    assert_eq!(this.len(), 1, "{this:?}");
    assert!(this[0].ok, "{this:?}");
    assert!(
        this[0]
            .message
            .starts_with("symmetric NAT: direct media will fail, calls need relay; the relay works (TURN over TCP/TLS)"),
        "{this:?}"
    );

    // The same without a working relay: not ok, and says so.
    let no_relay = Findings {
        ice: found.ice[..2].to_vec(),
        ..found.clone()
    };
    let v = verdicts(&no_relay.ice, &no_relay.nat());
    let this = v.iter().find(|v| v.network == "thisNetwork").unwrap();
    assert!(
        !this.ok && this.message.contains("no relay works"),
        "{this:?}"
    );
}

#[wasm_bindgen_test]
fn one_mapping_from_two_answering_ports_is_not_symmetric() {
    // The browser drops the identical second srflx candidate; the per-URL probes count
    // two answering endpoints (a TCP TURN URL does not count: it is not asked over UDP).
    let found = Findings {
        ws: vec![],
        ice: vec![
            check("stun:s:3478", true, vec![]),
            check("turn:s:3479?transport=udp", true, vec![]),
            check("turn:s:443?transport=tcp", true, vec![]),
        ],
        mappings: vec![srflx(40001)],
    };
    assert_eq!(found.nat().name(), "endpointIndependent");
    assert!(verdicts(&found.ice, &found.nat())
        .iter()
        .all(|v| !v.message.contains("direct media will fail")));
    // Only one UDP endpoint answered: unknown.
    let one = Findings {
        ice: vec![check("stun:s:3478", true, vec![])],
        ..found
    };
    assert_eq!(one.nat().name(), "unknown");
}
