//! Regression transcripts for what the user-agent fuzz target (`fuzz/fuzz_targets/ua.rs`)
//! found: a call made while stopping outlived the user agent; a lost flow rolled back the
//! media of a call that had already ended; the answer to a session refresh that crossed a
//! hangup armed a refresh timer for a call that was gone; a 401 to the INVITE of a call
//! already up sent the INVITE again, taking the call back to its start; a late failure to
//! the INVITE of a call that had ended made it forget the re-INVITE it still had to ACK,
//! and so did a retransmitted 2xx of that INVITE; the answer in the ACK of our offer-in-200
//! was applied to a call whose media had failed and closed meanwhile; a BYE that waited for
//! signalling settled a call whose re-INVITE still waited for the answer it must ACK.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail
mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{CallError, CallOptions, MediaAction, TimerName};
use support::*;

#[test]
fn no_call_is_made_while_stopping() {
    let mut h = Harness::new(config());
    h.register(600);
    h.stop();
    let unregister = h.take();
    assert!(
        unregister.starts_with(b"REGISTER "),
        "the un-REGISTER is out"
    );
    assert_eq!(
        h.ua.call("bob", CallOptions::default(), h.now),
        Err(CallError::NotConnected)
    );
    h.drain();
    assert!(h.ua.calls().is_empty());
    assert!(h.sent.is_empty() && h.media.is_empty());
}

#[test]
fn a_lost_flow_does_not_touch_the_media_of_a_call_that_ended() {
    // No UPDATE in the peer's Allow: the refresh is a re-INVITE with the SDP in place.
    let (mut h, call, _peer) = Harness::in_call(&["Session-Expires: 120;refresher=uac".into()]);
    h.advance(secs(60));
    assert!(h.take().starts_with(b"INVITE "));
    // Hung up while the refresh is out: the call stays to ACK its answer.
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    assert!(h.take().starts_with(b"BYE "));
    assert_eq!(h.take_media(), (call, MediaAction::Close));
    h.close(1006);
    eprintln!("MEDIA {:?} EVENTS {:?}", h.media, h.call_events(call));
    let after: Vec<_> = h.media.drain(..).filter(|(c, _)| *c == call).collect();
    assert!(after.is_empty(), "nothing after Close: {after:?}");
    assert!(h.ua.calls().is_empty());
    let next = h.ua.poll_timeout().map(|(_, name)| name);
    assert!(
        !matches!(
            next,
            Some(TimerName::CallInviteTimeout | TimerName::CallReinviteTimeout)
        ),
        "no timer left for the call: {next:?}"
    );
}

#[test]
fn a_refresh_answer_after_the_hangup_arms_nothing() {
    let (mut h, call, peer) = Harness::in_call(&[
        "Session-Expires: 180;refresher=uac".into(),
        "Allow: INVITE, ACK, BYE, CANCEL, UPDATE".into(),
    ]);
    h.advance(secs(90));
    let update = h.take();
    assert!(update.starts_with(b"UPDATE "));
    // A hold re-INVITE goes out beside the UPDATE, then the call is hung up: it lingers
    // to ACK the re-INVITE's answer, and the UPDATE's 200 comes meanwhile.
    let reinvite = h.hold_reinvite(call);
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    assert!(h.take().starts_with(b"BYE "));
    h.deliver(&peer.ok_with(&update, "Session-Expires: 180;refresher=uac"));
    let next = h.ua.poll_timeout().map(|(_, name)| name);
    assert!(
        !matches!(
            next,
            Some(TimerName::CallSessionRefresh | TimerName::CallSessionExpire)
        ),
        "a session timer for a call that ended: {next:?}"
    );
    // The re-INVITE's answer is ACKed and the call is gone, with no timer left.
    h.deliver(&peer.reply(&reinvite, 200, "OK", Some(&remote_sdp("recvonly")), &[]));
    assert!(h.take().starts_with(b"ACK "));
    assert!(h.ua.calls().is_empty());
}

#[test]
fn a_2xx_granting_no_lifetime_is_retried_with_backoff_not_at_once() {
    let mut h = Harness::new(config());
    let (registrar, second) = h.challenged();
    h.deliver(&registrar.ok(&second, 0));
    let retry_in = match registration_events(&h.take_events()).last() {
        Some(softphone_core::core::RegistrationEvent::Failed {
            status: 200,
            retry_in: Some(delay),
            ..
        }) => *delay,
        other => panic!("{other:?}"),
    };
    assert!(retry_in >= secs(2), "{retry_in:?}");
    assert!(h.sent.is_empty(), "no REGISTER right away");
    let again = h.advance_until_sent(retry_in + ms(1));
    assert!(again.starts_with(b"REGISTER "));
}

#[test]
fn a_challenge_to_the_invite_of_a_call_already_up_is_acked_and_ignored() {
    let (mut h, call, peer) = Harness::in_call(&[]);
    let invite = h.sent_log_first_invite();
    let late = peer.reply(
        &invite,
        401,
        "Unauthorized",
        None,
        &["WWW-Authenticate: Digest realm=\"softphone.test\", nonce=\"n1\"".into()],
    );
    h.deliver(&late);
    let ack = h.take();
    assert!(ack.starts_with(b"ACK "), "{}", first_line(&ack));
    assert_header(&ack, "CSeq", "1 ACK");
    assert!(h.sent.is_empty(), "no second INVITE");
    assert_eq!(h.ua.calls(), vec![call]);
    assert_eq!(
        h.last_call_event(call),
        Some(softphone_core::core::CallEvent::Connected)
    );
    h.call_events(call);
    h.assert_idle();
}

#[test]
fn a_late_failure_to_the_invite_leaves_an_ended_call_waiting_for_its_reinvites_answer() {
    let (mut h, call, mut peer) = Harness::in_call(&[]);
    let invite = h.sent_log_first_invite();
    let reinvite = h.hold_reinvite(call);
    // The far end hangs up while our re-INVITE is out: the call stays to ACK its answer.
    h.deliver_answered(&peer.in_dialog("BYE", &reinvite, None, &[]));
    assert_eq!(h.take_media(), (call, MediaAction::Close));
    h.deliver(&peer.reply(&invite, 407, "Proxy Authentication Required", None, &[]));
    assert!(h.take().starts_with(b"ACK "), "the late 407 is ACKed");
    h.deliver(&peer.reply(&reinvite, 200, "OK", Some(&remote_sdp("recvonly")), &[]));
    let ack = h.take();
    assert!(ack.starts_with(b"ACK "), "{}", first_line(&ack));
    assert_header(&ack, "CSeq", "2 ACK");
    assert!(h.ua.calls().is_empty());
    h.call_events(call);
    h.assert_idle();
}

#[test]
fn a_retransmitted_2xx_after_the_end_leaves_the_call_waiting_for_its_reinvites_answer() {
    let (mut h, call, peer) = Harness::in_call(&[]);
    let invite = h.sent_log_first_invite();
    let reinvite = h.hold_reinvite(call);
    // The browser fails the call while our re-INVITE is out: BYE, and the call stays to
    // ACK the re-INVITE's answer.
    h.input(softphone_core::core::Input::MediaFailed {
        call,
        reason: "NotAllowedError",
    });
    assert!(h.take().starts_with(b"BYE "));
    assert_eq!(h.take_media(), (call, MediaAction::Close));
    // The initial INVITE's 2xx once more: ACKed (and BYE'd again), nothing forgotten.
    h.deliver(&peer.reply(&invite, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    assert!(h.take().starts_with(b"ACK "));
    assert!(h.take().starts_with(b"BYE "));
    h.deliver(&peer.reply(&reinvite, 200, "OK", Some(&remote_sdp("recvonly")), &[]));
    let ack = h.take();
    assert!(ack.starts_with(b"ACK "), "{}", first_line(&ack));
    assert_header(&ack, "CSeq", "2 ACK");
    h.call_events(call);
    h.assert_idle();
}

#[test]
fn the_answer_in_an_ack_is_not_applied_to_a_call_that_ended_before_it() {
    // Not registered yet (the REGISTER is unanswered), so a BYE waits for the flow to be
    // ready and the ended call stays; bob's INVITE has no offer.
    let mut h = Harness::new(config());
    h.start();
    h.open();
    assert!(h.take().starts_with(b"REGISTER "));
    let mut peer = Peer::new();
    h.deliver(&peer.invite(None, &[]));
    h.sent.clear(); // the provisional response
    let call = h.ua.calls()[0];
    h.ua.answer(call, Default::default(), h.now).unwrap();
    h.drain();
    assert!(matches!(h.take_media().1, MediaAction::CreateOffer { .. }));
    h.local_description(call, SDP_HOST, true);
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    h.input(softphone_core::core::Input::MediaFailed {
        call,
        reason: "NotAllowedError",
    });
    assert_eq!(h.take_media(), (call, MediaAction::Close));
    h.deliver(&peer.ack(&ok, Some(&remote_sdp("sendrecv"))));
    let after: Vec<_> = h.media.drain(..).filter(|(c, _)| *c == call).collect();
    assert!(after.is_empty(), "nothing after Close: {after:?}");
    h.take_events();
}

#[test]
fn a_bye_sent_when_signalling_returns_leaves_the_call_waiting_for_its_reinvites_answer() {
    // Not registered yet, so the BYE of a call that fails waits for the flow to be ready.
    let mut h = Harness::new(config());
    let (registrar, register) = h.first_register();
    let mut peer = Peer::new();
    h.deliver(&peer.invite(Some(&remote_sdp("sendrecv")), &[]));
    h.sent.clear(); // the provisional response
    let call = h.ua.calls()[0];
    h.ua.answer(call, Default::default(), h.now).unwrap();
    h.drain();
    h.media.clear();
    h.local_description(call, SDP_HOST, true);
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    h.deliver(&peer.ack(&ok, None));
    let reinvite = h.hold_reinvite(call);
    h.input(softphone_core::core::Input::MediaFailed {
        call,
        reason: "NotAllowedError",
    });
    assert_eq!(h.take_media(), (call, MediaAction::Close));
    assert!(h.sent.is_empty(), "the BYE waits for signalling");
    // Registered: the BYE goes, and the call stays to ACK the re-INVITE's answer.
    h.deliver(&registrar.ok(&register, 600));
    assert!(h.take().starts_with(b"BYE "));
    h.deliver(&peer.reply(&reinvite, 200, "OK", Some(&remote_sdp("recvonly")), &[]));
    let ack = h.take();
    assert!(ack.starts_with(b"ACK "), "{}", first_line(&ack));
    let seq = header(&reinvite, "CSeq").unwrap().replace("INVITE", "ACK");
    assert_header(&ack, "CSeq", &seq);
    assert!(h.ua.calls().is_empty());
    h.take_events();
    h.assert_idle();
}
