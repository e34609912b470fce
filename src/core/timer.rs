//! The core's timers as data: one table of deadlines whose keys say what each timer
//! belongs to (the user agent, a client transaction, a call); the next deadline the
//! driver must arm is the table's minimum. Dispatch on a key is exhaustive: a new timer
//! cannot be armed without the compiler asking where it goes.
//!
//! RFC 3261 Timer H (a UAS waiting for the ACK of its failure response) has no entry:
//! over a reliable transport the failure response is never retransmitted (Timer G does
//! not run), so nothing waits for that ACK. The INVITE server transaction
//! (`transaction/invite_server.rs`) stays Completed with its failure and the ACK, when
//! it comes, is absorbed; one that never comes costs nothing, which is all Timer H's
//! expiry would lead to. Timers D, I, J and K are zero (section 17). Timer B is
//! `CallTimer::InviteTimeout` for a call's INVITE and `CallTimer::ReinviteTimeout` for
//! its re-INVITE (each transaction its own key), both armed by
//! `transaction/invite_client.rs`.

use std::time::Duration;

use super::ids::{CallId, SubscriptionId, TxId};
use super::Instant;

/// RFC 3261 T1, the round-trip estimate: the first 2xx retransmission of a UAS, and
/// 64*T1 bounds its wait for the ACK.
pub(crate) const T1: Duration = Duration::from_millis(500);
/// RFC 3261 T2: the longest interval between 2xx retransmissions.
pub(crate) const T2: Duration = Duration::from_secs(4);

/// Why a deadline was armed: what [`UserAgent::poll_timeout`](super::UserAgent::poll_timeout)
/// reports beside it, for the driver's logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum TimerName {
    /// Waiting before the next connection attempt.
    Reconnect,
    /// A WebSocket is taking too long to open.
    ConnectTimeout,
    /// Time to send the next keepalive ping.
    KeepalivePing,
    /// A keepalive pong is overdue.
    KeepalivePong,
    /// Time to refresh the registration.
    RegisterRefresh,
    /// Time to retry a failed registration.
    RegisterRetry,
    /// RFC 3261 Timer F: a non-INVITE client transaction timed out.
    TransactionF,
    /// How long `stop` waits for the un-REGISTER before closing.
    StopGuard,
    /// The pre-warmed peer connection is due for replacement.
    PrewarmRotate,
    /// A call's ICE gathering deadline: send the offer or answer with what is there.
    CallGather,
    /// RFC 3261 Timer B: our INVITE got no response at all.
    CallInviteTimeout,
    /// Timer B of our re-INVITE, which bounds the whole re-INVITE (a 100 does not
    /// stop it; see `transaction/invite_client.rs`).
    CallReinviteTimeout,
    /// Retransmit our 2xx to an INVITE (no ACK yet).
    CallOkRetransmit,
    /// No ACK for our 2xx within 64*T1.
    CallAckTimeout,
    /// An incoming call rang too long.
    CallNoAnswer,
    /// Retry a re-INVITE after 491 (RFC 3261 section 14.1).
    CallGlareRetry,
    /// Time to refresh the session (RFC 4028).
    CallSessionRefresh,
    /// The peer did not refresh the session in time.
    CallSessionExpire,
    /// The application did not answer an incoming REFER in time.
    CallReferTimeout,
    /// A transfer we asked for reported no outcome in time.
    CallTransferTimeout,
    /// A call's ICE stayed `disconnected` past the grace period.
    CallIceGrace,
    /// Retry a failed ICE restart.
    CallIceRetry,
    /// A call could not recover its media in time.
    CallIceGiveUp,
    /// Time to sample a call's media (the media watchdog and quality).
    CallMediaSample,
    /// The next paced SUBSCRIBE may go out (see `core::subscription`).
    SubscribePace,
    /// Time to refresh a subscription before it expires.
    SubscriptionRefresh,
    /// Time to subscribe again after the notifier ended or refused a subscription.
    SubscriptionRetry,
    /// An unsubscribe got no final NOTIFY in time: the subscription is dropped.
    SubscriptionEndGuard,
    /// The gap between two DTMF digits sent by INFO is over.
    CallDtmfGap,
    /// Time to fetch `iceServersUrl` again (80 % of its `ttl`, or a retry).
    IceServersRefresh,
    /// The fetched ICE servers' `ttl` ran out.
    IceServersExpire,
}

/// A timer of the user agent itself: at most one of each is armed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum UaTimer {
    Reconnect,
    ConnectTimeout,
    KeepalivePing,
    KeepalivePong,
    RegisterRefresh,
    RegisterRetry,
    StopGuard,
    PrewarmRotate,
    SubscribePace,
    IceServersRefresh,
    IceServersExpire,
}

/// A timer of one subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum SubTimer {
    /// Refresh before the subscription expires.
    Refresh,
    /// Subscribe again after a termination with retry-after, or a temporary failure.
    Retry,
    /// The final NOTIFY after an unsubscribe is overdue.
    EndGuard,
}

/// A timer of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum CallTimer {
    /// The ICE gathering deadline: send the offer or answer with what is there.
    Gather,
    /// RFC 3261 Timer B of our INVITE, or the linger of a call ended by CANCEL.
    InviteTimeout,
    /// Timer B of our re-INVITE: bounds it to its final response.
    ReinviteTimeout,
    /// Retransmit our 2xx to an INVITE.
    OkRetransmit,
    /// No ACK for our 2xx within 64*T1.
    AckTimeout,
    NoAnswer,
    GlareRetry,
    SessionRefresh,
    SessionExpire,
    ReferTimeout,
    /// Our REFER's outcome (a final NOTIFY) is overdue.
    TransferTimeout,
    IceGrace,
    IceRetry,
    IceGiveUp,
    /// Ask the driver for the next media sample (`MediaAction::SampleMedia`).
    MediaSample,
    /// The gap after a DTMF digit sent by INFO: the next one may go.
    DtmfGap,
}

/// What a timer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum TimerKey {
    /// The user agent's own.
    Ua(UaTimer),
    /// Timer F of a non-INVITE client transaction.
    Tx(TxId),
    /// A call's.
    Call(CallId, CallTimer),
    /// A subscription's.
    Sub(SubscriptionId, SubTimer),
}

impl TimerKey {
    /// The public name of the timer, for `poll_timeout`.
    pub(crate) fn name(self) -> TimerName {
        match self {
            TimerKey::Ua(t) => match t {
                UaTimer::Reconnect => TimerName::Reconnect,
                UaTimer::ConnectTimeout => TimerName::ConnectTimeout,
                UaTimer::KeepalivePing => TimerName::KeepalivePing,
                UaTimer::KeepalivePong => TimerName::KeepalivePong,
                UaTimer::RegisterRefresh => TimerName::RegisterRefresh,
                UaTimer::RegisterRetry => TimerName::RegisterRetry,
                UaTimer::StopGuard => TimerName::StopGuard,
                UaTimer::PrewarmRotate => TimerName::PrewarmRotate,
                UaTimer::SubscribePace => TimerName::SubscribePace,
                UaTimer::IceServersRefresh => TimerName::IceServersRefresh,
                UaTimer::IceServersExpire => TimerName::IceServersExpire,
            },
            TimerKey::Sub(_, t) => match t {
                SubTimer::Refresh => TimerName::SubscriptionRefresh,
                SubTimer::Retry => TimerName::SubscriptionRetry,
                SubTimer::EndGuard => TimerName::SubscriptionEndGuard,
            },
            TimerKey::Tx(_) => TimerName::TransactionF,
            TimerKey::Call(_, t) => match t {
                CallTimer::Gather => TimerName::CallGather,
                CallTimer::InviteTimeout => TimerName::CallInviteTimeout,
                CallTimer::ReinviteTimeout => TimerName::CallReinviteTimeout,
                CallTimer::OkRetransmit => TimerName::CallOkRetransmit,
                CallTimer::AckTimeout => TimerName::CallAckTimeout,
                CallTimer::NoAnswer => TimerName::CallNoAnswer,
                CallTimer::GlareRetry => TimerName::CallGlareRetry,
                CallTimer::SessionRefresh => TimerName::CallSessionRefresh,
                CallTimer::SessionExpire => TimerName::CallSessionExpire,
                CallTimer::ReferTimeout => TimerName::CallReferTimeout,
                CallTimer::TransferTimeout => TimerName::CallTransferTimeout,
                CallTimer::IceGrace => TimerName::CallIceGrace,
                CallTimer::IceRetry => TimerName::CallIceRetry,
                CallTimer::IceGiveUp => TimerName::CallIceGiveUp,
                CallTimer::MediaSample => TimerName::CallMediaSample,
                CallTimer::DtmfGap => TimerName::CallDtmfGap,
            },
        }
    }
}

/// Armed deadlines. Small: a handful of entries at a time.
#[derive(Debug, Default, Clone)]
pub(crate) struct Timers {
    entries: Vec<(TimerKey, Instant)>,
}

impl Timers {
    /// Arms (or re-arms) `key` for `at`.
    pub(crate) fn set(&mut self, key: TimerKey, at: Instant) {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = at,
            None => self.entries.push((key, at)),
        }
    }

    /// Disarms `key`; disarming an unarmed timer does nothing.
    pub(crate) fn cancel(&mut self, key: TimerKey) {
        self.entries.retain(|(k, _)| *k != key);
    }

    /// Disarms every timer of call `call`.
    pub(crate) fn cancel_call(&mut self, call: CallId) {
        self.entries
            .retain(|(k, _)| !matches!(k, TimerKey::Call(c, _) if *c == call));
    }

    /// Disarms every timer of subscription `sub`.
    pub(crate) fn cancel_sub(&mut self, sub: SubscriptionId) {
        self.entries
            .retain(|(k, _)| !matches!(k, TimerKey::Sub(s, _) if *s == sub));
    }

    /// Disarms every transaction's Timer F.
    pub(crate) fn cancel_transactions(&mut self) {
        self.entries.retain(|(k, _)| !matches!(k, TimerKey::Tx(_)));
    }

    /// Whether `key` is armed.
    #[cfg(test)]
    pub(crate) fn is_set(&self, key: TimerKey) -> bool {
        self.entries.iter().any(|(k, _)| *k == key)
    }

    /// Whether any timer of call `call` is armed.
    pub(crate) fn any_of_call(&self, call: CallId) -> bool {
        self.entries
            .iter()
            .any(|(k, _)| matches!(k, TimerKey::Call(c, _) if *c == call))
    }

    /// The earliest deadline and its key.
    pub(crate) fn next(&self) -> Option<(Instant, TimerKey)> {
        self.entries
            .iter()
            .map(|(k, at)| (*at, *k))
            .min_by_key(|(at, k)| (*at, *k))
    }

    /// Removes and returns the earliest timer that is due at `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<TimerKey> {
        let (at, key) = self.next()?;
        if at > now {
            return None;
        }
        self.cancel(key);
        Some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first_and_rearm() {
        let mut t = Timers::default();
        let a = TimerKey::Ua(UaTimer::KeepalivePing);
        let b = TimerKey::Ua(UaTimer::RegisterRefresh);
        t.set(a, Instant::from_millis(50));
        t.set(b, Instant::from_millis(20));
        assert_eq!(t.next(), Some((Instant::from_millis(20), b)));
        t.set(b, Instant::from_millis(90));
        assert_eq!(t.next(), Some((Instant::from_millis(50), a)));
        assert_eq!(t.pop_due(Instant::from_millis(49)), None);
        assert_eq!(t.pop_due(Instant::from_millis(60)), Some(a));
        assert!(!t.is_set(a));
        t.cancel(b);
        assert_eq!(t.next(), None);
    }

    #[test]
    fn a_calls_timers_go_together_and_only_its_own() {
        let mut t = Timers::default();
        let (one, two) = (CallId(1), CallId(2));
        t.set(
            TimerKey::Call(one, CallTimer::Gather),
            Instant::from_millis(5),
        );
        t.set(
            TimerKey::Call(one, CallTimer::IceGrace),
            Instant::from_millis(6),
        );
        t.set(
            TimerKey::Call(two, CallTimer::Gather),
            Instant::from_millis(7),
        );
        t.set(TimerKey::Tx(TxId(3)), Instant::from_millis(8));
        t.cancel_call(one);
        assert!(!t.any_of_call(one) && t.any_of_call(two));
        t.cancel_transactions();
        assert_eq!(t.next().map(|(_, k)| k.name()), Some(TimerName::CallGather));
    }
}
