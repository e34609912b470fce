//! Runs a [`super::stun::client::Probe`] over UDP, TCP or TLS, as a browser reaches a STUN or
//! TURN server, and tells a refusal (ICMP port unreachable, TCP reset) from silence.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UdpSocket;

use super::net::{self, Stream};
use super::stun::client::{Outcome, Probe, Request};
use super::stun::frame_len;

/// How the server is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// UDP.
    Udp,
    /// TCP.
    Tcp,
    /// TLS over TCP.
    Tls,
}

/// What became of one probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probed {
    /// The STUN transaction ended (success, error response, or no answer in time).
    Done(Outcome),
    /// The server refused: a TCP reset, or ICMP port unreachable over UDP.
    Refused(String),
    /// DNS, the TLS handshake or the socket failed.
    Failed(String),
}

/// Probes `host:port` over `transport`, within `timeout` in all. Returns the result,
/// the ms it took, and the address probed.
pub async fn probe(
    host: &str,
    port: u16,
    transport: Transport,
    request: Request,
    insecure: bool,
    timeout: Duration,
) -> (Probed, f64, Option<SocketAddr>) {
    let t = Instant::now();
    let addrs = match net::resolve(host, port, timeout).await {
        Ok(a) => a,
        Err(e) => return (Probed::Failed(format!("DNS: {e}")), super::ws::ms(t), None),
    };
    let addr = addrs[0];
    let result = match transport {
        Transport::Udp => udp(addr, request, timeout).await,
        Transport::Tcp | Transport::Tls => match net::connect(&[addr], timeout).await {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                Probed::Refused(e.to_string())
            }
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => Probed::Done(Outcome::Timeout),
            Err(e) => Probed::Failed(e.to_string()),
            Ok((tcp, _)) => {
                let stream = if transport == Transport::Tls {
                    match net::tls(tcp, host, insecure, timeout).await {
                        (Some(s), _) => s,
                        (None, info) => {
                            let why = info.refused.or(info.error).unwrap_or_default();
                            return (
                                Probed::Failed(format!("TLS: {why}")),
                                super::ws::ms(t),
                                Some(addr),
                            );
                        }
                    }
                } else {
                    Stream::Plain(tcp)
                };
                reliable(stream, request, timeout).await
            }
        },
    };
    (result, super::ws::ms(t), Some(addr))
}

/// Sends Binding requests from one UDP socket to each address in turn and returns the
/// mapped addresses: different mapped ports for different servers mean a symmetric NAT.
pub async fn mappings(
    addrs: &[SocketAddr],
    timeout: Duration,
) -> Vec<(SocketAddr, Option<SocketAddr>)> {
    let bind = if addrs.first().is_some_and(SocketAddr::is_ipv6) {
        "[::]:0"
    } else {
        "0.0.0.0:0"
    };
    let Ok(socket) = UdpSocket::bind(bind).await else {
        return addrs.iter().map(|a| (*a, None)).collect();
    };
    let mut out = Vec::new();
    for addr in addrs {
        let mut probe = Probe::new(
            Request::Binding,
            txid(),
            false,
            0,
            timeout.as_millis() as u64,
        );
        let t0 = tokio::time::Instant::now();
        let mut buf = [0u8; 1500];
        loop {
            while let Some(bytes) = probe.poll_transmit() {
                let _ = socket.send_to(&bytes, addr).await;
            }
            let Some(wake) = probe.poll_timeout() else {
                break;
            };
            let now = t0.elapsed().as_millis() as u64;
            match tokio::time::timeout(
                Duration::from_millis(wake.saturating_sub(now)),
                socket.recv_from(&mut buf),
            )
            .await
            {
                Ok(Ok((n, from))) if from == *addr => {
                    probe.handle_input(&buf[..n], t0.elapsed().as_millis() as u64)
                }
                Ok(_) => {}
                Err(_) => probe.handle_timeout(t0.elapsed().as_millis() as u64),
            }
        }
        let mapped = match probe.outcome() {
            Some(Outcome::Mapped { mapped }) => Some(*mapped),
            _ => None,
        };
        out.push((*addr, mapped));
    }
    out
}

async fn udp(addr: SocketAddr, request: Request, timeout: Duration) -> Probed {
    let bind = if addr.is_ipv6() {
        "[::]:0"
    } else {
        "0.0.0.0:0"
    };
    let socket = match UdpSocket::bind(bind).await {
        Ok(s) => s,
        Err(e) => return Probed::Failed(e.to_string()),
    };
    // Connected, so an ICMP port unreachable comes back as ECONNREFUSED.
    if let Err(e) = socket.connect(addr).await {
        return Probed::Failed(e.to_string());
    }
    let t0 = tokio::time::Instant::now();
    let now = || t0.elapsed().as_millis() as u64;
    let mut probe = Probe::new(request, txid(), false, 0, timeout.as_millis() as u64);
    let mut buf = [0u8; 1500];
    loop {
        while let Some(bytes) = probe.poll_transmit() {
            if let Err(e) = socket.send(&bytes).await {
                if e.kind() == std::io::ErrorKind::ConnectionRefused {
                    return Probed::Refused("ICMP port unreachable".into());
                }
            }
        }
        let Some(wake) = probe.poll_timeout() else {
            break;
        };
        match tokio::time::timeout(
            Duration::from_millis(wake.saturating_sub(now())),
            socket.recv(&mut buf),
        )
        .await
        {
            Ok(Ok(n)) => probe.handle_input(&buf[..n], now()),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                return Probed::Refused("ICMP port unreachable".into())
            }
            Ok(Err(_)) => {}
            Err(_) => probe.handle_timeout(now()),
        }
    }
    finish(probe)
}

async fn reliable(mut stream: Stream, request: Request, timeout: Duration) -> Probed {
    let t0 = tokio::time::Instant::now();
    let now = || t0.elapsed().as_millis() as u64;
    let mut probe = Probe::new(request, txid(), true, 0, timeout.as_millis() as u64);
    let mut buf = Vec::new();
    loop {
        while let Some(bytes) = probe.poll_transmit() {
            if stream.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let Some(wake) = probe.poll_timeout() else {
            break;
        };
        // One frame at a time: its answer (a retry with credentials) goes out first.
        if let Some(len) = frame_len(&buf).filter(|&l| buf.len() >= l) {
            let frame: Vec<u8> = buf.drain(..len).collect();
            probe.handle_input(&frame, now());
            continue;
        }
        let mut chunk = [0u8; 2048];
        match tokio::time::timeout(
            Duration::from_millis(wake.saturating_sub(now())),
            stream.read(&mut chunk),
        )
        .await
        {
            Ok(Ok(0)) => return Probed::Refused("the server closed the connection".into()),
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Ok(Err(e)) => return Probed::Refused(e.to_string()),
            Err(_) => probe.handle_timeout(now()),
        }
    }
    // Flush a Refresh(0) the success queued, without waiting for its answer.
    while let Some(bytes) = probe.poll_transmit() {
        let _ = stream.write_all(&bytes).await;
    }
    finish(probe)
}

fn finish(mut probe: Probe) -> Probed {
    let _ = probe.poll_transmit();
    Probed::Done(probe.outcome().cloned().unwrap_or(Outcome::Timeout))
}

fn txid() -> [u8; 12] {
    let mut id = [0u8; 12];
    let _ = getrandom::fill(&mut id);
    id
}
