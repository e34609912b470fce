//! Outgoing calls: the INVITE client transaction (RFC 3261 section 17.1.1, reliable
//! transport: Timer B until the first response, Timer D zero), the ACK, CANCEL and
//! the CANCEL/200 race, one digest retry, and 422 for session timers.

use super::dialog::Dialog;
use super::state::{cause_for, Awaiting, Call, Ending, OutInvite, Phase, ReinviteReason};
use super::target::normalize_target;
use super::types::{CallError, CallEvent, CallId, CallOptions, EndCause, MediaAction};
use super::Calls;
use crate::core::headers::{ExtraHeaders, HeaderTarget};
use crate::core::io::Io;
use crate::core::local::new_branch;
use crate::core::sdp::Direction;
use crate::core::timer::{CallTimer, TimerKey};
use crate::core::transaction::{InDialog, InviteClient, InviteRequest, Purpose};
use crate::core::transaction::{Sender, ALLOW};
use crate::core::LogLevel;
use crate::sip::{escape_display_name, BuildError, Message, Method, RequestBuilder};

/// The From address (without tag) of an outgoing call: anonymous (RFC 3323), with the
/// call's own display name, or the configured one.
fn from_for(options: &CallOptions, s: &Sender<'_>) -> Result<String, CallError> {
    if options.anonymous {
        return Ok("\"Anonymous\" <sip:anonymous@anonymous.invalid>".to_string());
    }
    match &options.display_name {
        Some(name) => {
            if name.chars().any(char::is_control) || name.len() > 128 {
                return Err(CallError::InvalidValue(
                    "displayName holds control characters or is longer than 128 bytes".into(),
                ));
            }
            let quoted =
                escape_display_name(name).map_err(|e| CallError::InvalidValue(e.to_string()))?;
            Ok(format!("{quoted} <{}>", s.local.aor_uri()))
        }
        None => Ok(s.local.from_addr.clone()),
    }
}

impl Calls {
    /// Starts an outgoing call to `target`.
    pub(crate) fn call(
        &mut self,
        target: &str,
        options: CallOptions,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<CallId, CallError> {
        if io.flow.is_none() {
            return Err(CallError::NotConnected);
        }
        let uri = normalize_target(target, &self.settings.domain)?;
        // Check the extra headers now, so a bad one is an error before anything happens.
        RequestBuilder::new(Method::Invite, &uri)
            .map_err(|e| CallError::InvalidTarget(e.to_string()))?;
        ExtraHeaders::new(options.headers.clone(), HeaderTarget::Invite)
            .map_err(|e| CallError::InvalidValue(e.to_string()))?;
        let from_addr = from_for(&options, s)?;
        let id = self.new_id();
        let mut call = Call::new(id, true);
        call.local_tag = io.rng.token(10);
        call.local_header = format!("{from_addr};tag={}", call.local_tag);
        call.call_id = io.rng.token(22);
        call.target = uri.clone();
        call.video = options.video;
        call.extra_headers = options.headers;
        if options.anonymous {
            // RFC 3323: the proxy removes what identifies us, the From says nothing.
            call.extra_headers.push(("Privacy".into(), "id".into()));
        }
        call.awaiting = Awaiting::InviteOffer;
        let call_id = call.call_id.clone();
        call.emit(
            CallEvent::Calling {
                target: uri,
                call_id,
            },
            io,
        );
        if self.prewarm.call_starts(id, call.video, io) {
            call.start_relay_only(io);
        }
        call.media(
            MediaAction::CreateOffer {
                direction: Direction::SendRecv,
                ice_restart: false,
                video: call.video,
            },
            io,
        );
        self.calls.push(call);
        Ok(id)
    }

    /// Sends the initial INVITE (or its retry with credentials) carrying `sdp`.
    pub(crate) fn send_invite(
        &mut self,
        i: usize,
        sdp: String,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let session_expires = self.settings.session_expires;
        let min_se = self.settings.min_se;
        let invite_timeout = self.settings.invite_timeout;
        let call = &mut self.calls[i];
        let seq = call.invite.as_ref().map_or(1, |inv| inv.tx.sent.seq + 1);
        let session_expires = call
            .invite
            .as_ref()
            .and_then(|inv| inv.timer_retried.then_some(session_expires))
            .unwrap_or(session_expires);
        match build_invite(call, seq, &sdp, session_expires, min_se, io, s) {
            Ok((bytes, request)) => {
                let (auth_retried, timer_retried) = call
                    .invite
                    .as_ref()
                    .map_or((false, false), |inv| (inv.auth_retried, inv.timer_retried));
                call.phase = Phase::Inviting;
                io.send(bytes);
                let timer_b = TimerKey::Call(call.id, CallTimer::InviteTimeout);
                call.invite = Some(OutInvite {
                    tx: InviteClient::start(request, timer_b, invite_timeout, io),
                    sdp,
                    auth_retried,
                    timer_retried,
                    reason: None,
                });
            }
            Err(e) => {
                io.log(LogLevel::Error, || format!("cannot build INVITE: {e}"));
                call.end(
                    EndCause::Failed {
                        status: 400,
                        reason: e.to_string(),
                    },
                    io,
                );
            }
        }
    }

    /// Timer B of our INVITE: no final response (no response at all, or none after
    /// our CANCEL, while the call lingers for it).
    pub(crate) fn on_invite_timeout(&mut self, i: usize, io: &mut Io<'_>) {
        let call = &mut self.calls[i];
        // The transaction says whether it still waited.
        let timed_out = call.invite.as_mut().is_some_and(|inv| inv.tx.on_timer_b());
        if call.is_lingering() {
            // Ended by CANCEL: the 487 (or a crossing 200) never came.
            call.settle();
            return;
        }
        if call.phase == Phase::Inviting && timed_out {
            call.end(
                EndCause::Failed {
                    status: 408,
                    reason: "Request Timeout".into(),
                },
                io,
            );
        }
    }

    /// Timer B of our re-INVITE: no final response. The offer is dropped and the
    /// call goes on; an ended call that stayed for that response stops waiting.
    pub(crate) fn on_reinvite_timeout(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let call = &mut self.calls[i];
        let Some(mut invite) = call.reinvite.take() else {
            return;
        };
        invite.tx.on_timer_b();
        if call.is_over() {
            if call.ending == Ending::ReinviteOut {
                call.settle();
            }
            return;
        }
        if !invite.reason.is_some_and(ReinviteReason::reuses_sdp) {
            call.media(MediaAction::Rollback, io);
        }
        match invite.reason {
            Some(ReinviteReason::IceRestart) => self.ice_restart_failed(i, io),
            Some(ReinviteReason::SessionRefresh) => {
                self.session_refresh_refused(i, 408, "Request Timeout", None, io, s)
            }
            _ => {}
        }
    }

    /// A response to an INVITE or CANCEL we sent. Returns false if no call knows it.
    pub(crate) fn on_invite_response(
        &mut self,
        msg: &Message<'_>,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> bool {
        let branch = msg.top_via().branch().unwrap_or("").to_string();
        let method = msg.cseq().method;
        let Some(i) = self.calls.iter().position(|c| {
            c.invite
                .as_ref()
                .is_some_and(|inv| inv.tx.sent.branch == branch)
                || c.reinvite
                    .as_ref()
                    .is_some_and(|inv| inv.tx.sent.branch == branch)
        }) else {
            return false;
        };
        if method == Method::Cancel {
            return true;
        }
        if method != Method::Invite {
            return false;
        }
        if self.calls[i]
            .reinvite
            .as_ref()
            .is_some_and(|inv| inv.tx.sent.branch == branch)
        {
            self.on_reinvite_response(i, msg, io, s);
        } else {
            self.on_initial_response(i, msg, io, s);
            self.report_to_referrer(i, msg, io, s);
        }
        true
    }

    /// A call made for a REFER tells the call that received it how it goes (RFC 3515).
    fn report_to_referrer(
        &mut self,
        i: usize,
        msg: &Message<'_>,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let status = msg.status().unwrap_or(0);
        let Some(origin) = self.calls[i].referred_by else {
            return;
        };
        let settled = (200..300).contains(&status) || (status >= 300 && self.calls[i].is_over());
        if !(180..200).contains(&status) && !settled {
            return;
        }
        if let Some(j) = self.index(origin).filter(|j| !self.calls[*j].is_over()) {
            let reason = msg.reason().unwrap_or("").to_string();
            self.notify_refer(j, status, &reason, io, s);
        }
        if settled {
            self.calls[i].referred_by = None;
        }
    }

    fn on_initial_response(
        &mut self,
        i: usize,
        msg: &Message<'_>,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let status = msg.status().unwrap_or(500);
        let call = &mut self.calls[i];
        match &mut call.invite {
            Some(invite) => {
                invite.tx.on_response(status, io);
            }
            None => call.cancel_timer(CallTimer::InviteTimeout, io),
        }
        if status < 200 {
            if matches!(call.phase, Phase::Confirmed | Phase::AwaitingAck) {
                // A provisional response overtaken by the 2xx (a UDP leg can reorder
                // them): the call is already up.
                return;
            }
            if call.is_over() {
                call.cancel_on_provisional(io);
                return;
            }
            self.on_provisional(i, msg, io);
            return;
        }
        if (200..300).contains(&status) {
            return self.on_invite_ok(i, msg, io, s);
        }
        send_ack_for_failure(call, msg, io);
        if matches!(call.phase, Phase::Confirmed | Phase::AwaitingAck) {
            // A failure after the 2xx (another fork's, or a peer's bug): the call is up
            // and stays so. It was ACKed; a challenge in it must not send the INVITE again.
            io.log(LogLevel::Warn, || {
                format!("a {status} to the INVITE of an established call is ignored")
            });
            return;
        }
        if call.is_over() {
            // The answer a CANCEL waited for: what the call owed is done. A call that
            // lingers for something else (its re-INVITE's answer, a BYE) still owes it.
            if matches!(call.ending, Ending::Cancelled | Ending::CancelPending) {
                call.settle();
            }
            return;
        }
        let reason = msg.reason().unwrap_or("").to_string();
        if matches!(status, 401 | 407) {
            let retried = call.invite.as_ref().is_some_and(|inv| inv.auth_retried);
            if !retried
                && s.auth
                    .challenged(crate::core::auth::Scope::Call, msg)
                    .is_ok()
            {
                let sdp = call.invite.as_mut().map_or_else(String::new, |inv| {
                    inv.auth_retried = true;
                    inv.sdp.clone()
                });
                return self.send_invite(i, sdp, io, s);
            }
        }
        if status == 422 {
            let retried = call.invite.as_ref().is_some_and(|inv| inv.timer_retried);
            if let (false, Some(min)) = (retried, msg.min_se()) {
                self.settings.session_expires = self.settings.session_expires.max(min);
                let sdp = call.invite.as_mut().map_or_else(String::new, |inv| {
                    inv.timer_retried = true;
                    inv.sdp.clone()
                });
                return self.send_invite(i, sdp, io, s);
            }
        }
        call.end(cause_for(status, &reason), io);
    }

    fn on_provisional(&mut self, i: usize, msg: &Message<'_>, io: &mut Io<'_>) {
        let status = msg.status().unwrap_or(100);
        let call = &mut self.calls[i];
        if status == 100 {
            return;
        }
        if call.dialog.is_none() {
            let seq = call.invite.as_ref().map_or(1, |inv| inv.tx.sent.seq);
            call.dialog = Dialog::as_caller(&call.local_header, &call.local_tag, seq, msg);
        }
        let (first, mut ringing, mut early_media) = match call.phase {
            Phase::Early {
                ringing,
                early_media,
            } => (false, ringing, early_media),
            _ => (true, false, false),
        };
        let body = msg.body();
        if !body.is_empty() && !early_media {
            early_media = true;
            call.media(
                MediaAction::ApplyAnswer {
                    answer: String::from_utf8_lossy(body).into_owned(),
                    provisional: true,
                },
                io,
            );
            call.emit(CallEvent::EarlyMedia, io);
        } else if first || status == 180 && !ringing {
            ringing = true;
            call.emit(CallEvent::Ringing, io);
        }
        call.phase = Phase::Early {
            ringing,
            early_media,
        };
    }

    fn on_invite_ok(&mut self, i: usize, msg: &Message<'_>, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let call = &mut self.calls[i];
        let seq = call.invite.as_ref().map_or(1, |inv| inv.tx.sent.seq);
        let Some(mut dialog) = Dialog::as_caller(&call.local_header, &call.local_tag, seq, msg)
        else {
            io.log(LogLevel::Warn, || "2xx without a To tag: cannot ACK".into());
            return;
        };
        let auth = call
            .invite
            .as_ref()
            .map(|inv| inv.tx.sent.auth.clone())
            .unwrap_or_default();
        let confirmed = call.phase == Phase::Confirmed;
        let retransmission = confirmed
            && call
                .dialog
                .as_ref()
                .is_some_and(|d| d.remote_tag == dialog.remote_tag);
        send_ack(&mut dialog, seq, &auth, None, io, s);
        if retransmission {
            // The far end did not see our ACK yet and sent its 2xx again: ACK again.
            return;
        }
        if call.is_over() || confirmed {
            // The 200 crossed our CANCEL, or a second fork answered: take it down.
            let bye = build_bye(&mut dialog, &call.end_headers, io, s);
            if let Ok((bytes, branch)) = bye {
                io.send(bytes);
                s.txs.start(
                    &branch,
                    "BYE",
                    Purpose::Call {
                        call: call.id,
                        kind: InDialog::Bye,
                    },
                    s.tx_timeout,
                    io,
                );
            }
            // Crossing our CANCEL, this 2xx was what the call waited for. A call that
            // ended after it was up still owes what it owed (its re-INVITE's ACK, a BYE).
            if matches!(call.ending, Ending::Cancelled | Ending::CancelPending) {
                call.settle();
            }
            return;
        }
        call.dialog = Some(dialog);
        call.peer_allows_update = msg.allow().iter().any(|m| m.eq_ignore_ascii_case("UPDATE"));
        let body = msg.body();
        if !body.is_empty() {
            call.media(
                MediaAction::ApplyAnswer {
                    answer: String::from_utf8_lossy(body).into_owned(),
                    provisional: false,
                },
                io,
            );
        }
        call.phase = Phase::Confirmed;
        call.emit(CallEvent::Connected, io);
        self.start_session_timer_uac(i, msg, io);
        self.watch_start(i, io);
    }
}

/// The INVITE for call `call` with CSeq `seq`.
fn build_invite(
    call: &Call,
    seq: u32,
    sdp: &str,
    session_expires: u32,
    min_se: u32,
    io: &mut Io<'_>,
    s: &mut Sender<'_>,
) -> Result<(Vec<u8>, InviteRequest), BuildError> {
    let branch = new_branch(io.rng);
    let via = s.local.via(s.secure, &branch);
    let to = format!("<{}>", call.target);
    let mut b = RequestBuilder::new(Method::Invite, &call.target)?;
    b.header("Via", &via)?
        .header("Max-Forwards", "70")?
        .header("From", &call.local_header)?
        .header("To", &to)?
        .header("Call-ID", &call.call_id)?
        .header("CSeq", &format!("{seq} INVITE"))?
        .header("Contact", &format!("<{}>", s.local.dialog_contact_uri()))?
        .header("Allow", ALLOW)?
        .header("Supported", "timer, replaces, outbound")?
        .header("User-Agent", &s.local.user_agent)?;
    if session_expires > 0 {
        b.header("Session-Expires", &session_expires.to_string())?
            .header("Min-SE", &min_se.to_string())?;
    }
    for (name, value) in &call.extra_headers {
        b.header(name, value)?;
    }
    let auth = finish_invite(&mut b, &call.target, sdp, io, s)?;
    Ok((
        b.build(),
        InviteRequest {
            branch,
            seq,
            request_uri: call.target.clone(),
            to,
            via,
            auth,
        },
    ))
}

/// The ACK of a non-2xx final response: part of the INVITE transaction, same branch
/// (the re-INVITE's when the response is to it, with the dialog's route set).
pub(crate) fn send_ack_for_failure(call: &Call, msg: &Message<'_>, io: &mut Io<'_>) {
    let Some(invite) = call
        .reinvite
        .as_ref()
        .filter(|inv| Some(inv.tx.sent.branch.as_str()) == msg.top_via().branch())
        .or(call.invite.as_ref())
    else {
        return;
    };
    let dialog = call.dialog.as_ref();
    let routes = match (invite.reason, dialog) {
        (Some(_), Some(d)) => d.route_set.as_slice(),
        _ => &[],
    };
    let from = dialog.map_or(call.local_header.as_str(), |d| d.local_header.as_str());
    if let Ok(bytes) = invite.tx.ack(msg, from, routes) {
        io.send(bytes);
    }
}

impl OutInvite {
    /// The ACK of a 2xx to this re-INVITE, without a body, in `dialog`.
    pub(crate) fn ack_2xx(&self, dialog: &mut Dialog, io: &mut Io<'_>, s: &mut Sender<'_>) {
        send_ack(dialog, self.tx.sent.seq, &self.tx.sent.auth, None, io, s);
    }
}

/// The ACK of a 2xx: a request of its own inside the dialog (RFC 3261 section 13.2.2.4).
pub(crate) fn send_ack(
    dialog: &mut Dialog,
    seq: u32,
    auth: &[(&'static str, String)],
    sdp: Option<&str>,
    io: &mut Io<'_>,
    s: &mut Sender<'_>,
) {
    let built = (|| -> Result<Vec<u8>, BuildError> {
        let (mut b, _, _) = dialog.request(Method::Ack, Some(seq), s.local, s.secure, io.rng)?;
        for (name, value) in auth {
            b.header(name, value)?;
        }
        if let Some(sdp) = sdp {
            b.body("application/sdp", sdp.as_bytes())?;
        }
        Ok(b.build())
    })();
    match built {
        Ok(bytes) => {
            io.send(bytes);
        }
        Err(e) => io.log(LogLevel::Error, || format!("cannot build ACK: {e}")),
    }
}

/// A BYE in `dialog`, with the application's checked extra headers (and `Reason`).
pub(crate) fn build_bye(
    dialog: &mut Dialog,
    extra: &[(String, String)],
    io: &mut Io<'_>,
    s: &mut Sender<'_>,
) -> Result<(Vec<u8>, String), BuildError> {
    let (mut b, branch, _) = dialog.request(Method::Bye, None, s.local, s.secure, io.rng)?;
    b.header("User-Agent", &s.local.user_agent)?;
    for (name, value) in extra {
        b.header(name, value)?;
    }
    Ok((b.build(), branch))
}

/// Ends an INVITE (initial or re-INVITE) to `uri`: the call-scope credentials cached
/// from earlier challenges, then the SDP. Returns the credentials, which the ACK of a
/// 2xx repeats (RFC 3261 section 13.2.2.4).
pub(crate) fn finish_invite(
    b: &mut RequestBuilder,
    uri: &str,
    sdp: &str,
    io: &mut Io<'_>,
    s: &mut Sender<'_>,
) -> Result<Vec<(&'static str, String)>, BuildError> {
    let auth = s.auth.headers(
        crate::core::auth::Scope::Call,
        "INVITE",
        uri,
        sdp.as_bytes(),
        io.rng,
    );
    for (name, value) in &auth {
        b.header(name, value)?;
    }
    b.body("application/sdp", sdp.as_bytes())?;
    Ok(auth)
}
