//! The host side of arrays compiled code allocates: [`alloc_array`] and [`free_array`], thin
//! `extern "C"` shims over `kernel_ir::alloc`, the allocator every tier shares.
//!
//! An array is the address of a boxed `OwnedArray`, whose first field is its `RawArray`
//! descriptor, so compiled code reads it exactly as it reads an array argument.

use kernel_ir::abi::RawScalar;
use kernel_ir::alloc::OwnedArray;
use kernel_ir::{ErrorKind, Scalar};

use crate::abi::JitCtx;

pub(crate) const ALLOC_SYMBOL: &str = "kernelc_alloc_array";
pub(crate) const FREE_SYMBOL: &str = "kernelc_free_array";

/// What a failed allocation leaves in `JitCtx::extent` (its `index` holds the bytes asked
/// for); see [`alloc_error`].
const TOO_LARGE: u64 = 1;
const TOO_LARGE_OVERFLOW: u64 = 2;
const REFUSED: u64 = 3;

/// Allocates an array of `Scalar::ALL[elem]` with extents `d0, d1, d2` (the first `rank`
/// used), every element the raw bits `fill`; returns its address, or null after recording
/// why in `ctx`.
///
/// # Safety
/// `ctx` is the calling kernel's live context.
pub(crate) unsafe extern "C" fn alloc_array(
    ctx: *mut JitCtx,
    elem: u32,
    rank: u32,
    d0: u64,
    d1: u64,
    d2: u64,
    fill: u64,
    limit: u64,
) -> *mut OwnedArray {
    let elem = Scalar::ALL
        .get(elem as usize)
        .copied()
        .unwrap_or(Scalar::F64);
    let result = OwnedArray::allocate_raw(elem, rank as u8, [d0, d1, d2], RawScalar(fill), limit);
    match result {
        Ok(array) => array,
        Err(kind) => {
            let (bytes, code) = match kind {
                ErrorKind::AllocationTooLarge {
                    bytes: Some(bytes), ..
                } => (bytes, TOO_LARGE),
                ErrorKind::AllocationFailed { bytes } => (bytes, REFUSED),
                _ => (0, TOO_LARGE_OVERFLOW),
            };
            // SAFETY: the caller's contract: `ctx` is live and only this frame writes it now.
            unsafe {
                (*ctx).index = bytes as i64;
                (*ctx).extent = code;
            }
            std::ptr::null_mut()
        }
    }
}

/// Frees an array [`alloc_array`] returned; null is ignored.
///
/// # Safety
/// `array` is null or an array from `alloc_array` that nothing uses any more.
pub(crate) unsafe extern "C" fn free_array(array: *mut OwnedArray) {
    // SAFETY: the caller's contract.
    unsafe { OwnedArray::free_raw(array) }
}

/// The error a failed allocation recorded in `ctx` (see [`alloc_array`]).
pub(crate) fn alloc_error(ctx: &JitCtx, limit: u64) -> ErrorKind {
    let bytes = ctx.index as u64;
    match ctx.extent {
        TOO_LARGE => ErrorKind::AllocationTooLarge {
            bytes: Some(bytes),
            limit,
        },
        REFUSED => ErrorKind::AllocationFailed { bytes },
        _ => ErrorKind::AllocationTooLarge { bytes: None, limit },
    }
}
