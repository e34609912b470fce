//! STUN and TURN URLs (RFC 7064, RFC 7065) and `RTCIceServer` entries, checked and
//! classified, with credentials that never print.

use std::fmt;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// `stun:`, `stuns:`, `turn:` or `turns:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IceScheme {
    /// `stun:` (UDP).
    Stun,
    /// `stuns:` (STUN over TLS; browsers do not gather with it).
    Stuns,
    /// `turn:` (UDP, or TCP with `?transport=tcp`).
    Turn,
    /// `turns:` (TURN over TLS over TCP).
    Turns,
}

impl IceScheme {
    /// Whether this is a TURN URL (it gives relay candidates and needs credentials).
    pub fn is_turn(self) -> bool {
        matches!(self, IceScheme::Turn | IceScheme::Turns)
    }
}

/// How the browser reaches the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IceTransport {
    /// UDP.
    Udp,
    /// Plain TCP.
    Tcp,
    /// TLS over TCP (`turns:`).
    Tls,
}

impl IceTransport {
    /// `udp`, `tcp` or `tls`, as `relayProtocol` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            IceTransport::Udp => "udp",
            IceTransport::Tcp => "tcp",
            IceTransport::Tls => "tls",
        }
    }
}

/// One parsed STUN or TURN URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceUrl {
    /// The URL as written (it holds no credential: those travel beside it).
    pub raw: String,
    /// The scheme.
    pub scheme: IceScheme,
    /// The host name or address (IPv6 without brackets).
    pub host: String,
    /// The port, the scheme's default when the URL gives none (3478, or 5349 for TLS).
    pub port: u16,
    /// The transport the browser will use.
    pub transport: IceTransport,
}

impl IceUrl {
    /// Parses `scheme:host[:port][?transport=udp|tcp]`.
    ///
    /// # Errors
    /// A sentence saying what is wrong (unknown scheme, no host, a bad port or transport).
    pub fn parse(raw: &str) -> Result<IceUrl, String> {
        let raw = raw.trim();
        let (scheme, rest) = raw
            .split_once(':')
            .ok_or_else(|| format!("{raw:?} is not a stun:, stuns:, turn: or turns: URL"))?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "stun" => IceScheme::Stun,
            "stuns" => IceScheme::Stuns,
            "turn" => IceScheme::Turn,
            "turns" => IceScheme::Turns,
            _ => return Err(format!("{raw:?}: unknown scheme {scheme:?}")),
        };
        if rest.starts_with("//") {
            return Err(format!(
                "{raw:?}: STUN/TURN URLs have no \"//\" (turn:host:3478)"
            ));
        }
        let (hostport, query) = match rest.split_once('?') {
            Some((h, q)) => (h, Some(q)),
            None => (rest, None),
        };
        let (host, port) = split_host_port(hostport).map_err(|e| format!("{raw:?}: {e}"))?;
        let mut transport = match scheme {
            IceScheme::Stuns | IceScheme::Turns => IceTransport::Tls,
            IceScheme::Stun | IceScheme::Turn => IceTransport::Udp,
        };
        if let Some(query) = query {
            if !scheme.is_turn() {
                return Err(format!("{raw:?}: a STUN URL takes no query"));
            }
            match query.to_ascii_lowercase().as_str() {
                "transport=udp" if scheme == IceScheme::Turn => transport = IceTransport::Udp,
                "transport=tcp" if scheme == IceScheme::Turn => transport = IceTransport::Tcp,
                "transport=tcp" => {} // turns: is always TLS over TCP
                _ => return Err(format!("{raw:?}: unknown query {query:?}")),
            }
        }
        let default_port = if transport == IceTransport::Tls {
            5349
        } else {
            3478
        };
        Ok(IceUrl {
            raw: raw.to_owned(),
            scheme,
            host,
            port: port.unwrap_or(default_port),
            transport,
        })
    }

    /// A short label for reports: `turn udp 127.0.0.1:3478`.
    pub fn label(&self) -> String {
        let scheme = match self.scheme {
            IceScheme::Stun => "stun",
            IceScheme::Stuns => "stuns",
            IceScheme::Turn => "turn",
            IceScheme::Turns => "turns",
        };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{scheme} {} {host}:{}", self.transport.as_str(), self.port)
    }
}

fn split_host_port(s: &str) -> Result<(String, Option<u16>), String> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or("an IPv6 address lacks its ']'")?;
        match after {
            "" => (host, None),
            p => (
                host,
                Some(p.strip_prefix(':').ok_or("junk after the IPv6 address")?),
            ),
        }
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    if host.is_empty() {
        return Err("no host".to_owned());
    }
    if host.contains(['@', '/', ' ']) {
        return Err("the host holds '@', '/' or a space".to_owned());
    }
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => Some(n),
            _ => return Err(format!("bad port {p:?}")),
        },
    };
    Ok((host.to_owned(), port))
}

/// A TURN credential. `Debug` prints `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential(String);

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// One `RTCIceServer`: its URLs and, for TURN, the credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceServer {
    /// The URLs, parsed.
    pub urls: Vec<IceUrl>,
    /// The TURN username (for TURN REST, `<expiry>:<id>`).
    pub username: Option<String>,
    /// The TURN password; never printed.
    pub credential: Option<Credential>,
}

impl IceServer {
    /// Reads one `RTCIceServer` object (`urls` a string or an array of strings).
    ///
    /// # Errors
    /// A sentence naming the problem: a missing or bad URL, TURN without credentials
    /// (the browser would refuse the whole configuration), a value of the wrong type.
    /// Never quotes the credential.
    pub fn from_js(value: &JsValue) -> Result<IceServer, String> {
        if !value.is_object() || Array::is_array(value) {
            return Err("must be an object { urls, username?, credential? }".to_owned());
        }
        for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
            let key = key.as_string().unwrap_or_default();
            if !["urls", "username", "credential", "credentialType"].contains(&key.as_str()) {
                return Err(format!(
                    "unknown field `{key}`, expected urls, username or credential"
                ));
            }
        }
        let get = |k: &str| Reflect::get(value, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let urls_value = get("urls");
        let raw_urls: Vec<String> = if let Some(one) = urls_value.as_string() {
            vec![one]
        } else if Array::is_array(&urls_value) {
            let list: &Array = urls_value.unchecked_ref();
            let mut out = Vec::new();
            for v in list.iter() {
                out.push(v.as_string().ok_or("urls: every URL must be a string")?);
            }
            out
        } else {
            return Err("urls: a URL string or an array of them is needed".to_owned());
        };
        if raw_urls.is_empty() {
            return Err("urls: at least one URL is needed".to_owned());
        }
        let urls = raw_urls
            .iter()
            .map(|u| IceUrl::parse(u))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("urls: {e}"))?;
        let text = |k: &str| -> Result<Option<String>, String> {
            let v = get(k);
            if v.is_undefined() || v.is_null() {
                return Ok(None);
            }
            v.as_string()
                .map(Some)
                .ok_or_else(|| format!("{k}: must be a string"))
        };
        let username = text("username")?;
        let credential = text("credential")?.map(Credential);
        if urls.iter().any(|u| u.scheme.is_turn()) && (username.is_none() || credential.is_none()) {
            return Err("a TURN server needs both username and credential".to_owned());
        }
        Ok(IceServer {
            urls,
            username,
            credential,
        })
    }

    /// The `RTCIceServer` object for an `RTCConfiguration`, credentials included.
    pub fn to_js(&self) -> JsValue {
        let urls: Array = self
            .urls
            .iter()
            .map(|u| JsValue::from_str(&u.raw))
            .collect();
        self.to_js_with_urls(&urls)
    }

    /// The same server reduced to one of its URLs (for probing one URL at a time).
    pub fn to_js_for(&self, url: &IceUrl) -> JsValue {
        let urls: Array = std::iter::once(JsValue::from_str(&url.raw)).collect();
        self.to_js_with_urls(&urls)
    }

    fn to_js_with_urls(&self, urls: &Array) -> JsValue {
        let obj = Object::new();
        // Setting plain properties on a fresh object cannot fail.
        let _ = Reflect::set(&obj, &"urls".into(), urls);
        if let Some(u) = &self.username {
            let _ = Reflect::set(&obj, &"username".into(), &u.into());
        }
        if let Some(Credential(c)) = &self.credential {
            let _ = Reflect::set(&obj, &"credential".into(), &c.into());
        }
        obj.into()
    }

    /// Feeds the URLs, username and credential to `write`, one field at a time, for a
    /// fingerprint that changes when the credentials do (the credential is not kept).
    pub fn fingerprint_into(&self, write: &mut dyn FnMut(&[u8])) {
        for u in &self.urls {
            write(u.raw.as_bytes());
        }
        write(self.username.as_deref().unwrap_or("").as_bytes());
        write(
            self.credential
                .as_ref()
                .map_or("", |c| c.0.as_str())
                .as_bytes(),
        );
    }

    /// Whether any URL is TURN.
    pub fn has_turn(&self) -> bool {
        self.urls.iter().any(|u| u.scheme.is_turn())
    }

    /// Whether any URL is STUN.
    pub fn has_stun(&self) -> bool {
        self.urls.iter().any(|u| !u.scheme.is_turn())
    }
}

/// Reads an array of `RTCIceServer` objects (or one object, as Cloudflare's TURN API
/// returns it).
///
/// # Errors
/// `[i].field: what is wrong`, credentials never quoted.
pub fn parse_ice_servers(value: &JsValue) -> Result<Vec<IceServer>, String> {
    if Array::is_array(value) {
        let list: &Array = value.unchecked_ref();
        list.iter()
            .enumerate()
            .map(|(i, v)| IceServer::from_js(&v).map_err(|e| format!("[{i}].{e}")))
            .collect()
    } else if value.is_object() {
        Ok(vec![IceServer::from_js(value)?])
    } else {
        Err("must be an array of { urls, username?, credential? }".to_owned())
    }
}

/// A one-line summary of a list for logs: URLs and usernames, never credentials.
pub fn describe(servers: &[IceServer]) -> String {
    if servers.is_empty() {
        return "none".to_owned();
    }
    servers
        .iter()
        .map(|s| {
            let urls: Vec<String> = s.urls.iter().map(IceUrl::label).collect();
            match &s.username {
                Some(u) => format!("{} (user {u})", urls.join(", ")),
                None => urls.join(", "),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}
