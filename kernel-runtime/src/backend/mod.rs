//! The three tiers behind one call path: a resolved function runs in an [`Engine`], which is
//! the interpreter's compiled table, the module's JIT, or a native `#[kernel]` entry.
//! Everything before (argument checks, aliasing, specialisation) and after (the return
//! value, errors) is shared; see `crate::function`.

pub(crate) mod interp;
#[cfg(feature = "jit")]
pub(crate) mod jit;
pub(crate) mod native;

use std::sync::atomic::AtomicU32;

use kernel_ir::abi::{RawArg, RawReturn};
use kernel_ir::ir::FuncId;
use kernel_ir::KernelError;

/// Where a resolved function runs.
#[derive(Clone, Debug)]
pub(crate) enum Engine {
    Interpreter(interp::Table),
    #[cfg(feature = "jit")]
    Jit(jit::SharedJit),
    Native(native::NativeEntry),
}

impl Engine {
    /// Runs function `id` and returns its raw result: one slot per scalar of the return
    /// value (a scalar's or a returned array's in slot 0, a tuple's elements in order).
    ///
    /// # Safety
    /// `raw` was bound by `crate::bind` against the checked parameter types of `id`, with the
    /// aliasing rule; the arrays stay borrowed by the caller for the whole call; `stop`
    /// outlives it.
    pub(crate) unsafe fn run(
        &self,
        id: FuncId,
        raw: &[RawArg],
        stop: &AtomicU32,
    ) -> Result<RawReturn, KernelError> {
        match self {
            Engine::Interpreter(table) => kernel_interp::run(table, id, raw, stop),
            #[cfg(feature = "jit")]
            // SAFETY: the caller's contract is the JIT's.
            Engine::Jit(jit) => unsafe { jit::run(jit, id, raw, stop) },
            // SAFETY: the caller's contract is the native entry's.
            Engine::Native(entry) => unsafe { native::run(*entry, raw, stop) },
        }
    }
}
