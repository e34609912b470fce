//! Transcripts of the media watchdog (`core/call/watchdog.rs`) on virtual time: media
//! that never starts or stops is found within seconds, recovery escalates from an ICE
//! restart to a relay-only one, and a call that cannot get media ends with a cause
//! that names the reason and carries the browser's evidence.
//!
//! A small simulated driver (`Sim`) answers the core's sample requests from a model of
//! the call's media, and carries out the ICE restarts the core asks for (re-INVITE,
//! 200, ACK), so each test states only how the network behaves.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softphone_core::core::{
    CallEvent, CallId, CandidateKind, Config, DtlsState, EndCause, IceState, Input, Instant,
    MediaAction, MediaLoss, MediaSample, NoMedia, NoMediaWhy, ServerOutcome, ServerStatus,
    TimerName,
};
use support::*;

const TURN_UDP: &str = "turn:turn.example.com:3478?transport=udp";
const TURN_TCP: &str = "turn:turn.example.com:443?transport=tcp";
const TURN_TLS: &str = "turns:turn.example.com:443?transport=tcp";
const STUN: &str = "stun:stun.example.com:3478";

/// The escalation of media that never starts: a plain ICE restart at 3 s, then a
/// relay-only one at 7 s (times in ms after the answer, as `Sim::log` has them).
const ESCALATED: [&str; 4] = [
    "3000 reconnecting",
    "3000 ICE restart",
    "7000 relay-only",
    "7000 ICE restart",
];

/// The escalation behind a symmetric NAT: relay-only at the first restart.
const RELAY_FIRST: [&str; 3] = ["3000 reconnecting", "3000 relay-only", "3000 ICE restart"];

/// What the simulated network does with the call's media.
struct Sim {
    call: CallId,
    peer: Peer,
    /// When the call was answered: transcript times count from here.
    t0: Instant,
    sample: MediaSample,
    /// Inbound audio arrives (50 packets a second).
    flowing: bool,
    /// The driver applied `RelayOnly`.
    relay_only: bool,
    /// What happened, with times in ms after the answer.
    log: Vec<String>,
    /// Events already logged.
    seen: usize,
    /// What each ICE restart does to the media (the number of the restart, 1 first).
    on_restart: fn(&mut Sim, u32),
    restarts: u32,
}

impl Sim {
    fn note(&mut self, h: &Harness, what: impl Into<String>) {
        let t = (h.now - self.t0).as_millis();
        self.log.push(format!("{t} {}", what.into()));
    }

    /// Runs `d` of virtual time in 100 ms steps, answering what the core asks.
    fn run(&mut self, h: &mut Harness, d: std::time::Duration) {
        let end = h.now + d;
        while h.now < end {
            h.advance(ms(100));
            let asked: Vec<_> = h.sample_requests.drain(..).collect();
            for (call, _) in asked {
                assert_eq!(call, self.call);
                if self.flowing {
                    self.sample.packets_received += 50;
                }
                self.sample.packets_sent += 50;
                let sample = self.sample.clone();
                h.input(Input::MediaSample {
                    call,
                    sample: &sample,
                });
            }
            self.settle(h);
        }
    }

    /// Logs the new events and carries out the media actions (and logs again).
    fn settle(&mut self, h: &mut Harness) {
        self.log_events(h);
        self.carry_out(h);
        self.log_events(h);
    }

    fn log_events(&mut self, h: &mut Harness) {
        {
            let events = h.call_events(self.call);
            for e in events[self.seen..].iter().cloned() {
                let text = match e {
                    CallEvent::Reconnecting => "reconnecting".to_string(),
                    CallEvent::Connected => "connected".to_string(),
                    CallEvent::Ended(EndCause::NoMedia(n)) => {
                        format!("ended: {} {}", n.loss.as_str(), n.why.as_str())
                    }
                    other => format!("{other:?}"),
                };
                self.note(h, text);
            }
            self.seen = events.len();
        }
    }

    /// The media actions: ICE restarts go through a re-INVITE the far end accepts.
    fn carry_out(&mut self, h: &mut Harness) {
        while let Some((call, action)) = h.media.pop_front() {
            assert_eq!(call, self.call);
            match action {
                MediaAction::RelayOnly => {
                    self.relay_only = true;
                    self.note(h, "relay-only");
                }
                MediaAction::CreateOffer {
                    ice_restart: true, ..
                } => {
                    self.restarts += 1;
                    self.note(h, "ICE restart");
                    h.local_description(call, &sdp_with_relay(), true);
                    let reinvite = h.take();
                    assert!(
                        reinvite.starts_with(b"INVITE "),
                        "{}",
                        first_line(&reinvite)
                    );
                    let ok =
                        self.peer
                            .reply(&reinvite, 200, "OK", Some(&remote_sdp("sendrecv")), &[]);
                    h.deliver(&ok);
                    assert!(h.take().starts_with(b"ACK "));
                    let restart = self.restarts;
                    (self.on_restart)(self, restart);
                }
                MediaAction::ApplyAnswer { .. } => {}
                MediaAction::Close => self.note(h, "close"),
                other => panic!("unexpected media action {other:?}"),
            }
        }
    }

    /// Asserts that the log so far is the concatenation of `parts`.
    fn assert_log(&self, parts: &[&[&str]]) {
        assert_eq!(self.log, parts.concat());
    }

    /// The end cause, once the call ended.
    fn cause(&self, h: &Harness) -> NoMedia {
        match h.last_call_event(self.call) {
            Some(CallEvent::Ended(EndCause::NoMedia(n))) => *n,
            other => panic!("not ended for lack of media: {other:?}"),
        }
    }
}

fn turn_config() -> Config {
    let mut c = config();
    c.ice_has_turn = true;
    c.ice_has_stun = true;
    c
}

fn servers(outcomes: &[(&str, ServerOutcome)]) -> Vec<ServerStatus> {
    outcomes
        .iter()
        .map(|(url, outcome)| ServerStatus {
            url: (*url).into(),
            outcome: *outcome,
        })
        .collect()
}

/// A connected outgoing call whose offer carried a relay candidate (so it works with
/// TURN configured), and a simulator for it: nothing flows yet.
fn answered(config: Config) -> (Harness, Sim) {
    let mut h = Harness::new(config);
    h.register(600);
    let call = h.ua.call("bob", Default::default(), h.now).unwrap();
    h.drain();
    assert!(matches!(h.take_media().1, MediaAction::CreateOffer { .. }));
    h.local_description(call, &sdp_with_relay(), false);
    let invite = h.take();
    let peer = Peer::new();
    h.deliver(&peer.reply(&invite, 200, "OK", Some(&remote_sdp("sendrecv")), &[]));
    assert!(h.take().starts_with(b"ACK "));
    assert!(matches!(h.take_media().1, MediaAction::ApplyAnswer { .. }));
    assert_eq!(h.last_call_event(call), Some(CallEvent::Connected));
    let seen = h.call_events(call).len();
    let sample = MediaSample {
        ice: Some(IceState::Checking),
        dtls: Some(DtlsState::New),
        ..MediaSample::default()
    };
    let sim = Sim {
        call,
        peer,
        t0: h.now,
        sample,
        flowing: false,
        relay_only: false,
        log: Vec::new(),
        seen,
        on_restart: |_, _| {},
        restarts: 0,
    };
    (h, sim)
}

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
    sim.flowing = true;
    sim.sample.ice = Some(IceState::Connected);
    sim.sample.dtls = Some(DtlsState::Connected);
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
    sim.flowing = true;
    sim.sample.ice = Some(IceState::Connected);
    sim.sample.dtls = Some(DtlsState::Connected);
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
    sim.flowing = true;
    sim.sample.ice = Some(IceState::Connected);
    sim.sample.dtls = Some(DtlsState::Connected);
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
    sim.flowing = true;
    sim.sample.ice = Some(IceState::Connected);
    sim.sample.dtls = Some(DtlsState::Connected);
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

#[test]
fn dtls_stuck_with_ice_connected_is_caught_and_escapes_through_turn() {
    // Symmetric NAT: ICE connects over prflx -> host, DTLS never finishes.
    let (mut h, mut sim) = answered(turn_config());
    sim.sample.ice = Some(IceState::Connected);
    sim.sample.dtls = Some(DtlsState::Connecting);
    sim.sample.local_candidate = Some(CandidateKind::Prflx);
    sim.sample.remote_candidate = Some(CandidateKind::Host);
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
    sim.sample.ice = Some(IceState::Connected);
    sim.sample.dtls = Some(DtlsState::Connecting);
    sim.sample.local_candidate = Some(CandidateKind::Prflx);
    sim.sample.remote_candidate = Some(CandidateKind::Host);
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
    sim.flowing = true;
    sim.sample.ice = Some(IceState::Connected);
    sim.sample.dtls = Some(DtlsState::Connected);
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
