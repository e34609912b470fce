//! Probing one SIP-over-WebSocket server: does the upgrade succeed, how long does it
//! take, and does a SIP OPTIONS come back over it.
//!
//! A throwaway WebSocket (subprotocol `sip`) is opened; once open, an OPTIONS to the
//! domain is sent and the first response with its Call-ID ends the probe. A socket that
//! closes before opening reports code 1006 whatever the cause: the browser hides the
//! HTTP status of a refused upgrade (a 404 on a wrong path, a 502 from a tunnel, a TLS
//! failure, a refused port all look the same), so the result lists the likely causes.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use super::{now_ms, resolver};
use crate::sip::{Message, Method, RequestBuilder};

/// What became of one server.
#[derive(Debug, Clone, PartialEq)]
pub enum WsOutcome {
    /// The upgrade succeeded.
    Open {
        /// ms from `new WebSocket` to `open`.
        open_ms: f64,
        /// The subprotocol the server agreed to (`sip` expected).
        protocol: String,
        /// The OPTIONS round trip: `(status, reason, ms)`, or `None` if none came back.
        options: Option<(u16, String, f64)>,
    },
    /// Closed before it opened.
    ClosedBeforeOpen {
        /// ms until the close.
        after_ms: f64,
        /// The close code (1006 for a refused upgrade).
        code: u16,
    },
    /// Neither opened nor closed within the time allowed.
    NoAnswer,
    /// The browser refused the URL outright (a `SyntaxError`, a blocked port).
    Refused {
        /// The exception's name.
        error: String,
    },
}

#[derive(Default)]
struct State {
    opened_at: Option<f64>,
    options_sent_at: Option<f64>,
    outcome: Option<WsOutcome>,
    protocol: String,
}

/// Probes `url` for at most `budget_ms`; `domain` and `from` make the OPTIONS.
pub async fn probe(url: &str, domain: &str, from: &str, budget_ms: u32) -> WsOutcome {
    let t0 = now_ms();
    let ws = match WebSocket::new_with_str(url, "sip") {
        Ok(ws) => ws,
        Err(e) => {
            return WsOutcome::Refused {
                error: super::error_name(&e),
            }
        }
    };
    ws.set_binary_type(BinaryType::Arraybuffer);
    let (promise, resolve) = resolver();
    let state = Rc::new(RefCell::new(State::default()));
    let call_id = format!("diagnose-{}", random_token());
    let options = options_request(domain, from, &call_id);

    let finish = {
        let state = Rc::clone(&state);
        let resolve = resolve.clone();
        move |outcome: WsOutcome| {
            let mut st = state.borrow_mut();
            if st.outcome.is_none() {
                st.outcome = Some(outcome);
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        }
    };

    let on_open = {
        let (state, ws, finish) = (Rc::clone(&state), ws.clone(), finish.clone());
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            let now = now_ms();
            {
                let mut st = state.borrow_mut();
                st.opened_at = Some(now);
                st.protocol = ws.protocol();
            }
            match &options {
                Some(bytes) if ws.send_with_u8_array(bytes).is_ok() => {
                    state.borrow_mut().options_sent_at = Some(now_ms());
                }
                _ => finish(WsOutcome::Open {
                    open_ms: now - t0,
                    protocol: ws.protocol(),
                    options: None,
                }),
            }
        })
    };
    let on_message = {
        let (state, finish) = (Rc::clone(&state), finish.clone());
        let call_id = call_id.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(bytes) = message_bytes(&e.data()) else {
                return;
            };
            let Ok(msg) = Message::parse(&bytes) else {
                return; // a keepalive or junk
            };
            let Some(status) = msg.status() else { return };
            if msg.header_by_name("Call-ID").as_deref() != Some(call_id.as_str()) {
                return;
            }
            let reason = match msg.start_line() {
                crate::sip::StartLine::Response { reason, .. } => reason.to_string(),
                _ => String::new(),
            };
            let (opened, sent, protocol) = {
                let st = state.borrow();
                (st.opened_at, st.options_sent_at, st.protocol.clone())
            };
            if let (Some(opened), Some(sent)) = (opened, sent) {
                finish(WsOutcome::Open {
                    open_ms: opened - t0,
                    protocol,
                    options: Some((status, reason, now_ms() - sent)),
                });
            }
        })
    };
    let on_close = {
        let (state, finish) = (Rc::clone(&state), finish.clone());
        Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            let (opened, protocol) = {
                let st = state.borrow();
                (st.opened_at, st.protocol.clone())
            };
            match opened {
                None => finish(WsOutcome::ClosedBeforeOpen {
                    after_ms: now_ms() - t0,
                    code: e.code(),
                }),
                Some(opened) => finish(WsOutcome::Open {
                    open_ms: opened - t0,
                    protocol,
                    options: None,
                }),
            }
        })
    };
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));

    let timer = {
        let (state, finish) = (Rc::clone(&state), finish.clone());
        gloo_timers::callback::Timeout::new(budget_ms, move || {
            let (opened, protocol) = {
                let st = state.borrow();
                (st.opened_at, st.protocol.clone())
            };
            finish(match opened {
                None => WsOutcome::NoAnswer,
                Some(opened) => WsOutcome::Open {
                    open_ms: opened - t0,
                    protocol,
                    options: None,
                },
            });
        })
    };
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    drop(timer);
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
    let _ = ws.close_with_code(1000);
    drop((on_open, on_message, on_close));
    let outcome = state.borrow_mut().outcome.take();
    outcome.unwrap_or(WsOutcome::NoAnswer)
}

/// The OPTIONS request, or `None` when the domain or From URI does not make one.
fn options_request(domain: &str, from: &str, call_id: &str) -> Option<Vec<u8>> {
    let branch = format!("z9hG4bK{}", random_token());
    let mut b = RequestBuilder::new(Method::Options, &format!("sip:{domain}")).ok()?;
    b.header(
        "Via",
        &format!(
            "SIP/2.0/WSS {}.invalid;branch={branch}",
            random_token().to_ascii_lowercase()
        ),
    )
    .ok()?
    .header("Max-Forwards", "70")
    .ok()?
    .header("To", &format!("<sip:{domain}>"))
    .ok()?
    .header("From", &format!("<{from}>;tag={}", random_token()))
    .ok()?
    .header("Call-ID", call_id)
    .ok()?
    .header("CSeq", "1 OPTIONS")
    .ok()?
    .header("Accept", "application/sdp")
    .ok()?
    .header(
        "User-Agent",
        concat!("softphone-core/", env!("CARGO_PKG_VERSION"), " diagnose"),
    )
    .ok()?;
    Some(b.build())
}

/// 12 random alphanumerics (not secret: a Call-ID and tags).
fn random_token() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    (0..12)
        .map(|_| {
            let i = (js_sys::Math::random() * ALPHABET.len() as f64) as usize;
            ALPHABET[i.min(ALPHABET.len() - 1)] as char
        })
        .collect()
}

fn message_bytes(data: &JsValue) -> Option<Vec<u8>> {
    if let Some(text) = data.as_string() {
        return Some(text.into_bytes());
    }
    data.dyn_ref::<ArrayBuffer>()
        .map(|buf| Uint8Array::new(buf).to_vec())
}

/// The likely causes of a socket that closed before it opened, most likely first.
pub fn closed_before_open_hints(url: &str, after_ms: f64) -> Vec<String> {
    let mut hints = vec![
        "the browser reports only code 1006 for a refused WebSocket upgrade; it cannot see the HTTP status".to_owned(),
    ];
    let path = url_path(url);
    if path != "/ws" {
        hints.push(format!(
            "check the path: this URL asks for {path:?}, Asterisk and Kamailio usually serve the upgrade on \"/ws\" (wss://host:8089/ws for Asterisk) and answer 404 elsewhere"
        ));
    } else {
        hints.push(
            "check the path: the server may serve the upgrade on another path than \"/ws\""
                .to_owned(),
        );
    }
    if url.starts_with("wss:") {
        hints.push("TLS: the certificate must be valid for this host name (open https://<host>:<port>/ in a tab to see a certificate error)".to_owned());
    }
    hints.push("a tunnel or reverse proxy (Cloudflare Tunnel ingress, nginx) must route this host name and path to the SIP server's WebSocket port and pass the Upgrade header; a 502 from the tunnel also shows as 1006".to_owned());
    if after_ms < 1_000.0 {
        hints.push("it failed fast: the port refused the connection or the server answered the upgrade with an error".to_owned());
    }
    hints.push("to see the real HTTP status, run: curl -i -N -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==' -H 'Sec-WebSocket-Protocol: sip' https://<host>:<port><path>".to_owned());
    hints
}

/// The path of a ws(s) URL (`/` when none).
fn url_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    match rest.find('/') {
        Some(i) => {
            let p = &rest[i..];
            p.split(['?', '#']).next().unwrap_or("/").to_owned()
        }
        None => "/".to_owned(),
    }
}

/// The hints for a socket that never answered.
pub fn no_answer_hints() -> Vec<String> {
    vec![
        "no answer at all: a firewall may drop the connection silently, or the host does not resolve to the server".to_owned(),
        "corporate networks often allow only TCP 443: serve wss:// on 443 (a Cloudflare Tunnel does)".to_owned(),
    ]
}
