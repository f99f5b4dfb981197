//! How arguments reach compiled and interpreted kernels: the layout both the interpreter and
//! the JIT read, built once per call by the runtime from `ndarray` views, slices and scalars.

use crate::types::Scalar;

/// An array argument: a base pointer to element `[0, 0, 0]`, the extent of each axis and the
/// stride of each axis in *elements* (negative strides allowed). Axes past the rank have extent
/// 1 and stride 0.
///
/// **Invariant:** the runtime only builds a `RawArray` from a live view whose every in-bounds
/// element lies inside one allocation, and keeps that view borrowed for the whole call.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawArray {
    pub data: *mut u8,
    pub dims: [u64; 3],
    pub strides: [i64; 3],
}

/// A scalar argument or return value as 64 raw bits: integers sign- or zero-extended from
/// their width, `bool` as 0/1, `f32` as its bits in the low half, `f64` as its bits.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RawScalar(pub u64);

impl RawScalar {
    pub fn from_f64(x: f64) -> RawScalar {
        RawScalar(x.to_bits())
    }
    pub fn from_f32(x: f32) -> RawScalar {
        RawScalar(x.to_bits() as u64)
    }
    pub fn from_i64(x: i64) -> RawScalar {
        RawScalar(x as u64)
    }
    pub fn from_bool(x: bool) -> RawScalar {
        RawScalar(x as u64)
    }
    pub fn as_f64(self) -> f64 {
        f64::from_bits(self.0)
    }
    pub fn as_f32(self) -> f32 {
        f32::from_bits(self.0 as u32)
    }
    pub fn as_i64(self) -> i64 {
        self.0 as i64
    }
    pub fn as_bool(self) -> bool {
        self.0 != 0
    }

    /// Normalises the bits for `ty` (sign-extends `i8`/`i16`/`i32`, truncates the unsigned
    /// narrow types, masks `bool`) so two equal values of one type have equal raw bits.
    pub fn normalised(self, ty: Scalar) -> RawScalar {
        RawScalar(match ty {
            Scalar::Bool => (self.0 & 1 != 0) as u64,
            Scalar::I8 => self.0 as u8 as i8 as i64 as u64,
            Scalar::I16 => self.0 as u16 as i16 as i64 as u64,
            Scalar::I32 => self.0 as u32 as i32 as i64 as u64,
            Scalar::U8 => self.0 as u8 as u64,
            Scalar::U16 => self.0 as u16 as u64,
            Scalar::U32 | Scalar::F32 => self.0 as u32 as u64,
            Scalar::I64 | Scalar::U64 | Scalar::Usize | Scalar::F64 => self.0,
        })
    }
}

/// One argument of a call into a tier, in parameter order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawArg {
    Scalar(RawScalar),
    Array(RawArray),
}

/// The raw result of a call into a tier: one slot per scalar the return value travels as
/// ([`crate::Type::raw_scalars`]), each normalised as a [`RawScalar`]; unused slots are 0.
/// A scalar (or a returned array's address) is slot 0; a tuple's elements are slots 0, 1, ….
/// A fixed-size value, so returning one allocates nothing and a scalar result costs a copy
/// of a few words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RawReturn(pub [u64; crate::types::MAX_TUPLE_LEN]);

impl RawReturn {
    /// The result of a function returning one scalar (or nothing: 0).
    pub fn scalar(bits: u64) -> RawReturn {
        let mut slots = [0; crate::types::MAX_TUPLE_LEN];
        slots[0] = bits;
        RawReturn(slots)
    }

    /// Slot 0: the whole result of a function returning a scalar or an array.
    pub fn first(self) -> u64 {
        self.0[0]
    }
}
