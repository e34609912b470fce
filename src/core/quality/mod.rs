//! Call quality as a number: the E-model (ITU-T G.107) simplified as VoIP monitors use it,
//! and a [`QualityMonitor`] that turns periodic statistics into estimates and warnings.
//!
//! ```text
//! R   = 93.2 - Id - Ie_eff
//! Id  = 0.024 d + 0.11 (d - 177.3) H(d - 177.3)        d: one-way mouth-to-ear delay, ms
//! Ie_eff = Ie + (95 - Ie) Ppl / (Ppl / BurstR + Bpl)    Ppl: packet loss, %
//! MOS = 1                                   R <= 0
//!       1 + 0.035 R + 7e-6 R (R - 60) (100 - R)
//!       4.5                                 R >= 100
//! ```
//!
//! The one-way delay is estimated from what WebRTC statistics give: half the round-trip
//! time of the selected candidate pair, plus a jitter buffer of twice the measured jitter
//! (at least one 20 ms packet), plus the codec's own delay (an Opus frame of 20 ms and
//! its 6.5 ms look-ahead).
//!
//! Opus has no published `Ie`/`Bpl` (G.113 lists narrowband codecs); like most VoIP
//! monitors this treats it as G.711 with packet-loss concealment on the narrowband
//! scale: `Ie = 0`, `Bpl = 25`, random loss (`BurstR = 1`). The result is an estimate
//! on the familiar 1.0-4.5 scale, meant for trends and warnings, not a listening test.

/// An audio codec's equipment impairment (`Ie`) and loss robustness (`Bpl`), ITU-T G.113.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CodecImpairment {
    /// Equipment impairment factor with no loss.
    pub ie: f64,
    /// Packet-loss robustness factor.
    pub bpl: f64,
    /// The codec's own delay (frame plus look-ahead), ms.
    pub delay_ms: f64,
}

impl CodecImpairment {
    /// Opus at 20 ms frames, treated as G.711 with concealment (see the module docs).
    pub const OPUS: CodecImpairment = CodecImpairment {
        ie: 0.0,
        bpl: 25.0,
        delay_ms: 26.5,
    };
    /// G.711 (PCMU/PCMA) with packet-loss concealment, 20 ms frames (G.113 Table I.3).
    pub const G711: CodecImpairment = CodecImpairment {
        ie: 0.0,
        bpl: 25.1,
        delay_ms: 20.0,
    };
}

/// What the E-model needs about the path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathMeasures {
    /// Round-trip time of the media path, ms (`currentRoundTripTime` of the pair).
    pub rtt_ms: f64,
    /// Inbound interarrival jitter, ms.
    pub jitter_ms: f64,
    /// Packets lost over the interval, percent (0-100).
    pub loss_percent: f64,
}

/// The smallest jitter buffer assumed, ms: one 20 ms packet.
const MIN_JITTER_BUFFER_MS: f64 = 20.0;

/// The estimated one-way mouth-to-ear delay, ms: `RTT / 2` plus a jitter buffer of
/// twice the jitter (at least 20 ms) plus the codec's delay. Negative or non-finite
/// inputs count as zero.
pub fn one_way_delay_ms(path: &PathMeasures, codec: &CodecImpairment) -> f64 {
    let rtt = sane(path.rtt_ms);
    let jitter_buffer = (2.0 * sane(path.jitter_ms)).max(MIN_JITTER_BUFFER_MS);
    rtt / 2.0 + jitter_buffer + sane(codec.delay_ms)
}

/// The delay impairment `Id` for a one-way delay in ms.
pub fn delay_impairment(one_way_ms: f64) -> f64 {
    let d = sane(one_way_ms);
    0.024 * d + 0.11 * (d - 177.3).max(0.0)
}

/// The effective equipment impairment `Ie_eff` at `loss_percent` random loss.
pub fn equipment_impairment(codec: &CodecImpairment, loss_percent: f64) -> f64 {
    let ppl = sane(loss_percent).min(100.0);
    codec.ie + (95.0 - codec.ie) * ppl / (ppl + codec.bpl)
}

/// The transmission rating factor `R` (0-100) for a path and a codec.
pub fn r_factor(path: &PathMeasures, codec: &CodecImpairment) -> f64 {
    let d = one_way_delay_ms(path, codec);
    let r = 93.2 - delay_impairment(d) - equipment_impairment(codec, path.loss_percent);
    r.clamp(0.0, 100.0)
}

/// The mean opinion score (1.0-4.5) for a rating factor `R`.
pub fn mos_from_r(r: f64) -> f64 {
    if !r.is_finite() || r <= 0.0 {
        return 1.0;
    }
    if r >= 100.0 {
        return 4.5;
    }
    let mos = 1.0 + 0.035 * r + 7.0e-6 * r * (r - 60.0) * (100.0 - r);
    mos.clamp(1.0, 4.5)
}

/// The estimated MOS (1.0-4.5) of an Opus call over `path`.
pub fn mos(path: &PathMeasures) -> f64 {
    mos_from_r(r_factor(path, &CodecImpairment::OPUS))
}

/// Zero for negative, NaN or infinite measures: a missing statistic must not poison
/// the score.
fn sane(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 {
        v
    } else {
        0.0
    }
}

mod monitor;

pub use monitor::{
    AudioMeter, Estimate, MosUnavailable, QualityMonitor, Sample, Warning, WarningChange,
    SILENCE_LEVEL,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn path(rtt_ms: f64, jitter_ms: f64, loss_percent: f64) -> PathMeasures {
        PathMeasures {
            rtt_ms,
            jitter_ms,
            loss_percent,
        }
    }

    #[test]
    fn mos_of_r_matches_the_g107_mapping() {
        assert_eq!(mos_from_r(-5.0), 1.0);
        assert_eq!(mos_from_r(0.0), 1.0);
        assert_eq!(mos_from_r(100.0), 4.5);
        assert_eq!(mos_from_r(f64::NAN), 1.0);
        // Textbook points: R 93.2 -> 4.41, R 80 -> 4.02, R 70 -> 3.60, R 50 -> 2.58.
        assert!(
            (mos_from_r(93.2) - 4.409).abs() < 0.005,
            "{}",
            mos_from_r(93.2)
        );
        assert!((mos_from_r(80.0) - 4.024).abs() < 0.005);
        assert!((mos_from_r(70.0) - 3.597).abs() < 0.005);
        assert!((mos_from_r(50.0) - 2.575).abs() < 0.005);
    }

    #[test]
    fn delay_impairment_bends_at_177_ms() {
        assert_eq!(delay_impairment(0.0), 0.0);
        assert!((delay_impairment(100.0) - 2.4).abs() < 1e-9);
        assert!((delay_impairment(177.3) - 0.024 * 177.3).abs() < 1e-9);
        let past = delay_impairment(300.0);
        assert!((past - (7.2 + 0.11 * 122.7)).abs() < 1e-9, "{past}");
    }

    #[test]
    fn loss_impairment_uses_bpl() {
        let c = CodecImpairment::OPUS;
        assert_eq!(equipment_impairment(&c, 0.0), 0.0);
        // 5 % random loss with Bpl 25: 95 * 5 / 30.
        assert!((equipment_impairment(&c, 5.0) - 95.0 * 5.0 / 30.0).abs() < 1e-9);
        assert!(equipment_impairment(&c, 100.0) < 95.0);
        assert_eq!(equipment_impairment(&c, -3.0), 0.0);
    }

    #[test]
    fn a_clean_lan_call_scores_about_4_4() {
        let m = mos(&path(2.0, 1.0, 0.0));
        assert!(m > 4.3 && m <= 4.5, "{m}");
    }

    #[test]
    fn mos_falls_with_each_impairment() {
        let clean = mos(&path(40.0, 5.0, 0.0));
        assert!(mos(&path(600.0, 5.0, 0.0)) < clean - 0.5, "long delay");
        assert!(mos(&path(40.0, 80.0, 0.0)) < clean, "jitter");
        assert!(mos(&path(40.0, 5.0, 10.0)) < 3.4, "10 % loss");
        assert!(mos(&path(40.0, 5.0, 10.0)) < mos(&path(40.0, 5.0, 2.0)));
    }

    #[test]
    fn hopeless_paths_bottom_out_at_one() {
        assert_eq!(mos(&path(5_000.0, 500.0, 60.0)), 1.0);
    }

    #[test]
    fn missing_measures_do_not_poison_the_score() {
        let m = mos(&path(f64::NAN, -1.0, f64::INFINITY));
        assert!((1.0..=4.5).contains(&m), "{m}");
        let d = one_way_delay_ms(&path(f64::NAN, f64::NAN, 0.0), &CodecImpairment::OPUS);
        assert!((d - (20.0 + 26.5)).abs() < 1e-9, "{d}");
    }
}
