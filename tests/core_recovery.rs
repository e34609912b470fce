//! Transcript tests of recovery: ICE restarts after a disconnect or failure, the
//! recovery limit, a WebSocket lost and replaced during a call, Flow-Timer.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{
    CallEvent, CallId, Direction, EndCause, IceState, Input, MediaAction, RegistrationEvent,
};
use std::time::Duration;

use support::*;

fn ice(h: &mut Harness, call: CallId, state: IceState) {
    h.input(Input::IceState { call, state });
}

#[test]
fn a_short_ice_disconnect_recovers_by_itself() {
    let (mut h, call, _peer) = Harness::in_call(&[]);
    ice(&mut h, call, IceState::Connected);
    ice(&mut h, call, IceState::Disconnected);
    h.advance(ms(1500));
    ice(&mut h, call, IceState::Connected);
    h.advance(secs(10));
    assert!(h.media.is_empty(), "no restart within the grace period");
    assert!(h.sent.is_empty());
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    h.assert_idle();
}

#[test]
fn ice_disconnected_past_the_grace_restarts_and_the_call_comes_back() {
    let (mut h, call, peer) = Harness::in_call(&[]);
    ice(&mut h, call, IceState::Connected);
    ice(&mut h, call, IceState::Disconnected);
    h.advance(ms(1999));
    assert!(h.media.is_empty());
    h.advance(ms(1));
    assert_eq!(h.last_call_event(call), Some(CallEvent::Reconnecting));
    assert_eq!(h.take_media().1, ice_restart_offer());
    let restarted = SDP_HOST.replace("ice-ufrag:lcl1", "ice-ufrag:lcl2");
    h.local_description(call, &restarted, true);
    let reinvite = h.take();
    assert!(reinvite.starts_with(b"INVITE "));
    assert!(String::from_utf8_lossy(&reinvite).contains("ice-ufrag:lcl2"));
    h.deliver(&peer.reply(&reinvite, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    assert!(h.take().starts_with(b"ACK "));
    assert!(matches!(
        h.take_media().1,
        MediaAction::ApplyAnswer {
            provisional: false,
            ..
        }
    ));
    ice(&mut h, call, IceState::Checking);
    ice(&mut h, call, IceState::Connected);
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    h.advance(secs(60));
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::Connected),
        "the give-up timer is off"
    );
    h.assert_idle();
}

#[test]
fn ice_failure_restarts_at_once_and_retries_until_the_limit() {
    let (mut h, call, peer) = Harness::in_call(&[]);
    ice(&mut h, call, IceState::Failed);
    assert_eq!(h.last_call_event(call), Some(CallEvent::Reconnecting));
    let mut attempts = 0;
    let start = h.now;
    while h.now < start + secs(40) {
        while let Some((_, action)) = h.media.pop_front() {
            if let MediaAction::CreateOffer {
                ice_restart: true, ..
            } = action
            {
                attempts += 1;
                h.local_description(call, SDP_HOST, true);
                let reinvite = h.take();
                // The far end's network is down too: the re-INVITE fails.
                h.deliver(&peer.reply(&reinvite, 503, "Service Unavailable", None, &[]));
                assert!(h.take().starts_with(b"ACK "));
            }
        }
        if matches!(h.last_call_event(call), Some(CallEvent::Ended(_))) {
            break;
        }
        h.advance(ms(250));
    }
    assert!(attempts >= 4, "{attempts} attempts");
    assert!(h.now - start >= secs(30), "kept trying for the whole limit");
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::Ended(EndCause::MediaFailure {
            reason: "media not restored within 30 s".into()
        }))
    );
    assert!(h.take().starts_with(b"BYE "));
    h.assert_idle();
}

#[test]
fn a_websocket_lost_during_a_call_reregisters_then_refreshes_the_call() {
    let mut h = Harness::new(config());
    let (call, peer) = h.connected_call(&[]);
    ice(&mut h, call, IceState::Connected);
    let registrar = Registrar::new();
    h.take_events();
    // Kamailio restarts.
    h.close(1006);
    assert_eq!(h.call_events(call), vec![], "the call is untouched");
    h.advance(secs(1));
    h.open();
    let register = h.take();
    assert!(register.starts_with(b"REGISTER "), "register first");
    assert!(
        h.sent.is_empty(),
        "nothing for the call before the registration"
    );
    h.deliver(&registrar.ok(&register, 600));
    // Media is healthy, so the call re-INVITEs with the same SDP: a target refresh.
    let refresh = h.take();
    assert!(
        refresh.starts_with(b"INVITE sip:bob@198.51.100.2"),
        "{}",
        first_line(&refresh)
    );
    assert!(String::from_utf8_lossy(&refresh).ends_with(SDP_HOST));
    assert!(h.media.is_empty(), "no new offer from the browser");
    h.deliver(&peer.reply(&refresh, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    assert!(h.take().starts_with(b"ACK "));
    assert!(
        h.media.is_empty(),
        "a target refresh changes no media: nothing to apply"
    );
    // BYE still works.
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    assert!(h.take().starts_with(b"BYE "));
    assert!(
        registration_events(h.events()).contains(&RegistrationEvent::Registered { expires: 600 })
    );
    assert_eq!(h.take_media().1, MediaAction::Close);
    h.assert_idle();
}

#[test]
fn a_hangup_while_the_websocket_is_down_sends_bye_once_it_is_back() {
    let mut h = Harness::new(config());
    let (call, peer) = h.connected_call(&[]);
    ice(&mut h, call, IceState::Connected);
    h.close(1006);
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::Ended(EndCause::LocalHangup))
    );
    assert!(h.sent.is_empty());
    h.advance(secs(1));
    h.open();
    let register = h.take();
    h.deliver(&Registrar::new().ok(&register, 600));
    let bye = h.take();
    assert!(
        bye.starts_with(b"BYE sip:bob@198.51.100.2"),
        "{}",
        first_line(&bye)
    );
    h.deliver(&peer.reply(&bye, 200, "OK", None, &[]));
    assert!(h.ua.calls().is_empty());
    assert_eq!(h.take_media().1, MediaAction::Close);
}

#[test]
fn ice_failure_during_an_outage_restarts_after_reregistration() {
    let mut h = Harness::new(config());
    let (call, _peer) = h.connected_call(&[]);
    h.close(1006);
    ice(&mut h, call, IceState::Failed);
    assert_eq!(h.last_call_event(call), Some(CallEvent::Reconnecting));
    assert!(h.media.is_empty(), "no offer without signalling");
    h.advance(secs(1));
    h.open();
    let register = h.take();
    h.deliver(&Registrar::new().ok(&register, 600));
    assert_eq!(h.take_media().1, ice_restart_offer());
}

#[test]
fn an_incoming_ice_restart_is_answered() {
    let mut h = Harness::new(config());
    let (call, mut peer, invite) = h.connected_dialog();
    let restart = remote_sdp("sendrecv").replace("ice-ufrag:rmt1", "ice-ufrag:rmt2");
    h.deliver(&peer.in_dialog("INVITE", &invite, Some(("application/sdp", &restart)), &[]));
    assert_eq!(
        h.take_media().1,
        MediaAction::CreateAnswer {
            offer: restart,
            direction: Direction::SendRecv,
            video: false
        }
    );
    h.local_description(call, SDP_HOST, true);
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    h.assert_idle();
}

/// A phone registered with `keepalive_interval`, the registrar's 200 carrying
/// `Flow-Timer: 25` when `flow_timer` is set; pongs answered.
fn registered_with_keepalive(keepalive_interval: Duration, flow_timer: bool) -> Harness {
    let mut c = config();
    c.keepalive_interval = keepalive_interval;
    let mut h = Harness::new(c);
    h.auto_pong = true;
    let (registrar, second) = h.challenged();
    let mut ok = String::from_utf8_lossy(&registrar.ok(&second, 600)).into_owned();
    if flow_timer {
        ok = ok.replace("Server:", "Flow-Timer: 25\r\nRequire: outbound\r\nServer:");
    }
    h.deliver(ok.as_bytes());
    h
}

/// Registered with `keepalive_interval` against a registrar that sends `Flow-Timer: 25`:
/// at least four pings in 100 s, whatever the app asked for.
fn assert_pings_follow_flow_timer(keepalive_interval: Duration) {
    let mut h = registered_with_keepalive(keepalive_interval, true);
    h.advance(secs(100));
    assert!(
        h.pings >= 4,
        "{} pings in 100 s with Flow-Timer 25",
        h.pings
    );
}

#[test]
fn keepalives_follow_the_registrars_flow_timer() {
    assert_pings_follow_flow_timer(secs(60));
}

#[test]
fn a_flow_timer_turns_keepalives_on_even_when_the_app_turned_them_off() {
    assert_pings_follow_flow_timer(secs(0));
}

#[test]
fn without_a_flow_timer_a_zero_interval_sends_no_keepalive() {
    let mut h = registered_with_keepalive(secs(0), false);
    h.advance(secs(500));
    assert_eq!(
        h.pings, 0,
        "pings with keepaliveInterval 0 and no Flow-Timer"
    );
    // Nothing is armed but the registration's refresh: an idle phone wakes for nothing else.
    let next = h.ua.poll_timeout().map(|(_, name)| name);
    assert_eq!(next, Some(softphone_core::core::TimerName::RegisterRefresh));
}
