//! Digest tests against published vectors (RFC 2617 section 3.5, RFC 7616 section
//! 3.9.1) and values computed independently (Python's hashlib) for the rest.

use super::*;

fn params(header: &str) -> Vec<(String, String)> {
    let v = header.strip_prefix("Digest ").unwrap();
    auth_params(v)
        .unwrap()
        .into_iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn param(header: &str, name: &str) -> String {
    params(header)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {name} in {header}"))
}

#[test]
fn rfc2617_vector() {
    let c = Challenge::parse(
        r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
    )
    .unwrap();
    assert_eq!(c.algorithm, Algorithm::Md5);
    assert_eq!(c.qop, vec![Qop::Auth, Qop::AuthInt]);
    let pw = Secret::new("Circle Of Life");
    let h = c
        .authorize(&DigestResponse {
            username: "Mufasa",
            password: &pw,
            method: "GET",
            uri: "/dir/index.html",
            body: b"",
            nc: 1,
            cnonce: "0a4f113b",
        })
        .unwrap();
    assert_eq!(
        param(&h, "response"),
        "\"6629fae49393a05397450978507c4ef1\""
    );
    assert_eq!(param(&h, "qop"), "auth");
    assert_eq!(param(&h, "nc"), "00000001");
    assert_eq!(param(&h, "uri"), "\"/dir/index.html\"");
    assert_eq!(param(&h, "opaque"), "\"5ccc069c403ebaf9f0171e9517f40e41\"");
    assert_eq!(param(&h, "algorithm"), "MD5");
    assert_eq!(param(&h, "cnonce"), "\"0a4f113b\"");
    assert_eq!(param(&h, "username"), "\"Mufasa\"");
}

fn rfc7616(alg: &str) -> String {
    let c = Challenge::parse(&format!(
        "Digest\r\n realm=\"http-auth@example.org\",\r\n qop=\"auth, auth-int\",\r\n algorithm={alg},\r\n nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
    ))
    .unwrap();
    let pw = Secret::new("Circle of Life");
    c.authorize(&DigestResponse {
        username: "Mufasa",
        password: &pw,
        method: "GET",
        uri: "/dir/index.html",
        body: b"",
        nc: 1,
        cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    })
    .unwrap()
}

#[test]
fn rfc7616_vectors() {
    let h = rfc7616("MD5");
    assert_eq!(
        param(&h, "response"),
        "\"8ca523f5e9506fed4657c9700eebdbec\""
    );
    let h = rfc7616("SHA-256");
    assert_eq!(
        param(&h, "response"),
        "\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\""
    );
    assert_eq!(param(&h, "algorithm"), "SHA-256");
    assert_eq!(
        param(&h, "opaque"),
        "\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
    );
}

fn answer(challenge: &str, method: &str, uri: &str, body: &[u8], nc: u32) -> String {
    let pw = Secret::new("secret");
    Challenge::parse(challenge)
        .unwrap()
        .authorize(&DigestResponse {
            username: "alice",
            password: &pw,
            method,
            uri,
            body,
            nc,
            cnonce: "xyz",
        })
        .unwrap()
}

#[test]
fn nc_ten_is_hex() {
    let h = answer(
        r#"Digest nonce="abc",realm="example.com",qop=auth"#,
        "REGISTER",
        "sip:example.com",
        b"",
        10,
    );
    assert_eq!(param(&h, "nc"), "0000000a");
    assert_eq!(
        param(&h, "response"),
        "\"db46585ab666d4f7cf3c1177e4cb14ff\""
    );
    assert!(!h.contains("opaque"));
}

#[test]
fn sess_and_auth_int() {
    let h = answer(
        r#"Digest realm="example.com", nonce="abc", qop="auth-int", algorithm=SHA-256-sess"#,
        "INVITE",
        "sip:bob@example.com",
        b"v=0\r\n",
        2,
    );
    assert_eq!(
        param(&h, "response"),
        "\"e78631173698e691510b03a6ba44ebfb47464fc0a9837e2edc48956391b98fbb\""
    );
    assert_eq!(param(&h, "qop"), "auth-int");
    assert_eq!(param(&h, "algorithm"), "SHA-256-sess");
    let h = answer(
        r#"Digest realm="example.com", nonce="abc", qop="auth", algorithm="md5-sess""#,
        "REGISTER",
        "sip:example.com",
        b"",
        1,
    );
    assert_eq!(
        param(&h, "response"),
        "\"8e799fe75b884b4edc570c1d5505dafe\""
    );
    assert_eq!(param(&h, "algorithm"), "MD5-sess");
}

#[test]
fn rfc2069_without_qop() {
    let h = answer(
        r#"Digest realm="example.com", nonce="abc""#,
        "REGISTER",
        "sip:example.com",
        b"",
        1,
    );
    assert_eq!(
        param(&h, "response"),
        "\"dbe98f00688a08a2dbda0b12e8c71319\""
    );
    assert!(!h.contains("cnonce") && !h.contains("qop") && !h.contains("nc="));
}

#[test]
fn challenge_parsing() {
    let c = Challenge::parse(
        "digest   stale=TRUE ,  unknown=\"x, y\", nonce = \"n\\\"q\" ,realm=r, qop=\"auth-conf,auth\",,",
    )
    .unwrap();
    assert!(c.stale);
    assert_eq!(c.nonce, "n\"q");
    assert_eq!(c.realm, "r");
    assert_eq!(c.qop, vec![Qop::Auth]);
    assert_eq!(c.opaque, None);
    for bad in [
        "Basic realm=\"x\"",
        "Digest realm=\"x\"",
        "Digest nonce=\"x\"",
        "Digest realm=\"x\", nonce=\"y\", algorithm=SHA-512-256",
        "Digest realm=\"x, nonce=\"y\"",
        "Digest realm=\"x\", nonce=\"y\", qop=\"auth-conf\"",
        "Digestrealm=\"x\", nonce=\"y\"",
        "",
    ] {
        assert!(Challenge::parse(bad).is_err(), "{bad}");
    }
    let c = Challenge::parse("Digest realm=\"a\",nonce=\"b\",algorithm=SHA-256").unwrap();
    assert_eq!(c.algorithm, Algorithm::Sha256);
    assert!(Algorithm::Sha256 > Algorithm::Md5Sess);
}

#[test]
fn several_challenges_in_one_header() {
    let v = "Digest realm=\"a\", nonce=\"1\", algorithm=SHA-256, Digest realm=\"a\", nonce=\"2\", algorithm=MD5, Basic realm=\"z\"";
    let parts = split_challenges(v);
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[1], "Digest realm=\"a\", nonce=\"2\", algorithm=MD5");
    let ok: Vec<_> = parts
        .iter()
        .filter_map(|p| Challenge::parse(p).ok())
        .collect();
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].algorithm, Algorithm::Sha256);
}

#[test]
fn injection_is_refused() {
    let c = Challenge::parse("Digest realm=\"a\", nonce=\"b\"").unwrap();
    let pw = Secret::new("p");
    let r = DigestResponse {
        username: "al\r\nice",
        password: &pw,
        method: "REGISTER",
        uri: "sip:a",
        body: b"",
        nc: 1,
        cnonce: "c",
    };
    assert!(matches!(c.authorize(&r), Err(DigestError::Malformed(_))));
    let ok = c.authorize(&DigestResponse {
        username: "a\"b",
        ..r
    });
    assert!(ok
        .unwrap()
        .starts_with("Digest username=\"a\\\"b\", realm=\"a\""));
}

#[test]
fn a_precomputed_ha1_answers_like_the_password() {
    let pw = Secret::new("s3cret");
    let r = DigestResponse {
        username: "alice",
        password: &pw,
        method: "REGISTER",
        uri: "sip:pbx.test",
        body: b"",
        nc: 1,
        cnonce: "0a4f113b",
    };
    // HA1 = MD5("alice:asterisk:s3cret"), as an app would store it instead of the password.
    let ha1 = Secret::new(hex_digest::<md5::Md5>(&[b"alice:asterisk:s3cret"]).to_uppercase());
    for alg in ["MD5", "MD5-sess"] {
        let c = Challenge::parse(&format!(
            "Digest realm=\"asterisk\", nonce=\"n1\", qop=\"auth\", algorithm={alg}"
        ))
        .unwrap();
        let by_password = c.authorize(&r).unwrap();
        let by_ha1 = c.authorize_with(&r, DigestSecret::Ha1(&ha1)).unwrap();
        assert_eq!(by_password, by_ha1, "{alg}");
    }
    let sha =
        Challenge::parse("Digest realm=\"asterisk\", nonce=\"n1\", algorithm=SHA-256").unwrap();
    assert!(matches!(
        sha.authorize_with(&r, DigestSecret::Ha1(&ha1)),
        Err(DigestError::UnsupportedAlgorithm(_))
    ));
}
