//! The application's commands on messages (RFC 3428) and subscriptions (RFC 6665).

use super::{Run, UserAgent};
use crate::core::ids::{MessageId, SubscriptionId};
use crate::core::message::MessageOptions;
use crate::core::request::RequestError;
use crate::core::subscription::SubscribeOptions;
use crate::core::Instant;

impl UserAgent {
    /// Sends a MESSAGE with `body` to `target` (a SIP URI, a user name or a number in
    /// the AOR's domain). Its outcome comes as a `MessageEvent` with the returned id.
    ///
    /// # Errors
    /// An invalid target, content type or extra header, or no connection.
    pub fn send_message(
        &mut self,
        target: &str,
        body: &str,
        options: MessageOptions,
        now: Instant,
    ) -> Result<MessageId, RequestError> {
        if self.run != Run::Running {
            return Err(RequestError::NotConnected);
        }
        let mut p = self.parts(now);
        p.messages
            .send(target, body, options, &mut p.io, &mut p.sender)
    }

    /// Subscribes to the event `package` (`dialog` for BLF, `message-summary` for
    /// MWI, `presence`...) of `target`. The SUBSCRIBE goes out when its turn in the
    /// pacing queue comes and a flow is up (see [`crate::core::subscription`]); what
    /// follows comes as `SubscriptionEvent`s with the returned id.
    ///
    /// # Errors
    /// An invalid target, package, media type or extra header, or a zero `expires`.
    pub fn subscribe(
        &mut self,
        target: &str,
        package: &str,
        options: SubscribeOptions,
        now: Instant,
    ) -> Result<SubscriptionId, RequestError> {
        let mut p = self.parts(now);
        p.subs
            .subscribe(target, package, options, &mut p.io, &mut p.sender)
    }

    /// Ends a subscription (`Expires: 0`); `SubscriptionEvent::Ended` follows.
    ///
    /// # Errors
    /// No such subscription.
    pub fn unsubscribe(&mut self, id: SubscriptionId, now: Instant) -> Result<(), RequestError> {
        let mut p = self.parts(now);
        p.subs.unsubscribe(id, &mut p.io, &mut p.sender)
    }

    /// The live subscriptions.
    pub fn subscriptions(&self) -> Vec<SubscriptionId> {
        self.subs.ids()
    }
}
