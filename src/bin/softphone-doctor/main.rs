//! `softphone-doctor`: why a SIP-over-WebSocket softphone cannot connect, register or
//! get media through, told from outside the browser, on the project's own `sip` and
//! `core` modules (driven by `softphone_core::native`).
//!
//! Steps, each timed, with a verdict and hints: DNS, TCP, TLS (certificate read out),
//! the HTTP upgrade (status line and headers as received: what a browser cannot see),
//! SIP OPTIONS over the socket, REGISTER and unregister through the core's user agent,
//! then the ICE servers (STUN Binding / TURN Allocate per URL and transport, mapping)
//! and the per-network verdicts of `diagnose()`. `--load N` sizes a PBX instead.
//!
//! Exit codes: 0 everything needed for calls works, 1 something does not, 2 usage.
//! The JSON schema of `--json` is in the docs of `report.rs`. Passwords come only from the
//! environment and are never printed. Native only: on wasm32 this is an empty program.
#![forbid(unsafe_code)]

#[cfg(not(target_arch = "wasm32"))]
mod args;
#[cfg(not(target_arch = "wasm32"))]
mod connect;
#[cfg(not(target_arch = "wasm32"))]
mod hints;
#[cfg(not(target_arch = "wasm32"))]
mod ice;
#[cfg(not(target_arch = "wasm32"))]
mod ice_config;
#[cfg(not(target_arch = "wasm32"))]
mod load;
#[cfg(not(target_arch = "wasm32"))]
mod report;
#[cfg(not(target_arch = "wasm32"))]
mod sip;
#[cfg(not(target_arch = "wasm32"))]
mod verdict;

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use std::process::ExitCode;

    let args = match args::parse(std::env::args().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{}", args::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("softphone-doctor: {e}\n\n{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    let url = match softphone_core::native::ws::WsUrl::parse(&args.url) {
        Ok(u) if !args.url.starts_with("http") => u,
        Ok(_) => {
            eprintln!(
                "softphone-doctor: {:?}: give the ws:// or wss:// URL\n\n{}",
                args.url,
                args::USAGE
            );
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("softphone-doctor: {e}\n\n{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("softphone-doctor: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let report = runtime.block_on(run(&args, &url));
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    ExitCode::from(report.exit_code())
}

#[cfg(not(target_arch = "wasm32"))]
async fn run(args: &args::Args, url: &softphone_core::native::ws::WsUrl) -> report::Report {
    use report::{Status, Step};

    let mut report = report::Report {
        url: args.url.clone(),
        ..Default::default()
    };
    if let Some(n) = args.load {
        report.steps.push(load::run(args, n).await);
        return report;
    }
    let (trace, socket) = softphone_core::native::ws::open(url, args.insecure, args.timeout).await;
    report
        .steps
        .extend(connect::steps(url, &trace, args.insecure));
    match socket {
        Some(socket) => {
            let domain = sip::domain(args, &url.host);
            report
                .steps
                .push(sip::options(socket, args, &domain, url.secure).await);
            report.steps.extend(sip::register(args).await);
        }
        None => report.steps.push(Step::new(
            "options",
            Status::Skip,
            None,
            "not tried: no WebSocket",
        )),
    }
    if let Some((step, servers)) = ice::servers(args).await {
        report.steps.push(step);
        let (checks, steps) = ice::probe_all(&servers, args).await;
        report.steps.extend(steps);
        let mut symmetric = None;
        if let Some((step, found)) = ice::mapping(&checks, args.timeout).await {
            report.steps.push(step);
            symmetric = found;
        }
        if !servers.is_empty() {
            report.verdicts = verdict::verdicts(&checks, symmetric);
        }
    }
    report
}
