//! Transcripts of the media watchdog (`core/call/watchdog.rs`) on virtual time: media
//! that never starts or stops is found within seconds, recovery escalates from an ICE
//! restart to a relay-only one, and a call that cannot get media ends with a cause
//! that names the reason and carries the browser's evidence.
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
    CallEvent, CandidateKind, DtlsState, IceState, Input, Instant, MediaAction, MediaLoss,
    MediaSample, NoMedia, NoMediaWhy, ServerOutcome, TimerName,
};
use support::*;

#[test]
fn sampling_is_armed_by_the_core_once_the_call_is_up() {
    let (mut h, sim) = answered(config());
    assert_eq!(
        h.ua.poll_timeout().map(|(at, name)| (at - sim.t0, name)),
        Some((secs(1), TimerName::CallMediaSample))
    );
    h.advance(secs(3));
    assert_eq!(
        h.sample_requests,
        vec![
            (
                sim.call,
                MediaAction::SampleMedia {
                    expect_inbound: true,
                    expect_outbound: true
                }
            );
            3
        ]
    );
    // A driver that never answers the requests: the watchdog does not act.
    h.sample_requests.clear();
    h.advance(secs(60));
    assert!(h.media.is_empty());
    assert_eq!(h.last_call_event(sim.call), Some(CallEvent::Connected));
    h.assert_idle();
}

#[test]
fn media_that_never_starts_restarts_then_restarts_relay_only_and_recovers() {
    let (mut h, mut sim) = answered(turn_config());
    // UDP to the far end is blocked: ICE never connects directly. TURN works.
    sim.sample.servers = servers(&[
        (STUN, ServerOutcome::Allocated),
        (TURN_UDP, ServerOutcome::Allocated),
    ]);
    sim.on_restart = |sim, _| {
        if sim.relay_only {
            sim.flowing = true;
            sim.sample.ice = Some(IceState::Connected);
            sim.sample.dtls = Some(DtlsState::Connected);
            sim.sample.local_candidate = Some(CandidateKind::Relay);
            sim.sample.remote_candidate = Some(CandidateKind::Host);
        }
    };
    sim.run(&mut h, secs(20));
    sim.assert_log(&[&ESCALATED, &["8000 connected"]]);
    assert!(h
        .logs
        .iter()
        .any(|(_, l)| l.contains("media never started: no inbound audio for 3000 ms")));
    h.assert_idle();
}

#[test]
fn media_that_never_starts_ends_with_the_evidence_and_the_exact_cause() {
    let (mut h, mut sim) = answered(turn_config());
    // Only the SIP WebSocket gets through: every STUN/TURN URL fails.
    sim.sample.servers = servers(&[
        (STUN, ServerOutcome::TimedOut),
        (TURN_UDP, ServerOutcome::TimedOut),
        (TURN_TCP, ServerOutcome::Unreachable),
        (TURN_TLS, ServerOutcome::Pending),
    ]);
    sim.run(&mut h, secs(40));
    // The TLS URL has not answered yet at 7 s: it may still give a relay.
    sim.assert_log(&[
        &ESCALATED,
        &[
            "15000 ICE restart",
            "31000 ended: neverStarted turnUnreachable",
            "31000 close",
        ],
    ]);
    let cause = sim.cause(&h);
    assert_eq!(
        cause,
        NoMedia {
            loss: MediaLoss::NeverStarted,
            why: NoMediaWhy::TurnUnreachable,
            reason: format!(
                "media never started: no TURN server could be reached (timed out: {TURN_UDP}; \
                 refused: {TURN_TCP}; no answer: {TURN_TLS}) and no direct path worked (ICE \
                 checking): the network blocks TURN on every port; 3 ICE restart(s), one \
                 relay-only, in 28 s"
            ),
            tried: secs(28),
            restarts: 3,
            relay_only: true,
            evidence: MediaSample {
                ice: Some(IceState::Checking),
                dtls: Some(DtlsState::New),
                packets_sent: 31 * 50,
                servers: sim.sample.servers.clone(),
                ..MediaSample::default()
            },
        }
    );
    assert!(h.take().starts_with(b"BYE "));
    h.assert_idle();
}

#[test]
fn media_that_stops_after_flowing_goes_reconnecting_and_comes_back() {
    let (mut h, mut sim) = answered(config());
    sim.media_flowing();
    sim.on_restart = |sim, _| sim.flowing = true;
    sim.run(&mut h, ms(10_500));
    assert!(sim.log.is_empty(), "{:?}", sim.log);
    // The far end's packets stop; ICE still says connected.
    sim.flowing = false;
    sim.run(&mut h, secs(10));
    assert_eq!(
        sim.log,
        ["13000 reconnecting", "13000 ICE restart", "14000 connected"]
    );
    assert!(h
        .logs
        .iter()
        .any(|(_, l)| l.contains("media stopped: no inbound audio for 3000 ms")));
    h.assert_idle();
}

#[test]
fn silence_is_judged_in_whole_sample_periods_when_a_reading_comes_late() {
    let (mut h, mut sim) = answered(config());
    sim.media_flowing();
    sim.on_restart = |sim, _| sim.flowing = true;
    sim.run(&mut h, ms(10_500));
    // The 11 s reading still has new packets, and comes 20 ms late (a busy page).
    h.advance(ms(500));
    h.advance(ms(20));
    let asked: Vec<_> = h.sample_requests.drain(..).collect();
    assert_eq!(asked.len(), 1);
    sim.sample.packets_received += 50;
    sim.sample.packets_sent += 50;
    let sample = sim.sample.clone();
    h.input(Input::MediaSample {
        call: sim.call,
        sample: &sample,
    });
    sim.settle(&mut h);
    // Then the packets stop, and the next readings come on time: the third silent one
    // (2.98 s after the late one) is the verdict, not a fourth.
    sim.flowing = false;
    h.advance(ms(80));
    sim.run(&mut h, secs(4));
    assert_eq!(
        sim.log[..2],
        ["14000 reconnecting", "14000 ICE restart"],
        "{:?}",
        sim.log
    );
}

#[test]
fn media_lost_for_good_ends_saying_it_was_lost() {
    let (mut h, mut sim) = answered(config());
    sim.media_flowing();
    sim.sample.local_candidate = Some(CandidateKind::Host);
    sim.sample.remote_candidate = Some(CandidateKind::Host);
    sim.run(&mut h, ms(2_500));
    sim.flowing = false;
    sim.run(&mut h, secs(40));
    let cause = sim.cause(&h);
    assert_eq!(cause.loss, MediaLoss::Lost);
    assert_eq!(cause.why, NoMediaWhy::NoInboundPackets);
    assert_eq!(
        cause.reason,
        "media was lost: the media path is up but no audio arrives from the far end; \
         3 ICE restart(s) in 28 s"
    );
    assert_eq!(cause.evidence.packets_received, 100);
    assert!(h.take().starts_with(b"BYE "));
    h.take_events();
    h.assert_idle();
}

#[test]
fn silence_on_hold_does_not_trigger() {
    let (mut h, mut sim) = answered(config());
    sim.media_flowing();
    sim.run(&mut h, ms(2_500));
    // We hold: the far end stops sending.
    h.ua.hold(sim.call, h.now).unwrap();
    h.drain();
    assert!(matches!(
        h.take_media().1,
        MediaAction::CreateOffer {
            ice_restart: false,
            ..
        }
    ));
    h.local_description(sim.call, &sdp_with_relay(), true);
    let reinvite = h.take();
    h.deliver(
        &sim.peer
            .reply(&reinvite, 200, "OK", Some(&remote_sdp("recvonly")), &[]),
    );
    assert!(h.take().starts_with(b"ACK "));
    sim.flowing = false;
    sim.run(&mut h, secs(20));
    assert!(
        sim.log.iter().all(|l| !l.contains("reconnecting")),
        "{:?}",
        sim.log
    );
    assert!(h.sample_requests.is_empty());
    // Resumed, and still nothing arrives: now it counts, from the resume on.
    h.ua.resume(sim.call, h.now).unwrap();
    h.drain();
    assert!(matches!(h.take_media().1, MediaAction::CreateOffer { .. }));
    h.local_description(sim.call, &sdp_with_relay(), true);
    let reinvite = h.take();
    h.deliver(
        &sim.peer
            .reply(&reinvite, 200, "OK", Some(&remote_sdp("sendrecv")), &[]),
    );
    assert!(h.take().starts_with(b"ACK "));
    let resumed = (h.now - sim.t0).as_millis();
    sim.log.clear();
    sim.run(&mut h, ms(3_200));
    let reconnecting = sim.log.iter().find(|l| l.ends_with("reconnecting"));
    let at: u128 = reconnecting
        .and_then(|l| l.split(' ').next())
        .and_then(|t| t.parse().ok())
        .expect("reconnecting after the resume");
    assert!(
        at >= resumed + 2_500 && at <= resumed + 3_200,
        "{at} {resumed}"
    );
    h.take_events();
    h.media.clear();
    h.sent.clear();
}

#[test]
fn the_timings_are_configurable() {
    let mut c = config();
    c.media_watchdog.start_timeout = secs(5);
    c.media_watchdog.restart_wait = secs(2);
    c.media_watchdog.restarts = 1;
    let (mut h, mut sim) = answered(c);
    sim.run(&mut h, secs(10));
    assert_eq!(
        sim.log,
        [
            "5000 reconnecting",
            "5000 ICE restart",
            "7000 ended: neverStarted iceFailed",
            "7000 close",
        ]
    );
    assert_eq!(
        sim.cause(&h).reason,
        "media never started: no candidate pair worked (ICE checking); 1 ICE restart(s) in 2 s"
    );
    assert!(h.take().starts_with(b"BYE "));
    h.assert_idle();
    // Nonsense is refused, naming the field.
    let mut bad = config();
    bad.media_watchdog.restarts = 0;
    let err = softphone_core::core::UserAgent::new(bad, [1; 32], Instant::ZERO).unwrap_err();
    assert_eq!(err.field, "mediaWatchdog");
    let mut bad = config();
    bad.media_watchdog.start_timeout = ms(10);
    assert!(softphone_core::core::UserAgent::new(bad, [1; 32], Instant::ZERO).is_err());
}

#[test]
fn the_watchdog_can_be_turned_off() {
    let mut c = config();
    c.media_watchdog.enabled = false;
    let (mut h, mut sim) = answered(c);
    sim.run(&mut h, secs(30));
    assert!(sim.log.is_empty(), "{:?}", sim.log);
    assert_eq!(sim.restarts, 0);
    // Still sampled (for the quality warnings), but nothing is decided on the samples.
    assert!(h
        .ua
        .poll_timeout()
        .is_some_and(|(_, n)| n == TimerName::CallMediaSample));
    h.assert_idle();
}
