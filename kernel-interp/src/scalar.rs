//! Scalars as raw 64-bit slots, and the per-type operations the interpreter specialises on.
//!
//! Every scalar value lives in a `u64` with the normalisation of [`kernel_ir::abi::RawScalar`]:
//! signed integers sign-extended, unsigned ones zero-extended, `f32` bits in the low half, `bool` as 0/1. Because
//! signed indices are sign-extended, one unsigned comparison `index < extent` rejects negative
//! indices of every integer type.

use std::ops::{Add, BitAnd, BitOr, BitXor, Div, Mul, Neg, Not, Sub};

use kernel_ir::semantics::{self, KernelInt};

/// A scalar type's conversion to and from its raw slot.
pub(crate) trait Repr: Copy + Send + Sync + 'static {
    fn from_raw(raw: u64) -> Self;
    fn to_raw(self) -> u64;
}

macro_rules! repr_int {
    ($($t:ty => $wide:ty),*) => {$(
        impl Repr for $t {
            #[inline(always)]
            fn from_raw(raw: u64) -> Self {
                raw as $t
            }
            #[inline(always)]
            fn to_raw(self) -> u64 {
                self as $wide as u64
            }
        }
    )*};
}
repr_int!(
    i8 => i64, i16 => i64, i32 => i64, i64 => i64, u8 => u64, u16 => u64, u32 => u64, u64 => u64
);

impl Repr for f64 {
    #[inline(always)]
    fn from_raw(raw: u64) -> Self {
        f64::from_bits(raw)
    }
    #[inline(always)]
    fn to_raw(self) -> u64 {
        self.to_bits()
    }
}

impl Repr for f32 {
    #[inline(always)]
    fn from_raw(raw: u64) -> Self {
        f32::from_bits(raw as u32)
    }
    #[inline(always)]
    fn to_raw(self) -> u64 {
        self.to_bits() as u64
    }
}

impl Repr for bool {
    #[inline(always)]
    fn from_raw(raw: u64) -> Self {
        raw != 0
    }
    #[inline(always)]
    fn to_raw(self) -> u64 {
        self as u64
    }
}

/// An array element type: how it sits in memory.
pub(crate) trait Elem: Repr {
    /// Reads one element.
    ///
    /// # Safety
    /// `ptr` must point to a readable element of this type inside a live allocation.
    unsafe fn load(ptr: *const u8) -> Self;
    /// Writes one element.
    ///
    /// # Safety
    /// `ptr` must point to a writable element of this type inside a live allocation.
    unsafe fn store(ptr: *mut u8, value: Self);
}

macro_rules! elem_plain {
    ($($t:ty),*) => {$(
        impl Elem for $t {
            #[inline(always)]
            unsafe fn load(ptr: *const u8) -> Self {
                // SAFETY: the caller guarantees `ptr` addresses a live element of this type.
                unsafe { ptr.cast::<$t>().read_unaligned() }
            }
            #[inline(always)]
            unsafe fn store(ptr: *mut u8, value: Self) {
                // SAFETY: the caller guarantees `ptr` addresses a live, writable element.
                unsafe { ptr.cast::<$t>().write_unaligned(value) }
            }
        }
    )*};
}
elem_plain!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

impl Elem for bool {
    #[inline(always)]
    unsafe fn load(ptr: *const u8) -> Self {
        // SAFETY: the caller guarantees `ptr` addresses a live byte. Reading it as `u8` (not
        // `bool`) keeps a stray non-0/1 byte from a foreign buffer from being undefined.
        unsafe { ptr.read() != 0 }
    }
    #[inline(always)]
    unsafe fn store(ptr: *mut u8, value: Self) {
        // SAFETY: the caller guarantees `ptr` addresses a live, writable byte.
        unsafe { ptr.write(value as u8) }
    }
}

/// Integer operations with the language's meaning (wrapping; errors through [`KernelInt`]).
pub(crate) trait KInt:
    Repr
    + KernelInt
    + Ord
    + BitAnd<Output = Self>
    + BitOr<Output = Self>
    + BitXor<Output = Self>
    + Not<Output = Self>
{
    fn w_add(self, rhs: Self) -> Self;
    fn w_sub(self, rhs: Self) -> Self;
    fn w_mul(self, rhs: Self) -> Self;
    fn w_neg(self) -> Self;
    /// `wrapping_abs` for signed types, the identity for unsigned ones.
    fn w_abs(self) -> Self;
    fn ones(self) -> u32;
    fn leading(self) -> u32;
}

macro_rules! kint {
    ($($t:ty : $abs:expr),*) => {$(
        impl KInt for $t {
            #[inline(always)]
            fn w_add(self, rhs: Self) -> Self { self.wrapping_add(rhs) }
            #[inline(always)]
            fn w_sub(self, rhs: Self) -> Self { self.wrapping_sub(rhs) }
            #[inline(always)]
            fn w_mul(self, rhs: Self) -> Self { self.wrapping_mul(rhs) }
            #[inline(always)]
            fn w_neg(self) -> Self { self.wrapping_neg() }
            #[inline(always)]
            fn w_abs(self) -> Self { let abs: fn($t) -> $t = $abs; abs(self) }
            #[inline(always)]
            fn ones(self) -> u32 { self.count_ones() }
            #[inline(always)]
            fn leading(self) -> u32 { self.leading_zeros() }
        }
    )*};
}
kint!(
    i8: |x| x.wrapping_abs(), i16: |x| x.wrapping_abs(), i32: |x| x.wrapping_abs(),
    i64: |x| x.wrapping_abs(), u8: |x| x, u16: |x| x, u32: |x| x, u64: |x| x
);

/// Float operations: exact IEEE ones from std, library calls through
/// [`kernel_ir::semantics`] so every tier calls the same implementation.
pub(crate) trait KFloat:
    Repr
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    const ONE: Self;
    fn fmod(self, rhs: Self) -> Self;
    fn sqrt(self) -> Self;
    fn abs(self) -> Self;
    fn floor(self) -> Self;
    fn ceil(self) -> Self;
    fn trunc(self) -> Self;
    fn mul_add(self, a: Self, b: Self) -> Self;
    fn to_degrees(self) -> Self;
    fn to_radians(self) -> Self;
    fn is_nan(self) -> bool;
    fn is_finite(self) -> bool;
    fn signum(self) -> Self;
    fn round(self) -> Self;
    fn powi(self, n: i32) -> Self;
    fn rem_euclid(self, rhs: Self) -> Self;
    fn div_euclid(self, rhs: Self) -> Self;
    fn cbrt(self) -> Self;
    fn exp(self) -> Self;
    fn exp2(self) -> Self;
    fn ln(self) -> Self;
    fn log2(self) -> Self;
    fn log10(self) -> Self;
    fn powf(self, y: Self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn tan(self) -> Self;
    fn asin(self) -> Self;
    fn acos(self) -> Self;
    fn atan(self) -> Self;
    fn atan2(self, x: Self) -> Self;
    fn sinh(self) -> Self;
    fn cosh(self) -> Self;
    fn tanh(self) -> Self;
    fn hypot(self, y: Self) -> Self;
}

macro_rules! kfloat {
    ($t:ident, $($name:ident => $lib:ident ( $($arg:ident),* )),* ; powi = $powi:path, signum = $signum:path,
     rem_euclid = $rem:path, div_euclid = $div:path) => {
        impl KFloat for $t {
            const ONE: Self = 1.0;
            #[inline(always)]
            fn sqrt(self) -> Self { <$t>::sqrt(self) }
            #[inline(always)]
            fn abs(self) -> Self { <$t>::abs(self) }
            #[inline(always)]
            fn floor(self) -> Self { <$t>::floor(self) }
            #[inline(always)]
            fn ceil(self) -> Self { <$t>::ceil(self) }
            #[inline(always)]
            fn trunc(self) -> Self { <$t>::trunc(self) }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self { <$t>::mul_add(self, a, b) }
            #[inline(always)]
            fn to_degrees(self) -> Self { <$t>::to_degrees(self) }
            #[inline(always)]
            fn to_radians(self) -> Self { <$t>::to_radians(self) }
            #[inline(always)]
            fn is_nan(self) -> bool { <$t>::is_nan(self) }
            #[inline(always)]
            fn is_finite(self) -> bool { <$t>::is_finite(self) }
            #[inline(always)]
            fn signum(self) -> Self { $signum(self) }
            #[inline(always)]
            fn powi(self, n: i32) -> Self { $powi(self, n) }
            #[inline(always)]
            fn rem_euclid(self, rhs: Self) -> Self { $rem(self, rhs) }
            #[inline(always)]
            fn div_euclid(self, rhs: Self) -> Self { $div(self, rhs) }
            $(
                #[inline(always)]
                fn $name(self $(, $arg: Self)*) -> Self { semantics::$lib(self $(, $arg)*) }
            )*
        }
    };
}

kfloat!(f64,
    fmod => fmod_f64(rhs), round => round_f64(), cbrt => cbrt_f64(), exp => exp_f64(),
    exp2 => exp2_f64(), ln => ln_f64(), log2 => log2_f64(), log10 => log10_f64(),
    powf => powf_f64(y), sin => sin_f64(), cos => cos_f64(), tan => tan_f64(),
    asin => asin_f64(), acos => acos_f64(), atan => atan_f64(), atan2 => atan2_f64(x),
    sinh => sinh_f64(), cosh => cosh_f64(), tanh => tanh_f64(), hypot => hypot_f64(y);
    powi = semantics::powi_f64, signum = semantics::signum_f64,
    rem_euclid = semantics::rem_euclid_f64, div_euclid = semantics::div_euclid_f64);

kfloat!(f32,
    fmod => fmod_f32(rhs), round => round_f32(), cbrt => cbrt_f32(), exp => exp_f32(),
    exp2 => exp2_f32(), ln => ln_f32(), log2 => log2_f32(), log10 => log10_f32(),
    powf => powf_f32(y), sin => sin_f32(), cos => cos_f32(), tan => tan_f32(),
    asin => asin_f32(), acos => acos_f32(), atan => atan_f32(), atan2 => atan2_f32(x),
    sinh => sinh_f32(), cosh => cosh_f32(), tanh => tanh_f32(), hypot => hypot_f32(y);
    powi = semantics::powi_f32, signum = semantics::signum_f32,
    rem_euclid = semantics::rem_euclid_f32, div_euclid = semantics::div_euclid_f32);

/// Reads one element of type `elem` as a raw slot value.
///
/// # Safety
/// `ptr` must point to a readable element of type `elem` inside a live allocation.
#[inline]
pub(crate) unsafe fn load_raw(elem: kernel_ir::Scalar, ptr: *const u8) -> u64 {
    use kernel_ir::Scalar;
    // SAFETY: forwarded from the caller's guarantee.
    unsafe {
        match elem {
            Scalar::Bool => bool::load(ptr).to_raw(),
            Scalar::I8 => i8::load(ptr).to_raw(),
            Scalar::I16 => i16::load(ptr).to_raw(),
            Scalar::U8 => u8::load(ptr).to_raw(),
            Scalar::U16 => u16::load(ptr).to_raw(),
            Scalar::I32 => i32::load(ptr).to_raw(),
            Scalar::U32 => u32::load(ptr).to_raw(),
            Scalar::F32 => f32::load(ptr).to_raw(),
            Scalar::I64 | Scalar::U64 | Scalar::Usize | Scalar::F64 => u64::load(ptr),
        }
    }
}

/// Writes one element of type `elem` from a raw slot value.
///
/// # Safety
/// `ptr` must point to a writable element of type `elem` inside a live allocation.
#[inline]
pub(crate) unsafe fn store_raw(elem: kernel_ir::Scalar, ptr: *mut u8, raw: u64) {
    use kernel_ir::Scalar;
    // SAFETY: forwarded from the caller's guarantee.
    unsafe {
        match elem {
            Scalar::Bool => bool::store(ptr, bool::from_raw(raw)),
            Scalar::I8 | Scalar::U8 => u8::store(ptr, raw as u8),
            Scalar::I16 | Scalar::U16 => u16::store(ptr, raw as u16),
            Scalar::I32 | Scalar::U32 | Scalar::F32 => u32::store(ptr, raw as u32),
            Scalar::I64 | Scalar::U64 | Scalar::Usize | Scalar::F64 => u64::store(ptr, raw),
        }
    }
}
