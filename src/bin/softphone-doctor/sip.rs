//! Step 4: SIP over the socket. An OPTIONS round trip on the socket the upgrade opened,
//! then (with `--uri` and a password) REGISTER with digest and unregister, driven by the
//! project's own sans-IO user agent through the native driver.

use std::time::{Duration, Instant};

use serde_json::Value;
use softphone_core::core::probe::{OptionsProbe, ProbeCredentials, ProbeStep};
use softphone_core::core::{Config, Event, RegistrationEvent};
use softphone_core::native::driver::{Driver, Seen};
use softphone_core::native::ws::{ms, Received, WsSocket};
use softphone_core::sip::Uri;

use crate::args::Args;
use crate::report::{Status, Step};

/// The SIP domain: `--uri`'s host, else the WebSocket URL's host.
pub fn domain(args: &Args, ws_host: &str) -> String {
    args.uri
        .as_deref()
        .and_then(|u| Uri::parse(u).ok().map(|u| u.host().to_owned()))
        .unwrap_or_else(|| {
            ws_host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned()
        })
}

/// The OPTIONS step, over `socket` (closed afterwards).
pub async fn options(mut socket: WsSocket, args: &Args, domain: &str, secure: bool) -> Step {
    let from = args
        .uri
        .clone()
        .unwrap_or_else(|| format!("sip:doctor@{domain}"));
    let credentials = args.password.clone().map(|password| ProbeCredentials {
        username: args
            .auth_user
            .clone()
            .or_else(|| {
                args.uri
                    .as_deref()
                    .and_then(|u| Uri::parse(u).ok()?.user().map(str::to_owned))
            })
            .unwrap_or_else(|| "doctor".to_owned()),
        password,
    });
    let mut seed = [0u8; 32];
    // The probe's Call-ID, tag and branches need only be unique to this socket.
    let _ = getrandom::fill(&mut seed);
    let mut probe = OptionsProbe::new(domain, &from, credentials, secure, seed);
    let request = match probe.request() {
        Ok(r) => r,
        Err(e) => {
            return Step::new(
                "options",
                Status::Fail,
                None,
                format!("cannot build the OPTIONS: {e}"),
            )
        }
    };
    let t = Instant::now();
    let deadline = tokio::time::Instant::now() + args.timeout;
    let mut closed = None;
    let mut answer = None;
    if socket.send(request).await.is_ok() {
        while answer.is_none() {
            match tokio::time::timeout_at(deadline, socket.recv()).await {
                Ok(Received::Data(data)) => {
                    let step = probe.on_message(&data);
                    let sent = match step {
                        Some(ProbeStep::Send(again)) => socket.send(again).await.is_ok(),
                        Some(ProbeStep::Done(outcome)) => {
                            answer = Some(outcome);
                            true
                        }
                        None => true,
                    };
                    if !sent {
                        break;
                    }
                }
                Ok(Received::Closed { code, reason }) => {
                    closed = Some((code, reason));
                    break;
                }
                Err(_) => break,
            }
        }
    }
    let elapsed = ms(t);
    socket.close().await;
    let Some(a) = answer else {
        let mut step = Step::new("options", Status::Fail, Some(elapsed), match &closed {
            Some((code, reason)) => format!("the server closed the WebSocket ({code} {reason}) instead of answering the OPTIONS"),
            None => format!("no answer to the OPTIONS within {:.1} s", args.timeout.as_secs_f64()),
        });
        step = step.hint("the WebSocket opened but nothing answers SIP on it: is the SIP stack behind the proxy up, and does it accept SIP over WebSocket (Asterisk: transport type=ws/wss in pjsip.conf)?");
        return step;
    };
    let server = a
        .server
        .clone()
        .map_or(String::new(), |s| format!(" from {s}"));
    let (status, verdict) = match a.status {
        200..=299 => (Status::Ok, format!("SIP/2.0 {} {}{server}: SIP works over this WebSocket", a.status, a.reason)),
        401 | 407 if a.credentials_refused() => (
            Status::Warn,
            format!("SIP/2.0 {} {}{server} again after answering the challenge: reachable, but the credentials were not accepted for OPTIONS", a.status, a.reason),
        ),
        401 | 407 => (Status::Ok, format!("SIP/2.0 {} {}{server}: reachable, asks for authentication", a.status, a.reason)),
        _ => (Status::Ok, format!("SIP/2.0 {} {}{server}: reachable (the server speaks SIP)", a.status, a.reason)),
    };
    Step::new("options", status, Some(elapsed), verdict)
        .fact("status", a.status)
        .fact("reason", a.reason)
        .fact("server", a.server)
        .fact("challenged", a.challenged)
        .fact("authenticated", a.authenticated)
}

/// The REGISTER and unregister steps, through the core's user agent.
pub async fn register(args: &Args) -> Vec<Step> {
    let (Some(uri), Some(password)) = (&args.uri, &args.password) else {
        let why = if args.uri.is_none() {
            "no --uri"
        } else {
            "no --password-env"
        };
        return vec![Step::new(
            "register",
            Status::Skip,
            None,
            format!("not tried ({why})"),
        )];
    };
    let mut config = Config::new(uri.clone(), args.url.clone());
    config.password = Some(password.clone());
    config.auth_username = args.auth_user.clone();
    config.register_expires = 60;
    config.connect_timeout = args.timeout * 3;
    config.transaction_timeout = args.timeout;
    config.keepalive_interval = Duration::ZERO;
    let mut driver = match Driver::new(config, args.insecure, args.timeout) {
        Ok(d) => d,
        Err(e) => {
            return vec![Step::new(
                "register",
                Status::Fail,
                None,
                format!("--uri: {} {}", e.field, e.reason),
            )]
        }
    };
    let t = Instant::now();
    driver.start();
    let deadline = tokio::time::Instant::now() + args.timeout * 4;
    driver
        .run(deadline, |e| {
            matches!(
                e,
                Event::Registration(
                    RegistrationEvent::Registered { .. } | RegistrationEvent::Failed { .. }
                )
            )
        })
        .await;
    let elapsed = ms(t);
    let transcript = transcript(&driver.seen);
    let mut steps = vec![register_step(&driver.seen, elapsed, &transcript)];
    let registered = steps[0].status == Status::Ok;
    let before_stop = driver.seen.len();
    let t = Instant::now();
    driver.stop();
    driver
        .run(tokio::time::Instant::now() + args.timeout * 2, |_| false)
        .await;
    if registered {
        let answers: Vec<&String> = driver.seen[before_stop..]
            .iter()
            .filter_map(|(_, s)| match s {
                Seen::Line(false, l) if l.starts_with("SIP/2.0 ") => Some(l),
                _ => None,
            })
            .collect();
        let last = answers
            .last()
            .map(|l| l.trim_start_matches("SIP/2.0 ").to_owned());
        let ok = last.as_deref().is_some_and(|l| l.starts_with('2'));
        steps.push(
            Step::new(
                "unregister",
                if ok { Status::Ok } else { Status::Warn },
                Some(ms(t)),
                match &last {
                    Some(l) if ok => format!("{l}: binding removed (Expires: 0)"),
                    Some(l) => {
                        format!("{l} to the un-REGISTER: the binding stays until it expires (60 s)")
                    }
                    None => {
                        "no answer to the un-REGISTER: the binding stays until it expires (60 s)"
                            .to_owned()
                    }
                },
            )
            .fact(
                "status",
                last.and_then(|l| l.split(' ').next().and_then(|c| c.parse::<u16>().ok())),
            ),
        );
    }
    steps
}

fn register_step(seen: &[(f64, Seen)], elapsed: f64, transcript: &[String]) -> Step {
    let event = seen.iter().rev().find_map(|(_, s)| match s {
        Seen::Event(Event::Registration(
            r @ (RegistrationEvent::Registered { .. } | RegistrationEvent::Failed { .. }),
        )) => Some(r.clone()),
        _ => None,
    });
    let challenges = transcript
        .iter()
        .filter(|l| l.contains(" 401 ") || l.contains(" 407 "))
        .count();
    let mut step = match event {
        Some(RegistrationEvent::Registered { expires }) => Step::new(
            "register",
            Status::Ok,
            Some(elapsed),
            format!("registered for {expires} s (digest answered by the core)"),
        )
        .fact("status", 200)
        .fact("expires", expires),
        Some(RegistrationEvent::Failed { status, reason, .. }) => {
            let mut step = Step::new(
                "register",
                Status::Fail,
                Some(elapsed),
                format!("{status} {reason}"),
            )
            .fact("status", status)
            .fact("reason", reason);
            step = match status {
                401 | 407 if challenges >= 2 => step.hint(
                    "challenged again after the digest answer: the password is wrong, or the user is unknown (Asterisk and this Kamailio answer both with 401, never 403: they cannot be told apart from here); check the secret and the auth user (--auth-user) in pjsip.conf",
                ),
                401 | 407 => step.hint("the challenge could not be answered (an unsupported digest algorithm?)"),
                403 => step.hint("403: the server refuses this account (wrong password or auth user on servers that say so, or the From/To user differs from the auth user)"),
                404 => step.hint("404: the registrar does not know this user or domain: check the user part and the domain of --uri"),
                408 => step.hint("no final answer in time: the registrar is slow or the request was lost"),
                503 => step.hint("the core could not keep a WebSocket up to the server (see the steps above)"),
                _ => step,
            };
            step
        }
        _ => Step::new(
            "register",
            Status::Fail,
            Some(elapsed),
            "no registration result in time",
        )
        .hint("the WebSocket could not be opened again, or REGISTER got no answer"),
    };
    step.details = transcript.to_vec();
    step.fact("transcript", Value::from(transcript.to_vec()))
}

/// The first lines of the SIP exchange, `>` sent and `<` received.
fn transcript(seen: &[(f64, Seen)]) -> Vec<String> {
    seen.iter()
        .filter_map(|(at, s)| match s {
            Seen::Line(sent, line) => Some(format!(
                "{:>7.1} ms {} {line}",
                at,
                if *sent { ">" } else { "<" }
            )),
            _ => None,
        })
        .collect()
}
