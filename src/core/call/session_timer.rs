//! Session timers (RFC 4028), which many Asterisk setups require. The refresher
//! re-offers at half the interval (UPDATE when the peer allows it, else a
//! re-INVITE with the current SDP); the other side ends the call with BYE if no
//! refresh comes by `interval - min(32, interval / 3)`.

use std::time::Duration;

use super::state::{Awaiting, ReinviteReason, SessionTimer};
use super::types::EndCause;
use super::Calls;
use crate::core::io::Io;
use crate::core::timer::CallTimer;
use crate::core::transaction::InDialog;
use crate::core::transaction::Sender;
use crate::core::LogLevel;
use crate::sip::Message;

impl Calls {
    /// Takes the session timer our INVITE's 2xx granted.
    pub(crate) fn start_session_timer_uac(&mut self, i: usize, ok: &Message<'_>, io: &mut Io<'_>) {
        if self.settings.session_expires == 0 {
            return;
        }
        if let Some(session) = granted_to_us(ok) {
            self.calls[i].session = Some(session);
            self.arm_session(i, io);
        }
    }

    /// The Session-Expires of our 200 to an INVITE, and whether to Require timer.
    pub(crate) fn session_header_uas(
        &mut self,
        i: usize,
        invite: &Message<'_>,
    ) -> Option<(String, bool)> {
        if self.settings.session_expires == 0 {
            return None;
        }
        let se = invite.session_expires()?;
        let uac_supports = invite
            .supported()
            .iter()
            .any(|t| t.eq_ignore_ascii_case("timer"));
        let refresher = match se.refresher {
            Some(r) if r.eq_ignore_ascii_case("uas") => "uas",
            Some(_) => "uac",
            None if uac_supports => "uac",
            None => "uas",
        };
        self.calls[i].session = Some(SessionTimer {
            interval: se.seconds.max(1),
            we_refresh: refresher == "uas",
            give_up_at: None,
            refusals: 0,
        });
        Some((
            format!("{};refresher={refresher}", se.seconds),
            uac_supports,
        ))
    }

    /// Arms the refresh (if we refresh) or the expiry (if the peer does).
    pub(crate) fn arm_session(&mut self, i: usize, io: &mut Io<'_>) {
        let call = &self.calls[i];
        call.cancel_timer(CallTimer::SessionRefresh, io);
        call.cancel_timer(CallTimer::SessionExpire, io);
        let Some(session) = call.session else {
            return;
        };
        let interval = u64::from(session.interval) * 1000;
        if session.we_refresh {
            call.set_timer(
                CallTimer::SessionRefresh,
                io.now + Duration::from_millis(interval / 2),
                io,
            );
        } else {
            let margin = (interval / 3).min(32_000);
            call.set_timer(
                CallTimer::SessionExpire,
                io.now + Duration::from_millis(interval - margin),
                io,
            );
        }
    }

    /// The peer refreshed the session with a re-INVITE or UPDATE: returns the
    /// Session-Expires value for our 200.
    pub(crate) fn session_refreshed_by_peer(
        &mut self,
        i: usize,
        request: &Message<'_>,
        io: &mut Io<'_>,
    ) -> Option<String> {
        let se = request.session_expires();
        let call = &mut self.calls[i];
        if let Some(se) = &se {
            // refresher=uac names the sender of this request: the peer.
            let peer_refreshes = !se.refresher.is_some_and(|r| r.eq_ignore_ascii_case("uas"));
            call.session = Some(SessionTimer {
                interval: se.seconds.max(1),
                we_refresh: !peer_refreshes,
                give_up_at: None,
                refusals: 0,
            });
        }
        let value = call.session.map(|s| {
            let refresher = if s.we_refresh { "uas" } else { "uac" };
            format!("{};refresher={refresher}", s.interval)
        });
        self.arm_session(i, io);
        value
    }

    /// Our refresh (or re-INVITE) was answered with a 2xx.
    pub(crate) fn session_refreshed_by_us(&mut self, i: usize, ok: &Message<'_>, io: &mut Io<'_>) {
        if let Some(session) = granted_to_us(ok) {
            self.calls[i].session = Some(session);
        } else if let Some(session) = &mut self.calls[i].session {
            session.give_up_at = None;
            session.refusals = 0;
        }
        self.arm_session(i, io);
    }

    /// Our session refresh was refused with `status` (or got no answer: 408). Letting
    /// the session run out would have the peer hang up at expiry with nothing said to
    /// the user, and one refusal does not mean the next will be (a proxy restarted, a
    /// flow replaced under the dialog), so the refresh is tried again by re-INVITE: at
    /// once, then after 2, 4, 8 ... 64 s (or the answer's `Retry-After`, when it fits),
    /// for as long as the session lasts. When a refresh is refused at the last moment
    /// (2 s before the peer would hang up: RFC 4028 section 10, the expiry less a third
    /// of the interval or 32 s, whichever is less), the call ends with
    /// [`EndCause::SessionRefreshFailed`].
    pub(crate) fn session_refresh_refused(
        &mut self,
        i: usize,
        status: u16,
        reason: &str,
        answer: Option<&Message<'_>>,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let call = &mut self.calls[i];
        if call.is_over() {
            return;
        }
        let Some(session) = &mut call.session else {
            return;
        };
        let interval_ms = u64::from(session.interval) * 1000;
        let give_up_at = *session.give_up_at.get_or_insert_with(|| {
            // We refresh at half the interval; the peer hangs up at the expiry less the
            // margin. Our last try comes 2 s before that, so that the app is told why.
            let margin = (interval_ms / 3).min(32_000) + 2_000;
            io.now + Duration::from_millis((interval_ms / 2).saturating_sub(margin))
        });
        if io.now >= give_up_at {
            io.log(LogLevel::Warn, || {
                format!(
                    "session refresh refused ({status}) {} times, and the session is about to expire: ending the call",
                    session.refusals + 1
                )
            });
            self.send_bye(i, io, s);
            self.calls[i].end(
                EndCause::SessionRefreshFailed {
                    status,
                    reason: reason.to_string(),
                },
                io,
            );
            return;
        }
        let backoff_ms = match session.refusals {
            0 => 0,
            n => 1000u64 << n.min(6),
        };
        session.refusals += 1;
        let left_ms = (give_up_at - io.now).as_millis() as u64;
        let retry_ms = answer
            .and_then(Message::retry_after)
            .map(|ra| u64::from(ra.seconds) * 1000)
            .filter(|ms| *ms < left_ms)
            .unwrap_or(backoff_ms)
            .min(left_ms);
        io.log(LogLevel::Warn, || {
            format!(
                "session refresh refused ({status}): trying again by re-INVITE in {} ms ({} s left)",
                retry_ms,
                left_ms / 1000
            )
        });
        call.set_timer(
            CallTimer::SessionRefresh,
            io.now + Duration::from_millis(retry_ms),
            io,
        );
    }

    /// Time to refresh: UPDATE without SDP if the peer allows it, else a re-INVITE.
    pub(crate) fn refresh_session(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let call = &self.calls[i];
        let Some(session) = call.session else {
            return;
        };
        if call.reinvite.is_some() || call.awaiting != Awaiting::Nothing {
            // A negotiation is under way and refreshes the session itself; look again soon.
            call.set_timer(
                CallTimer::SessionRefresh,
                io.now + Duration::from_secs(2),
                io,
            );
            return;
        }
        if call.peer_allows_update && session.give_up_at.is_none() {
            let value = format!("{};refresher=uac", session.interval);
            let _ = self.send_in_dialog(
                i,
                InDialog::Update,
                &[("Session-Expires", &value)],
                None,
                io,
                s,
            );
            // Re-armed when the 2xx comes; if it never does, the transaction fails the call.
        } else if let Some(sdp) = call.local_sdp.clone() {
            self.send_reinvite(i, ReinviteReason::SessionRefresh, sdp, io, s);
        }
    }
}

/// The session timer a 2xx to our INVITE or refresh grants (its Session-Expires): we
/// refresh unless it names the UAS.
fn granted_to_us(ok: &Message<'_>) -> Option<SessionTimer> {
    let se = ok.session_expires()?;
    Some(SessionTimer {
        interval: se.seconds.max(1),
        we_refresh: !se.refresher.is_some_and(|r| r.eq_ignore_ascii_case("uas")),
        give_up_at: None,
        refusals: 0,
    })
}
