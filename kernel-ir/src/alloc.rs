//! Arrays allocated by kernels (`Array1::zeros(n)`, `vec![x; n]`, …): one allocator every tier
//! calls, so sizes, limits, errors and the memory layout are the same everywhere.
//!
//! An allocated array is an [`OwnedArray`]: a [`RawArray`] descriptor (C order, unit stride on
//! the last axis) followed by what the descriptor owns. The descriptor comes first and the
//! type is `repr(C)`, so the address of an `OwnedArray` *is* the address of a `RawArray`:
//! compiled code passes it wherever an array argument's descriptor goes. The data is one
//! allocation of the global allocator with the layout `Vec<T>` uses for the element type
//! (`Layout::array::<T>(len)`), so a returned array becomes an `ndarray::Array` without a
//! copy ([`OwnedArray::into_vec`]).

use std::alloc::Layout;

use crate::abi::{RawArray, RawScalar};
use crate::error::ErrorKind;
use crate::types::Scalar;

/// The default of [`crate::CompileOptions::max_alloc_bytes`]: 16 GiB, far above what a kernel
/// needs, low enough that a size computed from garbage fails cleanly instead of asking the
/// operating system for terabytes.
pub const DEFAULT_MAX_ALLOC_BYTES: u64 = 16 << 30;

/// An array a kernel allocated: its descriptor and the data it owns. Dropping it frees the
/// data.
///
/// **Invariant:** `raw.data` is an allocation of `Layout::from_size_align(bytes, align)` (or
/// dangling and never freed when `bytes == 0`), `raw.dims` multiply to `bytes / elem size`,
/// and the strides are C order.
#[repr(C)]
#[derive(Debug)]
pub struct OwnedArray {
    pub raw: RawArray,
    pub elem: Scalar,
    pub rank: u8,
    bytes: usize,
}

// SAFETY: the array owns its data exclusively; moving it between threads moves the ownership.
unsafe impl Send for OwnedArray {}

impl OwnedArray {
    /// Allocates an array of `elem` with the extents `dims[..rank]`, every element `fill`
    /// (raw bits of `elem`), or fails with [`ErrorKind::AllocationTooLarge`] when it would
    /// need more than `limit` bytes (or more than the address space) and with
    /// [`ErrorKind::AllocationFailed`] when the allocator refuses.
    pub fn allocate(
        elem: Scalar,
        rank: u8,
        dims: [u64; 3],
        fill: RawScalar,
        limit: u64,
    ) -> Result<OwnedArray, ErrorKind> {
        let (data, bytes) = allocate_data(elem, rank, dims, fill, limit)?;
        // SAFETY: `data` was just allocated for exactly these extents.
        Ok(unsafe { OwnedArray::from_data(data, bytes, elem, rank, dims) })
    }

    /// Takes ownership of data from [`allocate_data`] as an array of extents `dims[..rank]`.
    ///
    /// # Safety
    /// `data` and `bytes` are what `allocate_data(elem, rank, dims, …)` returned, and are
    /// owned by nobody else.
    pub unsafe fn from_data(
        data: *mut u8,
        bytes: usize,
        elem: Scalar,
        rank: u8,
        dims: [u64; 3],
    ) -> OwnedArray {
        let rank = rank.clamp(1, 3);
        let mut raw = RawArray {
            data,
            dims: [1; 3],
            strides: [0; 3],
        };
        // C order; axes past the rank have extent 1 and stride 0, as for arguments.
        let mut stride = 1i64;
        for axis in (0..rank as usize).rev() {
            raw.dims[axis] = dims[axis];
            raw.strides[axis] = stride;
            stride = stride.wrapping_mul(dims[axis] as i64);
        }
        OwnedArray {
            raw,
            elem,
            rank,
            bytes,
        }
    }

    /// An array of no elements (nothing allocated).
    pub fn empty(elem: Scalar) -> OwnedArray {
        OwnedArray {
            raw: RawArray {
                data: std::ptr::without_provenance_mut(elem.size_bytes()),
                dims: [0, 1, 1],
                strides: [1, 0, 0],
            },
            elem,
            rank: 1,
            bytes: 0,
        }
    }

    /// [`OwnedArray::allocate`], boxed and leaked as the descriptor address compiled code
    /// holds; [`OwnedArray::free_raw`] or [`OwnedArray::from_raw`] takes it back.
    pub fn allocate_raw(
        elem: Scalar,
        rank: u8,
        dims: [u64; 3],
        fill: RawScalar,
        limit: u64,
    ) -> Result<*mut OwnedArray, ErrorKind> {
        OwnedArray::allocate(elem, rank, dims, fill, limit).map(|a| Box::into_raw(Box::new(a)))
    }

    /// Takes back an array leaked by [`OwnedArray::allocate_raw`].
    ///
    /// # Safety
    /// `ptr` came from `allocate_raw` and is taken back at most once.
    pub unsafe fn from_raw(ptr: *mut OwnedArray) -> Box<OwnedArray> {
        // SAFETY: the caller's contract: a live box leaked by `allocate_raw`.
        unsafe { Box::from_raw(ptr) }
    }

    /// Frees an array leaked by [`OwnedArray::allocate_raw`]; null is ignored.
    ///
    /// # Safety
    /// `ptr` is null or came from `allocate_raw` and is taken back at most once.
    pub unsafe fn free_raw(ptr: *mut OwnedArray) {
        if !ptr.is_null() {
            // SAFETY: the caller's contract.
            drop(unsafe { OwnedArray::from_raw(ptr) });
        }
    }

    /// The extents of the array's axes.
    pub fn dims(&self) -> Vec<usize> {
        self.raw.dims[..self.rank as usize]
            .iter()
            .map(|&d| d as usize)
            .collect()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.bytes / self.elem.size_bytes()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes == 0
    }

    /// The elements in C order as the `Vec` they were allocated as, without a copy, or the
    /// array back when `T` is not its element type (`bool` elements are `u8` 0/1 and come out
    /// as `Vec<bool>`).
    pub fn into_vec<T: ElementType>(self) -> Result<Vec<T>, OwnedArray> {
        if T::SCALAR != self.elem {
            return Err(self);
        }
        let len = self.len();
        let this = std::mem::ManuallyDrop::new(self);
        if this.bytes == 0 {
            return Ok(Vec::new());
        }
        // SAFETY: the data was allocated by the global allocator with `Layout::array::<T>(len)`
        // (the element type's size and alignment, see `allocate_data`), holds `len`
        // initialised elements of `T` (`bool`s as 0/1), and `this` will not free it.
        Ok(unsafe { Vec::from_raw_parts(this.raw.data.cast::<T>(), len, len) })
    }
}

impl Drop for OwnedArray {
    fn drop(&mut self) {
        // SAFETY: the invariant: `data` came from `allocate_data` for these extents and is
        // freed only here.
        unsafe { free_data(self.raw.data, self.bytes, self.elem) }
    }
}

/// The Rust element types of the language's scalars, for [`OwnedArray::into_vec`].
pub trait ElementType: Copy + Default + 'static {
    const SCALAR: Scalar;
}

macro_rules! element_types {
    ($($t:ty => $s:ident),*) => {
        $(impl ElementType for $t {
            const SCALAR: Scalar = Scalar::$s;
        })*
    };
}

element_types!(bool => Bool, i8 => I8, u8 => U8, i16 => I16, u16 => U16, i32 => I32, i64 => I64, u32 => U32, u64 => U64, usize => Usize,
    f32 => F32, f64 => F64);

/// The layout of `bytes` bytes of `elem`s: the element's size is its alignment for every
/// scalar type, as in a `Vec`.
fn data_layout(elem: Scalar, bytes: usize) -> Option<Layout> {
    Layout::from_size_align(bytes, elem.size_bytes()).ok()
}

/// Allocates the data of an array of `elem` with extents `dims[..rank]`, every element `fill`:
/// its address and size in bytes, or [`ErrorKind::AllocationTooLarge`] past `limit` (or the
/// address space) and [`ErrorKind::AllocationFailed`] when the allocator refuses. Zero bytes
/// give an aligned dangling address. [`free_data`] or [`OwnedArray::from_data`] takes it.
pub fn allocate_data(
    elem: Scalar,
    rank: u8,
    dims: [u64; 3],
    fill: RawScalar,
    limit: u64,
) -> Result<(*mut u8, usize), ErrorKind> {
    let rank = rank.clamp(1, 3) as usize;
    let bytes = dims[..rank]
        .iter()
        .try_fold(elem.size_bytes() as u64, |acc, &d| acc.checked_mul(d));
    let Some(bytes) = bytes.filter(|&b| b <= limit && b <= isize::MAX as u64) else {
        return Err(ErrorKind::AllocationTooLarge { bytes, limit });
    };
    let bytes = bytes as usize;
    Ok((allocate_bytes(elem, bytes, fill)?, bytes))
}

/// Frees data from [`allocate_data`].
///
/// # Safety
/// `data` and `bytes` came from `allocate_data` for `elem` and are freed once.
pub unsafe fn free_data(data: *mut u8, bytes: usize, elem: Scalar) {
    if bytes == 0 || data.is_null() {
        return;
    }
    if let Some(layout) = data_layout(elem, bytes) {
        // SAFETY: the caller's contract: allocated with exactly this layout, freed once.
        unsafe { std::alloc::dealloc(data, layout) };
    }
}

fn allocate_bytes(elem: Scalar, bytes: usize, fill: RawScalar) -> Result<*mut u8, ErrorKind> {
    let failed = || ErrorKind::AllocationFailed {
        bytes: bytes as u64,
    };
    if bytes == 0 {
        // Dangling but aligned, as `Vec::new()`; never read (no element) nor freed.
        return Ok(std::ptr::without_provenance_mut(elem.size_bytes()));
    }
    let layout = data_layout(elem, bytes).ok_or_else(failed)?;
    let bits = fill.normalised(elem).0;
    let data = if bits == 0 {
        // SAFETY: `layout` has a non-zero size.
        unsafe { std::alloc::alloc_zeroed(layout) }
    } else {
        // SAFETY: `layout` has a non-zero size.
        unsafe { std::alloc::alloc(layout) }
    };
    if data.is_null() {
        return Err(failed());
    }
    if bits != 0 {
        fill_bytes(data, bytes, elem.size_bytes(), bits);
    }
    Ok(data)
}

/// Writes the value whose raw bits are `bits` (an element of `size` bytes) into every element
/// of a fresh allocation of `bytes` bytes, with the element's own type so the fill is a
/// vectorised store loop.
fn fill_bytes(data: *mut u8, bytes: usize, size: usize, bits: u64) {
    match size {
        8 => fill_as::<u64>(data, bytes, bits),
        4 => fill_as::<u32>(data, bytes, bits as u32),
        2 => fill_as::<u16>(data, bytes, bits as u16),
        _ => fill_as::<u8>(data, bytes, bits as u8),
    }
}

fn fill_as<T: Copy>(data: *mut u8, bytes: usize, value: T) {
    let count = bytes / std::mem::size_of::<T>();
    // SAFETY: `data` is a fresh allocation of `bytes` bytes aligned for `T` (the element's
    // size is its alignment, `data_layout`) that nothing else references.
    let elements = unsafe { std::slice::from_raw_parts_mut(data.cast::<T>(), count) };
    elements.fill(value);
}
