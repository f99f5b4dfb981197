//! Call arguments: scalars, and arrays borrowed from slices and `ndarray` views for the
//! duration of the call.
//!
//! An array argument is turned into a [`RawArray`] (element strides, base = element 0) as
//! soon as it is built; the lifetime `'a` keeps the borrowed data alive and, for writable
//! arrays, exclusively borrowed, for as long as the `Arg` exists.

use std::marker::PhantomData;

use kernel_ir::abi::RawArray;
use kernel_ir::{ArgType, Scalar};
use ndarray::{ArrayBase, ArrayView, ArrayViewMut, Data, DataMut, Dimension};

use crate::value::Value;

/// One argument of a kernel call.
#[derive(Debug)]
pub enum Arg<'a> {
    Scalar(Value),
    /// A read-only array.
    Array(ArrayArg<'a>),
    /// A writable array (from `&mut [T]`, `view_mut()`, `&mut Array`).
    ArrayMut(ArrayArg<'a>),
}

/// A borrowed array of any rank and strides.
#[derive(Debug)]
pub struct ArrayArg<'a> {
    elem: Scalar,
    /// The source's rank; only 1–3 can be passed to a kernel (checked at call time).
    rank: usize,
    raw: RawArray,
    _borrow: PhantomData<&'a mut [u8]>,
}

impl ArrayArg<'_> {
    pub fn elem(&self) -> Scalar {
        self.elem
    }

    pub fn rank(&self) -> usize {
        self.rank
    }

    pub fn shape(&self) -> &[u64] {
        &self.raw.dims[..self.rank.min(3)]
    }

    pub(crate) fn raw(&self) -> RawArray {
        self.raw
    }

    /// The byte range `[lo, hi)` covered by the in-bounds elements (`None` when empty).
    pub(crate) fn byte_range(&self) -> Option<(i128, i128)> {
        let rank = self.rank.min(3);
        if self.raw.dims[..rank].contains(&0) {
            return None;
        }
        let size = self.elem.size_bytes() as i128;
        let base = self.raw.data as usize as i128;
        let (mut lo, mut hi) = (base, base + size);
        for axis in 0..rank {
            let reach = (self.raw.dims[axis] as i128 - 1) * self.raw.strides[axis] as i128 * size;
            if reach < 0 {
                lo += reach;
            } else {
                hi += reach;
            }
        }
        Some((lo, hi))
    }
}

impl Arg<'_> {
    /// The argument's type as specialisation sees it (`None` for `Value::Unit`).
    pub fn arg_type(&self) -> Option<ArgType> {
        match self {
            Arg::Scalar(v) => v.scalar().map(ArgType::Scalar),
            Arg::Array(a) | Arg::ArrayMut(a) => Some(ArgType::Array {
                elem: a.elem,
                rank: a.rank.min(u8::MAX as usize) as u8,
                mutable: matches!(self, Arg::ArrayMut(_)),
            }),
        }
    }
}

/// The element types an array argument may have.
pub trait Element: Copy + 'static {
    const SCALAR: Scalar;
}

macro_rules! elements {
    ($($t:ty => $s:ident),*) => {$(
        impl Element for $t {
            const SCALAR: Scalar = Scalar::$s;
        }
        impl<'a> From<$t> for Arg<'a> {
            fn from(v: $t) -> Arg<'a> {
                Arg::Scalar(Value::from(v))
            }
        }
    )*};
}
elements!(
    bool => Bool, i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16, u32 => U32,
    u64 => U64, usize => Usize, f32 => F32, f64 => F64
);

impl From<Value> for Arg<'_> {
    fn from(v: Value) -> Self {
        Arg::Scalar(v)
    }
}

fn array_arg<'a, T: Element>(data: *const T, shape: &[usize], strides: &[isize]) -> ArrayArg<'a> {
    // SAFETY: every caller passes the pointer, shape and strides of a slice or view it
    // borrows for `'a`.
    unsafe { ArrayArg::from_raw_parts(T::SCALAR, data as *mut u8, shape, strides) }
}

impl<'a> ArrayArg<'a> {
    /// An array over memory the caller manages (a numpy array, a C buffer): `data` is the
    /// address of element 0, `strides` count elements (negative ones included), `shape.len()`
    /// is the rank (only 1–3 can be passed, which calls check).
    ///
    /// # Safety
    /// For `'a`, every element the shape and strides reach from `data` must lie in one
    /// allocation, be aligned for `elem` and hold a valid `elem` value, and nothing else may
    /// write them; when the argument is passed as [`Arg::ArrayMut`], the kernel may write them.
    pub unsafe fn from_raw_parts(
        elem: Scalar,
        data: *mut u8,
        shape: &[usize],
        strides: &[isize],
    ) -> ArrayArg<'a> {
        let mut raw = RawArray {
            data,
            dims: [1; 3],
            strides: [0; 3],
        };
        // An indexed loop: this runs on every call from a Rust loop (see `Prepared`).
        for axis in 0..shape.len().min(strides.len()).min(3) {
            raw.dims[axis] = shape[axis] as u64;
            raw.strides[axis] = strides[axis] as i64;
        }
        ArrayArg {
            elem,
            rank: shape.len(),
            raw,
            _borrow: PhantomData,
        }
    }
}

impl<'a, T: Element> From<&'a [T]> for Arg<'a> {
    fn from(slice: &'a [T]) -> Self {
        Arg::Array(array_arg(slice.as_ptr(), &[slice.len()], &[1]))
    }
}

impl<'a, T: Element> From<&'a mut [T]> for Arg<'a> {
    fn from(slice: &'a mut [T]) -> Self {
        Arg::ArrayMut(array_arg(slice.as_mut_ptr(), &[slice.len()], &[1]))
    }
}

impl<'a, T: Element> From<&'a Vec<T>> for Arg<'a> {
    fn from(v: &'a Vec<T>) -> Self {
        Arg::from(v.as_slice())
    }
}

impl<'a, T: Element> From<&'a mut Vec<T>> for Arg<'a> {
    fn from(v: &'a mut Vec<T>) -> Self {
        Arg::from(v.as_mut_slice())
    }
}

impl<'a, T: Element, D: Dimension> From<ArrayView<'a, T, D>> for Arg<'a> {
    fn from(view: ArrayView<'a, T, D>) -> Self {
        Arg::Array(array_arg(view.as_ptr(), view.shape(), view.strides()))
    }
}

impl<'a, T: Element, D: Dimension> From<ArrayViewMut<'a, T, D>> for Arg<'a> {
    fn from(mut view: ArrayViewMut<'a, T, D>) -> Self {
        let ptr = view.as_mut_ptr();
        Arg::ArrayMut(array_arg(ptr, view.shape(), view.strides()))
    }
}

impl<'a, T: Element, S: Data<Elem = T>, D: Dimension> From<&'a ArrayBase<S, D>> for Arg<'a> {
    fn from(array: &'a ArrayBase<S, D>) -> Self {
        Arg::Array(array_arg(array.as_ptr(), array.shape(), array.strides()))
    }
}

impl<'a, T: Element, S: DataMut<Elem = T>, D: Dimension> From<&'a mut ArrayBase<S, D>> for Arg<'a> {
    fn from(array: &'a mut ArrayBase<S, D>) -> Self {
        let ptr = array.as_mut_ptr();
        Arg::ArrayMut(array_arg(ptr, array.shape(), array.strides()))
    }
}
