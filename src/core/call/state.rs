//! One call's state, and the helpers every flow of it uses.

use std::collections::VecDeque;
use std::time::Duration;

use super::dialog::Dialog;
use super::types::{CallEvent, CallId, EndCause, HoldState, IceState, MediaAction};
use crate::core::io::Io;
use crate::core::output::Output;
use crate::core::sdp::Direction;
use crate::core::timer::{CallTimer, TimerKey, T1};
use crate::core::transaction::{Accepted2xx, InviteClient, InviteServer};
use crate::core::{Event, Instant, LogLevel};

/// One digit queued for INFO: the tone, its duration and the gap after it (ms).
pub(crate) type QueuedDigit = (char, u32, u32);

/// Where a call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Outgoing: waiting for the local offer before sending the INVITE.
    Offering,
    /// Outgoing: INVITE sent, no provisional response yet.
    Inviting,
    /// Outgoing: a provisional response other than 100 came. What the application
    /// was told of it: `Ringing` and `EarlyMedia` are each reported once, in either
    /// order (a 180 after a 183 with SDP still rings; a 183 with SDP after a 180
    /// still starts early media), so they are two facts, not one ladder.
    Early { ringing: bool, early_media: bool },
    /// Incoming: ringing, waiting for the application.
    Ringing,
    /// Incoming: answered, waiting for the local answer (or offer) for the 200.
    Answering,
    /// Incoming: 200 sent, waiting for the ACK.
    AwaitingAck,
    /// Both sides in the call.
    Confirmed,
    /// Over; the call is removed once its last message is out.
    Terminated,
}

/// What an ended call still owes the far end before it can be forgotten. A live call
/// is always `None`; each other variant is one reason to linger after `Ended`, so a
/// call cannot be both cancelling and waiting for an ACK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Nothing: the call is live, or over and free to go.
    None,
    /// Hung up before any provisional response: the CANCEL goes out with the first
    /// one (RFC 3261 section 9.1). Stays for the INVITE's final response.
    CancelPending,
    /// CANCEL sent: stays to ACK the 487, or to BYE a 200 that crosses it.
    Cancelled,
    /// Hung up while our 2xx waits for its ACK: no BYE before it (RFC 3261 section 15).
    ByeAfterAck,
    /// A BYE is owed but there is no flow: it goes when signalling is back.
    ByeOnFlow,
    /// Our re-INVITE is still out: stays to ACK its final response.
    ReinviteOut,
}

/// What the next local description is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Awaiting {
    Nothing,
    /// The offer of our INVITE.
    InviteOffer,
    /// The answer in our 200 to an INVITE with an offer.
    InviteAnswer,
    /// The offer in our 200 to an INVITE without SDP.
    OfferIn200,
    /// The offer of our re-INVITE.
    ReinviteOffer(ReinviteReason),
    /// The answer to a re-INVITE or UPDATE we received (raw request kept).
    ReinviteAnswer {
        request: Vec<u8>,
    },
    /// The offer in our 200 to a re-INVITE without SDP.
    ReinviteOfferIn200 {
        request: Vec<u8>,
    },
}

/// Why we send a re-INVITE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReinviteReason {
    Hold,
    Resume,
    IceRestart,
    /// A session-timer refresh (RFC 4028): the SDP already in place, sent again.
    SessionRefresh,
    /// A target refresh after a new flow: the SDP already in place, sent again so the
    /// far end learns the Contact that reaches us now.
    TargetRefresh,
}

impl ReinviteReason {
    /// The re-INVITE re-sends the SDP in place: the browser made no offer, so its
    /// answer is not applied and nothing is rolled back when it fails.
    pub(crate) fn reuses_sdp(self) -> bool {
        matches!(
            self,
            ReinviteReason::SessionRefresh | ReinviteReason::TargetRefresh
        )
    }
}

/// Our INVITE (the initial one or a re-INVITE): its transaction, and what the call
/// needs to send it again (with credentials, or a longer session interval).
#[derive(Debug, Clone)]
pub(crate) struct OutInvite {
    pub(crate) tx: InviteClient,
    pub(crate) sdp: String,
    pub(crate) auth_retried: bool,
    pub(crate) timer_retried: bool,
    pub(crate) reason: Option<ReinviteReason>,
}

/// A transfer we asked for (our REFER), until its outcome is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TransferOut {
    /// Attended: the call whose dialog the target is asked to replace.
    pub(crate) consult: Option<CallId>,
}

/// The negotiated session timer (RFC 4028).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SessionTimer {
    pub(crate) interval: u32,
    pub(crate) we_refresh: bool,
    /// This refresh was refused and is being tried again by re-INVITE, until this
    /// moment (a refusal then ends the call). A granted refresh makes a new
    /// `SessionTimer`.
    pub(crate) give_up_at: Option<Instant>,
    /// Refusals of this refresh so far (the retries back off).
    pub(crate) refusals: u32,
}

/// Recovery bookkeeping of one call.
#[derive(Debug, Clone, Default)]
pub(crate) struct IceWatch {
    pub(crate) state: Option<IceState>,
    /// When the current recovery began; `None` while healthy.
    pub(crate) recovering_since: Option<Instant>,
    pub(crate) attempts: u32,
    /// A restart is wanted but has to wait (no flow, or another negotiation).
    pub(crate) restart_pending: bool,
}

/// The media watchdog's bookkeeping of one call (the policy is in `watchdog.rs`).
#[derive(Debug, Clone, Default)]
pub(crate) struct MediaWatch {
    /// Sampling runs (the call is confirmed and the watchdog is on).
    pub(crate) sampling: bool,
    /// A sample came: the driver reports media, so recovery ends on packets, not on
    /// ICE states alone.
    pub(crate) engaged: bool,
    /// When the call was confirmed (the answer or its ACK).
    pub(crate) up_since: Option<Instant>,
    /// Inbound audio flowed at least once.
    pub(crate) started: bool,
    /// Inbound packets in the previous sample.
    pub(crate) packets: u64,
    /// When inbound packets last rose (or silence stopped counting: hold, recovery).
    pub(crate) last_rise: Option<Instant>,
    /// The trouble being recovered from, and when media was found missing.
    pub(crate) trouble: Option<(super::media_types::MediaLoss, Instant)>,
    /// Restarts of this recovery, and when the last one began.
    pub(crate) restarts: u32,
    pub(crate) restart_at: Option<Instant>,
    /// The call gathers relay candidates only (from the start behind a symmetric NAT, or
    /// escalated; stays for the call).
    pub(crate) relay_only: bool,
    /// DTLS was connected over a selected pair with a relay local candidate (the relay
    /// was tried and carried the session).
    pub(crate) relay_seen: bool,
    /// The last sample, with the per-URL outcomes merged across samples.
    pub(crate) evidence: super::media_types::MediaSample,
}

/// One call.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) id: CallId,
    pub(crate) phase: Phase,
    pub(crate) dialog: Option<Dialog>,
    /// Outgoing: the Call-ID, our From (with tag) and the target.
    pub(crate) call_id: String,
    pub(crate) local_header: String,
    pub(crate) local_tag: String,
    pub(crate) target: String,
    pub(crate) video: bool,
    pub(crate) extra_headers: Vec<(String, String)>,
    pub(crate) invite: Option<OutInvite>,
    /// What the call still owes once it is over (`Ending::None` while it is live).
    pub(crate) ending: Ending,
    /// Incoming: the transaction of the INVITE we answer.
    pub(crate) server_invite: Option<InviteServer>,
    /// The server transaction of the last re-INVITE the peer sent in this dialog.
    pub(crate) server_reinvite: Option<InviteServer>,
    pub(crate) awaiting: Awaiting,
    pub(crate) local_sdp: Option<String>,
    pub(crate) gather_started: Option<Instant>,
    pub(crate) reinvite: Option<OutInvite>,
    /// Our 2xx to an INVITE or re-INVITE, retransmitted until its ACK.
    pub(crate) ok_retransmit: Option<Accepted2xx>,
    pub(crate) hold: HoldState,
    pub(crate) muted: bool,
    pub(crate) session: Option<SessionTimer>,
    pub(crate) peer_allows_update: bool,
    pub(crate) dtmf_queue: VecDeque<QueuedDigit>,
    pub(crate) dtmf_in_flight: bool,
    /// The gap (ms) to wait after the digit in flight; `Some` until it has passed.
    pub(crate) dtmf_gap: Option<u32>,
    /// Extra headers for the next re-INVITE we send (hold, resume), checked.
    pub(crate) reinvite_headers: Vec<(String, String)>,
    /// Extra headers (and `Reason`) for the BYE or CANCEL that ends the call, checked.
    pub(crate) end_headers: Vec<(String, String)>,
    /// Extra headers for the 200 answering the INVITE, checked.
    pub(crate) answer_headers: Vec<(String, String)>,
    /// An incoming REFER waiting for the application (raw request).
    pub(crate) refer_in: Option<Vec<u8>>,
    /// This call was made for a REFER received in that call: report progress there.
    pub(crate) referred_by: Option<CallId>,
    /// A REFER we sent whose outcome is not known yet.
    pub(crate) transfer_out: Option<TransferOut>,
    /// Incoming: this call replaces that one (RFC 3891), which ends once this connects.
    pub(crate) replacing: Option<CallId>,
    pub(crate) glare_reason: Option<ReinviteReason>,
    /// ICE recovery.
    pub(crate) ice: IceWatch,
    /// The media watchdog.
    pub(crate) watch: MediaWatch,
}

impl Call {
    pub(crate) fn new(id: CallId, outgoing: bool) -> Self {
        Call {
            id,
            phase: if outgoing {
                Phase::Offering
            } else {
                Phase::Ringing
            },
            dialog: None,
            call_id: String::new(),
            local_header: String::new(),
            local_tag: String::new(),
            target: String::new(),
            video: false,
            extra_headers: Vec::new(),
            invite: None,
            ending: Ending::None,
            server_invite: None,
            server_reinvite: None,
            awaiting: Awaiting::Nothing,
            local_sdp: None,
            gather_started: None,
            reinvite: None,
            ok_retransmit: None,
            hold: HoldState::default(),
            muted: false,
            session: None,
            peer_allows_update: false,
            dtmf_queue: VecDeque::new(),
            dtmf_in_flight: false,
            dtmf_gap: None,
            reinvite_headers: Vec::new(),
            answer_headers: Vec::new(),
            end_headers: Vec::new(),
            refer_in: None,
            referred_by: None,
            transfer_out: None,
            replacing: None,
            glare_reason: None,
            ice: Default::default(),
            watch: Default::default(),
        }
    }

    pub(crate) fn set_timer(&self, timer: CallTimer, at: Instant, io: &mut Io<'_>) {
        io.timers.set(TimerKey::Call(self.id, timer), at);
    }

    /// The timers of our 2xx's retransmission: the next one, and the give-up.
    pub(crate) fn ok_timers(&self) -> (TimerKey, TimerKey) {
        (
            TimerKey::Call(self.id, CallTimer::OkRetransmit),
            TimerKey::Call(self.id, CallTimer::AckTimeout),
        )
    }

    pub(crate) fn cancel_timer(&self, timer: CallTimer, io: &mut Io<'_>) {
        io.timers.cancel(TimerKey::Call(self.id, timer));
    }

    pub(crate) fn emit(&self, event: CallEvent, io: &mut Io<'_>) {
        io.out.push_back(Output::Event(Event::Call {
            call: self.id,
            event,
        }));
    }

    pub(crate) fn media(&self, action: MediaAction, io: &mut Io<'_>) {
        io.out.push_back(Output::Media {
            call: self.id,
            action,
        });
    }

    /// Asks the driver for an offer in `direction` (no ICE restart; video as the call has).
    pub(crate) fn ask_offer(&self, direction: Direction, io: &mut Io<'_>) {
        let video = self.video;
        let action = MediaAction::CreateOffer {
            direction,
            ice_restart: false,
            video,
        };
        self.media(action, io);
    }

    /// Asks the driver for the answer to the far end's `body` (an SDP offer).
    pub(crate) fn ask_answer(&self, body: &[u8], direction: Direction, io: &mut Io<'_>) {
        let offer = String::from_utf8_lossy(body).into_owned();
        let video = self.video;
        let action = MediaAction::CreateAnswer {
            offer,
            direction,
            video,
        };
        self.media(action, io);
    }

    /// Makes the call relay-only before its first offer or answer (a symmetric NAT is
    /// known: see `core::prewarm`); the watchdog then has no relay step left to try.
    pub(crate) fn start_relay_only(&mut self, io: &mut Io<'_>) {
        self.watch.relay_only = true;
        io.log(LogLevel::Info, || {
            format!(
                "call {}: relay-only from the start (symmetric NAT)",
                self.id.0
            )
        });
        self.media(MediaAction::RelayOnly, io);
    }

    pub(crate) fn is_over(&self) -> bool {
        self.phase == Phase::Terminated
    }

    /// Over and owing nothing more: can be forgotten.
    pub(crate) fn is_gone(&self) -> bool {
        self.phase == Phase::Terminated && self.ending == Ending::None
    }

    /// Over for the application but still owing the far end a message.
    pub(crate) fn is_lingering(&self) -> bool {
        self.ending != Ending::None
    }

    /// What the call owed is done (or can no longer be done): it may be forgotten.
    pub(crate) fn settle(&mut self) {
        self.ending = Ending::None;
    }

    /// Ends an outgoing call before its answer: the CANCEL goes now if a provisional
    /// response came, else with the first one; the call stays (up to `linger`) to ACK
    /// the 487, or to BYE a 200 that crosses the CANCEL.
    pub(crate) fn end_by_cancel(&mut self, cause: EndCause, linger: Duration, io: &mut Io<'_>) {
        let ending = if self.send_cancel(io) {
            Ending::Cancelled
        } else {
            Ending::CancelPending
        };
        self.end(cause, io);
        self.ending = ending;
        // Timer B again, for the final response the CANCEL asks for.
        match &self.invite {
            Some(invite) => invite.tx.cancelled(linger, io),
            None => self.set_timer(CallTimer::InviteTimeout, io.now + linger, io),
        }
    }

    /// Ends an incoming call whose 2xx waits for its ACK: the BYE goes after the ACK
    /// (RFC 3261 section 15), or when `linger` runs out without one.
    pub(crate) fn end_before_ack(&mut self, cause: EndCause, linger: Duration, io: &mut Io<'_>) {
        self.end(cause, io);
        self.ending = Ending::ByeAfterAck;
        self.set_timer(CallTimer::AckTimeout, io.now + linger, io);
    }

    /// A BYE is owed in this call's dialog but there is no flow: it goes once
    /// signalling is back, and the call stays until then.
    pub(crate) fn owe_bye(&mut self) {
        if self.dialog.is_some() {
            self.ending = Ending::ByeOnFlow;
        }
    }

    /// The BYE that waited for a flow went: the call stays only while its re-INVITE
    /// still waits for the final response it must ACK (its Timer B bounds that).
    pub(crate) fn bye_sent_on_flow(&mut self) {
        self.ending = if self.reinvite.is_some() {
            Ending::ReinviteOut
        } else {
            Ending::None
        };
    }

    /// A provisional response came while a CANCEL waited for one: sends it.
    pub(crate) fn cancel_on_provisional(&mut self, io: &mut Io<'_>) {
        if self.ending == Ending::CancelPending && self.send_cancel(io) {
            self.ending = Ending::Cancelled;
        }
    }

    /// Ends the call: media closed, every timer of it disarmed, the app told why.
    pub(crate) fn end(&mut self, cause: EndCause, io: &mut Io<'_>) {
        if self.phase == Phase::Terminated {
            return;
        }
        self.phase = Phase::Terminated;
        io.timers.cancel_call(self.id);
        if self.reinvite.is_some() {
            // Our re-INVITE is still out: stay to ACK its final response (unless a BYE
            // is owed already, which keeps the call anyway).
            if self.ending == Ending::None {
                self.ending = Ending::ReinviteOut;
            }
            self.set_timer(CallTimer::ReinviteTimeout, io.now + T1 * 64, io);
        }
        io.log(LogLevel::Info, || {
            format!("call {} ended: {}", self.id.0, cause.log_text())
        });
        self.media(MediaAction::Close, io);
        self.emit(CallEvent::Ended(cause), io);
    }
}

/// The cause for a final failure response to our INVITE.
pub(crate) fn cause_for(status: u16, reason: &str) -> EndCause {
    match status {
        486 | 600 => EndCause::Busy,
        603 => EndCause::Declined,
        487 => EndCause::Cancelled,
        408 | 480 => EndCause::NoAnswer,
        _ => EndCause::Failed {
            status,
            reason: reason.to_string(),
        },
    }
}
