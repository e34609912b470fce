//! Benchmark-only exports (cargo feature `bench`; never in the shipped package).
//!
//! `scripts/bench.sh` builds this variant into `bench/pkg-bench/` and the benchmark page
//! calls it to measure the SIP parser without the driver around it:
//!
//! ```js
//! const corpus = new BenchCorpus();
//! for (const m of messages) corpus.add(m);   // copied into wasm memory once
//! const checksum = corpus.parseAll(10_000);  // 10,000 rounds over every message, all in wasm
//! benchParseOne(text);                       // one JS -> wasm call per message (UTF-8 copy included)
//! benchParseOneBindgen(text);                // the same with wasm-bindgen's `&str` copy
//! benchMemoryBytes();                        // WebAssembly.Memory byte length
//! ```
//!
//! Every parse also reads what a user agent reads of each message, as JsSIP's parser does
//! eagerly: the typed Via, From, To, Call-ID, CSeq and Contact headers (checked by
//! `Message::parse` itself), the Record-Route set, the Content-Type and the digest
//! challenge of a 401 or 407. The functions return a checksum of what they read so that
//! the optimiser cannot drop the work.

use std::hint::black_box;

use js_sys::{ArrayBuffer, JsString, WebAssembly};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::sip::parse_and_read;

/// A set of SIP messages held in wasm memory, parsed over and over without crossing into
/// JavaScript.
#[wasm_bindgen]
#[derive(Default)]
pub struct BenchCorpus {
    messages: Vec<Vec<u8>>,
}

#[wasm_bindgen]
impl BenchCorpus {
    /// Makes an empty corpus.
    #[wasm_bindgen(constructor)]
    pub fn new() -> BenchCorpus {
        BenchCorpus::default()
    }

    /// Adds one message (its UTF-8 bytes).
    pub fn add(&mut self, message: &str) {
        self.messages.push(message.as_bytes().to_vec());
    }

    /// Parses every message `rounds` times; returns a checksum, or -1 when a message of
    /// the corpus does not parse.
    #[wasm_bindgen(js_name = parseAll)]
    pub fn parse_all(&self, rounds: u32) -> f64 {
        let mut sum = 0u64;
        for _ in 0..rounds {
            for m in &self.messages {
                match parse_and_read(black_box(m)) {
                    Some(v) => sum = sum.wrapping_add(v),
                    None => return -1.0,
                }
            }
        }
        // The low 52 bits are enough for a checksum and survive the f64.
        (sum & ((1 << 52) - 1)) as f64
    }
}

/// Parses one message handed over from JavaScript; returns a checksum, or -1 when it does
/// not parse. The string is copied into wasm memory as UTF-8 the way the driver's
/// WebSocket receive path copies a text frame (`TextEncoder.encodeInto` into a scratch
/// buffer, then into a `Vec` of its own: `web/utf8.rs`).
#[wasm_bindgen(js_name = benchParseOne)]
pub fn bench_parse_one(message: &JsString) -> f64 {
    let bytes = super::utf8::utf8_bytes(message);
    parse_and_read(&bytes).map_or(-1.0, |v| (v & 0xffff_ffff) as f64)
}

/// As `benchParseOne`, with the string copied by wasm-bindgen's `&str` conversion (a
/// JavaScript loop over the UTF-16 units, plus an allocation): what the driver did before
/// it used `encodeInto`.
#[wasm_bindgen(js_name = benchParseOneBindgen)]
pub fn bench_parse_one_bindgen(message: &str) -> f64 {
    parse_and_read(message.as_bytes()).map_or(-1.0, |v| (v & 0xffff_ffff) as f64)
}

/// The byte length of this module's linear memory (`WebAssembly.Memory.buffer`).
#[wasm_bindgen(js_name = benchMemoryBytes)]
pub fn bench_memory_bytes() -> f64 {
    let memory: WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let buffer: ArrayBuffer = memory.buffer().unchecked_into();
    f64::from(buffer.byte_length())
}
