//! Subscriptions (RFC 6665): SUBSCRIBE dialogs and the NOTIFYs they bring, with the
//! typed bodies of BLF (dialog, RFC 4235), MWI (message-summary, RFC 3842) and
//! presence (PIDF, RFC 3863).
//!
//! A subscription keeps its [`SubscriptionId`] across the dialogs it goes through:
//!
//! - **Start, paced.** A SUBSCRIBE that starts a dialog waits in a queue served at
//!   `Config::subscribe_rate` per second (one every `1/rate` s, on the `SubscribePace`
//!   timer), so a 100-lamp BLF panel does not trip a PBX's flood limits. The queue
//!   is served only while the flow is up and registered.
//! - **Dialog.** Made by the 2xx or by a NOTIFY that comes first (a forked SUBSCRIBE);
//!   a NOTIFY from a second fork is answered 481, which ends that fork's subscription.
//! - **Refresh** before expiry: a tenth of the granted lifetime early, at least 32 s
//!   (at most half of it). A NOTIFY's `expires` that shortens the lifetime moves it.
//! - **Termination** by the notifier: `deactivated` and `timeout` subscribe again at
//!   once (or after `retry-after`), `probation` and `giveup` after `retry-after`,
//!   `rejected`, `noresource` and `invariant` end it for good; no or an unknown
//!   reason subscribes again after `retry-after` or the backoff.
//! - **Failures.** A refresh answered 481 starts a new dialog at once; 408, 480, 5xx
//!   (and a refresh's other failures) retry after `Retry-After` or a backoff of 5 s
//!   doubling up to 5 min; 401/407 are answered with digest; 423 takes Min-Expires;
//!   other refusals (403, 404, 489 Bad Event...) end it.
//! - **Reconnect.** A lost flow takes every dialog with it (they are routed over that
//!   WebSocket); once a new flow is registered every subscription starts again, paced.
//! - **Stop.** `unsubscribe` sends `Expires: 0` in the dialog and waits (at most 5 s)
//!   for the final NOTIFY; `UserAgent::stop` unsubscribes every dialog at once.
//!
//! A NOTIFY matching no subscription gets 481, except a `message-summary` one: PBXs
//! (Asterisk with a mailbox on the endpoint) send MWI out of any dialog, and it is
//! reported like the MWI subscription's NOTIFYs (or as `Event::MessageWaiting`).

pub(crate) mod bodies;
mod lifecycle;
mod notify;
mod send;
pub(crate) mod types;

use std::collections::VecDeque;
use std::time::Duration;

pub use bodies::{
    DialogEntry, DialogInfo, LampState, MessageCounts, MessageSummary, NotifyBody, Presence,
};
pub use types::{SubscribeOptions, SubscriptionEvent, SubscriptionState};

use super::call::dialog::Dialog;
use super::headers::{ExtraHeaders, HeaderTarget};
use super::ids::SubscriptionId;
use super::io::Io;
use super::request::{target_uri, AuthRetry, OutOfDialog, RequestError};
use super::timer::{SubTimer, TimerKey, UaTimer};
use super::transaction::{Purpose, Sender};
use super::{Event, Instant};

/// How long an unsubscribed subscription waits for its final NOTIFY.
const END_GUARD: Duration = Duration::from_secs(5);
/// The first retry delay after a failure; it doubles up to `BACKOFF_MAX`.
const BACKOFF_BASE: Duration = Duration::from_secs(5);
const BACKOFF_MAX: Duration = Duration::from_secs(300);

/// Which SUBSCRIBE of a subscription is in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InFlight {
    Initial,
    Refresh,
    Unsubscribe,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for a flow (and registration) before it can start.
    Waiting,
    /// In the pacing queue.
    Queued,
    /// Its initial SUBSCRIBE is out, no dialog yet.
    Subscribing,
    /// A dialog exists; the refresh timer is armed.
    Established,
    /// The Retry timer is armed.
    RetryWait,
    /// Unsubscribed: waiting for the final NOTIFY (or the end guard).
    Ending,
}

#[derive(Debug, Clone)]
struct Sub {
    id: SubscriptionId,
    package: String,
    accept: Vec<String>,
    expires: u32,
    headers: ExtraHeaders,
    req: OutOfDialog,
    dialog: Option<Dialog>,
    phase: Phase,
    in_flight: Option<InFlight>,
    auth: AuthRetry,
    min_expires_tried: bool,
    /// The application asked to stop while the initial SUBSCRIBE was out.
    stop_when_up: bool,
    state: Option<SubscriptionState>,
    /// Merged dialog-info of a BLF subscription.
    blf: Option<DialogInfo>,
    failures: u32,
}

/// Every subscription of the user agent, and the pacing queue.
#[derive(Debug, Clone)]
pub(crate) struct Subscriptions {
    subs: Vec<Sub>,
    next_id: u64,
    queue: VecDeque<SubscriptionId>,
    interval: Duration,
    next_slot: Instant,
    ready: bool,
    default_expires: u32,
    domain: String,
}

impl Subscriptions {
    pub(crate) fn new(rate: u32, default_expires: u32, domain: String) -> Self {
        Subscriptions {
            subs: Vec::new(),
            next_id: 0,
            queue: VecDeque::new(),
            interval: Duration::from_secs(1) / rate.max(1),
            next_slot: Instant::ZERO,
            ready: false,
            default_expires,
            domain,
        }
    }

    /// The live subscriptions.
    pub(crate) fn ids(&self) -> Vec<SubscriptionId> {
        self.subs.iter().map(|s| s.id).collect()
    }

    /// Starts a subscription to `package` at `target`; it goes out when its turn in
    /// the pacing queue comes (and a flow is up).
    pub(crate) fn subscribe(
        &mut self,
        target: &str,
        package: &str,
        options: SubscribeOptions,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) -> Result<SubscriptionId, RequestError> {
        let uri = target_uri(target, &self.domain)?;
        let package = package.trim().to_ascii_lowercase();
        if package.is_empty()
            || !package
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b))
        {
            return Err(RequestError::InvalidValue(format!(
                "{package:?} is not an event package name"
            )));
        }
        let headers = ExtraHeaders::new(options.headers, HeaderTarget::Subscribe)
            .map_err(|e| RequestError::InvalidValue(e.to_string()))?;
        let mut accept = options.accept;
        if accept.is_empty() {
            accept.extend(bodies::default_accept(&package).map(str::to_string));
        }
        if let Some(bad) = accept
            .iter()
            .find(|a| !a.contains('/') || a.contains(['\r', '\n', '\0', ',']))
        {
            return Err(RequestError::InvalidValue(format!(
                "{bad:?} is not a media type"
            )));
        }
        let expires = options.expires.unwrap_or(self.default_expires);
        if expires == 0 {
            return Err(RequestError::InvalidValue(
                "expires must be positive".into(),
            ));
        }
        self.next_id += 1;
        let id = SubscriptionId(self.next_id);
        self.subs.push(Sub {
            id,
            package,
            accept,
            expires,
            headers,
            req: OutOfDialog::new(uri, io),
            dialog: None,
            phase: Phase::Waiting,
            in_flight: None,
            auth: AuthRetry::default(),
            min_expires_tried: false,
            stop_when_up: false,
            state: None,
            blf: None,
            failures: 0,
        });
        self.enqueue(id, io, s);
        Ok(id)
    }

    /// A timer of subscription `id` fired.
    pub(crate) fn on_timer(
        &mut self,
        id: SubscriptionId,
        timer: SubTimer,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let Some(i) = self.index(id) else { return };
        match timer {
            SubTimer::Refresh => {
                if self.subs[i].phase == Phase::Established && self.subs[i].in_flight.is_none() {
                    self.send_refresh(i, io, s);
                }
            }
            SubTimer::Retry => {
                if self.subs[i].phase == Phase::RetryWait {
                    self.subs[i].phase = Phase::Waiting;
                    self.enqueue(id, io, s);
                }
            }
            SubTimer::EndGuard => self.end(i, None, "unsubscribed", io, s),
        }
    }

    /// The pacing timer fired: the next queued SUBSCRIBE may go.
    pub(crate) fn on_pace(&mut self, io: &mut Io<'_>, s: &mut Sender<'_>) {
        self.pump(io, s);
    }

    fn index(&self, id: SubscriptionId) -> Option<usize> {
        self.subs.iter().position(|s| s.id == id)
    }

    /// Puts a subscription in the pacing queue (or makes it wait for a flow).
    fn enqueue(&mut self, id: SubscriptionId, io: &mut Io<'_>, s: &mut Sender<'_>) {
        let Some(i) = self.index(id) else { return };
        if !self.ready || io.flow.is_none() {
            self.subs[i].phase = Phase::Waiting;
            return;
        }
        if self.subs[i].phase != Phase::Queued {
            self.subs[i].phase = Phase::Queued;
            self.queue.push_back(id);
        }
        self.pump(io, s);
    }

    /// Sends queued SUBSCRIBEs whose slot has come; arms the pacing timer for the rest.
    fn pump(&mut self, io: &mut Io<'_>, s: &mut Sender<'_>) {
        if !self.ready || io.flow.is_none() {
            return;
        }
        while !self.queue.is_empty() && io.now >= self.next_slot {
            let Some(id) = self.queue.pop_front() else {
                break;
            };
            let Some(i) = self.index(id) else { continue };
            if self.subs[i].phase != Phase::Queued {
                continue;
            }
            self.send_initial(i, io, s);
            self.next_slot = io.now + self.interval;
        }
        if self.queue.is_empty() {
            io.cancel_timer(UaTimer::SubscribePace);
        } else {
            io.set_timer(UaTimer::SubscribePace, self.next_slot);
        }
    }

    /// Drops subscription `i` and reports it over.
    fn end(
        &mut self,
        i: usize,
        status: Option<u16>,
        reason: &str,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let sub = self.subs.remove(i);
        io.timers.cancel_sub(sub.id);
        s.txs.abandon(Purpose::Subscribe(sub.id), io);
        self.queue.retain(|q| *q != sub.id);
        emit(
            io,
            sub.id,
            SubscriptionEvent::Ended {
                status,
                reason: reason.to_string(),
            },
        );
    }

    /// The subscription is down for now: subscribe again (in a new dialog) after
    /// `delay`, or the backoff when `None`, reporting it. Zero goes through the queue.
    fn interrupted(
        &mut self,
        i: usize,
        status: Option<u16>,
        reason: &str,
        delay: Option<Duration>,
        io: &mut Io<'_>,
        s: &mut Sender<'_>,
    ) {
        let sub = &mut self.subs[i];
        let id = sub.id;
        sub.dialog = None;
        sub.state = None;
        // A new dialog's dialog-info versions start again.
        sub.blf = None;
        sub.in_flight = None;
        sub.auth.reset();
        io.timers.cancel_sub(id);
        // A SUBSCRIBE of the old dialog still out must not answer for the new one.
        s.txs.abandon(Purpose::Subscribe(id), io);
        let sub = &mut self.subs[i];
        // Counted until a NOTIFY says active again: a notifier that ends every new
        // subscription at once is not asked again at the pacing rate forever.
        sub.failures += 1;
        let backoff = (BACKOFF_BASE * (1u32 << (sub.failures - 1).min(6))).min(BACKOFF_MAX);
        let delay = match delay {
            Some(d) if !d.is_zero() || sub.failures <= 3 => d,
            _ => backoff,
        };
        emit(
            io,
            id,
            SubscriptionEvent::Interrupted {
                status,
                reason: reason.to_string(),
                retry_in: Some(delay),
            },
        );
        // A new dialog: a new Call-ID and From tag (RFC 6665 section 4.1.2.4).
        let target = sub.req.target.clone();
        sub.req = OutOfDialog::new(target, io);
        if delay.is_zero() {
            sub.phase = Phase::Waiting;
            self.enqueue(id, io, s);
        } else {
            sub.phase = Phase::RetryWait;
            io.timers
                .set(TimerKey::Sub(id, SubTimer::Retry), io.now + delay);
        }
    }
}

/// The refresh deadline of a subscription granted `expires` seconds from `now`.
fn refresh_at(now: Instant, expires: u32) -> Instant {
    let lead = (expires / 10).max(32.min(expires / 2));
    now + Duration::from_secs(u64::from(expires.saturating_sub(lead).max(1)))
}

fn emit(io: &mut Io<'_>, id: SubscriptionId, event: SubscriptionEvent) {
    io.event(Event::Subscription { id, event });
}
