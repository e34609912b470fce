//! SIP transactions (RFC 3261 section 17) over a reliable transport.
//!
//! WebSocket is reliable, so no request is retransmitted (Timers A and E never run)
//! and Timers K and J are zero: a transaction ends with its final response. What
//! remains is Timer F, bounding how long a client transaction waits.

mod non_invite_client;
mod sender;
mod server;

pub(crate) use non_invite_client::{ClientTransactions, InDialog, Purpose, TxEvent};
pub(crate) use sender::{Sender, ALLOW};
pub(crate) use server::respond;
