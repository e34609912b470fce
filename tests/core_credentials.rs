//! Transcript tests of credentials and registration control: a rotated password used
//! from the next challenge on (no old nonce reused, no call dropped), an HA1 instead of
//! the password, do-not-disturb (`unregister` keeps the flow and the calls, stops the
//! refresh and survives a reconnect; `register` brings the binding back), extra
//! REGISTER headers, DTMF durations and gaps.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{
    CallEvent, ConnectionState, Credential, DtmfMode, DtmfOptions, EndCause, MediaAction,
    RegistrationEvent,
};
use softphone_core::sip::Secret;
use support::*;

#[test]
fn rotated_password_answers_the_next_challenge_and_keeps_calls() {
    let mut h = Harness::new(config());
    let (call, peer, invite) = h.connected_dialog();
    let mut registrar = Registrar::new();
    assert!(h
        .ua
        .set_credentials(Credential::Ha1(Secret::new("xyz")), None, h.now)
        .is_err());
    h.ua.set_credentials(Credential::Password(Secret::new("n3w-pass")), None, h.now)
        .unwrap();
    h.drain();
    assert!(h.sent.is_empty(), "nothing is sent at once");
    // The refresh (at 540 s) goes without credentials: the old nonce is not reused.
    h.auto_pong = true;
    let refresh = h.advance_until_sent(secs(600));
    assert!(refresh.starts_with(b"REGISTER "));
    assert_eq!(header(&refresh, "Authorization"), None);
    h.deliver(&registrar.challenge(&refresh, false));
    let answered = h.take();
    registrar.check_auth(&answered, "n3w-pass");
    h.deliver(&registrar.ok(&answered, 600));
    assert!(h.ua.is_registered());
    // The call is still up and can be hung up.
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    h.ua.hangup(call, h.now).unwrap();
    h.drain();
    let bye = h.take();
    assert!(bye.starts_with(b"BYE "));
    assert_eq!(header(&bye, "Call-ID"), header(&invite, "Call-ID"));
    h.deliver(&peer.reply(&bye, 200, "OK", None, &[]));
    h.take_media();
    assert_eq!(
        h.last_call_event(call),
        Some(CallEvent::Ended(EndCause::LocalHangup))
    );
    h.events();
    h.assert_idle();
}

#[test]
fn a_rejected_password_is_retried_once_new_credentials_come() {
    let mut c = config();
    c.password = Some(Secret::new("wrong"));
    let mut h = Harness::new(c);
    let (mut registrar, second) = h.challenged();
    // Asterisk answers a wrong password with 401 again.
    h.deliver(&registrar.challenge(&second, false));
    assert!(matches!(
        registration_events(h.events()).last(),
        Some(RegistrationEvent::Failed {
            status: 401,
            retry_in: None,
            ..
        })
    ));
    assert!(h.sent.is_empty());
    h.ua.set_credentials(
        Credential::Password(Secret::new(PASSWORD)),
        Some("alice".into()),
        h.now,
    )
    .unwrap();
    h.drain();
    let again = h.take();
    assert!(again.starts_with(b"REGISTER "));
    assert_eq!(header(&again, "Authorization"), None, "no stale nonce");
    h.deliver(&registrar.challenge(&again, false));
    let answered = h.take();
    registrar.check_auth(&answered, PASSWORD);
    h.deliver(&registrar.ok(&answered, 600));
    h.assert_registered(600);
    h.assert_idle();
}

#[test]
fn ha1_instead_of_the_password() {
    let mut c = config();
    c.password = None;
    // HA1 = MD5(user:realm:password), as a provisioning system hands it out.
    c.ha1 = Some(Secret::new(md5_hex(&format!(
        "alice:softphone.test:{PASSWORD}"
    ))));
    c.register_headers = vec![("X-Tenant".into(), "acme".into())];
    let mut h = Harness::new(c);
    // `register` checks the digest against the password, independently.
    h.register(600);
    let first = h.wire.first().unwrap().clone();
    assert_header(&first, "X-Tenant", "acme");
    h.assert_idle();
    let mut bad = config();
    bad.ha1 = Some(Secret::new("0123"));
    bad.password = None;
    let err = softphone_core::core::UserAgent::new(bad, [1; 32], h.now).unwrap_err();
    assert_eq!(err.field, "ha1");
    let mut bad = config();
    bad.register_headers = vec![("Expires".into(), "60".into())];
    let err = softphone_core::core::UserAgent::new(bad, [1; 32], h.now).unwrap_err();
    assert_eq!(err.field, "registerHeaders");
}

#[test]
fn unregister_keeps_the_flow_and_calls_until_register() {
    let (mut h, call, peer) = Harness::in_call(&[]);
    let mut registrar = Registrar::new();
    assert_eq!(h.ua.connection_state(), ConnectionState::Connected);
    h.ua.unregister(h.now);
    h.drain();
    let unreg = h.take();
    assert!(unreg.starts_with(b"REGISTER "));
    assert_header(&unreg, "Expires", "0");
    h.deliver(&registrar.challenge(&unreg, false));
    let unreg2 = h.take();
    registrar.check_auth(&unreg2, PASSWORD);
    h.deliver(&registrar.ok(&unreg2, 0));
    assert_eq!(
        registration_events(h.events()).last(),
        Some(&RegistrationEvent::Unregistered)
    );
    assert!(!h.ua.is_registered());
    assert!(h.ua.is_unregistered_by_app());
    // No refresh, no close, for longer than the binding would have lasted.
    let closes = h.closes;
    h.advance(secs(1200));
    assert!(h.sent.is_empty(), "no REGISTER while unregistered");
    assert_eq!(h.closes, closes, "the WebSocket stays");
    assert_eq!(h.ua.connection_state(), ConnectionState::Connected);
    // The call is untouched: DTMF by INFO still works in it.
    let options = DtmfOptions {
        mode: DtmfMode::Info,
        duration_ms: 250,
        gap_ms: 200,
    };
    h.ua.send_dtmf_with(call, "12", options, h.now).unwrap();
    h.drain();
    let info = h.take();
    assert!(info.ends_with(b"Signal=1\r\nDuration=250\r\n"));
    h.deliver(&peer.reply(&info, 200, "OK", None, &[]));
    h.advance(ms(199));
    assert!(h.sent.is_empty());
    h.advance(ms(1));
    let info2 = h.take();
    assert!(info2.ends_with(b"Signal=2\r\nDuration=250\r\n"));
    h.deliver(&peer.reply(&info2, 200, "OK", None, &[]));
    assert!(h
        .ua
        .send_dtmf_with(
            call,
            "1",
            DtmfOptions {
                duration_ms: 10,
                ..DtmfOptions::default()
            },
            h.now
        )
        .is_err());
    h.ua.send_dtmf_with(
        call,
        "9",
        DtmfOptions {
            duration_ms: 300,
            gap_ms: 50,
            ..DtmfOptions::default()
        },
        h.now,
    )
    .unwrap();
    h.drain();
    assert_eq!(
        h.take_media().1,
        MediaAction::SendDtmf {
            tones: "9".into(),
            duration_ms: 300,
            gap_ms: 50
        }
    );
    // A new flow while unregistered: no REGISTER either, and the call refreshes its target.
    h.close(1006);
    let connects = h.connects.len();
    for _ in 0..100 {
        if h.connects.len() > connects {
            break;
        }
        h.advance(ms(100));
    }
    assert!(h.connects.len() > connects, "a new WebSocket within 10 s");
    h.open();
    let refresh = h.take();
    assert!(refresh.starts_with(b"INVITE "), "{}", first_line(&refresh));
    h.deliver(&peer.reply(&refresh, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    assert!(h.take().starts_with(b"ACK "));
    h.media.clear();
    assert!(h.sent.is_empty(), "no REGISTER on the new flow");
    // Register again: a new round at once.
    h.ua.register(h.now);
    h.drain();
    let reg = h.take();
    assert!(reg.starts_with(b"REGISTER "));
    assert_header(&reg, "Expires", "600");
    h.deliver(&registrar.challenge(&reg, false));
    let reg2 = h.take();
    registrar.check_auth(&reg2, PASSWORD);
    h.deliver(&registrar.ok(&reg2, 600));
    assert!(h.ua.is_registered());
    assert!(!h.ua.is_unregistered_by_app());
    h.events();
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    h.assert_idle();
}

#[test]
fn a_phone_started_again_after_unregister_registers() {
    let mut h = Harness::new(config());
    h.register(600);
    h.ua.unregister(h.now);
    h.drain();
    let unreg = h.take();
    assert_header(&unreg, "Expires", "0");
    let registrar = Registrar::new();
    h.deliver(&registrar.ok(&unreg, 0));
    h.stop();
    assert!(h.ua.is_stopped(), "nothing left to unregister");
    assert_eq!(h.ua.connection_state(), ConnectionState::Idle);
    h.start();
    h.open();
    let reg = h.take();
    assert!(reg.starts_with(b"REGISTER "));
    assert_header(&reg, "Expires", "600");
    assert!(!h.ua.is_unregistered_by_app());
    h.events();
    h.assert_idle();
}
