//! How the follower words the answers it gets (or does not get) from the
//! commander's server: shared by the port, the signing path and the stream,
//! so none of them imports another for it.

use crate::tui::view::{Toast, ToastKind};

/// How long one action's POST may take before it is reported as not sent.
pub const ACT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A refusal toast.
pub(crate) fn refused(message: String) -> Toast {
    Toast {
        kind: ToastKind::Refused,
        message,
    }
}

/// The answers whose status says all there is, body unread (a proxy's
/// may be HTML).
pub(crate) fn said_by_status(code: u16) -> Option<Toast> {
    match code {
        202 => Some(Toast {
            kind: ToastKind::Info,
            message: "sent; the commander's cockpit will record it".into(),
        }),
        401 => Some(refused(
            "unauthorized: the server refused the token (CUTOVER_TOKEN)".into(),
        )),
        429 => Some(refused(
            "too many actions: the server asked to slow down; try again".into(),
        )),
        _ => None,
    }
}
