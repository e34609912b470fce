//! WebSockets (RFC 7118): subprotocol `sip`, binary type `arraybuffer`.
//!
//! Each socket reports `Opened`, `Received` and `Closed` to the driver through a
//! [`Feeder`]. A socket that fails to open reports `Closed` with the code the browser
//! gives (1006); the browser hides why (a 404 on a wrong path looks the same as a
//! refused port), so no guess is made here.
//!
//! A socket that the page's Content-Security-Policy forbids (`connect-src`) gets an
//! `error` event in Chromium and then no `close` event at all (Chromium 156, checked):
//! without a look at `error`, the flow would wait for the connect timeout. So an `error`
//! before `open`, with the socket already `CLOSED`, is reported as the failed open it is;
//! the `close` that other failures fire next is then ignored (a stale id to the core).

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use super::work::{Feeder, Work};
use crate::core::ConnectionId;

/// One open or opening WebSocket and the handlers attached to it.
pub(crate) struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(web_sys::Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Socket {
    /// Opens a WebSocket to `url` with subprotocol `sip`, reporting as `id`.
    ///
    /// # Errors
    /// The browser's exception when it refuses the URL outright (`SyntaxError`, a
    /// blocked port); the caller reports that as a failed open.
    pub(crate) fn open(url: &str, id: ConnectionId, feeder: &Feeder) -> Result<Socket, JsValue> {
        let ws = WebSocket::new_with_str(url, "sip")?;
        ws.set_binary_type(BinaryType::Arraybuffer);

        let opened = Rc::new(Cell::new(false));
        let f = feeder.clone();
        let seen = Rc::clone(&opened);
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            seen.set(true);
            f.feed(Work::Opened(id));
        });
        let f = feeder.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(data) = message_bytes(&e.data()) {
                f.feed(Work::Received { id, data });
            }
        });
        let f = feeder.clone();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            f.feed(Work::Closed {
                id,
                code: e.code(),
                reason: e.reason(),
            });
        });
        let f = feeder.clone();
        let socket = ws.clone();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            // After `open`, `close` always follows and carries the code: wait for it.
            if !opened.get() && socket.ready_state() == WebSocket::CLOSED {
                f.feed(Work::Closed {
                    id,
                    code: 1006,
                    reason: String::new(),
                });
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
            _on_error: on_error,
        })
    }

    /// Sends one message: a text frame when `data` is UTF-8, else a binary frame.
    ///
    /// # Errors
    /// The browser's exception (the socket is not open yet).
    pub(crate) fn send(&self, data: &[u8]) -> Result<(), JsValue> {
        match std::str::from_utf8(data) {
            Ok(text) => self.ws.send_with_str(text),
            Err(_) => self.ws.send_with_u8_array(data),
        }
    }

    /// Detaches the handlers (no input is reported for this socket afterwards) and
    /// closes it normally.
    pub(crate) fn close(&self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        // Closing a socket that is already closing or closed does nothing.
        let _ = self.ws.close_with_code(1000);
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // The closures die with the socket: make sure the browser cannot call them.
        self.close();
    }
}

/// The bytes of a message: UTF-8 of a text frame, or the contents of a binary one.
fn message_bytes(data: &JsValue) -> Option<Vec<u8>> {
    if let Some(text) = data.dyn_ref::<js_sys::JsString>() {
        // encodeInto: `as_string` would copy the frame one UTF-16 unit at a time in JS.
        return Some(super::utf8::utf8_bytes(text));
    }
    if let Some(buf) = data.dyn_ref::<ArrayBuffer>() {
        return Some(Uint8Array::new(buf).to_vec());
    }
    None
}
