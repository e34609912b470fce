//! Who this user agent is on the wire: its AOR, Contact and Via.
//!
//! A browser has no reachable address, so, like every WebSocket UA (RFC 7118
//! section 5), it invents a host under `.invalid` for Contact and Via and relies on
//! the proxy to route back over the flow. The Contact carries `;ob` and, with an
//! instance id, `+sip.instance` and `reg-id` (RFC 5626).

use super::rng::Rng;
use super::Config;
use crate::sip::{escape_display_name, BuildError, Uri};

/// The user agent's identity, fixed for its lifetime.
#[derive(Debug, Clone)]
pub(crate) struct Local {
    aor: String,
    /// `"Name" <aor>` or `<aor>`: the From of every request.
    pub(crate) from_addr: String,
    /// `sip:domain`: the registrar's Request-URI.
    pub(crate) registrar: String,
    pub(crate) auth_user: String,
    pub(crate) contact_user: String,
    pub(crate) host: String,
    pub(crate) instance: Option<String>,
    pub(crate) reg_id: u32,
    pub(crate) user_agent: String,
}

impl Local {
    pub(crate) fn new(config: &Config, rng: &mut Rng) -> Result<Self, BuildError> {
        let uri = Uri::parse(&config.aor).map_err(|e| BuildError::InvalidUri {
            field: "uri".into(),
            reason: e.to_string(),
        })?;
        let user = uri.user().unwrap_or_default().to_string();
        let registrar = match uri.port() {
            Some(port) => format!("{}:{}:{}", uri.scheme(), uri.host(), port),
            None => format!("{}:{}", uri.scheme(), uri.host()),
        };
        let from_addr = match &config.display_name {
            Some(name) if !name.is_empty() => {
                format!("{} <{}>", escape_display_name(name)?, config.aor)
            }
            _ => format!("<{}>", config.aor),
        };
        Ok(Local {
            aor: config.aor.clone(),
            from_addr,
            registrar,
            auth_user: config.auth_username.clone().unwrap_or(user),
            contact_user: rng.token(8),
            host: format!("{}.invalid", rng.token(12).to_ascii_lowercase()),
            instance: config.instance_id.clone(),
            reg_id: config.reg_id,
            user_agent: config.user_agent.clone(),
        })
    }

    /// The address of record.
    pub(crate) fn aor_uri(&self) -> &str {
        &self.aor
    }

    /// The Contact URI (without angle brackets).
    pub(crate) fn contact_uri(&self) -> String {
        format!("sip:{}@{};transport=ws;ob", self.contact_user, self.host)
    }

    /// The Contact URI of dialogs (INVITE, its 2xx, re-INVITE, REFER), without `;ob`.
    /// With it an RFC 5626 edge proxy puts a flow token into Record-Route, and the
    /// dialog's route set (which never changes) stays pinned to that WebSocket: after a
    /// reconnect no in-dialog request gets through (Kamailio answers 500). Without it
    /// the proxy reaches us through this Contact, aliased to the flow, and the
    /// target-refresh re-INVITE sent after a reconnect moves the dialog to the new flow.
    pub(crate) fn dialog_contact_uri(&self) -> String {
        format!("sip:{}@{};transport=ws", self.contact_user, self.host)
    }

    /// The Contact header value for REGISTER, with the binding's parameters.
    pub(crate) fn register_contact(&self, expires: u32) -> String {
        let mut value = format!("<{}>;+sip.ice", self.contact_uri());
        if let Some(instance) = &self.instance {
            value.push_str(&format!(
                ";reg-id={};+sip.instance=\"<urn:uuid:{instance}>\"",
                self.reg_id
            ));
        }
        value.push_str(&format!(";expires={expires}"));
        value
    }

    /// A Via header value for a new request on a flow (`secure` for wss://).
    pub(crate) fn via(&self, secure: bool, branch: &str) -> String {
        let transport = if secure { "WSS" } else { "WS" };
        format!("SIP/2.0/{transport} {};branch={branch};rport", self.host)
    }
}

/// A new RFC 3261 branch: the magic cookie and 16 random characters.
pub(crate) fn new_branch(rng: &mut Rng) -> String {
    format!("z9hG4bK{}", rng.token(16))
}
