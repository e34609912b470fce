//! Transcript tests of the symmetric-NAT policy (`core::prewarm`, on virtual time): the
//! NAT is probed once registered with TURN and again on each network; a symmetric
//! verdict (from the probe, or from a call's own candidates) replaces the warm peer
//! connection by a relay-only one and makes every new call relay-only before its first
//! offer or answer; a late answer from another network, an inconclusive one, or a phone
//! without TURN changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail
mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::nat::{Mapping, NatObservation};
use softphone_core::core::{CallId, CallOptions, Config, Input, MediaAction, PrewarmAction};
use support::*;

fn turn_config() -> Config {
    let mut c = config();
    c.prewarm = true;
    c.ice_has_turn = true;
    c
}

fn mapping(port: u16, server: &str) -> Mapping {
    Mapping {
        base: "1/54321".into(),
        address: "198.51.100.7".into(),
        port,
        server: Some(server.into()),
    }
}

/// What the browser saw behind a symmetric NAT: one socket, two public ports.
fn symmetric() -> NatObservation {
    NatObservation {
        answered: 0,
        mappings: vec![mapping(40001, "stun:a:3478"), mapping(52774, "stun:a:3479")],
        no_nat: false,
    }
}

/// What it saw behind an endpoint-independent NAT: one candidate for every server.
fn one_mapping() -> NatObservation {
    NatObservation {
        answered: 0,
        mappings: vec![mapping(40001, "stun:a:3478")],
        no_nat: false,
    }
}

fn warm(relay_only: bool) -> PrewarmAction {
    PrewarmAction::Warm { relay_only }
}

/// Registered with TURN: probe 1 asked and a direct warm-up made; both taken.
fn registered() -> Harness {
    let mut h = Harness::new(turn_config());
    h.auto_pong = true;
    h.register(600);
    assert_eq!(h.nat_probes, vec![1], "the NAT is probed once registered");
    assert_eq!(h.prewarm, vec![warm(false)]);
    h.prewarm.clear();
    h
}

fn observe(h: &mut Harness, probe: u32, observation: &NatObservation) {
    h.input(Input::NatObserved { probe, observation });
}

/// The media actions of `call` from the steps, in order (adoption included).
fn first_steps(h: &Harness, call: CallId) -> Vec<String> {
    h.steps
        .iter()
        .filter_map(|s| match s {
            Step::Prewarm(PrewarmAction::Adopt { call: c }) if *c == call => {
                Some("adopt".to_string())
            }
            Step::Prewarm(PrewarmAction::Discard { reason }) => Some(format!("discard: {reason}")),
            Step::Media(c, MediaAction::RelayOnly) if *c == call => Some("relay-only".into()),
            Step::Media(c, MediaAction::CreateOffer { .. }) if *c == call => Some("offer".into()),
            Step::Media(c, MediaAction::CreateAnswer { .. }) if *c == call => Some("answer".into()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_symmetric_nat_makes_the_warm_one_and_every_call_relay_only() {
    let mut h = registered();
    observe(&mut h, 1, &symmetric());
    assert_eq!(
        h.prewarm,
        vec![
            PrewarmAction::Discard {
                reason: "the NAT is symmetric: warming relay-only"
            },
            warm(true)
        ]
    );
    assert!(
        h.logs.iter().any(|(_, l)| l.contains("symmetric NAT")
            && l.contains("198.51.100.7:40001, 198.51.100.7:52774")
            && l.contains("relay-only")),
        "{:?}",
        h.logs
    );
    h.steps.clear();
    let call = h.ua.call("bob", CallOptions::default(), h.now).unwrap();
    h.drain();
    assert_eq!(
        first_steps(&h, call),
        ["adopt", "relay-only", "offer"],
        "the relay-only warm peer connection is adopted, and the call is relay-only before its offer"
    );
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    assert_eq!(
        h.prewarm.last(),
        Some(&warm(true)),
        "warmed relay-only again"
    );

    // An incoming call too, before its answer.
    let peer = Peer::new();
    h.deliver(&peer.invite(Some(&remote_sdp("sendrecv")), &[]));
    let incoming = *h.ua.calls().first().unwrap();
    h.steps.clear();
    h.ua.answer(incoming, Default::default(), h.now).unwrap();
    h.drain();
    assert_eq!(first_steps(&h, incoming), ["adopt", "relay-only", "answer"]);
}

#[test]
fn an_inconclusive_answer_changes_nothing() {
    let mut h = registered();
    observe(&mut h, 1, &one_mapping());
    assert!(h.prewarm.is_empty(), "{:?}", h.prewarm);
    h.steps.clear();
    let call = h.ua.call("bob", CallOptions::default(), h.now).unwrap();
    h.drain();
    assert_eq!(first_steps(&h, call), ["adopt", "offer"]);
    assert_eq!(h.nat_probes, vec![1], "probed once on this network");
}

#[test]
fn each_network_is_probed_and_a_late_answer_from_the_last_one_is_ignored() {
    let mut h = registered();
    h.input(Input::NetworkOffline);
    assert_eq!(
        h.nat_probes,
        vec![1, 2],
        "probed again after a network change"
    );
    // Probe 1's answer comes after the change: it says nothing of this network.
    observe(&mut h, 1, &symmetric());
    assert!(
        !h.prewarm.iter().any(|a| *a == warm(true)),
        "{:?}",
        h.prewarm
    );
    h.steps.clear();
    let call = h.ua.call("bob", CallOptions::default(), h.now).unwrap();
    h.drain();
    assert_eq!(first_steps(&h, call), ["adopt", "offer"]);
    h.ua.hangup(call, h.now).unwrap();
    h.drain();

    // Probe 2's answer is taken; then a new network forgets it again.
    observe(&mut h, 2, &symmetric());
    assert_eq!(h.prewarm.last(), Some(&warm(true)));
    h.input(Input::NetworkOffline);
    assert_eq!(h.prewarm.last(), Some(&warm(false)), "{:?}", h.prewarm);
    assert_eq!(h.nat_probes, vec![1, 2, 3]);
}

#[test]
fn a_calls_own_candidates_show_a_symmetric_nat_and_the_next_call_is_relay_only() {
    let mut h = registered();
    let call = h.ua.call("bob", CallOptions::default(), h.now).unwrap();
    h.drain();
    let sdp = format!(
        "{}a=candidate:2 1 udp 1686052607 198.51.100.7 40001 typ srflx raddr 192.0.2.10 rport 50000 generation 0 network-id 1\r\n\
a=candidate:2 1 udp 1686052607 198.51.100.7 52774 typ srflx raddr 192.0.2.10 rport 50000 generation 0 network-id 1\r\n",
        sdp_with_relay()
    );
    h.local_description(call, &sdp, true);
    assert!(
        h.logs.iter().any(|(_, l)| l.contains("symmetric NAT")),
        "{:?}",
        h.logs
    );
    // The far end is busy: the call is over.
    let invite = h.take();
    h.deliver(&Peer::new().reply(&invite, 486, "Busy Here", None, &[]));
    assert_eq!(h.prewarm.last(), Some(&warm(true)), "{:?}", h.prewarm);
    h.steps.clear();
    let next = h.ua.call("bob", CallOptions::default(), h.now).unwrap();
    h.drain();
    assert_eq!(first_steps(&h, next), ["adopt", "relay-only", "offer"]);
}

#[test]
fn a_verdict_while_hidden_makes_the_next_warm_up_relay_only() {
    // The verdict comes while the page is hidden: nothing is warm, nothing to replace;
    // the warm-up made when it is shown again is relay-only.
    let mut h = registered();
    h.input(Input::PageHidden);
    observe(&mut h, 1, &symmetric());
    h.input(Input::PageVisible);
    assert_eq!(h.prewarm.last(), Some(&warm(true)), "{:?}", h.prewarm);
}

#[test]
fn without_turn_there_is_no_probe_and_no_relay_only_call() {
    let mut c = turn_config();
    c.ice_has_turn = false;
    c.ice_has_stun = true;
    let mut h = Harness::new(c);
    h.auto_pong = true;
    h.register(600);
    assert!(h.nat_probes.is_empty());
    let call = h.ua.call("bob", CallOptions::default(), h.now).unwrap();
    h.drain();
    let sdp = format!(
        "{SDP_HOST}a=candidate:2 1 udp 1686052607 198.51.100.7 40001 typ srflx raddr 192.0.2.10 rport 50000 network-id 1\r\n\
a=candidate:2 1 udp 1686052607 198.51.100.7 52774 typ srflx raddr 192.0.2.10 rport 50000 network-id 1\r\n"
    );
    h.local_description(call, &sdp, true);
    assert!(
        h.logs
            .iter()
            .any(|(_, l)| l.contains("symmetric NAT") && l.contains("no TURN server")),
        "{:?}",
        h.logs
    );
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    h.steps.clear();
    let next = h.ua.call("bob", CallOptions::default(), h.now).unwrap();
    h.drain();
    assert!(!first_steps(&h, next).contains(&"relay-only".to_string()));
}
