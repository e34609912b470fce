//! The NAT-mapping decision behind `diagnose()`'s symmetric-NAT verdict: several STUN
//! endpoints' view of one local socket, as a browser reports it (one candidate per
//! distinct mapping), judged endpoint-independent, symmetric, no NAT, or unknown.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::nat::{classify, message, Mapping, NatMapping, NatObservation};

fn m(base: &str, address: &str, port: u16) -> Mapping {
    Mapping {
        base: base.to_owned(),
        address: address.to_owned(),
        port,
        server: None,
    }
}

fn seen(answered: usize, mappings: Vec<Mapping>) -> NatObservation {
    NatObservation {
        answered,
        mappings,
        no_nat: false,
    }
}

#[test]
fn two_ports_for_one_socket_is_symmetric() {
    let got = classify(&seen(
        2,
        vec![m("1/0", "10.99.2.1", 40001), m("1/0", "10.99.2.1", 61234)],
    ));
    assert_eq!(
        got,
        NatMapping::Symmetric {
            mapped: vec!["10.99.2.1:40001".into(), "10.99.2.1:61234".into()]
        }
    );
    assert!(got.needs_relay());
    assert_eq!(got.name(), "symmetric");
}

#[test]
fn two_addresses_for_one_socket_is_symmetric_too() {
    // A carrier NAT with a pool of public addresses: the port may even be kept.
    let got = classify(&seen(
        2,
        vec![m("1/0", "203.0.113.5", 5000), m("1/0", "203.0.113.9", 5000)],
    ));
    assert!(matches!(got, NatMapping::Symmetric { .. }), "{got:?}");
}

#[test]
fn one_mapping_from_two_answering_endpoints_is_endpoint_independent() {
    // The browser drops the second, identical srflx candidate: one left, two answered.
    let got = classify(&seen(2, vec![m("1/0", "198.51.100.7", 40001)]));
    assert_eq!(
        got,
        NatMapping::EndpointIndependent {
            mapped: "198.51.100.7:40001".into(),
            servers: 2
        }
    );
    assert!(!got.needs_relay());
}

#[test]
fn a_second_report_of_the_same_mapping_changes_nothing() {
    let got = classify(&seen(
        3,
        vec![
            m("1/0", "198.51.100.7", 40001),
            m("1/0", "198.51.100.7", 40001),
        ],
    ));
    assert!(
        matches!(got, NatMapping::EndpointIndependent { servers: 3, .. }),
        "{got:?}"
    );
}

#[test]
fn different_sockets_are_never_compared() {
    // Two interfaces (or two sockets) naturally have two mappings: not a symmetric NAT.
    let got = classify(&seen(
        2,
        vec![
            m("1/0", "198.51.100.7", 40001),
            m("2/0", "198.51.100.7", 40002),
        ],
    ));
    assert!(
        matches!(got, NatMapping::EndpointIndependent { .. }),
        "{got:?}"
    );
}

#[test]
fn one_answering_endpoint_cannot_tell() {
    let got = classify(&seen(1, vec![m("1/0", "198.51.100.7", 40001)]));
    match got {
        NatMapping::Unknown { reason } => assert!(reason.contains("two"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn no_answer_is_unknown_and_own_address_is_no_nat() {
    assert!(matches!(
        classify(&seen(0, vec![])),
        NatMapping::Unknown { .. }
    ));
    let own = NatObservation {
        answered: 2,
        mappings: vec![],
        no_nat: true,
    };
    assert_eq!(classify(&own), NatMapping::None);
}

#[test]
fn symmetric_evidence_wins_even_when_few_endpoints_are_counted() {
    // Two distinct mappings prove two endpoints answered, whatever the count says.
    let got = classify(&seen(
        0,
        vec![m("1/0", "10.99.2.1", 1), m("1/0", "10.99.2.1", 2)],
    ));
    assert!(got.needs_relay());
}

#[test]
fn ipv6_mappings_print_with_brackets() {
    let got = classify(&seen(
        2,
        vec![m("1/0", "2001:db8::1", 1), m("1/0", "2001:db8::1", 2)],
    ));
    assert_eq!(
        got,
        NatMapping::Symmetric {
            mapped: vec!["[2001:db8::1]:1".into(), "[2001:db8::1]:2".into()]
        }
    );
}

#[test]
fn the_message_says_relay_is_needed_and_whether_it_works() {
    let sym = NatMapping::Symmetric {
        mapped: vec!["10.99.2.1:1".into(), "10.99.2.1:2".into()],
    };
    let ok = message(&sym, Some("TURN over UDP"));
    assert!(
        ok.starts_with("symmetric NAT: direct media will fail, calls need relay"),
        "{ok}"
    );
    assert!(ok.contains("the relay works (TURN over UDP)"), "{ok}");
    let none = message(&sym, None);
    assert!(none.contains("no relay works"), "{none}");
    let open = message(
        &NatMapping::EndpointIndependent {
            mapped: "198.51.100.7:40001".into(),
            servers: 2,
        },
        None,
    );
    assert!(open.contains("direct media can work"), "{open}");
}
