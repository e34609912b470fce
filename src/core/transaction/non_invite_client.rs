//! Non-INVITE client transactions (RFC 3261 section 17.1.2) on a reliable flow.
//!
//! States: Trying/Proceeding until a final response (then Completed, which lasts
//! Timer K = 0 on a reliable transport, so the transaction ends at once), or until
//! Timer F fires (a synthetic 408), or until the flow is lost (a synthetic 503, as
//! RFC 3261 section 8.1.3.1 treats transport errors).

use std::time::Duration;

use crate::core::call::CallId;
use crate::core::ids::TxId;
use crate::core::ids::{MessageId, SubscriptionId};
use crate::core::io::Io;
use crate::core::timer::TimerKey;

/// Who is waiting for the transaction's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// A REGISTER adding or refreshing the binding.
    Register,
    /// A REGISTER removing it (Expires: 0).
    Unregister,
    /// A request inside a call's dialog.
    Call {
        /// The call.
        call: CallId,
        /// Which request.
        kind: InDialog,
    },
    /// A MESSAGE the application sent (RFC 3428).
    Message(MessageId),
    /// A SUBSCRIBE of a subscription: initial, refresh or unsubscribe (RFC 6665).
    Subscribe(SubscriptionId),
}

/// Non-INVITE requests a call sends inside its dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InDialog {
    Bye,
    /// A DTMF digit by INFO.
    Info,
    /// An INFO the application sent (`send_info`).
    AppInfo,
    Refer,
    Update,
    Notify,
}

impl InDialog {
    /// The request's method.
    pub(crate) fn method(self) -> crate::sip::Method<'static> {
        use crate::sip::Method;
        match self {
            InDialog::Bye => Method::Bye,
            InDialog::Info | InDialog::AppInfo => Method::Info,
            InDialog::Refer => Method::Refer,
            InDialog::Update => Method::Update,
            InDialog::Notify => Method::Notify,
        }
    }
}

#[derive(Debug, Clone)]
struct ClientTx {
    id: u64,
    branch: String,
    method: String,
    purpose: Purpose,
}

/// What a response or a timer means for the transaction user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TxEvent {
    /// A provisional response: keep waiting.
    Provisional(Purpose),
    /// The final response: the transaction is over.
    Final(Purpose),
    /// Not ours (unknown branch, or the method does not match): drop it.
    Stray,
}

/// The live client transactions.
#[derive(Debug, Default, Clone)]
pub(crate) struct ClientTransactions {
    txs: Vec<ClientTx>,
    next_id: u64,
}

impl ClientTransactions {
    /// Starts a transaction for a request just sent with `branch`; arms Timer F.
    pub(crate) fn start(
        &mut self,
        branch: &str,
        method: &str,
        purpose: Purpose,
        timeout: Duration,
        io: &mut Io<'_>,
    ) {
        self.next_id += 1;
        let id = self.next_id;
        io.timers.set(TimerKey::Tx(TxId(id)), io.now + timeout);
        self.txs.push(ClientTx {
            id,
            branch: branch.to_string(),
            method: method.to_string(),
            purpose,
        });
    }

    /// Matches a response by branch and CSeq method (RFC 3261 section 17.1.3).
    pub(crate) fn on_response(
        &mut self,
        branch: &str,
        method: &str,
        status: u16,
        io: &mut Io<'_>,
    ) -> TxEvent {
        let Some(pos) = self
            .txs
            .iter()
            .position(|tx| tx.branch == branch && tx.method == method)
        else {
            return TxEvent::Stray;
        };
        // `pos` was just found by `position` over `txs`.
        let purpose = self.txs[pos].purpose;
        if status < 200 {
            return TxEvent::Provisional(purpose);
        }
        let tx = self.txs.remove(pos);
        io.timers.cancel(TimerKey::Tx(TxId(tx.id)));
        TxEvent::Final(purpose)
    }

    /// Timer F fired for transaction `id`: it is over, with a 408.
    pub(crate) fn on_timeout(&mut self, id: TxId) -> Option<Purpose> {
        let pos = self.txs.iter().position(|tx| tx.id == id.0)?;
        Some(self.txs.remove(pos).purpose)
    }

    /// The flow is gone: every transaction is over, with a 503. Returns their purposes.
    pub(crate) fn fail_all(&mut self, io: &mut Io<'_>) -> Vec<Purpose> {
        io.timers.cancel_transactions();
        self.txs.drain(..).map(|tx| tx.purpose).collect()
    }

    /// Forgets transactions for `purpose` without an outcome.
    pub(crate) fn abandon(&mut self, purpose: Purpose, io: &mut Io<'_>) {
        self.txs.retain(|tx| {
            if tx.purpose == purpose {
                io.timers.cancel(TimerKey::Tx(TxId(tx.id)));
                false
            } else {
                true
            }
        });
    }
}
