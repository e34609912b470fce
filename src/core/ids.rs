//! The identities the core hands out: sockets, calls, messages, subscriptions, client
//! transactions.

/// Identifies one WebSocket the driver opened on the core's request. Inputs carrying
/// the id of a socket the core has already given up on are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(pub u64);

/// Identifies one call of a user agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u64);

/// Identifies one client transaction (for its Timer F).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct TxId(pub(crate) u64);

/// Identifies one MESSAGE the application sent (RFC 3428), for its outcome event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(pub u64);

/// Identifies one subscription (RFC 6665) of a user agent, across the dialogs it goes
/// through (a refresh answered 481 or a reconnect makes a new dialog, same id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionId(pub u64);
