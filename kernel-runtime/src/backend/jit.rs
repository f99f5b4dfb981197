//! The JIT backend: one Cranelift [`Jit`] per module, compiling a function when its first
//! handle is made (a module of many kernels pays only for the ones it runs).

use std::sync::atomic::AtomicU32;
use std::sync::{Arc, RwLock};

use kernel_ir::abi::{RawArg, RawReturn};
use kernel_ir::ir::FuncId;
use kernel_ir::{KernelError, Program};
use kernel_jit::{Jit, JitError, JitOptions};

use crate::error::Error;
use crate::{Backend, Options};

/// The JIT of a module: calls take the read lock, compiling new instances the write lock.
pub(crate) type SharedJit = Arc<RwLock<Jit>>;

/// A JIT with the module's options; `profile` instruments its code (and keeps no text:
/// `explain` shows the ordinary code).
pub(crate) fn new(options: &Options, profile: bool) -> Result<SharedJit, Error> {
    let jit_options = JitOptions {
        boundscheck: options.boundscheck,
        keep_text: options.inspect && !profile,
        profile,
    };
    let jit = Jit::new(jit_options).map_err(|e| failure(None, e))?;
    Ok(Arc::new(RwLock::new(jit)))
}

/// Compiles checked function `id` (and what it calls) unless it is compiled already.
pub(crate) fn ensure_compiled(jit: &SharedJit, program: &Program, id: FuncId) -> Result<(), Error> {
    let mut jit = jit.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    if jit.is_compiled(id) {
        return Ok(());
    }
    jit.compile(program, id)
        .map_err(|e| failure(Some(&program.function(id).name), e))
}

/// Runs function `id`.
///
/// # Safety
/// As for `Engine::run`.
pub(crate) unsafe fn run(
    jit: &SharedJit,
    id: FuncId,
    raw: &[RawArg],
    stop: &AtomicU32,
) -> Result<RawReturn, KernelError> {
    let jit = jit.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    // SAFETY: the caller checked every argument against the checked parameter types
    // `Jit::call` expects, and the aliasing rule; the arrays are borrowed for the whole call;
    // `stop` outlives it.
    unsafe { jit.call_returning(id, raw, stop) }
}

pub(crate) fn failure(function: Option<&str>, error: JitError) -> Error {
    Error::Backend {
        backend: Backend::Jit,
        function: function.map(str::to_string),
        source: error.into(),
    }
}
