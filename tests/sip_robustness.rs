//! A deterministic, cheap cousin of the fuzz target that runs with `cargo test`:
//! every prefix and many single-byte mutations of the RFC 4475 messages must parse
//! or fail cleanly (no panic), and whatever parses must serialize and re-parse.
//! `odd_inputs` holds hand-picked edge cases; inputs the fuzzer finds go there too
//! (none so far: about 19 million executions found nothing).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

use std::path::PathBuf;

use softphone_core::sip::{error_response, redact, Message};

#[path = "support/skip.rs"]
mod skip;

fn check(bytes: &[u8]) {
    let _ = redact(bytes);
    let parsed = Message::parse(bytes);
    if let Err(e) = &parsed {
        let _ = error_response(bytes, e, "tag");
    }
    if let Ok(m) = parsed {
        let _ = (
            m.contacts(),
            m.record_route(),
            m.www_authenticate(),
            m.vias(),
        );
        let _ = (m.from().display_name(), m.to().tag(), m.retry_after());
        let out = m.to_bytes();
        let again = Message::parse(&out).expect("serialized message re-parses");
        assert_eq!(again.to_bytes(), out);
    }
}

#[test]
fn prefixes_and_mutations_do_not_panic() {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/rfc4475/valid");
    let Ok(entries) = std::fs::read_dir(&d) else {
        let reason = format!("{} is absent", d.display());
        return skip::skipped("prefixes_and_mutations_do_not_panic", &reason);
    };
    for e in entries {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        for n in 0..bytes.len() {
            check(&bytes[..n]);
        }
        let mut m = bytes.clone();
        for i in (0..m.len()).step_by(4) {
            let orig = m[i];
            for b in [0u8, b'\r', b'\n', b' ', b'"', b'<', b',', b';', 0xff] {
                m[i] = b;
                check(&m);
            }
            m[i] = orig;
        }
    }
}

#[test]
fn odd_inputs() {
    for input in [
        &b""[..],
        b"\r\n\r\n",
        b"\n",
        b"SIP/2.0 200 OK\r\n\r\n",
        b"SIP/2.0 200\r\nVia: SIP/2.0/UDP h\r\nFrom: sip:a@b\r\nTo: sip:a@b\r\nCall-ID: x\r\nCSeq: 1 A\r\n\r\n",
        b"A sip:a@b SIP/2.0\r\n x: y\r\n\r\n",
        b"A sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP [\r\n\r\n",
        b"A sip:a@b SIP/2.0\r\nContent-Length: 18446744073709551616\r\n\r\n",
        b"A sip:a@b SIP/2.0\r\nRetry-After: 1 ((((\r\n\r\n",
    ] {
        check(input);
    }
}
