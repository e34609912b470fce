//! DNS, TCP and TLS, one step at a time so each can be timed and explained.
//!
//! TLS is rustls with the `ring` provider and the Mozilla roots (`webpki-roots`), as a
//! browser would judge the certificate. The verifier records the certificates the
//! server sent and why they were refused, so a refusal can be explained ([`TlsInfo`]);
//! with `insecure` the handshake goes on past a refused certificate, and the refusal is
//! still reported.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// A TCP stream, or TLS over one.
#[derive(Debug)]
pub enum Stream {
    /// Plain TCP (`ws:`, `http:`, `turn:`).
    Plain(TcpStream),
    /// TLS (`wss:`, `https:`, `turns:`).
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Resolves `host` (A and AAAA) within `timeout`.
///
/// # Errors
/// The resolver's error, or `TimedOut`.
pub async fn resolve(host: &str, port: u16, timeout: Duration) -> io::Result<Vec<SocketAddr>> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let found = tokio::time::timeout(timeout, tokio::net::lookup_host((host, port)))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "DNS lookup timed out"))??;
    let mut addrs: Vec<SocketAddr> = found.collect();
    addrs.dedup();
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "no A or AAAA record",
        ));
    }
    Ok(addrs)
}

/// Connects to the first of `addrs` that accepts, each within `timeout`.
///
/// # Errors
/// The last address's error (`ConnectionRefused`, `TimedOut`...).
pub async fn connect(
    addrs: &[SocketAddr],
    timeout: Duration,
) -> io::Result<(TcpStream, SocketAddr)> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address to connect to");
    for addr in addrs {
        match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                return Ok((s, *addr));
            }
            Ok(Err(e)) => last = e,
            Err(_) => last = io::Error::new(io::ErrorKind::TimedOut, "TCP connect timed out"),
        }
    }
    Err(last)
}

/// One certificate, as far as a person needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertInfo {
    /// The subject DN.
    pub subject: String,
    /// The issuer DN.
    pub issuer: String,
    /// The DNS names and IP addresses of subjectAltName (the CN when there are none).
    pub names: Vec<String>,
    /// notBefore, RFC 3339.
    pub not_before: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// Days from now to notAfter (negative: expired).
    pub days_left: i64,
    /// Subject equals issuer.
    pub self_signed: bool,
}

/// What the TLS handshake showed.
#[derive(Debug, Clone, Default)]
pub struct TlsInfo {
    /// `TLSv1_3`, `TLSv1_2`; empty when the handshake failed.
    pub protocol: String,
    /// The server's certificate, if it sent one.
    pub cert: Option<CertInfo>,
    /// Why the certificate was refused (`None`: accepted).
    pub refused: Option<String>,
    /// The handshake's error, when it failed.
    pub error: Option<String>,
}

/// Runs a TLS handshake for `host` over `tcp` within `timeout`. The [`TlsInfo`] comes
/// back in both cases.
pub async fn tls(
    tcp: TcpStream,
    host: &str,
    insecure: bool,
    timeout: Duration,
) -> (Option<Stream>, TlsInfo) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut info = TlsInfo::default();
    let config = match client_config(insecure, Arc::clone(&seen), &["http/1.1"]) {
        Ok(c) => c,
        Err(e) => {
            info.error = Some(e);
            return (None, info);
        }
    };
    let name = match ServerName::try_from(
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned(),
    ) {
        Ok(n) => n,
        Err(e) => {
            info.error = Some(format!("not a TLS server name: {e}"));
            return (None, info);
        }
    };
    let result = tokio::time::timeout(
        timeout,
        TlsConnector::from(Arc::new(config)).connect(name, tcp),
    )
    .await;
    {
        let seen = seen.lock().unwrap_or_else(|e| e.into_inner());
        info.cert = seen.cert.as_deref().and_then(cert_info);
        info.refused = seen.refused.clone();
    }
    match result {
        Ok(Ok(stream)) => {
            info.protocol = stream
                .get_ref()
                .1
                .protocol_version()
                .map(|v| format!("{v:?}"))
                .unwrap_or_default();
            (Some(Stream::Tls(Box::new(stream))), info)
        }
        Ok(Err(e)) => {
            info.error = Some(e.to_string());
            (None, info)
        }
        Err(_) => {
            info.error = Some("TLS handshake timed out".into());
            (None, info)
        }
    }
}

#[derive(Debug, Default)]
struct Seen {
    cert: Option<Vec<u8>>,
    refused: Option<String>,
}

fn client_config(
    insecure: bool,
    seen: Arc<Mutex<Seen>>,
    alpn: &[&str],
) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
        .build()
        .map_err(|e| e.to_string())?;
    let verifier = Recording {
        inner,
        insecure,
        seen,
    };
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    Ok(config)
}

/// The webpki verifier, recording what it saw; with `insecure`, it accepts what it refused.
#[derive(Debug)]
struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    insecure: bool,
    seen: Arc<Mutex<Seen>>,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result =
            self.inner
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, now);
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.cert = Some(end_entity.to_vec());
        match result {
            Ok(ok) => Ok(ok),
            Err(e) => {
                seen.refused = Some(describe(&e));
                if self.insecure {
                    Ok(ServerCertVerified::assertion())
                } else {
                    Err(e)
                }
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// A certificate refusal in plain words, with rustls's own name after it.
fn describe(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    let words = match e {
        rustls::Error::InvalidCertificate(c) => match c {
            C::UnknownIssuer => "its issuer is not a known CA",
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                "it is not valid for this host name"
            }
            C::Expired | C::ExpiredContext { .. } => "it has expired",
            C::NotValidYet | C::NotValidYetContext { .. } => "it is not valid yet",
            C::Revoked => "it is revoked",
            C::BadSignature => "its signature does not verify",
            C::Other(o) if o.to_string().contains("CaUsedAsEndEntity") => {
                "it is a CA certificate used as the server's own (self-signed)"
            }
            _ => "it does not verify",
        },
        _ => "the handshake failed",
    };
    format!("{words} ({e})")
}

/// Reads subject, issuer, names and validity from a DER certificate.
pub fn cert_info(der: &[u8]) -> Option<CertInfo> {
    use x509_parser::extensions::GeneralName;
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let subject = cert.subject().to_string();
    let issuer = cert.issuer().to_string();
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => names.push((*d).to_owned()),
                GeneralName::IPAddress(ip) => names.push(match ip.len() {
                    4 => std::net::Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]).to_string(),
                    16 => std::net::Ipv6Addr::from(<[u8; 16]>::try_from(*ip).ok()?).to_string(),
                    _ => continue,
                }),
                _ => {}
            }
        }
    }
    if names.is_empty() {
        names.extend(
            cert.subject()
                .iter_common_name()
                .filter_map(|cn| cn.as_str().ok().map(str::to_owned)),
        );
    }
    let validity = cert.validity();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Some(CertInfo {
        self_signed: subject == issuer,
        subject,
        issuer,
        names,
        not_before: rfc3339(validity.not_before.timestamp()),
        not_after: rfc3339(validity.not_after.timestamp()),
        days_left: (validity.not_after.timestamp() - now).div_euclid(86_400),
    })
}

/// A Unix time as `YYYY-MM-DDTHH:MM:SSZ` (civil-from-days, proleptic Gregorian).
pub fn rfc3339(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_dates() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
