//! The application's control of credentials and registration, apart from
//! `start`/`stop`: rotating credentials without dropping calls, do-not-disturb
//! (`unregister` keeps the flow and the calls, `register` brings the binding back),
//! and the state getters.

use super::{Conn, Run, UserAgent};
use crate::core::auth::Credential;
use crate::core::config::{check_ha1, ConfigError};
use crate::core::Instant;

/// Where the WebSocket flow is, as [`UserAgent::connection_state`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// Not started, or stopped.
    Idle,
    /// A socket is opening.
    Connecting,
    /// The socket is open.
    Connected,
    /// Waiting before the next attempt.
    Reconnecting,
}

impl UserAgent {
    /// Replaces the digest credentials (a rotated password, or an HA1) and, when
    /// `auth_user` is given, the digest username. Nothing is sent and no call is
    /// touched: cached challenges are forgotten, so the next request goes without
    /// credentials and the server's next challenge is answered with the new ones (a
    /// nonce answered with the old secret is never reused). A registration refused for
    /// good (a rejected password) is tried again at once.
    ///
    /// # Errors
    /// An HA1 that is not 32 hex digits, or a username with CR, LF or NUL or empty
    /// (`field` names `ha1` or `authorizationUser`).
    pub fn set_credentials(
        &mut self,
        credential: Credential,
        auth_user: Option<String>,
        now: Instant,
    ) -> Result<(), ConfigError> {
        if let Credential::Ha1(h) = &credential {
            check_ha1(h).map_err(|why| ConfigError::new("ha1", why))?;
        }
        if let Some(user) = &auth_user {
            if user.is_empty() || user.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
                return Err(ConfigError::new(
                    "authorizationUser",
                    "must be non-empty, without CR, LF or NUL",
                ));
            }
        }
        self.auth.rotate(auth_user, credential);
        if self.run == Run::Running {
            let mut p = self.parts(now);
            p.registration.retry_now(&mut p.io, &mut p.sender);
        }
        Ok(())
    }

    /// Do-not-disturb: removes the binding (REGISTER with Expires: 0) and stops
    /// refreshing it, keeping the WebSocket and every call up. Later flows do not
    /// register either, until [`UserAgent::register`]. Does nothing when registration
    /// is not configured.
    pub fn unregister(&mut self, now: Instant) {
        let mut p = self.parts(now);
        p.registration.pause(&mut p.io, &mut p.sender);
        self.sync_prewarm(now);
    }

    /// Registers again after [`UserAgent::unregister`] (or after a refusal): a new
    /// REGISTER round at once when the flow is up, else when it opens.
    pub fn register(&mut self, now: Instant) {
        // Without a flow (not started, or reconnecting) the round starts when one opens.
        let mut p = self.parts(now);
        p.registration.resume(&mut p.io, &mut p.sender);
        if self.run == Run::Running {
            self.sync_prewarm(now);
        }
    }

    /// Whether the registrar holds our binding now.
    pub fn is_registered(&self) -> bool {
        self.registration.is_registered()
    }

    /// Whether the application unregistered (do-not-disturb) and has not registered since.
    pub fn is_unregistered_by_app(&self) -> bool {
        self.registration.is_paused()
    }

    /// Where the WebSocket flow is.
    pub fn connection_state(&self) -> ConnectionState {
        match self.conn {
            Conn::None => ConnectionState::Idle,
            Conn::Waiting => ConnectionState::Reconnecting,
            Conn::Connecting { .. } => ConnectionState::Connecting,
            Conn::Open { .. } => ConnectionState::Connected,
        }
    }
}
