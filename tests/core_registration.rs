//! Transcript tests of registration on virtual time against a scripted registrar.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

// The same transcripts run in the browser (wasm-pack test) as on the host.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{ConnectionEvent, Event, RegistrationEvent};
use support::*;

#[test]
fn registers_with_digest_in_the_expected_transcript() {
    let mut h = Harness::new(config());
    h.start();
    h.open();
    let first = h.take();
    assert!(first.starts_with(b"REGISTER sip:softphone.test SIP/2.0\r\n"));
    assert_header(&first, "CSeq", "1 REGISTER");
    assert!(header(&first, "Authorization").is_none());
    let contact = header(&first, "Contact").unwrap();
    assert!(contact.contains(";transport=ws;ob>"), "{contact}");
    assert!(
        contact.contains(&format!("+sip.instance=\"<urn:uuid:{INSTANCE}>\"")),
        "{contact}"
    );
    assert!(contact.contains("reg-id=1"), "{contact}");
    assert!(contact.ends_with(";expires=600"), "{contact}");
    assert_header(&first, "Expires", "600");
    let via = header(&first, "Via").unwrap();
    assert!(
        via.starts_with("SIP/2.0/WSS ") && via.contains(".invalid;branch=z9hG4bK"),
        "{via}"
    );

    let mut registrar = Registrar::new();
    h.deliver(&registrar.challenge(&first, false));
    let second = h.take();
    registrar.check_auth(&second, PASSWORD);
    assert_header(&second, "CSeq", "2 REGISTER");
    assert_eq!(header(&second, "Call-ID"), header(&first, "Call-ID"));
    assert_eq!(header(&second, "From"), header(&first, "From"));
    assert_ne!(
        header(&second, "Via"),
        header(&first, "Via"),
        "a new branch"
    );
    h.deliver(&registrar.ok(&second, 600));

    assert_eq!(
        h.steps,
        vec![
            Step::Event(Event::Connection(ConnectionEvent::Connecting {
                url: URL.into(),
                attempt: 0
            })),
            Step::Connect(URL.into()),
            Step::Event(Event::Connection(ConnectionEvent::Connected {
                url: URL.into()
            })),
            Step::Event(Event::Registration(RegistrationEvent::Registering)),
            Step::Send("REGISTER sip:softphone.test SIP/2.0".into()),
            Step::Send("REGISTER sip:softphone.test SIP/2.0".into()),
            Step::Event(Event::Registration(RegistrationEvent::Registered {
                expires: 600
            })),
        ]
    );
}

#[test]
fn refreshes_before_expiry_not_at_it() {
    let mut h = Harness::new(config());
    let registrar = h.register(600);
    h.take_events();
    h.advance(secs(539));
    assert!(h.sent.is_empty(), "no refresh before 540 s");
    h.advance(secs(1));
    let refresh = h.take();
    assert_header(&refresh, "CSeq", "3 REGISTER");
    // The cached challenge is reused with the nonce count up.
    registrar.check_auth(&refresh, PASSWORD);
    let auth = header(&refresh, "Authorization").unwrap();
    assert_eq!(digest_param(&auth, "nc").unwrap(), "00000002");
    h.deliver(&registrar.ok(&refresh, 600));
    let regs = registration_events(&h.take_events());
    assert_eq!(
        regs.last(),
        Some(&RegistrationEvent::Registered { expires: 600 })
    );
    assert!(
        !regs.contains(&RegistrationEvent::Registering),
        "a refresh is not a new registration: {regs:?}"
    );
    // Next refresh again 540 s after this one was sent.
    h.advance(secs(539));
    assert!(h.sent.is_empty());
    h.advance(secs(1));
    assert!(h.take().starts_with(b"REGISTER "));
    h.assert_idle();
}

#[test]
fn short_expiry_refreshes_at_half() {
    let mut h = Harness::new(config());
    let registrar = h.register(10);
    h.advance(ms(4_999));
    assert!(h.sent.is_empty());
    h.advance(ms(1));
    let refresh = h.take();
    h.deliver(&registrar.ok(&refresh, 10));
    assert!(registration_events(&h.take_events())
        .contains(&RegistrationEvent::Registered { expires: 10 }));
    h.assert_idle();
}

#[test]
fn uses_the_expiry_the_registrar_granted() {
    let mut h = Harness::new(config());
    h.register(120);
    h.assert_registered(120);
    h.advance(secs(107));
    assert!(h.sent.is_empty());
    h.advance(secs(1));
    assert!(!h.sent.is_empty(), "refresh at 108 s of 120");
}

#[test]
fn stale_nonce_is_answered_again() {
    let mut h = Harness::new(config());
    let (registrar, again) = h.stale_refresh();
    registrar.check_auth(&again, PASSWORD);
    let auth = header(&again, "Authorization").unwrap();
    assert_eq!(
        digest_param(&auth, "nc").unwrap(),
        "00000001",
        "new nonce, nc restarts"
    );
    h.deliver(&registrar.ok(&again, 600));
    h.assert_registered(600);
    h.assert_idle();
}

#[test]
fn a_second_challenge_fails_without_looping() {
    let mut h = Harness::new(config());
    let (mut registrar, second) = h.challenged();
    h.deliver(&registrar.challenge(&second, false));
    assert!(h.sent.is_empty());
    assert_eq!(
        registration_events(h.events()).last(),
        Some(&RegistrationEvent::Failed {
            status: 401,
            reason: "Unauthorized".into(),
            retry_in: None
        })
    );
    h.advance(secs(3600));
    assert!(h.sent.is_empty(), "no REGISTER after a refused password");
    assert!(h.pings > 100, "the flow stays up with keepalives");
    // The application may ask again.
    h.start();
    assert!(h.take().starts_with(b"REGISTER "));
}

#[test]
fn forbidden_and_not_found_fail_for_good() {
    for (code, reason) in [(403, "Forbidden"), (404, "Not Found")] {
        let mut h = Harness::new(config());
        let (registrar, first) = h.first_register();
        h.deliver(&registrar.respond(&first, code, reason, &[]));
        assert_eq!(
            registration_events(h.events()).last(),
            Some(&RegistrationEvent::Failed {
                status: code,
                reason: reason.into(),
                retry_in: None
            })
        );
        h.advance(secs(3600));
        assert!(h.sent.is_empty());
    }
}

#[test]
fn interval_too_brief_retries_with_min_expires() {
    let mut h = Harness::new(config());
    let (registrar, first) = h.first_register();
    h.deliver(&registrar.respond(
        &first,
        423,
        "Interval Too Brief",
        &["Min-Expires: 1800".into()],
    ));
    let second = h.take();
    assert_header(&second, "Expires", "1800");
    assert!(header(&second, "Contact")
        .unwrap()
        .ends_with(";expires=1800"));
    h.deliver(&registrar.ok(&second, 1800));
    h.assert_registered(1800);
    // A 423 whose Min-Expires is not above what was asked is a refusal, not a loop.
    let mut h = Harness::new(config());
    h.start();
    h.open();
    let first = h.take();
    h.deliver(&registrar.respond(
        &first,
        423,
        "Interval Too Brief",
        &["Min-Expires: 60".into()],
    ));
    assert!(h.sent.is_empty());
    assert!(matches!(
        registration_events(h.events()).last(),
        Some(RegistrationEvent::Failed {
            status: 423,
            retry_in: None,
            ..
        })
    ));
    h.assert_idle();
}

#[test]
fn service_unavailable_honours_retry_after() {
    let mut h = Harness::new(config());
    let (registrar, first) = h.first_register();
    h.deliver(&registrar.respond(
        &first,
        503,
        "Service Unavailable",
        &["Retry-After: 30".into()],
    ));
    assert_eq!(
        registration_events(h.events()).last(),
        Some(&RegistrationEvent::Failed {
            status: 503,
            reason: "Service Unavailable".into(),
            retry_in: Some(secs(30)),
        })
    );
    h.advance(ms(29_999));
    assert!(h.sent.is_empty());
    h.advance(ms(1));
    let again = h.take();
    h.deliver(&registrar.ok(&again, 600));
    h.assert_registered(600);
    h.assert_idle();
}

#[test]
fn server_errors_without_retry_after_back_off() {
    let mut h = Harness::new(config());
    h.start();
    h.open();
    let registrar = Registrar::new();
    let mut delays = Vec::new();
    for _ in 0..4 {
        let req = h.advance_until_sent(secs(600));
        h.deliver(&registrar.respond(&req, 500, "Server Internal Error", &[]));
        match registration_events(&h.take_events()).last() {
            Some(RegistrationEvent::Failed {
                status: 500,
                retry_in: Some(d),
                ..
            }) => delays.push(*d),
            other => panic!("{other:?}"),
        }
    }
    assert!(delays[0] >= secs(2) && delays[0] <= secs(5), "{delays:?}");
    assert!(delays[3] > delays[0], "{delays:?}");
    h.assert_idle();
}

#[test]
fn no_answer_replaces_the_flow_and_registers_again() {
    let mut h = Harness::new(config());
    h.start();
    h.open();
    let _lost = h.take();
    h.advance(secs(31));
    assert_eq!(h.closes, 0);
    h.advance(secs(1));
    let events = h.take_events();
    assert!(
        registration_events(&events).contains(&RegistrationEvent::Failed {
            status: 408,
            reason: "Request Timeout".into(),
            retry_in: Some(secs(0)),
        })
    );
    assert_eq!(h.closes, 1, "the suspect flow is closed");
    assert!(connection_events(&events)
        .iter()
        .any(|e| matches!(e, ConnectionEvent::Reconnecting { .. })));
    h.advance(secs(1));
    assert_eq!(h.connects.len(), 2);
    h.open();
    assert!(h.take().starts_with(b"REGISTER "));
}

#[test]
fn stop_unregisters_then_closes() {
    let mut h = Harness::new(config());
    let registrar = h.register(600);
    h.steps.clear();
    h.stop();
    assert!(!h.ua.is_stopped(), "waits for the un-REGISTER");
    let unreg = h.take();
    assert_header(&unreg, "Expires", "0");
    assert!(header(&unreg, "Contact").unwrap().ends_with(";expires=0"));
    assert!(header(&unreg, "Authorization").is_some());
    h.deliver(&registrar.ok(&unreg, 0));
    assert!(h.ua.is_stopped());
    assert_eq!(
        h.steps,
        vec![
            Step::Send("REGISTER sip:softphone.test SIP/2.0".into()),
            Step::Event(Event::Registration(RegistrationEvent::Unregistered)),
            Step::Close,
            Step::Event(Event::Connection(ConnectionEvent::Disconnected {
                url: URL.into(),
                reason: softphone_core::core::DisconnectReason::Stopped,
            })),
        ]
    );
    assert_eq!(h.ua.poll_timeout(), None, "no timer left");
}

#[test]
fn stop_does_not_wait_forever_for_the_registrar() {
    let mut h = Harness::new(config());
    h.register(600);
    h.stop();
    let _unreg = h.take();
    h.advance(secs(4));
    assert!(h.ua.is_stopped());
    assert_eq!(h.ua.poll_timeout(), None);
}

#[test]
fn stop_while_connecting_closes_at_once() {
    let mut h = Harness::new(config());
    h.start();
    h.stop();
    assert!(h.ua.is_stopped());
    assert_eq!(h.closes, 1);
    assert!(h.sent.is_empty());
}

#[test]
fn registration_can_be_disabled() {
    let mut c = config();
    c.register = false;
    let mut h = Harness::new(c);
    h.start();
    h.open();
    h.advance(secs(100));
    assert!(h.sent.is_empty());
    assert!(registration_events(h.events()).is_empty());
    h.assert_idle();
}

#[test]
fn no_password_is_a_clear_failure() {
    let mut c = config();
    c.password = None;
    let mut h = Harness::new(c);
    let (mut registrar, first) = h.first_register();
    h.deliver(&registrar.challenge(&first, false));
    assert!(h.sent.is_empty());
    assert!(matches!(
        registration_events(h.events()).last(),
        Some(RegistrationEvent::Failed {
            status: 401,
            retry_in: None,
            ..
        })
    ));
    assert!(h.logs.iter().any(|(_, m)| m.contains("no password")));
    h.assert_idle();
}
