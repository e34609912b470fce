//! Call steps several transcript files share: a connected call with keepalive
//! answered, an incoming call up to its 180, the REFER subscription's NOTIFYs, DTMF by
//! INFO, and the assertions that end a call's transcript.

use softphone_core::core::{CallEvent, CallId, EndCause, Event, MediaAction, RegistrationEvent};

use super::{config, first_line, registration_events, Harness, Peer};

impl Peer {
    /// A NOTIFY of the implicit REFER subscription (RFC 3515) inside the dialog of
    /// `ours`: `status_line` as a `message/sipfrag` body, `Subscription-State: state`.
    pub fn refer_notify(&mut self, ours: &[u8], status_line: &str, state: &str) -> Vec<u8> {
        let frag = format!("{status_line}\r\n");
        self.in_dialog(
            "NOTIFY",
            ours,
            Some(("message/sipfrag;version=2.0", &frag)),
            &[
                "Event: refer".into(),
                format!("Subscription-State: {state}"),
            ],
        )
    }

    /// A 200 without a body to `req`, with one extra header line.
    pub fn ok_with(&self, req: &[u8], header: &str) -> Vec<u8> {
        self.reply(req, 200, "OK", None, &[header.into()])
    }

    /// A REFER inside the dialog of `ours` asking us to call `refer_to` (a URI).
    pub fn refer(&mut self, ours: &[u8], refer_to: &str) -> Vec<u8> {
        self.in_dialog("REFER", ours, None, &[format!("Refer-To: <{refer_to}>")])
    }

    /// An INFO carrying one DTMF digit as `application/dtmf-relay` (`duration` ms).
    pub fn dtmf_info(&mut self, ours: &[u8], signal: char, duration: u32) -> Vec<u8> {
        let body = format!("Signal={signal}\r\nDuration={duration}\r\n");
        self.in_dialog("INFO", ours, Some(("application/dtmf-relay", &body)), &[])
    }
}

impl Harness {
    /// A fresh user agent (the tests' configuration, keepalive pings answered) with a
    /// connected outgoing call to bob, whose 200 carried `extra`.
    pub fn in_call(extra: &[String]) -> (Harness, CallId, Peer) {
        let mut h = Harness::new(config());
        h.auto_pong = true;
        let (call, peer) = h.connected_call(extra);
        (h, call, peer)
    }

    /// A connected outgoing call to bob (`connected_call` with no extra headers) and
    /// its INVITE, for requests inside its dialog.
    pub fn connected_dialog(&mut self) -> (CallId, Peer, Vec<u8>) {
        let (call, peer) = self.connected_call(&[]);
        let invite = self.sent_log_first_invite();
        (call, peer, invite)
    }

    /// Registers and delivers bob's INVITE (with `sdp`); returns the call and our
    /// first response to it. The registration's events are taken, the incoming call's
    /// are left to look at.
    pub fn incoming_call(&mut self, peer: &Peer, sdp: Option<&str>) -> (CallId, Vec<u8>) {
        self.register(600);
        self.take_events();
        self.deliver(&peer.invite(sdp, &[]));
        let response = self.take();
        let call = self
            .events
            .iter()
            .find_map(|e| match e {
                Event::Call {
                    call,
                    event: CallEvent::Incoming { .. },
                } => Some(*call),
                _ => None,
            })
            .expect("an incoming call event");
        (call, response)
    }

    /// Puts `call` on hold: the driver's offer comes at once, complete; returns the
    /// re-INVITE (the media action is dropped unlooked at).
    pub fn hold_reinvite(&mut self, call: CallId) -> Vec<u8> {
        self.ua.hold(call, self.now).expect("hold");
        self.drain();
        self.media.clear();
        self.local_description(call, super::SDP_HOST, true);
        let reinvite = self.take();
        assert!(
            reinvite.starts_with(b"INVITE "),
            "{}",
            first_line(&reinvite)
        );
        reinvite
    }

    /// Delivers a request from the network and asserts the user agent answered it
    /// `200 OK`.
    pub fn deliver_answered(&mut self, request: &[u8]) {
        self.deliver(request);
        assert_eq!(first_line(&self.take()), "SIP/2.0 200 OK");
    }

    /// Asserts that `call` ended with `cause` and asked the driver to close its media.
    pub fn assert_ended(&mut self, call: CallId, cause: EndCause) {
        assert_eq!(
            self.last_call_event(call),
            Some(CallEvent::Ended(cause)),
            "ended"
        );
        assert_eq!(self.take_media(), (call, MediaAction::Close));
    }

    /// Asserts that the last registration event is `Registered` for `expires` seconds
    /// (every event so far then counts as looked at).
    pub fn assert_registered(&self, expires: u32) {
        assert_eq!(
            registration_events(self.events()).last(),
            Some(&RegistrationEvent::Registered { expires })
        );
    }
}
