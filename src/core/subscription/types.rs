//! The public face of subscriptions: what the application asks for and what it hears.

use std::time::Duration;

use super::bodies::{DialogInfo, MessageSummary, Presence};

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

/// The body of a NOTIFY, parsed when its type is known.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotifyBody {
    /// `application/dialog-info+xml` (RFC 4235): the BLF lamp, already merged with
    /// earlier partial NOTIFYs of the subscription.
    Dialog(DialogInfo),
    /// `application/simple-message-summary` (RFC 3842): MWI.
    MessageSummary(MessageSummary),
    /// `application/pidf+xml` (RFC 3863): presence.
    Presence(Presence),
    /// Another type, as received.
    Other {
        /// The media type.
        content_type: String,
        /// The body, as UTF-8 (invalid sequences replaced).
        body: String,
    },
    /// A known type that did not parse (the NOTIFY was still answered 200).
    Malformed {
        /// The media type.
        content_type: String,
        /// What was wrong.
        reason: String,
    },
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
