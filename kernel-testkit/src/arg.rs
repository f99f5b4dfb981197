//! One owned call argument, and the scalar helpers: parsing a corpus scalar and moving
//! values to and from raw 64-bit slots.

use kernel_runtime::ir::abi::{RawArg, RawScalar};
use kernel_runtime::{Arg, ArgType, Function, Scalar, Value};

use crate::array::{parse_element, TestArray};

/// An argument that owns its data, handed to a kernel as many times as needed.
#[derive(Clone, Debug, PartialEq)]
pub enum OwnedArg {
    Scalar(Value),
    Array { array: TestArray, mutable: bool },
}

impl OwnedArg {
    /// The argument for [`Function::call`]: the value, or the array's logical view.
    pub fn arg(&mut self) -> Arg<'_> {
        match self {
            OwnedArg::Scalar(value) => Arg::from(value.clone()),
            OwnedArg::Array { array, mutable } => array.arg(*mutable),
        }
    }

    /// The argument as a tier's raw slot (`()` as zero bits, as the runtime passes it); an
    /// array's descriptor points into this argument (valid while it lives and is not
    /// otherwise borrowed).
    pub fn raw(&mut self) -> RawArg {
        match self {
            OwnedArg::Scalar(value) => {
                RawArg::Scalar(RawScalar(value_bits(value).map_or(0, |(_, bits)| bits)))
            }
            OwnedArg::Array { array, .. } => RawArg::Array(array.raw()),
        }
    }

    /// The argument's type as specialisation sees it (`None` for `Value::Unit`).
    pub fn arg_type(&self) -> Option<ArgType> {
        match self {
            OwnedArg::Scalar(value) => value.scalar().map(ArgType::Scalar),
            OwnedArg::Array { array, mutable } => Some(ArgType::Array {
                elem: array.elem(),
                rank: array.rank() as u8,
                mutable: *mutable,
            }),
        }
    }

    pub fn as_array(&self) -> Option<&TestArray> {
        match self {
            OwnedArg::Array { array, .. } => Some(array),
            OwnedArg::Scalar(_) => None,
        }
    }
}

/// Calls `function` on `args` through the runtime's one call path (every tier).
pub fn call(function: &Function, args: &mut [OwnedArg]) -> Result<Value, kernel_runtime::Error> {
    let mut borrowed: Vec<Arg<'_>> = args.iter_mut().map(OwnedArg::arg).collect();
    function.call(&mut borrowed)
}

/// A corpus scalar: its suffix's type (`3u32`), else the parameter's declared type, else
/// `bool`, `i64` or `f64` by its spelling. Malformed text panics: it is test data.
pub fn parse_scalar(text: &str, declared: Option<Scalar>) -> Value {
    let (digits, suffix) = split_suffix(text);
    let scalar = suffix
        .or(declared)
        .unwrap_or(if text == "true" || text == "false" {
            Scalar::Bool
        } else if text.parse::<i64>().is_ok() {
            Scalar::I64
        } else {
            Scalar::F64
        });
    let value = match scalar {
        Scalar::Bool => parse_element::<bool>(digits).map(Value::from),
        Scalar::I8 => parse_element::<i8>(digits).map(Value::from),
        Scalar::I16 => parse_element::<i16>(digits).map(Value::from),
        Scalar::U8 => parse_element::<u8>(digits).map(Value::from),
        Scalar::U16 => parse_element::<u16>(digits).map(Value::from),
        Scalar::I32 => parse_element::<i32>(digits).map(Value::from),
        Scalar::I64 => parse_element::<i64>(digits).map(Value::from),
        Scalar::U32 => parse_element::<u32>(digits).map(Value::from),
        Scalar::U64 => parse_element::<u64>(digits).map(Value::from),
        Scalar::Usize => parse_element::<usize>(digits).map(Value::from),
        Scalar::F32 => parse_element::<f32>(digits).map(Value::from),
        Scalar::F64 => parse_element::<f64>(digits).map(Value::from),
    };
    value.unwrap_or_else(|| panic!("`{text}` is not a {scalar}"))
}

/// `3u32` → ("3", Some(U32)); `1e5` keeps its `e`.
fn split_suffix(text: &str) -> (&str, Option<Scalar>) {
    for scalar in Scalar::ALL {
        if let Some(stripped) = text.strip_suffix(scalar.name()) {
            if !stripped.is_empty() && !stripped.ends_with('e') {
                return (stripped, Some(scalar));
            }
        }
    }
    (text, None)
}

/// The value of type `scalar` held in a raw 64-bit slot.
pub fn value_from_bits(scalar: Scalar, bits: u64) -> Value {
    match scalar {
        Scalar::Bool => Value::Bool(bits & 1 != 0),
        Scalar::I8 => Value::I8(bits as i8),
        Scalar::I16 => Value::I16(bits as i16),
        Scalar::U8 => Value::U8(bits as u8),
        Scalar::U16 => Value::U16(bits as u16),
        Scalar::I32 => Value::I32(bits as i32),
        Scalar::I64 => Value::I64(bits as i64),
        Scalar::U32 => Value::U32(bits as u32),
        Scalar::U64 => Value::U64(bits),
        Scalar::Usize => Value::Usize(bits as usize),
        Scalar::F32 => Value::F32(f32::from_bits(bits as u32)),
        Scalar::F64 => Value::F64(f64::from_bits(bits)),
    }
}

/// A value's type and raw 64-bit slot (signed integers sign-extended); `None` for `Value::Unit`
/// and arrays.
pub fn value_bits(value: &Value) -> Option<(Scalar, u64)> {
    Some(match *value {
        Value::Unit | Value::Array(_) | Value::Tuple(_) => return None,
        Value::Bool(v) => (Scalar::Bool, v as u64),
        Value::I8(v) => (Scalar::I8, v as i64 as u64),
        Value::I16(v) => (Scalar::I16, v as i64 as u64),
        Value::U8(v) => (Scalar::U8, v.into()),
        Value::U16(v) => (Scalar::U16, v.into()),
        Value::I32(v) => (Scalar::I32, v as i64 as u64),
        Value::I64(v) => (Scalar::I64, v as u64),
        Value::U32(v) => (Scalar::U32, v.into()),
        Value::U64(v) => (Scalar::U64, v),
        Value::Usize(v) => (Scalar::Usize, v as u64),
        Value::F32(v) => (Scalar::F32, v.to_bits().into()),
        Value::F64(v) => (Scalar::F64, v.to_bits()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_take_suffix_then_declared_type_then_spelling() {
        assert_eq!(parse_scalar("3u32", Some(Scalar::I64)), Value::U32(3));
        assert_eq!(parse_scalar("-3i8", None), Value::I8(-3));
        assert_eq!(parse_scalar("300", Some(Scalar::U16)), Value::U16(300));
        assert_eq!(parse_scalar("3", Some(Scalar::U64)), Value::U64(3));
        assert_eq!(parse_scalar("3", None), Value::I64(3));
        assert_eq!(parse_scalar("1e5", None), Value::F64(1e5));
        assert_eq!(parse_scalar("true", None), Value::Bool(true));
        assert!(parse_scalar("nan", Some(Scalar::F32))
            .as_f32()
            .unwrap()
            .is_nan());
        assert_eq!(parse_scalar("-inf", None), Value::F64(f64::NEG_INFINITY));
    }

    #[test]
    fn values_round_trip_through_bits() {
        for value in [
            Value::Bool(true),
            Value::I32(-5),
            Value::I8(i8::MIN),
            Value::I16(-2),
            Value::U8(u8::MAX),
            Value::U16(u16::MAX),
            Value::U32(u32::MAX),
            Value::F32(-0.0),
            Value::F64(1.25),
            Value::Usize(7),
        ] {
            let (scalar, bits) = value_bits(&value).expect("not unit");
            assert_eq!(value_from_bits(scalar, bits), value);
        }
        assert_eq!(value_bits(&Value::Unit), None);
    }
}
