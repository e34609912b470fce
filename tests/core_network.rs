//! Transcripts through the virtual network (`support/net.rs`): the reconnect,
//! Timer F and ICE-restart policies when messages take time, get lost, overtake
//! each other, and the network goes away for a while.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

// The same transcripts run in the browser (wasm-pack test) as on the host.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{
    CallEvent, ConnectionEvent, DisconnectReason, IceState, Input, MediaAction, RegistrationEvent,
};
use support::*;

/// Registers through the network: REGISTER, 401, REGISTER with credentials, 200.
fn register_over_the_network(h: &mut Harness, registrar: &mut Registrar, expires: u32) {
    let first = h.advance_until_sent(secs(60));
    assert!(first.starts_with(b"REGISTER "), "{}", first_line(&first));
    h.transmit(&registrar.challenge(&first, false));
    let second = h.advance_until_sent(secs(5));
    registrar.check_auth(&second, PASSWORD);
    h.transmit(&registrar.ok(&second, expires));
    h.advance(ms(500));
    assert_eq!(
        registration_events(h.events()).last(),
        Some(&RegistrationEvent::Registered { expires })
    );
}

/// The connection events since the last look, taken.
fn take_connection_events(h: &mut Harness) -> Vec<ConnectionEvent> {
    connection_events(&h.take_events())
}

#[test]
fn a_call_survives_an_outage_then_reregisters_and_refreshes_its_dialog() {
    let mut h = Harness::new(config());
    let (call, peer) = h.connected_call(&[]);
    h.input(Input::IceState {
        call,
        state: IceState::Connected,
    });
    h.take_events();
    // 40-70 ms each way; the network is gone from t+5 s to t+9 s.
    let start = h.now;
    let net = Net::new(1)
        .delay(ms(40), ms(30))
        .with_open(h.socket.unwrap());
    h.net = Some(net.outage(start + secs(5), start + secs(9)));
    h.advance(secs(5));
    let lost = take_connection_events(&mut h);
    assert_eq!(
        lost[0],
        ConnectionEvent::Disconnected {
            url: URL.into(),
            reason: DisconnectReason::Closed {
                code: 1006,
                reason: String::new()
            },
        }
    );
    // Every attempt during the outage fails; backoff spaces them out.
    h.advance(secs(4));
    let attempts = take_connection_events(&mut h);
    let failed = attempts
        .iter()
        .filter(|e| matches!(e, ConnectionEvent::Disconnected { .. }))
        .count();
    assert!((1..=4).contains(&failed), "{attempts:?}");
    assert!(h.ua.calls().contains(&call), "the call is still up");
    assert_eq!(h.call_events(call), vec![], "and untouched");
    // Back: the next attempt opens, registers first, then the call refreshes its
    // dialog with the same SDP (its media never broke): a target refresh.
    let mut registrar = Registrar::new();
    register_over_the_network(&mut h, &mut registrar, 600);
    assert!(h.now >= start + secs(9), "not before the network is back");
    let refresh = h.advance_until_sent(secs(5));
    assert!(
        refresh.starts_with(b"INVITE sip:bob@198.51.100.2"),
        "{}",
        first_line(&refresh)
    );
    assert!(String::from_utf8_lossy(&refresh).ends_with(SDP_HOST));
    h.transmit(&peer.reply(&refresh, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    let ack = h.advance_until_sent(secs(1));
    assert!(ack.starts_with(b"ACK "), "{}", first_line(&ack));
    assert_eq!(h.call_events(call), vec![], "the call never noticed");
    h.take_events();
    h.assert_idle();
}

#[test]
fn media_lost_in_an_outage_restarts_ice_once_the_flow_is_registered_again() {
    let mut h = Harness::new(config());
    let (call, peer) = h.connected_call(&[]);
    let start = h.now;
    let net = Net::new(2)
        .delay(ms(30), ms(20))
        .with_open(h.socket.unwrap());
    h.net = Some(net.outage(start + secs(1), start + secs(6)));
    h.advance(secs(1));
    // The same network change takes the media down.
    h.input(Input::IceState {
        call,
        state: IceState::Disconnected,
    });
    h.advance(secs(3));
    assert_eq!(h.last_call_event(call), Some(CallEvent::Reconnecting));
    assert!(h.media.is_empty(), "no ICE restart without signalling");
    let mut registrar = Registrar::new();
    register_over_the_network(&mut h, &mut registrar, 600);
    // Registered again: now the ICE restart.
    assert!(matches!(
        h.take_media(),
        (c, MediaAction::CreateOffer { ice_restart: true, .. }) if c == call
    ));
    h.local_description(call, &sdp_with_relay(), true);
    let reinvite = h.advance_until_sent(secs(1));
    assert!(
        reinvite.starts_with(b"INVITE "),
        "{}",
        first_line(&reinvite)
    );
    h.transmit(&peer.reply(&reinvite, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    assert!(h.advance_until_sent(secs(1)).starts_with(b"ACK "));
    assert!(matches!(h.take_media().1, MediaAction::ApplyAnswer { .. }));
    h.input(Input::IceState {
        call,
        state: IceState::Connected,
    });
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    h.take_events();
    h.assert_idle();
}

#[test]
fn lost_responses_to_a_refresh_end_in_timer_f_and_a_new_flow() {
    let mut h = Harness::new(config());
    h.net = Some(Net::new(3).delay(ms(25), ms(10)));
    h.start();
    let mut registrar = Registrar::new();
    register_over_the_network(&mut h, &mut registrar, 120);
    h.take_events();
    // From now on nothing reaches the phone: its refresh goes out, the 200 is lost.
    h.net.as_mut().unwrap().loss_to_ua = 1000;
    let refresh = h.advance_until_sent(secs(120));
    let sent_at = h.now;
    h.transmit(&registrar.ok(&refresh, 120));
    assert_eq!(h.net.as_ref().unwrap().lost, 1);
    // Timer F (32 s): the registrar did not answer, so the flow is suspect and replaced.
    h.advance(secs(31));
    assert_eq!(h.connects.len(), 1, "not before Timer F");
    h.net.as_mut().unwrap().loss_to_ua = 0;
    h.advance(secs(2));
    assert_eq!(h.connects.len(), 2, "a new flow after Timer F");
    let events = h.take_events();
    assert!(
        matches!(
            registration_events(&events)[..],
            [
                RegistrationEvent::Failed { status: 408, .. },
                RegistrationEvent::Registering
            ]
        ),
        "{events:?}"
    );
    assert!(connection_events(&events)
        .iter()
        .any(|e| matches!(e, ConnectionEvent::Disconnected { .. })));
    assert!(h.now >= sent_at + secs(32));
    // The new flow registers again (the registrar challenges afresh).
    register_over_the_network(&mut h, &mut registrar, 120);
    h.take_events();
    h.assert_idle();
}

#[test]
fn a_200_that_overtakes_its_180_leaves_the_call_connected() {
    let mut h = Harness::new(config());
    let (call, invite) = h.outgoing_invite();
    h.net = Some(
        Net::new(4)
            .delay(ms(20), ms(0))
            .with_open(h.socket.unwrap()),
    );
    let peer = Peer::new();
    // The 180 takes a slow path; the 200 sent after it arrives first.
    h.transmit_late(&peer.reply(&invite, 180, "Ringing", None, &[]), ms(200));
    h.transmit(&peer.reply(&invite, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    let ack = h.advance_until_sent(secs(1));
    assert!(ack.starts_with(b"ACK "), "{}", first_line(&ack));
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    h.advance(secs(1));
    assert_eq!(
        h.call_events(call)[1..],
        [CallEvent::Connected],
        "the late 180 rings nothing"
    );
    assert!(matches!(h.take_media().1, MediaAction::ApplyAnswer { .. }));
    h.assert_idle();
}

#[test]
fn one_seed_one_transcript_through_a_jittery_lossy_network() {
    let run = |seed: u64| {
        let mut h = Harness::new(config());
        let mut net = Net::new(seed).delay(ms(10), ms(300));
        net.loss_to_peers = 200;
        h.net = Some(net);
        h.start();
        // Keepalives and registrations through the network for a few minutes; the
        // registrar answers whatever arrives.
        let mut registrar = Registrar::new();
        let end = h.now + secs(300);
        while h.now < end {
            h.advance(secs(1));
            while let Some(req) = h.sent.pop_front() {
                if header(&req, "Authorization").is_some() {
                    h.transmit(&registrar.ok(&req, 60));
                } else {
                    h.transmit(&registrar.challenge(&req, false));
                }
            }
        }
        let lost = h.net.as_ref().unwrap().lost;
        (h.steps, h.wire, lost, h.now)
    };
    let a = run(5);
    assert!(a.2 > 0, "some messages were lost");
    assert_eq!(a, run(5));
    assert_ne!(a.0, run(6).0, "another seed, another transcript");
}
