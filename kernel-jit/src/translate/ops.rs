//! Math and integer methods. Library functions call the shared `extern "C"` wrappers of
//! `kernel_ir::semantics`; everything else is inline with exactly the logic written there
//! (`fmin`/`fmax` select chains, not Cranelift's NaN-propagating `fmin`/`fmax`).

use cranelift_codegen::ir::{
    condcodes::{FloatCC, IntCC},
    types, InstBuilder, Value,
};

use kernel_ir::ir::{Builtin, ExprId};
use kernel_ir::{ErrorKind, Scalar};

use super::FunctionCx;
use crate::abi::clif_type;
use crate::imports::MathFn;

/// `f64::to_degrees`'s factor: `180.0 / PI`, as std writes it.
const DEGREES_F64: f64 = 180.0f64 / std::f64::consts::PI;
/// `f32::to_degrees`'s factor, as std writes it.
#[allow(clippy::excessive_precision)]
const DEGREES_F32: f32 = 57.2957795130823208767981548141051703_f32;
const RADIANS_F64: f64 = std::f64::consts::PI / 180.0;
const RADIANS_F32: f32 = std::f32::consts::PI / 180.0f32;

impl FunctionCx<'_, '_> {
    pub(crate) fn translate_builtin(
        &mut self,
        id: ExprId,
        builtin: Builtin,
        args: &[ExprId],
    ) -> Value {
        let result = self.scalar_of(id, Scalar::F64);
        let receiver = args
            .first()
            .map(|a| self.scalar_of(*a, result))
            .unwrap_or(result);
        let mut values = Vec::with_capacity(args.len());
        for (position, &arg) in args.iter().enumerate() {
            let s = match (builtin, position) {
                (Builtin::Powi, 1) => Scalar::I32,
                (Builtin::Pow, 1) => Scalar::U32,
                _ => receiver,
            };
            values.push(self.scalar_value(arg, s));
        }
        let span = self.f.span(id);
        let t = receiver;
        let x = values.first().copied().unwrap_or_else(|| self.zero(t));
        let arg = |i: usize| values.get(i).copied();
        let y = arg(1).unwrap_or(x);
        let z = arg(2).unwrap_or(x);
        match builtin {
            Builtin::Sqrt => self.b.ins().sqrt(x),
            Builtin::Cbrt => self.call_math(MathFn::Cbrt, t, &[x]),
            Builtin::Abs if t.is_float() => self.b.ins().fabs(x),
            Builtin::Abs if t.is_signed_int() => self.b.ins().iabs(x),
            Builtin::Abs => x,
            Builtin::Signum => self.signum(t, x),
            Builtin::Recip => {
                let one = self.float_const(t, 1.0);
                self.b.ins().fdiv(one, x)
            }
            Builtin::Floor => self.b.ins().floor(x),
            Builtin::Ceil => self.b.ins().ceil(x),
            Builtin::Round => self.call_math(MathFn::Round, t, &[x]),
            Builtin::Trunc => self.b.ins().trunc(x),
            Builtin::Fract => {
                let whole = self.b.ins().trunc(x);
                self.b.ins().fsub(x, whole)
            }
            Builtin::Exp => self.call_math(MathFn::Exp, t, &[x]),
            Builtin::Exp2 => self.call_math(MathFn::Exp2, t, &[x]),
            Builtin::Ln => self.call_math(MathFn::Ln, t, &[x]),
            Builtin::Log2 => self.call_math(MathFn::Log2, t, &[x]),
            Builtin::Log10 => self.call_math(MathFn::Log10, t, &[x]),
            Builtin::Log => {
                let ln_x = self.call_math(MathFn::Ln, t, &[x]);
                let ln_base = self.call_math(MathFn::Ln, t, &[y]);
                self.b.ins().fdiv(ln_x, ln_base)
            }
            Builtin::Powi => self.call_math(MathFn::Powi, t, &[x, y]),
            Builtin::Powf => self.call_math(MathFn::Powf, t, &[x, y]),
            Builtin::Sin => self.call_math(MathFn::Sin, t, &[x]),
            Builtin::Cos => self.call_math(MathFn::Cos, t, &[x]),
            Builtin::Tan => self.call_math(MathFn::Tan, t, &[x]),
            Builtin::Asin => self.call_math(MathFn::Asin, t, &[x]),
            Builtin::Acos => self.call_math(MathFn::Acos, t, &[x]),
            Builtin::Atan => self.call_math(MathFn::Atan, t, &[x]),
            Builtin::Atan2 => self.call_math(MathFn::Atan2, t, &[x, y]),
            Builtin::Sinh => self.call_math(MathFn::Sinh, t, &[x]),
            Builtin::Cosh => self.call_math(MathFn::Cosh, t, &[x]),
            Builtin::Tanh => self.call_math(MathFn::Tanh, t, &[x]),
            Builtin::Hypot => self.call_math(MathFn::Hypot, t, &[x, y]),
            Builtin::MulAdd => self.b.ins().fma(x, y, z),
            Builtin::Min => self.min_max(t, x, y, true),
            Builtin::Max => self.min_max(t, x, y, false),
            Builtin::Clamp => self.clamp(t, x, y, z, span),
            Builtin::IsNan => self.b.ins().fcmp(FloatCC::Unordered, x, x),
            Builtin::IsFinite => {
                let magnitude = self.b.ins().fabs(x);
                let infinity = self.float_const(t, f64::INFINITY);
                self.b.ins().fcmp(FloatCC::LessThan, magnitude, infinity)
            }
            Builtin::ToDegrees => self.scale(t, x, DEGREES_F64, DEGREES_F32),
            Builtin::ToRadians => self.scale(t, x, RADIANS_F64, RADIANS_F32),
            Builtin::Pow => self.int_pow(t, x, y),
            Builtin::RemEuclid if t.is_float() => self.float_rem_euclid(t, x, y),
            Builtin::DivEuclid if t.is_float() => self.float_div_euclid(t, x, y),
            Builtin::RemEuclid => self.int_rem_euclid(t, x, y, span),
            Builtin::DivEuclid => self.int_div_euclid(t, x, y, span),
            Builtin::WrappingAdd => self.b.ins().iadd(x, y),
            Builtin::WrappingSub => self.b.ins().isub(x, y),
            Builtin::WrappingMul => self.b.ins().imul(x, y),
            Builtin::CountOnes => {
                let count = self.b.ins().popcnt(x);
                self.count_as_u32(count)
            }
            Builtin::LeadingZeros => {
                let count = self.b.ins().clz(x);
                self.count_as_u32(count)
            }
        }
    }

    /// A bit count (`popcnt`/`clz` give it at the operand's width) as the `u32` it is typed.
    fn count_as_u32(&mut self, value: Value) -> Value {
        let bits = self.b.func.dfg.value_type(value).bits();
        if bits > 32 {
            self.b.ins().ireduce(types::I32, value)
        } else if bits < 32 {
            self.b.ins().uextend(types::I32, value)
        } else {
            value
        }
    }

    fn float_const(&mut self, t: Scalar, value: f64) -> Value {
        if t == Scalar::F32 {
            self.b.ins().f32const(value as f32)
        } else {
            self.b.ins().f64const(value)
        }
    }

    fn scale(&mut self, t: Scalar, x: Value, factor64: f64, factor32: f32) -> Value {
        let factor = if t == Scalar::F32 {
            self.b.ins().f32const(factor32)
        } else {
            self.b.ins().f64const(factor64)
        };
        self.b.ins().fmul(x, factor)
    }

    /// Float: NaN stays NaN, otherwise ±1 with x's sign. Int: -1, 0 or 1 (0 or 1 unsigned).
    fn signum(&mut self, t: Scalar, x: Value) -> Value {
        if t.is_float() {
            let one = self.float_const(t, 1.0);
            let signed_one = self.b.ins().fcopysign(one, x);
            let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
            return self.b.ins().select(nan, x, signed_one);
        }
        let ty = clif_type(t);
        let positive = if t.is_signed_int() {
            self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, x, 0)
        } else {
            self.b.ins().icmp_imm_s(IntCC::NotEqual, x, 0)
        };
        let positive = self.flag_as(ty, positive);
        if !t.is_signed_int() {
            return positive;
        }
        let negative = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, x, 0);
        let negative = self.flag_as(ty, negative);
        self.b.ins().isub(positive, negative)
    }

    /// A comparison's 0/1 (an `i8`) as an integer of type `ty`.
    fn flag_as(&mut self, ty: types::Type, flag: Value) -> Value {
        if ty == types::I8 {
            flag
        } else {
            self.b.ins().uextend(ty, flag)
        }
    }

    /// `semantics::fmin` / `fmax` for floats; `smin`/`umin`/… for integers.
    pub(crate) fn min_max(&mut self, t: Scalar, a: Value, b: Value, min: bool) -> Value {
        if !t.is_float() {
            return match (min, t.is_signed_int()) {
                (true, true) => self.b.ins().smin(a, b),
                (true, false) => self.b.ins().umin(a, b),
                (false, true) => self.b.ins().smax(a, b),
                (false, false) => self.b.ins().umax(a, b),
            };
        }
        // fmin: if a < b { a } else if b < a || a.is_nan() { b } else { a }
        let (first, second) = if min {
            (FloatCC::LessThan, FloatCC::GreaterThan)
        } else {
            (FloatCC::GreaterThan, FloatCC::LessThan)
        };
        let a_wins = self.b.ins().fcmp(first, a, b);
        let b_wins = self.b.ins().fcmp(second, a, b);
        let a_nan = self.b.ins().fcmp(FloatCC::Unordered, a, a);
        let take_b = self.b.ins().bor(b_wins, a_nan);
        let otherwise = self.b.ins().select(take_b, b, a);
        self.b.ins().select(a_wins, a, otherwise)
    }

    /// `semantics::clamp`: `InvalidClamp` unless `lo <= hi`; then the select chain.
    fn clamp(&mut self, t: Scalar, x: Value, lo: Value, hi: Value, span: kernel_ir::Span) -> Value {
        let (le, lt, gt) = if t.is_float() {
            (
                self.b.ins().fcmp(FloatCC::LessThanOrEqual, lo, hi),
                self.b.ins().fcmp(FloatCC::LessThan, x, lo),
                self.b.ins().fcmp(FloatCC::GreaterThan, x, hi),
            )
        } else {
            let signed = t.is_signed_int();
            let (le_cc, lt_cc, gt_cc) = if signed {
                (
                    IntCC::SignedLessThanOrEqual,
                    IntCC::SignedLessThan,
                    IntCC::SignedGreaterThan,
                )
            } else {
                (
                    IntCC::UnsignedLessThanOrEqual,
                    IntCC::UnsignedLessThan,
                    IntCC::UnsignedGreaterThan,
                )
            };
            (
                self.b.ins().icmp(le_cc, lo, hi),
                self.b.ins().icmp(lt_cc, x, lo),
                self.b.ins().icmp(gt_cc, x, hi),
            )
        };
        let invalid = self.b.ins().bxor_imm_u(le, 1);
        self.fail_kind_if(invalid, ErrorKind::InvalidClamp, span);
        let upper = self.b.ins().select(gt, hi, x);
        self.b.ins().select(lt, lo, upper)
    }

    /// `wrapping_pow` by repeated squaring (wrapping products commute, so the result is
    /// the same as std's loop).
    fn int_pow(&mut self, t: Scalar, base: Value, exp: Value) -> Value {
        let ty = clif_type(t);
        let header = self.b.create_block();
        let exit = self.b.create_block();
        let acc = self.b.append_block_param(header, ty);
        let square = self.b.append_block_param(header, ty);
        let e = self.b.append_block_param(header, types::I32);
        let result = self.b.append_block_param(exit, ty);
        let one = self.b.ins().iconst(ty, 1);
        self.b
            .ins()
            .jump(header, &[one.into(), base.into(), exp.into()]);
        self.b.switch_to_block(header);
        let finished = self.b.ins().icmp_imm_s(IntCC::Equal, e, 0);
        let bit = self.b.ins().band_imm_u(e, 1);
        let odd = self.b.ins().icmp_imm_s(IntCC::NotEqual, bit, 0);
        let product = self.b.ins().imul(acc, square);
        let acc_next = self.b.ins().select(odd, product, acc);
        let square_next = self.b.ins().imul(square, square);
        let e_next = self.b.ins().ushr_imm_u(e, 1);
        let body = self.b.create_block();
        self.b.ins().brif(finished, exit, &[acc.into()], body, &[]);
        self.b.switch_to_block(body);
        self.b.seal_block(body);
        self.b.ins().jump(
            header,
            &[acc_next.into(), square_next.into(), e_next.into()],
        );
        self.b.seal_block(header);
        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
        result
    }

    fn int_rem_euclid(&mut self, t: Scalar, x: Value, y: Value, span: kernel_ir::Span) -> Value {
        self.check_nonzero(y, span);
        let r = self.wrapping_rem(t, x, y);
        if !t.is_signed_int() {
            return r;
        }
        // wrapping_rem_euclid: r < 0 → r + |y| (wrapping).
        let negative = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, r, 0);
        let magnitude = self.b.ins().iabs(y);
        let adjusted = self.b.ins().iadd(r, magnitude);
        self.b.ins().select(negative, adjusted, r)
    }

    fn int_div_euclid(&mut self, t: Scalar, x: Value, y: Value, span: kernel_ir::Span) -> Value {
        self.check_nonzero(y, span);
        self.check_div_overflow(t, x, y, span);
        if !t.is_signed_int() {
            return self.b.ins().udiv(x, y);
        }
        let q = self.b.ins().sdiv(x, y);
        let r = self.wrapping_rem(t, x, y);
        let negative = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, r, 0);
        let y_positive = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, y, 0);
        let down = self.b.ins().iadd_imm_s(q, -1);
        let up = self.b.ins().iadd_imm_s(q, 1);
        let adjusted = self.b.ins().select(y_positive, down, up);
        self.b.ins().select(negative, adjusted, q)
    }

    /// `semantics::rem_euclid_f64`: `r = fmod(a, b); if r < 0 { r + |b| } else { r }`.
    fn float_rem_euclid(&mut self, t: Scalar, a: Value, b: Value) -> Value {
        let r = self.call_math(MathFn::Fmod, t, &[a, b]);
        let zero = self.float_const(t, 0.0);
        let negative = self.b.ins().fcmp(FloatCC::LessThan, r, zero);
        let magnitude = self.b.ins().fabs(b);
        let adjusted = self.b.ins().fadd(r, magnitude);
        self.b.ins().select(negative, adjusted, r)
    }

    /// `semantics::div_euclid_f64`: `q = trunc(a / b)`, stepped towards −∞ (for `b > 0`) when
    /// `fmod(a, b) < 0`.
    fn float_div_euclid(&mut self, t: Scalar, a: Value, b: Value) -> Value {
        let quotient = self.b.ins().fdiv(a, b);
        let q = self.b.ins().trunc(quotient);
        let r = self.call_math(MathFn::Fmod, t, &[a, b]);
        let zero = self.float_const(t, 0.0);
        let one = self.float_const(t, 1.0);
        let negative = self.b.ins().fcmp(FloatCC::LessThan, r, zero);
        let b_positive = self.b.ins().fcmp(FloatCC::GreaterThan, b, zero);
        let down = self.b.ins().fsub(q, one);
        let up = self.b.ins().fadd(q, one);
        let adjusted = self.b.ins().select(b_positive, down, up);
        self.b.ins().select(negative, adjusted, q)
    }
}
