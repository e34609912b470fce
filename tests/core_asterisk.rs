//! Transcript tests of what Asterisk 18 (chan_pjsip, `webrtc=yes`) asks of a browser
//! phone on the wire (../shared/TESTBED.md): every target refresh request and its 2xx
//! carries Contact (Asterisk answers `400 Missing Contact header` otherwise, then lets
//! the session expire or keeps a transferred call up); a refused session refresh is
//! tried once more by re-INVITE and then ends the call with a cause saying so; its
//! REGISTER and qualify shapes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{CallEvent, DtmfMode, EndCause, MediaAction};
use support::*;

/// The 200's Allow and session timer as Asterisk sends them when the phone refreshes.
fn asterisk_ok_headers(session: u32) -> Vec<String> {
    vec![
        format!("Session-Expires: {session};refresher=uac"),
        "Require: timer".into(),
        "Allow: OPTIONS, REGISTER, SUBSCRIBE, NOTIFY, PUBLISH, INVITE, ACK, BYE, CANCEL, UPDATE, PRACK, MESSAGE, REFER".into(),
        "Server: FPBX-16.0.40(18.19.0)".into(),
    ]
}

/// Our Contact in the initial INVITE: every target refresh must carry the same.
fn our_contact(h: &Harness) -> String {
    header(&h.sent_log_first_invite(), "Contact").expect("the INVITE has Contact")
}

/// Advances `seconds`, one at a time, answering the registration refreshes on the way
/// as the registrar does; every other message stays in `h.sent`.
fn advance_registered(h: &mut Harness, seconds: u64) {
    for _ in 0..seconds {
        h.advance(secs(1));
        let mut others = std::collections::VecDeque::new();
        while let Some(msg) = h.sent.pop_front() {
            if msg.starts_with(b"REGISTER ") {
                h.deliver(&Registrar::new().ok(&msg, 600));
            } else {
                others.push_back(msg);
            }
        }
        h.sent = others;
    }
}

/// `400 Missing Contact header` as Asterisk answers a refresh without one.
fn missing_contact(peer: &Peer, req: &[u8]) -> Vec<u8> {
    peer.reply(req, 400, "Missing Contact header", None, &[])
}

#[test]
fn every_target_refresh_request_carries_contact_and_the_others_follow_their_rfcs() {
    let (mut h, call, peer) = Harness::in_call(&asterisk_ok_headers(90));
    let contact = our_contact(&h);
    assert!(!contact.contains(";ob"), "dialog Contacts carry no ;ob");

    // UPDATE: the session refresh at half the interval (RFC 3311 section 5.1).
    h.advance(secs(45));
    let update = h.take();
    assert!(update.starts_with(b"UPDATE "), "{}", first_line(&update));
    assert_eq!(headers(&update, "Contact"), vec![contact.clone()]);
    h.deliver(&peer.reply(&update, 200, "OK", None, &asterisk_ok_headers(90)));

    // re-INVITE for hold (RFC 3261 section 14.1).
    let reinvite = h.hold_reinvite(call);
    assert_eq!(headers(&reinvite, "Contact"), vec![contact.clone()]);
    h.deliver(&peer.reply(&reinvite, 200, "OK", Some(&remote_sdp("recvonly")), &[]));
    let ack = h.take();
    assert!(ack.starts_with(b"ACK "));
    assert!(
        headers(&ack, "Contact").is_empty(),
        "ACK is no target refresh"
    );
    h.media.clear();

    // INFO (RFC 6086) and the blind-transfer REFER (RFC 3515 section 2.4: as SUBSCRIBE).
    h.ua.send_dtmf(call, "5", DtmfMode::Info, h.now).unwrap();
    h.drain();
    let info = h.take();
    assert!(info.starts_with(b"INFO "));
    assert!(
        headers(&info, "Contact").is_empty(),
        "INFO is no target refresh"
    );
    h.deliver(&peer.reply(&info, 200, "OK", None, &[]));
    h.ua.transfer(call, "600", h.now).unwrap();
    h.drain();
    let refer = h.take();
    assert!(refer.starts_with(b"REFER "));
    assert_eq!(
        headers(&refer, "Contact"),
        vec![contact.clone()],
        "exactly one"
    );
    h.deliver(&peer.reply(&refer, 202, "Accepted", None, &[]));

    // BYE ends the dialog: no Contact (RFC 3261 section 15.1.1 does not ask for one).
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    let bye = h.take();
    assert!(bye.starts_with(b"BYE "));
    assert!(headers(&bye, "Contact").is_empty());
    assert_eq!(h.take_media().1, MediaAction::Close);
}

#[test]
fn the_notifies_of_an_accepted_pbx_transfer_carry_contact() {
    let mut h = Harness::new(config());
    let (call, mut peer) = h.connected_call(&[]);
    let contact = our_contact(&h);
    let invite = h.sent_log_first_invite();
    // Asterisk's dialplan Transfer(): a REFER to the browser.
    h.deliver(&peer.in_dialog(
        "REFER",
        &invite,
        None,
        &[
            "Refer-To: <sip:600@pbx.example.com>".into(),
            "Referred-By: <sip:1002@pbx.example.com>".into(),
        ],
    ));
    h.ua.accept_transfer(call, h.now).unwrap();
    h.drain();
    let accepted = h.take();
    assert_eq!(first_line(&accepted), "SIP/2.0 202 Accepted");
    assert_eq!(
        headers(&accepted, "Contact"),
        vec![contact.clone()],
        "the 2xx to a REFER"
    );
    let trying = h.take();
    assert!(trying.starts_with(b"NOTIFY "));
    assert_eq!(headers(&trying, "Contact"), vec![contact.clone()]);
    assert_header(&trying, "Event", "refer");
    h.deliver(&peer.reply(&trying, 200, "OK", None, &[]));
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::TransferRequested {
            target: "sip:600@pbx.example.com".into()
        }),
        "a 200 to the NOTIFY leaves the call as it was"
    );
}

#[test]
fn answers_to_the_peers_target_refreshes_carry_contact() {
    let mut h = Harness::new(config());
    let (_call, mut peer) = h.connected_call(&[]);
    let contact = our_contact(&h);
    let invite = h.sent_log_first_invite();

    // A session-refresh UPDATE from the PBX (it is the refresher).
    h.deliver(&peer.in_dialog(
        "UPDATE",
        &invite,
        None,
        &["Session-Expires: 90;refresher=uac".into()],
    ));
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    assert_eq!(headers(&ok, "Contact"), vec![contact.clone()]);

    // A NOTIFY in the dialog (the progress of a transfer we asked for).
    h.deliver(&peer.in_dialog(
        "NOTIFY",
        &invite,
        Some(("message/sipfrag;version=2.0", "SIP/2.0 100 Trying\r\n")),
        &[
            "Event: refer".into(),
            "Subscription-State: active;expires=60".into(),
        ],
    ));
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    assert_eq!(headers(&ok, "Contact"), vec![contact.clone()]);

    // INFO and OPTIONS are not target refreshes: their answers need none.
    h.deliver(&peer.in_dialog(
        "INFO",
        &invite,
        Some(("application/dtmf-relay", "Signal=1\r\nDuration=100\r\n")),
        &[],
    ));
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    assert!(headers(&ok, "Contact").is_empty());

    // A re-INVITE with an offer: the 200 carries Contact once the browser answers.
    h.deliver(&peer.in_dialog(
        "INVITE",
        &invite,
        Some(("application/sdp", &remote_sdp("sendonly"))),
        &[],
    ));
    let (call, _) = h.take_media();
    h.local_description(call, SDP_HOST, true);
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    assert_eq!(headers(&ok, "Contact"), vec![contact]);
}

#[test]
fn a_refused_update_refresh_is_tried_again_by_reinvite_and_later_refreshes_use_it() {
    let (mut h, call, peer) = Harness::in_call(&asterisk_ok_headers(90));
    h.advance(secs(45));
    let update = h.take();
    assert!(update.starts_with(b"UPDATE "));
    h.deliver(&missing_contact(&peer, &update));
    // Tried again at once, by re-INVITE with the SDP in place and the session timer.
    h.advance(ms(0));
    let reinvite = h.take();
    assert!(
        reinvite.starts_with(b"INVITE "),
        "{}",
        first_line(&reinvite)
    );
    assert!(String::from_utf8_lossy(&reinvite).ends_with(SDP_HOST));
    assert_header(&reinvite, "Session-Expires", "90;refresher=uac");
    assert!(header(&reinvite, "Contact").is_some());
    assert!(h.media.is_empty(), "no new offer from the browser");
    h.deliver(&peer.reply(
        &reinvite,
        200,
        "OK",
        Some(&remote_sdp("sendrecv")),
        &asterisk_ok_headers(90),
    ));
    assert!(h.take().starts_with(b"ACK "));
    assert!(h.media.is_empty(), "the answer to a refresh is not applied");
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    // The next refresh, 45 s after the granted one, goes by re-INVITE.
    h.advance(secs(44));
    assert!(h.sent.is_empty());
    h.advance(secs(1));
    let next = h.take();
    assert!(next.starts_with(b"INVITE "), "{}", first_line(&next));
    h.assert_idle();
}

#[test]
fn a_refresh_refused_until_the_session_would_expire_ends_the_call_with_a_cause_that_says_so() {
    let (mut h, call, peer) = Harness::in_call(&asterisk_ok_headers(90));
    h.advance(secs(45));
    let update = h.take();
    h.deliver(&missing_contact(&peer, &update));
    // Tried again by re-INVITE at once, then after 2 and 4 s, and a last time 2 s
    // before the PBX would hang up (RFC 4028 section 10: 90 s less 30 s, i.e. 15 s
    // after the first refusal): each refused with 500, as a proxy that lost the
    // route would.
    let started = h.now;
    let mut attempts = Vec::new();
    let bye = loop {
        let sent = h.advance_until_sent(secs(20));
        if sent.starts_with(b"BYE ") {
            break sent;
        }
        assert!(sent.starts_with(b"INVITE "), "{}", first_line(&sent));
        attempts.push((h.now - started).as_millis());
        assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
        h.deliver(&peer.reply(&sent, 500, "Server Internal Error", None, &[]));
        assert!(h.take().starts_with(b"ACK "), "the failure is ACKed");
        if let Some(bye) = h.sent.pop_front() {
            break bye;
        }
    };
    assert_eq!(attempts, [0, 2_000, 6_000, 13_000]);
    assert!(bye.starts_with(b"BYE "), "{}", first_line(&bye));
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::Ended(EndCause::SessionRefreshFailed {
            status: 500,
            reason: "Server Internal Error".into()
        }))
    );
    assert!(
        !h.call_events(call)
            .contains(&CallEvent::Ended(EndCause::RemoteHangup)),
        "the app is told why, not a bare remote hangup"
    );
    assert_eq!(h.take_media().1, MediaAction::Close);
    h.assert_idle();
}

#[test]
fn a_refresh_refused_for_a_while_then_granted_keeps_the_call() {
    // A long session (Asterisk's 1800 s): a proxy that answers 500 for two minutes
    // (restarted, its route to the far end gone) does not cost the call.
    let (mut h, call, peer) = Harness::in_call(&["Session-Expires: 1800;refresher=uac".into()]);
    advance_registered(&mut h, 900);
    let started = h.now;
    let mut refused = 0;
    let mut granted = false;
    while !granted && (h.now - started).as_secs() < 300 {
        if let Some(pos) = h.sent.iter().position(|m| m.starts_with(b"INVITE ")) {
            let sent = h.sent.remove(pos).unwrap();
            if (h.now - started).as_secs() >= 120 {
                h.deliver(&peer.reply(&sent, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
                granted = true;
            } else {
                refused += 1;
                h.deliver(&peer.reply(&sent, 500, "No error (2/SL)", None, &[]));
            }
            let ack = h.sent.pop_front().unwrap();
            assert!(ack.starts_with(b"ACK "), "{}", first_line(&ack));
        }
        advance_registered(&mut h, 1);
    }
    assert!(granted, "still retrying after two minutes");
    assert!(refused >= 5, "{refused} refusals");
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
}

#[test]
fn a_refused_reinvite_refresh_waits_for_retry_after_then_tries_once_more() {
    // No UPDATE in the peer's Allow: refreshes go by re-INVITE from the start.
    let (mut h, call, peer) = Harness::in_call(&["Session-Expires: 120;refresher=uac".into()]);
    h.advance(secs(60));
    let first = h.take();
    assert!(first.starts_with(b"INVITE "));
    h.deliver(&peer.reply(
        &first,
        500,
        "Server Internal Error",
        None,
        &["Retry-After: 5".into()],
    ));
    assert!(h.take().starts_with(b"ACK "));
    h.advance(ms(4_999));
    assert!(h.sent.is_empty(), "Retry-After is honoured");
    h.advance(ms(1));
    let second = h.take();
    assert!(second.starts_with(b"INVITE "));
    h.deliver(&peer.reply(&second, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    assert!(h.take().starts_with(b"ACK "));
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    // The granted refresh resets the count: a later refusal gets its own retry.
    h.advance(secs(60));
    let third = h.take();
    h.deliver(&peer.reply(&third, 500, "Server Internal Error", None, &[]));
    assert!(h.take().starts_with(b"ACK "));
    h.advance(ms(0));
    assert!(h.take().starts_with(b"INVITE "), "tried once more");
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    h.assert_idle();
}

#[test]
fn an_unanswered_update_refresh_is_tried_again_by_reinvite() {
    let (mut h, call, _peer) = Harness::in_call(&asterisk_ok_headers(1800));
    advance_registered(&mut h, 900);
    let update = h.take();
    assert!(update.starts_with(b"UPDATE "), "{}", first_line(&update));
    // Timer F: no answer at all.
    let reinvite = h.advance_until_sent(secs(40));
    assert!(
        reinvite.starts_with(b"INVITE "),
        "{}",
        first_line(&reinvite)
    );
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
}

#[test]
fn asterisk_calling_the_browser_negotiates_its_session_timer_and_refreshes_it() {
    let mut h = Harness::new(config());
    h.auto_pong = true;
    h.register(600);
    let mut peer = Peer::new();
    h.deliver(&peer.invite(
        Some(&remote_sdp("sendrecv")),
        &[
            "Supported: 100rel, timer, replaces, norefersub, histinfo".into(),
            "Session-Expires: 1800".into(),
            "Min-SE: 90".into(),
            "P-Asserted-Identity: \"Reception\" <sip:1002@pbx.example.com>".into(),
        ],
    ));
    let ringing = h.take();
    assert!(
        ringing.starts_with(b"SIP/2.0 180"),
        "{}",
        first_line(&ringing)
    );
    let call = *h.ua.calls().first().expect("an incoming call");
    h.ua.answer(call, Default::default(), h.now).unwrap();
    h.drain();
    h.media.clear();
    h.local_description(call, SDP_HOST, true);
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    assert_eq!(
        header(&ok, "Session-Expires").unwrap(),
        "1800;refresher=uac",
        "the PBX offered timer support: it refreshes"
    );
    assert_header(&ok, "Require", "timer");
    assert!(header(&ok, "Contact").is_some());
    h.deliver(&peer.ack(&ok, None));
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    // The PBX refreshes with UPDATE at 900 s; the answer carries Contact.
    advance_registered(&mut h, 900);
    h.deliver(&peer.in_dialog(
        "UPDATE",
        &ok,
        None,
        &["Session-Expires: 1800;refresher=uac".into()],
    ));
    let refreshed = h.take();
    assert_eq!(first_line(&refreshed), "SIP/2.0 200 OK");
    assert!(header(&refreshed, "Contact").is_some());
    assert_header(&refreshed, "Session-Expires", "1800;refresher=uac");
    // No refresh after that: the phone ends the call at 1800 - 32 s.
    advance_registered(&mut h, 1767);
    assert!(h.sent.is_empty());
    advance_registered(&mut h, 1);
    assert!(h.take().starts_with(b"BYE "));
    h.assert_ended(call, EndCause::SessionExpired);
}
