//! `--load N`: N user agents (the core's, each with its own WebSocket) register and keep
//! alive from this one process for `--duration`, then unregister. Reports how many were
//! registered at the end, REGISTER latency (start to 200, digest included) p50/p95/max,
//! failures by status, and this process's CPU per UA per minute.
//!
//! Bounded: at most [`crate::args::MAX_LOAD`] agents, starts spread 2 ms apart, each
//! phase under its own deadline. CPU comes from `/proc/self/stat` (utime + stime, in
//! clock ticks of 10 ms, the Linux default), so it counts every thread of the process.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::future::join_all;
use serde_json::{json, Value};
use softphone_core::core::{Config, ConnectionEvent, DisconnectReason, Event, RegistrationEvent};
use softphone_core::native::driver::{Driver, Seen};
use softphone_core::sip::{Secret, Uri};
use tokio::time::Instant;

use crate::args::Args;
use crate::report::{Status, Step};

/// Gap between two agents' starts.
const RAMP: Duration = Duration::from_millis(2);

/// One account.
#[derive(Debug, Clone)]
struct Account {
    uri: String,
    auth_user: Option<String>,
    password: Secret,
}

/// What one agent did.
#[derive(Debug, Default)]
struct Outcome {
    register_ms: Option<f64>,
    first_failure: Option<u16>,
    registered_at_end: bool,
    /// A WebSocket failed to open (or timed out opening) at least once.
    socket_failed: bool,
}

/// Runs the load and returns its step.
pub async fn run(args: &Args, n: usize) -> Step {
    let accounts = match accounts(args, n) {
        Ok(a) => a,
        Err(e) => return Step::new("load", Status::Fail, None, e),
    };
    let cpu0 = cpu_ms();
    let t0 = Instant::now();
    let end = t0 + RAMP * n as u32 + args.duration;
    let agents = accounts
        .into_iter()
        .enumerate()
        .map(|(i, a)| agent(args, a, t0 + RAMP * i as u32, end));
    let outcomes = join_all(agents).await;
    let wall = t0.elapsed();
    let cpu = cpu_ms().zip(cpu0).map(|(b, a)| b - a);
    let mut latencies: Vec<f64> = outcomes.iter().filter_map(|o| o.register_ms).collect();
    latencies.sort_by(f64::total_cmp);
    let mut failures: BTreeMap<String, usize> = BTreeMap::new();
    for status in outcomes.iter().filter_map(|o| o.first_failure) {
        *failures.entry(status.to_string()).or_default() += 1;
    }
    let never = |socket: bool| {
        outcomes
            .iter()
            .filter(|o| {
                o.register_ms.is_none() && o.first_failure.is_none() && o.socket_failed == socket
            })
            .count()
    };
    // No REGISTER result at all: the WebSocket never opened, or REGISTER got no answer.
    for (key, count) in [("noWebSocket", never(true)), ("noAnswer", never(false))] {
        if count > 0 {
            failures.insert(key.into(), count);
        }
    }
    let registered = outcomes.iter().filter(|o| o.registered_at_end).count();
    let minutes = wall.as_secs_f64() / 60.0;
    let per_ua_min = cpu.map(|c| c / n as f64 / minutes);
    let p = |q: f64| {
        (!latencies.is_empty())
            .then(|| latencies[((latencies.len() - 1) as f64 * q).round() as usize])
    };
    let status = if registered == n {
        Status::Ok
    } else {
        Status::Fail
    };
    let mut step = Step::new(
        "load",
        status,
        Some(wall.as_secs_f64() * 1000.0),
        format!(
            "{registered}/{n} registered at the end of {:.0} s; REGISTER p50 {} ms, p95 {} ms; CPU {} ms per UA per minute",
            args.duration.as_secs_f64(),
            p(0.5).map_or("-".into(), |v| format!("{v:.0}")),
            p(0.95).map_or("-".into(), |v| format!("{v:.0}")),
            per_ua_min.map_or("-".into(), |v| format!("{v:.2}")),
        ),
    )
    .fact("uas", n)
    .fact("registered", registered)
    .fact("failures", json!(failures))
    .fact("registerMs", json!({"p50": p(0.5), "p95": p(0.95), "max": latencies.last()}))
    .fact("cpuMs", cpu)
    .fact("cpuMsPerUaPerMinute", per_ua_min)
    .fact("durationS", args.duration.as_secs_f64());
    if !failures.is_empty() {
        step.details
            .push(format!("failures by status: {}", json!(failures)));
    }
    step
}

async fn agent(args: &Args, account: Account, start_at: Instant, end: Instant) -> Outcome {
    let mut out = Outcome::default();
    let mut config = Config::new(account.uri, args.url.clone());
    config.password = Some(account.password);
    config.auth_username = account.auth_user;
    config.connect_timeout = args.timeout * 3;
    config.transaction_timeout = args.timeout * 2;
    let Ok(mut driver) = Driver::new(config, args.insecure, args.timeout * 3) else {
        out.first_failure = Some(0);
        return out;
    };
    driver.record_lines = false;
    tokio::time::sleep_until(start_at).await;
    let t = Instant::now();
    driver.start();
    driver
        .run(end, |e| {
            matches!(
                e,
                Event::Registration(
                    RegistrationEvent::Registered { .. } | RegistrationEvent::Failed { .. }
                )
            )
        })
        .await;
    match first_result(&driver.seen) {
        Some(Ok(())) => out.register_ms = Some(t.elapsed().as_secs_f64() * 1000.0),
        Some(Err(status)) => out.first_failure = Some(status),
        None => {}
    }
    driver.run(end, |_| false).await;
    out.socket_failed = driver.seen.iter().any(|(_, s)| {
        matches!(
            s,
            Seen::Event(Event::Connection(ConnectionEvent::Disconnected {
                reason: DisconnectReason::OpenFailed { .. } | DisconnectReason::ConnectTimeout,
                ..
            }))
        )
    });
    out.registered_at_end = matches!(
        last_registration(&driver.seen),
        Some(RegistrationEvent::Registered { .. })
    );
    driver.stop();
    driver
        .run(Instant::now() + args.timeout * 2, |_| false)
        .await;
    // Events are not needed past this point: drop them so 2000 agents stay small.
    driver.seen.clear();
    out
}

fn first_result(seen: &[(f64, Seen)]) -> Option<Result<(), u16>> {
    seen.iter().find_map(|(_, s)| match s {
        Seen::Event(Event::Registration(RegistrationEvent::Registered { .. })) => Some(Ok(())),
        Seen::Event(Event::Registration(RegistrationEvent::Failed { status, .. })) => {
            Some(Err(*status))
        }
        _ => None,
    })
}

fn last_registration(seen: &[(f64, Seen)]) -> Option<&RegistrationEvent> {
    seen.iter().rev().find_map(|(_, s)| match s {
        Seen::Event(Event::Registration(r)) if !matches!(r, RegistrationEvent::Registering) => {
            Some(r)
        }
        _ => None,
    })
}

fn accounts(args: &Args, n: usize) -> Result<Vec<Account>, String> {
    if let Some(path) = &args.accounts {
        let text = std::fs::read_to_string(path).map_err(|e| format!("--accounts {path}: {e}"))?;
        let value: Value =
            serde_json::from_str(&text).map_err(|e| format!("--accounts {path}: not JSON: {e}"))?;
        let list = value
            .get("accounts")
            .unwrap_or(&value)
            .as_array()
            .ok_or("--accounts: expected an array of accounts")?;
        let domain = value.get("domain").and_then(Value::as_str);
        let mut out = Vec::new();
        for item in list.iter().take(n) {
            let password = item
                .get("password")
                .and_then(Value::as_str)
                .ok_or("--accounts: an account without a password")?;
            let uri = match (
                item.get("uri").and_then(Value::as_str),
                item.get("user").and_then(Value::as_str),
                domain,
            ) {
                (Some(uri), _, _) => uri.to_owned(),
                (None, Some(user), Some(domain)) => format!("sip:{user}@{domain}"),
                _ => {
                    return Err(
                        "--accounts: each account needs uri (or user, with a top-level domain)"
                            .into(),
                    )
                }
            };
            out.push(Account {
                uri,
                auth_user: item
                    .get("authUser")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                password: Secret::new(password),
            });
        }
        if out.len() < n {
            return Err(format!(
                "--accounts {path}: {} accounts, {n} asked for",
                out.len()
            ));
        }
        return Ok(out);
    }
    let (Some(uri), Some(password)) = (&args.uri, &args.password) else {
        return Err("--load needs --accounts, or --uri and --password-env".into());
    };
    let domain = Uri::parse(uri)
        .map_err(|e| format!("--uri: {e}"))?
        .host()
        .to_owned();
    Ok((1..=n)
        .map(|i| Account {
            uri: format!("sip:user{i}@{domain}"),
            auth_user: None,
            password: password.clone(),
        })
        .collect())
}

/// This process's CPU time (user + system), ms, from `/proc/self/stat`.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0)
}
