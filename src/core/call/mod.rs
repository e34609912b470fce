//! Calls: INVITE transactions, dialogs, offer/answer with the browser's peer
//! connection, and every control a phone needs (hold, mute, DTMF, transfer,
//! session timers, glare).
//!
//! The core decides; the driver runs the RTCPeerConnection. A call asks for media
//! work with [`MediaAction`]s and gets the results back as
//! `Input::LocalDescription` (every update while ICE candidates are gathered) or
//! `Input::MediaFailed`. An offer or answer is sent as soon as its candidates are
//! good enough: a relay candidate when TURN is configured, a server-reflexive one
//! with only STUN, host candidates otherwise, or when gathering completes, or when
//! the gathering deadline passes, whichever comes first. Waiting for gathering to
//! complete is what makes other stacks take 10-40 s when a TURN server is dead.
//!
//! Indexing: every `self.calls[i]` in this module uses an `i` found during the same
//! input (by `index` or `position`). Calls are only removed by `reap`, which the user
//! agent runs after the input, and new calls are pushed at the end, so an `i` found
//! earlier in the input still points at the same call and the indexing cannot fail.

mod details;
pub(crate) mod dialog;
mod dtmf;
mod ending;
mod ice;
mod in_dialog;
mod incoming;
pub(crate) mod media_types;
mod outgoing;
mod reinvite;
mod replaces;
mod session_timer;
mod state;
pub(crate) mod target;
mod transfer;
pub(crate) mod types;
mod watchdog;

use std::time::Duration;

pub use media_types::{
    AudioLevel, CandidateKind, DtlsState, MediaLoss, MediaSample, NoMedia, NoMediaWhy,
    ServerOutcome, ServerStatus,
};
pub use types::{
    AnswerOptions, CallError, CallEvent, CallId, CallOptions, DtmfMode, DtmfOptions, EndCause,
    HoldState, IceState, Identity, IdentitySource, IncomingDetails, MediaAction,
};

use self::state::{Awaiting, Call, Phase};
use crate::core::io::Io;
use crate::core::prewarm::Prewarm;
use crate::core::sdp::SdpSummary;
use crate::core::timer::CallTimer;
use crate::core::transaction::Sender;

/// Call policy taken from the configuration.
#[derive(Debug, Clone)]
pub(crate) struct CallSettings {
    pub(crate) session_expires: u32,
    pub(crate) min_se: u32,
    pub(crate) no_answer_timeout: Duration,
    pub(crate) gather_timeout: Duration,
    pub(crate) has_turn: bool,
    pub(crate) has_stun: bool,
    pub(crate) invite_timeout: Duration,
    pub(crate) domain: String,
    /// Our Contact URI, for responses that need one.
    pub(crate) contact: String,
    /// How long ICE may stay `disconnected` before a restart.
    pub(crate) ice_grace: Duration,
    /// How long a call may try to recover its media before it ends.
    pub(crate) ice_recovery_limit: Duration,
    /// Pre-warming is configured (and there are STUN/TURN servers).
    pub(crate) prewarm: bool,
    /// The media watchdog's timings.
    pub(crate) watchdog: crate::core::WatchdogConfig,
    /// The content types of INFO the application takes (lower case); empty takes any.
    pub(crate) info_accept: Vec<String>,
}

impl CallSettings {
    /// Whether an incoming INFO of `media_type` (lower case) is taken.
    pub(crate) fn info_accepts(&self, media_type: &str) -> bool {
        self.info_accept.is_empty() || self.info_accept.iter().any(|t| t == media_type)
    }
}

/// Every call of the user agent.
#[derive(Debug, Clone)]
pub(crate) struct Calls {
    calls: Vec<Call>,
    next_id: u64,
    pub(crate) settings: CallSettings,
    /// A flow is up and registered: in-dialog requests can be sent.
    pub(crate) signalling_ready: bool,
    /// The idle peer connection the next audio call adopts.
    pub(crate) prewarm: Prewarm,
}

impl Calls {
    pub(crate) fn new(settings: CallSettings) -> Self {
        Calls {
            calls: Vec::new(),
            next_id: 0,
            prewarm: Prewarm::new(settings.prewarm, settings.has_turn),
            settings,
            signalling_ready: false,
        }
    }

    fn new_id(&mut self) -> CallId {
        self.next_id += 1;
        CallId(self.next_id)
    }

    fn get(&mut self, id: CallId) -> Result<&mut Call, CallError> {
        self.calls
            .iter_mut()
            .find(|c| c.id == id && !c.is_over())
            .ok_or(CallError::NoSuchCall)
    }

    fn index(&self, id: CallId) -> Option<usize> {
        self.calls.iter().position(|c| c.id == id)
    }

    /// Drops calls that are over.
    /// Drops calls that are over and owe nothing more. A call's timers are disarmed
    /// when it ends and when what it owed is done, so none may outlive it: checked in
    /// debug builds (and the fuzzer), and disarmed regardless in release ones.
    /// When the last call is gone, pre-warming may warm again for the next one.
    pub(crate) fn reap(&mut self, io: &mut Io<'_>) {
        for call in self.calls.iter().filter(|c| c.is_gone()) {
            debug_assert!(
                !io.timers.any_of_call(call.id),
                "a timer outlived call {}: {:?}",
                call.id.0,
                io.timers
            );
            io.timers.cancel_call(call.id);
        }
        self.calls.retain(|c| !c.is_gone());
        if self.calls.is_empty() {
            self.prewarm.calls_gone(io);
        }
    }

    /// The ids of live calls.
    pub(crate) fn ids(&self) -> Vec<CallId> {
        self.calls
            .iter()
            .filter(|c| !c.is_over())
            .map(|c| c.id)
            .collect()
    }

    /// Whether the candidates in `sdp` are good enough to send it now.
    fn candidates_ready(&self, sdp: &str, complete: bool) -> bool {
        if complete {
            return true;
        }
        let c = SdpSummary::read(sdp).candidates;
        if self.settings.has_turn {
            c.relay
        } else if self.settings.has_stun {
            c.srflx || c.relay
        } else {
            c.host || c.srflx || c.relay
        }
    }

    /// The browser reported the local description (again, with more candidates).
    pub(crate) fn on_local_description(
        &mut self,
        id: CallId,
        sdp: &str,
        complete: bool,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let ready = self.candidates_ready(sdp, complete);
        self.prewarm.local_candidates(sdp, io);
        let gather_timeout = self.settings.gather_timeout;
        let Some(i) = self.index(id) else {
            return;
        };
        let call = &mut self.calls[i];
        if call.is_over() || call.awaiting == Awaiting::Nothing {
            call.local_sdp = Some(sdp.to_string());
            return;
        }
        call.local_sdp = Some(sdp.to_string());
        if !ready {
            if call.gather_started.is_none() {
                call.gather_started = Some(io.now);
                call.set_timer(CallTimer::Gather, io.now + gather_timeout, io);
            }
            return;
        }
        self.send_local_description(i, io, s);
    }

    /// The gathering deadline passed: send what we have.
    pub(crate) fn on_gather_deadline(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        if self.calls[i].local_sdp.is_some() && self.calls[i].awaiting != Awaiting::Nothing {
            io.log(crate::core::LogLevel::Info, || {
                "ICE gathering deadline: sending the candidates gathered so far".into()
            });
            self.send_local_description(i, io, s);
        }
    }

    /// The local description is ready: it goes where it was awaited.
    fn send_local_description(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let call = &mut self.calls[i];
        call.gather_started = None;
        call.cancel_timer(CallTimer::Gather, io);
        let awaiting = std::mem::replace(&mut call.awaiting, Awaiting::Nothing);
        let sdp = call.local_sdp.clone().unwrap_or_default();
        match awaiting {
            Awaiting::Nothing => {}
            Awaiting::InviteOffer => self.send_invite(i, sdp, io, s),
            Awaiting::InviteAnswer | Awaiting::OfferIn200 => {
                let offer_in_200 = awaiting == Awaiting::OfferIn200;
                self.send_answer_200(i, sdp, offer_in_200, io, s);
            }
            Awaiting::ReinviteOffer(reason) => self.send_reinvite(i, reason, sdp, io, s),
            Awaiting::ReinviteAnswer { request } => {
                self.answer_reinvite(i, &request, sdp, false, io, s)
            }
            Awaiting::ReinviteOfferIn200 { request } => {
                self.answer_reinvite(i, &request, sdp, true, io, s)
            }
        }
    }

    /// The browser could not do what a media action asked (no microphone, bad SDP).
    pub(crate) fn on_media_failed(
        &mut self,
        id: CallId,
        reason: &str,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let Some(i) = self.index(id) else {
            return;
        };
        let cause = EndCause::MediaFailure {
            reason: reason.to_string(),
        };
        match self.calls[i].phase {
            Phase::Offering => self.calls[i].end(cause, io),
            Phase::Inviting | Phase::Early { .. } => {
                // The call goes at once: a CANCEL that cannot go yet never will.
                self.calls[i].send_cancel(io);
                self.calls[i].end(cause, io);
            }
            Phase::Ringing | Phase::Answering => {
                self.respond_invite(i, 488, "Not Acceptable Here", io);
                self.calls[i].end(cause, io);
            }
            Phase::AwaitingAck | Phase::Confirmed => {
                let awaiting = std::mem::replace(&mut self.calls[i].awaiting, Awaiting::Nothing);
                match awaiting {
                    Awaiting::ReinviteAnswer { request }
                    | Awaiting::ReinviteOfferIn200 { request } => {
                        // A re-offer we cannot take: refuse it, keep the call.
                        self.respond_in_dialog(i, &request, 488, "Not Acceptable Here", &[], io);
                    }
                    Awaiting::ReinviteOffer(_) => {}
                    _ => {
                        self.send_bye(i, io, s);
                        self.calls[i].end(cause, io);
                    }
                }
            }
            Phase::Terminated => {}
        }
    }

    /// Mutes or unmutes the local audio (no signalling).
    pub(crate) fn set_muted(
        &mut self,
        id: CallId,
        muted: bool,
        io: &mut Io<'_>,
    ) -> Result<(), CallError> {
        let call = self.get(id)?;
        if call.muted != muted {
            call.muted = muted;
            call.media(MediaAction::Mute(muted), io);
            call.emit(CallEvent::Muted(muted), io);
        }
        Ok(())
    }

    /// The flow to the server is gone. Calls not yet established cannot finish
    /// their INVITE transaction: they fail. Established calls stay; their media does
    /// not depend on the signalling connection.
    pub(crate) fn flow_lost(&mut self, io: &mut Io<'_>) {
        self.signalling_ready = false;
        for call in &mut self.calls {
            if let Some(invite) = call.reinvite.take() {
                // Its transaction cannot finish without the flow: offer again later.
                call.cancel_timer(CallTimer::ReinviteTimeout, io);
                if call.is_over() {
                    // It only stayed to ACK that re-INVITE's answer, which cannot come now;
                    // its media is closed already.
                    call.settle();
                    continue;
                }
                if !invite.reason.is_some_and(state::ReinviteReason::reuses_sdp) {
                    call.media(MediaAction::Rollback, io);
                }
                if invite.reason == Some(state::ReinviteReason::IceRestart)
                    || call.ice.recovering_since.is_some()
                {
                    call.ice.restart_pending = true;
                }
            }
            if matches!(call.phase, Phase::Inviting | Phase::Early { .. }) {
                call.end(
                    EndCause::Failed {
                        status: 503,
                        reason: "Connection to the server lost".into(),
                    },
                    io,
                );
            }
        }
    }

    /// A timer of call `id` fired.
    pub(crate) fn on_timer(
        &mut self,
        timer: CallTimer,
        id: CallId,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        use CallTimer as T;
        let Some(i) = self.index(id) else {
            return;
        };
        if self.calls[i].is_gone() {
            return;
        }
        // An ended call keeps only the timers of what it still owes (an ACK, a BYE).
        if self.calls[i].is_over()
            && !matches!(timer, T::InviteTimeout | T::ReinviteTimeout | T::AckTimeout)
        {
            return;
        }
        match timer {
            T::Gather => self.on_gather_deadline(i, io, s),
            T::InviteTimeout => self.on_invite_timeout(i, io),
            T::ReinviteTimeout => self.on_reinvite_timeout(i, io, s),
            T::OkRetransmit => self.retransmit_ok(i, io),
            T::AckTimeout => self.on_ack_timeout(i, io, s),
            T::NoAnswer => {
                self.respond_invite(i, 480, "Temporarily Unavailable", io);
                self.calls[i].end(EndCause::NoAnswer, io);
            }
            T::GlareRetry => self.on_glare_retry(i, io),
            T::SessionRefresh => self.refresh_session(i, io, s),
            T::SessionExpire => {
                self.send_bye(i, io, s);
                self.calls[i].end(EndCause::SessionExpired, io);
            }
            T::IceGrace | T::IceRetry => self.restart_ice(i, io, s),
            T::IceGiveUp => self.ice_give_up(i, io, s),
            T::MediaSample => self.on_sample_timer(i, io),
            T::DtmfGap => self.on_dtmf_gap(i, io, s),
            T::ReferTimeout => {
                if let Some(request) = self.calls[i].refer_in.take() {
                    self.respond_raw(&request, 603, "Declined", &[], io);
                }
            }
            T::TransferTimeout => self.transfer_timed_out(i, io),
        }
    }
}
