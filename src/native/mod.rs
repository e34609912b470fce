//! Native drivers for the sans-IO core (not on wasm32): what `softphone-doctor` is built
//! on, kept free of the doctor's words so another native program could use them.
//!
//! - [`net`]: DNS, TCP and TLS (rustls, `ring`), each step on its own to be timed, with
//!   the server certificate read out ([`net::CertInfo`]).
//! - [`http`]: the HTTP/1.1 a WebSocket upgrade and a JSON GET need, answers kept whole.
//! - [`ws`]: a SIP WebSocket opened step by step ([`ws::open`]), tungstenite framing.
//! - [`driver`]: the [`crate::core::UserAgent`] driven over it on tokio time.
//!
//! The OPTIONS probe is the core's own ([`crate::core::probe`]), as `diagnose()` uses.
//! - [`stun`]: STUN/TURN messages and a sans-IO Binding / Allocate client;
//!   [`ice`] runs it over UDP, TCP or TLS.

pub mod driver;
pub mod http;
pub mod ice;
pub mod net;
pub mod stun;
pub mod ws;
