//! The sans-IO user agent: SIP transactions, registration, keepalive and reconnect
//! policy, as a pure state machine.
//!
//! The core never touches a socket, a clock or a random source. The driver feeds it
//! [`Input`]s with the current [`Instant`], and after **every** input drains
//! [`UserAgent::poll_output`] until it returns `None`, then arms one timer for
//! [`UserAgent::poll_timeout`]. When that timer fires the driver passes
//! [`Input::Timeout`]. Randomness (branches, tags, Call-IDs, cnonces, jitter) comes
//! from a generator seeded at construction, so every run replays exactly.
//!
//! ```
//! use softphone_core::core::{Config, Input, Instant, Output, UserAgent};
//!
//! let config = Config::new("sip:alice@example.com", "wss://pbx.example.com/ws");
//! let mut ua = UserAgent::new(config, [7; 32], Instant::ZERO).unwrap();
//! ua.start(Instant::ZERO);
//! let mut opened = None;
//! while let Some(out) = ua.poll_output() {
//!     if let Output::Connect { id, url } = out {
//!         assert_eq!(url, "wss://pbx.example.com/ws");
//!         opened = Some(id);
//!     }
//! }
//! // The driver opens the WebSocket, then reports it:
//! ua.handle_input(Input::Opened { id: opened.unwrap() }, Instant::from_millis(80));
//! let mut sent_register = false;
//! while let Some(out) = ua.poll_output() {
//!     if let Output::Send { data, .. } = out {
//!         sent_register |= data.starts_with(b"REGISTER ");
//!     }
//! }
//! assert!(sent_register);
//! assert!(ua.poll_timeout().is_some());
//! ```

mod auth;
mod call;
mod config;
mod event;
pub mod headers;
pub mod ice_refresh;
mod ids;
mod input;
mod io;
mod keepalive;
mod local;
pub mod media_prefs;
mod message;
pub mod nat;
mod output;
pub mod prewarm;
pub mod probe;
pub mod quality;
mod reconnect;
mod registration;
mod request;
mod rng;
mod screen;
mod sdp;
pub mod subscription;
mod time;
mod timer;
mod transaction;

pub use auth::Credential;
pub use call::{
    AnswerOptions, AudioLevel, CallError, CallEvent, CallId, CallOptions, CandidateKind, DtlsState,
    DtmfMode, DtmfOptions, EndCause, HoldState, IceState, Identity, IdentitySource,
    IncomingDetails, MediaAction, MediaLoss, MediaSample, NoMedia, NoMediaWhy, ServerOutcome,
    ServerStatus,
};
pub use config::{Config, ConfigError, ServerConfig, WatchdogConfig};
pub use event::{ConnectionEvent, DisconnectReason, Event, LogLevel, RegistrationEvent};
pub use headers::{
    EndOptions, ExtraHeaders, HeaderError, HeaderTarget, ReasonHeader, ReasonProtocol,
};
pub use sdp::{Candidates, Direction, SdpSummary};
pub use time::Instant;
mod ua;

pub use ids::{ConnectionId, MessageId, SubscriptionId};
pub use input::Input;
pub use message::{IncomingMessage, MessageEvent, MessageOptions};
pub use output::{IceServersAction, Output, PrewarmAction};
pub use request::RequestError;
pub use subscription::{NotifyBody, SubscribeOptions, SubscriptionEvent, SubscriptionState};
pub use timer::TimerName;
pub use ua::{ConnectionState, UserAgent};
