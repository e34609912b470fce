//! `stop()` is bounded by the core itself (`UaTimer::StopGuard`, on virtual time): the
//! driver keeps no stop timer of its own and trusts this bound. A far end that never
//! answers the BYE and a registrar that never answers the un-REGISTER cost at most
//! `min(transaction_timeout, 4 s)`; then the flow is closed and nothing stays armed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail
mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{
    CallEvent, ConnectionEvent, DisconnectReason, EndCause, Event, MediaAction, RegistrationEvent,
    TimerName,
};
use support::*;

#[test]
fn stop_with_a_silent_far_end_and_registrar_ends_at_the_guard() {
    let mut h = Harness::new(config());
    let (call, _peer) = h.connected_call(&[]);
    h.take_events();
    h.stop();
    assert!(h.take().starts_with(b"BYE "));
    assert!(h.take().starts_with(b"REGISTER "));
    assert_eq!(h.take_media(), (call, MediaAction::Close));
    assert_eq!(
        h.ua.poll_timeout().map(|(_, name)| name),
        Some(TimerName::StopGuard),
        "the stop's bound is the next deadline"
    );
    // Nobody answers. Just before the bound the user agent is still stopping...
    h.advance(ms(3_999));
    assert!(!h.ua.is_stopped(), "still waiting for the un-REGISTER");
    assert_eq!(h.closes, 0);
    // ...and at it, it closes the flow and is idle: no retransmission, no timer left.
    h.advance(ms(1));
    assert!(h.ua.is_stopped());
    assert_eq!(h.closes, 1);
    assert_eq!(h.ua.poll_timeout(), None, "no timer left");
    assert_eq!(
        h.take_events(),
        vec![
            Event::Call {
                call,
                event: CallEvent::Ended(EndCause::LocalHangup),
            },
            Event::Connection(ConnectionEvent::Disconnected {
                url: URL.into(),
                reason: DisconnectReason::Stopped,
            }),
            Event::Registration(RegistrationEvent::Unregistered),
        ]
    );
    h.assert_idle();
}

#[test]
fn the_guard_is_the_transaction_timeout_when_shorter() {
    let mut c = config();
    c.transaction_timeout = ms(1_500);
    let mut h = Harness::new(c);
    h.register(600);
    h.take_events();
    h.stop();
    assert!(h.take().starts_with(b"REGISTER "));
    h.advance(ms(1_499));
    assert!(!h.ua.is_stopped());
    h.advance(ms(1));
    assert!(h.ua.is_stopped());
    assert_eq!(h.ua.poll_timeout(), None);
    h.take_events();
    h.assert_idle();
}
