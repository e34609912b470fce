//! `MediaAction::RelayOnly` before the call's first offer (the core knows the NAT is
//! symmetric): the peer connection is made with `iceTransportPolicy: 'relay'`, so it
//! gathers no host or server-reflexive candidate. Chrome and Firefox (`wasm-pack test`).

use js_sys::{Function, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use super::tests::{complete_sdp, session};
use crate::core::{Direction, MediaAction};

fn policy(pc: &web_sys::RtcPeerConnection) -> String {
    let get: Function = Reflect::get(pc, &"getConfiguration".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    let config = get.call0(pc).unwrap();
    Reflect::get(&config, &"iceTransportPolicy".into())
        .unwrap()
        .as_string()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn relay_only_before_the_first_offer_makes_a_relay_only_peer_connection() {
    let offer = || MediaAction::CreateOffer {
        direction: Direction::SendRecv,
        ice_restart: false,
        video: false,
    };
    let (relayed, r) = session(71);
    relayed.act(MediaAction::RelayOnly);
    relayed.act(offer());
    // No TURN server in these settings: relay-only gathers nothing at all.
    let sdp = complete_sdp(&r, 0).await;
    assert!(!sdp.contains("a=candidate:"), "{sdp}");
    let pc = relayed.peer_connection().expect("made by the offer");
    assert_eq!(policy(&pc), "relay");
    assert!(
        r.borrow()
            .logs
            .iter()
            .any(|l| l == "relay-only from the start"),
        "{:?}",
        r.borrow().logs
    );

    // Without it, the same settings give host candidates and the default policy.
    let (direct, d) = session(72);
    direct.act(offer());
    let sdp = complete_sdp(&d, 0).await;
    assert!(sdp.contains("a=candidate:"), "{sdp}");
    assert_eq!(policy(&direct.peer_connection().unwrap()), "all");
}
