//! Step 5: the ICE servers. Each URL is probed as a browser would reach it (STUN
//! Binding, or TURN Allocate with the long-term credential), all at once; then one UDP
//! socket asks every distinct STUN/TURN address for its mapping (symmetric NAT), and
//! the per-network verdicts follow ([`crate::verdict`]).

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use serde_json::Value;
use softphone_core::core::nat::{self, classify, Mapping, NatMapping, NatObservation};
use softphone_core::native::http;
use softphone_core::native::ice::{self, Probed, Transport};
use softphone_core::native::stun::client::{Outcome, Request};
use softphone_core::native::ws::{self, ms, Trace, WsUrl};

use crate::args::Args;
use crate::ice_config::{self, transport_name, IceServer, IceUrl};
use crate::report::{Status, Step};

/// One URL's result.
#[derive(Debug, Clone)]
pub struct Check {
    /// The URL.
    pub url: IceUrl,
    /// The TURN username (never the credential).
    pub username: Option<String>,
    /// What the probe saw.
    pub result: Probed,
}

impl Check {
    /// It gave what it is for: a mapped address (STUN) or a relayed one (TURN).
    pub fn ok(&self) -> bool {
        matches!(
            (&self.result, self.url.is_turn()),
            (Probed::Done(Outcome::Mapped { .. }), false)
                | (Probed::Done(Outcome::Relayed { .. }), true)
        )
    }

    /// The credentials were refused.
    pub fn auth_failed(&self) -> bool {
        matches!(self.result, Probed::Done(Outcome::AuthFailed { .. }))
    }
}

/// The servers to probe, with the step that says where they came from (`None`: no ICE
/// servers were asked for).
pub async fn servers(args: &Args) -> Option<(Step, Vec<IceServer>)> {
    let t = Instant::now();
    let (source, value) = if let Some(text) = &args.ice_servers {
        (
            "--ice-servers",
            serde_json::from_str::<Value>(text).map_err(|e| format!("not JSON: {e}")),
        )
    } else if let Some(url) = &args.ice_servers_url {
        (
            "--ice-servers-url",
            fetch(url, args.insecure, args.timeout).await,
        )
    } else {
        return None;
    };
    let parsed = value.and_then(|v| ice_config::parse(&v));
    Some(match parsed {
        Ok(list) => {
            let count: usize = list.iter().map(|s| s.urls.len()).sum();
            let step = Step::new(
                "iceServers",
                Status::Ok,
                Some(ms(t)),
                format!("{count} URL(s) from {source}"),
            )
            .fact("source", source)
            .fact("count", count);
            (step, list)
        }
        Err(e) => {
            let step = Step::new("iceServers", Status::Fail, Some(ms(t)), format!("{source}: {e}"))
                .fact("source", source)
                .fact("count", 0)
                .hint("the same shapes as the package's iceServers / iceServersUrl: [{ urls, username?, credential? }] or { iceServers, ttl }");
            (step, Vec::new())
        }
    })
}

/// GETs `url` and parses its body as JSON.
async fn fetch(url: &str, insecure: bool, timeout: Duration) -> Result<Value, String> {
    let u = WsUrl::parse(url).map_err(|e| e.replace("ws:// or wss://", "http(s)://"))?;
    let mut trace = Trace::default();
    let Some(mut stream) = ws::connect_stream(&u, insecure, timeout, &mut trace).await else {
        let why = match (&trace.dns, &trace.tcp, &trace.tls) {
            (Some(Err(e)), _, _) => format!("DNS: {e}"),
            (_, Some(Err(e)), _) => format!("connect: {e}"),
            (_, _, Some(info)) => format!("TLS: {}", info.error.clone().unwrap_or_default()),
            _ => "cannot connect".to_owned(),
        };
        return Err(format!("fetching {url}: {why}"));
    };
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\nConnection: close\r\nUser-Agent: softphone-doctor\r\n\r\n",
        u.path,
        u.host_header()
    );
    let (head, rest) = http::exchange_keep_body(&mut stream, request.as_bytes(), timeout)
        .await
        .map_err(|e| format!("fetching {url}: {e}"))?;
    if head.status != 200 {
        return Err(format!("fetching {url}: {}", head.status_line));
    }
    let body = http::read_body(&mut stream, &head, rest, timeout)
        .await
        .map_err(|e| format!("fetching {url}: {e}"))?;
    serde_json::from_slice(&body).map_err(|e| format!("{url} did not answer JSON: {e}"))
}

/// Probes every URL at once; returns the checks and their steps.
pub async fn probe_all(servers: &[IceServer], args: &Args) -> (Vec<Check>, Vec<Step>) {
    let jobs = servers
        .iter()
        .flat_map(|s| s.urls.iter().map(move |u| (s, u)));
    let runs = jobs.map(|(server, url)| async move {
        let request = match (url.is_turn(), &server.username, &server.credential) {
            (true, Some(username), Some(password)) => Request::Allocate {
                username: username.clone(),
                password: password.clone(),
            },
            _ => Request::Binding,
        };
        let (result, took, addr) = ice::probe(
            &url.host,
            url.port,
            url.transport,
            request,
            args.insecure,
            args.timeout,
        )
        .await;
        let check = Check {
            url: url.clone(),
            username: server.username.clone(),
            result,
        };
        let step = step(&check, took, addr);
        (check, step)
    });
    join_all(runs).await.into_iter().unzip()
}

fn step(c: &Check, took: f64, addr: Option<std::net::SocketAddr>) -> Step {
    let label = c.url.label();
    let (status, result, verdict) = match &c.result {
        Probed::Done(Outcome::Mapped { mapped }) => (Status::Ok, "ok", format!("{label}: mapped address {mapped}")),
        Probed::Done(Outcome::Relayed { relayed, .. }) => (Status::Ok, "ok", format!("{label}: relayed address {relayed}")),
        Probed::Done(Outcome::AuthFailed { realm, reason }) => (
            Status::Fail,
            "authFailed",
            format!("{label}: 401 {reason} again with the credentials: bad username or credential (realm {realm})"),
        ),
        Probed::Done(Outcome::Error { code, reason }) => (Status::Fail, "error", format!("{label}: error {code} {reason}")),
        Probed::Done(Outcome::Malformed(why)) => (Status::Fail, "error", format!("{label}: {why}")),
        Probed::Done(Outcome::Timeout) => (Status::Fail, "timeout", format!("{label}: no answer (timeout)")),
        Probed::Refused(why) => (Status::Fail, "refused", format!("{label}: refused ({why})")),
        Probed::Failed(why) => (Status::Fail, "error", format!("{label}: {why}")),
    };
    let mut step = Step::new("ice", status, Some(took), verdict)
        .fact("url", c.url.raw.clone())
        .fact("scheme", c.url.scheme)
        .fact("transport", transport_name(c.url.transport))
        .fact("address", addr.map(|a| a.to_string()))
        .fact("username", c.username.clone())
        .fact("result", result);
    match &c.result {
        Probed::Done(Outcome::Mapped { mapped }) => step = step.fact("mapped", mapped.to_string()),
        Probed::Done(Outcome::Relayed {
            relayed,
            mapped,
            lifetime,
        }) => {
            step = step
                .fact("relayed", relayed.to_string())
                .fact("mapped", mapped.map(|m| m.to_string()))
                .fact("lifetime", *lifetime);
        }
        Probed::Done(Outcome::Error { code, reason }) => {
            step = step.fact("code", *code).fact("reason", reason.clone())
        }
        _ => {}
    }
    step = match (&c.result, c.url.transport) {
        (Probed::Done(Outcome::AuthFailed { .. }), _) => step.hint(
            "mint fresh credentials: TURN REST username <unix-expiry>:<id>, credential base64(HMAC-SHA1(static-auth-secret, username)); an expired username is refused the same way",
        ),
        (Probed::Done(Outcome::Timeout), Transport::Udp) => {
            step.hint("UDP got no answer: a firewall drops UDP to this port, or nothing listens (over UDP a dead port and a dropped packet can look alike)")
        }
        (Probed::Done(Outcome::Timeout), _) => step.hint("TCP connected but no STUN answer, or SYNs dropped: a firewall, or not a TURN port"),
        (Probed::Refused(_), _) => step.hint(format!("nothing listens on {}:{} ({}): check the port and that the TURN server runs", c.url.host, c.url.port, transport_name(c.url.transport))),
        (Probed::Done(Outcome::Error { code: 437 | 486 | 508, .. }), _) => step.hint("the server refuses the allocation (quota or capacity): check its limits"),
        _ => step,
    };
    step
}

/// The mapping step: one UDP socket, a Binding to each distinct UDP server address.
pub async fn mapping(checks: &[Check], timeout: Duration) -> Option<(Step, Option<bool>)> {
    let mut addrs = Vec::new();
    for c in checks.iter().filter(|c| {
        c.url.transport == Transport::Udp
            && !matches!(c.result, Probed::Refused(_) | Probed::Failed(_))
    }) {
        if let Ok(found) =
            softphone_core::native::net::resolve(&c.url.host, c.url.port, timeout).await
        {
            if !addrs.contains(&found[0]) {
                addrs.push(found[0]);
            }
        }
    }
    if addrs.is_empty() {
        return None;
    }
    let t = Instant::now();
    let seen = ice::mappings(&addrs, timeout).await;
    let mapped: Vec<_> = seen.iter().filter_map(|(_, m)| *m).collect();
    let facts: Vec<Value> = seen
        .iter()
        .map(|(s, m)| serde_json::json!({"server": s.to_string(), "mapped": m.map(|m| m.to_string())}))
        .collect();
    // One socket asked every server: the mappings share one base.
    let observation = NatObservation {
        answered: mapped.len(),
        mappings: mapped
            .iter()
            .map(|m| Mapping {
                base: "udp".to_owned(),
                address: m.ip().to_string(),
                port: m.port(),
                server: None,
            })
            .collect(),
        no_nat: false,
    };
    let kind = classify(&observation);
    let symmetric = match &kind {
        NatMapping::Symmetric { .. } => Some(true),
        NatMapping::EndpointIndependent { .. } => Some(false),
        _ => None,
    };
    let verdict = match &kind {
        NatMapping::Unknown { .. } if mapped.len() == 1 => {
            format!(
                "mapped to {} (one STUN address: the NAT type needs two)",
                mapped[0]
            )
        }
        NatMapping::Unknown { .. } => "no mapping came back over UDP".to_owned(),
        // Whether the relay works is the verdicts' business (they see every check).
        NatMapping::Symmetric { mapped } => format!(
            "symmetric NAT: direct media will fail, calls need relay (one socket was seen as {})",
            mapped.join(", ")
        ),
        other => nat::message(other, None),
    };
    let status = if symmetric == Some(true) {
        Status::Warn
    } else {
        Status::Ok
    };
    Some((
        Step::new("mapping", status, Some(ms(t)), verdict).fact("mappings", facts),
        symmetric,
    ))
}
