//! The NAT probe the core asks for (`Output::ProbeNat`), carried out with the same
//! one-socket gathering as `diagnose()`'s NAT check ([`crate::web::diagnose::nat`]):
//! every UDP STUN endpoint of the calls' ICE servers (configured and fetched), asked from
//! one local socket. What it saw goes back to the core as `Work::NatObserved`; the core
//! decides what it means (`core::prewarm`, `core::nat::classify`).

use std::rc::Rc;

use super::{MediaSettings, Sink, FIRST_FETCH_BOUND_MS};
use crate::core::nat::NatObservation;
use crate::web::diagnose::nat::{probe, udp_endpoints};
use crate::web::ice_servers::{IceServer, IceUrl};
use crate::web::work::Work;

/// The longest the probe gathers, ms: a STUN answer takes one round trip, and the
/// gathering ends early once every endpoint answered.
const PROBE_BUDGET_MS: u32 = 3_000;

/// Starts NAT probe number `probe`; its answer goes to `sink`.
pub(crate) fn start(settings: Rc<MediaSettings>, probe_no: u32, sink: Sink) {
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(provider) = &settings.provider {
            if provider.fetches() == 0 {
                // Right after start() the iceServersUrl answer may not be in yet.
                let first = provider.first_fetch(FIRST_FETCH_BOUND_MS);
                let _ = wasm_bindgen_futures::JsFuture::from(first).await;
            }
        }
        let endpoints = udp_endpoints(&servers(&settings));
        let mappings = probe(&endpoints, PROBE_BUDGET_MS).await;
        sink(Work::NatObserved {
            probe: probe_no,
            observation: NatObservation {
                // The browser folds equal mappings into one candidate, so the endpoints
                // that answered are not counted: only a symmetric verdict is drawn.
                answered: 0,
                mappings,
                no_nat: false,
            },
        });
    });
}

/// The ICE servers a call's peer connection would be made with, parsed.
fn servers(settings: &MediaSettings) -> Vec<IceServer> {
    let mut out: Vec<IceServer> = settings
        .ice_servers
        .iter()
        .map(|spec| IceServer {
            urls: spec
                .urls
                .iter()
                .filter_map(|u| IceUrl::parse(u).ok())
                .collect(),
            username: None,
            credential: None,
        })
        .collect();
    if let Some(provider) = &settings.provider {
        out.extend(provider.servers());
    }
    out
}
