//! The ICE servers to probe, read from the same JSON shapes the package accepts
//! (`src/web/ice_servers/`): an `RTCIceServer` array, one object (Cloudflare's TURN
//! API), or the `iceServersUrl` answer `{ iceServers, ttl }`. The URL grammar is the
//! package's (RFC 7064 / RFC 7065); the web copy is wasm-only (it reads `JsValue`s), so
//! the rules are restated here over `serde_json` until both share one module.

use serde_json::Value;

use softphone_core::native::ice::Transport;

/// One STUN or TURN URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceUrl {
    /// As written.
    pub raw: String,
    /// `stun`, `stuns`, `turn` or `turns`.
    pub scheme: &'static str,
    /// Host (IPv6 without brackets).
    pub host: String,
    /// Port (3478, or 5349 for TLS, by default).
    pub port: u16,
    /// The transport a browser uses.
    pub transport: Transport,
}

impl IceUrl {
    /// Whether it is TURN.
    pub fn is_turn(&self) -> bool {
        self.scheme.starts_with("turn")
    }

    /// `turn udp 127.0.0.1:3478`, as `diagnose()` labels it.
    pub fn label(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!(
            "{} {} {host}:{}",
            self.scheme,
            transport_name(self.transport),
            self.port
        )
    }

    /// Parses `scheme:host[:port][?transport=udp|tcp]`.
    ///
    /// # Errors
    /// A sentence saying what is wrong.
    pub fn parse(raw: &str) -> Result<IceUrl, String> {
        let raw = raw.trim();
        let (scheme, rest) = raw
            .split_once(':')
            .ok_or_else(|| format!("{raw:?} is not a stun:, stuns:, turn: or turns: URL"))?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "stun" => "stun",
            "stuns" => "stuns",
            "turn" => "turn",
            "turns" => "turns",
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
        let mut transport = if scheme.ends_with('s') {
            Transport::Tls
        } else {
            Transport::Udp
        };
        if let Some(q) = query {
            match (scheme, q.to_ascii_lowercase().as_str()) {
                ("turn", "transport=udp") => transport = Transport::Udp,
                ("turn", "transport=tcp") => transport = Transport::Tcp,
                ("turns", "transport=tcp") => {}
                ("stun" | "stuns", _) => return Err(format!("{raw:?}: a STUN URL takes no query")),
                _ => return Err(format!("{raw:?}: unknown query {q:?}")),
            }
        }
        let (host, port) = if let Some(r) = hostport.strip_prefix('[') {
            let (h, after) = r
                .split_once(']')
                .ok_or_else(|| format!("{raw:?}: an IPv6 address lacks its ']'"))?;
            (h, after.strip_prefix(':'))
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            }
        };
        if host.is_empty() || host.contains(['@', '/', ' ']) {
            return Err(format!(
                "{raw:?}: no host, or one holding '@', '/' or a space"
            ));
        }
        let default = if transport == Transport::Tls {
            5349
        } else {
            3478
        };
        let port = match port {
            None => default,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("{raw:?}: bad port {p:?}"))?,
        };
        Ok(IceUrl {
            raw: raw.to_owned(),
            scheme,
            host: host.to_owned(),
            port,
            transport,
        })
    }
}

/// `udp`, `tcp` or `tls`.
pub fn transport_name(t: Transport) -> &'static str {
    match t {
        Transport::Udp => "udp",
        Transport::Tcp => "tcp",
        Transport::Tls => "tls",
    }
}

/// One `RTCIceServer`.
#[derive(Clone)]
pub struct IceServer {
    /// Its URLs.
    pub urls: Vec<IceUrl>,
    /// The TURN username.
    pub username: Option<String>,
    /// The TURN credential; never printed.
    pub credential: Option<String>,
}

impl std::fmt::Debug for IceServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IceServer({:?}, {:?}, ***)", self.urls, self.username)
    }
}

/// Reads an array, one object, or `{ iceServers, ttl }`.
///
/// # Errors
/// `[i].field: what is wrong`, credentials never quoted.
pub fn parse(value: &Value) -> Result<Vec<IceServer>, String> {
    match value {
        Value::Object(o) if o.contains_key("iceServers") => {
            parse(&o["iceServers"]).map_err(|e| format!("iceServers{e}"))
        }
        Value::Array(list) => list
            .iter()
            .enumerate()
            .map(|(i, v)| server(v).map_err(|e| format!("[{i}].{e}")))
            .collect(),
        Value::Object(_) => Ok(vec![server(value)?]),
        _ => Err("must be an array of { urls, username?, credential? }".to_owned()),
    }
}

fn server(value: &Value) -> Result<IceServer, String> {
    let Value::Object(o) = value else {
        return Err("must be an object { urls, username?, credential? }".to_owned());
    };
    if let Some(k) = o
        .keys()
        .find(|k| !["urls", "username", "credential", "credentialType"].contains(&k.as_str()))
    {
        return Err(format!(
            "unknown field `{k}`, expected urls, username or credential"
        ));
    }
    let raw: Vec<&str> = match o.get("urls") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().ok_or("urls: every URL must be a string"))
            .collect::<Result<_, _>>()?,
        _ => return Err("urls: a URL string or an array of them is needed".to_owned()),
    };
    if raw.is_empty() {
        return Err("urls: at least one URL is needed".to_owned());
    }
    let urls = raw
        .iter()
        .map(|u| IceUrl::parse(u))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("urls: {e}"))?;
    let text = |k: &str| match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{k}: must be a string")),
    };
    let username = text("username")?;
    let credential = text("credential")?;
    if urls.iter().any(IceUrl::is_turn) && (username.is_none() || credential.is_none()) {
        return Err("a TURN server needs both username and credential".to_owned());
    }
    Ok(IceServer {
        urls,
        username,
        credential,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_urls() {
        let one = serde_json::json!({"urls": "stun:stun.example.com"});
        assert_eq!(parse(&one).unwrap()[0].urls[0].port, 3478);
        let answer = serde_json::json!({"iceServers": [{"urls": ["turn:h:443?transport=tcp", "turns:h"], "username": "u", "credential": "c"}], "ttl": 60});
        let s = &parse(&answer).unwrap()[0];
        assert_eq!((s.urls[0].transport, s.urls[0].port), (Transport::Tcp, 443));
        assert_eq!(
            (s.urls[1].transport, s.urls[1].port),
            (Transport::Tls, 5349)
        );
        assert!(parse(&serde_json::json!([{"urls": "turn:h"}]))
            .unwrap_err()
            .contains("needs both"));
        assert!(parse(
            &serde_json::json!([{"urls": "turn://h", "username": "u", "credential": "c"}])
        )
        .is_err());
        assert!(parse(&serde_json::json!([{"url": "stun:h"}]))
            .unwrap_err()
            .starts_with("[0].unknown field"));
        assert_eq!(
            IceUrl::parse("stun:[::1]:9").unwrap().label(),
            "stun udp [::1]:9"
        );
    }
}
