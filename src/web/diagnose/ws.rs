//! Probing one SIP-over-WebSocket server: does the upgrade succeed, how long does it
//! take, and does a SIP OPTIONS come back over it.
//!
//! A throwaway WebSocket (subprotocol `sip`) is opened; once open, the core's
//! [`OptionsProbe`] makes an OPTIONS to the domain, answers a digest challenge when the
//! phone's credentials are known, and says when its answer has come. A socket that
//! closes before opening reports code 1006 whatever the cause: the browser hides the
//! HTTP status of a refused upgrade (a 404 on a wrong path, a 502 from a tunnel, a TLS
//! failure, a refused port all look the same), so the result lists the likely causes.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use super::{now_ms, resolver};
use crate::core::probe::{OptionsProbe, ProbeCredentials, ProbeOutcome, ProbeStep};

/// What became of one server.
#[derive(Debug, Clone, PartialEq)]
pub enum WsOutcome {
    /// The upgrade succeeded.
    Open {
        /// ms from `new WebSocket` to `open`.
        open_ms: f64,
        /// The subprotocol the server agreed to (`sip` expected).
        protocol: String,
        /// The OPTIONS round trip: what the probe learned and the ms from the first
        /// OPTIONS to the last answer, or `None` if none came back.
        options: Option<(ProbeOutcome, f64)>,
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

/// Probes `url` for at most `budget_ms`; `domain` and `from` make the OPTIONS, and
/// `credentials` (the phone's own) answer a challenge. `seed` feeds the probe's tags.
pub async fn probe(
    url: &str,
    domain: &str,
    from: &str,
    credentials: Option<ProbeCredentials>,
    seed: [u8; 32],
    budget_ms: u32,
) -> WsOutcome {
    let t0 = now_ms();
    let ws = match WebSocket::new_with_str(url, "sip") {
        Ok(ws) => ws,
        Err(e) => {
            return WsOutcome::Refused {
                error: crate::web::error_name(&e),
            }
        }
    };
    ws.set_binary_type(BinaryType::Arraybuffer);
    let (promise, resolve) = resolver();
    let state = Rc::new(RefCell::new(State::default()));
    let sip = Rc::new(RefCell::new(OptionsProbe::new(
        domain,
        from,
        credentials,
        url.starts_with("wss:"),
        seed,
    )));

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
        let sip = Rc::clone(&sip);
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            let now = now_ms();
            {
                let mut st = state.borrow_mut();
                st.opened_at = Some(now);
                st.protocol = ws.protocol();
            }
            let request = sip.borrow_mut().request().ok();
            match request {
                Some(bytes) if ws.send_with_u8_array(&bytes).is_ok() => {
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
        let (state, finish, ws) = (Rc::clone(&state), finish.clone(), ws.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(bytes) = message_bytes(&e.data()) else {
                return;
            };
            // A keepalive, junk or another message: not the probe's answer.
            let step = sip.borrow_mut().on_message(&bytes);
            let outcome = match step {
                None => return,
                Some(ProbeStep::Send(again)) => {
                    if ws.send_with_u8_array(&again).is_ok() {
                        return;
                    }
                    None
                }
                Some(ProbeStep::Done(outcome)) => Some(outcome),
            };
            let (opened, sent, protocol) = {
                let st = state.borrow();
                (st.opened_at, st.options_sent_at, st.protocol.clone())
            };
            if let Some(opened) = opened {
                finish(WsOutcome::Open {
                    open_ms: opened - t0,
                    protocol,
                    options: outcome.map(|o| (o, now_ms() - sent.unwrap_or(opened))),
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
    // A socket refused by the page's Content-Security-Policy (`connect-src`) fires `error`
    // and, in Chromium, never `close`: without this the probe would wait out its budget.
    let on_error = {
        let (state, finish) = (Rc::clone(&state), finish.clone());
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            if state.borrow().opened_at.is_none() {
                finish(WsOutcome::ClosedBeforeOpen {
                    after_ms: now_ms() - t0,
                    code: 1006,
                });
            }
        })
    };
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));

    // I/O mechanics: the probe's own time budget (diagnose()'s `timeout`), no policy.
    let timer = {
        let (state, finish) = (Rc::clone(&state), finish.clone());
        crate::web::timer::after(budget_ms, move || {
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
    ws.set_onerror(None);
    let _ = ws.close_with_code(1000);
    drop((on_open, on_message, on_close, on_error));
    let outcome = state.borrow_mut().outcome.take();
    outcome.unwrap_or(WsOutcome::NoAnswer)
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
