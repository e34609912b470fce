//! What an application prefers for a call's audio: the codec order and a cap on opus'
//! bitrate. Pure data and the decisions on it; the browser driver only carries them out
//! (`RTCRtpTransceiver.setCodecPreferences` with the order [`codec_order`] gives, and
//! `RTCRtpSender.setParameters` with [`MediaPrefs::opus_max_bitrate`]).
//!
//! The order is applied with `setCodecPreferences`, never by rewriting SDP: every
//! browser this package supports has it (Chrome, Edge, Safari, Firefox 128 and later).
//! Where it is missing, the browser's own order stays and the driver logs a warning.

use crate::core::CallError;

/// An audio codec the application may put first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// `audio/opus` (48 kHz, the browsers' default).
    Opus,
    /// `audio/G722` (wideband G.722).
    G722,
    /// `audio/PCMU` (G.711 µ-law).
    Pcmu,
    /// `audio/PCMA` (G.711 A-law).
    Pcma,
}

impl Codec {
    /// The codec named `name` as JavaScript spells it (`opus`, `G722`, `PCMU`, `PCMA`;
    /// case does not matter).
    pub fn from_name(name: &str) -> Option<Codec> {
        Some(match name.to_ascii_lowercase().as_str() {
            "opus" => Codec::Opus,
            "g722" => Codec::G722,
            "pcmu" => Codec::Pcmu,
            "pcma" => Codec::Pcma,
            _ => return None,
        })
    }

    /// The MIME type of `RTCRtpCodec.mimeType`.
    pub fn mime_type(self) -> &'static str {
        match self {
            Codec::Opus => "audio/opus",
            Codec::G722 => "audio/G722",
            Codec::Pcmu => "audio/PCMU",
            Codec::Pcma => "audio/PCMA",
        }
    }
}

/// The lowest opus bitrate accepted, bits per second (RFC 7587: 6 kb/s).
pub const OPUS_MIN_BITRATE: u32 = 6_000;
/// The highest opus bitrate accepted, bits per second (RFC 7587: 510 kb/s).
pub const OPUS_MAX_BITRATE: u32 = 510_000;

/// A call's audio preferences.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaPrefs {
    /// Codecs to put first, in this order; the others follow in the browser's order.
    /// Empty: the browser's order.
    pub codecs: Vec<Codec>,
    /// The most the audio sender may send, bits per second.
    pub opus_max_bitrate: Option<u32>,
}

impl MediaPrefs {
    /// Checks the application's `codecs` and `opusMaxBitrate`.
    ///
    /// # Errors
    /// `InvalidValue` naming the option: an unknown codec, one listed twice, a bitrate
    /// that is not a whole number within 6000-510000.
    pub fn new(codecs: &[String], opus_max_bitrate: Option<f64>) -> Result<MediaPrefs, CallError> {
        let mut out = MediaPrefs::default();
        for name in codecs {
            let codec = Codec::from_name(name).ok_or_else(|| {
                CallError::InvalidValue(format!(
                    "options.codecs: unknown codec {name:?}, expected opus, G722, PCMU or PCMA"
                ))
            })?;
            if out.codecs.contains(&codec) {
                return Err(CallError::InvalidValue(format!(
                    "options.codecs: {name} is listed twice"
                )));
            }
            out.codecs.push(codec);
        }
        if let Some(bps) = opus_max_bitrate {
            let range = f64::from(OPUS_MIN_BITRATE)..=f64::from(OPUS_MAX_BITRATE);
            if !(range.contains(&bps) && bps.fract() == 0.0) {
                return Err(CallError::InvalidValue(format!(
                    "options.opusMaxBitrate must be a whole number of bits per second \
                     from {OPUS_MIN_BITRATE} to {OPUS_MAX_BITRATE}"
                )));
            }
            out.opus_max_bitrate = Some(bps as u32);
        }
        Ok(out)
    }

    /// Whether there is nothing to apply.
    pub fn is_empty(&self) -> bool {
        self.codecs.is_empty() && self.opus_max_bitrate.is_none()
    }
}

/// The order to give `setCodecPreferences`, as indices into `mime_types` (the browser's
/// capabilities, in its order): every entry of each preferred codec, in the preferred
/// order, then all the others (telephone-event, comfort noise, RED, codecs not named)
/// in the browser's order. `None` when nothing is preferred or none of the preferred
/// codecs is available (then the browser's order stays as it is).
pub fn codec_order(mime_types: &[&str], preferred: &[Codec]) -> Option<Vec<usize>> {
    let rank = |mime: &str| {
        preferred
            .iter()
            .position(|c| c.mime_type().eq_ignore_ascii_case(mime))
    };
    if !mime_types.iter().any(|m| rank(m).is_some()) {
        return None;
    }
    let mut order: Vec<usize> = (0..mime_types.len()).collect();
    // Stable: entries of equal rank keep the browser's order.
    order.sort_by_key(|&i| rank(mime_types[i]).unwrap_or(preferred.len()));
    Some(order)
}
