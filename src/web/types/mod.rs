//! The TypeScript declarations of the configuration and the events, emitted into the
//! wasm-bindgen `.d.ts` beside the `Softphone` class. The event shapes are built in
//! `shapes/`; keep the two in step.
//!
//! The declarations are TypeScript, in TypeScript files, one per seam of the API, and
//! joined here into one custom section, in this order (one section per file would leave
//! their order in the `.d.ts` to the linker):
//!
//! - `config.d.ts`: what `createSoftphone(config)` takes (servers, credentials, log
//!   level, ICE servers, headers, codecs);
//! - `options.d.ts`: the options of the call commands (`call()`, `answer()`, `hangup()`,
//!   `sendDtmf()`, transfer), new credentials, the asserted identity, the media devices;
//! - `call.d.ts`: a call's state, statistics and end cause, the `call` events, the
//!   quality warnings;
//! - `connection.d.ts`: the error codes, the `connection`, `registration` and `log`
//!   events;
//! - `messaging.d.ts`: MESSAGE and subscriptions (options, events, NOTIFY bodies, a live
//!   subscription);
//! - `events.d.ts`: the unions over every event and the typed `on()` of `Softphone` and
//!   `SoftphoneCall`, merged with the generated classes.
//!
//! The files are fragments of one declaration file: a name declared in one is used in
//! the others without an import.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = concat!(
    "\n",
    include_str!("config.d.ts"),
    "\n",
    include_str!("options.d.ts"),
    "\n",
    include_str!("call.d.ts"),
    "\n",
    include_str!("connection.d.ts"),
    "\n",
    include_str!("messaging.d.ts"),
    "\n",
    include_str!("events.d.ts"),
);
