//! Transcript tests of what a call owes after it ended (`Ending` in
//! `src/core/call/state.rs`): the BYE held back until the ACK of our 2xx, the BYE held
//! back until the flow is back, and the progress an outgoing call reports (ringing and
//! early media, each once, in either order).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{CallEvent, CallId, EndCause, MediaAction};
use support::*;

/// Registers, takes bob's INVITE and answers it: returns the call, bob, and our 200
/// (not ACKed yet).
fn answered(h: &mut Harness, peer: &Peer) -> (CallId, Vec<u8>) {
    let (call, ringing) = h.incoming_call(peer, Some(&remote_sdp("sendrecv")));
    assert_eq!(first_line(&ringing), "SIP/2.0 180 Ringing");
    h.events();
    h.ua.answer(call, Default::default(), h.now).unwrap();
    h.drain();
    assert!(matches!(h.take_media().1, MediaAction::CreateAnswer { .. }));
    h.local_description(call, SDP_HOST, true);
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    (call, ok)
}

#[test]
fn a_hangup_before_the_ack_sends_bye_after_it() {
    let mut h = Harness::new(config());
    let mut peer = Peer::new();
    let (call, ok) = answered(&mut h, &peer);
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    h.assert_ended(call, EndCause::LocalHangup);
    // RFC 3261 section 15: no BYE before the ACK.
    h.advance(ms(500));
    assert!(h.sent.is_empty(), "no BYE before the ACK");
    h.deliver(&peer.ack(&ok, None));
    let bye = h.take();
    assert!(bye.starts_with(b"BYE "), "{}", first_line(&bye));
    h.deliver(&peer.reply(&bye, 200, "OK", None, &[]));
    assert!(h.ua.calls().is_empty());
    h.advance(secs(40));
    assert!(
        h.sent.is_empty(),
        "nothing more: no retransmission, no second BYE"
    );
    h.assert_idle();
}

#[test]
fn a_hangup_before_an_ack_that_never_comes_sends_bye_at_the_ack_timeout() {
    let mut h = Harness::new(config());
    h.auto_pong = true;
    let peer = Peer::new();
    let (call, ok) = answered(&mut h, &peer);
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    assert_eq!(h.take_media().1, MediaAction::Close);
    let start = h.now;
    let bye = loop {
        let m = h.advance_until_sent(secs(40));
        if m != ok {
            break m;
        }
    };
    assert!(bye.starts_with(b"BYE "), "{}", first_line(&bye));
    assert!(h.now >= start + secs(32), "the BYE waited for 64*T1");
    h.deliver(&peer.reply(&bye, 200, "OK", None, &[]));
    assert!(h.ua.calls().is_empty());
    assert_eq!(
        h.call_events(call).last(),
        Some(&CallEvent::Ended(EndCause::LocalHangup)),
        "ended once, as the app asked"
    );
    h.assert_idle();
}

/// Closes the socket and lets `after` pass with the reconnect attempts failing.
fn outage(h: &mut Harness, after: std::time::Duration) {
    h.close(1006);
    let end = h.now + after;
    while h.now < end {
        h.advance(secs(1));
        let sent: Vec<String> = h.sent.iter().map(|m| first_line(m)).collect();
        assert!(sent.is_empty(), "sent without a flow: {sent:?}");
    }
}

/// The socket comes back and registers: what the calls owe goes out then.
fn back(h: &mut Harness) {
    h.open();
    let register = h.take();
    assert!(
        register.starts_with(b"REGISTER "),
        "{}",
        first_line(&register)
    );
    h.deliver(&Registrar::new().ok(&register, 600));
}

#[test]
fn an_ack_timeout_while_the_websocket_is_down_ends_the_call_and_byes_once_back() {
    let mut h = Harness::new(config());
    let peer = Peer::new();
    let (call, _ok) = answered(&mut h, &peer);
    outage(&mut h, secs(33));
    assert!(
        matches!(
            h.last_call_event(call),
            Some(CallEvent::Ended(EndCause::Failed { status: 408, .. }))
        ),
        "the app learns that the call failed: {:?}",
        h.call_events(call)
    );
    assert_eq!(h.take_media().1, MediaAction::Close);
    back(&mut h);
    let bye = h.take();
    assert!(bye.starts_with(b"BYE "), "{}", first_line(&bye));
    h.deliver(&peer.reply(&bye, 200, "OK", None, &[]));
    assert!(h.ua.calls().is_empty());
}

#[test]
fn a_hangup_before_the_ack_while_the_websocket_is_down_byes_once_back() {
    let mut h = Harness::new(config());
    let peer = Peer::new();
    let (call, _ok) = answered(&mut h, &peer);
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    assert_eq!(h.take_media().1, MediaAction::Close);
    outage(&mut h, secs(33));
    back(&mut h);
    let bye = h.take();
    assert!(bye.starts_with(b"BYE "), "{}", first_line(&bye));
    h.deliver(&peer.reply(&bye, 200, "OK", None, &[]));
    assert!(h.ua.calls().is_empty());
    assert_eq!(
        h.call_events(call).last(),
        Some(&CallEvent::Ended(EndCause::LocalHangup))
    );
}

#[test]
fn ringing_after_early_media_is_still_reported_once() {
    let mut h = Harness::new(config());
    let (call, invite) = h.outgoing_invite();
    let peer = Peer::new();
    let early = remote_sdp("sendrecv");
    h.deliver(&peer.reply(&invite, 183, "Session Progress", Some(&early), &[]));
    assert_eq!(
        h.take_media().1,
        MediaAction::ApplyAnswer {
            answer: early.clone(),
            provisional: true
        }
    );
    h.deliver(&peer.reply(&invite, 180, "Ringing", None, &[]));
    h.deliver(&peer.reply(&invite, 180, "Ringing", None, &[]));
    h.deliver(&peer.reply(&invite, 183, "Session Progress", Some(&early), &[]));
    assert!(h.media.is_empty(), "early media is applied once");
    assert_eq!(
        h.call_events(call)[1..],
        [CallEvent::EarlyMedia, CallEvent::Ringing],
        "each reported once"
    );
    h.assert_idle();
}

#[test]
fn early_media_after_ringing_is_still_applied_once() {
    let mut h = Harness::new(config());
    let (call, invite) = h.outgoing_invite();
    let peer = Peer::new();
    let early = remote_sdp("sendrecv");
    h.deliver(&peer.reply(&invite, 100, "Trying", None, &[]));
    h.deliver(&peer.reply(&invite, 180, "Ringing", None, &[]));
    h.deliver(&peer.reply(&invite, 183, "Session Progress", Some(&early), &[]));
    h.deliver(&peer.reply(&invite, 183, "Session Progress", Some(&early), &[]));
    h.deliver(&peer.reply(&invite, 180, "Ringing", None, &[]));
    assert_eq!(
        h.take_media().1,
        MediaAction::ApplyAnswer {
            answer: early,
            provisional: true
        }
    );
    assert!(h.media.is_empty(), "early media is applied once");
    assert_eq!(
        h.call_events(call)[1..],
        [CallEvent::Ringing, CallEvent::EarlyMedia],
        "each reported once"
    );
    h.assert_idle();
}
