//! NumPy files. `.npy`: read and write versions 1.0, 2.0 and 3.0 for the eleven dtypes kernels
//! take (`<f8 <f4 <i8 <i4 <i2 |i1 <u8 <u4 <u2 |u1 |b1`), in C or Fortran order, of any rank.
//! `.npz`: scipy's sparse matrices (`scipy.sparse.save_npz`, csr or csc), see [`read_sparse_npz`];
//! a block of rows of a csr one without the rest, see [`read_sparse_npz_rows`].
//!
//! A loaded file is an [`NpyArray`]: an `ndarray::ArrayD` of the file's element type plus the
//! order it was stored in. Fortran-order data keeps Fortran strides (no copy into C order), and
//! [`write_npy`] stores an array in the order recorded in [`NpyArray::fortran_order`], so a file
//! read and written back keeps its layout.
//!
//! **Invariant:** hostile input is an [`NpyError`] (or [`NpzError`]), never a panic and never an
//! allocation larger than the file: the header's shape is checked against the file's length
//! before any element buffer is allocated.

mod header;
mod npz;
mod npz_rows;
mod read;
mod write;

#[cfg(test)]
mod tests;

use ndarray::{ArrayD, IxDyn};
use std::fmt;
use std::path::PathBuf;
use thiserror::Error;

pub use header::HeaderError;
pub use npz::{
    read_sparse_npz, write_sparse_npz, NpzError, SparseFormat, SparseMatrix, MAX_DIMENSION,
    MAX_MEMBER_BYTES,
};
pub use npz_rows::{read_sparse_npz_indptr, read_sparse_npz_rows, SparseHeader, SparseRows};
pub use read::{read_from, read_npy};
pub use write::{write_npy, write_to};

/// An element type a `.npy` file may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dtype {
    Bool,
    I8,
    I16,
    U8,
    U16,
    I32,
    I64,
    U32,
    U64,
    F32,
    F64,
}

impl Dtype {
    pub const ALL: [Dtype; 11] = [
        Dtype::Bool,
        Dtype::I8,
        Dtype::I16,
        Dtype::U8,
        Dtype::U16,
        Dtype::I32,
        Dtype::I64,
        Dtype::U32,
        Dtype::U64,
        Dtype::F32,
        Dtype::F64,
    ];

    /// The type code without byte order (`f8`, `b1`, …).
    pub fn code(self) -> &'static str {
        match self {
            Dtype::Bool => "b1",
            Dtype::I8 => "i1",
            Dtype::I16 => "i2",
            Dtype::U8 => "u1",
            Dtype::U16 => "u2",
            Dtype::I32 => "i4",
            Dtype::I64 => "i8",
            Dtype::U32 => "u4",
            Dtype::U64 => "u8",
            Dtype::F32 => "f4",
            Dtype::F64 => "f8",
        }
    }

    /// The `descr` numpy writes: little-endian, or `|` for the one-byte types.
    pub fn descr(self) -> &'static str {
        match self {
            Dtype::Bool => "|b1",
            Dtype::I8 => "|i1",
            Dtype::I16 => "<i2",
            Dtype::U8 => "|u1",
            Dtype::U16 => "<u2",
            Dtype::I32 => "<i4",
            Dtype::I64 => "<i8",
            Dtype::U32 => "<u4",
            Dtype::U64 => "<u8",
            Dtype::F32 => "<f4",
            Dtype::F64 => "<f8",
        }
    }

    /// The matching Rust element type's name (`f64`, `bool`, …).
    pub fn rust_name(self) -> &'static str {
        match self {
            Dtype::Bool => "bool",
            Dtype::I8 => "i8",
            Dtype::I16 => "i16",
            Dtype::U8 => "u8",
            Dtype::U16 => "u16",
            Dtype::I32 => "i32",
            Dtype::I64 => "i64",
            Dtype::U32 => "u32",
            Dtype::U64 => "u64",
            Dtype::F32 => "f32",
            Dtype::F64 => "f64",
        }
    }

    pub fn size_bytes(self) -> usize {
        match self {
            Dtype::Bool | Dtype::I8 | Dtype::U8 => 1,
            Dtype::I16 | Dtype::U16 => 2,
            Dtype::I32 | Dtype::U32 | Dtype::F32 => 4,
            Dtype::I64 | Dtype::U64 | Dtype::F64 => 8,
        }
    }
}

impl fmt::Display for Dtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.descr())
    }
}

/// The elements of a `.npy` file, typed.
#[derive(Clone, Debug, PartialEq)]
pub enum NpyData {
    Bool(ArrayD<bool>),
    I8(ArrayD<i8>),
    I16(ArrayD<i16>),
    U8(ArrayD<u8>),
    U16(ArrayD<u16>),
    I32(ArrayD<i32>),
    I64(ArrayD<i64>),
    U32(ArrayD<u32>),
    U64(ArrayD<u64>),
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
}

/// Runs `$body` with `$a` bound to the inner `ArrayD` of whichever element type `$data` holds.
macro_rules! with_array {
    ($data:expr, $a:ident => $body:expr) => {
        match $data {
            NpyData::Bool($a) => $body,
            NpyData::I8($a) => $body,
            NpyData::I16($a) => $body,
            NpyData::U8($a) => $body,
            NpyData::U16($a) => $body,
            NpyData::I32($a) => $body,
            NpyData::I64($a) => $body,
            NpyData::U32($a) => $body,
            NpyData::U64($a) => $body,
            NpyData::F32($a) => $body,
            NpyData::F64($a) => $body,
        }
    };
}
pub(crate) use with_array;

impl NpyData {
    pub fn dtype(&self) -> Dtype {
        match self {
            NpyData::Bool(_) => Dtype::Bool,
            NpyData::I8(_) => Dtype::I8,
            NpyData::I16(_) => Dtype::I16,
            NpyData::U8(_) => Dtype::U8,
            NpyData::U16(_) => Dtype::U16,
            NpyData::I32(_) => Dtype::I32,
            NpyData::I64(_) => Dtype::I64,
            NpyData::U32(_) => Dtype::U32,
            NpyData::U64(_) => Dtype::U64,
            NpyData::F32(_) => Dtype::F32,
            NpyData::F64(_) => Dtype::F64,
        }
    }

    pub fn shape(&self) -> &[usize] {
        with_array!(self, a => a.shape())
    }
}

/// One `.npy` file in memory.
#[derive(Clone, Debug, PartialEq)]
pub struct NpyArray {
    pub data: NpyData,
    /// Whether the file stored the data in Fortran (column-major) order; the array then has
    /// Fortran strides, and [`write_npy`] writes it in that order again.
    pub fortran_order: bool,
}

impl NpyArray {
    /// An array stored in C order.
    pub fn c_order(data: NpyData) -> NpyArray {
        NpyArray {
            data,
            fortran_order: false,
        }
    }

    pub fn dtype(&self) -> Dtype {
        self.data.dtype()
    }

    pub fn shape(&self) -> &[usize] {
        self.data.shape()
    }

    pub fn ndim(&self) -> usize {
        self.shape().len()
    }
}

/// An element type with a `.npy` encoding.
pub trait Element: Copy + fmt::Debug + 'static {
    const DTYPE: Dtype;
    /// Decodes one element from exactly `DTYPE.size_bytes()` little-endian bytes.
    fn decode(bytes: &[u8]) -> Self;
    fn encode(self, out: &mut Vec<u8>);
    fn wrap(array: ArrayD<Self>) -> NpyData;
}

macro_rules! numeric_element {
    ($ty:ty, $variant:ident) => {
        impl Element for $ty {
            const DTYPE: Dtype = Dtype::$variant;
            fn decode(bytes: &[u8]) -> Self {
                let mut raw = [0u8; std::mem::size_of::<$ty>()];
                raw.copy_from_slice(bytes);
                <$ty>::from_le_bytes(raw)
            }
            fn encode(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn wrap(array: ArrayD<Self>) -> NpyData {
                NpyData::$variant(array)
            }
        }
    };
}

numeric_element!(i8, I8);
numeric_element!(i16, I16);
numeric_element!(u8, U8);
numeric_element!(u16, U16);
numeric_element!(i32, I32);
numeric_element!(i64, I64);
numeric_element!(u32, U32);
numeric_element!(u64, U64);
numeric_element!(f32, F32);
numeric_element!(f64, F64);

impl Element for bool {
    const DTYPE: Dtype = Dtype::Bool;
    /// Any non-zero byte is `true`, as numpy reads it.
    fn decode(bytes: &[u8]) -> Self {
        bytes[0] != 0
    }
    fn encode(self, out: &mut Vec<u8>) {
        out.push(self as u8);
    }
    fn wrap(array: ArrayD<Self>) -> NpyData {
        NpyData::Bool(array)
    }
}

impl<T: Element> From<ArrayD<T>> for NpyArray {
    /// Stores in C order; set [`NpyArray::fortran_order`] to store column-major.
    fn from(array: ArrayD<T>) -> NpyArray {
        NpyArray::c_order(T::wrap(array))
    }
}

/// Why a file's bytes are not a `.npy` array this module can load.
#[derive(Debug, Error)]
pub enum FormatError {
    #[error("not a .npy file (the file does not start with \\x93NUMPY)")]
    BadMagic,
    #[error("unsupported .npy format version {major}.{minor} (1.0, 2.0 and 3.0 are supported)")]
    UnsupportedVersion { major: u8, minor: u8 },
    #[error(
        "the header is {header_len} bytes long but only {available} bytes follow the preamble"
    )]
    HeaderPastEnd { header_len: u64, available: u64 },
    #[error("the header is not valid {encoding}")]
    HeaderEncoding { encoding: &'static str },
    #[error(transparent)]
    Header(#[from] HeaderError),
    #[error("shape {shape:?} has more elements than memory can address")]
    ShapeOverflow { shape: Vec<usize> },
    #[error("shape {shape:?} of {dtype} needs {expected} data bytes but the file holds {actual}")]
    DataLength {
        shape: Vec<usize>,
        dtype: Dtype,
        expected: u64,
        actual: u64,
    },
    #[error("the file ends early: {0}")]
    Truncated(std::io::Error),
}

/// A `.npy` file that could not be read or written.
#[derive(Debug, Error)]
pub enum NpyError {
    #[error("cannot read `{path}`: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{path}`: {source}")]
    Format { path: PathBuf, source: FormatError },
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The shape as an `ndarray` dimension, in C or Fortran order.
fn shape_for(shape: &[usize], fortran_order: bool) -> ndarray::Shape<IxDyn> {
    use ndarray::ShapeBuilder;
    IxDyn(shape).set_f(fortran_order)
}
