//! What the ICE probes mean for the networks users call from: the same classes and
//! sentences as the browser's `diagnose()` (`src/web/diagnose/verdict.rs`), plus the
//! symmetric-NAT finding a browser cannot make (it needs one socket and two servers).

use crate::ice::Check;
use crate::report::Verdict;
use softphone_core::native::ice::Transport;

/// The verdicts for the probed URLs; `symmetric` is the mapping step's finding.
pub fn verdicts(checks: &[Check], symmetric: Option<bool>) -> Vec<Verdict> {
    let ok = |f: &dyn Fn(&Check) -> bool| checks.iter().any(|c| c.ok() && f(c));
    let turn = |c: &Check| c.url.is_turn();
    let relay_any = ok(&turn);
    let relay_udp = ok(&|c| turn(c) && c.url.transport == Transport::Udp);
    let relay_tcp = ok(&|c| turn(c) && c.url.transport != Transport::Udp);
    let relay_443 = ok(&|c| turn(c) && c.url.transport != Transport::Udp && c.url.port == 443);
    let relay_tls_443 = ok(&|c| c.url.scheme == "turns" && c.url.port == 443);
    let stun_ok = ok(&|c| !turn(c));
    let udp_tried = checks.iter().any(|c| c.url.transport == Transport::Udp);
    let udp_ok = ok(&|c| c.url.transport == Transport::Udp);
    let tcp_ok = ok(&|c| c.url.transport != Transport::Udp);
    let auth_failed: Vec<String> = checks
        .iter()
        .filter(|c| c.auth_failed())
        .map(|c| c.url.label())
        .collect();
    let v = |network, ok, message: String| Verdict {
        network,
        ok,
        message,
    };

    let mut out = Vec::new();
    if checks.is_empty() {
        out.push(v(
            "thisNetwork",
            false,
            "no STUN or TURN server configured: only host candidates; calls through NAT will fail"
                .into(),
        ));
        return out;
    }
    if !auth_failed.is_empty() {
        out.push(v(
            "thisNetwork",
            false,
            format!(
                "TURN credentials refused (401) by {}: mint fresh ones (TURN REST username <expiry>:<id>, HMAC-SHA1 of the shared secret)",
                auth_failed.join(", ")
            ),
        ));
    }
    if udp_tried && !udp_ok && tcp_ok {
        out.push(v(
            "thisNetwork",
            true,
            "UDP blocked on this network: TURN over TCP/TLS works, calls will be relayed over TCP"
                .into(),
        ));
    } else if !relay_any && !stun_ok {
        out.push(v(
            "thisNetwork",
            false,
            "no STUN or TURN server answered from this network".into(),
        ));
    }
    if symmetric == Some(true) {
        out.push(v(
            "thisNetwork",
            relay_any,
            if relay_any {
                format!(
                    "symmetric NAT on this network: direct media will fail, calls need relay; the relay works (TURN over {})",
                    if relay_udp { "UDP" } else { "TCP/TLS" }
                )
            } else {
                "symmetric NAT on this network: direct media will fail, calls need relay; no relay works, calls will fail".into()
            },
        ));
    }
    out.push(v(
        "homeNat",
        stun_ok || relay_any,
        if stun_ok || relay_any {
            "home NAT: works (server-reflexive or relay candidates)".into()
        } else {
            "home NAT: no server-reflexive or relay candidate; calls may fail".into()
        },
    ));
    out.push(v(
        "udpBlocked",
        relay_tcp,
        if relay_tcp {
            "UDP blocked: TURN over TCP/TLS needed and working".into()
        } else {
            "UDP blocked: no TURN over TCP or TLS works; calls from networks that block UDP will fail".into()
        },
    ));
    out.push(v(
        "tcp443Only",
        relay_443,
        if relay_tls_443 {
            "TCP 443 only: TURN over TLS on 443 needed and working".into()
        } else if relay_443 {
            "TCP 443 only: TURN over TCP on 443 works (TLS on 443 also passes proxies that inspect traffic)".into()
        } else {
            "TCP 443 only: no TURN on port 443 works (add turns:host:443?transport=tcp); calls from TCP-443-only networks will fail".into()
        },
    ));
    out.push(v(
        "symmetricNat",
        relay_any,
        if relay_any {
            format!(
                "mobile / symmetric NAT: relay available ({})",
                if relay_udp { "UDP" } else { "TCP/TLS" }
            )
        } else {
            "no relay: calls from restrictive networks (mobile, symmetric NAT, corporate) will fail"
                .into()
        },
    ));
    out
}
