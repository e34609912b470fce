//! [`QualityMonitor`]: a call's periodic statistics turned into estimates and warnings,
//! honestly: no MOS without measured packets, no-inbound-audio whenever the call is up
//! and nothing arrives (whatever ICE says), and the audio levels of both directions
//! with warnings for a silent microphone and a silent far end.

use super::{mos, PathMeasures};

/// An audio level below this (linear, 0-1; about -60 dBFS) is silence.
pub const SILENCE_LEVEL: f64 = 0.001;

/// The shortest interval a reading is measured over, ms: `call.getStats()` may read a
/// few ms after the periodic sample, and over so short an interval no packet may have
/// arrived although audio flows. Such a reading is measured from an older one.
pub const MIN_INTERVAL_MS: f64 = 500.0;

/// Readings kept to measure intervals from.
const HISTORY: usize = 4;

/// The audio level of one direction as WebRTC reports it (`audioLevel`,
/// `totalAudioEnergy`, `totalSamplesDuration`); `None` means not reported.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AudioMeter {
    /// The current level, linear 0-1.
    pub level: Option<f64>,
    /// Cumulative energy (the sum of squared levels times sample durations).
    pub total_energy: Option<f64>,
    /// Cumulative duration of the samples the energy counts, s.
    pub total_duration: Option<f64>,
}

impl AudioMeter {
    /// The level over the interval since `prev`: the root mean square from the energy
    /// counters when both readings have them, else the current level.
    fn interval_level(&self, prev: Option<&AudioMeter>) -> Option<f64> {
        let from_energy = prev.and_then(|p| {
            let energy = self.total_energy? - p.total_energy?;
            let duration = self.total_duration? - p.total_duration?;
            (duration > 0.0 && energy >= 0.0).then(|| (energy / duration).sqrt())
        });
        from_energy
            .or(self.level)
            .filter(|v| v.is_finite())
            .map(|v| v.clamp(0.0, 1.0))
    }
}

/// One reading of a call's statistics, as the driver takes it from `getStats()` when
/// the core asks for a sample. Counters are cumulative (as WebRTC reports them).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Sample {
    /// When it was taken, ms on any monotonic clock.
    pub at_ms: f64,
    /// The call is up and inbound audio is expected (nobody holds it): the
    /// no-inbound-audio and far-end-silence warnings count only then.
    pub inbound_expected: bool,
    /// Outbound audio is expected (not muted, not held): the silent-microphone warning
    /// counts only then.
    pub outbound_expected: bool,
    /// Round-trip time of the selected candidate pair, ms.
    pub rtt_ms: Option<f64>,
    /// Inbound audio jitter, ms.
    pub jitter_ms: Option<f64>,
    /// Inbound audio packets received so far.
    pub packets_received: u64,
    /// Inbound audio packets lost so far (RTCP may report it negative after duplicates).
    pub packets_lost: i64,
    /// Outbound audio packets sent so far.
    pub packets_sent: u64,
    /// The far end's audio (`inbound-rtp`).
    pub inbound_audio: AudioMeter,
    /// The microphone's audio (`media-source`).
    pub outbound_audio: AudioMeter,
}

/// Why there is no MOS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MosUnavailable {
    /// No inbound packet arrived over the interval: nothing was measured.
    NoInboundPackets,
    /// The round-trip time is not known yet.
    NoRoundTripTime,
}

impl MosUnavailable {
    /// The name JavaScript sees.
    pub fn as_str(self) -> &'static str {
        match self {
            MosUnavailable::NoInboundPackets => "noInboundPackets",
            MosUnavailable::NoRoundTripTime => "noRoundTripTime",
        }
    }
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
    /// E-model estimate (1.0-4.5), only when packets arrived over the interval and the
    /// round-trip time is known.
    pub mos: Option<f64>,
    /// Why `mos` is `None`.
    pub mos_unavailable: Option<MosUnavailable>,
    /// The far end's audio level over the interval, linear 0-1.
    pub inbound_level: Option<f64>,
    /// The microphone's audio level over the interval, linear 0-1.
    pub outbound_level: Option<f64>,
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
    /// The call is up (not held), yet no inbound audio packet for 3 s, whether ICE is
    /// connected or not. Cleared when packets arrive again, or on hold.
    NoInboundAudio,
    /// The microphone sends silence for 3 s while it is not muted (a muted or
    /// unplugged device, a wrong input chosen).
    SilentMicrophone,
    /// Packets arrive but carry silence for 5 s (the far end is muted, or its
    /// microphone is).
    FarEndSilent,
    /// The estimated MOS is below 3.0 (clears at 3.3).
    LowMos,
}

impl Warning {
    /// Every warning, in a fixed order.
    pub const ALL: [Warning; 7] = [
        Warning::HighRtt,
        Warning::HighLoss,
        Warning::HighJitter,
        Warning::NoInboundAudio,
        Warning::SilentMicrophone,
        Warning::FarEndSilent,
        Warning::LowMos,
    ];

    /// The name JavaScript sees (`highRtt` ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Warning::HighRtt => "highRtt",
            Warning::HighLoss => "highLoss",
            Warning::HighJitter => "highJitter",
            Warning::NoInboundAudio => "noInboundAudio",
            Warning::SilentMicrophone => "silentMicrophone",
            Warning::FarEndSilent => "farEndSilent",
            Warning::LowMos => "lowMos",
        }
    }

    /// The level that raises it and the one that clears it (hysteresis), in the
    /// warning's unit (ms, %, ms; for the silence warnings, ms of silence, cleared by
    /// sound; for `lowMos`, the MOS: raised below the first, cleared at the second).
    pub fn thresholds(self) -> (f64, f64) {
        match self {
            Warning::HighRtt => (400.0, 320.0),
            Warning::HighLoss => (5.0, 3.0),
            Warning::HighJitter => (50.0, 40.0),
            Warning::NoInboundAudio | Warning::SilentMicrophone => (3_000.0, 0.0),
            Warning::FarEndSilent => (5_000.0, 0.0),
            Warning::LowMos => (3.0, 3.3),
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

/// How one warning stands after a sample: its measure, and whether that measure is
/// past the raise level or back past the clear level.
struct Reading {
    value: f64,
    raise: bool,
    clear: bool,
}

/// Turns a call's periodic samples into estimates and warnings with hysteresis: a
/// warning is raised past its threshold and cleared only past a second one, so a value
/// hovering at the threshold does not flap.
#[derive(Debug, Clone, Default)]
pub struct QualityMonitor {
    /// The last readings, oldest first (at most [`HISTORY`]).
    history: std::collections::VecDeque<Sample>,
    /// Indexed by `Warning as usize`: the length is `Warning::ALL.len()`, so every
    /// variant has its entry and the indexing cannot fail.
    active: [bool; Warning::ALL.len()],
    /// When inbound packets last rose (or inbound audio became expected).
    last_inbound_at: Option<f64>,
    /// Since when the microphone / the far end has been silent.
    mic_silent_since: Option<f64>,
    far_silent_since: Option<f64>,
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
        // Measured from the newest reading at least MIN_INTERVAL_MS old, else the oldest.
        let prev = (self.history.iter().rev())
            .find(|p| s.at_ms - p.at_ms >= MIN_INTERVAL_MS)
            .or(self.history.front())
            .copied();
        let received = prev.map(|p| s.packets_received.saturating_sub(p.packets_received));
        let loss_percent = prev.and_then(|p| {
            let received = s.packets_received.saturating_sub(p.packets_received) as f64;
            let lost = (s.packets_lost - p.packets_lost).max(0) as f64;
            (received + lost > 0.0).then(|| 100.0 * lost / (received + lost))
        });
        // Audio flows: packets rose since the previous sample.
        let flowing = received.is_some_and(|n| n > 0);
        let inbound_level = s
            .inbound_audio
            .interval_level(prev.as_ref().map(|p| &p.inbound_audio));
        let outbound_level = s
            .outbound_audio
            .interval_level(prev.as_ref().map(|p| &p.outbound_audio));
        let (mos, mos_unavailable) = match (flowing, s.rtt_ms) {
            (false, _) => (None, Some(MosUnavailable::NoInboundPackets)),
            (true, None) => (None, Some(MosUnavailable::NoRoundTripTime)),
            (true, Some(rtt)) => {
                let path = PathMeasures {
                    rtt_ms: rtt,
                    jitter_ms: s.jitter_ms.unwrap_or(0.0),
                    loss_percent: loss_percent.unwrap_or(0.0),
                };
                (Some(mos(&path)), None)
            }
        };
        let estimate = Estimate {
            rtt_ms: s.rtt_ms,
            jitter_ms: s.jitter_ms,
            loss_percent,
            mos,
            mos_unavailable,
            inbound_level,
            outbound_level,
        };
        let readings = self.readings(s, &estimate, flowing);
        let mut changes = Vec::new();
        for (w, reading) in Warning::ALL.into_iter().zip(readings) {
            let Some(r) = reading.filter(|r| r.value.is_finite()) else {
                continue; // not measured this time: no change
            };
            let active = &mut self.active[w as usize];
            let now_active = if *active { !r.clear } else { r.raise };
            if now_active != *active {
                *active = now_active;
                changes.push(WarningChange {
                    warning: w,
                    active: now_active,
                    value: Some(r.value),
                });
            }
        }
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(*s);
        (estimate, changes)
    }

    /// Every warning's reading for sample `s`, in the order of `Warning::ALL`.
    fn readings(
        &mut self,
        s: &Sample,
        e: &Estimate,
        flowing: bool,
    ) -> [Option<Reading>; Warning::ALL.len()] {
        let above = |w: Warning, v: Option<f64>| {
            let (raise, clear) = w.thresholds();
            v.map(|value| Reading {
                value,
                raise: value > raise,
                clear: value < clear,
            })
        };
        let at = s.at_ms;
        // No inbound audio: counted while inbound audio is expected, from the first such
        // sample and from every packet rise; on hold, silence is expected: cleared.
        let no_inbound = if s.inbound_expected {
            if flowing || self.last_inbound_at.is_none() {
                self.last_inbound_at = Some(at);
            }
            let silent = if flowing {
                0.0
            } else {
                self.last_inbound_at.map_or(0.0, |t| (at - t).max(0.0))
            };
            Some(Reading {
                value: silent,
                raise: silent >= Warning::NoInboundAudio.thresholds().0,
                clear: flowing,
            })
        } else {
            self.last_inbound_at = None;
            Some(Reading {
                value: 0.0,
                raise: false,
                clear: true,
            })
        };
        let mic = silence(
            &mut self.mic_silent_since,
            s.outbound_expected,
            e.outbound_level,
            at,
            Warning::SilentMicrophone,
        );
        // Far-end silence needs packets: without them it is `noInboundAudio`.
        let far = silence(
            &mut self.far_silent_since,
            s.inbound_expected && flowing,
            e.inbound_level,
            at,
            Warning::FarEndSilent,
        );
        let (low, high) = Warning::LowMos.thresholds();
        let low_mos = e.mos.map(|m| Reading {
            value: m,
            raise: m < low,
            clear: m >= high,
        });
        [
            above(Warning::HighRtt, s.rtt_ms),
            above(Warning::HighLoss, e.loss_percent),
            above(Warning::HighJitter, s.jitter_ms),
            no_inbound,
            mic,
            far,
            low_mos,
        ]
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

/// A silence warning's reading: the time the level has stayed below [`SILENCE_LEVEL`]
/// while sound is expected; cleared by sound or when sound is not expected. An unknown
/// level changes nothing.
fn silence(
    since: &mut Option<f64>,
    expected: bool,
    level: Option<f64>,
    at: f64,
    w: Warning,
) -> Option<Reading> {
    if !expected {
        *since = None;
        return Some(Reading {
            value: 0.0,
            raise: false,
            clear: true,
        });
    }
    let level = level?;
    if level >= SILENCE_LEVEL {
        *since = None;
        return Some(Reading {
            value: 0.0,
            raise: false,
            clear: true,
        });
    }
    let start = *since.get_or_insert(at);
    let silent = (at - start).max(0.0);
    Some(Reading {
        value: silent,
        raise: silent >= w.thresholds().0,
        clear: false,
    })
}

#[cfg(test)]
mod tests;
