//! Arrays on their way from a `.npy` file into a kernel call and back.
//!
//! [`KernelArray`] is [`NpyData`] plus `usize`: a `<u8` file passed to a `usize` parameter is
//! converted on load and back to `u64` on save, keeping its memory order both ways.

use kernel_ir::Scalar;
use kernel_npy::{Dtype, NpyData};
use kernel_runtime::{Arg, ArrayValue};
use ndarray::ArrayD;

/// The elements of one array argument, typed as the kernel sees them.
#[derive(Clone, Debug, PartialEq)]
pub enum KernelArray {
    Bool(ArrayD<bool>),
    I8(ArrayD<i8>),
    I16(ArrayD<i16>),
    U8(ArrayD<u8>),
    U16(ArrayD<u16>),
    I32(ArrayD<i32>),
    I64(ArrayD<i64>),
    U32(ArrayD<u32>),
    U64(ArrayD<u64>),
    Usize(ArrayD<usize>),
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
}

/// Runs `$body` with `$a` bound to the inner `ArrayD`, whatever its element type.
macro_rules! with_kernel_array {
    ($value:expr, $a:ident => $body:expr) => {
        match $value {
            KernelArray::Bool($a) => $body,
            KernelArray::I8($a) => $body,
            KernelArray::I16($a) => $body,
            KernelArray::U8($a) => $body,
            KernelArray::U16($a) => $body,
            KernelArray::I32($a) => $body,
            KernelArray::I64($a) => $body,
            KernelArray::U32($a) => $body,
            KernelArray::U64($a) => $body,
            KernelArray::Usize($a) => $body,
            KernelArray::F32($a) => $body,
            KernelArray::F64($a) => $body,
        }
    };
}

impl From<ArrayValue> for KernelArray {
    /// An array a kernel returned.
    fn from(value: ArrayValue) -> KernelArray {
        match value {
            ArrayValue::Bool(a) => KernelArray::Bool(a),
            ArrayValue::I8(a) => KernelArray::I8(a),
            ArrayValue::U8(a) => KernelArray::U8(a),
            ArrayValue::I16(a) => KernelArray::I16(a),
            ArrayValue::U16(a) => KernelArray::U16(a),
            ArrayValue::I32(a) => KernelArray::I32(a),
            ArrayValue::I64(a) => KernelArray::I64(a),
            ArrayValue::U32(a) => KernelArray::U32(a),
            ArrayValue::U64(a) => KernelArray::U64(a),
            ArrayValue::Usize(a) => KernelArray::Usize(a),
            ArrayValue::F32(a) => KernelArray::F32(a),
            ArrayValue::F64(a) => KernelArray::F64(a),
        }
    }
}

impl KernelArray {
    /// Takes a file's data; `u64` data becomes `usize` when the parameter wants `usize`.
    pub fn from_npy(data: NpyData, wanted: Option<Scalar>) -> KernelArray {
        match data {
            NpyData::U64(a) if wanted == Some(Scalar::Usize) => {
                // `mapv` keeps the memory order (C or Fortran) of a contiguous input.
                KernelArray::Usize(a.mapv(|x| x as usize))
            }
            NpyData::Bool(a) => KernelArray::Bool(a),
            NpyData::I8(a) => KernelArray::I8(a),
            NpyData::I16(a) => KernelArray::I16(a),
            NpyData::U8(a) => KernelArray::U8(a),
            NpyData::U16(a) => KernelArray::U16(a),
            NpyData::I32(a) => KernelArray::I32(a),
            NpyData::I64(a) => KernelArray::I64(a),
            NpyData::U32(a) => KernelArray::U32(a),
            NpyData::U64(a) => KernelArray::U64(a),
            NpyData::F32(a) => KernelArray::F32(a),
            NpyData::F64(a) => KernelArray::F64(a),
        }
    }

    /// The data to save; `usize` goes back to `u64`.
    pub fn into_npy(self) -> NpyData {
        match self {
            KernelArray::Usize(a) => NpyData::U64(a.mapv(|x| x as u64)),
            KernelArray::Bool(a) => NpyData::Bool(a),
            KernelArray::I8(a) => NpyData::I8(a),
            KernelArray::I16(a) => NpyData::I16(a),
            KernelArray::U8(a) => NpyData::U8(a),
            KernelArray::U16(a) => NpyData::U16(a),
            KernelArray::I32(a) => NpyData::I32(a),
            KernelArray::I64(a) => NpyData::I64(a),
            KernelArray::U32(a) => NpyData::U32(a),
            KernelArray::U64(a) => NpyData::U64(a),
            KernelArray::F32(a) => NpyData::F32(a),
            KernelArray::F64(a) => NpyData::F64(a),
        }
    }

    /// The elements in nested brackets, each as `kernelc run` prints a scalar (`[[1.0, 2.0],
    /// [3.0, 4.0]]`); axes longer than [`SHOWN`] elided in the middle with `...`.
    pub fn display(&self) -> String {
        with_kernel_array!(self, a => render(a.view()))
    }

    pub fn elem(&self) -> Scalar {
        match self {
            KernelArray::Bool(_) => Scalar::Bool,
            KernelArray::I8(_) => Scalar::I8,
            KernelArray::I16(_) => Scalar::I16,
            KernelArray::U8(_) => Scalar::U8,
            KernelArray::U16(_) => Scalar::U16,
            KernelArray::I32(_) => Scalar::I32,
            KernelArray::I64(_) => Scalar::I64,
            KernelArray::U32(_) => Scalar::U32,
            KernelArray::U64(_) => Scalar::U64,
            KernelArray::Usize(_) => Scalar::Usize,
            KernelArray::F32(_) => Scalar::F32,
            KernelArray::F64(_) => Scalar::F64,
        }
    }

    pub fn ndim(&self) -> usize {
        with_kernel_array!(self, a => a.ndim())
    }

    /// A view for the call: writable views for arrays that are saved afterwards.
    pub fn as_arg(&mut self, writable: bool) -> Arg<'_> {
        if writable {
            with_kernel_array!(self, a => Arg::from(a.view_mut()))
        } else {
            with_kernel_array!(self, a => Arg::from(a.view()))
        }
    }
}

/// The kernel element type a file's dtype holds.
pub fn dtype_scalar(dtype: Dtype) -> Scalar {
    match dtype {
        Dtype::Bool => Scalar::Bool,
        Dtype::I8 => Scalar::I8,
        Dtype::I16 => Scalar::I16,
        Dtype::U8 => Scalar::U8,
        Dtype::U16 => Scalar::U16,
        Dtype::I32 => Scalar::I32,
        Dtype::I64 => Scalar::I64,
        Dtype::U32 => Scalar::U32,
        Dtype::U64 => Scalar::U64,
        Dtype::F32 => Scalar::F32,
        Dtype::F64 => Scalar::F64,
    }
}

/// The dtype a file needs to hold elements of `elem` (`usize` is stored as `<u8`).
pub fn scalar_dtype(elem: Scalar) -> Dtype {
    match elem {
        Scalar::Bool => Dtype::Bool,
        Scalar::I8 => Dtype::I8,
        Scalar::I16 => Dtype::I16,
        Scalar::U8 => Dtype::U8,
        Scalar::U16 => Dtype::U16,
        Scalar::I32 => Dtype::I32,
        Scalar::I64 => Dtype::I64,
        Scalar::U32 => Dtype::U32,
        Scalar::U64 | Scalar::Usize => Dtype::U64,
        Scalar::F32 => Dtype::F32,
        Scalar::F64 => Dtype::F64,
    }
}

/// Whether a file of `dtype` may be passed where elements of `elem` are expected.
pub fn dtype_fits(dtype: Dtype, elem: Scalar) -> bool {
    scalar_dtype(elem) == dtype
}

/// The elements shown at each end of a long axis by [`KernelArray::display`].
const SHOWN: usize = 3;

fn render<T: std::fmt::Debug>(array: ndarray::ArrayViewD<'_, T>) -> String {
    if array.ndim() == 0 {
        return array.iter().map(|x| format!("{x:?}")).collect();
    }
    let len = array.len_of(ndarray::Axis(0));
    let shown: Vec<usize> = if len > 2 * SHOWN {
        (0..SHOWN).chain(len - SHOWN..len).collect()
    } else {
        (0..len).collect()
    };
    let mut parts: Vec<String> = shown
        .iter()
        .map(|&i| render(array.index_axis(ndarray::Axis(0), i)))
        .collect();
    if len > 2 * SHOWN {
        parts.insert(SHOWN, "...".to_string());
    }
    let separator = if array.ndim() > 1 { ",\n" } else { ", " };
    format!("[{}]", parts.join(separator))
}
