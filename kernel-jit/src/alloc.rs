//! The host side of arrays compiled code allocates: [`alloc_array`] and [`free_array`], thin
//! `extern "C"` shims over `kernel_ir::alloc`, the allocator every tier shares.
//!
//! An array is the address of a boxed `OwnedArray`, whose first field is its `RawArray`
//! descriptor, so compiled code reads it exactly as it reads an array argument.

use kernel_ir::abi::RawScalar;
use kernel_ir::alloc::{allocate_data, free_data, OwnedArray};
use kernel_ir::{ErrorKind, Scalar};

use crate::abi::JitCtx;

pub(crate) const ALLOC_SYMBOL: &str = "kernelc_alloc_array";
pub(crate) const FREE_SYMBOL: &str = "kernelc_free_array";
pub(crate) const ALLOC_DATA_SYMBOL: &str = "kernelc_alloc_data";
pub(crate) const FREE_DATA_SYMBOL: &str = "kernelc_free_data";
pub(crate) const ADOPT_SYMBOL: &str = "kernelc_adopt_array";

/// What a failed allocation leaves in `JitCtx::extent` (its `index` holds the bytes asked
/// for); see [`alloc_error`].
const TOO_LARGE: u64 = 1;
const TOO_LARGE_OVERFLOW: u64 = 2;
pub(crate) const REFUSED: u64 = 3;

/// Allocates an array of `Scalar::ALL[elem]` with extents `d0, d1, d2` (the first `rank`
/// used), every element the raw bits `fill`; returns its address, or null after recording
/// why in `ctx`.
///
/// # Safety
/// `ctx` is the calling kernel's live context.
#[allow(clippy::too_many_arguments)]
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
    let result = OwnedArray::allocate_raw(
        scalar(elem),
        rank as u8,
        [d0, d1, d2],
        RawScalar(fill),
        limit,
    );
    // SAFETY: the caller's contract.
    unsafe { or_record(ctx, result) }
}

/// [`alloc_array`] for an array whose descriptor compiled code keeps itself: only the data,
/// whose size it computes from the extents.
///
/// # Safety
/// `ctx` is the calling kernel's live context.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe extern "C" fn alloc_data(
    ctx: *mut JitCtx,
    elem: u32,
    rank: u32,
    d0: u64,
    d1: u64,
    d2: u64,
    fill: u64,
    limit: u64,
) -> *mut u8 {
    let result = allocate_data(
        scalar(elem),
        rank as u8,
        [d0, d1, d2],
        RawScalar(fill),
        limit,
    );
    // SAFETY: the caller's contract.
    unsafe { or_record(ctx, result.map(|(data, _)| data)) }
}

/// Frees data from [`alloc_data`]; null is ignored.
///
/// # Safety
/// `data` is null or came from `alloc_data` with `bytes` and `elem`, and is freed once.
pub(crate) unsafe extern "C" fn free_data_of(data: *mut u8, bytes: u64, elem: u32) {
    // SAFETY: the caller's contract.
    unsafe { free_data(data, bytes as usize, scalar(elem)) }
}

/// Boxes data from [`alloc_data`] as the `OwnedArray` a returned array travels as.
///
/// # Safety
/// `data` came from `alloc_data` with `bytes`, `elem`, `rank` and these extents, and the
/// caller gives up ownership.
pub(crate) unsafe extern "C" fn adopt_array(
    data: *mut u8,
    bytes: u64,
    elem: u32,
    rank: u32,
    d0: u64,
    d1: u64,
    d2: u64,
) -> *mut OwnedArray {
    // SAFETY: the caller's contract.
    let array = unsafe {
        OwnedArray::from_data(data, bytes as usize, scalar(elem), rank as u8, [d0, d1, d2])
    };
    Box::into_raw(Box::new(array))
}

fn scalar(code: u32) -> Scalar {
    Scalar::ALL
        .get(code as usize)
        .copied()
        .unwrap_or(Scalar::F64)
}

/// The pointer of a successful allocation, or null after recording why in `ctx`.
///
/// # Safety
/// `ctx` is the calling kernel's live context, written by nobody else now.
unsafe fn or_record<T>(ctx: *mut JitCtx, result: Result<*mut T, ErrorKind>) -> *mut T {
    match result {
        Ok(pointer) => pointer,
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
