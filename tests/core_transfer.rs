//! Transcript tests of attended transfer and Replaces (RFC 3891, RFC 5589): our REFER
//! with `?Replaces=` and its outcomes (success ending both calls, a failure NOTIFY, a
//! refused REFER, no outcome in time), an incoming INVITE with Replaces (a confirmed
//! dialog replaced; 481, 486, 603 and 400 refusals; our early call cancelled), an
//! incoming REFER whose Refer-To carries Replaces, and bad input answered without panic.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{
    CallError, CallEvent, CallId, Direction, EndCause, HoldState, MediaAction,
};
use support::*;

fn frag(status: &str) -> (&str, &str) {
    ("message/sipfrag;version=2.0", status)
}

fn progress(status: u16, reason: &str) -> CallEvent {
    CallEvent::TransferProgress {
        status,
        reason: reason.into(),
    }
}

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
    assert_eq!(
        h.call_events(call),
        [
            CallEvent::Calling {
                target: format!("sip:{user}@softphone.test")
            },
            CallEvent::Connected
        ]
    );
    (call, peer, invite)
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
    let (bob_call, mut bob) = h.connected_call(&[]);
    let bob_invite = h.sent_log_first_invite();
    hold(&mut h, bob_call, &bob);
    let (carol_call, mut carol, carol_invite) = second_call(&mut h, "carol", "caroltag");
    h.ua.attended_transfer(bob_call, carol_call, h.now).unwrap();
    h.drain();
    let refer = h.take();
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
    assert_eq!(
        header(&refer, "Referred-By").unwrap(),
        "<sip:alice@softphone.test>"
    );
    assert_eq!(
        h.ua.attended_transfer(bob_call, carol_call, h.now),
        Err(CallError::InvalidState("a transfer is already under way"))
    );
    h.deliver(&bob.reply(&refer, 202, "Accepted", None, &[]));
    assert_eq!(h.last_call_event(bob_call), Some(progress(202, "Accepted")));
    h.deliver(&bob.in_dialog(
        "NOTIFY",
        &bob_invite,
        Some(frag("SIP/2.0 100 Trying\r\n")),
        &["Event: refer".into(), "Subscription-State: active".into()],
    ));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    assert_eq!(h.last_call_event(bob_call), Some(progress(100, "Trying")));
    // Carol took bob's INVITE with Replaces and hangs up her call with us.
    h.deliver(&carol.in_dialog("BYE", &carol_invite, None, &[]));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    assert_eq!(
        h.last_call_event(carol_call),
        Some(CallEvent::Ended(EndCause::Transferred))
    );
    assert_eq!(h.take_media(), (carol_call, MediaAction::Close));
    h.deliver(&bob.in_dialog(
        "NOTIFY",
        &bob_invite,
        Some(frag("SIP/2.0 200 OK\r\n")),
        &[
            "Event: refer".into(),
            "Subscription-State: terminated;reason=noresource".into(),
        ],
    ));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
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
    let (bob_call, mut bob) = h.connected_call(&[]);
    let bob_invite = h.sent_log_first_invite();
    let (carol_call, _carol, _) = second_call(&mut h, "carol", "caroltag");
    h.ua.attended_transfer(bob_call, carol_call, h.now).unwrap();
    h.drain();
    let refer = h.take();
    h.deliver(&bob.reply(&refer, 202, "Accepted", None, &[]));
    h.deliver(&bob.in_dialog(
        "NOTIFY",
        &bob_invite,
        Some(frag("SIP/2.0 200 OK\r\n")),
        &[
            "Event: refer".into(),
            "Subscription-State: terminated".into(),
        ],
    ));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    assert!(h.take().starts_with(b"BYE sip:bob@"));
    assert!(
        h.take().starts_with(b"BYE sip:bob@198.51.100.2"),
        "carol's call (her Contact)"
    );
    for call in [bob_call, carol_call] {
        assert_eq!(
            h.last_call_event(call),
            Some(CallEvent::Ended(EndCause::Transferred))
        );
        assert_eq!(h.take_media(), (call, MediaAction::Close));
    }
    h.call_events(bob_call);
    h.assert_idle();
}

#[test]
fn a_failed_transfer_leaves_both_calls_as_they_were() {
    let mut h = Harness::new(config());
    let (bob_call, mut bob) = h.connected_call(&[]);
    let bob_invite = h.sent_log_first_invite();
    hold(&mut h, bob_call, &bob);
    let (carol_call, mut carol, carol_invite) = second_call(&mut h, "carol", "caroltag");
    h.ua.attended_transfer(bob_call, carol_call, h.now).unwrap();
    h.drain();
    let refer = h.take();
    h.deliver(&bob.reply(&refer, 202, "Accepted", None, &[]));
    h.deliver(&bob.in_dialog(
        "NOTIFY",
        &bob_invite,
        Some(frag("SIP/2.0 503 Service Unavailable\r\n")),
        &[
            "Event: refer".into(),
            "Subscription-State: terminated".into(),
        ],
    ));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
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
    assert_eq!(
        h.take_media().1,
        MediaAction::CreateOffer {
            direction: Direction::SendRecv,
            ice_restart: false,
            video: false
        }
    );
    h.deliver(&carol.in_dialog("BYE", &carol_invite, None, &[]));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    assert_eq!(
        h.last_call_event(carol_call),
        Some(CallEvent::Ended(EndCause::RemoteHangup))
    );
    assert_eq!(h.take_media(), (carol_call, MediaAction::Close));
    h.assert_idle();
}

#[test]
fn a_refused_refer_or_no_outcome_in_time_fails_the_transfer_and_it_can_be_tried_again() {
    let mut h = Harness::new(config());
    h.auto_pong = true;
    let (bob_call, mut bob) = h.connected_call(&[]);
    let bob_invite = h.sent_log_first_invite();
    let (carol_call, _carol, _) = second_call(&mut h, "carol", "caroltag");
    h.ua.attended_transfer(bob_call, carol_call, h.now).unwrap();
    h.drain();
    let refer = h.take();
    h.deliver(&bob.reply(&refer, 403, "Forbidden", None, &[]));
    assert_eq!(
        h.last_call_event(bob_call),
        Some(progress(403, "Forbidden"))
    );
    // Again: accepted, one NOTIFY 180 (re-arming the wait), then nothing.
    h.ua.attended_transfer(bob_call, carol_call, h.now).unwrap();
    h.drain();
    let refer = h.take();
    h.deliver(&bob.reply(&refer, 202, "Accepted", None, &[]));
    h.advance(secs(30));
    h.deliver(&bob.in_dialog(
        "NOTIFY",
        &bob_invite,
        Some(frag("SIP/2.0 180 Ringing\r\n")),
        &["Event: refer".into(), "Subscription-State: active".into()],
    ));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    h.advance(secs(59));
    assert_eq!(h.last_call_event(bob_call), Some(progress(180, "Ringing")));
    h.advance(secs(1));
    assert_eq!(
        h.last_call_event(bob_call),
        Some(progress(408, "Transfer Timed Out"))
    );
    assert_eq!(h.ua.calls(), vec![bob_call, carol_call]);
    // A third try is allowed, and a blind one too once that one is over.
    h.ua.attended_transfer(bob_call, carol_call, h.now).unwrap();
    h.drain();
    let refer = h.take();
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

/// An INVITE from dave that replaces the dialog of the INVITE `ours` we sent (to bob,
/// tagged `bobtag`), with extra header lines.
fn replacing_invite(ours: &[u8], params: &str, extra: &[&str]) -> Vec<u8> {
    let mut dave = Peer::new();
    dave.tag = "davetag".into();
    dave.call_id = "dave-call-1@pbx".into();
    let call_id = header(ours, "Call-ID").unwrap();
    let our_tag = from_tag(ours);
    let mut lines = vec![format!(
        "Replaces: {call_id};to-tag={our_tag};from-tag=bobtag{params}"
    )];
    lines.extend(extra.iter().map(|l| l.to_string()));
    dave.invite(Some(&remote_sdp("sendrecv")), &lines)
}

#[test]
fn an_invite_with_replaces_takes_the_place_of_a_confirmed_call() {
    let mut h = Harness::new(config());
    let (bob_call, bob) = h.connected_call(&[]);
    let bob_invite = h.sent_log_first_invite();
    let invite = replacing_invite(&bob_invite, "", &["Require: replaces"]);
    h.deliver(&invite);
    assert!(h.sent.is_empty(), "no ringing: answered at once");
    let (new, action) = h.take_media();
    assert_eq!(
        action,
        MediaAction::CreateAnswer {
            offer: remote_sdp("sendrecv"),
            direction: Direction::SendRecv,
            video: false
        }
    );
    assert_eq!(
        h.call_events(new),
        [CallEvent::Replacing {
            from: "sip:bob@softphone.test".into(),
            display_name: Some("Bob".into()),
            to: "sip:alice@softphone.test".into(),
            replaces: bob_call,
        }]
    );
    assert!(
        h.ua.answer(new, Default::default(), h.now).is_err(),
        "already answered"
    );
    h.local_description(new, SDP_HOST, true);
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    assert_eq!(header(&ok, "Call-ID").unwrap(), "dave-call-1@pbx");
    assert!(header(&ok, "Supported").unwrap().contains("replaces"));
    let mut dave = Peer::new();
    h.deliver(&dave.ack(&ok, None));
    assert_eq!(h.last_call_event(new), Some(CallEvent::Connected));
    let bye = h.take();
    assert_eq!(
        first_line(&bye),
        "BYE sip:bob@198.51.100.2:5060;transport=udp SIP/2.0"
    );
    assert_eq!(
        header(&bye, "Call-ID").unwrap(),
        header(&bob_invite, "Call-ID").unwrap()
    );
    assert_eq!(
        h.last_call_event(bob_call),
        Some(CallEvent::Ended(EndCause::Replaced))
    );
    assert_eq!(h.take_media(), (bob_call, MediaAction::Close));
    h.deliver(&bob.reply(&bye, 200, "OK", None, &[]));
    assert_eq!(h.ua.calls(), vec![new]);
    h.assert_idle();
}

#[test]
fn invites_with_replaces_that_cannot_replace_anything_are_refused() {
    let mut h = Harness::new(config());
    let (bob_call, _bob) = h.connected_call(&[]);
    let bob_invite = h.sent_log_first_invite();
    // early-only on a confirmed dialog (RFC 3891 section 3): 486.
    h.deliver(&replacing_invite(&bob_invite, ";early-only", &[]));
    assert_eq!(first_line(&h.take()), "SIP/2.0 486 Busy Here");
    // A dialog we do not have: wrong tags, or a Call-ID of nothing here.
    let wrong_tag = String::from_utf8_lossy(&replacing_invite(&bob_invite, "", &[]))
        .replace("from-tag=bobtag", "from-tag=nottag");
    h.deliver(wrong_tag.as_bytes());
    assert_eq!(
        first_line(&h.take()),
        "SIP/2.0 481 Call/Transaction Does Not Exist"
    );
    // Malformed, repeated: 400, never a panic.
    for bad in [
        "Replaces: ;to-tag=1;from-tag=2",
        "Replaces: abc;to-tag=1",
        "Replaces: a@b@c;to-tag=1;from-tag=2",
        "Replaces: abc;to-tag=1;;from-tag=2",
        "Replaces: abc;to-tag=\"1\";from-tag=2",
    ] {
        let mut dave = Peer::new();
        dave.call_id = "bad-1".into();
        h.deliver(&dave.invite(None, &[bad.to_string()]));
        assert_eq!(
            first_line(&h.take()),
            "SIP/2.0 400 Bad Replaces Header",
            "{bad}"
        );
    }
    h.deliver(&replacing_invite(
        &bob_invite,
        "",
        &["Replaces: other;to-tag=1;from-tag=2"],
    ));
    assert_eq!(
        first_line(&h.take()),
        "SIP/2.0 400 Bad Request",
        "Replaces is a single-value header: the parser refuses two"
    );
    // Replaces outside an INVITE: 400 (RFC 3891 section 3).
    let options = String::from_utf8_lossy(&replacing_invite(&bob_invite, "", &[]))
        .replace("INVITE sip:", "OPTIONS sip:")
        .replace(" INVITE\r\n", " OPTIONS\r\n");
    h.deliver(options.as_bytes());
    assert_eq!(
        first_line(&h.take()),
        "SIP/2.0 400 Replaces Only Allowed In INVITE"
    );
    assert_eq!(
        h.ua.calls(),
        vec![bob_call],
        "no call made, bob's untouched"
    );
    h.assert_idle();
}

#[test]
fn an_early_dialog_is_replaced_only_when_we_initiated_it() {
    let mut h = Harness::new(config());
    // Ours: an outgoing call ringing at bob (180 made the early dialog).
    let (ours, invite) = h.outgoing_invite();
    let bob = Peer::new();
    h.deliver(&bob.reply(&invite, 180, "Ringing", None, &[]));
    assert_eq!(h.last_call_event(ours), Some(CallEvent::Ringing));
    // Not ours: carol's call ringing here.
    let mut carol = Peer::new();
    carol.tag = "caroltag".into();
    carol.call_id = "carol-call-1@pbx".into();
    h.deliver(&carol.invite(Some(&remote_sdp("sendrecv")), &[]));
    let ringing = h.take();
    assert_eq!(first_line(&ringing), "SIP/2.0 180 Ringing");
    let theirs = *h.ua.calls().last().unwrap();
    let our_tag_there = header(&ringing, "To").unwrap();
    let our_tag_there = our_tag_there.split(";tag=").nth(1).unwrap();
    let mut dave = Peer::new();
    dave.tag = "davetag".into();
    dave.call_id = "dave-call-2@pbx".into();
    h.deliver(&dave.invite(
        None,
        &[format!(
            "Replaces: carol-call-1@pbx;to-tag={our_tag_there};from-tag=caroltag"
        )],
    ));
    assert_eq!(
        first_line(&h.take()),
        "SIP/2.0 481 Call/Transaction Does Not Exist",
        "an early dialog we did not initiate"
    );
    // Ours is replaced: the new call is answered, and when it connects ours is cancelled.
    h.deliver(&replacing_invite(&invite, ";early-only", &[]));
    let (new, _) = h.take_media();
    h.local_description(new, SDP_HOST, true);
    let ok = h.take();
    h.deliver(&dave.ack(&ok, None));
    let cancel = h.take();
    assert!(
        cancel.starts_with(b"CANCEL sip:bob@softphone.test"),
        "{}",
        first_line(&cancel)
    );
    assert_eq!(
        h.last_call_event(ours),
        Some(CallEvent::Ended(EndCause::Replaced))
    );
    assert_eq!(h.take_media(), (ours, MediaAction::Close));
    h.deliver(&bob.reply(&invite, 487, "Request Terminated", None, &[]));
    assert!(h.take().starts_with(b"ACK "));
    assert!(matches!(
        h.call_events(new)[..],
        [CallEvent::Replacing { replaces, .. }, CallEvent::Connected] if replaces == ours
    ));
    h.call_events(theirs);
    h.assert_idle();
}

#[test]
fn an_incoming_refer_with_replaces_makes_an_invite_carrying_it() {
    let mut h = Harness::new(config());
    let (call, mut peer) = h.connected_call(&[]);
    let invite = h.sent_log_first_invite();
    h.deliver(&peer.in_dialog(
        "REFER",
        &invite,
        None,
        &["Refer-To: <sip:dave@softphone.test?Replaces=dave-1%40pbx%3Bto-tag%3Dd1%3Bfrom-tag%3Dc1>"
            .into()],
    ));
    assert!(h.sent.is_empty(), "the application decides first");
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::TransferRequested {
            target: "sip:dave@softphone.test".into()
        }),
        "as a blind transfer, the URI headers left out"
    );
    let new = h.ua.accept_transfer(call, h.now).unwrap();
    h.drain();
    assert_eq!(first_line(&h.take()), "SIP/2.0 202 Accepted");
    assert!(h.take().starts_with(b"NOTIFY "));
    h.take_media();
    h.local_description(new, SDP_HOST, true);
    let dave_invite = h.take();
    assert_eq!(
        first_line(&dave_invite),
        "INVITE sip:dave@softphone.test SIP/2.0"
    );
    assert_eq!(
        header(&dave_invite, "Replaces").unwrap(),
        "dave-1@pbx;to-tag=d1;from-tag=c1"
    );
    assert_eq!(
        header(&dave_invite, "To").unwrap(),
        "<sip:dave@softphone.test>"
    );
    h.call_events(new);
    // A Refer-To whose Replaces is malformed is refused like any bad Refer-To.
    h.deliver(&peer.in_dialog(
        "REFER",
        &invite,
        None,
        &["Refer-To: <sip:dave@softphone.test?Replaces=dave-1%3Bto-tag%3Dd1>".into()],
    ));
    assert_eq!(first_line(&h.take()), "SIP/2.0 400 Bad Refer-To");
    h.assert_idle();
}

#[test]
fn once_the_transferred_call_is_gone_the_consultation_call_ends_as_usual() {
    let mut h = Harness::new(config());
    let (bob_call, bob) = h.connected_call(&[]);
    let (carol_call, mut carol, carol_invite) = second_call(&mut h, "carol", "caroltag");
    h.ua.attended_transfer(bob_call, carol_call, h.now).unwrap();
    h.drain();
    let refer = h.take();
    h.deliver(&bob.reply(&refer, 202, "Accepted", None, &[]));
    // We give up on bob while the transfer is under way.
    h.ua.hangup(bob_call, h.now).unwrap();
    h.drain();
    assert!(h.take().starts_with(b"BYE "));
    assert_eq!(
        h.last_call_event(bob_call),
        Some(CallEvent::Ended(EndCause::LocalHangup))
    );
    assert_eq!(h.take_media(), (bob_call, MediaAction::Close));
    h.deliver(&carol.in_dialog("BYE", &carol_invite, None, &[]));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    assert_eq!(
        h.last_call_event(carol_call),
        Some(CallEvent::Ended(EndCause::RemoteHangup)),
        "no transfer is under way any more"
    );
    assert_eq!(h.take_media(), (carol_call, MediaAction::Close));
    h.call_events(bob_call);
    h.assert_idle();
}
