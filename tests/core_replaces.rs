//! Transcript tests of Replaces received (RFC 3891): an incoming INVITE with Replaces
//! (a confirmed dialog replaced, answered at once; our early call cancelled; 481, 486,
//! 603 and 400 refusals; Replaces outside an INVITE), an incoming REFER whose Refer-To
//! carries Replaces, and malformed values answered without panic.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{CallEvent, Direction, EndCause, MediaAction};
use support::*;

/// Our tag in a request we sent (its From tag).
fn from_tag(msg: &[u8]) -> String {
    let from = header(msg, "From").unwrap();
    from.split(";tag=").nth(1).unwrap().to_string()
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
    let (bob_call, bob, bob_invite) = h.connected_dialog();
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
    let events = h.call_events(new);
    let [CallEvent::Replacing {
        from,
        display_name,
        to,
        details,
        replaces,
    }] = events.as_slice()
    else {
        panic!("one Replacing event: {events:?}");
    };
    assert_eq!(from, "sip:bob@softphone.test");
    assert_eq!(display_name.as_deref(), Some("Bob"));
    assert_eq!(to, "sip:alice@softphone.test");
    assert_eq!(*replaces, bob_call);
    assert_eq!(
        details.call_id, "dave-call-1@pbx",
        "the INVITE's details come along"
    );
    assert!(
        h.ua.answer(new, Default::default(), h.now).is_err(),
        "already answered"
    );
    h.local_description(new, SDP_HOST, true);
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    assert_header(&ok, "Call-ID", "dave-call-1@pbx");
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
    h.assert_ended(bob_call, EndCause::Replaced);
    h.deliver(&bob.reply(&bye, 200, "OK", None, &[]));
    assert_eq!(h.ua.calls(), vec![new]);
    h.assert_idle();
}

#[test]
fn invites_with_replaces_that_cannot_replace_anything_are_refused() {
    let mut h = Harness::new(config());
    let (bob_call, _bob, bob_invite) = h.connected_dialog();
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
    h.assert_ended(ours, EndCause::Replaced);
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
    let (call, mut peer, invite) = h.connected_dialog();
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
    assert_header(&dave_invite, "Replaces", "dave-1@pbx;to-tag=d1;from-tag=c1");
    assert_header(&dave_invite, "To", "<sip:dave@softphone.test>");
    h.call_events(new);
    // A Refer-To whose Replaces is malformed is refused like any bad Refer-To.
    h.deliver(&peer.refer(
        &invite,
        "sip:dave@softphone.test?Replaces=dave-1%3Bto-tag%3Dd1",
    ));
    assert_eq!(first_line(&h.take()), "SIP/2.0 400 Bad Refer-To");
    h.assert_idle();
}

#[test]
fn a_replaces_naming_a_call_that_has_just_ended_is_declined() {
    let mut h = Harness::new(config());
    let (ours, invite) = h.outgoing_invite();
    let bob = Peer::new();
    h.deliver(&bob.reply(&invite, 180, "Ringing", None, &[]));
    // Hung up while ringing: the call is over but stays to ACK the 487 (RFC 3891
    // section 3: a terminated dialog is declined with 603).
    h.ua.hangup(ours, h.now).unwrap();
    h.drain();
    assert!(h.take().starts_with(b"CANCEL "));
    h.assert_ended(ours, EndCause::Cancelled);
    h.deliver(&replacing_invite(&invite, "", &[]));
    assert_eq!(first_line(&h.take()), "SIP/2.0 603 Declined");
    h.deliver(&bob.reply(&invite, 487, "Request Terminated", None, &[]));
    assert!(h.take().starts_with(b"ACK "));
    // Gone now: the same INVITE names no dialog at all.
    h.deliver(&replacing_invite(&invite, "", &[]));
    assert_eq!(
        first_line(&h.take()),
        "SIP/2.0 481 Call/Transaction Does Not Exist"
    );
    assert!(h.ua.calls().is_empty());
    h.assert_idle();
}
