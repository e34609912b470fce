//! Transcript tests of the INVITE transactions themselves (`core/transaction/
//! invite_client.rs` and `invite_server.rs`) on virtual time, beside what the call
//! transcripts already cover (the initial 2xx retransmitted at T1, 2*T1 ... T2 until its
//! ACK and given up after 64*T1 in `core_calls_in.rs`; Timer B's 408 and a ringing call
//! that does not time out in `core_calls_out.rs`): Timer B stopping at a provisional
//! response, the ACK of a failure on the INVITE's branch, Timer B again after a CANCEL,
//! a re-INVITE's 2xx retransmitted until its ACK, a re-INVITE whose Timer B runs
//! through its 100 under its own key, and the server transactions of the peer's
//! re-INVITEs (a retransmission answered with the last response, a failure's ACK).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::time::Duration;

use softphone_core::core::{CallEvent, Direction, EndCause, MediaAction, TimerName};
use support::*;

/// The branch of a message's top Via.
fn branch(msg: &[u8]) -> String {
    let via = header(msg, "Via").unwrap();
    via.split(";branch=").nth(1).unwrap().to_string()
}

#[test]
fn timer_b_runs_in_calling_and_stops_at_the_first_provisional() {
    let mut h = Harness::new(config());
    h.auto_pong = true;
    let (call, invite) = h.outgoing_invite();
    h.advance(secs(10));
    // Without it the call ends at 32 s (`core_calls_out.rs`).
    h.deliver(&Peer::new().reply(&invite, 100, "Trying", None, &[]));
    h.advance(secs(60));
    assert!(matches!(
        h.last_call_event(call),
        Some(CallEvent::Calling { .. })
    ));
    assert_eq!(h.ua.calls(), vec![call]);
    h.assert_idle();
}

#[test]
fn a_failure_is_acked_on_the_invites_branch_with_the_far_ends_tag() {
    let mut h = Harness::new(config());
    let (call, invite) = h.outgoing_invite();
    let peer = Peer::new();
    h.deliver(&peer.reply(&invite, 180, "Ringing", None, &[]));
    h.deliver(&peer.reply(&invite, 486, "Busy Here", None, &[]));
    let ack = h.take();
    assert_eq!(first_line(&ack), "ACK sip:bob@softphone.test SIP/2.0");
    assert_eq!(branch(&ack), branch(&invite), "the transaction's own ACK");
    assert_header(&ack, "CSeq", "1 ACK");
    assert!(header(&ack, "To").unwrap().ends_with(";tag=bobtag"));
    assert_eq!(header(&ack, "Route"), None, "no route set outside a dialog");
    assert_eq!(h.call_events(call)[1], CallEvent::Ringing);
    h.assert_ended(call, EndCause::Busy);
    h.assert_idle();
}

/// An outgoing call that rang, hung up 20 s later: the CANCEL went. Returns the
/// INVITE.
fn cancelled() -> (Harness, Vec<u8>) {
    // No keepalive, so that the next deadline is the call's.
    let mut c = config();
    c.keepalive_interval = Duration::ZERO;
    let mut h = Harness::new(c);
    let (call, invite) = h.outgoing_invite();
    let peer = Peer::new();
    h.deliver(&peer.reply(&invite, 180, "Ringing", None, &[]));
    h.advance(secs(20));
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    let cancel = h.take();
    assert_eq!(first_line(&cancel), "CANCEL sip:bob@softphone.test SIP/2.0");
    assert_eq!(branch(&cancel), branch(&invite));
    assert_header(&cancel, "CSeq", "1 CANCEL");
    h.assert_ended(call, EndCause::Cancelled);
    (h, invite)
}

#[test]
fn after_a_cancel_the_487_is_acked_within_timer_b() {
    let (mut h, invite) = cancelled();
    h.advance(ms(31_999));
    h.deliver(&Peer::new().reply(&invite, 487, "Request Terminated", None, &[]));
    let ack = h.take();
    assert!(ack.starts_with(b"ACK "), "{}", first_line(&ack));
    assert_eq!(branch(&ack), branch(&invite));
    assert!(h.ua.calls().is_empty());
    h.assert_idle();
}

#[test]
fn after_a_cancel_timer_b_runs_again_and_then_nothing_of_the_call_is_armed() {
    let (mut h, _) = cancelled();
    assert_eq!(
        h.ua.poll_timeout(),
        Some((h.now + secs(32), TimerName::CallInviteTimeout)),
        "Timer B from the CANCEL on"
    );
    h.advance(secs(32));
    assert_eq!(
        h.ua.poll_timeout().map(|(_, name)| name),
        Some(TimerName::RegisterRefresh),
        "the call stopped waiting"
    );
    h.assert_idle();
}

#[test]
fn a_reinvites_2xx_is_retransmitted_until_its_ack() {
    let mut h = Harness::new(config());
    let (call, mut peer, invite) = h.connected_dialog();
    let sdp = remote_sdp("sendrecv");
    h.deliver(&peer.in_dialog("INVITE", &invite, Some(("application/sdp", &sdp)), &[]));
    assert!(matches!(h.take_media().1, MediaAction::CreateAnswer { .. }));
    h.local_description(call, SDP_HOST, true);
    let ok = h.take();
    assert_header(&ok, "CSeq", "101 INVITE");
    h.advance(ms(500));
    assert_eq!(h.take(), ok, "T1");
    h.advance(ms(999));
    assert!(h.sent.is_empty());
    h.advance(ms(1));
    assert_eq!(h.take(), ok, "2*T1");
    h.deliver(&peer.ack(&ok, None));
    h.advance(secs(40));
    assert!(h.sent.is_empty(), "no retransmission after the ACK, no BYE");
    assert_eq!(h.ua.calls(), vec![call]);
    h.call_events(call);
    h.assert_idle();
}

#[test]
fn our_reinvite_keeps_timer_b_through_a_100_and_rolls_back_at_it() {
    let (mut h, call, peer) = Harness::in_call(&[]);
    h.ua.hold(call, h.now).unwrap();
    h.drain();
    assert_eq!(h.take_media().1, offer(Direction::SendOnly));
    h.local_description(call, SDP_HOST, true);
    let reinvite = h.take();
    assert!(reinvite.starts_with(b"INVITE "));
    h.deliver(&peer.reply(&reinvite, 100, "Trying", None, &[]));
    h.advance(ms(31_999));
    assert!(h.media.is_empty());
    h.advance(ms(1));
    assert_eq!(h.take_media(), (call, MediaAction::Rollback));
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::Connected),
        "the call goes on, not held"
    );
    h.assert_idle();
}

#[test]
fn a_reinvites_timer_b_is_its_own_a_late_2xx_of_the_invite_leaves_it_armed() {
    let (mut h, call, peer) = Harness::in_call(&[]);
    let invite = h.sent_log_first_invite();
    let reinvite = h.hold_reinvite(call);
    // The initial INVITE's 200 once more (a UDP leg behind the proxy retransmits it):
    // ACKed again; it used to disarm the re-INVITE's Timer B, which shared its key.
    h.deliver(&peer.reply(&invite, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    let ack = h.take();
    assert!(ack.starts_with(b"ACK "), "{}", first_line(&ack));
    assert_header(&ack, "CSeq", "1 ACK");
    h.deliver(&peer.reply(&reinvite, 100, "Trying", None, &[]));
    h.advance(ms(31_999));
    assert!(
        h.media.is_empty(),
        "still waiting for the re-INVITE's answer"
    );
    h.advance(ms(1));
    assert_eq!(h.take_media(), (call, MediaAction::Rollback));
    h.call_events(call);
    h.assert_idle();
}

#[test]
fn a_retransmitted_reinvite_is_answered_by_its_transaction_not_as_out_of_order() {
    let mut h = Harness::new(config());
    let (call, mut peer, invite) = h.connected_dialog();
    let sdp = remote_sdp("sendrecv");
    let reinvite = peer.in_dialog("INVITE", &invite, Some(("application/sdp", &sdp)), &[]);
    h.deliver(&reinvite);
    assert!(matches!(h.take_media().1, MediaAction::CreateAnswer { .. }));
    h.deliver(&reinvite);
    assert!(
        h.sent.is_empty(),
        "absorbed while the answer is made, no 500"
    );
    h.local_description(call, SDP_HOST, true);
    let ok = h.take();
    assert_eq!(first_line(&ok), "SIP/2.0 200 OK");
    h.deliver(&reinvite);
    assert_eq!(h.take(), ok, "the transaction's last response");
    h.deliver(&peer.ack(&ok, None));
    // A new re-INVITE (a higher CSeq) is a new transaction.
    let again = peer.in_dialog("INVITE", &invite, Some(("application/sdp", &sdp)), &[]);
    h.deliver(&again);
    assert!(matches!(h.take_media().1, MediaAction::CreateAnswer { .. }));
    h.local_description(call, SDP_HOST, true);
    let second = h.take();
    assert_header(&second, "CSeq", "102 INVITE");
    h.deliver(&peer.ack(&second, None));
    h.call_events(call);
    h.assert_idle();
}

#[test]
fn a_refused_reinvite_is_refused_again_when_retransmitted_and_its_ack_absorbed() {
    let (mut h, call, mut peer) = Harness::in_call(&[]);
    let ours = h.hold_reinvite(call);
    let sdp = remote_sdp("sendrecv");
    let theirs = peer.in_dialog("INVITE", &ours, Some(("application/sdp", &sdp)), &[]);
    h.deliver(&theirs);
    let refused = h.take();
    assert_eq!(first_line(&refused), "SIP/2.0 491 Request Pending");
    h.deliver(&theirs);
    assert_eq!(h.take(), refused, "glare: the 491 again");
    h.deliver(&peer.ack(&refused, None));
    assert!(h.sent.is_empty(), "the ACK of the 491 is absorbed");
    // Our re-INVITE goes on.
    h.deliver(&peer.reply(&ours, 200, "OK", Some(&remote_sdp("recvonly")), &[]));
    assert!(h.take().starts_with(b"ACK "));
    assert!(matches!(h.take_media().1, MediaAction::ApplyAnswer { .. }));
    h.call_events(call);
    h.assert_idle();
}
