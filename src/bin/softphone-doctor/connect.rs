//! Steps 1-3: DNS, TCP, TLS and the HTTP upgrade, from the trace of
//! [`softphone_core::native::ws::open`].

use serde_json::{json, Value};
use softphone_core::native::net::TlsInfo;
use softphone_core::native::ws::{Trace, WsUrl};

use crate::hints;
use crate::report::{Status, Step};

/// The steps of one trace, in order; the last one run is the one that failed, if any.
pub fn steps(url: &WsUrl, trace: &Trace, insecure: bool) -> Vec<Step> {
    let mut out = Vec::new();
    let target = format!("{}:{}", url.host, url.port);
    match &trace.dns {
        None => return out,
        Some(Ok(addrs)) => {
            let list: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
            out.push(
                Step::new(
                    "dns",
                    Status::Ok,
                    Some(trace.dns_ms),
                    format!("{} → {}", url.host, list.join(", ")),
                )
                .fact("host", url.host.clone())
                .fact("addresses", list),
            );
        }
        Some(Err(e)) => {
            out.push(
                Step::new("dns", Status::Fail, Some(trace.dns_ms), format!("{} does not resolve: {e}", url.host))
                    .fact("host", url.host.clone())
                    .fact("addresses", Vec::<String>::new())
                    .hint("check the spelling and the DNS record (a Cloudflare Tunnel host name needs its CNAME to <tunnel-id>.cfargotunnel.com)"),
            );
            return out;
        }
    }
    match &trace.tcp {
        None => return out,
        Some(Ok(addr)) => out.push(
            Step::new(
                "tcp",
                Status::Ok,
                Some(trace.tcp_ms),
                format!("connected to {addr}"),
            )
            .fact("address", addr.to_string()),
        ),
        Some(Err(e)) => {
            let refused = e.contains("refused");
            let mut step = Step::new(
                "tcp",
                Status::Fail,
                Some(trace.tcp_ms),
                format!("cannot connect to {target}: {e}"),
            )
            .fact("address", Value::Null)
            .fact("error", e.clone());
            step = if refused {
                step.hint(format!("nothing listens on {target} (connection refused): check the port (Asterisk: 8088 ws, 8089 wss; Kamailio: its websocket listen) and that the server runs"))
            } else {
                step.hint("no answer: a firewall drops the connection silently, or the address is wrong")
                    .hint("corporate networks often allow only TCP 443: serve wss:// on 443 (a Cloudflare Tunnel does)")
            };
            out.push(step);
            return out;
        }
    }
    if let Some(info) = &trace.tls {
        let failed = out_tls(&mut out, &url.host, info, trace.tls_ms, insecure);
        if failed {
            return out;
        }
    }
    match &trace.upgrade {
        None => {}
        Some(Ok(head)) => {
            let (status, verdict, hints) = hints::upgrade(head, &url.path, trace.bad_accept);
            let mut step = Step::new("upgrade", status, Some(trace.upgrade_ms), verdict)
                .fact("statusLine", head.status_line.clone())
                .fact("status", head.status)
                .fact(
                    "headers",
                    head.headers
                        .iter()
                        .map(|(n, v)| json!([n, v]))
                        .collect::<Vec<_>>(),
                )
                .fact("body", head.body.clone())
                .fact(
                    "protocol",
                    head.header("Sec-WebSocket-Protocol").map(str::to_owned),
                );
            step.details.push(head.status_line.clone());
            step.details
                .extend(head.headers.iter().map(|(n, v)| format!("{n}: {v}")));
            if !head.body.is_empty() {
                let body: String = head.body.split_whitespace().collect::<Vec<_>>().join(" ");
                step.details.push(format!(
                    "body: {}",
                    body.chars().take(160).collect::<String>()
                ));
            }
            step.hints = hints;
            out.push(step);
        }
        Some(Err(e)) => {
            let (verdict, hints) = hints::no_answer(e, url.secure);
            let mut step = Step::new("upgrade", Status::Fail, Some(trace.upgrade_ms), verdict)
                .fact("error", e.to_string());
            step.hints = hints;
            out.push(step);
        }
    }
    out
}

/// The TLS step; true when it failed (nothing after it ran).
fn out_tls(out: &mut Vec<Step>, host: &str, info: &TlsInfo, ms: f64, insecure: bool) -> bool {
    let cert = info.cert.clone().unwrap_or_default();
    let refused = info.refused.clone();
    let handshake_ok = info.error.is_none();
    let status = match (handshake_ok, &refused) {
        (false, _) => Status::Fail,
        (true, Some(_)) => Status::Warn,
        (true, None) => Status::Ok,
    };
    let verdict = match (&info.error, &refused) {
        (None, None) => format!(
            "{} certificate for {} valid for {} more days",
            info.protocol,
            cert.names.join(", "),
            cert.days_left
        ),
        (None, Some(why)) => format!(
            "{}: certificate refused ({why}), going on because of --insecure",
            info.protocol
        ),
        (Some(e), _) if info.cert.is_some() => format!("certificate refused: {e}"),
        (Some(e), _) => format!("TLS handshake failed: {e}"),
    };
    let mut step = Step::new("tls", status, Some(ms), verdict)
        .fact("protocol", info.protocol.clone())
        .fact("subject", cert.subject.clone())
        .fact("issuer", cert.issuer.clone())
        .fact("names", cert.names.clone())
        .fact("notBefore", cert.not_before.clone())
        .fact("notAfter", cert.not_after.clone())
        .fact("daysLeft", cert.days_left)
        .fact("selfSigned", cert.self_signed)
        .fact("refused", refused.clone())
        .fact("error", info.error.clone());
    if info.cert.is_some() {
        step.details.push(format!("subject: {}", cert.subject));
        step.details.push(format!("issuer:  {}", cert.issuer));
        step.details
            .push(format!("names:   {}", cert.names.join(", ")));
        step.details.push(format!(
            "valid:   {} to {}",
            cert.not_before, cert.not_after
        ));
    }
    if let Some(why) = refused.as_deref().or(info.error.as_deref()) {
        let lower = why.to_ascii_lowercase();
        if cert.self_signed || lower.contains("unknownissuer") || lower.contains("not a known ca") {
            step = step.hint(if cert.self_signed {
                "the certificate is self-signed: a browser refuses it and the WebSocket closes with 1006; use one from a public CA (Let's Encrypt), or a tunnel that terminates TLS"
            } else {
                "the issuer is not a known CA: a private CA, or the server does not send its intermediate certificates (send the full chain)"
            });
        }
        // webpki reports the chain before the name: compare the names here as well.
        if lower.contains("notvalidforname") || !names_match(&cert.names, host) {
            step = step.hint(format!(
                "the certificate is for {}, not {host}: the browser refuses it",
                cert.names.join(", ")
            ));
        }
        if lower.contains("expired") || cert.days_left < 0 {
            step = step.hint(format!(
                "the certificate expired on {}: renew it",
                cert.not_after
            ));
        }
        if !insecure && handshake_ok.then_some(()).is_none() && info.cert.is_some() {
            step = step.hint("to go on with the other checks anyway, run again with --insecure (a browser will still refuse)");
        }
    } else if cert.days_left < 14 && info.cert.is_some() {
        step.status = Status::Warn;
        step = step.hint(format!(
            "the certificate expires in {} days: renew it",
            cert.days_left
        ));
    }
    let failed = step.status == Status::Fail;
    out.push(step);
    failed
}

/// Whether `host` is one of `names` (a `*.` wildcard covers one label).
fn names_match(names: &[String], host: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    names.iter().any(|n| {
        let n = n.to_ascii_lowercase();
        match n.strip_prefix("*.") {
            Some(suffix) => host.split_once('.').is_some_and(|(_, rest)| rest == suffix),
            None => n == host,
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn names() {
        let names = vec!["*.example.com".to_owned(), "127.0.0.1".to_owned()];
        assert!(super::names_match(&names, "pbx.example.com"));
        assert!(!super::names_match(&names, "a.pbx.example.com"));
        assert!(!super::names_match(&names, "example.com"));
        assert!(super::names_match(&names, "127.0.0.1"));
    }
}
