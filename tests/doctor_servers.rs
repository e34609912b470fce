//! `softphone-doctor` against the real local servers: Kamailio on `/ws` and on a wrong
//! path, an nginx TLS reverse proxy in front of it (self-signed certificate made here
//! with openssl; a route whose origin is dead answers 502), and coturn with good and
//! wrong TURN REST credentials and a dead port; a coturn of the test's own with TURN over
//! TLS (self-signed) and a second STUN address for the mapping; a small `--load`.
//!
//! `#[ignore]`d: they need `scripts/servers.sh start all` first (its `.run/env.json`),
//! and nginx and openssl on PATH. scripts/test.sh runs them after starting the servers:
//! `cargo test --test doctor_servers -- --ignored --test-threads=1`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/doctor.rs"]
mod doctor_report;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use doctor_report::{hints, step, steps};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha1::Sha1;
use softphone_core::native::http::base64;

const DOCTOR: &str = env!("CARGO_BIN_EXE_softphone-doctor");

fn run_dir() -> PathBuf {
    std::env::var_os("SOFTPHONE_RUN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".run"))
}

fn env() -> Value {
    let path = run_dir().join("env.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/servers.sh start all)", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn ws_port(env: &Value) -> u16 {
    let uri = env["wsUri"].as_str().unwrap();
    uri.rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches("/ws")
        .parse()
        .unwrap()
}

/// Runs the doctor with `password` in `DOCTOR_PW` (never on the command line).
fn doctor(args: &[&str], password: Option<&str>) -> Output {
    let mut cmd = Command::new(DOCTOR);
    cmd.args(args).env_remove("DOCTOR_PW");
    if let Some(pw) = password {
        cmd.env("DOCTOR_PW", pw);
    }
    cmd.output().unwrap()
}

fn json(args: &[&str], password: Option<&str>) -> (i32, Value) {
    let mut all = args.to_vec();
    all.push("--json");
    let out = doctor(&all, password);
    let text = String::from_utf8(out.stdout).unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
    )
}

fn alice(env: &Value) -> (String, String) {
    let a = &env["accounts"][0];
    (
        a["uri"].as_str().unwrap().to_owned(),
        a["password"].as_str().unwrap().to_owned(),
    )
}

#[test]
#[ignore = "needs scripts/servers.sh start all"]
fn kamailio_on_ws_is_all_green_and_registers_through_the_core() {
    let env = env();
    let (uri, password) = alice(&env);
    let url = env["wsUri"].as_str().unwrap();
    let (code, report) = json(
        &[url, "--uri", &uri, "--password-env", "DOCTOR_PW"],
        Some(&password),
    );
    assert_eq!(code, 0, "{report}");
    for name in ["dns", "tcp", "upgrade", "options", "register", "unregister"] {
        assert_eq!(step(&report, name)["status"], "ok", "{name}: {report}");
    }
    assert_eq!(step(&report, "upgrade")["facts"]["protocol"], "sip");
    assert_eq!(step(&report, "options")["facts"]["status"], 200);
    let reg = step(&report, "register");
    let transcript: Vec<&str> = reg["facts"]["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        transcript[1].ends_with("< SIP/2.0 401 Unauthorized")
            && transcript[3].ends_with("< SIP/2.0 200 OK"),
        "{transcript:?}"
    );
    assert!(
        !report.to_string().contains(&password),
        "the password was printed"
    );
    assert_eq!(step(&report, "unregister")["facts"]["status"], 200);
}

#[test]
#[ignore = "needs scripts/servers.sh start all"]
fn kamailio_on_a_wrong_path_and_a_wrong_password() {
    let env = env();
    let port = ws_port(&env);
    let (code, report) = json(&[&format!("ws://127.0.0.1:{port}/sip")], None);
    assert_eq!(code, 1);
    let up = step(&report, "upgrade");
    assert_eq!(up["facts"]["status"], 404);
    assert!(hints(up).contains("not at this path (/sip)"), "{up}");

    let (uri, _) = alice(&env);
    let (code, report) = json(
        &[
            env["wsUri"].as_str().unwrap(),
            "--uri",
            &uri,
            "--password-env",
            "DOCTOR_PW",
        ],
        Some("wrong-password"),
    );
    assert_eq!(code, 1);
    let reg = step(&report, "register");
    assert_eq!(reg["status"], "fail");
    assert_eq!(reg["facts"]["status"], 401);
    assert!(
        hints(reg).contains("the password is wrong, or the user is unknown"),
        "{reg}"
    );
    // With the (wrong) credentials the OPTIONS is answered by Kamailio without a
    // challenge: it proves SIP all the same.
    assert_eq!(step(&report, "options")["status"], "ok");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh temp dir holding `cert.pem` and `key.pem`: a self-signed certificate for
/// `CN=doctor-test.invalid`, subjectAltName IP 127.0.0.1, made with openssl.
fn self_signed_dir(what: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let dir = std::env::temp_dir().join(format!("doctor-{what}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=doctor-test.invalid",
        ])
        .args(["-addext", "subjectAltName=IP:127.0.0.1"])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl");
    assert!(status.success());
    dir
}

/// Waits until something accepts TCP on 127.0.0.1:`port`, or panics with `log`'s text.
fn wait_listening(port: u16, log: &std::path::Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "nothing listens on {port}: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// nginx on a free loopback port, TLS with a self-signed certificate for 127.0.0.1:
/// `/ws` proxies to Kamailio, `/dead` to a closed port (502). Stopped on drop.
struct Nginx {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Nginx {
    fn start(kamailio: u16) -> Nginx {
        let dir = self_signed_dir("nginx");
        let port = free_port();
        let dead = free_port();
        let d = dir.display();
        let conf = format!(
            "daemon off; master_process off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off; client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  server {{
    listen 127.0.0.1:{port} ssl; ssl_certificate {d}/cert.pem; ssl_certificate_key {d}/key.pem;
    location /ws {{ proxy_pass http://127.0.0.1:{kamailio}; proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\"; }}
    location /dead {{ proxy_pass http://127.0.0.1:{dead}; }}
  }}
}}
"
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let child = Command::new("nginx")
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx (Debian's nginx-light)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not listen: {}",
                std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Nginx { child, port, dir }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
#[ignore = "needs scripts/servers.sh start all, nginx and openssl"]
fn a_self_signed_tls_proxy_fails_without_insecure_passes_with_it_and_a_dead_origin_is_502() {
    let env = env();
    let nginx = Nginx::start(ws_port(&env));
    let url = format!("wss://127.0.0.1:{}/ws", nginx.port);

    let (code, report) = json(&[&url], None);
    assert_eq!(code, 1);
    let tls = step(&report, "tls");
    assert_eq!(tls["status"], "fail");
    assert_eq!(tls["facts"]["selfSigned"], true);
    assert_eq!(tls["facts"]["subject"], "CN=doctor-test.invalid");
    assert!(tls["facts"]["names"]
        .as_array()
        .unwrap()
        .contains(&Value::from("127.0.0.1")));
    let h = hints(tls);
    assert!(h.contains("self-signed") && h.contains("--insecure"), "{h}");
    assert!(steps(&report, "upgrade").is_empty());
    assert!(!h.contains("not localhost"), "{h}");

    // The same certificate by another name: the mismatch is explained too.
    let (code, report) = json(&[&format!("wss://localhost:{}/ws", nginx.port)], None);
    assert_eq!(code, 1);
    let h = hints(step(&report, "tls"));
    assert!(
        h.contains("the certificate is for 127.0.0.1, not localhost"),
        "{h}"
    );

    let (uri, password) = alice(&env);
    let (code, report) = json(
        &[
            &url,
            "--insecure",
            "--uri",
            &uri,
            "--password-env",
            "DOCTOR_PW",
        ],
        Some(&password),
    );
    assert_eq!(code, 0, "{report}");
    assert_eq!(step(&report, "tls")["status"], "warn");
    assert!(step(&report, "tls")["facts"]["protocol"]
        .as_str()
        .unwrap()
        .starts_with("TLSv1_"));
    assert_eq!(step(&report, "upgrade")["facts"]["status"], 101);
    assert_eq!(step(&report, "register")["status"], "ok");

    let (code, report) = json(
        &[
            &format!("wss://127.0.0.1:{}/dead", nginx.port),
            "--insecure",
        ],
        None,
    );
    assert_eq!(code, 1);
    let up = step(&report, "upgrade");
    assert_eq!(up["facts"]["status"], 502);
    assert!(
        hints(up).contains("nginx (Server: nginx/")
            && hints(up).contains("cannot reach its origin"),
        "{up}"
    );
}

/// TURN REST credentials for coturn's static-auth-secret (username `<expiry>:<id>`).
fn turn_credentials(env: &Value) -> (String, String) {
    let expiry = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let username = format!("{expiry}:doctor");
    let mut mac =
        Hmac::<Sha1>::new_from_slice(env["turn"]["secret"].as_str().unwrap().as_bytes()).unwrap();
    mac.update(username.as_bytes());
    (username, base64(&mac.finalize().into_bytes()))
}

#[test]
#[ignore = "needs scripts/servers.sh start all"]
fn coturn_good_and_wrong_credentials_and_a_dead_port() {
    let env = env();
    let (username, credential) = turn_credentials(&env);
    let urls = env["turn"]["urls"].clone();
    let good = serde_json::json!([{"urls": urls, "username": username, "credential": credential}])
        .to_string();
    let (code, report) = json(
        &[env["wsUri"].as_str().unwrap(), "--ice-servers", &good],
        None,
    );
    assert_eq!(code, 0, "{report}");
    let ice = steps(&report, "ice");
    assert_eq!(ice.len(), 2);
    for s in &ice {
        assert_eq!(s["facts"]["result"], "ok", "{s}");
        assert!(s["facts"]["relayed"].as_str().is_some(), "{s}");
    }
    let verdicts = report["verdicts"].as_array().unwrap();
    let v = |n: &str| verdicts.iter().find(|v| v["network"] == n).unwrap().clone();
    assert_eq!(
        v("udpBlocked")["message"],
        "UDP blocked: TURN over TCP/TLS needed and working"
    );
    assert_eq!(v("symmetricNat")["ok"], true);
    assert!(
        !report.to_string().contains(&credential),
        "the credential was printed"
    );

    let dead = free_port();
    let bad = serde_json::json!([
        {"urls": urls, "username": username, "credential": "wrong"},
        {"urls": [format!("turn:127.0.0.1:{dead}?transport=tcp"), format!("turn:127.0.0.1:{dead}?transport=udp")], "username": username, "credential": credential}
    ])
    .to_string();
    let (code, report) = json(
        &[
            env["wsUri"].as_str().unwrap(),
            "--ice-servers",
            &bad,
            "--timeout",
            "2",
        ],
        None,
    );
    assert_eq!(code, 1);
    let results: Vec<String> = steps(&report, "ice")
        .iter()
        .map(|s| s["facts"]["result"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        results,
        ["authFailed", "authFailed", "refused", "refused"],
        "{report}"
    );
    let verdicts = report["verdicts"].as_array().unwrap();
    assert!(verdicts.iter().any(|v| v["message"]
        .as_str()
        .unwrap()
        .starts_with("TURN credentials refused (401)")));
}

#[test]
#[ignore = "needs scripts/servers.sh start all"]
fn a_small_load_registers_every_account() {
    let env_file = run_dir().join("env.json");
    let url = env()["wsUri"].as_str().unwrap().to_owned();
    let (code, report) = json(
        &[
            &url,
            "--load",
            "4",
            "--accounts",
            env_file.to_str().unwrap(),
            "--duration",
            "2",
        ],
        None,
    );
    assert_eq!(code, 0, "{report}");
    let load = step(&report, "load");
    assert_eq!(load["facts"]["registered"], 4);
    assert!(load["facts"]["registerMs"]["p95"].as_f64().unwrap() > 0.0);
    assert!(load["facts"]["cpuMsPerUaPerMinute"].as_f64().is_some());
}

/// A coturn of this test's own, on free loopback ports: UDP/TCP on `port`, TLS on
/// `tls_port` with a self-signed certificate, TURN REST secret `secret`. Stopped on drop.
struct Coturn {
    child: Child,
    port: u16,
    tls_port: u16,
    dir: PathBuf,
}

impl Coturn {
    fn start(secret: &str) -> Coturn {
        let dir = self_signed_dir("coturn");
        let (port, tls_port) = (free_port(), free_port());
        let d = dir.display();
        // relay-ip 127.0.0.1 is enough here: an Allocate relays nothing. Its own relay
        // ports, apart from the main coturn's 49160-49259.
        let conf = format!(
            "listening-ip=127.0.0.1\nlistening-port={port}\ntls-listening-port={tls_port}\nrelay-ip=127.0.0.1\n\
             min-port=49400\nmax-port=49449\nuse-auth-secret\nstatic-auth-secret={secret}\nrealm=doctor.test\n\
             fingerprint\ncert={d}/cert.pem\npkey={d}/key.pem\nno-dtls\nno-cli\nno-multicast-peers\n\
             userdb={d}/turndb\npidfile={d}/coturn.pid\nlog-file={d}/coturn.log\nsimple-log\nno-stdout-log\n"
        );
        std::fs::write(dir.join("turnserver.conf"), conf).unwrap();
        let child = Command::new("turnserver")
            .arg("-c")
            .arg(dir.join("turnserver.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("turnserver (Debian's coturn)");
        wait_listening(tls_port, &dir.join("coturn.log"));
        Coturn {
            child,
            port,
            tls_port,
            dir,
        }
    }
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
#[ignore = "needs scripts/servers.sh start all, coturn and openssl"]
fn turn_over_tls_and_a_mapping_from_two_servers() {
    let env = env();
    let secret = "doctor-test-secret-not-a-real-one";
    let turn = Coturn::start(secret);
    let mut test_env = env.clone();
    test_env["turn"]["secret"] = Value::from(secret);
    let (username, credential) = turn_credentials(&test_env);
    let main_turn = env["turn"]["urls"][0]
        .as_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .replace("turn:", "stun:");
    let servers = serde_json::json!([
        {"urls": [format!("turns:127.0.0.1:{}?transport=tcp", turn.tls_port), format!("stun:127.0.0.1:{}", turn.port),
                  format!("stuns:127.0.0.1:{}", turn.tls_port)],
         "username": username, "credential": credential},
        {"urls": main_turn}
    ])
    .to_string();

    // Without --insecure the self-signed TURN certificate is refused, as a browser would.
    let (code, report) = json(
        &[env["wsUri"].as_str().unwrap(), "--ice-servers", &servers],
        None,
    );
    assert_eq!(code, 1);
    let tls = steps(&report, "ice")
        .into_iter()
        .find(|s| s["facts"]["transport"] == "tls")
        .unwrap()
        .clone();
    assert_eq!(tls["facts"]["result"], "error", "{tls}");
    assert!(
        tls["verdict"].as_str().unwrap().contains("self-signed"),
        "{tls}"
    );

    let (code, report) = json(
        &[
            env["wsUri"].as_str().unwrap(),
            "--ice-servers",
            &servers,
            "--insecure",
        ],
        None,
    );
    assert_eq!(code, 0, "{report}");
    let ice = steps(&report, "ice");
    assert_eq!(ice[0]["facts"]["transport"], "tls");
    assert_eq!(ice[0]["facts"]["result"], "ok", "{}", ice[0]);
    assert!(ice[0]["facts"]["relayed"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:"));
    // STUN over TLS (stuns:) to the same TLS port: a binding with a mapped address.
    let stuns = ice
        .iter()
        .find(|s| s["facts"]["scheme"] == "stuns")
        .expect("a stuns: step");
    assert_eq!(stuns["facts"]["transport"], "tls", "{stuns}");
    assert_eq!(stuns["facts"]["result"], "ok", "{stuns}");
    assert!(
        stuns["facts"]["mapped"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:"),
        "{stuns}"
    );
    let mapping = step(&report, "mapping");
    assert!(
        mapping["facts"]["mappings"].as_array().unwrap().len() >= 2,
        "{mapping}"
    );
    assert!(
        mapping["verdict"]
            .as_str()
            .unwrap()
            .contains("not a symmetric NAT"),
        "{mapping}"
    );
    let verdicts = report["verdicts"].as_array().unwrap();
    let v = |n: &str| verdicts.iter().find(|v| v["network"] == n).unwrap().clone();
    assert_eq!(v("udpBlocked")["ok"], true);
    assert_eq!(v("tcp443Only")["ok"], false, "the TLS port is not 443");
}
