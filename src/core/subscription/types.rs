//! The public face of subscriptions: what the application asks for and what it hears.

use std::time::Duration;

use super::bodies::NotifyBody;

/// How to subscribe.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubscribeOptions {
    /// The media types to ask for in `Accept`; empty: the package's usual one
    /// (`application/dialog-info+xml`, `application/simple-message-summary`,
    /// `application/pidf+xml`).
    pub accept: Vec<String>,
    /// Requested lifetime in seconds; `None`: `Config::subscribe_expires`.
    pub expires: Option<u32>,
    /// Extra headers for every SUBSCRIBE of the subscription, checked as
    /// [`ExtraHeaders`](crate::core::ExtraHeaders) for
    /// [`HeaderTarget::Subscribe`](crate::core::HeaderTarget::Subscribe): no CR, LF or
    /// NUL, none the stack writes (`Event`, `Expires` and `Accept` among them).
    pub headers: Vec<(String, String)>,
}

/// The state a notifier put a subscription in (RFC 6665 `Subscription-State`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionState {
    /// Accepted, waiting for authorization: NOTIFYs carry no state yet.
    Pending,
    /// Active: NOTIFYs carry the resource's state.
    Active,
}

/// Something that happened to a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubscriptionEvent {
    /// The notifier accepted (2xx or a first NOTIFY) or refreshed the subscription.
    State {
        /// Pending or active.
        state: SubscriptionState,
        /// Seconds it lasts from now, as granted.
        expires: u32,
    },
    /// A NOTIFY arrived with this body.
    Notify(NotifyBody),
    /// The subscription is down for now and the core subscribes again by itself:
    /// after `retry_in`, or (`None`) as soon as the connection is back.
    Interrupted {
        /// The SIP status that ended it (a refusal, 408, 503), if a response did.
        status: Option<u16>,
        /// The reason: a reason phrase, or the `reason` of `Subscription-State`.
        reason: String,
        /// When the core subscribes again, if it knows.
        retry_in: Option<Duration>,
    },
    /// The subscription is over for good: unsubscribed, refused (403, 404, 489),
    /// or terminated by the notifier with `rejected`, `noresource` or `invariant`.
    Ended {
        /// The SIP status that ended it, if a response did.
        status: Option<u16>,
        /// Why.
        reason: String,
    },
}
