//! Transcripts of the media watchdog (`core/call/watchdog.rs`) on virtual time, where
//! DTLS, NAT and TURN decide: a DTLS handshake stuck behind connected ICE, the symmetric
//! NAT of the network lab going relay-only at once, and when a relay-only restart is
//! pointless (already relay-only, every TURN URL failed, no TURN at all). The rest of
//! the watchdog is in `core_watchdog.rs`.
//!
//! A small simulated driver (`Sim`, in `support/media_sim.rs`) answers the core's
//! sample requests from a model of the call's media, and carries out the ICE restarts
//! the core asks for (re-INVITE, 200, ACK), so each test states only how the network
//! behaves.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{
    CandidateKind, DtlsState, IceState, Input, MediaLoss, NoMediaWhy, ServerOutcome,
};
use support::*;

#[test]
fn dtls_stuck_with_ice_connected_is_caught_and_escapes_through_turn() {
    // Symmetric NAT: ICE connects over prflx -> host, DTLS never finishes.
    let (mut h, mut sim) = answered(turn_config());
    lab_symmetric_sample(&mut sim, false);
    sim.sample.servers = servers(&[(TURN_UDP, ServerOutcome::Allocated)]);
    // The driver's packet counter may even show a few packets: without DTLS no
    // audio can be decrypted, so they do not count as media.
    sim.flowing = true;
    h.input(Input::IceState {
        call: sim.call,
        state: IceState::Connected,
    });
    sim.on_restart = |sim, _| {
        if sim.relay_only {
            sim.sample.dtls = Some(DtlsState::Connected);
            sim.sample.local_candidate = Some(CandidateKind::Relay);
        }
    };
    // The signature (ICE connected on the direct pair, DTLS not) goes relay-only at the
    // first escalation: a plain restart would only find the same pair again.
    sim.run(&mut h, secs(5));
    sim.assert_log(&[&RELAY_FIRST, &["4000 connected"]]);
    h.assert_idle();
}

/// The samples the lab's symmetric NAT produced (tests/e2e/netlab.test.mjs, Chromium
/// behind the nftables router, baresip the far end) before the fix: ICE connected over
/// prflx -> host with DTLS connecting and nothing in; after each restart the relay pair
/// is selected for a sample while ICE re-checks, then the direct pair wins again.
fn lab_symmetric_sample(sim: &mut Sim, relay: bool) {
    sim.sample.ice = Some(IceState::Connected);
    sim.sample.dtls = Some(DtlsState::Connecting);
    sim.sample.local_candidate = Some(if relay {
        CandidateKind::Relay
    } else {
        CandidateKind::Prflx
    });
    sim.sample.remote_candidate = Some(CandidateKind::Host);
}

#[test]
fn the_lab_symmetric_nat_goes_relay_only_at_once_and_gets_audio() {
    let (mut h, mut sim) = answered(turn_config());
    lab_symmetric_sample(&mut sim, false);
    sim.sample.servers = servers(&[
        ("stun:10.99.2.2:3478", ServerOutcome::Allocated),
        ("stun:10.99.2.3:3478", ServerOutcome::Allocated),
        (TURN_UDP, ServerOutcome::Allocated),
        (
            "turn:10.99.2.2:3478?transport=tcp",
            ServerOutcome::Allocated,
        ),
        ("turn:10.99.2.2:443?transport=tcp", ServerOutcome::Allocated),
    ]);
    h.input(Input::IceState {
        call: sim.call,
        state: IceState::Connected,
    });
    // Relay-only: the first sample after the restart shows the relay pair with DTLS
    // still connecting; the next one has DTLS up over it and audio.
    sim.on_restart = |sim, _| {
        assert!(
            sim.relay_only,
            "the restart over the stuck direct path must be relay-only"
        );
        lab_symmetric_sample(sim, true);
    };
    sim.run(&mut h, ms(4_500));
    sim.assert_log(&[&RELAY_FIRST]);
    sim.sample.dtls = Some(DtlsState::Connected);
    sim.flowing = true;
    sim.run(&mut h, secs(5));
    sim.assert_log(&[&RELAY_FIRST, &["5000 connected"]]);
    h.assert_idle();
}

#[test]
fn a_relay_pair_seen_while_dtls_never_ran_does_not_stop_the_relay_only_restart() {
    // Before the fix: ICE still checking at the first escalation (no signature yet), a
    // plain restart; one sample then shows the relay pair selected with DTLS connecting
    // and the direct pair wins again. That relay never carried DTLS: the second
    // escalation must still go relay-only (it did not, and the call ended `dtlsFailed`).
    let (mut h, mut sim) = answered(turn_config());
    sim.sample.ice = Some(IceState::Checking);
    sim.sample.servers = servers(&[(TURN_UDP, ServerOutcome::Allocated)]);
    sim.on_restart = |sim, restart| {
        if restart == 1 {
            lab_symmetric_sample(sim, true);
        }
    };
    sim.run(&mut h, ms(4_500));
    assert_eq!(sim.log, ["3000 reconnecting", "3000 ICE restart"]);
    lab_symmetric_sample(&mut sim, false);
    sim.run(&mut h, secs(3));
    sim.assert_log(&[&ESCALATED]);
    assert!(sim.relay_only);
}

#[test]
fn dtls_stuck_without_turn_ends_saying_so() {
    let (mut h, mut sim) = answered(config());
    lab_symmetric_sample(&mut sim, false);
    sim.run(&mut h, secs(40));
    let cause = sim.cause(&h);
    assert_eq!(cause.why, NoMediaWhy::DtlsFailed);
    assert!(!cause.relay_only, "no TURN: nothing to escape through");
    assert_eq!(
        cause.reason,
        "media never started: ICE connected (prflx to host) but DTLS stayed connecting: the \
         far end takes media only on another path (a symmetric NAT?); 3 ICE restart(s) in 28 s"
    );
    assert!(h.take().starts_with(b"BYE "));
    h.assert_idle();
}

#[test]
fn an_ice_failure_is_taken_over_by_the_watchdog_and_ends_with_evidence() {
    let (mut h, mut sim) = answered(config());
    sim.media_flowing();
    sim.run(&mut h, ms(1_500));
    // ICE fails: ice.rs restarts at once; the watchdog's clock starts from there.
    sim.flowing = false;
    sim.sample.ice = Some(IceState::Failed);
    h.input(Input::IceState {
        call: sim.call,
        state: IceState::Failed,
    });
    sim.settle(&mut h);
    sim.run(&mut h, secs(40));
    assert_eq!(sim.log[..2], ["1500 reconnecting", "1500 ICE restart"]);
    let cause = sim.cause(&h);
    assert_eq!(cause.loss, MediaLoss::Lost);
    assert_eq!(cause.why, NoMediaWhy::IceFailed);
    assert_eq!(cause.restarts, 3);
    assert!(h.take().starts_with(b"BYE "));
    h.take_events();
    h.assert_idle();
}

#[test]
fn a_call_already_relay_only_gets_no_relay_only_restart() {
    let mut c = turn_config();
    c.media_watchdog.restarts = 2;
    let (mut h, mut sim) = answered(c);
    sim.sample.relay_policy = true;
    sim.sample.servers = servers(&[(TURN_UDP, ServerOutcome::Allocated)]);
    sim.run(&mut h, secs(20));
    assert_eq!(
        sim.log,
        [
            "3000 reconnecting",
            "3000 ICE restart",
            "7000 ICE restart",
            "15000 ended: neverStarted iceFailed",
            "15000 close",
        ]
    );
    assert!(!sim.cause(&h).relay_only);
    assert!(h.take().starts_with(b"BYE "));
    h.assert_idle();
}

#[test]
fn no_relay_only_restart_when_every_turn_url_failed() {
    let (mut h, mut sim) = answered(turn_config());
    sim.sample.servers = servers(&[
        (TURN_UDP, ServerOutcome::TimedOut),
        (TURN_TCP, ServerOutcome::AuthFailed),
    ]);
    sim.run(&mut h, secs(40));
    assert!(
        sim.log.iter().all(|l| !l.contains("relay-only")),
        "{:?}",
        sim.log
    );
    let cause = sim.cause(&h);
    assert_eq!(cause.why, NoMediaWhy::TurnAuthFailed);
    assert_eq!(
        cause.reason,
        format!(
            "media never started: the TURN server refused the credentials ({TURN_TCP}) and no \
             direct path worked; 3 ICE restart(s) in 28 s"
        )
    );
    assert!(h.take().starts_with(b"BYE "));
    h.assert_idle();
}
