//! What kind of NAT is between this machine and the STUN/TURN servers, judged from the
//! server-reflexive addresses several servers (or several ports of one server) saw for the
//! same local socket. Pure policy: the browser's `diagnose()` and the native
//! `softphone-doctor` gather the observations, this module decides.
//!
//! An endpoint-independent NAT (a home router) gives one socket the same public
//! address and port whichever server it talks to: the far end can answer the mapping a
//! STUN server saw, and direct media works. A symmetric NAT (address- or port-dependent
//! mapping: carrier-grade NATs, many corporate firewalls) gives each destination a new
//! port, so the address learnt from STUN is useless to the far end: direct media fails
//! and calls need a relay (TURN). Telling the two apart needs at least two servers (or
//! ports) that answered from the same local base.
//!
//! Browsers drop a server-reflexive candidate whose address equals one they already have
//! for the same socket, so behind an endpoint-independent NAT two servers give *one*
//! candidate; the count of servers that answered comes from elsewhere (the per-URL
//! probes) and is part of the observation.
//!
//! ```
//! use softphone_core::core::nat::{classify, Mapping, NatObservation, NatMapping};
//!
//! let seen = NatObservation {
//!     answered: 2,
//!     mappings: vec![
//!         Mapping { base: "1".into(), address: "198.51.100.7".into(), port: 40001, server: Some("stun:a:3478".into()) },
//!         Mapping { base: "1".into(), address: "198.51.100.7".into(), port: 52774, server: Some("stun:a:3479".into()) },
//!     ],
//!     no_nat: false,
//! };
//! assert!(matches!(classify(&seen), NatMapping::Symmetric { .. }));
//! ```

/// One server-reflexive address: what one server saw of one local socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// Names the local socket (base) the request left from: the browser's network id and
    /// related port, or the native probe's local address. Mappings are compared only
    /// within one base.
    pub base: String,
    /// The public address the server saw.
    pub address: String,
    /// The public port the server saw.
    pub port: u16,
    /// The server that reported it, when known.
    pub server: Option<String>,
}

/// What a NAT probe observed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NatObservation {
    /// How many distinct STUN endpoints (host and port) answered a binding request.
    pub answered: usize,
    /// The server-reflexive addresses, as the browser (or native probe) reported them.
    pub mappings: Vec<Mapping>,
    /// A server answered with the machine's own address: there is no NAT on the way.
    pub no_nat: bool,
}

/// The verdict on the NAT's mapping behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NatMapping {
    /// No NAT: the servers saw this machine's own address.
    None,
    /// The same public address and port towards every server: direct media can work.
    EndpointIndependent {
        /// The public address and port (`address:port`).
        mapped: String,
        /// How many endpoints agreed.
        servers: usize,
    },
    /// A different public port (or address) per destination: direct media fails, calls
    /// need a relay.
    Symmetric {
        /// The distinct public `address:port` pairs one local socket got.
        mapped: Vec<String>,
    },
    /// Not enough answers to tell.
    Unknown {
        /// Why not, for a person.
        reason: String,
    },
}

impl NatMapping {
    /// `none`, `endpointIndependent`, `symmetric` or `unknown`.
    pub fn name(&self) -> &'static str {
        match self {
            NatMapping::None => "none",
            NatMapping::EndpointIndependent { .. } => "endpointIndependent",
            NatMapping::Symmetric { .. } => "symmetric",
            NatMapping::Unknown { .. } => "unknown",
        }
    }

    /// Whether a relay (TURN) is needed for media to flow at all.
    pub fn needs_relay(&self) -> bool {
        matches!(self, NatMapping::Symmetric { .. })
    }
}

/// Decides the NAT's mapping behaviour from what the probe saw.
///
/// Two distinct public `address:port` pairs for one base mean a symmetric NAT whatever
/// else was seen (an endpoint-independent NAT cannot produce them). One pair per base
/// means an endpoint-independent NAT only when at least two endpoints answered;
/// otherwise the answer is `Unknown`.
pub fn classify(seen: &NatObservation) -> NatMapping {
    let mut bases: Vec<(&str, Vec<String>)> = Vec::new();
    for m in &seen.mappings {
        let pair = if m.address.contains(':') {
            format!("[{}]:{}", m.address, m.port)
        } else {
            format!("{}:{}", m.address, m.port)
        };
        match bases.iter_mut().find(|(b, _)| *b == m.base) {
            Some((_, pairs)) => {
                if !pairs.contains(&pair) {
                    pairs.push(pair);
                }
            }
            None => bases.push((&m.base, vec![pair])),
        }
    }
    if let Some((_, pairs)) = bases.iter().find(|(_, pairs)| pairs.len() > 1) {
        return NatMapping::Symmetric {
            mapped: pairs.clone(),
        };
    }
    if bases.is_empty() {
        if seen.no_nat && seen.answered > 0 {
            return NatMapping::None;
        }
        return NatMapping::Unknown {
            reason: "no STUN server answered: no server-reflexive address to compare".to_owned(),
        };
    }
    if seen.answered < 2 {
        return NatMapping::Unknown {
            reason: "only one STUN endpoint answered: telling a symmetric NAT needs two (two servers, or two ports of one)".to_owned(),
        };
    }
    // One pair per base; report the first base's (every base behaves alike here).
    let mapped = bases
        .first()
        .and_then(|(_, pairs)| pairs.first().cloned())
        .unwrap_or_default();
    NatMapping::EndpointIndependent {
        mapped,
        servers: seen.answered,
    }
}

/// The sentence `diagnose()` and `softphone-doctor` print for a mapping, given whether a
/// relay (any TURN URL) works from this network and over what.
pub fn message(mapping: &NatMapping, relay: Option<&str>) -> String {
    match mapping {
        NatMapping::Symmetric { mapped } => match relay {
            Some(via) => format!(
                "symmetric NAT: direct media will fail, calls need relay; the relay works ({via}); one local socket was seen as {}",
                mapped.join(", ")
            ),
            None => format!(
                "symmetric NAT: direct media will fail, calls need relay; no relay works from this network, so calls will have no audio; one local socket was seen as {}",
                mapped.join(", ")
            ),
        },
        NatMapping::EndpointIndependent { mapped, servers } => format!(
            "endpoint-independent NAT, not a symmetric NAT: {servers} STUN endpoints saw the same address {mapped}; direct media can work"
        ),
        NatMapping::None => "no NAT: the STUN server saw this machine's own address".to_owned(),
        NatMapping::Unknown { reason } => format!("NAT type unknown: {reason}"),
    }
}

/// The mapping a server-reflexive candidate line tells (`candidate:F 1 udp PRIO ADDRESS
/// PORT typ srflx raddr R rport P ... network-id N`, with or without a leading `a=`),
/// from the server `server` when known; `None` for any other candidate, RTCP's
/// component, or a line that does not parse. The base is the browser's network id and
/// the related port (0 when the browser hides local addresses: one socket per network
/// then).
pub fn srflx_mapping(line: &str, server: Option<String>) -> Option<Mapping> {
    let line = line.strip_prefix("a=").unwrap_or(line);
    let words: Vec<&str> = line.split_whitespace().collect();
    let after = |key: &str| {
        words
            .iter()
            .position(|w| *w == key)
            .and_then(|i| words.get(i + 1).copied())
    };
    if after("typ")? != "srflx" {
        return None;
    }
    let component = words.get(1).copied().unwrap_or("1");
    if component != "1" || !words.get(2)?.eq_ignore_ascii_case("udp") {
        return None;
    }
    let address = words.get(4)?.to_string();
    let port: u16 = words.get(5)?.parse().ok()?;
    let base = format!(
        "{}/{}",
        after("network-id").unwrap_or("0"),
        after("rport").unwrap_or("0")
    );
    Some(Mapping {
        base,
        address,
        port,
        server,
    })
}

/// What a session description's own candidates tell of the NAT: the server-reflexive
/// mappings in its `a=candidate` lines. Only a [`NatMapping::Symmetric`] verdict can come
/// of it (the servers that answered are not counted: the browser folds equal mappings
/// into one candidate).
pub fn sdp_observation(sdp: &str) -> NatObservation {
    NatObservation {
        answered: 0,
        mappings: sdp
            .lines()
            .filter(|l| l.starts_with("a=candidate:"))
            .filter_map(|l| srflx_mapping(l.trim_end(), None))
            .collect(),
        no_nat: false,
    }
}
