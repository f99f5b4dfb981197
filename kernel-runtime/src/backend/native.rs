//! The native backend: the functions `#[kernel]` compiled into the program, called through
//! the same [`Function`](crate::Function) path as the interpreter and the JIT.
//!
//! For every kernel function, `#[kernel]` emits a *raw entry* that takes the arguments in the
//! layout the other tiers take ([`RawArg`]: a scalar's 64 bits, or an array's
//! [`RawArray`](kernel_ir::abi::RawArray) descriptor), and a static [`NativeTable`] listing
//! the entries with the kernel's source. [`Module::native`](crate::Module::native) checks the
//! source with the front end (for parameter types, names and `explain`) and runs the entries;
//! argument checks, aliasing, interrupts and errors are then shared with every tier.

use std::sync::atomic::AtomicU32;

use kernel_ir::abi::{RawArg, RawReturn};
use kernel_ir::KernelError;

use crate::interrupt::StopFlag;

/// The raw entry of one native kernel function.
///
/// # Safety
/// Callers pass one [`RawArg`] per parameter, of the parameter's checked type; every array
/// descriptor describes a live array (each in-bounds element inside one allocation), borrowed
/// for the whole call, exclusively for writable parameters, and no writable array overlaps
/// another argument; the stop flag outlives the call.
pub type NativeEntry = unsafe fn(&[RawArg], StopFlag) -> Result<RawReturn, KernelError>;

/// One function of a [`NativeTable`].
#[derive(Debug)]
pub struct NativeFunction {
    pub name: &'static str,
    pub entry: NativeEntry,
}

/// What `#[kernel]` generates for an item (`name::NATIVE`): its source, laid out as the user
/// wrote it, and the raw entry of each of its functions.
#[derive(Debug)]
pub struct NativeTable {
    pub source: &'static str,
    /// `false` under `#[kernel(boundscheck = false)]`.
    pub boundscheck: bool,
    /// The lane count of `#[kernel(reassociate)]` / `#[kernel(reassociate = N)]`; 0 without.
    pub reassociate: u32,
    /// `#[kernel(max_alloc_bytes = N)]`, or the default limit.
    pub max_alloc_bytes: u64,
    pub functions: &'static [NativeFunction],
}

impl NativeTable {
    /// The module-wide reassociation the native code was compiled with.
    pub fn reassociate(&self) -> Option<kernel_ir::LaneCount> {
        kernel_ir::LaneCount::new(self.reassociate)
    }

    /// The entry of function `name`.
    pub(crate) fn entry(&self, name: &str) -> Option<NativeEntry> {
        self.functions
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.entry)
    }
}

/// Runs a native entry on arguments checked against its parameters.
///
/// # Safety
/// As for [`NativeEntry`]: `raw` was bound by `crate::bind` against the function's checked
/// parameter types, the arrays stay borrowed by the caller for the call, and `stop` outlives it.
pub(crate) unsafe fn run(
    entry: NativeEntry,
    raw: &[RawArg],
    stop: &AtomicU32,
) -> Result<RawReturn, KernelError> {
    // SAFETY: the caller's contract is the entry's.
    unsafe { entry(raw, StopFlag::of(stop)) }
}
