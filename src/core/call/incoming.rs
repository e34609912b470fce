//! Incoming calls: the INVITE server transaction on a reliable transport (100 and
//! 180 at once, the final response when the application decides), the 2xx that the
//! UAS core retransmits until the ACK comes (RFC 3261 section 13.3.1.4), CANCEL,
//! and a no-answer timeout.

use super::dialog::Dialog;
use super::state::{Awaiting, Call, Ending, Phase};
use super::types::{AnswerOptions, CallError, CallEvent, CallId, EndCause, MediaAction};
use super::Calls;
use crate::core::headers::{ExtraHeaders, HeaderTarget};
use crate::core::io::Io;
use crate::core::sdp::Direction;
use crate::core::timer::CallTimer;
use crate::core::transaction::{Accepted2xx, InviteServer, Sender, ALLOW};
use crate::core::LogLevel;
use crate::sip::{BuildError, HeaderName, Message, ResponseBuilder};

impl Calls {
    /// An INVITE outside any dialog: a new incoming call (or a retransmission).
    pub(crate) fn on_new_invite(&mut self, msg: &Message<'_>, io: &mut Io<'_>) {
        if let Some(tx) = self
            .calls
            .iter()
            .filter_map(|c| c.server_invite.as_ref())
            .find(|tx| tx.matches(msg))
        {
            // A retransmission of an INVITE we already handle: repeat the last response.
            return tx.on_retransmission(io);
        }
        let replaced = match self.match_replaces(msg) {
            Ok(replaced) => replaced,
            Err((code, reason)) => {
                let tag = io.rng.token(10);
                return self.respond_raw_tagged(msg.as_bytes(), code, reason, &tag, &[], io);
            }
        };
        if let Some(se) = msg.session_expires() {
            if se.seconds < self.settings.min_se.max(90) {
                let min_se = self.settings.min_se.max(90).to_string();
                let tag = io.rng.token(10);
                self.respond_raw_tagged(
                    msg.as_bytes(),
                    422,
                    "Session Interval Too Small",
                    &tag,
                    &[("Min-SE", &min_se)],
                    io,
                );
                return;
            }
        }
        let id = self.new_id();
        let mut call = Call::new(id, false);
        call.local_tag = io.rng.token(10);
        call.call_id = msg.call_id().to_string();
        call.server_invite = Some(InviteServer::new(msg.as_bytes()));
        call.dialog = Dialog::as_callee(msg, &call.local_tag, io.rng);
        call.peer_allows_update = msg.allow().iter().any(|m| m.eq_ignore_ascii_case("UPDATE"));
        let from = msg.from();
        let to = msg.to().uri().as_str().to_string();
        let event = CallEvent::Incoming {
            from: from.uri().as_str().to_string(),
            display_name: from.display_name().map(|d| d.into_owned()),
            to,
            details: Box::new(super::details::incoming_details(msg)),
        };
        call.set_timer(
            CallTimer::NoAnswer,
            io.now + self.settings.no_answer_timeout,
            io,
        );
        self.calls.push(call);
        let i = self.calls.len() - 1;
        if let Some(old) = replaced {
            return self.start_replacing(i, old, event, io);
        }
        self.respond_invite(i, 180, "Ringing", io);
        self.calls[i].emit(event, io);
    }

    /// Answers a ringing incoming call.
    pub(crate) fn answer(
        &mut self,
        id: CallId,
        options: AnswerOptions,
        io: &mut Io<'_>,
    ) -> Result<(), CallError> {
        let call = self.get(id)?;
        if call.phase != Phase::Ringing {
            return Err(CallError::InvalidState(
                "only a ringing incoming call can be answered",
            ));
        }
        let raw = call
            .server_invite
            .as_ref()
            .map_or(&[][..], |tx| tx.request());
        let offer = Message::parse(raw)
            .map(|m| String::from_utf8_lossy(m.body()).into_owned())
            .unwrap_or_default();
        call.answer_headers = ExtraHeaders::new(options.headers, HeaderTarget::Answer)
            .map_err(|e| CallError::InvalidValue(e.to_string()))?
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        call.phase = Phase::Answering;
        call.video = options.video;
        call.cancel_timer(CallTimer::NoAnswer, io);
        let action = if offer.is_empty() {
            call.awaiting = Awaiting::OfferIn200;
            MediaAction::CreateOffer {
                direction: Direction::SendRecv,
                ice_restart: false,
                video: options.video,
            }
        } else {
            call.awaiting = Awaiting::InviteAnswer;
            MediaAction::CreateAnswer {
                offer,
                direction: Direction::SendRecv,
                video: options.video,
            }
        };
        // The adoption goes out before the media action that makes the answer.
        let relay_only = self.prewarm.call_starts(id, options.video, io);
        let call = self.get(id)?;
        if relay_only {
            call.start_relay_only(io);
        }
        call.media(action, io);
        Ok(())
    }

    /// Sends the 200 to the INVITE with our answer (or our offer) and starts
    /// retransmitting it until the ACK.
    pub(crate) fn send_answer_200(
        &mut self,
        i: usize,
        sdp: String,
        offer_in_200: bool,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let raw = (self.calls[i].server_invite.as_ref())
            .map(|tx| tx.request().to_vec())
            .unwrap_or_default();
        let Ok(request) = Message::parse(&raw) else {
            return;
        };
        let session = self.session_header_uas(i, &request);
        let built = self.ok_with_sdp(
            i,
            &request,
            &sdp,
            session.as_ref().map(|(v, r)| (v.as_str(), *r)),
            s,
        );
        match built {
            Ok(bytes) => {
                let call = &mut self.calls[i];
                if let Some(tx) = &mut call.server_invite {
                    tx.respond(bytes.clone(), 200, io);
                }
                call.ok_retransmit = Some(Accepted2xx::start(
                    bytes,
                    request.cseq().seq,
                    offer_in_200,
                    call.ok_timers(),
                    io,
                ));
                call.phase = Phase::AwaitingAck;
            }
            Err(e) => {
                io.log(LogLevel::Error, || format!("cannot build 200: {e}"));
                self.respond_invite(i, 500, "Server Internal Error", io);
                self.calls[i].end(
                    EndCause::Failed {
                        status: 500,
                        reason: e.to_string(),
                    },
                    io,
                );
            }
        }
    }

    /// A 200 to `request` in call `i` carrying `sdp`.
    pub(crate) fn ok_with_sdp(
        &self,
        i: usize,
        request: &Message<'_>,
        sdp: &str,
        session: Option<(&str, bool)>,
        s: &mut Sender<'_>,
    ) -> Result<Vec<u8>, BuildError> {
        let call = &self.calls[i];
        let mut b = ResponseBuilder::new(request, 200, "OK")?;
        b.to_tag(&call.local_tag);
        for h in request
            .headers()
            .iter()
            .filter(|h| h.known() == Some(HeaderName::RecordRoute))
        {
            b.header("Record-Route", &h.value())?;
        }
        b.header("Contact", &format!("<{}>", s.local.dialog_contact_uri()))?
            .header("Allow", ALLOW)?
            .header("Supported", "timer, replaces, outbound")?
            .header("User-Agent", &s.local.user_agent)?;
        if let Some((value, require)) = session {
            b.header("Session-Expires", value)?;
            if require {
                b.header("Require", "timer")?;
            }
        }
        // The application's headers go on the 200 of the INVITE only, not on the 200s of
        // re-INVITEs (which share this builder).
        if request.cseq().method == crate::sip::Method::Invite
            && call.server_invite.as_ref().map(InviteServer::request) == Some(request.as_bytes())
        {
            for (name, value) in &call.answer_headers {
                b.header(name, value)?;
            }
        }
        if !sdp.is_empty() {
            b.body("application/sdp", sdp.as_bytes())?;
        }
        Ok(b.build())
    }

    /// Timer G's cousin for the UAS core: send the 2xx again, doubling up to T2.
    pub(crate) fn retransmit_ok(&mut self, i: usize, io: &mut Io<'_>) {
        if let Some(ok) = &mut self.calls[i].ok_retransmit {
            ok.on_retransmit_timer(io);
        }
    }

    /// No ACK within 64*T1: the session is over (RFC 3261 section 13.3.1.4).
    pub(crate) fn on_ack_timeout(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let call = &mut self.calls[i];
        if let Some(ok) = call.ok_retransmit.take() {
            ok.stop(io);
        }
        // Hung up before the ACK: the BYE it was waiting for goes now, and that is all.
        let hung_up = call.ending == Ending::ByeAfterAck;
        call.settle();
        self.send_bye(i, io, s);
        if hung_up {
            return;
        }
        let call = &mut self.calls[i];
        call.end(
            EndCause::Failed {
                status: 408,
                reason: "No ACK for the 200".into(),
            },
            io,
        );
    }

    /// An ACK: for our 2xx (ends its retransmission), or for a failure (absorbed).
    pub(crate) fn on_ack(&mut self, msg: &Message<'_>, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let Some(i) = self.calls.iter().position(|c| {
            c.dialog.as_ref().is_some_and(|d| {
                d.call_id == msg.call_id() && msg.to().tag() == Some(d.local_tag.as_str())
            })
        }) else {
            return;
        };
        let call = &mut self.calls[i];
        let seq = msg.cseq().seq;
        for tx in [&mut call.server_invite, &mut call.server_reinvite]
            .into_iter()
            .flatten()
        {
            tx.on_ack(seq);
        }
        let Some(ok) = call.ok_retransmit.take_if(|ok| ok.acked_by(seq)) else {
            return;
        };
        ok.stop(io);
        // The answer in the ACK of our offer-in-200; not for a call that ended meanwhile
        // (its media is closed).
        if ok.offer_in_200() && !msg.body().is_empty() && !call.is_over() {
            call.media(
                MediaAction::ApplyAnswer {
                    answer: String::from_utf8_lossy(msg.body()).into_owned(),
                    provisional: false,
                },
                io,
            );
        }
        if call.ending == Ending::ByeAfterAck {
            call.settle();
            return self.send_bye(i, io, s);
        }
        if call.phase == Phase::AwaitingAck {
            call.phase = Phase::Confirmed;
            call.emit(CallEvent::Connected, io);
            let replaced = call.replacing.take();
            self.arm_session(i, io);
            self.watch_start(i, io);
            if let Some(old) = replaced {
                self.end_replaced(old, io, s);
            }
        }
    }

    /// A CANCEL: stops an unanswered incoming call with 487.
    pub(crate) fn on_cancel(&mut self, msg: &Message<'_>, io: &mut Io<'_>) -> bool {
        let Some(i) = self.calls.iter().position(|c| {
            !c.is_over() && c.server_invite.as_ref().is_some_and(|tx| tx.matches(msg))
        }) else {
            return false;
        };
        let tag = self.calls[i].local_tag.clone();
        self.respond_raw_tagged(msg.as_bytes(), 200, "OK", &tag, &[], io);
        if matches!(self.calls[i].phase, Phase::Ringing | Phase::Answering) {
            self.respond_invite(i, 487, "Request Terminated", io);
            self.calls[i].end(EndCause::Cancelled, io);
        }
        true
    }

    /// Responds to the INVITE of incoming call `i`.
    pub(crate) fn respond_invite(&mut self, i: usize, code: u16, reason: &str, io: &mut Io<'_>) {
        self.respond_invite_with(i, code, reason, &[], io);
    }

    /// Responds to the INVITE of incoming call `i` with extra (checked) headers.
    pub(crate) fn respond_invite_with(
        &mut self,
        i: usize,
        code: u16,
        reason: &str,
        extra: &[(String, String)],
        io: &mut Io<'_>,
    ) {
        let call = &self.calls[i];
        let Some(raw) = call.server_invite.as_ref().map(|tx| tx.request().to_vec()) else {
            return;
        };
        let Ok(request) = Message::parse(&raw) else {
            return;
        };
        let built = (|| -> Result<Vec<u8>, BuildError> {
            let mut b = ResponseBuilder::new(&request, code, reason)?;
            b.to_tag(&call.local_tag);
            if (101..300).contains(&code) {
                for h in request
                    .headers()
                    .iter()
                    .filter(|h| h.known() == Some(HeaderName::RecordRoute))
                {
                    b.header("Record-Route", &h.value())?;
                }
            }
            if (101..200).contains(&code) {
                b.header("Contact", &format!("<{}>", self.settings.contact))?;
            }
            for (name, value) in extra {
                b.header(name, value)?;
            }
            Ok(b.build())
        })();
        if let (Ok(bytes), Some(tx)) = (built, &mut self.calls[i].server_invite) {
            tx.respond(bytes, code, io);
        }
    }

    /// Responds to a request kept as bytes, with our tag for the call it belongs to.
    pub(crate) fn respond_raw(
        &self,
        raw: &[u8],
        code: u16,
        reason: &str,
        headers: &[(&str, &str)],
        io: &mut Io<'_>,
    ) {
        let tag = Message::parse(raw)
            .ok()
            .and_then(|m| m.to().tag().map(str::to_string))
            .unwrap_or_default();
        self.respond_raw_tagged(raw, code, reason, &tag, headers, io);
    }

    pub(crate) fn respond_raw_tagged(
        &self,
        raw: &[u8],
        code: u16,
        reason: &str,
        tag: &str,
        headers: &[(&str, &str)],
        io: &mut Io<'_>,
    ) {
        if let Some(bytes) = self.build_raw_tagged(raw, code, reason, tag, headers, io) {
            io.send(bytes);
        }
    }

    /// Responds to `raw`, a request in call `i`'s dialog: a response to the re-INVITE
    /// of its server transaction goes through that transaction (which answers a
    /// retransmission of the re-INVITE with it), any other is sent as it is.
    pub(crate) fn respond_in_dialog(
        &mut self,
        i: usize,
        raw: &[u8],
        code: u16,
        reason: &str,
        headers: &[(&str, &str)],
        io: &mut Io<'_>,
    ) {
        let tag = self.calls[i].local_tag.clone();
        if let Some(bytes) = self.build_raw_tagged(raw, code, reason, &tag, headers, io) {
            self.send_response_in_dialog(i, raw, bytes, code, io);
        }
    }

    /// Sends `bytes`, a response with `code` to `raw`, a request in call `i`'s dialog:
    /// through the re-INVITE's server transaction when `raw` is that re-INVITE.
    pub(crate) fn send_response_in_dialog(
        &mut self,
        i: usize,
        raw: &[u8],
        bytes: Vec<u8>,
        code: u16,
        io: &mut Io<'_>,
    ) {
        match self.calls[i]
            .server_reinvite
            .as_mut()
            .filter(|tx| tx.request() == raw)
        {
            Some(tx) => tx.respond(bytes, code, io),
            None => {
                io.send(bytes);
            }
        }
    }

    fn build_raw_tagged(
        &self,
        raw: &[u8],
        code: u16,
        reason: &str,
        tag: &str,
        headers: &[(&str, &str)],
        io: &mut Io<'_>,
    ) -> Option<Vec<u8>> {
        let request = Message::parse(raw).ok()?;
        // A 2xx to a target refresh request carries our Contact (RFC 3261 section 12.2.2,
        // RFC 3311, RFC 6665): added here, where every such response is made.
        let contact = format!("<{}>", self.settings.contact);
        let mut all = headers.to_vec();
        if (200..300).contains(&code)
            && request.method().is_target_refresh()
            && !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("Contact"))
        {
            all.push(("Contact", contact.as_str()));
        }
        crate::core::transaction::build_response(&request, code, reason, tag, &all, io)
    }
}

/// A reason phrase for the rejection statuses an application uses.
pub(crate) fn reason_phrase(status: u16) -> &'static str {
    match status {
        480 => "Temporarily Unavailable",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        600 => "Busy Everywhere",
        603 => "Decline",
        404 => "Not Found",
        403 => "Forbidden",
        _ => "Rejected",
    }
}
