//! The monitor's warnings and estimates, sample by sample.

use super::*;

fn sample(at_ms: f64, received: u64, lost: i64) -> Sample {
    Sample {
        at_ms,
        inbound_expected: true,
        outbound_expected: true,
        rtt_ms: Some(20.0),
        jitter_ms: Some(3.0),
        packets_received: received,
        packets_lost: lost,
        ..Sample::default()
    }
}

fn warnings(c: &[WarningChange]) -> Vec<(Warning, bool)> {
    c.iter().map(|c| (c.warning, c.active)).collect()
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
    // 40 received and 10 lost: 20 %, and a MOS that low is a warning of its own.
    let (e, c) = m.update(&sample(2000.0, 1090, 510));
    assert_eq!(e.loss_percent, Some(20.0));
    assert_eq!(
        c[0],
        WarningChange {
            warning: Warning::HighLoss,
            active: true,
            value: Some(20.0)
        }
    );
    let mos = e.mos.unwrap();
    assert!(mos < 3.0, "{e:?}");
    assert_eq!(
        c[1],
        WarningChange {
            warning: Warning::LowMos,
            active: true,
            value: Some(mos)
        }
    );
    assert_eq!(c.len(), 2);
}

#[test]
fn no_mos_without_measured_packets() {
    let mut m = QualityMonitor::new();
    // The state the issue found: a round-trip time, no packet either way.
    let (e, c) = m.update(&sample(0.0, 0, 0));
    assert_eq!(e.mos, None);
    assert_eq!(e.mos_unavailable, Some(MosUnavailable::NoInboundPackets));
    assert!(c.is_empty());
    let (e, _) = m.update(&sample(1000.0, 0, 0));
    assert_eq!(
        (e.mos, e.mos_unavailable),
        (None, Some(MosUnavailable::NoInboundPackets))
    );
    // Packets, but no RTT yet.
    let mut s = sample(2000.0, 50, 0);
    s.rtt_ms = None;
    let (e, _) = m.update(&s);
    assert_eq!(
        (e.mos, e.mos_unavailable),
        (None, Some(MosUnavailable::NoRoundTripTime))
    );
    let (e, _) = m.update(&sample(3000.0, 100, 0));
    assert!(e.mos.is_some_and(|m| m > 4.0), "{e:?}");
    assert_eq!(e.mos_unavailable, None);
}

#[test]
fn low_mos_has_hysteresis() {
    let mut m = QualityMonitor::new();
    let mut at = 0.0;
    let mut received = 0;
    let mut step = |m: &mut QualityMonitor, got: u64, lost: i64| {
        at += 1000.0;
        received += got;
        let mut s = sample(at, received, 0);
        s.packets_lost = lost;
        warnings(&m.update(&s).1)
    };
    step(&mut m, 50, 0);
    assert!(step(&mut m, 50, 0).is_empty());
    // 10 of 50 lost in an interval: MOS about 2.5.
    assert!(step(&mut m, 40, 10).contains(&(Warning::LowMos, true)));
    // 2 of 50: about 3.7, so it clears (and the loss warning with it).
    assert!(step(&mut m, 48, 12).contains(&(Warning::LowMos, false)));
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
fn no_inbound_audio_after_three_seconds_whatever_ice_says() {
    let mut m = QualityMonitor::new();
    assert!(m.update(&sample(0.0, 100, 0)).1.is_empty());
    assert!(m.update(&sample(1000.0, 150, 0)).1.is_empty());
    // Packets stop rising at 1 s (ICE may well say `connected` all along).
    assert!(m.update(&sample(2000.0, 150, 0)).1.is_empty());
    assert!(m.update(&sample(3000.0, 150, 0)).1.is_empty());
    let raised = m.update(&sample(4000.0, 150, 0)).1;
    assert_eq!(raised.len(), 1, "{raised:?}");
    assert_eq!(raised[0].warning, Warning::NoInboundAudio);
    assert_eq!(raised[0].value, Some(3000.0));
    // Still silent: still raised, no flapping.
    assert!(m.update(&sample(5000.0, 150, 0)).1.is_empty());
    let cleared = m.update(&sample(6000.0, 160, 0)).1;
    assert_eq!(warnings(&cleared), [(Warning::NoInboundAudio, false)]);
}

#[test]
fn silence_on_hold_is_not_a_warning_and_clears_one() {
    let mut m = QualityMonitor::new();
    for i in 0..4 {
        m.update(&sample(f64::from(i) * 1000.0, 0, 0));
    }
    assert!(
        m.is_active(Warning::NoInboundAudio),
        "the call was up, nothing came"
    );
    let mut held = sample(4000.0, 0, 0);
    held.inbound_expected = false;
    held.outbound_expected = false;
    assert_eq!(
        warnings(&m.update(&held).1),
        [(Warning::NoInboundAudio, false)]
    );
    for i in 5..15 {
        held.at_ms = f64::from(i) * 1000.0;
        assert!(m.update(&held).1.is_empty());
    }
    // Resumed: the 3 s count starts again.
    let mut s = sample(15_000.0, 0, 0);
    assert!(m.update(&s).1.is_empty());
    s.at_ms = 17_000.0;
    assert!(m.update(&s).1.is_empty());
    s.at_ms = 18_000.0;
    assert_eq!(m.update(&s).1.len(), 1);
    assert_eq!(m.reset().len(), 1);
    assert!(!m.is_active(Warning::NoInboundAudio));
}

fn with_levels(at_ms: f64, received: u64, inbound: f64, outbound: f64) -> Sample {
    let mut s = sample(at_ms, received, 0);
    s.inbound_audio.level = Some(inbound);
    s.outbound_audio.level = Some(outbound);
    s
}

#[test]
fn a_silent_microphone_is_a_warning_unless_muted() {
    let mut m = QualityMonitor::new();
    let mut received = 0;
    let mut step = |m: &mut QualityMonitor, at: f64, mic: f64, muted: bool| {
        received += 50;
        let mut s = with_levels(at, received, 0.2, mic);
        s.outbound_expected = !muted;
        warnings(&m.update(&s).1)
    };
    assert!(step(&mut m, 0.0, 0.0, false).is_empty());
    assert!(step(&mut m, 1000.0, 0.0, false).is_empty());
    assert!(step(&mut m, 2000.0, 0.0, false).is_empty());
    assert_eq!(
        step(&mut m, 3000.0, 0.0, false),
        [(Warning::SilentMicrophone, true)]
    );
    // Muted: silence is what the user asked for.
    assert_eq!(
        step(&mut m, 4000.0, 0.0, true),
        [(Warning::SilentMicrophone, false)]
    );
    for at in [5000.0, 6000.0, 7000.0, 8000.0] {
        assert!(step(&mut m, at, 0.0, true).is_empty());
    }
    // Unmuted and speaking.
    assert!(step(&mut m, 9000.0, 0.05, false).is_empty());
}

#[test]
fn a_silent_far_end_is_a_warning_of_its_own() {
    let mut m = QualityMonitor::new();
    let mut received = 0;
    let mut changes = Vec::new();
    for i in 0..7 {
        received += 50;
        let s = with_levels(f64::from(i) * 1000.0, received, 0.0, 0.1);
        changes.push(warnings(&m.update(&s).1));
    }
    // Counted from the first interval with packets (1 s): raised at 6 s.
    assert_eq!(changes[6], [(Warning::FarEndSilent, true)], "{changes:?}");
    assert!(changes
        .iter()
        .flatten()
        .all(|(w, _)| *w == Warning::FarEndSilent));
    // Sound from the far end clears it.
    let s = with_levels(7000.0, received + 50, 0.3, 0.1);
    assert_eq!(warnings(&m.update(&s).1), [(Warning::FarEndSilent, false)]);
    // No packets at all is `noInboundAudio`, not far-end silence.
    let mut m = QualityMonitor::new();
    for i in 0..8 {
        let s = with_levels(f64::from(i) * 1000.0, 0, 0.0, 0.1);
        for (w, _) in warnings(&m.update(&s).1) {
            assert_eq!(w, Warning::NoInboundAudio);
        }
    }
}

#[test]
fn levels_come_from_the_energy_over_the_interval() {
    let mut m = QualityMonitor::new();
    let mut s = sample(0.0, 0, 0);
    s.outbound_audio = AudioMeter {
        level: Some(0.0),
        total_energy: Some(0.0),
        total_duration: Some(0.0),
    };
    let (e, _) = m.update(&s);
    assert_eq!(
        e.outbound_level,
        Some(0.0),
        "no interval yet: the current level"
    );
    // A beep between two readings: the current level may be 0, the interval is not.
    s.at_ms = 1000.0;
    s.outbound_audio = AudioMeter {
        level: Some(0.0),
        total_energy: Some(0.01),
        total_duration: Some(1.0),
    };
    let (e, _) = m.update(&s);
    assert!((e.outbound_level.unwrap() - 0.1).abs() < 1e-9, "{e:?}");
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

#[test]
fn a_reading_right_after_another_is_measured_over_a_longer_interval() {
    let mut m = QualityMonitor::new();
    m.update(&sample(0.0, 0, 0));
    m.update(&sample(1000.0, 50, 0));
    // The app's getStats() 10 ms after the periodic sample: no new packet in 10 ms, but
    // audio flows (measured from the reading at 0).
    let (e, c) = m.update(&sample(1010.0, 50, 0));
    assert!(e.mos.is_some(), "{e:?}");
    assert_eq!(e.loss_percent, Some(0.0));
    assert!(c.is_empty(), "{c:?}");
    let (e, _) = m.update(&sample(2000.0, 100, 0));
    assert!(e.mos.is_some(), "{e:?}");
}
