//! INVITE server transactions (RFC 3261 section 17.2.1) on a reliable flow, and the 2xx
//! that the UAS core retransmits until its ACK comes (section 13.3.1.4).
//!
//! States of [`InviteServer`]: Proceeding while provisional responses go out; a 2xx
//! ends the transaction (RFC 3261; RFC 6026 calls the wait for the ACK "Accepted") and
//! its retransmission is the core's, kept in an [`Accepted2xx`]; a failure response
//! moves it to Completed until its ACK (Confirmed, which lasts Timer I = 0 on a reliable
//! flow, so the transaction is then Terminated). Each response is kept, so that a
//! retransmitted INVITE is answered with the last one. Timer G does not run on a
//! reliable flow, and `core/timer.rs` says why Timer H has no entry.
//!
//! A call keeps one for its initial INVITE (`Call::server_invite`) and one for the
//! last re-INVITE the peer sent in its dialog (`Call::server_reinvite`): a
//! retransmitted re-INVITE is matched to it before the dialog's CSeq check, which would
//! otherwise refuse it as out of order.

use std::time::Duration;

use crate::core::io::Io;
use crate::core::timer::{TimerKey, T1, T2};
use crate::sip::Message;

/// Where an INVITE server transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InviteServerState {
    /// No final response yet (provisional ones may have gone).
    Proceeding,
    /// A failure response went: waiting for its ACK (Timer G does not run on a
    /// reliable flow, and Timer H has no entry: see `core/timer.rs`).
    Completed,
    /// A 2xx went (the core retransmits it), or the failure's ACK came (Confirmed
    /// lasts Timer I, zero on a reliable flow): the transaction is over.
    Terminated,
}

/// The server transaction of an INVITE: the one that made a call, or a re-INVITE in
/// its dialog.
#[derive(Debug, Clone)]
pub(crate) struct InviteServer {
    /// The INVITE, as received.
    request: Vec<u8>,
    /// Its CSeq number, which the ACK of a failure repeats.
    seq: u32,
    /// The last response sent, for a retransmitted INVITE.
    last_response: Option<Vec<u8>>,
    state: InviteServerState,
}

impl InviteServer {
    /// A transaction for `request`, an INVITE just received.
    pub(crate) fn new(request: &[u8]) -> Self {
        InviteServer {
            request: request.to_vec(),
            seq: Message::parse(request).map_or(0, |m| m.cseq().seq),
            last_response: None,
            state: InviteServerState::Proceeding,
        }
    }

    /// The INVITE.
    pub(crate) fn request(&self) -> &[u8] {
        &self.request
    }

    /// Whether `msg` (an INVITE or a CANCEL) belongs to this transaction: the same top
    /// Via branch and Call-ID (RFC 3261 section 17.2.3).
    pub(crate) fn matches(&self, msg: &Message<'_>) -> bool {
        let branch = msg.top_via().branch().unwrap_or("");
        Message::parse(&self.request)
            .is_ok_and(|m| m.top_via().branch() == Some(branch) && m.call_id() == msg.call_id())
    }

    /// A retransmission of the INVITE came: sends the last response again, if any.
    pub(crate) fn on_retransmission(&self, io: &mut Io<'_>) {
        if let Some(last) = &self.last_response {
            io.send(last.clone());
        }
    }

    /// An ACK with CSeq number `seq` came in this call's dialog: if it is this
    /// INVITE's, it confirms a failure response (for a 2xx the transaction is over
    /// already and the ACK is the core's, see [`Accepted2xx`]).
    pub(crate) fn on_ack(&mut self, seq: u32) {
        if self.state == InviteServerState::Completed && seq == self.seq {
            self.state = InviteServerState::Terminated;
        }
    }

    /// Sends `response`, whose status is `status`, and moves the state machine.
    pub(crate) fn respond(&mut self, response: Vec<u8>, status: u16, io: &mut Io<'_>) {
        io.send(response.clone());
        self.last_response = Some(response);
        if self.state == InviteServerState::Proceeding {
            self.state = match status {
                100..=199 => InviteServerState::Proceeding,
                200..=299 => InviteServerState::Terminated,
                _ => InviteServerState::Completed,
            };
        }
    }
}

/// A 2xx to an INVITE (the initial one or a re-INVITE) that is retransmitted until its
/// ACK: first after T1, then doubling up to T2, and given up after 64*T1.
#[derive(Debug, Clone)]
pub(crate) struct Accepted2xx {
    response: Vec<u8>,
    interval: Duration,
    /// The INVITE's CSeq number, which the ACK repeats.
    seq: u32,
    /// The 2xx carried our offer; the ACK carries the answer.
    offer_in_200: bool,
    /// The timer of the next retransmission and the one that gives up.
    retransmit: TimerKey,
    give_up: TimerKey,
}

impl Accepted2xx {
    /// Starts retransmitting `response` (already sent once) for the INVITE with CSeq
    /// number `seq`, under the timers `retransmit` and `give_up`.
    pub(crate) fn start(
        response: Vec<u8>,
        seq: u32,
        offer_in_200: bool,
        (retransmit, give_up): (TimerKey, TimerKey),
        io: &mut Io<'_>,
    ) -> Self {
        io.timers.set(retransmit, io.now + T1);
        io.timers.set(give_up, io.now + T1 * 64);
        Accepted2xx {
            response,
            interval: T1,
            seq,
            offer_in_200,
            retransmit,
            give_up,
        }
    }

    /// The retransmission timer fired: sends the 2xx again and re-arms, doubling.
    pub(crate) fn on_retransmit_timer(&mut self, io: &mut Io<'_>) {
        io.send(self.response.clone());
        self.interval = (self.interval * 2).min(T2);
        io.timers.set(self.retransmit, io.now + self.interval);
    }

    /// Whether an ACK with CSeq number `seq` is this 2xx's.
    pub(crate) fn acked_by(&self, seq: u32) -> bool {
        self.seq == seq
    }

    /// The 2xx carried our offer (so its ACK carries the answer).
    pub(crate) fn offer_in_200(&self) -> bool {
        self.offer_in_200
    }

    /// The ACK came, or the wait is given up: disarms both timers.
    pub(crate) fn stop(&self, io: &mut Io<'_>) {
        io.timers.cancel(self.retransmit);
        io.timers.cancel(self.give_up);
    }
}
