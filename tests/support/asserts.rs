//! Assertions several transcript files share.

use softphone_core::core::{CallEvent, Direction, MediaAction, RequestError};

/// Asserts that `r` is the typed refusal of extra header `name` as one the stack writes
/// (the one validator, `ExtraHeaders`, for MESSAGE and SUBSCRIBE as for calls).
pub fn assert_header_refused<T: std::fmt::Debug>(r: Result<T, RequestError>, name: &str) {
    match r {
        Err(RequestError::InvalidValue(why)) => {
            assert!(why.contains(name), "{name}: {why}");
            assert!(why.contains("the stack writes this header itself"), "{why}");
        }
        other => panic!("{name}: {other:?}"),
    }
}

/// Asserts that message `msg` has header `name` with exactly `value` (its first one).
pub fn assert_header(msg: &[u8], name: &str, value: &str) {
    assert_eq!(super::header(msg, name).as_deref(), Some(value), "{name}");
}

/// The offer a call asks the driver for when nothing but the direction changes (no
/// ICE restart, no video).
pub fn offer(direction: Direction) -> MediaAction {
    MediaAction::CreateOffer {
        direction,
        ice_restart: false,
        video: false,
    }
}

/// The offer of an ICE restart (both directions, no video).
pub fn ice_restart_offer() -> MediaAction {
    MediaAction::CreateOffer {
        direction: Direction::SendRecv,
        ice_restart: true,
        video: false,
    }
}

/// What a transfer reports of the far end's progress: a REFER's response or a NOTIFY's
/// sipfrag.
pub fn progress(status: u16, reason: &str) -> CallEvent {
    CallEvent::TransferProgress {
        status,
        reason: reason.into(),
    }
}
