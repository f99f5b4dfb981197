//! The language's operations that are not a single IEEE or two's-complement instruction,
//! defined once and used by every tier.
//!
//! The interpreter and the `#[kernel]` code call these functions; the JIT calls the
//! `extern "C"` ones by their symbols (its `imports` module) and implements the small integer
//! and `min`/`max` helpers inline with exactly the logic written here. That is how the three
//! tiers agree to the bit: the same libm call, or the same definition.

use crate::error::ErrorKind;

/// Float `min` of the language: the other operand when one is NaN; the first when they compare
/// equal (so `min(-0.0, 0.0)` is `-0.0` and `min(0.0, -0.0)` is `0.0`).
#[inline]
pub fn fmin<T: PartialOrd + Copy>(a: T, b: T) -> T {
    #[allow(clippy::eq_op)]
    let a_is_nan = a != a;
    if a < b {
        a
    } else if b < a || a_is_nan {
        b
    } else {
        a
    }
}

/// `a op b` for a float reduction: IEEE add and multiply, the language's `min`/`max`. The
/// one definition behind every tier's combination of partials and lanes.
#[inline]
pub fn reduce_float<T>(op: crate::ir::ReduceOp, a: T, b: T) -> T
where
    T: Copy + PartialOrd + std::ops::Add<Output = T> + std::ops::Mul<Output = T>,
{
    match op {
        crate::ir::ReduceOp::Add => a + b,
        crate::ir::ReduceOp::Mul => a * b,
        crate::ir::ReduceOp::Min => fmin(a, b),
        crate::ir::ReduceOp::Max => fmax(a, b),
    }
}

/// Float `max` of the language; mirror image of [`fmin`].
#[inline]
pub fn fmax<T: PartialOrd + Copy>(a: T, b: T) -> T {
    #[allow(clippy::eq_op)]
    let a_is_nan = a != a;
    if a > b {
        a
    } else if b > a || a_is_nan {
        b
    } else {
        a
    }
}

/// `x.clamp(lo, hi)` for floats and integers: an error unless `lo <= hi` (so a NaN bound is an
/// error too); a NaN `x` stays NaN.
#[inline]
pub fn clamp<T: PartialOrd + Copy>(x: T, lo: T, hi: T) -> Result<T, ErrorKind> {
    // `partial_cmp` is `None` for a NaN bound, which is an error like `lo > hi`.
    if lo
        .partial_cmp(&hi)
        .is_none_or(|order| order == std::cmp::Ordering::Greater)
    {
        return Err(ErrorKind::InvalidClamp);
    }
    Ok(if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    })
}

/// Integer operations with the language's error rules, for one integer type.
pub trait KernelInt: Copy {
    fn k_div(self, rhs: Self) -> Result<Self, ErrorKind>;
    fn k_rem(self, rhs: Self) -> Result<Self, ErrorKind>;
    fn k_div_euclid(self, rhs: Self) -> Result<Self, ErrorKind>;
    fn k_rem_euclid(self, rhs: Self) -> Result<Self, ErrorKind>;
    /// `wrapping_shl` with the amount taken from any integer (its low bits).
    fn k_shl(self, amount: u64) -> Self;
    fn k_shr(self, amount: u64) -> Self;
    fn k_pow(self, exp: u32) -> Self;
    fn k_signum(self) -> Self;
}

macro_rules! kernel_int {
    ($($t:ty),*) => {$(
        impl KernelInt for $t {
            #[inline]
            fn k_div(self, rhs: Self) -> Result<Self, ErrorKind> {
                if rhs == 0 {
                    return Err(ErrorKind::DivisionByZero);
                }
                self.checked_div(rhs).ok_or(ErrorKind::DivisionOverflow)
            }
            #[inline]
            fn k_rem(self, rhs: Self) -> Result<Self, ErrorKind> {
                if rhs == 0 {
                    return Err(ErrorKind::DivisionByZero);
                }
                Ok(self.wrapping_rem(rhs))
            }
            #[inline]
            fn k_div_euclid(self, rhs: Self) -> Result<Self, ErrorKind> {
                if rhs == 0 {
                    return Err(ErrorKind::DivisionByZero);
                }
                self.checked_div_euclid(rhs).ok_or(ErrorKind::DivisionOverflow)
            }
            #[inline]
            fn k_rem_euclid(self, rhs: Self) -> Result<Self, ErrorKind> {
                if rhs == 0 {
                    return Err(ErrorKind::DivisionByZero);
                }
                Ok(self.wrapping_rem_euclid(rhs))
            }
            #[inline]
            fn k_shl(self, amount: u64) -> Self {
                self.wrapping_shl(amount as u32)
            }
            #[inline]
            fn k_shr(self, amount: u64) -> Self {
                self.wrapping_shr(amount as u32)
            }
            #[inline]
            fn k_pow(self, exp: u32) -> Self {
                self.wrapping_pow(exp)
            }
            #[inline]
            #[allow(unused_comparisons)]
            fn k_signum(self) -> Self {
                if self == 0 { 0 } else if self < 0 { (0 as Self).wrapping_sub(1) } else { 1 }
            }
        }
    )*};
}
kernel_int!(i8, i16, i32, i64, u8, u16, u32, u64);

/// `x.powi(n)` by repeated squaring, in the order of compiler-rt's `__powidf2`.
#[inline]
pub fn powi_f64(mut a: f64, n: i32) -> f64 {
    let recip = n < 0;
    let mut b = n;
    let mut r = 1.0;
    loop {
        if b & 1 != 0 {
            r *= a;
        }
        b /= 2;
        if b == 0 {
            break;
        }
        a *= a;
    }
    if recip {
        1.0 / r
    } else {
        r
    }
}

/// `x.powi(n)` for `f32`, same algorithm as [`powi_f64`].
#[inline]
pub fn powi_f32(mut a: f32, n: i32) -> f32 {
    let recip = n < 0;
    let mut b = n;
    let mut r = 1.0;
    loop {
        if b & 1 != 0 {
            r *= a;
        }
        b /= 2;
        if b == 0 {
            break;
        }
        a *= a;
    }
    if recip {
        1.0 / r
    } else {
        r
    }
}

/// Rust's `f64::rem_euclid`.
#[inline]
pub fn rem_euclid_f64(a: f64, b: f64) -> f64 {
    let r = fmod_f64(a, b);
    if r < 0.0 {
        r + b.abs()
    } else {
        r
    }
}

/// Rust's `f64::div_euclid`.
#[inline]
pub fn div_euclid_f64(a: f64, b: f64) -> f64 {
    let q = (a / b).trunc();
    if fmod_f64(a, b) < 0.0 {
        return if b > 0.0 { q - 1.0 } else { q + 1.0 };
    }
    q
}

/// Rust's `f32::rem_euclid`.
#[inline]
pub fn rem_euclid_f32(a: f32, b: f32) -> f32 {
    let r = fmod_f32(a, b);
    if r < 0.0 {
        r + b.abs()
    } else {
        r
    }
}

/// Rust's `f32::div_euclid`.
#[inline]
pub fn div_euclid_f32(a: f32, b: f32) -> f32 {
    let q = (a / b).trunc();
    if fmod_f32(a, b) < 0.0 {
        return if b > 0.0 { q - 1.0 } else { q + 1.0 };
    }
    q
}

/// Float `signum` as Rust defines it: NaN stays NaN, ±0 gives ±1.
#[inline]
pub fn signum_f64(x: f64) -> f64 {
    if x.is_nan() {
        f64::NAN
    } else {
        1.0f64.copysign(x)
    }
}

#[inline]
pub fn signum_f32(x: f32) -> f32 {
    if x.is_nan() {
        f32::NAN
    } else {
        1.0f32.copysign(x)
    }
}

macro_rules! libm_wrappers {
    ($( $name:ident : $t:ty => |$($arg:ident),*| $body:expr ;)*) => {
        $(
            /// Library call shared by every tier (never inlined, so no tier constant-folds it
            /// differently).
            #[inline(never)]
            pub extern "C" fn $name($($arg: $t),*) -> $t {
                $body
            }
        )*
    };
}

libm_wrappers! {
    sin_f64: f64 => |x| x.sin();
    cos_f64: f64 => |x| x.cos();
    tan_f64: f64 => |x| x.tan();
    asin_f64: f64 => |x| x.asin();
    acos_f64: f64 => |x| x.acos();
    atan_f64: f64 => |x| x.atan();
    atan2_f64: f64 => |y, x| y.atan2(x);
    sinh_f64: f64 => |x| x.sinh();
    cosh_f64: f64 => |x| x.cosh();
    tanh_f64: f64 => |x| x.tanh();
    exp_f64: f64 => |x| x.exp();
    exp2_f64: f64 => |x| x.exp2();
    ln_f64: f64 => |x| x.ln();
    log2_f64: f64 => |x| x.log2();
    log10_f64: f64 => |x| x.log10();
    cbrt_f64: f64 => |x| x.cbrt();
    powf_f64: f64 => |x, y| x.powf(y);
    hypot_f64: f64 => |x, y| x.hypot(y);
    round_f64: f64 => |x| x.round();
    fmod_f64: f64 => |x, y| x % y;
    sin_f32: f32 => |x| x.sin();
    cos_f32: f32 => |x| x.cos();
    tan_f32: f32 => |x| x.tan();
    asin_f32: f32 => |x| x.asin();
    acos_f32: f32 => |x| x.acos();
    atan_f32: f32 => |x| x.atan();
    atan2_f32: f32 => |y, x| y.atan2(x);
    sinh_f32: f32 => |x| x.sinh();
    cosh_f32: f32 => |x| x.cosh();
    tanh_f32: f32 => |x| x.tanh();
    exp_f32: f32 => |x| x.exp();
    exp2_f32: f32 => |x| x.exp2();
    ln_f32: f32 => |x| x.ln();
    log2_f32: f32 => |x| x.log2();
    log10_f32: f32 => |x| x.log10();
    cbrt_f32: f32 => |x| x.cbrt();
    powf_f32: f32 => |x, y| x.powf(y);
    hypot_f32: f32 => |x, y| x.hypot(y);
    round_f32: f32 => |x| x.round();
    fmod_f32: f32 => |x, y| x % y;
}

/// `powi` for the JIT (same algorithm as [`powi_f64`]).
#[inline(never)]
pub extern "C" fn powi_f64_c(x: f64, n: i32) -> f64 {
    powi_f64(x, n)
}

/// `powi` for the JIT (same algorithm as [`powi_f32`]).
#[inline(never)]
pub extern "C" fn powi_f32_c(x: f32, n: i32) -> f32 {
    powi_f32(x, n)
}

/// The combination of an array reduction's chunk copy into the array (`prange`, see
/// [`crate::ir::LoopInfo::array_reductions`]): `dst[i] = dst[i] op src[i]` for every element
/// in C order, with the reduction's sequential semantics (wrapping integers, IEEE floats,
/// the language's `min`/`max`). Every tier that runs chunks calls this one function.
///
/// # Safety
/// `dst` describes a live writable array of `elem`s (every in-bounds element inside one
/// allocation) that nothing else accesses meanwhile, and `src` points to its extents' worth
/// of `elem`s in C order.
pub unsafe fn combine_array(
    op: crate::ir::ReduceOp,
    elem: crate::Scalar,
    dst: &crate::abi::RawArray,
    src: *const u8,
) {
    use crate::ir::ReduceOp;
    use crate::Scalar;
    macro_rules! each {
        ($t:ty, $f:expr) => {{
            let f = $f;
            let [d0, d1, d2] = dst.dims.map(|d| d as usize);
            let base = dst.data.cast::<$t>();
            let src = src.cast::<$t>();
            let mut n = 0usize;
            for i in 0..d0 {
                for j in 0..d1 {
                    for k in 0..d2 {
                        let offset = (i as isize) * dst.strides[0] as isize
                            + (j as isize) * dst.strides[1] as isize
                            + (k as isize) * dst.strides[2] as isize;
                        // SAFETY: the caller's contract: `(i, j, k)` is in bounds of `dst`
                        // and `n` of `src`.
                        unsafe {
                            let at = base.offset(offset);
                            *at = f(*at, *src.add(n));
                        }
                        n += 1;
                    }
                }
            }
        }};
    }
    macro_rules! int {
        ($t:ty) => {
            each!($t, |a: $t, b: $t| match op {
                ReduceOp::Add => a.wrapping_add(b),
                ReduceOp::Mul => a.wrapping_mul(b),
                ReduceOp::Min => a.min(b),
                ReduceOp::Max => a.max(b),
            })
        };
    }
    match elem {
        Scalar::F64 => each!(f64, |a: f64, b: f64| reduce_float(op, a, b)),
        Scalar::F32 => each!(f32, |a: f32, b: f32| reduce_float(op, a, b)),
        Scalar::I8 => int!(i8),
        Scalar::U8 => int!(u8),
        Scalar::I16 => int!(i16),
        Scalar::U16 => int!(u16),
        Scalar::I32 => int!(i32),
        Scalar::U32 => int!(u32),
        Scalar::I64 => int!(i64),
        Scalar::U64 | Scalar::Usize => int!(u64),
        // Not a reduction type: the checker never makes a `bool` array a reduction.
        Scalar::Bool => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_follow_the_documented_rules() {
        assert_eq!(fmin(1.0, 2.0), 1.0);
        assert_eq!(fmin(f64::NAN, 2.0), 2.0);
        assert_eq!(fmin(2.0, f64::NAN), 2.0);
        assert!(fmin(-0.0f64, 0.0).is_sign_negative());
        assert!(fmin(0.0f64, -0.0).is_sign_positive());
        assert_eq!(fmax(1.0, 2.0), 2.0);
        assert_eq!(fmax(f64::NAN, 2.0), 2.0);
    }

    #[test]
    fn integer_rules() {
        assert_eq!(i64::MIN.k_div(-1), Err(ErrorKind::DivisionOverflow));
        assert_eq!(i64::MIN.k_rem(-1), Ok(0));
        assert_eq!(5i64.k_div(0), Err(ErrorKind::DivisionByZero));
        assert_eq!(i32::MIN.k_rem_euclid(-1), Ok(0));
        assert_eq!(i32::MIN.k_div_euclid(-1), Err(ErrorKind::DivisionOverflow));
        assert_eq!((-7i64).k_rem_euclid(3), Ok(2));
        assert_eq!(1u32.k_shl(33), 2);
        assert_eq!(1i64.k_shl(u64::MAX), i64::MIN);
    }

    #[test]
    fn powi_matches_std_on_common_exponents() {
        for n in -5..=8 {
            assert_eq!(powi_f64(1.7, n), 1.7f64.powi(n), "n = {n}");
        }
    }

    #[test]
    fn clamp_rejects_bad_bounds() {
        assert_eq!(clamp(5, 0, 3), Ok(3));
        assert_eq!(clamp(1.0, 2.0, 1.0), Err(ErrorKind::InvalidClamp));
        assert_eq!(clamp(1.0, f64::NAN, 1.0), Err(ErrorKind::InvalidClamp));
        assert!(clamp(f64::NAN, 0.0, 1.0).unwrap().is_nan());
    }
}
