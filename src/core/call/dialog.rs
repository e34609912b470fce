//! Dialogs (RFC 3261 section 12): the state two user agents share for a call,
//! and how requests inside it are built and checked.

use crate::core::local::{new_branch, Local};
use crate::core::rng::Rng;
use crate::sip::{BuildError, Message, Method, NameAddr, RequestBuilder};

/// One dialog, early or confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dialog {
    pub(crate) call_id: String,
    pub(crate) local_tag: String,
    pub(crate) remote_tag: String,
    /// Our From in requests we send (with our tag).
    pub(crate) local_header: String,
    /// Their address in our To (with their tag).
    pub(crate) remote_header: String,
    pub(crate) local_seq: u32,
    pub(crate) remote_seq: Option<u32>,
    /// Where requests go: the peer's Contact URI.
    pub(crate) remote_target: String,
    /// Route header values, in the order they go into requests.
    pub(crate) route_set: Vec<String>,
    /// We sent the INVITE that made it (RFC 3261 section 14.1 glare timing).
    pub(crate) we_called: bool,
}

/// The text of one Record-Route or Route value, as it goes into a Route header.
fn route_value(addr: &NameAddr<'_>) -> String {
    format!("<{}>{}", addr.uri().as_str(), addr.params())
}

/// The Contact URI of a message, if it has exactly one usable Contact.
pub(crate) fn contact_uri(msg: &Message<'_>) -> Option<String> {
    msg.contacts()
        .first()
        .and_then(|c| c.addr())
        .map(|a| a.uri().as_str().to_string())
}

impl Dialog {
    /// The dialog a 1xx (with To tag) or 2xx creates for the INVITE we sent.
    pub(crate) fn as_caller(
        local_header: &str,
        local_tag: &str,
        local_seq: u32,
        response: &Message<'_>,
    ) -> Option<Dialog> {
        let to = response.to();
        let remote_tag = to.tag()?.to_string();
        let to_value = response
            .headers()
            .iter()
            .find(|h| h.known() == Some(crate::sip::HeaderName::To))?
            .value()
            .into_owned();
        let mut route_set: Vec<String> = response
            .record_route()
            .ok()?
            .iter()
            .map(route_value)
            .collect();
        route_set.reverse();
        Some(Dialog {
            call_id: response.call_id().to_string(),
            local_tag: local_tag.to_string(),
            remote_tag,
            local_header: local_header.to_string(),
            remote_header: to_value,
            local_seq,
            remote_seq: None,
            remote_target: contact_uri(response).unwrap_or_default(),
            route_set,
            we_called: true,
        })
    }

    /// The dialog our response to `request` (an INVITE) creates.
    pub(crate) fn as_callee(
        request: &Message<'_>,
        local_tag: &str,
        rng: &mut Rng,
    ) -> Option<Dialog> {
        let value = |name| {
            request
                .headers()
                .iter()
                .find(|h| h.known() == Some(name))
                .map(|h| h.value().into_owned())
        };
        let from = value(crate::sip::HeaderName::From)?;
        let to = value(crate::sip::HeaderName::To)?;
        let route_set = request
            .record_route()
            .ok()?
            .iter()
            .map(route_value)
            .collect();
        Some(Dialog {
            call_id: request.call_id().to_string(),
            local_tag: local_tag.to_string(),
            remote_tag: request.from().tag().unwrap_or("").to_string(),
            local_header: format!("{to};tag={local_tag}"),
            remote_header: from,
            // Our own CSeq space starts anywhere below 2^31 (RFC 3261 section 8.1.1.5).
            local_seq: (rng.next_u64() % 10_000) as u32 + 1,
            remote_seq: Some(request.cseq().seq),
            remote_target: contact_uri(request).unwrap_or_default(),
            route_set,
            we_called: false,
        })
    }

    /// Whether `msg` belongs to this dialog (Call-ID and both tags).
    pub(crate) fn matches_request(&self, msg: &Message<'_>) -> bool {
        msg.call_id() == self.call_id
            && msg.to().tag() == Some(self.local_tag.as_str())
            && msg.from().tag().unwrap_or("") == self.remote_tag
    }

    /// Checks the CSeq of a request from the peer (RFC 3261 section 12.2.2): it must
    /// be higher than the last one, except for ACK and CANCEL which reuse theirs.
    pub(crate) fn accept_remote_seq(&mut self, msg: &Message<'_>) -> bool {
        let cseq = msg.cseq();
        if matches!(cseq.method, Method::Ack | Method::Cancel) {
            return true;
        }
        match self.remote_seq {
            Some(last) if cseq.seq <= last => false,
            _ => {
                self.remote_seq = Some(cseq.seq);
                true
            }
        }
    }

    /// Takes a new remote target from a target-refresh request or its 2xx.
    pub(crate) fn refresh_target(&mut self, msg: &Message<'_>) {
        if let Some(uri) = contact_uri(msg) {
            self.remote_target = uri;
        }
    }

    /// Starts an in-dialog request. ACK reuses `seq` (the INVITE's); other methods
    /// take the next local CSeq. Returns the builder and the branch.
    pub(crate) fn request(
        &mut self,
        method: Method<'_>,
        seq: Option<u32>,
        local: &Local,
        secure: bool,
        rng: &mut Rng,
    ) -> Result<(RequestBuilder, String, u32), BuildError> {
        let seq = match seq {
            Some(seq) => seq,
            None => {
                self.local_seq += 1;
                self.local_seq
            }
        };
        let branch = new_branch(rng);
        let target = if self.remote_target.is_empty() {
            // A peer without Contact: fall back to its address of record.
            NameAddr::parse(&self.remote_header)
                .map(|a| a.uri().as_str().to_string())
                .unwrap_or_default()
        } else {
            self.remote_target.clone()
        };
        let mut b = RequestBuilder::new(method, &target)?;
        b.header("Via", &local.via(secure, &branch))?
            .header("Max-Forwards", "70")?;
        for route in &self.route_set {
            b.header("Route", route)?;
        }
        b.header("From", &self.local_header)?
            .header("To", &self.remote_header)?
            .header("Call-ID", &self.call_id)?
            .header("CSeq", &format!("{seq} {}", method.as_str()))?;
        if method.is_target_refresh() {
            // The one place in-dialog requests are made, so none of them can go out
            // without it: Asterisk answers `400 Missing Contact header` to an UPDATE or
            // NOTIFY without one, and then lets the session expire or the transfer hang.
            b.header("Contact", &format!("<{}>", local.dialog_contact_uri()))?;
        }
        Ok((b, branch, seq))
    }
}
