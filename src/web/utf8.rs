//! JavaScript strings into wasm memory as UTF-8, with `TextEncoder.encodeInto`.
//!
//! wasm-bindgen's own conversion (`JsValue::as_string`, `&str` parameters) copies a string
//! one UTF-16 unit at a time in a JavaScript loop: about 2.5 microseconds for a 1.3 kB SIP
//! message in Chromium, as long as parsing it. `encodeInto` writes the bytes straight
//! into wasm memory in native code, some twenty times faster. Every message the driver
//! receives as a text frame takes this path.

use std::cell::RefCell;

use js_sys::JsString;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The page's `TextEncoder` class.
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    /// `encoder.encodeInto(source, dest)`: `dest` is a view of wasm memory, written in place.
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, source: &JsString, dest: &mut [u8]) -> EncodeIntoResult;

    /// What `encodeInto` returns: `{ read, written }`.
    type EncodeIntoResult;
    /// How many bytes were written.
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeIntoResult) -> u32;
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
    /// Where strings are encoded: grown to the largest string seen, never cleared, so
    /// that no call pays for zeroing (or allocating) three bytes per UTF-16 unit.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The UTF-8 bytes of `s` (lone surrogates become U+FFFD, as with `TextEncoder`).
pub(crate) fn utf8_bytes(s: &JsString) -> Vec<u8> {
    with_utf8(s, <[u8]>::to_vec)
}

/// Calls `f` with the UTF-8 bytes of `s`, encoded into a buffer kept from call to call.
/// `f` must not call `with_utf8` itself (the buffer is borrowed while it runs).
fn with_utf8<R>(s: &JsString, f: impl FnOnce(&[u8]) -> R) -> R {
    SCRATCH.with_borrow_mut(|buf| {
        // At most three bytes per UTF-16 unit (a surrogate pair is two units, four bytes).
        let max = s.length() as usize * 3;
        if buf.len() < max {
            buf.resize(max, 0);
        }
        let dest = buf.get_mut(..max).unwrap_or_default();
        let written = ENCODER.with(|e| e.encode_into(s, dest).written()) as usize;
        f(buf.get(..written).unwrap_or_default())
    })
}
