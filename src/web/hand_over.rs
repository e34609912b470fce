//! A call's media request (microphone, camera, constraints) on its way to the media
//! session: given at once when the session exists, else kept in the call's shared info
//! for the session to come. Used by `call()` and `answer()` alike; a leaf, so that
//! neither class file has to name the other.

use super::calls::SharedInfo;
use super::media::request::MediaRequest;

/// Gives `request` to the call's media session, or keeps it for the session to come.
pub(crate) fn hand_over(info: &SharedInfo, request: MediaRequest) {
    let session = info.borrow().session.clone();
    match session {
        Some(session) => session.set_request(request),
        None => info.borrow_mut().media = Some(request),
    }
}
