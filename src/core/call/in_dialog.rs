//! Requests inside a dialog, in both directions: BYE, re-INVITE and UPDATE (hold,
//! resume, ICE restart, session refresh) with RFC 3261 section 14 glare handling,
//! INFO (DTMF), REFER and NOTIFY (blind transfer, RFC 3515), OPTIONS.

use super::outgoing::{build_bye, finish_invite, send_ack, send_ack_for_failure};
use super::state::{Awaiting, OutInvite, Phase, ReinviteReason};
use super::target::normalize_target;
use super::types::{CallError, CallEvent, CallId, CallOptions, DtmfMode, EndCause, MediaAction};
use super::Calls;
use crate::core::io::Io;
use crate::core::sdp::{Direction, SdpSummary};
use crate::core::timer::CallTimer;
use crate::core::transaction::{InDialog, Purpose};
use crate::core::transaction::{Sender, ALLOW};
use crate::core::LogLevel;
use crate::sip::{BuildError, Message, Method};

impl Calls {
    /// A request with a To tag. Returns false when no dialog matches (the caller answers 481).
    pub(crate) fn on_in_dialog_request(
        &mut self,
        msg: &Message<'_>,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> bool {
        if msg.method() == Method::Ack {
            self.on_ack(msg, io, s);
            return true;
        }
        let Some(i) = self.calls.iter().position(|c| {
            !c.is_over() && c.dialog.as_ref().is_some_and(|d| d.matches_request(msg))
        }) else {
            return false;
        };
        let tag = self.calls[i].local_tag.clone();
        let in_order = self.calls[i]
            .dialog
            .as_mut()
            .is_some_and(|d| d.accept_remote_seq(msg));
        if !in_order {
            self.respond_raw_tagged(
                msg.as_bytes(),
                500,
                "Server Internal Error",
                &tag,
                &[("Retry-After", "1")],
                io,
            );
            return true;
        }
        match msg.method() {
            Method::Bye => {
                self.respond_raw_tagged(msg.as_bytes(), 200, "OK", &tag, &[], io);
                let call = &mut self.calls[i];
                call.ok_retransmit = None;
                call.end(EndCause::RemoteHangup, io);
            }
            Method::Invite => self.on_reinvite_request(i, msg, io),
            Method::Update => self.on_update_request(i, msg, io, s),
            Method::Info => self.on_info(i, msg, io),
            Method::Refer => self.on_refer(i, msg, io),
            Method::Notify => self.on_notify(i, msg, io, s),
            Method::Options => {
                self.respond_raw_tagged(msg.as_bytes(), 200, "OK", &tag, &[("Allow", ALLOW)], io)
            }
            _ => self.respond_raw_tagged(
                msg.as_bytes(),
                405,
                "Method Not Allowed",
                &tag,
                &[("Allow", ALLOW)],
                io,
            ),
        }
        true
    }

    fn local_direction(&self, i: usize) -> Direction {
        if self.calls[i].hold.local {
            Direction::SendOnly
        } else {
            Direction::SendRecv
        }
    }

    fn on_reinvite_request(&mut self, i: usize, msg: &Message<'_>, io: &mut Io<'_>) {
        let tag = self.calls[i].local_tag.clone();
        let call = &self.calls[i];
        if call.reinvite.is_some() || matches!(call.awaiting, Awaiting::ReinviteOffer(_)) {
            // Glare: both sides re-offered at once (RFC 3261 section 14.2).
            return self.respond_raw_tagged(msg.as_bytes(), 491, "Request Pending", &tag, &[], io);
        }
        if call.awaiting != Awaiting::Nothing || call.ok_retransmit.is_some() {
            let wait = (io.rng.below(10) + 1).to_string();
            return self.respond_raw_tagged(
                msg.as_bytes(),
                500,
                "Server Internal Error",
                &tag,
                &[("Retry-After", &wait)],
                io,
            );
        }
        let direction = self.local_direction(i);
        let call = &mut self.calls[i];
        if let Some(d) = &mut call.dialog {
            d.refresh_target(msg);
        }
        let request = msg.as_bytes().to_vec();
        if msg.body().is_empty() {
            call.awaiting = Awaiting::ReinviteOfferIn200 { request };
            call.media(
                MediaAction::CreateOffer {
                    direction,
                    ice_restart: false,
                    video: call.video,
                },
                io,
            );
        } else {
            call.awaiting = Awaiting::ReinviteAnswer { request };
            let offer = String::from_utf8_lossy(msg.body()).into_owned();
            call.media(
                MediaAction::CreateAnswer {
                    offer,
                    direction,
                    video: call.video,
                },
                io,
            );
        }
    }

    fn on_update_request(
        &mut self,
        i: usize,
        msg: &Message<'_>,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let tag = self.calls[i].local_tag.clone();
        if msg.body().is_empty() {
            // A session refresh (RFC 4028) or a target refresh without an offer.
            if let Some(d) = &mut self.calls[i].dialog {
                d.refresh_target(msg);
            }
            let session = self.session_refreshed_by_peer(i, msg, io);
            let contact = format!("<{}>", s.local.dialog_contact_uri());
            let mut headers = vec![("Contact", contact.as_str())];
            if let Some(value) = &session {
                headers.push(("Session-Expires", value.as_str()));
            }
            return self.respond_raw_tagged(msg.as_bytes(), 200, "OK", &tag, &headers, io);
        }
        if self.calls[i].awaiting != Awaiting::Nothing || self.calls[i].reinvite.is_some() {
            return self.respond_raw_tagged(msg.as_bytes(), 491, "Request Pending", &tag, &[], io);
        }
        let direction = self.local_direction(i);
        let call = &mut self.calls[i];
        call.awaiting = Awaiting::ReinviteAnswer {
            request: msg.as_bytes().to_vec(),
        };
        let offer = String::from_utf8_lossy(msg.body()).into_owned();
        call.media(
            MediaAction::CreateAnswer {
                offer,
                direction,
                video: call.video,
            },
            io,
        );
    }

    /// Sends the 200 to a re-INVITE or UPDATE we received, with our SDP.
    pub(crate) fn answer_reinvite(
        &mut self,
        i: usize,
        raw: &[u8],
        sdp: String,
        offer_in_200: bool,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let Ok(request) = Message::parse(raw) else {
            return;
        };
        let session = self.session_refreshed_by_peer(i, &request, io);
        let built = self.ok_with_sdp(i, &request, &sdp, session.as_deref().map(|v| (v, false)), s);
        let Ok(bytes) = built else {
            return self.respond_raw(raw, 500, "Server Internal Error", &[], io);
        };
        io.send(bytes.clone());
        if request.method() == Method::Invite {
            let call = &mut self.calls[i];
            call.ok_retransmit = Some(super::state::OkRetransmit {
                response: bytes,
                interval: super::state::T1,
                seq: request.cseq().seq,
                offer_in_200,
            });
            call.set_timer(CallTimer::OkRetransmit, io.now + super::state::T1, io);
            call.set_timer(CallTimer::AckTimeout, io.now + super::state::T1 * 64, io);
        }
        if !offer_in_200 {
            let remote_hold = SdpSummary::read(&String::from_utf8_lossy(request.body()))
                .direction
                .is_some_and(Direction::is_hold);
            let call = &mut self.calls[i];
            if call.hold.remote != remote_hold {
                call.hold.remote = remote_hold;
                let hold = call.hold;
                call.emit(CallEvent::Hold(hold), io);
            }
        }
    }

    /// Puts the call on hold (`hold = true`) or takes it off, by re-INVITE.
    pub(crate) fn set_hold(
        &mut self,
        id: CallId,
        hold: bool,
        io: &mut Io<'_>,
    ) -> Result<(), CallError> {
        let call = self.get(id)?;
        if call.phase != Phase::Confirmed {
            return Err(CallError::InvalidState("the call is not connected"));
        }
        if call.reinvite.is_some() || call.awaiting != Awaiting::Nothing {
            return Err(CallError::InvalidState("a re-negotiation is in progress"));
        }
        if call.hold.local == hold {
            return Ok(());
        }
        let (reason, direction) = if hold {
            (ReinviteReason::Hold, Direction::SendOnly)
        } else {
            (ReinviteReason::Resume, Direction::SendRecv)
        };
        call.awaiting = Awaiting::ReinviteOffer(reason);
        call.media(
            MediaAction::CreateOffer {
                direction,
                ice_restart: false,
                video: call.video,
            },
            io,
        );
        Ok(())
    }

    /// Sends our re-INVITE with `sdp`.
    pub(crate) fn send_reinvite(
        &mut self,
        i: usize,
        reason: ReinviteReason,
        sdp: String,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let session = self.calls[i].session;
        let invite_timeout = self.settings.invite_timeout;
        let call = &mut self.calls[i];
        let Some(dialog) = &mut call.dialog else {
            return;
        };
        let auth_retried = call.reinvite.as_ref().is_some_and(|r| r.auth_retried);
        let built = (|| -> Result<(Vec<u8>, OutInvite), BuildError> {
            let (mut b, branch, seq) =
                dialog.request(Method::Invite, None, s.local, s.secure, io.rng)?;
            b.header("Allow", ALLOW)?
                .header("Supported", "timer, replaces, outbound")?
                .header("User-Agent", &s.local.user_agent)?;
            if let Some(session) = session {
                let refresher = if session.we_refresh == dialog.we_called {
                    "uac"
                } else {
                    "uas"
                };
                b.header(
                    "Session-Expires",
                    &format!("{};refresher={refresher}", session.interval),
                )?;
            }
            let auth = finish_invite(&mut b, &dialog.remote_target, &sdp, io, s)?;
            let via = s.local.via(s.secure, &branch);
            Ok((
                b.build(),
                OutInvite {
                    branch,
                    seq,
                    request_uri: dialog.remote_target.clone(),
                    to: dialog.remote_header.clone(),
                    via,
                    sdp: sdp.clone(),
                    auth,
                    provisional: false,
                    auth_retried,
                    timer_retried: false,
                    reason: Some(reason),
                },
            ))
        })();
        match built {
            Ok((bytes, invite)) => {
                io.send(bytes);
                call.reinvite = Some(invite);
                call.set_timer(CallTimer::InviteTimeout, io.now + invite_timeout, io);
            }
            Err(e) => {
                io.log(LogLevel::Error, || format!("cannot build re-INVITE: {e}"));
                call.media(MediaAction::Rollback, io);
            }
        }
    }

    /// A response to our re-INVITE.
    pub(crate) fn on_reinvite_response(
        &mut self,
        i: usize,
        msg: &Message<'_>,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let status = msg.status().unwrap_or(500);
        if status < 200 {
            return;
        }
        self.calls[i].cancel_timer(CallTimer::InviteTimeout, io);
        let call = &mut self.calls[i];
        let Some(invite) = call.reinvite.clone() else {
            return;
        };
        let reason = invite.reason.unwrap_or(ReinviteReason::SessionRefresh);
        if call.is_over() {
            // The call ended while the re-INVITE was out (a BYE crossed it): ACK, nothing more.
            call.reinvite = None;
            call.lingering = false;
            call.cancel_timer(CallTimer::InviteTimeout, io);
            if (200..300).contains(&status) {
                if let Some(dialog) = &mut call.dialog {
                    send_ack(dialog, invite.seq, &invite.auth, None, io, s);
                }
            } else {
                send_ack_for_failure(call, msg, io);
            }
            return;
        }
        if (200..300).contains(&status) {
            call.reinvite = None;
            if let Some(dialog) = &mut call.dialog {
                dialog.refresh_target(msg);
                send_ack(dialog, invite.seq, &invite.auth, None, io, s);
            }
            // A refresh (session timer, or a target refresh after a new flow) re-sent the
            // SDP already in place: the browser made no offer, so there is no answer to
            // apply (it would fail in the `stable` state and end the call).
            if !msg.body().is_empty() && !reason.reuses_sdp() {
                let answer = String::from_utf8_lossy(msg.body()).into_owned();
                call.media(
                    MediaAction::ApplyAnswer {
                        answer,
                        provisional: false,
                    },
                    io,
                );
            }
            let hold = match reason {
                ReinviteReason::Hold => Some(true),
                ReinviteReason::Resume => Some(false),
                _ => None,
            };
            if let Some(hold) = hold {
                call.hold.local = hold;
                let state = call.hold;
                call.emit(CallEvent::Hold(state), io);
            }
            self.session_refreshed_by_us(i, msg, io);
            return;
        }
        send_ack_for_failure(call, msg, io);
        call.reinvite = None;
        match status {
            491 => {
                // RFC 3261 section 14.1: the owner of the Call-ID waits 2.1-4 s, the other 0-2 s.
                if !reason.reuses_sdp() {
                    call.media(MediaAction::Rollback, io);
                }
                let we_own = call.dialog.as_ref().is_some_and(|d| d.we_called);
                let wait_ms = if we_own {
                    2100 + io.rng.below(1901)
                } else {
                    io.rng.below(2001)
                };
                call.glare_reason = Some(reason);
                call.set_timer(
                    CallTimer::GlareRetry,
                    io.now + std::time::Duration::from_millis(wait_ms),
                    io,
                );
            }
            401 | 407
                if !invite.auth_retried
                    && s.auth
                        .challenged(crate::core::auth::Scope::Call, msg)
                        .is_ok() =>
            {
                call.reinvite = Some(OutInvite {
                    auth_retried: true,
                    ..invite.clone()
                });
                self.send_reinvite(i, reason, invite.sdp, io, s);
            }
            408 | 481 => {
                // The dialog is gone (RFC 3261 section 12.2.1.2).
                if status == 408 {
                    self.send_bye(i, io, s);
                }
                let reason_text = msg.reason().unwrap_or("").to_string();
                self.calls[i].end(
                    EndCause::Failed {
                        status,
                        reason: reason_text,
                    },
                    io,
                );
            }
            _ if reason == ReinviteReason::SessionRefresh => {
                let reason_text = msg.reason().unwrap_or("").to_string();
                self.session_refresh_refused(i, status, &reason_text, Some(msg), io, s);
            }
            _ => {
                if !reason.reuses_sdp() {
                    call.media(MediaAction::Rollback, io);
                }
                io.log(LogLevel::Warn, || {
                    format!("re-INVITE refused with {status}; the call goes on as before")
                });
                if reason == ReinviteReason::IceRestart {
                    self.ice_restart_failed(i, io);
                }
            }
        }
    }

    /// The glare wait is over: offer again.
    pub(crate) fn on_glare_retry(&mut self, i: usize, io: &mut Io<'_>) {
        let direction = self.local_direction(i);
        let call = &mut self.calls[i];
        let Some(reason) = call.glare_reason.take() else {
            return;
        };
        if call.awaiting != Awaiting::Nothing || call.reinvite.is_some() {
            return;
        }
        let direction = match reason {
            ReinviteReason::Hold => Direction::SendOnly,
            ReinviteReason::Resume => Direction::SendRecv,
            _ => direction,
        };
        call.awaiting = Awaiting::ReinviteOffer(reason);
        call.media(
            MediaAction::CreateOffer {
                direction,
                ice_restart: reason == ReinviteReason::IceRestart,
                video: call.video,
            },
            io,
        );
    }

    /// Sends BYE in call `i`'s dialog, if it has one.
    pub(crate) fn send_bye(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let ready = io.flow.is_some() && self.signalling_ready;
        let call = &mut self.calls[i];
        let id = call.id;
        if !ready {
            // No way to the peer now: the BYE goes when the flow is back.
            call.bye_on_flow = call.dialog.is_some();
            call.lingering |= call.bye_on_flow;
            return;
        }
        let Some(dialog) = &mut call.dialog else {
            return;
        };
        match build_bye(dialog, io, s) {
            Ok((bytes, branch)) => {
                if io.send(bytes) {
                    s.txs.start(
                        &branch,
                        "BYE",
                        Purpose::Call {
                            call: id,
                            kind: InDialog::Bye,
                        },
                        s.tx_timeout,
                        io,
                    );
                }
            }
            Err(e) => io.log(LogLevel::Error, || format!("cannot build BYE: {e}")),
        }
    }

    /// Sends a non-INVITE request in call `i`'s dialog.
    pub(crate) fn send_in_dialog(
        &mut self,
        i: usize,
        kind: InDialog,
        headers: &[(&str, &str)],
        body: Option<(&str, &[u8])>,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<(), CallError> {
        let method = kind.method();
        let call = &mut self.calls[i];
        let id = call.id;
        let Some(dialog) = &mut call.dialog else {
            return Err(CallError::InvalidState("no dialog yet"));
        };
        let built = (|| -> Result<(Vec<u8>, String), BuildError> {
            let (mut b, branch, _) = dialog.request(method, None, s.local, s.secure, io.rng)?;
            for (name, value) in headers {
                b.header(name, value)?;
            }
            if let Some((content_type, body)) = body {
                b.body(content_type, body)?;
            }
            Ok((b.build(), branch))
        })();
        let (bytes, branch) = built.map_err(|e| CallError::InvalidValue(e.to_string()))?;
        if !io.send(bytes) {
            return Err(CallError::NotConnected);
        }
        s.txs.start(
            &branch,
            method.as_str(),
            Purpose::Call { call: id, kind },
            s.tx_timeout,
            io,
        );
        Ok(())
    }

    /// Sends DTMF `tones` in the media (RFC 4733) or by SIP INFO.
    pub(crate) fn send_dtmf(
        &mut self,
        id: CallId,
        tones: &str,
        mode: DtmfMode,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<(), CallError> {
        let tones = tones.to_ascii_uppercase();
        if tones.is_empty()
            || !tones
                .chars()
                .all(|c| c.is_ascii_digit() || "*#ABCD,".contains(c))
        {
            return Err(CallError::InvalidValue(
                "DTMF tones are 0-9, *, #, A-D and ','".into(),
            ));
        }
        let call = self.get(id)?;
        if !matches!(call.phase, Phase::Confirmed | Phase::Early) {
            return Err(CallError::InvalidState(
                "DTMF needs an answered call or early media",
            ));
        }
        match mode {
            DtmfMode::Rfc4733 => call.media(MediaAction::SendDtmf { tones }, io),
            DtmfMode::Info => {
                call.dtmf_queue.extend(tones.chars().filter(|c| *c != ','));
                let i = self.index(id).ok_or(CallError::NoSuchCall)?;
                self.pump_dtmf(i, io, s);
            }
        }
        Ok(())
    }

    /// Sends the next queued INFO digit once the previous one is answered.
    fn pump_dtmf(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        if self.calls[i].dtmf_in_flight {
            return;
        }
        let Some(digit) = self.calls[i].dtmf_queue.pop_front() else {
            return;
        };
        let body = format!("Signal={digit}\r\nDuration=160\r\n");
        if self
            .send_in_dialog(
                i,
                InDialog::Info,
                &[],
                Some(("application/dtmf-relay", body.as_bytes())),
                io,
                s,
            )
            .is_ok()
        {
            self.calls[i].dtmf_in_flight = true;
        }
    }

    fn on_info(&mut self, i: usize, msg: &Message<'_>, io: &mut Io<'_>) {
        let tag = self.calls[i].local_tag.clone();
        let media_type = msg.media_type().unwrap_or("").to_ascii_lowercase();
        if msg.body().is_empty() {
            return self.respond_raw_tagged(msg.as_bytes(), 200, "OK", &tag, &[], io);
        }
        if media_type != "application/dtmf-relay" && media_type != "application/dtmf" {
            return self.respond_raw_tagged(
                msg.as_bytes(),
                415,
                "Unsupported Media Type",
                &tag,
                &[("Accept", "application/dtmf-relay")],
                io,
            );
        }
        let body = String::from_utf8_lossy(msg.body());
        let digit = body
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("Signal=")
                    .or_else(|| l.trim().strip_prefix("Signal ="))
            })
            .or_else(|| (media_type == "application/dtmf").then_some(body.trim()))
            .and_then(|v| v.trim().chars().next())
            .filter(|c| c.is_ascii_digit() || "*#ABCDabcd".contains(*c));
        self.respond_raw_tagged(msg.as_bytes(), 200, "OK", &tag, &[], io);
        if let Some(digit) = digit {
            self.calls[i].emit(CallEvent::DtmfReceived(digit.to_ascii_uppercase()), io);
        }
    }

    /// Asks the peer to call `target` instead (blind transfer, REFER).
    pub(crate) fn transfer(
        &mut self,
        id: CallId,
        target: &str,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<(), CallError> {
        let uri = normalize_target(target, &self.settings.domain)?;
        let call = self.get(id)?;
        if call.phase != Phase::Confirmed {
            return Err(CallError::InvalidState(
                "only a connected call can be transferred",
            ));
        }
        let i = self.index(id).ok_or(CallError::NoSuchCall)?;
        let refer_to = format!("<{uri}>");
        let referred_by = format!("<{}>", s.local.aor_uri());
        self.send_in_dialog(
            i,
            InDialog::Refer,
            &[("Refer-To", &refer_to), ("Referred-By", &referred_by)],
            None,
            io,
            s,
        )
    }

    fn on_refer(&mut self, i: usize, msg: &Message<'_>, io: &mut Io<'_>) {
        let tag = self.calls[i].local_tag.clone();
        let target = match msg.refer_to() {
            Ok(Some(addr)) => addr.uri().as_str().to_string(),
            _ => {
                return self.respond_raw_tagged(msg.as_bytes(), 400, "Bad Refer-To", &tag, &[], io)
            }
        };
        if self.calls[i].refer_in.is_some() {
            return self.respond_raw_tagged(msg.as_bytes(), 491, "Request Pending", &tag, &[], io);
        }
        let call = &mut self.calls[i];
        call.refer_in = Some(msg.as_bytes().to_vec());
        call.set_timer(
            CallTimer::ReferTimeout,
            io.now + std::time::Duration::from_secs(20),
            io,
        );
        call.emit(CallEvent::TransferRequested { target }, io);
    }

    /// Accepts the peer's REFER: 202, then a new call to the target whose progress
    /// is reported back with NOTIFY. Returns the new call.
    pub(crate) fn accept_transfer(
        &mut self,
        id: CallId,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<CallId, CallError> {
        let call = self.get(id)?;
        let raw = call
            .refer_in
            .take()
            .ok_or(CallError::InvalidState("no transfer was requested"))?;
        call.cancel_timer(CallTimer::ReferTimeout, io);
        let target = Message::parse(&raw)
            .ok()
            .and_then(|m| {
                m.refer_to()
                    .ok()
                    .flatten()
                    .map(|a| a.uri().as_str().to_string())
            })
            .ok_or(CallError::InvalidState("the REFER has no target"))?;
        self.respond_raw(&raw, 202, "Accepted", &[], io);
        let i = self.index(id).ok_or(CallError::NoSuchCall)?;
        self.notify_refer(i, 100, "Trying", io, s);
        let new = self.call(&target, CallOptions::default(), io, s)?;
        if let Some(j) = self.index(new) {
            self.calls[j].referred_by = Some(id);
        }
        Ok(new)
    }

    /// Declines the peer's REFER.
    pub(crate) fn decline_transfer(
        &mut self,
        id: CallId,
        io: &mut Io<'_>,
    ) -> Result<(), CallError> {
        let call = self.get(id)?;
        let raw = call
            .refer_in
            .take()
            .ok_or(CallError::InvalidState("no transfer was requested"))?;
        call.cancel_timer(CallTimer::ReferTimeout, io);
        self.respond_raw(&raw, 603, "Declined", &[], io);
        Ok(())
    }

    /// Reports the progress of a call made for a REFER to the call that received it.
    pub(crate) fn notify_refer(
        &mut self,
        i: usize,
        status: u16,
        reason: &str,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let state = if status >= 200 {
            "terminated;reason=noresource"
        } else {
            "active;expires=60"
        };
        let body = format!("SIP/2.0 {status} {reason}\r\n");
        let _ = self.send_in_dialog(
            i,
            InDialog::Notify,
            &[("Event", "refer"), ("Subscription-State", state)],
            Some(("message/sipfrag;version=2.0", body.as_bytes())),
            io,
            s,
        );
    }

    fn on_notify(&mut self, i: usize, msg: &Message<'_>, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let tag = self.calls[i].local_tag.clone();
        self.respond_raw_tagged(msg.as_bytes(), 200, "OK", &tag, &[], io);
        let is_refer = msg
            .header_by_name("Event")
            .is_some_and(|e| e.trim().to_ascii_lowercase().starts_with("refer"));
        if !is_refer {
            return;
        }
        let body = String::from_utf8_lossy(msg.body());
        let Some((status, reason)) = sipfrag_status(&body) else {
            return;
        };
        self.calls[i].emit(CallEvent::TransferProgress { status, reason }, io);
        if (200..300).contains(&status) {
            self.calls[i].transferred = true;
            self.send_bye(i, io, s);
            self.calls[i].end(EndCause::Transferred, io);
        }
    }

    /// A final response to a non-INVITE request we sent in call `id`.
    pub(crate) fn on_in_dialog_final(
        &mut self,
        id: CallId,
        kind: InDialog,
        msg: Option<&Message<'_>>,
        status: u16,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let Some(i) = self.index(id) else {
            return;
        };
        let reason = msg
            .and_then(|m| m.reason())
            .unwrap_or("Request Timeout")
            .to_string();
        match kind {
            InDialog::Bye | InDialog::Notify => {}
            InDialog::Info => {
                self.calls[i].dtmf_in_flight = false;
                self.pump_dtmf(i, io, s);
            }
            InDialog::Refer => {
                if !self.calls[i].is_over() {
                    self.calls[i].emit(
                        CallEvent::TransferProgress {
                            status,
                            reason: reason.clone(),
                        },
                        io,
                    );
                }
            }
            // UPDATE is only sent to refresh the session.
            InDialog::Update => match msg {
                Some(m) if (200..300).contains(&status) => self.session_refreshed_by_us(i, m, io),
                // The flow went down under it: the target refresh on the next flow
                // refreshes the session too.
                None if status == 503 => {}
                _ if status == 481 => {}
                _ => {
                    // A peer that refused an UPDATE gets re-INVITEs from now on (RFC 4028
                    // section 9 lets the refresher use either).
                    self.calls[i].peer_allows_update &= msg.is_none();
                    self.session_refresh_refused(i, status, &reason, msg, io, s);
                }
            },
        }
        // Only a 481 ends the call: the dialog is gone. A lost request (Timer F, a
        // dropped flow) does not prove the media dead; the ICE and session-timer
        // policies decide that.
        if status == 481 && !self.calls[i].is_over() && kind != InDialog::Bye {
            self.calls[i].end(EndCause::Failed { status, reason }, io);
        }
    }
}

/// The status line of a `message/sipfrag` body.
fn sipfrag_status(body: &str) -> Option<(u16, String)> {
    let line = body.lines().next()?.trim();
    let rest = line.strip_prefix("SIP/2.0 ")?;
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    Some((code.parse().ok()?, reason.to_string()))
}
