// Math builtins: every tier calls the same library functions, so values match to the bit.

fn trig(x: f64) -> f64 {
    x.sin() + x.cos() * x.tan() - x.atan() + x.sinh() / x.cosh() + x.tanh()
}
// @call trig x=0.7
// @returns 1.8864449643205006

fn inverse_trig(x: f64) -> f64 {
    x.asin() + x.acos() + x.atan2(0.5) + x.hypot(2.0)
}
// @call inverse_trig x=0.3
// @returns 4.133590668681149

fn exps(x: f64) -> f64 {
    x.exp() + x.exp2() + x.ln() + x.log2() + x.log10() + x.log(3.0) + x.cbrt() + x.sqrt()
}
// @call exps x=2.5
// @returns 24.24789845115752

fn powers(x: f64, n: i32) -> f64 {
    x.powi(n) + x.powf(1.5) + x.recip()
}
// @call powers x=1.7 n=5
// @returns 17.003334111886545
// @call powers x=2.0 n=-2
// @returns 3.5784271247461903

fn rounding(x: f64) -> f64 {
    x.floor() * 1000.0 + x.ceil() * 100.0 + x.round() * 10.0 + x.trunc() + x.fract()
}
// @call rounding x=2.5
// @returns 2332.5
// @call rounding x=-2.5
// @returns -3232.5

fn round_half_away(x: f64) -> f64 {
    x.round()
}
// @call round_half_away x=0.5
// @returns 1.0
// @call round_half_away x=-0.5
// @returns -1.0

fn signs(x: f64) -> f64 {
    x.abs() + x.signum() * 10.0
}
// @call signs x=-3.25
// @returns -6.75

fn fma(a: f64, b: f64, c: f64) -> f64 {
    a.mul_add(b, c)
}
// @call fma a=0.1 b=10.0 c=-1.0
// @returns 5.551115123125783e-17

fn minmax(a: f64, b: f64) -> f64 {
    a.min(b) * 10.0 + a.max(b)
}
// @call minmax a=1.0 b=2.0
// @returns 12.0
// @call minmax a=nan b=2.0
// @returns 22.0

fn clamp_f(x: f64, lo: f64, hi: f64) -> f64 {
    x.clamp(lo, hi)
}
// @call clamp_f x=5.0 lo=0.0 hi=1.0
// @returns 1.0
// @call clamp_f x=5.0 lo=2.0 hi=1.0
// @error InvalidClamp 66:5 in clamp_f

fn checks(x: f64) -> i64 {
    x.is_nan() as i64 * 10 + x.is_finite() as i64
}
// @call checks x=nan
// @returns 10
// @call checks x=inf
// @returns 0
// @call checks x=1.0
// @returns 1

fn angles(x: f64) -> f64 {
    x.to_degrees() + x.to_radians()
}
// @call angles x=1.0
// @returns 57.31323280560227

fn float_euclid(a: f64, b: f64) -> f64 {
    a.rem_euclid(b) * 100.0 + a.div_euclid(b)
}
// @call float_euclid a=-7.0 b=4.0
// @returns 98.0

fn f32_math(x: f32) -> f32 {
    x.sin() + x.sqrt() + x.exp() + x.powi(3) + x.ln()
}
// @call f32_math x=1.5
// @returns 10.484394

fn int_methods(a: i64, b: i64) -> i64 {
    a.abs() + a.pow(3) + a.min(b) * 1000 + a.max(b) * 100 + a.rem_euclid(b) * 10000 + a.div_euclid(b) * 100000
}
// @call int_methods a=-7 b=4
// @returns -196936
// @call int_methods a=-7 b=0
// @error DivisionByZero 102:61 in int_methods

fn int_more(a: u32) -> u32 {
    a.count_ones() + a.leading_zeros() * 100 + a.wrapping_add(4294967295) * 10000 + a.wrapping_mul(3) + a.wrapping_sub(5)
}
// @call int_more a=6
// @returns 52921

fn int_clamp(x: i32) -> i32 {
    x.clamp(-5, 5) * 10 + x.signum()
}
// @call int_clamp x=-20
// @returns -51

fn int_abs_min(x: i64) -> i64 {
    x.abs()
}
// @call int_abs_min x=-9223372036854775808
// @returns -9223372036854775808

fn int_pow_wraps(x: u64) -> u64 {
    x.pow(70)
}
// @call int_pow_wraps x=2
// @returns 0

fn euclid_overflow(a: i32) -> i32 {
    a.rem_euclid(-1) + a.div_euclid(-1)
}
// @call euclid_overflow a=-2147483648
// @error DivisionOverflow 134:24

fn constants() -> f64 {
    std::f64::consts::PI + f64::consts::E + core::f64::consts::TAU + f64::consts::SQRT_2 + f64::consts::LN_2 + f64::EPSILON
}
// @call constants
// @returns 14.250420532161465

fn int_constants() -> i64 {
    (i64::MAX - 1) / (u32::MAX as i64) + i32::MIN as i64
}
// @call int_constants
// @returns 0
