//! Registration (RFC 3261 section 10) with RFC 5626 outbound parameters.
//!
//! One REGISTER "round" starts when a flow opens, when the binding is due for
//! refresh, or when a retry timer fires. Within a round the registrar may challenge
//! once (401/407 answered with digest; a second challenge fails the round unless it
//! says `stale=true`, which is allowed twice) and may ask for a longer expiry (423,
//! answered once with Min-Expires). The binding is refreshed before it expires:
//! a tenth of its lifetime early, at least 5 s and at most 60 s, never later than
//! half-way, counted from when the REGISTER was sent.
//!
//! Failures: 403, 404 and the other final refusals stop trying until the
//! application asks again (no loops against a registrar that said no); 5xx, 408 and
//! 480 are retried with backoff, honouring Retry-After; no answer at all (Timer F)
//! means the flow is suspect, and the user agent replaces it.

use std::time::Duration;

use super::auth::{AuthFailure, Scope};
use super::io::Io;
use super::local::{new_branch, Local};
use super::timer::UaTimer;
use super::transaction::{Purpose, Sender, ALLOW};
use super::{Event, Instant, LogLevel, RegistrationEvent};
use crate::sip::{BuildError, Contact, Message, Method, RequestBuilder};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// No binding and nothing in flight (no flow, or registration disabled).
    Idle,
    /// A REGISTER round is in flight.
    Registering,
    /// Bound; a refresh timer is armed.
    Registered,
    /// A retry timer is armed after a temporary failure.
    Waiting,
    /// Refused for good: waits for the application.
    Failed,
    /// An un-REGISTER is in flight.
    Unregistering,
}

/// What the user agent must do after a registration step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Nothing more.
    Nothing,
    /// The binding was refreshed or created: the flow works.
    Registered,
    /// The registrar did not answer: replace the flow.
    FlowSuspect,
    /// The un-REGISTER finished (or gave up).
    Unregistered,
}

/// The registration of the user agent's single binding.
#[derive(Debug, Clone)]
pub(crate) struct Registration {
    enabled: bool,
    expires: u32,
    call_id: String,
    from_tag: String,
    cseq: u32,
    state: State,
    /// Challenges answered in this round, and of those how many were stale.
    auth_tries: u8,
    stale_tries: u8,
    min_expires_tries: u8,
    sent_at: Instant,
    retry_failures: u32,
    outbound_required: bool,
    flow_timer: Option<u32>,
    /// The application unregistered (do-not-disturb): no REGISTER until it registers.
    paused: bool,
    /// The application's extra headers for every REGISTER, checked with the configuration.
    headers: Vec<(String, String)>,
}

impl Registration {
    pub(crate) fn new(
        enabled: bool,
        expires: u32,
        call_id: String,
        from_tag: String,
        headers: Vec<(String, String)>,
    ) -> Self {
        Registration {
            paused: false,
            headers,
            enabled,
            expires,
            call_id,
            from_tag,
            cseq: 0,
            state: State::Idle,
            auth_tries: 0,
            stale_tries: 0,
            min_expires_tries: 0,
            sent_at: Instant::ZERO,
            retry_failures: 0,
            outbound_required: false,
            flow_timer: None,
        }
    }

    /// Whether the binding is currently in place.
    pub(crate) fn is_registered(&self) -> bool {
        self.state == State::Registered
    }

    /// Whether the registrar asked for keepalives (so a missing pong means a dead flow).
    pub(crate) fn outbound_required(&self) -> bool {
        self.outbound_required
    }

    /// The registrar's Flow-Timer (RFC 5626 section 4.4.1): keepalives at least this often.
    pub(crate) fn flow_timer(&self) -> Option<u32> {
        self.flow_timer
    }

    /// Whether the application unregistered (do-not-disturb).
    pub(crate) fn is_paused(&self) -> bool {
        self.paused
    }

    /// Whether a REGISTER goes out when a flow opens.
    pub(crate) fn wants_binding(&self) -> bool {
        self.enabled && !self.paused
    }

    /// The application unregistered: the binding is removed (Expires: 0) and neither
    /// refreshed nor renewed on later flows until [`Registration::resume`]. Returns
    /// whether an un-REGISTER went out.
    pub(crate) fn pause(&mut self, io: &mut Io<'_>, s: &mut Sender<'_>) -> bool {
        self.paused = true;
        self.unregister(io, s)
    }

    /// A fresh `start()`: registering is what it asks for, whatever `unregister` said before.
    pub(crate) fn unpause(&mut self) {
        self.paused = false;
    }

    /// The application registers again: a new round at once when a flow is up,
    /// whatever refused or paused it before.
    pub(crate) fn resume(&mut self, io: &mut Io<'_>, s: &mut Sender<'_>) {
        self.paused = false;
        if !self.enabled || self.state == State::Registering {
            return;
        }
        io.cancel_timer(UaTimer::RegisterRetry);
        self.retry_failures = 0;
        if self.state != State::Registered {
            self.state = State::Idle;
        }
        if io.flow.is_some() {
            self.start_round(io, s);
        }
    }

    /// A flow opened: register unless refused for good or paused.
    pub(crate) fn flow_up(&mut self, io: &mut Io<'_>, s: &mut Sender<'_>) {
        if self.wants_binding() && self.state != State::Failed {
            self.start_round(io, s);
        }
    }

    /// The flow is gone: the binding is unreachable until the next flow registers.
    pub(crate) fn flow_down(&mut self, io: &mut Io<'_>) {
        io.cancel_timer(UaTimer::RegisterRefresh);
        io.cancel_timer(UaTimer::RegisterRetry);
        if matches!(
            self.state,
            State::Registered | State::Registering | State::Waiting | State::Unregistering
        ) {
            io.event(Event::Registration(RegistrationEvent::Unregistered));
        }
        if self.state != State::Failed {
            self.state = State::Idle;
        }
    }

    /// The application asked to register again after a refusal.
    pub(crate) fn retry_now(&mut self, io: &mut Io<'_>, s: &mut Sender<'_>) {
        if self.wants_binding() && matches!(self.state, State::Failed | State::Waiting) {
            io.cancel_timer(UaTimer::RegisterRetry);
            self.retry_failures = 0;
            self.state = State::Idle;
            if io.flow.is_some() {
                self.start_round(io, s);
            }
        }
    }

    /// A refresh or retry timer fired.
    pub(crate) fn on_timer(&mut self, io: &mut Io<'_>, s: &mut Sender<'_>) {
        if io.flow.is_some()
            && !self.paused
            && matches!(self.state, State::Registered | State::Waiting)
        {
            self.start_round(io, s);
        }
    }

    /// Removes the binding (for `stop`). Returns false when there is nothing to remove.
    pub(crate) fn unregister(&mut self, io: &mut Io<'_>, s: &mut Sender<'_>) -> bool {
        io.cancel_timer(UaTimer::RegisterRefresh);
        io.cancel_timer(UaTimer::RegisterRetry);
        let bound = matches!(self.state, State::Registered | State::Registering);
        s.txs.abandon(Purpose::Register, io);
        if !bound || io.flow.is_none() {
            if bound {
                io.event(Event::Registration(RegistrationEvent::Unregistered));
            }
            self.state = State::Idle;
            return false;
        }
        self.state = State::Unregistering;
        self.auth_tries = 0;
        self.stale_tries = 0;
        self.send(0, Purpose::Unregister, io, s)
    }

    fn start_round(&mut self, io: &mut Io<'_>, s: &mut Sender<'_>) {
        self.auth_tries = 0;
        self.stale_tries = 0;
        self.min_expires_tries = 0;
        if self.state != State::Registered {
            io.event(Event::Registration(RegistrationEvent::Registering));
        }
        self.state = State::Registering;
        s.txs.abandon(Purpose::Register, io);
        let expires = self.expires;
        self.send(expires, Purpose::Register, io, s);
    }

    fn send(
        &mut self,
        expires: u32,
        purpose: Purpose,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> bool {
        self.cseq += 1;
        let branch = new_branch(io.rng);
        match self.build(expires, &branch, io, s) {
            Ok(bytes) => {
                self.sent_at = io.now;
                if io.send(bytes) {
                    s.txs.start(&branch, "REGISTER", purpose, s.tx_timeout, io);
                    return true;
                }
                false
            }
            Err(e) => {
                // Every value was validated with the configuration; this is a bug, but
                // it must not take the user agent down.
                io.log(LogLevel::Error, || format!("cannot build REGISTER: {e}"));
                self.fail(500, &format!("cannot build REGISTER: {e}"), None, io);
                false
            }
        }
    }

    fn build(
        &self,
        expires: u32,
        branch: &str,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<Vec<u8>, BuildError> {
        let local = s.local;
        let mut b = RequestBuilder::new(Method::Register, &local.registrar)?;
        b.header("Via", &local.via(s.secure, branch))?
            .header("Max-Forwards", "70")?
            .header("To", &local.from_addr)?
            .header(
                "From",
                &format!("{};tag={}", local.from_addr, self.from_tag),
            )?
            .header("Call-ID", &self.call_id)?
            .header("CSeq", &format!("{} REGISTER", self.cseq))?
            .header("Contact", &local.register_contact(expires))?
            .header("Expires", &expires.to_string())?
            .header("Allow", ALLOW)?
            .header("Supported", "path, outbound, gruu")?
            .header("User-Agent", &local.user_agent)?;
        for (name, value) in &self.headers {
            b.header(name, value)?;
        }
        for (name, value) in
            s.auth
                .headers(Scope::Register, "REGISTER", &local.registrar, b"", io.rng)
        {
            b.header(name, &value)?;
        }
        Ok(b.build())
    }

    /// A final response to one of our REGISTERs.
    pub(crate) fn on_final(
        &mut self,
        msg: &Message<'_>,
        purpose: Purpose,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Outcome {
        let status = msg.status().unwrap_or(500);
        let reason = msg.reason().unwrap_or("").to_string();
        if purpose == Purpose::Unregister {
            if matches!(status, 401 | 407) && self.answer_challenge(msg, io, s) {
                self.send(0, Purpose::Unregister, io, s);
                return Outcome::Nothing;
            }
            self.state = State::Idle;
            io.event(Event::Registration(RegistrationEvent::Unregistered));
            return Outcome::Unregistered;
        }
        if self.state != State::Registering {
            return Outcome::Nothing;
        }
        match status {
            200..=299 => {
                let granted = granted_expires(msg, s.local, self.expires);
                if granted == 0 {
                    // A 2xx that grants no lifetime binds nothing; taking it as a binding
                    // would refresh at once, one REGISTER per round trip, for as long as
                    // the registrar answers so. Retried with backoff like a 5xx.
                    let delay = self.backoff(io);
                    let why = format!("{reason} with expires=0: no binding granted");
                    self.fail(status, &why, Some(delay), io);
                    return Outcome::Nothing;
                }
                self.flow_timer = msg
                    .header_by_name("Flow-Timer")
                    .and_then(|v| v.trim().parse().ok())
                    .filter(|s: &u32| *s > 0);
                self.outbound_required = self.flow_timer.is_some()
                    || msg
                        .header_by_name("Require")
                        .is_some_and(|v| v.to_ascii_lowercase().contains("outbound"));
                self.state = State::Registered;
                self.retry_failures = 0;
                let at = self.sent_at + refresh_after(granted);
                io.set_timer(UaTimer::RegisterRefresh, at);
                io.log(LogLevel::Info, || format!("registered for {granted} s"));
                io.event(Event::Registration(RegistrationEvent::Registered {
                    expires: granted,
                }));
                Outcome::Registered
            }
            401 | 407 => {
                if self.answer_challenge(msg, io, s) {
                    let expires = self.expires;
                    self.send(expires, Purpose::Register, io, s);
                } else if self.state == State::Registering {
                    self.fail(status, &reason, None, io);
                }
                Outcome::Nothing
            }
            423 => {
                match msg.min_expires() {
                    Some(min) if min > self.expires && self.min_expires_tries == 0 => {
                        self.min_expires_tries += 1;
                        self.expires = min;
                        self.send(min, Purpose::Register, io, s);
                    }
                    _ => self.fail(status, &reason, None, io),
                }
                Outcome::Nothing
            }
            408 | 480 | 500..=599 => {
                let delay = match msg.retry_after() {
                    Some(after) => Duration::from_secs(u64::from(after.seconds.max(1))),
                    None => self.backoff(io),
                };
                self.fail(status, &reason, Some(delay), io);
                Outcome::Nothing
            }
            _ => {
                self.fail(status, &reason, None, io);
                Outcome::Nothing
            }
        }
    }

    /// Timer F fired for one of our REGISTERs.
    pub(crate) fn on_timeout(&mut self, purpose: Purpose, io: &mut Io<'_>) -> Outcome {
        if purpose == Purpose::Unregister {
            self.state = State::Idle;
            io.event(Event::Registration(RegistrationEvent::Unregistered));
            return Outcome::Unregistered;
        }
        if self.state != State::Registering {
            return Outcome::Nothing;
        }
        self.state = State::Idle;
        io.event(Event::Registration(RegistrationEvent::Failed {
            status: 408,
            reason: "Request Timeout".into(),
            retry_in: Some(Duration::ZERO),
        }));
        Outcome::FlowSuspect
    }

    /// Answers a 401/407 within the round's limits. False means give up.
    fn answer_challenge(&mut self, msg: &Message<'_>, io: &mut Io<'_>, s: &mut Sender<'_>) -> bool {
        let status = msg.status().unwrap_or(401);
        match s.auth.challenged(Scope::Register, msg) {
            Ok(stale) => {
                if stale {
                    self.stale_tries += 1;
                    if self.stale_tries > 2 {
                        return false;
                    }
                } else if self.auth_tries > self.stale_tries {
                    io.log(LogLevel::Warn, || {
                        format!("{status}: credentials rejected (wrong password or user?)")
                    });
                    return false;
                }
                self.auth_tries += 1;
                true
            }
            Err(AuthFailure::NoPassword) => {
                io.log(LogLevel::Warn, || {
                    format!("{status}: no password configured")
                });
                false
            }
            Err(AuthFailure::Unsupported) => {
                io.log(LogLevel::Warn, || {
                    format!("{status}: no supported digest challenge")
                });
                false
            }
        }
    }

    fn fail(&mut self, status: u16, reason: &str, retry_in: Option<Duration>, io: &mut Io<'_>) {
        match retry_in {
            Some(delay) => {
                self.state = State::Waiting;
                self.retry_failures = self.retry_failures.saturating_add(1);
                io.set_timer(UaTimer::RegisterRetry, io.now + delay);
            }
            None => self.state = State::Failed,
        }
        io.log(LogLevel::Warn, || {
            format!("registration failed: {status} {reason}")
        });
        io.event(Event::Registration(RegistrationEvent::Failed {
            status,
            reason: reason.to_string(),
            retry_in,
        }));
    }

    /// 5 s, 10 s, 20 s ... up to 5 minutes, jittered down to half.
    fn backoff(&mut self, io: &mut Io<'_>) -> Duration {
        let exp = self.retry_failures.min(6);
        let ceiling = Duration::from_secs(5 << exp).min(Duration::from_secs(300));
        io.rng.between(ceiling / 2, ceiling)
    }
}

/// How long after sending a REGISTER to refresh a binding granted for `granted` s.
pub(crate) fn refresh_after(granted: u32) -> Duration {
    let granted_ms = u64::from(granted) * 1000;
    let margin = (granted_ms / 10).clamp(5_000, 60_000).min(granted_ms / 2);
    Duration::from_millis(granted_ms - margin)
}

/// The lifetime the registrar granted our binding: the `expires` of our Contact in
/// the 200, else its Expires header, else what was asked.
fn granted_expires(msg: &Message<'_>, local: &Local, requested: u32) -> u32 {
    for contact in msg.contacts() {
        let Contact::Addr(addr) = contact else {
            continue;
        };
        let ours = match (&local.instance, addr.param("+sip.instance")) {
            (Some(id), Some(Some(value))) => value.contains(id.as_str()),
            _ => addr.uri().user() == Some(local.contact_user.as_str()),
        };
        if ours {
            if let Some(expires) = contact.expires() {
                return expires;
            }
        }
    }
    msg.expires().unwrap_or(requested)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_before_expiry() {
        assert_eq!(refresh_after(600), Duration::from_secs(540));
        assert_eq!(refresh_after(3600), Duration::from_secs(3540));
        assert_eq!(refresh_after(60), Duration::from_secs(54));
        assert_eq!(refresh_after(10), Duration::from_secs(5));
        assert_eq!(refresh_after(4), Duration::from_secs(2));
        assert_eq!(refresh_after(1), Duration::from_millis(500));
    }
}
