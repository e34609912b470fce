//! Assertions several transcript files share.

use softphone_core::core::RequestError;

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
