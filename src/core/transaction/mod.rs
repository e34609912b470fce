//! SIP transactions (RFC 3261 section 17) over a reliable transport.
//!
//! WebSocket is reliable, so no request is retransmitted (Timers A and E never run)
//! and Timers D, I, J and K are zero: a transaction ends with its final response (an
//! INVITE server transaction's failure with its ACK). What remains is Timer F and
//! Timer B, bounding how long a client transaction waits, and the 2xx a UAS
//! retransmits until its ACK, which RFC 3261 gives the core rather than the transaction.
//!
//! Calls drive the INVITE transactions (`invite_client.rs`, `invite_server.rs`); every
//! other request's go through `ClientTransactions` and `respond`.

mod invite_client;
mod invite_server;
mod non_invite_client;
mod sender;
mod server;

pub(crate) use invite_client::{InviteClient, InviteRequest, InviteResponse};
pub(crate) use invite_server::{Accepted2xx, InviteServer};
pub(crate) use non_invite_client::{ClientTransactions, InDialog, Purpose, TxEvent};
pub(crate) use sender::{Sender, ALLOW};
pub(crate) use server::{build_response, respond};
