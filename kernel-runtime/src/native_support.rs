//! Support items for the code `#[kernel]` generates (`kernel_runtime::__private`). Not a
//! public API: only macro output calls these, and they may change with the macro.
//!
//! - [`AsRawArray`] turns each array parameter type the kernel language accepts (`&[T]`,
//!   `&mut [T]`, `ArrayView1..3<T>`, `ArrayViewMut1..3<T>`, `&ArrayN<T>`, `&mut ArrayN<T>`)
//!   into a [`RawArray`]; [`raw_parts`] gives the typed pointer, extents and strides the
//!   generated code works with.
//! - [`raw_arg_parts`], [`FromRawArg`], [`IntoRawScalar`] and [`IntoRawReturn`] unpack a raw
//!   entry's argument slots and pack its result (the layout every tier shares, see
//!   `crate::backend::native`).
//! - [`out_of_bounds`], [`error_at`] and [`located`] build located [`KernelError`]s, out of
//!   line so the hot path of generated code stays small.
//!

use kernel_ir::abi::{RawArg, RawArray, RawReturn, RawScalar};
use kernel_ir::alloc::OwnedArray;
use kernel_ir::{ErrorKind, KernelError};
use ndarray::{ArrayBase, ArrayView, ArrayViewMut, Data, DataMut, Dimension, Ix1, Ix2, Ix3};

/// The ranks a kernel array may have.
pub trait KernelDim: Dimension {
    const RANK: usize;
}

impl KernelDim for Ix1 {
    const RANK: usize = 1;
}
impl KernelDim for Ix2 {
    const RANK: usize = 2;
}
impl KernelDim for Ix3 {
    const RANK: usize = 3;
}

/// An array argument of a native kernel, taken apart once per call.
///
/// The returned [`RawArray`] follows the ABI's rules (base = element `[0, 0, 0]`, strides in
/// elements, axes past the rank have extent 1 and stride 0). Implementations consume `self`
/// (a borrow or a view): the borrow it came from outlives the kernel call, so the data stays
/// valid, and for writable arguments exclusively borrowed, for the whole call.
pub trait AsRawArray {
    type Elem: Copy;
    const RANK: usize;
    fn raw_array(self) -> RawArray;
}

fn raw_from<T>(data: *const T, shape: &[usize], strides: &[isize]) -> RawArray {
    let mut raw = RawArray {
        data: data as *mut u8,
        dims: [1; 3],
        strides: [0; 3],
    };
    for (axis, (dim, stride)) in shape.iter().zip(strides).take(3).enumerate() {
        raw.dims[axis] = *dim as u64;
        raw.strides[axis] = *stride as i64;
    }
    raw
}

impl<T: Copy> AsRawArray for &[T] {
    type Elem = T;
    const RANK: usize = 1;
    fn raw_array(self) -> RawArray {
        raw_from(self.as_ptr(), &[self.len()], &[1])
    }
}

impl<T: Copy> AsRawArray for &mut [T] {
    type Elem = T;
    const RANK: usize = 1;
    fn raw_array(self) -> RawArray {
        let len = self.len();
        raw_from(self.as_mut_ptr(), &[len], &[1])
    }
}

impl<T: Copy, D: KernelDim> AsRawArray for ArrayView<'_, T, D> {
    type Elem = T;
    const RANK: usize = D::RANK;
    fn raw_array(self) -> RawArray {
        raw_from(self.as_ptr(), self.shape(), self.strides())
    }
}

impl<T: Copy, D: KernelDim> AsRawArray for ArrayViewMut<'_, T, D> {
    type Elem = T;
    const RANK: usize = D::RANK;
    fn raw_array(mut self) -> RawArray {
        let data = self.as_mut_ptr();
        raw_from(data, self.shape(), self.strides())
    }
}

impl<T: Copy, S: Data<Elem = T>, D: KernelDim> AsRawArray for &ArrayBase<S, D> {
    type Elem = T;
    const RANK: usize = D::RANK;
    fn raw_array(self) -> RawArray {
        raw_from(self.as_ptr(), self.shape(), self.strides())
    }
}

impl<T: Copy, S: DataMut<Elem = T>, D: KernelDim> AsRawArray for &mut ArrayBase<S, D> {
    type Elem = T;
    const RANK: usize = D::RANK;
    fn raw_array(self) -> RawArray {
        let data = self.as_mut_ptr();
        raw_from(data, self.shape(), self.strides())
    }
}

/// The typed base pointer, extents and element strides of an array argument of rank `R`.
/// A rank that differs from the argument type's is a compile-time error.
#[inline]
pub fn raw_parts<A: AsRawArray, const R: usize>(
    array: A,
) -> (*mut A::Elem, [usize; R], [isize; R]) {
    const { assert!(R == A::RANK, "kernel array rank mismatch") };
    let raw = array.raw_array();
    let mut dims = [0usize; R];
    let mut strides = [0isize; R];
    for axis in 0..R {
        dims[axis] = raw.dims[axis] as usize;
        strides[axis] = raw.strides[axis] as isize;
    }
    (raw.data.cast::<A::Elem>(), dims, strides)
}

/// Slot `index` of a raw entry's arguments; a missing slot (only a caller breaking the
/// entry's contract has one) reads as zero, never out of bounds.
#[inline]
pub fn raw_arg(args: &[RawArg], index: usize) -> RawArg {
    args.get(index)
        .copied()
        .unwrap_or(RawArg::Scalar(RawScalar(0)))
}

/// The typed base pointer, extents and element strides of an array in a raw entry's
/// argument slot. A scalar slot (only a caller breaking the entry's contract passes one)
/// gives an empty array, which every checked access rejects.
#[inline]
pub fn raw_arg_parts<T, const R: usize>(arg: RawArg) -> (*mut T, [usize; R], [isize; R]) {
    let mut dims = [0usize; R];
    let mut strides = [0isize; R];
    let RawArg::Array(raw) = arg else {
        return (std::ptr::null_mut(), dims, strides);
    };
    for axis in 0..R.min(3) {
        dims[axis] = raw.dims[axis] as usize;
        strides[axis] = raw.strides[axis] as isize;
    }
    (raw.data.cast::<T>(), dims, strides)
}

/// A scalar parameter's value from a raw entry's argument slot.
pub trait FromRawArg: Sized {
    fn from_raw_arg(arg: RawArg) -> Self;
}

/// A kernel's return value as the raw bits every tier returns.
pub trait IntoRawScalar {
    fn into_raw_scalar(self) -> RawScalar;
}

impl IntoRawScalar for () {
    #[inline]
    fn into_raw_scalar(self) -> RawScalar {
        RawScalar(0)
    }
}

macro_rules! raw_scalars {
    ($($t:ty => |$raw:ident| $from:expr, |$value:ident| $into:expr;)*) => {$(
        impl FromRawArg for $t {
            #[inline]
            fn from_raw_arg(arg: RawArg) -> $t {
                let $raw = match arg {
                    RawArg::Scalar(scalar) => scalar.0,
                    RawArg::Array(_) => 0,
                };
                $from
            }
        }
        impl IntoRawScalar for $t {
            #[inline]
            fn into_raw_scalar(self) -> RawScalar {
                let $value = self;
                RawScalar($into)
            }
        }
    )*};
}
raw_scalars! {
    bool => |raw| raw & 1 != 0, |v| v as u64;
    i8 => |raw| raw as i8, |v| v as i64 as u64;
    i16 => |raw| raw as i16, |v| v as i64 as u64;
    u8 => |raw| raw as u8, |v| v as u64;
    u16 => |raw| raw as u16, |v| v as u64;
    i32 => |raw| raw as i32, |v| v as i64 as u64;
    i64 => |raw| raw as i64, |v| v as u64;
    u32 => |raw| raw as u32, |v| v as u64;
    u64 => |raw| raw, |v| v;
    usize => |raw| raw as usize, |v| v as u64;
    f32 => |raw| f32::from_bits(raw as u32), |v| v.to_bits() as u64;
    f64 => |raw| f64::from_bits(raw), |v| v.to_bits();
}

/// The error of an out-of-range index.
#[cold]
#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub fn out_of_bounds(
    function: &'static str,
    line: u32,
    col: u32,
    array: &'static str,
    axis: u32,
    index: i128,
    extent: usize,
) -> KernelError {
    let kind = ErrorKind::IndexOutOfBounds {
        array: array.to_string(),
        axis,
        index,
        extent: extent as u64,
    };
    KernelError::new(kind, function, line, col)
}

/// A runtime error located in kernel function `function` at `line:col`.
#[cold]
#[inline(never)]
pub fn error_at(kind: ErrorKind, function: &'static str, line: u32, col: u32) -> KernelError {
    KernelError::new(kind, function, line, col)
}

/// Locates the error of a shared semantic operation (`k_div`, `clamp`, …).
#[inline(always)]
pub fn located<T>(
    result: Result<T, ErrorKind>,
    function: &'static str,
    line: u32,
    col: u32,
) -> Result<T, KernelError> {
    match result {
        Ok(value) => Ok(value),
        Err(kind) => Err(error_at(kind, function, line, col)),
    }
}

/// An array native kernel code owns (allocated, or returned by a call): dropping it frees the
/// array, as the interpreter's frame and the JIT's exits do.
#[derive(Debug)]
pub struct Owned(OwnedArray);

impl Owned {
    /// The typed base pointer, extents and element strides of the array, for the generated
    /// code's raw accesses (valid while `self` lives).
    #[inline]
    pub fn parts<T, const R: usize>(&self) -> (*mut T, [usize; R], [isize; R]) {
        let raw = &self.0.raw;
        let mut dims = [0usize; R];
        let mut strides = [0isize; R];
        for axis in 0..R.min(3) {
            dims[axis] = raw.dims[axis] as usize;
            strides[axis] = raw.strides[axis] as isize;
        }
        (raw.data.cast::<T>(), dims, strides)
    }

    /// An empty array: the value of a function returning an array whose body never reaches
    /// its end (rustc needs a value there; it is never produced).
    pub fn empty() -> Owned {
        Owned(OwnedArray::empty(kernel_ir::Scalar::F64))
    }
}

/// `Array2::zeros((n, m))`, `vec![x; n]`, …: the shared allocator with the kernel's limit.
#[inline]
pub fn alloc_array<const R: usize>(
    elem: kernel_ir::Scalar,
    dims: [usize; R],
    fill: RawScalar,
    limit: u64,
) -> Result<Owned, ErrorKind> {
    let mut extents = [1u64; 3];
    for (axis, dim) in dims.iter().take(3).enumerate() {
        extents[axis] = *dim as u64;
    }
    OwnedArray::allocate(elem, R as u8, extents, fill, limit).map(Owned)
}

impl IntoRawScalar for Owned {
    /// The address of the boxed array, which the runtime takes back (see
    /// `Value::from_returned`).
    fn into_raw_scalar(self) -> RawScalar {
        RawScalar(Box::into_raw(Box::new(self.0)) as u64)
    }
}

/// A kernel's return value as the raw slots every tier returns: a scalar (or a returned
/// array's address) in slot 0, a tuple's elements in order.
pub trait IntoRawReturn {
    fn into_raw_return(self) -> RawReturn;
}

impl<T: IntoRawScalar> IntoRawReturn for T {
    #[inline]
    fn into_raw_return(self) -> RawReturn {
        RawReturn::scalar(self.into_raw_scalar().0)
    }
}

macro_rules! raw_tuples {
    ($($t:ident $index:tt),+) => {
        impl<$($t: IntoRawScalar),+> IntoRawReturn for ($($t,)+) {
            #[inline]
            fn into_raw_return(self) -> RawReturn {
                let mut slots = RawReturn::default();
                $(slots.0[$index] = self.$index.into_raw_scalar().0;)+
                slots
            }
        }
    };
}
raw_tuples!(A 0, B 1);
raw_tuples!(A 0, B 1, C 2);
raw_tuples!(A 0, B 1, C 2, D 3);

/// The type a `#[kernel]` function's wrapper returns for an array the kernel returned:
/// `Array1<T>`…`Array3<T>` or `Vec<T>`, as the kernel's signature wrote it.
pub trait FromOwned: Sized {
    fn from_owned(owned: Owned) -> Self;
}

impl<T: crate::value::ArrayElement, D: KernelDim> FromOwned for ndarray::Array<T, D> {
    fn from_owned(owned: Owned) -> Self {
        let array = crate::value::ArrayValue::from_owned(owned.0)
            .into_array::<T>()
            .ok()
            .and_then(|a| a.into_dimensionality::<D>().ok());
        // The checker fixed the element type and rank the signature names, so this is the
        // array; an empty one otherwise.
        array.unwrap_or_else(|| ndarray::Array::default(D::zeros(D::NDIM.unwrap_or(1))))
    }
}

impl<T: crate::value::ArrayElement> FromOwned for Vec<T> {
    fn from_owned(owned: Owned) -> Self {
        owned.0.into_vec::<T>().unwrap_or_default()
    }
}

/// One kept axis of a view (`kernel_ir::view::range_axis`): its first index and length, or
/// the error naming `label`'s axis `axis`.
#[inline]
pub fn view_range(
    start: usize,
    end: Option<usize>,
    inclusive: bool,
    step: usize,
    extent: usize,
    label: &str,
    axis: u32,
) -> Result<(usize, usize), ErrorKind> {
    kernel_ir::view::range_axis(
        start as u64,
        end.map(|e| e as u64),
        inclusive,
        step as u64,
        extent as u64,
    )
    .map(|(first, len)| (first as usize, len as usize))
    .map_err(|fault| fault.error(label, axis, inclusive))
}

/// One dropped axis of a view (`kernel_ir::view::index_axis`).
#[inline]
pub fn view_index(index: usize, extent: usize, label: &str, axis: u32) -> Result<usize, ErrorKind> {
    kernel_ir::view::index_axis(index as u64, extent as u64)
        .map(|i| i as usize)
        .map_err(|fault| fault.error(label, axis, false))
}

/// Combines a chunk's copy of an array reduction into the array (`prange`): the array's
/// raw parts and the copy go to `kernel_ir::semantics::combine_array`, the JIT's too.
///
/// # Safety
/// `ptr`, `dims` and `strides` describe a live writable array of `T` = `elem` that nothing
/// else accesses meanwhile, and `copy` has its extents.
#[inline]
pub unsafe fn combine_copy<T, const R: usize>(
    op: kernel_ir::ir::ReduceOp,
    elem: kernel_ir::Scalar,
    ptr: *mut T,
    dims: [usize; R],
    strides: [isize; R],
    copy: &Owned,
) {
    let mut raw = RawArray {
        data: ptr.cast::<u8>(),
        dims: [1; 3],
        strides: [0; 3],
    };
    for axis in 0..R.min(3) {
        raw.dims[axis] = dims[axis] as u64;
        raw.strides[axis] = strides[axis] as i64;
    }
    // SAFETY: the caller's contract.
    unsafe { kernel_ir::semantics::combine_array(op, elem, &raw, copy.0.raw.data) }
}
