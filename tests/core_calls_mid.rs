//! Transcript tests inside a call: hold and resume both ways, re-INVITE glare,
//! a BYE crossing a re-INVITE, session timers, DTMF, transfer, bad requests.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{CallEvent, Direction, DtmfMode, EndCause, HoldState, MediaAction};
use support::*;

fn held(local: bool, remote: bool) -> CallEvent {
    CallEvent::Hold(HoldState { local, remote })
}

#[test]
fn hold_and_resume_by_reinvite() {
    let mut h = Harness::new(config());
    let (call, peer) = h.connected_call(&[]);
    h.ua.hold(call, h.now).unwrap();
    h.drain();
    assert_eq!(h.take_media().1, offer(Direction::SendOnly));
    assert!(
        h.ua.hold(call, h.now).is_err(),
        "one re-negotiation at a time"
    );
    let held_sdp = SDP_HOST.replace("a=sendrecv", "a=sendonly");
    h.local_description(call, &held_sdp, true);
    let reinvite = h.take();
    assert_eq!(
        first_line(&reinvite),
        "INVITE sip:bob@198.51.100.2:5060;transport=udp SIP/2.0"
    );
    assert_header(&reinvite, "CSeq", "2 INVITE");
    assert_eq!(headers(&reinvite, "Route").len(), 2);
    assert!(String::from_utf8_lossy(&reinvite).contains("a=sendonly"));
    h.deliver(&peer.reply(&reinvite, 200, "OK", Some(&remote_sdp("recvonly")), &[]));
    let ack = h.take();
    assert_header(&ack, "CSeq", "2 ACK");
    assert_eq!(
        h.take_media().1,
        MediaAction::ApplyAnswer {
            answer: remote_sdp("recvonly"),
            provisional: false
        }
    );
    assert_eq!(h.last_call_event(call), Some(held(true, false)));
    h.ua.resume(call, h.now).unwrap();
    h.drain();
    assert_eq!(h.take_media().1, offer(Direction::SendRecv));
    h.local_description(call, SDP_HOST, true);
    let reinvite = h.take();
    assert_header(&reinvite, "CSeq", "3 INVITE");
    h.deliver(&peer.reply(&reinvite, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    assert_eq!(h.last_call_event(call), Some(held(false, false)));
    assert_eq!(header(&h.take(), "CSeq").unwrap(), "3 ACK");
    assert_eq!(
        h.take_media().1,
        MediaAction::ApplyAnswer {
            answer: remote_sdp("sendrecv"),
            provisional: false
        }
    );
    h.assert_idle();
}

#[test]
fn remote_hold_is_shown_as_such() {
    let mut h = Harness::new(config());
    let (call, mut peer, invite) = h.connected_dialog();
    let reinvite = peer.in_dialog(
        "INVITE",
        &invite,
        Some(("application/sdp", &remote_sdp("sendonly"))),
        &[],
    );
    h.deliver(&reinvite);
    assert_eq!(
        h.take_media().1,
        MediaAction::CreateAnswer {
            offer: remote_sdp("sendonly"),
            direction: Direction::SendRecv,
            video: false
        }
    );
    h.local_description(call, &SDP_HOST.replace("a=sendrecv", "a=recvonly"), true);
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    assert_header(&ok, "CSeq", "101 INVITE");
    assert_eq!(h.last_call_event(call), Some(held(false, true)));
    h.deliver(&peer.ack(&ok, None));
    // Taken off hold.
    let reinvite = peer.in_dialog(
        "INVITE",
        &invite,
        Some(("application/sdp", &remote_sdp("sendrecv"))),
        &[],
    );
    h.deliver(&reinvite);
    h.take_media();
    h.local_description(call, SDP_HOST, true);
    let ok = h.take();
    h.deliver(&peer.ack(&ok, None));
    assert_eq!(h.last_call_event(call), Some(held(false, false)));
    h.assert_idle();
}

#[test]
fn reinvite_glare_gets_491_and_retries_after_the_rfc_wait() {
    let (mut h, call, mut peer) = Harness::in_call(&[]);
    let invite = h.sent_log_first_invite();
    h.ua.hold(call, h.now).unwrap();
    h.drain();
    h.take_media();
    h.local_description(call, SDP_HOST, true);
    let ours = h.take();
    // Bob re-offers at the same moment.
    h.deliver(&peer.in_dialog(
        "INVITE",
        &invite,
        Some(("application/sdp", &remote_sdp("sendrecv"))),
        &[],
    ));
    assert_eq!(first_line(&h.take()), "SIP/2.0 491 Request Pending");
    // And refuses ours the same way.
    h.deliver(&peer.reply(&ours, 491, "Request Pending", None, &[]));
    let ack = h.take();
    assert_header(&ack, "CSeq", "2 ACK");
    assert_eq!(h.take_media().1, MediaAction::Rollback);
    // We placed the call, so we own the Call-ID: wait 2.1-4 s (RFC 3261 14.1).
    h.advance(ms(2099));
    assert!(h.media.is_empty());
    h.advance(ms(1901));
    assert_eq!(h.take_media().1, offer(Direction::SendOnly));
    h.local_description(call, SDP_HOST, true);
    let again = h.take();
    assert_header(&again, "CSeq", "3 INVITE");
    h.assert_idle();
}

#[test]
fn a_bye_during_our_reinvite_ends_the_call_cleanly() {
    let mut h = Harness::new(config());
    let (call, mut peer, invite) = h.connected_dialog();
    h.ua.hold(call, h.now).unwrap();
    h.drain();
    h.take_media();
    h.local_description(call, SDP_HOST, true);
    let reinvite = h.take();
    h.deliver_answered(&peer.in_dialog("BYE", &invite, None, &[]));
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::Ended(EndCause::RemoteHangup))
    );
    // The re-INVITE's answer arrives late: ACKed, nothing else happens.
    h.media.clear();
    h.deliver(&peer.reply(&reinvite, 487, "Request Terminated", None, &[]));
    assert!(h.take().starts_with(b"ACK "));
    assert!(h.media.is_empty());
    assert_eq!(
        h.call_events(call)
            .iter()
            .filter(|e| matches!(e, CallEvent::Ended(_)))
            .count(),
        1
    );
    assert!(h.ua.calls().is_empty());
    h.assert_idle();
}

#[test]
fn session_timer_refreshes_with_update_at_half_the_interval() {
    let (mut h, call, peer) = Harness::in_call(&[
        "Session-Expires: 180;refresher=uac".into(),
        "Require: timer".into(),
        "Allow: INVITE, ACK, BYE, CANCEL, UPDATE".into(),
    ]);
    h.advance(ms(89_999));
    assert!(h.sent.is_empty());
    h.advance(ms(1));
    let update = h.take();
    assert_eq!(
        first_line(&update),
        "UPDATE sip:bob@198.51.100.2:5060;transport=udp SIP/2.0"
    );
    assert_header(&update, "Session-Expires", "180;refresher=uac");
    h.deliver(&peer.ok_with(&update, "Session-Expires: 180;refresher=uac"));
    h.advance(secs(89));
    assert!(h.sent.is_empty());
    h.advance(secs(1));
    assert!(h.take().starts_with(b"UPDATE "));
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    h.assert_idle();
}

#[test]
fn session_timer_refreshes_by_reinvite_when_update_is_not_allowed() {
    let (mut h, _call, peer) = Harness::in_call(&["Session-Expires: 120;refresher=uac".into()]);
    h.advance(secs(60));
    let reinvite = h.take();
    assert!(reinvite.starts_with(b"INVITE "));
    assert!(
        String::from_utf8_lossy(&reinvite).ends_with(SDP_HOST),
        "the same SDP again"
    );
    assert!(
        h.media.is_empty(),
        "a refresh needs no new offer from the browser"
    );
    h.deliver(&peer.reply(&reinvite, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    assert!(h.take().starts_with(b"ACK "));
    assert!(
        h.media.is_empty(),
        "the answer to a refresh is not applied: the browser has no offer pending"
    );
    h.assert_idle();
}

#[test]
fn session_expires_without_refresh_from_the_peer() {
    let (mut h, call, _peer) = Harness::in_call(&["Session-Expires: 180;refresher=uas".into()]);
    h.advance(secs(147));
    assert!(h.sent.is_empty());
    h.advance(secs(1));
    assert!(
        h.take().starts_with(b"BYE "),
        "ends at 180 - min(32, 180/3) s"
    );
    h.assert_ended(call, EndCause::SessionExpired);
    h.assert_idle();
}

#[test]
fn a_refresh_from_the_peer_keeps_the_session_alive() {
    let (mut h, call, mut peer) = Harness::in_call(&["Session-Expires: 180;refresher=uas".into()]);
    let invite = h.sent_log_first_invite();
    h.advance(secs(100));
    h.deliver(&peer.in_dialog(
        "UPDATE",
        &invite,
        None,
        &["Session-Expires: 180;refresher=uac".into()],
    ));
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    assert_header(&ok, "Session-Expires", "180;refresher=uac");
    h.advance(secs(140));
    assert!(h.sent.is_empty(), "the expiry moved");
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    h.assert_idle();
}

#[test]
fn dtmf_by_info_one_digit_at_a_time() {
    let mut h = Harness::new(config());
    let (call, peer) = h.connected_call(&[]);
    h.ua.send_dtmf(call, "1#", DtmfMode::Info, h.now).unwrap();
    h.drain();
    let first = h.take();
    assert_eq!(
        first_line(&first),
        "INFO sip:bob@198.51.100.2:5060;transport=udp SIP/2.0"
    );
    assert_header(&first, "Content-Type", "application/dtmf-relay");
    assert!(String::from_utf8_lossy(&first).ends_with("Signal=1\r\nDuration=100\r\n"));
    assert!(h.sent.is_empty(), "the next digit waits for the 200");
    h.deliver(&peer.reply(&first, 200, "OK", None, &[]));
    assert!(h.sent.is_empty(), "then for the inter-tone gap (70 ms)");
    h.advance(ms(69));
    assert!(h.sent.is_empty());
    h.advance(ms(1));
    let second = h.take();
    assert!(String::from_utf8_lossy(&second).ends_with("Signal=#\r\nDuration=100\r\n"));
    h.ua.send_dtmf(call, "5*", DtmfMode::Rfc4733, h.now)
        .unwrap();
    h.drain();
    assert_eq!(
        h.take_media().1,
        MediaAction::SendDtmf {
            tones: "5*".into(),
            duration_ms: 100,
            gap_ms: 70
        }
    );
    assert!(h
        .ua
        .send_dtmf(call, "9x", DtmfMode::Rfc4733, h.now)
        .is_err());
    h.assert_idle();
}

#[test]
fn dtmf_received_by_info() {
    let mut h = Harness::new(config());
    let (call, mut peer, invite) = h.connected_dialog();
    h.deliver_answered(&peer.dtmf_info(&invite, '7', 250));
    assert_eq!(h.last_call_event(call), Some(CallEvent::DtmfReceived('7')));
    // Any other INFO is the application's: answered 200 and reported whole.
    h.deliver_answered(&peer.in_dialog("INFO", &invite, Some(("application/x-unknown", "?")), &[]));
    match h.last_call_event(call) {
        Some(CallEvent::Info {
            content_type, body, ..
        }) => {
            assert_eq!(content_type, "application/x-unknown");
            assert_eq!(body, "?");
        }
        other => panic!("expected an Info event, got {other:?}"),
    }
    h.assert_idle();
}

#[test]
fn blind_transfer_by_refer_with_notify_progress() {
    let mut h = Harness::new(config());
    let (call, mut peer, invite) = h.connected_dialog();
    h.ua.transfer(call, "carol", h.now).unwrap();
    h.drain();
    let refer = h.take();
    assert_eq!(
        first_line(&refer),
        "REFER sip:bob@198.51.100.2:5060;transport=udp SIP/2.0"
    );
    assert_header(&refer, "Refer-To", "<sip:carol@softphone.test>");
    assert_header(&refer, "Referred-By", "<sip:alice@softphone.test>");
    h.deliver(&peer.reply(&refer, 202, "Accepted", None, &[]));
    assert_eq!(h.last_call_event(call), Some(progress(202, "Accepted")));
    h.deliver_answered(&peer.refer_notify(&invite, "SIP/2.0 180 Ringing", "active"));
    assert_eq!(h.last_call_event(call), Some(progress(180, "Ringing")));
    h.deliver_answered(&peer.refer_notify(&invite, "SIP/2.0 200 OK", "terminated"));
    assert!(h.take().starts_with(b"BYE "));
    h.assert_ended(call, EndCause::Transferred);
    h.assert_idle();
}

#[test]
fn incoming_refer_is_surfaced_then_accepted_with_a_new_call_and_notify() {
    let mut h = Harness::new(config());
    let (call, mut peer, invite) = h.connected_dialog();
    h.deliver(&peer.refer(&invite, "sip:dave@softphone.test"));
    assert!(h.sent.is_empty(), "the application decides first");
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::TransferRequested {
            target: "sip:dave@softphone.test".into()
        })
    );
    let new = h.ua.accept_transfer(call, h.now).unwrap();
    h.drain();
    assert_eq!(first_line(&h.take()), "SIP/2.0 202 Accepted");
    let notify = h.take();
    assert!(notify.starts_with(b"NOTIFY sip:bob@198.51.100.2"));
    assert_header(&notify, "Event", "refer");
    assert!(String::from_utf8_lossy(&notify).ends_with("SIP/2.0 100 Trying\r\n"));
    h.deliver(&peer.reply(&notify, 200, "OK", None, &[]));
    assert_eq!(h.take_media(), (new, offer(Direction::SendRecv)));
    h.local_description(new, SDP_HOST, true);
    let dave_invite = h.take();
    assert_eq!(
        first_line(&dave_invite),
        "INVITE sip:dave@softphone.test SIP/2.0"
    );
    let mut dave = Peer::new();
    dave.tag = "davetag".into();
    h.deliver(&dave.reply(&dave_invite, 180, "Ringing", None, &[]));
    let notify = h.take();
    assert!(String::from_utf8_lossy(&notify).ends_with("SIP/2.0 180 Ringing\r\n"));
    h.deliver(&dave.reply(&dave_invite, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    let ack = h.take();
    assert!(ack.starts_with(b"ACK "));
    let notify = h.take();
    assert!(String::from_utf8_lossy(&notify).ends_with("SIP/2.0 200 OK\r\n"));
    assert_header(
        &notify,
        "Subscription-State",
        "terminated;reason=noresource",
    );
}

#[test]
fn incoming_refer_can_be_declined_or_left_to_time_out() {
    let (mut h, call, mut peer) = Harness::in_call(&[]);
    let invite = h.sent_log_first_invite();
    h.deliver(&peer.refer(&invite, "sip:dave@softphone.test"));
    h.ua.decline_transfer(call, h.now).unwrap();
    h.drain();
    assert_eq!(first_line(&h.take()), "SIP/2.0 603 Declined");
    h.deliver(&peer.refer(&invite, "sip:dave@softphone.test"));
    h.advance(secs(20));
    assert_eq!(first_line(&h.take()), "SIP/2.0 603 Declined");
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::TransferRequested {
            target: "sip:dave@softphone.test".into()
        })
    );
    h.assert_idle();
}

#[test]
fn requests_out_of_order_or_for_no_dialog() {
    let mut h = Harness::new(config());
    let (_call, mut peer, invite) = h.connected_dialog();
    let info = peer.in_dialog("INFO", &invite, None, &[]);
    h.deliver_answered(&info);
    h.deliver(&info);
    assert_eq!(
        first_line(&h.take()),
        "SIP/2.0 500 Server Internal Error",
        "CSeq not above the last"
    );
    let stranger = String::from_utf8_lossy(&peer.in_dialog("BYE", &invite, None, &[]))
        .replace("bobtag", "strangertag");
    h.deliver(stranger.as_bytes());
    assert_eq!(
        first_line(&h.take()),
        "SIP/2.0 481 Call/Transaction Does Not Exist"
    );
    h.deliver_answered(&peer.in_dialog("OPTIONS", &invite, None, &[]));
    h.deliver(&peer.in_dialog("PUBLISH", &invite, None, &[]));
    assert_eq!(first_line(&h.take()), "SIP/2.0 405 Method Not Allowed");
    h.assert_idle();
}
