//! What the ICE probes mean for the networks users call from.
//!
//! Three classes matter for this product: a home NAT (UDP allowed; STUN or any TURN
//! works), a corporate network that lets only TCP to port 443 out (only TURN over TCP or
//! TLS on port 443 gets through), and a mobile or symmetric NAT (server-reflexive
//! candidates do not connect; a relay of any kind is needed).

use super::IceCheck;
use crate::core::nat::{self, NatMapping};
use crate::web::ice_servers::{IceScheme, IceTransport};

/// The verdict for one class of network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// `homeNat`, `udpBlocked`, `tcp443Only`, `symmetricNat`, or `thisNetwork`.
    pub network: &'static str,
    /// Whether calls from such a network are expected to work.
    pub ok: bool,
    /// One sentence for a person.
    pub message: String,
}

/// The verdicts for the probed URLs and the NAT's mapping behaviour (from
/// [`crate::core::nat::classify`]).
pub fn verdicts(checks: &[IceCheck], mapping: &NatMapping) -> Vec<Verdict> {
    let ok = |f: &dyn Fn(&IceCheck) -> bool| checks.iter().filter(|c| c.ok() && f(c)).count() > 0;
    let configured = |f: &dyn Fn(&IceCheck) -> bool| checks.iter().any(f);
    let is_turn = |c: &IceCheck| c.url.scheme.is_turn();
    let relay_any = ok(&is_turn);
    let relay_udp = ok(&|c| is_turn(c) && c.url.transport == IceTransport::Udp);
    let relay_tcp = ok(&|c| is_turn(c) && c.url.transport != IceTransport::Udp);
    let relay_443 =
        ok(&|c| is_turn(c) && c.url.transport != IceTransport::Udp && c.url.port == 443);
    let relay_tls_443 = ok(&|c| c.url.scheme == IceScheme::Turns && c.url.port == 443);
    let stun_ok = ok(&|c| c.url.scheme == IceScheme::Stun);
    let udp_tried = configured(&|c| c.url.transport == IceTransport::Udp);
    let udp_ok = ok(&|c| c.url.transport == IceTransport::Udp);
    let tcp_ok = ok(&|c| c.url.transport != IceTransport::Udp);
    let auth_failed: Vec<String> = checks
        .iter()
        .filter(|c| c.probe.auth_failed() && !c.ok())
        .map(|c| c.url.label())
        .collect();

    let mut out = Vec::new();
    if checks.is_empty() {
        out.push(Verdict {
            network: "thisNetwork",
            ok: false,
            message: "no STUN or TURN server configured: only host candidates; calls through NAT will fail".to_owned(),
        });
        return out;
    }
    if !auth_failed.is_empty() {
        out.push(Verdict {
            network: "thisNetwork",
            ok: false,
            message: format!(
                "TURN credentials refused (401) by {}: mint fresh ones (TURN REST username <expiry>:<id>, HMAC-SHA1 of the shared secret)",
                auth_failed.join(", ")
            ),
        });
    }
    if udp_tried && !udp_ok && tcp_ok {
        out.push(Verdict {
            network: "thisNetwork",
            ok: true,
            message: "UDP blocked on this network: TURN over TCP/TLS works, calls will be relayed over TCP".to_owned(),
        });
    } else if !relay_any && !stun_ok {
        out.push(Verdict {
            network: "thisNetwork",
            ok: false,
            message: "no STUN or TURN server answered from this network".to_owned(),
        });
    }
    if mapping.needs_relay() {
        let via = relay_any.then_some(if relay_udp {
            "TURN over UDP"
        } else {
            "TURN over TCP/TLS"
        });
        out.push(Verdict {
            network: "thisNetwork",
            ok: relay_any,
            message: nat::message(mapping, via),
        });
    }
    out.push(Verdict {
        network: "homeNat",
        ok: stun_ok || relay_any,
        message: if stun_ok || relay_any {
            "home NAT: works (server-reflexive or relay candidates)".to_owned()
        } else {
            "home NAT: no server-reflexive or relay candidate; calls may fail".to_owned()
        },
    });
    out.push(Verdict {
        network: "udpBlocked",
        ok: relay_tcp,
        message: if relay_tcp {
            "UDP blocked: TURN over TCP/TLS needed and working".to_owned()
        } else {
            "UDP blocked: no TURN over TCP or TLS works; calls from networks that block UDP will fail".to_owned()
        },
    });
    out.push(Verdict {
        network: "tcp443Only",
        ok: relay_443,
        message: if relay_tls_443 {
            "TCP 443 only: TURN over TLS on 443 needed and working".to_owned()
        } else if relay_443 {
            "TCP 443 only: TURN over TCP on 443 works (TLS on 443 also passes proxies that inspect traffic)".to_owned()
        } else {
            "TCP 443 only: no TURN on port 443 works (add turns:host:443?transport=tcp); calls from TCP-443-only networks will fail".to_owned()
        },
    });
    out.push(Verdict {
        network: "symmetricNat",
        ok: relay_any,
        message: if relay_any {
            format!(
                "mobile / symmetric NAT: relay available ({})",
                if relay_udp { "UDP" } else { "TCP/TLS" }
            )
        } else {
            "no relay: calls from restrictive networks (mobile, symmetric NAT, corporate) will fail"
                .to_owned()
        },
    });
    out
}
