//! Transcript tests of the flow: keepalive, reconnect, server choice, network changes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

// The same transcripts run in the browser (wasm-pack test) as on the host.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{
    Config, ConnectionEvent, DisconnectReason, Input, Instant, RegistrationEvent, ServerConfig,
};
use support::*;

#[test]
fn keepalive_pings_within_the_interval_and_accepts_pongs() {
    let mut h = Harness::new(config());
    h.register(600);
    h.advance(secs(19));
    assert_eq!(h.pings, 0, "the first ping comes at 80-100 % of 25 s");
    h.advance(secs(6));
    assert_eq!(h.pings, 1);
    h.deliver(b"\r\n");
    h.auto_pong = true;
    h.advance(secs(250));
    assert!(h.pings >= 10, "{} pings: {:?}", h.pings, h.steps);
    assert_eq!(h.closes, 0);
    h.assert_idle();
}

#[test]
fn a_missing_pong_kills_the_flow_once_pongs_are_known() {
    let mut h = Harness::new(config());
    let registrar = h.register(600);
    h.advance(secs(25));
    assert_eq!(h.pings, 1);
    h.deliver(b"\r\n");
    h.advance(secs(25));
    assert_eq!(h.pings, 2);
    // No pong this time.
    h.advance(secs(10));
    let events = h.take_events();
    assert!(
        connection_events(&events).contains(&ConnectionEvent::Disconnected {
            url: URL.into(),
            reason: DisconnectReason::KeepaliveTimeout,
        })
    );
    assert!(registration_events(&events).contains(&RegistrationEvent::Unregistered));
    // Reconnect within a second, register again on the new flow.
    h.advance(secs(1));
    assert_eq!(h.connects.len(), 2);
    h.open();
    let again = h.take();
    assert!(again.starts_with(b"REGISTER "));
    h.deliver(&registrar.ok(&again, 600));
    h.assert_registered(600);
    h.assert_idle();
}

#[test]
fn a_server_that_never_pongs_is_not_disconnected() {
    let mut h = Harness::new(config());
    h.register(600);
    h.advance(secs(300));
    assert!(h.pings >= 10);
    assert_eq!(h.closes, 0);
    let warnings = h
        .logs
        .iter()
        .filter(|(_, m)| m.contains("does not answer CRLF keepalives"))
        .count();
    assert_eq!(warnings, 1, "warned once");
    h.assert_idle();
}

#[test]
fn server_pings_are_answered() {
    let mut h = Harness::new(config());
    h.register(600);
    h.steps.clear();
    h.deliver(b"\r\n\r\n");
    assert_eq!(h.steps, vec![Step::Pong]);
    h.assert_idle();
}

#[test]
fn reconnects_after_the_server_restarts_and_registers_again() {
    let mut h = Harness::new(config());
    let registrar = h.register(600);
    let before = h.sent.len();
    assert_eq!(before, 0);
    h.take_events();
    h.close(1006);
    let events = h.take_events();
    let conn = connection_events(&events);
    assert!(matches!(
        &conn[0],
        ConnectionEvent::Disconnected {
            reason: DisconnectReason::Closed { code: 1006, .. },
            ..
        }
    ));
    let delay = match &conn[1] {
        ConnectionEvent::Reconnecting { delay, attempt: 1 } => *delay,
        other => panic!("{other:?}"),
    };
    assert!(delay < secs(1), "first retry under a second: {delay:?}");
    assert_eq!(
        registration_events(&events),
        vec![RegistrationEvent::Unregistered]
    );
    h.advance(delay);
    assert_eq!(h.connects.len(), 2);
    h.take_events();
    // The restarted server is not up yet: the attempt fails. It did not answer at all,
    // so the wait follows the outage (under a second this early), not the attempt count.
    h.close(1006);
    let conn = connection_events(&h.take_events());
    assert!(matches!(
        &conn[0],
        ConnectionEvent::Disconnected {
            reason: DisconnectReason::OpenFailed { code: 1006 },
            ..
        }
    ));
    let ConnectionEvent::Reconnecting {
        delay: second,
        attempt: 2,
    } = conn[1]
    else {
        panic!("{conn:?}");
    };
    assert!(second >= ms(500) && second <= secs(1), "{second:?}");
    h.advance(second);
    h.open();
    let req = h.take();
    assert!(req.starts_with(b"REGISTER "));
    h.deliver(&registrar.ok(&req, 600));
    let regs = registration_events(&h.take_events());
    assert_eq!(
        regs,
        vec![
            RegistrationEvent::Registering,
            RegistrationEvent::Registered { expires: 600 }
        ]
    );
    // Success resets the backoff.
    h.close(1006);
    let conn = connection_events(&h.take_events());
    let ConnectionEvent::Reconnecting { delay, .. } = conn[1] else {
        panic!("{conn:?}");
    };
    assert!(delay < secs(1));
    h.assert_idle();
}

#[test]
fn backoff_is_capped_at_thirty_seconds() {
    // A server that accepts the socket and closes it at once: the wait doubles per
    // attempt, up to 30 s.
    let mut h = Harness::new(config());
    h.start();
    let mut delays = Vec::new();
    for _ in 0..12 {
        h.open();
        h.take();
        h.close(1006);
        let conn = connection_events(&h.take_events());
        let Some(ConnectionEvent::Reconnecting { delay, .. }) = conn.last().cloned() else {
            panic!("{conn:?}");
        };
        delays.push(delay);
        h.advance(delay);
    }
    assert!(delays.iter().all(|d| *d <= secs(30)), "{delays:?}");
    assert!(delays[11] >= secs(15), "{delays:?}");
    assert!(
        delays.windows(2).take(5).all(|w| w[1] >= w[0] / 2),
        "{delays:?}"
    );
}

#[test]
fn a_server_that_does_not_answer_is_probed_by_the_length_of_the_outage() {
    // Every attempt refused (closed before it opened) for ten minutes: the waits stay
    // under a second while the outage is short, then grow with it, never past 30 s.
    let mut h = Harness::new(config());
    h.start();
    let mut delays = Vec::new();
    while h.now < Instant::from_millis(600_000) {
        h.close(1006);
        let conn = connection_events(&h.take_events());
        let Some(ConnectionEvent::Reconnecting { delay, .. }) = conn.last().cloned() else {
            panic!("{conn:?}");
        };
        delays.push((h.now, delay));
        h.advance(delay);
    }
    let early: Vec<_> = delays
        .iter()
        .filter(|(at, _)| *at < Instant::from_millis(8_000))
        .collect();
    assert!(early.len() >= 8, "{early:?}");
    assert!(early.iter().all(|(_, d)| *d <= secs(1)), "{early:?}");
    assert!(delays.iter().all(|(_, d)| *d <= secs(30)), "{delays:?}");
    assert!(delays.last().unwrap().1 >= secs(15), "{delays:?}");
    assert!(
        delays.len() < 80,
        "{} attempts in ten minutes",
        delays.len()
    );
}

#[test]
fn connect_timeout_gives_up_on_a_silent_server() {
    let mut h = Harness::new(config());
    h.start();
    h.advance(secs(10));
    let conn = connection_events(&h.take_events());
    assert!(conn.contains(&ConnectionEvent::Disconnected {
        url: URL.into(),
        reason: DisconnectReason::ConnectTimeout,
    }));
    assert_eq!(h.closes, 1);
    h.assert_idle();
}

fn servers(list: &[(&str, u32)]) -> Config {
    let mut c = config();
    c.servers = list
        .iter()
        .map(|(url, weight)| ServerConfig {
            url: (*url).into(),
            weight: *weight,
        })
        .collect();
    c
}

#[test]
fn servers_by_weight_then_failover_then_backoff() {
    let a = "wss://a.example.com/ws";
    let b = "wss://b.example.com/ws";
    let c = "wss://c.example.com/ws";
    let mut h = Harness::new(servers(&[(c, 1), (a, 10), (b, 5)]));
    h.start();
    h.close(1006);
    h.close(1006);
    assert_eq!(
        h.connects,
        vec![a, b, c],
        "highest weight first, failover at once"
    );
    h.close(1006);
    let conn = connection_events(&h.take_events());
    assert!(
        matches!(conn.last(), Some(ConnectionEvent::Reconnecting { .. })),
        "all failed: wait"
    );
    h.advance(secs(1));
    assert_eq!(h.connects.len(), 4);
    assert_eq!(h.connects[3], a, "a new round starts from the top");
}

#[test]
fn equal_weights_are_spread_across_user_agents() {
    let list = [
        ("wss://a.example.com/ws", 0),
        ("wss://b.example.com/ws", 0),
        ("wss://c.example.com/ws", 0),
    ];
    let mut firsts = std::collections::BTreeSet::new();
    for seed in 0..30u8 {
        let mut h = Harness::with_seed(servers(&list), [seed; 32]);
        h.start();
        firsts.insert(h.connects[0].clone());
    }
    assert_eq!(firsts.len(), 3, "{firsts:?}");
}

#[test]
fn online_event_retries_at_once() {
    let mut h = Harness::new(config());
    h.start();
    for _ in 0..6 {
        h.close(1006);
        let delay = match connection_events(&h.take_events()).last() {
            Some(ConnectionEvent::Reconnecting { delay, .. }) => *delay,
            other => panic!("{other:?}"),
        };
        h.advance(delay);
    }
    h.close(1006);
    assert_eq!(h.connects.len(), 7);
    h.input(Input::NetworkOnline);
    assert_eq!(h.connects.len(), 8, "no waiting for the backoff");
}

#[test]
fn online_event_replaces_an_open_flow_and_registers_again() {
    let mut h = Harness::new(config());
    let registrar = h.register(600);
    h.take_events();
    h.input(Input::NetworkOnline);
    let conn = connection_events(&h.take_events());
    assert_eq!(
        conn[0],
        ConnectionEvent::Disconnected {
            url: URL.into(),
            reason: DisconnectReason::NetworkChange
        }
    );
    assert!(
        matches!(conn[1], ConnectionEvent::Connecting { .. }),
        "{conn:?}"
    );
    h.open();
    let req = h.take();
    h.deliver(&registrar.ok(&req, 600));
    h.assert_registered(600);
    h.assert_idle();
}

#[test]
fn waking_from_sleep_replaces_a_silent_flow() {
    let mut h = Harness::new(config());
    h.register(600);
    // The laptop sleeps for an hour: no timer runs, nothing is received.
    h.now = h.now + secs(3600);
    h.input(Input::Resumed);
    let conn = connection_events(h.events());
    assert!(conn.contains(&ConnectionEvent::Disconnected {
        url: URL.into(),
        reason: DisconnectReason::NetworkChange,
    }));
    assert_eq!(h.connects.len(), 2);
    h.assert_idle();
}

#[test]
fn inputs_for_an_old_socket_are_ignored() {
    let mut h = Harness::new(config());
    h.start();
    let old = h.socket.unwrap();
    h.close(1006);
    h.advance(secs(1));
    h.open();
    h.steps.clear();
    h.input(Input::Closed {
        id: old,
        code: 1000,
        reason: "",
    });
    h.input(Input::Received {
        id: old,
        data: b"SIP/2.0 200 OK\r\n\r\n",
    });
    assert!(h.steps.is_empty(), "{:?}", h.steps);
}

#[test]
fn ws_scheme_gives_a_ws_via() {
    let mut h = Harness::new(servers(&[("ws://127.0.0.1:18080/ws", 0)]));
    h.start();
    h.open();
    let req = h.take();
    assert!(header(&req, "Via").unwrap().starts_with("SIP/2.0/WS "));
}
