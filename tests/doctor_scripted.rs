//! `softphone-doctor` against scripted peers on loopback, in-process: an HTTP server that
//! answers the upgrade exactly as Asterisk 18.19 does on a wrong path, as a Cloudflare
//! tunnel does with no ingress (404) or no origin (530), with a 101 lacking `sip`, a
//! 426, or never; an ICE servers endpoint (chunked JSON); a STUN server. Runs the built
//! binary and asserts verdicts, hints, exit codes and the JSON. Needs no local servers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/doctor.rs"]
mod doctor_report;

use std::io::{Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::process::{Command, Output};
use std::thread;
use std::time::Duration;

use doctor_report::{hints, step};
use serde_json::Value;
use softphone_core::native::stun::{self, attr, Class, Message};

const DOCTOR: &str = env!("CARGO_BIN_EXE_softphone-doctor");

/// Asterisk 18.19.0's answer to an upgrade on any path but /ws (TESTBED.md).
const ASTERISK_404: &str = "HTTP/1.1 404 Not Found\r\nServer: Asterisk/18.19.0\r\nDate: Thu, 03 Dec 2026 12:00:00 GMT\r\nCache-Control: no-cache, no-store\r\nContent-Length: 226\r\nContent-type: text/html\r\n\r\n<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\r\n<html><head>\r\n<title>404 Not Found</title>\r\n</head><body>\r\n<h1>Not Found</h1>\r\n<p>The requested URL was not found on this server.</p>\r\n<hr />\r\n<address>Asterisk Server</address>\r\n</body></html>\r\n";
/// A Cloudflare tunnel whose ingress has no rule for the host name (catch-all 404).
const TUNNEL_404: &str = "HTTP/1.1 404 Not Found\r\nDate: Thu, 03 Dec 2026 12:00:00 GMT\r\nContent-Length: 0\r\nConnection: keep-alive\r\nServer: cloudflare\r\nCF-RAY: 8f0c0ffee0000000-AMS\r\n\r\n";
/// A Cloudflare tunnel that cannot reach its origin / is down.
const TUNNEL_530: &str = "HTTP/1.1 530 \r\nDate: Thu, 03 Dec 2026 12:00:00 GMT\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: 16\r\nServer: cloudflare\r\nCF-RAY: 8f0c0ffee0000001-AMS\r\n\r\nerror code: 1033";

/// Serves up to `n` connections on a fresh loopback port; `answer` makes the reply from
/// the request head (`None`: say nothing and hold the connection for 3 s).
fn serve(n: usize, answer: impl Fn(&str) -> Option<String> + Send + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming().take(n) {
            let Ok(mut s) = stream else { continue };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && head.len() < 16_384 {
                match s.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            match answer(&String::from_utf8_lossy(&head)) {
                Some(reply) => {
                    let _ = s.write_all(reply.as_bytes());
                }
                None => thread::sleep(Duration::from_secs(3)),
            }
        }
    });
    port
}

fn run(args: &[&str]) -> Output {
    Command::new(DOCTOR).args(args).output().unwrap()
}

fn json(args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.push("--json");
    let out = run(&all);
    let text = String::from_utf8(out.stdout).unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
    )
}

#[test]
fn asterisk_on_a_wrong_path_is_named_with_its_fix() {
    let port = serve(2, |_| Some(ASTERISK_404.to_owned()));
    let url = format!("ws://127.0.0.1:{port}/asterisk/ws");
    let (code, report) = json(&[&url]);
    assert_eq!(code, 1);
    assert_eq!(report["ok"], false);
    assert_eq!(report["exitCode"], 1);
    let up = step(&report, "upgrade");
    assert_eq!(up["status"], "fail");
    assert_eq!(up["facts"]["status"], 404);
    assert_eq!(up["facts"]["statusLine"], "HTTP/1.1 404 Not Found");
    assert!(up["facts"]["headers"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!(["Server", "Asterisk/18.19.0"])));
    assert!(up["facts"]["body"]
        .as_str()
        .unwrap()
        .contains("<title>404 Not Found</title>"));
    let h = hints(up);
    assert!(
        h.contains("Asterisk answers (Asterisk/18.19.0), but not at this path: it serves /ws; check http.conf")
            && h.contains("the tunnel's path"),
        "{h}"
    );
    assert_eq!(step(&report, "options")["status"], "skip");
    assert_eq!(step(&report, "dns")["status"], "ok");
    assert_eq!(step(&report, "tcp")["status"], "ok");

    let out = run(&[&url]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text.contains("[FAIL] upgrade    HTTP/1.1 404 Not Found: no WebSocket at /asterisk/ws"),
        "{text}"
    );
    assert!(text.contains("| Server: Asterisk/18.19.0"), "{text}");
}

#[test]
fn a_tunnel_without_ingress_or_origin_is_told_apart() {
    let port = serve(1, |_| Some(TUNNEL_404.to_owned()));
    let (code, report) = json(&[&format!("ws://127.0.0.1:{port}/ws")]);
    assert_eq!(code, 1);
    let h = hints(step(&report, "upgrade"));
    assert!(h.contains("Cloudflare (Server: cloudflare) answers, and the proxy has no route for this host/path"), "{h}");

    let port = serve(1, |_| Some(TUNNEL_530.to_owned()));
    let (code, report) = json(&[&format!("ws://127.0.0.1:{port}/ws")]);
    assert_eq!(code, 1);
    let up = step(&report, "upgrade");
    assert_eq!(up["facts"]["status"], 530);
    let h = hints(up);
    assert!(
        h.contains("cannot reach its origin: check the origin URL, https to 8089")
            && h.contains("no-TLS-verify"),
        "{h}"
    );
    assert!(h.contains("is cloudflared running?"), "{h}");
}

#[test]
fn a_101_without_sip_a_426_and_silence() {
    let port = serve(1, |req| {
        let key = req
            .lines()
            .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))?
            .trim()
            .to_owned();
        let accept = softphone_core::native::ws::accept_for(&key);
        Some(format!("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"))
    });
    let (code, report) = json(&[&format!("ws://127.0.0.1:{port}/ws")]);
    assert_eq!(code, 1);
    assert!(hints(step(&report, "upgrade")).contains("without the subprotocol `sip`"));

    let port = serve(1, |_| {
        Some("HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\n\r\n".to_owned())
    });
    let (_, report) = json(&[&format!("ws://127.0.0.1:{port}/ws")]);
    assert!(hints(step(&report, "upgrade")).contains("dropped the Upgrade and Connection headers"));

    let port = serve(1, |_| None);
    let (code, report) = json(&[&format!("ws://127.0.0.1:{port}/ws"), "--timeout", "0.5"]);
    assert_eq!(code, 1);
    let up = step(&report, "upgrade");
    assert_eq!(up["verdict"], "no answer to the upgrade");
    assert!(up["ms"].as_f64().unwrap() >= 450.0);
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["--bogus", "ws://h/ws"],
        &["https://h/ws"],
        &["ws://h/ws", "--timeout", "x"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("usage: softphone-doctor"));
    }
    let out = run(&["ws://h/ws", "--password-env", "SOFTPHONE_DOCTOR_TEST_UNSET"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_closed_port_is_refused() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, report) = json(&[&format!("ws://127.0.0.1:{port}/ws")]);
    assert_eq!(code, 1);
    let tcp = step(&report, "tcp");
    assert_eq!(tcp["status"], "fail");
    assert!(hints(tcp).contains("connection refused"));
}

/// A STUN server answering Bindings with the sender's address, for `n` requests.
fn stun_server(n: usize) -> u16 {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    thread::spawn(move || {
        let _ = socket.set_read_timeout(Some(Duration::from_secs(10)));
        let mut buf = [0u8; 1500];
        for _ in 0..n {
            let Ok((len, from)) = socket.recv_from(&mut buf) else {
                return;
            };
            let Ok(req) = Message::decode(&buf[..len]) else {
                continue;
            };
            let mut answer = Message {
                class: Class::Success,
                method: req.method,
                txid: req.txid,
                attrs: Vec::new(),
            };
            answer.push(
                attr::XOR_MAPPED_ADDRESS,
                stun::xor_address_value(from, &req.txid),
            );
            let _ = socket.send_to(&answer.encode(None, true), from);
        }
    });
    port
}

#[test]
fn ice_servers_from_a_url_stun_answers_dead_turn_ports_are_refused() {
    let stun = stun_server(4);
    let dead = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead_tcp = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let body = format!(
        r#"{{"iceServers":[{{"urls":"stun:127.0.0.1:{stun}"}},{{"urls":["turn:127.0.0.1:{dead}","turn:127.0.0.1:{dead_tcp}?transport=tcp"],"username":"1:u","credential":"not-printed"}}],"ttl":600}}"#
    );
    let chunked = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n", body.len());
    let ice_url = serve(1, move |_| Some(chunked.clone()));
    let ws = serve(1, |_| Some(TUNNEL_404.to_owned()));
    let (code, report) = json(&[
        &format!("ws://127.0.0.1:{ws}/ws"),
        "--ice-servers-url",
        &format!("http://127.0.0.1:{ice_url}/api/ice"),
        "--timeout",
        "1",
    ]);
    assert_eq!(code, 1);
    assert_eq!(step(&report, "iceServers")["facts"]["count"], 3);
    let ice: Vec<&Value> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["name"] == "ice")
        .collect();
    assert_eq!(ice.len(), 3);
    assert_eq!(ice[0]["facts"]["result"], "ok");
    assert!(ice[0]["facts"]["mapped"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:"));
    assert_eq!(ice[1]["facts"]["result"], "refused", "{}", ice[1]);
    assert_eq!(ice[2]["facts"]["result"], "refused", "{}", ice[2]);
    let verdicts = report["verdicts"].as_array().unwrap();
    let home = verdicts.iter().find(|v| v["network"] == "homeNat").unwrap();
    assert_eq!(home["ok"], true);
    let udp_blocked = verdicts
        .iter()
        .find(|v| v["network"] == "udpBlocked")
        .unwrap();
    assert_eq!(udp_blocked["ok"], false);
    assert!(
        !report.to_string().contains("not-printed"),
        "a credential was printed"
    );
}

/// Reads one masked client frame and returns its payload.
fn read_frame(s: &mut std::net::TcpStream) -> Vec<u8> {
    let mut h = [0u8; 2];
    s.read_exact(&mut h).unwrap();
    let mut len = u64::from(h[1] & 0x7F);
    if len == 126 {
        let mut b = [0u8; 2];
        s.read_exact(&mut b).unwrap();
        len = u64::from(u16::from_be_bytes(b));
    } else if len == 127 {
        let mut b = [0u8; 8];
        s.read_exact(&mut b).unwrap();
        len = u64::from_be_bytes(b);
    }
    let mut mask = [0u8; 4];
    s.read_exact(&mut mask).unwrap();
    let mut data = vec![0u8; len as usize];
    s.read_exact(&mut data).unwrap();
    data.iter()
        .enumerate()
        .map(|(i, b)| b ^ mask[i % 4])
        .collect()
}

/// An unmasked server text frame.
fn text_frame(payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0x81];
    if payload.len() < 126 {
        out.push(payload.len() as u8);
    } else {
        out.push(126);
        out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    }
    out.extend_from_slice(payload);
    out
}

#[test]
fn asterisk_challenges_the_options_and_that_still_proves_sip() {
    // As Asterisk 18.19 on /ws: 101 with `sip` and no Server header; OPTIONS from a client
    // is challenged with 401 like any request from an endpoint (TESTBED.md). The server
    // also speaks first (a CRLF keepalive right after the 101), which must not be lost.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        let Ok((mut s, _)) = listener.accept() else {
            return;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let key = head
            .lines()
            .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
            .unwrap()
            .trim()
            .to_owned();
        let mut reply = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\nSec-WebSocket-Protocol: sip\r\n\r\n",
            softphone_core::native::ws::accept_for(&key)
        )
        .into_bytes();
        reply.extend(text_frame(b"\r\n"));
        s.write_all(&reply).unwrap();
        let request = String::from_utf8(read_frame(&mut s)).unwrap();
        let mut answer = "SIP/2.0 401 Unauthorized\r\n".to_owned();
        for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
            let line = request
                .lines()
                .find(|l| l.starts_with(&format!("{name}: ")))
                .unwrap();
            answer += line;
            if name == "To" {
                answer += ";tag=z9hG4bKPjabc";
            }
            answer += "\r\n";
        }
        answer += "WWW-Authenticate: Digest realm=\"asterisk\",nonce=\"1764763200/0123456789abcdef0123456789abcdef\",opaque=\"5b8e2a1c3d4f6a7b\",algorithm=MD5,qop=\"auth\"\r\nServer: FPBX-16.0.40(18.19.0)\r\nContent-Length:  0\r\n\r\n";
        s.write_all(&text_frame(answer.as_bytes())).unwrap();
        thread::sleep(Duration::from_millis(300));
    });
    let (code, report) = json(&[
        &format!("ws://127.0.0.1:{port}/ws"),
        "--uri",
        "sip:1001@pbx.example.com",
    ]);
    assert_eq!(code, 0, "{report}");
    let options = step(&report, "options");
    assert_eq!(options["status"], "ok");
    assert_eq!(options["facts"]["status"], 401);
    assert_eq!(options["facts"]["server"], "FPBX-16.0.40(18.19.0)");
    assert!(
        options["verdict"]
            .as_str()
            .unwrap()
            .ends_with("reachable, asks for authentication"),
        "{options}"
    );
    assert_eq!(step(&report, "register")["status"], "skip");
}
