//! Transcript tests of the `iceServersUrl` schedule run by the user agent
//! (`core/ice_refresh.rs`), on virtual time: the first fetch at start, the refresh at
//! 80 % of `ttl`, the retries backing off to a minute, the expiry of a list whose
//! refreshes all failed, a fetch at once after a pause of the page, and nothing of it
//! after a stop or without a URL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{IceServersAction as Ice, Input, TimerName};
use support::*;

/// A started user agent with an `iceServersUrl`: its first fetch was asked for.
fn started() -> Harness {
    let mut c = config();
    c.ice_servers_url = true;
    let mut h = Harness::new(c);
    h.start();
    assert_eq!(h.ice_servers, [Ice::Fetch], "the first fetch goes at start");
    h.ice_servers.clear();
    h
}

fn fetched(h: &mut Harness, ttl: Option<u64>) {
    h.input(Input::IceServersFetched { ttl: ttl.map(secs) });
}

#[test]
fn a_list_is_refreshed_at_four_fifths_of_its_ttl() {
    let mut h = started();
    h.advance(secs(5));
    assert!(h.ice_servers.is_empty(), "one fetch at a time");
    fetched(&mut h, Some(100));
    h.advance(ms(79_999));
    assert!(h.ice_servers.is_empty());
    h.advance(ms(1));
    assert_eq!(h.ice_servers, [Ice::Fetch], "at 80 s of 100");
    fetched(&mut h, Some(100));
    h.advance(secs(80));
    assert_eq!(h.ice_servers, [Ice::Fetch, Ice::Fetch], "and again");
}

#[test]
fn failed_fetches_back_off_to_a_minute_and_the_list_expires_at_its_ttl() {
    let mut h = started();
    fetched(&mut h, Some(30));
    h.advance(secs(24));
    assert_eq!(h.ice_servers, [Ice::Fetch], "the refresh at 24 s");
    let mut waits = Vec::new();
    let mut last = h.now;
    for _ in 0..8 {
        h.ice_servers.clear();
        h.input(Input::IceServersFailed);
        let start = h.now;
        while !h.ice_servers.contains(&Ice::Fetch) {
            h.advance(ms(500));
            assert!(h.now - start <= secs(61), "a retry within a minute");
        }
        waits.push((h.now - last).as_millis());
        last = h.now;
    }
    assert_eq!(
        waits,
        [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]
    );
    // The list (fetched at 0 s, ttl 30 s) expired once, at 30 s, during the retries.
    let expired = h.logs.iter().filter(|(_, m)| m.contains("expired")).count();
    assert_eq!(expired, 1);
    // A success resets the backoff.
    h.ice_servers.clear();
    fetched(&mut h, Some(30));
    h.advance(secs(24));
    assert_eq!(h.ice_servers, [Ice::Fetch]);
    h.input(Input::IceServersFailed);
    h.ice_servers.clear();
    h.advance(secs(1));
    assert_eq!(h.ice_servers, [Ice::Fetch], "1 s again");
}

#[test]
fn an_expired_list_is_dropped_once_and_a_list_without_ttl_is_kept() {
    let mut h = started();
    fetched(&mut h, Some(10));
    h.advance(secs(8));
    assert_eq!(h.ice_servers, [Ice::Fetch]);
    h.input(Input::IceServersFailed);
    h.advance(ms(1_999));
    assert_eq!(h.ice_servers, [Ice::Fetch, Ice::Fetch], "the retry at 9 s");
    h.input(Input::IceServersFailed);
    h.advance(ms(1));
    assert_eq!(
        h.ice_servers,
        [Ice::Fetch, Ice::Fetch, Ice::Expire],
        "not usable past its ttl"
    );
    h.ice_servers.clear();
    h.advance(secs(200));
    assert!(!h.ice_servers.contains(&Ice::Expire), "dropped once");
    // A success without ttl: kept, never refreshed by time.
    fetched(&mut h, None);
    h.ice_servers.clear();
    h.advance(secs(3_600));
    assert!(h.ice_servers.is_empty(), "{:?}", h.ice_servers);
    assert!(!matches!(
        h.ua.poll_timeout(),
        Some((
            _,
            TimerName::IceServersRefresh | TimerName::IceServersExpire
        ))
    ));
}

#[test]
fn after_a_pause_the_list_is_fetched_at_once_unless_a_fetch_is_out() {
    let mut h = started();
    h.input(Input::Resumed);
    assert!(h.ice_servers.is_empty(), "the first fetch is still out");
    fetched(&mut h, Some(600));
    h.advance(secs(60));
    h.input(Input::Resumed);
    assert_eq!(
        h.ice_servers,
        [Ice::Fetch],
        "the ttl may have run out in the sleep"
    );
    fetched(&mut h, Some(600));
    h.ice_servers.clear();
    h.advance(ms(479_999));
    assert!(h.ice_servers.is_empty(), "rescheduled from the new list");
    h.advance(ms(1));
    assert_eq!(h.ice_servers, [Ice::Fetch]);
}

#[test]
fn a_stopped_phone_fetches_nothing_and_ignores_a_late_answer_and_without_url_nothing_at_all() {
    let mut h = started();
    h.stop();
    assert!(h.ua.is_stopped());
    fetched(&mut h, Some(100));
    h.advance(secs(600));
    assert!(h.ice_servers.is_empty());
    h.start();
    assert_eq!(h.ice_servers, [Ice::Fetch], "a new start fetches again");

    let mut h = Harness::new(config());
    h.start();
    h.input(Input::Resumed);
    h.input(Input::IceServersFetched { ttl: Some(secs(1)) });
    h.advance(secs(600));
    assert!(h.ice_servers.is_empty(), "no iceServersUrl");
}
