//! Keeping a call through network trouble (the policy; the browser does the ICE).
//!
//! When a call's ICE connection is `disconnected` for longer than a grace period
//! (2 s by default) or `failed`, or when the network changed under it (an `online`
//! event, a new WebSocket flow), the call re-INVITEs with an ICE-restart offer. The
//! call shows `Reconnecting`, and `Connected` again once ICE is back. Failed or
//! unanswered restarts are retried with backoff (1, 2, 4 ... 8 s); only after the
//! recovery limit (30 s by default) does the call end with a media failure. Other
//! stacks end the call at the first ICE failure ("408 RTP Timeout").
//!
//! A restart needs signalling: while there is no flow, it waits for the flow to
//! come back and the registration to be renewed; the re-INVITE then also tells the
//! far end our new route. After a new flow every call re-INVITEs for that reason:
//! with an ICE restart if its media is in trouble, else with the same SDP (a pure
//! target refresh).

use std::time::Duration;

use super::state::{Awaiting, Ending, Phase, ReinviteReason};
use super::types::{CallEvent, CallId, EndCause, IceState, MediaAction};
use super::Calls;
use crate::core::io::Io;
use crate::core::timer::CallTimer;
use crate::core::transaction::Sender;
use crate::core::LogLevel;

impl Calls {
    /// The browser reported the call's ICE connection state.
    pub(crate) fn on_ice_state(
        &mut self,
        id: CallId,
        state: IceState,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let grace = self.settings.ice_grace;
        let Some(i) = self.index(id) else {
            return;
        };
        let call = &mut self.calls[i];
        if call.is_over() {
            return;
        }
        call.ice.state = Some(state);
        match state {
            IceState::Connected | IceState::Completed => {
                call.cancel_timer(CallTimer::IceGrace, io);
                call.cancel_timer(CallTimer::IceRetry, io);
                if call.watch.engaged {
                    // The media watchdog has samples: recovery ends when inbound audio
                    // flows again, not on ICE alone (DTLS may still be stuck).
                    return;
                }
                if call.ice.recovering_since.take().is_some() {
                    call.cancel_timer(CallTimer::IceGiveUp, io);
                    call.ice.attempts = 0;
                    call.ice.restart_pending = false;
                    io.log(LogLevel::Info, || format!("call {}: media restored", id.0));
                    if call.phase == Phase::Confirmed {
                        call.emit(CallEvent::Connected, io);
                    }
                }
            }
            IceState::Disconnected => {
                if call.phase == Phase::Confirmed {
                    call.set_timer(CallTimer::IceGrace, io.now + grace, io);
                }
            }
            IceState::Failed => {
                call.cancel_timer(CallTimer::IceGrace, io);
                self.restart_ice(i, io, s);
            }
            IceState::New | IceState::Checking | IceState::Closed => {}
        }
    }

    /// Starts (or retries) an ICE restart of call `i`.
    pub(crate) fn restart_ice(&mut self, i: usize, io: &mut Io<'_>, _s: &mut Sender<'_>) {
        let limit = self.settings.ice_recovery_limit;
        let call = &mut self.calls[i];
        if call.is_over() || call.phase != Phase::Confirmed {
            return;
        }
        if call.ice.recovering_since.is_none() {
            call.ice.recovering_since = Some(io.now);
            call.set_timer(CallTimer::IceGiveUp, io.now + limit, io);
            call.emit(CallEvent::Reconnecting, io);
        }
        if io.flow.is_none()
            || !self.signalling_ready
            || call.reinvite.is_some()
            || call.awaiting != Awaiting::Nothing
        {
            call.ice.restart_pending = true;
            return;
        }
        call.ice.restart_pending = false;
        call.ice.attempts += 1;
        let direction = if call.hold.local {
            crate::core::Direction::SendOnly
        } else {
            crate::core::Direction::SendRecv
        };
        io.log(LogLevel::Info, || {
            format!(
                "call {}: ICE restart, attempt {}",
                call.id.0, call.ice.attempts
            )
        });
        call.awaiting = Awaiting::ReinviteOffer(ReinviteReason::IceRestart);
        call.media(
            MediaAction::CreateOffer {
                direction,
                ice_restart: true,
                video: call.video,
            },
            io,
        );
    }

    /// An ICE-restart re-INVITE failed or went unanswered: try again after a backoff.
    pub(crate) fn ice_restart_failed(&mut self, i: usize, io: &mut Io<'_>) {
        let call = &mut self.calls[i];
        if call.ice.recovering_since.is_none() || call.is_over() {
            return;
        }
        let exp = call.ice.attempts.saturating_sub(1).min(3);
        let delay = Duration::from_secs(1 << exp);
        call.set_timer(CallTimer::IceRetry, io.now + delay, io);
    }

    /// Restarts that waited for signalling, and target refreshes after a new flow.
    pub(crate) fn signalling_restored(
        &mut self,
        new_flow: bool,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        self.signalling_ready = true;
        for i in 0..self.calls.len() {
            if self.calls[i].ending == Ending::ByeOnFlow {
                self.calls[i].bye_sent_on_flow();
                self.send_bye(i, io, s);
                continue;
            }
            let call = &self.calls[i];
            if call.is_over() || call.phase != Phase::Confirmed {
                continue;
            }
            let media_trouble = call.ice.restart_pending
                || call.ice.recovering_since.is_some()
                || matches!(
                    call.ice.state,
                    Some(IceState::Disconnected | IceState::Failed)
                );
            if media_trouble {
                // The re-INVITE restarts ICE and refreshes our route at the far end.
                self.restart_ice(i, io, s);
            } else if new_flow && call.reinvite.is_none() && call.awaiting == Awaiting::Nothing {
                // Media is fine: only the route changed. The same SDP again is a
                // target refresh (RFC 3261 section 12.2), with no renegotiation.
                if let Some(sdp) = call.local_sdp.clone() {
                    self.send_reinvite(i, ReinviteReason::TargetRefresh, sdp, io, s);
                }
            }
        }
    }

    /// Recovery took too long.
    pub(crate) fn ice_give_up(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        if self.watch_engaged(i) {
            // The media watchdog has the evidence: the cause says what it shows.
            return self.watchdog_give_up(i, io, s);
        }
        let limit = self.settings.ice_recovery_limit;
        self.send_bye(i, io, s);
        self.calls[i].end(
            EndCause::MediaFailure {
                reason: format!("media not restored within {} s", limit.as_secs()),
            },
            io,
        );
    }
}
