//! Parse throughput of typical messages: `cargo bench --bench sip_parse`.
//!
//! Plain `std::time::Instant`, no framework: each message is parsed in batches, the
//! median batch gives µs per message and messages per second.
//!
//! With `SIP_PARSE_CORPUS=<dir>` it instead parses every file of `<dir>` `SIP_PARSE_ROUNDS`
//! times (default 1000) and reads what the browser benchmark reads (`src/web/bench.rs`), with
//! no timing: run it under `valgrind --tool=callgrind` for instruction counts that do not
//! depend on the machine's load. The browser benchmark's five messages are written out by
//!
//! ```text
//! node -e "import('./bench/lib/messages.mjs').then(m => { for (const [k, v] of
//!   Object.entries(m.MESSAGES)) require('fs').writeFileSync('/tmp/msgs/' + k + '.sip', v) })"
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

use std::hint::black_box;
use std::time::Instant;

use softphone_core::sip::{parse_and_read, Message};

const SDP: &str = "v=0\r\n\
o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n\
s=-\r\n\
t=0 0\r\n\
a=group:BUNDLE 0\r\n\
a=msid-semantic: WMS\r\n\
m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n\
c=IN IP4 0.0.0.0\r\n\
a=rtcp:9 IN IP4 0.0.0.0\r\n\
a=ice-ufrag:Xq9b\r\n\
a=ice-pwd:0r2rlJY4Ojv1jO8nAdyq9vLS\r\n\
a=fingerprint:sha-256 5B:1D:4F:2E:0A:9C:77:10:3F:6B:BE:5A:42:D8:AA:01:3C:9E:61:0F:22:47:89:AB:CD:EF:01:23:45:67:89:AB\r\n\
a=setup:actpass\r\n\
a=mid:0\r\n\
a=sendrecv\r\n\
a=rtcp-mux\r\n\
a=rtpmap:111 opus/48000/2\r\n\
a=fmtp:111 minptime=10;useinbandfec=1\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:126 telephone-event/8000\r\n";

fn invite() -> Vec<u8> {
    format!(
        "INVITE sip:bob@example.com SIP/2.0\r\n\
Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1846417;rport\r\n\
Max-Forwards: 69\r\n\
To: <sip:bob@example.com>\r\n\
From: \"Alice\" <sip:alice@example.com>;tag=2e9jdp8s1h\r\n\
Call-ID: 4ci6h8ml6ajc6fe0lkd4\r\n\
CSeq: 6893 INVITE\r\n\
Contact: <sip:q2ld3hs1@df7jal23ls0d.invalid;transport=ws;ob>\r\n\
Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY\r\n\
Supported: timer,ice,replaces,outbound\r\n\
User-Agent: softphone-core 0.1\r\n\
Content-Type: application/sdp\r\n\
Content-Length: {}\r\n\r\n{SDP}",
        SDP.len()
    )
    .into_bytes()
}

fn ok_with_sdp() -> Vec<u8> {
    format!(
        "SIP/2.0 200 OK\r\n\
Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1846417;rport=53421;received=192.0.2.10\r\n\
Record-Route: <sip:192.0.2.1;transport=ws;r2=on;lr>\r\n\
Record-Route: <sip:192.0.2.1;r2=on;lr>\r\n\
From: \"Alice\" <sip:alice@example.com>;tag=2e9jdp8s1h\r\n\
To: <sip:bob@example.com>;tag=as6a2c5e3f\r\n\
Call-ID: 4ci6h8ml6ajc6fe0lkd4\r\n\
CSeq: 6893 INVITE\r\n\
Server: Asterisk PBX 20.5.0\r\n\
Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE\r\n\
Supported: replaces, timer\r\n\
Session-Expires: 1800;refresher=uas\r\n\
Contact: <sip:bob@192.0.2.20:5060>\r\n\
Content-Type: application/sdp\r\n\
Content-Length: {}\r\n\r\n{SDP}",
        SDP.len()
    )
    .into_bytes()
}

const REGISTER: &[u8] = b"REGISTER sip:example.com SIP/2.0\r\n\
Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK3571837\r\n\
Max-Forwards: 69\r\n\
To: <sip:alice@example.com>\r\n\
From: <sip:alice@example.com>;tag=8jvn4b8u7b\r\n\
Call-ID: bt3kcqtnjtn17uvjkl0m7c\r\n\
CSeq: 2 REGISTER\r\n\
Authorization: Digest algorithm=MD5, username=\"alice\", realm=\"example.com\", nonce=\"ZmFrZW5vbmNlMTIzNDU2Nzg5\", uri=\"sip:example.com\", response=\"3c8a1d3ddc8b3f2b8f4c1d63a4a0e0a1\", qop=auth, cnonce=\"6o3f6kcbgc8e\", nc=00000001\r\n\
Contact: <sip:q2ld3hs1@df7jal23ls0d.invalid;transport=ws>;+sip.ice;reg-id=1;+sip.instance=\"<urn:uuid:3a1c3a8e-8d7e-4b5e-9a64-5d7a1b2c3d4e>\";expires=600\r\n\
Expires: 600\r\n\
Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY\r\n\
Supported: path,gruu,outbound\r\n\
User-Agent: softphone-core 0.1\r\n\
Content-Length: 0\r\n\r\n";

const UNAUTHORIZED: &[u8] = b"SIP/2.0 401 Unauthorized\r\n\
Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK3571837;rport=53421;received=192.0.2.10\r\n\
To: <sip:alice@example.com>;tag=37GkEhwl6\r\n\
From: <sip:alice@example.com>;tag=8jvn4b8u7b\r\n\
Call-ID: bt3kcqtnjtn17uvjkl0m7c\r\n\
CSeq: 1 REGISTER\r\n\
WWW-Authenticate: Digest realm=\"example.com\", nonce=\"ZmFrZW5vbmNlMTIzNDU2Nzg5\", qop=\"auth\", algorithm=SHA-256\r\n\
WWW-Authenticate: Digest realm=\"example.com\", nonce=\"ZmFrZW5vbmNlMTIzNDU2Nzg5\", qop=\"auth\", algorithm=MD5\r\n\
Server: kamailio (5.6.3 (x86_64/linux))\r\n\
Content-Length: 0\r\n\r\n";

fn bench(name: &str, msg: &[u8]) {
    Message::parse(msg).expect("benchmark message parses");
    let batch = 20_000;
    let mut runs: Vec<f64> = (0..9)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..batch {
                let m = Message::parse(black_box(msg)).ok();
                black_box(m);
            }
            t.elapsed().as_secs_f64() * 1e6 / f64::from(batch)
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    let median = runs[runs.len() / 2];
    println!(
        "{name:<22} {:>5} bytes  {median:>6.2} µs/msg  {:>10.0} msgs/s",
        msg.len(),
        1e6 / median
    );
}

fn bench_with_accessors(name: &str, msg: &[u8]) {
    let batch = 20_000;
    let mut runs: Vec<f64> = (0..9)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..batch {
                if let Ok(m) = Message::parse(black_box(msg)) {
                    black_box((m.top_via().branch(), m.from().tag(), m.to().tag()));
                    black_box((m.contacts(), m.www_authenticate(), m.record_route().ok()));
                }
            }
            t.elapsed().as_secs_f64() * 1e6 / f64::from(batch)
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    let median = runs[runs.len() / 2];
    println!(
        "{name:<22} {:>5} bytes  {median:>6.2} µs/msg  {:>10.0} msgs/s",
        msg.len(),
        1e6 / median
    );
}

/// The `SIP_PARSE_CORPUS` mode: no timing, a fixed amount of work.
fn corpus_loop(dir: &str) {
    let rounds: u32 = std::env::var("SIP_PARSE_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1000);
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("SIP_PARSE_CORPUS is a directory")
        .map(|e| e.expect("directory entry").path())
        .collect();
    files.sort();
    let msgs: Vec<Vec<u8>> = files
        .iter()
        .map(|p| std::fs::read(p).expect("readable message"))
        .collect();
    let mut sum = 0u64;
    let t = Instant::now();
    for _ in 0..rounds {
        for m in &msgs {
            let v = parse_and_read(black_box(m)).expect("corpus message parses");
            sum = sum.wrapping_add(v);
        }
    }
    let n = msgs.len() as f64 * f64::from(rounds.max(1));
    println!(
        "{} messages x {rounds} rounds, checksum {sum}, {:.2} µs/msg",
        msgs.len(),
        t.elapsed().as_secs_f64() * 1e6 / n
    );
}

fn main() {
    if let Ok(dir) = std::env::var("SIP_PARSE_CORPUS") {
        corpus_loop(&dir);
        return;
    }
    let invite = invite();
    let ok = ok_with_sdp();
    println!("parse (median of 9 runs of 20000):");
    bench("INVITE + SDP", &invite);
    bench("401 (2 challenges)", UNAUTHORIZED);
    bench("REGISTER", REGISTER);
    bench("200 OK + SDP", &ok);
    println!("parse + typical accessors (Via, tags, Contact, challenges, Record-Route):");
    bench_with_accessors("INVITE + SDP", &invite);
    bench_with_accessors("401 (2 challenges)", UNAUTHORIZED);
    bench_with_accessors("REGISTER", REGISTER);
    bench_with_accessors("200 OK + SDP", &ok);
}
