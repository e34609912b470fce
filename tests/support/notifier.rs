//! A scripted notifier shaped like Asterisk 18's res_pjsip_pubsub, for the
//! SUBSCRIBE/NOTIFY transcripts (`core_subscriptions*.rs`), and their helpers.

use softphone_core::core::subscription::LampState;
use softphone_core::core::{
    Event, NotifyBody, SubscribeOptions, SubscriptionEvent, SubscriptionId, SubscriptionState,
};

use super::*;

/// The scripted notifier's side of one subscription dialog.
pub struct Notifier {
    pub tag: String,
    pub cseq: u32,
    /// The SUBSCRIBE that made the dialog (its From, Call-ID).
    pub subscribe: Vec<u8>,
}

pub const CONTACT: &str = "<sip:asterisk@192.0.2.10:5060;transport=ws>";

impl Notifier {
    pub fn new(subscribe: &[u8], tag: &str) -> Self {
        Notifier {
            tag: tag.into(),
            cseq: 100,
            subscribe: subscribe.to_vec(),
        }
    }

    /// The 200 to a SUBSCRIBE of this dialog, granting `expires`.
    pub fn ok(&self, req: &[u8], expires: u32) -> Vec<u8> {
        let mut registrar = Registrar::new();
        registrar.to_tag = self.tag.clone();
        registrar.respond(
            req,
            200,
            "OK",
            &[format!("Contact: {CONTACT}"), format!("Expires: {expires}")],
        )
    }

    /// A NOTIFY in the dialog.
    pub fn notify(&mut self, event: &str, state: &str, body: Option<(&str, &str)>) -> Vec<u8> {
        self.cseq += 1;
        let sub = &self.subscribe;
        let to = header(sub, "From").unwrap();
        let from = header(sub, "To").unwrap();
        let from = match from.find(";tag=") {
            Some(i) => from[..i].to_string(),
            None => from,
        };
        let (ct, body) = match body {
            Some((ct, b)) => (format!("Content-Type: {ct}\r\n"), b.to_string()),
            None => (String::new(), String::new()),
        };
        format!(
            "NOTIFY sip:x@y.invalid;transport=ws SIP/2.0\r\n\
             Via: SIP/2.0/WS 127.0.0.1:8088;rport;branch=z9hG4bKPj{}{};alias\r\n\
             From: {from};tag={}\r\n\
             To: {to}\r\n\
             Contact: {CONTACT}\r\n\
             Call-ID: {}\r\n\
             CSeq: {} NOTIFY\r\n\
             Event: {event}\r\n\
             Subscription-State: {state}\r\n\
             Allow-Events: presence, dialog, message-summary, refer\r\n\
             Max-Forwards: 70\r\n\
             User-Agent: FPBX-16.0.40(18.19.0)\r\n\
             {ct}Content-Length:  {}\r\n\r\n{body}",
            self.tag,
            self.cseq,
            self.tag,
            header(sub, "Call-ID").unwrap(),
            self.cseq,
            body.len()
        )
        .into_bytes()
    }
}

/// Asterisk's dialog-info document for extension 1002.
pub fn dialog_body(version: u32, state: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"{version}\" state=\"full\" entity=\"sip:1002@softphone.test\">\n \
         <dialog id=\"1002\">\n  <state>{state}</state>\n </dialog>\n</dialog-info>\n"
    )
}

pub const DIALOG_XML: &str = "application/dialog-info+xml";

pub fn sub_events(h: &mut Harness) -> Vec<(SubscriptionId, SubscriptionEvent)> {
    h.take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Subscription { id, event } => Some((id, event)),
            Event::Connection(_) | Event::Registration(_) => None,
            other => panic!("unexpected event {other:?}"),
        })
        .collect()
}

/// Asserts that the only new subscription event is `id` ending as unsubscribed, and
/// that no subscription is left.
pub fn assert_unsubscribed(h: &mut Harness, id: SubscriptionId) {
    let ended = SubscriptionEvent::Ended {
        status: None,
        reason: "unsubscribed".into(),
    };
    assert_eq!(sub_events(h), [(id, ended)]);
    assert!(h.ua.subscriptions().is_empty());
}

pub fn lamp(event: &SubscriptionEvent) -> LampState {
    match event {
        SubscriptionEvent::Notify(NotifyBody::Dialog(info)) => info.lamp(),
        other => panic!("not a dialog NOTIFY: {other:?}"),
    }
}

/// Registers, subscribes to BLF of 1002 through a challenge, and gets it active
/// and idle. Returns the subscription, the notifier, and the registrar.
pub fn active_blf(h: &mut Harness) -> (SubscriptionId, Notifier, Registrar) {
    // An hour: the registration's refreshes stay out of the way of the transcripts.
    let mut registrar = h.register(3600);
    let id =
        h.ua.subscribe("1002", "dialog", SubscribeOptions::default(), h.now)
            .unwrap();
    h.drain();
    let first = h.take();
    assert_eq!(
        first_line(&first),
        "SUBSCRIBE sip:1002@softphone.test SIP/2.0"
    );
    assert_header(&first, "Event", "dialog");
    assert_eq!(header(&first, "Accept").unwrap(), DIALOG_XML);
    assert_header(&first, "Expires", "600");
    assert!(header(&first, "Contact")
        .unwrap()
        .contains(".invalid;transport=ws>"));
    h.deliver(&registrar.challenge(&first, false));
    let second = h.take();
    registrar.check_auth(&second, PASSWORD);
    assert_eq!(header(&second, "Call-ID"), header(&first, "Call-ID"));
    assert_header(&second, "CSeq", "2 SUBSCRIBE");
    let mut n = Notifier::new(&second, "ast-1");
    h.deliver(&n.ok(&second, 600));
    h.deliver(&n.notify(
        "dialog",
        "active;expires=600",
        Some((DIALOG_XML, &dialog_body(0, "terminated"))),
    ));
    assert_eq!(first_line(&h.take()), "SIP/2.0 200 OK");
    let events = sub_events(h);
    assert_eq!(
        events[0],
        (
            id,
            SubscriptionEvent::State {
                state: SubscriptionState::Active,
                expires: 600
            }
        )
    );
    assert_eq!(lamp(&events[1].1), LampState::Idle);
    assert_eq!(events.len(), 2);
    (id, n, registrar)
}
