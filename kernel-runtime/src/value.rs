//! Scalar values crossing the API: kernel return values and scalar arguments.

use std::fmt;

use kernel_ir::{Scalar, Type};

/// A kernel's return value (or a scalar argument).
///
/// `Display` prints integers and `bool` with `{}` and floats with `{:?}` (`20.0`, `NaN`,
/// `inf`): exactly what `kernelc run` prints. `Unit` (no return value) prints as `()`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Unit,
    Bool(bool),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    Usize(usize),
    F32(f32),
    F64(f64),
}

impl Value {
    /// The scalar type of the value (`None` for `Unit`).
    pub fn scalar(&self) -> Option<Scalar> {
        Some(match self {
            Value::Unit => return None,
            Value::Bool(_) => Scalar::Bool,
            Value::I8(_) => Scalar::I8,
            Value::I16(_) => Scalar::I16,
            Value::U8(_) => Scalar::U8,
            Value::U16(_) => Scalar::U16,
            Value::I32(_) => Scalar::I32,
            Value::I64(_) => Scalar::I64,
            Value::U32(_) => Scalar::U32,
            Value::U64(_) => Scalar::U64,
            Value::Usize(_) => Scalar::Usize,
            Value::F32(_) => Scalar::F32,
            Value::F64(_) => Scalar::F64,
        })
    }

    pub fn is_unit(&self) -> bool {
        matches!(self, Value::Unit)
    }

    /// The raw 64-bit form of [`kernel_ir::abi::RawScalar`] (normalised).
    pub(crate) fn to_raw(self) -> u64 {
        match self {
            Value::Unit => 0,
            Value::Bool(b) => b as u64,
            Value::I8(v) => v as i64 as u64,
            Value::I16(v) => v as i64 as u64,
            Value::U8(v) => v as u64,
            Value::U16(v) => v as u64,
            Value::I32(v) => v as i64 as u64,
            Value::I64(v) => v as u64,
            Value::U32(v) => v as u64,
            Value::U64(v) => v,
            Value::Usize(v) => v as u64,
            Value::F32(v) => v.to_bits() as u64,
            Value::F64(v) => v.to_bits(),
        }
    }

    /// The value of type `ty` held in a raw slot; `Unit` for non-scalar types.
    pub(crate) fn from_raw(ty: Type, raw: u64) -> Value {
        match ty.as_scalar() {
            Some(Scalar::Bool) => Value::Bool(raw & 1 != 0),
            Some(Scalar::I8) => Value::I8(raw as i8),
            Some(Scalar::I16) => Value::I16(raw as i16),
            Some(Scalar::U8) => Value::U8(raw as u8),
            Some(Scalar::U16) => Value::U16(raw as u16),
            Some(Scalar::I32) => Value::I32(raw as i32),
            Some(Scalar::I64) => Value::I64(raw as i64),
            Some(Scalar::U32) => Value::U32(raw as u32),
            Some(Scalar::U64) => Value::U64(raw),
            Some(Scalar::Usize) => Value::Usize(raw as usize),
            Some(Scalar::F32) => Value::F32(f32::from_bits(raw as u32)),
            Some(Scalar::F64) => Value::F64(f64::from_bits(raw)),
            None => Value::Unit,
        }
    }
}

macro_rules! accessors {
    ($($name:ident => $variant:ident : $t:ty),*) => {
        impl Value {
            $(
                #[doc = concat!("The value if it is a `", stringify!($t), "`.")]
                pub fn $name(&self) -> Option<$t> {
                    match *self {
                        Value::$variant(v) => Some(v),
                        _ => None,
                    }
                }
            )*
        }
        $(
            impl From<$t> for Value {
                fn from(v: $t) -> Value {
                    Value::$variant(v)
                }
            }
        )*
    };
}
accessors!(
    as_bool => Bool: bool, as_i8 => I8: i8, as_i16 => I16: i16, as_u8 => U8: u8,
    as_u16 => U16: u16, as_i32 => I32: i32, as_i64 => I64: i64, as_u32 => U32: u32,
    as_u64 => U64: u64, as_usize => Usize: usize, as_f32 => F32: f32, as_f64 => F64: f64
);

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Unit => f.write_str("()"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::I8(v) => write!(f, "{v}"),
            Value::I16(v) => write!(f, "{v}"),
            Value::U8(v) => write!(f, "{v}"),
            Value::U16(v) => write!(f, "{v}"),
            Value::I32(v) => write!(f, "{v}"),
            Value::I64(v) => write!(f, "{v}"),
            Value::U32(v) => write!(f, "{v}"),
            Value::U64(v) => write!(f, "{v}"),
            Value::Usize(v) => write!(f, "{v}"),
            Value::F32(v) => write!(f, "{v:?}"),
            Value::F64(v) => write!(f, "{v:?}"),
        }
    }
}
