//! Re-INVITE and UPDATE, both ways: hold and resume, remote hold, ICE restart and
//! session refresh offers, with RFC 3261 section 14 glare handling (491 and the
//! section 14.1 waits).

use super::outgoing::{finish_invite, send_ack_for_failure};
use super::state::{Awaiting, OutInvite, Phase, ReinviteReason};
use super::types::{CallError, CallEvent, CallId, EndCause, MediaAction};
use super::Calls;
use crate::core::io::Io;
use crate::core::sdp::{Direction, SdpSummary};
use crate::core::timer::{CallTimer, TimerKey};
use crate::core::transaction::{
    Accepted2xx, InviteClient, InviteRequest, InviteResponse, InviteServer, Sender, ALLOW,
};
use crate::core::LogLevel;
use crate::sip::{BuildError, Message, Method};

impl Calls {
    pub(crate) fn local_direction(&self, i: usize) -> Direction {
        if self.calls[i].hold.local {
            Direction::SendOnly
        } else {
            Direction::SendRecv
        }
    }

    /// A re-INVITE from the peer (a new one: a retransmission is answered by its
    /// server transaction before this). It gets its own server transaction, through
    /// which every response to it goes.
    pub(crate) fn on_reinvite_request(&mut self, i: usize, msg: &Message<'_>, io: &mut Io<'_>) {
        let raw = msg.as_bytes();
        self.calls[i].server_reinvite = Some(InviteServer::new(raw));
        let call = &self.calls[i];
        if call.reinvite.is_some() || matches!(call.awaiting, Awaiting::ReinviteOffer(_)) {
            // Glare: both sides re-offered at once (RFC 3261 section 14.2).
            return self.respond_in_dialog(i, raw, 491, "Request Pending", &[], io);
        }
        if call.awaiting != Awaiting::Nothing || call.ok_retransmit.is_some() {
            let wait = (io.rng.below(10) + 1).to_string();
            return self.respond_in_dialog(
                i,
                raw,
                500,
                "Server Internal Error",
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
            call.ask_offer(direction, io);
        } else {
            call.awaiting = Awaiting::ReinviteAnswer { request };
            call.ask_answer(msg.body(), direction, io);
        }
    }

    pub(crate) fn on_update_request(
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
        call.ask_answer(msg.body(), direction, io);
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
            return self.respond_in_dialog(i, raw, 500, "Server Internal Error", &[], io);
        };
        self.send_response_in_dialog(i, raw, bytes.clone(), 200, io);
        if request.method() == Method::Invite {
            let call = &mut self.calls[i];
            let timers = call.ok_timers();
            call.ok_retransmit = Some(Accepted2xx::start(
                bytes,
                request.cseq().seq,
                offer_in_200,
                timers,
                io,
            ));
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
        headers: Vec<(String, String)>,
        io: &mut Io<'_>,
    ) -> Result<(), CallError> {
        let headers = crate::core::headers::ExtraHeaders::new(
            headers,
            crate::core::headers::HeaderTarget::Invite,
        )
        .map_err(|e| CallError::InvalidValue(e.to_string()))?;
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
        call.reinvite_headers = headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        call.ask_offer(direction, io);
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
        // The application's headers ride on the hold or resume re-INVITE they came with
        // (and its digest retry), never on a refresh or an ICE restart.
        let extra = if matches!(reason, ReinviteReason::Hold | ReinviteReason::Resume) {
            call.reinvite_headers.clone()
        } else {
            Vec::new()
        };
        let built = (|| -> Result<(Vec<u8>, InviteRequest), BuildError> {
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
            for (name, value) in &extra {
                b.header(name, value)?;
            }
            let auth = finish_invite(&mut b, &dialog.remote_target, &sdp, io, s)?;
            let via = s.local.via(s.secure, &branch);
            Ok((
                b.build(),
                InviteRequest {
                    branch,
                    seq,
                    request_uri: dialog.remote_target.clone(),
                    to: dialog.remote_header.clone(),
                    via,
                    auth,
                },
            ))
        })();
        match built {
            Ok((bytes, request)) => {
                io.send(bytes);
                let timer_b = TimerKey::Call(call.id, CallTimer::ReinviteTimeout);
                call.reinvite = Some(OutInvite {
                    tx: InviteClient::start_reinvite(request, timer_b, invite_timeout, io),
                    sdp,
                    auth_retried,
                    timer_retried: false,
                    reason: Some(reason),
                });
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
        let call = &mut self.calls[i];
        let Some(invite) = call.reinvite.as_mut() else {
            return;
        };
        if invite.tx.on_response(status, io) == InviteResponse::Provisional {
            // Proceeding; Timer B keeps bounding the whole re-INVITE.
            return;
        }
        let invite = invite.clone();
        let reason = invite.reason.unwrap_or(ReinviteReason::SessionRefresh);
        if call.is_over() {
            // The call ended while the re-INVITE was out (a BYE crossed it): ACK, nothing more.
            call.reinvite = None;
            call.settle();
            if (200..300).contains(&status) {
                if let Some(dialog) = &mut call.dialog {
                    invite.ack_2xx(dialog, io, s);
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
                invite.ack_2xx(dialog, io, s);
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
}
