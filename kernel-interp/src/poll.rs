//! Interrupt polling: where the interpreter reads the stop flag, the same places as the JIT
//! (every `loop`/`while` iteration, the back-edge of a `for` loop whose body holds a loop or a
//! call, the entry of a function that calls), so a stopped kernel reports the same location.

use std::sync::atomic::Ordering;

use crate::frame::{Flow, Frame, Site};
use kernel_ir::error::stop_flag;

/// Stops with `Interrupted` or `Timeout`, located at `site`, when the call's flag is set.
#[inline(always)]
pub(crate) fn poll(frame: &Frame<'_>, site: &Site) -> Result<(), Flow> {
    match frame.stop.load(Ordering::Relaxed) {
        0 => Ok(()),
        flag => Err(site.error(stop_flag::kind(flag))),
    }
}

pub(crate) use kernel_ir::polls::{block_has_loop_or_call, calls};
