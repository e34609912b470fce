//! The RFC 4475 torture messages: every `valid/` message parses, every `invalid/`
//! message is rejected, and accepted messages survive serialize-then-parse.
//!
//! The messages live in `../shared/rfc4475` (next to the crate); when that folder is
//! absent each test reports itself as skipped (`SKIPPED: <test> (...)`, counted in
//! the summary of `scripts/test.sh`) and passes (CI has the folder).
//!
//! Verdicts chosen deliberately (the RFC allows either):
//! - `invalid/lwsstart.sip`, `invalid/trws.sip`: extra SP in the request line is
//!   rejected (the RFC allows a liberal parser to accept).
//! - `invalid/escruri.sip`: a Request-URI with `?headers` is rejected.
//! - `invalid/baddate.sip`: rejected because its Date is not GMT (the RFC also allows
//!   ignoring Date); the parser checks only that a Date ends in ` GMT`.
//! - `invalid/badaspec.sip`: spaces inside `< ... >` are rejected, not skipped.
//! - `valid/noreason.sip`: accepted; a status line ending right after the code
//!   (without the required SP) is accepted too.
//! - `valid/badbranch.sip`: accepted; the branch is `z9hG4bK` with nothing after the
//!   cookie, which is the core's business (RFC 2543 matching or 400).
//! - `invalid/mismatch02.sip`: rejected with the CSeq mismatch (400), which the RFC
//!   allows instead of 501.
//! - `invalid/quotbal.sip`: rejected; no attempt is made at the "liberal inference"
//!   of where the quote should have ended.
//! - `invalid/scalar02.sip`: rejected for its CSeq; its Max-Forwards of 300 would be
//!   rejected too (the parser checks 0-255).
//! - `valid/inv2543.sip`: accepted (no branch, no Max-Forwards, From without tag);
//!   what to do with an RFC 2543 peer is the core's decision.
//! - `valid/unkscm.sip`, `valid/novelsc.sip`, `valid/unksm2.sip`, `valid/bext01.sip`,
//!   `valid/invut.sip`, `valid/sdp01.sip`, `valid/zeromf.sip`, `valid/bcast.sip`:
//!   accepted; the 416 / 420 / 415 / 406 / 483 answers the RFC expects are decisions
//!   of the core, which has the typed values to make them.
//! - `extra/test.sip` (not a SIP message) and `extra/baddn.archive-original.sip` (no
//!   empty line after the headers: an `Incomplete` error) are rejected.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

use std::path::PathBuf;

use softphone_core::sip::{HeaderName, Message, Method};

#[path = "support/skip.rs"]
mod skip;

/// Why a test is skipped when the corpus is not there.
const ABSENT: &str = "../shared/rfc4475 is absent";

fn dir() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/rfc4475");
    d.is_dir().then_some(d)
}

fn files(sub: &str) -> Vec<(String, Vec<u8>)> {
    let Some(d) = dir() else { return Vec::new() };
    let mut out: Vec<_> = std::fs::read_dir(d.join(sub))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sip"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

fn load(path: &str) -> Option<Vec<u8>> {
    dir().map(|d| std::fs::read(d.join(path)).unwrap())
}

#[test]
fn valid_messages_parse_and_round_trip() {
    let all = files("valid");
    if all.is_empty() {
        return skip::skipped("valid_messages_parse_and_round_trip", ABSENT);
    }
    assert_eq!(all.len(), 27);
    for (name, bytes) in &all {
        let m = Message::parse(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let out = m.to_bytes();
        let again = Message::parse(&out).unwrap_or_else(|e| panic!("{name} re-parse: {e}"));
        assert_eq!(again.to_bytes(), out, "{name}");
        assert_eq!(again.body(), m.body(), "{name}");
        assert_eq!(again.headers().len(), m.headers().len(), "{name}");
        // Every torture message uses CRLF; those without trailing octets come back
        // byte for byte.
        if name != "dblreq" {
            assert_eq!(out, *bytes, "{name} is not byte-identical");
        }
    }
}

#[test]
fn invalid_messages_are_rejected() {
    let all = files("invalid");
    if all.is_empty() {
        return skip::skipped("invalid_messages_are_rejected", ABSENT);
    }
    assert_eq!(all.len(), 22);
    for (name, bytes) in &all {
        match Message::parse(bytes) {
            Ok(_) => panic!("{name} was accepted"),
            Err(e) => println!("{name}: {e}"),
        }
    }
    for name in ["extra/test.sip", "extra/baddn.archive-original.sip"] {
        let bytes = load(name).unwrap();
        assert!(Message::parse(&bytes).is_err(), "{name} was accepted");
    }
}

#[test]
fn wsinv_values() {
    let Some(b) = load("valid/wsinv.sip") else {
        return skip::skipped("wsinv_values", ABSENT);
    };
    let m = Message::parse(&b).unwrap();
    assert_eq!(m.method(), Method::Invite);
    assert_eq!(m.to().tag(), Some("1918181833n"));
    assert_eq!(m.from().tag(), Some("98asjd8"));
    assert_eq!(m.from().display_name().unwrap(), "J Rosenberg \\\"");
    assert_eq!(m.cseq().seq, 9);
    assert_eq!(m.call_id(), "wsinv.ndaksdj@192.0.2.1");
    let vias = m.vias();
    assert_eq!(vias.len(), 3);
    assert_eq!(vias[0].transport(), "UDP");
    assert_eq!(vias[0].host(), "192.0.2.2");
    assert_eq!(vias[1].branch(), Some("z9hG4bK9ikj8"));
    assert_eq!(vias[2].host(), "192.168.255.111");
    assert_eq!(vias[2].branch(), Some("z9hG4bK30239"));
    assert_eq!(m.header_by_name("Subject").unwrap(), "");
    assert_eq!(
        m.header_by_name("UnknownHeaderWithUnusualValue").unwrap(),
        ";;,,;;,;"
    );
    assert_eq!(
        m.header_by_name("NewFangledHeader").unwrap(),
        "newfangled value continued newfangled value"
    );
    assert_eq!(m.header(HeaderName::MaxForwards).unwrap(), "0068");
    let c = m.contacts();
    assert_eq!(c.len(), 1);
    let a = c[0].addr().unwrap();
    assert_eq!(a.display_name().unwrap(), "Quoted string \"\"");
    assert_eq!(a.param("newparam"), Some(Some("newvalue")));
    assert_eq!(a.param("secondparam"), Some(None));
    assert_eq!(a.param("q"), Some(Some("0.33")));
    assert_eq!(m.body().len(), 150);
}

#[test]
fn odd_valid_messages() {
    let Some(b) = load("valid/intmeth.sip") else {
        return skip::skipped("odd_valid_messages", ABSENT);
    };
    let m = Message::parse(&b).unwrap();
    assert_eq!(
        m.method(),
        Method::Other("!interesting-Method0123456789_*+`.%indeed'~")
    );
    assert_eq!(m.to().display_name().unwrap(), "BEL:\x07 NUL:\0 DEL:\x7f");
    assert_eq!(m.call_id(), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");

    let m = load("valid/esc02.sip").unwrap();
    let m = Message::parse(&m).unwrap();
    assert_eq!(m.method(), Method::Other("RE%47IST%45R"));
    assert_eq!(m.contacts().len(), 2);

    let b = load("valid/dblreq.sip").unwrap();
    let m = Message::parse(&b).unwrap();
    assert_eq!(m.method(), Method::Register);
    assert!(m.body().is_empty());
    assert!(m.to_bytes().len() < b.len());

    let b = load("valid/mpart01.sip").unwrap();
    let m = Message::parse(&b).unwrap();
    let cl: usize = m
        .header(HeaderName::ContentLength)
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(m.body().len(), cl);
    assert!(b.ends_with(m.body()));

    let b = load("valid/noreason.sip").unwrap();
    let m = Message::parse(&b).unwrap();
    assert_eq!((m.status(), m.reason()), (Some(100), Some("")));

    let b = load("valid/unreason.sip").unwrap();
    let m = Message::parse(&b).unwrap();
    assert_eq!(m.status(), Some(200));
    assert!(m.reason().unwrap().len() > 10);

    let b = load("valid/unkscm.sip").unwrap();
    let m = Message::parse(&b).unwrap();
    assert_eq!(m.request_uri().unwrap().scheme(), "nobodyKnowsThisScheme");

    let b = load("valid/semiuri.sip").unwrap();
    let m = Message::parse(&b).unwrap();
    assert_eq!(
        m.request_uri().unwrap().user(),
        Some("user;par=u%40example.net")
    );

    let b = load("valid/cparam01.sip").unwrap();
    let m = Message::parse(&b).unwrap();
    let c = m.contacts();
    let a = c[0].addr().unwrap();
    assert_eq!(a.param("unknownparam"), Some(None));
    assert_eq!(a.uri().param("unknownparam"), None);

    let b = load("valid/cparam02.sip").unwrap();
    let m = Message::parse(&b).unwrap();
    let c = m.contacts();
    let a = c[0].addr().unwrap();
    assert_eq!(a.param("unknownparam"), None);
    assert_eq!(a.uri().param("unknownparam"), Some(None));

    let b = load("valid/longreq.sip").unwrap();
    let m = Message::parse(&b).unwrap();
    assert_eq!(m.vias().len(), 34);
}

#[test]
fn invalid_reasons() {
    let cases = [
        ("badvers", "version"),
        ("mismatch01", "does not match"),
        ("mismatch02", "does not match"),
        ("bigcode", "status code"),
        ("scalar02", "CSeq"),
        ("scalarlg", "CSeq"),
        ("clerr", "Content-Length"),
        ("ncl", "Content-Length"),
        ("mcl01", "more than one Content-Length"),
        ("multi01", "more than one"),
        ("insuf", "missing"),
        ("ltgtruri", "<>"),
        ("quotbal", "quoted"),
        ("baddn", "display name"),
        ("escruri", "headers"),
    ];
    for (name, why) in cases {
        let Some(b) = load(&format!("invalid/{name}.sip")) else {
            return skip::skipped("invalid_reasons", ABSENT);
        };
        let e = Message::parse(&b).unwrap_err();
        assert!(e.reason().contains(why), "{name}: {e}");
    }
}

#[test]
fn rejected_requests_get_a_stateless_answer() {
    use softphone_core::sip::error_response;
    // (file, expected status or None when no answer may be sent)
    let cases = [
        ("badvers", Some(505)),
        ("mismatch01", Some(400)),
        ("ltgtruri", Some(400)),
        ("lwsruri", Some(400)),
        ("multi01", Some(400)),
        ("scalar02", Some(400)),
        ("insuf", None),   // no From, To or Call-ID to copy
        ("clerr", None),   // framing error: incomplete
        ("bigcode", None), // a response
    ];
    for (name, want) in cases {
        let Some(b) = load(&format!("invalid/{name}.sip")) else {
            return skip::skipped("rejected_requests_get_a_stateless_answer", ABSENT);
        };
        let e = Message::parse(&b).unwrap_err();
        // The answer copies the request's headers as they are, so it need not parse
        // (badvers has a `SIP/7.0` Via); read the status code from the first line.
        let got = error_response(&b, &e, "x1").map(|r| {
            assert!(r.ends_with(b"Content-Length: 0\r\n\r\n"), "{name}");
            std::str::from_utf8(&r[8..11])
                .unwrap()
                .parse::<u16>()
                .unwrap()
        });
        assert_eq!(got, want, "{name}");
    }
}
