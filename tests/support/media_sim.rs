//! A simulated driver for the media watchdog's transcripts (`tests/core_watchdog*.rs`):
//! `Sim` answers the core's sample requests from a model of the call's media and carries
//! out the ICE restarts the core asks for (re-INVITE, 200, ACK), so each test states only
//! how the network behaves.

use softphone_core::core::{
    CallEvent, CallId, Config, DtlsState, EndCause, IceState, Input, Instant, MediaAction,
    MediaSample, NoMedia, ServerOutcome, ServerStatus,
};

use super::{config, first_line, ms, remote_sdp, sdp_with_relay, Harness, Peer};

pub const TURN_UDP: &str = "turn:turn.example.com:3478?transport=udp";
pub const TURN_TCP: &str = "turn:turn.example.com:443?transport=tcp";
pub const TURN_TLS: &str = "turns:turn.example.com:443?transport=tcp";
pub const STUN: &str = "stun:stun.example.com:3478";

/// The escalation of media that never starts: a plain ICE restart at 3 s, then a
/// relay-only one at 7 s (times in ms after the answer, as `Sim::log` has them).
pub const ESCALATED: [&str; 4] = [
    "3000 reconnecting",
    "3000 ICE restart",
    "7000 relay-only",
    "7000 ICE restart",
];

/// The escalation behind a symmetric NAT: relay-only at the first restart.
pub const RELAY_FIRST: [&str; 3] = ["3000 reconnecting", "3000 relay-only", "3000 ICE restart"];

/// What the simulated network does with the call's media.
pub struct Sim {
    pub call: CallId,
    pub peer: Peer,
    /// When the call was answered: transcript times count from here.
    pub t0: Instant,
    pub sample: MediaSample,
    /// Inbound audio arrives (50 packets a second).
    pub flowing: bool,
    /// The driver applied `RelayOnly`.
    pub relay_only: bool,
    /// What happened, with times in ms after the answer.
    pub log: Vec<String>,
    /// Events already logged.
    pub seen: usize,
    /// What each ICE restart does to the media (the number of the restart, 1 first).
    pub on_restart: fn(&mut Sim, u32),
    pub restarts: u32,
}

impl Sim {
    /// Media flows over connected ICE and DTLS: the healthy call most transcripts start from.
    pub fn media_flowing(&mut self) {
        self.flowing = true;
        self.sample.ice = Some(IceState::Connected);
        self.sample.dtls = Some(DtlsState::Connected);
    }

    pub fn note(&mut self, h: &Harness, what: impl Into<String>) {
        let t = (h.now - self.t0).as_millis();
        self.log.push(format!("{t} {}", what.into()));
    }

    /// Runs `d` of virtual time in 100 ms steps, answering what the core asks.
    pub fn run(&mut self, h: &mut Harness, d: std::time::Duration) {
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
    pub fn settle(&mut self, h: &mut Harness) {
        self.log_events(h);
        self.carry_out(h);
        self.log_events(h);
    }

    pub fn log_events(&mut self, h: &mut Harness) {
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
    pub fn carry_out(&mut self, h: &mut Harness) {
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
    pub fn assert_log(&self, parts: &[&[&str]]) {
        assert_eq!(self.log, parts.concat());
    }

    /// The end cause, once the call ended.
    pub fn cause(&self, h: &Harness) -> NoMedia {
        match h.last_call_event(self.call) {
            Some(CallEvent::Ended(EndCause::NoMedia(n))) => *n,
            other => panic!("not ended for lack of media: {other:?}"),
        }
    }
}

pub fn turn_config() -> Config {
    let mut c = config();
    c.ice_has_turn = true;
    c.ice_has_stun = true;
    c
}

pub fn servers(outcomes: &[(&str, ServerOutcome)]) -> Vec<ServerStatus> {
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
pub fn answered(config: Config) -> (Harness, Sim) {
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
