//! Transcript tests of attended transfer (RFC 5589): our REFER with `?Replaces=` and its
//! outcomes (success ending both calls, in either order of the target's BYE and the
//! final NOTIFY; a failure NOTIFY; a refused REFER; no outcome in time), and misuse.
//! The receiving side (INVITE and REFER with Replaces) is in `core_replaces.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{
    CallError, CallEvent, CallId, Direction, EndCause, HoldState, MediaAction,
};
use support::*;

/// A second connected outgoing call, to `user`, whose far end tags its side `tag`.
fn second_call(h: &mut Harness, user: &str, tag: &str) -> (CallId, Peer, Vec<u8>) {
    let call = h.ua.call(user, Default::default(), h.now).unwrap();
    h.drain();
    assert!(matches!(h.take_media().1, MediaAction::CreateOffer { .. }));
    h.local_description(call, SDP_HOST, true);
    let invite = h.take();
    let mut peer = Peer::new();
    peer.tag = tag.into();
    h.deliver(&peer.reply(&invite, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    assert!(h.take().starts_with(b"ACK "));
    assert!(matches!(h.take_media().1, MediaAction::ApplyAnswer { .. }));
    let call_id = header(&invite, "Call-ID").unwrap();
    assert_eq!(
        h.call_events(call),
        [
            CallEvent::Calling {
                target: format!("sip:{user}@softphone.test"),
                call_id: call_id.trim().to_string(),
            },
            CallEvent::Connected
        ]
    );
    (call, peer, invite)
}

/// Transfers `bob_call` to `carol_call` (attended): returns the REFER it sent.
fn attended_refer(h: &mut Harness, bob_call: CallId, carol_call: CallId) -> Vec<u8> {
    h.ua.attended_transfer(bob_call, carol_call, h.now).unwrap();
    h.drain();
    h.take()
}

/// Our tag in a request we sent (its From tag).
fn from_tag(msg: &[u8]) -> String {
    let from = header(msg, "From").unwrap();
    from.split(";tag=").nth(1).unwrap().to_string()
}

/// Bob's call put on hold (re-INVITE sendonly, answered recvonly).
fn hold(h: &mut Harness, call: CallId, peer: &Peer) {
    h.ua.hold(call, h.now).unwrap();
    h.drain();
    h.take_media();
    h.local_description(call, &SDP_HOST.replace("a=sendrecv", "a=sendonly"), true);
    let reinvite = h.take();
    h.deliver(&peer.reply(&reinvite, 200, "OK", Some(&remote_sdp("recvonly")), &[]));
    assert!(h.take().starts_with(b"ACK "));
    h.take_media();
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::Hold(HoldState {
            local: true,
            remote: false
        }))
    );
}

#[test]
fn attended_transfer_refers_with_replaces_and_ends_both_calls_as_transferred() {
    let mut h = Harness::new(config());
    let (bob_call, mut bob, bob_invite) = h.connected_dialog();
    hold(&mut h, bob_call, &bob);
    let (carol_call, mut carol, carol_invite) = second_call(&mut h, "carol", "caroltag");
    let refer = attended_refer(&mut h, bob_call, carol_call);
    assert_eq!(
        first_line(&refer),
        "REFER sip:bob@198.51.100.2:5060;transport=udp SIP/2.0",
        "on the transferee's dialog"
    );
    let call_id = header(&carol_invite, "Call-ID").unwrap();
    let our_tag = from_tag(&carol_invite);
    assert_eq!(
        header(&refer, "Refer-To").unwrap(),
        format!(
            "<sip:carol@softphone.test?Replaces={call_id}%3Bto-tag%3Dcaroltag%3Bfrom-tag%3D{our_tag}>"
        ),
        "the target's address, and the dialog with it as the target sees it"
    );
    assert_header(&refer, "Referred-By", "<sip:alice@softphone.test>");
    assert_eq!(
        h.ua.attended_transfer(bob_call, carol_call, h.now),
        Err(CallError::InvalidState("a transfer is already under way"))
    );
    h.deliver(&bob.reply(&refer, 202, "Accepted", None, &[]));
    assert_eq!(h.last_call_event(bob_call), Some(progress(202, "Accepted")));
    h.deliver_answered(&bob.refer_notify(&bob_invite, "SIP/2.0 100 Trying", "active"));
    assert_eq!(h.last_call_event(bob_call), Some(progress(100, "Trying")));
    // Carol took bob's INVITE with Replaces and hangs up her call with us.
    h.deliver_answered(&carol.in_dialog("BYE", &carol_invite, None, &[]));
    h.assert_ended(carol_call, EndCause::Transferred);
    h.deliver_answered(&bob.refer_notify(
        &bob_invite,
        "SIP/2.0 200 OK",
        "terminated;reason=noresource",
    ));
    let bye = h.take();
    assert_eq!(
        first_line(&bye),
        "BYE sip:bob@198.51.100.2:5060;transport=udp SIP/2.0"
    );
    let events = h.call_events(bob_call);
    assert_eq!(
        events[events.len() - 2..],
        [progress(200, "OK"), CallEvent::Ended(EndCause::Transferred)]
    );
    assert_eq!(h.take_media(), (bob_call, MediaAction::Close));
    h.deliver(&bob.reply(&bye, 200, "OK", None, &[]));
    assert!(h.ua.calls().is_empty());
    h.assert_idle();
}

#[test]
fn a_successful_notify_before_the_targets_bye_hangs_up_both_calls() {
    let mut h = Harness::new(config());
    let (bob_call, mut bob, bob_invite) = h.connected_dialog();
    let (carol_call, _carol, _) = second_call(&mut h, "carol", "caroltag");
    let refer = attended_refer(&mut h, bob_call, carol_call);
    h.deliver(&bob.reply(&refer, 202, "Accepted", None, &[]));
    h.deliver_answered(&bob.refer_notify(&bob_invite, "SIP/2.0 200 OK", "terminated"));
    assert!(h.take().starts_with(b"BYE sip:bob@"));
    assert!(
        h.take().starts_with(b"BYE sip:bob@198.51.100.2"),
        "carol's call (her Contact)"
    );
    for call in [bob_call, carol_call] {
        h.assert_ended(call, EndCause::Transferred);
    }
    h.call_events(bob_call);
    h.assert_idle();
}

#[test]
fn a_failed_transfer_leaves_both_calls_as_they_were() {
    let mut h = Harness::new(config());
    let (bob_call, mut bob, bob_invite) = h.connected_dialog();
    hold(&mut h, bob_call, &bob);
    let (carol_call, mut carol, carol_invite) = second_call(&mut h, "carol", "caroltag");
    let refer = attended_refer(&mut h, bob_call, carol_call);
    h.deliver(&bob.reply(&refer, 202, "Accepted", None, &[]));
    h.deliver_answered(&bob.refer_notify(
        &bob_invite,
        "SIP/2.0 503 Service Unavailable",
        "terminated",
    ));
    assert_eq!(
        h.call_events(bob_call)[4..],
        [
            progress(202, "Accepted"),
            progress(503, "Service Unavailable")
        ][..],
        "nothing else: bob stays held"
    );
    assert!(h.sent.is_empty(), "no BYE");
    assert_eq!(h.ua.calls(), vec![bob_call, carol_call]);
    // Resuming bob works; carol hanging up now is an ordinary hang-up.
    h.ua.resume(bob_call, h.now).unwrap();
    h.drain();
    assert_eq!(h.take_media().1, offer(Direction::SendRecv));
    h.deliver_answered(&carol.in_dialog("BYE", &carol_invite, None, &[]));
    h.assert_ended(carol_call, EndCause::RemoteHangup);
    h.assert_idle();
}

#[test]
fn a_refused_refer_or_no_outcome_in_time_fails_the_transfer_and_it_can_be_tried_again() {
    let (mut h, bob_call, mut bob) = Harness::in_call(&[]);
    let bob_invite = h.sent_log_first_invite();
    let (carol_call, _carol, _) = second_call(&mut h, "carol", "caroltag");
    let refer = attended_refer(&mut h, bob_call, carol_call);
    h.deliver(&bob.reply(&refer, 403, "Forbidden", None, &[]));
    assert_eq!(
        h.last_call_event(bob_call),
        Some(progress(403, "Forbidden"))
    );
    // Again: accepted, one NOTIFY 180 (re-arming the wait), then nothing.
    let refer = attended_refer(&mut h, bob_call, carol_call);
    h.deliver(&bob.reply(&refer, 202, "Accepted", None, &[]));
    h.advance(secs(30));
    h.deliver_answered(&bob.refer_notify(&bob_invite, "SIP/2.0 180 Ringing", "active"));
    h.advance(secs(59));
    assert_eq!(h.last_call_event(bob_call), Some(progress(180, "Ringing")));
    h.advance(secs(1));
    assert_eq!(
        h.last_call_event(bob_call),
        Some(progress(408, "Transfer Timed Out"))
    );
    assert_eq!(h.ua.calls(), vec![bob_call, carol_call]);
    // A third try is allowed, and a blind one too once that one is over.
    let refer = attended_refer(&mut h, bob_call, carol_call);
    assert!(refer.starts_with(b"REFER "));
    assert!(h.ua.transfer(bob_call, "dave", h.now).is_err());
    h.deliver(&bob.reply(&refer, 603, "Declined", None, &[]));
    h.ua.transfer(bob_call, "dave", h.now).unwrap();
    h.drain();
    assert_eq!(
        header(&h.take(), "Refer-To").unwrap(),
        "<sip:dave@softphone.test>"
    );
    h.call_events(bob_call);
    h.assert_idle();
}

#[test]
fn attended_transfer_misuse_is_a_typed_error() {
    let mut h = Harness::new(config());
    let (bob_call, _bob) = h.connected_call(&[]);
    assert_eq!(
        h.ua.attended_transfer(bob_call, bob_call, h.now),
        Err(CallError::InvalidValue(
            "a call cannot be transferred to itself".into()
        ))
    );
    assert_eq!(
        h.ua.attended_transfer(bob_call, CallId(99), h.now),
        Err(CallError::NoSuchCall)
    );
    let ringing = h.ua.call("carol", Default::default(), h.now).unwrap();
    h.drain();
    h.take_media();
    assert!(matches!(
        h.ua.attended_transfer(bob_call, ringing, h.now),
        Err(CallError::InvalidState(_))
    ));
    assert!(matches!(
        h.ua.attended_transfer(ringing, bob_call, h.now),
        Err(CallError::InvalidState(_))
    ));
    assert!(h.sent.is_empty());
    h.call_events(ringing);
    h.assert_idle();
}

#[test]
fn once_the_transferred_call_is_gone_the_consultation_call_ends_as_usual() {
    let mut h = Harness::new(config());
    let (bob_call, bob) = h.connected_call(&[]);
    let (carol_call, mut carol, carol_invite) = second_call(&mut h, "carol", "caroltag");
    let refer = attended_refer(&mut h, bob_call, carol_call);
    h.deliver(&bob.reply(&refer, 202, "Accepted", None, &[]));
    // We give up on bob while the transfer is under way.
    h.ua.hangup(bob_call, h.now).unwrap();
    h.drain();
    assert!(h.take().starts_with(b"BYE "));
    h.assert_ended(bob_call, EndCause::LocalHangup);
    h.deliver_answered(&carol.in_dialog("BYE", &carol_invite, None, &[]));
    assert_eq!(
        h.last_call_event(carol_call),
        Some(CallEvent::Ended(EndCause::RemoteHangup)),
        "no transfer is under way any more"
    );
    assert_eq!(h.take_media(), (carol_call, MediaAction::Close));
    h.call_events(bob_call);
    h.assert_idle();
}
