//! Scalar arguments written on the command line: `3`, `-0.5`, `1e20`, `inf`, `nan`, `true`.
//!
//! A literal is read as the parameter's type asks, and only that way: an integer parameter
//! takes integer text that fits its range (`3.0` and `-1` for `u64` are errors), a float
//! parameter takes any number, a `bool` takes `true` or `false`. For `_` parameters the text
//! decides: `true`/`false` is a `bool`, integer text an `i64`, other numbers an `f64`.

use kernel_ir::Scalar;
use thiserror::Error;

/// One scalar argument, typed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScalarValue {
    Bool(bool),
    I8(i8),
    I16(i16),
    U8(u8),
    U16(u16),
    I32(i32),
    I64(i64),
    U32(u32),
    U64(u64),
    Usize(usize),
    F32(f32),
    F64(f64),
}

impl ScalarValue {
    pub fn scalar(self) -> Scalar {
        match self {
            ScalarValue::Bool(_) => Scalar::Bool,
            ScalarValue::I8(_) => Scalar::I8,
            ScalarValue::I16(_) => Scalar::I16,
            ScalarValue::U8(_) => Scalar::U8,
            ScalarValue::U16(_) => Scalar::U16,
            ScalarValue::I32(_) => Scalar::I32,
            ScalarValue::I64(_) => Scalar::I64,
            ScalarValue::U32(_) => Scalar::U32,
            ScalarValue::U64(_) => Scalar::U64,
            ScalarValue::Usize(_) => Scalar::Usize,
            ScalarValue::F32(_) => Scalar::F32,
            ScalarValue::F64(_) => Scalar::F64,
        }
    }
}

/// Why a literal is not a value of the wanted type.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ScalarError {
    #[error("expected `true` or `false`")]
    NotBool,
    #[error("expected an integer")]
    NotInteger,
    #[error("out of range for {ty} ({}..={})", integer_range(*.ty).0, integer_range(*.ty).1)]
    OutOfRange { ty: Scalar },
    #[error("expected a number (an integer, a decimal such as 0.5 or 1e20, inf, -inf or nan)")]
    NotNumber,
}

/// Reads `text` as a value of type `ty`.
pub fn parse_scalar(text: &str, ty: Scalar) -> Result<ScalarValue, ScalarError> {
    match ty {
        Scalar::Bool => parse_bool(text)
            .map(ScalarValue::Bool)
            .ok_or(ScalarError::NotBool),
        Scalar::F32 => parse_float::<f32>(text).map(ScalarValue::F32),
        Scalar::F64 => parse_float::<f64>(text).map(ScalarValue::F64),
        _ => parse_integer(text, ty),
    }
}

/// Reads the argument of a `_` parameter: `bool`, then `i64`, then `f64`. `None` when the text
/// is no scalar literal at all (it may then name a `.npy` file).
pub fn parse_inferred(text: &str) -> Option<Result<ScalarValue, ScalarError>> {
    if let Some(b) = parse_bool(text) {
        return Some(Ok(ScalarValue::Bool(b)));
    }
    if looks_like_integer(text) {
        return Some(parse_integer(text, Scalar::I64));
    }
    parse_float::<f64>(text)
        .ok()
        .map(|x| Ok(ScalarValue::F64(x)))
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// An optional sign followed by ASCII digits only.
fn looks_like_integer(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The inclusive range of an integer type.
fn integer_range(ty: Scalar) -> (i128, i128) {
    match ty {
        Scalar::I8 => (i8::MIN.into(), i8::MAX.into()),
        Scalar::I16 => (i16::MIN.into(), i16::MAX.into()),
        Scalar::U8 => (0, u8::MAX.into()),
        Scalar::U16 => (0, u16::MAX.into()),
        Scalar::I32 => (i32::MIN.into(), i32::MAX.into()),
        Scalar::I64 => (i64::MIN.into(), i64::MAX.into()),
        Scalar::U32 => (0, u32::MAX.into()),
        Scalar::U64 => (0, u64::MAX.into()),
        Scalar::Usize => (0, usize::MAX as i128),
        Scalar::Bool | Scalar::F32 | Scalar::F64 => (0, 0),
    }
}

fn parse_integer(text: &str, ty: Scalar) -> Result<ScalarValue, ScalarError> {
    if !looks_like_integer(text) {
        return Err(ScalarError::NotInteger);
    }
    let (min, max) = integer_range(ty);
    // Integer text too long even for i128 is out of range for every kernel type.
    let value = text
        .parse::<i128>()
        .map_err(|_| ScalarError::OutOfRange { ty })?;
    if value < min || value > max {
        return Err(ScalarError::OutOfRange { ty });
    }
    // The range check above makes every conversion below exact.
    Ok(match ty {
        Scalar::I8 => ScalarValue::I8(value as i8),
        Scalar::I16 => ScalarValue::I16(value as i16),
        Scalar::U8 => ScalarValue::U8(value as u8),
        Scalar::U16 => ScalarValue::U16(value as u16),
        Scalar::I32 => ScalarValue::I32(value as i32),
        Scalar::I64 => ScalarValue::I64(value as i64),
        Scalar::U32 => ScalarValue::U32(value as u32),
        Scalar::U64 => ScalarValue::U64(value as u64),
        Scalar::Usize => ScalarValue::Usize(value as usize),
        Scalar::Bool | Scalar::F32 | Scalar::F64 => return Err(ScalarError::NotInteger),
    })
}

/// Rust's float syntax, which is also numpy's and Python's for these forms: `3`, `-0.5`,
/// `1e20`, `inf`, `-inf`, `nan` (any case). Parsing straight to `f32` rounds once.
fn parse_float<T: std::str::FromStr>(text: &str) -> Result<T, ScalarError> {
    text.parse::<T>().map_err(|_| ScalarError::NotNumber)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_range_checked_per_type() {
        assert_eq!(parse_scalar("-3", Scalar::I32), Ok(ScalarValue::I32(-3)));
        assert_eq!(parse_scalar("+7", Scalar::U32), Ok(ScalarValue::U32(7)));
        assert_eq!(parse_scalar("-128", Scalar::I8), Ok(ScalarValue::I8(-128)));
        assert_eq!(parse_scalar("255", Scalar::U8), Ok(ScalarValue::U8(255)));
        assert_eq!(parse_scalar("-2", Scalar::I16), Ok(ScalarValue::I16(-2)));
        assert_eq!(
            parse_scalar("65535", Scalar::U16),
            Ok(ScalarValue::U16(u16::MAX))
        );
        assert_eq!(
            parse_scalar("18446744073709551615", Scalar::U64),
            Ok(ScalarValue::U64(u64::MAX))
        );
        assert_eq!(
            parse_scalar("-9223372036854775808", Scalar::I64),
            Ok(ScalarValue::I64(i64::MIN))
        );
        assert_eq!(
            parse_scalar("12", Scalar::Usize),
            Ok(ScalarValue::Usize(12))
        );
        for (text, ty) in [
            ("-1", Scalar::U64),
            ("3000000000", Scalar::I32),
            ("4294967296", Scalar::U32),
            ("256", Scalar::U8),
            ("-129", Scalar::I8),
            ("32768", Scalar::I16),
            ("-1", Scalar::U16),
            ("-1", Scalar::Usize),
            ("99999999999999999999999999999999999999999999", Scalar::I64),
        ] {
            assert!(
                matches!(parse_scalar(text, ty), Err(ScalarError::OutOfRange { .. })),
                "{text} as {ty}"
            );
        }
        let message = parse_scalar("-1", Scalar::U64).unwrap_err().to_string();
        assert_eq!(message, "out of range for u64 (0..=18446744073709551615)");
    }

    #[test]
    fn integers_reject_everything_else() {
        for text in ["3.0", "1e3", "", "-", "0x10", "1_000", " 3", "true", "nan"] {
            assert_eq!(
                parse_scalar(text, Scalar::I64),
                Err(ScalarError::NotInteger),
                "{text:?}"
            );
        }
    }

    #[test]
    fn floats_take_integers_decimals_and_specials() {
        assert_eq!(parse_scalar("3", Scalar::F64), Ok(ScalarValue::F64(3.0)));
        assert_eq!(parse_scalar("0.5", Scalar::F64), Ok(ScalarValue::F64(0.5)));
        assert_eq!(
            parse_scalar("1e20", Scalar::F64),
            Ok(ScalarValue::F64(1e20))
        );
        assert_eq!(
            parse_scalar("-inf", Scalar::F64),
            Ok(ScalarValue::F64(f64::NEG_INFINITY))
        );
        assert_eq!(
            parse_scalar("inf", Scalar::F32),
            Ok(ScalarValue::F32(f32::INFINITY))
        );
        assert!(matches!(parse_scalar("nan", Scalar::F64), Ok(ScalarValue::F64(x)) if x.is_nan()));
        assert!(matches!(parse_scalar("NaN", Scalar::F32), Ok(ScalarValue::F32(x)) if x.is_nan()));
        // f32 literals round once, from the decimal text.
        assert_eq!(
            parse_scalar("0.1", Scalar::F32),
            Ok(ScalarValue::F32(0.1f32))
        );
        for text in ["", "abc", "1.0.0", "true", "x.npy"] {
            assert_eq!(
                parse_scalar(text, Scalar::F64),
                Err(ScalarError::NotNumber),
                "{text:?}"
            );
        }
    }

    #[test]
    fn bools_are_true_or_false() {
        assert_eq!(
            parse_scalar("true", Scalar::Bool),
            Ok(ScalarValue::Bool(true))
        );
        assert_eq!(
            parse_scalar("false", Scalar::Bool),
            Ok(ScalarValue::Bool(false))
        );
        for text in ["1", "0", "True", "yes"] {
            assert_eq!(
                parse_scalar(text, Scalar::Bool),
                Err(ScalarError::NotBool),
                "{text}"
            );
        }
    }

    #[test]
    fn inferred_literals_pick_bool_then_i64_then_f64() {
        assert_eq!(parse_inferred("true"), Some(Ok(ScalarValue::Bool(true))));
        assert_eq!(parse_inferred("-3"), Some(Ok(ScalarValue::I64(-3))));
        assert_eq!(parse_inferred("3.0"), Some(Ok(ScalarValue::F64(3.0))));
        assert_eq!(parse_inferred("1e20"), Some(Ok(ScalarValue::F64(1e20))));
        assert!(matches!(
            parse_inferred("9223372036854775808"),
            Some(Err(ScalarError::OutOfRange { .. }))
        ));
        assert_eq!(parse_inferred("data/x.npy"), None);
    }
}
