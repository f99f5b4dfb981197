//! The language's scalar operations as closures over raw slots, one per (operator, type).
//!
//! Each dispatcher picks the closure for an operator and a scalar type and hands it to a
//! visitor, which builds the specialised [`super::frame::Code`] around it; the closure is a
//! distinct type per case, so the visitor's code is monomorphised and the operation inlined.
//! This file is the single definition of every operator's meaning in the interpreter; it
//! returns `None` for a combination the checker never produces.

use kernel_ir::ir::{BinOp, Builtin, UnOp};
use kernel_ir::semantics;
use kernel_ir::{ErrorKind, Scalar};

use super::scalar::{KFloat, KInt, Repr};

/// Builds code around a two-operand operation.
pub(crate) trait BinaryVisitor {
    type Out;
    fn visit<F>(self, f: F) -> Self::Out
    where
        F: Fn(u64, u64) -> Result<u64, ErrorKind> + Copy + Send + Sync + 'static;
}

/// Builds code around a one-operand operation.
pub(crate) trait UnaryVisitor {
    type Out;
    fn visit<F>(self, f: F) -> Self::Out
    where
        F: Fn(u64) -> Result<u64, ErrorKind> + Copy + Send + Sync + 'static;
}

/// A three-operand builtin (`mul_add`, `clamp`): not hot enough to specialise further.
pub(crate) type TernaryFn = fn(u64, u64, u64) -> Result<u64, ErrorKind>;

/// Dispatches a binary operator on operands of scalar type `ty` (the left operand's type
/// for shifts).
pub(crate) fn binary_op<V: BinaryVisitor>(op: BinOp, ty: Scalar, v: V) -> Option<V::Out> {
    match ty {
        Scalar::F64 => float_binary::<f64, V>(op, v),
        Scalar::F32 => float_binary::<f32, V>(op, v),
        Scalar::I8 => int_binary::<i8, V>(op, v),
        Scalar::I16 => int_binary::<i16, V>(op, v),
        Scalar::U8 => int_binary::<u8, V>(op, v),
        Scalar::U16 => int_binary::<u16, V>(op, v),
        Scalar::I32 => int_binary::<i32, V>(op, v),
        Scalar::I64 => int_binary::<i64, V>(op, v),
        Scalar::U32 => int_binary::<u32, V>(op, v),
        Scalar::U64 | Scalar::Usize => int_binary::<u64, V>(op, v),
        Scalar::Bool => bool_binary(op, v),
    }
}

macro_rules! compare {
    ($T:ty, $op:expr, $v:ident) => {
        match $op {
            BinOp::Eq => Some($v.visit(|a, b| Ok((<$T>::from_raw(a) == <$T>::from_raw(b)) as u64))),
            BinOp::Ne => Some($v.visit(|a, b| Ok((<$T>::from_raw(a) != <$T>::from_raw(b)) as u64))),
            BinOp::Lt => Some($v.visit(|a, b| Ok((<$T>::from_raw(a) < <$T>::from_raw(b)) as u64))),
            BinOp::Le => Some($v.visit(|a, b| Ok((<$T>::from_raw(a) <= <$T>::from_raw(b)) as u64))),
            BinOp::Gt => Some($v.visit(|a, b| Ok((<$T>::from_raw(a) > <$T>::from_raw(b)) as u64))),
            BinOp::Ge => Some($v.visit(|a, b| Ok((<$T>::from_raw(a) >= <$T>::from_raw(b)) as u64))),
            _ => None,
        }
    };
}

fn float_binary<T: KFloat, V: BinaryVisitor>(op: BinOp, v: V) -> Option<V::Out> {
    let lift = |a: u64, b: u64| (T::from_raw(a), T::from_raw(b));
    match op {
        BinOp::Add => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            Ok((a + b).to_raw())
        })),
        BinOp::Sub => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            Ok((a - b).to_raw())
        })),
        BinOp::Mul => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            Ok((a * b).to_raw())
        })),
        BinOp::Div => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            Ok((a / b).to_raw())
        })),
        BinOp::Rem => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            Ok(a.fmod(b).to_raw())
        })),
        _ => compare!(T, op, v),
    }
}

fn int_binary<T: KInt, V: BinaryVisitor>(op: BinOp, v: V) -> Option<V::Out> {
    let lift = |a: u64, b: u64| (T::from_raw(a), T::from_raw(b));
    match op {
        BinOp::Add => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            Ok(a.w_add(b).to_raw())
        })),
        BinOp::Sub => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            Ok(a.w_sub(b).to_raw())
        })),
        BinOp::Mul => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            Ok(a.w_mul(b).to_raw())
        })),
        BinOp::Div => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            a.k_div(b).map(Repr::to_raw)
        })),
        BinOp::Rem => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            a.k_rem(b).map(Repr::to_raw)
        })),
        BinOp::BitAnd => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            Ok((a & b).to_raw())
        })),
        BinOp::BitOr => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            Ok((a | b).to_raw())
        })),
        BinOp::BitXor => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            Ok((a ^ b).to_raw())
        })),
        // The amount's raw slot is already "sign-extended, then reinterpreted as u64".
        BinOp::Shl => Some(v.visit(|a, b| Ok(T::from_raw(a).k_shl(b).to_raw()))),
        BinOp::Shr => Some(v.visit(|a, b| Ok(T::from_raw(a).k_shr(b).to_raw()))),
        _ => compare!(T, op, v),
    }
}

fn bool_binary<V: BinaryVisitor>(op: BinOp, v: V) -> Option<V::Out> {
    match op {
        BinOp::BitAnd => Some(v.visit(|a, b| Ok(a & b))),
        BinOp::BitOr => Some(v.visit(|a, b| Ok(a | b))),
        BinOp::BitXor => Some(v.visit(|a, b| Ok(a ^ b))),
        _ => compare!(bool, op, v),
    }
}

/// Dispatches a unary operator on type `ty`.
pub(crate) fn unary_op<V: UnaryVisitor>(op: UnOp, ty: Scalar, v: V) -> Option<V::Out> {
    match (op, ty) {
        (UnOp::Neg, Scalar::F64) => Some(v.visit(|a| Ok((-f64::from_raw(a)).to_raw()))),
        (UnOp::Neg, Scalar::F32) => Some(v.visit(|a| Ok((-f32::from_raw(a)).to_raw()))),
        (UnOp::Neg, Scalar::I8) => Some(v.visit(|a| Ok(i8::from_raw(a).w_neg().to_raw()))),
        (UnOp::Neg, Scalar::I16) => Some(v.visit(|a| Ok(i16::from_raw(a).w_neg().to_raw()))),
        (UnOp::Neg, Scalar::I32) => Some(v.visit(|a| Ok(i32::from_raw(a).w_neg().to_raw()))),
        (UnOp::Neg, Scalar::I64) => Some(v.visit(|a| Ok(i64::from_raw(a).w_neg().to_raw()))),
        (UnOp::Not, Scalar::Bool) => Some(v.visit(|a| Ok(a ^ 1))),
        (UnOp::Not, Scalar::I8) => Some(v.visit(|a| Ok((!i8::from_raw(a)).to_raw()))),
        (UnOp::Not, Scalar::I16) => Some(v.visit(|a| Ok((!i16::from_raw(a)).to_raw()))),
        (UnOp::Not, Scalar::U8) => Some(v.visit(|a| Ok((!u8::from_raw(a)).to_raw()))),
        (UnOp::Not, Scalar::U16) => Some(v.visit(|a| Ok((!u16::from_raw(a)).to_raw()))),
        (UnOp::Not, Scalar::I32) => Some(v.visit(|a| Ok((!i32::from_raw(a)).to_raw()))),
        (UnOp::Not, Scalar::U32) => Some(v.visit(|a| Ok((!u32::from_raw(a)).to_raw()))),
        (UnOp::Not, Scalar::I64 | Scalar::U64 | Scalar::Usize) => Some(v.visit(|a| Ok(!a))),
        _ => None,
    }
}

macro_rules! cast_from {
    ($v:ident, $to:expr, |$r:ident| $src:expr) => {
        match $to {
            Scalar::I8 => Some($v.visit(|$r| Ok((($src) as i8).to_raw()))),
            Scalar::I16 => Some($v.visit(|$r| Ok((($src) as i16).to_raw()))),
            Scalar::U8 => Some($v.visit(|$r| Ok((($src) as u8).to_raw()))),
            Scalar::U16 => Some($v.visit(|$r| Ok((($src) as u16).to_raw()))),
            Scalar::I32 => Some($v.visit(|$r| Ok((($src) as i32).to_raw()))),
            Scalar::I64 => Some($v.visit(|$r| Ok((($src) as i64).to_raw()))),
            Scalar::U32 => Some($v.visit(|$r| Ok((($src) as u32).to_raw()))),
            Scalar::U64 | Scalar::Usize => Some($v.visit(|$r| Ok((($src) as u64).to_raw()))),
            Scalar::F32 => Some($v.visit(|$r| Ok((($src) as f32).to_raw()))),
            Scalar::F64 => Some($v.visit(|$r| Ok((($src) as f64).to_raw()))),
            Scalar::Bool => None,
        }
    };
}

/// Dispatches `x as to` for `x: from`, with Rust's `as` meaning (saturating float → int,
/// NaN → 0, `bool` → 0/1).
pub(crate) fn cast_op<V: UnaryVisitor>(from: Scalar, to: Scalar, v: V) -> Option<V::Out> {
    match from {
        Scalar::Bool => cast_from!(v, to, |r| (r != 0) as u8),
        Scalar::I8 => cast_from!(v, to, |r| i8::from_raw(r)),
        Scalar::I16 => cast_from!(v, to, |r| i16::from_raw(r)),
        Scalar::U8 => cast_from!(v, to, |r| u8::from_raw(r)),
        Scalar::U16 => cast_from!(v, to, |r| u16::from_raw(r)),
        Scalar::I32 => cast_from!(v, to, |r| i32::from_raw(r)),
        Scalar::I64 => cast_from!(v, to, |r| i64::from_raw(r)),
        Scalar::U32 => cast_from!(v, to, |r| u32::from_raw(r)),
        Scalar::U64 | Scalar::Usize => cast_from!(v, to, |r| r),
        Scalar::F32 => cast_from!(v, to, |r| f32::from_raw(r)),
        Scalar::F64 => cast_from!(v, to, |r| f64::from_raw(r)),
    }
}

/// Dispatches a one-argument builtin on receiver type `ty`.
pub(crate) fn builtin_unary<V: UnaryVisitor>(b: Builtin, ty: Scalar, v: V) -> Option<V::Out> {
    match ty {
        Scalar::F64 => float_unary::<f64, V>(b, v),
        Scalar::F32 => float_unary::<f32, V>(b, v),
        Scalar::I8 => int_unary::<i8, V>(b, v),
        Scalar::I16 => int_unary::<i16, V>(b, v),
        Scalar::U8 => int_unary::<u8, V>(b, v),
        Scalar::U16 => int_unary::<u16, V>(b, v),
        Scalar::I32 => int_unary::<i32, V>(b, v),
        Scalar::I64 => int_unary::<i64, V>(b, v),
        Scalar::U32 => int_unary::<u32, V>(b, v),
        Scalar::U64 | Scalar::Usize => int_unary::<u64, V>(b, v),
        Scalar::Bool => None,
    }
}

macro_rules! float_fn {
    ($T:ident, $v:ident, |$x:ident| $body:expr) => {
        Some($v.visit(|raw| {
            let $x = $T::from_raw(raw);
            Ok(($body).to_raw())
        }))
    };
}

fn float_unary<T: KFloat, V: UnaryVisitor>(b: Builtin, v: V) -> Option<V::Out> {
    match b {
        Builtin::Sqrt => float_fn!(T, v, |x| x.sqrt()),
        Builtin::Cbrt => float_fn!(T, v, |x| x.cbrt()),
        Builtin::Abs => float_fn!(T, v, |x| x.abs()),
        Builtin::Signum => float_fn!(T, v, |x| x.signum()),
        Builtin::Recip => float_fn!(T, v, |x| T::ONE / x),
        Builtin::Floor => float_fn!(T, v, |x| x.floor()),
        Builtin::Ceil => float_fn!(T, v, |x| x.ceil()),
        Builtin::Round => float_fn!(T, v, |x| x.round()),
        Builtin::Trunc => float_fn!(T, v, |x| x.trunc()),
        Builtin::Fract => float_fn!(T, v, |x| x - x.trunc()),
        Builtin::Exp => float_fn!(T, v, |x| x.exp()),
        Builtin::Exp2 => float_fn!(T, v, |x| x.exp2()),
        Builtin::Ln => float_fn!(T, v, |x| x.ln()),
        Builtin::Log2 => float_fn!(T, v, |x| x.log2()),
        Builtin::Log10 => float_fn!(T, v, |x| x.log10()),
        Builtin::Sin => float_fn!(T, v, |x| x.sin()),
        Builtin::Cos => float_fn!(T, v, |x| x.cos()),
        Builtin::Tan => float_fn!(T, v, |x| x.tan()),
        Builtin::Asin => float_fn!(T, v, |x| x.asin()),
        Builtin::Acos => float_fn!(T, v, |x| x.acos()),
        Builtin::Atan => float_fn!(T, v, |x| x.atan()),
        Builtin::Sinh => float_fn!(T, v, |x| x.sinh()),
        Builtin::Cosh => float_fn!(T, v, |x| x.cosh()),
        Builtin::Tanh => float_fn!(T, v, |x| x.tanh()),
        Builtin::ToDegrees => float_fn!(T, v, |x| x.to_degrees()),
        Builtin::ToRadians => float_fn!(T, v, |x| x.to_radians()),
        Builtin::IsNan => Some(v.visit(|raw| Ok(T::from_raw(raw).is_nan() as u64))),
        Builtin::IsFinite => Some(v.visit(|raw| Ok(T::from_raw(raw).is_finite() as u64))),
        _ => None,
    }
}

fn int_unary<T: KInt, V: UnaryVisitor>(b: Builtin, v: V) -> Option<V::Out> {
    match b {
        Builtin::Abs => Some(v.visit(|raw| Ok(T::from_raw(raw).w_abs().to_raw()))),
        Builtin::Signum => Some(v.visit(|raw| Ok(T::from_raw(raw).k_signum().to_raw()))),
        Builtin::CountOnes => Some(v.visit(|raw| Ok(T::from_raw(raw).ones().to_raw()))),
        Builtin::LeadingZeros => Some(v.visit(|raw| Ok(T::from_raw(raw).leading().to_raw()))),
        _ => None,
    }
}

/// Dispatches a two-argument builtin on receiver type `ty`.
pub(crate) fn builtin_binary<V: BinaryVisitor>(b: Builtin, ty: Scalar, v: V) -> Option<V::Out> {
    match ty {
        Scalar::F64 => float_builtin2::<f64, V>(b, v),
        Scalar::F32 => float_builtin2::<f32, V>(b, v),
        Scalar::I8 => int_builtin2::<i8, V>(b, v),
        Scalar::I16 => int_builtin2::<i16, V>(b, v),
        Scalar::U8 => int_builtin2::<u8, V>(b, v),
        Scalar::U16 => int_builtin2::<u16, V>(b, v),
        Scalar::I32 => int_builtin2::<i32, V>(b, v),
        Scalar::I64 => int_builtin2::<i64, V>(b, v),
        Scalar::U32 => int_builtin2::<u32, V>(b, v),
        Scalar::U64 | Scalar::Usize => int_builtin2::<u64, V>(b, v),
        Scalar::Bool => None,
    }
}

macro_rules! float_fn2 {
    ($T:ident, $v:ident, |$x:ident, $y:ident| $body:expr) => {
        Some($v.visit(|a, b| {
            let ($x, $y) = ($T::from_raw(a), $T::from_raw(b));
            Ok(($body).to_raw())
        }))
    };
}

fn float_builtin2<T: KFloat, V: BinaryVisitor>(b: Builtin, v: V) -> Option<V::Out> {
    match b {
        Builtin::Log => float_fn2!(T, v, |x, base| x.ln() / base.ln()),
        Builtin::Powi => Some(v.visit(|a, n| Ok(T::from_raw(a).powi(n as i32).to_raw()))),
        Builtin::Powf => float_fn2!(T, v, |x, y| x.powf(y)),
        Builtin::Atan2 => float_fn2!(T, v, |y, x| y.atan2(x)),
        Builtin::Hypot => float_fn2!(T, v, |x, y| x.hypot(y)),
        Builtin::Min => float_fn2!(T, v, |x, y| semantics::fmin(x, y)),
        Builtin::Max => float_fn2!(T, v, |x, y| semantics::fmax(x, y)),
        Builtin::RemEuclid => float_fn2!(T, v, |x, y| x.rem_euclid(y)),
        Builtin::DivEuclid => float_fn2!(T, v, |x, y| x.div_euclid(y)),
        _ => None,
    }
}

fn int_builtin2<T: KInt, V: BinaryVisitor>(b: Builtin, v: V) -> Option<V::Out> {
    let lift = |a: u64, b: u64| (T::from_raw(a), T::from_raw(b));
    match b {
        Builtin::Pow => Some(v.visit(|a, e| Ok(T::from_raw(a).k_pow(e as u32).to_raw()))),
        Builtin::Min => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            Ok(a.min(b).to_raw())
        })),
        Builtin::Max => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            Ok(a.max(b).to_raw())
        })),
        Builtin::RemEuclid => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            a.k_rem_euclid(b).map(Repr::to_raw)
        })),
        Builtin::DivEuclid => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            a.k_div_euclid(b).map(Repr::to_raw)
        })),
        Builtin::WrappingAdd => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            Ok(a.w_add(b).to_raw())
        })),
        Builtin::WrappingSub => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            Ok(a.w_sub(b).to_raw())
        })),
        Builtin::WrappingMul => Some(v.visit(move |a, b| {
            let (a, b) = lift(a, b);
            Ok(a.w_mul(b).to_raw())
        })),
        _ => None,
    }
}

/// The three-argument builtins.
pub(crate) fn builtin_ternary(b: Builtin, ty: Scalar) -> Option<TernaryFn> {
    fn clamp<T: Repr + PartialOrd>(x: u64, lo: u64, hi: u64) -> Result<u64, ErrorKind> {
        semantics::clamp(T::from_raw(x), T::from_raw(lo), T::from_raw(hi)).map(Repr::to_raw)
    }
    fn mul_add<T: KFloat>(x: u64, a: u64, b: u64) -> Result<u64, ErrorKind> {
        Ok(T::from_raw(x)
            .mul_add(T::from_raw(a), T::from_raw(b))
            .to_raw())
    }
    match (b, ty) {
        (Builtin::MulAdd, Scalar::F64) => Some(mul_add::<f64>),
        (Builtin::MulAdd, Scalar::F32) => Some(mul_add::<f32>),
        (Builtin::Clamp, Scalar::F64) => Some(clamp::<f64>),
        (Builtin::Clamp, Scalar::F32) => Some(clamp::<f32>),
        (Builtin::Clamp, Scalar::I8) => Some(clamp::<i8>),
        (Builtin::Clamp, Scalar::I16) => Some(clamp::<i16>),
        (Builtin::Clamp, Scalar::U8) => Some(clamp::<u8>),
        (Builtin::Clamp, Scalar::U16) => Some(clamp::<u16>),
        (Builtin::Clamp, Scalar::I32) => Some(clamp::<i32>),
        (Builtin::Clamp, Scalar::I64) => Some(clamp::<i64>),
        (Builtin::Clamp, Scalar::U32) => Some(clamp::<u32>),
        (Builtin::Clamp, Scalar::U64 | Scalar::Usize) => Some(clamp::<u64>),
        _ => None,
    }
}
