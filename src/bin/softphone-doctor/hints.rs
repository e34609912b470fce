//! What an answer to the WebSocket upgrade means, in the words of the browser's
//! `diagnose()` where it has them (`src/web/diagnose/ws.rs`), but knowing the status a
//! browser cannot see. Pure functions of the answer, unit-tested below.

use softphone_core::native::http::{Head, HttpError};

use crate::report::Status;

/// Who answered, as far as the headers tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answerer {
    /// Asterisk itself (`Server: Asterisk/...`).
    Asterisk(String),
    /// A tunnel or reverse proxy in front (Cloudflare, nginx...), named.
    Proxy(String),
    /// Something else, or unknown.
    Other,
}

/// Who answered the upgrade.
pub fn answerer(head: &Head) -> Answerer {
    let server = head.header("Server").unwrap_or("");
    let lower = server.to_ascii_lowercase();
    if lower.starts_with("asterisk") {
        return Answerer::Asterisk(server.to_owned());
    }
    for (needle, name) in [
        ("cloudflare", "Cloudflare"),
        ("nginx", "nginx"),
        ("apache", "Apache"),
        ("caddy", "Caddy"),
        ("envoy", "Envoy"),
        ("traefik", "Traefik"),
        ("haproxy", "HAProxy"),
    ] {
        if lower.contains(needle) {
            return Answerer::Proxy(format!("{name} (Server: {server})"));
        }
    }
    if head.header("CF-RAY").is_some() {
        return Answerer::Proxy("Cloudflare (CF-RAY header)".to_owned());
    }
    if let Some(via) = head.header("Via") {
        return Answerer::Proxy(format!("a proxy (Via: {via})"));
    }
    Answerer::Other
}

/// The status, verdict and hints of an upgrade's answer for `path`.
pub fn upgrade(head: &Head, path: &str, bad_accept: bool) -> (Status, String, Vec<String>) {
    let who = answerer(head);
    let line = head.status_line.clone();
    let proxy_name = match &who {
        Answerer::Proxy(name) => Some(name.clone()),
        _ => None,
    };
    let mut hints = Vec::new();
    let verdict = match head.status {
        101 => {
            let protocol = head.header("Sec-WebSocket-Protocol").unwrap_or("");
            if bad_accept {
                hints.push("the Sec-WebSocket-Accept does not match the key sent: something between rewrites the handshake".to_owned());
                return (
                    Status::Fail,
                    format!("{line}, but a wrong Sec-WebSocket-Accept"),
                    hints,
                );
            }
            if !protocol
                .split(',')
                .any(|p| p.trim().eq_ignore_ascii_case("sip"))
            {
                hints.push(format!(
                    "the WebSocket opened without the subprotocol `sip` (Sec-WebSocket-Protocol: {:?}): a browser closes it at once (1006); the server at this path is not a SIP WebSocket, or a proxy strips Sec-WebSocket-Protocol",
                    protocol
                ));
                return (
                    Status::Fail,
                    format!("{line} without subprotocol sip"),
                    hints,
                );
            }
            return (Status::Ok, format!("{line}, subprotocol sip"), hints);
        }
        404 => {
            match &who {
                Answerer::Asterisk(server) => hints.push(format!(
                    "Asterisk answers ({server}), but not at this path: it serves /ws; check http.conf (enabled=yes, and tlsenable for wss) and the tunnel's path"
                )),
                Answerer::Proxy(name) => hints.push(format!(
                    "{name} answers, and the proxy has no route for this host/path: add an ingress rule (Cloudflare Tunnel) or a location (nginx) for {path} that passes the upgrade to the SIP server's WebSocket port"
                )),
                Answerer::Other => hints.push(format!(
                    "the server answers, but not at this path ({path}): Asterisk and Kamailio usually serve the upgrade on \"/ws\" (wss://host:8089/ws for Asterisk) and answer 404 elsewhere"
                )),
            }
            format!("{line}: no WebSocket at {path}")
        }
        502..=504 | 520..=530 => {
            let name = proxy_name.unwrap_or_else(|| "the proxy or tunnel in front".to_owned());
            hints.push(format!(
                "{name} cannot reach its origin: check the origin URL, https to 8089 (Asterisk's TLS port) or http to 8088, and no-TLS-verify (Cloudflare: noTLSVerify) for a self-signed origin"
            ));
            if head.status == 530 {
                hints.push("530 from Cloudflare: the tunnel is down or has no connection to this host name (is cloudflared running?)".to_owned());
            }
            format!("{line}: the proxy in front cannot reach the SIP server")
        }
        400 => {
            hints.push("400 to the upgrade: the server refused the request; Asterisk answers 400 when Sec-WebSocket-Protocol: sip is missing, so a proxy in front may drop it (and Upgrade/Connection)".to_owned());
            format!("{line}: upgrade refused")
        }
        426 => {
            hints.push("426 Upgrade Required: the server saw a plain GET; a proxy in front dropped the Upgrade and Connection headers (nginx: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\")".to_owned());
            format!("{line}: the upgrade did not reach the server")
        }
        401 | 403 | 407 => {
            let who = proxy_name.unwrap_or_else(|| "the server or a proxy".to_owned());
            hints.push(format!(
                "authentication in front of the WebSocket ({who}): a browser cannot answer it for a WebSocket (Cloudflare Access, basic auth, an IP allow-list); exempt this path or the SIP clients"
            ));
            format!("{line}: refused before SIP")
        }
        300..=399 => {
            hints.push(format!(
                "a WebSocket does not follow redirects: use the target, {}",
                head.header("Location").unwrap_or("(no Location header)")
            ));
            format!("{line}: redirected")
        }
        200..=299 => {
            hints.push("the server answered like a web page, not a WebSocket: this path serves HTTP, not the upgrade".to_owned());
            format!("{line}: not a WebSocket")
        }
        _ => {
            if let Some(name) = proxy_name {
                hints.push(format!(
                    "{name} answered; the SIP server behind it may be down or refusing"
                ));
            }
            format!("{line}: upgrade refused")
        }
    };
    hints.push(
        "a browser sees only close code 1006 for this: this is the status it cannot see".to_owned(),
    );
    (Status::Fail, verdict, hints)
}

/// The verdict and hints when no answer to the upgrade was read.
pub fn no_answer(error: &HttpError, secure: bool) -> (String, Vec<String>) {
    match error {
        HttpError::Timeout => (
            "no answer to the upgrade".to_owned(),
            vec!["the server accepted the connection but never answered the HTTP upgrade: a proxy holding the request, or a port that does not speak HTTP".to_owned()],
        ),
        HttpError::Closed { .. } => (
            "the server closed the connection without answering".to_owned(),
            vec![if secure {
                "closed before any HTTP answer: the server may refuse this host name (SNI) or this client".to_owned()
            } else {
                "closed before any HTTP answer: is this a TLS port? use wss:// (Asterisk: 8089 is TLS, 8088 plain)".to_owned()
            }],
        ),
        HttpError::NotHttp { got } => (
            "the answer is not HTTP".to_owned(),
            vec![if got.starts_with("SIP/2.0") {
                "SIP answered, not HTTP: this is a SIP-over-TCP port (5060?), not the WebSocket port".to_owned()
            } else if !secure && got.as_bytes().first() == Some(&0x15) {
                "TLS answered: this is a TLS port; use wss://".to_owned()
            } else {
                "this port speaks another protocol: check the port".to_owned()
            }],
        ),
        HttpError::Io(e) => (format!("the connection failed: {e}"), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use softphone_core::native::http::parse_head;

    fn head(text: &str) -> Head {
        parse_head(text.as_bytes()).unwrap()
    }

    #[test]
    fn asterisk_404_names_the_path_and_http_conf() {
        let (status, verdict, hints) = upgrade(
            &head("HTTP/1.1 404 Not Found\r\nServer: Asterisk/18.19.0\r\n\r\n"),
            "/wss",
            false,
        );
        assert_eq!(status, Status::Fail);
        assert!(verdict.starts_with("HTTP/1.1 404 Not Found"));
        assert!(hints[0].starts_with("Asterisk answers (Asterisk/18.19.0), but not at this path: it serves /ws; check http.conf"));
    }

    #[test]
    fn tunnels_and_proxies() {
        let (_, _, hints) = upgrade(
            &head("HTTP/1.1 404 Not Found\r\nServer: cloudflare\r\nCF-RAY: 1-AMS\r\n\r\n"),
            "/ws",
            false,
        );
        assert!(
            hints[0].contains("the proxy has no route for this host/path"),
            "{hints:?}"
        );
        let (_, verdict, hints) = upgrade(
            &head("HTTP/1.1 530 \r\nServer: cloudflare\r\n\r\n"),
            "/ws",
            false,
        );
        assert!(verdict.contains("cannot reach the SIP server"));
        assert!(hints[0].contains("cannot reach its origin: check the origin URL, https to 8089"));
        let (_, _, hints) = upgrade(
            &head("HTTP/1.1 502 Bad Gateway\r\nServer: nginx/1.22.1\r\n\r\n"),
            "/ws",
            false,
        );
        assert!(hints[0].starts_with("nginx (Server: nginx/1.22.1) cannot reach its origin"));
    }

    #[test]
    fn subprotocol_426_and_auth() {
        let (status, _, hints) = upgrade(
            &head("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"),
            "/ws",
            false,
        );
        assert_eq!(status, Status::Fail);
        assert!(hints[0].contains("without the subprotocol `sip`"));
        let ok = upgrade(
            &head("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Protocol: sip\r\n\r\n"),
            "/ws",
            false,
        );
        assert_eq!(ok.0, Status::Ok);
        assert!(
            upgrade(&head("HTTP/1.1 426 Upgrade Required\r\n\r\n"), "/ws", false).2[0]
                .contains("Upgrade Required")
        );
        assert!(
            upgrade(&head("HTTP/1.1 403 Forbidden\r\n\r\n"), "/ws", false).2[0]
                .starts_with("authentication in front")
        );
        assert!(
            upgrade(&head("HTTP/1.1 400 Bad Request\r\n\r\n"), "/ws", false).2[0]
                .contains("Sec-WebSocket-Protocol")
        );
    }
}
