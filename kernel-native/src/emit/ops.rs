//! The language's scalar operations as Rust: types, literals, operators, casts and builtins.
//!
//! This is the native tier's single definition of each operator's meaning and mirrors the
//! interpreter's `ops.rs`: wrapping integer arithmetic, `KernelInt` for division, remainder,
//! shifts, `pow` and `signum`, the shared libm wrappers of `kernel_ir::semantics` for every
//! library function (never std's own, which may be a different implementation), std only for
//! operations IEEE defines exactly (`sqrt`, `abs`, `floor`, `mul_add`, …).
//!
//! `KernelInt` has no `usize` implementation; `usize` operations go through `u64` (the same
//! 64 bits) and back.

use kernel_ir::ir::{BinOp, Builtin, Lit, UnOp};
use kernel_ir::{Scalar, Type};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{Emitted, FnEmitter};

pub(crate) fn scalar_type(s: Scalar) -> TokenStream {
    let name = format_ident!("{}", s.name());
    quote!(#name)
}

/// The Rust type of a value of IR type `ty` (`()` for unit and never).
pub(crate) fn value_type(ty: Type) -> TokenStream {
    match ty {
        Type::Scalar(s) => scalar_type(s),
        Type::Array(_) => quote!(::kernel_runtime::__private::Owned),
        Type::Tuple(tuple) => {
            let elems = tuple.elems().iter().map(|&s| scalar_type(s));
            quote!((#(#elems),*))
        }
        _ => quote!(()),
    }
}

pub(crate) fn zero(s: Scalar) -> TokenStream {
    match s {
        Scalar::Bool => quote!(false),
        s if s.is_float() => float_literal(0.0, s),
        s => int_literal(0, s),
    }
}

/// A literal of checked type `ty`.
pub(crate) fn literal(lit: Lit, ty: Scalar) -> Emitted {
    match (lit, ty) {
        (Lit::Bool(b), _) => Emitted::atom(quote!(#b)),
        (Lit::Int(v), s) if s.is_float() => literal(Lit::Float(v as f64), s),
        (Lit::Int(v), s) => Emitted::atom(int_literal(v, s)),
        (Lit::Float(x), s) if s.is_float() => Emitted::atom(float_literal(x, s)),
        (Lit::Float(x), s) => Emitted::atom(int_literal(x as i128, s)),
    }
}

fn int_literal(v: i128, s: Scalar) -> TokenStream {
    let ty = scalar_type(s);
    let min = match s {
        Scalar::I8 => i128::from(i8::MIN),
        Scalar::I16 => i128::from(i16::MIN),
        Scalar::I32 => i128::from(i32::MIN),
        Scalar::I64 => i128::from(i64::MIN),
        _ => 0,
    };
    if v < 0 && v == min {
        return quote!(#ty::MIN);
    }
    let magnitude = Literal::u128_unsuffixed(v.unsigned_abs());
    let suffixed: TokenStream = format!("{magnitude}{}", s.name())
        .parse()
        .unwrap_or_else(|_| quote!(0));
    if v < 0 {
        quote!((-#suffixed))
    } else {
        suffixed
    }
}

fn float_literal(x: f64, s: Scalar) -> TokenStream {
    let ty = scalar_type(s);
    if x.is_nan() {
        return quote!(#ty::NAN);
    }
    if x.is_infinite() {
        return if x > 0.0 {
            quote!(#ty::INFINITY)
        } else {
            quote!(#ty::NEG_INFINITY)
        };
    }
    // `{:?}` prints the shortest text that reads back as the same value.
    let text = if s == Scalar::F32 {
        format!("{:?}", (x as f32).abs())
    } else {
        format!("{:?}", x.abs())
    };
    let literal: TokenStream = format!("{text}{}", s.name())
        .parse()
        .unwrap_or_else(|_| quote!(#ty::from_bits(0)));
    if x.is_sign_negative() {
        quote!((-#literal))
    } else {
        literal
    }
}

/// `KernelInt::method(args…)`, through `u64` for `usize`: the receiver, and the other
/// arguments when `same_type` (division and remainder; not `pow`'s `u32` or a shift amount).
fn kernel_int(ty: Scalar, method: &str, args: &[TokenStream], same_type: bool) -> TokenStream {
    let method = format_ident!("{}", method);
    if ty != Scalar::Usize {
        return quote!(__k_sem::KernelInt::#method(#(#args),*));
    }
    let converted = args.iter().enumerate().map(|(i, a)| {
        if i == 0 || same_type {
            quote!(#a as u64)
        } else {
            a.clone()
        }
    });
    quote!(__k_sem::KernelInt::#method(#(#converted),*))
}

/// Wraps a `u64` result back into `usize` when the operation's type is `usize`.
fn from_u64(ty: Scalar, tokens: TokenStream) -> TokenStream {
    if ty == Scalar::Usize {
        quote!((#tokens as usize))
    } else {
        tokens
    }
}

/// A libm wrapper of `kernel_ir::semantics`: `sin_f64`, `powf_f32`, …
fn libm(name: &str, ty: Scalar, args: &[TokenStream]) -> Emitted {
    let function = format_ident!("{}_{}", name, ty.name());
    Emitted::atom(quote!(__k_sem::#function(#(#args),*)))
}

impl FnEmitter<'_> {
    /// `lhs op rhs` for operands of type `ty` (the left operand's type for shifts), located
    /// at `site` for the operations that can fail.
    pub(crate) fn binary(
        &self,
        op: BinOp,
        ty: Scalar,
        lhs: &Emitted,
        rhs: &Emitted,
        site: &TokenStream,
    ) -> Option<Emitted> {
        let (a, b) = (lhs.operand(), rhs.operand());
        if op.is_comparison() {
            let op = comparison_token(op);
            return Some(Emitted::compound(quote!(#a #op #b)));
        }
        let emitted = match ty {
            Scalar::Bool => match op {
                BinOp::BitAnd => quote!(#a & #b),
                BinOp::BitOr => quote!(#a | #b),
                BinOp::BitXor => quote!(#a ^ #b),
                _ => return None,
            },
            s if s.is_float() => match op {
                BinOp::Add => quote!(#a + #b),
                BinOp::Sub => quote!(#a - #b),
                BinOp::Mul => quote!(#a * #b),
                BinOp::Div => quote!(#a / #b),
                BinOp::Rem => return Some(libm("fmod", s, &[a, b])),
                _ => return None,
            },
            s => return Some(Emitted::atom(int_binary(op, s, a, b, site)?)),
        };
        Some(Emitted::compound(emitted))
    }

    pub(crate) fn unary(&self, op: UnOp, ty: Scalar, operand: &Emitted) -> Option<Emitted> {
        let a = operand.operand();
        Some(match (op, ty) {
            (UnOp::Neg, s) if s.is_float() => Emitted::compound(quote!(-#a)),
            (UnOp::Neg, s) if s.is_signed_int() => Emitted::atom(quote!(#a.wrapping_neg())),
            (UnOp::Not, _) => Emitted::compound(quote!(!#a)),
            _ => return None,
        })
    }

    /// `operand as to`, Rust's meaning; `bool` goes through `u8` (Rust has no `bool as f64`).
    pub(crate) fn cast(&self, from: Scalar, to: Scalar, operand: &Emitted) -> Option<Emitted> {
        if to == Scalar::Bool {
            return (from == Scalar::Bool).then(|| operand.clone());
        }
        let a = operand.operand();
        let to_ty = scalar_type(to);
        Some(Emitted::compound(if from == Scalar::Bool {
            quote!(#a as u8 as #to_ty)
        } else {
            quote!(#a as #to_ty)
        }))
    }

    /// A builtin on operands of receiver type `ty`; `args` are already bound to temporaries
    /// or are side-effect free, so each may be used more than once.
    pub(crate) fn builtin(
        &self,
        builtin: Builtin,
        ty: Scalar,
        args: &[Emitted],
        site: &TokenStream,
    ) -> Option<Emitted> {
        let ops: Vec<TokenStream> = args.iter().map(Emitted::operand).collect();
        if ty.is_float() {
            float_builtin(builtin, ty, &ops, site)
        } else if ty.is_int() {
            int_builtin(builtin, ty, &ops, site)
        } else {
            None
        }
    }
}

fn comparison_token(op: BinOp) -> TokenStream {
    match op {
        BinOp::Eq => quote!(==),
        BinOp::Ne => quote!(!=),
        BinOp::Lt => quote!(<),
        BinOp::Le => quote!(<=),
        BinOp::Gt => quote!(>),
        _ => quote!(>=),
    }
}

fn int_binary(
    op: BinOp,
    ty: Scalar,
    a: TokenStream,
    b: TokenStream,
    site: &TokenStream,
) -> Option<TokenStream> {
    let fallible = |method: &str| {
        let call = kernel_int(ty, method, &[a.clone(), b.clone()], true);
        from_u64(ty, quote!(__k_rt::located(#call, #site)?))
    };
    Some(match op {
        BinOp::Add => quote!(#a.wrapping_add(#b)),
        BinOp::Sub => quote!(#a.wrapping_sub(#b)),
        BinOp::Mul => quote!(#a.wrapping_mul(#b)),
        BinOp::Div => fallible("k_div"),
        BinOp::Rem => fallible("k_rem"),
        BinOp::BitAnd => quote!((#a & #b)),
        BinOp::BitOr => quote!((#a | #b)),
        BinOp::BitXor => quote!((#a ^ #b)),
        // The amount, of any integer type, as `u64` by its own signedness.
        BinOp::Shl => from_u64(ty, kernel_int(ty, "k_shl", &[a, quote!(#b as u64)], false)),
        BinOp::Shr => from_u64(ty, kernel_int(ty, "k_shr", &[a, quote!(#b as u64)], false)),
        _ => return None,
    })
}

fn float_builtin(
    builtin: Builtin,
    ty: Scalar,
    a: &[TokenStream],
    site: &TokenStream,
) -> Option<Emitted> {
    let one = float_literal(1.0, ty);
    let x = a.first()?;
    let method = |name: &str| {
        let name = format_ident!("{}", name);
        let rest = &a[1..];
        Some(Emitted::atom(quote!(#x.#name(#(#rest),*))))
    };
    match builtin {
        Builtin::Sqrt => method("sqrt"),
        Builtin::Abs => method("abs"),
        Builtin::Floor => method("floor"),
        Builtin::Ceil => method("ceil"),
        Builtin::Trunc => method("trunc"),
        Builtin::MulAdd => method("mul_add"),
        Builtin::IsNan => method("is_nan"),
        Builtin::IsFinite => method("is_finite"),
        Builtin::ToDegrees => method("to_degrees"),
        Builtin::ToRadians => method("to_radians"),
        Builtin::Recip => Some(Emitted::compound(quote!(#one / #x))),
        Builtin::Fract => Some(Emitted::compound(quote!(#x - #x.trunc()))),
        Builtin::Log => {
            let (ln_x, ln_b) = (
                libm("ln", ty, &a[..1]).tokens,
                libm("ln", ty, a.get(1..2)?).tokens,
            );
            Some(Emitted::compound(quote!(#ln_x / #ln_b)))
        }
        Builtin::Signum => Some(libm("signum", ty, a)),
        Builtin::Powi => Some(libm("powi", ty, a)),
        Builtin::RemEuclid => Some(libm("rem_euclid", ty, a)),
        Builtin::DivEuclid => Some(libm("div_euclid", ty, a)),
        Builtin::Min => Some(Emitted::atom(quote!(__k_sem::fmin(#(#a),*)))),
        Builtin::Max => Some(Emitted::atom(quote!(__k_sem::fmax(#(#a),*)))),
        Builtin::Clamp => Some(Emitted::atom(
            quote!(__k_rt::located(__k_sem::clamp(#(#a),*), #site)?),
        )),
        Builtin::Cbrt
        | Builtin::Round
        | Builtin::Exp
        | Builtin::Exp2
        | Builtin::Ln
        | Builtin::Log2
        | Builtin::Log10
        | Builtin::Powf
        | Builtin::Sin
        | Builtin::Cos
        | Builtin::Tan
        | Builtin::Asin
        | Builtin::Acos
        | Builtin::Atan
        | Builtin::Atan2
        | Builtin::Sinh
        | Builtin::Cosh
        | Builtin::Tanh
        | Builtin::Hypot => Some(libm(builtin.name(), ty, a)),
        _ => None,
    }
}

fn int_builtin(
    builtin: Builtin,
    ty: Scalar,
    a: &[TokenStream],
    site: &TokenStream,
) -> Option<Emitted> {
    let x = a.first()?;
    let fallible = |method: &str| {
        let call = kernel_int(ty, method, a, true);
        Some(Emitted::atom(from_u64(
            ty,
            quote!(__k_rt::located(#call, #site)?),
        )))
    };
    let method = |name: &str| {
        let name = format_ident!("{}", name);
        let rest = &a[1..];
        Some(Emitted::atom(quote!(#x.#name(#(#rest),*))))
    };
    match builtin {
        Builtin::Abs if ty.is_signed_int() => method("wrapping_abs"),
        Builtin::Abs => Some(Emitted::atom(x.clone())),
        Builtin::Signum => Some(Emitted::atom(from_u64(
            ty,
            kernel_int(ty, "k_signum", a, true),
        ))),
        Builtin::Pow => Some(Emitted::atom(from_u64(
            ty,
            kernel_int(ty, "k_pow", a, false),
        ))),
        Builtin::Min => Some(Emitted::atom(quote!(::core::cmp::Ord::min(#(#a),*)))),
        Builtin::Max => Some(Emitted::atom(quote!(::core::cmp::Ord::max(#(#a),*)))),
        Builtin::Clamp => Some(Emitted::atom(
            quote!(__k_rt::located(__k_sem::clamp(#(#a),*), #site)?),
        )),
        Builtin::RemEuclid => fallible("k_rem_euclid"),
        Builtin::DivEuclid => fallible("k_div_euclid"),
        Builtin::WrappingAdd => method("wrapping_add"),
        Builtin::WrappingSub => method("wrapping_sub"),
        Builtin::WrappingMul => method("wrapping_mul"),
        Builtin::CountOnes => method("count_ones"),
        Builtin::LeadingZeros => method("leading_zeros"),
        _ => None,
    }
}
