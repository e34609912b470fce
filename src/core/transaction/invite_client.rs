//! INVITE client transactions (RFC 3261 section 17.1.1) on a reliable flow.
//!
//! States: Calling once the INVITE is sent (Timer B armed; Timer A, its retransmission,
//! does not run on a reliable transport); Proceeding after a provisional response
//! (Timer B disarmed: the far end is alive and the final response may take as long as
//! the callee rings); Terminated on a 2xx (whose ACK is the dialog's, RFC 3261 section
//! 13.2.2.4) or when Timer B fires; Completed on a failure response, which is ACKed
//! on the same branch (section 17.1.1.3) and then, Timer D being zero on a reliable
//! flow, Terminated at once.
//!
//! A CANCEL may go only in Proceeding (section 9.1); after it the transaction waits
//! Timer B again for the final response (the 487, or a 200 that crossed the CANCEL).
//!
//! A re-INVITE's transaction ([`InviteClient::start_reinvite`]) moves to Proceeding on
//! a provisional response like any other, but its Timer B keeps running there and
//! bounds the whole re-INVITE: the dialog is up and the far end answers a re-offer
//! without ringing anyone, so one stuck after a 100 must not block the dialog's next
//! offer. Each transaction has its own Timer B key (`CallTimer::InviteTimeout` and
//! `CallTimer::ReinviteTimeout`), so a late response of one never disarms the other's.

use std::time::Duration;

use crate::core::io::Io;
use crate::core::timer::TimerKey;
use crate::core::LogLevel;
use crate::sip::{BuildError, HeaderName, Message, Method, RequestBuilder};

/// Where an INVITE client transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InviteClientState {
    /// Sent, no response yet: Timer B runs.
    Calling,
    /// A provisional response came.
    Proceeding,
    /// A failure response came and was ACKed; it lasts Timer D, zero on a reliable
    /// flow, so it is as good as over.
    Completed,
    /// Over: a 2xx came or Timer B fired.
    Terminated,
}

/// What a response means for the transaction user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InviteResponse {
    /// 1xx: keep waiting.
    Provisional,
    /// 2xx: the call (or the new offer) is accepted; the dialog ACKs it.
    Accepted,
    /// 3xx-6xx: refused; [`InviteClient::ack`] builds the ACK.
    Refused,
}

/// The client transaction of one INVITE we sent: what its ACK (for a failure) and its
/// CANCEL repeat, and where it is.
#[derive(Debug, Clone)]
pub(crate) struct InviteClient {
    /// What the INVITE was sent with.
    pub(crate) sent: InviteRequest,
    state: InviteClientState,
    timer_b: TimerKey,
    /// Timer B runs until the final response, through provisional ones (a re-INVITE).
    bounds_whole: bool,
}

impl InviteClient {
    /// The transaction of an INVITE just sent: Calling, with Timer B (`timer_b`) armed
    /// for `timeout`.
    pub(crate) fn start(
        request: InviteRequest,
        timer_b: TimerKey,
        timeout: Duration,
        io: &mut Io<'_>,
    ) -> Self {
        io.timers.set(timer_b, io.now + timeout);
        InviteClient {
            sent: request,
            state: InviteClientState::Calling,
            timer_b,
            bounds_whole: false,
        }
    }

    /// The transaction of a re-INVITE just sent: like [`InviteClient::start`], but
    /// Timer B keeps running in Proceeding, up to the final response.
    pub(crate) fn start_reinvite(
        request: InviteRequest,
        timer_b: TimerKey,
        timeout: Duration,
        io: &mut Io<'_>,
    ) -> Self {
        InviteClient {
            bounds_whole: true,
            ..InviteClient::start(request, timer_b, timeout, io)
        }
    }

    /// A provisional response came and no final one: a CANCEL may go (RFC 3261
    /// section 9.1).
    pub(crate) fn can_cancel(&self) -> bool {
        self.state == InviteClientState::Proceeding
    }

    /// A response with `status` to this INVITE came: moves the state machine. Late
    /// responses (a 2xx retransmitted after the first) still say what they are.
    pub(crate) fn on_response(&mut self, status: u16, io: &mut Io<'_>) -> InviteResponse {
        let live = matches!(
            self.state,
            InviteClientState::Calling | InviteClientState::Proceeding
        );
        // A final response disarms Timer B; a provisional one too, unless Timer B
        // bounds the whole transaction (a re-INVITE). A late response finds the timer
        // disarmed already: the key is this transaction's alone.
        if status >= 200 || !self.bounds_whole {
            io.timers.cancel(self.timer_b);
        }
        match status {
            100..=199 => {
                if live {
                    self.state = InviteClientState::Proceeding;
                }
                InviteResponse::Provisional
            }
            200..=299 => {
                self.state = InviteClientState::Terminated;
                InviteResponse::Accepted
            }
            _ => {
                // The caller ACKs it (`ack`); Completed then lasts Timer D, zero on a
                // reliable flow, so nothing more happens in it.
                if live {
                    self.state = InviteClientState::Completed;
                }
                InviteResponse::Refused
            }
        }
    }

    /// Timer B fired: the transaction is over with a timeout if it still waited for a
    /// final response (true), or the timer was stale (false).
    pub(crate) fn on_timer_b(&mut self) -> bool {
        let live = matches!(
            self.state,
            InviteClientState::Calling | InviteClientState::Proceeding
        );
        self.state = InviteClientState::Terminated;
        live
    }

    /// The CANCEL went: Timer B runs again for `timeout`, for the final response.
    pub(crate) fn cancelled(&self, timeout: Duration, io: &mut Io<'_>) {
        io.timers.set(self.timer_b, io.now + timeout);
    }

    /// The ACK of the failure response `msg`: the same branch and CSeq number as the
    /// INVITE, the response's To (with the far end's tag), `from` and the route set
    /// `routes` (a re-INVITE's, empty for an initial INVITE).
    pub(crate) fn ack(
        &self,
        msg: &Message<'_>,
        from: &str,
        routes: &[String],
    ) -> Result<Vec<u8>, BuildError> {
        let to = msg
            .headers()
            .iter()
            .find(|h| h.known() == Some(HeaderName::To))
            .map(|h| h.value().into_owned())
            .unwrap_or_else(|| self.sent.to.clone());
        let mut b = RequestBuilder::new(Method::Ack, &self.sent.request_uri)?;
        b.header("Via", &self.sent.via)?
            .header("Max-Forwards", "70")?;
        for route in routes {
            b.header("Route", route)?;
        }
        b.header("From", from)?
            .header("To", &to)?
            .header("Call-ID", msg.call_id())?
            .header("CSeq", &format!("{} ACK", self.sent.seq))?;
        Ok(b.build())
    }

    /// The CANCEL of this INVITE (RFC 3261 section 9.1): its Request-URI, Via, To and
    /// CSeq number, with `from`, `call_id` and the `extra` headers; `Reason:
    /// SIP;cause=487` unless `extra` has a `Reason`.
    pub(crate) fn cancel(
        &self,
        from: &str,
        call_id: &str,
        extra: &[(String, String)],
        io: &mut Io<'_>,
    ) {
        let has_reason = extra.iter().any(|(n, _)| n == "Reason");
        let built = (|| -> Result<Vec<u8>, BuildError> {
            let mut b = RequestBuilder::new(Method::Cancel, &self.sent.request_uri)?;
            b.header("Via", &self.sent.via)?
                .header("Max-Forwards", "70")?
                .header("From", from)?
                .header("To", &self.sent.to)?
                .header("Call-ID", call_id)?
                .header("CSeq", &format!("{} CANCEL", self.sent.seq))?;
            for (name, value) in extra {
                b.header(name, value)?;
            }
            if !has_reason {
                b.header("Reason", "SIP;cause=487;text=\"Request Terminated\"")?;
            }
            Ok(b.build())
        })();
        match built {
            Ok(bytes) => {
                io.send(bytes);
            }
            Err(e) => io.log(LogLevel::Error, || format!("cannot build CANCEL: {e}")),
        }
    }
}

/// What an INVITE just built was sent with: what its ACK (for a failure) and its
/// CANCEL repeat.
#[derive(Debug, Clone)]
pub(crate) struct InviteRequest {
    /// The branch of our Via.
    pub(crate) branch: String,
    /// The CSeq number.
    pub(crate) seq: u32,
    pub(crate) request_uri: String,
    /// The To we sent (without a tag, for an initial INVITE).
    pub(crate) to: String,
    pub(crate) via: String,
    /// The credentials the INVITE carried, which the ACK of a 2xx repeats.
    pub(crate) auth: Vec<(&'static str, String)>,
}
