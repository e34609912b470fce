//! What every part of the core that sends requests needs: who we are, the digest
//! state and the client transactions. Borrowed from disjoint fields of the user agent.

use std::time::Duration;

use super::ClientTransactions;
use crate::core::auth::Authenticator;
use crate::core::local::Local;

/// Methods this user agent accepts, for Allow headers.
pub(crate) const ALLOW: &str =
    "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY, MESSAGE";

/// What the rest of the user agent needs to send a request.
pub(crate) struct Sender<'a> {
    pub(crate) local: &'a Local,
    pub(crate) auth: &'a mut Authenticator,
    pub(crate) txs: &'a mut ClientTransactions,
    /// The flow is `wss://`.
    pub(crate) secure: bool,
    pub(crate) tx_timeout: Duration,
}
