//! The audio preferences of a call: which codec names and bitrates are accepted, and the
//! order handed to `setCodecPreferences` for the capability lists Chrome and Firefox
//! report.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics to fail

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use softphone_core::core::media_prefs::{codec_order, Codec, MediaPrefs};
use softphone_core::core::CallError;

/// `RTCRtpReceiver.getCapabilities('audio').codecs` in Chromium 156, by MIME type.
const CHROME: [&str; 10] = [
    "audio/opus",
    "audio/red",
    "audio/G722",
    "audio/PCMU",
    "audio/PCMA",
    "audio/CN",
    "audio/telephone-event",
    "audio/telephone-event",
    "audio/telephone-event",
    "audio/telephone-event",
];

/// A shorter list, as Firefox reports one.
const FIREFOX: [&str; 5] = [
    "audio/opus",
    "audio/G722",
    "audio/PCMU",
    "audio/PCMA",
    "audio/telephone-event",
];

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn invalid(e: CallError) -> String {
    match e {
        CallError::InvalidValue(why) => why,
        other => panic!("expected InvalidValue, got {other:?}"),
    }
}

#[test]
fn codec_names_and_bitrates_are_checked() {
    let prefs = MediaPrefs::new(&names(&["PCMU", "g722", "Opus"]), Some(32_000.0)).unwrap();
    assert_eq!(prefs.codecs, [Codec::Pcmu, Codec::G722, Codec::Opus]);
    assert_eq!(prefs.opus_max_bitrate, Some(32_000));
    assert!(!prefs.is_empty());
    assert!(MediaPrefs::new(&[], None).unwrap().is_empty());

    let why = invalid(MediaPrefs::new(&names(&["opus", "iLBC"]), None).unwrap_err());
    assert!(
        why.contains("options.codecs") && why.contains("\"iLBC\""),
        "{why}"
    );
    let why = invalid(MediaPrefs::new(&names(&["PCMU", "pcmu"]), None).unwrap_err());
    assert!(why.contains("twice"), "{why}");
    for bad in [5_999.0, 510_001.0, 32_000.5, f64::NAN, f64::INFINITY, -1.0] {
        let why = invalid(MediaPrefs::new(&[], Some(bad)).unwrap_err());
        assert!(why.contains("options.opusMaxBitrate"), "{bad}: {why}");
    }
    for good in [6_000.0, 510_000.0] {
        assert!(MediaPrefs::new(&[], Some(good)).is_ok(), "{good}");
    }
}

#[test]
fn preferred_codecs_go_first_and_the_rest_keep_the_browsers_order() {
    let order = codec_order(&CHROME, &[Codec::Pcmu, Codec::G722]).unwrap();
    let mimes: Vec<&str> = order.iter().map(|&i| CHROME[i]).collect();
    let rest = CHROME
        .iter()
        .filter(|m| !["audio/PCMU", "audio/G722"].contains(m));
    let expected: Vec<&str> = ["audio/PCMU", "audio/G722"]
        .into_iter()
        .chain(rest.copied())
        .collect();
    assert_eq!(mimes, expected);
    assert_eq!(mimes[2..5], ["audio/opus", "audio/red", "audio/PCMA"]);
    // Every capability is kept exactly once: DTMF and comfort noise still negotiate.
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..CHROME.len()).collect::<Vec<_>>());

    let order = codec_order(&FIREFOX, &[Codec::Pcma, Codec::Opus]).unwrap();
    assert_eq!(order, [3, 0, 1, 2, 4]);
    // MIME types compare without case (`audio/g722` from some browsers).
    assert_eq!(
        codec_order(&["audio/opus", "audio/g722"], &[Codec::G722]),
        Some(vec![1, 0])
    );
}

#[test]
fn nothing_preferred_or_nothing_available_leaves_the_order_alone() {
    assert_eq!(codec_order(&CHROME, &[]), None);
    assert_eq!(codec_order(&["audio/opus"], &[Codec::Pcma]), None);
    assert_eq!(codec_order(&[], &[Codec::Opus]), None);
}
