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

/// One reading of a call's statistics, as the driver takes it from `getStats()`.
/// Counters are cumulative (as WebRTC reports them); `None` means not reported.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Sample {
    /// When it was taken, ms on any monotonic clock.
    pub at_ms: f64,
    /// Whether the call's ICE is connected (the no-audio warning only counts then).
    pub connected: bool,
    /// Round-trip time of the selected candidate pair, ms.
    pub rtt_ms: Option<f64>,
    /// Inbound audio jitter, ms.
    pub jitter_ms: Option<f64>,
    /// Inbound audio packets received so far.
    pub packets_received: u64,
    /// Inbound audio packets lost so far (RTCP may report it negative after duplicates).
    pub packets_lost: i64,
}

/// What the monitor makes of the latest [`Sample`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Estimate {
    /// Round-trip time, ms.
    pub rtt_ms: Option<f64>,
    /// Jitter, ms.
    pub jitter_ms: Option<f64>,
    /// Inbound loss over the interval since the previous sample, percent.
    pub loss_percent: Option<f64>,
    /// E-model estimate (1.0-4.5), when the round-trip time is known.
    pub mos: Option<f64>,
}

/// A quality problem of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Warning {
    /// Round-trip time above 400 ms.
    HighRtt,
    /// Inbound loss above 5 %.
    HighLoss,
    /// Jitter above 50 ms.
    HighJitter,
    /// Connected, yet no inbound audio packet for 3 s. Kept while the connection is
    /// down; cleared when packets arrive again.
    NoInboundAudio,
}

impl Warning {
    /// Every warning, in a fixed order.
    pub const ALL: [Warning; 4] = [
        Warning::HighRtt,
        Warning::HighLoss,
        Warning::HighJitter,
        Warning::NoInboundAudio,
    ];

    /// The name JavaScript sees (`highRtt` ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Warning::HighRtt => "highRtt",
            Warning::HighLoss => "highLoss",
            Warning::HighJitter => "highJitter",
            Warning::NoInboundAudio => "noInboundAudio",
        }
    }

    /// The level that raises it and the lower one that clears it (hysteresis), in the
    /// warning's unit (ms, %, ms; for the no-audio warning, ms without packets).
    pub fn thresholds(self) -> (f64, f64) {
        match self {
            Warning::HighRtt => (400.0, 320.0),
            Warning::HighLoss => (5.0, 3.0),
            Warning::HighJitter => (50.0, 40.0),
            Warning::NoInboundAudio => (3_000.0, 0.0),
        }
    }
}

/// A warning raised or cleared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WarningChange {
    /// Which.
    pub warning: Warning,
    /// Raised (`true`) or cleared.
    pub active: bool,
    /// The measure that crossed the threshold, in the warning's unit.
    pub value: Option<f64>,
}

/// Turns a call's periodic samples into estimates and warnings with hysteresis: a
/// warning is raised above its threshold and cleared only below a lower one, so a
/// value hovering at the threshold does not flap.
#[derive(Debug, Clone, Default)]
pub struct QualityMonitor {
    prev: Option<Sample>,
    /// Indexed by `Warning as usize`: the length is `Warning::ALL.len()`, so every
    /// variant has its entry and the indexing cannot fail.
    active: [bool; Warning::ALL.len()],
    /// When inbound packets last rose (or the call became connected).
    last_inbound_at: Option<f64>,
}

impl QualityMonitor {
    /// A monitor with no history.
    pub fn new() -> QualityMonitor {
        QualityMonitor::default()
    }

    /// Whether `warning` is raised now.
    pub fn is_active(&self, warning: Warning) -> bool {
        // `active` has one entry per `Warning` variant (see its declaration).
        self.active[warning as usize]
    }

    /// Takes one sample; returns the estimate and the warnings that changed.
    pub fn update(&mut self, s: &Sample) -> (Estimate, Vec<WarningChange>) {
        let loss_percent = self.prev.and_then(|p| {
            let received = s.packets_received.saturating_sub(p.packets_received) as f64;
            let lost = (s.packets_lost - p.packets_lost).max(0) as f64;
            (received + lost > 0.0).then(|| 100.0 * lost / (received + lost))
        });
        // How long inbound audio has stood still while connected.
        // Audio flows: packets rose since the previous sample.
        let flowing = self
            .prev
            .is_some_and(|p| s.packets_received > p.packets_received);
        if !s.connected {
            self.last_inbound_at = None;
        } else if flowing || self.last_inbound_at.is_none() {
            // The count starts at the first connected sample and at every packet rise.
            self.last_inbound_at = Some(s.at_ms);
        }
        // Not connected (ICE disconnected, the call reconnecting): silence is expected and
        // says nothing new, so the warning stays as it is. Only flowing audio clears it.
        let silent_ms = match (s.connected, self.last_inbound_at) {
            (true, _) if flowing => Some(0.0),
            (true, Some(since)) => Some((s.at_ms - since).max(0.0)),
            _ => None,
        };
        let mos = s.rtt_ms.map(|rtt| {
            mos(&PathMeasures {
                rtt_ms: rtt,
                jitter_ms: s.jitter_ms.unwrap_or(0.0),
                loss_percent: loss_percent.unwrap_or(0.0),
            })
        });
        let estimate = Estimate {
            rtt_ms: s.rtt_ms,
            jitter_ms: s.jitter_ms,
            loss_percent,
            mos,
        };
        let mut changes = Vec::new();
        for w in Warning::ALL {
            let value = match w {
                Warning::HighRtt => s.rtt_ms,
                Warning::HighLoss => loss_percent,
                Warning::HighJitter => s.jitter_ms,
                Warning::NoInboundAudio => silent_ms,
            };
            let Some(value) = value.filter(|v| v.is_finite()) else {
                continue; // not measured this time: no change
            };
            let (raise, clear) = w.thresholds();
            let active = &mut self.active[w as usize];
            let now_active = if *active {
                if w == Warning::NoInboundAudio {
                    !flowing
                } else {
                    value >= clear
                }
            } else {
                value > raise || (w == Warning::NoInboundAudio && value >= raise)
            };
            if now_active != *active {
                *active = now_active;
                changes.push(WarningChange {
                    warning: w,
                    active: now_active,
                    value: Some(value),
                });
            }
        }
        self.prev = Some(*s);
        (estimate, changes)
    }

    /// Clears every raised warning (the call ended); returns the cleared ones.
    pub fn reset(&mut self) -> Vec<WarningChange> {
        let mut out = Vec::new();
        for w in Warning::ALL {
            if std::mem::take(&mut self.active[w as usize]) {
                out.push(WarningChange {
                    warning: w,
                    active: false,
                    value: None,
                });
            }
        }
        *self = QualityMonitor::default();
        out
    }
}

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

    fn sample(at_ms: f64, received: u64, lost: i64) -> Sample {
        Sample {
            at_ms,
            connected: true,
            rtt_ms: Some(20.0),
            jitter_ms: Some(3.0),
            packets_received: received,
            packets_lost: lost,
        }
    }

    #[test]
    fn loss_is_measured_over_the_interval() {
        let mut m = QualityMonitor::new();
        let (e, _) = m.update(&sample(0.0, 1000, 500));
        assert_eq!(e.loss_percent, None, "no interval yet");
        // 50 received, 0 lost since: the old 500 lost do not count.
        let (e, c) = m.update(&sample(1000.0, 1050, 500));
        assert_eq!(e.loss_percent, Some(0.0));
        assert!(c.is_empty(), "{c:?}");
        // 40 received and 10 lost: 20 %.
        let (e, c) = m.update(&sample(2000.0, 1090, 510));
        assert_eq!(e.loss_percent, Some(20.0));
        assert_eq!(
            c,
            vec![WarningChange {
                warning: Warning::HighLoss,
                active: true,
                value: Some(20.0)
            }]
        );
        assert!(e.mos.unwrap() < 3.0, "{e:?}");
    }

    #[test]
    fn warnings_have_hysteresis() {
        let mut m = QualityMonitor::new();
        let mut at = 0.0;
        let mut rtt = |m: &mut QualityMonitor, v: f64| {
            at += 1000.0;
            let mut s = sample(at, (at / 20.0) as u64, 0);
            s.rtt_ms = Some(v);
            m.update(&s).1
        };
        assert!(rtt(&mut m, 390.0).is_empty());
        let raised = rtt(&mut m, 450.0);
        assert_eq!(raised.len(), 1);
        assert!(raised[0].active && raised[0].warning == Warning::HighRtt);
        // Back under 400 but above 320: still raised, no change.
        assert!(rtt(&mut m, 380.0).is_empty());
        assert!(m.is_active(Warning::HighRtt));
        let cleared = rtt(&mut m, 300.0);
        assert_eq!(cleared.len(), 1);
        assert!(!cleared[0].active);
        assert!(
            rtt(&mut m, 390.0).is_empty(),
            "no flap under the raise level"
        );
    }

    #[test]
    fn no_inbound_audio_after_three_seconds_connected() {
        let mut m = QualityMonitor::new();
        assert!(m.update(&sample(0.0, 100, 0)).1.is_empty());
        assert!(m.update(&sample(1000.0, 150, 0)).1.is_empty());
        // Packets stop rising at 1 s.
        assert!(m.update(&sample(2000.0, 150, 0)).1.is_empty());
        assert!(m.update(&sample(3000.0, 150, 0)).1.is_empty());
        let raised = m.update(&sample(4000.0, 150, 0)).1;
        assert_eq!(raised.len(), 1, "{raised:?}");
        assert_eq!(raised[0].warning, Warning::NoInboundAudio);
        assert_eq!(raised[0].value, Some(3000.0));
        // ICE drops: the warning stays (the call shows `reconnecting` meanwhile).
        let mut down = sample(5000.0, 150, 0);
        down.connected = false;
        assert!(m.update(&down).1.is_empty());
        assert!(m.is_active(Warning::NoInboundAudio));
        // Connected again, still silent: still raised, no flapping.
        assert!(m.update(&sample(6000.0, 150, 0)).1.is_empty());
        let cleared = m.update(&sample(7000.0, 160, 0)).1;
        assert_eq!(cleared.len(), 1);
        assert!(!cleared[0].active);
    }

    #[test]
    fn silence_while_not_connected_is_not_a_warning() {
        let mut m = QualityMonitor::new();
        for i in 0..10 {
            let mut s = sample(f64::from(i) * 1000.0, 0, 0);
            s.connected = false;
            assert!(m.update(&s).1.is_empty());
        }
        // Connected now: the 3 s count starts here.
        let mut s = sample(10_000.0, 0, 0);
        assert!(m.update(&s).1.is_empty());
        s.at_ms = 12_000.0;
        assert!(m.update(&s).1.is_empty());
        s.at_ms = 13_000.0;
        assert_eq!(m.update(&s).1.len(), 1);
        assert_eq!(m.reset().len(), 1);
        assert!(!m.is_active(Warning::NoInboundAudio));
    }

    #[test]
    fn unmeasured_values_change_nothing() {
        let mut m = QualityMonitor::new();
        let mut s = sample(0.0, 10, 0);
        s.rtt_ms = Some(900.0);
        assert_eq!(m.update(&s).1.len(), 1);
        s.at_ms = 1000.0;
        s.packets_received = 60;
        s.rtt_ms = None;
        let (e, c) = m.update(&s);
        assert!(c.is_empty(), "an unknown RTT does not clear highRtt");
        assert_eq!(e.mos, None);
        assert!(m.is_active(Warning::HighRtt));
    }
}
