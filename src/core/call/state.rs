//! One call's state, and the helpers every flow of it uses.

use std::collections::VecDeque;
use std::time::Duration;

use super::dialog::Dialog;
use super::types::{CallEvent, CallId, EndCause, HoldState, IceState, MediaAction};
use crate::core::io::Io;
use crate::core::output::Output;
use crate::core::timer::{CallTimer, TimerKey};
use crate::core::{Event, Instant, LogLevel};

/// RFC 3261 T1 and T2 (for the 2xx retransmissions of a UAS).
pub(crate) const T1: Duration = Duration::from_millis(500);
pub(crate) const T2: Duration = Duration::from_secs(4);

/// Where a call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Outgoing: waiting for the local offer before sending the INVITE.
    Offering,
    /// Outgoing: INVITE sent, no provisional response yet.
    Inviting,
    /// Outgoing: a provisional response came (ringing or early media).
    Early,
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

/// Our INVITE (the initial one or a re-INVITE), kept for ACK, CANCEL and retries.
#[derive(Debug, Clone)]
pub(crate) struct OutInvite {
    pub(crate) branch: String,
    pub(crate) seq: u32,
    pub(crate) request_uri: String,
    /// The To we sent (without tag, for the initial INVITE).
    pub(crate) to: String,
    pub(crate) via: String,
    pub(crate) sdp: String,
    pub(crate) auth: Vec<(&'static str, String)>,
    pub(crate) provisional: bool,
    pub(crate) auth_retried: bool,
    pub(crate) timer_retried: bool,
    pub(crate) reason: Option<ReinviteReason>,
}

/// A 2xx we retransmit until its ACK comes (RFC 3261 section 13.3.1.4).
#[derive(Debug, Clone)]
pub(crate) struct OkRetransmit {
    pub(crate) response: Vec<u8>,
    pub(crate) interval: Duration,
    pub(crate) seq: u32,
    /// The 200 carried our offer; the ACK carries the answer.
    pub(crate) offer_in_200: bool,
}

/// The negotiated session timer (RFC 4028).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SessionTimer {
    pub(crate) interval: u32,
    pub(crate) we_refresh: bool,
    /// This refresh was refused once and is being tried again by re-INVITE; a second
    /// refusal ends the call. A granted refresh makes a new `SessionTimer`.
    pub(crate) retried: bool,
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
    /// The call gathers relay candidates only (escalated; stays for the call).
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
    pub(crate) cancel_pending: bool,
    pub(crate) cancelled: bool,
    /// Incoming: the INVITE we answer.
    pub(crate) server_invite: Option<Vec<u8>>,
    pub(crate) awaiting: Awaiting,
    pub(crate) local_sdp: Option<String>,
    pub(crate) gather_started: Option<Instant>,
    pub(crate) reinvite: Option<OutInvite>,
    pub(crate) ok_retransmit: Option<OkRetransmit>,
    pub(crate) hold: HoldState,
    pub(crate) muted: bool,
    pub(crate) session: Option<SessionTimer>,
    pub(crate) peer_allows_update: bool,
    pub(crate) dtmf_queue: VecDeque<char>,
    pub(crate) dtmf_in_flight: bool,
    /// An incoming REFER waiting for the application (raw request).
    pub(crate) refer_in: Option<Vec<u8>>,
    /// This call was made for a REFER received in that call: report progress there.
    pub(crate) referred_by: Option<CallId>,
    /// A REFER we sent succeeded: end the call with `Transferred` when it is over.
    pub(crate) transferred: bool,
    pub(crate) glare_reason: Option<ReinviteReason>,
    /// Outgoing: a 180 was reported / early media was applied.
    pub(crate) ringing: bool,
    pub(crate) early_media: bool,
    /// Ended for the application, but still owed a message (ACK of a 200 that
    /// crossed our CANCEL, BYE after the ACK): removed when that is done.
    pub(crate) lingering: bool,
    pub(crate) bye_after_ack: bool,
    /// The last response to the INVITE we serve, for retransmitted INVITEs.
    pub(crate) last_response: Option<Vec<u8>>,
    /// ICE recovery.
    pub(crate) ice: IceWatch,
    /// The media watchdog.
    pub(crate) watch: MediaWatch,
    /// A BYE is owed but there is no flow: it goes when signalling is back.
    pub(crate) bye_on_flow: bool,
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
            cancel_pending: false,
            cancelled: false,
            server_invite: None,
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
            refer_in: None,
            referred_by: None,
            transferred: false,
            glare_reason: None,
            ringing: false,
            early_media: false,
            lingering: false,
            bye_after_ack: false,
            last_response: None,
            ice: Default::default(),
            watch: Default::default(),
            bye_on_flow: false,
        }
    }

    pub(crate) fn set_timer(&self, timer: CallTimer, at: Instant, io: &mut Io<'_>) {
        io.timers.set(TimerKey::Call(self.id, timer), at);
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

    pub(crate) fn is_over(&self) -> bool {
        self.phase == Phase::Terminated
    }

    /// Over and owing nothing more: can be forgotten.
    pub(crate) fn is_gone(&self) -> bool {
        self.phase == Phase::Terminated && !self.lingering
    }

    /// Ends the call: media closed, every timer of it disarmed, the app told why.
    pub(crate) fn end(&mut self, cause: EndCause, io: &mut Io<'_>) {
        if self.phase == Phase::Terminated {
            return;
        }
        let cause = if self.transferred && cause == EndCause::LocalHangup {
            EndCause::Transferred
        } else {
            cause
        };
        self.phase = Phase::Terminated;
        io.timers.cancel_call(self.id);
        if self.reinvite.is_some() {
            // Our re-INVITE is still out: stay to ACK its final response.
            self.lingering = true;
            self.set_timer(CallTimer::InviteTimeout, io.now + T1 * 64, io);
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
