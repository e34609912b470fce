//! Transcript tests of the pre-warming policy on virtual time: warm once registered,
//! replaced every minute, dropped when hidden, on a network change, when the flow is
//! lost and on stop; adopted by the next audio call (announced before the call's first
//! media action), not by video calls; nothing warmed while a call lives.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail
mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{CallOptions, Config, Input, MediaAction, PrewarmAction};
use support::*;

fn prewarm_config() -> Config {
    let mut c = config();
    c.prewarm = true;
    c.ice_has_turn = true;
    c
}

fn discard(reason: &'static str) -> PrewarmAction {
    PrewarmAction::Discard { reason }
}

/// A registered phone with auto-pong; the pre-warm actions so far are taken.
fn registered() -> Harness {
    let mut h = Harness::new(prewarm_config());
    h.auto_pong = true;
    h.register(600);
    assert_eq!(
        h.prewarm,
        vec![PrewarmAction::Warm { relay_only: false }],
        "warm once registered"
    );
    h.prewarm.clear();
    h
}

#[test]
fn warms_once_registered_and_replaces_it_every_minute() {
    let mut h = Harness::new(prewarm_config());
    h.auto_pong = true;
    h.start();
    h.open();
    assert!(h.prewarm.is_empty(), "not before the registration");
    let mut registrar = Registrar::new();
    let first = h.take();
    h.deliver(&registrar.challenge(&first, false));
    let second = h.take();
    h.deliver(&registrar.ok(&second, 600));
    assert_eq!(h.prewarm, vec![PrewarmAction::Warm { relay_only: false }]);
    h.prewarm.clear();
    h.advance(secs(59));
    assert!(h.prewarm.is_empty());
    h.advance(secs(1));
    assert_eq!(
        h.prewarm,
        vec![
            discard("a minute old"),
            PrewarmAction::Warm { relay_only: false }
        ]
    );
}

#[test]
fn the_next_audio_call_adopts_it_before_its_offer_and_nothing_warms_until_it_ends() {
    let mut h = registered();
    let call = h.ua.call("bob", CallOptions::default(), h.now).unwrap();
    h.drain();
    let adopt = h
        .steps
        .iter()
        .position(|s| *s == Step::Prewarm(PrewarmAction::Adopt { call }))
        .expect("adopted");
    let offer = h
        .steps
        .iter()
        .position(|s| matches!(s, Step::Media(c, MediaAction::CreateOffer { .. }) if *c == call))
        .expect("an offer");
    assert!(adopt < offer, "the adoption comes before the offer");
    h.prewarm.clear();
    // A minute passes during the call: nothing is warmed or rotated.
    h.advance(secs(61));
    assert!(h.prewarm.is_empty(), "{:?}", h.prewarm);
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    assert_eq!(
        h.prewarm,
        vec![PrewarmAction::Warm { relay_only: false }],
        "warm again once no call is left"
    );
}

#[test]
fn an_answered_call_adopts_it_too_and_a_video_call_does_not() {
    let mut h = registered();
    let peer = Peer::new();
    h.deliver(&peer.invite(Some(&remote_sdp("sendrecv")), &[]));
    let call = *h.ua.calls().first().unwrap();
    assert!(h.prewarm.is_empty(), "ringing adopts nothing yet");
    h.ua.answer(call, Default::default(), h.now).unwrap();
    h.drain();
    assert_eq!(h.prewarm, vec![PrewarmAction::Adopt { call }]);
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    h.prewarm.clear();
    h.advance(secs(1));

    // The pool was refilled after the call; a video call leaves it alone.
    assert!(h.prewarm.is_empty());
    let options = CallOptions {
        video: true,
        ..Default::default()
    };
    let video = h.ua.call("bob", options, h.now).unwrap();
    h.drain();
    assert!(h.prewarm.is_empty(), "{:?}", h.prewarm);
    h.ua.hangup(video, h.now).unwrap();
    h.drain();
    assert!(
        h.prewarm.is_empty(),
        "the warm one is still there: nothing to make"
    );
}

#[test]
fn dropped_when_hidden_and_made_again_when_visible() {
    let mut h = registered();
    h.input(Input::PageHidden);
    assert_eq!(h.prewarm, vec![discard("the page is hidden")]);
    h.advance(secs(120));
    assert_eq!(h.prewarm.len(), 1, "no rotation while hidden");
    h.input(Input::PageVisible);
    assert_eq!(h.prewarm[1..], [PrewarmAction::Warm { relay_only: false }]);
}

#[test]
fn the_flow_lost_drops_it_and_the_next_registration_warms_again() {
    let mut h = registered();
    h.close(1006);
    assert_eq!(
        h.prewarm,
        vec![discard("the connection to the SIP server was lost")]
    );
    h.prewarm.clear();
    let delay = match connection_events(&h.take_events()).last() {
        Some(softphone_core::core::ConnectionEvent::Reconnecting { delay, .. }) => *delay,
        other => panic!("{other:?}"),
    };
    h.advance(delay);
    h.open();
    let req = h.take();
    h.deliver(&Registrar::new().ok(&req, 600));
    assert_eq!(h.prewarm, vec![PrewarmAction::Warm { relay_only: false }]);
}

#[test]
fn a_network_change_replaces_it() {
    let mut h = registered();
    // offline: the flow stays (it may come back), the candidates may not.
    h.input(Input::NetworkOffline);
    assert_eq!(
        h.prewarm,
        vec![
            discard("the network went offline"),
            PrewarmAction::Warm { relay_only: false }
        ]
    );
    h.prewarm.clear();
    // online: the flow is replaced at once; warm again once registered on the new one.
    h.input(Input::NetworkOnline);
    assert_eq!(h.prewarm, vec![discard("the network changed (online)")]);
    h.open();
    let req = h.take();
    h.deliver(&Registrar::new().ok(&req, 600));
    assert_eq!(h.prewarm[1..], [PrewarmAction::Warm { relay_only: false }]);
}

#[test]
fn stop_drops_it_and_nothing_is_warmed_without_stun_or_turn() {
    let mut h = registered();
    h.stop();
    assert_eq!(h.prewarm, vec![discard("the phone stopped")]);

    let mut c = config();
    c.prewarm = true;
    let mut h = Harness::new(c);
    h.register(600);
    h.advance(secs(120));
    assert!(h.prewarm.is_empty(), "nothing to warm with");
}
