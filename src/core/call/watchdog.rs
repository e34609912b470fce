//! The media watchdog: a call is judged by its media, not by ICE states alone.
//!
//! From the moment a call is confirmed (the 200 to our INVITE, or the ACK of ours),
//! the core asks the driver for a media sample every `sample_interval` (1 s)
//! (`MediaAction::SampleMedia`, answered by `Input::MediaSample`: ICE, DTLS, the
//! selected pair, packet counters, audio levels, what became of each STUN/TURN URL).
//!
//! - **Never started**: no inbound audio packet (or DTLS not `connected`)
//!   `start_timeout` (3 s) after the answer. **Lost**: inbound packets stood still for
//!   `stall_timeout` (3 s) after flowing. Neither counts while either side holds the
//!   call. Both make the call `Reconnecting` at once and start recovery.
//! - **Escalation**: an ICE restart (`ice.rs`); if audio is not back within
//!   `restart_wait` (4 s), another one, this time relay-only (`MediaAction::RelayOnly`
//!   before the restart offer) when TURN is configured, no relay path has carried DTLS
//!   yet, the call is not relay-only already and some TURN URL may work; then plain
//!   restarts again, each waiting twice as long as the one before, `restarts` (3) in all.
//!   The symmetric-NAT signature (ICE connected on a direct pair, DTLS not connected)
//!   goes relay-only at the first escalation: a plain restart only finds the same pair.
//! - **Recovered**: inbound packets rise again with DTLS connected: `Connected`. Once a
//!   sample has come, an ICE state of `connected` alone no longer ends a recovery
//!   (symmetric NAT: ICE connects, DTLS never does).
//! - **Give up**: the call ends with `EndCause::NoMedia`: never started or lost, for
//!   how long and how many restarts, the verdict drawn from the evidence and the
//!   evidence itself.

use super::media_types::{
    CandidateKind, DtlsState, MediaLoss, MediaSample, NoMedia, NoMediaWhy, ServerOutcome,
    ServerStatus,
};
use super::state::Phase;
use super::types::{CallEvent, CallId, EndCause, IceState, MediaAction};
use super::Calls;
use crate::core::io::Io;
use crate::core::timer::CallTimer;
use crate::core::transaction::Sender;
use crate::core::LogLevel;

impl Calls {
    /// The call was just confirmed: sampling starts, and silence counts from now.
    pub(crate) fn watch_start(&mut self, i: usize, io: &mut Io<'_>) {
        let cfg = self.settings.watchdog;
        let call = &mut self.calls[i];
        // Sampled even with the watchdog off: the quality warnings come from the samples.
        if call.watch.sampling || call.is_over() {
            return;
        }
        call.watch.sampling = true;
        call.watch.up_since = Some(io.now);
        call.watch.last_rise = Some(io.now);
        call.set_timer(CallTimer::MediaSample, io.now + cfg.sample_interval, io);
    }

    /// Time for the next sample: asked of the driver, and the next one armed.
    pub(crate) fn on_sample_timer(&mut self, i: usize, io: &mut Io<'_>) {
        let interval = self.settings.watchdog.sample_interval;
        let call = &mut self.calls[i];
        if call.phase != Phase::Confirmed {
            return;
        }
        call.set_timer(CallTimer::MediaSample, io.now + interval, io);
        let held = call.hold.local || call.hold.remote;
        call.media(
            MediaAction::SampleMedia {
                expect_inbound: !held,
                expect_outbound: !held && !call.muted,
            },
            io,
        );
    }

    /// The driver's reading of the call's media.
    pub(crate) fn on_media_sample(
        &mut self,
        id: CallId,
        sample: &MediaSample,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let cfg = self.settings.watchdog;
        let Some(i) = self.index(id) else {
            return;
        };
        let call = &mut self.calls[i];
        if !cfg.enabled || call.is_over() || call.phase != Phase::Confirmed {
            return;
        }
        let now = io.now;
        let w = &mut call.watch;
        w.engaged = true;
        merge_evidence(&mut w.evidence, sample);
        // A relay path counts as tried only once DTLS ran over it: while ICE restarts,
        // the relay pair may be selected for a sample or two before it falls back to
        // the direct one, and that proves nothing about the relay.
        if sample.local_candidate == Some(CandidateKind::Relay)
            && sample.dtls == Some(DtlsState::Connected)
        {
            w.relay_seen = true;
        }
        let rose = sample.packets_received > w.packets;
        w.packets = sample.packets_received;
        let dtls_ok = matches!(sample.dtls, None | Some(DtlsState::Connected));
        if rose && dtls_ok {
            w.started = true;
            w.last_rise = Some(now);
            if w.trouble.is_some() || call.ice.recovering_since.is_some() {
                self.media_restored(i, io);
            }
            return;
        }
        if call.hold.local || call.hold.remote {
            // Silence is expected on hold; it counts again from when the hold ends.
            w.last_rise = Some(now);
            return;
        }
        if let Some(since) = call.ice.recovering_since.filter(|_| w.trouble.is_none()) {
            // ICE states started this recovery (disconnected, failed, a new network):
            // the watchdog takes it over, counting that restart.
            let loss = if w.started {
                MediaLoss::Lost
            } else {
                MediaLoss::NeverStarted
            };
            w.trouble = Some((loss, since));
            w.restarts = w.restarts.max(1);
            w.restart_at = Some(since);
        }
        // Durations are judged in whole sample periods: samples come `sample_interval`
        // apart give or take the browser's timer and getStats() latency, so a wait of three
        // periods may measure 2.99 s; without the half-period slack the verdict would slip
        // by a whole sample (seen in the e2e suite: `reconnecting` 4.9 s after a cut, the
        // quality warning, judged on the stats' own timestamps, at 3.9 s).
        let slack = cfg.sample_interval / 2;
        if w.trouble.is_some() {
            let shift = w.restarts.saturating_sub(1).min(8);
            let wait = cfg.restart_wait * (1u32 << shift);
            if w.restart_at.is_some_and(|at| now + slack >= at + wait) {
                if w.restarts >= cfg.restarts {
                    return self.watchdog_give_up(i, io, s);
                }
                self.escalate(i, io, s);
            }
            return;
        }
        let since = w.last_rise.or(w.up_since).unwrap_or(now);
        let (loss, limit) = if w.started {
            (MediaLoss::Lost, cfg.stall_timeout)
        } else {
            (MediaLoss::NeverStarted, cfg.start_timeout)
        };
        if now + slack < since + limit {
            return;
        }
        w.trouble = Some((loss, now));
        w.restarts = 0;
        let ice = sample.ice.map_or("unknown", IceState::as_str);
        let dtls = sample.dtls.map_or("unknown", DtlsState::as_str);
        io.log(LogLevel::Warn, || {
            let what = match loss {
                MediaLoss::NeverStarted => "media never started",
                MediaLoss::Lost => "media stopped",
            };
            format!(
                "call {}: {what}: no inbound audio for {} ms (ICE {ice}, DTLS {dtls})",
                id.0,
                (now - since).as_millis()
            )
        });
        self.escalate(i, io, s);
    }

    /// The next step of recovery: an ICE restart, relay-only when that can help.
    fn escalate(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let has_turn = self.settings.has_turn;
        let call = &mut self.calls[i];
        let w = &mut call.watch;
        w.restarts += 1;
        w.restart_at = Some(io.now);
        // The symmetric-NAT signature does not wait for a plain restart to fail: a new
        // ICE round finds the same direct pair, and the far end keeps refusing DTLS on it.
        let direct_dead = stuck_direct(&w.evidence);
        if (w.restarts >= 2 || direct_dead)
            && has_turn
            && !w.relay_only
            && !w.relay_seen
            && !w.evidence.relay_policy
            && turn_may_work(&w.evidence.servers)
        {
            w.relay_only = true;
            io.log(LogLevel::Info, || {
                let why = if direct_dead {
                    "ICE connected on the direct path but DTLS did not: a symmetric NAT?"
                } else {
                    "the direct path carries no media"
                };
                format!("call {}: restarting ICE relay-only ({why})", call.id.0)
            });
            call.media(MediaAction::RelayOnly, io);
        }
        self.restart_ice(i, io, s);
    }

    /// Inbound audio flows again.
    fn media_restored(&mut self, i: usize, io: &mut Io<'_>) {
        let call = &mut self.calls[i];
        call.cancel_timer(CallTimer::IceGrace, io);
        call.cancel_timer(CallTimer::IceRetry, io);
        call.cancel_timer(CallTimer::IceGiveUp, io);
        let was_recovering = call.ice.recovering_since.take().is_some();
        call.ice.attempts = 0;
        call.ice.restart_pending = false;
        let w = &mut call.watch;
        let restarts = w.restarts;
        w.trouble = None;
        w.restarts = 0;
        w.restart_at = None;
        io.log(LogLevel::Info, || {
            format!(
                "call {}: inbound audio flows again after {restarts} restart(s)",
                call.id.0
            )
        });
        if was_recovering {
            call.emit(CallEvent::Connected, io);
        }
    }

    /// Recovery failed: BYE, and the end cause with the evidence.
    pub(crate) fn watchdog_give_up(&mut self, i: usize, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let cause = self.no_media_cause(i, io);
        self.send_bye(i, io, s);
        self.calls[i].end(cause, io);
    }

    /// Whether the watchdog has samples of call `i` (it then decides how recovery ends).
    pub(crate) fn watch_engaged(&self, i: usize) -> bool {
        self.calls[i].watch.engaged
    }

    fn no_media_cause(&self, i: usize, io: &Io<'_>) -> EndCause {
        let call = &self.calls[i];
        let w = &call.watch;
        let (loss, since) = w.trouble.unwrap_or_else(|| {
            let loss = if w.started {
                MediaLoss::Lost
            } else {
                MediaLoss::NeverStarted
            };
            (loss, call.ice.recovering_since.unwrap_or(io.now))
        });
        let why = verdict(&w.evidence, self.settings.has_turn);
        let tried = io.now - since;
        let restarts = w.restarts.max(call.ice.attempts);
        let mut reason = format!("{}: {}", loss_text(loss), why_text(why, &w.evidence));
        reason.push_str(&format!(
            "; {restarts} ICE restart(s){} in {} s",
            if w.relay_only {
                ", one relay-only,"
            } else {
                ""
            },
            tried.as_secs()
        ));
        EndCause::NoMedia(Box::new(NoMedia {
            loss,
            why,
            reason,
            tried,
            restarts,
            relay_only: w.relay_only,
            evidence: w.evidence.clone(),
        }))
    }
}

/// Takes `new` as the latest evidence, keeping what earlier samples knew of a URL the
/// latest one says nothing about.
fn merge_evidence(old: &mut MediaSample, new: &MediaSample) {
    let mut servers: Vec<ServerStatus> = new.servers.clone();
    for server in &mut servers {
        if server.outcome == ServerOutcome::Pending {
            if let Some(before) = old.servers.iter().find(|o| o.url == server.url) {
                server.outcome = before.outcome;
            }
        }
    }
    for before in &old.servers {
        if !servers.iter().any(|s| s.url == before.url) {
            servers.push(before.clone());
        }
    }
    *old = MediaSample {
        servers,
        ..new.clone()
    };
}

/// Some TURN URL may still give a relay (allocated, or not failed yet), or the driver
/// did not say (TURN servers fetched from `iceServersUrl` it could not name).
fn turn_may_work(servers: &[ServerStatus]) -> bool {
    let mut turn = servers.iter().filter(|s| s.is_turn()).peekable();
    turn.peek().is_none() || turn.any(|s| !s.outcome.failed())
}

/// The symmetric-NAT signature in the latest sample: ICE connected on a pair that is not
/// the relay, DTLS reported and not connected (no audio can be decrypted, whatever the
/// packet counters say).
fn stuck_direct(e: &MediaSample) -> bool {
    let ice_up = matches!(e.ice, Some(IceState::Connected | IceState::Completed));
    let dtls_down = e.dtls.is_some_and(|d| d != DtlsState::Connected);
    ice_up && dtls_down && e.local_candidate != Some(CandidateKind::Relay)
}

/// The verdict from the evidence.
fn verdict(e: &MediaSample, has_turn: bool) -> NoMediaWhy {
    let ice_up = matches!(e.ice, Some(IceState::Connected | IceState::Completed));
    if ice_up {
        return match e.dtls {
            Some(DtlsState::Connected) | None => NoMediaWhy::NoInboundPackets,
            Some(_) => NoMediaWhy::DtlsFailed,
        };
    }
    // No TURN URL gave a relay: each failed, or after the restarts of a whole recovery
    // still said nothing (Chromium never reports a TURN/TCP URL whose SYNs are dropped).
    let turn: Vec<&ServerStatus> = e.servers.iter().filter(|s| s.is_turn()).collect();
    let no_relay = turn.iter().all(|s| s.outcome != ServerOutcome::Allocated);
    if has_turn && !turn.is_empty() && no_relay {
        if turn.iter().any(|s| s.outcome == ServerOutcome::AuthFailed) {
            return NoMediaWhy::TurnAuthFailed;
        }
        return NoMediaWhy::TurnUnreachable;
    }
    NoMediaWhy::IceFailed
}

fn loss_text(loss: MediaLoss) -> &'static str {
    match loss {
        MediaLoss::NeverStarted => "media never started",
        MediaLoss::Lost => "media was lost",
    }
}

fn why_text(why: NoMediaWhy, e: &MediaSample) -> String {
    let urls = |pick: fn(ServerOutcome) -> bool| {
        let list: Vec<&str> = e
            .servers
            .iter()
            .filter(|s| s.is_turn() && pick(s.outcome))
            .map(|s| s.url.as_str())
            .collect();
        list.join(", ")
    };
    let ice = e.ice.map_or("unknown", IceState::as_str);
    match why {
        NoMediaWhy::TurnUnreachable => {
            let mut parts = Vec::new();
            let timed_out = urls(|o| o == ServerOutcome::TimedOut);
            if !timed_out.is_empty() {
                parts.push(format!("timed out: {timed_out}"));
            }
            let refused =
                urls(|o| matches!(o, ServerOutcome::Unreachable | ServerOutcome::Error(_)));
            if !refused.is_empty() {
                parts.push(format!("refused: {refused}"));
            }
            let silent = urls(|o| o == ServerOutcome::Pending);
            if !silent.is_empty() {
                parts.push(format!("no answer: {silent}"));
            }
            format!(
                "no TURN server could be reached ({}) and no direct path worked (ICE {ice}): \
                 the network blocks TURN on every port",
                parts.join("; ")
            )
        }
        NoMediaWhy::TurnAuthFailed => format!(
            "the TURN server refused the credentials ({}) and no direct path worked",
            urls(|o| o == ServerOutcome::AuthFailed)
        ),
        NoMediaWhy::DtlsFailed => format!(
            "ICE connected ({} to {}) but DTLS stayed {}: the far end takes media only on \
             another path (a symmetric NAT?)",
            e.local_candidate.map_or("unknown", CandidateKind::as_str),
            e.remote_candidate.map_or("unknown", CandidateKind::as_str),
            e.dtls.map_or("unknown", DtlsState::as_str)
        ),
        NoMediaWhy::IceFailed => format!("no candidate pair worked (ICE {ice})"),
        NoMediaWhy::NoInboundPackets => {
            "the media path is up but no audio arrives from the far end".to_string()
        }
    }
}
