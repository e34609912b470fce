//! A SIP WebSocket (RFC 7118) opened step by step: DNS, TCP, TLS, then the HTTP upgrade
//! by hand (so a refusal is read whole), then tungstenite's framing over the stream.
//!
//! [`open`] runs all the steps and records each ([`Trace`]); the doctor reports the
//! trace, the driver ([`super::driver`]) only needs the socket.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use sha1::{Digest, Sha1};
use tokio_tungstenite::tungstenite::protocol::{Message as WsMessage, Role};
use tokio_tungstenite::WebSocketStream;

use super::http::{self, base64, Head, HttpError};
use super::net::{self, Stream, TlsInfo};

/// A `ws:` or `wss:` URL, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsUrl {
    /// `wss:` (TLS) or `ws:`.
    pub secure: bool,
    /// The host (IPv6 with brackets, as written).
    pub host: String,
    /// The port (80/443 by default).
    pub port: u16,
    /// The path and query, `/` when none.
    pub path: String,
}

impl WsUrl {
    /// Parses `ws[s]://host[:port][/path]` (also `http[s]://`, for the ICE servers URL).
    ///
    /// # Errors
    /// A sentence naming what is wrong.
    pub fn parse(url: &str) -> Result<WsUrl, String> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| format!("{url:?} is not a ws:// or wss:// URL"))?;
        let secure = match scheme.to_ascii_lowercase().as_str() {
            "wss" | "https" => true,
            "ws" | "http" => false,
            other => {
                return Err(format!(
                    "{url:?}: unknown scheme {other:?}, expected ws or wss"
                ))
            }
        };
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_owned()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, "/".to_owned()),
        };
        let path = path.split('#').next().unwrap_or("/").to_owned();
        if authority.contains('@') {
            return Err(format!("{url:?}: no user info in a WebSocket URL"));
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !p.contains(']') => {
                let port = p
                    .parse::<u16>()
                    .map_err(|_| format!("{url:?}: bad port {p:?}"))?;
                (h, port)
            }
            _ => (authority, if secure { 443 } else { 80 }),
        };
        if host.is_empty() {
            return Err(format!("{url:?}: no host"));
        }
        Ok(WsUrl {
            secure,
            host: host.to_owned(),
            port,
            path,
        })
    }

    /// `host:port` for the Host header (the port only when it is not the default).
    pub fn host_header(&self) -> String {
        if self.port == if self.secure { 443 } else { 80 } {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// What each step of [`open`] did and how long it took (ms).
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// The addresses DNS gave, or its error.
    pub dns: Option<Result<Vec<std::net::SocketAddr>, String>>,
    /// ms of the DNS step.
    pub dns_ms: f64,
    /// The address connected to, or the error.
    pub tcp: Option<Result<std::net::SocketAddr, String>>,
    /// ms of the TCP step.
    pub tcp_ms: f64,
    /// The TLS handshake (wss only).
    pub tls: Option<TlsInfo>,
    /// ms of the TLS step.
    pub tls_ms: f64,
    /// The upgrade's answer, or why none was read.
    pub upgrade: Option<Result<Head, HttpError>>,
    /// ms of the upgrade step.
    pub upgrade_ms: f64,
    /// A 101 whose `Sec-WebSocket-Accept` is wrong.
    pub bad_accept: bool,
}

/// An open SIP WebSocket.
pub struct WsSocket {
    inner: WebSocketStream<Stream>,
}

impl std::fmt::Debug for WsSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WsSocket")
    }
}

/// What [`WsSocket::recv`] got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A text or binary message.
    Data(Vec<u8>),
    /// The socket closed, with the close code (1006 when it just went away).
    Closed {
        /// The close code.
        code: u16,
        /// The close reason.
        reason: String,
    },
}

impl WsSocket {
    /// Sends one message: text when it is UTF-8, binary otherwise.
    ///
    /// # Errors
    /// The socket is gone.
    pub async fn send(&mut self, data: Vec<u8>) -> Result<(), String> {
        let msg = match String::from_utf8(data) {
            Ok(text) => WsMessage::text(text),
            Err(e) => WsMessage::binary(e.into_bytes()),
        };
        self.inner.send(msg).await.map_err(|e| e.to_string())
    }

    /// Waits for the next message (pings are answered by tungstenite on the next write
    /// or flush, which this does at once).
    pub async fn recv(&mut self) -> Received {
        loop {
            match self.inner.next().await {
                Some(Ok(WsMessage::Text(t))) => return Received::Data(t.as_bytes().to_vec()),
                Some(Ok(WsMessage::Binary(b))) => return Received::Data(b.to_vec()),
                Some(Ok(WsMessage::Close(frame))) => {
                    return Received::Closed {
                        code: frame.as_ref().map_or(1005, |f| u16::from(f.code)),
                        reason: frame.map(|f| f.reason.to_string()).unwrap_or_default(),
                    }
                }
                Some(Ok(_)) => {
                    let _ = self.inner.flush().await;
                }
                Some(Err(_)) | None => {
                    return Received::Closed {
                        code: 1006,
                        reason: String::new(),
                    }
                }
            }
        }
    }

    /// Closes with code 1000 (bounded: a peer that does not answer is left).
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_millis(500), self.inner.close(None)).await;
    }
}

/// Opens `url` with subprotocol `sip`, each step bounded by `timeout`. The trace comes
/// back whatever happened; the socket only when the upgrade succeeded with `sip`.
pub async fn open(url: &WsUrl, insecure: bool, timeout: Duration) -> (Trace, Option<WsSocket>) {
    let mut trace = Trace::default();
    let Some(stream) = connect_stream(url, insecure, timeout, &mut trace).await else {
        return (trace, None);
    };
    let socket = upgrade(stream, url, timeout, &mut trace).await;
    (trace, socket)
}

/// DNS, TCP and (for a secure URL) TLS, recorded in `trace`.
pub async fn connect_stream(
    url: &WsUrl,
    insecure: bool,
    timeout: Duration,
    trace: &mut Trace,
) -> Option<Stream> {
    let t = Instant::now();
    let dns = net::resolve(&url.host, url.port, timeout).await;
    trace.dns_ms = ms(t);
    let addrs = match dns {
        Ok(a) => {
            trace.dns = Some(Ok(a.clone()));
            a
        }
        Err(e) => {
            trace.dns = Some(Err(e.to_string()));
            return None;
        }
    };
    let t = Instant::now();
    let tcp = net::connect(&addrs, timeout).await;
    trace.tcp_ms = ms(t);
    let tcp = match tcp {
        Ok((s, addr)) => {
            trace.tcp = Some(Ok(addr));
            s
        }
        Err(e) => {
            trace.tcp = Some(Err(e.to_string()));
            return None;
        }
    };
    if !url.secure {
        return Some(Stream::Plain(tcp));
    }
    let t = Instant::now();
    let (stream, info) = net::tls(tcp, &url.host, insecure, timeout).await;
    trace.tls_ms = ms(t);
    trace.tls = Some(info);
    stream
}

async fn upgrade(
    mut stream: Stream,
    url: &WsUrl,
    timeout: Duration,
    trace: &mut Trace,
) -> Option<WsSocket> {
    let mut key = [0u8; 16];
    // Not a secret: the key only proves the server read this request.
    let _ = getrandom::fill(&mut key);
    let key = base64(&key);
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\
         Origin: {}://{}\r\nUser-Agent: softphone-doctor/{}\r\n\r\n",
        url.path,
        url.host_header(),
        if url.secure { "https" } else { "http" },
        url.host_header(),
        env!("CARGO_PKG_VERSION"),
    );
    let t = Instant::now();
    let answer = http::exchange(&mut stream, request.as_bytes(), timeout).await;
    trace.upgrade_ms = ms(t);
    let (head, early) = match answer {
        Ok(a) => a,
        Err(e) => {
            trace.upgrade = Some(Err(e));
            return None;
        }
    };
    let ok = head.status == 101
        && head
            .header("Sec-WebSocket-Protocol")
            .is_some_and(|p| p.split(',').any(|p| p.trim().eq_ignore_ascii_case("sip")));
    trace.bad_accept = head.status == 101
        && head.header("Sec-WebSocket-Accept") != Some(accept_for(&key).as_str());
    trace.upgrade = Some(Ok(head));
    if !ok || trace.bad_accept {
        return None;
    }
    // A server may speak first: bytes read past the 101 are the start of its frames.
    let inner = WebSocketStream::from_partially_read(stream, early, Role::Client, None).await;
    Some(WsSocket { inner })
}

/// The `Sec-WebSocket-Accept` a server must answer `key` with (RFC 6455 section 4.2.2).
pub fn accept_for(key: &str) -> String {
    let mut h = Sha1::new();
    h.update(key.as_bytes());
    h.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64(&h.finalize())
}

/// Milliseconds since `t`, to 0.1 ms.
pub fn ms(t: Instant) -> f64 {
    (t.elapsed().as_secs_f64() * 10_000.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = WsUrl::parse("wss://pbx.example.com/ws").unwrap();
        assert_eq!(
            (u.secure, u.host.as_str(), u.port, u.path.as_str()),
            (true, "pbx.example.com", 443, "/ws")
        );
        let u = WsUrl::parse("ws://127.0.0.1:8088").unwrap();
        assert_eq!(
            (u.port, u.path.as_str(), u.host_header().as_str()),
            (8088, "/", "127.0.0.1:8088")
        );
        let u = WsUrl::parse("ws://[::1]:80?x=1").unwrap();
        assert_eq!((u.host.as_str(), u.path.as_str()), ("[::1]", "/?x=1"));
        assert!(WsUrl::parse("sip:alice@example.com").is_err());
        assert!(WsUrl::parse("ftp://x/").is_err());
    }

    #[test]
    fn rfc6455_accept() {
        assert_eq!(
            accept_for("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }
}
